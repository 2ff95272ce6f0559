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
larger :math:`V`, then shorter fibre.  It is neither additive nor a bottleneck over links, so no
shortest-path algorithm gives it; per pair a **best-first branch and bound with dominance**
finds it.  The model's pieces are computed per link once and cached (success probability,
:math:`\lambda_e = -\ln(1-p_e)`, the pair-rate bound per multiset of segment lengths, the rate
per pair tabulated on ``N_RATE_GRID`` visibilities for bracketing).

*Labels* are partial paths from one end (segments K, :math:`V`, segment lengths sorted in
decreasing order).  Label *a* dominates label *b* at the same node when :math:`K_a \le K_b`,
:math:`V_a \ge V_b` and the i-th longest segment of *a* is no longer than the i-th longest of
*b*: coupling each segment of *a* with a longer one of *b*, the last heralding time of *a* is
stochastically smaller whatever common continuation follows
(:func:`~qkdbounds.repeaters.planner.expected_max_attempts_lower` is monotone), the attempt
time :math:`\tau` is no longer and :math:`V` no smaller, so every continuation of *a* has at
least the key of the same continuation of *b*; dominated labels (walks with cycles among them)
are dropped.

*The bound* on every continuation of a label at node u to the goal t: the rest of the path has
fresh visibility at most :math:`V_{rem}(u,t)` (Dijkstra on :math:`-\ln v_e`), a segment at
least :math:`\ell^*(u,t)` long (the minimax length, from the minimum spanning tree), and
log-CDF of its slowest heralding time :math:`F(\tau) = \sum_e \ln(1-e^{-\lambda_e\tau})` at
most :math:`F_{rem}(u,t,\tau)` at each :math:`\tau` (Dijkstra on :math:`-\ln(1-e^{-\lambda_e
\tau})`, one per point of a geometric grid of ratio ``TAU_GRID_RATIO``).  With
:math:`E[\max] = \int_0^\infty (1-e^{F(\tau)})\,d\tau` (exponential times; the planner's
:math:`E_{low}`) and a decreasing integrand, the right-endpoint sum on the grid bounds it from
below, and the key of every continuation is at most :math:`r(V V_{rem}) / (\tau(\max(\ell_{max},
\ell^*)) \max(\text{sum}, 1/p(\max(\ell_{max}, \ell^*))))`.  Labels are expanded in decreasing
order of this bound, starting from candidate paths (the visibility path, the minimax path and
the largest-:math:`F(\tau)` paths at every ``TREE_EVERY`` grid points); the search ends when the
best bound left is below the best key found (``key_rate_search = "exact"``: no simple path has
more key, checked against a brute force over all simple paths in
``tests/repeaters/test_network_scale.py``), or after ``max_labels`` labels for the pair
(``"gap"``: the best path found is reported with ``key_rate_best_possible_bps``, an upper bound
on the key of every path, so the user sees how far from optimal it can be).  Pairs with no path
of positive key get the visibility path (key 0, ``"zero"``).

**Cost, bounded and estimated.**  On large dense graphs of near-perfect links very many paths
have nearly the same key, so an exact search may visit very many labels; ``max_labels`` bounds
the work per pair, and :func:`estimate_seconds` gives the run time before the run (constants
measured on two idle cores), refused beyond ``max_seconds`` with one line naming the option.
Measured on a 300-node random geometric graph (mean degree 11.4, links of 20-150 km, v in
[0.97, 1], ``docs/network_format.md``): see that page for the times.

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

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError, check_choice, check_int, check_probability, check_real
from ..status import Status, StatusField
from .planner import check_link_parameters

__all__ = ["load_network", "best_path", "all_pairs", "unreachable_pairs", "PathBound",
           "check_network_question",
           "OBJECTIVES", "MAX_NETWORK_NODES", "MAX_CANDIDATES"]

#: Largest network accepted (all pairs: one Dijkstra per node).
MAX_NETWORK_NODES = 2000


def _check_network_json(path, data) -> None:
    """The layout of a JSON network file (docs/network_format.md), each defect named."""
    where = f"network file {path}"
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a JSON object with a list 'links' (and optionally "
                         f"'nodes'), got a JSON {_json_kind(data)}")
    if "links" not in data:
        raise InputError(f"{where} has no 'links': give a list of objects with source, target "
                         f"and length_km (docs/network_format.md)")
    for key, required in (("nodes", ("id",)), ("links", ("source", "target", "length_km"))):
        if key not in data:
            continue
        items = data[key]
        if not isinstance(items, list):
            raise InputError(f"{where}: '{key}' must be a list of objects, got a JSON "
                             f"{_json_kind(items)}")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"{where}: {key}[{i}] must be an object, got a JSON "
                                 f"{_json_kind(item)}")
            missing = [k for k in required if k not in item]
            if missing:
                raise InputError(f"{where}: {key}[{i}] has no {', '.join(map(repr, missing))}")


