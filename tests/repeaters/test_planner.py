"""Planning in km: fibre loss, heralded links, memories, PLOB (issue 15)."""

from __future__ import annotations

import json
import math

import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.errors import InputError
from qkdbounds.repeaters.planner import fibre_transmissivity, max_distance, plan_link, plob_bound


def test_plob_closed_form():
    """PLOB (Pirandola et al. 2017): -log2(1 - eta); 100 km at 0.2 dB/km: eta = 0.01."""
    eta = fibre_transmissivity(100, 0.2)
    assert eta == pytest.approx(0.01, rel=1e-12)
    assert plob_bound(eta) == pytest.approx(-math.log2(0.99), rel=1e-12)
    assert plob_bound(0.5) == pytest.approx(1.0, abs=1e-15)
    # small eta: ~ 1.44 eta
    assert plob_bound(1e-8) == pytest.approx(1e-8 / math.log(2), rel=1e-7)


def test_plan_without_memory_noise_is_exact():
    plan = plan_link(300, 6, 0.1, detector_efficiency=0.8, link_visibility=0.97,
                     source_rate_hz=1e7)
    seg, e = plan.segment, plan.end_to_end
    assert seg["length_km"] == pytest.approx(50)
    assert seg["transmissivity"] == pytest.approx(0.1, rel=1e-12)
    p = 0.5 * 0.8**2 * 0.1
    assert seg["success_probability"] == pytest.approx(p, rel=1e-12)
    tau = max(1e-7, 50 / 2e5)
    assert seg["attempt_time_s"] == pytest.approx(tau)
    # perfect memories: the end-to-end link is the composition of six v = 0.97 links
    assert e["visibility"] == pytest.approx(0.97**6, rel=1e-12)
    assert e["rate_upper_bound"] == pytest.approx(rate_upper_bound(2, 2, 0.97**6, 0.1).value,
                                                  abs=1e-12)
    assert e["rate_upper_bound_stderr"] == 0.0
    # pair rate bound: 1/(tau max(1/p, H_K/lambda))
    h6, lam = sum(1 / j for j in range(1, 7)), -math.log1p(-p)
    assert e["pair_rate_upper_bound_hz"] == pytest.approx(1 / (tau * max(1 / p, h6 / lam)))
    assert e["pair_rate_hz"] <= e["pair_rate_upper_bound_hz"] * 1.05   # MC estimate, 4096 samples
    assert e["key_rate_upper_bound_bps"] == pytest.approx(e["pair_rate_upper_bound_hz"]
                                                          * e["rate_upper_bound"])
    assert e["plob_key_rate_bps"] == pytest.approx(1e7 * plob_bound(fibre_transmissivity(300)))


def test_single_segment_pair_rate_never_exceeds_the_attempt_rate():
    plan = plan_link(0.001, 1, 0.0, bsm_success=1, detector_efficiency=1, source_rate_hz=1e8)
    assert plan.end_to_end["pair_rate_upper_bound_hz"] <= 1e8 * (1 + 1e-12)


def test_memory_averaged_bound_against_an_independent_monte_carlo():
    """Second route: sample the heralding times here (other seed, numpy only), decay each
    link's two qubits over its wait, and average the isotropic bound."""
    import numpy as np

    seg_len, k, t2, leak = 50.0, 2, 2e-3, 0.1
    plan = plan_link(seg_len * k, k, leak, memory_t2_s=t2)
    p = 0.5 * 0.9**2 * 10 ** (-0.2 * seg_len / 10)
    tau = max(1e-8, seg_len / 2e5)
    rng = np.random.default_rng(12345)
    t = rng.geometric(p, size=(40000, k))
    waits = (t.max(axis=1, keepdims=True) - t) * tau
    v = np.exp(-2 * waits.sum(axis=1) / t2)                    # fresh v = 1, depolarising
    r = rate_upper_bound(2, 2, np.clip(v, 0, 1), leak).value
    r = np.where(v <= 1 / 3, 0.0, r)
    e = plan.end_to_end
    assert e["rate_upper_bound_mean"] == pytest.approx(r.mean(), abs=4 * e["rate_upper_bound_stderr"]
                                                       + 4 * r.std() / np.sqrt(r.size))
    assert e["rate_upper_bound"] >= e["rate_upper_bound_mean"]
    assert 0 < e["rate_upper_bound"] < 0.9


def test_inverse_agrees_with_the_forward_route():
    res = max_distance(50.0, 4, 0.05, memory_t2_s=1.0)
    assert res["checked"]
    d = res["max_distance_km"]
    assert plan_link(d, 4, 0.05, memory_t2_s=1.0).end_to_end["key_rate_upper_bound_bps"] >= 50.0
    assert plan_link(d + 0.01, 4, 0.05,
                     memory_t2_s=1.0).end_to_end["key_rate_upper_bound_bps"] < 50.0


def test_cli_plan_equals_api(capsys):
    code = main(["plan", "--distance-km", "250", "--segments", "4", "--leakage", "0.05",
                 "--memory-t2-s", "2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    api = plan_link(250, 4, 0.05, memory_t2_s=2.0)
    assert out["key_rate_upper_bound_bps"] == api.end_to_end["key_rate_upper_bound_bps"]
    assert out["plob_bound"] == api.end_to_end["plob_bound"]


@pytest.mark.parametrize("kwargs", [dict(distance_km=-1), dict(segments=0),
                                    dict(detector_efficiency=1.5), dict(leakage=2),
                                    dict(memory_t2_s=0.0), dict(detector_efficiency=0.0)])
def test_bad_plan_inputs(kwargs):
    args = dict(distance_km=100, segments=2, leakage=0.1)
    args.update(kwargs)
    with pytest.raises(InputError):
        plan_link(**args)


def test_fewest_segments_agrees_with_the_forward_route():
    from qkdbounds.repeaters.planner import min_segments

    res = min_segments(20.0, 400, 0.05, max_segments=16, memory_t2_s=1.0)
    k = res["fewest_segments"]
    assert k is not None and k > 1
    rate = lambda n: plan_link(400, n, 0.05, memory_t2_s=1.0).end_to_end["key_rate_upper_bound_bps"]  # noqa: E731
    assert rate(k) >= 20.0 and all(rate(n) < 20.0 for n in range(1, k))


def test_target_searches_report_progress(monkeypatch, capsys):
    # fuzzing: `plan --target-key-rate-bps ... --max-segments 1024` ran 4 min with no output
    import sys

    from qkdbounds.repeaters.planner import max_distance_plans, min_segments

    calls = []
    max_distance(1e-3, 4, 0.1, callback=calls.append)
    assert 10 < len(calls) <= max_distance_plans()
    calls.clear()
    min_segments(1e-3, 300, 0.1, max_segments=5, callback=calls.append)
    assert calls == [1] * 5
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["plan", "--distance-km", "300", "--segments", "4", "--leakage", "0.1",
                 "--target-key-rate-bps", "1e-3", "--max-segments", "3", "--json"]) == 0
    err = capsys.readouterr().err
    assert "plan:" in err and f"/{max_distance_plans() + 3}" in err     # the bar and its total
