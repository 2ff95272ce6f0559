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
        Valid upper bound on the key rate (bits); at or below ``atol`` counts as zero.
    lower : float or None
        Valid lower bound (bits), or None when no lower bound applies.
    atol : float
        Rates at or below this count as zero (default ``ATOL_RATE``).

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
    if upper <= atol:
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

    Examples
    --------
    >>> reported_lower(0.9999999999999992, 1.0000000000000004), reported_lower(0.5, 0.2)
    (0.9999999999999992, 0.2)
    """
    if lower is None:
        return None
    if np.ndim(lower) == 0 and np.ndim(upper) == 0:
        decide(upper, lower, atol)          # (raises on a real contradiction)
        return float(min(float(lower), float(upper)))
    decide_array(upper, lower, atol)
    up, low = np.broadcast_arrays(np.asarray(upper, dtype=float), np.asarray(lower, dtype=float))
    return np.where(np.isfinite(low) & (low > up), up, low)


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
    out[up <= atol] = NO_KEY
    return out
