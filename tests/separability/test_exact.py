"""Exact 2x2 / 2x3 route: Takagi, Wootters' decomposition, product fits, best separable
approximation (PPT = separable, Horodecki 1996); cross-checked with toqito and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from _sep_states import WORK_BUDGET
from toqito.state_props import is_ppt

from qkdbounds.errors import InputError
from qkdbounds.separability import (
    certified_separable_weight,
    fit_product_ensemble,
    takagi,
    wootters_ensemble,
)
from qkdbounds.separability._ensemble import mix
from qkdbounds.states.sources import make_source


def _random_state(dim, rng, rank=None):
    g = rng.normal(size=(dim, rank or dim)) + 1j * rng.normal(size=(dim, rank or dim))
    rho = g @ g.conj().T
    return rho / np.trace(rho)


def _pt(rho, dims):
    d1, d2 = dims
    return rho.reshape(d1, d2, d1, d2).transpose(0, 3, 2, 1).reshape(d1 * d2, d1 * d2)


def _bell_diagonal(weights):
    """weights of phi+, phi-, psi+, psi-."""
    s = 1 / np.sqrt(2)
    basis = np.array([[s, 0, 0, s], [s, 0, 0, -s], [0, s, s, 0], [0, s, -s, 0]])
    return sum(w * np.outer(b, b) for w, b in zip(weights, basis)).astype(complex)


def test_takagi_factorises_symmetric_matrices(rng):
    for rank in (5, 2):
        b = rng.normal(size=(5, rank)) + 1j * rng.normal(size=(5, rank))
        a = b @ b.T
        s, u = takagi(a)
        np.testing.assert_allclose(u @ np.diag(s) @ u.T, a, atol=1e-12)
        np.testing.assert_allclose(u.conj().T @ u, np.eye(5), atol=1e-12)
        assert np.all(np.diff(s) <= 1e-12) and s.min() >= 0
        # Takagi values are the singular values
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-10)
    with pytest.raises(InputError, match="symmetric"):
        takagi(rng.normal(size=(3, 3)))


def test_wootters_decomposition_reassembles_ppt_two_qubit_states(rng):
    """Wootters, PRL 80, 2245 (1998): zero concurrence -> four product members summing to rho."""
    done = 0
    while done < 30:
        rho = _random_state(4, rng, rank=int(rng.integers(1, 5)))
        if np.linalg.eigvalsh(_pt(rho, (2, 2))).min() < 0:
            rho = 0.5 * rho + 0.5 * np.eye(4) / 4
        if not is_ppt(rho, 2, [2, 2]):
            continue
        weights, vectors, excess = wootters_ensemble(rho)
        assert excess <= 1e-12 and len(weights) <= 4
        assert np.abs(mix(weights, vectors) - rho).max() < 1e-12
        assert weights.sum() == pytest.approx(1.0, abs=1e-12)
        done += 1


@pytest.mark.parametrize("v", [1 / 3, 0.2], ids=["boundary", "inside"])
def test_wootters_on_werner_states(v):
    rho = _bell_diagonal([v + (1 - v) / 4] + [(1 - v) / 4] * 3)
    weights, vectors, _ = wootters_ensemble(rho)
    assert np.linalg.norm(mix(weights, vectors) - rho) < 1e-12


def test_wootters_refuses_entangled_states():
    with pytest.raises(InputError, match="concurrence"):
        wootters_ensemble(_bell_diagonal([0.6, 0.4, 0, 0]))


@pytest.mark.parametrize("rank", [2, 4, 6])
def test_product_fit_in_2x3(rng, rank):
    a = rng.normal(size=(rank, 2)) + 1j * rng.normal(size=(rank, 2))
    b = rng.normal(size=(rank, 3)) + 1j * rng.normal(size=(rank, 3))
    target = sum(np.outer(np.kron(x, y), np.kron(x, y).conj()) for x, y in zip(a, b))
    target /= np.trace(target)
    weights, vectors, residual = fit_product_ensemble(target, (2, 3), rng=rng)
    assert residual <= 1e-9
    assert np.linalg.norm(mix(weights, vectors) - target) <= 1e-9


@pytest.mark.parametrize("dims", [(2, 2), (2, 3), (3, 2)], ids=["2x2", "2x3", "3x2"])
def test_ppt_inputs_are_wholly_separable(rng, dims):
    """PPT = separable in 2x2 / 2x3: q = 1 exactly, ensemble reassembles rho to 1e-9; the PPT
    test is toqito's (second route)."""
    dim = dims[0] * dims[1]
    for _ in range(3):
        rho = 0.3 * _random_state(dim, rng) + 0.7 * np.eye(dim) / dim
        assert is_ppt(rho, 2, list(dims))
        res = certified_separable_weight(make_source(rho, dims), rng=rng)
        assert res.method == "exact" and "PPT = separable" in res.reason
        assert res.weight == 1.0 and res.weight_outer == 1.0
        assert res.residual <= 1e-9
        assert np.linalg.norm(res.sigma() - rho) <= 1e-9


