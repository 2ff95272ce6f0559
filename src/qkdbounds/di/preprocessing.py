r"""The literature's improved DI lower bounds: noisy preprocessing and asymmetric CHSH (issue 21).

All bounds are on the Devetak-Winter rate :math:`r \ge H(K'|E) - H(K'|O)` of one-way
reconciliation from the key party :math:`K` (the party whose key setting enters the CHSH test)
to the other party :math:`O`, against **collective attacks** with i.i.d. rounds.
:math:`K'` is the key bit after *noisy preprocessing*: :math:`K` flips each raw key bit with a
public probability :math:`p\in[0,1/2]` and keeps the flips secret.

**Noisy preprocessing** (Ho, Sekatski, Tan, Renner, Bancal & Sangouard, PRL 124, 230502 (2020),
arXiv:2005.13015, the CHSH entropy bound of the main text): with the CHSH value :math:`S`,

.. math::

    H(K'|E) \ge 1 - h\Bigl(\tfrac{1+\sqrt{(S/2)^2-1}}{2}\Bigr)
              + h\Bigl(\tfrac{1+\sqrt{1-p(1-p)(8-S^2)}}{2}\Bigr).

**Asymmetric CHSH** (Woodhead, Acín & Pironio, Quantum 5, 443 (2021), arXiv:2007.16146, main
result): for :math:`S_\alpha = \alpha(E_{k o_0} \pm E_{k o_1}) + (E_{k' o_0} \mp E_{k' o_1})`,
the CHSH expression with weight :math:`\alpha` on the two correlators of the key setting
:math:`k`, and :math:`\varphi(x) = h(\tfrac12 + \tfrac x2)`,

.. math::

    f_p(S_\alpha) = 1 - \varphi\bigl(\sqrt{S_\alpha^2/4 - \alpha^2}\bigr)
                 + \varphi\bigl(\sqrt{(1-2p)^2 + 4p(1-p)(S_\alpha^2/4 - \alpha^2)}\bigr);

:math:`H(K'|E) \ge f_p(S_\alpha)` for :math:`|\alpha| \ge 1` (and :math:`S_\alpha \ge 2|\alpha|`);
for :math:`|\alpha| < 1` the bound is the convex envelope of :math:`f_p` and the local point
:math:`(S_\alpha, H) = (2, h(p))`: the tangent line from :math:`(2, h(p))` below the tangent
point :math:`S^*_\alpha`, :math:`f_p` above it.  At :math:`\alpha = 1` this is Ho et al.'s bound
(:math:`(1-2p)^2 + 4p(1-p)(S^2/4-1) = 1 - p(1-p)(8-S^2)`), and at :math:`p = 0` Pironio et al.'s.
Below the local bound every bound is :math:`h(p)` (:math:`H(K\oplus F|E) \ge H(F) = h(p)`).

*Verification.* The stored ar5iv pages of both papers could be read only up to their abstracts
here, so equation numbers are not quoted; the formulas were checked against public code that
evaluates them and, independently, by reproducing the published depolarising-noise thresholds
(:data:`PUBLISHED_THRESHOLDS`, tests/di/test_preprocessing.py): 7.15 % (plain CHSH), 7.42 %
(asymmetric), > 8.34 % (asymmetric with preprocessing).

**Error correction** costs :math:`H(K'|O)` computed exactly from the key table of the box with
the key bit flipped (:func:`flipped_error_cost`; :math:`h(p + Q - 2pQ)` for symmetric binary
errors :math:`Q`).

**Leakage** (paper-1 models, as in :mod:`qkdbounds.di.chsh`): ``uniform`` -- a round leaks with
probability :math:`L` independently of everything, so
:math:`H(K'|E\Lambda) = (1-L)H(K'|E) + L\,H(K'|E,\text{leak}) \ge (1-L)H(K'|E)` whether the leak
reveals the raw or the flipped bit (if only the raw bit leaks, :math:`L\,h(p)` could be added; we
do not); ``junk`` -- :math:`H(K'|E\ell\Lambda) \ge H(K'|E) - h(\min(L,1/2)) - L` for any binary
:math:`K'` and any leak timing.  These are our one-line extensions, not literature results.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._cache import BoundedCache
from ..errors import LEAKAGE_MODELS
from ..errors import InputError, check_choice, check_probability, check_real
from ..status import Status, StatusField
from .bell_data import BellBox, bin_no_click, chsh_relabelled, chsh_value_of_box

__all__ = [
    "BestLowerBound",
    "LOWER_BOUND_METHODS",
    "PUBLISHED_THRESHOLDS",
    "asymmetric_chsh_entropy",
    "best_lower_bound",
    "depolarised_rate",
    "depolarised_threshold",
    "flipped_error_cost",
    "noisy_preprocessing_entropy",
]

#: Short names of the lower bounds compared by :func:`best_lower_bound`.
LOWER_BOUND_METHODS = ("chsh", "noisy_preprocessing", "asymmetric_chsh", "asymmetric_chsh_noisy_preprocessing")
#: Largest :math:`|\alpha|` searched (the bound at larger :math:`|\alpha|` tends to the plain
#: CHSH-free bound on the key correlators alone, which is worse for the boxes here).
ALPHA_MAX = 4.0
#: Points of the coarse grids in front of the bounded 1-D searches (avoid local optima).
N_GRID_FLIP = 26
N_GRID_ALPHA = 41
#: Zoom levels of the vectorised searches: the tangent point (11 points a level, x 1/5) and the
#: (p, alpha) search of the asymmetric bound with preprocessing (11 x 11 points a level, x 1/5).
N_TANGENT_GRID = 41
N_TANGENT_LEVELS = 10
N_TANGENT_ZOOM = 11
#: Tangent search (zoom levels, grid points) inside the (p, alpha) search, whose values only rank
#: the candidates: the value reported is recomputed at the chosen (p, alpha) with
#: :data:`N_TANGENT_LEVELS` and :data:`N_TANGENT_GRID`.
TANGENT_SEARCH_RANKING = (4, 21)
#: Alpha zooms per p of the coarse grid (stage 1 of :func:`_search_flip_alpha_pair`: they only
#: rank the p's; stage 2 zooms alpha again around the best p): 4 and 7 levels gave the same
#: bounds to 6e-16 bits at 160 boxes.
N_REFINE_LEVELS = 4
N_REFINE_LEVELS_FLIP = 6
N_REFINE_POINTS = 11
N_ALPHA_LEVELS_STAGE2 = 3
#: Zoom levels of the 1-D search in p of the noisy-preprocessing bound (cell 0.02 x (1/5)^14 < 1e-10).
N_FLIP_LEVELS = 14
#: Tolerance of the 1-D searches (in p and alpha) and of the threshold bisections.
XTOL_SEARCH = 1e-10
XTOL_QBER = 1e-9
#: Depolarised maximally entangled state at eta = 1, QBER Q = (1 - v)/2: thresholds as published.
PUBLISHED_THRESHOLDS = {
    "chsh": (0.0715, "Woodhead, Acin & Pironio, Quantum 5, 443 (2021), abstract: 7.15 %"),
    "asymmetric_chsh": (0.0742, "Woodhead, Acin & Pironio, Quantum 5, 443 (2021), abstract: 'about 7.42 %'"),
    "asymmetric_chsh_noisy_preprocessing": (
        0.0834, "Woodhead, Acin & Pironio, Quantum 5, 443 (2021), abstract: 'more than 8.34 %'"),
}
#: Bounds within this (bits) count as equal; a rate below it counts as 0 (round-off at p -> 1/2).
ATOL_TIE = 1e-12


def _h(x):
    """Binary entropy in bits, vectorised, clipped to [0, 1] (the hot loop; same values as
    :func:`qkdbounds.info.entropy.binary_entropy`)."""
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -(x * np.log2(x) + (1 - x) * np.log2(1 - x))
    return np.where((x <= 0) | (x >= 1), 0.0, out)


def _phi(x):
    """:math:`\\varphi(x) = h(\\tfrac12 + \\tfrac x2) = 1 - \\tfrac12[(1+x)\\log_2(1+x) + (1-x)\\log_2(1-x)]`
    (even in :math:`x`, :math:`|x| \\le 1`), vectorised: the hot loop of the tangent search, in
    fewer numpy calls than :func:`_h`."""
    x = np.minimum(np.abs(np.asarray(x, dtype=float)), 1.0)
    u, v = 1.0 + x, 1.0 - x
    return 1.0 - 0.5 * (u * np.log2(u) + v * np.log2(np.maximum(v, 1e-300)))


def _f(s_alpha, alpha: float, flip: float):
    """Woodhead et al.'s :math:`f_p(S_\\alpha)` (module docstring), vectorised in ``s_alpha``."""
    return _f_terms(np.asarray(s_alpha, dtype=float), *_f_constants(alpha, flip))


