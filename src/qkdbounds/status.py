"""The status of a result: how far its number can be trusted, as a small enum.

Every result object of qkdbounds has a ``status`` (a :class:`Status`) and a ``message`` (the
prose: notes, gaps, solver details). Code tests the enum; people read the message. ``Status`` is a
:class:`enum.StrEnum`, so ``result.status == "optimal"`` holds and the JSON output carries the plain
string.

The members, from most to least exact:

``closed_form``
    The value is an exact formula (structured route, Bell-diagonal closed forms, textbook
    rates).
``optimal``
    A solver or search reached a proven optimum of the stated problem: a convex program solved
    to optimality, or an upper bound certified to be 0 (a key rate cannot go lower).
``certified``
    The number is a valid bound with an explicit, checked certificate (Eve's attack, a separable
    ensemble that reassembles the state, a local model), but it is not proven optimal over the
    family searched (seeded starts, column generation short of the outer bound): a better
    certificate may exist, so an upper bound may be loose, never invalid.
``heuristic``
    An estimate without a certificate of validity (a Monte-Carlo estimate, a search whose
    certificate could not be checked).
``infeasible``
    The question has no answer, and that is the answer: e.g. no link visibility reaches the
    target rate. The value is ``None``; ``message`` says why.
``failed``
    No valid number: the solver failed or the input left nothing to compute; the value is NaN
    or the trivial bound, and ``message`` says which.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status", "StatusField"]


class Status(StrEnum):
    """How a result was obtained and how far it can be trusted (see :mod:`qkdbounds.status`)."""

    CLOSED_FORM = "closed_form"
    OPTIMAL = "optimal"
    CERTIFIED = "certified"
    HEURISTIC = "heuristic"
    INFEASIBLE = "infeasible"
    FAILED = "failed"

    @classmethod
    def of_solver(cls, solver_status: str) -> Status:
        """The status of a convex program from the solver's own status string (cvxpy / SciPy
        HiGHS): ``optimal`` (also ``optimal_inaccurate``: within the solver's tolerances) or
        ``failed``."""
        text = str(solver_status).lower()
        return cls.OPTIMAL if text.startswith("optimal") or text == "solved" else cls.FAILED

    @classmethod
    def parse(cls, value) -> Status:
        """``value`` as a :class:`Status`; :class:`ValueError` naming the allowed values
        otherwise."""
        try:
            return cls(str(value))
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"status must be one of {allowed}; got {value!r}") from None


class StatusField:
    """Mixin of the frozen result dataclasses: ``status`` is coerced to :class:`Status` (a
    :class:`ValueError` for anything else) when the result is built."""

    def __post_init__(self):
        object.__setattr__(self, "status", Status.parse(self.status))
