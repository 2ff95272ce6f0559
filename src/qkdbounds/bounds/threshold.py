r"""Visibility thresholds below which the CC attack leaves no key (paper 1, Thms. 1-2, Eqs. 16-22).

Derivation (Appendix A).  With :math:`D = d^{N-1}` and the worst measurement (some
:math:`p^{ent}(\vec a') = 1/d` next to some :math:`p^{ent}(\vec a) = 0`, e.g. the Z basis),
Eve can make the "?" class uniform iff :math:`\gamma \le 1` in Eq. (17):

* uniform leakage: :math:`(1+D)(1-L)(1-q_v) \le q_v L` (Eq. 18);
* junk-only leakage: :math:`(1+D)(1-q_v) \le q_v L` (Eq. 21);

and :math:`q_v = (1+D)(1-v)/D` (Eq. 8) turns these into

.. math::

    v^*_{uniform} = \frac{1}{1 + D(1-L)}, \qquad v^*_{junk} = \frac{1+L}{1+D+L}.

The first equality of Eq. (19) gives :math:`v^*_{uniform}` above; the second equality of Eq. (19),
Theorem 1(i) and Theorem 2(i) print :math:`\frac{1}{1+D} + \frac{DL}{(1+D)(1-L)+L}` instead, which
is not equal to it (see ``docs/errata.md``).  The junk-model formula (Eq. 22) agrees.

The numeric route bisects on the rate bound itself: the largest visibility at which Eve's
optimal :math:`\gamma` certifies zero key for the optimal (Z) measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._tolerances import XTOL_THRESHOLD
from ..errors import LEAKAGE_MODELS
from ..errors import InputError, check_choice, check_int, check_real
from ..states.isotropic import separable_visibility
from ..states.isotropic import inverse_big_d
from ..status import Status, StatusField
from .rate import rate_upper_bound
from .symmetric import check_unit_array

__all__ = [
    "Threshold",
    "visibility_threshold",
    "threshold_closed_form",
    "threshold_paper_printed",
    "npt_threshold",
]


@dataclass(frozen=True, eq=False)
class Threshold(StatusField):
    """Threshold visibility with both routes and the paper's printed value.

    Attributes
    ----------
    value : float
        The threshold we stand by (the derived closed form, checked numerically).
    closed_form, numeric, paper_value, npt_threshold : float
    agreement : float
        ``|closed_form - numeric|``.
    method : str
    status : Status
        ``closed_form`` when the closed form stands (checked by the numeric route to 1e-6 at
        every point, or the numeric route not asked for); ``heuristic`` when the two routes
        disagree (``message`` gives the largest disagreement).
    tolerance : float
    message : str
    """

    value: float
    closed_form: float
    numeric: float | None
    paper_value: float
    npt_threshold: float
    agreement: float | None
    method: str
    status: Status
    tolerance: float
    message: str = ""

    @property
    def paper_disagrees(self):
        """Printed formula differs from the derived one (bool, or bool array)."""
        diff = np.abs(np.asarray(self.paper_value) - np.asarray(self.closed_form)) > 1e-9
        return bool(diff) if diff.ndim == 0 else diff


def npt_threshold(local_dim: int, n_parties: int) -> float:
    """:math:`1/(1+d^{N-1})`: above it :math:`\\rho_v` is NPT across every bipartition."""
    return separable_visibility(check_int("local_dim", local_dim, 2), check_int("n_parties", n_parties, 2))


def _closed_form_inputs(local_dim, n_parties, leakage, model):
    """Checked inputs of the closed forms: :math:`1/D` and the leakage array (InputError)."""
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    check_choice("model", model, LEAKAGE_MODELS)
    return inverse_big_d(d, n), np.asarray(check_unit_array("leakage", leakage), dtype=float)


def threshold_closed_form(local_dim: int, n_parties: int, leakage: ArrayLike,
                          model: str = "uniform") -> float | NDArray[np.float64]:
    """Derived threshold: :math:`1/(1+D(1-L))` (uniform, Eq. 19 first form) or
    :math:`(1+L)/(1+D+L)` (junk, Eq. 22), with :math:`D = d^{N-1}`; arrays of L allowed.

    Written with :math:`1/D`, so it holds for any D (N = 1000, d = 1024)."""
    inv, leak = _closed_form_inputs(local_dim, n_parties, leakage, model)
    if model == "uniform":
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(leak < 1, inv / (inv + (1.0 - leak)), 1.0)
    else:
        out = (1.0 + leak) * inv / ((1.0 + leak) * inv + 1.0)
    return float(out) if out.ndim == 0 else out


def threshold_paper_printed(local_dim: int, n_parties: int, leakage: ArrayLike,
                            model: str = "uniform") -> float | NDArray[np.float64]:
    """The formula as printed in Theorems 1-2 (and Eqs. 19, 22, second forms); arrays of L
    allowed.  May exceed 1: it is not a visibility for large L (docs/errata.md, E1.1)."""
    inv, leak = _closed_form_inputs(local_dim, n_parties, leakage, model)
    first = inv / (1.0 + inv)                     # 1/(1+D)
    with np.errstate(divide="ignore", invalid="ignore"):
        if model == "uniform":   # 1/(1+D) + D L / ((1+D)(1-L) + L), numerator, denominator / D
            out = first + leak / ((1.0 + inv) * (1.0 - leak) + leak * inv)
        else:                    # 1/(1+D) + D L / ((1+D)(L+1+D)), / D^2
            out = first + leak * inv / ((1.0 + inv) * (1.0 + inv + leak * inv))
    return float(out) if out.ndim == 0 else out


def _zero_key(d, n, v, leakage, model):
    """Zero-key certificate of the paper attack's rate bound at visibilities ``v`` (the
    dispatcher's route); the threshold is the paper attack's."""
    return np.asarray(rate_upper_bound(d, n, v, leakage, model, attack="paper").zero_key)


def numeric_threshold(local_dim: int, n_parties: int, leakage: ArrayLike, model: str = "uniform",
                      xtol: float = XTOL_THRESHOLD) -> float | NDArray[np.float64]:
    """Largest visibility with a zero-key certificate of the rate bound (bisection).

    Bisects on the zero-key certificate returned by :func:`~qkdbounds.rate_upper_bound` (the
    same route as every rate question), for all leakages of an array at once.
    """
    leak = np.asarray(check_unit_array("leakage", leakage), dtype=float)
    xtol = check_real("xtol", xtol, 1e-15, 0.5)     # (xtol <= 0 would bisect forever)
    lo = np.full(leak.shape, separable_visibility(local_dim, n_parties))  # zero key at/below
    hi = np.ones(leak.shape)
    top = _zero_key(local_dim, n_parties, hi, leak, model)
    while np.max(hi - lo) > xtol:
        mid = 0.5 * (lo + hi)
        zero = _zero_key(local_dim, n_parties, mid, leak, model)
        lo = np.where(zero, mid, lo)
        hi = np.where(zero, hi, mid)
    out = np.where(top, 1.0, 0.5 * (lo + hi))
    return float(out) if out.ndim == 0 else out


#: Largest leakage grid of :func:`visibility_threshold` with the numeric bisection (the CLI's).
MAX_NUMERIC_POINTS = 1_000_000


def visibility_threshold(local_dim: int, n_parties: int, leakage: ArrayLike, model: str = "uniform",
                         *, numeric: bool = True) -> Threshold:
    r"""Visibility at or below which Eve's CC attack leaves no key (Theorems 1-2).

    Parameters
    ----------
    local_dim, n_parties : int
    leakage : float or array_like
        :math:`L \in [0, 1]`; an array gives a :class:`Threshold` whose numeric fields are
        arrays of the same shape (all evaluated as array operations).
    model : {"uniform", "junk"}
    numeric : bool
        Also compute the numeric zero crossing of the rate bound (bisection to 1e-10 on the
        zero-key certificate of :func:`~qkdbounds.rate_upper_bound`).

    Returns
    -------
    Threshold
        ``status`` is ``closed_form`` when the two routes agree to 1e-6 at every point (or only
        the closed form was asked for), ``heuristic`` when they disagree; ``message`` says which.

    Raises
    ------
    ValueError (:class:`~qkdbounds.errors.InputError`)
        d < 2, N < 2, L outside [0, 1], unknown model.

    Examples
    --------
    >>> t = visibility_threshold(2, 2, 0.1)
    >>> round(t.closed_form, 6), round(t.paper_value, 6)
    (0.357143, 0.404762)
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    leakage = check_unit_array("leakage", leakage)
    scalar = leakage.ndim == 0
    if scalar:
        leakage = float(leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    if numeric and not scalar and leakage.size > MAX_NUMERIC_POINTS:
        raise InputError(f"leakage grid of {leakage.size} points with the numeric bisection (~2e-5 s "
                         f"a point); allowed: at most {MAX_NUMERIC_POINTS} (numeric=False: the "
                         f"closed form alone, no limit)")
    closed = threshold_closed_form(d, n, leakage, model)
    paper = threshold_paper_printed(d, n, leakage, model)
    num = numeric_threshold(d, n, leakage, model) if numeric else None
    agreement = None if num is None else (abs(closed - num) if scalar else np.abs(closed - num))
    if num is None:
        status, message = Status.CLOSED_FORM, "closed form only (numeric=False)"
    elif np.max(agreement) < 1e-6:
        status, message = Status.CLOSED_FORM, ("closed form verified: the numeric bisection "
                                               "agrees to 1e-6 at every point")
    else:
        status, message = Status.HEURISTIC, (f"the closed form and the numeric bisection "
                                             f"disagree by up to {np.max(agreement):.3g}")
    return Threshold(closed, closed, num, paper, npt_threshold(d, n), agreement,
                     "closed form (Appendix A derivation) + bisection on the zero-key certificate",
                     status, XTOL_THRESHOLD, message)
