"""Figure of a stored sweep: rate upper bound against one parameter, one curve per group.

Plotting only: takes the table the store exports, computes nothing physical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import _style

__all__ = ["draw_sweep", "write_sweep"]

_PARAMETERS = ("dim", "parties", "visibility", "leakage", "model", "attack")
_LABELS = {"dim": "local dimension d", "parties": "parties N", "visibility": "visibility v",
           "leakage": "leakage L", "model": "leakage model", "attack": "attack",
           "distance_km": "distance (km)", "segments": "segments", "eta": "detection efficiency",
           "qber_z": "QBER (Z)", "qber_x": "QBER (X)"}
#: Columns of a store record that are not sweep parameters.
_NOT_PARAMETERS = {"function", "version", "question", "params", "param_key", "result",
                   "rate_upper_bound", "status", "method", "error", "computed_at", "elapsed_s",
                   "sweep", "name", "finished_at", "claimed_at", "worker"}


def _rows(table: Any) -> list[dict[str, Any]]:
    """Rows as dicts, with a stored question's parameters (the ``params`` JSON of a record)
    merged in as columns."""
    rows = list(table.to_dict("records")) if hasattr(table, "to_dict") else list(table)
    out = []
    for r in rows:
        row = dict(r)
        params = _stored_mapping(row.get("params"))
        for k, v in params.items():
            if row.get(k) is None:
                row[k] = v
        result = _stored_mapping(row.get("result"))
        if result:  # the stored answer's scalar numbers, as y columns
            row["_result_numbers"] = {k: v for k, v in result.items()
                                      if isinstance(v, (int, float)) and not isinstance(v, bool)}
        out.append(row)
    return out


def _stored_mapping(value) -> Mapping[str, Any]:
    """A store record's JSON column (``params``, ``result``) as a mapping; {} when absent or not
    a JSON object."""
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, Mapping) else {}


def _parameters(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Parameter names in first-seen order (a question's axis order), the rate axes first."""
    names = [p for p in _PARAMETERS if any(r.get(p) is not None for r in rows)]
    for r in rows:
        for k in r:
            if k not in names and k not in _NOT_PARAMETERS and not k.startswith("_"):
                if all(not isinstance(x.get(k), (dict, list)) for x in rows):
                    names.append(k)
    return names


def _sort_key(value):
    return (value is None, value if isinstance(value, (int, float)) else str(value))