def _json_kind(value) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            type(None): "null"}.get(type(value), "number")


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
        _check_network_json(p, data)
        try:
            graph = nx.Graph()
            for node in data.get("nodes", []):
                node = dict(node)
                name = _node_id(node.pop("id"))
                if name in graph:
                    raise InputError(f"network file {p}: node {name!r} is listed twice")
                graph.add_node(name, **node)
            listed = set(graph.nodes)
            given = "nodes" in data      # (an empty list lists no node: every link then fails)
            for link in data["links"]:
                link = dict(link)
                a, b = _node_id(link.pop("source")), _node_id(link.pop("target"))
                for key in ("length_km", "visibility"):
                    value = link.get(key)
                    if key in link and (isinstance(value, bool) or not isinstance(value, (int, float))):
                        raise InputError(f"network file {p}: link {a}-{b}: {key} must be a JSON "
                                         f"number, got {value!r:.40}")
                if given and not {a, b} <= listed:
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
                             f"length_km (docs/network_format.md): {exc}") from None
    if graph.number_of_nodes() == 0 or graph.number_of_edges() == 0:
        raise InputError(f"network file {p} has no links")
    if graph.number_of_nodes() > MAX_NETWORK_NODES:
        raise InputError(f"network has {graph.number_of_nodes()} nodes; allowed: at most "
                         f"{MAX_NETWORK_NODES}")
    for a, b, attrs in graph.edges(data=True):
        try:
            length = float(attrs["length_km"])
        except (KeyError, TypeError, ValueError, OverflowError):
            raise InputError(f"link {a}-{b} needs a numeric length_km") from None
        attrs["length_km"] = check_real(f"length_km of link {a}-{b}", length, 1e-9, 1e5)
        if "visibility" in attrs:
            try:
                vis = float(attrs["visibility"])
            except (TypeError, ValueError, OverflowError):
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
#: Key-rate objective: most labels (partial paths) created per node pair (``max_labels``);
#: beyond, the pair reports the best path found and a certified bound on every path.
MAX_LABELS = 30
#: Grid of visibilities on which the bound per pair is tabulated for the searches' pruning
#: (bracketing: the values at the grid points below and above, the bound being monotone).
N_RATE_GRID = 65537
#: Ratio of the geometric grid of heralding times on which the search bounds E[max] from below.
TAU_GRID_RATIO = 1.03
#: Every so many grid points the search also tries the path of largest F(tau) as a candidate.
TREE_EVERY = 48
#: Sources whose bounds are computed together (one Dijkstra call per grid point for all).
BOUNDS_BATCH = 8
#: Work estimate (measured on 2 idle cores, one process): seconds per node pair for the
#: visibility objective and for the key-rate search's fixed part, per label created, per
#: path planned with memories, and per source node (bounds).
SECONDS_PER_PAIR = 3e-3
SECONDS_PER_LABEL = 1e-4
SECONDS_PER_PLAN = 8e-3
SECONDS_PER_SOURCE = {"key-rate": 0.1, "visibility": 0.005}
#: The typical run time as a fraction of the estimate's bound.
TYPICAL_FRACTION = 0.5
#: Default limit on the estimated run time (``max_seconds``, ``--max-seconds``).
MAX_SECONDS = 600.0

_METHODS = {
    "key-rate": ("path: max key_rate_upper_bound_bps (the planner's key rate per second), "
                 "best-first branch and bound with dominance over paths, exact when "
                 "key_rate_search is 'exact'; bound: qkdbounds plan's model on that path"),
    "visibility": ("path: max prod v_e of the fresh links (Dijkstra on -ln v_e); "
                   "bound: qkdbounds plan's model on that path"),
}


