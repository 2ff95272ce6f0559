"""Eve's Eq. (9) ensemble for sources close to an isotropic pair (issue 19, item 3: "on isotropic
matrices every route gives the isotropic route's number" -- also within the input's precision;
helper verification: a float32 copy of the isotropic state had given 0.7301 instead of 0.7160)."""

import numpy as np
import pytest

import qkdbounds as qb
from qkdbounds.bounds.source_bound import _decomposition_residual, _near_isotropic_decomposition
from qkdbounds.states import cc_weight
from qkdbounds.states.sources import as_source

PHI = np.array([1, 0, 0, 1]) / np.sqrt(2)


def _iso(v, d=2):
    psi = np.zeros(d * d)
    psi[:: d + 1] = 1 / np.sqrt(d)
    return v * np.outer(psi, psi) + (1 - v) * np.eye(d * d) / d**2


def _traceless_hermitian(d, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    h = h + h.conj().T
    return h - np.trace(h).real * np.eye(d) / d


def _rate(v, leakage):
    # the isotropic route (closed forms), the second route
    return qb.rate_upper_bound(2, 2, v, leakage).value


@pytest.mark.parametrize("d,v", [(2, 0.95), (2, 0.7), (3, 0.8)])
def test_on_the_isotropic_state_it_is_eq9_exactly(d, v):
    src = as_source(_iso(v, d), (d, d))
    base = type("B", (), {"q": 0.0, "outer": None})()
    dec = _near_isotropic_decomposition(src, base)
    assert dec.q == pytest.approx(cc_weight(d, 2, v), abs=1e-10)   # Eq. (8)
    assert _decomposition_residual(src.matrix, dec) < 1e-12
    assert dec.tau_low > -1e-10
    assert dec.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_perturbed_source_reassembles_and_tau_is_psd():
    rho = _iso(0.9) + 1e-3 * _traceless_hermitian(4, 1)
    src = as_source(rho, (2, 2))
    dec = _near_isotropic_decomposition(src, type("B", (), {"q": 0.0, "outer": None})())
    assert 0 < dec.q < cc_weight(2, 2, 0.9) + 0.05
    assert _decomposition_residual(src.matrix, dec) < 1e-12
    assert dec.tau_low >= -1e-12
    # not two qudits of equal dimension: no candidate
    assert _near_isotropic_decomposition(as_source(np.eye(6) / 6, (2, 3)), dec) is None


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_single_precision_isotropic_matrix_gets_the_isotropic_number(dtype):
    expected = _rate(0.95, 0.1)           # 0.716012 (isotropic route; errata E1.8)
    res = qb.source_rate_upper_bound(_iso(0.95).astype(dtype), 0.1)
    assert res.value == pytest.approx(expected, abs=1e-6)
    assert res.certificate["decomposition_used"].startswith("near-isotropic Eq. (9)")
    weights = res.certificate["certified_weights"]
    assert weights["near-isotropic Eq. (9)"] == pytest.approx(cc_weight(2, 2, 0.95), abs=1e-6)
    assert res.certificate["decomposition_used_weight"] == weights["near-isotropic Eq. (9)"]


@pytest.mark.parametrize("eps", [1e-9, 1e-7, 1e-5])
def test_bound_is_continuous_at_the_isotropic_family(eps):
    expected = _rate(0.95, 0.1)
    res = qb.source_rate_upper_bound(_iso(0.95) + eps * _traceless_hermitian(4, 0), 0.1)
    # the default search: within O(eps) of the exact state's bound (measured: +0.745 eps), with
    # Eve's rotated Eq. (9) ensemble (the engine's alone gave 0.7375 at eps = 1e-9)
    assert res.value == pytest.approx(expected, abs=10 * eps + 1e-9)
    assert "near-isotropic Eq. (9), aligned with party" in res.certificate["decomposition_used"]


def test_grid_points_equal_single_points_with_the_candidate():
    rho = _iso(0.95) + 1e-6 * _traceless_hermitian(4, 2)
    grid = qb.source_rate_upper_bound(rho, [0.0, 0.1])      # the search: rotated candidates
    for leak, point in zip([0.0, 0.1], grid):
        single = qb.source_rate_upper_bound(rho, leak)
        assert point.value == single.value
        assert point.certificate["decomposition_used"] == single.certificate["decomposition_used"]
        assert "near-isotropic" in point.certificate["decomposition_used"]


def test_rotated_candidates_are_decompositions_of_the_source():
    # Eq. (9)'s separable state is U (x) conj(U) invariant: rotating the members (and keeping
    # tau) reassembles the same source, at every setting and for either party's alignment
    from qkdbounds.bounds.source_bound import _Eve, _haar, _unitary_setting

    rho = _iso(0.9) + 1e-4 * _traceless_hermitian(4, 3)
    rng = np.random.default_rng(0)
    eve = _Eve(as_source(rho, (2, 2)), "best", rng, adapt=True, use_trivial=True)
    setting = _unitary_setting([_haar(2, rng), _haar(2, rng)])
    entries = eve.near_decompositions(setting)
    assert [name.split(", ")[-1] for name, _ in entries] == ["aligned with party 0", "aligned with party 1"]
    for _, dec in entries:
        assert _decomposition_residual(rho, dec) < 1e-12
    z = eve.near_decompositions(_unitary_setting([np.eye(2), np.eye(2)]))
    assert len(z) == 1 and z[0][1] is eve.near
