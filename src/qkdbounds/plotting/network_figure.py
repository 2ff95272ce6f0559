"""Figures of ``qkdbounds network``: the map (links with length and visibility, the chosen paths)
and the bound of each pair's best path against its length.

Plotting only: the graph is the user's (:func:`qkdbounds.repeaters.network.load_network`), the
paths and bounds are :class:`~qkdbounds.repeaters.network.PathBound` objects from
:func:`~qkdbounds.repeaters.network.best_path` / :func:`~qkdbounds.repeaters.network.all_pairs`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from . import _style
from ._style import OKABE_ITO

__all__ = ["draw_network_map", "draw_network_bounds", "write_network_figures"]


def _positions(graph) -> dict:
    """Node coordinates from the ``x``/``y`` attributes, else a seeded spring layout."""
    pos = {}
    for n, a in graph.nodes(data=True):
        try:
            pos[n] = (float(a["x"]), float(a["y"]))
        except (KeyError, TypeError, ValueError):
            pass
    if len(pos) != graph.number_of_nodes() or not all(map(math.isfinite, sum(pos.values(), ()))):
        import networkx as nx

        pos = nx.spring_layout(graph, seed=1, weight="length_km")
    return pos


def _key(a, b) -> frozenset:
    return frozenset((str(a), str(b)))


@_style.styled
def draw_network_map(graph, bounds: Sequence = (), ax=None, link_visibility: float | None = None):
    """Draw the network: nodes with their names, links labelled with length and visibility, the
    links of the chosen paths highlighted (width: how many best paths use the link); returns the
    ``Axes``.

    Parameters
    ----------
    graph : networkx.Graph
        Nodes (optional ``x``, ``y``) and links (``length_km``, optional ``visibility``).
    bounds : sequence of PathBound
        The chosen paths (their links carry the visibility used).
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).
    link_visibility : float, optional
        Visibility of links without their own (the ``--link-visibility`` default); links with
        none known are labelled with their length only.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_edge("Amsterdam", "Utrecht", length_km=45, visibility=0.99)
    >>> ax = draw_network_map(g)
    >>> sorted(t.get_text() for t in ax.texts)
    ['45 km\\nv = 0.99', 'Amsterdam', 'Utrecht']
    """
    ax = _style.new_axes(ax, "map")
    pos = _positions(graph)
    used = Counter(_key(a, b) for b in bounds for a, b in zip(b.path, b.path[1:]))
    vis = {}
    for b in bounds:
        for link in b.links:
            if link.get("visibility") is not None:
                vis[_key(link["from"], link["to"])] = float(link["visibility"])
    most = max(used.values(), default=1)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    span = math.hypot(span_x, span_y)
    for a, b, attrs in graph.edges(data=True):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        n_used = used.get(_key(a, b), 0)
        if n_used:
            ax.plot([xa, xb], [ya, yb], color=OKABE_ITO["vermillion"], solid_capstyle="round",
                    lw=2.0 + 4.0 * n_used / most, alpha=0.85, zorder=1)
        ax.plot([xa, xb], [ya, yb], color=OKABE_ITO["black"], lw=1.0, zorder=2)
        v = attrs.get("visibility", vis.get(_key(a, b), link_visibility))
        short = math.hypot(xb - xa, yb - ya) < 0.12 * span
        text = f"{attrs['length_km']:g} km" + ("" if v is None else
                                               f"{', ' if short else chr(10)}v = {float(v):.4g}")
        # a short link's label sits beside it, towards the centre (node names point away from
        # it), not over its end nodes
        mx, my = (xa + xb) / 2, (ya + yb) / 2
        off = (0.0, 0.0)
        if short:
            nx_, ny_ = -(yb - ya), xb - xa
            norm = math.hypot(nx_, ny_) or 1.0
            sign = -1.0 if (mx - cx) * nx_ + (my - cy) * ny_ >= 0 else 1.0
            off = (sign * 16 * nx_ / norm, sign * 16 * ny_ / norm)
        ax.annotate(text, (mx, my), xytext=off, textcoords="offset points",
                    fontsize=_style.LEGEND_FONT_SIZE - 1, ha="center", va="center", zorder=4,
                    linespacing=1.1,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.scatter(xs, ys, s=70, color=OKABE_ITO["blue"], edgecolors="white", linewidths=1.2, zorder=5)
    for n, (x, y) in pos.items():
        # names beside the node (never inside a marker: long names stay readable), pointing away
        # from the centre of the map, where the links are
        dx, dy = x - cx, y - cy
        norm = math.hypot(dx, dy) or 1.0
        dx, dy = (dx / norm, dy / norm) if norm > 0 else (0.0, 1.0)
        ax.annotate(str(n), (x, y), xytext=(9 * dx, 9 * dy), textcoords="offset points",
                    ha="left" if dx > 0.5 else "right" if dx < -0.5 else "center",
                    va="bottom" if dy > 0.5 else "top" if dy < -0.5 else "center",
                    fontsize=_style.FONT_SIZE, zorder=6, clip_on=False, annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    # room for the names at the edges: margins in data units around the nodes
    ax.set_xlim(min(xs) - 0.2 * span_x, max(xs) + 0.2 * span_x)
    ax.set_ylim(min(ys) - 0.12 * span_y, max(ys) + 0.12 * span_y)
    ax.set_aspect("equal" if 0.2 < span_y / span_x < 5 else "auto")
    ax.axis("off")
    if used:
        label = ("link of the chosen path" if len(bounds) == 1 else
                 f"link on a chosen path (width: number of the {len(bounds)} best paths using it)")
        ax.plot([], [], color=OKABE_ITO["vermillion"], lw=4, alpha=0.85, label=label)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), frameon=False)
    ax.set_title("network: fibre length and visibility per link"
                 + (", chosen paths" if used else ""))
    return ax


@_style.styled
def draw_network_bounds(bounds: Sequence, ax=None):
    """Draw the bound of each pair's best path against the path length; returns the ``Axes``.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> ax = draw_network_bounds([P(distance_km=45.0, rate_upper_bound=0.9)])
    >>> len(ax.collections)
    1
    """
    ax = _style.new_axes(ax, "single")
    shown = [b for b in bounds if b.rate_upper_bound is not None]
    ax.scatter([b.distance_km for b in shown], [b.rate_upper_bound for b in shown], s=18,
               color=OKABE_ITO["blue"])
    ax.set_xlabel("path length (km)")
    ax.set_ylabel("key-rate upper bound (bits per pair)")
    ax.set_title("best path per node pair")
    return ax


def write_network_figures(graph, bounds: Sequence, out_dir: str | Path,
                          link_visibility: float | None = None) -> list[str]:
    """Write ``network_map.png`` (:func:`draw_network_map`) and ``network_bounds.png``
    (:func:`draw_network_bounds`) into ``out_dir``; returns the paths (as strings)."""
    out = Path(out_dir)
    ax = draw_network_map(graph, bounds, ax=_style.file_axes("map"), link_visibility=link_visibility)
    files = _style.save_figure(ax.figure, out / "network_map", formats=("png",))
    ax = draw_network_bounds(bounds, ax=_style.file_axes("single"))
    files += _style.save_figure(ax.figure, out / "network_bounds", formats=("png",))
    return [str(f) for f in files]