@dataclass(frozen=True, eq=False)
class PathBound(StatusField):
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
        per use: PLOB of each segment, Pirandola, Laurenza, Ottaviani & Banchi, Nat. Commun. 8,
        15043 (2017); the chain is limited by its worst segment, Pirandola, Commun. Phys. 2, 51
        (2019)).
    key_rate_search : str
        ``"exact"``: no path between the pair has more key per second (memoryless key, and with
        memories the branch and bound); ``"gap"``: the search stopped at ``max_labels`` labels
        and ``key_rate_best_possible_bps`` bounds every path; ``"zero"``: no path has key
        (the visibility path is reported); ``"visibility"``: the visibility objective.
    key_rate_best_possible_bps : float or None
        Upper bound on the memoryless key per second of every path between the pair.
    method : str
    status : Status
        Of the path choice: ``optimal`` when the chosen path is proven best for the objective
        (``key_rate_search`` ``exact`` or ``zero``, or the visibility objective's shortest-path
        search), ``certified`` when the search stopped with a gap (the path's numbers are
        bounds for that path; no path has more than ``key_rate_best_possible_bps``).
    message : str
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
    key_rate_search: str = "exact"
    key_rate_best_possible_bps: float | None = None
    labels: int = 0
    citation: str = field(default="", repr=False)
    method: str = _METHODS["key-rate"]
    status: Status = Status.OPTIMAL
    message: str = ""
    #: A lower bound on the key per delivered pair (bits; the Devetak-Winter rate of the
    #: delivered pair, time-averaged with memories), its assumptions, and the verdict
    #: (``"no_key"``, ``"key"`` or ``"open"``; :mod:`qkdbounds.bounds.verdict`).
    lower_bound: float | None = None
    lower_bound_method: str | None = None
    verdict: str = "open"
    unit: str = "bits per delivered pair"


def _mean_attempts(p: float) -> float:
    """1/p attempts until a segment heralds: inf where p underflowed to 0 (a segment of more
    than ~16,000 km: no pair is delivered, no key per second)."""
    return math.inf if p <= 0.0 else 1.0 / p


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
                objective="key-rate", candidates=1, search=None, key_model=None):
    """The PathBound of ``path``: :func:`~qkdbounds.repeaters.planner.plan_path` on it, or,
    without memories and with a ``key_model``, the same figures from the model's cached
    pieces (no Monte Carlo is needed without memories; equal to ``plan_path`` to rounding)."""
    from .planner import PLOB_CITATION, fibre_transmissivity, plob_bound

    links = [{"from": a, "to": b, "length_km": weighted.edges[a, b]["length_km"],
              "visibility": weighted.edges[a, b]["visibility"]} for a, b in zip(path, path[1:])]
    fresh = math.prod(x["visibility"] for x in links)
    search = search or {}
    tag = search.get("key_rate_search", "visibility" if objective == "visibility" else "exact")
    if key_model is not None and link_kwargs.get("memory_t2_s") is None:
        lengths = [x["length_km"] for x in links]
        loss = link_kwargs.get("loss_db_per_km", 0.2)
        if "rate" in search:        # computed by the search for this very path
            rate, pair_rate = search["rate"], search["pair_rate"]
        else:
            rate = float(key_model.rate([fresh])[0])
            pair_rate = key_model.pair_rate(lengths)
        plob = plob_bound(fibre_transmissivity(sum(lengths), loss))
        chain = min(plob_bound(fibre_transmissivity(x, loss)) for x in lengths)
        f = link_kwargs.get("source_rate_hz", 1e8)
        e = {"visibility": fresh, "rate_upper_bound": rate, "plob_bound": plob,
             "key_rate_upper_bound_bps": rate * pair_rate, "plob_key_rate_bps": f * plob,
             "pair_rate_upper_bound_hz": pair_rate, "plob_repeater_chain_bound": chain,
             "plob_repeater_chain_key_rate_bps": f * chain}
        # the delivered pair is the isotropic link of visibility ``fresh``: its lower bound
        from ..bounds.verdict import decide
        from .link_bounds import link_key_bound
        from .links import isotropic_weights

        low = link_key_bound(isotropic_weights(min(max(fresh, 0.0), 1.0),
                                               link_kwargs.get("local_dim", 2)), leakage, model)
        lower = None if low.lower_bound is None else min(low.lower_bound, rate)
        e.update(lower_bound=lower, lower_bound_method=low.lower_bound_method,
                 verdict=decide(rate, lower))
        distance = float(sum(lengths))
    else:
        plan = _plan(links, leakage, model, link_kwargs)
        e, distance = plan.end_to_end, plan.distance_km
    return PathBound(str(source), str(target), [str(n) for n in path], links, e["visibility"],
                     e["rate_upper_bound"], distance, e["plob_bound"],
                     e["key_rate_upper_bound_bps"], e["plob_key_rate_bps"], fresh,
                     e["pair_rate_upper_bound_hz"], e["plob_repeater_chain_bound"],
                     e["plob_repeater_chain_key_rate_bps"], objective, candidates,
                     key_rate_search=tag,
                     key_rate_best_possible_bps=search.get("key_rate_best_possible_bps"),
                     labels=search.get("labels", 0), citation=PLOB_CITATION,
                     lower_bound=e.get("lower_bound"),
                     lower_bound_method=e.get("lower_bound_method"),
                     verdict=e.get("verdict", "open"),
                     method=_METHODS[objective],
                     status=Status.CERTIFIED if tag == "gap" else Status.OPTIMAL,
                     message=("the path search stopped with a gap: the best path found; no path "
                              "has more key per second than key_rate_best_possible_bps"
                              if tag == "gap" else ""))


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
    """The planner's memoryless key rate per second, computed per edge once and cached.

    ``key(V, lengths) = r(V) / (tau(max lengths) * E_low(p(lengths)))`` with ``r``
    (:func:`~qkdbounds.repeaters.planner.chain_rate_per_pair`) tabulated on ``N_RATE_GRID``
    visibilities for bracketing (monotone: the values at the grid points below and above bracket
    it) and evaluated exactly, in batches, for the final choice.
    """

    def __init__(self, leakage, model, link_kwargs):
        from .planner import FIBRE_SPEED_KM_S, chain_rate_per_pair

        self.leakage, self.model = leakage, model
        self.herald = {k: link_kwargs[k] for k in ("loss_db_per_km", "detector_efficiency",
                                                   "source_rate_hz", "bsm_success")
                       if k in link_kwargs}
        self.loss = float(self.herald.get("loss_db_per_km", 0.2))
        self.p_scale = (float(self.herald.get("bsm_success", 0.5))
                        * float(self.herald.get("detector_efficiency", 0.9)) ** 2)
        self.min_tau = 1.0 / float(self.herald.get("source_rate_hz", 1e8))
        self.speed = FIBRE_SPEED_KM_S
        self._rate = lambda v: chain_rate_per_pair(v, leakage, model)
        self._grid = np.linspace(0.0, 1.0, N_RATE_GRID)
        self._table = self.rate(self._grid)
        positive = np.nonzero(self._table > 0)[0]
        # zero-key visibility: every V <= v_zero has r(V) = 0 (grid point below the first key)
        self.v_zero = 1.0 if positive.size == 0 else float(self._grid[max(positive[0] - 1, 0)])
        self._pair_rate_cache: dict = {}

    def rate(self, visibilities):
        """Exact ``r`` (vectorised)."""
        return self._rate(np.asarray(visibilities, dtype=float))

    def rate_upper(self, visibility: float) -> float:
        """An upper bound on ``rate(visibility)``: the table at the next grid point above."""
        i = math.ceil(min(max(visibility, 0.0), 1.0) * (N_RATE_GRID - 1) * (1 + 1e-12))
        return float(self._table[min(i, N_RATE_GRID - 1)])

    def rate_lower(self, visibility: float) -> float:
        """A lower bound on ``rate(visibility)``: the table at the grid point below."""
        i = math.floor(min(max(visibility, 0.0), 1.0) * (N_RATE_GRID - 1) * (1 - 1e-12))
        return float(self._table[max(i, 0)])

    def success(self, lengths):
        return self.p_scale * 10.0 ** (-self.loss * np.asarray(lengths, dtype=float) / 10.0)

    def p_of(self, length: float) -> float:
        """Success probability of one segment (scalar)."""
        return self.p_scale * 10.0 ** (-self.loss * length / 10.0)

    def tau(self, length: float) -> float:
        return max(self.min_tau, length / self.speed)

    def pair_rate(self, lengths) -> float:
        """Pair-rate bound :math:`1/(\\tau E_{low})` of a multiset of segment lengths (cached by
        the lengths sorted in decreasing order)."""
        key = tuple(sorted(lengths, reverse=True))
        value = self._pair_rate_cache.get(key)
        if value is None:
            from .planner import heralding

            value = heralding(key, **self.herald)["pair_rate_upper_bound_hz"]
            if len(self._pair_rate_cache) < 10**6:
                self._pair_rate_cache[key] = value
        return value


