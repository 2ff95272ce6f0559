"""The command table of ``qkdbounds.cli.main`` (one command's run imports only its module)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import importlib

cli = importlib.import_module("qkdbounds.cli.main")


def _commands(parser):
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)


def test_table_lists_exactly_what_register_adds():
    """Each module registers the commands the table names, in the table's order."""
    full = _commands(cli.build_parser())
    assert full == [c for names in cli.COMMAND_MODULES.values() for c in names]
    for module, names in cli.COMMAND_MODULES.items():
        for name in names:
            assert _commands(cli.build_parser(name)) == list(names), (module, name)


@pytest.mark.parametrize("argv, expected", [
    (["rate", "--visibility", "0.9"], "rate"),
    (["--verbose", "di-attack"], "di-attack"),
    (["--help"], None),
    ([], None),
    (["--version"], None),
])
def test_command_in_argv(argv, expected):
    assert cli._command_in(argv) == expected


def test_unknown_command_still_gets_the_full_choice_list(capsys):
    assert cli.main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "state-bound" in err and len(err.strip().splitlines()) == 1


def test_a_run_of_rate_does_not_import_other_commands_science():
    """``rate`` must not import the repeaters, the DI package or scipy (start-up time, issue 19)."""
    code = ("import sys; from qkdbounds.cli.main import main; "
            "main(['rate', '--visibility', '0.9', '--leakage', '0.1', '--json']); "
            "print(sorted(m for m in sys.modules if m.startswith(('qkdbounds.repeaters', "
            "'qkdbounds.di', 'scipy', 'importlib.metadata'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_version_is_printed_on_request():
    out = subprocess.run([sys.executable, "-m", "qkdbounds", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("qkdbounds ")
