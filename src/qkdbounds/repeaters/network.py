r"""Networks: best end-to-end key-rate bounds over paths of a fibre graph (issue 15, part 4).

A network is a graph (networkx) of nodes and fibre links, read from JSON
(``{"nodes": [{"id": "A", "x": 0, "y": 0}, ...], "links": [{"source": "A", "target": "B",
"length_km": 80, "visibility": 0.98}, ...]}``) or GraphML (edge attribute ``length_km``, optional
``visibility``).  Every fibre link is one heralded elementary link and every intermediate node a
repeater with ideal swapping.

**Path choice (the chain bound).**  A freshly delivered link has the visibility ``v_e`` (its
``visibility`` attribute, else the global link visibility); an isotropic chain over a path has
:math:`\prod_e v_e` (the composition law) and paper 1's bound increases with the visibility, so
the best path for the chain bound maximises :math:`\prod_e v_e`: a shortest path for the weights
:math:`-\ln v_e` (Dijkstra; ties -- e.g. all links perfect -- go to the shorter fibre route,
through a :math:`10^{-9}` per km tie-break).  ``tests/repeaters/test_network.py`` checks it
against a brute force over all simple paths.

**The chosen path** is then planned with the same model as ``qkdbounds plan``
(:func:`qkdbounds.repeaters.planner.plan_path`: heterogeneous segments, heralding, memories
decaying while the other links herald, the bound averaged over the heralding times, the pair rate
and key per second, PLOB for the path's fibre length), so ``network`` and ``plan`` agree on any
path.  With memories the path choice itself ignores memory decay (it ranks the fresh chains).
"""

from __future__ import annotations

from .._io import atomic_write

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, check_choice, check_probability, check_real

__all__ = ["load_network", "best_path", "all_pairs", "PathBound", "MAX_NETWORK_NODES"]

#: Largest network accepted (all pairs: one Dijkstra per node).
MAX_NETWORK_NODES = 2000


def load_network(path) -> "networkx.Graph":  # noqa: F821 - networkx imported lazily
    """Read a network from ``.json`` or ``.graphml`` and validate it (lengths > 0, size).

    Raises
    ------
    InputError
        Unreadable or malformed file, missing or non-positive ``length_km``, too many nodes.
    """
    import networkx as nx

    from .._io import check_input_file

    p = check_input_file("network file", path, 64 * 2**20)
    if p.suffix.lower() == ".graphml":
        try:
            raw = nx.read_graphml(p)
        except Exception as exc:  # noqa: BLE001 - any parse failure of a user file
            raise InputError(f"network file {p} is not readable GraphML ({exc})") from None
        graph = nx.Graph()
        graph.add_nodes_from((str(n), a) for n, a in raw.nodes(data=True))
        for a, b, attrs in raw.edges(data=True):
            a, b = str(a), str(b)
            if a == b:
                raise InputError(f"network file {p}: link {a}-{b} is a loop")
            if graph.has_edge(a, b):
                raise InputError(f"network file {p}: link {a}-{b} is given twice")
            graph.add_edge(a, b, **attrs)
    else:
        from .._io import load_json_checked

        data = load_json_checked("network file", p, 64 * 2**20)
        try:
            graph = nx.Graph()
            for node in data.get("nodes", []):
                node = dict(node)
                name = _node_id(node.pop("id"))
                if name in graph:
                    raise InputError(f"network file {p}: node {name!r} is listed twice")
                graph.add_node(name, **node)
            listed = set(graph.nodes)
            for link in data["links"]:
                link = dict(link)
                a, b = _node_id(link.pop("source")), _node_id(link.pop("target"))
                if listed and not {a, b} <= listed:
                    raise InputError(f"network file {p}: link {a}-{b} names a node not listed "
                                     f"under 'nodes'")
                if a == b:
                    raise InputError(f"network file {p}: link {a}-{b} is a loop")
                if graph.has_edge(a, b):
                    raise InputError(f"network file {p}: link {a}-{b} is given twice")
                graph.add_edge(a, b, **link)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"network file {p} must be JSON with 'links' of source, target, "
                             f"length_km ({type(exc).__name__}: {exc})") from None
    if graph.number_of_nodes() == 0 or graph.number_of_edges() == 0:
        raise InputError(f"network file {p} has no links")
    if graph.number_of_nodes() > MAX_NETWORK_NODES:
        raise InputError(f"network has {graph.number_of_nodes()} nodes; allowed: at most "
                         f"{MAX_NETWORK_NODES}")
    for a, b, attrs in graph.edges(data=True):
        try:
            length = float(attrs["length_km"])
        except (KeyError, TypeError, ValueError):
            raise InputError(f"link {a}-{b} needs a numeric length_km") from None
        attrs["length_km"] = check_real(f"length_km of link {a}-{b}", length, 1e-9, 1e5)
        if "visibility" in attrs:
            try:
                vis = float(attrs["visibility"])
            except (TypeError, ValueError):
                raise InputError(f"link {a}-{b}: visibility must be a number") from None
            attrs["visibility"] = check_real(f"visibility of link {a}-{b}", vis, -1 / 3, 1.0)
    return graph


