r"""The window between a device-independent lower bound and our upper bounds, for Werner states.

For the two-qubit isotropic ("Werner") state :math:`\rho_v` (paper 1, Eq. 4) this module puts
side by side, for each visibility:

* ``upper`` -- the device-dependent CC upper bound with leakage :math:`L`, by default the
  rate dispatcher :func:`qkdbounds.bounds.rate_upper_bound` with its default (tightest) attack
  ``"best"`` (per point the smallest of paper 1's CC attack, Eq. 28, the extended attack and the
  no-attack bound; Z bases, which are tested optimal).  The route is a parameter
  (``upper_bound``): this module does not import :mod:`qkdbounds.bounds` (a higher layer) at
  import time, the default route is looked up when it is called;
* ``best_lower`` -- the best valid DI lower bound with the same leakage,
  :func:`qkdbounds.di.preprocessing.best_lower_bound` on the Bell box of :math:`\rho_v`
  (:func:`qkdbounds.di.bell_data.bell_box`, :math:`\eta = 1`, CHSH-optimal settings): the largest
  of the plain CHSH Devetak-Winter bound, its noisy-preprocessing version (Ho et al., PRL 124,
  230502 (2020)) and the asymmetric-CHSH bounds with and without preprocessing (Woodhead, Acín &
  Pironio, Quantum 5, 443 (2021)); ``best_lower_method`` names the winner per point;
* ``di_lower_leakage`` -- the plain CHSH Devetak-Winter rate with the leakage handed to Eve (our
  extension, see :mod:`qkdbounds.di.chsh`: ``uniform`` = :math:`(1-L)(1-h) - h(Q)`; ``junk`` =
  Eve-chosen leak timing, :math:`1-h-h(L)-L-h(Q)`), kept beside the best one;
* ``di_lower`` -- the plain CHSH Devetak-Winter rate of Acín et al., PRL 98, 230501 (2007)
  *without* leakage (the literature curve);

and the thresholds: separability :math:`v = 1/3`; CHSH violation :math:`v = 1/\sqrt2`; zero of
the plain DW rate (:math:`v \approx 0.8570`, :math:`Q \approx 7.1\%`) without and with leakage;
zero of the best DI lower bound with leakage (bisection to :data:`XTOL_BEST_ZERO`, with the
bound that wins just above it); zero of the upper bound (bisection on the route to
:data:`XTOL_UPPER_ZERO`; for the default route it equals the derived threshold
:math:`v^* = 1/(1 + 2(1-L))` (uniform) or :math:`(1+L)/(3+L)` (junk) of
:mod:`qkdbounds.bounds.threshold`, docs/errata.md, E1.1, which the tests check).

**What the window means -- and what it does not.**

1. *Upper side.*  The CC attack is an attack on the source and on the leaked classical outcomes;
   it reproduces the honest parties' statistics for every measurement, so it is available to Eve
   in the device-independent (DI) setting too, where she controls even more.  A DI protocol that
   announces its inputs (as the CHSH protocol does) is one of the announced-input protocols the
   bound covers.  Hence, **with the same leakage** :math:`L` **and leakage model**,
   :math:`K_{DI}^{L}(\rho_v) \le K_{DD}^{L}(\rho_v) \le` ``upper``.
2. *Lower side.*  The DI lower bounds hold **against collective attacks**, one-way
   reconciliation, i.i.d. rounds.  Acín et al.'s rate without leakage, ``di_lower``, is *not* a
   lower bound in the leakage scenario: at :math:`v = 1`, :math:`L = 0.1` it equals 1 bit while
   ``upper`` is 0.9.  The consistent window at leakage :math:`L` is therefore
   ``best_lower`` :math:`\le K_{DI}^{L} \le` ``upper`` (and ``di_lower_leakage``
   :math:`\le` ``best_lower``), which the tests check point by point; ``di_lower`` is shown for
   reference (the :math:`L = 0` literature curve).
3. Neither side is claimed tight: the lower bounds use the box's fixed CHSH-optimal settings and
   collective attacks (coherent attacks need the entropy accumulation theorem), and the upper
   bound is for one attack family.  Between :math:`1/3` and the CC zero every DI and device-dependent
   announced-input protocol gives no key although the state is entangled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import LEAKAGE_MODELS
from ..errors import InputError, check_callback, check_choice, check_probability
from ..states.two_qubit import werner_state
from ..status import ValueEquality
from .bell_data import bell_box
from .chsh import chsh_dw_rate, chsh_threshold_werner, di_lower_bound, werner_dw_expression
from .preprocessing import BestLowerBound, best_lower_bound

__all__ = ["UpperBoundRoute", "WernerWindow", "default_upper_bound", "werner_window",
           "werner_window_thresholds", "XTOL_BEST_ZERO", "XTOL_UPPER_ZERO"]

#: ``route(visibilities, leakage, model) -> (values, statuses, description)``: the upper bound on
#: an array of Werner visibilities (two qubits), e.g. :func:`default_upper_bound`.
UpperBoundRoute = Callable[[NDArray[np.float64], float, str], tuple[NDArray[np.float64], Sequence[str], str]]
#: Bisection tolerances (in v) of the zeros: the upper bound (a route call costs ~0.1 ms) and the
#: best DI lower bound (a call costs ~0.1 s: 14 steps from a 0.01 bracket).
XTOL_UPPER_ZERO = 1e-12
XTOL_BEST_ZERO = 1e-6
#: Values at or below this (bits) count as 0 when locating the zeros (both bounds rise
#: quadratically from their zeros, so any larger tolerance would move the zero by its square root).
ATOL_ZERO = 0.0
#: Label of ``best_lower_method`` where the box is local (CHSH <= 2: no DI key, every bound is 0).
NO_VIOLATION = "no_violation"
#: Label of ``best_lower_method`` where the box violates CHSH but every lower bound is 0.
NO_BOUND = "none"


def default_upper_bound(visibilities: NDArray[np.float64], leakage: float,
                        model: str) -> tuple[NDArray[np.float64], list[str], str]:
    """The device-dependent route: :func:`qkdbounds.bounds.rate_upper_bound` (d = N = 2, Z bases)
    with its default, tightest attack ``"best"``.  Imported when called, so that importing
    :mod:`qkdbounds.di` does not load :mod:`qkdbounds.bounds` (a higher layer)."""
    from ..bounds.rate import rate_upper_bound

    r = rate_upper_bound(2, 2, np.asarray(visibilities, dtype=float), leakage, model)
    return (np.atleast_1d(np.asarray(r.value, dtype=float)), [str(s) for s in np.atleast_1d(r.status)],
            "rate_upper_bound (d = N = 2, Z bases, default attack 'best': per point the smallest of "
            "paper 1's CC attack, the extended attack and the no-attack bound)")


@dataclass(frozen=True, eq=False)
class WernerWindow(ValueEquality):
    """DI lower bounds and CC upper bounds on a grid of Werner visibilities.

    Attributes
    ----------
    visibilities, upper, best_lower, di_lower_leakage, di_lower, chsh, qber : ndarray
        Per visibility: the upper bound with leakage, the best DI lower bound with leakage, the
        plain CHSH Devetak-Winter rate with and without leakage, the optimal CHSH value and the
        QBER of the key pair.
    best_lower_method : tuple of str
        Per visibility, the bound that gives ``best_lower`` (one of
        :data:`qkdbounds.di.preprocessing.LOWER_BOUND_METHODS`); ``"no_violation"`` where the
        CHSH value is at most 2 (a local box: every bound is 0), ``"none"`` where the box violates
        CHSH but every bound is 0.
    best_lower_flip, best_lower_alpha : ndarray
        Its noisy-preprocessing probability :math:`p` and CHSH weight :math:`\\alpha`.
    leakage : float
    model : str
    attack : str
        Description of the upper-bound route.
    thresholds : dict
        ``separable`` (1/3), ``chsh_violation`` (1/sqrt 2), ``dw_zero`` (plain, L = 0),
        ``dw_zero_leakage`` (plain, with leakage; None if no key at any v), ``best_lower_zero``
        (None if no key at any v) and ``best_lower_zero_method``, ``cc_zero`` (upper bound).
    statuses : tuple of str
        Status of the upper bound at each point.
    verdict : tuple of str
        Per visibility, ``no_key`` / ``key`` / ``open`` from ``upper`` and ``best_lower``
        (property; a column of :meth:`rows`).
    method : str
    """

    visibilities: NDArray[np.float64] = field(repr=False)
    upper: NDArray[np.float64] = field(repr=False)
    best_lower: NDArray[np.float64] = field(repr=False)
    best_lower_method: tuple = field(repr=False)
    best_lower_flip: NDArray[np.float64] = field(repr=False)
    best_lower_alpha: NDArray[np.float64] = field(repr=False)
    di_lower: NDArray[np.float64] = field(repr=False)
    di_lower_leakage: NDArray[np.float64] = field(repr=False)
    chsh: NDArray[np.float64] = field(repr=False)
    qber: NDArray[np.float64] = field(repr=False)
    leakage: float
    model: str
    attack: str
    thresholds: dict
    statuses: tuple = field(repr=False)
    method: str

    @property
    def verdict(self) -> tuple:
        """Per visibility, ``"no_key"`` (the upper bound is 0), ``"key"`` (the best DI lower bound
        is positive: key even device-independently, hence with the trusted devices too) or
        ``"open"`` (:func:`qkdbounds.bounds.verdict.decide`)."""
        from ..bounds.verdict import decide   # (di/ is below bounds/: looked up when asked)

        # (a lower bound above a caller-supplied upper route is clipped to it, as
        # reported_lower clips round-off: the verdict reads the two curves, it does not raise)
        return tuple(decide(u, min(b, u)) for u, b in zip(self.upper, self.best_lower))

    def rows(self) -> list[dict]:
        """One dict per visibility (CSV/JSON friendly)."""
        return [{"visibility": float(v), "upper": float(u), "best_lower": float(b), "best_lower_method": m,
                 "best_lower_flip": float(p), "best_lower_alpha": float(a), "di_lower_leakage": float(ll),
                 "di_lower": float(lo), "chsh": float(s), "qber": float(q), "leakage": self.leakage,
                 "model": self.model, "verdict": vd, "status": st}
                for v, u, b, m, p, a, ll, lo, s, q, vd, st in zip(
                    self.visibilities, self.upper, self.best_lower, self.best_lower_method, self.best_lower_flip,
                    self.best_lower_alpha, self.di_lower_leakage, self.di_lower, self.chsh, self.qber,
                    self.verdict, self.statuses)]


def _leaky_raw(v: float, leakage: float, model: str) -> float:
    return werner_dw_expression(v, leakage, model)


def _best(v: float, leakage: float, model: str) -> BestLowerBound:
    # eta = 1: the Bell box of the Werner state with the CHSH-optimal settings of bell_data
    return best_lower_bound(bell_box(np.pi / 4, float(v), 1.0), leakage, model)


def _bisect_zero(positive: Callable[[float], bool], lo: float, hi: float, xtol: float) -> float:
    """Smallest v with ``positive(v)`` for a predicate that is False at ``lo``, True at ``hi`` and
    monotone in between: bisection; returns the upper end of the final bracket (a point where
    the bound is positive, within ``xtol`` of the zero)."""
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        if positive(mid):
            hi = mid
        else:
            lo = mid
    return float(hi)


def _upper_zero(route: UpperBoundRoute, leakage: float, model: str, lo: float = 0.0, hi: float = 1.0) -> float | None:
    def up(v: float) -> float:
        return float(route(np.array([v]), leakage, model)[0][0])

    if up(hi) <= ATOL_ZERO:
        return None
    if up(lo) > ATOL_ZERO:
        return lo
    return _bisect_zero(lambda v: up(v) > ATOL_ZERO, lo, hi, XTOL_UPPER_ZERO)


def _best_zero(leakage: float, model: str, lo: float, hi: float) -> tuple[float | None, str | None]:
    top = _best(hi, leakage, model)
    if top.value <= ATOL_ZERO:
        return None, None
    v = _bisect_zero(lambda x: _best(x, leakage, model).value > ATOL_ZERO, lo, hi, XTOL_BEST_ZERO)
    return v, _best(v, leakage, model).winner


def werner_window_thresholds(leakage: float, model: str = "uniform", *,
                             upper_bound: UpperBoundRoute | None = None,
                             best_bracket: tuple[float, float] | None = None,
                             upper_bracket: tuple[float, float] | None = None) -> dict:
    """The thresholds of the window (module docstring), as a dict of visibilities.

    Parameters
    ----------
    leakage : float
    model : {"uniform", "junk"}
    upper_bound : callable, optional
        The upper-bound route (:data:`UpperBoundRoute`; default :func:`default_upper_bound`).
    best_bracket, upper_bracket : (float, float), optional
        Visibilities known to bracket the zero of the best DI lower bound / of the upper bound
        (zero at the first, positive at the second), e.g. from a grid; default the whole range.

    Examples
    --------
    >>> th = werner_window_thresholds(0.1)
    >>> round(th["cc_zero"], 7), round(th["dw_zero_leakage"], 4), round(th["best_lower_zero"], 4)
    (0.3571429, 0.865, 0.8575)
    """
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    route = default_upper_bound if check_callback("upper_bound", upper_bound) is None else upper_bound
    dw = chsh_threshold_werner()
    lo, hi = 1 / np.sqrt(2) + 1e-12, 1.0
    if _leaky_raw(hi, leakage, model) <= 0:
        dw_leak = None
    elif leakage == 0:
        dw_leak = dw.visibility
    else:
        from scipy.optimize import brentq   # thresholds only (import time of the CLI, issue 21)

        dw_leak = float(brentq(_leaky_raw, lo, hi, args=(leakage, model), xtol=1e-14))
    # below 1/sqrt 2 the box is local (CHSH <= 2), so every DI lower bound is 0 there
    best_zero, best_method = _best_zero(leakage, model, *(best_bracket or (1 / np.sqrt(2), 1.0)))
    return {"separable": 1 / 3, "chsh_violation": float(1 / np.sqrt(2)), "dw_zero": dw.visibility,
            "dw_zero_qber": dw.qber, "dw_zero_leakage": dw_leak, "best_lower_zero": best_zero,
            "best_lower_zero_method": best_method,
            "cc_zero": _upper_zero(route, leakage, model, *(upper_bracket or (0.0, 1.0)))}


def _bracket(vis: NDArray, values: NDArray) -> tuple[float, float] | None:
    """(last grid point with value 0, first with value > 0) of a grid, if the grid shows a zero."""
    pos = values > ATOL_ZERO
    if not pos.any() or pos.all():
        return None
    k = int(np.argmax(pos))
    return (float(vis[k - 1]), float(vis[k])) if k > 0 and not pos[:k].any() else None


def werner_window(
    visibilities: Sequence[float],
    leakage: float,
    model: str = "uniform",
    *,
    upper_bound: UpperBoundRoute | None = None,
    insert_thresholds: bool = False,
    callback: Callable[[int], None] | None = None,
) -> WernerWindow:
    r"""Best DI lower bounds and CC upper bounds with leakage for Werner states (module docstring).

    Parameters
    ----------
    visibilities : sequence of float
        Values of :math:`v \in [0, 1]`.
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
    upper_bound : callable, optional
        The upper-bound route (:data:`UpperBoundRoute`); default :func:`default_upper_bound`, the
        rate dispatcher with its default (tightest) attack.
    insert_thresholds : bool
        Add the zeros of the bounds (``thresholds``: ``cc_zero``, ``dw_zero_leakage``,
        ``best_lower_zero`` and, at :math:`L = 0`, ``dw_zero``) inside the grid's range to the
        grid, so that a curve drawn through the points drops to zero exactly there.
    callback : callable, optional
        ``callback(1)`` after every point (progress bars live in the CLI).

    Returns
    -------
    WernerWindow

    Examples
    --------
    >>> w = werner_window([0.5, 0.86, 0.95], 0.1)
    >>> [round(float(x), 4) for x in w.upper], [round(float(x), 4) for x in w.best_lower]
    ([0.0418, 0.4959, 0.716], [0.0, 0.0103, 0.4864])
    >>> w.best_lower_method[1], float(w.di_lower_leakage[1])    # the plain CHSH bound beside it
    ('asymmetric_chsh_noisy_preprocessing', 0.0)
    """
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    route = default_upper_bound if check_callback("upper_bound", upper_bound) is None else upper_bound
    check_callback("callback", callback)
    try:
        vis = np.asarray(visibilities, dtype=float).ravel()
    except (TypeError, ValueError, OverflowError):
        raise InputError("visibilities must be a sequence of numbers in [0, 1]") from None
    if vis.size == 0:
        raise InputError("visibilities must not be empty")
    vis = np.array([check_probability("visibility", v) for v in vis])

    def evaluate(grid: NDArray) -> dict:
        upper, statuses, description = route(grid, leakage, model)
        out = {"upper": np.asarray(upper, dtype=float), "statuses": list(statuses), "description": description,
               "best": [], "winner": [], "flip": [], "alpha": [], "di0": [], "dil": [], "chsh": [], "qber": []}
        for v in grid:
            d = di_lower_bound(werner_state(float(v)))
            if d.chsh <= 2:
                # d.chsh is the largest CHSH value over all settings (Horodecki criterion), so every
                # CHSH inequality of the box holds; in its 3 x 2 binary scenario these are the only
                # facets (Collins & Gisin, J. Phys. A 37, 1775 (2004)): a local box, no DI key
                value, winner, flip, alpha = 0.0, NO_VIOLATION, 0.0, 1.0
            else:
                b = _best(v, leakage, model)
                value, winner, flip, alpha = b.value, b.winner, b.flip, b.alpha
                if value <= 0:   # no bound proves key: naming the least negative one would mislead
                    winner = NO_BOUND
            for key, val in (("best", value), ("winner", winner), ("flip", flip), ("alpha", alpha),
                             ("di0", d.value), ("dil", chsh_dw_rate(d.chsh, d.qber, leakage, model)),
                             ("chsh", d.chsh), ("qber", d.qber)):
                out[key].append(val)
            if callback is not None:
                callback(1)
        return out

    res = evaluate(vis)
    order = np.argsort(vis)
    thresholds = werner_window_thresholds(
        leakage, model, upper_bound=route,
        best_bracket=_bracket(vis[order], np.asarray(res["best"])[order]),
        upper_bracket=_bracket(vis[order], res["upper"][order]))
    if insert_thresholds:
        zeros = [thresholds[k] for k in ("cc_zero", "dw_zero_leakage", "best_lower_zero")]
        if leakage == 0:
            zeros.append(thresholds["dw_zero"])
        extra = np.array(sorted({z for z in zeros if z is not None and vis.min() < z < vis.max()} - set(vis)))
        if extra.size:
            more = evaluate(extra)
            vis = np.concatenate([vis, extra])
            for key, val in more.items():
                if key != "description":
                    res[key] = list(res[key]) + list(val)
            order = np.argsort(vis, kind="stable")
            vis = vis[order]
            res = {k: (v if k == "description" else [v[i] for i in order]) for k, v in res.items()}
    arr = {k: np.asarray(res[k], dtype=float) for k in ("upper", "best", "flip", "alpha", "di0", "dil", "chsh", "qber")}
    return WernerWindow(vis, arr["upper"], arr["best"], tuple(res["winner"]), arr["flip"], arr["alpha"], arr["di0"],
                        arr["dil"], arr["chsh"], arr["qber"], leakage, model, res["description"], thresholds,
                        tuple(res["statuses"]),
                        f"upper: {res['description']}; lower: the best DI lower bound "
                        "(qkdbounds.di.preprocessing.best_lower_bound: CHSH DW, noisy preprocessing, "
                        "asymmetric CHSH with/without preprocessing) on the Bell box at eta = 1 with the "
                        "CHSH-optimal settings, collective attacks, leakage as in di.preprocessing; plain "
                        "CHSH DW rate kept beside it")
