r"""Networks: best end-to-end key-rate bounds over paths of a fibre graph (issue 15, part 4).

A network is a graph (networkx) of nodes and fibre links, read from JSON
(``{"nodes": [{"id": "A", "x": 0, "y": 0}, ...], "links": [{"source": "A", "target": "B",
"length_km": 80}, ...]}``) or GraphML (edge attribute ``length_km``).  Every fibre link is one
heralded elementary link (:mod:`qkdbounds.repeaters.planner`: loss, detector efficiency, Bell
measurement) and every intermediate node a repeater with ideal swapping.  A link's delivered
visibility is the link visibility times the memory decay of both its qubits over the expected
generation time of that link, :math:`\tau/\lambda` (a per-link, path-independent model: a memory
waits as long as its own link takes to herald), so an isotropic chain over a path has the
visibility :math:`\prod_e v_e` (the composition law).  The rate bound of paper 1 increases with
the visibility, so the best path maximises :math:`\prod_e v_e`: a shortest path for the edge
weights :math:`-\ln v_e` (Dijkstra; links with :math:`v_e \le 0` are unusable).  The result
carries the chosen path, its links and the chain certificate; ``tests/repeaters/test_network.py``
compares it with a brute force over all simple paths.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, check_choice, check_probability, check_real
from .planner import FIBRE_SPEED_KM_S, fibre_transmissivity, plob_bound

__all__ = ["load_network", "link_visibility", "best_path", "all_pairs", "PathBound",
           "MAX_NETWORK_NODES"]

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
            graph = nx.Graph(nx.read_graphml(p))
        except Exception as exc:  # noqa: BLE001 - any parse failure of a user file
            raise InputError(f"network file {p} is not readable GraphML ({exc})") from None
    else:
        try:
            data = json.loads(p.read_text())
            graph = nx.Graph()
            for node in data.get("nodes", []):
                node = dict(node)
                graph.add_node(str(node.pop("id")), **node)
            for link in data["links"]:
                link = dict(link)
                graph.add_edge(str(link.pop("source")), str(link.pop("target")), **link)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
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
    return graph


def link_visibility(length_km: float, *, loss_db_per_km: float = 0.2,
                    detector_efficiency: float = 0.9, link_visibility: float = 1.0,
                    memory_t2_s: float | None = None, source_rate_hz: float = 1e8,
                    bsm_success: float = 0.5) -> dict:
    """Delivered visibility and generation rate of one fibre link (module docstring)."""
    eta = fibre_transmissivity(length_km, loss_db_per_km)
    source_rate_hz = check_real("source_rate_hz", source_rate_hz, 1.0, 1e13)
    if memory_t2_s is not None:
        memory_t2_s = check_real("memory_t2_s", memory_t2_s, 1e-12, 1e9)
    p = check_probability("bsm_success", bsm_success) * \
        check_probability("detector_efficiency", detector_efficiency) ** 2 * eta
    tau = max(1.0 / source_rate_hz, length_km / FIBRE_SPEED_KM_S)
    lam = -math.log1p(-p) if p < 1 else math.inf
    gen_time = 0.0 if lam == math.inf else (tau / lam if lam > 0 else math.inf)
    survival = 1.0 if memory_t2_s is None else math.exp(-gen_time / memory_t2_s)
    v = check_real("link_visibility", link_visibility, -1 / 3, 1.0) * survival**2
    return {"visibility": v, "transmissivity": eta, "success_probability": p,
            "generation_time_s": gen_time, "memory_survival": survival}


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
        End-to-end visibility :math:`\\prod_e v_e` (composition law).
    rate_upper_bound : float
        Paper-1 bound (bits per delivered pair) of the end-to-end link, with leakage.
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
    rate_upper_bound: float
    distance_km: float
    plob_bound: float
    method: str = "max over paths of prod v_e (Dijkstra on -ln v_e); isotropic chain bound"
    status: str = "ok"


def _weighted(graph, leakage, model, link_kwargs):
    import networkx as nx

    weighted = nx.Graph()
    weighted.add_nodes_from(graph.nodes(data=True))
    for a, b, attrs in graph.edges(data=True):
        info = link_visibility(attrs["length_km"], **link_kwargs)
        if info["visibility"] > 0:
            weighted.add_edge(a, b, length_km=attrs["length_km"], cost=-math.log(info["visibility"]),
                              **info)
    return weighted


def _path_bound(weighted, source, target, path, leakage, model, loss_db_per_km, d=2):
    from ..bounds import rate_upper_bound

    links, vis, dist = [], 1.0, 0.0
    for a, b in zip(path, path[1:]):
        e = weighted.edges[a, b]
        links.append({"from": a, "to": b, "length_km": e["length_km"], "visibility": e["visibility"]})
        vis *= e["visibility"]
        dist += e["length_km"]
    rate = 0.0 if vis <= 1 / (1 + d) else rate_upper_bound(d, 2, min(vis, 1.0), leakage, model).value
    return PathBound(str(source), str(target), [str(n) for n in path], links, vis, rate, dist,
                     plob_bound(fibre_transmissivity(dist, loss_db_per_km)))


def best_path(graph, source, target, leakage: float, model: str = "uniform",
              **link_kwargs) -> PathBound | None:
    """Best end-to-end bound between ``source`` and ``target`` (``None`` if not connected)."""
    import networkx as nx

    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    for node in (source, target):
        if node not in graph:
            raise InputError(f"node {node!r} is not in the network")
    weighted = _weighted(graph, leakage, model, link_kwargs)
    try:
        path = nx.dijkstra_path(weighted, source, target, weight="cost")
    except nx.NetworkXNoPath:
        return None
    return _path_bound(weighted, source, target, path, leakage, model,
                       link_kwargs.get("loss_db_per_km", 0.2))


def all_pairs(graph, leakage: float, model: str = "uniform", callback=None,
              sources: list | None = None, **link_kwargs) -> list[PathBound]:
    """:func:`best_path` for every pair of nodes (one Dijkstra per node).

    ``sources`` restricts the pairs to those whose first node (in sorted order) is listed: the
    unit of work a distributed run hands to one task (:mod:`qkdbounds.sweep.network`).
    """
    import networkx as nx

    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    weighted = _weighted(graph, leakage, model, link_kwargs)
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
                                       link_kwargs.get("loss_db_per_km", 0.2)))
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
    pos = {n: (a["x"], a["y"]) for n, a in graph.nodes(data=True) if "x" in a and "y" in a}
    if len(pos) != graph.number_of_nodes():
        pos = nx.spring_layout(graph, seed=1, weight="length_km")
    fig, ax = plt.subplots(figsize=(6, 5))
    nx.draw_networkx(graph, pos, ax=ax, node_color="tab:blue", font_color="white", node_size=500)
    nx.draw_networkx_edge_labels(graph, pos, ax=ax, font_size=7, edge_labels={
        (a, b): f"{attrs['length_km']:g} km" for a, b, attrs in graph.edges(data=True)})
    ax.set_title("network (fibre lengths)")
    ax.axis("off")
    files = [str(out / "network_map.png")]
    fig.savefig(files[0], dpi=150, bbox_inches="tight")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter([b.distance_km for b in bounds], [b.rate_upper_bound for b in bounds], s=18)
    ax.set_xlabel("path length (km)")
    ax.set_ylabel("key-rate upper bound (bits per pair)")
    ax.set_title("best path per node pair")
    ax.grid(alpha=0.3)
    files.append(str(out / "network_bounds.png"))
    fig.savefig(files[1], dpi=150, bbox_inches="tight")
    plt.close(fig)
    return files
