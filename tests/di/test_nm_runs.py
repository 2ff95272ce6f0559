"""The Nelder-Mead runs of the DI attack search (di._cc_search.NMRun): coordinates held fixed
stay fixed, restarts rebuild the initial simplex around the best vertex at fixed counts of the
run's own evaluations, and either way a run with a smaller budget evaluates a prefix of the
candidates of a run with a larger one (the search's effort-monotonicity, docs/di.md)."""

import numpy as np
import pytest

from qkdbounds.di._cc_search import NM_STEP, NMRun, nelder_mead_lockstep


class Counting:
    """Stand-in for AttackSearch (LP mode): f(z) = sum_i (i + 1) (z_i - c_i)^2, every value
    verified; logs the candidates in order."""

    exact = False

    def __init__(self, centre):
        self.centre = np.asarray(centre, dtype=float)
        self.points = []

    def evaluate(self, z, objective, model=None):
        z = np.atleast_2d(z)
        self.points.extend(z.copy())
        w = np.arange(1, z.shape[1] + 1)
        f = ((z - self.centre) ** 2 * w).sum(axis=1)
        return {"two": f, "one": f, "rev": f, "verified": np.ones(len(z), dtype=bool)}


START = np.array([1.0, -0.5, 0.25, 0.8])
CENTRE = np.array([0.3, 0.2, -0.1, 0.0])


def _run(budget, **kw):
    search = Counting(CENTRE)
    nelder_mead_lockstep(search, [NMRun(START, "two", "lp", **kw)], budget)
    return np.array(search.points)


def test_fixed_coordinates_stay_at_the_start():
    pts = _run(200, fixed=(1, 3))
    np.testing.assert_array_equal(pts[:, [1, 3]], np.broadcast_to(START[[1, 3]], (len(pts), 2)))
    # the free ones move to the minimiser of the restricted problem
    best = pts[np.argmin(((pts - CENTRE) ** 2 * np.arange(1, 5)).sum(axis=1))]
    np.testing.assert_allclose(best[[0, 2]], CENTRE[[0, 2]], atol=1e-3)
    # the simplex spans the free coordinates only: 3 vertices, the start first
    np.testing.assert_array_equal(pts[:3], [START, START + NM_STEP * np.eye(4)[0], START + NM_STEP * np.eye(4)[2]])


@pytest.mark.parametrize("kw", [{}, {"restart": 17}, {"restart": 17, "fixed": (2,)}, {"adaptive": True, "restart": 9}])
def test_smaller_budgets_evaluate_prefixes(kw):
    longest = _run(150, **kw)
    for budget in (1, 5, 17, 18, 40, 99):
        pts = _run(budget, **kw)
        assert len(pts) <= budget
        np.testing.assert_array_equal(pts, longest[:len(pts)])


def test_restart_rebuilds_the_initial_simplex_around_the_best_vertex():
    period = 30
    pts = _run(60, restart=period)
    plain = _run(60)
    # identical until the first restart is due, then the initial offsets around the best vertex
    # seen so far (the restart comes at the first iteration after `period` evaluations)
    n_same = next(i for i in range(len(pts)) if not np.array_equal(pts[i], plain[i]))
    assert n_same >= period
    f = ((pts[:n_same] - CENTRE) ** 2 * np.arange(1, 5)).sum(axis=1)
    best = pts[:n_same][np.argmin(f)]
    np.testing.assert_allclose(pts[n_same:n_same + 4], best + NM_STEP * np.eye(4), atol=1e-15)


def test_tuples_are_runs():
    search = Counting(CENTRE)
    nelder_mead_lockstep(search, [(START, "two", "lp")], 20)
    np.testing.assert_array_equal(np.array(search.points), _run(20))
