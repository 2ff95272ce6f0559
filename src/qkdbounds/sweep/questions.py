"""Question kinds a sweep can ask at every grid point (SPEC F8): their axes, defaults, keys and
point functions.

A *question* is one of the package's point questions -- the isotropic ``rate`` (paper 1), the
key bounds from recorded QBERs (``data``), the any-source bound of a state file (``state``) and
the device-independent CC attack (``di``) and the repeater-chain plan of a fibre link (``plan``).  Each has a fixed list of axes; a sweep takes, per
axis, one value or several (see :func:`qkdbounds.sweep.parse_axis` for the spec syntax) and
calls the question's point function, which calls the one API route of that question.

Keys.  ``rate`` points keep the key format of the first store version
(``dim=2;parties=2;visibility=0.3;leakage=0.1;model=uniform;attack=paper``) so that old stores
resume.  Every other question is keyed ``question=<q>;`` followed by ``name=value`` in the
question's axis order (floats rounded to 12 decimals; an optional axis left out is left out of
the key).  A ``state`` point is keyed by the SHA-256 of the file's bytes, not by its path: an
edited file is a new point, the same file at another path is the same point.

Examples
--------
>>> grid = build_question_grid("data", {"protocol": "bb84", "qber_z": "0.01,0.02",
...                                     "qber_x": "0.01", "leakage": "0.1"})
>>> [grid[name] for name in ("question", "protocol", "qber_z", "qber_y")]
[['data'], ['bb84'], [0.01, 0.02], [None]]
>>> question_key(dict(question="data", protocol="bb84", qber_z=0.01, qber_x=0.01,
...                   qber_y=None, leakage=0.1, model="uniform", attack="best"))
'question=data;protocol=bb84;qber_z=0.01;qber_x=0.01;leakage=0.1;model=uniform;attack=best'
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = [
    "Axis",
    "Question",
    "QUESTIONS",
    "QUESTION_NAMES",
    "DEFAULT_QUESTION",
    "REQUIRED",
    "build_question_grid",
    "canonical_question_params",
    "question_key",
    "file_sha256",
]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of an axis the user must give.
REQUIRED: Any = _Required()

#: Question of a sweep when none is named (and of every row of a store older than questions).
DEFAULT_QUESTION = "rate"

_MODELS = ("uniform", "junk")
_ATTACKS = ("best", "paper", "extended")


@dataclasses.dataclass(frozen=True)
class Axis:
    """One parameter of a question.

    Attributes
    ----------
    name : str
        Parameter name (``--name-with-dashes`` on the command line).
    kind : {"int", "unit", "real", "choice", "text", "file", "derived"}
        ``int``: integers in ``[low, high]``; ``unit``: reals in [0, 1]; ``real``: reals in
        ``[low, high]``; ``choice``: one of ``choices``; ``text``: one fixed text value
        (canonicalised by the question); ``file``: one input file; ``derived``: computed by the
        grid builder (not given by the user).
    default : object
        :data:`REQUIRED`, ``None`` (optional: absent means "not given") or the default value.
    choices : tuple of str
        Allowed values of a ``choice`` axis.
    low, high : float, optional
        Range of an ``int`` or ``real`` axis.
    in_key : bool
        Whether the axis is part of the point's key.
    """

    name: str
    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    in_key: bool = True

    @property
    def option(self) -> str:
        """The command-line option of the axis."""
        return "--" + self.name.replace("_", "-")

    @property
    def sweepable(self) -> bool:
        """Whether the axis takes several values (ranges, comma lists)."""
        return self.kind in ("int", "unit", "real", "choice")


@dataclasses.dataclass(frozen=True)
class Question:
    """A question kind: its axes (in key order) and the reference of its point function.

    ``one_per_task``: expensive points (seconds each) go one per Dask task so that the scheduler
    load-balances them; ``rate`` keeps its chunked, vectorised fast path.
    """

    name: str
    axes: tuple[Axis, ...]
    point_fn: str
    one_per_task: bool
    description: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)

    @property
    def user_axes(self) -> tuple[Axis, ...]:
        """Axes the user may give (derived ones are computed)."""
        return tuple(axis for axis in self.axes if axis.kind != "derived")

    def axis(self, name: str) -> Axis:
        for axis in self.axes:
            if axis.name == name:
                return axis
        raise KeyError(name)


QUESTIONS: dict[str, Question] = {
    "rate": Question(
        "rate",
        (Axis("dim", "int", 2, low=2, high=65536), Axis("parties", "int", 2, low=2, high=10000),
         Axis("visibility", "unit"), Axis("leakage", "unit"),
         Axis("model", "choice", "uniform", _MODELS),
         Axis("attack", "choice", "best", _ATTACKS)),
        "qkdbounds.sweep.points:rate_point", one_per_task=False,
        description="isotropic GHZ rate upper bound (qkdbounds rate)"),
    "data": Question(
        "data",
        (Axis("protocol", "choice", REQUIRED, ("bb84", "bbm92", "six-state")),
         Axis("qber_z", "unit"), Axis("qber_x", "unit"), Axis("qber_y", "unit", None),
         Axis("leakage", "unit"), Axis("model", "choice", "uniform", _MODELS),
         Axis("attack", "choice", "best", _ATTACKS)),
        "qkdbounds.sweep.points:data_point", one_per_task=True,
        description="key bounds from recorded QBERs (qkdbounds data-bound)"),
    "state": Question(
        "state",
        (Axis("state", "file", in_key=False), Axis("state_sha256", "derived"),
         Axis("dims", "text", None), Axis("leakage", "unit"),
         Axis("model", "choice", "uniform", _MODELS),
         Axis("attack", "choice", "best", _ATTACKS),
         Axis("measurements", "choice", "search", ("Z", "search", "file")),
         # given measurements (state-bound --measurements F.npz): measurements "file", the
         # file's path (read by the workers) and, in the key, the SHA-256 of its bytes
         Axis("measurements_file", "file", None, in_key=False),
         Axis("measurements_sha256", "derived", None),
         # "yes": project a slightly unphysical matrix to the nearest state (state-bound
         # --project); absent (not in the key): the matrix must be a state
         Axis("project", "choice", None, ("yes",))),
        "qkdbounds.sweep.points:state_point", one_per_task=True,
        description="any-source bound of a state file (qkdbounds state-bound)"),
    "di": Question(
        "di",
        (Axis("eta", "unit"), Axis("eta_b", "unit", None), Axis("visibility", "unit"),
         Axis("theta", "real", math.pi / 4, low=0.0, high=math.pi / 2),
         Axis("binning", "choice", "both", ("none", "A", "B", "both")),
         Axis("leakage", "unit"), Axis("model", "choice", "uniform", _MODELS),
         Axis("attack_side", "choice", "best", ("best", "two-sided", "one-sided"))),
        "qkdbounds.sweep.points:di_point", one_per_task=True,
        description="device-independent CC attack on Bell data (qkdbounds di-attack)"),
    "plan": Question(
        "plan",
        (Axis("distance_km", "real", low=1e-9, high=1e5),
         Axis("segments", "int", low=1, high=1024), Axis("leakage", "unit"),
         Axis("model", "choice", "uniform", _MODELS),
         Axis("attack", "choice", "best", _ATTACKS),
         # the ranges of qkdbounds.repeaters.planner.plan_link (a point outside them would fail
         # at run time, after the sweep started): lossless fibre has no PLOB bound, a detector of
         # efficiency 0 never clicks
         Axis("loss_db_per_km", "real", 0.2, low=1e-9, high=10.0),
         Axis("detector_efficiency", "real", 0.9, low=1e-12, high=1.0),
         Axis("link_visibility", "unit", 1.0),
         Axis("memory_t2_s", "real", None, low=1e-12, high=1e9),
         Axis("memory_noise", "choice", "depolarizing", ("depolarizing", "dephasing")),
         Axis("source_rate_hz", "real", 1e8, low=1.0, high=1e13),
         Axis("dim", "int", 2, low=2, high=64)),
        "qkdbounds.sweep.points:plan_point", one_per_task=True,
        description="repeater-chain plan over a fibre distance (qkdbounds plan)"),
}

#: Question names, the default first.
QUESTION_NAMES: tuple[str, ...] = tuple(QUESTIONS)


def get_question(name: str) -> Question:
    """The registered question ``name`` or a one-line :class:`InputError`."""
    try:
        return QUESTIONS[str(name)]
    except KeyError:
        raise InputError(f"question must be one of {', '.join(QUESTION_NAMES)}; "
                         f"got {name!r}") from None


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (keys ``state`` points by content)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical_dims(value: Any) -> str:
    """``"2,2"`` from ``"2,2"``, ``"2 2"``, ``[2, 2]``: local dimensions in the table of
    ranges' ``source_dim`` ([2, 4096], as state-bound and the API)."""
    from ..errors import PARAMETER_RANGES

    low, high = PARAMETER_RANGES["source_dim"]
    allowed = f"integers in [{low}, {high}] like 2,2"
    if isinstance(value, str):
        # (as state-bound's --dims: "3 3" or "3,3"; an empty item, "3,,3" or ",3", is refused)
        import re

        items = re.split(r"\s*,\s*|\s+", value.strip())
        if not items or any(not item for item in items):
            raise InputError(f"dims must be {allowed}; got {value!r}")
    else:
        try:
            items = list(value)
        except TypeError:
            raise InputError(f"dims must list the local dimensions (at least two, {allowed}); "
                             f"got {value!r}") from None
    dims = []
    for item in items:
        try:
            dim = int(str(item).strip())
        except ValueError:
            raise InputError(f"dims must be {allowed}; got {value!r}") from None
        if not low <= dim <= high:
            raise InputError(f"dims must be {allowed}; got {value!r}")
        dims.append(dim)
    if len(dims) < 2:
        raise InputError(f"dims needs at least two parties (like 2,2); got {value!r}")
    return ",".join(str(d) for d in dims)


