"""User sources (issue 13, first piece): validation, the SGS projection, utilities."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.errors import InputError
from qkdbounds.states.sources import (
    apply_local_unitaries,
    load_source,
    make_source,
    permute_parties,
    project_to_state,
)


def _bell():
    psi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    return np.outer(psi, psi)


def test_slightly_unphysical_tomography_is_refused_then_projected():
    rho = _bell() + np.diag([0, 1e-6, -1e-6, 0])          # one eigenvalue -1e-6
    with pytest.raises(InputError, match="negative eigenvalue.*--project"):
        make_source(rho, (2, 2))
    src = make_source(rho, (2, 2), project=True)
    eig = np.linalg.eigvalsh(src.matrix)
    assert eig.min() >= -1e-15 and np.trace(src.matrix).real == pytest.approx(1, abs=1e-14)
    assert src.projection["trace_distance"] < 2e-6
    rounded = np.round(_bell() * 1.004, 3)                  # trace 1.004 after rounding
    with pytest.raises(InputError, match="trace"):
        make_source(rounded, (2, 2))
    assert np.trace(make_source(rounded, (2, 2), project=True).matrix).real == pytest.approx(1)


def test_the_psd_check_is_the_eigenvalue_rule_at_its_tolerance():
    """The PSD check (a Cholesky factor of rho + ATOL_SOURCE I, eigenvalues only when it fails)
    keeps the rule "no eigenvalue below -ATOL_SOURCE": just inside passes, just outside is
    refused with the smallest eigenvalue named (second route: numpy's eigvalsh)."""
    from qkdbounds.states.sources import ATOL_SOURCE

    for scale, ok in ((0.5, True), (0.99, True), (1.01, False), (1.5, False), (3.0, False)):
        eps = scale * ATOL_SOURCE
        rho = _bell() + np.diag([0, eps, -eps, 0])
        assert (np.linalg.eigvalsh(rho).min() >= -ATOL_SOURCE) == ok
        if ok:
            assert np.array_equal(make_source(rho, (2, 2)).matrix, (rho + rho.conj().T) / 2)
        else:
            with pytest.raises(InputError, match=f"negative eigenvalue {-eps:.3g}"):
                make_source(rho, (2, 2))
    # finite but huge entries (a Hermitian, unit-trace matrix far from PSD): refused, never
    # accepted through an overflowing check
    rho = np.diag([0.5, 0, 0, 0.5]).astype(float)
    rho[0, 3] = rho[3, 0] = 1.7e308
    with pytest.raises(InputError, match="not positive semidefinite: an entry has modulus 1.7e"):
        make_source(rho, (2, 2))


def test_sgs_projection_is_the_frobenius_nearest_state():
    """Second route: the nearest state in Frobenius norm by a conic program (cvxpy + Clarabel)."""
    import cvxpy as cp

    rng = np.random.default_rng(4)
    for _ in range(3):
        a = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
        m = (a + a.conj().T) / 2
        m = m / np.trace(m).real                           # unit trace (sign flips if needed)
        rho, _ = project_to_state(m)
        x = cp.Variable((4, 4), hermitian=True)
        prob = cp.Problem(cp.Minimize(cp.norm(x - m, "fro")), [x >> 0, cp.trace(x) == 1])
        prob.solve(solver=cp.CLARABEL)
        assert np.linalg.norm(rho - m) == pytest.approx(prob.value, abs=1e-6)
        # the Frobenius projection onto the (convex) state set is unique; the elementwise gap is
        # the conic solver's tolerance
        assert_allclose(rho, x.value, atol=2e-4)


def test_sgs_worked_example():
    """Eigenvalues (0.6, 0.5, 0.07, -0.17): the shifting rule of Smolin et al. sets the negative
    one to 0 and spreads its mass -0.17 over the other three (0.07 - 0.17/3 >= 0, so it stops)."""
    mu = np.array([0.6, 0.5, 0.07, -0.17])
    rho, _ = project_to_state(np.diag(mu))
    assert_allclose(np.sort(np.linalg.eigvalsh(rho))[::-1],
                    [0.6 - 0.17 / 3, 0.5 - 0.17 / 3, 0.07 - 0.17 / 3, 0.0], atol=1e-14)


def test_permute_and_local_unitaries_against_dense_routes():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(12, 12)) + 1j * rng.normal(size=(12, 12))
    rho = a @ a.conj().T
    src = make_source(rho / np.trace(rho), (2, 3, 2))
    perm = permute_parties(src, [2, 0, 1])
    # dense route: the permutation matrix of basis strings
    idx = np.arange(12).reshape(2, 3, 2).transpose(2, 0, 1).ravel()
    assert_allclose(perm.matrix, src.matrix[np.ix_(idx, idx)], atol=1e-14)
    assert perm.dims == (2, 2, 3)
    from scipy.stats import unitary_group

    us = [unitary_group.rvs(d, random_state=7) for d in (2, 3, 2)]
    big = np.kron(np.kron(us[0], us[1]), us[2])
    assert_allclose(apply_local_unitaries(src, us).matrix, big @ src.matrix @ big.conj().T,
                    atol=1e-13)


