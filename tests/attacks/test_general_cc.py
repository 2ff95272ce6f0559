"""General two-qubit CC attack: best separable approximation and the bound (issue 7, item 4)."""

import cvxpy as cp
import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.attacks import general_cc
from qkdbounds.attacks.general_cc import (
    CERT_TOL,
    best_separable_approximation,
    bloch_measurement,
    correlation_matrix,
    fibonacci_hemisphere,
    general_rate_upper_bound,
)
from qkdbounds.bounds import rate_upper_bound
from qkdbounds.errors import InputError
from qkdbounds.measurements import computational, random_measurement
from qkdbounds.states import min_pt_eigenvalue
from qkdbounds.states.two_qubit import bell_basis, bell_diagonal_state, werner_state

#: SDP accuracy we can stand behind (Clarabel default tolerances, checked by the dual bound).
SDP_ATOL = 1e-7
#: The bound inherits the SDP error of the decomposition linearly (distributions move by ~1e-8).
BOUND_ATOL = 1e-6
#: Small search for tests (the default grid is larger).
FAST = {"n_grid": 5, "n_polish": 1}


def _haar_unitary(rng, d=2):
    return random_measurement(d, rng).unitary


def _random_state(rng, rank=4):
    g = rng.standard_normal((4, rank)) + 1j * rng.standard_normal((4, rank))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


def _check_decomposition(rho, dec):
    assert dec.status == "optimal"
    lam = dec.value
    parts = np.zeros((4, 4), dtype=complex)
    if dec.separable is not None:
        parts += lam * dec.separable
        assert np.linalg.eigvalsh(dec.separable).min() >= -CERT_TOL / max(lam, 1e-12)
        assert min_pt_eigenvalue(dec.separable, (2, 2)) >= -CERT_TOL / max(lam, 1e-12)
        assert_allclose(np.trace(dec.separable).real, 1.0, atol=1e-12)
    if dec.entangled is not None:
        parts += (1 - lam) * dec.entangled
        assert np.linalg.eigvalsh(dec.entangled).min() >= -CERT_TOL / max(1 - lam, 1e-12)
        assert_allclose(np.trace(dec.entangled).real, 1.0, atol=1e-12)
    assert_allclose(parts, rho, atol=1e-8)
    # weak duality: the repaired dual point bounds lambda from above
    assert dec.certificate["dual_upper_bound"] >= lam - CERT_TOL
    assert abs(dec.certificate["duality_gap"]) <= 10 * CERT_TOL


@pytest.mark.parametrize("v", [0.0, 0.2, 1 / 3, 0.34, 0.5, 0.75, 0.9, 0.99, 1.0],
                         ids=lambda v: f"v{v:.3g}")
def test_werner_weight_is_papers_q(v):
    # Paper 1, Eq. 8 with d = N = 2: rho_v = q rho_{1/3} + (1 - q)|phi+><phi+|, q = 3(1 - v)/2,
    # and by U(x)U* twirling no separable X below rho_v has a larger trace (module docstring).
    rho = werner_state(v)
    dec = best_separable_approximation(rho)
    assert_allclose(dec.value, min(1.0, 1.5 * (1 - v)), atol=SDP_ATOL)
    _check_decomposition(rho, dec)
    if 1 / 3 + 1e-3 < v < 1:
        assert_allclose(dec.separable, werner_state(1 / 3), atol=1e-6)
        phi = bell_basis()[:, 0]
        assert_allclose(dec.entangled, np.outer(phi, phi.conj()), atol=1e-6)