def _canonical_value(question: Question, axis: Axis, value: Any) -> Any:
    from ..store import canonical_float

    if value is None:
        return None
    if axis.kind == "int":
        if isinstance(value, bool) or float(value) != int(float(value)):
            raise InputError(f"{axis.name} must be an integer, got {value!r}")
        return int(float(value))
    if axis.kind in ("unit", "real"):
        return canonical_float(value)
    if axis.kind == "text" and axis.name == "dims":
        return _canonical_dims(value)
    return str(value)


def canonical_question_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical parameters of a point of a non-``rate`` question: ``question`` first, then
    every axis in order (ints, rounded floats, text; ``None`` for an optional axis left out).

    Raises
    ------
    InputError
        Unknown question, or a required parameter missing.
    """
    question = get_question(params.get("question", DEFAULT_QUESTION))
    out: dict[str, Any] = {"question": question.name}
    missing = []
    for axis in question.axes:
        value = params.get(axis.name, None)
        if value is None and axis.default is not None:
            if axis.default is REQUIRED:
                missing.append(axis.name)
                continue
            value = axis.default
        out[axis.name] = _canonical_value(question, axis, value)
    if missing:
        raise InputError(f"{question.name} point parameters missing: {', '.join(missing)}")
    return out


def key_of_canonical_question(canon: Mapping[str, Any]) -> str:
    """``question=<q>;name=value;...`` of canonical parameters (axis order, floats by ``repr``)."""
    question = QUESTIONS[canon["question"]]
    parts = [f"question={question.name}"]
    for axis in question.axes:
        value = canon.get(axis.name)
        if not axis.in_key or value is None:
            continue
        parts.append(f"{axis.name}={value!r}" if isinstance(value, float)
                     else f"{axis.name}={value}")
    return ";".join(parts)


def question_key(params: Mapping[str, Any]) -> str:
    """Key of a point of any question (``rate``: the original format, unchanged)."""
    from ..store import parameter_key

    return parameter_key(params)


#: (axis, value) -> the value it stands for (the single-point commands accept both).
CHOICE_ALIASES = {("measurements", "auto"): "Z"}


def _values(question: Question, axis: Axis, spec: Any) -> list[Any]:
    """Parse one axis spec of a non-rate question into its list of values."""
    from ._grid import (MAX_AXIS_POINTS, _decimal, _range, _unit_range_fast, split_spec,
                        unique_by_key)

    if axis.kind == "text":
        return [_canonical_value(question, axis, spec)]
    if axis.kind == "file":
        if not isinstance(spec, (str, Path)):
            raise InputError(f"{axis.name} must be one file path, got {spec!r}")
        return [str(spec)]
    items = split_spec(axis.name, spec)
    values: list[Any] = []
    for item in items:
        if isinstance(item, str) and item == "":
            raise InputError(f"{axis.name}: empty value in {spec!r}")
        if axis.kind == "choice":
            # another spelling of the same question (state-bound's --measurements auto is Z):
            # stored under the canonical value, so both spellings are one point
            item = CHOICE_ALIASES.get((axis.name, str(item)), item)
            if str(item) not in axis.choices:
                aliases = [f"{a} = {v}" for (n, a), v in CHOICE_ALIASES.items() if n == axis.name]
                also = f" ({', '.join(aliases)})" if aliases else ""
                raise InputError(f"{axis.name} must be one of {', '.join(axis.choices)}{also}; "
                                 f"got {item!r}")
            values.append(str(item))
            continue
        if isinstance(item, bool):
            raise InputError(f"{axis.name}: {item!r} is not a number")
        if isinstance(item, str) and ":" in item:
            chunk = _unit_range_fast(axis.name, item) if axis.kind == "unit" else None
            decimals = None if chunk is not None else _range(axis.name, item)
        else:
            chunk, decimals = None, [_decimal(axis.name, repr(item) if isinstance(item, float)
                                              else str(item))]
        if chunk is None:
            chunk = []
            for value in decimals:
                low, high = (0.0, 1.0) if axis.kind == "unit" else (axis.low, axis.high)
                if axis.kind == "int":
                    if value != value.to_integral_value() or not low <= value <= high:
                        raise InputError(f"{axis.name} must be an integer in [{low}, {high}], "
                                         f"got {value}")
                    chunk.append(int(value))
                    continue
                if not low <= float(value) <= high:
                    shown = "[0, 1]" if axis.kind == "unit" else f"[{low:g}, {high:.6g}]"
                    raise InputError(f"{axis.name} must be in {shown}, got {value}")
                # the float of the typed text, not its 12-decimal key: the point computes what
                # the single-point command computes for the same text
                chunk.append(float(value))
        values.extend(chunk)
        if len(values) > MAX_AXIS_POINTS:
            raise InputError(f"{axis.name}: more than {MAX_AXIS_POINTS} values")
    values = unique_by_key(values)
    if not values:
        raise InputError(f"{axis.name}: no values in {spec!r}")
    return values


def build_question_grid(question: str, axes: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Parse the axes of a non-``rate`` question into a grid (``question`` first, then every
    axis in order); axes not given take their defaults, required ones must be given.

    Front-door checks, one line each: an axis that does not belong to the question; a missing
    required axis; six-state without ``qber_y``; a state file that cannot be read as a state
    with the given ``dims``.

    Parameters
    ----------
    question : {"data", "state", "di"}
    axes : Mapping
        Axis name to spec (``None`` values are ignored).

    Returns
    -------
    dict
        ``{"question": [q], axis: [values], ...}``.
    """
    q = get_question(question)
    given = {name: spec for name, spec in axes.items() if spec is not None}
    allowed = {axis.name for axis in q.user_axes}
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise InputError(f"{', '.join(unknown)} not a parameter of question {q.name} "
                         f"(its parameters: {', '.join(a.name for a in q.user_axes)})")
    grid: dict[str, list[Any]] = {"question": [q.name]}
    for axis in q.axes:
        if axis.kind == "derived":
            continue
        spec = given.get(axis.name)
        if spec is None:
            if axis.default is REQUIRED:
                raise InputError(f"{axis.name} is required for question {q.name}")
            # a real default is used as is (theta = pi/4 exactly, as in qkdbounds di-attack);
            # only its key is rounded
            grid[axis.name] = [axis.default if axis.kind in ("unit", "real")
                               else _canonical_value(q, axis, axis.default)]
            continue
        grid[axis.name] = _values(q, axis, spec)
    if q.name == "data" and "six-state" in grid["protocol"] and None in grid["qber_y"]:
        raise InputError("qber_y is required for protocol six-state")
    if q.name == "data" and "six-state" in grid["protocol"]:
        _check_six_state_rates(grid["qber_z"], grid["qber_x"], grid["qber_y"])
    if q.name == "state":
        grid = _state_grid(grid)
    size = 1
    for values in grid.values():
        size *= len(values)
    from ._grid import MAX_GRID_POINTS

    if size > MAX_GRID_POINTS:
        raise InputError(f"grid has {size} points, more than {MAX_GRID_POINTS}")
    return grid


