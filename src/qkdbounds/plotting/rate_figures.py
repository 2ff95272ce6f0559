"""Figs. 1, 3, 4 of paper 1: rate upper bound against visibility, one curve per leakage."""

from __future__ import annotations

from .._io import atomic_write

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plot_rate_curves", "save_figure"]


def save_figure(fig, path: Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``path.<fmt>`` for every format; returns the written paths."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = path.with_suffix("." + fmt)
        atomic_write(target, lambda tmp: fig.savefig(tmp, dpi=150, bbox_inches="tight"))
        written.append(target)
    plt.close(fig)
    return written


def plot_rate_curves(curves, title: str, path: Path, extra_curves=None, extra_label: str = "") -> list[Path]:
    """Plot :class:`~qkdbounds.bounds.RateCurve` objects; thresholds marked.

    Solid lines: our bound; dashed verticals: derived threshold; dotted verticals: the threshold
    printed in the paper (when inside [0, 1]).  ``extra_curves`` (same leakages) are drawn dashed,
    e.g. a tighter attack of our own.
    """
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, c in enumerate(curves):
        col = colors[i % len(colors)]
        ax.plot(c.visibilities, c.rates, color=col, lw=1.8, label=f"L = {c.leakage:g}")
        ax.axvline(c.threshold, color=col, ls="--", lw=0.8)
        if 0 <= c.threshold_paper <= 1:
            ax.axvline(c.threshold_paper, color=col, ls=":", lw=0.8)
        if extra_curves is not None:
            e = extra_curves[i]
            ax.plot(e.visibilities, e.rates, color=col, lw=1.2, ls="-.",
                    label=f"L = {e.leakage:g}, {extra_label}")
    ax.plot([], [], color="gray", ls="--", lw=0.8, label="threshold (derived, Eq. 19)")
    ax.plot([], [], color="gray", ls=":", lw=0.8, label="threshold (as printed, Thm. 1/2)")
    ax.set_xlabel("visibility v")
    ax.set_ylabel("key-rate upper bound (bits/round)")
    ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return save_figure(fig, path)
