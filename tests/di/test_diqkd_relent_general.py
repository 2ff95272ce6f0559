"""Relative entropy of entanglement bounds (certified separable states) and Eq. (3) for PPT states."""

import numpy as np
import pytest

from qkdbounds.di.partial_transpose import (
    SeparableCertificate,
    dephasing_certificate,
    isotropic_relative_entropy,
    isotropic_separable_certificate,
    isotropic_state,
    ppt_state_key_bound,
    relative_entropy_bound,
    relative_entropy_upper_bound,
    rho_d,
    rho_d_matrix,
)
from qkdbounds.di.partial_transpose._pt_upper import _to_bipartite
from qkdbounds.di.partial_transpose._spectra import binary_entropy
from qkdbounds.errors import InputError
from qkdbounds.states._partial_transpose import is_ppt


@pytest.mark.parametrize("d", [2, 3, 5])
def test_mub_certificate_is_the_separable_isotropic_state(d):
    cert = isotropic_separable_certificate(d)
    assert cert.verify()
    np.testing.assert_allclose(cert.matrix(), isotropic_state(d, 1 / d), atol=1e-12)


@pytest.mark.parametrize("d, fidelity", [(2, 0.6), (2, 0.95), (3, 0.5), (3, 0.9), (5, 0.7)])
def test_isotropic_closed_form(d, fidelity):
    # Rains (1999): E_R = log d - (1-F) log(d-1) - h(F); attained at the F = 1/d isotropic state.
    rho = isotropic_state(d, fidelity)
    bound = relative_entropy_bound(rho, isotropic_separable_certificate(d))
    assert bound.value == pytest.approx(isotropic_relative_entropy(d, fidelity), abs=1e-10)
    best = relative_entropy_upper_bound(rho, (d, d), n_starts=0)
    assert best.value == pytest.approx(isotropic_relative_entropy(d, fidelity), abs=1e-10)


def test_two_qubit_werner_closed_form_after_local_rotation():
    # Vedral-Plenio (1998): Werner state with singlet weight F >= 1/2 has E_R = 1 - h(F).
    F = 0.8
    psi = np.array([0, 1, -1, 0]) / np.sqrt(2)
    proj = np.outer(psi, psi)
    werner = F * proj + (1 - F) * (np.eye(4) - proj) / 3
    y = np.kron(np.eye(2), np.array([[0, -1], [1, 0]]))  # maps the singlet to Phi+ (local unitary)
    iso = y @ werner @ y.T
    assert relative_entropy_bound(iso, isotropic_separable_certificate(2)).value == pytest.approx(1 - binary_entropy(F), abs=1e-10)


def test_upper_bounds_are_never_below_the_closed_form(rng):
    for F in (0.55, 0.75):
        rho = isotropic_state(3, F)
        dephased = relative_entropy_bound(rho, dephasing_certificate(rho, (3, 3))).value
        assert dephased >= isotropic_relative_entropy(3, F) - 1e-10
    random_bound = relative_entropy_upper_bound(isotropic_state(3, 0.75), (3, 3), rng=rng, n_starts=1)
    assert random_bound.value >= isotropic_relative_entropy(3, 0.75) - 1e-10


def test_bell_state_dephasing_gives_one_bit():
    rho = isotropic_state(2, 1.0)
    assert relative_entropy_bound(rho, dephasing_certificate(rho, (2, 2))).value == pytest.approx(1.0, abs=1e-12)


def test_bad_certificate_is_a_status_not_a_number():
    cert = SeparableCertificate("product_basis_diagonal", (2, 2), np.array([0.5, 0.5, 0.5, -0.5]),
                                (np.eye(2), np.eye(2)))
    assert not cert.verify()
    res = relative_entropy_bound(np.eye(4) / 4, cert)
    assert res.status == "failed" and res.message == "certificate failed" and np.isnan(res.value)


def test_unsupported_sigma_gives_infinite_status():
    cert = SeparableCertificate("product_basis_diagonal", (2, 2), np.array([1.0, 0, 0, 0]), (np.eye(2), np.eye(2)))
    assert relative_entropy_bound(np.eye(4) / 4, cert).message.startswith("infinite")


# ---- Eq. (3) for general PPT states ------------------------------------------------------------

def test_ppt_2x2_and_2x3_are_zero_by_horodecki(rng):
    for dims, F in (((2, 2), 0.5), ((2, 2), 0.3)):
        res = ppt_state_key_bound(isotropic_state(2, F), dims)
        assert res.value == 0.0 and res.method == "ppt_implies_separable_2x2_2x3"
        assert res.upper_bound_state.certificate.verify()
    g = rng.normal(size=(3, 3))
    rho = np.kron(np.eye(2) / 2, g @ g.T / np.trace(g @ g.T))  # product, 2x3
    assert ppt_state_key_bound(rho, (2, 3)).value == 0.0


def test_rho_d_as_user_state_bound_is_p():
    # rho_2 reordered as (A A') | (B B'): 4 x 4 dimensional PPT entangled state.
    state = rho_d(2)
    mat = _to_bipartite(rho_d_matrix(state), 2)
    res = ppt_state_key_bound(mat, (4, 4), n_starts=0)
    assert res.status == "certified"
    assert res.value == pytest.approx(state.mixing, abs=1e-10)
    assert res.upper_bound_state.value == pytest.approx(1 - state.mixing, abs=1e-10)
    assert res.upper_bound_pt.certificate.verify()


def test_ppt_3x3_isotropic_separable_gives_zero():
    res = ppt_state_key_bound(isotropic_state(3, 1 / 3), (3, 3), n_starts=0)
    assert res.value == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize(
    "matrix, dims, match",
    [
        (isotropic_state(2, 0.9), (2, 2), "must be PPT"),
        (isotropic_state(3, 0.5), (3, 3), "must be PPT"),
        (np.eye(4) / 4, (2, 3), "dims 2x3 need 6"),
        (np.eye(4), (2, 2), "unit trace"),
        (np.diag([1.5, -0.5, 0, 0]), (2, 2), "positive semidefinite"),
        (np.eye(4) / 4, (2,), "two integers"),
        (np.eye(4) / 4, (1, 4), r"dims\[0\]"),
        (np.full((4, 4), np.nan), (2, 2), "NaN"),
    ],
    ids=["npt-2x2", "npt-3x3", "size", "trace", "psd", "dims-len", "dims-range", "nan"],
)
def test_rejects_bad_states(matrix, dims, match):
    assert not (match == "must be PPT" and is_ppt(matrix, dims))
    with pytest.raises(InputError, match=match):
        ppt_state_key_bound(matrix, dims)
