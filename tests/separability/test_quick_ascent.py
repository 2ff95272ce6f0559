"""The engine's ``route="local_ascent"``: the quick certified decomposition used for the frame runs
of Eve's pool (issue 19: a 3x3 search within its time target)."""

from __future__ import annotations

import numpy as np
import pytest

from qkdbounds.separability import certified_separable_weight
from qkdbounds.separability._ensemble import mix
from qkdbounds.states.sources import make_source

from test_engine import _check_certificate, _product_mixture, _random_state


@pytest.mark.parametrize("dims,seed", [((3, 3), 1), ((3, 3), 4), ((2, 2, 2), 5)])
def test_quick_ascent_is_certified_and_close_to_the_full_engine(dims, seed):
    rho = _random_state(int(np.prod(dims)), seed)
    src = make_source(rho, dims)
    quick = certified_separable_weight(src, route="local_ascent", outer=False,
                                       rng=np.random.default_rng(0))
    full = certified_separable_weight(src, rng=np.random.default_rng(0))
    assert quick.method == "local_ascent" and "route 'local_ascent'" in quick.reason
    _check_certificate(quick, rho)
    assert quick.residual <= 1e-9 and quick.weight_outer is None
    # second route for q: the largest q with rho - q sigma >= 0, by eigenvalues of
    # rho^{-1/2} sigma rho^{-1/2} (the certification accepts tau's eigenvalues down to -1e-12)
    mu, eig = np.linalg.eigh(rho)
    half = (eig / np.sqrt(mu)) @ eig.conj().T
    q_max = 1 / np.linalg.eigvalsh(half @ quick.sigma() @ half).max()
    assert quick.weight == pytest.approx(q_max, abs=1e-9)
    # a quick decomposition: below the full engine's and its outer bound, but close to them
    if full.weight_outer is not None:   # (skipped when it does not fit in the budget)
        assert quick.weight <= full.weight_outer + 1e-9
    assert full.weight - 0.01 <= quick.weight


def test_quick_ascent_in_another_frame_gives_another_decomposition():
    # frame runs add *different* decompositions of the same rho to Eve's pool: the ascent in a
    # rotated frame (fresh random starts), rotated back, is a different sigma
    from qkdbounds.states.sources import apply_local_unitaries

    rho = _random_state(9, 2)
    src = make_source(rho, (3, 3))
    rng = np.random.default_rng(0)
    us = [np.linalg.qr(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))[0] for _ in range(2)]
    a = certified_separable_weight(src, route="local_ascent", outer=False, rng=np.random.default_rng(1))
    b = certified_separable_weight(apply_local_unitaries(src, [u.conj().T for u in us]),
                                   route="local_ascent", outer=False, rng=np.random.default_rng(1))
    big = np.kron(us[0], us[1])
    sigma_b = big @ b.sigma() @ big.conj().T           # back in the input frame
    tau = rho - b.weight * sigma_b
    assert np.linalg.eigvalsh((tau + tau.conj().T) / 2).min() >= -1e-10   # a decomposition of rho
    assert np.abs(a.sigma() - sigma_b).max() > 1e-3


def test_quick_ascent_keeps_the_exact_and_closed_form_routes():
    # 2x3: PPT = separable, the exact route (optimal q) as with "auto"
    rho = _random_state(6, 3)
    src = make_source(rho, (2, 3))
    res = certified_separable_weight(src, route="local_ascent", rng=np.random.default_rng(0))
    auto = certified_separable_weight(src, rng=np.random.default_rng(0))
    assert res.method == auto.method == "exact"
    assert res.weight == pytest.approx(auto.weight, abs=1e-9)
    # a separable mixture of few product states: q = 1 (product fit), not an ascent
    mixture = _product_mixture((3, 3), 4, 7)
    res = certified_separable_weight(make_source(mixture, (3, 3)), route="local_ascent",
                                     rng=np.random.default_rng(0))
    assert res.weight == 1.0 and res.method != "local_ascent"


def test_rank_deficient_input_goes_on_to_column_generation():
    rho = _random_state(9, 6, rank=5)       # the ascent needs rho^{-1/2}
    res = certified_separable_weight(make_source(rho, (3, 3)), route="local_ascent",
                                     outer=False, rng=np.random.default_rng(0), time_budget=2)
    assert res.method in ("column_generation", "local_ascent") and "route 'local_ascent'" not in res.reason
    _check_certificate(res, rho)


def test_frame_runs_use_the_quick_ascent():
    from qkdbounds.bounds.source_bound import _frame_decomposition

    src = make_source(_random_state(9, 1), (3, 3))
    rng = np.random.default_rng(0)
    us = [np.linalg.qr(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)))[0] for _ in range(2)]
    dec = _frame_decomposition(src, us, np.random.default_rng(1), outer=0.9)
    assert dec.how.startswith("local_ascent") and "rotated back" in dec.how
    assert dec.outer == 0.9


def test_raised_budget_note_names_what_ran():
    src = make_source(_random_state(9, 8), (3, 3))
    res = certified_separable_weight(src, route="local_ascent", outer=False, time_budget=0.01,
                                     rng=np.random.default_rng(0))
    assert "raised to the engine's minimum" in res.message
    assert "local ascent's 2 stages run" in res.message and "column-generation" not in res.message


@pytest.mark.parametrize("dims,seed", [((3, 3), 1), ((2, 2, 2), 5)])
def test_whole_ascent_route_is_certified_and_reaches_the_full_engine(dims, seed):
    # route="ascent" (the any-source bound's input frame): the ascent's whole schedule, no
    # column generation; from the same random start it continues the quick route's two stages
    # (the best ensemble seen is kept), and it lands within 2e-3 of the full engine's weight
    rho = _random_state(int(np.prod(dims)), seed)
    src = make_source(rho, dims)
    whole = certified_separable_weight(src, route="ascent", rng=np.random.default_rng(0))
    quick = certified_separable_weight(src, route="local_ascent", outer=False,
                                       rng=np.random.default_rng(0))
    full = certified_separable_weight(src, rng=np.random.default_rng(0))
    assert whole.method == "local_ascent" and "route 'ascent'" in whole.reason
    assert "column generation" not in whole.reason
    _check_certificate(whole, rho)
    assert whole.weight >= quick.weight - 1e-9
    assert full.weight - 2e-3 <= whole.weight <= whole.weight_outer + 1e-9
    assert whole.weight_outer == pytest.approx(full.weight_outer, abs=1e-7)


def test_whole_ascent_route_on_a_rank_deficient_input_is_column_generation():
    rho = _product_mixture((3, 3), 4, 7)
    res = certified_separable_weight(make_source(rho, (3, 3)), route="ascent",
                                     rng=np.random.default_rng(0))
    assert res.method != "local_ascent" and res.weight == 1.0
    _check_certificate(res, rho)
