r"""Networks: the path with the most key per second between nodes of a fibre graph (issues 15, 23).

A network is a graph (networkx) of nodes and fibre links, read from JSON
(``{"nodes": [{"id": "A", "x": 0, "y": 0}, ...], "links": [{"source": "A", "target": "B",
"length_km": 80, "visibility": 0.98}, ...]}``) or GraphML (edge attribute ``length_km``, optional
``visibility``).  Every fibre link is one heralded elementary link and every intermediate node a
repeater with ideal swapping, planned with the model of ``qkdbounds plan``
(:func:`qkdbounds.repeaters.planner.plan_path`), so ``network`` and ``plan`` agree on any path.

**Objective ``"key-rate"`` (default).**  The best path per pair maximises the planner's
key-rate upper bound per second, ``key_rate_upper_bound_bps`` = (bound per pair at the chain
visibility :math:`V = \prod_e v_e`) x (pair-rate bound :math:`1/(\tau E_{low})`), ties broken by
larger :math:`V`, then shorter fibre.  It is not additive over links, so no shortest-path
algorithm applies; it is found exactly by a **label-setting search with dominance**, one per
source node for all targets at once.  A label is a walk from the source: (segments K,
:math:`V`, its segment lengths sorted in decreasing order).  Without memories the key rate of a
walk depends only on these, and label *a* dominates label *b* at the same node when
:math:`K_a \le K_b`, :math:`V_a \ge V_b` and the i-th longest segment of *a* is no longer than
the i-th longest of *b* (i < K_a): coupling each segment of *a* with a longer one of *b*, the
last heralding time of *a* is stochastically smaller, whatever common continuation follows
(:func:`~qkdbounds.repeaters.planner.expected_max_attempts_lower` is monotone), the attempt time
:math:`\tau` is no longer and :math:`V` no smaller, so every continuation of *a* has at least
the key (and the tie-break ranks) of the same continuation of *b*; dominated labels are dropped.
Labels whose :math:`V` is at or below the zero-key visibility are dropped too (no continuation
has key).  A walk with a cycle is dominated by the walk without it (fewer, shorter segments,
larger :math:`V`), so the surviving best label is a simple path and the search is exact over
simple paths; ``tests/repeaters/test_network_key.py`` checks it against a brute force over all
simple paths.  Why not enumerate simple paths: their number grows exponentially (a 300-node
graph has far too many); the dominance search visits a few non-dominated labels per node.
Pairs with no path of positive key get the best path of the visibility objective (key 0).
**Cost, bounded.**  The number of non-dominated labels is small on sparse graphs with short
paths (a 12-node graph: milliseconds per source) but grows fast on large dense graphs with
near-perfect links (a 300-node random geometric graph of mean degree 10.6 and links of 20-150
km with v in [0.97, 1]: ~20,000 labels in ~4 s from one source, > 240,000 in 2 min, measured);
so the search counts its labels and refuses beyond ``max_labels`` per source (default
``MAX_LABELS``) with one line naming the option and the visibility objective (Dijkstra, about
0.1 s per source on that graph).

**With memories** (``memory_t2_s``) the per-pair bound is averaged over the sampled heralding
times and is not a function of the label, so dominance does not apply.  The memoryless key rate
bounds it from above (memories only add noise; the planner caps the averaged bound by the
noiseless one).  So the memoryless optimum is planned with memories first, then a depth-first
branch and bound over simple paths (the memoryless key rate of a partial path bounds every
continuation's key with memories) plans every path that could still beat it; at most
``max_candidates`` planned paths per pair (refused with one line naming the option otherwise).

**Objective ``"visibility"``.**  The path whose fresh links have the largest
:math:`\prod_e v_e` (the chain bound per pair increases with it): Dijkstra on
:math:`-\ln v_e` (ties -- e.g. all links perfect -- go to the shorter fibre route through a
:math:`10^{-9}` per km tie-break).

**Beside the chain's bound** each path reports the repeaterless PLOB bound of its whole fibre
length and the repeater-assisted bound of its segments, :math:`\min_i -\log_2(1-\eta_i)` bits per
use (Pirandola, Laurenza, Ottaviani & Banchi, Nat. Commun. 8, 15043 (2017); Pirandola, Commun.
Phys. 2, 51 (2019)).  Unreachable pairs are listed by :func:`unreachable_pairs`.
"""

