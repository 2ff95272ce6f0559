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
from scipy.optimize import brentq

from .._tolerances import XTOL_THRESHOLD
from ..attacks.cc import LEAKAGE_MODELS
from ..errors import check_choice, check_int, check_probability
from ..states.isotropic import separable_visibility
from .rate import rate_upper_bound
from .symmetric import z_basis_bound

__all__ = [
    "Threshold",
    "visibility_threshold",
    "threshold_closed_form",
    "threshold_paper_printed",
    "npt_threshold",
]


@dataclass(frozen=True)
class Threshold:
    """Threshold visibility with both routes and the paper's printed value.

    Attributes
    ----------
    value : float
        The threshold we stand by (the derived closed form, checked numerically).
    closed_form, numeric, paper_value, npt_threshold : float
    agreement : float
        ``|closed_form - numeric|``.
    method, status : str
    tolerance : float
    """

    value: float
    closed_form: float
    numeric: float | None
    paper_value: float
    npt_threshold: float
    agreement: float | None
    method: str
    status: str
    tolerance: float

    @property
    def paper_disagrees(self) -> bool:
        return abs(self.paper_value - self.closed_form) > 1e-9


def npt_threshold(local_dim: int, n_parties: int) -> float:
    """:math:`1/(1+d^{N-1})`: above it :math:`\\rho_v` is NPT across every bipartition."""
    return separable_visibility(check_int("local_dim", local_dim, 2), check_int("n_parties", n_parties, 2))


def threshold_closed_form(local_dim: int, n_parties: int, leakage: float, model: str = "uniform") -> float:
    """Derived threshold: :math:`1/(1+D(1-L))` (uniform, Eq. 19 first form) or
    :math:`(1+L)/(1+D+L)` (junk, Eq. 22), with :math:`D = d^{N-1}`."""
    big_d = float(local_dim) ** (n_parties - 1)
    if model == "uniform":
        return 1.0 / (1.0 + big_d * (1.0 - leakage))
    return (1.0 + leakage) / (1.0 + big_d + leakage)


def threshold_paper_printed(local_dim: int, n_parties: int, leakage: float, model: str = "uniform") -> float:
    """The formula as printed in Theorems 1-2 (and Eqs. 19, 22, second forms)."""
    big_d = float(local_dim) ** (n_parties - 1)
    if model == "uniform":
        return 1 / (1 + big_d) + big_d * leakage / ((1 + big_d) * (1 - leakage) + leakage)
    return 1 / (1 + big_d) + big_d * leakage / ((1 + big_d) * (leakage + 1 + big_d))


#: Above this many outcome strings the bisection uses the symmetric Z-basis route (equal to the
#: general minimiser where both run: tests/bounds/test_symmetric.py).
BISECT_STRUCTURED_ABOVE = 256


def _zero_key(d, n, v, leakage, model) -> bool:
    if d**n > BISECT_STRUCTURED_ABOVE:
        return z_basis_bound(d, n, v, leakage, model)["zero_key"]
    r = rate_upper_bound(d, n, v, leakage, model, cut_bound=False, n_starts=2)
    return r.status == "optimal_zero"


def numeric_threshold(local_dim: int, n_parties: int, leakage: float, model: str = "uniform",
                      xtol: float = XTOL_THRESHOLD) -> float:
    """Largest visibility with a zero-key certificate of the rate bound (bisection)."""
    lo = separable_visibility(local_dim, n_parties)  # always zero key at/below this
    hi = 1.0
    if _zero_key(local_dim, n_parties, hi, leakage, model):
        return 1.0
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        if _zero_key(local_dim, n_parties, mid, leakage, model):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def visibility_threshold(local_dim: int, n_parties: int, leakage: float, model: str = "uniform",
                         *, numeric: bool = True) -> Threshold:
    r"""Visibility at or below which Eve's CC attack leaves no key (Theorems 1-2).

    Parameters
    ----------
    local_dim, n_parties : int
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
    numeric : bool
        Also compute the numeric zero crossing of the rate bound (bisection to 1e-10).

    Examples
    --------
    >>> t = visibility_threshold(2, 2, 0.1)
    >>> round(t.closed_form, 6), round(t.paper_value, 6)
    (0.357143, 0.404762)
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    closed = threshold_closed_form(d, n, leakage, model)
    paper = threshold_paper_printed(d, n, leakage, model)
    num = numeric_threshold(d, n, leakage, model) if numeric else None
    agreement = abs(closed - num) if num is not None else None
    status = "verified" if (agreement is not None and agreement < 1e-6) else (
        "closed_form_only" if num is None else "routes_disagree")
    return Threshold(closed, closed, num, min(paper, np.inf), npt_threshold(d, n), agreement,
                     "closed form (Appendix A derivation) + bisection on the zero-key certificate",
                     status, XTOL_THRESHOLD)
