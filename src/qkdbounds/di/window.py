r"""The window between a device-independent lower bound and our upper bounds, for Werner states.

For the two-qubit isotropic ("Werner") state :math:`\rho_v` (paper 1, Eq. 4) this module puts
side by side, for each visibility:

* ``upper`` -- our CC-attack upper bound with leakage :math:`L` (paper 1, Eq. 28; the engine
  :func:`qkdbounds.bounds.rate_upper_bound`, Z bases, which are tested optimal);
* ``di_lower`` -- the CHSH Devetak-Winter rate of Acín et al., PRL 98, 230501 (2007) with the
  optimal CHSH settings (:mod:`qkdbounds.di.chsh`), *without* leakage;
* ``di_lower_leakage`` -- the same rate with the leakage handed to Eve (our extension, see
  :mod:`qkdbounds.di.chsh`: ``uniform`` = :math:`(1-L)(1-h) - h(Q)`; ``junk`` = Eve-chosen
  leak timing, :math:`1-h-h(L)-L-h(Q)`);

and the thresholds: separability :math:`v = 1/3`; CHSH violation :math:`v = 1/\sqrt2`; zero of
the DW rate (:math:`v \approx 0.8570`, :math:`Q \approx 7.1\%`) without and with leakage; zero of
the CC bound :math:`v^* = 1/(1 + 2(1-L))` (uniform) or :math:`(1+L)/(3+L)` (junk), the derived
thresholds of :mod:`qkdbounds.bounds.threshold` (docs/errata.md, E1.1).

**What the window means -- and what it does not.**

1. *Upper side.*  The CC attack is an attack on the source and on the leaked classical outcomes;
   it reproduces the honest parties' statistics for every measurement, so it is available to Eve
   in the device-independent (DI) setting too, where she controls even more.  A DI protocol that
   announces its inputs (as the CHSH protocol does) is one of the announced-input protocols the
   bound covers.  Hence, **with the same leakage** :math:`L` **and leakage model**,
   :math:`K_{DI}^{L}(\rho_v) \le K_{DD}^{L}(\rho_v) \le` ``upper``.
2. *Lower side.*  Acín et al.'s rate is a lower bound on the DI key **against collective attacks
   and without leakage**: ``di_lower`` :math:`\le K_{DI}^{0}`.  It is *not* a lower bound
   in the leakage scenario: at :math:`v = 1`, :math:`L = 0.1` it equals 1 bit while ``upper`` is
   0.9.  The consistent window at leakage :math:`L` is therefore
   ``di_lower_leakage`` :math:`\le K_{DI}^{L} \le` ``upper``, which the tests check point by
   point; ``di_lower`` is shown for reference (the :math:`L = 0` literature curve).
3. Neither side is claimed tight: the DW rate uses the CHSH-optimal settings and collective
   attacks (coherent attacks need the entropy accumulation theorem), and the upper bound is for
   one attack family.  Between :math:`1/3` and the CC zero every DI and device-dependent
   announced-input protocol gives no key although the state is entangled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from ..attacks.cc import LEAKAGE_MODELS
from ..errors import InputError, check_choice, check_probability
from ..states.two_qubit import werner_state
from .chsh import chsh_dw_rate, chsh_threshold_werner, di_lower_bound, werner_dw_expression
from ..bounds.rate import ATTACKS, rate_upper_bound
from ..bounds.threshold import threshold_closed_form

__all__ = ["WernerWindow", "werner_window", "werner_window_thresholds"]


@dataclass(frozen=True)
class WernerWindow:
    """DI lower bounds and CC upper bounds on a grid of Werner visibilities.

    Attributes
    ----------
    visibilities, upper, di_lower, di_lower_leakage, chsh, qber : ndarray
        Per visibility: our upper bound with leakage, the DW-CHSH rate without and with leakage,
        the optimal CHSH value and the QBER of the key pair.
    leakage : float
    model : str
    attack : str
        Eve's attack used for ``upper``.
    thresholds : dict
        ``separable`` (1/3), ``chsh_violation`` (1/sqrt 2), ``dw_zero`` (L = 0),
        ``dw_zero_leakage`` (None if no key at any v), ``cc_zero``.
    statuses : tuple of str
        Status of the upper bound at each point.
    method : str
    """

    visibilities: NDArray[np.float64] = field(repr=False)
    upper: NDArray[np.float64] = field(repr=False)
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

    def rows(self) -> list[dict]:
        """One dict per visibility (CSV/JSON friendly)."""
        return [{"visibility": float(v), "upper": float(u), "di_lower": float(lo),
                 "di_lower_leakage": float(ll), "chsh": float(s), "qber": float(q),
                 "leakage": self.leakage, "model": self.model, "status": st}
                for v, u, lo, ll, s, q, st in zip(self.visibilities, self.upper, self.di_lower,
                                                  self.di_lower_leakage, self.chsh, self.qber,
                                                  self.statuses)]


def _leaky_raw(v: float, leakage: float, model: str) -> float:
    return werner_dw_expression(v, leakage, model)


def werner_window_thresholds(leakage: float, model: str = "uniform") -> dict:
    """The thresholds of the window (module docstring), as a dict of visibilities."""
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    dw = chsh_threshold_werner()
    lo, hi = 1 / np.sqrt(2) + 1e-12, 1.0
    if _leaky_raw(hi, leakage, model) <= 0:
        dw_leak = None
    elif leakage == 0:
        dw_leak = dw.visibility
    else:
        dw_leak = float(brentq(_leaky_raw, lo, hi, args=(leakage, model), xtol=1e-14))
    return {"separable": 1 / 3, "chsh_violation": float(1 / np.sqrt(2)), "dw_zero": dw.visibility,
            "dw_zero_qber": dw.qber, "dw_zero_leakage": dw_leak,
            "cc_zero": threshold_closed_form(2, 2, leakage, model)}


def werner_window(
    visibilities: Sequence[float],
    leakage: float,
    model: str = "uniform",
    *,
    attack: str = "paper",
    callback: Callable[[int], None] | None = None,
) -> WernerWindow:
    r"""DI CHSH lower bounds and CC upper bounds with leakage for Werner states (module docstring).

    Parameters
    ----------
    visibilities : sequence of float
        Values of :math:`v \in [0, 1]`.
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
    attack : str
        Eve's attack for the upper bound (see :func:`qkdbounds.bounds.rate_upper_bound`).
    callback : callable, optional
        ``callback(1)`` after every point (progress bars live in the CLI).

    Returns
    -------
    WernerWindow

    Examples
    --------
    >>> w = werner_window([0.5, 0.95], 0.1)
    >>> [round(float(x), 4) for x in w.upper], [round(float(x), 4) for x in w.di_lower_leakage]
    ([0.1328, 0.8104], [0.0, 0.4683])
    """
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    check_choice("attack", attack, ATTACKS)
    try:
        vis = np.asarray(visibilities, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError("visibilities must be a sequence of numbers in [0, 1]") from None
    if vis.size == 0:
        raise InputError("visibilities must not be empty")
    vis = np.array([check_probability("visibility", v) for v in vis])
    # the upper bound: one dispatcher call on the whole grid (structured route for paper/extended)
    r = rate_upper_bound(2, 2, vis, leakage, model, attack=attack, n_starts=2)
    upper, statuses = r.value.tolist(), r.status.tolist()
    di0, dil, chsh, qber = [], [], [], []
    for v in vis:
        d = di_lower_bound(werner_state(float(v)))
        di0.append(d.value)
        dil.append(chsh_dw_rate(d.chsh, d.qber, leakage, model))
        chsh.append(d.chsh)
        qber.append(d.qber)
        if callback is not None:
            callback(1)
    return WernerWindow(vis, np.array(upper), np.array(di0), np.array(dil), np.array(chsh),
                        np.array(qber), leakage, model, attack, werner_window_thresholds(leakage, model),
                        tuple(statuses),
                        f"upper: rate_upper_bound (Z bases, attack={attack}); lower: CHSH DW rate "
                        "(Acin et al. 2007) with optimal CHSH settings, leakage as in di.chsh")
