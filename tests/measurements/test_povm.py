"""General POVMs: validation, the tensor-contraction distribution vs a dense Kronecker route,
extremality (D'Ariano-Lo Presti-Perinotti criterion) and file loading."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.errors import InputError
from qkdbounds.measurements.povm import (
    POVM,
    check_povm,
    is_extremal,
    load_povms,
    member_distributions,
    nonprojective_extremal_qutrit_povm,
    povm_distribution,
    povm_from_unitary,
    product_distribution,
    random_rank_one_povm,
    rank_one_povm,
)


def _random_state(dim, rng):
    a = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    rho = a @ a.conj().T
    return rho / np.trace(rho).real


def _dense(rho, povms):
    shape = tuple(p.n_outcomes for p in povms)
    out = np.zeros(shape)
    for idx in np.ndindex(*shape):
        op = np.ones((1, 1))
        for p, a in zip(povms, idx):
            op = np.kron(op, p.elements[a])
        out[idx] = np.trace(op @ rho).real
    return out


CASES = [((2, 2), (2, 4)), ((3, 2), (5, 3)), ((2, 3, 2), (3, 9, 2))]


@pytest.mark.parametrize("dims,outcomes", CASES, ids=["2x2", "3x2", "2x3x2"])
def test_distribution_matches_dense_kronecker_route(dims, outcomes, rng):
    rho = _random_state(int(np.prod(dims)), rng)
    povms = [random_rank_one_povm(d, k, rng) for d, k in zip(dims, outcomes)]
    p = povm_distribution(rho, povms, dims)
    assert p.shape == outcomes
    assert_allclose(p, _dense(rho, povms), atol=1e-13)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_product_distribution_matches_dense(rng):
    dims = (2, 3)
    povms = [random_rank_one_povm(2, 3, rng), random_rank_one_povm(3, 4, rng)]
    vecs = [rng.normal(size=(4, d)) + 1j * rng.normal(size=(4, d)) for d in dims]
    vecs = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in vecs]
    w = rng.dirichlet(np.ones(4))
    sigma = sum(w[k] * np.kron(np.outer(vecs[0][k], vecs[0][k].conj()),
                               np.outer(vecs[1][k], vecs[1][k].conj())) for k in range(4))
    assert_allclose(product_distribution(w, vecs, povms), _dense(sigma, povms), atol=1e-13)
    assert member_distributions(vecs, povms).shape == (4, 3, 4)


def test_projective_povm_of_a_unitary_is_projective(rng):
    u = np.linalg.qr(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))[0]
    p = povm_from_unitary(u)
    assert p.is_projective and p.ranks == [1, 1, 1] and is_extremal(p)
    assert_allclose(p.elements.sum(axis=0), np.eye(3), atol=1e-12)


def test_rank_one_povms_are_povms_and_extremal_up_to_d_squared(rng):
    for n in (3, 5, 9):
        p = random_rank_one_povm(3, n, rng)
        check_povm(p.elements)  # raises if not a POVM
        assert is_extremal(p)
        assert p.is_projective == (n == 3)
    # more than d^2 rank-one elements are linearly dependent: never extremal
    assert not is_extremal(random_rank_one_povm(3, 10, rng))
    q = rank_one_povm(rng.normal(size=(2, 3)))
    assert_allclose(q.elements.sum(axis=0), np.eye(2), atol=1e-12)


def test_nonprojective_extremal_three_outcome_qutrit_povm():
    # counterexample to "extremal d-outcome POVMs are projective" (paper 1, before Eq. 23)
    p = nonprojective_extremal_qutrit_povm()
    check_povm(p.elements)
    assert p.n_outcomes == 3 and p.dim == 3
    assert sorted(p.ranks) == [1, 1, 2]
    assert not p.is_projective
    assert is_extremal(p)
    # a proper mixture of two projective measurements is not extremal
    mix = POVM(0.5 * povm_from_unitary(np.eye(3)).elements
               + 0.5 * povm_from_unitary(np.roll(np.eye(3), 1, axis=1)).elements)
    assert not is_extremal(mix)


@pytest.mark.parametrize("elements,match", [
    (np.array([np.diag([1.0, 0]), np.diag([0.0, 0.9])]), "sum to the identity"),
    (np.array([np.diag([1.2, 0.5]), np.diag([-0.2, 0.5])]), "not positive semidefinite"),
    (np.array([[[1, 1], [0, 0]], [[0, -1], [0, 1]]]), "Hermitian"),
    (np.ones((2, 2)), "shape"),
    (np.array([np.eye(2) * np.nan]), "NaN"),
], ids=["sum", "psd", "hermitian", "shape", "nan"])
def test_invalid_povms_raise_naming_the_parameter(elements, match):
    with pytest.raises(InputError, match=match) as err:
        check_povm(elements, name="party7")
    assert str(err.value).startswith("party7:") and "\n" not in str(err.value)


def test_load_povms_from_npz(tmp_path, rng):
    path = tmp_path / "m.npz"
    a, b = random_rank_one_povm(2, 3, rng), random_rank_one_povm(3, 3, rng)
    np.savez(path, party0=a.elements, party1=b.elements)
    povms = load_povms(path, (2, 3))
    assert_allclose(povms[0].elements, a.elements)
    assert [p.n_outcomes for p in povms] == [3, 3]


@pytest.mark.parametrize("arrays,match", [
    ({"party0": np.array([np.eye(2)])}, "missing"),
    ({"party0": np.array([np.eye(2)]), "party1": np.array([np.eye(2) * 0.5])},
     "party1: elements must sum"),
    ({"party0": np.array([np.eye(2)]), "party1": np.array([np.eye(3)])}, r"party1: shape"),
    ({"party0": np.array([np.eye(2)]), "party1": np.array([np.eye(2)]), "x": np.ones(1)},
     "unexpected"),
], ids=["missing", "sum", "shape", "extra"])
def test_bad_povm_files_name_file_and_party(tmp_path, arrays, match):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError, match=match) as err:
        load_povms(path, (2, 2))
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_unreadable_povm_file(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"not a zip archive")
    with pytest.raises(InputError, match="cannot be read"):
        load_povms(path, (2, 2))


def test_npy_instead_of_npz_is_refused(tmp_path):
    path = tmp_path / "m.npy"
    np.save(path, np.array([np.eye(2)]))
    with pytest.raises(InputError, match="must be an .npz archive"):
        load_povms(path, (2, 2))
