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
           "leakage": "leakage L", "model": "leakage model", "attack": "attack"}


def _rows(table: Any) -> list[Mapping[str, Any]]:
    if hasattr(table, "to_dict"):  # a pandas DataFrame
        return list(table.to_dict("records"))
    return list(table)


@_style.styled
def draw_sweep(table: Sequence[Mapping[str, Any]] | Any, ax=None, *, x: str = "visibility",
               group: str = "leakage", y: str = "rate_upper_bound"):
    """Plot ``y`` against parameter ``x``, one curve per value of ``group``.

    Parameters that vary in the table but are neither ``x`` nor ``group`` (e.g. two dimensions
    in one sweep) split the curves further and appear in the labels.  Failed points (no value)
    are left out.

    Parameters
    ----------
    table : sequence of Mapping or pandas.DataFrame
        Rows as exported from the store (:meth:`qkdbounds.store.ResultStore.records`).
    x, group : str
        Sweep parameters (``dim, parties, visibility, leakage, model, attack``).
    y : str
        Column to plot (default the rate upper bound, in bits).
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One line per curve (``ax.lines``).

    Examples
    --------
    >>> rows = [dict(dim=2, parties=2, visibility=v, leakage=0.1, model="uniform",
    ...              attack="paper", rate_upper_bound=v / 2) for v in (0.5, 1.0)]
    >>> len(draw_sweep(rows).lines)
    1
    """
    for name, value in (("x", x), ("group", group)):
        if value not in _PARAMETERS:
            raise InputError(f"{name} must be one of {', '.join(_PARAMETERS)}; got {value!r}")
    if x == group:
        raise InputError(f"x and group must differ, both are {x!r}")
    rows = [r for r in _rows(table) if r.get(y) is not None and r.get(y) == r.get(y)]
    if not rows:
        raise InputError(f"no rows with a value of {y!r} to plot")
    # points of different point functions or package versions are different sweeps: never merged
    split = (*_PARAMETERS, "function", "version")
    varying = [p for p in split
               if p not in (x, group) and len({r.get(p) for r in rows}) > 1]
    constant = [p for p in _PARAMETERS if p not in (x, group) and p not in varying]
    curves: dict[tuple, list[tuple[Any, float]]] = {}
    for r in rows:
        curves.setdefault((r.get(group), *(r.get(p) for p in varying)), []).append(
            (r[x], float(r[y])))
    ax = _style.new_axes(ax, "single")
    for label_values in sorted(curves, key=lambda k: tuple(map(str, k))):
        points = sorted(curves[label_values], key=lambda p: p[0])
        label = ", ".join(f"{name}={value}" for name, value
                          in zip((group, *varying), label_values))
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="." if len(points) < 40
                else None, label=label)
    ax.set_xlabel(_LABELS[x])
    ax.set_ylabel("rate upper bound (bits)" if y == "rate_upper_bound" else y)
    short = {"dim": "d", "parties": "N", "visibility": "v", "leakage": "L"}
    ax.set_title(", ".join(f"{short.get(p, p)} = {rows[0].get(p)}" for p in constant),
                 fontsize="medium")
    _style.legend_outside(ax, title=_LABELS[group])
    return ax


def write_sweep(table: Sequence[Mapping[str, Any]] | Any, path: str | Path, *,
                x: str = "visibility", group: str = "leakage", y: str = "rate_upper_bound"):
    """:func:`draw_sweep` written to ``path`` (format from its suffix, e.g. ``.png``, ``.svg``,
    ``.pdf``); returns ``(path, ax)``."""
    path = Path(path)
    ax = draw_sweep(table, ax=_style.file_axes("single"), x=x, group=group, y=y)
    _style.save_figure(ax.figure, path.parent / path.stem, formats=(path.suffix[1:],))
    return path, ax
