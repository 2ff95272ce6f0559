r"""Exact (Clopper-Pearson) confidence intervals for error rates and a joint region for several.

For :math:`k` errors in :math:`n` rounds the two-sided Clopper-Pearson interval at level
:math:`1-\alpha` is (C. J. Clopper and E. S. Pearson, Biometrika 26, 404 (1934))

.. math::

    p_L = B^{-1}\!\left(\tfrac{\alpha}{2};\, k,\, n-k+1\right), \qquad
    p_U = B^{-1}\!\left(1-\tfrac{\alpha}{2};\, k+1,\, n-k\right),

with :math:`B^{-1}(q; a, b)` the quantile of the Beta(a, b) distribution, :math:`p_L = 0` for
:math:`k = 0` and :math:`p_U = 1` for :math:`k = n`.  Equivalently (the definition),
:math:`P[X \ge k \mid p_L] = \alpha/2` and :math:`P[X \le k \mid p_U] = \alpha/2` for
:math:`X \sim \mathrm{Bin}(n, p)`.  Its coverage is at least :math:`1-\alpha` for every true
rate.

Joint region (Bonferroni): for :math:`m` rates, each interval is taken at level
:math:`1 - \alpha/m`; by the union bound the probability that any of them misses its rate is at
most :math:`m \cdot \alpha/m = \alpha`, so the box of the :math:`m` intervals covers all rates
jointly with probability at least :math:`1-\alpha`, whatever the dependence between them
(C. E. Bonferroni, Pubbl. R. Ist. Sup. Sci. Econ. Commer. Firenze 8, 3 (1936); e.g. G. Casella
and R. L. Berger, *Statistical Inference*, 2nd ed., Sec. 11.2.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from ..errors import InputError, check_int

__all__ = ["clopper_pearson", "RateInterval", "qber_region"]


def _check_confidence(confidence) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, (Real, np.floating, np.integer)):
        raise InputError(f"confidence must be a number in (0, 1), got {confidence!r}")
    value = float(confidence)
    if not (math.isfinite(value) and 0.0 < value < 1.0):
        raise InputError(f"confidence must be in (0, 1) (exclusive), got {confidence!r}")
    return value


def _check_counts(errors, rounds, label: str = "") -> tuple[int, int]:
    for what, value in (("rounds", rounds), ("errors", errors)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
            raise InputError(f"{label}{what} must be an integer, got {value!r}")
    rounds = check_int(f"{label}rounds", rounds, 1)
    errors = check_int(f"{label}errors", errors, 0)
    if errors > rounds:
        raise InputError(f"{label}errors must be in [0, rounds] = [0, {rounds}], got {errors}")
    return errors, rounds


def clopper_pearson(errors: int, rounds: int, confidence: float) -> tuple[float, float]:
    r"""Two-sided exact binomial (Clopper-Pearson) interval for the rate ``errors / rounds``.

    Parameters
    ----------
    errors : int
        Observed number of errors :math:`k`, ``0 <= errors <= rounds``.
    rounds : int
        Number of rounds :math:`n \ge 1`.
    confidence : float
        Level :math:`1-\alpha`, in the open interval (0, 1).

    Returns
    -------
    (float, float)
        ``(lower, upper)`` with ``0 <= lower <= errors/rounds <= upper <= 1``; ``lower == 0`` for
        ``errors == 0`` and ``upper == 1`` for ``errors == rounds``.

    Raises
    ------
    InputError
        ``rounds < 1``, ``errors`` outside ``[0, rounds]``, non-integer counts, or
        ``confidence`` outside (0, 1).

    Notes
    -----
    Beta quantiles of the module docstring (Clopper and Pearson, Biometrika 26, 404 (1934));
    computed with ``scipy.stats.beta.ppf``.

    Examples
    --------
    >>> lower, upper = clopper_pearson(0, 10, 0.95)
    >>> lower, round(upper, 6)          # upper = 1 - 0.025**(1/10)
    (0.0, 0.308497)
    >>> [round(x, 4) for x in clopper_pearson(5, 10, 0.95)]
    [0.1871, 0.8129]
    """
    errors, rounds = _check_counts(errors, rounds)
    level = _check_confidence(confidence)
    from scipy.stats import beta

    alpha = 1.0 - level
    lower = 0.0 if errors == 0 else float(beta.ppf(alpha / 2, errors, rounds - errors + 1))
    upper = 1.0 if errors == rounds else float(beta.ppf(1 - alpha / 2, errors + 1, rounds - errors))
    # the quantiles are exact to rounding; keep the ordering lower <= k/n <= upper exact too
    freq = errors / rounds
    return min(max(lower, 0.0), freq), max(min(upper, 1.0), freq)


@dataclass(frozen=True)
class RateInterval:
    """One error rate with its Clopper-Pearson interval.

    Attributes
    ----------
    basis : str
        Which rate (e.g. the basis of a QBER).
    errors, rounds : int
        The counts.
    estimate : float
        ``errors / rounds``.
    lower, upper : float
        The interval, ``0 <= lower <= estimate <= upper <= 1``.
    level : float
        The level of this interval (after the Bonferroni correction of :func:`qber_region`).
    """

    basis: str
    errors: int
    rounds: int
    estimate: float
    lower: float
    upper: float
    level: float


def qber_region(qber_counts: dict[str, tuple[int, int]], confidence: float) -> dict[str, RateInterval]:
    r"""Joint confidence region (a box) for several error rates, Bonferroni-corrected.

    Each of the :math:`m` rates gets a two-sided Clopper-Pearson interval at level
    :math:`1 - (1-\mathrm{confidence})/m`, so that all rates lie in their intervals jointly with
    probability at least ``confidence`` (union bound; module docstring for the sources).

    Parameters
    ----------
    qber_counts : dict of str to (int, int)
        ``{basis: (errors, rounds)}``, e.g. from ``CountData.qber_counts()``; at least one entry.
    confidence : float
        Joint level, in (0, 1).  (There is no ``None`` here: a caller without a confidence level
        skips the region.)

    Returns
    -------
    dict of str to RateInterval
        In the order of ``qber_counts``.

    Raises
    ------
    InputError
        Empty or malformed ``qber_counts``, invalid counts, or ``confidence`` outside (0, 1).

    Examples
    --------
    >>> region = qber_region({"Z": (8, 100), "X": (10, 100)}, 0.9)
    >>> region["Z"].level
    0.95
    >>> region["Z"].lower < 0.08 < region["Z"].upper
    True
    """
    level = _check_confidence(confidence)
    if not isinstance(qber_counts, dict) or not qber_counts:
        raise InputError(f"qber_counts must be a non-empty dict {{basis: (errors, rounds)}}, "
                         f"got {qber_counts!r}")
    checked = {}
    for basis, pair in qber_counts.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InputError(f"qber_counts[{basis!r}] must be a pair (errors, rounds), got {pair!r}")
        checked[basis] = _check_counts(pair[0], pair[1], f"qber_counts[{basis!r}]: ")
    per_rate = 1.0 - (1.0 - level) / len(checked)
    region = {}
    for basis, (errors, rounds) in checked.items():
        lower, upper = clopper_pearson(errors, rounds, per_rate)
        region[basis] = RateInterval(basis=str(basis), errors=errors, rounds=rounds,
                                     estimate=errors / rounds, lower=lower, upper=upper,
                                     level=per_rate)
    return region
