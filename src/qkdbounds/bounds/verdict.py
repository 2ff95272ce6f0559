r"""Decided answers (SPEC F13): is key possible, impossible, or undecided?

Every bound family (isotropic, any source, recorded data, DI, links) reports, beside its upper
bound on the key rate, a lower bound valid under stated assumptions and a *verdict*:

``"no_key"``
    the upper bound is zero (an explicit attack leaves no key; its certificate is in the result);
``"key"``
    a lower bound valid under the stated assumptions is positive;
``"open"``
    neither: the key rate lies between the lower and the upper bound.

Both are in bits per round.  A positive lower bound above a zero upper bound would be a
contradiction between two valid bounds; :func:`decide` raises instead of hiding it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._tolerances import ATOL_RATE

__all__ = ["VERDICTS", "NO_KEY", "KEY", "OPEN", "decide", "decide_array", "reported_lower"]

NO_KEY = "no_key"
KEY = "key"
OPEN = "open"
#: The three verdicts, in the order of the module docstring.
VERDICTS = (NO_KEY, KEY, OPEN)


def decide(upper: float, lower: float | None, atol: float = ATOL_RATE) -> str:
    """The verdict of one point from its upper and lower bound (bits per round).

    Parameters
    ----------
    upper : float
        Valid upper bound on the key rate (bits) as reported; ``no_key`` when it is 0 (the routes
        report a heuristic attack's value at or below ``ATOL_RATE`` as 0: the verdict then
        follows the number shown).
    lower : float or None
        Valid lower bound (bits), or None when no lower bound applies.
    atol : float
        Lower bounds at or below this prove nothing (default ``ATOL_RATE``; :func:`reported_lower`
        reports them as 0).

    Returns
    -------
    str
        ``"no_key"``, ``"key"`` or ``"open"``.

    Raises
    ------
    ValueError
        If the lower bound exceeds the upper bound by more than ``atol`` (two valid bounds
        cannot disagree).

    Examples
    --------
    >>> decide(0.0, 0.0), decide(0.3, 0.1), decide(0.3, 0.0), decide(0.3, None)
    ('no_key', 'key', 'open', 'open')
    """
    upper = float(upper)
    if lower is not None and float(lower) > upper + max(atol, 1e-7):
        raise ValueError(f"lower bound {float(lower):.9g} exceeds upper bound {upper:.9g}")
    if upper <= 0.0:
        return NO_KEY
    if lower is not None and float(lower) > atol:
        return KEY
    return OPEN


def reported_lower(upper, lower, atol: float = ATOL_RATE):
    """The lower bound to report beside ``upper`` (bits per round): ``lower``, or ``upper`` where
    ``lower`` exceeds it by round-off (e.g. 1.0000000000000004 beside 0.9999999999999992 for a
    Bell state at L = 0: two valid bounds cannot cross).  None (or NaN in an array) stays.

    Raises
    ------
    ValueError
        If ``lower`` exceeds ``upper`` by more than :func:`decide` tolerates.

    A lower bound at or below ``atol`` is reported as 0 (the verdict reads it so; lowering a lower
    bound keeps it valid).

    Examples
    --------
    >>> reported_lower(0.9999999999999992, 1.0000000000000004), reported_lower(0.5, 0.2)
    (0.9999999999999992, 0.2)
    >>> reported_lower(0.5, 2.6e-10)
    0.0
    """
    if lower is None:
        return None
    if np.ndim(lower) == 0 and np.ndim(upper) == 0:
        decide(upper, lower, atol)          # (raises on a real contradiction)
        low = float(min(float(lower), float(upper)))
        # (at or below atol a lower bound proves nothing the verdict reads: reported as 0, so
        # that "key" is exactly "the lower bound shown is positive"; lowering it stays valid)
        return 0.0 if low <= atol else low
    decide_array(upper, lower, atol)
    up, low = np.broadcast_arrays(np.asarray(upper, dtype=float), np.asarray(lower, dtype=float))
    low = np.where(np.isfinite(low) & (low > up), up, low)
    return np.where(np.isfinite(low) & (low <= atol), 0.0, low)


def decide_array(upper: ArrayLike, lower: ArrayLike, atol: float = ATOL_RATE) -> NDArray[np.str_]:
    """Element-wise :func:`decide` (broadcasting; NaN lower bounds mean "no lower bound").

    Examples
    --------
    >>> decide_array([0.0, 0.5, 0.5], [0.0, 0.2, 0.0]).tolist()
    ['no_key', 'key', 'open']
    """
    up, low = np.broadcast_arrays(np.asarray(upper, dtype=float), np.asarray(lower, dtype=float))
    bad = np.isfinite(low) & (low > up + max(atol, 1e-7))
    if np.any(bad):
        i = np.flatnonzero(bad.ravel())[0]
        raise ValueError(f"lower bound {low.ravel()[i]:.9g} exceeds upper bound "
                         f"{up.ravel()[i]:.9g}")
    out = np.full(up.shape, OPEN, dtype="<U6")
    out[np.isfinite(low) & (low > atol)] = KEY
    out[up <= 0.0] = NO_KEY
    return out
