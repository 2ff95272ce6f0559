"""Planning figure: key-rate upper bound per second against distance, one curve per number of
segments, with the repeaterless PLOB bound.  Plotting only (rows from
:func:`qkdbounds.repeaters.planner.distance_curve`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from . import _style

__all__ = ["draw_distance_curve", "write_distance_curve"]

#: Decades shown below the largest rate, unless a curve's end point (bound = 0 beyond it) lies
#: lower; never more than :data:`MAX_DECADES` (rates of 1e-10 bits/s plan nothing).
DECADES = 12
MAX_DECADES = 18


@_style.styled
def draw_distance_curve(rows: list[dict], ax=None, title: str | None = None):
    """Draw the rows of :func:`~qkdbounds.repeaters.planner.distance_curve`; returns the ``Axes``.

    One solid curve per number of segments (the chain bound), dashed: PLOB without repeaters.
    A curve whose bound reaches 0 before the last distance ends in an open circle.  The log
    axis shows :data:`DECADES` decades below the largest rate, extended down to the lowest end
    point (at most :data:`MAX_DECADES`).

    Examples
    --------
    >>> rows = [dict(distance_km=d, segments=1, key_rate_upper_bound_bps=r, plob_key_rate_bps=p)
    ...         for d, r, p in ((10, 100.0, 1e4), (20, 1.0, 1e3), (30, 0.0, 1e2))]
    >>> ax = draw_distance_curve(rows)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['1 segment (chain bound)', 'PLOB, no repeaters', 'bound reaches 0 beyond this distance']
    """
    ax = _style.new_axes(ax, "single")
    positive, ends = [], []
    last_km = max(r["distance_km"] for r in rows)
    for i, k in enumerate(sorted({r["segments"] for r in rows})):
        col = _style.CYCLE[i % len(_style.CYCLE)]
        pts = sorted((r for r in rows if r["segments"] == k and r["key_rate_upper_bound_bps"]),
                     key=lambda r: r["distance_km"])
        xs, ys = [r["distance_km"] for r in pts], [r["key_rate_upper_bound_bps"] for r in pts]
        ax.plot(xs, ys, color=col, **_style.OURS, label=f"{k} segment{'s' if k > 1 else ''} (chain bound)")
        positive += ys
        if xs and xs[-1] < last_km:   # the bound is 0 at the next distance: the curve ends here
            ax.plot(xs[-1:], ys[-1:], color=col, mec=col, **_style.END_MARKER)
            ends.append(ys[-1])
    plob = sorted({(r["distance_km"], r["plob_key_rate_bps"]) for r in rows})
    ax.plot([d for d, _ in plob], [v for _, v in plob], color=_style.OKABE_ITO["black"],
            **_style.BASELINE, label="PLOB, no repeaters")
    if ends:
        ax.plot([], [], color=_style.OKABE_ITO["grey"], mec=_style.OKABE_ITO["grey"],
                **_style.END_MARKER, label="bound reaches 0 beyond this distance")
    positive += [v for _, v in plob if v > 0]
    ax.set_yscale("log")
    if positive:
        top = math.log10(max(positive))
        bottom = top - DECADES
        if ends:
            bottom = max(min(bottom, math.log10(min(ends)) - 0.5), top - MAX_DECADES)
        ax.set_ylim(10 ** math.floor(bottom), 10 ** (math.ceil(top) + 0.3))
    ax.set_xlabel("distance (km)")
    ax.set_ylabel("key-rate upper bound (bits/s)")
    if title:
        ax.set_title(title)
    _style.legend_outside(ax)
    return ax


def write_distance_curve(rows: list[dict], title: str, stem: str | Path,
                         formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """:func:`draw_distance_curve` written to ``stem.<fmt>``; returns the paths."""
    ax = draw_distance_curve(rows, ax=_style.file_axes("single"), title=title)
    return _style.save_figure(ax.figure, stem, formats)
