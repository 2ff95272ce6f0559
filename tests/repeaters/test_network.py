"""Networks: the best path equals a brute force over all simple paths, and the bound on it is
``qkdbounds plan``'s (issue 15)."""

from __future__ import annotations

import json
import math

import networkx as nx
import pytest

from qkdbounds.cli import main
from qkdbounds.errors import InputError
from qkdbounds.repeaters.network import all_pairs, best_path, load_network
from qkdbounds.repeaters.planner import plan_path

# (a, b, km, fresh visibility)
LINKS = [("A", "B", 40, 0.99), ("B", "C", 55, 0.97), ("A", "C", 120, 0.95), ("C", "D", 30, 0.995),
         ("B", "D", 90, 0.96), ("D", "E", 70, 0.98), ("A", "E", 200, 0.90), ("C", "E", 85, 0.975)]
KW = dict(memory_t2_s=0.05)


def _write(tmp_path, links, nodes="ABCDE"):
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"nodes": [{"id": n} for n in nodes],
                                "links": [{"source": a, "target": b, "length_km": km,
                                           "visibility": v} for a, b, km, v in links]}))
    return path


@pytest.fixture()
def network_file(tmp_path):
    return _write(tmp_path, LINKS)


def _brute(graph, s, t):
    best = None
    for path in nx.all_simple_paths(graph, s, t):
        edges = list(zip(path, path[1:]))
        vis = math.prod(graph.edges[a, b]["visibility"] for a, b in edges)
        km = sum(graph.edges[a, b]["length_km"] for a, b in edges)
        if best is None or (vis, -km) > (best[0], -best[2]):
            best = (vis, path, km)
    return best


def test_best_path_equals_brute_force_over_simple_paths(network_file):
    graph = load_network(network_file)
    pairs = all_pairs(graph, 0.05, objective="visibility", **KW)
    assert len(pairs) == 10
    for res in pairs:
        vis, path, _ = _brute(graph, res.source, res.target)
        assert res.path == path
        assert res.fresh_chain_visibility == pytest.approx(vis, rel=1e-12)
        single = best_path(graph, res.source, res.target, 0.05, objective="visibility", **KW)
        assert single.path == res.path and single.rate_upper_bound == res.rate_upper_bound


def test_equal_links_tie_break_to_the_shorter_route(tmp_path):
    graph = load_network(_write(tmp_path, [("A", "B", 50, 1.0), ("B", "C", 50, 1.0),
                                           ("A", "C", 300, 1.0)], "ABC"))
    assert best_path(graph, "A", "C", 0.1, objective="visibility").path == ["A", "B", "C"]


def test_network_bound_is_the_planner_bound_on_that_path(network_file):
    graph = load_network(network_file)
    res = best_path(graph, "A", "E", 0.05, **KW)
    lengths = [x["length_km"] for x in res.links]
    v_each = res.fresh_chain_visibility ** (1 / len(lengths))
    plan = plan_path(lengths, 0.05, link_visibility=v_each, **KW)
    assert res.rate_upper_bound == plan.end_to_end["rate_upper_bound"]
    assert res.key_rate_upper_bound_bps == plan.end_to_end["key_rate_upper_bound_bps"]


