r"""Vectorised pieces of the DI convex-combination attack (issue 21, item 1).

Everything here evaluates *many* candidate boxes of Eve at once (leading axis ``K``):

* :func:`qubit_boxes` -- the closed form of :func:`~qkdbounds.di.bell_data.qubit_box` for a batch
  of parameter vectors (the same parametrisation as :func:`qkdbounds.di.attack._eve_from_params`);
* :class:`LocalCone` -- the smallest quantum weight :math:`t` with :math:`p - tQ'` in the local cone,
  from a list of Bell functionals.  For binary outcomes with two settings on one side the list is
  *complete* -- positivity and the CHSH inequalities of every pair of settings are all the facets of
  the local polytope (Fine, PRL 48, 291 (1982) for 2x2; Collins & Gisin, J. Phys. A 37, 1775
  (2004) and Śliwa, PLA 317, 165 (2003) for two settings on one side) -- so :math:`t` is exact;
  otherwise the functionals come from LP duals and give a lower estimate, which the caller checks
  by an LP before it accepts a value;
* :func:`min_processing` -- Eve's processing :math:`\gamma` (paper 1's Eq. 12: a fraction
  :math:`\gamma_{ab}` of the rounds in which she knows both outputs moved into the "?" class),
  minimising :math:`p(?')I(A:B|?')` by the alternating minimisation of
  :func:`qkdbounds.attacks.eve.minimize_gamma` (Maurer & Wolf, IEEE TIT 45, 499 (1999) for the
  intrinsic-information bound), batched; every returned value is *exactly* the value of the
  returned :math:`\gamma`;
* :func:`one_way_batch` -- the Devetak-Winter forms :math:`H(A|E) - H(A|B)` and
  :math:`H(B|E) - H(B|A)` of the two-sided attack, largest over the key binnings
  (as :func:`qkdbounds.di.attack.one_way_forms`).
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

#: Iterations of the batched alternating minimisation per start in the search
#: (:func:`min_processing`; its two starts are the corner products).  The attack the search
#: chooses is polished with more (:data:`qkdbounds.di.attack.POLISH_ITERATIONS`), so two here
#: lose nothing there: against three here and no polish, the 20 recorded boxes came out equal or
#: lower (by up to 1.3e-10 bits), and of 80 random boxes 77 equal, 2 lower (by up to 6e-4) and
#: 1 higher (by 9e-6: the search took another path) -- at ~9 % less time per binned point (94
#: against 103 ms; boxes valued by LPs, the no-click kept, barely change).
GAMMA_ITERATIONS = 2
#: Relative tolerance of "Eve's processing reached a product distribution" (as attacks.eve).
ZERO_RTOL = 1e-12


#: The outcome signs (+1, -1) and their products, for :func:`qubit_boxes`.
_SIGN = np.array([1.0, -1.0])
_SIGN2 = np.outer(_SIGN, _SIGN)


def qubit_boxes(z: NDArray, n_x: int, n_y: int, binning: str, outcomes=None) -> NDArray:
    r"""Batched :func:`~qkdbounds.di.bell_data.qubit_box` (visibility 1), shape (K, n_x, n_y, n_a, n_b).

    Same correlator closed form: :math:`\langle A\rangle = \cos2\theta\cos\alpha`,
    :math:`\langle B\rangle = \cos2\theta\cos\beta`, :math:`E = \cos\alpha\cos\beta +
    \sin2\theta\sin\alpha\sin\beta`, then detectors and the binning of the no-click event;
    ``outcomes`` (optional ``(n_a, n_b)``): zeros appended for the outcomes beyond the family's
    (:attr:`qkdbounds.di.attack.EveBox.outcomes`).
    """
    z = np.atleast_2d(z)
    # (theta, angles, eta_a, eta_b) as in qkdbounds.di.attack._eve_from_params, each function
    # once over the columns it applies to (the search's hot loop is numpy-call bound)
    theta = np.pi / 2 * np.sin(z[:, 0]) ** 2
    eff = np.sin(z[:, -2:]) ** 2
    ea, eb = eff[:, 0], eff[:, 1]
    two_theta = 2 * theta
    c2, s2 = np.cos(two_theta)[:, None, None], np.sin(two_theta)[:, None, None]
    angles = z[:, 1:1 + n_x + n_y]
    cos, sin = np.cos(angles), np.sin(angles)
    ca, sa, cb, sb = cos[:, :n_x, None], sin[:, :n_x, None], cos[:, None, n_x:], sin[:, None, n_x:]
    ma = c2 * ca          # (K, x, 1): <A> (broadcast over y below; the same numbers as x 1.0)
    mb = c2 * cb          # (K, 1, y)
    corr = ca * cb + s2 * sa * sb
    k = theta.size
    sign, sign2 = _SIGN, _SIGN2
    ideal = (1 + sign[:, None] * ma[..., None, None] + sign[None, :] * mb[..., None, None]
             + sign2 * corr[..., None, None]) / 4  # (K, x, y, a, b)
    ea5, eb5 = ea[:, None, None, None, None], eb[:, None, None, None, None]
    p = np.zeros((k, n_x, n_y, 3, 3))
    p[..., :2, :2] = ea5 * eb5 * ideal
    p[..., :2, 2] = ea5[..., 0] * (1 - eb5[..., 0]) * _sum(ideal, 4)
    p[..., 2, :2] = (1 - ea5[..., 0]) * eb5[..., 0] * _sum(ideal, 3)
    p[..., 2, 2] = ((1 - ea) * (1 - eb))[:, None, None]
    if binning in ("A", "both"):
        p[..., 0, :] += p[..., 2, :]
        p = p[..., :2, :]
    if binning in ("B", "both"):
        p[..., 0] += p[..., 2]
        p = p[..., :2]
    p = np.clip(p, 0.0, None)
    if outcomes is not None:
        from .bell_data import pad_outcomes

        return pad_outcomes(p, outcomes)
    return p


def has_complete_facets(shape) -> bool:
    """Whether :func:`chsh_functionals` lists every facet of the local polytope for boxes of
    ``shape`` (n_x, n_y, n_a, n_b): binary outcomes, two settings on (at least) one side."""
    n_x, n_y, n_a, n_b = shape
    return n_a == 2 and n_b == 2 and min(n_x, n_y) == 2


def chsh_functionals(shape) -> NDArray | None:
    r"""All facets of the local polytope as homogeneous functionals :math:`y` (:math:`y\cdot r\le 0`
    on the local cone), or None when the list would not be complete.

    Complete for binary outcomes with two settings on (at least) one side: positivity
    :math:`-p(ab|xy) \le 0` and, for every pair of settings of the other side, the eight CHSH
    inequalities :math:`\sum_{xy} s_{xy}E_{xy} \le 2\cdot\text{mass}` with
    :math:`\prod s_{xy} = -1`.
    """
    if not has_complete_facets(shape):
        return None
    n_x, n_y = shape[:2]
    size = n_x * n_y * 4
    rows = [-np.eye(size)]
    parity = np.array([[1.0, -1.0], [-1.0, 1.0]])
    pairs_a = list(itertools.combinations(range(n_x), 2))
    pairs_b = list(itertools.combinations(range(n_y), 2))
    for (x0, x1), (y0, y1) in itertools.product(pairs_a, pairs_b):
        for signs in itertools.product((1.0, -1.0), repeat=4):
            if np.prod(signs) > 0:
                continue
            f = np.zeros((n_x, n_y, 2, 2))
            for s, (x, y) in zip(signs, ((x0, y0), (x0, y1), (x1, y0), (x1, y1))):
                f[x, y] += s * parity
            f[x0, y0] -= 2.0  # minus 2 x the mass of one block (all blocks carry the same mass)
            rows.append(f.ravel()[None, :])
    return np.vstack(rows)


def positivity_functionals(size: int) -> NDArray:
    """The functionals :math:`-p_i \\le 0` (they bound :math:`t` from above)."""
    return -np.eye(size)


def min_weight(y: NDArray, p_flat: NDArray, q_flat: NDArray, tol: float = 1e-13) -> NDArray:
    r"""Smallest :math:`t\in[0,1]` with :math:`y\cdot(p - tQ') \le 0` for every row :math:`y`.

    Parameters
    ----------
    y : ndarray, shape (n_f, size)
    p_flat : ndarray, shape (size,) or (K, size)
        The box (or, per candidate, the box minus Eve's one-sided rounds).
    q_flat : ndarray, shape (K, size)

    Returns
    -------
    ndarray, shape (K,)
        :math:`t` (``inf`` where no :math:`t` satisfies every row).
    """
    return min_weight_of(np.atleast_2d(p_flat @ y.T), q_flat @ y.T, tol)


def min_weight_of(g: NDArray, e: NDArray, tol: float = 1e-13) -> NDArray:
    r""":func:`min_weight` from the functionals' values ``g`` = :math:`y\cdot p` (1 or K, n_f) and
    ``e`` = :math:`y\cdot Q'` (K, n_f)."""
    ratio = np.divide(g, e, out=np.zeros(e.shape), where=np.abs(e) > tol)
    lower = np.where(e > tol, ratio, np.where(g > tol, np.inf, -np.inf))
    upper = np.where(e < -tol, ratio, np.inf)
    t = np.maximum(lower.max(axis=1), 0.0)
    ok = t <= np.minimum(upper.min(axis=1), 1.0) + 1e-12
    return np.where(ok, t, np.inf)


def information_measure(m: NDArray) -> NDArray:
    r""":math:`G(m) = M\,I(A:B)` of unnormalised (K, n_a, n_b) measures, bits (0 log 0 = 0)."""
    mass = _sum(m, (1, 2))
    ma, mb = _sum(m, 2), _sum(m, 1)
    value = _sum(_xlog(m), (1, 2)) - _sum(_xlog(ma), 1) - _sum(_xlog(mb), 1) + _xlog(mass)
    return np.maximum(value, 0.0)


#: ``_sum(x, axis)`` is ``x.sum(axis=axis)`` without the method's Python wrapper (the same
#: reduction, the same numbers; the search's hot loop is numpy-call bound).
_sum = np.add.reduce


def _xlog(x: NDArray) -> NDArray:
    r""":math:`x\log_2 x` with :math:`0\log 0 = 0` (for :math:`x \ge 0`)."""
    return x * np.log2(np.maximum(x, 1e-300))


def _marginals(m: NDArray, n_a: int, n_b: int) -> tuple[NDArray, NDArray, NDArray]:
    """:math:`m_A`, :math:`m_B` and the mass :math:`M` of flat measures (K, n_a n_b)."""
    mm = m.reshape(len(m), n_a, n_b)
    return _sum(mm, 2), _sum(mm, 1), _sum(mm, (1, 2))


def _information_flat(m: NDArray, n_a: int, n_b: int, marginals=None) -> NDArray:
    """:func:`information_measure` of flat measures (K, n_a n_b) (the same arithmetic, so that
    the search's decisions do not depend on the layout); ``marginals`` from :func:`_marginals`."""
    n = m.shape[1]
    ma, mb, mass = _marginals(m, n_a, n_b) if marginals is None else marginals
    # one x log x over [m, m_A, m_B, M] (fewer numpy calls; the same numbers)
    x = np.concatenate([m, ma, mb, mass[:, None]], axis=1)
    xl = x * np.log2(np.maximum(x, 1e-300))
    value = _sum(xl[:, :n], 1) - _sum(xl[:, n:n + n_a], 1) - _sum(xl[:, n + n_a:-1], 1) + xl[:, -1]
    return np.maximum(value, 0.0)


def _product_reference(m: NDArray, n_a: int, n_b: int, marginals=None) -> NDArray:
    """Product of the normalised marginals of flat measures (K, n_a n_b), flat."""
    ma, mb, mass = _marginals(m, n_a, n_b) if marginals is None else marginals
    mass = np.maximum(mass, 1e-300)[:, None, None]
    return ((ma[:, :, None] / mass) * (mb[:, None, :] / mass)).reshape(len(m), -1)


def _solve_mass(pi: NDArray, lo: NDArray, hi: NDArray, top: NDArray | None = None) -> NDArray:
    r"""Root :math:`M` of :math:`\phi(M) = \sum_i \mathrm{clip}(M\pi_i, lo_i, hi_i) - M = 0` per row (K, n).

    :math:`\phi` is piecewise linear and non-increasing (slope :math:`\sum_{\text{active}}\pi_i - 1
    \le 0`) with breakpoints :math:`0, lo_i/\pi_i, hi_i/\pi_i` (those of :math:`\pi_i = 0` moved
    to :math:`\sum_i hi_i + 1`) and one point past them all, where :math:`\phi < 0`: the root is
    interpolated between the first sorted breakpoint with :math:`\phi \le 0` and the one before.
    ``top`` (optional) is :math:`\sum_i hi_i + 1` per row.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _solve_mass_quiet(pi, lo, hi, _sum(hi, 1) + 1.0 if top is None else top)


def _solve_mass_quiet(pi: NDArray, lo: NDArray, hi: NDArray, top: NDArray,
                      rows: NDArray | None = None) -> NDArray:
    """:func:`_solve_mass` inside the caller's ``numpy.errstate`` (:func:`min_processing` sets it
    once for its loop instead of twice per call); ``rows``: ``numpy.arange(K)``, if at hand."""
    k, n = pi.shape
    xs = np.empty((k, 2 * n + 2))
    xs[:, 0] = 0.0
    body = xs[:, :2 * n + 1]
    np.divide(lo, pi, out=xs[:, 1:n + 1])
    np.divide(hi, pi, out=xs[:, n + 1:2 * n + 1])
    # pi >= 0 (uniform or a product of marginals): pi_i = 0 gives inf or nan, moved to the top
    moved = ~np.isfinite(body)
    if moved.any():
        body[moved] = np.broadcast_to(top[:, None], body.shape)[moved]
    body.sort(axis=1)
    xs[:, -1] = np.maximum(body[:, -1], top) + 1.0
    # clip(M pi_i, lo_i, hi_i) as maximum then minimum in place (lo <= hi: the same numbers as
    # numpy.clip, with less overhead per call)
    v = xs[:, :, None] * pi[:, None, :]
    np.maximum(v, lo[:, None, :], out=v)
    np.minimum(v, hi[:, None, :], out=v)
    phi = _sum(v, 2) - xs
    j = np.argmax(phi <= 0, axis=1)  # first breakpoint at or past the root (phi is non-increasing)
    rows = np.arange(k) if rows is None else rows
    j0 = np.maximum(j - 1, 0)
    x0, x1, f0, f1 = xs[rows, j0], xs[rows, j], phi[rows, j0], phi[rows, j]
    denom = f0 - f1      # 0 where j = 0 (then j0 = j): x1 (the root is at breakpoint 0)
    return np.where(denom > 0, x0 + f0 * (x1 - x0) / denom, x1)


def min_processing(c: NDArray, s: NDArray, iterations: int = GAMMA_ITERATIONS):
    r"""Eve's processing: :math:`\min_{\gamma\in[0,1]} G(c + \gamma s)` per candidate, batched.

    Starts: :math:`\gamma = 0` itself, and the alternating minimisation (as
    :func:`qkdbounds.attacks.eve.minimize_gamma`) from the products of the marginals of the two
    corners :math:`c` and :math:`c+s`; each step solves the exact convex problem of the projection
    onto the box for a fixed product reference.  Every iterate is a feasible :math:`\gamma`, and
    the best one seen is returned with its exact value.  (A third start from the uniform
    reference changed no bound of the search, bit for bit, at the 20 recorded and 157 of 160
    random boxes.)

    Parameters
    ----------
    c, s : ndarray, shape (K, n_a, n_b)
        Mass of the "?" class and of the rounds Eve may move into it.

    Returns
    -------
    value : ndarray, shape (K,)
        :math:`G(c + \gamma s)` at the returned :math:`\gamma` (bits; 0 where a product was reached).
    gamma : ndarray, shape (K, n_a, n_b)
    plain : ndarray, shape (K,)
        :math:`G(c)` (no processing).
    """
    k, n_a, n_b = c.shape
    n = n_a * n_b
    lo1, sf = c.reshape(k, n), s.reshape(k, n)
    hi1 = lo1 + sf
    # the marginals of both corners at once: the value without processing and two references
    corners = np.concatenate([lo1, hi1])
    ma, mb, mass = _marginals(corners, n_a, n_b)
    plain = _information_flat(lo1, n_a, n_b, (ma[:k], mb[:k], mass[:k]))
    # the two starts side by side (rows r * k + i)
    lo, hi = np.concatenate([lo1, lo1]), np.concatenate([hi1, hi1])
    pi = _product_reference(corners, n_a, n_b, (ma, mb, mass))
    best_v, best_m = np.concatenate([plain, plain]), lo
    zero = np.zeros(2 * k, dtype=bool)
    top = _sum(hi, 1) + 1.0
    rows = np.arange(2 * k)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):   # for _solve_mass_quiet
        for it in range(iterations):
            mass = _solve_mass_quiet(pi, lo, hi, top, rows)
            target = mass[:, None] * pi
            m = np.maximum(target, lo)
            np.minimum(m, hi, out=m)        # numpy.clip (lo <= hi), less overhead
            reached = (np.abs(m - target) <= ZERO_RTOL * np.maximum(mass, 1e-300)[:, None]).all(axis=1)
            marginals = _marginals(m, n_a, n_b)      # shared by the value and the next reference
            value = np.where(reached, 0.0, _information_flat(m, n_a, n_b, marginals))
            better = value < best_v
            best_v = np.where(better, value, best_v)
            best_m = np.where(better[:, None], m, best_m)
            zero = np.where(better, reached, zero)
            if it + 1 < iterations:     # (the last iterate needs no next reference)
                pi = _product_reference(m, n_a, n_b, marginals)
    r = np.argmin(best_v.reshape(2, k), axis=0) * k + np.arange(k)
    best_m, zero = best_m[r], zero[r]
    moved = sf > 0
    gamma = np.clip(np.divide(best_m - lo1, sf, out=np.zeros_like(sf), where=moved), 0.0, 1.0)
    processed = _information_flat(lo1 + gamma * sf, n_a, n_b)
    value = np.where(zero, 0.0, np.minimum(processed, plain))
    gamma = np.where(((processed >= plain) & ~zero)[:, None], 0.0, gamma)  # gamma = 0 won
    return value, gamma.reshape(k, n_a, n_b), plain


def _bin(m: NDArray, axis: int) -> NDArray:
    """Merge outcomes 2, 3, ... into outcome 0 along ``axis`` (no-click binning)."""
    if m.shape[axis] <= 2:
        return m
    j = np.moveaxis(m, axis, 0).copy()
    j[0] += j[2:].sum(axis=0)
    return np.moveaxis(j[:2], 0, axis)


def _mass_entropy(m: NDArray, axis) -> NDArray:
    """:math:`M\\,H(m/M)` over ``axis`` of unnormalised measures (bits)."""
    mass = _sum(m, axis)
    return _xlog(mass) - _sum(_xlog(m), axis)


def one_way_batch(question: NDArray, p_key: NDArray, alice_known: NDArray | None = None,
                  conditional: dict | None = None) -> tuple[NDArray, NDArray]:
    r"""Largest :math:`H(A|E) - H(A|B)` and :math:`H(B|E) - H(B|A)` over the key binnings.

    Eve knows both outputs outside the "?" class ``question``, except in the one-sided rounds
    ``alice_known`` where she knows only Alice's (they add to :math:`H(B|E)`, not to
    :math:`H(A|E)`).

    Parameters
    ----------
    question : ndarray, shape (K, n_a, n_b)
        Mass of the "?" class.
    p_key : ndarray, shape (n_a, n_b)
        The key table of the attacked distribution (the observed one).
    alice_known : ndarray, shape (K, n_a, n_b), optional
        Mass of the one-sided class with Alice's output ``a`` (row ``a`` only).
    conditional : dict, optional
        :func:`key_conditional_entropies` of ``p_key``, if at hand (then ``p_key`` itself is not
        read: the caller's entropies must be of the same table).

    Returns
    -------
    (direct, reverse) : ndarrays, shape (K,)
        Not clipped at 0 (as :func:`qkdbounds.di.attack.one_way_forms`).
    """
    direct = np.full(question.shape[0], -np.inf)
    reverse = direct.copy()
    if conditional is None:
        conditional = key_conditional_entropies(p_key)
    for (bin_a, bin_b), (h_a_b, h_b_a) in conditional.items():
        q = question
        if bin_a:
            q = _bin(q, 1)
        if bin_b:
            q = _bin(q, 2)
        h_a_e = _mass_entropy(_sum(q, 2), 1)
        h_b_e = _mass_entropy(_sum(q, 1), 1)
        if alice_known is not None:
            ak = _bin(alice_known, 2) if bin_b else alice_known   # Alice's own binning: rows merge
            h_b_e = h_b_e + _sum(_mass_entropy(ak, 2), 1)
        direct = np.maximum(direct, h_a_e - h_a_b)
        reverse = np.maximum(reverse, h_b_e - h_b_a)
    return direct, reverse


def key_conditional_entropies(p_key: NDArray) -> dict:
    """:math:`H(A|B)` and :math:`H(B|A)` of the key table per key binning ``(bin_a, bin_b)``
    (shape (1,) each), for :func:`one_way_batch` (a search asks with one table thousands of
    times: :class:`~qkdbounds.di._cc_search.AttackSearch` computes them once)."""
    n_a, n_b = p_key.shape
    out = {}
    for bin_a in ((False, True) if n_a > 2 else (False,)):
        for bin_b in ((False, True) if n_b > 2 else (False,)):
            pk = p_key[None]
            if bin_a:
                pk = _bin(pk, 1)
            if bin_b:
                pk = _bin(pk, 2)
            h_ab = _mass_entropy(pk, (1, 2))
            out[bin_a, bin_b] = (h_ab - _mass_entropy(_sum(pk, 1), 1), h_ab - _mass_entropy(_sum(pk, 2), 1))
    return out