def _f_constants(alpha, flip) -> tuple:
    """The factors of :func:`_f` that do not depend on :math:`S_\\alpha`: :math:`\\alpha^2`,
    :math:`(1-2p)^2` and :math:`4p(1-p)` (computed once per search, not once per zoom level)."""
    return alpha**2, (1 - 2 * flip) ** 2, 4 * flip * (1 - flip)


def _f_terms(s_alpha: NDArray, alpha2, c0, c1) -> NDArray:
    """:func:`_f` from :func:`_f_constants`: the same floating-point operations, with the two
    :func:`_phi` terms in one array (fewer numpy calls in the tangent search's hot loop)."""
    r = np.minimum(np.maximum(s_alpha**2 / 4 - alpha2, 0.0), 1.0)
    # _phi of sqrt(r) and of sqrt(c0 + c1 r) side by side; sqrt >= 0, so _phi's |x| is x
    x = np.minimum(np.sqrt(np.stack(np.broadcast_arrays(r, c0 + c1 * r))), 1.0)
    u, v = 1.0 + x, 1.0 - x
    phi = 1.0 - 0.5 * (u * np.log2(u) + v * np.log2(np.maximum(v, 1e-300)))
    return 1 - phi[0] + phi[1]


def _tangent(alpha: float, flip: float) -> tuple[float, float]:
    """Tangent point :math:`S^*_\\alpha` and slope of the line from :math:`(2, h(p))` to
    :math:`f_p` (:math:`|\\alpha| < 1`): the smallest chord slope (:func:`_tangent_slopes` with
    its full search, as :func:`_asymmetric_entropy_vec` by default, so the scalar and the
    vectorised values agree; the (p, alpha) search ranks with a coarser one,
    :data:`TANGENT_SEARCH_RANKING`)."""
    s_star, slope = _tangent_slopes(np.array([float(alpha)]), np.array([float(flip)]))
    return float(s_star[0]), float(slope[0])