class _Fibre:
    """The graph as arrays, with per-edge model quantities and the search's bounds.

    The bound on a partial path ending at ``u`` (module docstring): the rest of any
    continuation to the goal ``t`` has (i) fresh visibility at most ``Vrem(u, t)`` (Dijkstra on
    :math:`-\\ln v_e`), (ii) a segment at least ``lstar(u, t)`` long (the minimax length:
    the largest link on the minimum-spanning-tree path), (iii) log-CDF of its slowest heralding
    time, :math:`F(\\tau) = \\sum_e \\ln(1 - e^{-\\lambda_e \\tau})`, at most ``Frem(u, t, tau)``
    at every :math:`\\tau` (Dijkstra on :math:`-\\ln(1-e^{-\\lambda_e\\tau})` per grid point).
    Since :math:`E[\\max] = \\int_0^\\infty (1 - e^{F(\\tau)})d\\tau` and the integrand
    decreases, the right-endpoint sum on the grid is a lower bound on it.
    """

    def __init__(self, weighted, key_model):
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import minimum_spanning_tree

        self.km = key_model
        self.minimax_tree = None            # by length: paths with the smallest longest link
        self.nodes = list(weighted.nodes)
        self.index = {u: i for i, u in enumerate(self.nodes)}
        n = self.n = len(self.nodes)
        edges = [(self.index[a], self.index[b], float(d["length_km"]), float(d["visibility"]))
                 for a, b, d in weighted.edges(data=True)]
        self.adj: list = [[] for _ in range(n)]
        for i, (a, b, length, vis) in enumerate(edges):
            self.adj[a].append((b, length, math.log(vis), i))
            self.adj[b].append((a, length, math.log(vis), i))
        if not edges:
            self.grid_size = 0
            return
        ea = np.array([e[0] for e in edges])
        eb = np.array([e[1] for e in edges])
        length = np.array([e[2] for e in edges])
        vis = np.array([e[3] for e in edges])
        lam = -np.log1p(-np.minimum(key_model.success(length), 1 - 1e-16))
        lam = np.maximum(lam, 1e-300)
        self.lam_min = float(lam.min())
        t0, t1 = 1e-3 / lam.max(), 60.0 / lam.min()
        g = int(math.ceil(math.log(t1 / t0) / math.log(TAU_GRID_RATIO))) + 1
        self.grid_size = g
        self.tgrid = t0 * TAU_GRID_RATIO ** np.arange(g)
        self.dt = np.diff(np.concatenate([[0.0], self.tgrid]))
        self.edge_logcdf = np.log(-np.expm1(-np.outer(lam, self.tgrid)))   # (edges, grid) <= 0
        rows, cols = np.concatenate([ea, eb]), np.concatenate([eb, ea])

        def matrix(w):
            w = np.maximum(np.concatenate([w, w]), 1e-300)  # csgraph drops explicit zeros
            return csr_matrix((w, (rows, cols)), shape=(n, n))

        self._cdf_mats = [matrix(-self.edge_logcdf[:, j]) for j in range(g)]
        self._vis_mat = matrix(-np.log(vis))
        mst = minimum_spanning_tree(matrix(length))
        self._mst = (mst + mst.T).tocsr()

    def bounds_to(self, goals):
        """Per goal node index: (Frem (n, grid), ln Vrem (n,), lstar (n,))."""
        from scipy.sparse.csgraph import breadth_first_order, dijkstra

        goals = list(goals)
        frem = np.empty((len(goals), self.n, self.grid_size))
        trees = []
        for j, mat in enumerate(self._cdf_mats):
            if j % TREE_EVERY == 0:
                dist, pred = dijkstra(mat, indices=goals, return_predecessors=True)
                trees.append(pred)
            else:
                dist = dijkstra(mat, indices=goals)
            frem[:, :, j] = -dist
        lnv = -dijkstra(self._vis_mat, indices=goals)
        out = {}
        for i, t in enumerate(goals):
            order, pred = breadth_first_order(self._mst, t, directed=False)
            lstar = np.zeros(self.n)
            for u in order[1:]:
                lstar[u] = max(lstar[pred[u]], self._mst[u, pred[u]])
            out[t] = (frem[i], lnv[i], lstar, [tree[i] for tree in trees])
        return out

    @staticmethod
    def tree_paths(bounds, s):
        """Candidate paths from ``s`` to the goal: for every few grid points the path of
        largest :math:`F(\\tau)` (the shortest-path trees of ``bounds_to``), distinct."""
        seen = set()
        for pred in bounds[3]:
            path, u = [s], s
            while pred[u] >= 0:
                u = int(pred[u])
                path.append(u)
            if len(path) > 1 and tuple(path) not in seen:
                seen.add(tuple(path))
                yield path

    def key_bracket(self, v, lengths, logcdf):
        """``(lower, upper)`` bounds on the memoryless key of a complete path: :math:`E[\\max]`
        between the right- and left-endpoint sums on the grid (plus the tail beyond it),
        ``r`` between the table's neighbours."""
        km = self.km
        h = -np.expm1(logcdf)
        e_lo = float(np.dot(self.dt, h))
        e_hi = (float(self.tgrid[0] + np.dot(self.dt[1:], h[:-1]))
                + len(lengths) * math.exp(-60.0) / self.lam_min)
        first = _mean_attempts(km.p_of(lengths[0]))
        tau = km.tau(lengths[0])
        hi = km.rate_upper(v) / (tau * max(e_lo, first)) * (1 + 1e-9)
        lo = km.rate_lower(v) / (tau * max(e_hi, first)) * (1 - 1e-9)
        return lo, hi

    def upper(self, lnv_path, logcdf, lmax, u, bounds) -> float:
        """Upper bound on the memoryless key of every continuation to the goal."""
        frem, lnv, lstar = bounds[:3]
        v_all = math.exp(lnv_path + lnv[u])
        if v_all <= self.km.v_zero:
            return 0.0
        longest = max(lmax, lstar[u])
        e_low = float(np.dot(self.dt, -np.expm1(logcdf + frem[u])))
        e_low = max(e_low, _mean_attempts(self.km.p_of(longest)))
        return self.km.rate_upper(v_all) / (self.km.tau(longest) * e_low) * (1 + 1e-9)

    def search(self, s, t, bounds, max_labels, incumbents=()):
        """Best-first branch and bound with dominance from ``s`` to ``t`` (node indices).

        Returns ``(candidates, bound, labels)``: the complete paths (node-index lists, with
        ``(V, lengths)``) whose key could be the largest, an upper bound on the key of every
        path not among them (0 when the search finished), and the labels created.
        """
        import heapq

        km = self.km
        best_lo = 0.0
        cands = []

        def consider(path, lnv_path, lengths, logcdf):
            nonlocal best_lo
            v = math.exp(lnv_path)
            lo, hi = self.key_bracket(v, lengths, logcdf)
            if hi > 0 and hi >= best_lo:
                cands.append((hi, path, v, lengths))
                best_lo = max(best_lo, lo)

        for path in list(incumbents) + list(self.tree_paths(bounds, s)):
            ln_v, lengths, edges = 0.0, [], []
            for a, b in zip(path, path[1:]):
                nb = next(x for x in self.adj[a] if x[0] == b)
                ln_v += nb[2]
                lengths.append(nb[1])
                edges.append(nb[3])
            consider(list(path), ln_v, tuple(sorted(lengths, reverse=True)),
                     self.edge_logcdf[edges].sum(axis=0))
        zero = np.zeros(self.grid_size)
        at: dict = {}
        heap = [(-math.inf, 0, s, 0, 0.0, (), zero, (s, None))]
        count = 0
        open_bound = 0.0
        while heap:
            neg, _, u, k, lnv_path, lengths, logcdf, trail = heapq.heappop(heap)
            if -neg < best_lo * (1 - 1e-12):
                break
            if u == t:
                path = []
                while trail is not None:
                    path.append(trail[0])
                    trail = trail[1]
                consider(path[::-1], lnv_path, lengths, logcdf)
                continue
            if count >= max_labels:
                open_bound = -neg                        # every open label's bound is below
                break
            for v, length, lnv_edge, e in self.adj[u]:
                ln2 = lnv_path + lnv_edge
                l2 = tuple(sorted(lengths + (length,), reverse=True))
                here = at.setdefault(v, [])
                if any(o[0] <= k + 1 and o[1] >= ln2 and all(x <= y for x, y in zip(o[2], l2))
                       for o in here):
                    continue                               # dominated (module docstring)
                here[:] = [o for o in here if not (k + 1 <= o[0] and ln2 >= o[1] and
                                                   all(x <= y for x, y in zip(l2, o[2])))]
                here.append((k + 1, ln2, l2))
                cdf2 = logcdf + self.edge_logcdf[e]
                ub = self.upper(ln2, cdf2, l2[0], v, bounds)
                if ub <= 0 or ub < best_lo * (1 - 1e-12):
                    continue
                count += 1
                heapq.heappush(heap, (-ub, count, v, k + 1, ln2, l2, cdf2, (v, trail)))
        keep = [c for c in cands if c[0] >= best_lo * (1 - 1e-12)]
        return keep, open_bound, count


