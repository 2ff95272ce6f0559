"""Entry point of the ``qkdbounds`` command.

Each subcommand lives in its own module ``cli/_<name>.py`` exposing ``register(subparsers)``;
``register`` adds a parser whose default ``handler(args) -> dict`` returns the JSON object of the
command (SPEC §3).  ``main`` prints that object (``--json``) or a short human summary, and turns
:class:`~qkdbounds.errors.InputError` into one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from .._json import dumps_bytes, to_jsonable
from ..errors import InputError

#: Subcommand modules, in the order they appear in ``--help``, with the commands each registers.
#: A run of one command imports only its module (start-up time, issue 19); ``--help`` imports all.
#: ``tests/cli/test_cli_registry.py`` checks this table against what ``register`` adds.
COMMAND_MODULES = {
    "_threshold": ("threshold",),
    "_rate": ("rate",),
    "_figure": ("figure",),
    "_swap": ("swap",),
    "_repeaters": ("repeaters",),
    "_plan": ("plan",),
    "_network": ("network",),
    "_diqkd": ("diqkd",),
    "_state": ("state-bound",),
    "_data": ("data-bound",),
    "_di": ("di-attack", "di-region"),
    "_reproduce": ("reproduce",),
    "_sweep": ("sweep",),
    "_results": ("results",),
}


class _Parser(argparse.ArgumentParser):
    """argparse prints usage + error and exits 2; we want exactly one line on stderr."""

    _formatting = False

    def error(self, message: str):  # noqa: D401 - argparse API
        raise InputError(message)

    def _get_formatter(self):
        # add_argument checks every option's metavar with a formatter, which needs no terminal
        # width (argparse looks it up through shutil: ~3 ms of every command's start-up); help
        # and usage text get the terminal's width
        if self._formatting:
            return super()._get_formatter()
        return self.formatter_class(prog=self.prog, width=80)

    def format_help(self) -> str:
        return self._formatted(super().format_help)

    def format_usage(self) -> str:
        return self._formatted(super().format_usage)

    def _formatted(self, method) -> str:
        before, self._formatting = self._formatting, True
        try:
            return method()
        finally:
            self._formatting = before


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qkdbounds")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+unknown"


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked (importlib.metadata costs ~35 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser._print_message(f"qkdbounds {_version()}\n", sys.stdout)
        parser.exit()


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first token that is not a top-level option)."""
    for token in argv:
        if token in ("--verbose",):
            continue
        return None if token.startswith("-") else token
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser: all subcommands, or only the module that registers ``command``
    when it is a known command (so one command's run does not import the others' science)."""
    parser = _Parser(prog="qkdbounds", description="Upper bounds on QKD secret key rates.")
    parser.add_argument("--verbose", action="store_true", help="log diagnostics to stderr")
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    parser.commands = sub.choices       # name -> subparser (for _flag_names)
    modules = [m for m, names in COMMAND_MODULES.items() if command in names] or list(COMMAND_MODULES)
    for name in modules:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue
            raise
        module.register(sub)
    return parser


#: Rows of a grid shown in the human-readable output (all rows: --format csv or --json).
TEXT_MAX_ROWS = 20


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(to_jsonable(value))
        return text if len(text) <= 100 else text[:97] + "..."
    return str(value)


def _summary(result: dict, columns: list[str] | None = None) -> str:
    """Human output: ``key  value`` lines, and for grids an aligned table of the points."""
    columns = [c for c in (columns or []) if result.get(c) is not None]
    width = max((len(k) for k in result if k not in columns), default=0)
    lines = []
    for key, value in result.items():
        if key in columns:
            continue
        if (isinstance(value, (list, tuple)) and value and all(isinstance(x, str) for x in value)
                and len(json.dumps(value)) > 100 >= max(len(x) for x in value)):
            # a list of names or paths (e.g. the figures written): one per line, not cut at 100
            lines.append(f"{key:<{width}}  {value[0]}")
            lines.extend(f"{'':<{width}}  {x}" for x in value[1:])
            continue
        if (isinstance(value, (list, tuple)) and value and all(isinstance(x, dict) for x in value)
                and len(json.dumps(to_jsonable(value))) > 100):
            # records (e.g. the sweeps of a store): one line each, their scalar fields (nested
            # ones: --json), not one JSON text cut at 100 characters
            lines.append(f"{key:<{width}}  {len(value)} (nested fields: --json)")
            lines.extend(f"{'':<{width}}  " + "  ".join(
                f"{k}={_fmt(v)}" for k, v in x.items() if not isinstance(v, (dict, list, tuple)))
                for x in value[:TEXT_MAX_ROWS])
            if len(value) > TEXT_MAX_ROWS:
                lines.append(f"{'':<{width}}  ... {len(value) - TEXT_MAX_ROWS} more (all: --json)")
            continue
        lines.append(f"{key:<{width}}  {_fmt(value)}")
    if columns:
        cols = [to_jsonable(result[c]) for c in columns]
        n_rows = len(cols[0])
        shown = list(range(min(n_rows, TEXT_MAX_ROWS)))
        cells = [[_fmt(col[i]) for col in cols] for i in shown]
        widths = [max(len(c), *(len(row[j]) for row in cells)) for j, c in enumerate(columns)]
        lines.append("")
        lines.append("  ".join(c.rjust(w) for c, w in zip(columns, widths)))
        lines.extend("  ".join(x.rjust(w) for x, w in zip(row, widths)) for row in cells)
        if n_rows > len(shown):
            lines.append(f"... {n_rows - len(shown)} more rows (all rows: --format csv or --json)")
    return "\n".join(lines)


#: Library parameters whose CLI option has another name (e.g. ``local_dim`` is ``--dim``).
PARAMETER_FLAGS = {"local_dim": "--dim", "n_points": "--points", "n_parties": "--parties",
                   "n_repeaters": "--repeaters", "max_memory": "--max-memory"}


def _flag_names(message: str, parser, argv: list[str]) -> str:
    """The error with its leading parameter named as on the command line: the library's checks
    name Python parameters (``distance_km must be in [1e-09, 100000]``); when the command has
    the matching option (``--distance-km``: in its usage, or typed, e.g. a nested command's),
    the message names that instead."""
    import re

    word = re.match(r"[a-z][a-z0-9_]*", message)
    command = _command_in(argv)
    sub = getattr(parser, "commands", {}).get(command) if word and command else None
    if sub is None:
        return message
    flag = PARAMETER_FLAGS.get(word.group(), "--" + word.group().replace("_", "-"))
    typed = any(a == flag or a.startswith(flag + "=") for a in argv)
    if not typed and re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", sub.format_usage()) is None:
        return message
    return flag + message[word.end():]


def _configure_logging(verbose: bool) -> None:
    """Log records to stderr as ``LEVEL name: message``: INFO and up with ``--verbose``, else
    WARNING and up.  Configured when logging is in use (``--verbose``, or a command whose module
    logs, e.g. ``sweep``, imported it while the parser was built): importing :mod:`logging`
    costs ~5 ms of every command's start-up."""
    if not verbose and "logging" not in sys.modules:
        return
    import logging

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 2 bad input, 1 failure)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = None
    try:
        parser = build_parser(_command_in(argv))
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        _configure_logging(args.verbose)
        result = args.handler(args)
    except InputError as exc:
        print(f"qkdbounds: error: {_flag_names(str(exc), parser, argv)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qkdbounds: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise                   # the reader went away (`--out - | head`): run() ends quietly
    except OSError as exc:  # e.g. a full disk (ENOSPC) while writing: one line, nothing partial
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"qkdbounds: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    if result is None:
        return 0
    fmt = getattr(args, "output_format", None)
    if getattr(args, "json", False):
        fmt = "json"  # --json always means one JSON object (it wins over --format)
    if sys.stdout is None:      # started with fd 1 closed (`>&-`)
        print("qkdbounds: error: standard output is closed: nothing to write the result to",
              file=sys.stderr)
        return 1
    try:
        if fmt == "csv":
            _write_csv(result, sys.stdout, getattr(args, "csv_columns", None))
        elif getattr(args, "json", False) or fmt == "json":
            _write_json(result, sys.stdout)
        else:
            print(_summary(result, getattr(args, "csv_columns", None)))
        sys.stdout.flush()
    except BrokenPipeError:
        raise                   # the reader went away: run() ends quietly
    except OSError as exc:      # e.g. `> /dev/full`: one line, not a traceback
        print(f"qkdbounds: error: cannot write the result to standard output: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    status = result.get("status", "optimal")
    return 1 if isinstance(status, str) and status in ("failed", "error") else 0


def _write_json(result: dict, stream) -> None:
    """One line of compact JSON (orjson: a 700,001-point grid in ~0.3 s instead of ~7 s)."""
    data = dumps_bytes(result) + b"\n"
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (io.StringIO in tests)
        stream.write(data.decode())
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def _write_csv(result: dict, stream, columns: list[str] | None = None) -> None:
    """A table: one row per point; ``columns`` (equal-length lists) are columns, the other
    scalar keys repeat on every row; nested values are written as JSON."""
    import csv

    columns = columns or []
    scalars = [k for k in result if k not in columns]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns + scalars)
    consts = [json.dumps(to_jsonable(result[k])) if isinstance(result[k], (dict, list, tuple))
              else to_jsonable(result[k]) for k in scalars]
    if not columns:
        writer.writerow(consts)
        return
    cols = [[json.dumps(v) if isinstance(v, (dict, list)) else v for v in to_jsonable(result[k])]
            for k in columns]      # (a nested entry of a column, e.g. a setting's labels: JSON)
    writer.writerows(list(row) + consts for row in zip(*cols))


def add_format(parser: argparse.ArgumentParser) -> None:
    """``--format {text,json,csv}`` (``--json`` is ``--format json``)."""
    parser.add_argument("--format", dest="output_format", choices=("text", "json", "csv"), default=None,
                        help="output: human text (default), one JSON object, or a CSV table")


def run() -> None:  # console-script entry point
    try:
        code = main()
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:  # e.g. `qkdbounds ... | head`: the reader went away, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    sys.exit(code)


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options every subcommand shares (``--json``, ``--quiet``)."""
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
