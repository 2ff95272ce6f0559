"""Entropies and multipartite informations: known values and an independent entropy route."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from qkdbounds.info import (
    bipartitions,
    conditional_total_correlation,
    group_information_measure,
    marginal,
    min_cut_information,
    mutual_information,
    shannon_entropy,
    total_correlation,
)


def _entropy_route_tc(p):
    # independent route: sum of marginal entropies minus joint entropy (Eq. 26 for N = 2)
    return sum(shannon_entropy(marginal(p, [i])) for i in range(p.ndim)) - shannon_entropy(p)


def test_known_values():
    assert_allclose(shannon_entropy(np.full(8, 1 / 8)), 3.0)
    ghz = np.zeros((2, 2, 2))
    ghz[0, 0, 0] = ghz[1, 1, 1] = 0.5
    assert_allclose(total_correlation(ghz), 2.0)  # 3 * 1 - 1 = (N - 1) log2 d
    assert_allclose(mutual_information(ghz, [0]), 1.0)
    assert_allclose(total_correlation(np.full((3, 3), 1 / 9)), 0.0, atol=1e-15)
    # A1 = A2 uniform bit, A3 independent: TC = 1 but the cut {A3} carries nothing
    p = np.zeros((2, 2, 2))
    p[0, 0, :] = p[1, 1, :] = 0.25
    assert_allclose(total_correlation(p), 1.0)
    value, cut = min_cut_information(p)
    assert_allclose(value, 0.0, atol=1e-15)
    assert set(cut) == {0, 1}


prob_arrays = arrays(np.float64, st.sampled_from([(2, 2), (3, 2), (2, 2, 2), (2, 3, 2)]),
                     elements=st.floats(0, 1))


@given(prob_arrays)
def test_total_correlation_matches_entropy_route(raw):
    if raw.sum() <= 1e-9:
        return
    p = raw / raw.sum()
    assert_allclose(total_correlation(p), _entropy_route_tc(p), atol=1e-9)
    for s in bipartitions(p.ndim):
        rest = [i for i in range(p.ndim) if i not in s]
        mi = shannon_entropy(marginal(p, s)) + shannon_entropy(marginal(p, rest)) - shannon_entropy(p)
        assert_allclose(mutual_information(p, s), mi, atol=1e-9)
        assert mutual_information(p, s) <= total_correlation(p) + 1e-9


@given(prob_arrays, st.floats(0.01, 10))
def test_measure_form_is_mass_weighted(raw, scale):
    if raw.sum() <= 1e-9:
        return
    groups = [[i] for i in range(raw.ndim)]
    p = raw / raw.sum()
    assert_allclose(group_information_measure(scale * p, groups), scale * total_correlation(p),
                    rtol=1e-9, atol=1e-12)


def test_conditional_total_correlation_sums_over_eve():
    rng = np.random.default_rng(1)
    joint = rng.random((3, 2, 2))
    joint /= joint.sum()
    expected = sum(joint[e].sum() * _entropy_route_tc(joint[e] / joint[e].sum()) for e in range(3))
    assert_allclose(conditional_total_correlation(joint), expected, atol=1e-12)


def test_bipartitions_count():
    for n in range(2, 7):
        assert len(bipartitions(n)) == 2 ** (n - 1) - 1


def test_bad_distribution_rejected():
    with pytest.raises(ValueError):
        shannon_entropy(np.array([0.5, np.nan]))


def test_shannon_entropy_equals_scipy_entr_second_route():
    """Second route: :func:`scipy.special.entr` (the numpy code is used to keep scipy.special out
    of every CLI start-up)."""
    from scipy.special import entr

    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 64):
        p = rng.dirichlet(np.ones(n))
        p[rng.uniform(size=n) < 0.2] = 0.0
        assert abs(shannon_entropy(p) - entr(p).sum() / np.log(2)) < 1e-13
    assert shannon_entropy(np.array([1e-13, 1.0]), atol=1e-12) == 0.0