def _best_key_paths(fibre, source, targets, max_labels, incumbents, bounds=None) -> dict:
    """For each target: ``(path, key, bound, labels)`` of the best path found, or ``None``.

    ``key`` is exact (the rate ``r`` evaluated in one batch for all candidates); ``bound``
    is an upper bound on the key of every path (equal to ``key`` when the search finished
    within ``max_labels`` labels for that pair)."""
    s = fibre.index[source]
    goals = [fibre.index[t] for t in targets]
    found = {}
    if not goals or fibre.grid_size == 0:
        return {t: None for t in targets}
    if bounds is None:
        bounds = fibre.bounds_to([s])[s]
    for t, g in zip(targets, goals):
        inc = [[fibre.index[x] for x in p][::-1] for p in incumbents.get(t, ())]
        # search from the target towards the source (bounds computed once per source)
        found[t] = fibre.search(g, s, bounds, max_labels, inc)
    km = fibre.km
    flat = []
    for t in targets:
        # exact pair rates lazily, in decreasing order of the bracket's upper end
        best_lo = 0.0
        for hi, path, v, lengths in sorted(found[t][0], key=lambda c: -c[0]):
            if hi < best_lo * (1 - 1e-12):
                break
            pr = km.pair_rate(lengths)
            if km.rate_upper(v) * pr >= best_lo * (1 - 1e-12):
                flat.append((t, path, v, lengths, pr))
                best_lo = max(best_lo, km.rate_lower(v) * pr)
    rates = km.rate([c[2] for c in flat]) if flat else []
    best: dict = {}
    for (t, path, v, lengths, pr), r in zip(flat, rates):
        key = float(r) * pr
        rank = (key, v, -sum(lengths))
        if key > 0 and (t not in best or rank > best[t][0]):
            best[t] = (rank, path, float(r), pr)
    out = {}
    for t in targets:
        if t not in best:
            out[t] = None
            continue
        (key, _, _), path, rate, pr = best[t]
        _, open_bound, labels = found[t]
        out[t] = ([fibre.nodes[i] for i in path[::-1]], key, max(key, open_bound), labels,
                  rate, pr)
    return out


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


