r"""Repeater budget (paper 1, Eq. 5 and Fig. 2) and the planner inverse.

A chain of :math:`n` repeaters has :math:`n + 1` isotropic links of visibility :math:`v`.
Two visibility laws are reported side by side, always labelled:

* **simulated law** — read off the density-matrix simulation (:mod:`.chain`):
  :math:`v_{\mathrm{chain}}(n) = v^{\,n+1}`;
* **paper convention** — the text before Eq. 5: :math:`v_{\mathrm{chain}}(n) = v^{2n}`.

With a threshold :math:`v^*` (no key at or below it; Theorems 1–2), the largest number of
repeaters still compatible with key is the largest :math:`n \ge 0` with
:math:`v_{\mathrm{chain}}(n) > v^*`, i.e.

.. math::

    n_{\max} = \lceil \log v^* / \log v \rceil - 2 \quad\text{(simulated law)},\qquad
    n_{\max}^{\mathrm{paper}} = \lceil \log v^* / (2\log v) \rceil - 1 \quad\text{(Eq. 5)},

(:math:`\lfloor\cdot\rfloor` of Eq. 5's right-hand side unless it is an integer).  ``n_max``
uses the threshold from the derivation (``visibility_threshold(...).value``, Appendix Eqs.
16–19); ``n_max_paper_convention`` is Eq. 5 exactly as printed, i.e. with the threshold printed
in Theorem 1 (``.paper_value``) and :math:`v^{2n}`.  A value of ``-1`` means no key even without
repeaters; ``None`` means unbounded (:math:`v = 1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .._tolerances import ATOL_RATE, XTOL_THRESHOLD
from ..errors import LEAKAGE_MODELS, InputError, check_choice, check_int, check_probability, check_real
from ..status import Status, StatusField
from .chain import MAX_CHAIN_LINKS, simulate_chain
from .swapping import MAX_SWAP_DIM

__all__ = [
    "LAWS",
    "DEFAULT_MAX_REPEATERS_CAP",
    "ChainPoint",
    "RepeaterBudget",
    "LinkVisibilityPlan",
    "RepeaterCurve",
    "Figure2Data",
    "chain_visibility",
    "max_repeaters",
    "eq5_bound",
    "repeater_budget",
    "minimum_link_visibility",
    "figure2_data",
]

#: Visibility laws: ``"simulated"`` (v**(n+1), read off the simulation) and ``"paper"``
#: (v**(2n), paper 1 before Eq. 5).
LAWS = ("simulated", "paper")
DEFAULT_MAX_REPEATERS_CAP = 200
"""Cap of the automatic chain length (``max_repeaters=None``)."""
DEFAULT_MAX_REPEATERS_UNBOUNDED = 20
"""Chain length used when ``n_max`` is unbounded or negative and no length is given."""


def _bounds():
    # Imported lazily: bounds/ sits below repeaters/ in the data flow, and this keeps the
    # swapping/chain simulation importable on its own.
    from ..bounds import rate_upper_bound, visibility_threshold
    return rate_upper_bound, visibility_threshold


def chain_visibility(visibility: float, n_repeaters: int, law: str = "simulated") -> float:
    r"""End-to-end visibility after ``n_repeaters`` under a stated law (no simulation).

    ``law="simulated"`` gives :math:`v^{n+1}` (the law the simulation shows, tested against it);
    ``law="paper"`` gives :math:`v^{2n}` (paper 1, text before Eq. 5).

    Examples
    --------
    >>> chain_visibility(0.9, 2), round(chain_visibility(0.9, 2, "paper"), 12)
    (0.7290000000000001, 0.6561)
    """
    v = check_probability("visibility", visibility)
    n = check_int("n_repeaters", n_repeaters, 0)
    law = check_choice("law", law, LAWS)
    return v ** (n + 1) if law == "simulated" else v ** (2 * n)


def max_repeaters(visibility: float, threshold: float, law: str = "simulated") -> int | None:
    r"""Largest ``n >= 0`` with chain visibility strictly above ``threshold``.

    Parameters
    ----------
    visibility : float
        Link visibility :math:`v \in [0, 1]`.
    threshold : float
        Visibility :math:`v^*` at or below which no key is possible.
    law : {"simulated", "paper"}
        :math:`v^{n+1}` or :math:`v^{2n}` (see module docstring).

    Returns
    -------
    int or None
        ``n_max``; ``-1`` if even ``n = 0`` gives no key; ``None`` if unbounded.

    Examples
    --------
    >>> max_repeaters(0.95, 1 / 2.8), max_repeaters(0.95, 1 / 3 + 0.2 / 2.8, "paper")
    (19, 8)
    """
    v = check_probability("visibility", visibility)
    thr = check_real("threshold", threshold, 0.0, 1.0)
    law = check_choice("law", law, LAWS)

    def above(n: int) -> bool:
        return chain_visibility(v, n, law) > thr

    if not above(0):
        return -1
    if v == 1.0:
        return None
    if v == 0.0 or thr == 0.0:
        # v = 0: paper law gives 0**0 = 1 at n = 0 and 0 afterwards; thr = 0: key for all n
        return 0 if v == 0.0 else None
    ratio = math.log(thr) / math.log(v)  # chain exponent at which v**exponent == thr
    n = math.ceil(ratio) - 2 if law == "simulated" else math.ceil(ratio / 2) - 1
    n = max(n, 0)
    # guard the rounding of the logarithms with the exact comparison
    while above(n + 1):
        n += 1
    while n > 0 and not above(n):
        n -= 1
    return n


# `repeater_budget` has a parameter named `max_repeaters`; it calls the function by this name
_n_max_for = max_repeaters


def eq5_bound(visibility: float, leakage: float) -> float:
    r"""Right-hand side of paper 1, Eq. 5 as printed:
    :math:`\log_2(1/3 + 2L/(3-2L)) / (2\log_2 v)` (uniform model, :math:`d = 2`).

    Returns ``inf`` for ``v = 1`` and ``0`` for ``v = 0``.

    Examples
    --------
    >>> round(eq5_bound(0.95, 0.1), 4)
    8.8165
    """
    v = check_probability("visibility", visibility)
    leak = check_probability("leakage", leakage)
    # the threshold printed in Theorem 1 (d = N = 2, uniform): one implementation, in bounds
    from ..bounds.threshold import threshold_paper_printed

    printed = threshold_paper_printed(2, 2, leak, "uniform")
    if v == 1.0:
        return math.inf
    if v == 0.0:
        return 0.0
    return math.log2(printed) / (2 * math.log2(v))


@dataclass(frozen=True)
class ChainPoint:
    """One point of a repeater chain (a row of ``chain`` in the CLI output).

    Attributes
    ----------
    repeaters : int
        Number of repeaters ``n`` (``n + 1`` links).
    visibility : float
        End-to-end visibility from the density-matrix simulation.
    rate_upper_bound : float
        Rate bound (bits) at ``visibility`` (paper 1, Eq. 29, :math:`N = 2`).
    visibility_law : float
        :math:`v^{n+1}` (the law the simulation shows), for comparison.
    visibility_paper_convention : float
        :math:`v^{2n}` (paper 1, before Eq. 5).
    rate_upper_bound_paper_convention : float
        Rate bound at ``visibility_paper_convention`` (how Fig. 2 is computed in the paper).
    status : Status
        Status of the rate bound at ``visibility``.
    isotropy_distance : float
        Trace distance of the simulated state to its isotropic twirl.
    """

    repeaters: int
    visibility: float
    rate_upper_bound: float
    visibility_law: float
    visibility_paper_convention: float
    rate_upper_bound_paper_convention: float
    status: Status
    isotropy_distance: float
    #: The paper attack's bound at ``visibility`` (equals ``rate_upper_bound`` for attack="paper").
    paper_value: float | None = None
    #: The attack asked for (see :func:`qkdbounds.rate_upper_bound`).
    attack: str = "paper"
    #: The isotropic route's lower bound at ``visibility`` (bits), its assumptions, and the
    #: verdict (``"no_key"``, ``"key"`` or ``"open"``; :mod:`qkdbounds.bounds.verdict`).
    lower_bound: float | None = None
    lower_bound_method: str | None = None
    verdict: str = "open"
    unit: str = "bits per round"
    #: The attack that achieved ``rate_upper_bound``, and the extended attack's and no attack's
    #: values beside it (None where not computed), as :class:`~qkdbounds.RateBound` names them.
    attack_used: str | None = None
    extended_value: float | None = None
    no_attack_value: float | None = None
    #: Notes of the rate bound at ``visibility`` (empty when there are none).
    message: str = ""


@dataclass(frozen=True, eq=False)
class RepeaterBudget(StatusField):
    """Result of :func:`repeater_budget`.

    Attributes
    ----------
    value : int or None
        ``n_max`` under the simulated law and the derived threshold (alias :attr:`n_max`).
    n_max_paper_convention : int or None
        Eq. 5 as printed: :math:`v^{2n}` and the threshold printed in Theorem 1/2.
    eq5_rhs : float or None
        Right-hand side of Eq. 5 with the printed threshold (uniform model only; any ``d``
        via the printed Theorem-2 formula).
    threshold : float
        Derived threshold used for ``n_max`` (``visibility_threshold(...).value``).
    paper_threshold : float
        Threshold printed in the paper's theorem.
    variants : dict
        ``n_max`` for every combination ``{law: {"derived"|"printed": n}}``.
    n_max_from_rate_bound : int or None
        Largest ``n`` in the chain with a positive rate bound, if the chain reaches the cut-off.
    consistent : bool or None
        Rate bound > 0 at ``n_max`` and == 0 at ``n_max + 1`` (``None`` if outside the chain).
    chain : tuple of ChainPoint
        ``n = 0..max_repeaters``.
    visibility, leakage, model, local_dim
        Inputs.
    law_max_deviation : float
        ``max_n |simulated - v**(n+1)|`` over the chain.
    method : str
    status : Status
        ``closed_form`` (the threshold route and the chain's rate bounds agree, or the check
        does not apply: ``message`` says which) or ``heuristic`` (they disagree).
    message : str
    """

    value: int | None
    n_max_paper_convention: int | None
    eq5_rhs: float | None
    threshold: float
    paper_threshold: float
    variants: dict
    n_max_from_rate_bound: int | None
    consistent: bool | None
    chain: tuple[ChainPoint, ...]
    visibility: float
    leakage: float
    model: str
    local_dim: int
    law_max_deviation: float
    method: str
    status: Status
    message: str = ""

    @property
    def n_max(self) -> int | None:
        """Alias of :attr:`value`."""
        return self.value


def _chain_length(n_max, n_paper) -> int:
    finite = [n for n in (n_max, n_paper) if n is not None and n >= 0]
    if not finite:
        return DEFAULT_MAX_REPEATERS_UNBOUNDED
    return min(max(finite) + 2, DEFAULT_MAX_REPEATERS_CAP)


def repeater_budget(visibility: float, leakage: float, model: str = "uniform",
                    local_dim: int = 2, max_repeaters: int | None = None,
                    attack: str = "best") -> RepeaterBudget:
    r"""How many repeaters a link visibility allows (paper 1, Eq. 5), both conventions.

    Parameters
    ----------
    visibility : float
        Visibility of every elementary link, in [0, 1] (isotropic, paper 1 Eq. 6, :math:`N=2`).
    leakage : float
        Leakage :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
        Leakage model (paper 1, Eqs. 11 and 20).
    local_dim : int
        Local dimension ``d`` (2 to :data:`~.swapping.MAX_SWAP_DIM`).
    attack : {"best", "paper", "extended"}
        Eve's attack for the chain's rate bounds (default the tightest, ``"best"``; each chain
        point also carries the paper attack's ``paper_value``).  The thresholds and ``n_max``
        are the paper attack's zero-key thresholds (the same for every attack).
    max_repeaters : int, optional
        Chain length ``K``: rate bounds for ``n = 0..K``.  Default: two past the larger
        ``n_max`` (capped at :data:`DEFAULT_MAX_REPEATERS_CAP`).

    Returns
    -------
    RepeaterBudget
        ``n_max`` (simulated law :math:`v^{n+1}`, derived threshold), the paper's Eq. 5 count,
        the four law/threshold combinations, and the chain of simulated visibilities with the
        rate bound at each ``n``.

    Examples
    --------
    >>> b = repeater_budget(0.95, 0.1, max_repeaters=3)
    >>> b.n_max, b.n_max_paper_convention, round(b.threshold, 6)
    (19, 8, 0.357143)
    """
    v = check_probability("visibility", visibility)
    leak = check_probability("leakage", leakage)
    model = check_choice("model", model, LEAKAGE_MODELS)
    d = check_int("local_dim", local_dim, 2, MAX_SWAP_DIM)
    if max_repeaters is not None:
        max_repeaters = check_int("max_repeaters", max_repeaters, 0, MAX_CHAIN_LINKS - 1)
    rate_upper_bound, visibility_threshold = _bounds()
    thr = visibility_threshold(d, 2, leak, model)
    derived, printed = float(thr.value), float(thr.paper_value)
    # the printed threshold exceeds 1 at large leakage (e.g. 1.476 at L = 0.8, uniform): no
    # visibility <= 1 is above it, as for a threshold of 1 (n_max = -1)
    variants = {law: {"derived": _n_max_for(v, min(derived, 1.0), law),
                      "printed": _n_max_for(v, min(printed, 1.0), law)} for law in LAWS}
    n_max = variants["simulated"]["derived"]
    n_paper = variants["paper"]["printed"]
    eq5 = None
    if model == "uniform" and 0.0 < v < 1.0:
        eq5 = math.log(printed) / (2 * math.log(v))
    k = _chain_length(n_max, n_paper) if max_repeaters is None else max_repeaters

    sim = simulate_chain([v] * (k + 1), local_dim=d, order="sequential")
    points = []
    for n, w in enumerate(sim.intermediate_visibilities):
        w = min(max(float(w), 0.0), 1.0)  # clip round-off before the front-door check
        r = rate_upper_bound(d, 2, w, leak, model, attack=attack)
        w_paper = v ** (2 * n)
        # the paper's convention (v^(2n)) with the paper's attack: Eq. 5 as printed
        r_paper = rate_upper_bound(d, 2, w_paper, leak, model, attack="paper")
        points.append(ChainPoint(repeaters=n, visibility=w, rate_upper_bound=float(r.value),
                                 visibility_law=v ** (n + 1),
                                 visibility_paper_convention=w_paper,
                                 rate_upper_bound_paper_convention=float(r_paper.value),
                                 status=r.status, isotropy_distance=sim.isotropy_distances[n],
                                 paper_value=r.paper_value, attack=attack,
                                 attack_used=r.attack_used, extended_value=r.extended_value,
                                 no_attack_value=r.no_attack_value, message=r.message,
                                 lower_bound=r.lower_bound,
                                 lower_bound_method=r.lower_bound_method, verdict=r.verdict))
    # (a rate at or below ATOL_RATE is 0 to the closed form's accuracy: a chain visibility
    # 0.2500000000000003 against the threshold 0.25 gives 5.7e-16)
    positive = [p.rate_upper_bound > ATOL_RATE for p in points]
    n_from_rate = None
    if not all(positive):
        first_zero = positive.index(False)
        n_from_rate = first_zero - 1
    consistent = None
    if n_max is not None and n_max + 1 <= k:
        at = points[n_max].rate_upper_bound > ATOL_RATE if n_max >= 0 else True
        consistent = bool(at and points[n_max + 1].rate_upper_bound <= ATOL_RATE
                          and n_from_rate == n_max)
    law_dev = max(abs(p.visibility - p.visibility_law) for p in points)
    status = Status.HEURISTIC if consistent is False else Status.CLOSED_FORM
    message = ("n_max agrees with the chain's rate bounds" if consistent else
               "n_max not checked against the chain's rate bounds (the chain is too short)"
               if consistent is None else
               "n_max from the threshold disagrees with the chain's rate bounds")
    return RepeaterBudget(
        value=n_max, n_max_paper_convention=n_paper, eq5_rhs=eq5, threshold=derived,
        paper_threshold=printed, variants=variants, n_max_from_rate_bound=n_from_rate,
        consistent=consistent, chain=tuple(points), visibility=v, leakage=leak, model=model,
        local_dim=d, law_max_deviation=law_dev,
        method=(f"chain visibilities: {sim.method}; n_max from the simulated law "
                "v**(n+1) and the derived threshold; paper convention v**(2n) with the printed "
                "threshold (Eq. 5)"),
        status=status, message=message)


@dataclass(frozen=True, eq=False)
class LinkVisibilityPlan(StatusField):
    r"""Result of :func:`minimum_link_visibility` (planner view).

    Attributes
    ----------
    value : float or None
        Minimum link visibility (simulated law :math:`v^{n+1}`) for which the rate upper bound
        reaches ``target_rate``; ``None`` if no visibility does.  For ``target_rate = 0`` this is
        the infimum :math:`(v^*)^{1/(n+1)}` — key needs a visibility *strictly* above it.
    end_to_end_visibility : float or None
        :math:`\text{value}^{n+1}`.
    value_paper_convention : float or None
        Same target under :math:`v^{2n}`: :math:`(\text{end-to-end})^{1/(2n)}` (``None`` for
        ``n = 0``, where the paper's count gives visibility 1 whatever the links).
    rate_at_value : float or None
        Rate bound at the returned visibility (>= target up to the bisection tolerance).
    max_rate : float
        Rate bound at perfect links (:math:`v = 1`).
    n_repeaters, target_rate, leakage, model, local_dim
        Inputs.
    threshold : float
        Derived no-key threshold on the end-to-end visibility.
    method : str
    status : Status
        ``optimal`` (bisection converged to ``tolerance``), ``closed_form`` (``target_rate = 0``:
        the threshold) or ``infeasible`` (no link visibility reaches the target).
    tolerance : float
        Bisection tolerance on the link visibility.
    """

    value: float | None
    end_to_end_visibility: float | None
    value_paper_convention: float | None
    rate_at_value: float | None
    max_rate: float
    n_repeaters: int
    target_rate: float
    leakage: float
    model: str
    local_dim: int
    threshold: float
    method: str
    status: Status
    tolerance: float


def minimum_link_visibility(n_repeaters: int, target_rate: float, leakage: float,
                            model: str = "uniform", local_dim: int = 2,
                            xtol: float = XTOL_THRESHOLD,
                            attack: str = "best") -> LinkVisibilityPlan:
    r"""Planner inverse: the smallest link visibility whose chain can reach ``target_rate``.

    Bisection on the link visibility :math:`v` of the rate upper bound
    :math:`R(v^{n+1})` (paper 1, Eq. 29 with :math:`N = 2`), using that the bound is
    non-decreasing in the visibility (a tested invariant of the engine).  Below the returned
    value *no* protocol with announced inputs reaches ``target_rate`` (it is an upper bound);
    above it the bound does not exclude it.

    Parameters
    ----------
    n_repeaters : int
        Repeaters ``n >= 0`` (``n + 1`` equal links).
    target_rate : float
        Target key rate in bits per round, ``>= 0``.
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
    local_dim : int
        ``d >= 2``.
    attack : {"best", "paper", "extended"}
        Eve's attack for the chain's rate bound (default the tightest, ``"best"``).
    xtol : float
        Bisection tolerance on :math:`v`.

    Examples
    --------
    >>> p = minimum_link_visibility(10, 0.0, 0.1)
    >>> round(p.value, 6), p.status            # (1/(3 - 2L))**(1/11)
    (0.910645, <Status.CLOSED_FORM: 'closed_form'>)
    """
    n = check_int("n_repeaters", n_repeaters, 0, MAX_CHAIN_LINKS - 1)
    d = check_int("local_dim", local_dim, 2)
    target = check_real("target_rate", target_rate, 0.0, math.log2(d))
    leak = check_probability("leakage", leakage)
    model = check_choice("model", model, LEAKAGE_MODELS)
    xtol = check_real("xtol", xtol, 1e-15, 1e-2)
    rate_upper_bound, visibility_threshold = _bounds()
    thr = float(visibility_threshold(d, 2, leak, model).value)
    links = n + 1

    def rate(v_link: float) -> float:
        return float(rate_upper_bound(d, 2, min(v_link**links, 1.0), leak, model,
                                      attack=attack).value)

    max_rate = rate(1.0)
    lo = thr ** (1.0 / links)  # at and below: chain visibility <= threshold, no key

    def paper(w):
        return None if n == 0 else w ** (1.0 / (2 * n))

    common = dict(max_rate=max_rate, n_repeaters=n, target_rate=target, leakage=leak,
                  model=model, local_dim=d, threshold=thr, tolerance=xtol)
    if target == 0.0:
        if lo >= 1.0:
            return LinkVisibilityPlan(None, None, None, None, method="threshold: no key at any "
                                      "visibility", status=Status.INFEASIBLE, **common)
        return LinkVisibilityPlan(lo, thr, paper(thr), 0.0,
                                  method="closed form (threshold)**(1/(n+1)); key needs v above",
                                  status=Status.CLOSED_FORM, **common)
    if max_rate < target:
        return LinkVisibilityPlan(None, None, None, None,
                                  method="rate bound at v = 1 below target", status=Status.INFEASIBLE,
                                  **common)
    hi = 1.0
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        if rate(mid) >= target:
            hi = mid
        else:
            lo = mid
    w = hi**links
    return LinkVisibilityPlan(hi, w, paper(w), rate(hi),
                              method="bisection on the link visibility of the rate bound R(v**(n+1))",
                              status=Status.OPTIMAL, **common)


@dataclass(frozen=True)
class RepeaterCurve:
    """Rate against number of repeaters for one link visibility (one curve of Fig. 2).

    Attributes
    ----------
    visibility : float
        Link visibility.
    repeaters : tuple of int
    rate_simulated_law : tuple of float
        Rate bound at the simulated chain visibility (:math:`v^{n+1}`).
    rate_paper_convention : tuple of float
        Rate bound at :math:`v^{2n}` (how the paper's Fig. 2 counts).
    n_max, n_max_paper_convention : int or None
        Simulated law with the derived threshold; Eq. 5 as printed.
    n_max_paper_law_derived_threshold : int or None
        :math:`v^{2n}` with the derived threshold: where ``rate_paper_convention`` reaches 0.
    """

    visibility: float
    repeaters: tuple[int, ...]
    rate_simulated_law: tuple[float, ...]
    rate_paper_convention: tuple[float, ...]
    n_max: int | None
    n_max_paper_convention: int | None
    n_max_paper_law_derived_threshold: int | None


@dataclass(frozen=True)
class Figure2Data:
    """Data of paper 1, Fig. 2 (rate vs repeaters), both visibility laws.

    Attributes
    ----------
    curves : tuple of RepeaterCurve
    leakage : float
    model : str
    local_dim : int
    threshold, paper_threshold : float
    """

    curves: tuple[RepeaterCurve, ...]
    leakage: float
    model: str
    local_dim: int
    threshold: float
    paper_threshold: float


def figure2_data(link_visibilities: Sequence[float] = (0.9, 0.95, 0.98), leakage: float = 0.1,
                 model: str = "uniform", local_dim: int = 2,
                 max_repeaters: int = 30) -> Figure2Data:
    """Curves of paper 1, Fig. 2 (v in {0.9, 0.95, 0.98}, L = 0.1, uniform) under both laws.

    Examples
    --------
    >>> data = figure2_data((0.95,), max_repeaters=12)
    >>> c = data.curves[0]
    >>> c.n_max, c.n_max_paper_convention, c.rate_paper_convention[10] > 0
    (19, 8, True)
    """
    k = check_int("max_repeaters", max_repeaters, 1, DEFAULT_MAX_REPEATERS_CAP)
    curves = []
    budget = None
    for v in link_visibilities:
        budget = repeater_budget(v, leakage, model, local_dim, max_repeaters=k, attack="paper")
        curves.append(RepeaterCurve(
            visibility=budget.visibility,
            repeaters=tuple(p.repeaters for p in budget.chain),
            rate_simulated_law=tuple(p.rate_upper_bound for p in budget.chain),
            rate_paper_convention=tuple(p.rate_upper_bound_paper_convention for p in budget.chain),
            n_max=budget.n_max, n_max_paper_convention=budget.n_max_paper_convention,
            n_max_paper_law_derived_threshold=budget.variants["paper"]["derived"]))
    if budget is None:
        raise InputError("link_visibilities must hold at least one visibility in [0, 1]")
    return Figure2Data(curves=tuple(curves), leakage=budget.leakage, model=budget.model,
                       local_dim=budget.local_dim, threshold=budget.threshold,
                       paper_threshold=budget.paper_threshold)
