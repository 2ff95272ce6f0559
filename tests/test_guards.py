"""Guards that mutation testing found untested (issue 23, item 5): each test fails when its guard
is removed or its tolerance loosened x100 (checked by planting the mutation)."""

import numpy as np
import pytest

from qkdbounds.errors import InputError


def test_engine_refuses_an_ensemble_that_does_not_reassemble_its_target():
    from qkdbounds.separability._engine import _finalise

    rho = np.diag([0.5, 0, 0, 0.5]).astype(complex)
    target = rho.copy()
    # |00> alone is off by 0.5 in the |11><11| entry: the reassembly check must refuse it
    weights = np.array([1.0])
    vectors = [np.array([[1, 0]], dtype=complex), np.array([[1, 0]], dtype=complex)]
    assert _finalise(rho, (2, 2), target, weights, vectors, whole=True) is None
    assert _finalise(rho, (2, 2), target, weights, vectors, whole=False) is None
    # the right ensemble passes
    vectors = [np.array([[1, 0], [0, 1]], dtype=complex), np.array([[1, 0], [0, 1]], dtype=complex)]
    done = _finalise(rho, (2, 2), target, np.array([0.5, 0.5]), vectors, whole=True)
    assert done is not None and done[0] == 1.0


def test_wootters_refuses_a_barely_entangled_state():
    """Concurrence 1e-8 (above the 1e-9 tolerance) is entangled: no product ensemble exists."""
    from qkdbounds.separability._exact import wootters_ensemble
    from qkdbounds.states.two_qubit import bell_diagonal_state

    with pytest.raises(InputError):
        wootters_ensemble(bell_diagonal_state((0.5 + 5e-9, 0.5 - 5e-9, 0, 0)))
    w, _, _ = wootters_ensemble(bell_diagonal_state((0.5 + 2e-10, 0.5 - 2e-10, 0, 0)))
    assert w.sum() == pytest.approx(1.0)


def test_planner_zero_key_only_for_separable_isotropic_links():
    """v <= 1/(1+d) is separable (zero key); just above it (1/(d+1) < v <= 1/d) the isotropic
    route's bound at L = 0 is positive and must be kept."""
    from qkdbounds import rate_upper_bound
    from qkdbounds.repeaters.links import isotropic_weights
    from qkdbounds.repeaters.planner import _averaged_bound

    v = 0.45   # between 1/3 and 1/2 for d = 2
    values, how = _averaged_bound(isotropic_weights(v, 2), np.ones(3), None, 2, 0.0, "uniform",
                                  True)
    expected = rate_upper_bound(2, 2, v, 0.0).value
    assert expected > 0.01 and "isotropic" in how
    assert np.allclose(values, expected)
    zero, _ = _averaged_bound(isotropic_weights(0.33, 2), np.ones(2), None, 2, 0.0, "uniform", True)
    assert np.all(zero == 0.0)


def test_chain_length_guard():
    from qkdbounds.repeaters.chain import MAX_CHAIN_LINKS, product_law

    with pytest.raises(InputError, match="between 1 and"):
        product_law([0.99] * (MAX_CHAIN_LINKS + 1))
    with pytest.raises(InputError, match="between 1 and"):
        product_law([])
    assert product_law([0.99] * MAX_CHAIN_LINKS) == pytest.approx(0.99 ** MAX_CHAIN_LINKS)


def test_rotated_ghz_recognition_is_exact_to_its_tolerance():
    """A locally rotated isotropic state is recognised; the same state moved by 1e-8 in one
    coherence (3 x the 1e-9 tolerance) is not."""
    from qkdbounds.bounds.source_bound import _rotated_isotropic_ghz
    from qkdbounds.states import ghz_vector

    rng = np.random.default_rng(3)
    us = []
    for _ in range(2):
        q, _ = np.linalg.qr(rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2)))
        us.append(q)
    psi = np.kron(us[0], us[1]) @ ghz_vector(2, 2)
    rho = 0.8 * np.outer(psi, psi.conj()) + 0.2 * np.eye(4) / 4
    found = _rotated_isotropic_ghz(rho, (2, 2), np.random.default_rng(0))
    assert found is not None and found[0] == pytest.approx(0.8, abs=1e-9)
    moved = rho.copy()
    moved[0, 1] += 3e-9
    moved[1, 0] += 3e-9
    assert _rotated_isotropic_ghz(moved, (2, 2), np.random.default_rng(0)) is None


def test_product_factor_tolerance():
    """A tensor with a second singular value 1e-6 of the first is entangled, not a product."""
    from qkdbounds.bounds.source_bound import _product_factors

    a, b, c = (np.array([1.0, 0.0]), np.array([0.6, 0.8]), np.array([0.0, 1.0]))
    product = np.einsum("i,j,k->ijk", a, b, c)
    assert _product_factors(product) is not None
    other = np.einsum("i,j,k->ijk", c, b, a)
    almost = product + 1e-6 * other
    assert _product_factors(almost / np.linalg.norm(almost)) is None
