"""Repeater budget n_max (paper 1, Eq. 5) against the rate bound, and the planner inverse."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qkdbounds.bounds import rate_upper_bound, visibility_threshold
from qkdbounds.errors import InputError
from qkdbounds.repeaters import (
    eq5_bound,
    max_repeaters,
    minimum_link_visibility,
    repeater_budget,
    simulate_equal_chain,
)

CASES = [
    (0.95, 0.1, "uniform", 2),
    (0.9, 0.2, "uniform", 2),
    (0.98, 0.1, "junk", 2),
    (0.9, 0.1, "uniform", 3),
    (0.93, 0.3, "junk", 3),
]
IDS = [f"v={v},L={L},{m},d={d}" for v, L, m, d in CASES]


@pytest.mark.parametrize("v, leakage, model, d", CASES, ids=IDS)
def test_n_max_is_where_the_rate_bound_of_the_simulated_chain_hits_zero(v, leakage, model, d):
    budget = repeater_budget(v, leakage, model, d)
    n = budget.n_max
    assert n is not None and n >= 0
    # end-to-end states from the swapping simulation, not from the law
    at = simulate_equal_chain(v, n, d).value
    past = simulate_equal_chain(v, n + 1, d).value
    assert rate_upper_bound(d, 2, at, leakage, model).value > 0
    assert rate_upper_bound(d, 2, past, leakage, model).value == 0.0
    assert budget.consistent is True
    assert budget.n_max_from_rate_bound == n
    assert budget.law_max_deviation < 1e-10


def test_paper_numbers_v095_l01_uniform():
    """Eq. 5 and the claim "at most ten repeaters" (v = 0.95, L = 0.1, uniform)."""
    b = repeater_budget(0.95, 0.1, "uniform", 2, max_repeaters=21)
    printed = 1 / 3 + 2 * 0.1 / (3 - 2 * 0.1)                 # Theorem 1 (i) as printed
    assert_allclose(b.paper_threshold, printed, rtol=1e-12)
    assert_allclose(b.threshold, 1 / (3 - 2 * 0.1), rtol=1e-9)  # Appendix Eqs. 16-19
    assert_allclose(b.eq5_rhs, math.log2(printed) / (2 * math.log2(0.95)), rtol=1e-12)
    assert_allclose(b.eq5_rhs, eq5_bound(0.95, 0.1), rtol=1e-12)
    assert b.n_max_paper_convention == 8            # floor(8.8165): Eq. 5 exactly as printed
    assert b.variants["paper"]["derived"] == 10     # v**(2n) with the derived threshold: "ten"
    assert b.variants["simulated"]["printed"] == 16
    assert b.n_max == 19                            # simulated law v**(n+1), derived threshold
    # the paper-convention rate curve (Fig. 2) is positive up to n = 10, zero from n = 11
    rates = [p.rate_upper_bound_paper_convention for p in b.chain]
    assert rates[10] > 0 and rates[11] == 0.0


@pytest.mark.parametrize("v, expected_sim, expected_paper",
                         [(0.9, 8, 4), (0.95, 19, 8), (0.98, 49, 22)],
                         ids=["v=0.9", "v=0.95", "v=0.98"])
def test_fig2_visibilities(v, expected_sim, expected_paper):
    b = repeater_budget(v, 0.1, "uniform", 2, max_repeaters=0)
    assert (b.n_max, b.n_max_paper_convention) == (expected_sim, expected_paper)


def test_edge_cases_of_max_repeaters():
    assert max_repeaters(1.0, 0.4) is None
    assert max_repeaters(0.3, 0.4) == -1                 # no key even without repeaters
    assert max_repeaters(0.3, 0.4, "paper") == 0         # paper count: v**0 = 1 at n = 0
    assert max_repeaters(0.5, 0.125) == 1                # v**3 == threshold exactly: no key
    assert max_repeaters(0.5, 0.0625, "paper") == 1      # v**4 == threshold exactly
    assert max_repeaters(0.9, 1.0) == -1


@given(v=st.floats(0.05, 0.999), thr=st.floats(0.01, 0.99), law=st.sampled_from(["simulated", "paper"]))
def test_max_repeaters_matches_brute_force(v, thr, law):
    def chain(n):
        return v ** (n + 1) if law == "simulated" else v ** (2 * n)

    n = -1
    while chain(n + 1) > thr:
        n += 1
    assert max_repeaters(v, thr, law) == n


def test_no_key_without_repeaters():
    b = repeater_budget(0.3, 0.1, "uniform", 2, max_repeaters=3)
    assert b.n_max == -1
    assert b.chain[0].rate_upper_bound == 0.0
    assert b.consistent is True


@pytest.mark.parametrize("n, target, model, d",
                         [(5, 0.1, "uniform", 2), (10, 0.05, "junk", 2), (3, 0.3, "uniform", 3)],
                         ids=["n=5", "n=10 junk", "n=3 d=3"])
def test_planner_inverts_the_rate_bound(n, target, model, d):
    plan = minimum_link_visibility(n, target, 0.1, model, d)
    assert plan.status == "optimal"
    v = plan.value
    assert rate_upper_bound(d, 2, v ** (n + 1), 0.1, model).value >= target
    assert rate_upper_bound(d, 2, (v - 1e-6) ** (n + 1), 0.1, model).value < target
    assert_allclose(plan.value_paper_convention, plan.end_to_end_visibility ** (1 / (2 * n)))


def test_planner_zero_target_is_the_threshold_root_and_matches_the_budget():
    n = 10
    plan = minimum_link_visibility(n, 0.0, 0.1)
    thr = visibility_threshold(2, 2, 0.1).value
    assert plan.status == "closed_form"
    assert_allclose(plan.value, thr ** (1 / (n + 1)), rtol=1e-12)
    assert repeater_budget(plan.value + 1e-6, 0.1, max_repeaters=0).n_max >= n
    assert repeater_budget(plan.value - 1e-6, 0.1, max_repeaters=0).n_max < n


def test_planner_infeasible_target():
    plan = minimum_link_visibility(2, 0.95, 0.1)   # rate bound <= (1 - L) log2 d = 0.9
    assert plan.status == "infeasible" and plan.value is None
    assert_allclose(plan.max_rate, 0.9, atol=1e-9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: repeater_budget(1.2, 0.1), "visibility"),
        (lambda: repeater_budget(0.9, -0.1), "leakage"),
        (lambda: repeater_budget(0.9, 0.1, "bogus"), "model"),
        (lambda: repeater_budget(0.9, 0.1, local_dim=1), "local_dim"),
        (lambda: repeater_budget(0.9, 0.1, max_repeaters=-2), "max_repeaters"),
        (lambda: minimum_link_visibility(-1, 0.1, 0.1), "n_repeaters"),
        (lambda: minimum_link_visibility(2, 1.5, 0.1), "target_rate"),
        (lambda: max_repeaters(0.9, 0.5, "other"), "law"),
    ],
    ids=["v>1", "L<0", "model", "d=1", "K<0", "n<0", "target>log2d", "law"],
)
def test_bad_inputs_rejected(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_default_attack_is_best_with_the_paper_value_beside_it():
    """The chain's rate bounds use the tightest attack by default; each point names the paper's."""
    from qkdbounds.repeaters import minimum_link_visibility, repeater_budget

    best = repeater_budget(0.95, 0.1, "uniform", 2, max_repeaters=4)
    paper = repeater_budget(0.95, 0.1, "uniform", 2, max_repeaters=4, attack="paper")
    assert best.n_max == paper.n_max        # zero-key thresholds are the same for every attack
    for b, p in zip(best.chain, paper.chain):
        assert b.attack == "best" and p.attack == "paper"
        assert b.paper_value == p.rate_upper_bound == p.paper_value
        assert b.rate_upper_bound <= p.rate_upper_bound
    assert best.chain[0].rate_upper_bound < paper.chain[0].rate_upper_bound
    # a smaller upper bound needs a better link to reach the same target
    assert minimum_link_visibility(10, 0.05, 0.1).value > \
        minimum_link_visibility(10, 0.05, 0.1, attack="paper").value


@pytest.mark.parametrize("leak,d", [(0.8, 2), (1.0, 2), (0.6, 3)])
def test_a_printed_threshold_above_one_gives_no_repeaters_in_the_paper_convention(leak, d):
    # the printed Theorem-1/2 threshold exceeds 1 at large leakage (1.476 at L = 0.8, d = 2,
    # uniform); it was passed on as a visibility and refused ("threshold must be in [0, 1]")
    from qkdbounds.bounds.threshold import visibility_threshold

    b = repeater_budget(0.99, leak, "uniform", local_dim=d)
    assert b.paper_threshold == visibility_threshold(d, 2, leak, "uniform").paper_value > 1
    assert b.n_max_paper_convention == -1
    assert b.variants["simulated"]["printed"] == b.variants["paper"]["printed"] == -1
    # the derived threshold is a visibility and still gives the budget (L = 1: no key at all)
    assert (b.n_max == -1) == (leak == 1.0) and b.consistent