@_style.styled
def draw_sweep(table: Sequence[Mapping[str, Any]] | Any, ax=None, *, x: str | None = None,
               group: str | None = None, y: str = "rate_upper_bound"):
    """Plot ``y`` against parameter ``x``, one curve per value of ``group``.

    Any question's sweep: the parameters are the columns of the table, and for store records
    the parameters of the stored question (``params``). Parameters that vary in the table but are
    neither ``x`` nor ``group`` split the curves further and appear in the labels. Failed points
    (no value) are left out.

    Parameters
    ----------
    table : sequence of Mapping or pandas.DataFrame
        Rows as exported from the store (:meth:`qkdbounds.store.ResultStore.records`).
    x, group : str, optional
        Sweep parameters (e.g. ``visibility``, ``leakage``, ``distance_km``, ``eta``). Default
        ``x``: ``visibility`` if it varies, else the first numeric parameter that varies;
        default ``group``: ``leakage`` if it varies, else the next parameter that varies (or
        none).
    y : str
        Column to plot (default the rate upper bound, in bits); for store records also any
        number of the stored answer (e.g. ``key_rate_upper_bound_bps`` of a ``plan`` sweep).
        A positive ``y`` spanning more than three decades is drawn on a log axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One line per curve (``ax.lines``).

    Raises
    ------
    InputError
        ``x`` or ``group`` not a parameter of the table, or nothing to plot.

    Examples
    --------
    >>> rows = [dict(dim=2, parties=2, visibility=v, leakage=0.1, model="uniform",
    ...              attack="paper", rate_upper_bound=v / 2) for v in (0.5, 1.0)]
    >>> len(draw_sweep(rows).lines)
    1
    """
    rows = _rows(table)
    for r in rows:
        if r.get(y) is None and y in r.get("_result_numbers", {}):
            r[y] = r["_result_numbers"][y]
    rows = [r for r in rows if r.get(y) is not None and r.get(y) == r.get(y)]
    if not rows:
        raise InputError(f"no rows with a value of {y!r} to plot")
    text = next((r[y] for r in rows if not isinstance(r[y], (int, float))), None)
    if text is not None:
        raise InputError(f"y must be a numeric column; {y!r} holds {text!r}")
    params = [p for p in _parameters(rows) if p != y]
    varying_all = [p for p in params if len({str(r.get(p)) for r in rows}) > 1]
    numeric = [p for p in varying_all
               if all(isinstance(r.get(p), (int, float)) for r in rows)]
    if x is None:
        x = "visibility" if "visibility" in numeric else (numeric[0] if numeric else None)
        if x is None:
            raise InputError("no numeric parameter varies in these points: nothing to plot "
                             "against (give --x)")
    if group is None:
        rest = [p for p in varying_all if p != x]
        group = "leakage" if "leakage" in rest else (rest[0] if rest else None)
    for name, value in (("x", x), ("group", group)):
        if value is not None and value not in params:
            raise InputError(f"{name} must be one of {', '.join(params)}; got {value!r}")
    if x == group:
        raise InputError(f"x and group must differ, both are {x!r}")
    # points of different point functions or package versions are different sweeps: never merged
    split = (*params, "function", "version")
    varying = [p for p in split
               if p not in (x, group) and len({str(r.get(p)) for r in rows}) > 1]
    constant = [p for p in params if p not in (x, group) and p not in varying
                and rows[0].get(p) is not None]
    keys = (group, *varying) if group is not None else tuple(varying)
    curves: dict[tuple, list[tuple[Any, float]]] = {}
    for r in rows:
        curves.setdefault(tuple(r.get(p) for p in keys), []).append((r.get(x), float(r[y])))
    ax = _style.new_axes(ax, "single")
    for i, label_values in enumerate(sorted(curves, key=lambda k: tuple(map(str, k)))):
        points = sorted(curves[label_values], key=lambda p: _sort_key(p[0]))
        label = ", ".join(f"{name}={_short(value)}" for name, value in zip(keys, label_values))
        # the palette's colours, then again with another line style: no two curves look alike
        color, ls = _style.curve_style(i)
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="." if len(points) < 40
                else None, label=label or None, color=color, ls=ls)
    ax.set_xlabel(_LABELS.get(x, x.replace("_", " ")))
    ax.set_ylabel("rate upper bound (bits)" if y == "rate_upper_bound" else y.replace("_", " "))
    values = [float(r[y]) for r in rows]
    if min(values) > 0 and max(values) / min(values) > 1e3:
        ax.set_yscale("log")  # e.g. key rates per second over distance
    short = {"dim": "d", "parties": "N", "visibility": "v", "leakage": "L"}
    ax.set_title(", ".join(f"{short.get(p, p)} = {_short(rows[0].get(p))}" for p in constant[:6]),
                 fontsize="medium")
    if keys:
        _style.legend_outside(ax, title=_LABELS.get(group, group) if group else None)
    return ax


def _short(value) -> str:
    """A parameter as a title or legend shows it: floats to 6 significant digits (theta =
    0.785398, not 0.7853981633974483), anything else as it is."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def write_sweep(table: Sequence[Mapping[str, Any]] | Any, path: str | Path, *,
                x: str | None = None, group: str | None = None, y: str = "rate_upper_bound"):
    """:func:`draw_sweep` written to ``path`` (format from its suffix, e.g. ``.png``, ``.svg``,
    ``.pdf``); returns ``(path, ax)``."""
    path = Path(path)
    ax = draw_sweep(table, ax=_style.file_axes("single"), x=x, group=group, y=y)
    _style.save_figure(ax.figure, path.parent / path.stem, formats=(path.suffix[1:],))
    return path, ax
