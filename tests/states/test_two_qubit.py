"""Two-qubit states: Werner, Bell-diagonal, user .npy files (issue 7, item 4)."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qkdbounds.errors import InputError
from qkdbounds.states import is_ppt, isotropic_ghz
from qkdbounds.states.two_qubit import (
    bell_basis,
    bell_diagonal_state,
    load_state,
    validate_state,
    werner_state,
)


def test_bell_basis_is_orthonormal_and_phi_plus_first():
    b = bell_basis()
    assert_allclose(b.conj().T @ b, np.eye(4), atol=1e-15)
    assert_allclose(b[:, 0], np.array([1, 0, 0, 1]) / np.sqrt(2), atol=1e-15)
    assert_allclose(b[:, 3], np.array([0, 1, -1, 0]) / np.sqrt(2), atol=1e-15)


@pytest.mark.parametrize("v", [0.0, 1 / 3, 0.6, 1.0], ids=["v0", "v1/3", "v0.6", "v1"])
def test_werner_equals_engine_isotropic_and_toqito(v):
    toqito_states = pytest.importorskip("toqito.states")
    rho = werner_state(v)
    assert_allclose(rho, isotropic_ghz(2, 2, v).to_dense(), atol=1e-14)
    assert_allclose(rho, toqito_states.isotropic(2, v), atol=1e-14)


@pytest.mark.parametrize("v", [0.1, 0.5, 0.9])
def test_werner_is_bell_diagonal_with_known_weights(v):
    weights = [(1 + 3 * v) / 4, (1 - v) / 4, (1 - v) / 4, (1 - v) / 4]
    assert_allclose(werner_state(v), bell_diagonal_state(weights), atol=1e-15)


def test_bell_diagonal_eigen_decomposition():
    w = np.array([0.1, 0.2, 0.3, 0.4])
    rho = bell_diagonal_state(w)
    b = bell_basis()
    assert_allclose(np.real(np.diag(b.conj().T @ rho @ b)), w, atol=1e-15)
    assert_allclose(np.trace(rho).real, 1.0, atol=1e-15)


@given(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda x: sum(x) > 1e-3))
def test_bell_diagonal_ppt_iff_all_weights_at_most_half(raw):
    # Horodecki & Horodecki 1996: a Bell-diagonal state is separable iff max p_k <= 1/2
    w = np.array(raw) / sum(raw)
    if abs(w.max() - 0.5) < 1e-6:
        return
    assert is_ppt(bell_diagonal_state(w), (2, 2)) == (w.max() < 0.5)


def test_load_state_round_trip(tmp_path):
    rho = bell_diagonal_state([0.55, 0.25, 0.15, 0.05])
    path = tmp_path / "rho.npy"
    np.save(path, rho)
    assert_allclose(load_state(path), rho, atol=0)
    np.save(path, rho.real)  # real arrays are accepted too
    assert_allclose(load_state(path), rho, atol=0)


def _bad_matrices():
    good = werner_state(0.5)
    not_psd = np.diag([0.6, 0.6, 0.1, -0.3]).astype(complex)
    nan = good.copy()
    nan[0, 0] = np.nan
    non_herm = good.copy()
    non_herm[0, 1] = 0.3
    return {
        "not_psd": (not_psd, (2, 2), "positive semidefinite"),
        "trace_2": (2 * good, (2, 2), "unit trace"),
        "nan": (nan, (2, 2), "NaN"),
        "non_hermitian": (non_herm, (2, 2), "Hermitian"),
        "dims_mismatch": (good, (2, 3), "multiply to 6"),
        "not_square": (np.ones((4, 2)) / 4, (2, 2), "square"),
        "dim_one": (good, (4, 1), "dims[1]"),
    }


@pytest.mark.parametrize("case", list(_bad_matrices()), ids=list(_bad_matrices()))
def test_validate_rejects_bad_matrices(case, tmp_path):
    matrix, dims, message = _bad_matrices()[case]
    with pytest.raises(InputError, match=re.escape(message)):
        validate_state(matrix, dims)
    path = tmp_path / "bad.npy"
    np.save(path, matrix)
    with pytest.raises(InputError, match=re.escape(message)):
        load_state(path, dims)


def test_load_state_rejects_missing_file_and_archives(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_state(tmp_path / "missing.npy")
    npz = tmp_path / "two.npz"
    np.savez(npz, a=werner_state(0.5))
    with pytest.raises(InputError, match="not a .npy array file"):
        load_state(npz)  # an archive is refused at the header check, before it is read
    junk = tmp_path / "junk.npy"
    junk.write_bytes(b"not a numpy file")
    with pytest.raises(InputError, match="not a .npy array file"):
        load_state(junk)
    empty = tmp_path / "empty.npy"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        load_state(empty)
    big = tmp_path / "big.npy"
    np.save(big, np.zeros((5000, 5000), dtype=np.float32))  # header says 2.5e7 entries: refused
    with pytest.raises(InputError, match="allowed: at most"):
        load_state(big)


@pytest.mark.parametrize(
    "weights, message",
    [([0.5, 0.5, 0.1, -0.1], r"probabilities in \[0, 1\]"), ([0.5, 0.5, 0.1, 0.1], "sum to 1"),
     ([0.5, 0.5], "4 numbers"), ([np.nan, 0.5, 0.25, 0.25], "NaN"), ("abcd", "real numbers")],
    ids=["negative", "sum", "length", "nan", "text"],
)
def test_bell_diagonal_rejects_bad_weights(weights, message):
    with pytest.raises(InputError, match=message):
        bell_diagonal_state(weights)


@pytest.mark.parametrize("v", [-0.1, 1.1, float("nan"), float("inf")])
def test_werner_rejects_bad_visibility(v):
    with pytest.raises(InputError, match="visibility"):
        werner_state(v)
