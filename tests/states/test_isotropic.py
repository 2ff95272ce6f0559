"""Isotropic GHZ state and its CC decomposition (paper 1, Eqs. 6-9)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from toqito.matrix_ops import partial_transpose as toqito_pt
from toqito.state_props import is_ppt as toqito_is_ppt
from toqito.states import ghz as toqito_ghz
from toqito.states import isotropic as toqito_isotropic

from qkdbounds.errors import InputError
from qkdbounds.states import cc_decomposition, ghz_vector, isotropic_ghz, separable_visibility

SIZES = [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3), (2, 4), (5, 2)]


@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
@pytest.mark.parametrize("v", [0.05, 0.5, 0.97])
def test_cc_decomposition_reassembles_state_exactly(d, n, v):
    # Eq. (8)-(9): q rho_sep + (1 - q)|GHZ><GHZ| must be rho_v, with rho_sep an explicit
    # product-state ensemble that Eve can send.
    state = isotropic_ghz(d, n, v)
    dec = cc_decomposition(state)
    assert_allclose(dec.to_dense(), state.to_dense(), atol=1e-12)
    assert_allclose(dec.separable.total_weight(), 1.0, atol=1e-12)
    for weight, vectors in dec.separable:
        assert weight > 0
        assert len(vectors) == n
        for vec in vectors:
            assert_allclose(np.linalg.norm(vec), 1.0, atol=1e-12)


@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
def test_separable_part_is_isotropic_state_at_separable_visibility(d, n):
    v_sep = separable_visibility(d, n)
    dec = cc_decomposition(isotropic_ghz(d, n, 0.9))
    assert_allclose(dec.separable.to_dense(), isotropic_ghz(d, n, v_sep).to_dense(), atol=1e-12)
    # q_v of Eq. (8)
    assert_allclose(dec.q, (1 + d ** (n - 1)) * (1 - 0.9) / d ** (n - 1), atol=1e-14)


def test_ensemble_size_is_finite_and_as_documented():
    dec = cc_decomposition(isotropic_ghz(3, 3, 0.5))
    assert len(dec.separable) == 3 ** ((3 - 1) * (3 - 1)) + 3
    assert sum(1 for _ in dec.separable) == len(dec.separable)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_bipartite_state_matches_toqito_isotropic(d):
    v = 0.37
    assert_allclose(isotropic_ghz(d, 2, v).to_dense(), toqito_isotropic(d, v), atol=1e-12)


@pytest.mark.parametrize("d,n", [(2, 3), (3, 3), (2, 4)])
def test_ghz_vector_matches_toqito(d, n):
    assert_allclose(ghz_vector(d, n), np.ravel(toqito_ghz(d, n)), atol=1e-12)


@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (2, 3)])
def test_pt_min_eigenvalue_and_ppt_edge_vs_toqito(d, n):
    v_sep = separable_visibility(d, n)
    for v in (v_sep - 0.01, v_sep + 0.01, 0.8):
        rho = isotropic_ghz(d, n, v)
        dense_pt = toqito_pt(rho.to_dense(), [0], [d] * n)
        assert_allclose(rho.pt_min_eigenvalue(), np.linalg.eigvalsh(dense_pt).min(), atol=1e-12)
        assert toqito_is_ppt(rho.to_dense(), 1, [d] * n) == (v <= v_sep)


@pytest.mark.parametrize("bad", [
    dict(local_dim=1, n_parties=2, visibility=0.5),
    dict(local_dim=2, n_parties=1, visibility=0.5),
    dict(local_dim=2, n_parties=2, visibility=1.5),
    dict(local_dim=2, n_parties=2, visibility=float("nan")),
    dict(local_dim=2.5, n_parties=2, visibility=0.5),
])
def test_bad_state_parameters_rejected(bad):
    with pytest.raises(ValueError, match="local_dim|n_parties|visibility"):
        isotropic_ghz(**bad)


def test_dense_refused_for_huge_states():
    with pytest.raises(InputError, match="dense"):
        isotropic_ghz(2, 20, 0.5).to_dense()
