"""``qkdbounds._optim``: the NLopt minimisers of the per-call hot paths, against closed forms and
SciPy (second route)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qkdbounds._optim import minimize_box, minimize_free


def _quadratic(center):
    center = np.asarray(center, dtype=float)

    def fun(x):
        r = x - center
        return float(r @ r), 2 * r

    return fun


def test_box_minimum_is_the_projection_of_the_unconstrained_one():
    """min |x - c|^2 over [0, 1]^3 is at clip(c, 0, 1) (closed form)."""
    c = np.array([-0.3, 0.4, 1.7])
    res = minimize_box(_quadratic(c), np.full(3, 0.5), 0.0, 1.0)
    np.testing.assert_allclose(res.x, np.clip(c, 0, 1), atol=1e-8)
    assert res.fun == pytest.approx(0.3**2 + 0.7**2, abs=1e-12)


def test_box_result_equals_scipy_lbfgsb_on_a_convex_entropy_like_function():
    """Second route: scipy's L-BFGS-B on sum x log x - a.x over [0, 1]^5."""
    from scipy.optimize import minimize

    a = np.array([-1.0, 0.2, 0.5, 1.3, -0.1])

    def fun(x):
        x = np.maximum(x, 1e-300)
        return float(np.sum(x * np.log(x)) - a @ x), np.log(x) + 1 - a

    ours = minimize_box(fun, np.full(5, 0.5), 0.0, 1.0)
    ref = minimize(fun, np.full(5, 0.5), jac=True, method="L-BFGS-B", bounds=[(0, 1)] * 5)
    assert ours.fun == pytest.approx(ref.fun, abs=1e-9)
    np.testing.assert_allclose(ours.x, np.clip(np.exp(a - 1), 0, 1), atol=1e-5)


def test_box_keeps_the_best_point_when_nlopt_gives_up():
    """A gradient that lies (NLopt's line search fails): the result is still the best point seen,
    never worse than the start."""
    def liar(x):
        return float(np.sum((x - 0.3) ** 2)), -np.ones_like(x) * 1e6

    x0 = np.full(2, 0.3)
    res = minimize_box(liar, x0, 0.0, 1.0)
    assert res.fun <= 1e-30
    np.testing.assert_allclose(res.x, x0)


def test_free_minimiser_finds_the_rosenbrock_minimum():
    """BOBYQA and Nelder-Mead on Rosenbrock from (-1.2, 1): minimum (1, 1) (closed form)."""
    def rosen(x):
        return float(100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2)

    for method in ("bobyqa", "neldermead"):
        res = minimize_free(rosen, np.array([-1.2, 1.0]), xtol_abs=1e-10, ftol_abs=1e-14,
                            maxeval=4000, method=method, initial_step=0.1)
        np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-4)
        assert res.nfev <= 4000


def test_state_bound_at_z_does_not_import_scipy_optimize():
    """The point of this module: a two-qubit state at Z bases answers without scipy.optimize
    (0.5-0.8 s of import with SciPy >= 1.15)."""
    code = ("import sys, numpy as np; from qkdbounds.cli.main import main; import tempfile, os; "
            "d = tempfile.mkdtemp(); f = os.path.join(d, 's.npy'); "
            "phi = np.array([1, 0, 0, 1]) / np.sqrt(2); "
            "np.save(f, 0.95 * np.outer(phi, phi) + 0.05 * np.eye(4) / 4); "
            "main(['state-bound', '--state', f, '--measurements', 'Z', '--leakage', '0.1', '--json']); "
            "print(sorted(m for m in sys.modules if m in ('scipy.optimize', 'scipy.special', 'cvxpy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_box_returns_a_first_order_optimal_start_after_one_evaluation():
    """At a vertex where the gradient points out of the box (c outside [0, 1]^2 beyond the
    corner), the start is the minimum: one evaluation, no NLopt run."""
    res = minimize_box(_quadratic([-0.5, 1.5]), np.array([0.0, 1.0]), 0.0, 1.0)
    assert res.nfev == 1 and res.message == "first-order optimal start"
    np.testing.assert_allclose(res.x, [0.0, 1.0])
    assert res.fun == pytest.approx(0.5, abs=1e-15)


def test_box_runs_from_a_start_that_is_optimal_in_only_some_coordinates():
    """One coordinate at its bound with an outward gradient, the other not optimal: NLopt runs
    (and its first evaluation, the start, is not counted twice)."""
    calls = []
    fun = _quadratic([-0.5, 0.25])

    def counted(x):
        calls.append(np.array(x))
        return fun(x)

    res = minimize_box(counted, np.array([0.0, 0.9]), 0.0, 1.0)
    np.testing.assert_allclose(res.x, [0.0, 0.25], atol=1e-8)
    assert res.nfev == len(calls) >= 2
    assert sum(np.array_equal(c, [0.0, 0.9]) for c in calls) == 1
