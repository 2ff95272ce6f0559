"""Eve's minimisers (the paper attack, attacks/eve.py; the extended attack, attacks/extended.py):
a direct L-BFGS stage on G(m(eta, y)), then the alternating minimisation as a polish.  Second
route: the alternating minimisation alone (the previous minimisers), run to convergence from the
same starts."""

import numpy as np
import pytest

from qkdbounds.attacks import extended as ext
from qkdbounds.attacks.eve import ZERO_RTOL, minimize_gamma, reference_product
from qkdbounds.attacks.extended import ExtendedQuestionClass, minimize_extended
from qkdbounds.info import group_information_measure


def _instance(rng, shape, n_flags):
    """A random extended question class: "?" mass c, movable leaked mass u (some outcomes not
    movable), flag masses F_g and the paper's own movable part (<= u)."""
    base = rng.uniform(0, 0.05, shape)
    box = rng.uniform(0, 0.03, shape) * (rng.uniform(size=shape) > 0.25)
    flags = rng.dirichlet(np.ones(int(np.prod(shape))), n_flags).reshape((n_flags,) + shape)
    flags *= rng.uniform(0.01, 0.1, (n_flags,) + (1,) * len(shape))
    return ExtendedQuestionClass(base, box, flags, 0.7, box * rng.uniform(0.3, 1.0, shape))


def _alternating_only(eqc, groups, rng, tol=1e-12):
    """The alternating minimisation alone from the same starts as minimize_extended (the
    minimiser before the direct stage): fixed reference -> exact convex step -> new reference."""
    base, box, flags = eqc.base, eqc.box, eqc.flags
    paper = minimize_gamma(base, eqc.paper_extra, groups, rng=rng)
    n_g = len(flags)
    starts = [(np.zeros(n_g), reference_product(base + paper.gamma * eqc.paper_extra, groups))]
    for eta in (np.ones(n_g), np.full(n_g, 0.5)):
        starts.append((eta, reference_product(base + box + np.tensordot(eta, flags, axes=1), groups)))
    for _ in range(4):
        eta = rng.uniform(size=n_g)
        m0 = base + rng.uniform(size=base.shape) * box + np.tensordot(eta, flags, axes=1)
        starts.append((eta, reference_product(m0, groups)))
    best = paper.value
    for eta, pi in starts:
        prev = np.inf
        for _ in range(5000):
            eta, m, mass = ext._inner(pi, base, box, flags, eta)
            if np.all(np.abs(m - mass * pi) <= ZERO_RTOL * max(mass, 1e-300)):
                return 0.0
            value = group_information_measure(m, groups)
            if prev - value < tol:
                break
            prev = value
            pi = reference_product(m, groups)
        best = min(best, value)
    return best


@pytest.mark.parametrize("shape,n_flags,groups", [
    ((3, 3), 6, [[0], [1]]),
    ((2, 2, 2), 5, [[0], [1], [2]]),
    ((2, 2, 2), 5, [[0], [1, 2]]),          # a cut of the conference-key bound
])
def test_direct_stage_reaches_the_alternating_minimum(shape, n_flags, groups):
    rng = np.random.default_rng(11)
    worse = []
    for _ in range(8):
        eqc = _instance(rng, shape, n_flags)
        new = minimize_extended(eqc, groups, rng=np.random.default_rng(3))
        ref = _alternating_only(eqc, groups, np.random.default_rng(3))
        worse.append(new.value - ref)
        # the certificate rebuilds the value and stays in the box
        m = eqc.base + new.y + np.tensordot(new.eta, eqc.flags, axes=1)
        assert np.all((new.y >= 0) & (new.y <= eqc.box)) and np.all((new.eta >= 0) & (new.eta <= 1))
        assert group_information_measure(m, groups) == pytest.approx(new.value, abs=1e-12)
        assert new.value <= new.paper_value
    # the same local minima (both are local methods on a non-convex objective: equal to 1e-8)
    assert max(worse) <= 1e-8, worse