def _check_six_state_rates(qz, qx, qy) -> None:
    """Every (qber_z, qber_x, qber_y) of the grid is the error-rate triple of some two-qubit state
    (each at most the sum of the other two, the sum at most 2): checked for the whole grid at
    once before any work, with the point's own message for the first that is not."""
    from ..bounds.data_bound import ATOL_WEIGHTS, qber_bell_weights

    z, x, y = np.meshgrid(np.asarray(qz, float), np.asarray(qx, float), np.asarray(qy, float),
                          indexing="ij", sparse=True)
    lam = (1 - (x + y + z) / 2, (x + y - z) / 2, (y + z - x) / 2, (x + z - y) / 2)
    bad = np.zeros(np.broadcast_shapes(*(np.shape(a) for a in lam)), dtype=bool)
    for a in lam:
        bad |= a < -ATOL_WEIGHTS
    if bad.any():
        i, j, k = np.argwhere(bad)[0]
        qber_bell_weights(qz[i], qx[j], qy[k])      # raises its one-line InputError


def _state_grid(grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Check the state file before any work (readable, a state with these dims) and key it by
    the SHA-256 of its bytes; the absolute path is what the workers read."""
    from .._io import check_input_file
    from ..bounds.source_bound import SOURCE_MAX_DIM
    from ..states.sources import load_source

    path = check_input_file("state", grid["state"][0]).resolve()
    dims = grid["dims"][0]
    source = load_source(path, None if dims is None else [int(d) for d in dims.split(",")],
                         project=(grid.get("project") or [None])[0] == "yes", max_dim=SOURCE_MAX_DIM)
    given = (grid.get("measurements_file") or [None])[0]
    chosen = grid.get("measurements") or []
    if (given is None) != ("file" not in chosen) or (given is not None and chosen != ["file"]):
        raise InputError("measurements: a measurements file (measurements_file, the CLI's "
                         "--measurements F.npz) goes with measurements 'file' alone; Z and "
                         "search need no file")
    if given is not None:
        from ..measurements.povm import load_povms

        given = check_input_file("measurements", given).resolve()
        load_povms(given, source.dims, name="measurements")
    out: dict[str, list[Any]] = {}
    for name, values in grid.items():
        out[name] = values if name not in ("state", "measurements_file") else \
            [str(path) if name == "state" else None if given is None else str(given)]
        if name == "state":
            out["state_sha256"] = [file_sha256(path)]
        if name == "measurements_file":
            out["measurements_sha256"] = [None if given is None else file_sha256(given)]
    return out
