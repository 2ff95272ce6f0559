r"""Device-independent lower bound for comparison: CHSH value and the CHSH Devetak-Winter rate.

**Optimal CHSH value** of a two-qubit state (Horodecki, Horodecki & Horodecki, PLA 200, 340
(1995)): with :math:`T_{ij} = \mathrm{tr}[\rho\,\sigma_i\otimes\sigma_j]` and
:math:`m_1 \ge m_2` the two largest eigenvalues of :math:`T^{\mathsf T}T`,

.. math:: S_{\max}(\rho) = 2\sqrt{m_1 + m_2}.

The optimal settings are constructed explicitly: with :math:`c_1, c_2` the corresponding unit
eigenvectors (Bob's side) and :math:`\tan\theta = \sqrt{m_2/m_1}`, Bob measures
:math:`b_{0,1} = \cos\theta\,c_1 \pm \sin\theta\,c_2` and Alice
:math:`a_0 = Tc_1/|Tc_1|`, :math:`a_1 = Tc_2/|Tc_2|`; then
:math:`S = a_0^{\mathsf T}T(b_0+b_1) + a_1^{\mathsf T}T(b_0-b_1) = 2\sqrt{m_1+m_2}`.  The value is
recomputed from these projective measurements (outcome distributions of :math:`\rho`) as a
second, independent route.

**Key rate** (Acín, Brunner, Gisin, Massar, Pironio & Scarani, PRL 98, 230501 (2007); details in
Pironio et al., NJP 11, 045021 (2009)): Alice has a third setting :math:`A_0` for the key, Bob's
key setting is one of his CHSH settings :math:`B_1`; against collective attacks, with
symmetrised marginals,

.. math::

    r_{DW} \ge 1 - h(Q) - h\!\left(\frac{1 + \sqrt{(S/2)^2 - 1}}{2}\right),

:math:`Q = P(a \ne b\,|\,A_0, B_1)` the QBER of the key pair and :math:`h` the binary entropy;
the last term bounds Eve's Holevo information :math:`\chi(B_1:E)`.  Zero for :math:`S \le 2`.
Here :math:`A_0 = T b/|Tb|` for the better of Bob's two CHSH axes :math:`b`, so
:math:`Q = (1 - |Tb|)/2`; for the Werner state :math:`S = 2\sqrt2\,v` and :math:`Q = (1-v)/2`.
This uses the CHSH-optimal settings and does *not* optimise the trade-off between :math:`S` and
:math:`Q` (for states with :math:`m_1 > m_2` a different choice may give a higher rate): it is a
valid lower bound on the DI key of that protocol, not the best DI lower bound.

**With leakage** (for the window of :mod:`qkdbounds.di.window`), the same argument with
Eve's extra classical variable :math:`\Lambda` (the leaked outcomes):

* ``"uniform"`` -- in a fraction :math:`L` of rounds, chosen independently of the state and of
  Eve, both outcomes leak (the paper's worst case, Eq. 11).  Then
  :math:`H(B_1|E\Lambda) = (1-L)H(B_1|E)` and
  :math:`r \ge (1-L)\,[1 - h(\cdot)] - h(Q)`.  If the two parties leak in different rounds,
  call it with :math:`L` = the probability that *some* outcome leaks (:math:`\le 2L`), since we
  then hand Eve the key bit whenever anything leaks.
* ``"junk"`` -- leakage in rounds Eve may select (e.g. correlated with her flag, Eq. 20), with
  overall probability at most :math:`L`.  For a leak indicator :math:`\ell` known to Eve,
  :math:`H(B_1|E\ell\Lambda) \ge H(B_1|E) - h(\ell) - L`, so
  :math:`r \ge 1 - h(\cdot) - h(\min(L,1/2)) - L - h(Q)` (cruder, but valid for any timing).

Both are our own one-line extensions of the collective-attack DW bound, not literature results.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._cache import BoundedCache
from .._tolerances import XTOL_THRESHOLD
from ..errors import LEAKAGE_MODELS
from ..errors import check_choice, check_probability, check_real
from ..info.entropy import binary_entropy
from ..status import Status, StatusField

__all__ = [
    "CHSHResult",
    "DILowerBound",
    "WernerCHSHThreshold",
    "binary_entropy",
    "chsh_dw_expression",
    "chsh_dw_entropy_expression",
    "werner_dw_expression",
    "chsh_value",
    "chsh_dw_rate",
    "di_lower_bound",
    "chsh_threshold_werner",
    "ATOL_CHSH",
    "CRITICAL_QBER_LITERATURE",
]

#: Agreement required between the Horodecki formula and the explicit-measurement route.
ATOL_CHSH = 1e-10
#: Critical QBER of the CHSH DW rate quoted by Acín et al., PRL 98, 230501 (2007): "7.1%".
CRITICAL_QBER_LITERATURE = 0.071




@dataclass(frozen=True, eq=False)
class CHSHResult(StatusField):
    """Optimal CHSH value of a two-qubit state, with the measurements achieving it.

    Attributes
    ----------
    value : float
        :math:`S = 2\\sqrt{m_1+m_2}` (Horodecki formula).
    value_from_measurements : float
        :math:`S` recomputed from the explicit projective measurements (second route).
    certificate : dict
        ``alice_axes`` (a0, a1), ``bob_axes`` (b0, b1), ``key_axis`` (Alice's A0),
        ``correlation_matrix``, ``eigenvalues`` of :math:`T^T T`, ``qber`` of (A0, B_key).
    method : str
    status : Status
        ``closed_form`` when the formula and the explicit settings agree to ``tolerance``,
        ``heuristic`` otherwise (``message`` gives both).
    tolerance : float
    message : str
    """

    value: float
    value_from_measurements: float
    certificate: dict = field(repr=False)
    method: str
    status: Status
    tolerance: float
    message: str = ""


@dataclass(frozen=True, eq=False)
class DILowerBound(StatusField):
    """CHSH-based Devetak-Winter lower bound (Acín et al. 2007), possibly with leakage."""

    value: float
    chsh: float
    qber: float
    certificate: dict = field(repr=False)
    method: str
    status: Status
    tolerance: float
    message: str = ""


@dataclass(frozen=True, eq=False)
class WernerCHSHThreshold(StatusField):
    """Visibility (and QBER) where the Werner-state CHSH DW rate hits zero, by two root finders."""

    visibility: float
    qber: float
    chsh: float
    visibility_second_route: float
    agreement: float
    literature_qber: float
    method: str
    status: Status
    tolerance: float
    message: str = ""


def _correlator(rho, a, b) -> float:
    from ..measurements.distributions import dense_distribution
    from ..measurements.qubit import bloch_measurement

    p = dense_distribution(rho, [bloch_measurement(a), bloch_measurement(b)])
    return float(p[0, 0] + p[1, 1] - p[0, 1] - p[1, 0])


def _unit(v, fallback):
    n = np.linalg.norm(v)
    return v / n if n > 1e-14 else fallback


def chsh_value(rho: ArrayLike) -> CHSHResult:
    r"""Maximal CHSH value :math:`2\sqrt{m_1+m_2}` and the measurements that reach it.

    Parameters
    ----------
    rho : array_like, shape (4, 4)
        Two-qubit density matrix (validated).

    Returns
    -------
    CHSHResult

    Examples
    --------
    >>> from qkdbounds.states.two_qubit import werner_state
    >>> round(chsh_value(werner_state(1.0)).value, 12)     # Tsirelson: 2 sqrt 2
    2.828427124746
    """
    from ..measurements.qubit import correlation_matrix
    from ..states.two_qubit import validate_state

    rho = validate_state(rho, (2, 2))
    t = correlation_matrix(rho)
    m, vecs = np.linalg.eigh(t.T @ t)
    m, vecs = m[::-1].clip(0, None), vecs[:, ::-1]
    s_formula = 2 * np.sqrt(m[0] + m[1])
    c1, c2 = vecs[:, 0], vecs[:, 1]
    theta = np.arctan2(np.sqrt(m[1]), np.sqrt(m[0]))
    b0 = np.cos(theta) * c1 + np.sin(theta) * c2
    b1 = np.cos(theta) * c1 - np.sin(theta) * c2
    a0 = _unit(t @ c1, np.array([0.0, 0.0, 1.0]))
    a1 = _unit(t @ c2, np.cross(a0, [1.0, 0.0, 0.0]) if abs(a0[0]) < 0.9 else np.cross(a0, [0.0, 1.0, 0.0]))
    a1 = a1 / np.linalg.norm(a1)
    # second route: correlators of the explicit projective measurements on rho
    e = {(i, j): _correlator(rho, a, b) for i, a in enumerate((a0, a1)) for j, b in enumerate((b0, b1))}
    s_meas = e[0, 0] + e[0, 1] + e[1, 0] - e[1, 1]
    # key pair: Bob's key setting is the CHSH axis with the larger |T b|, Alice's A0 = T b/|T b|
    tb = [np.linalg.norm(t @ b) for b in (b0, b1)]
    k = int(np.argmax(tb))
    b_key = (b0, b1)[k]
    a_key = _unit(t @ b_key, np.array([0.0, 0.0, 1.0]))
    # (a correlator of +-1 comes out 1e-16 past it in floating point: the QBER is a probability)
    qber = min(max((1 - _correlator(rho, a_key, b_key)) / 2, 0.0), 1.0)
    status = Status.CLOSED_FORM if abs(s_formula - s_meas) <= ATOL_CHSH else Status.HEURISTIC
    message = ("" if status is Status.CLOSED_FORM else
               f"the formula ({s_formula:.9g}) and the explicit settings ({s_meas:.9g}) disagree")
    cert = {"alice_axes": [a0, a1], "bob_axes": [b0, b1], "key_axis": a_key, "bob_key_setting": k,
            "correlation_matrix": t, "eigenvalues": m, "correlators": {f"{i}{j}": v for (i, j), v in e.items()},
            "qber": float(qber)}
    return CHSHResult(float(s_formula), float(s_meas), cert,
                      "Horodecki 1995 formula 2 sqrt(m1 + m2); explicit optimal settings recomputed",
                      status, ATOL_CHSH, message)


def chsh_dw_entropy_expression(chsh: float, error_cost: float, leakage: float = 0.0,
                               model: str = "uniform") -> float:
    r"""Devetak-Winter expression with Eve's term from CHSH and a given error-correction cost.

    :math:`(1-L)\,(1 - h(\tfrac12 + \tfrac12\sqrt{(S/2)^2-1})) - H(B|A)` (uniform leakage) or
    :math:`1 - h(\cdot) - h(\min(L, \tfrac12)) - L - H(B|A)` (junk), not clipped; ``error_cost``
    is :math:`H(B|A)` in bits (:math:`h(Q)` for symmetric binary errors).  The one implementation
    behind :func:`chsh_dw_expression`, the Werner window and the box lower bound of
    :mod:`qkdbounds.di.lower`.
    """
    holevo = binary_entropy((1 + np.sqrt(min(max((chsh / 2) ** 2 - 1, 0.0), 1.0))) / 2)
    if model == "uniform":
        return float((1 - leakage) * (1 - holevo) - error_cost)
    return float(1 - holevo - binary_entropy(min(leakage, 0.5)) - leakage - error_cost)


def chsh_dw_expression(chsh: float, qber: float, leakage: float = 0.0,
                       model: str = "uniform") -> float:
    r"""The CHSH Devetak-Winter expression, *not* clipped (negative below the DW threshold).

    Uniform leakage: :math:`(1-L)(1-h(\tfrac12+\tfrac12\sqrt{(S/2)^2-1})) - h(Q)`; junk model:
    :math:`1-h(\cdot) - h(\min(L,\tfrac12)) - L - h(Q)`.  ``L = 0`` is Acín et al. (2007).
    """
    return chsh_dw_entropy_expression(chsh, binary_entropy(qber), leakage, model)


def werner_dw_expression(visibility: float, leakage: float = 0.0, model: str = "uniform") -> float:
    """:func:`chsh_dw_expression` of the Werner state: :math:`S = 2\\sqrt2 v`, :math:`Q = (1-v)/2`."""
    return chsh_dw_expression(2 * np.sqrt(2) * visibility, (1 - visibility) / 2, leakage, model)


def chsh_dw_rate(chsh: float, qber: float, leakage: float = 0.0, model: str = "uniform") -> float:
    r"""CHSH Devetak-Winter rate (Acín et al. 2007) from :math:`S` and :math:`Q`, clipped at 0.

    Parameters
    ----------
    chsh : float
        CHSH value :math:`S \in [0, 2\sqrt2]` (a value below 2 gives 0).
    qber : float
        :math:`Q \in [0, 1]`.
    leakage : float
        :math:`L` (module docstring); 0 gives the literature formula.
    model : {"uniform", "junk"}

    Examples
    --------
    >>> round(chsh_dw_rate(2 * 2 ** 0.5, 0.0), 12)
    1.0
    """
    s = check_real("chsh", chsh, 0.0, 2 * np.sqrt(2) + 1e-9)
    q = check_probability("qber", qber)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    if s <= 2.0:
        return 0.0
    return max(0.0, chsh_dw_expression(s, q, leakage, model))


def _dw_raw(v: float) -> float:
    return werner_dw_expression(v)


_CHSH_CACHE = BoundedCache(32)


def _chsh_value_cached(rho: ArrayLike) -> CHSHResult:
    """:func:`chsh_value` of recent states (a leakage grid asks for the same state's CHSH value
    at every leakage)."""
    arr = np.asarray(rho)
    key = (arr.dtype.str, arr.shape, arr.tobytes()) if arr.dtype.kind in "fc" else None
    hit = None if key is None else _CHSH_CACHE.get(key)   # (one lookup: another thread may drop it)
    if hit is not None:
        return hit
    res = chsh_value(rho)
    return res if key is None else _CHSH_CACHE.put(key, res)


def di_lower_bound(rho: ArrayLike, leakage: float = 0.0, model: str = "uniform") -> DILowerBound:
    """CHSH DW lower bound on the device-independent key of ``rho`` (optimal CHSH settings).

    Examples
    --------
    >>> from qkdbounds.states.two_qubit import werner_state
    >>> di_lower_bound(werner_state(0.8)).value        # below the threshold v ~ 0.858
    0.0
    """
    res = _chsh_value_cached(rho)
    q = res.certificate["qber"]
    value = chsh_dw_rate(res.value, q, leakage, model)
    res = replace(res, certificate=copy.deepcopy(res.certificate))  # callers own their copy
    cite = "Acin et al., PRL 98, 230501 (2007), collective attacks"
    if leakage > 0:
        cite += f"; leakage ({model}) as in qkdbounds.di.chsh"
    return DILowerBound(value, res.value, q, {"chsh": res.certificate, "leakage": leakage, "model": model},
                        f"CHSH Devetak-Winter rate ({cite})", res.status, ATOL_CHSH,
                        res.message)


def chsh_threshold_werner() -> WernerCHSHThreshold:
    r"""Werner visibility where the CHSH DW rate vanishes: root of
    :math:`1 - h((1-v)/2) - h((1+\sqrt{2v^2-1})/2)` on :math:`(1/\sqrt2, 1)`.

    Found by Brent's method and, independently, Ridders' method; also checked on the state
    itself (:func:`di_lower_bound` of :func:`werner_state`) in the tests.

    Examples
    --------
    >>> t = chsh_threshold_werner()
    >>> round(t.qber, 4)       # Acin et al. 2007: critical QBER ~ 7.1%
    0.0715
    """
    from scipy.optimize import brentq, ridder

    from ..states.two_qubit import werner_state

    lo, hi = 1 / np.sqrt(2) + 1e-12, 1.0 - 1e-12
    v1 = brentq(_dw_raw, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    v2 = ridder(_dw_raw, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    check = di_lower_bound(werner_state(v1)).chsh
    return WernerCHSHThreshold(float(v1), float((1 - v1) / 2), float(check), float(v2), float(abs(v1 - v2)),
                               CRITICAL_QBER_LITERATURE, "brentq root of the DW rate; Ridders' method as 2nd route",
                               Status.OPTIMAL if abs(v1 - v2) <= XTOL_THRESHOLD else Status.HEURISTIC,
                               XTOL_THRESHOLD,
                               "" if abs(v1 - v2) <= XTOL_THRESHOLD else
                               f"the two root finders disagree by {abs(v1 - v2):.3g}")