def check_network_question(leakage, model: str = "uniform", *, objective: str = "key-rate",
                           max_candidates: int = MAX_CANDIDATES, max_labels: int = MAX_LABELS,
                           max_seconds: float = MAX_SECONDS, **link_kwargs) -> float:
    """Every parameter of a network question (:func:`best_path`, :func:`all_pairs`) checked
    before any work or estimate.

    Parameters
    ----------
    leakage, model, objective, max_candidates, max_labels, max_seconds
        As :func:`all_pairs`.
    **link_kwargs
        The link model (:func:`check_link_parameters`).

    Returns
    -------
    float
        The leakage.

    Raises
    ------
    InputError
        A parameter outside its range (:func:`check_link_parameters` for the link model).
    """
    leakage = _check(leakage, model, objective, max_candidates, max_labels, max_seconds)
    check_link_parameters(link_kwargs)
    return leakage


def _check(leakage, model, objective, max_candidates, max_labels=MAX_LABELS,
           max_seconds=MAX_SECONDS):
    check_int("max_labels", max_labels, 1, 10**8)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("objective", objective, OBJECTIVES)
    check_int("max_candidates", max_candidates, 1, 10**7)
    check_real("max_seconds", max_seconds, 0.0, 1e9)
    return leakage


def estimate_seconds(graph, *, objective: str = "key-rate", max_labels: int = MAX_LABELS,
                     memory_t2_s: float | None = None, pairs: int | None = None,
                     sources: int | None = None, workers: int = 1) -> dict:
    """Work estimate of :func:`all_pairs` before it starts (seconds on one core, and wall).

    The bound per pair: the key-rate search creates at most ``max_labels`` labels (then it
    stops with a certified gap), so ``seconds_max`` = sources x ``SECONDS_PER_SOURCE`` +
    pairs x (``SECONDS_PER_PAIR`` + ``max_labels`` x ``SECONDS_PER_LABEL``), plus one planned
    path per pair with memories (``SECONDS_PER_PLAN``; the branch and bound with memories may
    plan more, each shown by the progress bar).  The constants are about twice the times
    measured on two idle cores (a margin for a busy machine); ``seconds`` is the typical time
    (``TYPICAL_FRACTION`` of the bound).  ``workers`` divides the work.

    Returns
    -------
    dict
        ``pairs``, ``seconds``, ``seconds_max``, ``workers``.
    """
    n = graph.number_of_nodes()
    pairs = n * (n - 1) // 2 if pairs is None else pairs
    sources = n if sources is None else sources
    per_pair = SECONDS_PER_PAIR
    if objective == "key-rate":
        per_pair += max_labels * SECONDS_PER_LABEL
    if memory_t2_s is not None:
        per_pair += SECONDS_PER_PLAN
    fixed = sources * SECONDS_PER_SOURCE[objective]
    w = max(1, int(workers))
    bound = (fixed + pairs * per_pair) / w
    return {"pairs": pairs, "workers": w, "seconds": TYPICAL_FRACTION * bound,
            "seconds_max": bound}


