"""The network answers the planner's question (issue 23, item 4): the best path per pair has the
most key per second (a brute force over all simple paths agrees), unreachable pairs are listed,
and the repeater-chain PLOB bound (Pirandola, Commun. Phys. 2, 51 (2019)) is reported."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest

from qkdbounds.cli import main
from qkdbounds.repeaters.network import _plan, all_pairs, best_path, unreachable_pairs
from qkdbounds.repeaters.planner import fibre_transmissivity, plan_path, plob_bound


def _links(graph, path):
    return [{"from": a, "to": b, "length_km": graph.edges[a, b]["length_km"],
             "visibility": graph.edges[a, b].get("visibility", 1.0)} for a, b in zip(path, path[1:])]


def _brute(graph, s, t, leakage, **kw):
    """Every simple path planned by ``plan_path``; the best (key, V, -km)."""
    best = None
    for path in nx.all_simple_paths(graph, s, t):
        links = _links(graph, path)
        key = _plan(links, leakage, "uniform", kw).end_to_end["key_rate_upper_bound_bps"]
        rank = (key, math.prod(x["visibility"] for x in links),
                -sum(x["length_km"] for x in links))
        if best is None or rank > best[0]:
            best = (rank, path)
    return best


def _triangle():
    g = nx.Graph()
    g.add_edge("A", "C", length_km=300.0, visibility=1.0)
    g.add_edge("A", "B", length_km=20.0, visibility=1.0)
    g.add_edge("B", "C", length_km=20.0, visibility=1.0)
    return g


def test_triangle_picks_the_two_short_segments():
    """300 km direct (~2.5e-4 bit/s) against 2 x 20 km (~1e3 bit/s): the key rate objective
    takes the route, the visibility objective (all v = 1) the shorter fibre... also the route,
    so here the direct link gets v = 1 and the route v = 0.99: visibility picks direct."""
    g = _triangle()
    g.edges["A", "B"]["visibility"] = 0.99
    res = best_path(g, "A", "C", 0.05)
    assert res.path == ["A", "B", "C"]
    direct = best_path(g, "A", "C", 0.05, objective="visibility")
    assert direct.path == ["A", "C"]
    assert res.key_rate_upper_bound_bps > 1e6 * direct.key_rate_upper_bound_bps
    assert res.key_rate_upper_bound_bps == pytest.approx(_brute(g, "A", "C", 0.05)[0][0],
                                                          rel=1e-12)
    assert res.key_rate_search == "exact"
    # the planner's figures for both routes, side by side: 2 x 20 km ~ 1e3 bit/s, 300 km ~ 2e-4
    assert 5e2 < res.key_rate_upper_bound_bps < 2e3
    assert 1e-4 < direct.key_rate_upper_bound_bps < 5e-4


@pytest.mark.parametrize("seed", range(8), ids=lambda s: f"seed{s}")
def test_random_six_node_graphs_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(6, 0.6, seed=seed)
    g = nx.relabel_nodes(g, str)
    for a, b in g.edges:
        g.edges[a, b]["length_km"] = float(rng.uniform(5, 200))
        g.edges[a, b]["visibility"] = float(rng.uniform(0.9, 1.0))
    for res in all_pairs(g, 0.05):
        rank, path = _brute(g, res.source, res.target, 0.05)
        assert res.path == path, (res.source, res.target)
        assert res.key_rate_upper_bound_bps == pytest.approx(rank[0], rel=1e-9)


@pytest.mark.parametrize("seed", range(3), ids=lambda s: f"seed{s}")
def test_with_memories_equal_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    g = nx.relabel_nodes(nx.gnp_random_graph(5, 0.7, seed=seed), str)
    for a, b in g.edges:
        g.edges[a, b]["length_km"] = float(rng.uniform(5, 150))
    kw = dict(memory_t2_s=2e-3)
    for res in all_pairs(g, 0.05, **kw):
        rank, path = _brute(g, res.source, res.target, 0.05, **kw)
        assert res.key_rate_upper_bound_bps == pytest.approx(rank[0], rel=1e-12)


def test_zero_key_pairs_fall_back_to_the_visibility_path():
    g = _triangle()
    for a, b in g.edges:
        g.edges[a, b]["visibility"] = 0.3        # v <= 1/3: separable, no key on any path
    res = best_path(g, "A", "C", 0.05)
    assert res.key_rate_upper_bound_bps == 0
    assert res.path == ["A", "C"] == best_path(g, "A", "C", 0.05, objective="visibility").path


def test_repeater_chain_plob_is_the_worst_segment():
    g = _triangle()
    res = best_path(g, "A", "C", 0.05)
    eta = fibre_transmissivity(20.0)
    assert res.plob_repeater_chain_bound == pytest.approx(plob_bound(eta), rel=1e-12)
    assert res.plob_bound == pytest.approx(plob_bound(fibre_transmissivity(40.0)), rel=1e-12)
    plan = plan_path([10.0, 50.0, 30.0], 0.05)
    assert plan.end_to_end["plob_repeater_chain_bound"] == pytest.approx(
        plob_bound(fibre_transmissivity(50.0)), rel=1e-12)
    assert "Commun. Phys. 2, 51" in res.citation


def test_unreachable_pairs_listed(tmp_path, capsys):
    path = tmp_path / "n.json"
    path.write_text(json.dumps({"nodes": [{"id": n} for n in "ABCD"], "links": [
        {"source": "A", "target": "B", "length_km": 10},
        {"source": "C", "target": "D", "length_km": 10, "visibility": 0.0}]}))
    code = main(["network", "--graph", str(path), "--leakage", "0.05", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and [(p["source"], p["target"]) for p in out["pairs"]] == [("A", "B")]
    assert out["unreachable"] == [["A", "C"], ["A", "D"], ["B", "C"], ["B", "D"], ["C", "D"]]
    assert out["objective"] == "key-rate"
    code = main(["network", "--graph", str(path), "--leakage", "0.05", "--source", "A",
                 "--target", "D", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["pairs"] == [] and out["unreachable"] == [["A", "D"]]


def test_label_budget_stops_with_a_bound_instead_of_refusing():
    g = nx.relabel_nodes(nx.complete_graph(7), str)
    for a, b in g.edges:
        g.edges[a, b]["length_km"] = 10.0 + int(a) + int(b)
    small = all_pairs(g, 0.05, max_labels=1)
    full = all_pairs(g, 0.05)
    assert len(small) == len(full) == 21
    for s, f in zip(small, full):
        assert f.key_rate_search == "exact"
        assert s.key_rate_upper_bound_bps <= f.key_rate_upper_bound_bps * (1 + 1e-12)
        assert s.key_rate_best_possible_bps >= f.key_rate_upper_bound_bps * (1 - 1e-12)


def test_cli_objective_and_plan_agree(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"links": [
        {"source": "A", "target": "C", "length_km": 300},
        {"source": "A", "target": "B", "length_km": 20},
        {"source": "B", "target": "C", "length_km": 20}]}))
    assert main(["network", "--graph", str(path), "--leakage", "0.05", "--source", "A",
                 "--target", "C", "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)["pairs"][0]
    assert pair["path"] == ["A", "B", "C"] and pair["objective"] == "key-rate"
    assert main(["plan", "--distance-km", "40", "--segments", "2", "--leakage", "0.05",
                 "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert pair["key_rate_upper_bound_bps"] == pytest.approx(plan["key_rate_upper_bound_bps"],
                                                             rel=1e-12)
    assert pair["plob_repeater_chain_bound"] == pytest.approx(plan["plob_repeater_chain_bound"],
                                                              rel=1e-12)
    assert pair["plob_bound"] == pytest.approx(plan["plob_bound"], rel=1e-12)
    assert pair["plob_repeater_chain_bound"] > pair["plob_bound"]   # 20 km beats 40 km
