"""Frozen result objects of the DIQKD (paper 2) routines: value + certificate + method + status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...status import Status, StatusField

__all__ = [
    "PPTResult",
    "KeyBoundResult",
    "RelativeEntropyBound",
    "GeneralStateBound",
    "ChannelCheck",
    "ChannelBound",
    "CrossoverResult",
]


@dataclass(frozen=True, eq=False)
class PPTResult(StatusField):
    """Outcome of a PPT check.

    Attributes
    ----------
    ppt : bool
        Whether the smallest eigenvalue of the partial transpose is ``>= -tolerance``.
    min_eigenvalue_pt : float
        Smallest eigenvalue of :math:`\\rho^\\Gamma`.
    min_eigenvalue : float
        Smallest eigenvalue of :math:`\\rho` (positivity of the state itself).
    ppt_mixing_range : tuple of float
        Interval of the mixing :math:`p` for which :math:`\\rho_d` is PPT (``rho_d`` only).
    method : str
    status : Status
        ``closed_form`` (an eigenvalue computation).
    tolerance : float
    message : str
    """

    ppt: bool
    min_eigenvalue_pt: float
    min_eigenvalue: float
    ppt_mixing_range: tuple[float, float] | None
    method: str
    status: Status
    tolerance: float
    message: str = ""


@dataclass(frozen=True, eq=False)
class KeyBoundResult(StatusField):
    """A lower bound on the distillable key :math:`K(\\rho)` (bits).

    ``certificate`` holds the privacy-squeezed key-qubit state and the entropies that enter the
    Devetak–Winter rate, so the number can be recomputed by hand. ``status``: ``closed_form``.
    """

    value: float
    certificate: dict[str, Any]
    method: str
    status: Status
    tolerance: float
    message: str = ""


@dataclass(frozen=True, eq=False)
class RelativeEntropyBound(StatusField):
    r"""An upper bound :math:`E_R(\rho) \le D(\rho\|\sigma)` with an explicit separable :math:`\sigma`.

    ``certificate`` is a :class:`~qkdbounds.di.partial_transpose.SeparableCertificate` (or a dict describing the
    decomposition used by the convexity route). ``status``: ``certified`` (the separable
    :math:`\sigma` is explicit and verified) or ``failed`` (``message``: the certificate failed,
    or :math:`D = \infty`).
    """

    value: float
    certificate: Any
    method: str
    status: Status
    tolerance: float
    message: str = ""


#: ``lower_bound_method`` of paper 2's DI upper bounds (``diqkd bound``, ``diqkd rho-d``).
DI_LOWER_BOUND_NOTE = ("none: no device-independent lower bound is computed for this state (paper 2 "
                       "bounds its DI key from above; a device-dependent key lower bound of the state, "
                       "where reported, is key_lower_bound)")


@dataclass(frozen=True, eq=False)
class GeneralStateBound(StatusField):
    r"""Paper 2, Eq. (3): :math:`K_{DI}(\rho) \le \min\{K(\rho), K(\rho^\Gamma)\}` for PPT :math:`\rho`."""

    value: float
    upper_bound_state: RelativeEntropyBound
    upper_bound_pt: RelativeEntropyBound
    min_eigenvalue_pt: float
    dims: tuple[int, int]
    method: str
    status: Status
    tolerance: float
    message: str = ""

    #: No device-independent lower bound is computed for a PPT state (the DI key is the question).
    lower_bound = None
    lower_bound_method = DI_LOWER_BOUND_NOTE

    @property
    def verdict(self) -> str:
        """``no_key`` when ``value`` is 0, else ``open`` (no DI lower bound: :data:`DI_LOWER_BOUND_NOTE`)."""
        from ...bounds.verdict import decide

        return decide(self.value, None)


@dataclass(frozen=True)
class ChannelCheck:
    """Complete positivity / complete copositivity of a map from its Choi matrix."""

    completely_positive: bool
    completely_copositive: bool
    trace_preserving: bool
    min_eigenvalue_choi: float
    min_eigenvalue_choi_pt: float
    tolerance: float


@dataclass(frozen=True, eq=False)
class ChannelBound(StatusField):
    r"""Paper 2, Eq. (8): :math:`P_2^{DI}(\Lambda) \le P_2(\vartheta\circ\Lambda) \le E(\vartheta\circ\Lambda)`.

    ``value`` is ``None`` when the bound does not apply (``status`` is ``failed`` and ``message``
    says why: not a channel, or not completely copositive); ``message`` also says when the bound
    holds for the Choi state only (the map is not teleportation covariant).
    """

    value: float | None
    check: ChannelCheck
    choi_bound: RelativeEntropyBound | None
    teleportation_covariant: bool | None
    method: str
    status: Status
    tolerance: float
    message: str = ""


@dataclass(frozen=True, eq=False)
class CrossoverResult(StatusField):
    """Smallest shield dimension with key lower bound > PT upper bound, by two routes."""

    smallest_shield_dim: int | None
    smallest_shield_dim_formula: int | None
    smallest_power_of_two: int | None
    max_dim: int
    gap_persists: bool
    table: list[dict[str, float]] = field(repr=False)
    method: str = ""
    status: Status = Status.CLOSED_FORM
    tolerance: float = 0.0
    message: str = ""
