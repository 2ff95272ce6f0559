"""Clopper-Pearson intervals (known values, the binomial-tail definition) and the Bonferroni box."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import binom

from qkdbounds.data.confidence import RateInterval, clopper_pearson, qber_region
from qkdbounds.errors import InputError


def test_zero_errors_closed_form():
    # k = 0: P[X <= 0 | p_U] = (1 - p_U)^n = alpha/2, so p_U = 1 - (alpha/2)^(1/n)
    lower, upper = clopper_pearson(0, 10, 0.95)
    assert lower == 0.0
    assert_allclose(upper, 1 - 0.025 ** (1 / 10), rtol=1e-12)
    assert_allclose(upper, 0.3084971078187608, rtol=1e-12)


def test_all_errors_closed_form():
    # k = n: P[X >= n | p_L] = p_L^n = alpha/2, so p_L = (alpha/2)^(1/n)
    lower, upper = clopper_pearson(20, 20, 0.9)
    assert upper == 1.0
    assert_allclose(lower, 0.05 ** (1 / 20), rtol=1e-12)


def test_known_value_half():
    # 5 of 10 at 95 %: the textbook interval (0.1871, 0.8129), symmetric about 1/2
    lower, upper = clopper_pearson(5, 10, 0.95)
    assert_allclose([lower, upper], [0.187086, 0.812914], atol=1e-6)
    assert_allclose(lower, 1 - upper, atol=1e-12)


CASES = [(1, 10, 0.95), (3, 50, 0.99), (150, 10_000, 0.95), (7, 1000, 0.8), (999, 1000, 0.999)]


@pytest.mark.parametrize("k,n,level", CASES, ids=[f"{k}of{n}@{c}" for k, n, c in CASES])
def test_binomial_tail_definition(k, n, level):
    # second route: the interval ends are where the binomial tails equal alpha/2 (the definition)
    alpha = 1 - level
    lower, upper = clopper_pearson(k, n, level)
    assert_allclose(binom.cdf(k, n, upper), alpha / 2, rtol=1e-8)
    assert_allclose(binom.sf(k - 1, n, lower), alpha / 2, rtol=1e-8)


def test_interval_shrinks_with_rounds():
    freq = 0.03
    widths = []
    for n in (10**3, 10**5, 10**7, 10**9):
        k = round(freq * n)
        lower, upper = clopper_pearson(k, n, 0.95)
        assert lower < k / n < upper
        widths.append(upper - lower)
    assert all(a > b for a, b in zip(widths, widths[1:]))
    assert widths[-1] / 2 < 1e-4
    # normal approximation at n = 1e9: half-width ~ 1.96 sqrt(f(1-f)/n)
    assert_allclose(widths[-1] / 2, 1.959964 * np.sqrt(freq * (1 - freq) / 10**9), rtol=1e-3)


def test_higher_confidence_wider():
    narrow = clopper_pearson(30, 1000, 0.9)
    wide = clopper_pearson(30, 1000, 0.99)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]


@pytest.mark.parametrize("args,where", [
    ((0, 0, 0.95), "rounds"),
    ((-1, 10, 0.95), "errors"),
    ((11, 10, 0.95), "errors"),
    ((2.5, 10, 0.95), "errors"),
    ((True, 10, 0.95), "errors"),
    ((1, 10, 1.0), "confidence"),
    ((1, 10, 0.0), "confidence"),
    ((1, 10, float("nan")), "confidence"),
    ((1, 10, None), "confidence"),
], ids=["no-rounds", "negative", "too-many", "float", "bool", "level-1", "level-0", "nan", "none"])
def test_clopper_pearson_rejects(args, where):
    with pytest.raises(InputError) as exc:
        clopper_pearson(*args)
    assert str(exc.value).startswith(where)
    assert "\n" not in str(exc.value)


def test_bonferroni_levels():
    counts = {"Z": (30, 1000), "X": (40, 1000), "Y": (35, 1000)}
    region = qber_region(counts, 0.94)
    assert list(region) == ["Z", "X", "Y"]
    for basis, interval in region.items():
        assert isinstance(interval, RateInterval)
        assert_allclose(interval.level, 1 - 0.06 / 3, rtol=1e-12)
        assert (interval.errors, interval.rounds) == counts[basis]
        assert interval.estimate == counts[basis][0] / counts[basis][1]
        assert (interval.lower, interval.upper) == clopper_pearson(*counts[basis], 1 - 0.06 / 3)
    # one rate: no correction
    single = qber_region({"Z": (30, 1000)}, 0.94)["Z"]
    assert_allclose(single.level, 0.94, rtol=1e-12)
    # the corrected intervals are wider than the uncorrected ones
    assert region["Z"].lower < single.lower and region["Z"].upper > single.upper


@pytest.mark.parametrize("counts,confidence", [
    ({}, 0.95),
    ({"Z": (1, 0)}, 0.95),
    ({"Z": (5, 4)}, 0.95),
    ({"Z": 5}, 0.95),
    ({"Z": (1, 10)}, None),
], ids=["empty", "no-rounds", "errors>rounds", "not-a-pair", "no-confidence"])
def test_qber_region_rejects(counts, confidence):
    with pytest.raises(InputError) as exc:
        qber_region(counts, confidence)
    assert "\n" not in str(exc.value)
