"""The CC attack's joint distribution with Eve (Eqs. 11, 12, 20) from its definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.attacks import joint_distribution_with_eve, minimize_gamma, question_class
from qkdbounds.info import conditional_total_correlation, group_information_measure
from qkdbounds.measurements import computational, isotropic_distribution, random_measurement
from qkdbounds.states import isotropic_ghz

CASES = [(2, 2, 0.6), (3, 2, 0.45), (2, 3, 0.4), (2, 2, 0.2)]


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n,v", CASES, ids=[f"d{d}N{n}v{v}" for d, n, v in CASES])
def test_joint_reproduces_honest_statistics_and_reduced_form(d, n, v, model, rng):
    state = isotropic_ghz(d, n, v)
    setting = [random_measurement(d, rng) for _ in range(n)]
    gamma = rng.uniform(size=(d,) * n)
    joint, labels = joint_distribution_with_eve(state, setting, 0.25, model, gamma)
    # Eve's attack must be invisible: summing over e gives p^v (Eq. 11 / 20 with Eq. 8)
    assert_allclose(joint.sum(axis=0), isotropic_distribution(setting, v), atol=1e-12)
    # flagged product rounds and leaked rounds carry no information (argument before Eq. 14)
    groups = [[i] for i in range(n)]
    for row, label in zip(joint, labels):
        if label != "?":
            assert group_information_measure(row, groups) < 1e-12
    # the full conditional information equals the reduced "?" form used by the bounds
    qc = question_class(state, setting, 0.25, model)
    reduced = group_information_measure(qc.base + gamma * qc.extra, groups)
    assert_allclose(conditional_total_correlation(joint), reduced, atol=1e-12)


@pytest.mark.parametrize("model", ["uniform", "junk"])
def test_leaked_fraction(model):
    # text after Eq. (20): junk-only leakage leaks a fraction L q_v (= 3 L (1 - v)/2 for d = N = 2)
    d, n, v, leak = 2, 2, 0.7, 0.2
    state = isotropic_ghz(d, n, v)
    joint, labels = joint_distribution_with_eve(state, [computational(2)] * 2, leak, model)
    leaked = sum(row.sum() for row, lab in zip(joint, labels) if lab != "?" and lab[0] == "leak")
    expected = leak if model == "uniform" else 3 * leak * (1 - v) / 2
    assert_allclose(leaked, expected, atol=1e-12)


def test_paper_gamma_eq16_makes_question_class_uniform_below_threshold():
    # Eq. (16): with gamma_a = (1-L)(1-q)(p'(a') - p(a))/(q L p_sep(a)) the "?" class is uniform,
    # hence I(A|?) = 0, and gamma <= 1 exactly when v <= 1/(1 + d^(N-1)(1-L)) (derived Eq. 19).
    d, n, leak = 2, 2, 0.1
    v_star = 1 / (1 + d ** (n - 1) * (1 - leak))
    for v, feasible in [(v_star - 1e-3, True), (v_star + 1e-3, False)]:
        state = isotropic_ghz(d, n, v)
        qc = question_class(state, [computational(d)] * n, leak, "uniform")
        gamma = (qc.base.max() - qc.base) / qc.extra
        assert (gamma.max() <= 1) == feasible
        m = qc.base + np.clip(gamma, 0, 1) * qc.extra
        if feasible:
            assert_allclose(m, np.full(m.shape, m.mean()), atol=1e-15)
            assert minimize_gamma(qc.base, qc.extra).zero_key


def test_bad_model_rejected():
    with pytest.raises(ValueError, match="model"):
        question_class(isotropic_ghz(2, 2, 0.5), [computational(2)] * 2, 0.1, "sometimes")
