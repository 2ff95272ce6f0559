"""Every link command decides (SPEC §3: ``verdict``, ``lower_bound``, ``lower_bound_method`` beside
every ``rate_upper_bound``; the audit found none on swap, repeaters, plan and network)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.repeaters.link_bounds import link_key_bound
from qkdbounds.repeaters.links import isotropic_weights
from qkdbounds.repeaters.planner import plan_link

VERDICTS = ("no_key", "key", "open")


def _json(capsys, argv):
    assert main(argv + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _decided(d):
    assert d["verdict"] in VERDICTS and d["lower_bound_method"]
    assert d["lower_bound"] is not None and 0.0 <= d["lower_bound"] <= d["rate_upper_bound"] + 1e-12
    if d["verdict"] == "key":
        assert d["lower_bound"] > 0
    if d["verdict"] == "no_key":
        assert d["rate_upper_bound"] == 0.0


def test_swap_decides_and_equals_the_isotropic_route(capsys):
    out = _json(capsys, ["swap", "--visibilities", "0.9", "0.9", "--leakage", "0.1"])
    _decided(out)
    # second route: the isotropic rate route at the end-to-end visibility
    r = rate_upper_bound(2, 2, out["final_visibility"], 0.1)
    assert out["lower_bound"] == pytest.approx(r.lower_bound, abs=1e-12)
    assert out["verdict"] == r.verdict == "key" and out["unit"] == "bits per delivered pair"
    # the attack that won and the others beside it, as the rate route names them
    assert out["attack_used"] == r.attack_used and out["rate_upper_bound"] == pytest.approx(r.value, abs=1e-12)
    for name in ("paper_value", "extended_value", "no_attack_value"):
        assert out[name] == pytest.approx(getattr(r, name), abs=1e-12)
    assert out["status"] == "closed_form" and out["message"] == ""
    bell = _json(capsys, ["swap", "--bell-diagonal", "0.9", "0.05", "0.03", "0.02",
                          "--bell-diagonal", "0.9", "0.02", "0.05", "0.03", "--leakage", "0.1"])
    _decided(bell)
    # the headline is the searched two-qubit bound (certified); the swap itself is exact
    assert (bell["status"], bell["chain_status"]) == ("certified", "closed_form")
    assert bell["rate_upper_bound"] == min(v for v in (bell["paper_value"], bell["extended_value"],
                                                        bell["no_attack_value"]) if v is not None)
    assert bell["attack_used"] in ("paper", "extended", "no_attack")


def test_a_separable_link_is_no_key_with_a_reason():
    bound = link_key_bound(isotropic_weights(0.3, 2), 0.1)
    assert bound.value == 0.0 and bound.verdict == "no_key" and "separable" in bound.lower_bound_method


def test_repeater_chain_points_decide(capsys):
    out = _json(capsys, ["repeaters", "--visibility", "0.95", "--leakage", "0.1"])
    for point in out["chain"]:
        _decided(point)
        r = rate_upper_bound(2, 2, point["visibility"], 0.1)
        assert point["verdict"] == r.verdict and point["lower_bound"] == pytest.approx(r.lower_bound)
        assert point["attack_used"] == r.attack_used and point["message"] == r.message
        for name in ("paper_value", "extended_value", "no_attack_value"):
            assert point[name] == pytest.approx(getattr(r, name), abs=1e-12)


@pytest.mark.parametrize("extra", [[], ["--memory-t2-s", "0.05", "--memory-noise", "dephasing"]])
def test_plan_decides_with_the_time_averaged_pair(capsys, extra):
    out = _json(capsys, ["plan", "--distance-km", "100", "--segments", "2", "--leakage", "0.1"]
                + extra)
    _decided(out)
    assert "time-averaged" in out["lower_bound_method"]
    # second route: the lower bound of the averaged delivered pair, by the link bound itself
    api = plan_link(100, 2, 0.1, **({} if not extra else {"memory_t2_s": 0.05,
                                                            "memory_noise": "dephasing"}))
    # (with memories: of the pair at the mean memory factor less 3 standard errors)
    again = link_key_bound(api.end_to_end["lower_bound_weights"], 0.1)
    if not extra:
        np.testing.assert_array_equal(api.end_to_end["lower_bound_weights"], api.end_to_end["weights"])
    else:
        assert link_key_bound(api.end_to_end["weights"], 0.1).lower_bound > again.lower_bound
    assert out["lower_bound"] == pytest.approx(min(again.lower_bound, out["rate_upper_bound"]),
                                               abs=1e-9)


def test_network_pairs_decide(capsys, tmp_path):
    graph = tmp_path / "net.json"
    graph.write_text(json.dumps({"links": [
        {"source": "A", "target": "B", "length_km": 20, "visibility": 0.9},
        {"source": "B", "target": "C", "length_km": 20, "visibility": 0.95}]}))
    out = _json(capsys, ["network", "--graph", str(graph), "--leakage", "0.1"])
    for pair in out["pairs"]:
        _decided(pair)
        r = rate_upper_bound(2, 2, pair["visibility"], 0.1)
        assert pair["lower_bound"] == pytest.approx(min(r.lower_bound, pair["rate_upper_bound"]),
                                                    abs=1e-9)


@pytest.mark.parametrize("argv", [
    ["plan", "--distance-km", "50", "--segments", "2", "--leakage", "0:0.2:0.1"],
    ["repeaters", "--visibility", "0.9", "--leakage", "0,0.1"],
    ["swap", "--visibilities", "0.9", "0.9", "--leakage", "0,0.1"],
])
def test_a_grid_on_a_single_value_command_is_one_clear_line(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--leakage" in err[0] and "[0, 1]" in err[0] and "grid" in err[0]


def test_bell_diagonal_errors_name_the_option(capsys):
    assert main(["state-bound", "--bell-diagonal", "0.5", "0.5", "0.5", "-0.5", "--leakage", "0.1"]) == 2
    assert "--bell-diagonal must be probabilities in [0, 1]" in capsys.readouterr().err
    assert main(["swap", "--bell-diagonal", "0.5", "0.5", "0.5", "-0.5",
                 "--bell-diagonal", "1", "0", "0", "0"]) == 2
    assert "--bell-diagonal[0]" in capsys.readouterr().err


def test_a_link_beyond_double_precision_is_answered_not_a_traceback(capsys, tmp_path):
    # 16,200 km: the heralding probability underflows to 0; network divided by it (a
    # ZeroDivisionError traceback) and plan called the link "no_key" with no lower bound
    graph = tmp_path / "far.json"
    graph.write_text(json.dumps({"links": [{"source": "A", "target": "B", "length_km": 16200}]}))
    out = _json(capsys, ["network", "--graph", str(graph), "--leakage", "0.05", "--quiet"])
    (pair,) = out["pairs"]
    assert pair["key_rate_upper_bound_bps"] == 0.0
    _decided(pair)
    near = _json(capsys, ["plan", "--distance-km", "16000", "--segments", "1", "--leakage", "0.05"])
    far = _json(capsys, ["plan", "--distance-km", "16200", "--segments", "1", "--leakage", "0.05"])
    _decided(far)
    assert far["verdict"] == near["verdict"] == "key"
    assert far["rate_upper_bound"] == pytest.approx(near["rate_upper_bound"], abs=1e-12)
    assert far["key_rate_upper_bound_bps"] == 0.0


def test_memories_name_the_time_averaged_pair_honestly(capsys):
    out = _json(capsys, ["plan", "--distance-km", "100", "--segments", "4", "--leakage", "0.05",
                         "--memory-t2-s", "1e-3"])
    _decided(out)
    assert out["rate_upper_bound"] > 0 and "upper bound 0" not in out["lower_bound_method"]


def test_a_separable_link_reports_its_no_attack_value():
    """A separable isotropic link: every attack gives 0 and the value without an attack is
    the isotropic route's, beside it (it was null, session 37)."""
    bound = link_key_bound(isotropic_weights(0.3, 2), 0.1)
    r = rate_upper_bound(2, 2, 0.3, 0.1)
    assert bound.attack_used == "separable" and bound.paper_value == bound.extended_value == 0.0
    assert bound.no_attack_value == pytest.approx(r.no_attack_value, abs=1e-12) and bound.no_attack_value > 0
