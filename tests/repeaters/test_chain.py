"""Repeater chains by repeated simulated swapping; the visibility law read off the simulation."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qkdbounds.errors import InputError
from qkdbounds.repeaters import (
    isotropic_link,
    product_law,
    read_off_visibility_law,
    simulate_chain,
    simulate_equal_chain,
)

ATOL = 1e-10


def _depolarise(rho, v, d):
    """Independent route: (id (x) Delta_v)(rho), Delta_v(X) = v X + (1 - v) tr(X) I/d."""
    red = np.einsum("abcb->ac", rho.reshape(d, d, d, d))
    return v * rho + (1 - v) * np.kron(red, np.eye(d) / d)


@pytest.mark.parametrize("d", [2, 3, 4], ids=lambda d: f"d={d}")
def test_heterogeneous_chain_matches_channel_composition(d):
    links = [0.97, 0.8, 0.91, 0.66]
    res = simulate_chain(links, local_dim=d, keep_state=True)
    ref = isotropic_link(links[0], d)
    for v in links[1:]:
        ref = _depolarise(ref, v, d)
    assert_allclose(res.state, ref, atol=ATOL)
    assert res.isotropic


@pytest.mark.parametrize("d", [2, 3, 4], ids=lambda d: f"d={d}")
def test_law_is_product_of_link_visibilities(d):
    links = [0.99, 0.72, 0.85, 0.93, 0.6]
    res = simulate_chain(links, local_dim=d)
    assert_allclose(res.value, math.prod(links), atol=ATOL)
    assert res.follows_product_law
    assert_allclose(res.intermediate_visibilities, np.cumprod(links), atol=ATOL)


@pytest.mark.parametrize("d", [2, 3, 4], ids=lambda d: f"d={d}")
def test_equal_links_give_v_to_the_n_plus_one_not_v_to_the_2n(d):
    v = 0.9
    for n in range(0, 5):
        sim = simulate_equal_chain(v, n, d).value
        assert_allclose(sim, v ** (n + 1), atol=ATOL)
        if n >= 2:  # the paper's count v**(2n) agrees only for n = 1
            assert abs(sim - v ** (2 * n)) > 1e-3


@pytest.mark.parametrize("d", [2, 3], ids=lambda d: f"d={d}")
def test_equal_chain_equals_heterogeneous_chain_and_is_order_independent(d):
    k = 5
    equal = simulate_equal_chain(0.88, k - 1, d)
    listed = simulate_chain([0.88] * k, d)
    assert_allclose(equal.value, listed.value, atol=ATOL)
    # a heterogeneous chain with the same product, in two orders and two swap schedules
    links = [0.95, 0.88**5 / (0.95 * 0.9 * 0.97 * 0.99), 0.9, 0.97, 0.99]
    values = [simulate_chain(links, d).value,
              simulate_chain(links[::-1], d).value,
              simulate_chain(links, d, order="balanced").value]
    assert_allclose(values, equal.value, atol=ATOL)


def test_law_read_off_has_slope_one_and_offset_one():
    law = read_off_visibility_law(0.93, 8, local_dim=3)
    assert_allclose(law.exponents, np.arange(1, 10), atol=1e-8)
    slope, intercept = law.links_exponent_fit
    assert_allclose([slope, intercept], [1.0, 1.0], atol=1e-8)   # paper's v**(2n): (2, 0)
    assert law.max_deviation_from_product < ATOL


@given(links=st.lists(st.floats(0, 1), min_size=1, max_size=6))
def test_product_law_holds_for_random_qubit_chains(links):
    res = simulate_chain(links, 2)
    assert_allclose(res.value, product_law(links), atol=ATOL)


def test_single_link_has_no_repeater():
    res = simulate_chain([0.7], 3)
    assert res.n_repeaters == 0
    assert_allclose(res.value, 0.7, atol=ATOL)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: simulate_chain([], 2), "link_visibilities"),
        (lambda: simulate_chain([0.5, -0.4], 2), r"link_visibilities\[1\]"),
        (lambda: simulate_chain(0.5, 2), "link_visibilities"),
        (lambda: simulate_chain([0.5, 0.5], 2, order="random"), "order"),
        (lambda: simulate_equal_chain(0.5, -1, 2), "n_repeaters"),
        (lambda: read_off_visibility_law(1.0, 3), "visibility"),
    ],
    ids=["empty", "negative", "scalar", "order", "n<0", "v=1"],
)
def test_bad_inputs_rejected(call, match):
    with pytest.raises(InputError, match=match):
        call()


@pytest.mark.parametrize("order", ["sequential", "balanced"])
@pytest.mark.parametrize("d", [2, 3, 4])
def test_fast_chain_laws_equal_dense_simulation(d, order):
    """The chain route for large d (four simulated corner swaps + bilinearity) reproduces the
    swap-by-swap density-matrix simulation on random heterogeneous chains."""
    from qkdbounds.repeaters.chain import simulate_chain

    rng = np.random.default_rng(d)
    links = rng.uniform(0.3, 1.0, size=5).tolist()
    dense = simulate_chain(links, d, order, method="dense")
    for method in ("bilinear", "weyl"):
        law = simulate_chain(links, d, order, method=method)
        assert law.value == pytest.approx(dense.value, abs=1e-12)
        np.testing.assert_allclose(law.intermediate_visibilities, dense.intermediate_visibilities,
                                   atol=1e-12)
        assert law.isotropy.isotropic and dense.isotropy.isotropic
