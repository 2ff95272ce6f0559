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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .._tolerances import GAMMA_TOL
from ..errors import InputError, check_rng
from ..info.entropy import group_information_measure
from ..status import Status

__all__ = ["GammaSolution", "minimize_gamma", "reference_product", "DEFAULT_STARTS"]

#: Number of seeded starts of the alternating minimisation (besides the structured ones).
DEFAULT_STARTS = 6
#: Maximal number of alternating steps per start.
MAX_ITER = 4000
#: Relative slack with which a product reference counts as inside the box (zero certificate).
ZERO_RTOL = 1e-12


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
    mass = m.sum()
    ref = None
    for g in groups:
        drop = tuple(ax for ax in range(m.ndim) if ax not in g)
        mg = (m.sum(axis=drop, keepdims=True) if drop else m) / mass
        ref = mg if ref is None else ref * mg
    out = np.ones(m.shape)
    if ref is not None:
        out *= ref
    return out


def _solve_mass(pi: NDArray, lo: NDArray, hi: NDArray) -> float:
    r"""Exact root :math:`M` of :math:`\sum_a \mathrm{clip}(M\pi_a, lo_a, hi_a) = M`.

    The left side minus :math:`M` is continuous, piecewise linear and non-increasing in
    :math:`M`, with breakpoints :math:`lo_a/\pi_a` and :math:`hi_a/\pi_a`; we sort the breakpoints,
    locate the sign change and solve the linear piece exactly.
    """
    base = lo.sum()
    if (pi > 0).all():
        p, l, h = pi, lo, hi
    else:
        pos = pi > 0
        p, l, h = pi[pos], lo[pos], hi[pos]
    x = np.concatenate((l / p, h / p))
    order = np.argsort(x, kind="stable")
    x = x[order]
    slope = np.concatenate((p, -p))[order].cumsum()
    const = np.concatenate((-l, h))[order].cumsum()
    const += base
    phi = const + (slope - 1.0) * x  # phi just right of each breakpoint (phi is continuous)
    k = int(np.searchsorted(-phi, 0.0, side="left"))  # first breakpoint with phi <= 0
    if k == 0:
        return float(base)
    k_seg = k - 1
    denom = 1.0 - slope[k_seg]
    if denom <= 1e-15:  # flat piece: phi == 0 on the whole segment -> take its left end
        return float(x[k_seg])
    return float(const[k_seg] / denom)


def _alternate(pi, lo, hi, groups, tol, max_iter):
    value_prev = np.inf
    for _ in range(max_iter):
        mass = _solve_mass(pi.ravel(), lo.ravel(), hi.ravel())
        target = mass * pi
        m = np.clip(target, lo, hi)
        if np.all(np.abs(m - target) <= ZERO_RTOL * max(mass, 1e-300)):
            return target, 0.0, True
        value = group_information_measure(m, groups)
        if value_prev - value < tol:
            return m, value, False
        value_prev = value
        pi = reference_product(m, groups)
    return m, value, False


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
    c = np.asarray(base, dtype=float)
    s = np.asarray(extra, dtype=float)
    if c.shape != s.shape or np.any(c < 0) or np.any(s < 0):
        raise InputError("base and extra must be non-negative arrays of equal shape")
    if groups is None:
        groups = [[i] for i in range(c.ndim)]
    rng = check_rng("rng", rng)
    lo, hi = c, c + s
    starts = [np.full(c.shape, 1.0 / c.size)]
    for corner in (lo, hi):
        if corner.sum() > 0:
            starts.append(reference_product(corner, groups))
    for _ in range(n_starts):
        ref = np.ones(c.shape)
        for g in groups:
            shape = [c.shape[ax] if ax in g else 1 for ax in range(c.ndim)]
            ref = ref * rng.dirichlet(np.ones(int(np.prod([c.shape[ax] for ax in g])))).reshape(shape)
        starts.append(ref)
    if not s.any():
        # nothing movable (e.g. Eve's trivial decomposition): m = c from every start, which
        # all end at G(c) (zero exactly when c is a product); the random starts are still
        # drawn above, so the generator's state does not depend on this shortcut
        starts = starts[:1]
    best, values = None, []
    for pi in starts:
        m, value, zero = _alternate(pi, lo, hi, groups, tol, MAX_ITER)
        values.append(value)
        if best is None or value < best[1]:
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
        method=f"alternating exact-convex minimisation, {len(values)} seeded starts",
        status=Status.OPTIMAL if zero else Status.CERTIFIED,
        n_starts=len(values),
        spread=float(max(values) - min(values)) if values else 0.0,
    )
