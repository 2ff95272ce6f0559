"""Figure of the Werner-state window: DI CHSH lower bounds against our CC upper bounds.

Plotting only: every number comes from :func:`qkdbounds.di.window.werner_window`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .rate_figures import save_figure  # noqa: E402

__all__ = ["plot_werner_window"]

_THRESHOLD_STYLE = {
    "separable": ("separable (v = 1/3)", "tab:gray", ":"),
    "cc_zero": ("CC bound = 0", "tab:blue", "--"),
    "chsh_violation": ("CHSH violation (1/\u221a2)", "tab:purple", ":"),
    "dw_zero": ("DW-CHSH = 0, L = 0", "tab:green", ":"),
    "dw_zero_leakage": ("DW-CHSH = 0 with leakage", "tab:red", "--"),
}


def plot_werner_window(data, path_stem: str | Path, title: str | None = None) -> list[Path]:
    """Plot a :class:`~qkdbounds.di.window.WernerWindow`; writes ``path_stem.png`` and ``.svg``.

    Solid: our upper bound with leakage; dashed: the DW-CHSH lower bound with the same leakage;
    dotted: the DW-CHSH lower bound without leakage (literature curve, *not* a lower bound at
    L > 0).  The shaded band is the window ``lower (with leakage) <= K_DI <= upper``; vertical
    lines mark the thresholds in ``data.thresholds``.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    v = data.visibilities
    ax.plot(v, data.upper, color="tab:blue", lw=1.9,
            label=f"upper: CC attack, L = {data.leakage:g} ({data.model})")
    ax.plot(v, data.di_lower_leakage, color="tab:red", lw=1.6, ls="--",
            label=f"lower: DW-CHSH, L = {data.leakage:g} ({data.model})")
    ax.plot(v, data.di_lower, color="tab:green", lw=1.2, ls=":", label="DW-CHSH, L = 0 (Acín et al. 2007)")
    ax.fill_between(v, data.di_lower_leakage, data.upper, where=data.upper >= data.di_lower_leakage,
                    color="tab:blue", alpha=0.12, lw=0, label="window for K_DI")
    for key, (label, color, ls) in _THRESHOLD_STYLE.items():
        x = data.thresholds.get(key)
        if x is not None and 0 <= x <= 1:
            ax.axvline(x, color=color, ls=ls, lw=0.9, label=f"{label}: v = {x:.4f}")
    ax.set_xlabel("visibility v (Werner state)")
    ax.set_ylabel("key rate (bits/round)")
    ax.set_title(title or "Werner state: DI lower bound vs. CC upper bound with leakage")
    ax.set_xlim(float(v.min()), float(v.max()))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return save_figure(fig, Path(path_stem))
