"""Beyond the paper (issue 7): extended CC attack and intrinsic-information minimiser."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qkdbounds import rate_upper_bound
from qkdbounds.attacks.cc import joint_distribution_with_eve
from qkdbounds.attacks.extended import extended_question_class, flag_distributions, minimize_extended
from qkdbounds.attacks.intrinsic import minimize_intrinsic, set_partitions
from qkdbounds.bounds import threshold_closed_form
from qkdbounds.info import conditional_total_correlation, group_information_measure, mutual_information
from qkdbounds.measurements import computational, random_measurement, separable_distribution
from qkdbounds.states import isotropic_ghz


@settings(max_examples=15)
@given(st.floats(0.0, 1.0), st.floats(0.0, 0.9), st.sampled_from(["uniform", "junk"]))
def test_extended_never_above_paper_and_nonnegative(v, leak, model):
    paper = rate_upper_bound(2, 2, v, leak, model).value
    ext = rate_upper_bound(2, 2, v, leak, model, attack="extended").value
    assert 0 <= ext <= paper + 1e-12


@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (2, 3)])
def test_extended_strictly_tighter_above_threshold(d, n):
    # forgetting the flags of the phase-randomised product states adds independent noise to "?"
    for leak in (0.0, 0.1, 0.3):
        v = 0.5 * (1 + threshold_closed_form(d, n, leak))
        paper = rate_upper_bound(d, n, v, leak, attack="paper", cut_bound=False).value
        ext = rate_upper_bound(d, n, v, leak, attack="extended", cut_bound=False)
        assert ext.value < paper - 1e-3, (leak, paper, ext.value)
        assert ext.certificate["attack"]["forgotten_flag_fraction"] == 1.0
        # the general route (bases given) finds the same: the uniform flag group forgotten
        gen = rate_upper_bound(d, n, v, leak, measurements=[computational(d)] * n, attack="extended")
        assert_allclose(gen.value, ext.value, atol=1e-9)
        assert gen.certificate["attack"]["flag_group_fractions"].max() > 0.5


def test_extended_certificate_recomputes_the_value():
    state = isotropic_ghz(2, 2, 0.7)
    eqc = extended_question_class(state, [computational(2)] * 2, 0.2)
    sol = minimize_extended(eqc)
    assert np.all((sol.y >= -1e-15) & (sol.y <= eqc.box + 1e-15))
    assert np.all((sol.eta >= 0) & (sol.eta <= 1))
    m = eqc.base + sol.y + np.tensordot(sol.eta, eqc.flags, axes=1)
    assert_allclose(group_information_measure(m, [[0], [1]]), sol.value, atol=1e-12)
    # the flag groups sum to the separable rounds that were not leaked (Eq. 11, first term)
    p_sep = separable_distribution([computational(2)] * 2)
    assert_allclose(eqc.flags.sum(axis=0), eqc.q * (1 - 0.2) * p_sep, atol=1e-14)


def test_flag_groups_match_ensemble_for_random_bases(rng):
    setting = [random_measurement(3, rng), random_measurement(3, rng)]
    state = isotropic_ghz(3, 2, 0.6)
    assert_allclose(flag_distributions(state, setting).sum(axis=0), separable_distribution(setting),
                    atol=1e-12)


def test_intrinsic_never_above_extended_and_equal_to_full_record_route():
    for v, leak in [(0.6, 0.1), (0.9, 0.3)]:
        ext = rate_upper_bound(2, 2, v, leak, attack="extended")
        intr = rate_upper_bound(2, 2, v, leak, attack="intrinsic")
        assert intr.value <= ext.value + 1e-12
        # the channel in the certificate applied to Eve's full record reproduces the value
        state = isotropic_ghz(2, 2, v)
        joint, _ = joint_distribution_with_eve(state, [computational(2)] * 2, leak)
        w = intr.certificate["attack"]["channel"]
        processed = np.tensordot(w.T, joint, axes=1)
        assert_allclose(conditional_total_correlation(processed), intr.value, atol=1e-9)


# --- the minimiser on distributions with known intrinsic information ---------------------------

def test_eve_holds_a_copy_of_alice():
    joint = np.zeros((2, 2, 2))
    joint[0, 0, 0], joint[0, 0, 1], joint[1, 1, 1], joint[1, 1, 0] = 0.4, 0.1, 0.4, 0.1
    assert minimize_intrinsic(joint).value < 1e-12


def test_independent_eve_gives_mutual_information(rng):
    p = rng.dirichlet(np.ones(6)).reshape(2, 3)
    joint = np.stack([0.2 * p, 0.5 * p, 0.3 * p])
    assert_allclose(minimize_intrinsic(joint).value, mutual_information(p, [0]), atol=1e-12)


def test_xor_eve_is_processed_away():
    # Maurer-Wolf example: A, B uniform bits, E = A xor B: I(A:B|E) = 1 but I(A:B down E) = 0
    joint = np.zeros((2, 2, 2))
    for a, b in itertools.product(range(2), repeat=2):
        joint[a ^ b, a, b] = 0.25
    assert_allclose(conditional_total_correlation(joint), 1.0)
    assert minimize_intrinsic(joint).value < 1e-12


def test_minimiser_not_worse_than_any_deterministic_channel(rng):
    for _ in range(3):
        joint = rng.dirichlet(np.ones(16)).reshape(4, 2, 2)
        best_det = min(
            sum(group_information_measure(sum(joint[e] for e in range(4) if a[e] == j), [[0], [1]])
                for j in range(max(a) + 1))
            for a in set_partitions(4))
        sol = minimize_intrinsic(joint, merge=False)
        assert sol.value <= best_det + 1e-12
        assert sol.value <= conditional_total_correlation(joint) + 1e-12


def test_set_partitions_are_bell_numbers():
    assert [sum(1 for _ in set_partitions(n)) for n in range(1, 7)] == [1, 2, 5, 15, 52, 203]


def test_bad_joint_rejected():
    with pytest.raises(ValueError, match="joint"):
        minimize_intrinsic(np.ones((2, 2)))
    with pytest.raises(ValueError, match="joint"):
        minimize_intrinsic(-np.ones((2, 2, 2)))


def test_coinciding_starts_run_once_and_distinct_ones_all_run():
    """An empty flag mass (the trivial decomposition's) makes the eta = 1 and eta = 1/2 starts
    one start; with flag mass every structured and random start is distinct.  Dropping the
    duplicate does not change the value (same trajectory)."""
    from dataclasses import replace

    from qkdbounds.states.isotropic import IsotropicGHZ

    eqc = extended_question_class(IsotropicGHZ(2, 2, 0.93), [computational(2)] * 2, 0.2)
    full = minimize_extended(eqc, n_starts=4)
    assert full.n_starts == 7 and not full.zero_key
    empty = replace(eqc, flags=np.zeros_like(eqc.flags))
    sol = minimize_extended(empty, n_starts=4)
    assert sol.n_starts < 7
    assert sol.value <= full.paper_value + 1e-12
