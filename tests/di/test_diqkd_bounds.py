"""Key lower bound and PT upper bound of rho_d: matrix routes vs the paper's printed formulas."""


import numpy as np
import pytest

from qkdbounds.di.partial_transpose import (
    devetak_winter_rate,
    key_lower_bound_formula,
    privacy_squeeze,
    pt_upper_bound_formula,
    rho_d,
    rho_d_key_lower_bound,
    rho_d_key_upper_bound,
    rho_d_matrix,
    rho_d_pt_upper_bound,
)
from qkdbounds.di.partial_transpose._spectra import binary_entropy
from qkdbounds.errors import InputError

SMALL = [(2, "fourier"), (3, "fourier"), (4, "hadamard")]
SMALL_IDS = ["d2", "d3", "d4"]


@pytest.mark.parametrize("d, unitary", SMALL, ids=SMALL_IDS)
def test_privacy_squeezed_state_is_rho_bell(d, unitary):
    # Paper 2, display of rho_Bell: 1/2 [[1-p,0,0,1-p],[0,p,0,0],[0,0,p,0],[1-p,0,0,1-p]].
    state = rho_d(d, unitary=unitary)
    p = state.mixing
    expected = np.array([[1 - p, 0, 0, 1 - p], [0, p, 0, 0], [0, 0, p, 0], [1 - p, 0, 0, 1 - p]]) / 2
    np.testing.assert_allclose(privacy_squeeze(rho_d_matrix(state), state.dims), expected, atol=1e-13)


@pytest.mark.parametrize("d, unitary", SMALL, ids=SMALL_IDS)
def test_key_lower_bound_dense_structured_formula(d, unitary):
    state = rho_d(d, unitary=unitary)
    dense = rho_d_key_lower_bound(state, "dense")
    structured = rho_d_key_lower_bound(state, "structured")
    formula = key_lower_bound_formula(d)
    for value in (dense.value, structured.value, dense.certificate["direct_devetak_winter"],
                  structured.certificate["direct_devetak_winter"]):
        assert value == pytest.approx(formula, abs=1e-10)


@pytest.mark.parametrize("d", [9, 24, 100, 2**10, 12345])
def test_key_lower_bound_structured_vs_formula_larger_d(d):
    unitary = "hadamard" if not d & (d - 1) else "fourier"
    res = rho_d_key_lower_bound(rho_d(d, unitary=unitary))
    assert res.value == pytest.approx(key_lower_bound_formula(d), abs=1e-10)
    # Devetak-Winter on rho_d itself is never below the privacy-squeezed rate (Ref. [27]).
    assert res.certificate["direct_devetak_winter"] >= res.value - 1e-10


def test_key_lower_bound_other_mixing_matches_one_minus_H():
    p = 0.05
    res = rho_d_key_lower_bound(rho_d(4, p, "hadamard"), "dense")
    assert res.value == pytest.approx(1 - p - binary_entropy(p), abs=1e-10)


def test_devetak_winter_of_bell_state_is_one():
    phi = np.zeros(4)
    phi[[0, 3]] = 2**-0.5
    rate, ent = devetak_winter_rate(np.outer(phi, phi), (2, 2, 1, 1))
    assert rate == pytest.approx(1.0, abs=1e-12)
    assert ent["H_A_given_B"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("d, unitary", SMALL, ids=SMALL_IDS)
def test_pt_upper_bound_three_routes_and_formula(d, unitary):
    state = rho_d(d, unitary=unitary)
    values = [rho_d_pt_upper_bound(state, m).value for m in ("dense", "structured", "convexity")]
    np.testing.assert_allclose(values, pt_upper_bound_formula(d), atol=1e-10)
    cert = rho_d_pt_upper_bound(state, "dense").certificate
    assert cert.verify()
    assert cert.kind == "product_basis_diagonal"


def test_pt_upper_bound_off_edge_dense_vs_structured():
    state = rho_d(4, 0.6, "hadamard")
    values = [rho_d_pt_upper_bound(state, m).value for m in ("dense", "structured", "convexity")]
    np.testing.assert_allclose(values, values[0], atol=1e-10)
    assert values[0] < 0.6  # away from the edge tau_2 is mixed, so the bound drops below p


def test_sandwich_for_rho_d():
    for d in (2, 4, 64):
        state = rho_d(d, unitary="hadamard")
        lower = rho_d_key_lower_bound(state).value
        upper = rho_d_key_upper_bound(state).value
        assert lower <= upper + 1e-12
        assert upper == pytest.approx(1 - state.mixing, abs=1e-10)
    assert rho_d_key_upper_bound(rho_d(3), "dense").value == pytest.approx(1 - rho_d(3).mixing, abs=1e-10)


def test_d_2_20_values():
    # Paper 2: K(rho_{2^20}) >= 0.98 and K(rho_{2^20}^Gamma) <= 1/(2^10 + 1) ~ 1e-3.
    # (its speed is measured in benchmarks/, row 8, not asserted here)
    for unitary in ("hadamard", "fourier"):
        state = rho_d(2**20, unitary=unitary)
        lower = rho_d_key_lower_bound(state).value
        upper = rho_d_pt_upper_bound(state).value
        assert lower == pytest.approx(key_lower_bound_formula(2**20), abs=1e-10)
        assert lower >= 0.98
        assert upper == pytest.approx(1 / 1025, abs=1e-12)


def test_rejects_non_rho_d_and_bad_method():
    with pytest.raises(InputError, match="RhoD"):
        rho_d_key_lower_bound(np.eye(16) / 16)
    with pytest.raises(InputError, match="method"):
        rho_d_pt_upper_bound(rho_d(2), "magic")
    with pytest.raises(InputError, match="dims"):
        privacy_squeeze(np.eye(8) / 8, (2, 2, 2))