@pytest.mark.parametrize("dims", [(2, 2), (2, 3)], ids=["2x2", "2x3"])
def test_entangled_inputs_inner_equals_outer(rng, dims):
    """Best separable approximation: certified q meets the PPT SDP value (exact here) up to the
    solver's accuracy, and a second route (column generation) never beats it."""
    dim = dims[0] * dims[1]
    for _ in range(3):
        rho = _random_state(dim, rng)
        assert not is_ppt(rho, 2, list(dims))
        # WORK_BUDGET: the assertion depends on the work done, never on the machine's load
        res = certified_separable_weight(make_source(rho, dims), rng=rng, time_budget=WORK_BUDGET)
        assert res.method == "exact" and not res.budget_exhausted
        assert res.residual <= 1e-9
        assert 0 < res.weight <= res.weight_outer + 1e-9
        assert res.weight_outer - res.weight <= 5e-5  # the PPT-margin re-solve (X^Gamma >= 1e-7 q) and the range cut cost a few 1e-5 on 2x3
        tau = (rho - res.weight * res.sigma()) / (1 - res.weight)
        assert np.linalg.eigvalsh(tau).min() >= -1e-10
        assert is_ppt(res.sigma(), 2, list(dims), tol=1e-12)
        other = certified_separable_weight(make_source(rho, dims), route="column_generation",
                                           outer=False, rounds=10, rng=rng)
        assert 0 < other.weight <= res.weight_outer + 1e-7   # a heuristic never beats the optimum


@pytest.mark.parametrize("weights,expected", [
    ([0.7, 0.2, 0.1, 0.0], 0.6),
    ([0.55, 0.3, 0.15, 0.0], 0.9),
    ([0.0, 0.1, 0.1, 0.8], 0.4),
], ids=["phi+0.7", "phi+0.55", "psi-0.8"])
def test_bell_diagonal_known_values(weights, expected):
    """Bell-diagonal: separable iff every weight <= 1/2 (R. & M. Horodecki, PRA 54, 1838 (1996));
    by the local Pauli twirl the best separable part keeps the small weights and
    min(l1, 1 - l1), so q = 2(1 - l1) when l1 > 1/2.  The engine answers by the closed form
    (families.bell_diagonal_decomposition); the exact PPT SDP is the second route."""
    from qkdbounds.separability._exact import best_separable_approximation

    rho = _bell_diagonal(weights)
    res = certified_separable_weight(make_source(rho, (2, 2)))
    assert res.method == "closed_form" and "Bell-diagonal" in res.reason
    assert res.weight == pytest.approx(expected, abs=1e-9)   # certified on the ensemble
    assert res.weight_outer == pytest.approx(expected, abs=1e-12)
    assert res.residual <= 1e-9
    value, _, status = best_separable_approximation(rho, (2, 2))
    assert status == "optimal" and value == pytest.approx(expected, abs=1e-7)


def test_pure_entangled_state_has_no_separable_part():
    """A pure entangled rho: any sigma <= rho/q is rho itself, so q = 0."""
    psi = np.array([np.cos(0.3), 0, 0, np.sin(0.3)])
    res = certified_separable_weight(make_source(np.outer(psi, psi), (2, 2)))
    assert res.weight == 0.0 and "no separable part" in res.message and res.ensemble_size == 0


