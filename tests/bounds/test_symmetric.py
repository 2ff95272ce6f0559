"""Structured Z-basis route (no d^N object) vs the general multistart minimiser on d^N strings."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds import rate_upper_bound, visibility_threshold
from qkdbounds.bounds import threshold_closed_form
from qkdbounds.bounds.symmetric import z_basis_bound, z_basis_bounds
from qkdbounds.measurements import computational

SMALL = [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3), (2, 4)]


@pytest.mark.parametrize("attack", ["paper", "extended"])
@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", SMALL, ids=[f"d{d}N{n}" for d, n in SMALL])
def test_symmetric_closed_form_equals_general_minimiser(d, n, model, attack):
    # the general route is forced by giving the Z bases explicitly (dense d^N minimiser)
    z_bases = [computational(d)] * n
    points = [(0.45, 0.05), (0.7, 0.2), (0.95, 0.4), (1.0, 0.1)]
    # near the threshold, on both sides (the zero-key certificate must match too)
    v_star = float(threshold_closed_form(d, n, 0.3, model))
    points += [(v_star * 0.999, 0.3), (min(1.0, v_star * 1.01), 0.3)]
    for v, leak in points:
        structured = rate_upper_bound(d, n, v, leak, model, attack=attack)
        general = rate_upper_bound(d, n, v, leak, model, z_bases, attack=attack)
        assert structured.route == "structured" and general.route == "general"
        assert_allclose(structured.value, general.value, atol=1e-9)
        assert structured.zero_key == general.zero_key


@pytest.mark.parametrize("n", [10, 20, 30])
def test_large_n_qubits_invariants(n):
    leak = 0.1
    assert_allclose(rate_upper_bound(2, n, 1.0, leak).value, 1 - leak, atol=1e-12)
    v_star = threshold_closed_form(2, n, leak)
    assert rate_upper_bound(2, n, v_star, leak).value == 0.0
    assert rate_upper_bound(2, n, min(1, v_star * 1.01), leak).value > 0
    rates = [rate_upper_bound(2, n, v, leak).value for v in np.linspace(0, 1, 21)]
    assert all(b >= a - 1e-12 for a, b in zip(rates, rates[1:]))
    r = rate_upper_bound(2, n, 0.5, leak)
    assert r.status == "closed_form" and r.route == "structured" and "no d^N object" in r.method


def test_large_n_threshold_numeric_matches_closed_form():
    t = visibility_threshold(2, 30, 0.2, "junk")
    assert t.agreement < 1e-9
    t = visibility_threshold(16, 2, 0.3)
    assert t.agreement < 1e-6


def test_extended_symmetric_never_above_paper():
    for n in (5, 12, 30):
        for v in (0.3, 0.6, 0.9):
            p = z_basis_bound(2, n, v, 0.2)["value"]
            e = z_basis_bound(2, n, v, 0.2, attack="extended")["value"]
            assert 0 <= e <= p + 1e-12


def test_grid_equals_pointwise():
    """The array route gives, point by point, the scalar answer (both attacks, both models)."""
    v = np.linspace(0, 1, 41)
    for attack in ("paper", "extended"):
        for model in ("uniform", "junk"):
            grid = rate_upper_bound(3, 3, v[:, None], np.array([0.0, 0.15, 0.6])[None, :], model,
                                    attack=attack)
            assert grid.value.shape == (41, 3)
            for i in (0, 9, 17, 33, 40):
                for j, leak in enumerate((0.0, 0.15, 0.6)):
                    r = rate_upper_bound(3, 3, float(v[i]), leak, model, attack=attack)
                    assert grid.value[i, j] == r.value and grid.status[i, j] == r.status


def test_huge_systems_without_overflow():
    """N = 1000 parties of dimension 1024: D = 2**9990 is never formed (1/D underflows to 0)."""
    sol = z_basis_bounds(1024, 1000, [0.0, 0.5, 1.0], 0.1, "junk", "extended")
    assert np.all(np.isfinite(sol.value))
    # v = 1, no leakage: log2 d bits per party pair over N - 1 (GHZ: TC = (N-1) log2 d)
    assert_allclose(z_basis_bound(1024, 1000, 1.0, 0.0)["value"], 10.0, atol=1e-9)
    # v = 1 with uniform leakage L: (1 - L) log2 d
    assert_allclose(z_basis_bound(1024, 1000, 1.0, 0.25)["value"], 7.5, atol=1e-9)