def _node_id(value) -> str:
    """Node ids: strings, or integers (``2`` and ``2.0`` are the same node)."""
    if isinstance(value, bool) or value is None:
        raise InputError(f"node ids must be strings or integers, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise InputError(f"node ids must be strings or integers, got {value!r}")
        value = int(value)
    if not isinstance(value, (str, int)):
        raise InputError(f"node ids must be strings or integers, got {value!r}")
    return str(value)


#: Tie-break between equally visible paths: cost per km added to -ln v_e.
TIE_BREAK_PER_KM = 1e-9


@dataclass(frozen=True)
class PathBound:
    """Best path between two nodes and its chain bound.

    Attributes
    ----------
    path : list of str
        Nodes from source to target.
    links : list of dict
        Per link: endpoints, ``length_km``, ``visibility``.
    visibility : float
        Visibility of the average delivered end-to-end link (with memory decay).
    fresh_chain_visibility : float
        :math:`\\prod_e v_e` of the fresh links (what the path choice maximises).
    rate_upper_bound : float
        Bound (bits per delivered pair) from :func:`~qkdbounds.repeaters.planner.plan_path`.
    distance_km : float
        Fibre length of the path.
    plob_bound : float
        Repeaterless bound of one fibre as long as the path (bits per channel use).
    """

    source: str
    target: str
    path: list
    links: list = field(repr=False)
    visibility: float
    rate_upper_bound: float | None
    distance_km: float
    plob_bound: float
    key_rate_upper_bound_bps: float | None = None
    plob_key_rate_bps: float | None = None
    fresh_chain_visibility: float = 1.0
    method: str = ("path: max prod v_e of the fresh links (Dijkstra on -ln v_e); "
                   "bound: qkdbounds plan's model on that path")
    status: str = "ok"


def _weighted(graph, link_kwargs):
    import networkx as nx

    default = link_kwargs.get("link_visibility", 1.0)
    weighted = nx.Graph()
    weighted.add_nodes_from(graph.nodes(data=True))
    for a, b, attrs in graph.edges(data=True):
        vis = float(attrs.get("visibility", default))
        if vis > 0:  # a link with v <= 0 is separable: it carries no entanglement
            weighted.add_edge(a, b, length_km=attrs["length_km"], visibility=vis,
                              cost=-math.log(vis) + TIE_BREAK_PER_KM * attrs["length_km"])
    return weighted


def _path_bound(weighted, source, target, path, leakage, model, link_kwargs):
    from .planner import plan_path

    links = [{"from": a, "to": b, "length_km": weighted.edges[a, b]["length_km"],
              "visibility": weighted.edges[a, b]["visibility"]} for a, b in zip(path, path[1:])]
    fresh = math.prod(x["visibility"] for x in links)
    kwargs = {k: v for k, v in link_kwargs.items() if k != "link_visibility"}
    # heterogeneous fresh visibilities enter through their product (composition law): the
    # planner gets one isotropic link visibility whose K-fold product is that product
    k = len(links)
    v_each = math.copysign(abs(fresh) ** (1.0 / k), fresh) if fresh != 0 else 0.0
    plan = plan_path([x["length_km"] for x in links], leakage, model=model,
                     link_visibility=v_each, **kwargs)
    e = plan.end_to_end
    return PathBound(str(source), str(target), [str(n) for n in path], links, e["visibility"],
                     e["rate_upper_bound"], plan.distance_km, e["plob_bound"],
                     e["key_rate_upper_bound_bps"], e["plob_key_rate_bps"], fresh)


def best_path(graph, source, target, leakage: float, model: str = "uniform",
              **link_kwargs) -> PathBound | None:
    """Best end-to-end bound between ``source`` and ``target`` (``None`` if not connected)."""
    import networkx as nx

    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    source, target = _node_id(source), _node_id(target)
    for node in (source, target):
        if node not in graph:
            raise InputError(f"node {node!r} is not in the network")
    if source == target:
        raise InputError(f"source and target must differ, both are {source!r}")
    weighted = _weighted(graph, link_kwargs)
    try:
        path = nx.dijkstra_path(weighted, source, target, weight="cost")
    except nx.NetworkXNoPath:
        return None
    return _path_bound(weighted, source, target, path, leakage, model, link_kwargs)


def all_pairs(graph, leakage: float, model: str = "uniform", callback=None,
              sources: list | None = None, **link_kwargs) -> list[PathBound]:
    """:func:`best_path` for every pair of nodes (one Dijkstra per node).

    ``sources`` restricts the pairs to those whose first node (in sorted order) is listed: the
    unit of work a distributed run hands to one task (:mod:`qkdbounds.sweep.network`).
    """
    import networkx as nx

    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    weighted = _weighted(graph, link_kwargs)
    nodes = sorted(graph.nodes, key=str)
    wanted = None if sources is None else set(sources)
    out = []
    for i, source in enumerate(nodes):
        if wanted is not None and source not in wanted:
            continue
        paths = nx.single_source_dijkstra_path(weighted, source, weight="cost")
        for target in nodes[i + 1:]:
            if target in paths:
                out.append(_path_bound(weighted, source, target, paths[target], leakage, model,
                                       link_kwargs))
        if callback is not None:
            callback(1)
    return out


def write_network_figures(graph, bounds: list[PathBound], out_dir) -> list[str]:
    """A map of the network (edges labelled with km) and the bound against path distance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pos = {}
    for n, a in graph.nodes(data=True):
        try:
            pos[n] = (float(a["x"]), float(a["y"]))
        except (KeyError, TypeError, ValueError):
            pass
    if len(pos) != graph.number_of_nodes() or not all(map(math.isfinite, sum(pos.values(), ()))):
        pos = nx.spring_layout(graph, seed=1, weight="length_km")
    fig, ax = plt.subplots(figsize=(6, 5))
    nx.draw_networkx(graph, pos, ax=ax, node_color="tab:blue", font_color="white", node_size=500)
    nx.draw_networkx_edge_labels(graph, pos, ax=ax, font_size=7, edge_labels={
        (a, b): f"{attrs['length_km']:g} km" for a, b, attrs in graph.edges(data=True)})
    ax.set_title("network (fibre lengths)")
    ax.axis("off")
    files = [str(out / "network_map.png")]
    atomic_write(files[0], lambda tmp: fig.savefig(tmp, dpi=150, bbox_inches="tight"))
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    shown = [b for b in bounds if b.rate_upper_bound is not None]
    ax.scatter([b.distance_km for b in shown], [b.rate_upper_bound for b in shown], s=18)
    ax.set_xlabel("path length (km)")
    ax.set_ylabel("key-rate upper bound (bits per pair)")
    ax.set_title("best path per node pair")
    ax.grid(alpha=0.3)
    files.append(str(out / "network_bounds.png"))
    atomic_write(files[1], lambda tmp: fig.savefig(tmp, dpi=150, bbox_inches="tight"))
    plt.close(fig)
    return files