def test_files(tmp_path):
    np.save(tmp_path / "bell.npy", _bell())
    np.savez(tmp_path / "bell.npz", rho=_bell(), other=np.eye(2))
    np.savez(tmp_path / "two.npz", a=_bell(), b=_bell())
    assert load_source(tmp_path / "bell.npy", (2, 2)).dims == (2, 2)
    assert_allclose(load_source(tmp_path / "bell.npz", (2, 2)).matrix, _bell())
    with pytest.raises(InputError, match="one array or one named 'rho'"):
        load_source(tmp_path / "two.npz", (2, 2))
    with pytest.raises(InputError, match="multiply"):
        load_source(tmp_path / "bell.npy", (2, 3))
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="npz"):
        load_source(tmp_path / "bad.npz", (2, 2))


def test_project_refuses_garbage_beyond_the_limit():
    from qkdbounds.states.sources import MAX_PROJECTION_DISTANCE

    garbage = np.arange(16.0).reshape(4, 4)
    with pytest.raises(InputError, match=r"trace distance 18\.2.*at most 0\.1.*tomographic"):
        make_source(garbage, (2, 2), project=True)
    # just inside the limit: projected, and the distance reported
    bell = _bell()
    near = bell + 0.09 * np.diag([1.0, -1.0, 1.0, -1.0])
    src = make_source(near, (2, 2), project=True)
    assert src.projection["trace_distance"] <= MAX_PROJECTION_DISTANCE
    far = bell + 0.3 * np.diag([1.0, -1.0, 1.0, -1.0])
    with pytest.raises(InputError, match="trace distance"):
        make_source(far, (2, 2), project=True)


@pytest.mark.parametrize("dims, needle", [
    ((9,), "at least 2 parties"), ((), "at least 2 parties"), (9, "sequence"),
    ("33", "sequence"), ((3, 1, 3), r"dims must be an integer in \[2"),
    ((3, 2.5), "must be an integer"), ((2, 2), "multiply to 4"),
])
def test_dims_edge_cases_are_one_line_input_errors(dims, needle):
    with pytest.raises(InputError, match=needle) as info:
        make_source(np.eye(9) / 9, dims)
    assert "\n" not in str(info.value)


def test_messages_name_the_fix_once_for_api_and_cli():
    rho = _bell()
    rho[0, 0] += 0.01
    with pytest.raises(InputError) as info:
        make_source(rho, (2, 2))
    assert "--project (project=True in the API)" in str(info.value)
    assert "use project=True (--project)" not in str(info.value)


def test_projection_distance_counts_the_anti_hermitian_part():
    # fuzzing: a non-Hermitian input was reported at trace distance 6e-17 beside a Frobenius
    # distance of 0.07 (only the Hermitian part of rho - m was measured)
    import warnings

    bell = _bell()
    skew = 0.02 * np.array([[0, 1, 0, 0], [-1, 0, 0, 0], [0, 0, 0, 1], [0, 0, -1, 0]])
    rho, info = project_to_state(bell + skew)
    assert_allclose(rho, bell, atol=1e-12)                      # the Hermitian part is the state
    assert info["trace_distance"] == pytest.approx(0.02 * 2, abs=1e-12)   # (1/2)||skew||_1
    assert info["trace_distance"] <= info["frobenius_distance"] * 2
    # entries near 1e300: one InputError, no overflow warning on the way
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="trace distance"):
            make_source(np.eye(4) * 1e300, (2, 2), project=True)


@pytest.mark.parametrize("factor,shown", [(1 + 2e-9, "1 + 2e-09"), (1 - 3e-9, "1 - 3e-09"), (1.5, "1.5"),
                                          (2.0, "2"), (0.0, "0")])
def test_a_trace_just_off_one_is_shown_as_its_offset(factor, shown):
    # it read "has trace 1, not 1" at 9 significant digits; a trace far from 1 is its value
    # (it read "1 + 1" for 2 and "1 - 1" for a zero matrix: audit of issue 19, session 34)
    with pytest.raises(InputError, match=f"has trace {re.escape(shown)}, not 1"):
        make_source(np.eye(4) / 4 * factor, (2, 2))
