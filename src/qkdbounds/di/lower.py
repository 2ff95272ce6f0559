r"""The CHSH Devetak–Winter lower bound for Bell data with detection efficiency, binning and
leakage (issue 14, item 5).

Protocol (Acín et al., PRL 98, 230501 (2007); Pironio et al., NJP 11, 045021 (2009)): the
parties test CHSH on the *binned* box (no-click counted as +1; Pironio et al. Sec. 6), Bob's key
output is his CHSH setting :math:`\hat y`, binned, and error correction runs from Bob to Alice
(reverse reconciliation) with Alice's key setting :math:`\hat x`; Alice keeps her no-click
outcome if she does not bin (``binning`` ``"none"`` or ``"B"``), which can only lower
:math:`H(B|A)`.  Against collective attacks

.. math:: r \ge (1-L)\Bigl[1 - h\Bigl(\tfrac12 + \tfrac12\sqrt{(S/2)^2 - 1}\Bigr)\Bigr] - H(B_{\hat y}|A_{\hat x})

with uniform leakage (:math:`L = 0`: Acín et al.'s bound with :math:`h(Q)` replaced by the exact
:math:`H(B|A)` of the box, which equals :math:`h(Q)` for symmetric binary errors); the junk model
uses :math:`1 - h(\cdot) - h(\min(L,1/2)) - L - H(B|A)` (:func:`qkdbounds.di.chsh.chsh_dw_entropy_expression`).
Zero for :math:`S \le 2`; the value is clipped at 0 and the raw expression reported beside it.
If :math:`\hat y` is not one of Bob's CHSH settings but :math:`\hat x` is one of Alice's, the
roles swap (direct reconciliation); if neither, the bound does not apply (status says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import LEAKAGE_MODELS, InputError, check_choice, check_probability
from ..info.entropy import shannon_entropy
from ..status import Status, StatusField
from .bell_data import BellBox, bin_no_click, chsh_relabelled, chsh_value_of_box
from .chsh import chsh_dw_entropy_expression

#: Tsirelson's bound 2 sqrt 2 and the tolerance above it before a box counts as non-quantum.
TSIRELSON = 2 * np.sqrt(2)
ATOL_TSIRELSON = 1e-9

__all__ = ["BoxLowerBound", "dw_lower_bound", "eta_threshold", "binned_maximally_entangled_rate"]


@dataclass(frozen=True, eq=False)
class BoxLowerBound(StatusField):
    """Result of :func:`dw_lower_bound` (bits per key round).

    Attributes
    ----------
    value : float
        The lower bound, clipped at 0 (NaN, JSON null, if the box violates Tsirelson's bound:
        status ``failed``, ``message`` says why).
    expression : float
        The unclipped Devetak-Winter expression.
    chsh : float
        CHSH value of the binned box.
    error_cost : float
        :math:`H(B|A)` (or :math:`H(A|B)` for direct reconciliation) of the key settings.
    certificate : dict
    method : str
    status : Status
        ``closed_form`` (an evaluated formula; 0 without a CHSH violation or when no key setting
        enters the CHSH test, ``message`` says so) or ``failed`` (not a quantum box).
    message : str
    """

    value: float
    expression: float
    chsh: float
    error_cost: float
    certificate: dict = field(repr=False)
    method: str
    status: Status
    message: str = ""


def dw_lower_bound(box: BellBox, leakage: float = 0.0, model: str = "uniform") -> BoxLowerBound:
    r"""CHSH Devetak-Winter lower bound on the DI key of a box (module docstring).

    Parameters
    ----------
    box : BellBox
    leakage : float
        :math:`L\in[0,1]`.
    model : {"uniform", "junk"}

    Returns
    -------
    BoxLowerBound

    Raises
    ------
    InputError
        Bad leakage or model.

    Examples
    --------
    >>> from qkdbounds.di.bell_data import bell_box
    >>> round(dw_lower_bound(bell_box(), leakage=0.1).value, 12)    # eta = v = 1
    0.9
    """
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    if not isinstance(box, BellBox):
        raise InputError("box must be a BellBox (qkdbounds.di.bell_box, or bell_table / "
                         "load_bell_table for measured data)")
    return _dw_lower_bound(*chsh_relabelled(box), leakage, model)


def _dw_lower_bound(box: BellBox, relabelling: dict | None, leakage: float, model: str) -> BoxLowerBound:
    """:func:`dw_lower_bound` of a box already in its CHSH labelling (:func:`chsh_relabelled`
    gave it and ``relabelling``), after the input checks."""
    s = chsh_value_of_box(box)
    if s > TSIRELSON + ATOL_TSIRELSON:
        # no quantum box violates Tsirelson's bound: the entropy bound (for quantum Eve and
        # quantum devices) says nothing about this box
        return BoxLowerBound(float("nan"), float("nan"), s, float("nan"),
                             {"key_settings": list(box.key_settings), "output_relabelling": relabelling},
                             f"CHSH S = {s:.6g} > 2 sqrt 2 (Tsirelson): not a quantum box, the CHSH "
                             "Devetak-Winter bound does not apply", Status.FAILED,
                             f"not a quantum box: CHSH {s:.6g} > 2 sqrt 2")
    x, y = box.key_settings
    (ax0, ax1), (by0, by1) = box.chsh_settings
    p = box.probabilities
    if y in (by0, by1):
        direction = "reverse (Bob's key, B -> A)"
        key = bin_no_click(p, alice=False, bob=True)[x, y]  # Bob binary, Alice as measured
        cost = shannon_entropy(key) - shannon_entropy(key.sum(axis=1))  # H(AB) - H(A)
    elif x in (ax0, ax1):
        direction = "direct (Alice's key, A -> B)"
        key = bin_no_click(p, alice=True, bob=False)[x, y]
        cost = shannon_entropy(key) - shannon_entropy(key.sum(axis=0))  # H(AB) - H(B)
    else:
        return BoxLowerBound(0.0, float("nan"), s, float("nan"),
                             {"key_settings": [x, y], "output_relabelling": relabelling},
                             "CHSH DW bound needs a key setting that enters the CHSH test",
                             Status.CLOSED_FORM, "not applicable: no key setting enters the CHSH "
                             "test (the trivial lower bound 0)")
    raw = chsh_dw_entropy_expression(s, cost, leakage, model) if s > 2 else float(-cost)
    binned = bin_no_click(p)[x, y]
    qber = float(binned[0, 1] + binned[1, 0])
    value = max(0.0, raw) if s > 2 else 0.0
    cite = "Acin et al., PRL 98, 230501 (2007); Pironio et al., NJP 11, 045021 (2009); collective attacks"
    if leakage > 0:
        cite += f"; leakage ({model}) as in qkdbounds.di.chsh"
    return BoxLowerBound(float(value), float(raw), float(s), float(cost),
                         {"direction": direction, "qber_binned": qber, "key_settings": [x, y],
                          "chsh_settings": [list(box.chsh_settings[0]), list(box.chsh_settings[1])],
                          "leakage": leakage, "model": model, "output_relabelling": relabelling},
                         f"CHSH Devetak-Winter rate on the binned box, {direction} ({cite})",
                         Status.CLOSED_FORM,
                         "" if s > 2 else "no CHSH violation: the lower bound is 0")


def binned_maximally_entangled_rate(eta: float, visibility: float = 1.0) -> float:
    r"""Closed form of :func:`dw_lower_bound`'s expression for :math:`\theta=\pi/4`, both binned,
    default settings, :math:`L=0` (the second route of :func:`eta_threshold`).

    :math:`S = 2\sqrt2\,v\eta^2 + 2(1-\eta)^2`; the binned key table of (A2, B0) is
    :math:`p(++) = \eta^2(1+v)/4 + \eta(1-\eta) + (1-\eta)^2`, :math:`p(--) = \eta^2(1+v)/4`,
    :math:`p(+-) = p(-+) = \eta^2(1-v)/4 + \eta(1-\eta)/2`.
    """
    s = 2 * np.sqrt(2) * visibility * eta**2 + 2 * (1 - eta) ** 2
    same, diff = eta**2 * (1 + visibility) / 4, eta**2 * (1 - visibility) / 4 + eta * (1 - eta) / 2
    table = np.array([[same + eta * (1 - eta) + (1 - eta) ** 2, diff], [diff, same]])
    cost = shannon_entropy(table) - shannon_entropy(table.sum(axis=1))
    return chsh_dw_entropy_expression(s, cost) if s > 2 else -cost


def eta_threshold(theta: float = np.pi / 4, visibility: float = 1.0, binning: str = "both",
                  leakage: float = 0.0, model: str = "uniform") -> float | None:
    r"""Smallest detection efficiency (both parties) with a positive CHSH DW lower bound.

    Brent's method on :func:`dw_lower_bound` of :func:`~qkdbounds.di.bell_data.bell_box`,
    bracketing the largest zero crossing on a grid over :math:`[2/3, 1]` (the bound is positive
    above it); None if the bound is 0 even at :math:`\eta = 1`.  If it is positive on the whole
    grid, :math:`2/3` is returned (a grid edge, not a crossing).

    Examples
    --------
    >>> round(eta_threshold(), 6)      # maximally entangled, binned: see the tests' closed form
    0.923098
    """
    from scipy.optimize import brentq

    from .bell_data import bell_box

    def f(eta: float) -> float:
        return dw_lower_bound(bell_box(theta, visibility, eta, binning=binning), leakage, model).expression

    if f(1.0) <= 0:
        return None
    # bracket the largest zero crossing below 1 on a grid (the expression need not be monotone
    # for partially entangled states; Eberhard: violations exist down to eta = 2/3)
    grid = np.linspace(2 / 3, 1.0, 41)
    values = [f(e) for e in grid]
    if values[0] > 0:
        return float(grid[0]) if all(v > 0 for v in values) else None
    k = max(i for i, v in enumerate(values) if v <= 0)
    return float(brentq(f, grid[k], grid[k + 1], xtol=1e-13))
