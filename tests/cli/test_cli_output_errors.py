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


@pytest.mark.parametrize("argv,start", [
    (["plan", "--distance-km", "1e9", "--segments", "2", "--leakage", "0.1"], "--distance-km must be"),
    (["plan", "--distance-km", "10", "--segments", "2", "--leakage", "0.1", "--memory-t2-s", "-1"],
     "--memory-t2-s must be"),
    (["diqkd", "rho-d", "--shield-dim", "0"], "--shield-dim must be"),
    (["sweep", "--question", "state", "--leakage", "0.1", "--store", "x.sqlite"],
     "--state is required"),
])
def test_library_errors_name_the_command_line_option(capsys, argv, start):
    # the library's checks name Python parameters (distance_km); the CLI names its options
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"qkdbounds: error: {start}") and err.count("\n") == 1


def test_a_leading_word_that_is_no_option_is_left_alone():
    from qkdbounds.cli.main import _flag_names, build_parser

    parser = build_parser("rate")
    assert _flag_names("grid of 5 points", parser, ["rate"]) == "grid of 5 points"
    assert _flag_names("leakage must be in [0, 1]", parser, ["rate"]) == "--leakage must be in [0, 1]"
    assert _flag_names("leakage must be in [0, 1]", parser, []) == "leakage must be in [0, 1]"


def test_project_without_a_matrix_file_is_refused(capsys):
    # fuzzing: --project was silently ignored with --werner
    assert main(["state-bound", "--werner", "0.9", "--project", "--leakage", "0.1"]) == 2
    assert "--project applies to a matrix in --state" in capsys.readouterr().err


def test_state_bound_leakage_grid_as_csv_matches_its_json(capsys):
    # helper verification: state-bound refused --format csv, which rate takes for its grids
    import csv
    import io
    import json

    from qkdbounds.cli.main import main

    argv = ["state-bound", "--werner", "0.9", "--leakage", "0:0.2:0.1", "--quiet"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main([*argv, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [float(r["leakage"]) for r in rows] == [0.0, 0.1, 0.2]
    for i, row in enumerate(rows):
        assert float(row["rate_upper_bound"]) == data["rate_upper_bound"][i]
        assert row["verdict"] == data["verdict"][i]
        assert json.loads(row["measurements"]) == data["measurements"][i]
        assert row["model"] == "uniform" and row["unit"] == "bits per round"
