"""Parameter grids: axis specs like ``"0.3:1:0.01"`` or ``"0.1,0.2"`` and their Cartesian product.

Ranges are computed in decimal arithmetic from the text the user typed, so ``0.3:1:0.01`` has
exactly 71 points and ends at exactly 1.0 — no ``0.30000000000000004`` and no lost endpoint,
which plain float stepping (``numpy.arange``) gets wrong.
"""

from __future__ import annotations

import decimal
import hashlib
import itertools
import json
import numbers
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..errors import PARAMETER_RANGES, InputError
from ..store import PARAMETER_NAMES, canonical_float
from ..store._sqlite import KEY_DECIMALS

__all__ = [
    "AXIS_DEFAULTS",
    "MAX_AXIS_POINTS",
    "MAX_GRID_POINTS",
    "MODELS",
    "ATTACKS",
    "parse_axis",
    "build_grid",
    "grid_points",
    "grid_name",
]

#: Allowed leakage models and attacks (SPEC §3, ``qkdbounds rate``).
MODELS = ("uniform", "junk")
ATTACKS = ("best", "paper", "extended")

#: Value of an axis the user does not sweep.
AXIS_DEFAULTS: dict[str, Any] = {"dim": 2, "parties": 2, "model": "uniform", "attack": "best"}

#: Guards against typos such as ``0:1:1e-9`` that would silently ask for a billion points.
MAX_AXIS_POINTS = 1_000_000
#: ~0.5 KB of memory per point of a grid held by the client: 2e6 points ~ 1 GB.
MAX_GRID_POINTS = 2_000_000

# name -> (low, high), from the one table of ranges (qkdbounds.errors.PARAMETER_RANGES)
_INT_AXES = {"dim": PARAMETER_RANGES["local_dim"], "parties": PARAMETER_RANGES["n_parties"]}
_UNIT_AXES = ("visibility", "leakage")        # values in [0, 1]
_CHOICE_AXES = {"model": MODELS, "attack": ATTACKS}

# Enough digits that any decimal a user types is represented exactly in the range arithmetic.
_DEC_CONTEXT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.Overflow,
                                               decimal.DivisionByZero])


def _decimal(name: str, text: str) -> Decimal:
    text = text.strip()
    try:
        value = _DEC_CONTEXT.create_decimal(text)
    except (decimal.DecimalException, ValueError, OverflowError):
        raise InputError(f"{name}: {text!r} is not a number (or outside the representable "
                         f"range)") from None
    if not value.is_finite():
        raise InputError(f"{name}: values must be finite, got {text!r}")
    return value


def _check_ends(name: str, spec: str, parts: list[str]) -> None:
    if any(not part.strip() for part in parts):
        raise InputError(f"{name}: range {spec!r} has an empty START, STOP or STEP; give "
                         f"START:STOP:STEP (e.g. 0:0.5:0.1; values in their range, [0, 1] for "
                         f"probabilities)")


def _range(name: str, spec: str) -> list[Decimal]:
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise InputError(f"{name}: range must be START:STOP or START:STOP:STEP, got {spec!r}")
    _check_ends(name, spec, parts)
    start, stop = _decimal(name, parts[0]), _decimal(name, parts[1])
    if len(parts) == 2 and any(x != x.to_integral_value() for x in (start, stop)):
        # (step 1 from 0 to 0.5 is the single point 0: almost surely not what was meant)
        raise InputError(f"{name}: range START:STOP (step 1) needs integer ends; give "
                         f"START:STOP:STEP, got {spec!r}")
    step = _decimal(name, parts[2]) if len(parts) == 3 else Decimal(1)
    if step <= 0:
        raise InputError(f"{name}: range step must be > 0, got {parts[2].strip()!r}")
    if stop < start:
        raise InputError(f"{name}: range stop must be >= start, got {spec!r}")
    # floor((stop - start) / step) + 1 points; the stop is included when it is on the grid.
    n_steps = _count_steps(name, spec, start, stop, step)
    if n_steps + 1 > MAX_AXIS_POINTS:
        raise InputError(f"{name}: range {spec!r} has more than {MAX_AXIS_POINTS} points")
    return [_DEC_CONTEXT.add(start, _DEC_CONTEXT.multiply(step, Decimal(i)))
            for i in range(int(n_steps) + 1)]


def _count_steps(name: str, spec: str, start: Decimal, stop: Decimal, step: Decimal) -> Decimal:
    """floor((stop - start) / step), bounded *before* dividing: a tiny step (``0:1:1e-308``)
    or a huge span is refused as too many points instead of overflowing the arithmetic."""
    try:
        if stop - start > _DEC_CONTEXT.multiply(step, Decimal(MAX_AXIS_POINTS)):
            raise InputError(f"{name}: range {spec!r} has more than {MAX_AXIS_POINTS} points")
        return _DEC_CONTEXT.divide_int(stop - start, step)
    except (decimal.DecimalException, OverflowError):
        raise InputError(f"{name}: range {spec!r} cannot be evaluated (step or span out of the "
                         f"representable range)") from None


