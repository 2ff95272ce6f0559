"""Figures of the DI window: the (v, eta) region map and the bounds against eta.

Plotting only: every number comes from :func:`qkdbounds.di.region.di_region` or
:func:`qkdbounds.di.region.di_eta_window`.  ``draw_*`` functions draw into a matplotlib ``Axes``
(``ax=None``: a new figure) and return it; ``write_*`` functions draw and write PNG + SVG.

Colours are the shared Okabe-Ito palette (:mod:`qkdbounds.plotting._style`); the region map
also hatches the open window, so it survives greyscale.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch, Rectangle

from . import _style
from ._style import OKABE_ITO

__all__ = ["DI_ASSUMPTIONS", "method_name", "draw_di_region", "draw_di_eta_window",
           "write_di_region", "write_di_eta_window"]
#: The assumptions under which both sides of the DI window hold (shown in every legend).
DI_ASSUMPTIONS = "collective attacks (i.i.d.); inputs announced; one-way lower bounds"

_REGION_COLORS = {"no_key": OKABE_ITO["vermillion"], "open": OKABE_ITO["yellow"], "key": OKABE_ITO["blue"]}
_REGION_HATCH = {"no_key": "", "open": "//", "key": ""}
_REGION_LABELS = {"no_key": "no key: DI CC attack (upper bound) = 0",
                  "open": "open: upper bound > 0, every lower bound = 0",
                  "key": "key: best DI lower bound > 0"}
_METHOD_NAMES = {"chsh": "CHSH DW", "noisy_preprocessing": "CHSH + noisy preprocessing",
                 "asymmetric_chsh": "asymmetric CHSH",
                 "asymmetric_chsh_noisy_preprocessing": "asymmetric CHSH + noisy preprocessing",
                 "no_violation": "none (CHSH <= 2)", "none": "none (every bound is 0)"}


def method_name(method: str | None) -> str:
    """Short human name of a lower-bound method (:data:`~qkdbounds.di.preprocessing.LOWER_BOUND_METHODS`)."""
    return _METHOD_NAMES.get(method or "", str(method))


#: Half width of the cell (and of the axis range) drawn around a single grid value.
_HALF_CELL = 0.005


def _limits(values) -> tuple[float, float]:
    """Axis range of the data; a narrow range inside [0, 1] around a single value."""
    lo, hi = float(np.min(values)), float(np.max(values))
    return (lo, hi) if hi > lo else (max(0.0, lo - _HALF_CELL), min(1.0, hi + _HALF_CELL))


def _edges(values: np.ndarray) -> np.ndarray:
    """Cell edges for cells centred on the grid, with the outer edges at the first and last
    value: the axes stop at the data (no cell beyond v = 1 or below the smallest value)."""
    if values.size == 1:   # one value: a narrow cell around it, inside [0, 1]
        return np.array([max(0.0, values[0] - _HALF_CELL), min(1.0, values[0] + _HALF_CELL)])
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate([[values[0]], mid, [values[-1]]])


def _binning_text(binning: str) -> str:
    return {"both": "no-click binned to +1 (both)", "none": "no-click kept as a third outcome",
            "A": "no-click binned by Alice only", "B": "no-click binned by Bob only"}.get(binning, binning)


@_style.styled
def draw_di_region(region, ax=None):
    """Draw a :class:`~qkdbounds.di.region.DIRegion`; returns the ``Axes``.

    With more than one visibility: the classified (eta, v) map, cells centred on the grid and
    clipped at its first and last values.  With one visibility: the bounds at the computed
    efficiencies as staircases that stay valid between them (upper bound: the value at the next
    larger eta; lower bound: the value at the next smaller eta -- lowering eta is local
    post-processing, :func:`~qkdbounds.di.region.di_eta_window`), nothing interpolated.
    """
    ax = _style.new_axes(ax, "tall")
    assumptions = f"{DI_ASSUMPTIONS}; {_binning_text(region.binning)}"
    labels = list(_REGION_COLORS)
    if region.visibilities.size > 1:
        codes = np.vectorize(labels.index)(region.classification)
        x_edges, y_edges = _edges(region.etas), _edges(region.visibilities)
        ax.pcolormesh(x_edges, y_edges, codes, cmap=ListedColormap([_REGION_COLORS[k] for k in labels]),
                      vmin=-0.5, vmax=2.5, edgecolors="white", linewidth=0.3)
        for i in range(codes.shape[0]):
            for j in range(codes.shape[1]):
                if _REGION_HATCH[labels[codes[i, j]]]:
                    ax.add_patch(Rectangle((x_edges[j], y_edges[i]), x_edges[j + 1] - x_edges[j],
                                               y_edges[i + 1] - y_edges[i], fill=False, lw=0,
                                               hatch=_REGION_HATCH[labels[codes[i, j]]],
                                               edgecolor=OKABE_ITO["black"], alpha=0.35))
        ax.grid(False)   # grid lines would cross the cells
        ax.set_xlim(x_edges[0], x_edges[-1])
        ax.set_ylim(y_edges[0], y_edges[-1])
        ax.set_ylabel("visibility v")
        handles = [Patch(facecolor=_REGION_COLORS[k], hatch=_REGION_HATCH[k], edgecolor="0.3",
                         label=f"{_REGION_LABELS[k]} ({int((region.classification == k).sum())} points)")
                   for k in labels]
        _style.legend_below(ax, handles, title=assumptions)
    else:
        e = region.etas
        ax.plot(e, region.upper[0], color=OKABE_ITO["blue"], lw=1.9, drawstyle="steps-pre", marker="o", ms=4,
                label="upper: DI CC attack, two-way (intrinsic information)")
        ax.plot(e, region.one_way[0], color=OKABE_ITO["sky_blue"], lw=1.3, ls="-.", drawstyle="steps-pre",
                marker="s", ms=3, label=_ONE_WAY_LABEL)
        ax.plot(e, region.lower[0], color=OKABE_ITO["vermillion"], lw=1.6, ls="--", drawstyle="steps-post",
                marker="D", ms=3, label="lower: best DI lower bound")
        ax.set_xlim(*_limits(e))
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("key rate (bits/round)")
        ax.grid(alpha=0.3)
        _style.legend_below(ax, title=assumptions + "\nsteps: valid between the computed points (markers)")
    ax.set_xlabel("detection efficiency \u03b7 (both parties)")
    ax.set_title(f"DI window: \u03b8 = {region.theta:.4g}, L = {region.leakage:g} ({region.model})")
    return ax


#: The one-way curve's legend: it bounds one-way keys A -> B without preprocessing only, so the
#: lower bound (reverse reconciliation with noisy preprocessing) can lie above it; the two-way
#: curve bounds every protocol.
_ONE_WAY_LABEL = ("upper, one-way A→B without preprocessing only, H(A|E) - H(A|B)\n"
                  "(not a bound on the lower bound's B→A protocol with noisy preprocessing)")


def _upper_staircase(attack_etas: np.ndarray, upper: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The attack's bound valid at each x: the value at the next attack efficiency >= x."""
    idx = np.clip(np.searchsorted(attack_etas, x, side="left"), 0, attack_etas.size - 1)
    return upper[idx]