from __future__ import annotations

from .._io import atomic_write

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError, check_choice, check_int, check_probability, check_real

__all__ = ["load_network", "best_path", "all_pairs", "unreachable_pairs", "PathBound",
           "OBJECTIVES", "MAX_NETWORK_NODES", "MAX_CANDIDATES"]

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
#: Path objectives: the planner's key rate per second, or the fresh chain visibility.
OBJECTIVES = ("key-rate", "visibility")
#: With memories: most paths planned per pair by the branch and bound (``max_candidates``).
MAX_CANDIDATES = 2000
#: With memories: most partial paths expanded per pair by the branch and bound.
MAX_EXPANSIONS_PER_CANDIDATE = 200
#: Key-rate objective: most labels (partial paths) created per source node (``max_labels``).
MAX_LABELS = 20000
#: Grid of visibilities on which the bound per pair is tabulated for the branch and bound's
#: pruning (an upper bound: the value at the next grid point above, the bound being monotone).
N_RATE_GRID = 4097

_METHODS = {
    "key-rate": ("path: max key_rate_upper_bound_bps (the planner's key rate per second), "
                 "label-setting search with dominance, exact over simple paths; bound: qkdbounds "
                 "plan's model on that path"),
    "visibility": ("path: max prod v_e of the fresh links (Dijkstra on -ln v_e); "
                   "bound: qkdbounds plan's model on that path"),
}


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
        :math:`\\prod_e v_e` of the fresh links.
    rate_upper_bound : float
        Bound (bits per delivered pair) from :func:`~qkdbounds.repeaters.planner.plan_path`.
    key_rate_upper_bound_bps : float
        That times the pair-rate bound: what the ``"key-rate"`` objective maximises.
    distance_km : float
        Fibre length of the path.
    plob_bound : float
        Repeaterless bound of one fibre as long as the path (bits per channel use).
    plob_repeater_chain_bound : float
        Repeater-assisted bound of the path's segments, :math:`\\min_i -\\log_2(1-\\eta_i)` (bits
        per use; Pirandola, Commun. Phys. 2, 51 (2019)).
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
    pair_rate_upper_bound_hz: float | None = None
    plob_repeater_chain_bound: float | None = None
    plob_repeater_chain_key_rate_bps: float | None = None
    objective: str = "key-rate"
    candidates_planned: int = 1
    citation: str = field(default="", repr=False)
    method: str = _METHODS["key-rate"]
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


def _path_bound(weighted, source, target, path, leakage, model, link_kwargs,
                objective="key-rate", candidates=1):
    from .planner import PLOB_CITATION, plan_path

    links = [{"from": a, "to": b, "length_km": weighted.edges[a, b]["length_km"],
              "visibility": weighted.edges[a, b]["visibility"]} for a, b in zip(path, path[1:])]
    fresh = math.prod(x["visibility"] for x in links)
    plan = _plan(links, leakage, model, link_kwargs)
    e = plan.end_to_end
    return PathBound(str(source), str(target), [str(n) for n in path], links, e["visibility"],
                     e["rate_upper_bound"], plan.distance_km, e["plob_bound"],
                     e["key_rate_upper_bound_bps"], e["plob_key_rate_bps"], fresh,
                     e["pair_rate_upper_bound_hz"], e["plob_repeater_chain_bound"],
                     e["plob_repeater_chain_key_rate_bps"], objective, candidates,
                     PLOB_CITATION, _METHODS[objective])