def test_cli_network(network_file, tmp_path, capsys):
    code = main(["network", "--graph", str(network_file), "--leakage", "0.05",
                 "--objective", "visibility", "--memory-t2-s", "0.05", "--out", str(tmp_path / "fig"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and len(out["pairs"]) == 10
    ae = next(p for p in out["pairs"] if (p["source"], p["target"]) == ("A", "E"))
    assert ae["path"] == _brute(load_network(network_file), "A", "E")[1]
    assert all((tmp_path / "fig" / f).stat().st_size > 0 for f in
               ("network_map.png", "network_bounds.png"))


def test_distributed_all_pairs_equal_serial(network_file):
    """The Dask route (local cluster, threads) gives exactly the serial answer."""
    from qkdbounds.sweep.network import all_pairs_distributed

    graph = load_network(network_file)
    serial = all_pairs(graph, 0.05, **KW)
    dist = all_pairs_distributed(graph, 0.05, n_workers=2, processes=False, **KW)
    assert [(p.source, p.target, p.path, p.rate_upper_bound) for p in dist] == \
        [(p.source, p.target, p.path, p.rate_upper_bound) for p in serial]


@pytest.mark.parametrize("text,match", [
    ('{"links": [{"source": "A", "target": "B"}]}', "length_km"),
    ('{"links": [{"source": "A", "target": "B", "length_km": -3}]}', "length_km"),
    ("not json", "JSON"),
    ('{"nodes": []}', "has no 'links'"),
    # the layout's defects named (they were Python exception names: KeyError, AttributeError)
    ("[1, 2]", "must be a JSON object with a list 'links'.*got a JSON array"),
    ('{"links": {}}', "'links' must be a list of objects, got a JSON object"),
    ('{"links": [1]}', r"links\[0\] must be an object, got a JSON number"),
    ('{"links": [{"source": "A"}]}', r"links\[0\] has no 'target', 'length_km'"),
    ('{"nodes": [{"x": 1}], "links": []}', r"nodes\[0\] has no 'id'"),
    ('{"links": [{"source": "A", "target": "B", "length_km": 3},'
     ' {"source": "B", "target": "A", "length_km": 500}]}', "twice"),
    ('{"nodes": [{"id": "A"}, {"id": "B"}], "links": [{"source": "A", "target": "Z",'
     ' "length_km": 3}]}', "not listed"),
    ('{"links": [{"source": "A", "target": "A", "length_km": 3}]}', "loop"),
    ('{"links": [{"source": null, "target": "A", "length_km": 3}]}', "ids"),
    # fuzzing: an empty node list, and numbers given as strings, were accepted
    ('{"nodes": [], "links": [{"source": "A", "target": "B", "length_km": 3}]}', "not listed"),
    ('{"links": [{"source": "A", "target": "B", "length_km": "10"}]}', "length_km must be a JSON number"),
    ('{"links": [{"source": "A", "target": "B", "length_km": true}]}', "length_km must be a JSON number"),
    ('{"links": [{"source": "A", "target": "B", "length_km": 3, "visibility": "0.9"}]}',
     "visibility must be a JSON number"),
])
def test_bad_network_files(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match=match) as err:
        load_network(path)
    assert "Error:" not in str(err.value)      # no Python exception names


def test_numeric_ids_are_one_node_and_source_must_differ(tmp_path):
    path = tmp_path / "n.json"
    path.write_text('{"nodes": [{"id": 1}, {"id": 2}], "links": [{"source": 1, "target": 2.0,'
                    ' "length_km": 10}]}')
    graph = load_network(path)
    assert graph.number_of_nodes() == 2
    assert best_path(graph, 1, 2, 0.1).path == ["1", "2"]
    with pytest.raises(InputError, match="differ"):
        best_path(graph, "1", "1", 0.1)


@pytest.mark.parametrize("flag,value,name", [
    ("--link-visibility", "2", "link_visibility"), ("--link-visibility", "nan", "link_visibility"),
    ("--detector-efficiency", "nan", "detector_efficiency"),
    ("--detector-efficiency", "0", "detector_efficiency"),
    ("--detector-efficiency", "2", "detector_efficiency"),
    ("--loss-db-per-km", "inf", "loss_db_per_km"), ("--loss-db-per-km", "0", "loss_db_per_km"),
    ("--source-rate-hz", "nan", "source_rate_hz"), ("--source-rate-hz", "-5", "source_rate_hz"),
    ("--source-rate-hz", "0", "source_rate_hz"), ("--memory-t2-s", "0", "memory_t2_s"),
    ("--leakage", "nan", "leakage")])
def test_cli_network_numbers_checked_before_any_work(network_file, capsys, flag, value, name):
    # fuzzing: these crashed (ZeroDivisionError, "negative weights?") or ran with status optimal
    # (a negative key rate for --source-rate-hz -5, 5x the rate for --detector-efficiency 2)
    args = ["network", "--graph", str(network_file), "--leakage", "0.05", "--json"]
    args[args.index("--leakage") + 1:args.index("--leakage") + 2] = (
        [value] if flag == "--leakage" else ["0.05"])
    if flag != "--leakage":
        args += [flag, value]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # (the library names the parameter `name`; the CLI's message names its option `flag`)
    # (--leakage is parsed as one probability: argparse's "argument --leakage: must be in [0, 1]")
    assert len(err) == 1 and (err[0].startswith(f"qkdbounds: error: {flag} must")
                              or err[0].startswith(f"qkdbounds: error: argument {flag}: must be "
                                                   f"in [0, 1]"))  # no estimate line


@pytest.mark.parametrize("kw", [dict(link_visibility=2.0), dict(detector_efficiency=0.0),
                                dict(source_rate_hz=-5.0), dict(loss_db_per_km=math.inf)])
def test_api_network_link_parameters_checked(network_file, kw):
    graph = load_network(network_file)
    with pytest.raises(InputError, match=next(iter(kw))):
        best_path(graph, "A", "E", 0.05, **kw)
    with pytest.raises(InputError, match=next(iter(kw))):
        all_pairs(graph, 0.05, **kw)


def test_cli_network_refuses_workers_with_a_scheduler_up_front(network_file, capsys):
    # fuzzing: it waited 15 s for the scheduler's connection; sweep and di-region refuse the pair
    assert main(["network", "--graph", str(network_file), "--leakage", "0.1", "--workers", "2",
                 "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert capsys.readouterr().err == ("qkdbounds: error: --workers applies to the local cluster; "
                                       "omit it with --scheduler\n")
