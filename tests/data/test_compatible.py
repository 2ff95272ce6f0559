"""States compatible with recorded data: largest PPT weight, random extreme points, IC test.

Known values: the best separable approximation of a Bell-diagonal two-qubit state with largest
weight lambda_1 > 1/2 has separable weight 2(1 - lambda_1) (Lewenstein & Sanpera, PRL 80, 2261
(1998); checked here against the independent SDP of separability._exact).  BB84 data with errors
e_Z, e_X are reproduced by the Bell-diagonal family
lambda = (1 - e_Z - e_X + t, e_X - t, e_Z - t, t), whose weight 2(e_Z + e_X - t) is largest at
t = 0: 2(e_Z + e_X).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.data.compatible import (
    CompatibleState,
    is_informationally_complete,
    largest_separable_compatible,
    monitored_operators,
    random_compatible,
)
from qkdbounds.errors import InputError
from qkdbounds.measurements.povm import check_povm
from qkdbounds.separability._exact import best_separable_approximation

S2 = 1 / np.sqrt(2)
BASES = {
    "Z": [np.array([1, 0]), np.array([0, 1])],
    "X": [np.array([S2, S2]), np.array([S2, -S2])],
    "Y": [np.array([S2, 1j * S2]), np.array([S2, -1j * S2])],
}
POVMS = {name: check_povm([np.outer(v, v.conj()) for v in vecs], label=name)
         for name, vecs in BASES.items()}
TOMOGRAPHY = [(x, y) for x in "ZXY" for y in "ZXY"]
BB84 = [("Z", "Z"), ("X", "X")]

PHI_PLUS = np.array([1, 0, 0, 1]) / np.sqrt(2)
PHI_MINUS = np.array([1, 0, 0, -1]) / np.sqrt(2)
PSI_PLUS = np.array([0, 1, 1, 0]) / np.sqrt(2)
PSI_MINUS = np.array([0, 1, -1, 0]) / np.sqrt(2)


def bell_diagonal(weights):
    """sum_k weights[k] |B_k><B_k| with B = (phi+, phi-, psi+, psi-)."""
    return sum(w * np.outer(b, b.conj())
               for w, b in zip(weights, (PHI_PLUS, PHI_MINUS, PSI_PLUS, PSI_MINUS)))


RHO0 = 0.8 * np.outer(PHI_PLUS, PHI_PLUS) + 0.2 * np.eye(4) / 4  # lambda_1 = 0.85


def data(rho, settings):
    ops, _ = monitored_operators(POVMS, POVMS, settings)
    p = np.real(np.einsum("mij,ji->m", ops, rho))
    return ops, p


def separable_state(rng, n_terms=4):
    rho = np.zeros((4, 4), dtype=complex)
    weights = rng.dirichlet(np.ones(n_terms))
    for w in weights:
        a = rng.standard_normal(2) + 1j * rng.standard_normal(2)
        b = rng.standard_normal(2) + 1j * rng.standard_normal(2)
        v = np.kron(a / np.linalg.norm(a), b / np.linalg.norm(b))
        rho += w * np.outer(v, v.conj())
    return rho


def value_residual(state, ops, low, up):
    vals = np.real(np.einsum("mij,ji->m", ops, state.matrix))
    return float(max(0.0, np.max(np.maximum(low - vals, vals - up))))


def check_density(state: CompatibleState):
    m = state.matrix
    assert m.shape == (4, 4)
    assert np.array_equal(m, m.conj().T)
    assert abs(np.trace(m).real - 1) < 1e-12
    assert np.linalg.eigvalsh(m).min() >= -1e-12


# -- monitored_operators / informational completeness -------------------------------------------

def test_monitored_operators_order_and_labels():
    ops, labels = monitored_operators(POVMS, POVMS, [("Z", "X"), ("Y", "Z")])
    assert ops.shape == (8, 4, 4)
    assert labels[:4] == [("Z", "X", 0, 0), ("Z", "X", 0, 1), ("Z", "X", 1, 0), ("Z", "X", 1, 1)]
    assert labels[6] == ("Y", "Z", 1, 0)
    assert_allclose(ops[1], np.kron(POVMS["Z"].elements[0], POVMS["X"].elements[1]), atol=1e-15)
    assert_allclose(ops[6], np.kron(POVMS["Y"].elements[1], POVMS["Z"].elements[0]), atol=1e-15)


@pytest.mark.parametrize("settings, expected", [
    (TOMOGRAPHY, True),
    (BB84, False),
    ([("Z", "Z"), ("X", "X"), ("Y", "Y")], False),  # 12 operators, span 7 < 16
    (TOMOGRAPHY[:-1], False),                           # no (Y, Y): sigma_y x sigma_y missing
], ids=["tomography", "bb84", "three-matched", "tomography-without-YY"])
def test_informational_completeness(settings, expected):
    ops, _ = monitored_operators(POVMS, POVMS, settings)
    assert is_informationally_complete(ops, (2, 2)) is expected


# -- largest PPT weight: known values ------------------------------------------------------------

def test_tomography_fixes_the_state_and_its_weight():
    ops, p = data(RHO0, TOMOGRAPHY)
    state = largest_separable_compatible((2, 2), ops, p, p)
    check_density(state)
    assert_allclose(state.matrix, RHO0, atol=1e-6)
    assert_allclose(state.ppt_weight, 2 * (1 - 0.85), atol=1e-6)
    assert state.residual < 1e-7
    assert state.residual == pytest.approx(value_residual(state, ops, p, p), abs=1e-15)
    assert state.how == "largest PPT weight"
    assert state.status == "optimal" and state.message.startswith("solver: optimal")
    assert state.dims == (2, 2)


@pytest.mark.parametrize("e_z, e_x", [(0.1, 0.1), (0.05, 0.12)], ids=["sym", "asym"])
def test_bb84_data_largest_weight(e_z, e_x):
    # A Bell-diagonal source with these errors (t = 0 member of the family).
    rho = bell_diagonal([1 - e_z - e_x, e_x, e_z, 0.0])
    ops, p = data(rho, BB84)
    assert not is_informationally_complete(ops, (2, 2))
    state = largest_separable_compatible((2, 2), ops, p, p)
    check_density(state)
    assert state.residual < 1e-7
    assert_allclose(state.ppt_weight, 2 * (e_z + e_x), atol=1e-6)
    # The returned state's own best separable approximation agrees (independent SDP).
    weight, _, _ = best_separable_approximation(state.matrix, (2, 2))
    assert_allclose(weight, state.ppt_weight, atol=1e-6)


def test_bb84_family_second_route():
    """Second route to 2(e_Z + e_X): the separable weight over the Bell-diagonal family."""
    e_z = e_x = 0.1
    ops, p = data(RHO0, BB84)
    best = largest_separable_compatible((2, 2), ops, p, p).ppt_weight
    family = []
    for t in np.linspace(0, 0.1, 5):
        rho = bell_diagonal([1 - e_z - e_x + t, e_x - t, e_z - t, t])
        assert_allclose(data(rho, BB84)[1], p, atol=1e-12)  # same data
        family.append(best_separable_approximation(rho, (2, 2))[0])
    assert_allclose(family, 2 * (e_z + e_x - np.linspace(0, 0.1, 5)), atol=1e-6)
    assert_allclose(best, max(family), atol=1e-6)


def test_complex_operators_same_weight_as_real():
    """A local complex phase U = diag(1, i) on Alice rotates the compatible set; the PPT weight
    is locally invariant, so the Hermitian-variable route must give the real route's 0.4."""
    ops, p = data(RHO0, BB84)
    u = np.kron(np.diag([1, 1j]), np.eye(2))
    rotated = np.einsum("ij,mjk,kl->mil", u, ops, u.conj().T)
    assert np.abs(rotated.imag).max() > 0.1
    state = largest_separable_compatible((2, 2), rotated, p, p)
    assert state.residual < 1e-7
    assert_allclose(state.ppt_weight, 0.4, atol=1e-6)