def _plan(links, leakage, model, link_kwargs):
    from .planner import plan_path

    fresh = math.prod(x["visibility"] for x in links)
    kwargs = {k: v for k, v in link_kwargs.items() if k != "link_visibility"}
    # heterogeneous fresh visibilities enter through their product (composition law): the
    # planner gets one isotropic link visibility whose K-fold product is that product
    k = len(links)
    v_each = math.copysign(abs(fresh) ** (1.0 / k), fresh) if fresh != 0 else 0.0
    return plan_path([x["length_km"] for x in links], leakage, model=model,
                     link_visibility=v_each, **kwargs)


class _KeyModel:
    """The planner's key rate per second as a function of (V, segment lengths), memoryless."""

    def __init__(self, leakage, model, link_kwargs):
        from .planner import chain_rate_per_pair

        self.leakage, self.model = leakage, model
        self.herald = {k: link_kwargs[k] for k in ("loss_db_per_km", "detector_efficiency",
                                                   "source_rate_hz", "bsm_success")
                       if k in link_kwargs}
        self._rate = lambda v: chain_rate_per_pair(v, leakage, model)
        # zero-key visibility: r(v_zero) = 0 exactly (bisection on the monotone bound)
        lo, hi = 0.0, 1.0
        if self._rate(np.array([1.0]))[0] <= 0:
            self.v_zero = 1.0
        else:
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if self._rate(np.array([mid]))[0] <= 0 else (lo, mid)
            self.v_zero = lo
        self._grid = self._table = None

    def rate(self, visibilities):
        return self._rate(np.asarray(visibilities, dtype=float))

    def pair_rate(self, lengths) -> float:
        from .planner import heralding

        return heralding(lengths, **self.herald)["pair_rate_upper_bound_hz"]

    def rate_upper(self, visibility: float) -> float:
        """An upper bound on ``rate(visibility)`` from a table (the next grid point above)."""
        if self._grid is None:
            self._grid = np.linspace(self.v_zero, 1.0, N_RATE_GRID)
            self._table = self.rate(self._grid)
        i = int(np.searchsorted(self._grid, visibility, side="left"))
        return float(self._table[min(i, N_RATE_GRID - 1)])


class _Label:
    __slots__ = ("node", "k", "vis", "lengths", "parent", "alive")

    def __init__(self, node, k, vis, lengths, parent):
        self.node, self.k, self.vis, self.lengths, self.parent = node, k, vis, lengths, parent
        self.alive = True

    def dominates(self, other) -> bool:
        return (self.k <= other.k and self.vis >= other.vis
                and all(x <= y for x, y in zip(self.lengths, other.lengths)))

    def path(self) -> list:
        out, label = [], self
        while label is not None:
            out.append(label.node)
            label = label.parent
        return out[::-1]


def _key_search(weighted, source, key_model, max_labels=None) -> dict:
    """Label-setting search with dominance from ``source`` (module docstring): the
    non-dominated labels at every node; refused beyond ``max_labels`` labels created."""
    max_labels = MAX_LABELS if max_labels is None else max_labels
    import heapq

    root = _Label(source, 0, 1.0, (), None)
    at: dict = {source: [root]}
    heap = [(-1.0, 0, root)]
    count = 1
    while heap:
        _, _, label = heapq.heappop(heap)
        if not label.alive:
            continue
        for nbr, attrs in weighted[label.node].items():
            if nbr == source:
                continue
            vis = label.vis * attrs["visibility"]
            if vis <= key_model.v_zero:
                continue                                      # no continuation has key
            lengths = tuple(sorted(label.lengths + (attrs["length_km"],), reverse=True))
            new = _Label(nbr, label.k + 1, vis, lengths, label)
            here = at.setdefault(nbr, [])
            if any(old.dominates(new) for old in here):
                continue
            for old in here:
                if new.dominates(old):
                    old.alive = False
            here[:] = [old for old in here if old.alive]
            here.append(new)
            count += 1
            if count > max_labels:
                raise InputError(f"network: the key-rate search from node {source} needs more "
                                 f"than {max_labels} labels (non-dominated partial paths); raise "
                                 f"--max-labels or use --objective visibility")
            # best-first on (V x pair-rate bound): good labels early, fewer dominated expansions
            heapq.heappush(heap, (-vis * key_model.pair_rate(lengths), count, new))
    return at


