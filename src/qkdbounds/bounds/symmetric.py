r"""Structured Z-basis bounds for any N and d (no :math:`d^N`-sized object).

With every party measuring the computational basis, the isotropic GHZ statistics depend only on
whether an outcome string is *constant* (:math:`d` strings, :math:`p^{ent} = 1/d`) or not
(:math:`K = d^N - d` strings, :math:`p^{ent} = 0`); :math:`p^{sep} = (p^{ent} + 1/d)/(1+D)`,
:math:`D = d^{N-1}` (appendix before Eq. 17).  The problem is invariant under relabelling the
symbols (:math:`S_d`) and permuting the parties (:math:`S_N`), and the alternating minimisation of
:mod:`qkdbounds.attacks.eve` started from the symmetric (uniform) reference stays symmetric.  For
the uniform reference the convex step has a closed form:

* paper attack: :math:`\gamma = 0` on constant strings, :math:`\gamma = 1` on the others unless
  the uniform distribution is reachable (then the bound is exactly 0 — the threshold of Eqs. 18/21);
  with :math:`m_1 = c_1` and :math:`m_0 = qL/(d(1+D))`, :math:`M = d m_1 + K m_0`,

  .. math:: p(?)\,TC(A|?) = d\,m_1\log_2\frac{m_1 d^N}{M} + K m_0\log_2\frac{m_0 d^N}{M};

* extended attack: in addition a fraction :math:`\eta` of the phase-randomised product rounds
  (uniform outcome distribution, mass :math:`q(1-L)D/(1+D)`) is forgotten; the objective is
  convex in :math:`\eta` and minimised by a bracketed root of its derivative.

All numbers are O(1) work: N = 30 qubits or d = 16 take microseconds.  That the symmetric point is
the global minimum is checked against the multistart minimiser on the full :math:`d^N` problem
for small (d, N) in ``tests/bounds/test_symmetric.py``.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

from ..errors import check_choice, check_int, check_probability
from ..states.isotropic import cc_weight

__all__ = ["z_basis_bound", "SYMMETRIC_ATTACKS"]

SYMMETRIC_ATTACKS = ("paper", "extended")


def _g(m1: float, m0: float, d: int, n_off: float, log_dn: float) -> float:
    mass = d * m1 + n_off * m0
    if mass <= 0:
        return 0.0
    out = 0.0
    for weight, m in ((d, m1), (n_off, m0)):
        if m > 0:
            out += weight * m * (math.log2(m / mass) + log_dn)
    return max(out, 0.0)


def z_basis_bound(local_dim: int, n_parties: int, visibility: float, leakage: float,
                  model: str = "uniform", attack: str = "paper") -> dict:
    r"""Z-basis rate bound :math:`\frac{1}{N-1}\min p(?)TC(A|?)` by the symmetric reduction.

    Returns a dict with ``value`` (bits), ``zero_key``, ``gamma_constant``, ``gamma_other``,
    ``eta`` (fraction of forgotten product flags, extended attack), ``p_question`` and ``q``.

    Examples
    --------
    >>> round(z_basis_bound(2, 2, 0.9, 0.1)["value"], 6)
    0.726476
    >>> z_basis_bound(2, 30, 0.5, 0.1)["value"] > 0
    True
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    v = check_probability("visibility", visibility)
    leak = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("attack", attack, SYMMETRIC_ATTACKS)
    big_d = float(d) ** (n - 1)
    n_off = float(d) ** n - d
    log_dn = n * math.log2(d)
    q = cc_weight(d, n, v)
    leak_q = leak if model == "uniform" else 0.0
    # "?" class per constant string (c_1) and the leaked separable mass per other string (s_0)
    # 1 - q_v = ((1+D)v - 1)/D, written without cancellation (q_v -> 1 for large N)
    one_minus_q = max(0.0, ((1 + big_d) * v - 1) / big_d)
    c1 = one_minus_q * (1 - leak_q) / d
    s0 = q * leak / (d * (1 + big_d)) if v >= 1 / (1 + big_d) else q * leak / d**n
    if v < 1 / (1 + big_d):  # fully separable state: Eve sends it all flagged
        return dict(value=0.0, zero_key=True, gamma_constant=0.0, gamma_other=0.0, eta=0.0,
                    p_question=0.0, q=q)
    if c1 <= s0 * (1 + 1e-12):  # uniform "?" reachable (relative slack: rounding of q_v): gamma_other = c1/s0 (Eq. 16), zero key
        return dict(value=0.0, zero_key=True, gamma_constant=0.0, gamma_other=c1 / s0 if s0 else 0.0,
                    eta=0.0, p_question=d**n * c1 if n_off < 1e300 else float("inf"), q=q)
    eta = 0.0
    if attack == "extended":
        w_u = q * (1 - leak) * big_d / (1 + big_d) / d**n  # per-string mass of the uniform flags

        def slope(e):  # derivative of the convex objective in eta (natural-log units / w_u)
            m1, m0 = c1 + e * w_u, s0 + e * w_u
            mass = d * m1 + n_off * m0
            return d * math.log(m1 / mass) + n_off * math.log(m0 / mass) + d**n * math.log(d) \
                if m0 > 0 else -math.inf

        if w_u > 0 and slope(1.0) >= 0 and slope(0.0) < 0:
            eta = brentq(slope, 0.0, 1.0, xtol=1e-15)
        elif w_u > 0 and slope(1.0) < 0:
            eta = 1.0
        c1, s0 = c1 + eta * w_u, s0 + eta * w_u
    value = _g(c1, s0, d, n_off, log_dn) / (n - 1)
    return dict(value=value, zero_key=False, gamma_constant=0.0, gamma_other=1.0, eta=eta,
                p_question=d * c1 + n_off * s0, q=q)
