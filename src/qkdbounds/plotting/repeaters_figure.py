"""Figure 2 of paper 1: key-rate bound against the number of repeaters.

Plotting only: takes a precomputed :class:`qkdbounds.repeaters.Figure2Data` (from
:func:`qkdbounds.repeaters.figure2_data`).  Two panels: the paper's count (end-to-end
visibility v**(2n), as in the paper's Fig. 2) and the law read off the swapping simulation
(v**(n+1)).  :func:`draw_repeater_figure` draws, :func:`write_repeater_figure` writes PNG + SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import _style

__all__ = ["draw_repeater_figure", "write_repeater_figure"]

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


@_style.styled
def draw_repeater_figure(data, ax=None):
    """Draw paper 1, Fig. 2 (rate bound vs repeaters) on two panels; returns the two ``Axes``.

    Parameters
    ----------
    data : qkdbounds.repeaters.Figure2Data
        Precomputed curves (``curves`` with ``visibility``, ``repeaters``,
        ``rate_paper_convention``, ``rate_simulated_law``, ``n_max``,
        ``n_max_paper_convention``, ``n_max_paper_law_derived_threshold``), plus ``leakage``,
        ``model``, ``local_dim``.
    ax : pair of matplotlib.axes.Axes, optional
        The panels (paper convention, simulated law); default: a new figure with two panels.

    Returns
    -------
    tuple of matplotlib.axes.Axes
        The two panels.

    Examples
    --------
    >>> from qkdbounds.repeaters import figure2_data
    >>> left, right = draw_repeater_figure(figure2_data(max_repeaters=3))
    >>> len(left.lines) == len(right.lines) == 3
    True
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(1, 2, sharey=True, figsize=_style.SIZES["wide"], layout="constrained")
    axes = tuple(ax)
    if len(axes) != 2:
        raise ValueError(f"ax must be a pair of Axes (paper convention, simulated law), got {len(axes)}")
    for panel, (rate_key, title) in zip(axes, _PANELS):
        for i, curve in enumerate(data.curves):
            panel.plot(curve.repeaters, getattr(curve, rate_key), color=_style.CYCLE[i % len(_style.CYCLE)],
                       **_style.OURS,
                       marker="o", markersize=3, label=_label(curve, rate_key))
        panel.set_title(title)
        panel.set_xlabel("number of repeaters $n$")
        panel.set_ylim(bottom=0)
        panel.legend(loc="upper right")
    axes[0].set_ylabel("key-rate upper bound $R$ (bits)")
    axes[0].figure.suptitle(f"Rate vs repeaters, {data.model} leakage $L = {data.leakage:g}$, "
                            f"$d = {data.local_dim}$ (paper 1, Fig. 2)", fontsize=_style.TITLE_FONT_SIZE + 1)
    return axes


def write_repeater_figure(data, out_stem: str | Path,
                          formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write paper 1, Fig. 2 (:func:`draw_repeater_figure`) as ``out_stem.<fmt>`` files.

    Parameters
    ----------
    data : qkdbounds.repeaters.Figure2Data
        Precomputed curves (see :func:`draw_repeater_figure`).
    out_stem : str or Path
        Output path without suffix; parent directories are created.
    formats : sequence of str
        File formats (matplotlib names), default PNG and SVG.

    Returns
    -------
    list of Path
        The files written.
    """
    axes = draw_repeater_figure(data, ax=_style.file_axes("wide", ncols=2, sharey=True))
    axes[0].figure.set_layout_engine("constrained")
    return _style.save_figure(axes[0].figure, out_stem, formats)