@pytest.mark.parametrize(
    "weights",
    [[0.7, 0.1, 0.1, 0.1], [0.6, 0.3, 0.1, 0.0], [0.05, 0.9, 0.05, 0.0], [0.0, 0.1, 0.25, 0.65],
     [0.52, 0.48, 0.0, 0.0], [0.5, 0.2, 0.2, 0.1], [0.3, 0.3, 0.2, 0.2], [0.0, 0.0, 0.0, 1.0]],
    ids=["p0.7", "p0.6", "phi-0.9", "psi-0.65", "p0.52", "edge0.5", "sep", "pure_psi-"],
)
def test_bell_diagonal_weight_closed_form(weights):
    # X Bell-diagonal (twirl), x_k <= p_k, separable iff max x_k <= tr X / 2  =>  lambda =
    # min(1, 2(1 - p_max)), remainder = the dominant Bell state.
    w = np.array(weights)
    rho = bell_diagonal_state(w)
    dec = best_separable_approximation(rho)
    assert_allclose(dec.value, min(1.0, 2 * (1 - w.max())), atol=SDP_ATOL)
    _check_decomposition(rho, dec)
    if w.max() > 0.5 + 1e-3 and dec.entangled is not None:
        b = bell_basis()[:, int(np.argmax(w))]
        assert_allclose(dec.entangled, np.outer(b, b.conj()), atol=1e-6)


def test_random_states_decompose_and_weight_is_local_unitary_invariant(rng):
    for rank in (1, 2, 3, 4):
        rho = _random_state(rng, rank)
        dec = best_separable_approximation(rho)
        _check_decomposition(rho, dec)
        u = np.kron(_haar_unitary(rng), _haar_unitary(rng))
        rotated = best_separable_approximation(u @ rho @ u.conj().T)
        assert_allclose(rotated.value, dec.value, atol=5 * SDP_ATOL)


def test_entangled_pure_state_has_no_separable_part():
    psi = np.array([np.cos(0.3), 0, 0, np.sin(0.3)], dtype=complex)
    dec = best_separable_approximation(np.outer(psi, psi.conj()))
    assert dec.value == 0.0 and dec.separable is None
    r = general_rate_upper_bound(np.outer(psi, psi.conj()), 0.2, measurements="Z")
    # no separable rounds: the bound is (1 - L) I(A:B) with I = h(cos^2 0.3) for Z bases
    p = np.cos(0.3) ** 2
    h = -p * np.log2(p) - (1 - p) * np.log2(1 - p)
    assert_allclose(r.value, 0.8 * h, atol=1e-10)


@pytest.mark.parametrize("v, leakage, model", [(0.4, 0.1, "uniform"), (0.6, 0.2, "uniform"),
                                               (0.9, 0.3, "uniform"), (0.6, 0.2, "junk"),
                                               (0.36, 0.1, "uniform")],
                         ids=["v0.4L0.1", "v0.6L0.2", "v0.9L0.3", "junk", "near_zero"])
def test_werner_general_bound_equals_engine(v, leakage, model):
    general = general_rate_upper_bound(werner_state(v), leakage, model, **FAST)
    engine = rate_upper_bound(2, 2, v, leakage, model)
    assert_allclose(general.value, engine.value, atol=BOUND_ATOL)
    assert_allclose(general.separable_weight, 1.5 * (1 - v), atol=SDP_ATOL)


def test_search_is_global_on_locally_rotated_werner(rng):
    # (U (x) V) rho_v (U (x) V)^dagger: the optimum is no longer at Z, the bound is unchanged.
    v, leakage = 0.7, 0.2
    u = np.kron(_haar_unitary(rng), _haar_unitary(rng))
    rho = u @ werner_state(v) @ u.conj().T
    dec = best_separable_approximation(rho)
    z_only = general_rate_upper_bound(rho, leakage, measurements="Z", decomposition=dec)
    searched = general_rate_upper_bound(rho, leakage, decomposition=dec, **FAST)
    engine = rate_upper_bound(2, 2, v, leakage).value
    assert z_only.value < engine - 1e-3  # Z is not optimal here, so the search has work to do
    assert_allclose(searched.value, engine, atol=BOUND_ATOL)


def test_search_beats_random_settings_and_stays_in_range(rng):
    rho = bell_diagonal_state([0.72, 0.15, 0.08, 0.05])
    u = np.kron(_haar_unitary(rng), _haar_unitary(rng))
    rho = u @ rho @ u.conj().T
    dec = best_separable_approximation(rho)
    searched = general_rate_upper_bound(rho, 0.1, decomposition=dec, **FAST)
    assert 0.0 <= searched.value <= 1.0
    for _ in range(6):
        setting = [random_measurement(2, rng), random_measurement(2, rng)]
        fixed = general_rate_upper_bound(rho, 0.1, measurements=setting, decomposition=dec)
        assert fixed.value <= searched.value + 1e-9


