"""Large networks (issue 23, item 3): a work estimate before the all-pairs run (refused with the
option that raises the limit), the key-rate search bounded per pair with a certified bound on
every path, and a 60-node random geometric graph end to end; small graphs are exact against a
brute force over all simple paths (item 4)."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest

from qkdbounds.cli import main
from qkdbounds.errors import InputError
from qkdbounds.repeaters.network import (MAX_SECONDS, all_pairs, best_path, check_estimate,
                                         estimate_seconds, load_network, unreachable_pairs)
from qkdbounds.repeaters.planner import chain_rate_per_pair, heralding, plan_path


def geometric_network(n: int, seed: int, degree: float = 11.0) -> nx.Graph:
    """A random geometric graph in the unit square (seeded), mean degree about ``degree``;
    links of 20-150 km (growing with the distance) with fresh visibilities in [0.97, 1]."""
    radius = math.sqrt(degree / (math.pi * n)) * 1.08
    g = nx.random_geometric_graph(n, radius, seed=seed)
    rng = np.random.default_rng(seed)
    out = nx.Graph()
    out.add_nodes_from(str(a) for a in g)
    for a, b in g.edges:
        d = math.dist(g.nodes[a]["pos"], g.nodes[b]["pos"])
        out.add_edge(str(a), str(b), length_km=round(20 + 130 * d / radius, 3),
                     visibility=round(float(rng.uniform(0.97, 1.0)), 5))
    return out


def _write(tmp_path, g, name="g.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"links": [{"source": a, "target": b, **attrs}
                                          for a, b, attrs in g.edges(data=True)],
                                "nodes": [{"id": a} for a in g]}))
    return path


def _brute_keys(g, s, t, leakage):
    """(key per second, path) of every simple path, from the planner's pieces directly."""
    paths = list(nx.all_simple_paths(g, s, t))
    vis = [math.prod(g.edges[a, b]["visibility"] for a, b in zip(p, p[1:])) for p in paths]
    rates = chain_rate_per_pair(np.array(vis), leakage)
    out = []
    for p, v, r in zip(paths, vis, rates):
        lengths = [g.edges[a, b]["length_km"] for a, b in zip(p, p[1:])]
        out.append((float(r) * heralding(lengths)["pair_rate_upper_bound_hz"], v,
                    -sum(lengths), p))
    return out


def _sparse_graph(seed):
    rng = np.random.default_rng(seed)
    g = nx.relabel_nodes(nx.random_geometric_graph(12, 0.42, seed=seed), str)
    if not nx.is_connected(g):
        comps = [sorted(c) for c in nx.connected_components(g)]
        for c1, c2 in zip(comps, comps[1:]):
            g.add_edge(c1[0], c2[0])
    for a, b in g.edges:
        g.edges[a, b]["length_km"] = float(rng.uniform(10, 160))
        g.edges[a, b]["visibility"] = float(rng.uniform(0.95, 1.0))
    return g


@pytest.mark.parametrize("seed", [1, 2, 3], ids=lambda s: f"seed{s}")
def test_twelve_node_graph_most_key_equals_brute_force(seed):
    """Every pair of a 12-node graph (20-25 links, 3,600-23,000 simple paths in all): the chosen
    path's key per second equals the largest over all simple paths (computed from the
    planner's pieces, not the search's)."""
    g = _sparse_graph(seed)
    res = all_pairs(g, 0.05, max_labels=10**6)
    assert len(res) == 66
    for r in res:
        keys = _brute_keys(g, r.source, r.target, 0.05)
        best = max(keys, key=lambda x: x[:3])
        assert r.key_rate_search == "exact"
        assert r.key_rate_upper_bound_bps == pytest.approx(best[0], rel=1e-9), r.path
        assert r.key_rate_best_possible_bps == pytest.approx(best[0], rel=1e-9)


def test_label_budget_gives_a_certified_bound_not_a_refusal():
    """With one label per pair the search stops early; the bound it reports is above every
    simple path's key (brute force) and the path it reports is one of them."""
    g = nx.relabel_nodes(nx.complete_graph(7), str)
    for a, b in g.edges:
        g.edges[a, b]["length_km"] = 10.0 + 7 * int(a) + 3 * int(b)
        g.edges[a, b]["visibility"] = 1.0 - 0.002 * int(a)
    res = all_pairs(g, 0.05, max_labels=1)
    assert len(res) == 21 and any(r.key_rate_search == "gap" for r in res)
    for r in res:
        keys = _brute_keys(g, r.source, r.target, 0.05)
        best = max(k[0] for k in keys)
        assert r.key_rate_best_possible_bps >= best * (1 - 1e-12)
        assert r.key_rate_upper_bound_bps <= best * (1 + 1e-12)
        if r.key_rate_search == "exact":
            assert r.key_rate_upper_bound_bps == pytest.approx(best, rel=1e-9)