def noisy_preprocessing_entropy(chsh: float, flip: float) -> float:
    r"""Ho et al.'s bound on :math:`H(K'|E)` from the CHSH value and the flip probability.

    :math:`1 - h\bigl(\tfrac{1+\sqrt{(S/2)^2-1}}{2}\bigr) + h\bigl(\tfrac{1+\sqrt{1-p(1-p)(8-S^2)}}{2}\bigr)`
    (Ho et al., PRL 124, 230502 (2020), arXiv:2005.13015; module docstring); :math:`h(p)` for
    :math:`S \le 2`.

    Parameters
    ----------
    chsh : float
        :math:`S \in [0, 2\sqrt2]`.
    flip : float
        :math:`p \in [0, 1/2]`.

    Returns
    -------
    float
        Bits.

    Raises
    ------
    InputError
        ``chsh`` or ``flip`` outside its range.

    Examples
    --------
    >>> round(noisy_preprocessing_entropy(2 * 2 ** 0.5, 0.1), 12)   # Tsirelson: 1 bit for any p
    1.0
    >>> round(noisy_preprocessing_entropy(2.0, 0.1), 6)             # local: only the flips, h(0.1)
    0.468996
    """
    s = check_real("chsh", chsh, 0.0, 2 * np.sqrt(2) + 1e-9)
    p = check_real("flip", flip, 0.0, 0.5)
    if s <= 2:
        return float(_h(p))
    x = np.sqrt(min((s / 2) ** 2 - 1, 1.0))
    y = np.sqrt(min(max(1 - p * (1 - p) * (8 - s * s), 0.0), 1.0))
    return float(1 - _h((1 + x) / 2) + _h((1 + y) / 2))


def asymmetric_chsh_entropy(s_alpha: float, alpha: float, flip: float = 0.0) -> float:
    r"""Woodhead et al.'s bound on :math:`H(K'|E)` from the asymmetric CHSH value :math:`S_\alpha`.

    :math:`f_p(S_\alpha)` for :math:`|\alpha|\ge1`; for :math:`|\alpha| < 1` its convex envelope with
    the local point :math:`(2, h(p))` (Woodhead, Acín & Pironio, Quantum 5, 443 (2021),
    arXiv:2007.16146; module docstring); :math:`h(p)` at and below the local bound
    :math:`2\max(1, |\alpha|)`.

    Parameters
    ----------
    s_alpha : float
        :math:`S_\alpha`, at most :math:`2\sqrt{1+\alpha^2}` (the quantum maximum).
    alpha : float
        The weight :math:`\alpha` of the key setting's correlators, :math:`|\alpha| \le 100`.
    flip : float
        :math:`p \in [0, 1/2]` (noisy preprocessing; 0 = none).

    Returns
    -------
    float
        Bits.

    Raises
    ------
    InputError
        A parameter outside its range, or :math:`S_\alpha` above the quantum maximum.

    Examples
    --------
    >>> round(asymmetric_chsh_entropy(2 * 2 ** 0.5, 1.0), 12)      # alpha = 1: CHSH at Tsirelson
    1.0
    >>> s = 2.5
    >>> abs(asymmetric_chsh_entropy(s, 1.0, 0.2) - noisy_preprocessing_entropy(s, 0.2)) < 1e-12
    True
    """
    a = abs(check_real("alpha", alpha, -100.0, 100.0))
    p = check_real("flip", flip, 0.0, 0.5)
    s_max = 2 * np.sqrt(1 + a * a)
    s = check_real("s_alpha", s_alpha, -s_max - 1e-9, s_max + 1e-9)
    if s <= 2 * max(1.0, a):
        return float(_h(p))
    if a >= 1:
        return float(_f(s, a, p))
    s_star, slope = _tangent(a, p)
    if s >= s_star:
        return float(_f(s, a, p))
    return float(_h(p) + slope * (s - 2))


def flipped_error_cost(table: ArrayLike, flip: float) -> float:
    r""":math:`H(K'|O)` of a key table ``table[k, o]`` after :math:`K` flips its bit with probability
    :math:`p`: :math:`p'(k, o) = (1-p)\,p(k, o) + p\,p(1-k, o)`; equals :math:`h(p+Q-2pQ)` for
    symmetric binary errors :math:`Q` (Ho et al. 2020).

    Parameters
    ----------
    table : array_like, shape (2, n_o)
        Joint distribution of the key party's binary outcome and the other party's outcome.
    flip : float
        :math:`p \in [0, 1/2]`.

    Raises
    ------
    InputError
        Not a (2, n) probability table, or ``flip`` out of range.

    Examples
    --------
    >>> q = 0.05
    >>> t = [[(1 - q) / 2, q / 2], [q / 2, (1 - q) / 2]]
    >>> round(flipped_error_cost(t, 0.1), 9) == round(float(_h(0.1 + q - 2 * 0.1 * q)), 9)
    True
    """
    p = check_real("flip", flip, 0.0, 0.5)
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != 2 or not np.all(np.isfinite(t)) or t.min() < -1e-12 \
            or abs(t.sum() - 1) > 1e-9:
        raise InputError("table must be a (2, n) probability table of the key bit and the other outcome")
    t = np.clip(t, 0.0, None)
    flipped = (1 - p) * t + p * t[::-1]
    joint = flipped[flipped > 0]
    marg = flipped.sum(axis=0)
    marg = marg[marg > 0]
    return float(-(joint * np.log2(joint)).sum() + (marg * np.log2(marg)).sum())


