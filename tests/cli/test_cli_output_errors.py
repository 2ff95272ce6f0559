"""The result cannot be written (a full disk, a closed stdout): one line on stderr, exit 1."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys

import pytest

from qkdbounds.cli.main import main


class _FullStream(io.StringIO):
    """A text stream whose device is full (as /dev/full)."""

    def write(self, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("fmt", [[], ["--json"], ["--format", "csv"]], ids=["text", "json", "csv"])
def test_a_full_stdout_is_one_line_and_exit_1(monkeypatch, capsys, fmt):
    monkeypatch.setattr(sys, "stdout", _FullStream())
    code = main(["rate", "--visibility", "0.9", "--leakage", "0.1", *fmt])
    err = capsys.readouterr().err
    assert code == 1
    assert err == ("qkdbounds: error: cannot write the result to standard output: "
                   f"{os.strerror(errno.ENOSPC)}\n")


def test_a_closed_stdout_is_one_line_and_exit_1(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["rate", "--visibility", "0.9", "--leakage", "0.1", "--json"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_from_the_console_script():
    # the entry point as a user runs it: no traceback, and nothing printed at interpreter exit
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-c", "from qkdbounds.cli.main import run; run()",
                               "rate", "--visibility", "0.9", "--leakage", "0.1"],
                              stdout=full, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"qkdbounds: error: cannot write the result to standard output: {os.strerror(errno.ENOSPC)}"]