def _unit_range_fast(name: str, spec: str) -> list[float] | None:
    """A [0, 1] range as exact integer multiples of 10**-KEY_DECIMALS (array arithmetic).

    Returns ``None`` when start or step has more than ``KEY_DECIMALS`` decimals (then the exact
    decimal route is used).  ``k / 10**12`` in float is the correctly rounded value of the decimal,
    i.e. the same float as the decimal route gives after :func:`canonical_float`.
    """
    import numpy as np

    parts = spec.split(":")
    if len(parts) != 3:
        return None
    _check_ends(name, spec, parts)
    start, stop, step = (_decimal(name, part) for part in parts)
    scale = Decimal(10) ** KEY_DECIMALS
    if step <= 0 or step > 1 or stop < start or any((x * scale) != (x * scale).to_integral_value()
                                                    for x in (start, step)):
        return None  # the exact decimal route (a step > 1 gives one point there)
    n_steps = _count_steps(name, spec, start, stop, step)
    if n_steps + 1 > MAX_AXIS_POINTS:
        raise InputError(f"{name}: range {spec!r} has more than {MAX_AXIS_POINTS} points")
    last = start + step * n_steps
    if start < 0 or last > 1:
        bad = start if start < 0 else last
        raise InputError(f"{name} must be in [0, 1], got {bad}")
    ints = int(start * scale) + int(step * scale) * np.arange(int(n_steps) + 1, dtype=np.int64)
    return (ints / float(scale) + 0.0).tolist()


def _check_value(name: str, value: Decimal | str, typed: bool = False) -> int | float | str:
    """A validated axis value: the choice, the integer, or the float in [0, 1] -- rounded to
    12 decimals (a range's value: a decimal multiple of its step) or, ``typed``, the float of
    the text as given (what the single-point command computes for the same text)."""
    if name in _CHOICE_AXES:
        choices = _CHOICE_AXES[name]
        if value not in choices:
            raise InputError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
        return value
    if name in _INT_AXES:
        low, high = _INT_AXES[name]
        if value != value.to_integral_value() or not low <= value <= high:
            raise InputError(f"{name} must be an integer in [{low}, {high}], got {value}")
        return int(value)
    if not Decimal(0) <= value <= Decimal(1):
        raise InputError(f"{name} must be in [0, 1], got {value}")
    return float(value) if typed else canonical_float(float(value))


def unique_by_key(values: list[Any]) -> list[Any]:
    """Values in order, one per key (floats equal to 12 decimals are one point: the first)."""
    first: dict[Any, Any] = {}
    for value in values:
        first.setdefault(canonical_float(value) if isinstance(value, float) else value, value)
    return list(first.values())


def _plain(item: Any) -> Any:
    """A NumPy number as the Python number of the same value (bools stay bools: refused)."""
    if isinstance(item, bool) or not isinstance(item, numbers.Real):
        return item
    return int(item) if isinstance(item, numbers.Integral) else float(item)


def split_spec(name: str, spec: str | int | float | Sequence[Any]) -> list[Any]:
    """The items of an axis spec: a comma list's stripped parts, a lone number, or a sequence's
    (or 1-D array's) elements, NumPy numbers as Python ones (one-line :class:`InputError`
    otherwise)."""
    if isinstance(spec, str):
        return [item.strip() for item in spec.split(",")]
    if hasattr(spec, "ndim") and hasattr(spec, "tolist"):     # a NumPy array or scalar
        if spec.ndim > 1:
            raise InputError(f"{name}: an axis is one-dimensional, got an array of shape "
                             f"{tuple(spec.shape)}")
        spec = spec.tolist()
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        return [_plain(spec)]
    if isinstance(spec, Sequence) and not isinstance(spec, (bytes, bytearray)):
        return [_plain(item) for item in spec]
    raise InputError(f"{name}: cannot parse {spec!r}")