def test_network_key_equals_plan_path():
    g = geometric_network(20, 3)
    r = best_path(g, "0", "19", 0.05)
    lengths = [x["length_km"] for x in r.links]
    plan = plan_path(lengths, 0.05, link_visibility=r.fresh_chain_visibility ** (1 / len(lengths)))
    e = plan.end_to_end
    for name in ("key_rate_upper_bound_bps", "rate_upper_bound", "pair_rate_upper_bound_hz",
                 "plob_bound", "plob_repeater_chain_bound", "plob_repeater_chain_key_rate_bps"):
        assert getattr(r, name) == pytest.approx(e[name], rel=1e-12), name


def test_300_node_estimate_and_refusal(tmp_path, capsys):
    """The 300-node graph: the estimate is within the default limit (it runs, with a progress
    bar); a smaller limit refuses before any work with one line naming --max-seconds."""
    g = geometric_network(300, 1)
    assert nx.is_connected(g)
    est = estimate_seconds(g)
    assert est["pairs"] == 44850 and 0 < est["seconds"] <= est["seconds_max"] <= MAX_SECONDS
    assert estimate_seconds(g, workers=2)["seconds_max"] < est["seconds_max"]
    assert estimate_seconds(g, max_labels=1000)["seconds_max"] > MAX_SECONDS
    with pytest.raises(InputError, match="--max-seconds"):
        check_estimate(g, 10.0)
    with pytest.raises(InputError, match="--max-seconds"):
        check_estimate(g, 0.99 * est["seconds_max"])       # refused exactly beyond the bound
    assert check_estimate(g, est["seconds_max"]) == est
    with pytest.raises(InputError, match="max_seconds"):
        all_pairs(g, 0.05, max_seconds=10.0)
    path = _write(tmp_path, g)
    assert main(["network", "--graph", str(path), "--leakage", "0.05", "--max-seconds", "10",
                 "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--max-seconds" in err[0] and "44850 node pairs" in err[0]
    assert main(["network", "--graph", str(path), "--leakage", "0.05", "--max-labels", "1000",
                 "--json"]) == 2
    assert "estimated" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "nan", "x"])
def test_max_seconds_range(tmp_path, capsys, value):
    path = _write(tmp_path, geometric_network(5, 0, 3))
    assert main(["network", "--graph", str(path), "--leakage", "0.05", "--max-seconds",
                 value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--max-seconds" in err[0]


def test_sixty_node_network_end_to_end(tmp_path, capsys):
    g = geometric_network(60, 2)
    g.add_node("island")                              # unreachable from everything
    path = _write(tmp_path, g)
    assert main(["network", "--graph", str(path), "--leakage", "0.05", "--quiet",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    n = 61
    assert len(out["pairs"]) + len(out["unreachable"]) == n * (n - 1) // 2
    assert len(out["unreachable"]) == 60 and all("island" in p for p in out["unreachable"])
    counts = out["key_rate_search"]
    assert counts["exact"] + counts["gap"] + counts["zero"] == len(out["pairs"])
    assert counts["exact"] > 0
    loaded = load_network(path)
    for p in out["pairs"]:
        assert p["key_rate_best_possible_bps"] >= p["key_rate_upper_bound_bps"] * (1 - 1e-12)
        assert p["labels"] <= 30 + max(d for _, d in loaded.degree)
        assert p["key_rate_upper_bound_bps"] > 0
        assert nx.is_simple_path(loaded, p["path"])
        assert p["path"][0] == p["source"] and p["path"][-1] == p["target"]
    assert unreachable_pairs(loaded) == out["unreachable"]


def test_key_rate_on_dask_equals_serial():
    """The key-rate search spread over Dask workers (the sweep engine's cluster; threads here)
    gives exactly the serial answer, pair for pair."""
    from qkdbounds.sweep.network import all_pairs_distributed

    g = geometric_network(24, 5)
    serial = all_pairs(g, 0.05)
    dist = all_pairs_distributed(g, 0.05, n_workers=2, processes=False)
    key = [(p.source, p.target, p.path, p.key_rate_upper_bound_bps, p.key_rate_search,
            p.key_rate_best_possible_bps) for p in serial]
    assert [(p.source, p.target, p.path, p.key_rate_upper_bound_bps, p.key_rate_search,
             p.key_rate_best_possible_bps) for p in dist] == key


def test_a_label_with_more_segments_does_not_dominate():
    """At node m the walk s-y-m (30 km + 1 km) has no longer segments than s-m (30.0001 km)
    and the same visibility, but one segment more: it must not discard s-m, whose
    continuation to t (two segments of ~30 km) has more key than three segments."""
    g = nx.Graph()
    g.add_edge("s", "y", length_km=1.0, visibility=1.0)
    g.add_edge("y", "m", length_km=30.0, visibility=1.0)
    g.add_edge("s", "m", length_km=30.0001, visibility=1.0)
    g.add_edge("m", "t", length_km=30.0, visibility=1.0)
    res = best_path(g, "s", "t", 0.05)
    best = max(_brute_keys(g, "s", "t", 0.05), key=lambda x: x[:3])
    assert res.path == best[3] == ["s", "m", "t"]
    assert res.key_rate_upper_bound_bps == pytest.approx(best[0], rel=1e-12)