def _leaky(entropy: float, cost: float, leakage: float, model: str) -> float:
    # module docstring, "Leakage"; the same forms as qkdbounds.di.chsh.chsh_dw_entropy_expression
    if model == "uniform":
        return (1 - leakage) * entropy - cost
    return entropy - float(_h(min(leakage, 0.5))) - leakage - cost


def _argmax_1d(fun, lo: float, hi: float, n_grid: int) -> tuple[float, float]:
    """Maximise a 1-D function: a coarse grid (against local optima), then a bounded search
    around the best grid point; returns (argument, value)."""
    grid = np.linspace(lo, hi, n_grid)
    vals = [fun(x) for x in grid]
    k = int(np.argmax(vals))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, n_grid - 1)]
    from scipy.optimize import minimize_scalar   # threshold paths only (import time, issue 21)

    res = minimize_scalar(lambda x: -fun(x), bounds=(a, b), method="bounded", options={"xatol": XTOL_SEARCH})
    if -res.fun > vals[k]:
        return float(res.x), float(-res.fun)
    return float(grid[k]), float(vals[k])


def _optimise(t_key: float, t_other: float, table: NDArray, leakage: float, model: str,
              method: str, searched: dict | None = None) -> tuple[float, float, float, float, float]:
    """Best (raw rate, flip, alpha, entropy, cost) of one method for the correlator sums
    (``searched``: the result of :func:`_search_flip_alpha_pair`, if already computed)."""
    s = t_key + t_other

    def entropy(alpha: float, flip: float) -> float:
        if method == "noisy_preprocessing":
            return noisy_preprocessing_entropy(min(max(s, 0.0), 2 * np.sqrt(2)), flip)
        s_alpha = alpha * t_key + t_other
        lim = 2 * np.sqrt(1 + alpha * alpha)
        return asymmetric_chsh_entropy(min(max(s_alpha, -lim), lim), alpha, flip)

    if method.startswith("asymmetric_chsh"):
        # the search over alpha (and p) is vectorised (nested scalar searches cost ~0.5 s per
        # box); the reported value is recomputed below with the scalar formulas
        if searched is None:
            searched = _search_flip_alpha_pair(t_key, t_other, table, leakage, model)
        flip, alpha = searched[method == "asymmetric_chsh_noisy_preprocessing"]
        ent = entropy(alpha, flip)
    else:
        flip = _search_flip(lambda flips: _leaky(_noisy_entropy_vec(s, flips), _flipped_cost_vec(table, flips),
                                                 leakage, model))
        alpha, ent = 1.0, entropy(1.0, flip)
    cost = flipped_error_cost(table, flip)
    return _leaky(ent, cost, leakage, model), flip, alpha, ent, cost


def _noisy_entropy_vec(chsh: float, flips: NDArray) -> NDArray:
    """:func:`noisy_preprocessing_entropy` for an array of flip probabilities (same formula)."""
    s = min(max(float(chsh), 0.0), 2 * np.sqrt(2))
    p = np.asarray(flips, dtype=float)
    if s <= 2:
        return _h(p)
    x = np.sqrt(min((s / 2) ** 2 - 1, 1.0))
    y = np.sqrt(np.clip(1 - p * (1 - p) * (8 - s * s), 0.0, 1.0))
    return 1 - _h((1 + x) / 2) + _h((1 + y) / 2)


def zoom_search_flip(rates, grid: int, levels: int, n_zoom: int) -> tuple[float, float]:
    r"""Maximise ``rates(flips)`` (vectorised) over a flip probability :math:`p\in[0, 1/2]`: a
    coarse grid of ``grid`` points, then ``levels`` zooms of ``n_zoom`` points into the cells
    around the best point (each level shrinks the cell by ``2/(n_zoom - 1)``).

    Returns
    -------
    (flip, value) : (float, float)
        The best point seen and its value (never below the coarse grid's best).
    """
    flips = np.linspace(0.0, 0.5, grid)
    values = rates(flips)
    k = int(np.argmax(values))
    best_p, best = float(flips[k]), float(values[k])
    zoom = np.linspace(-1.0, 1.0, n_zoom)
    dp = 0.5 / (grid - 1)
    for _ in range(levels):
        fl = np.clip(best_p + dp * zoom, 0.0, 0.5)
        values = rates(fl)
        k = int(np.argmax(values))
        if values[k] > best:
            best_p, best = float(fl[k]), float(values[k])
        dp *= 2 / (n_zoom - 1)
    return best_p, best


def _search_flip(rates) -> float:
    r"""Maximise ``rates(flips)`` over :math:`p\in[0, 1/2]`: :func:`zoom_search_flip` with the
    coarse grid of :data:`N_GRID_FLIP` points and :data:`N_FLIP_LEVELS` zooms of
    :data:`N_REFINE_POINTS` points (each level x 1/5, to below :data:`XTOL_SEARCH`)."""
    return zoom_search_flip(rates, N_GRID_FLIP, N_FLIP_LEVELS, N_REFINE_POINTS)[0]