@pytest.mark.parametrize("settings", [TOMOGRAPHY, BB84], ids=["tomography", "bb84"])
def test_separable_data_have_weight_one(settings, rng):
    rho = separable_state(rng)
    ops, p = data(rho, settings)
    state = largest_separable_compatible((2, 2), ops, p, p)
    assert state.residual < 1e-7
    assert_allclose(state.ppt_weight, 1.0, atol=1e-6)


def test_boxes_only_increase_the_weight():
    ops, p = data(RHO0, BB84)
    exact = largest_separable_compatible((2, 2), ops, p, p).ppt_weight
    low, up = p - 0.01, p + 0.01
    state = largest_separable_compatible((2, 2), ops, low, up)
    assert state.residual < 1e-7
    assert state.ppt_weight >= exact - 1e-7
    # The box lets each error rate rise by up to 0.02 (two outcome cells at +0.01 each):
    # strictly more weight, and not more than 2(e_Z + e_X) with the widened errors.
    assert state.ppt_weight > exact + 0.01
    assert state.ppt_weight <= 2 * (0.12 + 0.12) + 1e-6
    # One-sided (infinite) bounds are allowed.
    one_sided = largest_separable_compatible((2, 2), ops, np.full_like(p, -np.inf), up)
    assert one_sided.ppt_weight >= state.ppt_weight - 1e-7


