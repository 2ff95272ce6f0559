r"""Structured Z-basis bounds for any N and d, vectorised (no :math:`d^N`-sized object).

With every party measuring the computational basis, the isotropic GHZ statistics depend only on
whether an outcome string is *constant* (:math:`d` strings, :math:`p^{ent} = 1/d`) or not
(:math:`K = d^N - d` strings, :math:`p^{ent} = 0`); :math:`p^{sep} = (p^{ent} + 1/d)/(1+D)`,
:math:`D = d^{N-1}` (appendix before Eq. 17).  The problem is invariant under relabelling the
symbols (:math:`S_d`) and permuting the parties (:math:`S_N`), and the alternating minimisation of
:mod:`qkdbounds.attacks.eve` started from the symmetric (uniform) reference stays symmetric.  For
the uniform reference the convex step has a closed form.  Write the "?" class through its total
mass on constant strings, :math:`A`, and on the other strings, :math:`B` (:math:`M = A + B`):

* paper attack (Eq. 12): :math:`\gamma = 0` on constant strings, :math:`\gamma = 1` on the others
  unless the uniform distribution is reachable, :math:`c_1 \le s_0` (then the bound is exactly 0
  — the threshold of Eqs. 18/21).  Here :math:`A = (1-q_v)(1-L_u)` (:math:`L_u = L` in the
  uniform model, 0 in the junk model) and :math:`B = q_v L (D-1)/(D+1)`;
* extended attack: in addition the phase-randomised product rounds (uniform outcome
  distribution, total mass :math:`W = q_v(1-L)D/(1+D)`) are forgotten into "?", which adds
  :math:`W/D` to :math:`A` and :math:`W(D-1)/D` to :math:`B`.  Forgetting all of them is optimal:
  along :math:`m + \eta\,w\,\mathbf 1` the objective :math:`D(m\,\|\,M\,u)` is convex in
  :math:`\eta` and tends to 0 as :math:`\eta\to\infty`, hence non-increasing on
  :math:`[0, 1]` (so :math:`\eta = 1`);

and since the marginals of a symmetric "?" class are uniform,

.. math::

    (N-1)\,R = A\left[\log_2\frac{A}{M} + \log_2 D\right]
             + B\left[\log_2\frac{B}{M} + \log_2\frac{D}{D-1}\right].

Everything is written with :math:`1/D`, so :math:`D = 2^{10^4}` (N = 1000 parties of dimension
1024) needs no big number.  Every operation is an array operation: a grid of :math:`10^6`
(visibility, leakage) points costs tens of milliseconds.  That the symmetric point is the global
minimum is checked against the multistart minimiser on the full :math:`d^N` problem for small
(d, N) in ``tests/bounds/test_symmetric.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_choice, check_int
from ..states.isotropic import inverse_big_d

__all__ = ["z_basis_bound", "z_basis_bounds", "ZBasisBounds", "SYMMETRIC_ATTACKS",
           "ZERO_KEY_SLACK", "check_unit_array"]

SYMMETRIC_ATTACKS = ("paper", "extended")

#: Relative slack of the zero-key test :math:`c_1 \le s_0` (rounding of :math:`q_v`).
ZERO_KEY_SLACK = 1e-12


def check_unit_array(name: str, values: ArrayLike) -> NDArray[np.float64]:
    """``values`` as a float array with every entry in [0, 1], or :class:`InputError`."""
    try:
        if values is None or isinstance(values, bool):   # (numpy would read None as NaN)
            raise TypeError
        raw = np.asarray(values)
        # (bools as 0/1; complex: numpy would drop the imaginary part; strings: numpy would
        # parse "0.1", where a scalar argument of the API is refused)
        if raw.dtype.kind in "bcUS":
            raise TypeError
        arr = raw.astype(float, copy=False)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a number or an array of real numbers in [0, 1], "
                         f"got {values!r:.60}") from None
    if arr.size == 0:
        raise InputError(f"{name} must not be empty")
    bad = ~np.isfinite(arr) | (arr < 0.0) | (arr > 1.0)
    if bad.any():
        first = arr.ravel()[np.flatnonzero(bad.ravel())[0]]
        raise InputError(f"{name} must be in [0.0, 1.0], got {float(first)!r}")
    return arr


@dataclass(frozen=True)
class ZBasisBounds:
    """Arrays (broadcast shape of visibility and leakage) of the structured Z-basis solution.

    Attributes
    ----------
    value : ndarray
        :math:`\\frac{1}{N-1} p(?)\\,TC(A|?)` in bits (Eq. 29).
    zero_key : ndarray of bool
        The uniform "?" class is reachable (or the state is separable): the bound is exactly 0.
    q : ndarray
        CC weight :math:`q_v` of Eq. (8).
    gamma_constant, gamma_other : ndarray
        Eve's :math:`\\gamma` on constant strings and on every other string (Eq. 12).
    forgotten_flag_fraction : ndarray
        :math:`\\eta`, the fraction of product (uniform-flag) rounds forgotten (extended attack).
    p_question : ndarray
        :math:`p(e=?)`.
    """

    value: NDArray[np.float64]
    zero_key: NDArray[np.bool_]
    q: NDArray[np.float64]
    gamma_constant: NDArray[np.float64]
    gamma_other: NDArray[np.float64]
    forgotten_flag_fraction: NDArray[np.float64]
    p_question: NDArray[np.float64]


def _xlog2_ratio(x, total):
    """:math:`x\\log_2(x/M)` with :math:`0\\log 0 = 0`."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = x * (np.log2(x) - np.log2(total))
    return np.where(x > 0, out, 0.0)