def _tangent_slopes(alpha: NDArray, flip: NDArray, levels: int = N_TANGENT_LEVELS,
                    grid_points: int = N_TANGENT_GRID) -> tuple[NDArray, NDArray]:
    """:func:`_tangent` vectorised over arrays of :math:`|\\alpha| < 1` and :math:`p` (same shape):
    a grid of ``grid_points`` points, then ``levels`` zooms of :data:`N_TANGENT_ZOOM` points into the
    two cells around the best point (instead of Brent's search).  Returns (tangent point, slope).

    Every slope is that of a chord to an evaluated point, so it is at least the smallest one: fewer
    ``levels`` (the search of :func:`_search_flip_alpha_pair`, whose values only rank candidates)
    can only overstate the slope, by about the curvature times the square of the last cell."""
    a, p = alpha.ravel()[:, None], flip.ravel()[:, None]
    rows = np.arange(a.shape[0])
    hp = _h(p)
    s_max = 2 * np.sqrt(1 + a**2)
    grid = 2 + (s_max - 2) * np.linspace(0.0, 1.0, grid_points)[1:]
    # the zooms may go below the first grid point, down to (just above) 2: for |alpha| -> 1 the
    # tangent point lies inside the first cell (e.g. 2.0006 for alpha = 1 - 1e-5, p = 0.001)
    # (strictly above 2 even where 1e-12 (s_max - 2) rounds away: no 0/0 in the chord slope)
    s_min = np.maximum(2 + 1e-12 * (s_max - 2), np.nextafter(2.0, 3.0))
    step = (s_max - 2) / (grid_points - 1)
    consts = _f_constants(a, p)
    slopes = (_f_terms(grid, *consts) - hp) / (grid - 2)
    k = np.argmin(slopes, axis=1)
    best_s, best = grid[rows, k][:, None], slopes[rows, k][:, None]
    zoom = np.linspace(-1.0, 1.0, N_TANGENT_ZOOM)
    for _ in range(levels):
        s = np.minimum(np.maximum(best_s + step * zoom, s_min), s_max)
        sl = (_f_terms(s, *consts) - hp) / (s - 2)
        k = np.argmin(sl, axis=1)
        cand = sl[rows, k][:, None]
        better = cand < best
        best_s = np.where(better, s[rows, k][:, None], best_s)
        best = np.where(better, cand, best)
        step = 2 * step / (N_TANGENT_ZOOM - 1)
    return best_s[:, 0].reshape(alpha.shape), best[:, 0].reshape(alpha.shape)


def _asymmetric_entropy_vec(s_alpha: NDArray, alpha: NDArray, flip: NDArray,
                            tangent_search: tuple[int, int] = (N_TANGENT_LEVELS, N_TANGENT_GRID)) -> NDArray:
    """:func:`asymmetric_chsh_entropy` vectorised (arrays broadcast together; no input checks);
    ``tangent_search``: the zoom levels and grid points of the tangent search (:func:`_tangent_slopes`)."""
    s_alpha, alpha, flip = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (s_alpha, alpha, flip)))
    a = np.abs(alpha)
    s_max = 2 * np.sqrt(1 + a * a)
    s = np.clip(s_alpha, -s_max, s_max)
    hp = _h(flip)
    out = np.where(s <= 2 * np.maximum(1.0, a), hp, _f(s, a, flip))
    small = (a < 1) & (s > 2)
    if small.any():
        s_star, slope = _tangent_slopes(a[small], flip[small], *tangent_search)
        ss = s[small]
        out = np.array(out, copy=True)
        out[small] = np.where(ss >= s_star, out[small], hp[small] + slope * (ss - 2))
    return out


def _flipped_cost_vec(table: NDArray, flips: NDArray) -> NDArray:
    """:func:`flipped_error_cost` for an array of flip probabilities (same formula, vectorised)."""
    t = np.clip(np.asarray(table, dtype=float), 0.0, None)
    p = np.asarray(flips, dtype=float)[..., None, None]
    flipped = (1 - p) * t + p * t[::-1]
    marg = flipped.sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        hj = -np.where(flipped > 0, flipped * np.log2(flipped), 0.0).sum(axis=(-2, -1))
        hm = -np.where(marg > 0, marg * np.log2(marg), 0.0).sum(axis=-1)
    return hj - hm


def _distinct(x: NDArray) -> NDArray:
    """The sorted distinct values of a 1-D array (:func:`numpy.unique` without its lazy
    ``numpy.ma`` import, ~30 ms of the CLI's start-up)."""
    x = np.sort(x)
    return x[np.concatenate([[True], x[1:] > x[:-1]])]


def _search_flip_alpha(t_key: float, t_other: float, table: NDArray, leakage: float,
                       model: str, preprocessing: bool = True) -> tuple[float, float]:
    """Best (p, alpha) of the asymmetric CHSH bound with (or without) preprocessing
    (:func:`_search_flip_alpha_pair`)."""
    return _search_flip_alpha_pair(t_key, t_other, table, leakage, model)[preprocessing]