def test_polish_starts_at_a_fixed_point_of_the_alternating_minimisation(monkeypatch):
    # the direct stage (after DIRECT_AFTER_OUTER steps without convergence) ends where the
    # alternating minimisation stops at once: a few convex steps per start, where the
    # alternating minimisation alone takes tens to hundreds (a wrong gradient in the direct
    # stage leaves the work to the polish and fails here)
    rng = np.random.default_rng(5)
    eqc = _instance(rng, (2, 2, 2), 5)
    groups = [[0], [1], [2]]
    calls = []
    inner = ext._inner
    monkeypatch.setattr(ext, "_inner", lambda *a: calls.append(1) or inner(*a))
    sol = minimize_extended(eqc, groups, rng=np.random.default_rng(3))
    assert sol.n_starts >= 5
    # DIRECT_AFTER_OUTER alternating steps, the direct stage, then one or two polish steps
    assert len(calls) <= (ext.DIRECT_AFTER_OUTER + 3) * sol.n_starts, len(calls)
    calls.clear()
    _alternating_only(eqc, groups, np.random.default_rng(3))
    assert len(calls) > 20 * sol.n_starts     # the alternating minimisation alone, for scale


def _gamma_alternating_only(c, s, groups, n_starts, rng):
    """minimize_gamma's starts, each run by the alternating minimisation alone to convergence
    (the second route: only the minimisation differs)."""
    from qkdbounds.attacks import eve

    lo, hi = c, c + s
    best = np.inf
    for pi in eve._starts(lo, hi, groups, n_starts, rng):     # the same starts
        _, value, zero, _ = eve._alternate(pi, lo, hi, groups, 1e-12, 20000)
        if zero:
            return 0.0
        best = min(best, value)
    return best


@pytest.mark.parametrize("shape,groups", [((3, 3), [[0], [1]]), ((2, 2, 2), [[0], [1], [2]]),
                                          ((2, 2, 2), [[0, 2], [1]])])
def test_paper_attack_direct_stage_never_above_the_alternating_minimum(shape, groups, monkeypatch):
    from qkdbounds.attacks import eve

    rng = np.random.default_rng(21)
    steps = []
    solve = eve._solve_mass
    monkeypatch.setattr(eve, "_solve_mass", lambda *a: steps.append(1) or solve(*a))
    new_steps = ref_steps = 0
    for _ in range(10):
        c = rng.uniform(0, 0.05, shape)
        s = rng.uniform(0, 0.03, shape) * (rng.uniform(size=shape) > 0.2)
        steps.clear()
        sol = minimize_gamma(c, s, groups, rng=np.random.default_rng(4))
        new_steps += len(steps)
        steps.clear()
        ref = _gamma_alternating_only(c, s, groups, 6, np.random.default_rng(4))
        ref_steps += len(steps)
        assert sol.value <= ref + 1e-12
        assert np.all((sol.gamma >= 0) & (sol.gamma <= 1))
        assert group_information_measure(c + sol.gamma * s, groups) == pytest.approx(sol.value, abs=1e-12)
    # the polish starts at a fixed point: DIRECT_AFTER steps, then a few per start (a wrong gradient
    # in the direct stage leaves the work to the alternation and fails here)
    assert new_steps * 2 < ref_steps, (new_steps, ref_steps)


@pytest.mark.parametrize("shape,groups", [((3, 3), [[0], [1]]), ((2, 2, 2), [[0], [1], [2]])])
def test_a_product_inside_the_box_is_certified_zero(shape, groups):
    # c <= 0.3 P <= c + s for a product distribution P: Eve's gamma reaches a product exactly,
    # and the result must carry the exact zero certificate (G is clipped at 0, so a start can
    # end at value 0.0 without it; a later start's certificate must replace it)
    rng = np.random.default_rng(7)
    for _ in range(30):
        p = np.ones(shape)
        for ax, d in enumerate(shape):
            sh = [1] * len(shape)
            sh[ax] = d
            p = p * rng.dirichlet(np.ones(d)).reshape(sh)
        r = rng.uniform(0, 0.3, shape)
        c, s = 0.3 * p * (1 - r), 0.3 * p * r * rng.uniform(1.0, 1.2, shape)
        sol = minimize_gamma(c, s, groups, rng=np.random.default_rng(1))
        assert sol.zero_key and sol.value == 0.0
