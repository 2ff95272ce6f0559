"""Figures of the DI window: the (v, eta) region map and the bounds against eta.

Plotting only: every number comes from :func:`qkdbounds.di.region.di_region`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from .rate_figures import save_figure  # noqa: E402

__all__ = ["plot_di_region"]

_COLORS = {"no_key": "#d62728", "open": "#ffdd57", "key": "#2ca02c"}
_LABELS = {"no_key": "no key possible (CC upper bound = 0)", "open": "open window",
           "key": "key certified (CHSH DW lower bound > 0)"}


def _edges(values: np.ndarray) -> np.ndarray:
    if values.size == 1:
        return np.array([values[0] - 0.005, values[0] + 0.005])
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate([[values[0] - (mid[0] - values[0])], mid, [values[-1] + (values[-1] - mid[-1])]])


def plot_di_region(region, path_stem: str | Path) -> list[Path]:
    """Plot a :class:`~qkdbounds.di.region.DIRegion`; writes ``path_stem.png`` and ``.svg``.

    With more than one visibility: the classified (eta, v) map.  With one visibility: the
    two-way and one-way upper bounds and the lower bound against eta, the window shaded.
    """
    labels = list(_COLORS)
    if region.visibilities.size > 1:
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
        codes = np.vectorize(labels.index)(region.classification)
        ax.pcolormesh(_edges(region.etas), _edges(region.visibilities), codes,
                      cmap=ListedColormap([_COLORS[k] for k in labels]), vmin=-0.5, vmax=2.5)
        for k in labels:
            ax.plot([], [], "s", color=_COLORS[k], label=_LABELS[k])
        ax.set_xlabel("detection efficiency \u03b7 (both parties)")
        ax.set_ylabel("visibility v")
        ax.legend(fontsize=7, loc="lower left")
    else:
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        e = region.etas
        ax.plot(e, region.upper[0], color="tab:blue", lw=1.9, marker="o", ms=3,
                label="upper: DI CC attack, two-way (intrinsic information)")
        ax.plot(e, region.one_way[0], color="tab:cyan", lw=1.3, ls="-.", marker=".",
                label="upper: DI CC attack, one-way H(A|E) - H(A|B)")
        ax.plot(e, region.lower[0], color="tab:red", lw=1.6, ls="--", marker=".",
                label="lower: CHSH Devetak-Winter (binned)")
        ax.fill_between(e, region.lower[0], region.upper[0], color="tab:blue", alpha=0.12, lw=0,
                        label="window for K_DI")
        ax.axvline(2 * (np.sqrt(2) - 1), color="tab:gray", ls=":", lw=0.9,
                   label="no CHSH violation below \u03b7 = 2(\u221a2 - 1) (v = 1)")
        ax.set_xlabel("detection efficiency \u03b7 (both parties)")
        ax.set_ylabel("key rate (bits/round)")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"DI window: \u03b8 = {region.theta:.4g}, binning {region.binning}, "
                 f"L = {region.leakage:g} ({region.model})", fontsize=9)
    return save_figure(fig, Path(path_stem))
