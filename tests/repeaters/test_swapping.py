"""Entanglement swapping on density matrices (paper 1, "Repeater-based QKD").

Cross-checks: (i) a dense construction (full d^4 x d^4 state, explicit Bell projectors, partial
trace) against the contracted simulation; (ii) the Choi/teleportation picture: swapping an
isotropic link with isotropic link rho_R equals sending A R1's R1 through the channel whose Choi
state is rho_R (depolarising channels are covariant, so teleportation is exact); (iii) toqito's
isotropic state.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from toqito.states import isotropic as toqito_isotropic

from qkdbounds.errors import InputError
from qkdbounds.repeaters import (
    MAX_SWAP_DIM,
    bell_basis_unitaries,
    check_isotropic,
    isotropic_link,
    swap_isotropic,
    swap_states,
    visibility_from_fidelity,
)

ATOL = 1e-12


def _dense_swap(rho_left, rho_right, d):
    """Independent route: full 4-qudit state, projector per outcome, partial trace, correction."""
    big = np.kron(rho_left, rho_right)  # A R1 R2 B
    phi = np.eye(d).reshape(d * d) / np.sqrt(d)
    eye = np.eye(d)
    out = np.zeros((d * d, d * d), dtype=complex)
    probs = []
    for m in range(d):
        for k in range(d):
            p = bell_basis_unitaries(d)[m, k]
            bell = np.kron(p, eye) @ phi
            proj = np.kron(np.kron(eye, np.outer(bell, bell.conj())), eye)
            post = (proj @ big @ proj).reshape([d] * 8)
            # trace out R1 (axes 1, 5) and R2 (axes 2, 6)
            ab = np.einsum("arsbcrsy->abcy", post).reshape(d * d, d * d)
            probs.append(np.trace(ab).real)
            corr = np.kron(eye, p)
            out += corr @ ab @ corr.conj().T
    return out, np.array(probs)


def _random_state(d, rng):
    g = rng.normal(size=(d * d, d * d)) + 1j * rng.normal(size=(d * d, d * d))
    rho = g @ g.conj().T
    return rho / np.trace(rho)


def _choi_channel_apply(rho_in, choi, d):
    """(id_A (x) Lambda)(rho_in) with Lambda(X) = d tr_1[(X^T (x) I) choi] (Choi-Jamiolkowski)."""
    c = choi.reshape(d, d, d, d)       # [r, b, r', b']
    x = rho_in.reshape(d, d, d, d)     # [a, r, a', r']
    # Lambda(|r><r'|) = d * sum <r'|...: (X^T (x) I) picks c[r', b, r, b']... write it out:
    # Lambda(E_{r r'}) = d * tr_1[(E_{r' r} (x) I) choi] = d * c[r, :, r', :]
    out = d * np.einsum("arcs,rbsy->abcy", x, c)
    return out.reshape(d * d, d * d)


@pytest.mark.parametrize("d", [2, 3, 4], ids=lambda d: f"d={d}")
def test_isotropic_link_matches_toqito(d):
    for v in (0.0, 0.3, 1.0):
        assert_allclose(isotropic_link(v, d), toqito_isotropic(d, v), atol=ATOL)


@pytest.mark.parametrize("d", [2, 3], ids=lambda d: f"d={d}")
def test_contracted_swap_equals_dense_route_for_random_states(d, rng):
    left, right = _random_state(d, rng), _random_state(d, rng)
    res = swap_states(left, right, d)
    dense, probs = _dense_swap(left, right, d)
    assert_allclose(res.state, dense, atol=ATOL)
    assert_allclose(res.outcome_probabilities.ravel(), probs, atol=ATOL)
    assert_allclose(res.outcome_probabilities.sum(), 1.0, atol=ATOL)


@pytest.mark.parametrize("d", [2, 3, 4], ids=lambda d: f"d={d}")
def test_swap_of_isotropic_links_equals_choi_channel_route(d):
    v1, v2 = 0.83, 0.61
    res = swap_isotropic(v1, v2, d)
    choi = _choi_channel_apply(isotropic_link(v1, d), isotropic_link(v2, d), d)
    assert_allclose(res.state, choi, atol=ATOL)
    # and the fidelity computed directly as <phi+|rho|phi+> on the channel route
    phi = np.eye(d).reshape(d * d) / np.sqrt(d)
    fid = (phi.conj() @ choi @ phi).real
    assert_allclose(res.isotropy.fidelity, fid, atol=ATOL)
    assert_allclose(res.value, visibility_from_fidelity(fid, d), atol=ATOL)


@pytest.mark.parametrize("d", [2, 3, 5], ids=lambda d: f"d={d}")
def test_perfect_links_swap_to_phi_plus_with_uniform_outcomes(d):
    res = swap_isotropic(1.0, 1.0, d)
    assert_allclose(res.isotropy.fidelity, 1.0, atol=ATOL)
    assert_allclose(res.outcome_probabilities, np.full((d, d), 1 / d**2), atol=ATOL)


@pytest.mark.parametrize("d", [2, 3], ids=lambda d: f"d={d}")
def test_without_correction_the_state_would_be_maximally_mixed(d):
    # the correction is what carries the entanglement: check the dense route without it
    phi = np.eye(d).reshape(d * d) / np.sqrt(d)
    proj = np.outer(phi, phi.conj())
    big = np.kron(proj, proj).reshape([d] * 8)
    # project R1 R2 on each Bell state and average without correcting
    out = np.zeros((d * d, d * d), dtype=complex)
    for p in bell_basis_unitaries(d).reshape(d * d, d, d):
        amp = p / np.sqrt(d)
        out += np.einsum("rs,arsbctuy,tu->abcy", amp.conj(), big, amp).reshape(d * d, d * d)
    assert_allclose(out, np.eye(d * d) / d**2, atol=ATOL)
    assert swap_isotropic(1.0, 1.0, d).value == pytest.approx(1.0, abs=ATOL)


@given(v1=st.floats(0, 1), v2=st.floats(0, 1), d=st.sampled_from([2, 3, 4]))
def test_two_link_visibility_is_the_product(v1, v2, d):
    res = swap_isotropic(v1, v2, d)
    assert res.isotropic
    assert_allclose(res.value, v1 * v2, atol=1e-10)


def test_non_isotropic_state_is_flagged():
    # Bell-diagonal but not isotropic: equal mixture of phi+ and psi+ (d = 2)
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    psi = np.array([0, 1, 1, 0]) / np.sqrt(2)
    rho = 0.5 * np.outer(phi, phi) + 0.5 * np.outer(psi, psi)
    check = check_isotropic(rho, 2)
    assert not check.isotropic
    assert check.distance > 0.1
    # swapping it with a perfect link keeps it non-isotropic (the check is not vacuous)
    res = swap_states(rho, isotropic_link(1.0, 2), 2)
    assert not res.isotropic


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: swap_isotropic(1.1, 0.5, 2), "visibility_left"),
        (lambda: swap_isotropic(0.5, float("nan"), 2), "visibility_right"),
        (lambda: swap_isotropic(0.5, 0.5, 1), "local_dim"),
        (lambda: swap_isotropic(0.5, 0.5, MAX_SWAP_DIM + 1), "local_dim"),
        (lambda: swap_states(np.eye(4) / 4, np.eye(9) / 9, 2), "rho_right"),
        (lambda: swap_states(np.diag([1.5, -0.5, 0, 0]), np.eye(4) / 4, 2), "rho_left"),
    ],
    ids=["v>1", "nan", "d=1", "d too large", "shape", "not PSD"],
)
def test_bad_inputs_rejected(call, match):
    with pytest.raises(InputError, match=match):
        call()
