"""Networks: the best path equals a brute force over all simple paths (issue 15)."""

from __future__ import annotations

import json
import math

import networkx as nx
import pytest

from qkdbounds.cli import main
from qkdbounds.errors import InputError
from qkdbounds.repeaters.network import all_pairs, best_path, link_visibility, load_network

LINKS = [("A", "B", 40), ("B", "C", 55), ("A", "C", 120), ("C", "D", 30), ("B", "D", 90),
         ("D", "E", 70), ("A", "E", 200), ("C", "E", 85)]
KW = dict(memory_t2_s=0.05, link_visibility=0.99)


@pytest.fixture()
def network_file(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"nodes": [{"id": n} for n in "ABCDE"],
                                "links": [{"source": a, "target": b, "length_km": km}
                                          for a, b, km in LINKS]}))
    return path


def _brute(graph, s, t):
    best = None
    for path in nx.all_simple_paths(graph, s, t):
        vis = math.prod(link_visibility(graph.edges[a, b]["length_km"], **KW)["visibility"]
                        for a, b in zip(path, path[1:]))
        if best is None or vis > best[0]:
            best = (vis, path)
    return best


def test_best_path_equals_brute_force_over_simple_paths(network_file):
    graph = load_network(network_file)
    for res in all_pairs(graph, 0.05, **KW):
        vis, path = _brute(graph, res.source, res.target)
        assert res.visibility == pytest.approx(vis, rel=1e-12)
        single = best_path(graph, res.source, res.target, 0.05, **KW)
        assert single.path == res.path and single.rate_upper_bound == res.rate_upper_bound
    assert len(all_pairs(graph, 0.05, **KW)) == 10


def test_cli_network(network_file, tmp_path, capsys):
    code = main(["network", "--graph", str(network_file), "--leakage", "0.05",
                 "--memory-t2-s", "0.05", "--link-visibility", "0.99", "--out",
                 str(tmp_path / "fig"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and len(out["pairs"]) == 10
    graph = load_network(network_file)
    ae = next(p for p in out["pairs"] if (p["source"], p["target"]) == ("A", "E"))
    assert ae["visibility"] == pytest.approx(_brute(graph, "A", "E")[0], rel=1e-12)
    assert all((tmp_path / "fig" / f).stat().st_size > 0 for f in
               ("network_map.png", "network_bounds.png"))


@pytest.mark.parametrize("text", ['{"links": [{"source": "A", "target": "B"}]}',
                                  '{"links": [{"source": "A", "target": "B", "length_km": -3}]}',
                                  "not json", '{"nodes": []}'])
def test_bad_network_files(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError):
        load_network(path)


def test_distributed_all_pairs_equal_serial(network_file):
    """The Dask route (local cluster, threads) gives exactly the serial answer."""
    from qkdbounds.sweep.network import all_pairs_distributed

    graph = load_network(network_file)
    serial = all_pairs(graph, 0.05, **KW)
    dist = all_pairs_distributed(graph, 0.05, n_workers=2, processes=False, **KW)
    assert [(p.source, p.target, p.path, p.rate_upper_bound) for p in dist] == \
        [(p.source, p.target, p.path, p.rate_upper_bound) for p in serial]