def parse_axis(name: str, spec: str | int | float | Sequence[Any]) -> list[int | float | str]:
    """Parse the values of one grid axis.

    Parameters
    ----------
    name : {"dim", "parties", "visibility", "leakage", "model", "attack"}
        The axis.
    spec : str or number or sequence
        ``"START:STOP:STEP"`` (inclusive range, step > 0; ``START:STOP`` means step 1, integer ends only),
        a comma list ``"0.1,0.2"`` whose items may themselves be ranges, or a single value.
        A number or a sequence of values is accepted too.

    Returns
    -------
    list
        Validated values in the order given, duplicates removed: ints for ``dim``/``parties``,
        floats in [0, 1] for ``visibility``/``leakage`` (a range's values rounded to 12
        decimals, a value given on its own as typed: the single-point command's number;
        values equal to 12 decimals are one point, the first), strings for ``model`` (uniform,
        junk) and ``attack`` (best, paper, extended).

    Raises
    ------
    InputError
        Unknown axis, malformed spec, empty axis, or a value outside its range.

    Examples
    --------
    >>> parse_axis("visibility", "0.9:1:0.05")
    [0.9, 0.95, 1.0]
    >>> parse_axis("leakage", "0.1,0.2")
    [0.1, 0.2]
    >>> parse_axis("dim", "2:4")
    [2, 3, 4]
    """
    if name not in PARAMETER_NAMES:
        raise InputError(f"unknown sweep parameter {name!r}; "
                         f"allowed: {', '.join(PARAMETER_NAMES)}")
    items = split_spec(name, spec)
    chunks: list[list[int | float | str]] = []
    count = 0
    exact_ranges = 0  # chunks from the integer-multiple route: strictly increasing
    for item in items:
        if isinstance(item, str) and item == "":
            raise InputError(f"{name}: empty value in {spec!r}")
        if name in _CHOICE_AXES:
            chunk = [_check_value(name, str(item))]
        elif isinstance(item, str) and ":" in item:
            chunk = _unit_range_fast(name, item) if name in _UNIT_AXES else None
            exact_ranges += chunk is not None
            if chunk is None:
                chunk = [_check_value(name, value) for value in _range(name, item)]
        elif isinstance(item, bool):
            raise InputError(f"{name}: {item!r} is not a number")
        elif isinstance(item, (int, float)):
            chunk = [_check_value(name, _decimal(name, repr(item)), typed=True)]
        else:
            chunk = [_check_value(name, _decimal(name, str(item)), typed=True)]
        count += len(chunk)
        if count > MAX_AXIS_POINTS:
            raise InputError(f"{name}: more than {MAX_AXIS_POINTS} values")
        chunks.append(chunk)
    # first occurrence wins; dict keeps insertion order (O(n), also for 10^6-point axes). One
    # fast-route range has no duplicates (distinct multiples of 10**-12 are distinct floats).
    if len(chunks) == 1 and exact_ranges == 1:
        values = chunks[0]
    else:
        values = unique_by_key([v for chunk in chunks for v in chunk])
    if not values:
        raise InputError(f"{name}: no values in {spec!r}")
    return values


def build_grid(axes: Mapping[str, Any], question: str = "rate"
               ) -> dict[str, list[int | float | str | None]]:
    """Parse every axis of a grid; axes not given take :data:`AXIS_DEFAULTS`.

    Parameters
    ----------
    axes : Mapping
        Axis name to spec (see :func:`parse_axis`); ``None`` values are ignored.
        ``visibility`` and ``leakage`` are required for ``rate``.
    question : {"rate", "data", "state", "di"}
        The question asked at every point (:mod:`qkdbounds.sweep.questions`).  Other questions
        than ``rate`` are built by :func:`~qkdbounds.sweep.questions.build_question_grid` and
        carry ``"question": [q]`` as their first axis.

    Returns
    -------
    dict
        ``rate``: all six axes (in :data:`~qkdbounds.store.PARAMETER_NAMES` order) with their
        values (no ``question`` axis: grids, names and keys as before questions existed).

    Examples
    --------
    >>> build_grid({"visibility": "0.5,1", "leakage": "0.1"})["dim"]
    [2]
    """
    if not isinstance(axes, Mapping) or not all(isinstance(k, str) for k in axes):
        raise InputError(f"axes must be a mapping of axis names to specs, got {axes!r:.60}")
    if question != "rate":
        from .questions import build_question_grid

        return build_question_grid(question, axes)
    unknown = sorted(set(axes) - set(PARAMETER_NAMES))
    if unknown:
        raise InputError(f"unknown sweep parameter(s) {', '.join(unknown)}; "
                         f"allowed: {', '.join(PARAMETER_NAMES)}")
    grid: dict[str, list[int | float | str]] = {}
    for name in PARAMETER_NAMES:
        spec = axes.get(name)
        if spec is None:
            if name not in AXIS_DEFAULTS:
                raise InputError(f"{name} is required (e.g. 0.3:1:0.01 or 0.1,0.2)")
            spec = [AXIS_DEFAULTS[name]]
        grid[name] = parse_axis(name, spec)
    size = 1
    for values in grid.values():
        size *= len(values)
    if size > MAX_GRID_POINTS:
        raise InputError(f"grid has {size} points, more than {MAX_GRID_POINTS}")
    return grid


def grid_points(grid: Mapping[str, Sequence[Any]]) -> Iterable[dict[str, Any]]:
    """Cartesian product of a grid from :func:`build_grid`, one dict per point.

    The last axis (``attack`` for ``rate``) varies fastest; the order is deterministic.  Points
    of a question grid carry ``question`` and every axis of the question, in order.
    """
    names = list(grid) if "question" in grid else [name for name in PARAMETER_NAMES
                                                   if name in grid]
    for combo in itertools.product(*(grid[name] for name in names)):
        yield dict(zip(names, combo))


def grid_name(grid: Mapping[str, Sequence[Any]], function: str) -> str:
    """Deterministic default sweep name, so rerunning the same command resumes the same sweep."""
    text = json.dumps({"grid": {k: list(v) for k, v in grid.items()}, "function": function},
                      sort_keys=True)
    return "sweep-" + hashlib.sha256(text.encode()).hexdigest()[:12]