def _search_flip_alpha_pair(t_key: float, t_other: float, table: NDArray, leakage: float,
                            model: str) -> dict[bool, tuple[float, float]]:
    """Best (p, alpha) of the asymmetric CHSH bound with preprocessing (key True) and without
    (key False, p = 0): the coarse grids of :func:`_optimise` in both variables at once, then
    :data:`N_REFINE_LEVELS` zooms of :data:`N_REFINE_POINTS` x :data:`N_REFINE_POINTS` points into
    the cells around the best point (vectorised; the best grid point is kept if no zoom improves on
    it).  The search without preprocessing is the row p = 0 of the same arrays (each row's alpha
    zooms are independent of the others), so both cost one pass.  Its values only rank the
    candidates (the tangent by the coarser :data:`TANGENT_SEARCH_RANKING` search: a chord slope
    at most slightly too large); only (p, alpha) is returned, and :func:`_optimise` recomputes
    the bound there with the full search."""
    def rates(flips: NDArray, alphas: NDArray) -> NDArray:
        # alphas: one row of weights per flip probability
        p = flips[:, None]
        ent = _asymmetric_entropy_vec(alphas * t_key + t_other, alphas, p, TANGENT_SEARCH_RANKING)
        return _leaky(ent, _flipped_cost_vec(table, flips)[:, None], leakage, model)

    zoom = np.linspace(-1.0, 1.0, N_REFINE_POINTS)
    shrink = 2 / (N_REFINE_POINTS - 1)
    # stage 1, as the nested scalar searches: for every p of the grid, the best alpha (grid, zooms)
    flips = np.linspace(0.0, 0.5, N_GRID_FLIP)          # flips[0] = 0: the search without preprocessing
    alphas = np.broadcast_to(np.linspace(-ALPHA_MAX, ALPHA_MAX, N_GRID_ALPHA), (flips.size, N_GRID_ALPHA))
    r = rates(flips, alphas)
    rows = np.arange(flips.size)
    k = np.argmax(r, axis=1)
    best_a, best_r = alphas[rows, k], r[rows, k]
    da = 2 * ALPHA_MAX / (N_GRID_ALPHA - 1)
    for _ in range(N_REFINE_LEVELS):
        al = np.clip(best_a[:, None] + da * zoom, -ALPHA_MAX, ALPHA_MAX)
        r = rates(flips, al)
        k = np.argmax(r, axis=1)
        better = r[rows, k] > best_r
        best_a = np.where(better, al[rows, k], best_a)
        best_r = np.where(better, r[rows, k], best_r)
        da *= shrink
    # stage 2: zoom into the best p's cells, each p with its own alpha zoom
    i = int(np.argmax(best_r))
    p, a, best = flips[i], best_a[i], best_r[i]
    # without preprocessing the same alpha zooms run at p = 0 only (the last row), so that the two
    # asymmetric bounds tie exactly (and the simpler one is named) when the optimal p is 0
    a0, best0 = best_a[0], best_r[0]
    dp = 0.5 / (N_GRID_FLIP - 1)
    for _ in range(N_REFINE_LEVELS_FLIP):
        fl_pre = _distinct(np.clip(p + dp * zoom, 0.0, 0.5))
        n_pre = fl_pre.size
        fl = np.concatenate([fl_pre, [0.0]])
        cur_a = np.concatenate([np.full(n_pre, a), [a0]])
        cur_r = np.full(fl.size, -np.inf)
        rr = np.arange(fl.size)
        # alpha*(p) moves little over a p cell: its zoom starts at a cell that shrinks with dp
        da = 2 * ALPHA_MAX / (N_GRID_ALPHA - 1) * dp / (0.5 / (N_GRID_FLIP - 1))
        for _ in range(N_ALPHA_LEVELS_STAGE2):
            al = np.clip(cur_a[:, None] + da * zoom, -ALPHA_MAX, ALPHA_MAX)
            r = rates(fl, al)
            k = np.argmax(r, axis=1)
            better = r[rr, k] > cur_r
            cur_a = np.where(better, al[rr, k], cur_a)
            cur_r = np.where(better, r[rr, k], cur_r)
            da *= shrink
        j = int(np.argmax(cur_r[:n_pre]))
        if cur_r[j] > best:
            p, a, best = fl[j], cur_a[j], cur_r[j]
        if cur_r[-1] > best0:
            a0, best0 = cur_a[-1], cur_r[-1]
        dp *= shrink
    return {True: (float(p), float(a)), False: (0.0, float(a0))}


@dataclass(frozen=True, eq=False)
class BestLowerBound(StatusField):
    """Result of :func:`best_lower_bound` (bits per key round).

    Attributes
    ----------
    value : float
        The largest of the valid lower bounds, clipped at 0 (NaN for a box above Tsirelson's bound).
    expression : float
        The unclipped expression of the winning bound.
    winner : str
        Which bound won (one of :data:`LOWER_BOUND_METHODS`; ``"chsh"`` on ties).
    flip, alpha : float
        The optimal noisy-preprocessing probability :math:`p` and weight :math:`\\alpha` of the winner
        (0 and 1 for the plain CHSH bound).
    chsh : float
        CHSH value of the binned box.
    chsh_lower_bound : float
        The plain CHSH Devetak-Winter bound (:func:`qkdbounds.di.lower.dw_lower_bound`).
    candidates : dict
        Per method: ``value``, ``expression``, ``flip``, ``alpha``, ``entropy``, ``error_cost``.
    certificate : dict
    method : str
    status : Status
        ``closed_form`` when the plain CHSH bound wins (or no bound applies: 0, ``message``
        says so), ``certified`` when a bound with a numerically optimised preprocessing
        probability wins (valid at the reported ``flip``; a better ``flip`` may exist);
        ``failed`` for a box that is not quantum.
    message : str
    """

    value: float
    expression: float
    winner: str
    flip: float
    alpha: float
    chsh: float
    chsh_lower_bound: float
    candidates: dict = field(repr=False)
    certificate: dict = field(repr=False)
    method: str
    status: Status
    message: str = ""


