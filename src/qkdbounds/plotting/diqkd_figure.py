"""Figure for paper 2: key lower bound on K(rho_d) vs upper bound on K(rho_d^Gamma) against d.

Plotting only: the numbers come from :func:`qkdbounds.di.partial_transpose.rho_d_report` /
:func:`qkdbounds.di.partial_transpose.crossover_search` (passed in as ``data``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.ticker

from . import _style
from ._style import OKABE_ITO

__all__ = ["draw_rho_d_gap", "write_rho_d_gap"]


@_style.styled
def draw_rho_d_gap(data: dict, ax=None):
    """Draw the rho_d gap (log d axis) with the crossover marked; returns the ``Axes``.

    Parameters
    ----------
    data : dict
        ``{"table": [{"shield_dim", "key_lower_bound", "pt_key_upper_bound",
        "key_lower_bound_formula", "pt_key_upper_bound_formula"}, ...],
        "smallest_shield_dim": int | None}`` -- e.g. ``rho_d_report()["crossover"]``; rows may
        also be taken from ``rho_d_report()["per_dimension"]``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Examples
    --------
    >>> rows = [{"shield_dim": d, "key_lower_bound": 0.5, "pt_key_upper_bound": 1 / d}
    ...         for d in (2, 4, 8)]
    >>> len(draw_rho_d_gap({"table": rows, "smallest_shield_dim": 4}).lines) >= 3
    True
    """
    rows = sorted(data["table"], key=lambda r: r["shield_dim"])
    d = [r["shield_dim"] for r in rows]
    raw = [r.get("devetak_winter_expression", r["key_lower_bound"]) for r in rows]
    lower = [max(x, 0.0) for x in raw]  # K >= 0: a negative DW expression is no bound
    ax = _style.new_axes(ax, "tall")
    ax.plot(d, lower, color=OKABE_ITO["blue"], **_style.OURS,
            label=r"$K(\rho_d)\geq$ privacy squeezing + DW, from the matrix (clipped at 0)")
    if min(raw) < 0:
        ax.plot(d, raw, color=OKABE_ITO["blue"], **_style.BASELINE, alpha=0.6,
                label="raw Devetak-Winter expression (negative: no bound)")
    ax.plot(d, [r["pt_key_upper_bound"] for r in rows], color=OKABE_ITO["vermillion"], **_style.OURS,
            label=r"$K(\rho_d^\Gamma)\leq D(\rho_d^\Gamma\|\sigma_{\rm sep})$, from the matrix")
    if "key_lower_bound_formula" in rows[0]:
        # printed formulas as sparse hollow markers, so the matrix curves stay visible beneath
        every = max(1, len(d) // 12)
        ax.plot(d, [r.get("formula_expression", r["key_lower_bound_formula"]) for r in rows],
                "o", mfc="none", color=OKABE_ITO["black"], markevery=every, ms=5,
                label=r"printed $1-H[(\sqrt{d},\frac{1}{2},\frac{1}{2})/(\sqrt{d}+1)]$")
        ax.plot(d, [r["pt_key_upper_bound_formula"] for r in rows], "s", mfc="none",
                color=OKABE_ITO["grey"], markevery=every, ms=5, label=r"printed $1/(\sqrt{d}+1)$")
    cross = data.get("smallest_shield_dim")
    if cross is not None:
        ax.axvline(cross, color=OKABE_ITO["green"], lw=1)
        ax.annotate(f"crossover d = {cross}", (cross, 0.9), xytext=(6, 0),
                    textcoords="offset points", color=OKABE_ITO["green"])
    ax.set_xscale("log")
    ticks = [t for t in (2, 4, 8, 16, 24, 32, 64, 128, 256, 1024) if d[0] <= t <= d[-1]]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("shield dimension d")
    ax.set_ylabel("bits")
    ax.set_ylim(min(min(raw), 0.0) - 0.05, 1.0)
    ax.axhline(0, color="0.7", lw=0.8)
    _style.legend_below(ax, offset=0.14)
    ax.set_title(r"$\rho_d$: QKD key vs device-independent upper bound")
    return ax


def write_rho_d_gap(data: dict, stem: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """:func:`draw_rho_d_gap` written to ``stem.<fmt>`` (at the shared DPI); returns the paths."""
    ax = draw_rho_d_gap(data, ax=_style.file_axes("tall"))
    return _style.save_figure(ax.figure, stem, formats)
