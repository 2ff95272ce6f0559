"""Planner estimates (issue 23, item 4): the Monte Carlo pair rate carries its standard error and
is never printed above its bound; the pair-rate bound's integral against inclusion-exclusion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qkdbounds.repeaters.planner import expected_max_attempts_lower, plan_link, plan_path


@pytest.mark.parametrize("seed", range(16), ids=lambda s: f"seed{s}")
def test_pair_rate_estimate_never_above_its_bound(seed):
    e = plan_link(500, 4, 0.05, seed=seed).end_to_end
    assert e["pair_rate_hz_stderr"] > 0
    assert e["pair_rate_hz"] <= e["pair_rate_upper_bound_hz"]
    if e["pair_rate_hz"] == e["pair_rate_upper_bound_hz"]:
        assert "sampling noise" in e["pair_rate_note"]
    else:
        assert e["pair_rate_note"] is None


def test_some_seed_is_capped_with_a_note():
    """The bound is within one attempt of the mean, so noise lifts some estimates above it."""
    notes = [plan_link(500, 4, 0.05, seed=s).end_to_end["pair_rate_note"] for s in range(16)]
    assert any(notes) and not all(notes)


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