@pytest.mark.parametrize("dims", [(2, 2), (2, 3)])
@pytest.mark.parametrize("rank", ["full", "D-1", 2])
@pytest.mark.parametrize("seed", range(4))
def test_best_separable_approximation_direct_equals_cvxpy(dims, rank, seed):
    """The PPT SDP passed to Clarabel directly against the same problem written in cvxpy (the
    second route), full-rank and rank-deficient (the range basis), real and complex: the
    optimum where both solve it to accuracy, the optimal X's constraints, with and without the
    margin.  An inaccurate direct solve is not returned (it went to cvxpy: a review found the
    direct 'optimal_inaccurate' up to 2e-4 off on rank-deficient complex inputs)."""
    from qkdbounds.separability._engine import _partial_transpose
    from qkdbounds.separability._exact import _bsa_cvxpy, best_separable_approximation

    rng = np.random.default_rng(seed)
    d = dims[0] * dims[1]
    k = d if rank == "full" else d - 1 if rank == "D-1" else rank
    g = rng.normal(size=(d, k)) + (1j * rng.normal(size=(d, k)) if seed % 2 else 0)
    rho = g @ g.conj().T
    rho /= np.trace(rho).real
    for margin in ((0.0, 1e-4) if rank == "full" else (0.0,)):
        value, x, status = best_separable_approximation(rho, dims, margin=margin)
        ref, _, ref_status = _bsa_cvxpy(rho, dims, margin)
        assert status in ("optimal", "optimal_inaccurate")
        if status == ref_status == "optimal":
            assert value == pytest.approx(ref, abs=1e-6)
        assert np.trace(x).real == pytest.approx(value, abs=1e-7)
        for m in (x, rho - x, _partial_transpose(x, dims, (1,)) - margin * np.eye(d)):
            assert np.linalg.eigvalsh((m + m.conj().T) / 2).min() >= -1e-6


@pytest.mark.parametrize("seed", [2054, 1, 2, 3])
def test_outer_bound_never_below_the_certified_weight(seed):
    """q is certified on an explicit ensemble, so a reported outer bound below it would be the
    outer solve's error (a review found weight_outer = q - 1.2e-4 with status optimal on a rank-2
    complex two-qubit state): then no outer bound is reported and nothing is called optimal."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(4, 2)) + 1j * rng.normal(size=(4, 2))
    rho = g @ g.conj().T
    res = certified_separable_weight(make_source(rho / np.trace(rho).real, (2, 2)))
    if res.weight_outer is None:
        assert res.status != "optimal" and "no outer bound" in res.message
    else:
        assert res.weight_outer >= res.weight - 1e-6
        assert res.gap >= -1e-6


@pytest.mark.parametrize("direct", [(float("nan"), None, "InsufficientProgress"),
                                    (0.59, np.eye(4) * 0.59 / 4, "optimal_inaccurate")])
def test_best_separable_approximation_falls_back_to_cvxpy(monkeypatch, direct):
    """A failed or inaccurate direct solve (e.g. no strictly feasible point on a rank-deficient
    input) is not the answer: the same problem goes through cvxpy."""
    from qkdbounds.separability import _engine, _exact

    monkeypatch.setattr(_engine, "_ppt_relaxation", lambda *a, **k: direct)
    rho = _bell_diagonal([0.7, 0.1, 0.1, 0.1])
    value, x, status = _exact.best_separable_approximation(rho, (2, 2))
    assert status == "optimal" and x is not None and value == pytest.approx(0.6, abs=1e-7)


def test_two_qubit_search_does_not_import_cvxpy():
    # cvxpy's import (~1 s) and canonicalisation (~0.1 s a solve) were most of a generic two-qubit
    # matrix's measurement search: its frame runs solve the PPT SDP through Clarabel directly
    import subprocess
    import sys

    code = ("import sys, numpy as np\nfrom qkdbounds import source_rate_upper_bound\n"
            "rng = np.random.default_rng(7)\n"
            "g = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))\n"
            "r = g @ g.conj().T\n"
            "source_rate_upper_bound(r / np.trace(r).real, 0.1, measurements='search')\n"
            "print('cvxpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
