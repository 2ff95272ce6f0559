"""Weyl-diagonal links: the composition law against the density-matrix simulation (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.errors import InputError
from qkdbounds.repeaters.links import (
    compose_chain,
    compose_weights,
    dephase_weights,
    depolarize_weights,
    isotropic_weights,
    weights_from_state,
    weights_to_state,
    weyl_diagonal_link,
)
from qkdbounds.repeaters.swapping import bell_basis_unitaries, swap_states


@pytest.mark.parametrize("d", [2, 3, 4])
def test_composition_law_equals_the_simulation_for_random_links(d):
    rng = np.random.default_rng(d)
    for _ in range(3):
        p1 = rng.dirichlet(np.ones(d * d)).reshape(d, d)
        p2 = rng.dirichlet(np.ones(d * d)).reshape(d, d)
        simulated = swap_states(weights_to_state(p1), weights_to_state(p2), d).state
        law = weights_to_state(compose_weights(p1, p2))
        assert_allclose(simulated, law, atol=1e-12)           # the whole state, not only weights
        assert_allclose(weights_from_state(simulated, d), compose_weights(p1, p2), atol=1e-12)


@pytest.mark.parametrize("f1,f2", [(0.9, 0.8), (0.6, 0.95), (0.25, 0.7), (0.0, 0.5)])
def test_werner_links_textbook_formula(f1, f2):
    """d = 2 Werner links: F_out = F1 F2 + (1 - F1)(1 - F2)/3 (e.g. Dur, Briegel, Cirac & Zoller,
    PRA 59, 169 (1999)); F < 1/4 (v < 0) included."""
    def werner(f):
        return isotropic_weights((4 * f - 1) / 3, 2)

    out = compose_weights(werner(f1), werner(f2))
    assert out[0, 0] == pytest.approx(f1 * f2 + (1 - f1) * (1 - f2) / 3, abs=1e-14)
    assert np.allclose(out.ravel()[1:], out.ravel()[1])   # still Werner


def test_chain_orders_agree_and_heterogeneous_visibilities_multiply():
    rng = np.random.default_rng(7)
    links = [rng.dirichlet(np.ones(9)).reshape(3, 3) for _ in range(5)]
    seq = compose_chain(links, "sequential").link.weights
    bal = compose_chain(links, "balanced").link.weights
    assert_allclose(seq, bal, atol=1e-14)
    vis = [0.9, -0.05, 0.7, 1.0]
    chain = compose_chain([isotropic_weights(v, 3) for v in vis])
    assert chain.link.visibility == pytest.approx(np.prod(vis), abs=1e-14)
    assert chain.link.is_isotropic


def test_large_d_chain_is_cheap_and_exact_for_isotropic_links():
    chain = compose_chain([isotropic_weights(0.95, 16)] * 40)
    assert chain.link.visibility == pytest.approx(0.95**40, rel=1e-12)


@pytest.mark.parametrize("d", [2, 3])
def test_memory_channels_match_dense_channels(d):
    rng = np.random.default_rng(11)
    p = rng.dirichlet(np.ones(d * d)).reshape(d, d)
    rho = weights_to_state(p)
    lam = 0.7
    # depolarising on Alice's qudit: lam rho + (1 - lam) I/d (x) rho_B
    rho_b = np.einsum("ijik->jk", rho.reshape(d, d, d, d))
    dep = lam * rho + (1 - lam) * np.kron(np.eye(d) / d, rho_b)
    assert_allclose(weights_to_state(depolarize_weights(p, lam)), dep, atol=1e-12)
    # dephasing on Alice's qudit: lam rho + (1 - lam)/d sum_j (Z^j (x) I) rho (Z^-j (x) I)
    z = bell_basis_unitaries(d)[0, 1]
    deph = sum(np.kron(np.linalg.matrix_power(z, j), np.eye(d)) @ rho
               @ np.kron(np.linalg.matrix_power(z, j), np.eye(d)).conj().T for j in range(d)) / d
    assert_allclose(weights_to_state(dephase_weights(p, lam)), lam * rho + (1 - lam) * deph,
                    atol=1e-12)


@pytest.mark.parametrize("bad", [[[0.5, 0.6], [0.0, 0.0]], [[1.1, -0.1], [0, 0]], [0.5, 0.5, 0.5],
                                 [[np.nan, 0], [0, 1]]])
def test_bad_weights_refused(bad):
    with pytest.raises(InputError):
        weyl_diagonal_link(bad)


def test_isotropic_visibility_range():
    with pytest.raises(InputError, match="visibility"):
        isotropic_weights(-0.4, 2)                  # below -1/3
    assert isotropic_weights(-1 / 15, 4)[0, 0] == pytest.approx(0.0, abs=1e-15)


def test_fft_convolution_equals_the_direct_sum():
    from qkdbounds.repeaters import links as L

    rng = np.random.default_rng(5)
    p1 = rng.dirichlet(np.ones(144)).reshape(12, 12)
    p2 = rng.dirichlet(np.ones(144)).reshape(12, 12)
    direct = sum(p1[m, k] * np.roll(p2, (m, k), axis=(0, 1)) for m in range(12) for k in range(12))
    assert L.FFT_ABOVE_DIM < 12
    assert_allclose(compose_weights(p1, p2), direct, atol=1e-15)
