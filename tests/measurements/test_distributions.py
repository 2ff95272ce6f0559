"""Outcome distributions: structured (GHZ amplitude tensor) vs dense density-matrix route."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.measurements import (
    computational,
    dense_distribution,
    fourier,
    from_unitary,
    ghz_distribution,
    isotropic_distribution,
    random_measurement,
    separable_distribution,
    xz_plane,
)
from qkdbounds.states import isotropic_ghz, separable_visibility

SIZES = [(2, 2), (3, 2), (2, 3), (3, 3), (4, 2), (2, 5)]


@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
def test_structured_matches_dense(d, n, rng):
    for _ in range(3):
        setting = [random_measurement(d, rng) for _ in range(n)]
        v = rng.uniform()
        dense = dense_distribution(isotropic_ghz(d, n, v).to_dense(), setting)
        assert_allclose(isotropic_distribution(setting, v), dense, atol=1e-12)


def test_z_basis_ghz_is_perfectly_correlated():
    p = ghz_distribution([computational(3)] * 3)
    expected = np.zeros((3, 3, 3))
    for k in range(3):
        expected[k, k, k] = 1 / 3
    assert_allclose(p, expected, atol=1e-15)


def test_fourier_bases_on_bipartite_ghz():
    # |phi+> is invariant under U (x) U*: measuring F on A and F* on B gives perfect correlation
    f = fourier(3)
    p = ghz_distribution([f, from_unitary(f.unitary.conj())])
    assert_allclose(np.diag(p), np.full(3, 1 / 3), atol=1e-12)


def test_xz_angle_statistics_match_cos_squared():
    # qubits: p(a = b) = cos^2(theta/2) for Z on A and an X-Z angle theta on B
    for theta in np.linspace(0, np.pi, 7):
        p = ghz_distribution([computational(2), xz_plane(theta)])
        assert_allclose(p[0, 0] + p[1, 1], np.cos(theta / 2) ** 2, atol=1e-12)


@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
def test_separable_distribution_formula(d, n, rng):
    # appendix before Eq. (17): p_sep = (p_ent + 1/d)/(1 + d^(N-1)); check it and the structured
    # route against the dense separable state of Eq. (9).
    setting = [random_measurement(d, rng) for _ in range(n)]
    dense = dense_distribution(isotropic_ghz(d, n, separable_visibility(d, n)).to_dense(), setting)
    assert_allclose(separable_distribution(setting), dense, atol=1e-12)
    p_ent = ghz_distribution(setting)
    assert_allclose(separable_distribution(setting), (p_ent + 1 / d) / (1 + d ** (n - 1)),
                    atol=1e-12)


def test_non_unitary_rejected():
    with pytest.raises(ValueError, match="unitary"):
        from_unitary(np.array([[1, 1], [0, 1]]))
    with pytest.raises(ValueError, match="same local dimension"):
        ghz_distribution([computational(2), computational(3)])
