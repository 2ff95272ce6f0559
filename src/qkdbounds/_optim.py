"""Box-constrained local minimisation for the hot paths, on NLopt (start-up time, issue 19).

``import scipy.optimize`` costs 0.5-0.8 s with SciPy >= 1.15 (it parses every public docstring at
import time), which alone is 3-5x ``python -c "import numpy"``.  The point questions that need a
smooth box-constrained minimisation on every call (the extended attack's flag weights, the DI
attack's processing) use NLopt's L-BFGS instead, which imports in a few milliseconds.  Everything
else keeps using :mod:`scipy.optimize` (imported lazily where it is needed).

Reference: S. G. Johnson, *The NLopt nonlinear-optimization package*,
https://github.com/stevengj/nlopt (``LD_LBFGS``: D. C. Liu and J. Nocedal, Math. Programming 45,
503 (1989), with bound constraints).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoxMinimum", "minimize_box", "minimize_free"]


@dataclass(frozen=True)
class BoxMinimum:
    """Best point seen by :func:`minimize_box`.

    Attributes
    ----------
    x : ndarray, shape (n,)
        The best point (inside the box).
    fun : float
        The objective at ``x``.
    nfev : int
        Number of objective evaluations.
    message : str
        NLopt's stopping reason.
    """

    x: NDArray[np.float64]
    fun: float
    nfev: int
    message: str


def minimize_box(fun: Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]],
                 x0: NDArray[np.float64], lower: float | NDArray[np.float64],
                 upper: float | NDArray[np.float64], *, ftol_rel: float = 1e-15,
                 xtol_rel: float = 1e-12, maxeval: int = 1000,
                 maxtime: float | None = None, vector_storage: int | None = None
                 ) -> BoxMinimum:
    """Minimise a smooth ``fun`` (returning value and gradient) over the box ``[lower, upper]``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (value, gradient)`` with ``x`` and ``gradient`` of shape ``(n,)``.
    x0 : ndarray, shape (n,)
        Start (clipped into the box).
    lower, upper : float or ndarray, shape (n,)
        Bounds.
    ftol_rel, xtol_rel : float
        Relative tolerances on the objective and on ``x`` (NLopt's stopping criteria).
    maxeval : int
        At most this many evaluations.
    maxtime : float, optional
        At most this many seconds (NLopt's ``maxtime``; checked between evaluations).
    vector_storage : int, optional
        L-BFGS memory (NLopt's ``vector_storage``).  NLopt's default heuristic keeps thousands
        of correction pairs for small ``n``, so each step's cost grows with the iteration
        count (1.6 ms per step after 500 steps at n = 216, against 0.1 ms with 5-10): long
        runs set it.

    Returns
    -------
    BoxMinimum
        The best point *seen* (never worse than ``x0``): NLopt's round-off stops
        (``RoundoffLimited``) are not failures here, the best evaluated point is kept.

    Notes
    -----
    Method: NLopt ``LD_LBFGS`` (limited-memory BFGS with bound constraints).
    """
    import nlopt

    x0 = np.asarray(x0, dtype=float).ravel()
    n = x0.size
    lo = np.full(n, lower, dtype=float) if np.ndim(lower) == 0 else np.array(lower, dtype=float)
    hi = np.full(n, upper, dtype=float) if np.ndim(upper) == 0 else np.array(upper, dtype=float)
    if lo.shape != (n,) or hi.shape != (n,):
        raise ValueError(f"bounds must be scalars or of shape ({n},)")
    x0 = np.minimum(np.maximum(x0, lo), hi)
    best = _Best(x0)
    value0, grad0 = fun(x0)
    grad0 = np.asarray(grad0, dtype=float)
    best.see(x0, value0)
    # first-order optimal start (projected gradient zero: every coordinate at a bound with the
    # gradient pointing out of the box, or with zero gradient): L-BFGS-B would stop there too
    if np.all((grad0 == 0) | ((x0 <= lo) & (grad0 > 0)) | ((x0 >= hi) & (grad0 < 0))):
        return BoxMinimum(x0, best.f, best.n, "first-order optimal start")
    cached = [x0, value0, grad0]  # NLopt's first evaluation is the start: reuse it
    # no bounds at all (NLopt's default): no clipping, a cheaper callback (long unconstrained runs
    # are dominated by it)
    unbounded = bool(np.all(lo == -np.inf) and np.all(hi == np.inf))

    def objective(x, grad):
        if cached and np.array_equal(x, cached[0]):
            value, g = cached[1], cached[2]
            cached.clear()
        else:
            if cached:
                cached.clear()
            value, g = fun(x if unbounded else np.minimum(np.maximum(x, lo), hi))  # (np.clip: 2x)
            best.see(x, value)
        if grad.size:
            grad[:] = g
        return float(value)

    opt = nlopt.opt(nlopt.LD_LBFGS, n)
    if not unbounded:
        opt.set_lower_bounds(lo)
        opt.set_upper_bounds(hi)
    opt.set_min_objective(objective)
    opt.set_ftol_rel(ftol_rel)
    opt.set_xtol_rel(xtol_rel)
    opt.set_maxeval(int(maxeval))
    if maxtime is not None:
        opt.set_maxtime(max(float(maxtime), 1e-3))
    if vector_storage is not None:
        opt.set_vector_storage(int(vector_storage))
    res = best.run(opt, lambda x: fun(x)[0])
    return BoxMinimum(np.clip(res.x, lo, hi), res.fun, res.nfev, res.message)


def minimize_free(fun: Callable[[NDArray[np.float64]], float], x0: NDArray[np.float64], *,
                  initial_step: float = 0.05, xtol_abs: float = 1e-5, ftol_abs: float = 1e-9,
                  maxeval: int = 400, method: str = "bobyqa") -> BoxMinimum:
    """Derivative-free local minimisation of ``fun`` from ``x0`` (no bounds).

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` with ``x`` of shape ``(n,)``.
    x0 : ndarray, shape (n,)
        Start.
    initial_step : float
        First step size in each coordinate.
    xtol_abs, ftol_abs : float
        Absolute tolerances on ``x`` and on the objective.
    maxeval : int
        At most this many evaluations.
    method : {"bobyqa", "neldermead"}
        NLopt ``LN_BOBYQA`` (M. J. D. Powell, *The BOBYQA algorithm*, Cambridge NA Report
        NA2009/06: a quadratic model in a trust region) or ``LN_NELDERMEAD``.

    Returns
    -------
    BoxMinimum
        The best point seen (never worse than ``x0``).
    """
    import nlopt

    algorithms = {"bobyqa": nlopt.LN_BOBYQA, "neldermead": nlopt.LN_NELDERMEAD}
    x0 = np.asarray(x0, dtype=float).ravel()
    best = _Best(x0)

    def objective(x, grad):
        return best.see(x, fun(np.array(x, dtype=float)))

    opt = nlopt.opt(algorithms[method], x0.size)
    opt.set_min_objective(objective)
    opt.set_initial_step(initial_step)
    opt.set_xtol_abs(xtol_abs)
    opt.set_ftol_abs(ftol_abs)
    opt.set_maxeval(int(maxeval))
    return best.run(opt, fun)


class _Best:
    """The best point an NLopt run evaluated (NLopt's exceptions lose its own result)."""

    def __init__(self, x0: NDArray[np.float64]):
        self.x0, self.x, self.f, self.n = x0, x0.copy(), np.inf, 0

    def see(self, x, value) -> float:
        """Record one evaluation; returns the value as a float (for NLopt)."""
        value = float(value)
        self.n += 1
        if value < self.f:
            self.f, self.x = value, np.array(x, dtype=float)
        return value

    def run(self, opt, value_at: Callable[[NDArray[np.float64]], float]) -> BoxMinimum:
        """Run ``opt`` from the start; when not even one evaluation happened, the start's value
        (``value_at(x0)``) is the result."""
        message = _run(opt, self.x0)
        if not np.isfinite(self.f):
            self.see(self.x0, value_at(self.x0))
        return BoxMinimum(self.x, self.f, self.n, message)


def _run(opt, x0: NDArray[np.float64]) -> str:
    """Run ``opt`` from ``x0``; NLopt's stopping reason.  Its exceptions are not failures here
    (the objective keeps the best point seen): round-off limits near the optimum, and a failed
    line search on a kink."""
    import nlopt

    try:
        opt.optimize(x0)
        return _RESULTS.get(opt.last_optimize_result(), "stopped")
    except nlopt.RoundoffLimited:
        return "round-off limited (best point kept)"
    except (ValueError, RuntimeError, nlopt.exception) as exc:
        return f"NLopt stopped: {type(exc).__name__} {exc}"


_RESULTS = {1: "success", 2: "stopval reached", 3: "ftol reached", 4: "xtol reached",
            5: "maxeval reached", 6: "maxtime reached"}
