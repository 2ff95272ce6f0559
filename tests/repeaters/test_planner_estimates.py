"""Planner estimates (issue 23, item 4): the Monte Carlo pair rate carries its standard error and
is never printed above its bound; the pair-rate bound's integral against inclusion-exclusion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qkdbounds.repeaters.planner import (expected_max_attempts_lower, expected_max_attempts_upper, plan_link,
                                         plan_path)


@pytest.mark.parametrize("seed", range(16), ids=lambda s: f"seed{s}")
def test_pair_rate_estimate_never_outside_its_bounds(seed):
    e = plan_link(500, 4, 0.05, seed=seed).end_to_end
    assert e["pair_rate_hz_stderr"] > 0
    assert e["pair_rate_lower_bound_hz"] <= e["pair_rate_hz"] <= e["pair_rate_upper_bound_hz"]
    if e["pair_rate_hz"] in (e["pair_rate_upper_bound_hz"], e["pair_rate_lower_bound_hz"]):
        assert "sampling noise" in e["pair_rate_note"]
    else:
        assert e["pair_rate_note"] is None


def test_some_seed_is_capped_with_a_note():
    """The bounds are within one attempt of the mean, so noise moves estimates outside them: at
    500 km (~1e5 attempts per pair) the band is far narrower than the error bar, on both sides."""
    notes = [plan_link(500, 4, 0.05, seed=s).end_to_end["pair_rate_note"] for s in range(16)]
    assert any("above the upper" in n for n in notes if n)
    assert any("below the lower" in n for n in notes if n)
    # at 20 km the band (one attempt in ~3) is wide: estimates fall inside it
    notes = [plan_link(20, 2, 0.05, seed=s).end_to_end["pair_rate_note"] for s in range(8)]
    assert not any(notes)


def test_expected_max_integral_equals_inclusion_exclusion():
    p = np.array([1e-3, 3e-4, 5e-2, 1e-3, 2e-4])
    lam = -np.log1p(-p)
    exact = sum((-1) ** (r + 1) / sum(s) for r in range(1, 6)
                for s in itertools.combinations(lam, r))
    assert expected_max_attempts_lower(p) == pytest.approx(exact, rel=1e-10)


def test_heterogeneous_pair_rate_bound_is_monotone_in_added_segments():
    base = plan_path([100.0, 20.0], 0.05).end_to_end["pair_rate_upper_bound_hz"]
    more = plan_path([100.0, 20.0, 1.0], 0.05).end_to_end["pair_rate_upper_bound_hz"]
    assert more <= base


@pytest.mark.parametrize("p", [[0.5], [1e-3, 1e-3], [1e-3, 3e-4, 5e-2], [0.9, 0.2, 0.02, 0.3], [0.7] * 6])
def test_expected_max_attempts_lies_between_its_bounds(p):
    # E[max T] = sum_n P(max T > n) = sum_n (1 - prod_i (1 - (1 - p_i)^n)), summed until the
    # tail is below 1e-13 (a direct series, not the integral behind the two bounds)
    p = np.asarray(p)
    n = np.arange(0, int(60 / p.min()))
    exact = float(np.sum(1 - np.prod(1 - (1 - p[None, :]) ** n[:, None], axis=1)))
    low, up = expected_max_attempts_lower(p), expected_max_attempts_upper(p)
    assert low <= exact <= up
    assert up - low <= 1.0 + 1e-9 * up                 # T = ceil(X): within one attempt
    if p.size == 1:
        assert low == pytest.approx(1 / p[0]) and up == pytest.approx(1 / p[0])


def test_repeaters_beat_plob_is_decided_from_both_sides():
    # undecided: the key bound is above PLOB but no key is proven (lower bound 0)
    undecided = plan_link(400, 16, 0.1, memory_t2_s=0.1)
    e = undecided.end_to_end
    assert e["key_rate_upper_bound_bps"] > e["plob_key_rate_bps"] and e["lower_bound"] == 0.0
    assert undecided.repeaters_can_beat_plob is None
    # ruled out: the key bound is below PLOB
    short = plan_link(100, 4, 0.05)
    assert short.end_to_end["key_rate_upper_bound_bps"] <= short.end_to_end["plob_key_rate_bps"]
    assert short.repeaters_can_beat_plob is False
    # proven: at long distance with good memories the chain's achievable key exceeds PLOB
    far = plan_link(800, 16, 0.0)
    e = far.end_to_end
    assert e["key_rate_lower_bound_bps"] > e["plob_key_rate_bps"]
    assert far.repeaters_can_beat_plob is True
    assert e["key_rate_lower_bound_bps"] == pytest.approx(e["lower_bound"] * e["pair_rate_lower_bound_hz"])
    assert e["key_rate_lower_bound_bps"] <= e["key_rate_upper_bound_bps"]


def test_repeater_budget_is_consistent_at_a_round_off_edge():
    """API audit (session 35): d = 3, v = 0.5, L = 0: the chain's visibility after one repeater is
    0.2500000000000003 against the threshold 0.25 (rate 5.7e-16); the self-check compares rates
    to ATOL_RATE, so n_max and the rate bounds agree."""
    from qkdbounds import repeater_budget

    r = repeater_budget(0.5, 0.0, local_dim=3, attack="paper")
    assert r.consistent is True and r.n_max == r.n_max_from_rate_bound == 0
