"""Figs. 1, 3, 4 of paper 1: rate upper bound against visibility, one curve per leakage.

Plotting only: the curves are :class:`~qkdbounds.bounds.curves.RateCurve` objects
(:func:`~qkdbounds.bounds.curves.rate_curve`); the optional baseline is computed by the library
(e.g. :func:`~qkdbounds.bounds.symmetric.no_attack_bounds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import _style

__all__ = ["draw_rate_curves", "write_rate_curves"]


@_style.styled
def draw_rate_curves(curves, ax=None, title: str | None = None, extra_curves=None,
                     extra_label: str = "", baseline=None, baseline_label: str = "no attack",
                     curve_label: str = ""):
    """Draw :class:`~qkdbounds.bounds.curves.RateCurve` objects with their thresholds; returns
    the ``Axes``.

    Solid: our bound, one colour per leakage; dashed verticals: the derived threshold (Eq. 19);
    dotted verticals: the threshold printed in the paper (when inside [0, 1]).
    ``extra_curves`` (same leakages) are drawn dash-dot, e.g. a tighter attack of ours;
    ``baseline`` (one rate array per curve, on its visibilities) is drawn dashed and thin, e.g.
    the no-attack bound.  ``curve_label`` names the solid curves' attack in the legend when
    others are drawn beside them.  The legend sits below the axes, so no threshold line
    crosses it.

    Examples
    --------
    >>> from qkdbounds.bounds.curves import rate_curve
    >>> ax = draw_rate_curves([rate_curve(2, 2, 0.1, n_points=5)])
    >>> len(ax.lines) >= 2
    True
    """
    ax = _style.new_axes(ax, "single")
    for i, c in enumerate(curves):
        col = _style.CYCLE[i % len(_style.CYCLE)]
        ax.plot(c.visibilities, c.rates, color=col, **_style.OURS,
                label=f"L = {c.leakage:g}" + (f", {curve_label}" if curve_label else ""))
        if extra_curves is not None:
            e = extra_curves[i]
            ax.plot(e.visibilities, e.rates, color=col, **_style.ALTERNATIVE,
                    label=f"L = {e.leakage:g}, {extra_label}")
        if baseline is not None:
            ax.plot(c.visibilities, baseline[i], color=col, alpha=0.8, **_style.BASELINE,
                    label=f"L = {c.leakage:g}, {baseline_label}")
        ax.axvline(c.threshold, color=col, **_style.THRESHOLD)
        if 0 <= c.threshold_paper <= 1:
            ax.axvline(c.threshold_paper, color=col, **_style.PAPER_THRESHOLD)
    grey = _style.OKABE_ITO["grey"]
    ax.plot([], [], color=grey, **_style.THRESHOLD, label="threshold (derived, Eq. 19)")
    ax.plot([], [], color=grey, **_style.PAPER_THRESHOLD, label="threshold (as printed, Thm. 1/2)")
    ax.set_xlabel("visibility v")
    ax.set_ylabel("key-rate upper bound (bits/round)")
    if title:
        ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    n_entries = len(ax.get_legend_handles_labels()[0])
    _style.legend_below(ax, ncol=2 if n_entries > 4 else 1)
    return ax


def write_rate_curves(curves, title: str, stem: str | Path, formats: Sequence[str] = ("png", "svg"),
                      **kwargs) -> list[Path]:
    """:func:`draw_rate_curves` written to ``stem.<fmt>``; returns the paths."""
    ax = draw_rate_curves(curves, ax=_style.file_axes("single"), title=title, **kwargs)
    return _style.save_figure(ax.figure, stem, formats)