def test_monotone_in_leakage_and_uniform_below_junk():
    rho = bell_diagonal_state([0.8, 0.1, 0.06, 0.04])
    dec = best_separable_approximation(rho)
    z = [computational(2), computational(2)]
    uniform = [general_rate_upper_bound(rho, L, "uniform", z, decomposition=dec).value
               for L in np.linspace(0, 1, 11)]
    junk = [general_rate_upper_bound(rho, L, "junk", z, decomposition=dec).value
            for L in np.linspace(0, 1, 11)]
    assert np.all(np.diff(uniform) <= 1e-10)
    assert np.all(np.diff(junk) <= 1e-10)
    assert np.all(np.array(uniform) <= np.array(junk) + 1e-10)
    assert uniform[0] > uniform[-1] and 0 <= min(uniform) and max(junk) <= 1


def test_maximally_entangled_and_separable_limits():
    dec = best_separable_approximation(werner_state(1.0))
    assert_allclose(general_rate_upper_bound(werner_state(1.0), 0.25, decomposition=dec, **FAST).value,
                    0.75, atol=1e-10)
    assert_allclose(general_rate_upper_bound(werner_state(1.0), 0.25, "junk", decomposition=dec,
                                             **FAST).value, 1.0, atol=1e-10)
    sep = general_rate_upper_bound(bell_diagonal_state([0.5, 0.3, 0.2, 0.0]), 0.1)
    assert sep.value == 0.0 and sep.status == "optimal_zero" and sep.separable_weight == 1.0


def test_solver_failure_is_a_status_not_a_number(monkeypatch):
    def fail(self, *args, **kwargs):
        raise cp.error.SolverError("forced failure")

    monkeypatch.setattr(cp.Problem, "solve", fail)
    dec = best_separable_approximation(werner_state(0.8))
    assert np.isnan(dec.value) and dec.status.startswith("solver_failed")
    r = general_rate_upper_bound(werner_state(0.8), 0.1)
    assert np.isnan(r.value) and r.status.startswith("failed")


def test_helpers():
    grid = fibonacci_hemisphere(50)
    assert_allclose(np.linalg.norm(grid, axis=1), 1.0, atol=1e-14)
    assert np.all(grid[:, 2] > 0)
    m = bloch_measurement([0, 0, 1])
    assert_allclose(np.abs(m.unitary), np.eye(2), atol=1e-15)
    x = bloch_measurement([1, 0, 0])
    assert_allclose(np.abs(x.unitary) ** 2, 0.5, atol=1e-15)
    assert_allclose(correlation_matrix(werner_state(0.5)), np.diag([0.5, -0.5, 0.5]), atol=1e-15)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"leakage": float("nan")}, "leakage"), ({"leakage": 1.5}, "leakage"),
     ({"model": "both"}, "model"), ({"measurements": "X"}, "measurements"),
     ({"measurements": [computational(2)]}, "two qubit"), ({"n_grid": 0}, "n_grid")],
    ids=["nan", "range", "model", "meas_str", "meas_list", "grid"],
)
def test_bad_inputs(kwargs, message):
    args = {"leakage": 0.1} | kwargs
    with pytest.raises(InputError, match=message):
        general_rate_upper_bound(werner_state(0.8), **args)


def test_bad_states_rejected():
    with pytest.raises(InputError, match="positive semidefinite"):
        best_separable_approximation(np.diag([0.7, 0.5, 0.1, -0.3]))
    with pytest.raises(InputError, match="multiply to 4"):
        best_separable_approximation(np.eye(3) / 3)
    with pytest.raises(InputError, match="axis"):
        bloch_measurement([0, 0, 0])
    assert general_cc.N_GRID >= 5
