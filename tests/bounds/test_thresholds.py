"""Thresholds: derived closed form vs numeric zero crossing; the paper's printed formulas."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds import visibility_threshold
from qkdbounds.bounds import numeric_threshold, threshold_closed_form, threshold_paper_printed

GRID = [(d, n) for d in (2, 3, 4) for n in (2, 3, 4)]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", GRID, ids=[f"d{d}N{n}" for d, n in GRID])
def test_closed_form_equals_numeric_zero_crossing(d, n, model):
    for leak in (0.03, 0.3, 0.8):
        num = numeric_threshold(d, n, leak, model, xtol=1e-8)
        assert_allclose(num, threshold_closed_form(d, n, leak, model), atol=1e-6)


def test_visibility_threshold_result():
    t = visibility_threshold(2, 2, 0.1, "uniform")
    assert t.status == "closed_form" and "verified" in t.message and t.agreement < 1e-6
    assert_allclose(t.value, 1 / (3 - 2 * 0.1))  # derived from Eqs. (18)-(19)
    assert_allclose(t.npt_threshold, 1 / 3)
    assert t.paper_disagrees


def test_printed_uniform_formula_disagrees_with_its_own_derivation():
    # Theorem 1(i): 1/3 + 2L/(3 - 2L); Eq. (19) first form: 1 - D(1-L)/((1+D)(1-L)+L)
    for leak in (0.1, 0.2, 0.3):
        assert_allclose(threshold_paper_printed(2, 2, leak), 1 / 3 + 2 * leak / (3 - 2 * leak))
        first_form = 1 - 2 * (1 - leak) / (3 * (1 - leak) + leak)
        assert_allclose(threshold_closed_form(2, 2, leak), first_form)
        assert threshold_paper_printed(2, 2, leak) - first_form > 0.04
    # the printed formula even exceeds 1 for large leakage, which no visibility can
    assert threshold_paper_printed(2, 2, 0.9) > 1


@pytest.mark.parametrize("d,n", GRID, ids=[f"d{d}N{n}" for d, n in GRID])
def test_junk_formula_agrees_and_zero_leakage_is_npt_edge(d, n):
    for leak in np.linspace(0, 1, 6):
        assert_allclose(threshold_paper_printed(d, n, leak, "junk"), threshold_closed_form(d, n, leak, "junk"),
                        atol=1e-14)
    for model in ("uniform", "junk"):
        assert_allclose(threshold_closed_form(d, n, 0.0, model), 1 / (1 + d ** (n - 1)))
        assert_allclose(threshold_paper_printed(d, n, 0.0, model), 1 / (1 + d ** (n - 1)))


def test_uniform_total_leakage_kills_all_key():
    assert visibility_threshold(2, 2, 1.0, "uniform").value == 1.0
    assert visibility_threshold(2, 2, 1.0, "uniform").numeric == 1.0
