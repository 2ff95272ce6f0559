r"""Do general POVMs beat paper 1's zero-key threshold?  (Appendix, before Eq. 23; issue 13.)

Paper 1 argues that POVMs cannot help because "for d-outcome measurements, the extremal POVMs are
projective measurements".  This module examines the premise and the conclusion numerically on
the two-qudit isotropic state (d = 3 by default):

* **premise**: :func:`qkdbounds.measurements.povm.nonprojective_extremal_qutrit_povm` is a
  3-outcome qutrit POVM that is extremal (D'Ariano-Lo Presti-Perinotti criterion) but not
  projective, so the premise is false for d = 3;
* **conclusion**: for seeded random extremal rank-one POVMs of Alice and Bob with
  ``outcome_counts`` outcomes each (d to d^2; Theorem 2 itself is about d outcomes), plus the
  counterexample above, the paper attack's bound
  (:func:`qkdbounds.bounds.source_bound.source_rate_upper_bound`, Eqs. 8-9 and 12) is evaluated
  at visibilities below the projective threshold :math:`v^*` of
  :func:`qkdbounds.visibility_threshold`, and each pair's own threshold (the lowest visibility
  with a positive bound) is found by bisection;
* **proof check**: the paper's zero-key construction extends to every POVM.  With
  :math:`t(\vec a) = \prod_i \mathrm{Tr}E_{a_i}/d` (a product distribution) and
  :math:`p^{ent}(\vec a) \le d^{N-1}t(\vec a)` (Cauchy-Schwarz on the GHZ amplitude), the choice
  :math:`m = \lambda t`, :math:`\lambda = (1-q)(1-L_u)d^{N-1}`, lies in Eve's box
  :math:`[c, c+s]` of Eq. (15) whenever :math:`(1-q)(1-L_u)(1+d^{N-1}) \le qL` — exactly the
  projective condition (Eqs. 18, 21).  ``box_violation`` is the largest violation of
  :math:`c \le \lambda t \le c + s` at :math:`v^*` over the sampled pairs (<= 0 up to rounding
  means the bound is exactly 0 there, independently of Eve's numerical minimiser).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, check_choice, check_int, check_probability, check_rng

__all__ = ["POVMStudy", "povm_premise_study"]

#: Bisection tolerance (visibility) of each pair's own threshold.
XTOL_POVM_THRESHOLD = 1e-5


@dataclass(frozen=True)
class POVMStudy:
    """Outcome of :func:`povm_premise_study` (visibilities dimensionless, bounds in bits).

    Attributes
    ----------
    projective_threshold : float
        :math:`v^*` from :func:`qkdbounds.visibility_threshold` (projective measurements).
    z_threshold : float
        The same threshold found by this study's bisection with Z bases (cross-check).
    lowest_positive_visibility : float
        Smallest per-pair threshold found over all POVM pairs (>= ``projective_threshold`` means
        no POVM pair beat the projective threshold).
    lowest_pair : str
        Which pair reached it.
    max_bound_below : float
        Largest bound over all pairs at the visibilities ``below`` (< :math:`v^*`); 0 means the
        conclusion held for every pair tried.
    box_violation : float
        Largest violation of the analytic zero-key box at :math:`v^*` (module docstring).
    premise_counterexample : dict
        Ranks, extremality and projectivity of the 3-outcome qutrit counterexample.
    """

    local_dim: int
    leakage: float
    model: str
    projective_threshold: float
    z_threshold: float
    lowest_positive_visibility: float
    lowest_pair: str
    max_bound_below: float
    box_violation: float
    below: list
    n_pairs: int
    outcome_counts: list
    premise_counterexample: dict
    thresholds: dict = field(repr=False)
    method: str = ""


def _isotropic(d: int, v: float):
    from ..states.sources import make_source

    psi = np.zeros(d * d)
    psi[[k * (d + 1) for k in range(d)]] = 1 / np.sqrt(d)
    return make_source(v * np.outer(psi, psi) + (1 - v) * np.eye(d * d) / d**2, (d, d))


def _bound(d, v, leakage, model, povms) -> float:
    from .source_bound import source_rate_upper_bound

    # the study is about paper 1's attack (its premise); no lower bound is needed here
    return source_rate_upper_bound(_isotropic(d, v), leakage, model, [p.elements for p in povms],
                                   rng=np.random.default_rng(0), attack="paper",
                                   lower_bound=False).value


def _certified_zero(d, v, leakage, model, povms) -> bool:
    """Eve's minimiser reached a product "?" class exactly (the bound is exactly 0)."""
    from .source_bound import source_rate_upper_bound

    r = source_rate_upper_bound(_isotropic(d, v), leakage, model, [p.elements for p in povms],
                                rng=np.random.default_rng(0), attack="paper", lower_bound=False)
    return bool(r.certificate["zero_key"])


def _own_threshold(d, leakage, model, povms, low: float) -> float:
    """Lowest visibility without a certified zero (bisection on [low, 1]; 1 if zero everywhere).

    "Not certified zero" is the conservative side for this question: a minimiser that misses
    Eve's zero would show up as a *lower* threshold, i.e. as a spurious counterexample."""
    if _certified_zero(d, 1.0, leakage, model, povms):
        return 1.0
    lo, hi = low, 1.0
    while hi - lo > XTOL_POVM_THRESHOLD:
        mid = 0.5 * (lo + hi)
        if _certified_zero(d, mid, leakage, model, povms):
            lo = mid
        else:
            hi = mid
    return hi


