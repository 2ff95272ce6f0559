"""``qkdbounds di-region --store``: the DI map on the sweep engine (issue 21, item 4) - one route
with ``di-attack`` per point, resumable after kill -9, read back from the store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import run_until_killed, subprocess_env

from qkdbounds.di.region import DIRegion, region_label
from qkdbounds.errors import InputError
from qkdbounds.sweep._run import KILL_AFTER_STORED_ENV

GRID = ["--visibility", "0.98,1", "--eta", "0.9,0.95"]


def _cmd(store, *extra):
    return [sys.executable, "-m", "qkdbounds", "di-region", *GRID, "--store", str(store),
            "--json", "--quiet", *extra]


def _run(store, *extra, env=None):
    out = subprocess.run(_cmd(store, *extra), capture_output=True, text=True, timeout=300,
                         env=env or subprocess_env())
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow
def test_killed_map_resumes_without_recomputing_and_equals_di_attack(tmp_path):
    store = tmp_path / "di.sqlite"
    env = subprocess_env(**{KILL_AFTER_STORED_ENV: "2"})  # the run SIGKILLs itself after 2 points
    assert run_until_killed(_cmd(store, "--workers", "1"), env) == -signal.SIGKILL

    first = _run(store, "--workers", "1")
    assert (first["sweep"]["skipped"], first["sweep"]["computed"]) == (2, 2)
    assert first["status"] == "certified" and first["counts"]["key"] + first["counts"]["open"] + \
        first["counts"]["no_key"] == 4
    again = _run(store)
    assert (again["sweep"]["skipped"], again["sweep"]["computed"]) == (4, 0)
    assert again["rate_upper_bound"] == first["rate_upper_bound"]

    # one route: every cell is the di-attack point of the same question
    for i, v in enumerate((0.98, 1.0)):
        for j, eta in enumerate((0.9, 0.95)):
            out = subprocess.run([sys.executable, "-m", "qkdbounds", "di-attack", "--visibility",
                                  str(v), "--eta", str(eta), "--json", "--quiet"],
                                 capture_output=True, text=True, timeout=300, check=True)
            point = json.loads(out.stdout)
            assert first["rate_upper_bound"][i][j] == point["rate_upper_bound"]
            assert first["lower_bound"][i][j] == point["lower_bound"]
            assert first["one_way_upper_bound_reverse"][i][j] == point["one_way_upper_bound_reverse"]
            assert (point["visibility"], point["eta"], point["binning"]) == (v, eta, "both")
            assert first["verdict"][i][j] == region_label(point["rate_upper_bound"],
                                                                 point["lower_bound"])[0]


def test_sweep_options_need_a_store(tmp_path):
    out = subprocess.run([sys.executable, "-m", "qkdbounds", "di-region", *GRID, "--workers", "2"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--store" in out.stderr and len(out.stderr.splitlines()) == 1
    out = subprocess.run(_cmd(tmp_path / "s.sqlite", "--workers", "100000"), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "[1, 256]" in out.stderr and len(out.stderr.splitlines()) == 1


def test_region_label_rule():
    assert region_label(0.0, 0.0) == ("no_key", False)
    assert region_label(0.3, 0.0) == ("open", False)
    assert region_label(0.3, 0.1) == ("key", False)
    assert region_label(0.0, 0.1) == ("key", True)     # inconsistent: counted, labelled key


def test_from_points_marks_missing_points_failed():
    pt = {"rate_upper_bound": 0.4, "one_way_upper_bound": 0.5, "lower_bound": 0.1,
          "local_weight": 0.2, "lower_bound_method": "chsh", "certificate": {}}
    region = DIRegion.from_points([0.9, 1.0], [0.95], [[pt], [None]], leakage=0.0,
                                  model="uniform", binning="both", theta=np.pi / 4, method="test")
    assert region.status == "failed" and "1 points missing" in region.message
    assert region.classification.tolist() == [["key"], ["open"]]
    assert np.isnan(region.upper[1, 0]) and region.upper[0, 0] == 0.4
    assert region.lower_method.tolist() == [["chsh"], ["none"]]
    # (a stored point without the reverse bound, and a missing point: NaN, None in the JSON)
    assert np.isnan(region.to_dict()["one_way_upper_bound_reverse"]).all()
    from qkdbounds._json import to_jsonable

    assert to_jsonable(region.to_dict())["one_way_upper_bound_reverse"] == [[None], [None]]


def test_map_json_names_the_direction_of_its_one_way_bounds():
    """The DI lower bounds are Bob -> Alice: the map carries that direction's one-way upper bound
    beside Alice -> Bob's, and the lower bound never exceeds it (v = eta = 0.95, L = 0.1: the
    direct one-way bound is 0 while key is proven in reverse)."""
    from qkdbounds.di.region import di_region

    out = di_region([0.95], [0.95], leakage=0.1, maxfev=60).to_dict()
    assert out["one_way_upper_bound"][0][0] == 0.0 and out["verdict"][0][0] == "key"
    assert out["lower_bound"][0][0] <= out["one_way_upper_bound_reverse"][0][0] + 1e-9
    assert out["unit"] == "bits per key round" and "Bob -> Alice" in out["directions"]


def test_workers_range_in_the_api(tmp_path):
    from qkdbounds.sweep.di_region import di_region_sweep

    with pytest.raises(InputError, match=r"\[1, 256\]"):
        di_region_sweep([1.0], [0.95], tmp_path / "s.sqlite", n_workers=10**5)


def test_di_window_reads_its_attack_points_from_the_store(tmp_path):
    """Issue 21, item 4: the report's DI window (make_di_figure: di_eta_window with
    StoredDIPoints on OUT/results.sqlite) takes the attack from the results store (the sweep's di
    question): a second run computes nothing, and each point is the di-attack answer at that
    efficiency (one route).  A 3-point grid here; the report's own run is in tests/report."""
    from qkdbounds.di.region import di_eta_window
    from qkdbounds.store import ResultStore
    from qkdbounds.sweep.di_region import StoredDIPoints

    store = tmp_path / "results.sqlite"
    etas = [0.86, 0.88, 0.92]
    first = StoredDIPoints(store)
    window = di_eta_window(etas, attack_points=first)
    n = window.attack.etas.size   # the grid and the bisection of the attack's zero
    assert n > len(etas) and (first.computed, first.read) == (n, 0)
    second = StoredDIPoints(store)
    again = di_eta_window(etas, attack_points=second)
    assert (second.computed, second.read) == (0, n)
    assert np.array_equal(again.attack.upper, window.attack.upper)
    assert again.thresholds["upper_zero"] == window.thresholds["upper_zero"]
    with ResultStore(store) as db:
        assert len(db.records()) == n
    out = subprocess.run([sys.executable, "-m", "qkdbounds", "di-attack", "--eta", "0.92",
                          "--visibility", "1", "--json", "--quiet"], capture_output=True, text=True,
                         timeout=300, check=True)
    k = list(window.attack.etas).index(0.92)
    assert window.attack.upper[0][k] == json.loads(out.stdout)["rate_upper_bound"]
