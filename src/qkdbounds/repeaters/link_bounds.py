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
from ..status import Status, StatusField
from .links import weights_to_state, weyl_diagonal_link

__all__ = ["LinkKeyBound", "link_key_bound"]


@dataclass(frozen=True)
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
    """

    value: float | None
    twirled_value: float
    fidelity: float
    visibility: float
    route: str
    certificate: dict = field(repr=False)
    method: str
    status: Status
    message: str = ""


def _isotropic_bound(d: int, visibility: float, leakage: float, model: str):
    from ..bounds import rate_upper_bound

    if visibility <= 1.0 / (1 + d):  # separable isotropic link (includes every v < 0)
        return 0.0, "separable isotropic link: Eve sends it all as product states (Eq. 8)", None
    r = rate_upper_bound(d, 2, min(visibility, 1.0), leakage, model)
    return r.value, r.method, r


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
    if link.is_isotropic:
        return LinkKeyBound(twirled, twirled, link.fidelity, vis, "isotropic", cert,
                            f"isotropic link: {twirl_method}",
                            Status.OPTIMAL if twirl_rate is None else twirl_rate.status,
                            "" if twirl_rate is None else twirl_rate.message)
    if d == 2:
        from ..bounds.source_bound import source_rate_upper_bound

        r = source_rate_upper_bound(weights_to_state(link.weights), leakage, model,
                                    measurements=measurements, dims=(2, 2), lower_bound=False)
        cert.update(separable_weight=r.separable_weight, attack=r.certificate["attack"],
                    attack_used=r.attack_used, paper_value=r.paper_value,
                    measurements=r.measurements)
        return LinkKeyBound(float(r.value), twirled, link.fidelity, vis, "two-qubit", cert,
                            f"two-qubit source route (qkdbounds.bounds.source_bound): {r.method}",
                            r.status, r.message)
    return LinkKeyBound(None, twirled, link.fidelity, vis, "unavailable", cert,
                        f"no general-source bound for non-isotropic d = {d} links yet; "
                        f"twirled_value: {twirl_method}", Status.FAILED,
                        f"unavailable: no general-source bound for non-isotropic d = {d} links "
                        f"yet (twirled_value is the isotropic twirl's bound)")
