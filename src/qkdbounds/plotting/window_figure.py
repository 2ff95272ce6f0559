"""Figure of the Werner-state window: the best DI lower bound against the CC upper bound.

Plotting only: every number comes from :func:`qkdbounds.di.window.werner_window`.
:func:`draw_werner_window` draws into a matplotlib ``Axes`` (``ax=None``: a new figure) and
returns it; :func:`write_werner_window` also writes PNG + SVG.  Shared style
(:mod:`qkdbounds.plotting._style`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import _style
from ._style import OKABE_ITO
from .di_figure import DI_ASSUMPTIONS, method_name

__all__ = ["draw_werner_window", "write_werner_window"]

# (label, colour, line style); the zeros of the drawn curves are also marked on the axis
_THRESHOLD_STYLE = {
    "separable": ("separable (v = 1/3)", OKABE_ITO["grey"], ":"),
    "cc_zero": ("upper bound = 0", OKABE_ITO["blue"], "--"),
    "chsh_violation": ("CHSH violation (1/\u221a2)", OKABE_ITO["purple"], ":"),
    "dw_zero_leakage": ("plain CHSH DW = 0 with leakage", OKABE_ITO["orange"], "--"),
    "best_lower_zero": ("best DI lower bound = 0", OKABE_ITO["vermillion"], "-"),
    "dw_zero": ("plain CHSH DW = 0 at L = 0", OKABE_ITO["grey"], "-."),
}
_ZERO_MARKED = ("cc_zero", "dw_zero_leakage", "best_lower_zero")


@_style.styled
def draw_werner_window(data, ax=None, title: str | None = None):
    """Draw a :class:`~qkdbounds.di.window.WernerWindow`; returns the ``Axes``.

    Solid blue: the upper bound with leakage; solid vermillion: the best DI lower bound with the
    same leakage; dashed orange: the plain CHSH Devetak-Winter bound with that leakage; dotted
    grey: the plain bound without leakage (the literature curve, *not* a lower bound at L > 0).
    The shaded band is the window ``best lower <= K_DI <= upper``; vertical lines mark the
    thresholds in ``data.thresholds`` and open circles the zeros of the drawn bounds (which the
    grid contains when ``werner_window(..., insert_thresholds=True)``).  The legend sits below
    the axes with the assumptions.
    """
    ax = _style.new_axes(ax, "tall")
    v = data.visibilities
    leak = f"L = {data.leakage:g} ({data.model})"
    ax.fill_between(v, data.best_lower, data.upper, where=data.upper >= data.best_lower,
                    color=OKABE_ITO["sky_blue"], alpha=0.18, lw=0, label="window for the DI key")
    ax.plot(v, data.upper, color=OKABE_ITO["blue"], lw=1.9,
            label=f"upper: CC bound, default (tightest) attack, {leak}")
    ax.plot(v, data.best_lower, color=OKABE_ITO["vermillion"], lw=1.9,
            label=f"lower: best DI lower bound, {leak}")
    ax.plot(v, data.di_lower_leakage, color=OKABE_ITO["orange"], lw=1.4, ls="--",
            label=f"lower: plain CHSH Devetak-Winter, {leak}")
    ax.plot(v, data.di_lower, color=OKABE_ITO["grey"], lw=1.2, ls=":",
            label="plain CHSH DW at L = 0 (Acín et al. 2007; not a bound at L > 0)")
    th = data.thresholds
    for key, (label, color, ls) in _THRESHOLD_STYLE.items():
        x = th.get(key)
        if x is None or not 0 <= x <= 1 or (key == "dw_zero" and data.leakage == 0 and "dw_zero_leakage" in th):
            continue
        extra = f" ({method_name(th.get('best_lower_zero_method'))})" if key == "best_lower_zero" else ""
        ax.axvline(x, color=color, ls=ls, lw=0.9, label=f"{label}: v = {x:.4f}{extra}")
        if key in _ZERO_MARKED:
            ax.plot([x], [0], marker="o", ms=6, mfc="white", mec=color, mew=1.5, zorder=5, clip_on=False)
    _zoom(ax, data)
    ax.set_xlabel("visibility v (Werner state)")
    ax.set_ylabel("key rate (bits/round)")
    ax.set_title(title or "Werner state: best DI lower bound vs. CC upper bound with leakage")
    ax.set_xlim(float(v.min()), float(v.max()))
    ax.set_ylim(0, 1.02)
    _style.legend_below(ax, title=f"{DI_ASSUMPTIONS}; \u03b7 = 1, CHSH-optimal settings", offset=0.12)
    return ax


def _zoom(ax, data) -> None:
    """Inset on the lower bounds' zeros (they lie within 0.01 of each other), in the empty
    region above the upper bound between the separability and CHSH thresholds."""
    th = data.thresholds
    zeros = [th.get(k) for k in ("best_lower_zero", "dw_zero_leakage", "dw_zero")]
    zeros = [z for z in zeros if z is not None]
    v = data.visibilities
    if not zeros or v.max() - v.min() < 0.3:
        return
    lo, hi = min(zeros) - 0.015, min(1.0, max(zeros) + 0.06)
    sel = (v >= lo) & (v <= hi)
    if sel.sum() < 3:
        return
    ins = ax.inset_axes([0.42, 0.5, 0.27, 0.45])
    ins.plot(v[sel], data.upper[sel], color=OKABE_ITO["blue"], lw=1.5)
    ins.plot(v[sel], data.best_lower[sel], color=OKABE_ITO["vermillion"], lw=1.5)
    ins.plot(v[sel], data.di_lower_leakage[sel], color=OKABE_ITO["orange"], lw=1.2, ls="--")
    ins.plot(v[sel], data.di_lower[sel], color=OKABE_ITO["grey"], lw=1.0, ls=":")
    for key in ("best_lower_zero", "dw_zero_leakage"):
        x = th.get(key)
        if x is not None and lo <= x <= hi:
            color = _THRESHOLD_STYLE[key][1]
            ins.plot([x], [0], marker="o", ms=5, mfc="white", mec=color, mew=1.3, zorder=5, clip_on=False)
    top = float(max(data.best_lower[sel].max(), data.di_lower_leakage[sel].max()))
    ins.set_xlim(lo, hi)
    ins.set_ylim(0, max(1.15 * top, 0.05))
    ins.tick_params(labelsize=6.5)
    ins.set_title("zoom: the lower bounds' zeros", fontsize=7)
    ins.grid(alpha=0.3)


def write_werner_window(data, stem: str | Path, title: str | None = None,
                        formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """:func:`draw_werner_window` written to ``stem.<fmt>``; returns the paths."""
    ax = draw_werner_window(data, ax=_style.file_axes("tall"), title=title)
    return _style.save_figure(ax.figure, stem, formats)