def test_residual_reports_violation_of_the_returned_matrix():
    ops, p = data(RHO0, TOMOGRAPHY)
    state = largest_separable_compatible((2, 2), ops, p, p)
    assert value_residual(state, ops, p, p) == pytest.approx(state.residual, abs=1e-15)
    shifted = p.copy()
    shifted[0] += 1e-3  # a different box: residual recomputed by the test, not the module
    assert value_residual(state, ops, shifted, shifted) > 9e-4


# -- infeasible data -----------------------------------------------------------------------------

def test_infeasible_pauli_correlations():
    """Perfect correlation in Z, X and Y at once is impossible (ZZ = XX = 1 forces phi+, for
    which the standard Y outcomes are anticorrelated)."""
    ops, _ = monitored_operators(POVMS, POVMS, [("Z", "Z"), ("X", "X"), ("Y", "Y")])
    p = np.tile([0.5, 0.0, 0.0, 0.5], 3)
    with pytest.raises(InputError, match="admit no quantum state") as info:
        largest_separable_compatible((2, 2), ops, p, p)
    assert "\n" not in str(info.value)
    with pytest.raises(InputError, match="admit no quantum state"):
        random_compatible((2, 2), ops, p, p, 1, np.random.default_rng(0))


def test_infeasible_unnormalised_table():
    ops, _ = monitored_operators(POVMS, POVMS, [("Z", "Z")])
    p = np.array([1.0, 0.0, 0.0, 0.5])
    with pytest.raises(InputError, match="admit no quantum state"):
        largest_separable_compatible((2, 2), ops, p, p)


def test_anticorrelated_y_is_feasible():
    """Control for the infeasibility test: with Y anticorrelated the data are phi+'s."""
    ops, p = data(np.outer(PHI_PLUS, PHI_PLUS), [("Z", "Z"), ("X", "X"), ("Y", "Y")])
    assert_allclose(p[8:], [0, 0.5, 0.5, 0], atol=1e-12)
    state = largest_separable_compatible((2, 2), ops, p, p)
    assert_allclose(state.matrix, np.outer(PHI_PLUS, PHI_PLUS), atol=1e-6)
    assert state.ppt_weight < 1e-6


# -- random compatible states --------------------------------------------------------------------

