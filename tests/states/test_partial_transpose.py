"""Partial transpose / PPT: cross-checked against toqito (an independent implementation)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from toqito.matrix_ops import partial_transpose as toqito_pt
from toqito.state_props import is_ppt as toqito_is_ppt

from qkdbounds.errors import InputError
from qkdbounds.states._partial_transpose import is_ppt, min_pt_eigenvalue, partial_transpose


def _random_density(rng, n, rank=None):
    g = rng.normal(size=(n, rank or n)) + 1j * rng.normal(size=(n, rank or n))
    rho = g @ g.conj().T
    return rho / np.trace(rho)


@pytest.mark.parametrize(
    "dims, systems",
    [((2, 2), [1]), ((2, 3), [0]), ((3, 2, 2), [0, 2]), ((2, 2, 3, 3), [1, 3]), ((2, 3, 2), [0, 1, 2])],
    ids=["2x2-B", "2x3-A", "3x2x2-AC", "rho_d-shape-Bob", "all"],
)
def test_matches_toqito(rng, dims, systems):
    n = int(np.prod(dims))
    mat = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    np.testing.assert_allclose(partial_transpose(mat, dims, systems), toqito_pt(mat, systems, list(dims)), atol=1e-14)


def test_docstring_example_and_known_value():
    # Peres: Bell state PT has eigenvalue -1/2.
    phi = np.zeros(4)
    phi[[0, 3]] = 2**-0.5
    assert min_pt_eigenvalue(np.outer(phi, phi), (2, 2)) == pytest.approx(-0.5, abs=1e-14)
    assert not is_ppt(np.outer(phi, phi), (2, 2))
    assert is_ppt(np.eye(4) / 4, (2, 2))


@given(seed=st.integers(0, 2**31 - 1), da=st.integers(2, 3), db=st.integers(2, 3))
def test_properties(seed, da, db):
    rng = np.random.default_rng(seed)
    rho = _random_density(rng, da * db, rank=rng.integers(1, da * db + 1))
    pt_b = partial_transpose(rho, (da, db), 1)
    pt_a = partial_transpose(rho, (da, db), 0)
    np.testing.assert_allclose(partial_transpose(pt_b, (da, db), [1]), rho, atol=1e-14)  # involution
    np.testing.assert_allclose(pt_a, pt_b.T, atol=1e-14)  # Gamma_A = (Gamma_B)^T
    np.testing.assert_allclose(partial_transpose(rho, (da, db), [0, 1]), rho.T, atol=1e-14)
    assert np.trace(pt_b) == pytest.approx(1.0)
    assert is_ppt(rho, (da, db), 1) == toqito_is_ppt(rho, 2, [da, db], 1e-10)
    assert is_ppt(rho, (da, db), 0) == is_ppt(rho, (da, db), 1)


def test_empty_systems_is_identity(rng):
    mat = rng.normal(size=(6, 6))
    np.testing.assert_array_equal(partial_transpose(mat, (2, 3), []), mat)


@pytest.mark.parametrize(
    "matrix, dims, systems, match",
    [
        (np.eye(4), (2, 3), [0], "multiply to 6"),
        (np.eye(4), (2, 2), [2], r"systems must be an integer in \[0, 1\]"),
        (np.eye(4), (2, 2), [1, 1], "repeat"),
        (np.ones((4, 3)), (2, 2), [0], "square"),
        (np.full((4, 4), np.nan), (2, 2), [0], "NaN"),
        (np.eye(4), (2, 0), [0], r"dims\[1\]"),
        (np.eye(4), (2, 2), "a", "integer"),
    ],
    ids=["dims-mismatch", "system-range", "repeat", "not-square", "nan", "zero-dim", "bad-systems"],
)
def test_rejects_bad_input(matrix, dims, systems, match):
    with pytest.raises(InputError, match=match):
        partial_transpose(matrix, dims, systems)


def test_is_ppt_rejects_non_hermitian_and_bad_atol():
    with pytest.raises(InputError, match="Hermitian"):
        is_ppt(np.triu(np.ones((4, 4))), (2, 2))
    with pytest.raises(InputError, match="atol"):
        is_ppt(np.eye(4) / 4, (2, 2), atol=-1.0)
