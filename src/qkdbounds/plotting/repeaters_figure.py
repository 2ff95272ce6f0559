"""Figure 2 of paper 1: key-rate bound against the number of repeaters.

Plotting only: takes a precomputed :class:`qkdbounds.repeaters.Figure2Data` (from
:func:`qkdbounds.repeaters.figure2_data`) and writes PNG/SVG files.  Two panels: the paper's
count (end-to-end visibility v**(2n), as in the paper's Fig. 2) and the law read off the
swapping simulation (v**(n+1)).  Uses the Agg canvas directly (no pyplot global state).
"""

from __future__ import annotations

from .._io import atomic_write

from pathlib import Path
from typing import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["write_repeater_figure"]

_PANELS = (
    ("rate_paper_convention", "paper convention: $v_{\\mathrm{chain}} = v^{2n}$"),
    ("rate_simulated_law", "simulated swapping: $v_{\\mathrm{chain}} = v^{n+1}$"),
)


def _label(curve, rate_key: str) -> str:
    label = f"$v = {curve.visibility:g}$"
    if rate_key == "rate_simulated_law":
        if curve.n_max is not None:
            label += f" ($n_{{\\max}} = {curve.n_max}$)"
        return label
    printed, derived = curve.n_max_paper_convention, curve.n_max_paper_law_derived_threshold
    if printed is not None and derived is not None:
        label += f" (Eq. 5: $n_{{\\max}} = {printed}$; $R > 0$ to $n = {derived}$)"
    return label


def write_repeater_figure(data, out_stem: str | Path,
                          formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write paper 1, Fig. 2 (rate bound vs repeaters) as ``out_stem.<fmt>`` files.

    Parameters
    ----------
    data : qkdbounds.repeaters.Figure2Data
        Precomputed curves (``curves`` with ``visibility``, ``repeaters``,
        ``rate_paper_convention``, ``rate_simulated_law``, ``n_max``,
        ``n_max_paper_convention``, ``n_max_paper_law_derived_threshold``), plus ``leakage``,
        ``model``, ``local_dim``.
    out_stem : str or Path
        Output path without suffix; parent directories are created.
    formats : sequence of str
        File formats (matplotlib names), default PNG and SVG.

    Returns
    -------
    list of Path
        The files written.
    """
    out_stem = Path(out_stem)
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (rate_key, title) in zip(axes, _PANELS):
        for curve in data.curves:
            ax.plot(curve.repeaters, getattr(curve, rate_key), marker="o", markersize=3,
                    label=_label(curve, rate_key))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("number of repeaters $n$")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("key-rate upper bound $R$ (bits)")
    fig.suptitle(f"Rate vs repeaters, {data.model} leakage $L = {data.leakage:g}$, "
                 f"$d = {data.local_dim}$ (paper 1, Fig. 2)", fontsize=11)
    written = []
    for fmt in formats:
        path = out_stem.with_suffix(f".{fmt}")
        atomic_write(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=150))
        written.append(path)
    return written
