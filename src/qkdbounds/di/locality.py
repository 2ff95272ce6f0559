r"""Local content of a Bell box by linear programming (issue 14, item 3).

**Local weight** (Elitzur, Popescu & Rohrlich, PLA 162, 25 (1992), "EPR2"): the largest
:math:`q_L` with :math:`p = q_L\,p_L + (1-q_L)\,p_{NL}`, :math:`p_L` local (a mixture of the
deterministic strategies :math:`D_{fg}(ab|xy) = [a=f(x)][b=g(y)]`) and :math:`p_{NL}` any box.
As a linear program (solved with HiGHS through ``highspy``, :mod:`qkdbounds.di._highs`, the solver
of :func:`scipy.optimize.linprog` without SciPy's import time):

.. math:: q_L = \max\ \mathbf 1^{\mathsf T}\mu\quad\text{s.t.}\quad D\mu \le p,\ \mu\ge 0,

whose dual :math:`\min p^{\mathsf T}y` s.t. :math:`D^{\mathsf T}y \ge \mathbf 1`, :math:`y\ge0` is a
Bell functional.  Both sides are re-checked in exact arithmetic on the returned vectors: the primal
weights are scaled until :math:`D\mu\le p` holds exactly (a certified lower value), the dual
vector until :math:`D^{\mathsf T}y\ge 1` holds exactly (a certified upper value), so
:math:`q_L \in [\,\text{value},\ \text{dual\_bound}\,]`.  The remainder :math:`p - D\mu` has the same
mass for every setting pair and is no-signalling (a difference of no-signalling boxes), so
:math:`p_{NL}` is a box; it need *not* be quantum (for CHSH boxes it is a PR-box mixture), which is
why the attack (:mod:`qkdbounds.di.attack`) uses :func:`decompose_with_boxes` with quantum parts.

Second routes: for two settings and two outcomes per party every nonlocal no-signalling box is a
mixture of one PR box and local boxes (Barrett et al., PRA 71, 022101 (2005)), so
:math:`q_L = \min(1, 2 - S_{\max}/2)` with :math:`S_{\max}` the largest of the eight CHSH forms;
and a box with :math:`S_{\max}\le 2` is local (Fine, PRL 48, 291 (1982)).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, SolverError
from ..status import Status, StatusField
from .bell_data import BellBox, check_box

__all__ = ["LocalWeight", "BoxDecomposition", "deterministic_strategies", "local_weight",
           "decompose_with_boxes", "local_model_matrix", "MAX_STRATEGIES"]

#: Largest number of joint deterministic strategies (columns of the LP) accepted.
MAX_STRATEGIES = 400_000
#: Box entries x strategies up to which the local-model matrix is a dense array (and the
#: decomposition LP is passed to HiGHS densely); larger ones are SciPy sparse matrices.
_DENSE_LIMIT = 200_000
#: Weights below this are dropped from certificates.
WEIGHT_FLOOR = 1e-12


@dataclass(frozen=True, eq=False)
class LocalWeight(StatusField):
    """Largest local weight of a box, with both certificates.

    Attributes
    ----------
    value : float
        Certified achievable :math:`q_L` (the primal weights, scaled to satisfy :math:`D\\mu\\le p`).
    dual_bound : float
        Certified upper value :math:`p^{\\mathsf T}y` (the Bell functional scaled to local bound 1).
    strategies : list of dict
        ``{"weight", "alice_outputs", "bob_outputs"}`` (outputs per setting) with weight > 0.
    bell_functional : ndarray, shape of the box
        The dual vector :math:`y`.
    nonlocal_part : ndarray or None
        :math:`p_{NL} = (p - q_L p_L)/(1-q_L)` (None when :math:`q_L = 1`).
    method : str
    status : Status
        ``optimal`` (primal and dual re-certified, gap <= 1e-7) or ``certified`` (the primal
        weight is valid; ``message`` gives the duality gap).
    message : str
    """

    value: float
    dual_bound: float
    strategies: list = field(repr=False)
    bell_functional: NDArray = field(repr=False)
    nonlocal_part: NDArray | None = field(repr=False)
    method: str
    status: Status
    message: str = ""


@dataclass(frozen=True, eq=False)
class BoxDecomposition(StatusField):
    """:math:`p = D\\mu + \\sum_k w_k C_k` with :math:`\\mu, w \\ge 0` (result of
    :func:`decompose_with_boxes`): ``mu`` per deterministic strategy, ``weights`` per box column;
    ``residual`` the largest entry of :math:`|p - D\\mu - \\sum w_k C_k|`."""

    mu: NDArray = field(repr=False)
    weights: NDArray
    residual: float
    status: Status


def deterministic_strategies(n_settings: int, n_outcomes: int) -> NDArray[np.int64]:
    """All functions settings -> outcomes, shape (n_outcomes**n_settings, n_settings)."""
    return np.array(list(itertools.product(range(n_outcomes), repeat=n_settings)), dtype=np.int64)


def _check_size(shape) -> tuple[NDArray, NDArray]:
    n_x, n_y, n_a, n_b = shape
    n_strat = n_a ** n_x * n_b ** n_y
    if n_strat > MAX_STRATEGIES:
        raise InputError(f"the local polytope of a box with {n_x}/{n_y} settings and {n_a}/{n_b} "
                         f"outcomes has {n_strat} deterministic strategies; allowed: at most "
                         f"{MAX_STRATEGIES} (fewer settings or outcomes)")
    return deterministic_strategies(n_x, n_a), deterministic_strategies(n_y, n_b)


@functools.lru_cache(maxsize=16)
def _cached_matrix(shape: tuple[int, int, int, int]):
    return _build_matrix(shape)


def local_model_matrix(shape) -> tuple[object, NDArray, NDArray]:
    """Matrix :math:`D` (box entries x strategies), and Alice's / Bob's strategy tables.

    Column ``i * n_bob + j`` is Alice's strategy ``i`` with Bob's ``j``; each column has
    ``n_x * n_y`` ones.  :math:`D` is a dense ``ndarray`` up to :data:`_DENSE_LIMIT` entries (the
    boxes of the CLI: no ``scipy.sparse`` import) and a SciPy CSC matrix above, so memory is
    ``O(strategies * settings**2)``; both support ``D @ mu`` and ``D.T @ y``.  Cached per shape
    (treat the returned arrays as read-only).
    """
    return _cached_matrix(tuple(int(s) for s in shape))


def _build_matrix(shape) -> tuple[object, NDArray, NDArray]:
    fa, fb = _check_size(shape)
    n_x, n_y, n_a, n_b = shape
    na, nb = len(fa), len(fb)
    cols = np.arange(na * nb)
    ia, ib = np.divmod(cols, nb)
    rows, cidx = [], []
    for x in range(n_x):
        for y in range(n_y):
            a, b = fa[ia, x], fb[ib, y]
            rows.append(((x * n_y + y) * n_a + a) * n_b + b)
            cidx.append(cols)
    rows, cidx = np.concatenate(rows), np.concatenate(cidx)
    size = (n_x * n_y * n_a * n_b, na * nb)
    if size[0] * size[1] <= _DENSE_LIMIT:
        d = np.zeros(size)
        d[rows, cidx] = 1.0
        d.setflags(write=False)
        return d, fa, fb
    from scipy.sparse import csc_matrix

    return csc_matrix((np.ones(rows.size), (rows, cidx)), shape=size), fa, fb


def _linprog(c, **kw):
    """HiGHS on the LP (:func:`qkdbounds.di._highs.linprog`; one place, so tests can fault it)."""
    from ._highs import linprog

    return linprog(c, **kw)


def strategy_list(mu: NDArray, shape) -> list[dict]:
    """The certificate form of weights ``mu`` on the columns of :func:`local_model_matrix`:
    ``{"weight", "alice_outputs", "bob_outputs"}`` for every weight above the floor."""
    _, fa, fb = local_model_matrix(shape)
    nb = len(fb)
    return [{"weight": float(w), "alice_outputs": fa[i // nb].tolist(), "bob_outputs": fb[i % nb].tolist()}
            for i, w in enumerate(mu) if w > WEIGHT_FLOOR]


def local_weight(box: BellBox | ArrayLike) -> LocalWeight:
    r"""Largest local weight :math:`q_L` of a box (the LP of the module docstring).

    Parameters
    ----------
    box : BellBox or array_like, shape (n_x, n_y, n_a, n_b)

    Returns
    -------
    LocalWeight
        ``value`` (certified primal), ``dual_bound`` (certified dual), the strategies with their
        weights, the Bell functional and the nonlocal remainder.

    Raises
    ------
    InputError
        An invalid box, or more than :data:`MAX_STRATEGIES` strategies.

    Examples
    --------
    >>> from qkdbounds.di.bell_data import bell_box
    >>> lw = local_weight(bell_box(eta_a=0.9))      # S = 2.311: q_L = 2 - S/2 (2x2 part)
    >>> round(lw.value, 6), round(lw.dual_bound, 6)
    (0.844487, 0.844487)
    """
    p = box.probabilities if isinstance(box, BellBox) else check_box(box)
    d, _, _ = local_model_matrix(p.shape)
    flat = p.ravel()
    res = _linprog(-np.ones(d.shape[1]), A_ub=d, b_ub=flat)
    if res.exit_code != 0:
        raise SolverError(f"HiGHS failed on the local-weight LP: {res.message}")
    mu = np.clip(res.x, 0, None)
    # exact primal certificate: scale mu so that D mu <= p holds entrywise
    dm = d @ mu
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(dm > flat, flat / dm, 1.0)
    mu = mu * float(ratios.min())
    value = float(mu.sum())
    # exact dual certificate: y >= 0 with D^T y >= 1 after scaling
    y = np.clip(-res.ineqlin_marginals, 0, None)
    dty = d.T @ y
    dual = float(flat @ y / dty.min()) if dty.min() > 0 else 1.0
    dual = min(dual, 1.0)
    strategies = strategy_list(mu, p.shape)
    remainder = (flat - d @ mu).reshape(p.shape)
    nonlocal_part = remainder / (1 - value) if value < 1 - 1e-12 else None
    gap = dual - value
    return LocalWeight(value, dual, strategies, y.reshape(p.shape), nonlocal_part,
                       "LP max 1^T mu s.t. D mu <= p (HiGHS); primal and dual re-certified",
                       Status.OPTIMAL if gap <= 1e-7 else Status.CERTIFIED,
                       "" if gap <= 1e-7 else f"duality gap {gap:.2e}")


def decompose_with_boxes(p: NDArray, columns: list[NDArray], minimise: NDArray) -> BoxDecomposition | None:
    r"""Write ``p`` as :math:`D\mu + \sum_k w_k C_k` minimising :math:`\sum_k c_k w_k`.

    Parameters
    ----------
    p : ndarray, shape (n_x, n_y, n_a, n_b)
        The observed box.
    columns : list of ndarray
        Extra boxes :math:`C_k` (e.g. quantum boxes Eve can prepare), each of the shape of ``p``.
    minimise : ndarray, shape (len(columns),)
        Cost :math:`c_k` of each extra box (deterministic strategies cost 0).

    Returns
    -------
    BoxDecomposition or None
        None if ``p`` is not in the cone (the extra boxes cannot complete a local model).
    """
    d, _, _ = local_model_matrix(p.shape)
    extra = np.stack([c.ravel() for c in columns], axis=1)
    if isinstance(d, np.ndarray):
        a_eq = np.hstack([d, extra])
    else:
        from scipy.sparse import csc_matrix, hstack

        a_eq = hstack([d, csc_matrix(extra)]).tocsc()
    cost = np.concatenate([np.zeros(d.shape[1]), np.asarray(minimise, dtype=float)])
    res = _linprog(cost, A_eq=a_eq, b_eq=p.ravel(), primal_feasibility_tolerance=1e-10,
                   dual_feasibility_tolerance=1e-10)
    if res.exit_code != 0:
        return None
    x = np.clip(res.x, 0, None)
    mu, w = x[: d.shape[1]], x[d.shape[1]:]
    residual = float(np.abs(a_eq @ x - p.ravel()).max())
    return BoxDecomposition(mu, w, residual, Status.OPTIMAL)
