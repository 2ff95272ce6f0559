r"""Key-rate upper bounds for a Weyl-diagonal link (issue 15, part 2).

The end-to-end state of a chain goes to the bound that exists for it:

* isotropic (Werner for qubits) links: the structured route of :func:`qkdbounds.rate_upper_bound`
  (paper 1, Eq. 29, Z bases; N = 2), and exactly 0 at or below the separable visibility
  :math:`1/(1+d)` (the CC attack sends the whole separable state, Eq. 8);
* any Bell-diagonal two-qubit link: the any-source route
  :func:`qkdbounds.bounds.source_bound.source_rate_upper_bound` (certified decomposition, global
  search over Bloch axes, Eve adapting per setting);
* a non-isotropic link with d >= 3: no general-source bound is implemented yet (``None``, route
  ``"unavailable"``, status ``failed``); beside it, always, the bound of the *isotropic twirl* of the link, which
  holds for the protocol in which the two ends first twirl (:math:`U\otimes U^*` with shared
  randomness) -- labelled as such, since twirling may lose key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from numpy.typing import ArrayLike

from ..errors import check_choice, check_probability
from ..bounds.verdict import decide
from ..status import Status, StatusField
from .links import weights_to_state, weyl_diagonal_link

__all__ = ["LinkKeyBound", "link_key_bound"]


@dataclass(frozen=True, eq=False)
class LinkKeyBound(StatusField):
    """Key-rate upper bound of one link (bits per delivered pair).

    Attributes
    ----------
    value : float or None
        The bound for the link as it is; ``None`` where no bound is implemented (d >= 3,
        non-isotropic).
    twirled_value : float
        The bound if the ends twirl the link to its isotropic form first.
    fidelity, visibility : float
        :math:`\\langle\\phi^+|\\rho|\\phi^+\\rangle` and the visibility of the isotropic twirl.
    route : str
        ``"isotropic"``, ``"two-qubit"`` or ``"unavailable"``.
    certificate : dict
    method : str
    status : Status
        The status of the bound used (isotropic or two-qubit route); ``failed`` when no bound
        is implemented for the link (``value`` is None; ``message`` says so).
    message : str
    leakage, model, local_dim
        The question asked.
    lower_bound : float or None
        A lower bound on the link's key (bits per delivered pair) where the route has one (the
        isotropic route's Devetak-Winter rate), else ``None``.
    verdict : str
        ``"no_key"``, ``"key"`` or ``"open"`` (:mod:`qkdbounds.bounds.verdict`).
    lower_bound_method : str or None
        The lower bound's method and assumptions (None without a lower bound).
    unit : str
    attack_used : str or None
        The attack that achieved ``value`` (``"paper"``, ``"extended"``, ``"no_attack"``, as the
        route's result names it; ``"separable"`` for a separable link; None without a bound).
    paper_value, extended_value, no_attack_value : float or None
        Paper 1's attack, the extended attack and no attack at the same measurements, beside
        ``value`` (their minimum, for the default attack); None where not computed.
    """

    value: float | None
    twirled_value: float
    fidelity: float
    visibility: float
    route: str
    certificate: dict = field(repr=False)
    method: str = field(repr=False)
    status: Status
    message: str = ""
    leakage: float | None = None
    model: str = "uniform"
    local_dim: int | None = None
    lower_bound: float | None = None
    verdict: str = "open"
    unit: str = "bits per delivered pair"
    lower_bound_method: str | None = None
    attack_used: str | None = None
    paper_value: float | None = None
    extended_value: float | None = None
    no_attack_value: float | None = None

    def __repr__(self) -> str:
        value = "None" if self.value is None else f"{self.value:.6g}"
        low = "None" if self.lower_bound is None else f"{self.lower_bound:.6g}"
        return (f"LinkKeyBound(d={self.local_dim}, fidelity={self.fidelity:.6g}, "
                f"leakage={self.leakage}, model={self.model!r}: value={value} {self.unit}, "
                f"twirled_value={self.twirled_value:.6g}, lower_bound={low}, "
                f"verdict={self.verdict!r}, route={self.route!r}, status={str(self.status)!r})")


def _isotropic_bound(d: int, visibility: float, leakage: float, model: str):
    from ..bounds import rate_upper_bound

    if visibility <= 1.0 / (1 + d):  # separable isotropic link (includes every v < 0)
        return 0.0, "separable isotropic link: Eve sends it all as product states (Eq. 8)", None
    r = rate_upper_bound(d, 2, min(visibility, 1.0), leakage, model)
    return r.value, r.method, r


def _attacks(result, d: int | None = None, visibility: float | None = None, leakage: float | None = None,
             model: str | None = None) -> dict:
    """The attack that won and the values beside it, from the route's result (a separable link,
    ``result`` None: every attack gives 0, and no attack -- what the parties would keep if Eve
    did nothing -- is the isotropic route's value at that visibility; None for v < 0, outside
    that route's family)."""
    if result is None:
        no_attack = None
        if visibility is not None and visibility >= 0:
            from ..bounds import rate_upper_bound

            no_attack = rate_upper_bound(d, 2, visibility, leakage, model).no_attack_value
        return {"attack_used": "separable", "paper_value": 0.0, "extended_value": 0.0,
                "no_attack_value": no_attack}
    return {name: getattr(result, name, None)
            for name in ("attack_used", "paper_value", "extended_value", "no_attack_value")}


def link_key_bound(weights: ArrayLike, leakage: float, model: str = "uniform",
                   measurements: str = "search") -> LinkKeyBound:
    """Upper bound on the key of one Weyl-diagonal link with leakage (module docstring).

    Parameters
    ----------
    weights : (d, d) array_like
        The link (see :mod:`qkdbounds.repeaters.links`).
    leakage : float
        :math:`L \\in [0, 1]`.
    model : {"uniform", "junk"}
    measurements : {"search", "Z"}
        For two-qubit non-isotropic links: global search over Bloch axes, or Z bases.

    Raises
    ------
    InputError
        Invalid weights or parameters.

    Examples
    --------
    >>> from qkdbounds.repeaters.links import isotropic_weights
    >>> round(link_key_bound(isotropic_weights(0.9, 2), 0.1).value, 4)   # the tightest bound
    0.5848
    """
    link = weyl_diagonal_link(weights)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("measurements", measurements, ("search", "Z"))
    d, vis = link.local_dim, link.visibility
    twirled, twirl_method, twirl_rate = _isotropic_bound(d, vis, leakage, model)
    cert = {"weights": link.weights, "isotropy_distance": link.isotropy_distance}
    question = dict(leakage=leakage, model=model, local_dim=d)
    if link.is_isotropic:
        lower = 0.0 if twirl_rate is None else twirl_rate.lower_bound
        return LinkKeyBound(twirled, twirled, link.fidelity, vis, "isotropic", cert,
                            f"isotropic link: {twirl_method}",
                            Status.OPTIMAL if twirl_rate is None else twirl_rate.status,
                            "" if twirl_rate is None else twirl_rate.message, **question,
                            lower_bound=lower, verdict=decide(twirled, lower),
                            lower_bound_method=("none needed: the link is separable (upper "
                                                "bound 0)" if twirl_rate is None
                                                else twirl_rate.lower_bound_method),
                            **_attacks(twirl_rate, d, vis, leakage, model))
    if d == 2:
        from ..bounds.source_bound import source_rate_upper_bound

        r = source_rate_upper_bound(weights_to_state(link.weights), leakage, model,
                                    measurements=measurements, dims=(2, 2))
        cert.update(separable_weight=r.separable_weight, attack=r.certificate["attack"],
                    attack_used=r.attack_used, paper_value=r.paper_value,
                    measurements=r.measurements)
        return LinkKeyBound(float(r.value), twirled, link.fidelity, vis, "two-qubit", cert,
                            f"two-qubit source route (qkdbounds.bounds.source_bound): {r.method}",
                            r.status, r.message, **question, lower_bound=r.lower_bound,
                            verdict=decide(float(r.value), r.lower_bound),
                            lower_bound_method=r.lower_bound_method, **_attacks(r))
    return LinkKeyBound(None, twirled, link.fidelity, vis, "unavailable", cert,
                        f"no general-source bound for non-isotropic d = {d} links yet; "
                        f"twirled_value: {twirl_method}", Status.FAILED,
                        f"unavailable: no general-source bound for non-isotropic d = {d} links "
                        f"yet (twirled_value is the isotropic twirl's bound)", **question,
                        verdict="no_key" if twirled <= 0 else "open")
