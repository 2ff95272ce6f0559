"""Structured Z-basis route (no d^N object) vs the general multistart minimiser on d^N strings."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds import rate_upper_bound, visibility_threshold
from qkdbounds.bounds import threshold_closed_form
from qkdbounds.bounds.rate import STRUCTURED_ABOVE
from qkdbounds.bounds.symmetric import z_basis_bound

SMALL = [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3), (2, 4)]


@pytest.mark.parametrize("attack", ["paper", "extended"])
@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", SMALL, ids=[f"d{d}N{n}" for d, n in SMALL])
def test_symmetric_closed_form_equals_general_minimiser(d, n, model, attack):
    for v, leak in [(0.45, 0.05), (0.7, 0.2), (0.95, 0.4), (1.0, 0.1)]:
        structured = z_basis_bound(d, n, v, leak, model, attack)["value"]
        general = rate_upper_bound(d, n, v, leak, model, attack=attack, cut_bound=False).value
        assert_allclose(structured, general, atol=1e-9)


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
    if 2**n > STRUCTURED_ABOVE:
        assert r.status == "closed_form" and "no d^N object" in r.method
    else:  # both routes run: they must agree
        assert_allclose(r.value, z_basis_bound(2, n, 0.5, leak)["value"], atol=1e-9)


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