_CITES = {
    "chsh": "CHSH Devetak-Winter (Acin et al., PRL 98, 230501 (2007); Pironio et al., NJP 11, 045021 (2009))",
    "noisy_preprocessing": "CHSH with noisy preprocessing (Ho et al., PRL 124, 230502 (2020))",
    "asymmetric_chsh": "asymmetric CHSH (Woodhead, Acin & Pironio, Quantum 5, 443 (2021))",
    "asymmetric_chsh_noisy_preprocessing": "asymmetric CHSH with noisy preprocessing (Woodhead, Acin & "
                                           "Pironio, Quantum 5, 443 (2021))",
}


def _key_terms(box: BellBox) -> tuple[str, float, float, NDArray] | None:
    """(direction, T_key, T_other, key table [k, o]) with the CHSH signs of
    :func:`~qkdbounds.di.bell_data.chsh_value_of_box`; None if no key setting is in the test."""
    x, y = box.key_settings
    (ax0, ax1), (by0, by1) = box.chsh_settings
    binned = bin_no_click(box.probabilities)
    sign = np.array([[1.0, -1.0], [-1.0, 1.0]])
    e = {(i, j): float((binned[xx, yy] * sign).sum()) for i, xx in enumerate((ax0, ax1))
         for j, yy in enumerate((by0, by1))}
    # CHSH = E00 + E01 + E10 - E11: coefficient (-1)^(i j)
    if y in (by0, by1):
        j = 0 if y == by0 else 1
        t_key = e[0, j] + (-1) ** j * e[1, j]
        t_other = e[0, 1 - j] + (-1) ** (1 - j) * e[1, 1 - j]
        table = bin_no_click(box.probabilities, alice=False, bob=True)[x, y].T  # [Bob's bit, Alice's outcome]
        return "reverse (Bob's key, B -> A)", t_key, t_other, table
    if x in (ax0, ax1):
        i = 0 if x == ax0 else 1
        t_key = e[i, 0] + (-1) ** i * e[i, 1]
        t_other = e[1 - i, 0] + (-1) ** (1 - i) * e[1 - i, 1]
        table = bin_no_click(box.probabilities, alice=True, bob=False)[x, y]  # [Alice's bit, Bob's outcome]
        return "direct (Alice's key, A -> B)", t_key, t_other, table
    return None


def best_lower_bound(box: BellBox, leakage: float = 0.0, model: str = "uniform") -> BestLowerBound:
    r"""The largest of the plain CHSH, noisy-preprocessing and asymmetric-CHSH lower bounds of a box.

    The key party is the one whose key setting enters the CHSH test (Bob's, reverse
    reconciliation, if possible; as :func:`qkdbounds.di.lower.dw_lower_bound`).  Each bound is
    maximised over :math:`p\in[0,1/2]` and :math:`\alpha\in[-4, 4]` (coarse grids, then
    vectorised zooms into the best cells); the correlators are those of the binned box, the error cost
    :math:`H(K'|O)` is exact (module docstring).  Collective attacks, i.i.d. rounds, one-way
    reconciliation.

    Parameters
    ----------
    box : BellBox
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}

    Returns
    -------
    BestLowerBound

    Raises
    ------
    InputError
        Bad leakage or model.

    Examples
    --------
    >>> from qkdbounds.di.bell_data import bell_box
    >>> b = best_lower_bound(bell_box(eta_a=0.92))        # plain CHSH gives 0 below eta = 0.9231
    >>> b.chsh_lower_bound, b.winner, b.value > 0
    (0.0, 'asymmetric_chsh_noisy_preprocessing', True)
    """
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    if not isinstance(box, BellBox):
        raise InputError("box must be a BellBox (qkdbounds.di.bell_box, or bell_table / "
                         "load_bell_table for measured data)")
    # the bound depends on the numbers of the box only (not on its source record): the same box
    # asked twice (a window's lower bounds, then the attack's verdict at the same efficiencies) is
    # computed once; callers get their own copies of the result's dicts
    key = (box.probabilities.dtype.str, box.probabilities.shape, box.probabilities.tobytes(),
           repr(box.key_settings), repr(box.chsh_settings), leakage, model)
    hit = _LOWER_BOUND_CACHE.get(key)
    if hit is None:
        hit = _LOWER_BOUND_CACHE.put(key, _best_lower_bound(box, leakage, model))
    return replace(hit, candidates=copy.deepcopy(hit.candidates), certificate=copy.deepcopy(hit.certificate))


#: Boxes whose :func:`best_lower_bound` is kept (the oldest dropped first).
_LOWER_BOUND_CACHE = BoundedCache(256)


