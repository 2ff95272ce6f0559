"""Shared argument types: parse-time validation with one-line messages (no science).

argparse reports an ``ArgumentTypeError`` as ``argument NAME: MESSAGE``; ``main`` turns that
into one line on stderr and exit code 2.
"""

from __future__ import annotations

import math

import argparse


def probability(name: str):
    """argparse ``type=`` for a float in [0, 1] named ``name`` in error messages."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
        return value

    return parse


def single_probability(name: str, grids: str = ""):
    """argparse ``type=`` for one float in [0, 1] where the command takes no grid: a grid
    (``a:b:step``, comma list) gets a line saying so, and where grids are swept (``grids``)."""
    plain = probability(name)

    def parse(text: str) -> float:
        if ":" in text or "," in text:
            raise argparse.ArgumentTypeError(
                f"takes one value in [0, 1], got the grid {text!r}" + (f" ({grids})" if grids else
                                                                      " (one call per value)"))
        return plain(text)

    return parse


def integer(name: str, low: int, high: int | None = None):
    """argparse ``type=`` for an int in [low, high]."""

    def parse(text: str) -> int:
        rng = f"in [{low}, {high}]" if high is not None else f">= {low}"
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer {rng}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be an integer {rng}, got {value}")
        return value

    return parse


def local_dims(option: str, high: int):
    """argparse ``type=`` for ``nargs="+"`` local dimensions: each token one integer in
    [2, high] or a comma list of them (``--dims 3 3`` or ``--dims 3,3``); the handler flattens
    the lists (:func:`flat_dims`)."""

    def parse(text: str) -> list[int]:
        out = []
        for part in text.split(","):
            try:
                value = int(part)
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"must be integers in [2, {high}] (--dims 3 3 or 3,3), got {text!r}") from None
            if not 2 <= value <= high:
                raise argparse.ArgumentTypeError(f"must be integers in [2, {high}], got {value}")
            out.append(value)
        return out

    return parse


def flat_dims(values) -> list[int] | None:
    """The local dimensions parsed by :func:`local_dims` as one list (None if not given)."""
    return None if values is None else [d for token in values for d in token]


def ranged(option: str, parameter: str):
    """argparse ``type=`` for an integer parameter of the one table of ranges (errors.py)."""
    from ..errors import PARAMETER_RANGES

    low, high = PARAMETER_RANGES[parameter]
    return integer(option, low, high)


def unit_grid(name: str):
    """argparse ``type=`` for a value in [0, 1] or a grid (sweep syntax ``a:b:step``, comma lists).

    Returns a float for a single number and a list of floats for a grid.
    """
    single = probability(name)

    def parse(text: str):
        if ":" not in text and "," not in text:
            return single(text)
        from ..errors import InputError
        from ..sweep._grid import parse_axis

        try:
            return parse_axis(name.lstrip("-"), text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def add_state_args(parser, visibility: bool = True) -> None:
    """--dim, --parties, --leakage, --model (and --visibility); ranges from errors.PARAMETER_RANGES."""
    parser.add_argument("--dim", type=ranged("--dim", "local_dim"), default=2,
                        help="local dimension d (2..65536)")
    parser.add_argument("--parties", type=ranged("--parties", "n_parties"), default=2,
                        help="number of parties N (2..10000)")
    if visibility:
        parser.add_argument("--visibility", type=unit_grid("--visibility"), required=True,
                            help="v in [0, 1], or a grid: START:STOP:STEP, comma lists")
    parser.add_argument("--leakage", type=unit_grid("--leakage"), required=True,
                        help="L in [0, 1], or a grid: START:STOP:STEP, comma lists")
    parser.add_argument("--model", choices=("uniform", "junk"), default="uniform", help="leakage model")


def name_text(name: str):
    """argparse ``type=`` for a sweep name (:func:`qkdbounds.errors.check_name_text`)."""
    from ..errors import InputError, check_name_text

    def parse(text: str) -> str:
        try:
            return check_name_text(name, text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{name} ")) from None

    return parse


def _path_type(check: str, name: str, *extra):
    """argparse ``type=`` running the :mod:`qkdbounds._io` check named ``check`` (before any
    work; imported when an option is parsed, not when the parser is built)."""

    def parse(text: str):
        from .. import _io
        from ..errors import InputError

        args = [_io.MAX_INPUT_BYTES if x is _DEFAULT_MAX_BYTES else x for x in extra]
        try:
            return getattr(_io, check)(name, text, *args)
        except InputError as exc:
            # the check's message already names the option
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{name}: ").removeprefix(
                f"{name} ")) from None

    return parse


#: ``in_file``'s size limit when none is given: :data:`qkdbounds._io.MAX_INPUT_BYTES`.
_DEFAULT_MAX_BYTES = object()


def out_dir(name: str):
    """An output directory: existing and writable, or creatable (checked at parse time)."""
    return _path_type("check_output_dir", name)


def out_file(name: str, suffixes: tuple[str, ...] | None = None):
    """An output file: not a directory, writable or creatable (checked at parse time)."""
    return _path_type("check_output_file", name, suffixes)


def in_file(name: str, max_bytes: int | None = None):
    """An existing, readable, non-empty regular file (size-checked at parse time; default limit
    :data:`qkdbounds._io.MAX_INPUT_BYTES`)."""
    return _path_type("check_input_file", name, _DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)


class GridValues(list):
    """The values of a grid spec (``a:b:step``, commas) as :func:`unit_values` parses them: a
    list that says it came from a grid, even with one value (``1:1``: the JSON keeps lists)."""


def unit_values(name: str):
    """argparse ``type=`` for one value in [0, 1] or a list/range of them (``a:b:step``, commas),
    always returned as a list (a :class:`GridValues` for a grid spec); errors name ``name``."""
    single = probability(name)

    def parse(text: str) -> list[float]:
        if ":" not in text and "," not in text:
            return [single(text)]
        from ..errors import InputError
        from ..sweep._grid import parse_axis

        try:
            # the same [0, 1] grammar as the sweep axes
            return GridValues(parse_axis("leakage", text))
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc).replace("leakage", name.lstrip("-"))) from None

    return parse