def _best_key_labels(weighted, source, targets, key_model, max_labels=None) -> dict:
    """For each target: (path, memoryless key) of the best non-dominated label, or None."""
    at = _key_search(weighted, source, key_model, max_labels)
    cands = [(t, lab) for t in targets for lab in at.get(t, ())]
    if not cands:
        return {t: None for t in targets}
    rates = key_model.rate([lab.vis for _, lab in cands])
    best: dict = {t: None for t in targets}
    for (t, lab), r in zip(cands, rates):
        key = float(r) * key_model.pair_rate(lab.lengths)
        rank = (key, lab.vis, -sum(lab.lengths))
        if key > 0 and (best[t] is None or rank > best[t][0]):
            best[t] = (rank, lab)
    return {t: None if b is None else (b[1].path(), b[0][0]) for t, b in best.items()}


def _refine_with_memories(weighted, source, target, path, leakage, model, link_kwargs,
                          key_model, max_candidates):
    """Branch and bound over simple paths for the key with memories (module docstring)."""
    def links_of(p):
        return [{"from": a, "to": b, "length_km": weighted.edges[a, b]["length_km"],
                 "visibility": weighted.edges[a, b]["visibility"]} for a, b in zip(p, p[1:])]

    def key_of(p):
        value = _plan(links_of(p), leakage, model, link_kwargs).end_to_end[
            "key_rate_upper_bound_bps"]
        return -1.0 if value is None else value

    best_path, best_key, planned = list(path), key_of(path), 1
    expansions, limit = 0, MAX_EXPANSIONS_PER_CANDIDATE * max_candidates
    stack = [(source, (source,), 1.0, ())]
    while stack:
        node, visited, vis, lengths = stack.pop()
        for nbr, attrs in weighted[node].items():
            if nbr in visited:
                continue
            v2 = vis * attrs["visibility"]
            if v2 <= key_model.v_zero:
                continue
            l2 = lengths + (attrs["length_km"],)
            # memoryless key of the partial path bounds every continuation's key with memories
            upper = key_model.rate_upper(v2) * key_model.pair_rate(l2)
            if upper <= best_key:
                continue
            expansions += 1
            if expansions > limit:
                raise InputError(f"network: more than {limit} partial paths between {source} and "
                                 f"{target} could beat the best key with memories; raise "
                                 f"max_candidates (--max-candidates, now {max_candidates}) or "
                                 f"use --objective visibility")
            if nbr == target:
                p = list(visited) + [nbr]
                if tuple(p) == tuple(best_path):
                    continue
                planned += 1
                if planned > max_candidates:
                    raise InputError(f"network: more than {max_candidates} paths between "
                                     f"{source} and {target} could beat the best key with "
                                     f"memories; raise --max-candidates or use --objective "
                                     f"visibility")
                key = key_of(p)
                if key > best_key:
                    best_path, best_key = p, key
                continue
            stack.append((nbr, visited + (nbr,), v2, l2))
    return best_path, planned


def _check(leakage, model, objective, max_candidates, max_labels=MAX_LABELS):
    check_int("max_labels", max_labels, 1, 10**8)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("objective", objective, OBJECTIVES)
    check_int("max_candidates", max_candidates, 1, 10**7)
    return leakage


