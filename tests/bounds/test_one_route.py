"""One route per question: the API, the CLI and a sweep give identical values and methods.

Issue 11: every interface reaches :func:`qkdbounds.rate_upper_bound` (the dispatcher), so the same
question has the same answer, route and method everywhere.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds import choose_route, rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.measurements import computational
from qkdbounds.store import ResultStore
from qkdbounds.sweep import run_sweep

# (d, N, model, attack, visibility, leakage): small and large d, N; both models; both attacks
QUESTIONS = [
    (2, 2, "uniform", "paper", 0.9, 0.1),
    (3, 2, "junk", "extended", 0.7, 0.2),
    (2, 3, "uniform", "extended", 0.95, 0.3),
    (2, 30, "uniform", "paper", 0.9, 0.1),
    (16, 5, "junk", "paper", 0.5, 0.05),
    (2, 1000, "junk", "extended", 0.5, 0.3),
    (1024, 2, "uniform", "extended", 0.2, 0.1),
    (4, 3, "uniform", "paper", 0.1, 0.5),      # below the threshold: certified zero
]
IDS = [f"d{q[0]}-N{q[1]}-{q[2]}-{q[3]}" for q in QUESTIONS]


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("question", QUESTIONS, ids=IDS)
def test_api_and_cli_agree(capsys, question):
    d, n, model, attack, v, leak = question
    api = rate_upper_bound(d, n, v, leak, model, attack=attack)
    cli = _cli(capsys, "rate", "--dim", d, "--parties", n, "--visibility", v, "--leakage", leak,
               "--model", model, "--attack", attack, "--json")
    assert cli["rate_upper_bound"] == api.value
    assert (cli["method"], cli["route"], cli["status"]) == (api.method, api.route, api.status)
    assert api.route == choose_route(d, n, "auto", attack) == "structured"
    # "Z" is the same question as "auto" for this source
    z = rate_upper_bound(d, n, v, leak, model, "Z", attack)
    assert (z.value, z.method) == (api.value, api.method)


def test_cli_grid_equals_api_points(capsys):
    cli = _cli(capsys, "rate", "--dim", 3, "--parties", 3, "--visibility", "0.1:1:0.3",
               "--leakage", "0.1,0.4", "--attack", "extended", "--json")
    assert cli["n_points"] == 8 and len(cli["rate_upper_bound"]) == 8
    for v, leak, value, status in zip(cli["visibility"], cli["leakage"], cli["rate_upper_bound"],
                                      cli["status"]):
        r = rate_upper_bound(3, 3, v, leak, attack="extended")
        assert (value, status) == (r.value, r.status)


@pytest.mark.parametrize("argv,route", [
    (("--measurements", "search", "--visibility", 0.8), "search"),
    (("--attack", "intrinsic", "--visibility", 0.9), "general"),
])
def test_general_routes_agree_between_api_and_cli(capsys, argv, route):
    cli = _cli(capsys, "rate", "--leakage", 0.1, "--json", *argv)
    kwargs = dict(zip(argv[::2], argv[1::2]))
    api = rate_upper_bound(2, 2, float(kwargs["--visibility"]), 0.1,
                           measurements=kwargs.get("--measurements", "auto"),
                           attack=kwargs.get("--attack", "best"))
    assert cli["route"] == api.route == route
    assert cli["rate_upper_bound"] == pytest.approx(api.value, abs=1e-12)
    assert cli["method"] == api.method


def test_sweep_stores_the_single_point_answers(tmp_path):
    store = tmp_path / "route.sqlite"
    sweepable = [q for q in QUESTIONS]
    for d, n, model, attack, v, leak in sweepable:
        axes = {"dim": d, "parties": n, "model": model, "attack": attack,
                "visibility": f"{v},0.55,1", "leakage": f"{leak},0.25"}
        summary = run_sweep(axes, store, n_workers=1, processes=False, quiet=True)
        assert summary.failed == 0
    with ResultStore(store) as db:
        records = db.records()
    assert len(records) >= len(sweepable)
    for rec in records:
        r = rate_upper_bound(rec["dim"], rec["parties"], rec["visibility"], rec["leakage"],
                             rec["model"], attack=rec["attack"])
        stored = json.loads(rec["result"])
        assert rec["rate_upper_bound"] == r.value
        assert (stored["method"], stored["status"], stored["route"]) == (r.method, r.status, r.route)


def test_grid_route_has_no_python_loop_per_point(monkeypatch):
    """The structured route evaluates a grid with one call of the closed form per attack
    (paper and extended, reported beside each other; the default takes their min)."""
    import qkdbounds.bounds.rate as rate_module

    calls = []
    real = rate_module.z_basis_bounds

    def counting(*args, **kwargs):
        calls.append(np.size(args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(rate_module, "z_basis_bounds", counting)
    rate_upper_bound(2, 4, np.linspace(0, 1, 10_001), 0.1, attack="extended")
    assert calls == [10_001, 10_001]
    calls.clear()
    rate_upper_bound(2, 4, np.linspace(0, 1, 10_001), 0.1)
    assert calls == [10_001, 10_001]


def test_sweep_chunk_equals_point_function_exactly():
    """The vectorised chunk of a sweep stores, key for key, what the single-point function gives."""
    import itertools

    from qkdbounds.sweep.points import rate_chunk, rate_point

    points = [dict(dim=d, parties=n, visibility=v, leakage=leak, model=m, attack=a)
              for d, n, v, leak, m, a in itertools.product(
                  (2, 3), (2, 4), (0.0, 0.3, 0.71, 1.0), (0.0, 0.2, 1.0), ("uniform", "junk"),
                  ("best", "paper", "extended"))]
    chunk = rate_chunk(points)
    for params, got in zip(points, chunk):
        assert json.dumps(got, sort_keys=True) == json.dumps(rate_point(params), sort_keys=True)


@pytest.mark.parametrize("v,leak", [(0.8, 0.1), (0.6, 0.3)])
def test_measurement_search_reaches_the_known_optimum(v, leak):
    """d = N = 2: the search's exhaustive angle grid contains Z (the optimum, by U(x)U* symmetry
    and the exhaustive grid of tests/bounds/test_measurement_optimality.py) and worse settings;
    the search must return the max (a min over settings would return a worse one)."""
    from math import pi

    from qkdbounds.measurements import xz_plane

    searched = rate_upper_bound(2, 2, v, leak, measurements="search")
    z = rate_upper_bound(2, 2, v, leak)
    worse = rate_upper_bound(2, 2, v, leak, measurements=[computational(2), xz_plane(pi / 2)])
    assert worse.value < z.value - 1e-3
    assert searched.value == pytest.approx(z.value, abs=1e-9)
    assert searched.route == "search"
