r"""Lower bound on the key rate of the isotropic GHZ source (Devetak-Winter, leakage-aware).

The honest parties measure the computational (Z) basis; party 1's outcome :math:`X` is the raw
key; Eve holds the purification of :math:`\rho = v|\phi_{d,N}\rangle\langle\phi_{d,N}|
+ (1-v)I/d^N`.  The Devetak-Winter rate (Devetak & Winter, Proc. R. Soc. A 461, 207 (2005)) with
one-way error correction from party 1 to every other party (conference key: the cost is the
largest :math:`H(A_1|A_j)`) and a fraction :math:`L` of leaked rounds whose outcome Eve learns
(the parties do not know which rounds leaked) is

.. math::

    r = \max\Bigl(0,\ (1-L)\,H(X|E) - \max_{j\ge 2} H(A_1|A_j)\Bigr),\qquad
    H(X|E) = H(X) + \sum_x p(x)\,S(\rho_{\rm rest|x}) - S(\rho),

(pure global state: :math:`S(E) = S(\rho)`, :math:`S(E|x) = S({\rm rest}|x)`).  For the isotropic
GHZ state every quantity is a closed form: :math:`H(X) = \log_2 d`; :math:`\rho` has one
eigenvalue :math:`v + (1-v)/d^N` and :math:`d^N - 1` eigenvalues :math:`(1-v)/d^N`;
:math:`\rho_{\rm rest|x} = v|x\ldots x\rangle\langle x\ldots x| + (1-v)I/D` (:math:`D = d^{N-1}`)
for every :math:`x`; the pair distribution of :math:`(A_1, A_j)` puts :math:`v/d + (1-v)/d^2` on
each equal pair and :math:`(1-v)/d^2` elsewhere.  The same form is used for both leakage models
(in the junk model the honest source has no separable rounds to leak, so the uniform form is the
conservative one).  Derivation: ``docs/lower_bounds.md``; dense check against an explicit
purification in ``tests/bounds/test_isotropic_lower.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import check_int
from ..states.isotropic import inverse_big_d

__all__ = ["isotropic_lower_bound", "conditional_entropy_x_given_e", "error_correction_cost",
           "LOWER_BOUND_METHOD"]

LOWER_BOUND_METHOD = (
    "Devetak-Winter rate (Proc. R. Soc. A 461, 207 (2005)) of the isotropic GHZ state at Z bases, "
    "Eve holding the purification; one-way error correction from party 1, cost max_j H(A1|Aj); "
    "leaked rounds (fraction L, uniform form for both models) give Eve the outcome: "
    "max(0, (1-L) H(X|E) - max_j H(A1|Aj)) bits per round")


def _xlog2x(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log2(np.where(x > 0, x, 1.0)), 0.0)


def _minus_one_minus_v_log(one_minus_v):
    """``-(1-v) log2 (1-v)`` with the 0 log 0 = 0 convention."""
    return -_xlog2x(one_minus_v)


def conditional_entropy_x_given_e(local_dim: int, n_parties: int,
                                  visibility: ArrayLike) -> NDArray[np.float64]:
    r""":math:`H(X|E)` (bits) of party 1's Z outcome against the purifying Eve (no leakage).

    Examples
    --------
    >>> float(conditional_entropy_x_given_e(2, 2, 1.0)), float(conditional_entropy_x_given_e(3, 2, 0.0))
    (1.0, 0.0)
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    v = np.asarray(visibility, dtype=float)
    w = 1.0 - v
    log2_d = math.log2(d)
    log2_big_d = (n - 1) * log2_d
    inv_d = inverse_big_d(d, n)                # 1/D
    inv_dd = inv_d / d                         # 1/(d D) = 1/d^N
    lam_rest = v + w * inv_d                   # largest eigenvalue of rho_rest|x
    lam_all = v + w * inv_dd                   # largest eigenvalue of rho
    # S(M) = -lam log lam + (1-v)(1-1/M)(log2 M - log2(1-v)); the difference S(D) - S(dD):
    diff = (-_xlog2x(lam_rest) + _xlog2x(lam_all)
            + w * (log2_big_d * (inv_dd - inv_d) - (1.0 - inv_dd) * log2_d)
            + _minus_one_minus_v_log(w) * ((1.0 - inv_d) - (1.0 - inv_dd)))
    return np.clip(log2_d + diff, 0.0, log2_d)


def error_correction_cost(local_dim: int, visibility: ArrayLike) -> NDArray[np.float64]:
    r""":math:`H(A_1|A_j)` (bits) at Z bases, the same for every :math:`j \ge 2`.

    Examples
    --------
    >>> float(error_correction_cost(2, 1.0)), float(error_correction_cost(2, 0.0))
    (0.0, 1.0)
    """
    d = check_int("local_dim", local_dim, 2)
    v = np.asarray(visibility, dtype=float)
    w = 1.0 - v
    log2_d = math.log2(d)
    c = v + w / d                               # mass on the d equal pairs
    h_joint = c * log2_d - _xlog2x(c) + w * (1 - 1 / d) * 2 * log2_d \
        + _minus_one_minus_v_log(w) * (1 - 1 / d)
    return np.clip(h_joint - log2_d, 0.0, log2_d)


def isotropic_lower_bound(local_dim: int, n_parties: int, visibility: ArrayLike,
                          leakage: ArrayLike, model: str = "uniform") -> NDArray[np.float64]:
    r"""Leakage-aware Devetak-Winter lower bound (bits per round) on arrays of (v, L).

    ``model`` is accepted for symmetry with the upper bound; both models use the uniform form
    (module docstring).

    Examples
    --------
    >>> round(float(isotropic_lower_bound(2, 2, 0.95, 0.0)), 4)
    0.7099
    >>> float(isotropic_lower_bound(2, 2, 0.7, 0.0))
    0.0
    >>> float(isotropic_lower_bound(2, 3, 1.0, 0.25))
    0.75
    """
    v, leak = np.broadcast_arrays(np.asarray(visibility, dtype=float),
                                  np.asarray(leakage, dtype=float))
    hxe = conditional_entropy_x_given_e(local_dim, n_parties, v)
    ec = error_correction_cost(local_dim, v)
    return np.maximum(0.0, (1.0 - leak) * hxe - ec)
