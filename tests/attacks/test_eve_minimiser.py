"""Eve's gamma minimisation: global optimum vs an independent dense brute force."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from qkdbounds.attacks import minimize_gamma, question_class
from qkdbounds.info import group_information_measure
from qkdbounds.measurements import computational, random_measurement
from qkdbounds.states import isotropic_ghz


def _brute_force(c, s, groups, grid=11, polish=6):
    """Independent route: exhaustive grid over the whole gamma box + L-BFGS-B polish."""
    shape = c.shape
    k = c.size
    levels = np.linspace(0, 1, grid)
    best = []
    for g in itertools.product(levels, repeat=k):
        g = np.reshape(g, shape)
        best.append((group_information_measure(c + g * s, groups), g))
    best.sort(key=lambda t: t[0])
    f = lambda x: group_information_measure(c + x.reshape(shape) * s, groups)  # noqa: E731
    out = best[0][0]
    for _, g0 in best[:polish]:
        res = minimize(f, g0.ravel(), method="L-BFGS-B", bounds=[(0, 1)] * k)
        out = min(out, res.fun)
    return out


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("v,leak", [(0.36, 0.1), (0.5, 0.3), (0.8, 0.2), (0.95, 0.6)])
def test_z_basis_matches_brute_force(v, leak, model):
    qc = question_class(isotropic_ghz(2, 2, v), [computational(2)] * 2, leak, model)
    ours = minimize_gamma(qc.base, qc.extra)
    brute = _brute_force(qc.base, qc.extra, [[0], [1]])
    assert ours.value <= brute + 1e-9
    assert_allclose(ours.value, brute, atol=1e-6)
    # the certificate recomputes to the reported value
    assert_allclose(group_information_measure(qc.base + ours.gamma * qc.extra, [[0], [1]]),
                    ours.value, atol=1e-12)


@pytest.mark.slow
def test_random_settings_match_brute_force(rng):
    for _ in range(4):
        setting = [random_measurement(2, rng) for _ in range(2)]
        qc = question_class(isotropic_ghz(2, 2, rng.uniform(0.4, 1)), setting, rng.uniform(0.05, 0.6),
                            "uniform")
        ours = minimize_gamma(qc.base, qc.extra)
        assert ours.value <= _brute_force(qc.base, qc.extra, [[0], [1]], grid=9) + 1e-9


def test_random_boxes_against_multistart_scipy(rng):
    # arbitrary (non-isotropic) boxes, three parties, 8 variables: compare with 30 L-BFGS-B starts
    groups = [[0], [1], [2]]
    for _ in range(3):
        c = rng.dirichlet(np.ones(8)).reshape(2, 2, 2) * rng.uniform(0.2, 1)
        s = rng.dirichlet(np.ones(8)).reshape(2, 2, 2) * rng.uniform(0.1, 1)
        ours = minimize_gamma(c, s, groups, n_starts=10, rng=rng)
        f = lambda x: group_information_measure(c + x.reshape(c.shape) * s, groups)  # noqa: E731
        scipy_best = min(minimize(f, rng.uniform(size=8), method="L-BFGS-B", bounds=[(0, 1)] * 8).fun
                         for _ in range(30))
        assert ours.value <= scipy_best + 1e-7


def test_zero_certificate_is_exact():
    qc = question_class(isotropic_ghz(3, 2, 0.26), [computational(3)] * 2, 0.1, "uniform")
    sol = minimize_gamma(qc.base, qc.extra)
    assert sol.zero_key and sol.value == 0.0
    m = qc.base + sol.gamma * qc.extra
    assert group_information_measure(m, [[0], [1]]) < 1e-13
    assert np.all((sol.gamma >= 0) & (sol.gamma <= 1))


def test_bad_inputs_rejected():
    with pytest.raises(ValueError):
        minimize_gamma(np.ones((2, 2)), -np.ones((2, 2)))
    with pytest.raises(ValueError):
        minimize_gamma(np.ones((2, 2)), np.ones((2, 3)))


def test_nothing_movable_is_one_start_at_G_of_c_and_keeps_the_generator_in_step():
    """s = 0 (Eve's trivial decomposition): the value is G(c) (second route: the entropy
    formula), one start runs, and the seeded generator ends where a run with s != 0 leaves it
    (so later random starts in a grid do not depend on the shortcut)."""
    c = np.array([[0.3, 0.05], [0.1, 0.25]])
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    sol = minimize_gamma(c, np.zeros_like(c), rng=rng_a)
    minimize_gamma(c, np.full_like(c, 0.01), rng=rng_b)
    assert sol.n_starts == 1 and not sol.zero_key
    assert sol.value == pytest.approx(group_information_measure(c, [[0], [1]]), abs=1e-15)
    p = c / c.sum()
    mi = sum(p[a, b] * np.log2(p[a, b] / (p[a].sum() * p[:, b].sum())) for a in range(2) for b in range(2))
    assert sol.value == pytest.approx(c.sum() * mi, abs=1e-12)
    assert rng_a.random() == rng_b.random()
    product = np.outer([0.4, 0.6], [0.3, 0.7]) * 0.8
    assert minimize_gamma(product, np.zeros_like(product)).zero_key
