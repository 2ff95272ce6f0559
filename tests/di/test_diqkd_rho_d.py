"""rho_d (paper 2, "Examples"): construction and PPT, dense vs structured."""


import numpy as np
import pytest

from qkdbounds.di.partial_transpose import (
    RHO_D_BOB,
    fourier_unitary,
    hadamard_unitary,
    ppt_edge_mixing,
    rho_d,
    rho_d_matrix,
    rho_d_ppt,
    rho_d_ppt_mixing_range,
)
from qkdbounds.di.partial_transpose._spectra import Multiset
from qkdbounds.di.partial_transpose._structure import pt_spectrum, spectrum
from qkdbounds.errors import InputError
from qkdbounds.states._partial_transpose import partial_transpose

CASES = [(2, "fourier"), (2, "hadamard"), (3, "fourier"), (4, "hadamard"), (5, "fourier")]
IDS = [f"d{d}-{u}" for d, u in CASES]


@pytest.mark.parametrize("d, unitary", CASES, ids=IDS)
def test_dense_state_is_a_state_with_maximally_mixed_marginals(d, unitary):
    mat = rho_d_matrix(rho_d(d, unitary=unitary))
    assert mat.shape == (4 * d * d, 4 * d * d)
    np.testing.assert_allclose(mat, mat.conj().T, atol=1e-15)
    assert np.trace(mat).real == pytest.approx(1.0, abs=1e-13)
    assert np.linalg.eigvalsh(mat).min() > -1e-13
    # tr_{B B'} rho_d = I/(2d): rho_d is a Choi state of a channel (used in _channels).
    t = mat.reshape(2, 2, d, d, 2, 2, d, d)
    marg = np.einsum("abcdebfd->acef", t).reshape(2 * d, 2 * d)
    np.testing.assert_allclose(marg, np.eye(2 * d) / (2 * d), atol=1e-13)


@pytest.mark.parametrize("d, unitary", CASES, ids=IDS)
def test_structured_spectra_match_dense(d, unitary):
    state = rho_d(d, unitary=unitary)
    mat = rho_d_matrix(state)
    pt = partial_transpose(mat, state.dims, RHO_D_BOB)
    for structured, dense in ((spectrum(state), mat), (pt_spectrum(state), pt)):
        expanded = np.repeat(structured.values, structured.multiplicities)
        np.testing.assert_allclose(np.sort(expanded), np.linalg.eigvalsh(dense), atol=1e-12)


@pytest.mark.parametrize("d, unitary", CASES + [(8, "hadamard")], ids=IDS + ["d8-hadamard"])
def test_ppt_dense_vs_structured(d, unitary):
    state = rho_d(d, unitary=unitary)
    dense, structured = rho_d_ppt(state, "dense"), rho_d_ppt(state, "structured")
    assert dense.ppt and structured.ppt
    assert dense.min_eigenvalue_pt == pytest.approx(structured.min_eigenvalue_pt, abs=1e-12)


@pytest.mark.parametrize("d, unitary", [(2, "fourier"), (3, "fourier"), (4, "hadamard")], ids=["d2", "d3", "d4"])
def test_paper_mixing_is_exactly_the_ppt_edge(d, unitary):
    state = rho_d(d, unitary=unitary)
    lo_dense, hi = rho_d_ppt_mixing_range(state, "dense")
    lo_struct, _ = rho_d_ppt_mixing_range(state, "structured")
    assert hi == 1.0
    assert lo_dense == pytest.approx(ppt_edge_mixing(d), abs=1e-8)
    assert lo_struct == pytest.approx(1 / (np.sqrt(d) + 1), abs=1e-14)
    # Just below the edge the state is NPT, with the predicted eigenvalue p/(2d) - (1-p)/(2d sqrt d).
    p = ppt_edge_mixing(d) - 0.01
    below = rho_d_ppt(rho_d(d, p, unitary), "dense")
    assert not below.ppt
    assert below.min_eigenvalue_pt == pytest.approx(p / (2 * d) - (1 - p) / (2 * d * np.sqrt(d)), abs=1e-12)


def test_d_2_20_structured():
    # no wall-time assertion here: the time is measured in benchmarks/ (row 8)
    for unitary in ("hadamard", "fourier"):
        res = rho_d_ppt(rho_d(2**20, unitary=unitary))
        assert res.ppt
        assert res.ppt_mixing_range[0] == pytest.approx(1 / 1025, rel=1e-12)


def test_unitaries():
    for u in (fourier_unitary(6), hadamard_unitary(8)):
        np.testing.assert_allclose(u.conj().T @ u, np.eye(len(u)), atol=1e-12)
        np.testing.assert_allclose(np.abs(u), 1 / np.sqrt(len(u)), atol=1e-14)
    np.testing.assert_allclose(hadamard_unitary(4), np.kron(hadamard_unitary(2), hadamard_unitary(2)), atol=1e-15)


def test_custom_unitary_agrees_with_named():
    a = rho_d_matrix(rho_d(4, unitary=hadamard_unitary(4)))
    b = rho_d_matrix(rho_d(4, unitary="hadamard"))
    np.testing.assert_allclose(a, b, atol=1e-15)


def test_multiset_kron_and_merge():
    m = Multiset.from_pairs([(1e-13, 2), (2e-13, 3), (1e-13, 1)])
    assert m.multiplicities == (3, 3)  # no absolute floor: 1e-13 and 2e-13 stay distinct
    assert m.kron(Multiset.from_pairs([(2.0, 4)])).size == 24


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"shield_dim": 1}, "shield_dim"),
        ({"shield_dim": 6, "unitary": "hadamard"}, "power of 2"),
        ({"shield_dim": 4, "mixing": 1.5}, "mixing"),
        ({"shield_dim": 4, "mixing": float("nan")}, "mixing"),
        ({"shield_dim": 2, "unitary": np.eye(2)}, "modulus"),
        ({"shield_dim": 2, "unitary": np.ones((2, 2)) / np.sqrt(2)}, "unitary"),
        ({"shield_dim": 2, "unitary": "pauli"}, "unitary must be one of"),
        ({"shield_dim": 2.5}, "integer"),
    ],
    ids=["d1", "hadamard-6", "p>1", "nan", "not-flat", "not-unitary", "unknown", "float-d"],
)
def test_rejects_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        rho_d(**kwargs)


def test_dense_route_refuses_large_d():
    with pytest.raises(InputError, match="dense route"):
        rho_d_matrix(rho_d(32))