def test_random_compatible_states():
    ops, p = data(RHO0, BB84)
    low, up = p - 0.005, p + 0.005
    largest = largest_separable_compatible((2, 2), ops, low, up).ppt_weight
    states = random_compatible((2, 2), ops, low, up, 3, np.random.default_rng(7))
    assert len(states) == 3
    for k, state in enumerate(states):
        check_density(state)
        assert state.residual < 1e-7
        assert value_residual(state, ops, low, up) == pytest.approx(state.residual, abs=1e-15)
        assert state.how.startswith(f"random objective {k} (seed ")
        assert 0.0 <= state.ppt_weight <= largest + 1e-6
        weight, _, _ = best_separable_approximation(state.matrix, (2, 2))
        assert_allclose(state.ppt_weight, weight, atol=1e-6)
    # Distinct extreme points.
    assert np.abs(states[0].matrix - states[1].matrix).max() > 1e-3
    again = random_compatible((2, 2), ops, low, up, 3, np.random.default_rng(7))
    for a, b in zip(states, again):
        assert a.how == b.how
        assert_allclose(a.matrix, b.matrix, atol=1e-9)
    other = random_compatible((2, 2), ops, low, up, 3, np.random.default_rng(8))
    assert np.abs(other[0].matrix - states[0].matrix).max() > 1e-3
    assert random_compatible((2, 2), ops, low, up, 0, np.random.default_rng(7)) == []


def test_random_compatible_complex_operators():
    ops, p = data(RHO0, [("Z", "Z"), ("Y", "Y")])
    states = random_compatible((2, 2), ops, p, p, 2, np.random.default_rng(3))
    for state in states:
        assert state.residual < 1e-7
        assert 0.0 <= state.ppt_weight <= 1.0
    # With complex variables the extreme points are complex in general.
    assert max(np.abs(s.matrix.imag).max() for s in states) > 1e-3


# -- validation ----------------------------------------------------------------------------------

OPS, P = data(RHO0, BB84)


@pytest.mark.parametrize("dims, operators, lower, upper, match", [
    ((2, 3), OPS, P, P, r"operators must have shape \(m, 6, 6\)"),
    ((2, 2), OPS[0], P, P, "operators must have shape"),
    ((2, 2), OPS, P[:-1], P, r"lower must have shape \(8,\)"),
    ((2, 2), OPS, P, P[:, None], r"upper must have shape \(8,\)"),
    ((2, 2), OPS, P + 0.1, P, "lower must not exceed upper; entry 0"),
    ((2, 2), OPS, np.full(8, np.nan), P, "lower must not contain NaN"),
    ((7, 6), np.zeros((1, 42, 42)), [0.0], [0.0], "at most 36"),
    ((2,), OPS, P, P, "dims must be a pair"),
    ((2, 2), OPS + 1j * np.triu(np.ones((4, 4)), 1), P, P, "operators must be Hermitian"),
], ids=["dim-mismatch", "2d-operators", "short-lower", "2d-upper", "lower>upper", "nan",
        "too-large", "bad-dims", "non-hermitian"])
def test_validation(dims, operators, lower, upper, match):
    with pytest.raises(InputError, match=match) as info:
        largest_separable_compatible(dims, operators, lower, upper)
    assert "\n" not in str(info.value)


def test_validation_of_settings_and_rng():
    with pytest.raises(InputError, match="Bob has no setting 'W'"):
        monitored_operators(POVMS, POVMS, [("Z", "W")])
    with pytest.raises(InputError, match="at least one"):
        monitored_operators(POVMS, POVMS, [])
    with pytest.raises(InputError, match="numpy.random.Generator"):
        random_compatible((2, 2), OPS, P, P, 1, 7)
    with pytest.raises(InputError, match="n must be an integer"):
        random_compatible((2, 2), OPS, P, P, -1, np.random.default_rng(0))


def test_repair_clips_negative_eigenvalues_and_renormalises():
    from qkdbounds.data.compatible import _repair

    rough = np.diag([0.6, 0.5, -0.1, 0.0]) + 1e-9j * (np.eye(4, k=1) - np.eye(4, k=-1))
    fixed = _repair(rough)
    assert np.array_equal(fixed, fixed.conj().T)
    assert_allclose(fixed, np.diag([0.6, 0.5, 0.0, 0.0]) / 1.1, atol=1e-8)