def _best_lower_bound(box: BellBox, leakage: float, model: str) -> BestLowerBound:
    """:func:`best_lower_bound` after its input checks (uncached)."""
    from .lower import _dw_lower_bound

    # the labelling of the CHSH expression (local relabelling changes no key rate)
    box, relabelling = chsh_relabelled(box)
    plain = _dw_lower_bound(box, relabelling, leakage, model)
    s = chsh_value_of_box(box)
    candidates = {"chsh": {"value": plain.value, "expression": plain.expression, "flip": 0.0, "alpha": 1.0,
                           "error_cost": plain.error_cost}}
    terms = _key_terms(box)
    if plain.status == Status.FAILED or terms is None:
        return BestLowerBound(plain.value, plain.expression, "chsh", 0.0, 1.0, s, plain.value, candidates,
                              dict(plain.certificate), plain.method, plain.status, plain.message)
    direction, t_key, t_other, table = terms
    searched = _search_flip_alpha_pair(t_key, t_other, table, leakage, model)   # both asymmetric bounds
    for method in LOWER_BOUND_METHODS[1:]:
        raw, flip, alpha, ent, cost = _optimise(t_key, t_other, table, leakage, model, method, searched)
        candidates[method] = {"value": raw if raw > ATOL_TIE else 0.0, "expression": raw, "flip": flip, "alpha": alpha,
                              "entropy": ent, "error_cost": cost}
    # ties (within round-off) go to the simplest bound, in the order of LOWER_BOUND_METHODS
    top = max(c["expression"] for c in candidates.values())
    winner = next(m for m in LOWER_BOUND_METHODS if candidates[m]["expression"] >= top - ATOL_TIE)
    best = candidates[winner]
    # the noisy bounds tend to exactly 0 as p -> 1/2: round-off there is not key
    value = best["expression"] if best["expression"] > ATOL_TIE else 0.0
    cert = {"direction": direction, "key_correlators": t_key, "other_correlators": t_other,
            "key_settings": list(box.key_settings), "leakage": leakage, "model": model,
            "output_relabelling": relabelling}
    leak = f"; leakage ({model}) as in qkdbounds.di.preprocessing" if leakage > 0 else ""
    relabelled = ("" if relabelling is None else f" (outcomes 0 and 1 exchanged on Alice's settings "
                  f"{relabelling['alice']} and Bob's {relabelling['bob']} for the CHSH expression)")
    method = (f"best of {len(LOWER_BOUND_METHODS)} DI lower bounds on the binned box{relabelled}, {direction}: "
              f"{_CITES[winner]}, p = {best['flip']:.6g}, alpha = {best['alpha']:.6g}; collective attacks{leak}")
    return BestLowerBound(float(value), float(best["expression"]), winner, float(best["flip"]), float(best["alpha"]),
                          float(s), float(plain.value), candidates, cert, method,
                          Status.CLOSED_FORM if winner == "chsh" or value <= 0 else Status.CERTIFIED,
                          "" if value > 0 or s > 2 else "no CHSH violation: the lower bound is 0")


def _depolarised_entropy(visibility: float, method: str, flip: float, alpha: float | None) -> float:
    if method in ("chsh", "noisy_preprocessing"):
        return noisy_preprocessing_entropy(2 * np.sqrt(2) * visibility, flip)
    # settings re-optimised for S_alpha: S_alpha = 2 v sqrt(1 + alpha^2) (quantum maximum)
    return asymmetric_chsh_entropy(2 * visibility * np.sqrt(1 + alpha**2), alpha, flip)


def depolarised_rate(qber: float, method: str, *, normalised: bool = False) -> float:
    r"""Best rate of ``method`` for the depolarised maximally entangled state at :math:`\eta = 1`.

    :math:`v = 1 - 2Q`, key QBER :math:`Q`, symmetric errors (cost :math:`h(p+Q-2pQ)`); the
    CHSH bounds use :math:`S = 2\sqrt2 v`, the asymmetric ones the settings that maximise
    :math:`S_\alpha` for each :math:`\alpha`: :math:`S_\alpha = 2v\sqrt{1+\alpha^2}` (Alice at
    :math:`\pm\arctan(1/\alpha)` from Bob's key axis, Bob's second axis orthogonal).  With
    ``normalised`` the rate divided by :math:`(1-2p)^2` is maximised instead: it has the same sign
    and a finite limit as :math:`p \to 1/2`, where the noisy bounds vanish at their threshold.

    Parameters
    ----------
    qber : float
        :math:`Q \in [0, 1/2]`.
    method : one of :data:`LOWER_BOUND_METHODS`

    Examples
    --------
    >>> round(depolarised_rate(0.0, "chsh"), 12)
    1.0
    """
    q = check_real("qber", qber, 0.0, 0.5)
    check_choice("method", method, LOWER_BOUND_METHODS)
    v = 1 - 2 * q
    noisy = method.endswith("noisy_preprocessing")
    asym = method.startswith("asymmetric")

    def entropy(flip: float) -> float:
        if not asym:
            return _depolarised_entropy(v, method, flip, None)
        return _argmax_1d(lambda a: _depolarised_entropy(v, method, flip, a), 0.0, ALPHA_MAX, N_GRID_ALPHA)[1]

    def rate(flip: float) -> float:
        r = entropy(flip) - float(_h(flip + q - 2 * flip * q))
        return r / (1 - 2 * flip) ** 2 if normalised else r

    if not noisy:
        return rate(0.0)
    # p -> 1/2 is approached but not reached (the normalised rate is 0/0 there)
    return _argmax_1d(rate, 0.0, 0.5 - 1e-4, N_GRID_FLIP)[1]


def depolarised_threshold(method: str) -> float:
    r"""Largest QBER :math:`Q` with a positive ``method`` bound for the depolarised maximally
    entangled state at :math:`\eta = 1` (:func:`depolarised_rate`, bisection by Brent's method on
    the normalised rate over :math:`Q\in[0.05, 0.12]`).

    Examples
    --------
    >>> round(depolarised_threshold("chsh"), 4)       # Acin et al. 2007; Woodhead et al. 2021
    0.0715
    """
    from scipy.optimize import brentq

    check_choice("method", method, LOWER_BOUND_METHODS)
    return float(brentq(lambda q: depolarised_rate(q, method, normalised=True), 0.05, 0.12, xtol=XTOL_QBER))
