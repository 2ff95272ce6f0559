"""Exception types and front-door validation helpers.

Every public function validates its inputs here, so that a user gets one clear line naming the
parameter and its allowed range (CVXPY style) instead of a traceback deep inside numpy.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = [
    "QKDBoundsError",
    "InputError",
    "SolverError",
    "check_real",
    "check_probability",
    "check_int",
    "check_choice",
    "check_flag",
    "check_density_matrix",
    "check_parameter",
    "PARAMETER_RANGES",
    "LEAKAGE_MODELS",
]


#: The one table of parameter ranges, used by the API front doors, the CLI and sweeps:
#: name -> (low, high), inclusive.  The structured Z-basis route answers anywhere in it; routes
#: that work on all d**N outcome strings are further limited by their memory estimate.
PARAMETER_RANGES: dict[str, tuple] = {
    "local_dim": (2, 65536),
    "n_parties": (2, 10000),
    "visibility": (0.0, 1.0),
    "leakage": (0.0, 1.0),
    "n_starts": (0, 1000),
    "workers": (1, 256),
    #: a source matrix's local and total dimension (a 4096 x 4096 complex matrix is 256 MiB)
    "source_dim": (2, 4096),
}


#: Leakage models of paper 1: in every round (Eq. 11) or only in product rounds (Eq. 20).
LEAKAGE_MODELS = ("uniform", "junk")


def check_parameter(name: str, value):
    """Validate ``value`` against :data:`PARAMETER_RANGES` (int or float by the table's type)."""
    low, high = PARAMETER_RANGES[name]
    if isinstance(low, int):
        return check_int(name, value, low, high)
    return check_real(name, value, low, high)


class QKDBoundsError(Exception):
    """Base class of all errors raised by qkdbounds."""


class InputError(QKDBoundsError, ValueError):
    """An argument is outside its allowed range (a ``ValueError``)."""


class SolverError(QKDBoundsError, RuntimeError):
    """A numerical solver failed in a way that cannot be reported as a status."""


def check_real(name: str, value, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as a finite float in ``[low, high]`` or raise :class:`InputError`
    (a 0-d numpy array counts as its number, as numpy's scalars do)."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise InputError(f"{name} must be a real number, got {value!r}")
    rng = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
    # ("a finite number in [-inf, inf]" says nothing: unbounded names no range)
    where = "" if low is None and high is None else f" in {rng}"
    try:
        value = float(value)
    except OverflowError:       # an int beyond the float range (e.g. 10**400)
        raise InputError(f"{name} must be a finite number{where}, got "
                         f"{_shown_int(int(value))}") from None
    if not math.isfinite(value):
        raise InputError(f"{name} must be a finite number{where}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(f"{name} must be in {rng}, got {value!r}")
    return value


def _shown_int(value: int):
    """An integer for a message: itself, or "an integer of N digits" past 30 digits."""
    if abs(value) < 10**30:
        return value
    digits = int(abs(value).bit_length() * 0.30102999566398120) + 1     # (str() fails past 4300 digits)
    return f"an integer of about {digits} digits"


def check_probability(name: str, value) -> float:
    """Return ``value`` as a float in ``[0, 1]`` or raise :class:`InputError`."""
    return check_real(name, value, 0.0, 1.0)


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]`` or raise :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise InputError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        rng = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise InputError(f"{name} must be an integer in {rng}, got {_shown_int(value)}")
    return value


def check_rng(name: str, rng, default_seed: int = 0) -> np.random.Generator:
    """``rng`` as a :class:`numpy.random.Generator`: a Generator as is, ``None`` for
    ``default_rng(default_seed)``, a non-negative integer as a seed; else :class:`InputError`."""
    if rng is None:
        return np.random.default_rng(default_seed)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (Integral, np.integer)) and not isinstance(rng, bool) and int(rng) >= 0:
        return np.random.default_rng(int(rng))
    raise InputError(f"{name} must be a numpy.random.Generator, a non-negative integer seed or "
                     f"None, got {rng!r:.60}")


def check_sequence(name: str, value, what: str, length: int | None = None) -> list:
    """``value`` as a list: a sequence (not a string) of ``length`` entries if given; else
    :class:`InputError` saying it must be ``what``."""
    bad = InputError(f"{name} must be {what}, got {value!r:.60}")
    # (strings, and unordered collections: a dict's keys or a set in hash order, are not sequences)
    if isinstance(value, (str, bytes, dict, set, frozenset)) or not hasattr(value, "__iter__"):
        raise bad
    try:
        if length is not None and (not hasattr(value, "__len__") or len(value) != length):
            raise bad
        return list(value)
    except TypeError:       # e.g. a 0-d numpy array: iterable by type, not by value
        raise bad from None


#: Largest leakage grid of one serial call of the point functions whose points cost up to
#: seconds (sources, data); larger grids belong to ``qkdbounds sweep`` (parallel, resumable).
MAX_LEAKAGE_POINTS = 10_000


def check_leakage_grid(leakage, max_points: int = MAX_LEAKAGE_POINTS) -> tuple[list[float], bool]:
    """Paper 1's leakage as a number or a 1-D grid in [0, 1] of at most ``max_points`` values:
    ``(values, is_grid)``."""
    bad = f"leakage must be a number or a 1-D grid in [0, 1], got {leakage!r:.60}"
    if isinstance(leakage, (str, bytes)):
        raise InputError(bad)
    try:
        arr = np.asarray(leakage, dtype=float)
    except (TypeError, ValueError, OverflowError):   # complex, ragged, None, a huge int
        raise InputError(bad) from None
    if arr.ndim > 1:
        raise InputError(f"leakage must be a number or a 1-D grid in [0, 1], got shape {arr.shape}")
    if arr.ndim == 0:
        return [check_probability("leakage", leakage)], False
    if arr.size == 0:
        raise InputError("leakage grid must not be empty")
    if arr.size > max_points:
        raise InputError(f"leakage grid has {arr.size} points; allowed: at most {max_points} in one "
                         f"call (split it, or run it as a sweep: `qkdbounds sweep`, parallel and "
                         f"resumable)")
    return [check_probability("leakage", float(x)) for x in arr], True


def check_flag(name: str, value, allow_none: bool = False):
    """Return ``value`` as a bool if it is one (``True``/``False``, numpy's included; None when
    ``allow_none``), else raise :class:`InputError` -- not Python's truthiness ('no' is truthy)."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InputError(f"{name} must be True or False{' or None' if allow_none else ''}, got {value!r:.60}")


def check_callback(name: str, value):
    """Return ``value`` if it is None or callable, else raise :class:`InputError`."""
    if value is not None and not callable(value):
        raise InputError(f"{name} must be callable or None, got {value!r:.60}")
    return value


#: Longest name text (:func:`check_name_text`), e.g. a sweep name.
MAX_NAME_LENGTH = 200


def check_name_text(name: str, value, max_length: int = MAX_NAME_LENGTH) -> str:
    """Return ``value`` if it is printable, non-empty (not only spaces) text of at most
    ``max_length`` characters, else raise :class:`InputError` (a sweep name: an empty one would
    silently become the default, a newline would break the text output)."""
    if (not isinstance(value, str) or not value.strip() or len(value) > max_length
            or not value.isprintable()):
        raise InputError(f"{name} must be printable, non-empty text of at most {max_length} "
                         f"characters, got {value!r:.60}")
    return value


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices`` or raise :class:`InputError`."""
    try:
        ok = isinstance(value, (str, int, float, type(None))) and value in choices
    except (TypeError, ValueError):     # (e.g. an array: its truth value is ambiguous)
        ok = False
    if not ok:
        raise InputError(f"{name} must be one of {', '.join(map(str, choices))}; got "
                         f"{value!r:.60}")
    return value


def check_density_matrix(name: str, matrix, atol: float = 1e-8) -> np.ndarray:
    """Validate a density matrix: square, finite, Hermitian, PSD, unit trace.

    Returns the matrix as a complex ``ndarray``; raises :class:`InputError` otherwise.
    """
    try:
        rho = np.asarray(matrix, dtype=complex)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"{name} must be a numeric square matrix ({exc})") from None
    if rho.ndim != 2 or rho.shape[0] != rho.shape[1] or rho.shape[0] == 0:
        raise InputError(f"{name} must be a square matrix, got shape {rho.shape}")
    if not np.all(np.isfinite(rho)):
        raise InputError(f"{name} must not contain NaN or inf")
    if not np.allclose(rho, rho.conj().T, atol=atol):
        raise InputError(f"{name} must be Hermitian (|rho - rho^dagger| <= {atol})")
    tr = np.trace(rho).real
    if abs(tr - 1.0) > atol * max(1, rho.shape[0]):
        raise InputError(f"{name} must have unit trace, got trace {tr:.6g}")
    min_eig = float(np.linalg.eigvalsh((rho + rho.conj().T) / 2).min())
    if min_eig < -atol * max(1, rho.shape[0]):
        raise InputError(f"{name} must be positive semidefinite, smallest eigenvalue {min_eig:.3g}")
    return rho