def _box_violation(d, v, leakage, model, povms) -> float:
    """max of (c - lambda t, lambda t - c - s)/t over outcomes (<= 0: the zero-key gamma exists)."""
    from ..measurements.povm import povm_distribution, product_distribution
    from ..states import cc_decomposition, ghz_vector, isotropic_ghz

    big_d = d - 1 + 1.0  # d^(N-1) for N = 2
    dec = cc_decomposition(isotropic_ghz(d, 2, v))
    members = list(dec.separable)
    weights = np.array([w for w, _ in members])
    vectors = [np.array([vecs[i] for _, vecs in members]) for i in range(2)]
    psi = ghz_vector(d, 2)
    q, leak_u = dec.q, (leakage if model == "uniform" else 0.0)
    c = (1 - q) * (1 - leak_u) * povm_distribution(np.outer(psi, psi.conj()), povms, (d, d))
    s = q * leakage * product_distribution(weights, vectors, povms)
    t = np.multiply.outer(*[np.real(np.trace(p.elements, axis1=1, axis2=2)) / d for p in povms])
    lam = (1 - q) * (1 - leak_u) * big_d
    return float(np.max(np.maximum(c - lam * t, lam * t - c - s) / t))


def povm_premise_study(leakage: float = 0.1, model: str = "uniform", *, local_dim: int = 3,
                       outcome_counts: Sequence[int] = (3, 4, 6, 9), n_per_count: int = 10,
                       n_below: int = 3, rng: np.random.Generator | None = None) -> POVMStudy:
    r"""Seeded search for POVM pairs that give key below the projective zero-key threshold.

    Parameters
    ----------
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
    local_dim : int
        d in [2, 4] (two parties).
    outcome_counts : sequence of int
        Outcome numbers of the random extremal rank-one POVMs, each in [d, d^2].
    n_per_count : int
        Random pairs per outcome count, in [0, 10000] (Alice's and Bob's POVMs independent).
    n_below : int
        Visibilities in :math:`(v_{sep}, v^*)` at which every pair is evaluated, in [1, 100].
    rng : numpy.random.Generator, optional
        Seeded generator (default ``default_rng(0)``).

    Returns
    -------
    POVMStudy

    Raises
    ------
    InputError
        Parameters out of range.
    """
    from ..measurements.povm import (
        is_extremal,
        nonprojective_extremal_qutrit_povm,
        povm_from_unitary,
        random_rank_one_povm,
    )
    from .threshold import visibility_threshold

    leak = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    d = check_int("local_dim", local_dim, 2, 4)
    counts = [check_int("outcome_counts entry", k, d, d * d) for k in outcome_counts]
    n_per_count = check_int("n_per_count", n_per_count, 0, 10000)
    n_below = check_int("n_below", n_below, 1, 100)
    if leak == 0:
        raise InputError("leakage must be in (0, 1] for this study (at L = 0 the threshold is the "
                         "separability boundary)")
    rng = check_rng("rng", rng)
    v_star = float(visibility_threshold(d, 2, leak, model).value)
    v_sep = 1.0 / (1 + d)
    below = [float(x) for x in np.linspace(v_sep, v_star, n_below + 2)[1:-1]]
    z = [povm_from_unitary(np.eye(d))] * 2
    pairs = {"Z, Z": z}
    counter = {}
    if d == 3:
        ce = nonprojective_extremal_qutrit_povm()
        pairs["extremal-211, extremal-211"] = [ce, ce]
        pairs["extremal-211, Z"] = [ce, z[1]]
        counter = {"ranks": ce.ranks, "n_outcomes": ce.n_outcomes, "extremal": is_extremal(ce),
                   "projective": ce.is_projective}
    for k in counts:
        for j in range(n_per_count):
            pair = [random_rank_one_povm(d, k, rng), random_rank_one_povm(d, int(rng.choice(counts)), rng)]
            pairs[f"rank-one {pair[0].n_outcomes} x {pair[1].n_outcomes} #{j}"] = pair
    low = v_star - XTOL_POVM_THRESHOLD
    thresholds, max_below, violation = {}, 0.0, -np.inf
    for name, povms in pairs.items():
        max_below = max(max_below, max(_bound(d, v, leak, model, povms) for v in below + [low]))
        violation = max(violation, _box_violation(d, v_star, leak, model, povms))
        thresholds[name] = _own_threshold(d, leak, model, povms, low)
    z_threshold = thresholds.pop("Z, Z")
    name = min(thresholds, key=thresholds.get) if thresholds else "Z, Z"
    lowest = thresholds[name] if thresholds else z_threshold
    return POVMStudy(
        local_dim=d, leakage=leak, model=model, projective_threshold=v_star, z_threshold=z_threshold,
        lowest_positive_visibility=lowest, lowest_pair=name, max_bound_below=float(max_below),
        box_violation=float(violation), below=below, n_pairs=len(thresholds),
        outcome_counts=counts, premise_counterexample=counter, thresholds=thresholds,
        method=(f"seeded random extremal rank-one POVM pairs ({n_per_count} per outcome count "
                f"{counts}) plus the 3-outcome extremal counterexample; paper attack on Eqs. (8)-(9); "
                f"bound at {n_below} visibilities below v* and at v* - {XTOL_POVM_THRESHOLD:g}; "
                f"per-pair thresholds by bisection to {XTOL_POVM_THRESHOLD:g} on Eve's certified zero; "
                "a random search, not an optimisation over POVMs"))