def check_estimate(graph, max_seconds: float = MAX_SECONDS, **kwargs) -> dict:
    """:func:`estimate_seconds`, refused (one line naming ``--max-seconds``) when its bound
    exceeds ``max_seconds``."""
    est = estimate_seconds(graph, **kwargs)
    if est["seconds_max"] > max_seconds:
        raise InputError(
            f"network: {est['pairs']} node pairs, estimated {_duration(est['seconds'])} "
            f"(at most {_duration(est['seconds_max'])}) on {est['workers']} worker(s); allowed: "
            f"max_seconds = {max_seconds:g} (raise --max-seconds, lower --max-labels, add "
            f"--workers, or use --objective visibility)")
    return est


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _pairs_from(weighted, graph, source, targets, leakage, model, objective, link_kwargs,
                max_candidates, key_model, max_labels=MAX_LABELS, fibre=None, bounds=None):
    """Best paths from ``source`` to each of ``targets`` (unreachable targets omitted)."""
    import networkx as nx

    vis_paths = nx.single_source_dijkstra_path(weighted, source, weight="cost")
    targets = [t for t in targets if t in vis_paths and t != source]
    if objective == "visibility":
        return [_path_bound(weighted, source, t, vis_paths[t], leakage, model, link_kwargs,
                            "visibility", key_model=key_model) for t in targets]
    if fibre is None:
        fibre = _Fibre(weighted, key_model)
    if fibre.minimax_tree is None:
        import networkx as nx

        fibre.minimax_tree = nx.minimum_spanning_tree(weighted, weight="length_km")
    minimax = nx.single_source_shortest_path(fibre.minimax_tree, source)
    incumbents = {t: [vis_paths[t]] + ([minimax[t]] if t in minimax else []) for t in targets}
    best = _best_key_paths(fibre, source, targets, max_labels, incumbents, bounds)
    out = []
    for t in targets:
        if best[t] is None:                               # key 0 everywhere: visibility path
            path, search = vis_paths[t], {"key_rate_search": "zero",
                                          "key_rate_best_possible_bps": 0.0}
        else:
            path, key, bound, labels, rate, pr = best[t]
            search = {"key_rate_search": "exact" if bound <= key else "gap",
                      "key_rate_best_possible_bps": bound, "labels": labels,
                      "rate": rate, "pair_rate": pr}
        planned = 1
        if link_kwargs.get("memory_t2_s") is not None:
            path, planned = _refine_with_memories(weighted, source, t, path, leakage, model,
                                                  link_kwargs, key_model, max_candidates)
        out.append(_path_bound(weighted, source, t, path, leakage, model, link_kwargs,
                               "key-rate", planned, search, key_model))
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
    link_kwargs = check_link_parameters(link_kwargs)
    source, target = _node_id(source), _node_id(target)
    for node in (source, target):
        if node not in graph:
            raise InputError(f"node {node!r} is not in the network")
    if source == target:
        raise InputError(f"source and target must differ, both are {source!r}")
    weighted = _weighted(graph, link_kwargs)
    key_model = _KeyModel(leakage, model, link_kwargs)
    found = _pairs_from(weighted, graph, source, [target], leakage, model, objective,
                        link_kwargs, max_candidates, key_model, max_labels)
    return found[0] if found else None