def _pairs_from(weighted, graph, source, targets, leakage, model, objective, link_kwargs,
                max_candidates, key_model, max_labels=None):
    """Best paths from ``source`` to each of ``targets`` (unreachable targets omitted)."""
    import networkx as nx

    vis_paths = nx.single_source_dijkstra_path(weighted, source, weight="cost")
    targets = [t for t in targets if t in vis_paths and t != source]
    if objective == "visibility":
        return [_path_bound(weighted, source, t, vis_paths[t], leakage, model, link_kwargs,
                            "visibility") for t in targets]
    best = _best_key_labels(weighted, source, targets, key_model, max_labels)
    out = []
    for t in targets:
        path = vis_paths[t] if best[t] is None else best[t][0]   # key 0 everywhere: visibility
        planned = 1
        if link_kwargs.get("memory_t2_s") is not None:
            path, planned = _refine_with_memories(weighted, source, t, path, leakage, model,
                                                  link_kwargs, key_model, max_candidates)
        out.append(_path_bound(weighted, source, t, path, leakage, model, link_kwargs,
                               "key-rate", planned))
    return out


def best_path(graph, source, target, leakage: float, model: str = "uniform", *,
              objective: str = "key-rate", max_candidates: int = MAX_CANDIDATES,
              max_labels: int = MAX_LABELS, **link_kwargs) -> PathBound | None:
    """Best path between ``source`` and ``target`` for ``objective`` (module docstring) and its
    bound; ``None`` if the two are not connected by links of positive visibility.

    Examples
    --------
    A direct 300 km link against a 2 x 20 km route: the key rate per second picks the route.

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_edge("A", "C", length_km=300.0); g.add_edge("A", "B", length_km=20.0)
    >>> g.add_edge("B", "C", length_km=20.0)
    >>> best_path(g, "A", "C", 0.05).path
    ['A', 'B', 'C']
    """
    leakage = _check(leakage, model, objective, max_candidates, max_labels)
    source, target = _node_id(source), _node_id(target)
    for node in (source, target):
        if node not in graph:
            raise InputError(f"node {node!r} is not in the network")
    if source == target:
        raise InputError(f"source and target must differ, both are {source!r}")
    weighted = _weighted(graph, link_kwargs)
    key_model = None if objective == "visibility" else _KeyModel(leakage, model, link_kwargs)
    found = _pairs_from(weighted, graph, source, [target], leakage, model, objective,
                        link_kwargs, max_candidates, key_model, max_labels)
    return found[0] if found else None


def all_pairs(graph, leakage: float, model: str = "uniform", callback=None,
              sources: list | None = None, *, objective: str = "key-rate",
              max_candidates: int = MAX_CANDIDATES, max_labels: int = MAX_LABELS,
              **link_kwargs) -> list[PathBound]:
    """:func:`best_path` for every connected pair of nodes (one search per source node).

    ``sources`` restricts the pairs to those whose first node (in sorted order) is listed: the
    unit of work a distributed run hands to one task (:mod:`qkdbounds.sweep.network`).
    Unconnected pairs are not in the list: :func:`unreachable_pairs` lists them.
    """
    leakage = _check(leakage, model, objective, max_candidates, max_labels)
    weighted = _weighted(graph, link_kwargs)
    key_model = None if objective == "visibility" else _KeyModel(leakage, model, link_kwargs)
    nodes = sorted(graph.nodes, key=str)
    wanted = None if sources is None else set(sources)
    out = []
    for i, source in enumerate(nodes):
        if wanted is not None and source not in wanted:
            continue
        out.extend(_pairs_from(weighted, graph, source, nodes[i + 1:], leakage, model,
                               objective, link_kwargs, max_candidates, key_model,
                               max_labels))
        if callback is not None:
            callback(1)
    return out


def unreachable_pairs(graph, link_visibility: float = 1.0, pairs=None) -> list[list[str]]:
    """Node pairs (sorted order) joined by no path of links with positive visibility.

    ``pairs`` restricts the answer to the given ``(source, target)`` pairs.
    """
    import networkx as nx

    weighted = _weighted(graph, {"link_visibility": link_visibility})
    component = {n: i for i, comp in enumerate(nx.connected_components(weighted)) for n in comp}
    if pairs is not None:
        return [[str(a), str(b)] for a, b in pairs if component[a] != component[b]]
    nodes = sorted(graph.nodes, key=str)
    return [[str(a), str(b)] for i, a in enumerate(nodes) for b in nodes[i + 1:]
            if component[a] != component[b]]


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