def z_basis_bounds(local_dim: int, n_parties: int, visibility: ArrayLike, leakage: ArrayLike,
                   model: str = "uniform", attack: str = "paper") -> ZBasisBounds:
    r"""Z-basis rate bound :math:`\frac{1}{N-1}\min_\gamma p(?)TC(A|?)` on arrays of (v, L).

    Parameters
    ----------
    local_dim, n_parties : int
        :math:`d \ge 2`, :math:`N \ge 2` (any size: only :math:`\log_2 D` and :math:`1/D` enter).
    visibility, leakage : float or array_like
        :math:`v, L \in [0, 1]`, broadcast against each other.
    model : {"uniform", "junk"}
        Leakage model (Eq. 11 or Eq. 20).
    attack : {"paper", "extended"}

    Returns
    -------
    ZBasisBounds
        Arrays of the broadcast shape.

    Raises
    ------
    InputError
        Out-of-range or non-broadcastable inputs.

    Examples
    --------
    >>> round(float(z_basis_bounds(2, 2, 0.9, 0.1).value), 6)
    0.726476
    >>> z_basis_bounds(2, 2, [0.3, 0.9], 0.1).zero_key.tolist()
    [True, False]
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    v = check_unit_array("visibility", visibility)
    leak = check_unit_array("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("attack", attack, SYMMETRIC_ATTACKS)
    try:
        v, leak = np.broadcast_arrays(v, leak)
    except ValueError:
        raise InputError(f"visibility and leakage must broadcast, got shapes {np.shape(v)} "
                         f"and {np.shape(leak)}") from None
    log2_big_d = (n - 1) * math.log2(d)              # log2 D, D = d^(N-1)
    inv_d = inverse_big_d(d, n)                      # 1/D (0 for huge D: the exact limit)
    log2_d_over_dm1 = -math.log1p(-inv_d) / math.log(2)
    # Eq. (8): q_v = (1+D)(1-v)/D, 1 - q_v = v - (1-v)/D, without cancellation for huge D
    q = np.minimum(1.0, (1.0 - v) * (1.0 + inv_d))
    one_minus_q = np.maximum(0.0, v - (1.0 - v) * inv_d)
    leak_u = leak if model == "uniform" else np.zeros_like(leak)
    sep_fraction = inv_d / (1.0 + inv_d)             # 1/(1+D)
    a_mass = one_minus_q * (1.0 - leak_u)            # d * c_1
    s0_times_d = q * leak * sep_fraction             # d * s_0 (leaked product mass per string * d)
    separable = v < sep_fraction
    # c_1 <= s_0: gamma_other = c_1/s_0 makes "?" uniform (Eqs. 16-18, 21)
    zero = separable | (a_mass <= s0_times_d * (1.0 + ZERO_KEY_SLACK))
    b_mass = q * leak * (1.0 - inv_d) / (1.0 + inv_d)  # K s_0, K = d^N - d
    # p(?) of the uniform "?" class in the zero-key case: d^N c_1 = D A
    p_uniform = a_mass / inv_d if inv_d > 0 else np.where(a_mass > 0, np.inf, 0.0)
    # Eve's gamma on non-constant strings in the zero-key case: c_1/s_0 (paper masses, eta = 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gamma_zero = np.where(s0_times_d > 0, a_mass / np.where(s0_times_d > 0, s0_times_d, 1), 0)
    eta = np.zeros_like(v)
    if attack == "extended":
        w_total = q * (1.0 - leak) / (1.0 + inv_d)   # q (1-L) D/(1+D)
        a_mass = a_mass + w_total * inv_d
        b_mass = b_mass + w_total * (1.0 - inv_d)
        eta = np.where(zero | (w_total <= 0), 0.0, 1.0)
    total = a_mass + b_mass
    value = (_xlog2_ratio(a_mass, total) + a_mass * log2_big_d
             + _xlog2_ratio(b_mass, total) + b_mass * log2_d_over_dm1)
    value = np.where(zero, 0.0, np.maximum(value, 0.0) / (n - 1))
    gamma_other = np.where(zero, np.where(separable, 0.0, np.minimum(gamma_zero, 1.0)), 1.0)
    p_question = np.where(separable, 0.0, np.where(zero, p_uniform, total))
    return ZBasisBounds(value=value, zero_key=zero, q=q, gamma_constant=np.zeros_like(v),
                        gamma_other=gamma_other, forgotten_flag_fraction=eta,
                        p_question=p_question)


def no_attack_bounds(local_dim: int, n_parties: int, visibility: ArrayLike, leakage: ArrayLike,
                     model: str = "uniform") -> NDArray[np.float64]:
    r"""The no-attack (trivial) bound at Z bases: :math:`(1-L_u)\,TC/(N-1)` bits, on arrays.

    Eve only keeps the leaked rounds' outcomes (uniform model, :math:`L_u = L`); in the junk
    model only separable rounds leak and without an attack there are none (:math:`L_u = 0`).
    :math:`TC` is the total correlation of the honest Z distribution: mass
    :math:`c = v + (1-v)/D` on the :math:`d` constant strings, uniform marginals, so
    :math:`TC = c\log_2 D + c\log_2 c + (1-v)(1-1/D)\log_2(1-v)` (no big number).

    Examples
    --------
    >>> float(no_attack_bounds(2, 2, 1.0, 0.1)), float(no_attack_bounds(2, 2, 1.0, 0.1, "junk"))
    (0.9, 1.0)
    >>> float(no_attack_bounds(3, 4, 0.0, 0.0))
    0.0
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    v = check_unit_array("visibility", visibility)
    leak = check_unit_array("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    try:
        v, leak = np.broadcast_arrays(v, leak)
    except ValueError:
        raise InputError(f"visibility and leakage must broadcast, got shapes {np.shape(v)} "
                         f"and {np.shape(leak)}") from None
    log2_big_d = (n - 1) * math.log2(d)
    inv_d = inverse_big_d(d, n)
    w = 1.0 - v
    c = v + w * inv_d
    tc = (c * log2_big_d + _xlog2_ratio(c, 1.0)
          + (1.0 - inv_d) * _xlog2_ratio(w, 1.0))
    tc = np.clip(tc, 0.0, None)
    leak_u = leak if model == "uniform" else np.zeros_like(leak)
    return (1.0 - leak_u) * tc / (n - 1)


def z_basis_bound(local_dim: int, n_parties: int, visibility: float, leakage: float,
                  model: str = "uniform", attack: str = "paper") -> dict:
    r"""Scalar form of :func:`z_basis_bounds` (a dict of floats).

    Returns a dict with ``value`` (bits), ``zero_key``, ``gamma_constant``, ``gamma_other``,
    ``eta`` (fraction of forgotten product flags, extended attack), ``p_question`` and ``q``.

    Examples
    --------
    >>> round(z_basis_bound(2, 2, 0.9, 0.1)["value"], 6)
    0.726476
    >>> z_basis_bound(2, 30, 0.5, 0.1)["value"] > 0
    True
    """
    sol = z_basis_bounds(local_dim, n_parties, visibility, leakage, model, attack)
    return dict(value=float(sol.value), zero_key=bool(sol.zero_key), q=float(sol.q),
                gamma_constant=float(sol.gamma_constant), gamma_other=float(sol.gamma_other),
                eta=float(sol.forgotten_flag_fraction), p_question=float(sol.p_question))
