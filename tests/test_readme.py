"""The README's examples run and print what the README says (issue 12).

* ``console`` blocks: every ``$ qkdbounds ...`` command without ``...`` in it (sweeps, which
  start clusters, and ``results`` commands, which read a sweep's store, are left out) is run through the CLI; the shown output is compared with the
  real one: top-level ``"key": scalar`` pairs before the first nested object (numbers to the
  digits shown), and CSV lines up to their ``...``.
* ``python`` blocks: run in a scratch directory; every line ``expression  # number`` is evaluated
  and compared with the number to the digits shown.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from qkdbounds.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)
PAIR = re.compile(r'"(\w+)": (true|false|null|"[^"]*"|-?[0-9][0-9.eE+-]*)')
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _blocks(kind):
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == kind]


def _console_examples():
    out = []
    for body in _blocks("console"):
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            if lines[i].startswith("$ qkdbounds"):
                cmd = lines[i][2:].split("  #")[0].strip()
                shown = []
                i += 1
                while i < len(lines) and not lines[i].startswith("$ "):
                    shown.append(lines[i])
                    i += 1
                # sweeps start clusters; results commands read a sweep's store
                if "..." not in cmd and not cmd.startswith(("qkdbounds sweep",
                                                             "qkdbounds results")):
                    out.append((cmd, "\n".join(shown).strip()))
            else:
                i += 1
    return out


def _close(shown: str, real) -> bool:
    """``real`` equals the number ``shown`` to the digits shown."""
    value = float(shown)
    if abs(value) < 1e-10:  # numerical noise shown as e.g. 1.4e-15
        return abs(real) < 1e-10
    mantissa = shown.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if "e" in shown.lower():
        return real == pytest.approx(value, rel=10.0 ** -decimals)
    return real == pytest.approx(value, abs=0.51 * 10.0 ** -decimals + 1e-12)


@pytest.mark.parametrize("cmd,shown", _console_examples(), ids=lambda x: x[:60])
def test_console_examples(cmd, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(shlex.split(cmd)[1:])
    assert code == 0, cmd
    text = stdout.getvalue()
    if "--json" in cmd:
        real = json.loads(text)
        head = re.split(r": [\[{]", shown, maxsplit=1)[0]
        pairs = PAIR.findall(head)
        assert pairs, f"nothing to compare in the README output of {cmd}"
        for key, value in pairs:
            assert key in real, (cmd, key)
            if value in ("true", "false", "null"):
                assert real[key] == json.loads(value), (cmd, key)
            elif value.startswith('"'):
                assert real[key] == value.strip('"'), (cmd, key)
            else:
                assert _close(value, real[key]), (cmd, key, value, real[key])
    else:
        real_lines = text.splitlines()
        for shown_line, real_line in zip(shown.splitlines(), real_lines):
            assert real_line.startswith(shown_line.split("...")[0].rstrip(",")), (shown_line,
                                                                                 real_line)


def test_python_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checked = 0
    for body in _blocks("python"):
        namespace: dict = {}
        statement = ""
        for line in body.splitlines():
            statement += line.split("  #")[0] if "  #" in line else line
            if statement.rstrip().endswith("\\") or statement.count("(") > statement.count(")"):
                statement = statement.rstrip().rstrip("\\") + " "
                continue
            code, statement = statement.strip(), ""
            comment = line.split("  #", 1)[1] if "  #" in line else ""
            numbers = NUMBER.findall(comment)
            if not code:
                continue
            if numbers and not code.startswith(("print", "from", "import", "write_")) \
                    and "=" not in code.split("(")[0]:
                value = eval(code, namespace)  # noqa: S307 - the README's own example
                assert _close(numbers[0], float(value)), (code, numbers[0], value)
                checked += 1
            else:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(code, namespace)  # noqa: S102 - the README's own example
    assert checked >= 4
