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

import dataclasses
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


def values_equal(a, b) -> bool:
    """Equality of result contents: arrays by shape and entries (NaN equal to NaN), dicts, lists
    and tuples entry by entry, other values by ``==`` (a comparison that fails or is ambiguous
    counts as unequal)."""
    import numpy as np

    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=True))
        except TypeError:                 # (object or string arrays: no NaN test)
            return all(values_equal(x, y) for x, y in zip(a.ravel().tolist(), b.ravel().tolist()))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True                       # (NaN: not computed, equal to not computed)
    if (type(a) is type(b) and dataclasses.is_dataclass(a) and not isinstance(a, type)
            and not isinstance(a, ValueEquality)):
        # a plain dataclass inside a result (e.g. a chain's end-to-end link with array fields):
        # field by field, as the result itself
        return all(values_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    try:
        return bool(a == b)
    except (ValueError, TypeError):
        return False


class ValueEquality:
    """Mixin of the result classes (declared with ``eq=False``): ``==`` compares the type and
    every dataclass field with :func:`values_equal` and returns a bool -- the generated
    ``__eq__`` compared tuples of fields, which raises on array fields ("truth value of an array
    is ambiguous").  Results are unhashable (they hold arrays and dicts)."""

    __hash__ = None

    def __eq__(self, other):
        import dataclasses

        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(values_equal(getattr(self, f.name), getattr(other, f.name))
                   for f in dataclasses.fields(self))


class StatusField(ValueEquality):
    """Mixin of the frozen result dataclasses: ``status`` is coerced to :class:`Status` (a
    :class:`ValueError` for anything else) when the result is built; ``==`` compares contents
    (:class:`ValueEquality`)."""

    def __post_init__(self):
        object.__setattr__(self, "status", Status.parse(self.status))
