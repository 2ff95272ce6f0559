r"""Eve's optimal mixing parameters :math:`\gamma_{\vec a,\vec x}` (paper 1, Eqs. 12-16, 28-29).

For fixed inputs the "?" class carries the unnormalised measure

.. math:: m_\gamma(\vec a) = c(\vec a) + \gamma_{\vec a}\,s(\vec a),\qquad \gamma\in[0,1]^{d^N},

(:math:`c` the entangled rounds that reach "?", :math:`s` the leaked separable rounds Eve may
move there; Eq. 15), and Eve minimises :math:`p(?)\,I(A|?) = G(m_\gamma)`, the mass-weighted
multi-information across a partition of the parties (total correlation for the paper's bound,
a bipartition for the cut bound).  :math:`G` is not convex in :math:`m`, but

.. math:: G(m) = \min_{\pi\ \mathrm{product}} D(m\,\|\,M\pi),\qquad M = \textstyle\sum m,

and for fixed :math:`\pi` the map :math:`m \mapsto D(m\|M\pi)` *is* convex (a perspective of the
negative entropy plus a linear term).  Its minimum over the box has the exact KKT solution
:math:`m = \mathrm{clip}(M\pi, c, c+s)` with the scalar :math:`M` found exactly from a
piecewise-linear equation.  Alternating this exact convex step with the exact update
:math:`\pi \leftarrow` product of marginals never increases :math:`G` (Blahut-Arimoto style).
Because the joint problem is only biconvex we run it from many seeded starts (the symmetric
start, the two box corners, random product references) and report the best; the minimum is
certified *exactly zero* whenever a product distribution lies inside the box (then Eve's
:math:`\gamma` makes the parties' outcomes independent given "?", as in Eq. 16).

The alternation converges linearly (tens to hundreds of steps per start on 3x3 and 2x2x2
outcomes).  A start that has not converged after :data:`DIRECT_AFTER` steps therefore switches to
minimising :math:`G(c + y)` directly over :math:`0 \le y \le s` by L-BFGS (NLopt, with bounds;
:func:`_direct`: the minimising :math:`\pi` is the product of the normalised marginals, and the
envelope gradient is :math:`\partial G/\partial m_a = \log(m_a/(M\pi_a))`), and the alternation
then polishes that point (it stops after one or two steps at the direct minimiser's stationary
point, and detects an exactly reachable product); the best point seen is kept.  Starts that
converge sooner (most two-qubit ones) run exactly as the alternation alone.  On 808 recorded
instances of the any-source search (3x3, 2x2x2) the direct stage was 1.5-2x faster, never
worse, and lower by at most 1.2e-12 bits (some instances reached an exact zero that the
alternation alone stopped short of at ~1e-12).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .._optim import minimize_box
from .._tolerances import GAMMA_TOL
from ..errors import InputError, check_int, check_real, check_rng
from ..info.entropy import group_information_measure
from ..status import Status

__all__ = ["GammaSolution", "minimize_gamma", "reference_product", "DEFAULT_STARTS"]

#: Number of seeded starts of the alternating minimisation (besides the structured ones).
DEFAULT_STARTS = 6
#: Maximal number of alternating steps per start.
MAX_ITER = 4000
#: Relative slack with which a product reference counts as inside the box (zero certificate).
ZERO_RTOL = 1e-12
#: L-BFGS memory of the direct minimisation (NLopt's ``vector_storage``).
DIRECT_MEMORY = 10
#: Alternating steps per start before the direct minimisation takes over (small problems
#: converge within them, and then the direct stage's overhead would not pay).
DIRECT_AFTER = 5


@dataclass(frozen=True)
class GammaSolution:
    """Eve's best mixing found, with the certificate needed to re-check it.

    Attributes
    ----------
    gamma : ndarray
        Mixing parameters :math:`\\gamma_{\\vec a}` in ``[0, 1]`` (shape ``(d,)*N``).
    value : float
        :math:`p(?)\\,I(A|?)` in bits for this :math:`\\gamma` (recomputed from ``gamma``).
    p_question : float
        :math:`p(e=?|\\vec x)` for this :math:`\\gamma`.
    zero_key : bool
        True if a product distribution was reached exactly (the bound is exactly 0).
    method, status : str
    n_starts : int
        Number of starts of the alternating minimisation that were run.
    spread : float
        Largest minus smallest local optimum over the starts (bits); 0 when all agree.
    """

    gamma: NDArray[np.float64] = field(repr=False)
    value: float
    p_question: float
    zero_key: bool
    method: str
    status: Status
    n_starts: int
    spread: float

    @property
    def information(self) -> float:
        """:math:`I(A|?)` itself (normalised by :math:`p(?)`)."""
        return self.value / self.p_question if self.p_question > 0 else 0.0


def reference_product(m: NDArray, groups: Sequence[Sequence[int]]) -> NDArray:
    """Product of the group marginals of the normalised measure ``m`` (shape of ``m``)."""
    mass = _sum(m, axis=None)
    ref = None
    for g in groups:
        drop = tuple(ax for ax in range(m.ndim) if ax not in g)
        mg = (_sum(m, axis=drop, keepdims=True) if drop else m) / mass
        ref = mg if ref is None else ref * mg
    out = np.empty(m.shape)
    out[...] = 1.0 if ref is None else ref     # (1 x ref: the same numbers as ref)
    return out


#: ``np.add.reduce`` / ``np.minimum.reduce`` / ``np.add.accumulate`` without the ndarray methods'
#: Python wrappers (the same reductions, the same numbers; these functions are the CC attacks'
#: hot loop on tiny arrays).  Note the ufuncs' default ``axis=0``: callers pass ``axis=None``
#: for a whole array (``x.sum()``) or reduce 1-D arrays.
_sum, _min, _accumulate = np.add.reduce, np.minimum.reduce, np.add.accumulate


def _solve_mass(pi: NDArray, lo: NDArray, hi: NDArray) -> float:
    r"""Exact root :math:`M` of :math:`\sum_a \mathrm{clip}(M\pi_a, lo_a, hi_a) = M`.

    The left side minus :math:`M` is continuous, piecewise linear and non-increasing in
    :math:`M`, with breakpoints :math:`lo_a/\pi_a` and :math:`hi_a/\pi_a`; we sort the breakpoints,
    locate the sign change and solve the linear piece exactly.
    """
    base = _sum(lo)
    if _min(pi) > 0:       # (every pi_a > 0; a NaN goes to the masked branch, as (pi > 0).all())
        p, l, h = pi, lo, hi
    else:
        pos = pi > 0
        p, l, h = pi[pos], lo[pos], hi[pos]
    x = np.concatenate((l / p, h / p))
    order = x.argsort(kind="stable")
    x = x[order]
    # (the methods and ufuncs without numpy's Python wrappers: the same numbers)
    slope = _accumulate(np.concatenate((p, -p))[order])
    const = _accumulate(np.concatenate((-l, h))[order])
    const += base
    phi = const + (slope - 1.0) * x  # phi just right of each breakpoint (phi is continuous)
    k = int((-phi).searchsorted(0.0, side="left"))  # first breakpoint with phi <= 0
    if k == 0:
        return float(base)
    k_seg = k - 1
    denom = 1.0 - slope[k_seg]
    if denom <= 1e-15:  # flat piece: phi == 0 on the whole segment -> take its left end
        return float(x[k_seg])
    return float(const[k_seg] / denom)


def _direct(base, box, flags, groups, x0):
    r"""Local minimum of :math:`G(m)` (nats) over :math:`x = (\eta, y_{\text{movable}})` in the box
    :math:`[0, 1]^G \times [0, u]` from ``x0`` (NLopt L-BFGS): returns ``(eta, m)``.

    :math:`m = c + \eta F + y` and :math:`G(m) = \sum_a m_a\log(m_a M^{k-1}/\prod_g m_g(a_g))`
    with its envelope gradient :math:`\log(m_a M^{k-1}/\prod_g m_g(a_g))` in :math:`m` (entries
    with :math:`m_a = 0` get their marginals' part, a subgradient), chained to :math:`\eta` and
    :math:`y`.  Only the outcomes with :math:`u_a > 0` carry a :math:`y` variable.  ``flags``
    may be empty (shape ``(0,) + base.shape``): the paper attack's :math:`G(c + \gamma s)`,
    :math:`y = \gamma s`, ``box`` = :math:`s`."""
    shape, n_g = base.shape, len(flags)
    flat_base = base.ravel()
    movable = np.flatnonzero(box.ravel() > 0)
    # m = c + B x with B = [flags^T | the movable outcomes' unit columns]; the gradient in x is
    # B^T of the gradient in m
    lift = np.zeros((base.size, n_g + movable.size))
    lift[:, :n_g] = flags.reshape(n_g, base.size).T
    lift[movable, n_g + np.arange(movable.size)] = 1.0
    marginals = _marginal_matrix(shape, groups)

    def measure(x):
        return np.maximum(flat_base + lift @ x, 0.0)

    marginals_t, k_minus_1 = marginals.T, len(groups) - 1
    log_m, log_marg = np.empty(base.size), np.empty(len(marginals))   # reused buffers

    def fun(x):
        m = measure(x)
        mass = _sum(m)
        if mass <= 0:
            return 0.0, np.zeros(x.size)
        log_mass = np.log(mass)
        marg = marginals @ m
        # log(m_a / M) - sum_g log(m_g(a_g) / M), each log taken as 0 where its argument is 0
        log_m.fill(log_mass)
        log_marg.fill(log_mass)
        log_ratio = (np.log(m, out=log_m, where=m > 0)
                     - marginals_t @ np.log(marg, out=log_marg, where=marg > 0)
                     + k_minus_1 * log_mass)
        return float(m @ log_ratio), lift.T @ log_ratio

    if x0.size:
        upper = np.concatenate([np.ones(n_g), box.ravel()[movable]])
        x0 = minimize_box(fun, x0, 0.0, upper, vector_storage=DIRECT_MEMORY).x
    return x0[:n_g], measure(x0).reshape(shape)


def _marginal_matrix(shape, groups) -> NDArray:
    """0/1 matrix mapping a flat measure of ``shape`` to its group marginals, stacked (shape
    ``(sum_g prod_{i in g} d_i, prod(shape))``; cached per shape and partition, read-only, when
    at most :data:`MARGINAL_CACHE_BYTES`)."""
    shape, groups = tuple(shape), tuple(tuple(g) for g in groups)
    size = math.prod(shape)
    rows = sum(math.prod(shape[ax] for ax in g) for g in groups)
    if 8 * rows * size > MARGINAL_CACHE_BYTES:        # (large cut matrices: not kept alive)
        return _marginal_matrix_of.__wrapped__(shape, groups)
    return _marginal_matrix_of(shape, groups)


#: Largest marginal matrix :func:`_marginal_matrix` keeps cached (bytes; 64 of them at most).
MARGINAL_CACHE_BYTES = 2**20


@functools.lru_cache(maxsize=64)
def _marginal_matrix_of(shape: tuple, groups: tuple) -> NDArray:
    """:func:`_marginal_matrix` of hashable arguments (computed once)."""
    coords = np.indices(shape).reshape(len(shape), -1)
    blocks = []
    for g in groups:
        g_shape = tuple(shape[ax] for ax in g)
        index = np.ravel_multi_index(coords[list(g)], g_shape) if g else np.zeros(coords.shape[1], int)
        block = np.zeros((int(np.prod(g_shape)), coords.shape[1]))
        block[index, np.arange(coords.shape[1])] = 1.0
        blocks.append(block)
    out = np.concatenate(blocks)
    out.flags.writeable = False
    return out


def _alternate(pi, lo, hi, groups, tol, max_iter):
    """At most ``max_iter`` alternating steps from the reference ``pi``: ``(m, value, zero,
    converged)`` (``converged``: the last step lowered G by less than ``tol``)."""
    value_prev = np.inf
    for _ in range(max_iter):
        mass = _solve_mass(pi.ravel(), lo.ravel(), hi.ravel())
        target = mass * pi
        m = np.minimum(np.maximum(target, lo), hi)      # numpy.clip (lo <= hi), less overhead
        if (np.abs(m - target) <= ZERO_RTOL * max(mass, 1e-300)).all():
            return target, 0.0, True, True
        value = group_information_measure(m, groups)
        if value_prev - value < tol:
            return m, value, False, True
        value_prev = value
        pi = reference_product(m, groups)
    return m, value, False, False


def _starts(lo, hi, groups, n_starts, rng) -> list:
    """The product references minimize_gamma starts from: the uniform one, those of the box's
    corners ``lo`` and ``hi`` (when not empty) and ``n_starts`` random ones (a Dirichlet
    marginal per group, drawn from ``rng``)."""
    starts = [np.full(lo.shape, 1.0 / lo.size)]
    for corner in (lo, hi):
        if corner.sum() > 0:
            starts.append(reference_product(corner, groups))
    for _ in range(n_starts):
        ref = np.ones(lo.shape)
        for g in groups:
            shape = [lo.shape[ax] if ax in g else 1 for ax in range(lo.ndim)]
            ref = ref * rng.dirichlet(np.ones(int(np.prod([lo.shape[ax] for ax in g])))).reshape(shape)
        starts.append(ref)
    return starts


def _check_groups(groups, n_axes: int) -> list[list[int]]:
    """``groups`` as lists of axes: at least two non-empty, disjoint groups of axes in
    ``[0, n_axes)``, or InputError."""
    try:
        out = [[int(a) for a in g] for g in groups]
        ok = (not isinstance(groups, (str, bytes)) and len(out) >= 2
              and all(len(g) > 0 and not isinstance(g, (str, bytes)) for g in groups))
    except (TypeError, ValueError, OverflowError):
        ok = False
    flat = [a for g in out for a in g] if ok else []
    if not ok or len(set(flat)) != len(flat) or not all(0 <= a < n_axes for a in flat):
        raise InputError(f"groups must be at least two disjoint, non-empty lists of axes in "
                         f"[0, {n_axes - 1}], got {groups!r:.60}")
    return out


def minimize_gamma(
    base: NDArray,
    extra: NDArray,
    groups: Sequence[Sequence[int]] | None = None,
    *,
    n_starts: int = DEFAULT_STARTS,
    rng: np.random.Generator | None = None,
    tol: float = GAMMA_TOL,
) -> GammaSolution:
    r"""Globalised minimisation of :math:`G(c + \gamma s)` over :math:`\gamma\in[0,1]^{d^N}`.

    Parameters
    ----------
    base, extra : ndarray
        :math:`c` and :math:`s` of Eq. (15) (non-negative arrays of shape ``(d,)*N``).
    groups : list of lists of int, optional
        Partition of the parties; default singletons (total correlation, Eq. 29).
    n_starts : int
        Random product references tried besides the symmetric and corner starts.
    rng : numpy.random.Generator, optional
        Source of the random starts (default: seeded ``default_rng(0)`` for reproducibility).

    Returns
    -------
    GammaSolution
    """
    try:
        c = np.asarray(base, dtype=float)
        s = np.asarray(extra, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError("base and extra must be non-negative arrays of equal shape") from None
    if c.shape != s.shape or c.size == 0 or c.ndim == 0:
        raise InputError(f"base and extra must be non-empty arrays of equal shape, got shapes "
                         f"{c.shape} and {s.shape}")
    if not (np.isfinite(c).all() and np.isfinite(s).all()) or np.any(c < 0) or np.any(s < 0):
        raise InputError("base and extra must be finite and non-negative")
    n_starts = check_int("n_starts", n_starts, 0, 10**4)
    tol = check_real("tol", tol, 0.0, 1.0)
    if groups is None:
        groups = [[i] for i in range(c.ndim)]
    groups = _check_groups(groups, c.ndim)
    rng = check_rng("rng", rng)
    lo, hi = c, c + s
    starts = _starts(lo, hi, groups, n_starts, rng)
    if not s.any():
        # nothing movable (e.g. Eve's trivial decomposition): m = c from every start, which
        # all end at G(c) (zero exactly when c is a product); the random starts are still
        # drawn above, so the generator's state does not depend on this shortcut
        starts = starts[:1]
    best, values, direct_runs = None, [], 0
    no_flags = np.zeros((0,) + c.shape)
    movable = s.ravel() > 0
    for pi in starts:
        # the alternation; if it has not converged after DIRECT_AFTER steps, the direct
        # minimisation from where it is, then the alternation again as a polish
        m, value, zero, converged = _alternate(pi, lo, hi, groups, tol, DIRECT_AFTER)
        if not converged:
            direct_runs += 1
            _, m_direct = _direct(c, s, no_flags, groups, (m - lo).ravel()[movable])
            value_direct = group_information_measure(m_direct, groups)
            if value_direct < value:
                m, value = m_direct, value_direct
            m_polish, value_polish, zero, _ = _alternate(reference_product(m, groups), lo, hi,
                                                         groups, tol, MAX_ITER)
            if zero or value_polish < value:
                m, value = m_polish, value_polish
        values.append(value)
        # (G is clipped at 0: a start may end at value 0 without the exact zero certificate,
        # which a later start's certificate must then replace)
        if best is None or value < best[1] or (zero and not best[2]):
            best = (m, value, zero)
        if zero:
            break
    m, value, zero = best
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(s > 0, (m - c) / np.where(s > 0, s, 1), 0.0)
    gamma = np.clip(gamma, 0.0, 1.0)
    m = c + gamma * s
    value = 0.0 if zero else group_information_measure(m, groups)
    return GammaSolution(
        gamma=gamma,
        value=value,
        p_question=float(m.sum()),
        zero_key=bool(zero),
        method=(f"alternating exact-convex minimisation, {len(values)} seeded starts"
                + (f" ({direct_runs} not converged after {DIRECT_AFTER} steps: direct L-BFGS on "
                   f"G(c + gamma s), then the alternation again)" if direct_runs else "")),
        status=Status.OPTIMAL if zero else Status.CERTIFIED,
        n_starts=len(values),
        spread=float(max(values) - min(values)) if values else 0.0,
    )