def all_pairs(graph, leakage: float, model: str = "uniform", callback=None,
              sources: list | None = None, *, objective: str = "key-rate",
              max_candidates: int = MAX_CANDIDATES, max_labels: int = MAX_LABELS,
              max_seconds: float | None = None, **link_kwargs) -> list[PathBound]:
    """:func:`best_path` for every connected pair of nodes (one search per source node).

    ``sources`` restricts the pairs to those whose first node (in sorted order) is listed: the
    unit of work a distributed run hands to one task (:mod:`qkdbounds.sweep.network`).
    Unconnected pairs are not in the list: :func:`unreachable_pairs` lists them.
    ``max_seconds`` (default: no check) refuses, before any work, a run whose estimate
    (:func:`estimate_seconds`) exceeds it.
    """
    leakage = _check(leakage, model, objective, max_candidates, max_labels,
                     MAX_SECONDS if max_seconds is None else max_seconds)
    link_kwargs = check_link_parameters(link_kwargs)
    nodes = sorted(graph.nodes, key=str)
    wanted = None if sources is None else set(sources)
    if max_seconds is not None:
        chosen = [i for i, s in enumerate(nodes) if wanted is None or s in wanted]
        check_estimate(graph, max_seconds, objective=objective, max_labels=max_labels,
                       memory_t2_s=link_kwargs.get("memory_t2_s"),
                       pairs=sum(len(nodes) - 1 - i for i in chosen), sources=len(chosen))
    weighted = _weighted(graph, link_kwargs)
    key_model = _KeyModel(leakage, model, link_kwargs)
    fibre = _Fibre(weighted, key_model) if objective == "key-rate" else None
    todo = [(i, s) for i, s in enumerate(nodes) if wanted is None or s in wanted]
    out = []
    for c in range(0, len(todo), BOUNDS_BATCH):
        chunk = todo[c:c + BOUNDS_BATCH]
        batch = {}
        if fibre is not None and fibre.grid_size:
            # the bounds towards a batch of sources in one call per grid point
            found = fibre.bounds_to([fibre.index[s] for _, s in chunk if s in fibre.index])
            batch = {fibre.nodes[k]: v for k, v in found.items()}
        for i, source in chunk:
            out.extend(_pairs_from(weighted, graph, source, nodes[i + 1:], leakage, model,
                                   objective, link_kwargs, max_candidates, key_model,
                                   max_labels, fibre, batch.get(source)))
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