@_style.styled
def draw_di_eta_window(window, ax=None):
    """Draw a :class:`~qkdbounds.di.region.DIEtaWindow`; returns the ``Axes``.

    Lines: the best DI lower bound and the plain CHSH one on the dense grid, which contains the
    exact zeros (marked, so no line crosses a threshold by interpolation).  Staircases with
    markers: the DI CC attack at its efficiencies (incl. both ends of its bisected zero), drawn at
    the value of the next larger efficiency in between (a valid upper bound there).  Shaded: the
    window for the DI key.
    """
    ax = _style.new_axes(ax, "tall")
    th = window.thresholds
    a_e, a_up, a_ow = window.attack.etas, window.attack.upper[0], window.attack.one_way[0]
    e = window.etas
    # the shaded window: on the union of both grids plus a point just right of every attack
    # efficiency, so that its upper edge follows the attack's staircase (vertical jumps)
    x = np.union1d(np.union1d(e, a_e), a_e + 1e-9)
    x = x[(x >= max(e.min(), a_e.min())) & (x <= min(e.max(), a_e.max()))]
    lower_x, stair = np.interp(x, e, window.lower), _upper_staircase(a_e, a_up, x)
    ax.fill_between(x, lower_x, stair, where=stair >= lower_x, color=OKABE_ITO["sky_blue"],
                    alpha=0.18, lw=0, label="window for the DI key")
    ax.plot(a_e, a_up, color=OKABE_ITO["blue"], lw=1.9, drawstyle="steps-pre", marker="o", ms=4.5,
            label=f"upper: DI CC attack, two-way ({a_e.size} efficiencies; staircase: valid in between)")
    ax.plot(a_e, a_ow, color=OKABE_ITO["sky_blue"], lw=1.3, ls="-.", drawstyle="steps-pre", marker="s", ms=3.5,
            label=_ONE_WAY_LABEL)
    ax.plot(e, window.lower, color=OKABE_ITO["vermillion"], lw=1.9,
            label=f"lower: best DI lower bound ({len(e)} efficiencies)")
    ax.plot(e, window.chsh_lower, color=OKABE_ITO["orange"], lw=1.4, ls="--",
            label="lower: plain CHSH Devetak-Winter (Acín et al. 2007)")
    marks = [("chsh_violation", "CHSH violation starts", OKABE_ITO["grey"], ":", None),
             ("chsh_lower_zero", "plain CHSH DW = 0", OKABE_ITO["orange"], "--", "chsh_lower"),
             ("lower_zero", "best lower bound = 0", OKABE_ITO["vermillion"], "-", "lower")]
    for key, text, color, ls, _curve in marks:
        x = th.get(key)
        if x is None:
            continue
        extra = f" ({method_name(th.get('lower_zero_method'))})" if key == "lower_zero" else ""
        ax.axvline(x, color=color, ls=ls, lw=0.9, label=f"{text}: \u03b7 = {x:.4f}{extra}")
        ax.plot([x], [0], marker="o", ms=6, mfc="white", mec=color, mew=1.5, zorder=5, clip_on=False)
    zero, bracket = th.get("upper_zero"), th.get("upper_zero_bracket")
    if zero is not None and bracket is not None:
        ax.axvline(zero, color=OKABE_ITO["blue"], ls="-.", lw=0.9,
                   label=f"DI CC attack = 0 up to \u03b7 = {zero:.4f} (bisection, next point "
                         f"{bracket[1]:.4f} positive)")
        ax.plot([zero], [0], marker="o", ms=6, mfc="white", mec=OKABE_ITO["blue"], mew=1.5,
                zorder=5, clip_on=False)
    ax.set_xlim(*_limits(np.concatenate([e, a_e])))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("detection efficiency \u03b7 (both parties)")
    ax.set_ylabel("key rate (bits/round)")
    ax.grid(alpha=0.3)
    ax.set_title(f"DI window: \u03b8 = {window.theta:.4g}, v = {window.visibility:g}, "
                 f"L = {window.leakage:g} ({window.model})")
    _style.legend_below(ax, title=f"{DI_ASSUMPTIONS}; {_binning_text(window.binning)}")
    return ax


def write_di_region(region, stem: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """:func:`draw_di_region` written to ``stem.<fmt>``; returns the paths."""
    ax = draw_di_region(region, ax=_style.file_axes("tall"))
    return _style.save_figure(ax.figure, stem, formats)


def write_di_eta_window(window, stem: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """:func:`draw_di_eta_window` written to ``stem.<fmt>``; returns the paths."""
    ax = draw_di_eta_window(window, ax=_style.file_axes("tall"))
    return _style.save_figure(ax.figure, stem, formats)
