r"""The leakage-aware convex-combination (CC) attack of paper 1 (Eqs. 8-12, 15, 20).

Eve sends the product states of the ensemble of Eq. (9) with flags :math:`f_i` (weight
:math:`q_v`) and the GHZ state with flag "?" (weight :math:`1-q_v`).  Each round's outcomes leak
to her with probability :math:`L` (worst case: all parties in the same rounds):

* **uniform** model (Eq. 11): leaks in every round;
* **junk** model (Eq. 20): leaks only in rounds where the separable part was sent.

She then moves a fraction :math:`\gamma_{\vec a}` of the leaked separable rounds with outcome
:math:`\vec a` into the "?" class (Eq. 12).  Only the "?" class carries information (Eq. 14):

.. math::

    p(\vec a, ?) = \underbrace{(1-q_v)(1-L_?)\,p^{ent}(\vec a)}_{c(\vec a)}
                 + \gamma_{\vec a}\underbrace{q_v L\,p^{sep}(\vec a)}_{s(\vec a)},

with :math:`L_? = L` (uniform) or :math:`0` (junk).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import LEAKAGE_MODELS, InputError, check_choice, check_probability
from ..measurements.bases import Measurement
from ..measurements.distributions import ghz_distribution, isotropic_distribution
from ..states.isotropic import IsotropicGHZ, cc_decomposition

__all__ = ["QuestionClass", "question_class", "joint_distribution_with_eve",
           "member_distribution"]



@dataclass(frozen=True)
class QuestionClass:
    """The two parts :math:`c, s` of the "?" class of Eq. (15) and the weight :math:`q_v`."""

    base: NDArray[np.float64]
    extra: NDArray[np.float64]
    q: float


def member_distribution(measurements: Sequence[Measurement], vectors) -> NDArray[np.float64]:
    r"""Product distribution :math:`p^i(\vec a) = \prod_j |\langle a_j|U_j^\dagger|\mu_i^{(j)}\rangle|^2`
    of one member of the Eq. (9) ensemble under the parties' bases."""
    p_i = np.ones(())
    for meas, vec in zip(measurements, vectors):
        p_i = np.multiply.outer(p_i, np.abs(meas.unitary.conj().T @ vec) ** 2)
    return p_i


def _separable_part_distribution(p_ent, p_v, q):
    # the distribution of the separable component actually sent: rho_sep of Eq. (9) for
    # v >= v_sep, the whole (separable) state otherwise; linear in the state.
    if q <= 0:
        return np.zeros_like(p_v)
    return np.clip((p_v - (1 - q) * p_ent) / q, 0, None)


def question_class(
    state: IsotropicGHZ,
    measurements: Sequence[Measurement],
    leakage: float,
    model: str = "uniform",
    *,
    p_ent: NDArray | None = None,
) -> QuestionClass:
    """Components :math:`c` and :math:`s` of the "?" class (Eqs. 12, 15 and 20)."""
    if not isinstance(state, IsotropicGHZ):
        raise InputError("state must be an IsotropicGHZ (qkdbounds.states.isotropic.isotropic_ghz)")
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    if len(measurements) != state.n_parties:
        raise InputError(f"measurements must list {state.n_parties} bases, got {len(measurements)}")
    q = cc_decomposition(state).q
    if p_ent is None:
        p_ent = ghz_distribution(measurements)
    p_v = state.visibility * p_ent + (1 - state.visibility) / p_ent.size
    p_sep = _separable_part_distribution(p_ent, p_v, q)
    leak_q = leakage if model == "uniform" else 0.0
    return QuestionClass((1 - q) * (1 - leak_q) * p_ent, q * leakage * p_sep, q)


def joint_distribution_with_eve(
    state: IsotropicGHZ,
    measurements: Sequence[Measurement],
    leakage: float,
    model: str = "uniform",
    gamma: NDArray | None = None,
) -> tuple[NDArray[np.float64], list]:
    r"""The full joint :math:`p(\vec a, e|\vec x)` of Eqs. (11)/(20), with mixing (Eq. 12).

    Built from the *definitions*: the explicit product-state ensemble of Eq. (9) (one flag per
    member), the leaked classes :math:`e=\vec a`, and the "?" class.  Dense, for small
    :math:`d^N` only; used to check the reduced form :meth:`question_class` used by the bounds.

    Returns
    -------
    joint : ndarray, shape ``(n_labels, d, ..., d)``
    labels : list
        ``("flag", i)``, ``("leak", a)`` and ``"?"`` for the first axis.
    """
    from ..states.isotropic import MAX_DENSE_DIM

    check_choice("model", model, LEAKAGE_MODELS)
    leakage = check_probability("leakage", leakage)
    if not isinstance(state, IsotropicGHZ):
        raise InputError("state must be an IsotropicGHZ (qkdbounds.states.isotropic.isotropic_ghz)")
    d, n = state.local_dim, state.n_parties
    if n * np.log(d) > np.log(MAX_DENSE_DIM) + 1e-12:     # (d^N itself may exceed the floats)
        raise InputError(f"joint_distribution_with_eve is dense: d^N = {d}^{n} must be at most "
                         f"{MAX_DENSE_DIM}")
    dec = cc_decomposition(state)
    q = dec.q
    shape = (d,) * n
    if gamma is None:
        gamma = np.zeros(shape)
    else:
        try:
            gamma = np.asarray(gamma, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"gamma must be an array of shape {shape} in [0, 1]") from None
        if gamma.shape != shape:
            raise InputError(f"gamma must be an array of shape {shape} with entries in [0, 1], got "
                             f"shape {gamma.shape}")
        if not np.isfinite(gamma).all() or gamma.min() < 0 or gamma.max() > 1:
            raise InputError(f"gamma must have entries in [0, 1] (finite), got min {gamma.min()!r} "
                             f"and max {gamma.max()!r}")
    p_ent = ghz_distribution(measurements)
    # product distributions p^i of the flagged members, from the explicit vectors
    flag_rows, labels = [], []
    p_sep_from_ensemble = np.zeros(shape)
    for i, (weight, vectors) in enumerate(dec.separable):
        p_i = member_distribution(measurements, vectors)
        p_sep_from_ensemble += weight * p_i
        flag_rows.append(q * (1 - leakage) * weight * p_i)
        labels.append(("flag", i))
    leak_rows = []
    for idx in np.ndindex(*shape):
        row = np.zeros(shape)
        row[idx] = q * leakage * (1 - gamma[idx]) * p_sep_from_ensemble[idx]
        if model == "uniform":
            row[idx] += (1 - q) * leakage * p_ent[idx]
        leak_rows.append(row)
        labels.append(("leak", idx))
    ent_q = (1 - q) * ((1 - leakage) if model == "uniform" else 1.0)
    question = q * leakage * gamma * p_sep_from_ensemble + ent_q * p_ent
    labels.append("?")
    joint = np.stack(flag_rows + leak_rows + [question])
    return joint, labels


def isotropic_marginal_check(state: IsotropicGHZ, measurements, joint) -> float:
    """Largest deviation of :math:`\\sum_e p(\\vec a,e)` from :math:`p^v(\\vec a)` (must be ~0)."""
    return float(np.abs(joint.sum(axis=0) - isotropic_distribution(measurements, state.visibility)).max())
