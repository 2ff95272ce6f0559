"""Figure of ``qkdbounds data-bound``: upper and lower key bounds against QBER or leakage.

Plotting only: every number comes from :func:`qkdbounds.bounds.data_bound.data_rate_upper_bound`
(the rows of the command's JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import _style

__all__ = ["draw_data_bounds", "write_data_bounds"]


def _first_zero(x, y, atol=1e-9):
    """The first x where y is zero (and stays zero to the end of the curve), or None."""
    y = np.asarray(y, dtype=float)
    zero = y <= atol
    if not zero[-1]:
        return None
    i = len(y) - 1
    while i > 0 and zero[i - 1]:
        i -= 1
    return float(x[i])


@_style.styled
def draw_data_bounds(rows: dict, ax=None, title: str | None = None):
    """Draw the rows of ``data-bound`` (dict of equal-length lists: ``qber_z``, ``qber_x``,
    ``leakage``, ``rate_upper_bound``, ``lower_bound``); returns the ``Axes``.

    Against ``qber_z`` (one curve pair per leakage) when the QBER varies, else against leakage.
    Solid: the upper bound; dashed: the lower bound; the band between them is open; vertical
    lines mark the first grid point where each bound is zero.  The legend sits right of the
    axes.

    Examples
    --------
    >>> rows = {"qber_z": [0.0, 0.05, 0.1], "qber_x": [0.0, 0.05, 0.1], "leakage": [0.0] * 3,
    ...         "rate_upper_bound": [1.0, 0.5, 0.0], "lower_bound": [1.0, 0.2, 0.0]}
    >>> len(draw_data_bounds(rows).lines)
    4
    """
    qz = np.asarray(rows["qber_z"], dtype=float)
    leak = np.asarray(rows["leakage"], dtype=float)
    up = np.asarray(rows["rate_upper_bound"], dtype=float)
    low = np.asarray([np.nan if v is None else v for v in rows["lower_bound"]], dtype=float)
    against_qber = len(np.unique(qz)) > 1
    groups = np.unique(leak) if against_qber else [None]
    ax = _style.new_axes(ax, "single")
    colors = _style.CYCLE
    for k, g in enumerate(groups):
        sel = (leak == g) if g is not None else np.ones(len(up), bool)
        x = qz[sel] if against_qber else leak[sel]
        order = np.argsort(x)
        x, u, lo = x[order], up[sel][order], low[sel][order]
        c = colors[k % len(colors)]
        tag = f"L = {g:g}" if g is not None else f"e_Z = {qz[0]:g}"
        ax.plot(x, u, color=c, **_style.OURS, marker="o", ms=2.5, label=f"upper bound, {tag}")
        if np.isfinite(lo).any():
            ax.plot(x, lo, color=c, **_style.BASELINE, marker="s", ms=2.0,
                    label=f"lower bound, {tag}")
            ax.fill_between(x, np.nan_to_num(lo), u, color=c, alpha=0.10, lw=0)
        z = _first_zero(x, u)
        if z is not None and len(x) > 1:
            ax.axvline(z, color=c, ls=":", lw=0.9, label=f"upper = 0 from {z:.4g}")
        zl = _first_zero(x, lo) if np.isfinite(lo).all() else None
        if zl is not None and len(x) > 1:
            ax.axvline(zl, color=c, ls="-.", lw=0.8, label=f"lower = 0 from {zl:.4g}")
    ax.set_xlabel("QBER e_Z" + (" (= e_X" + (" = e_Y)" if "qber_y" in rows else ")")
                                if np.allclose(rows["qber_x"], qz) else "")
                  if against_qber else "leakage L")
    ax.set_ylabel("key rate (bits/round)")
    ax.set_title(title or f"{rows.get('protocol', '')}: key bounds from recorded data")
    ax.set_ylim(0, max(1.02 * float(np.nanmax(up)) if up.size else 1.0, 0.05))
    _style.legend_outside(ax)
    return ax


def write_data_bounds(rows: dict, stem: str | Path, title: str | None = None,
                      formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """:func:`draw_data_bounds` written to ``stem.<fmt>``; returns the paths."""
    ax = draw_data_bounds(rows, ax=_style.file_axes("single"), title=title)
    return _style.save_figure(ax.figure, stem, formats)
