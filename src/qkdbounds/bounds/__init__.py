"""Key-rate upper bounds and visibility thresholds (paper 1)."""

from .curves import PAPER_FIGURES, RateCurve, rate_curve
from .rate import RateBound, RateBounds, choose_route, rate_upper_bound
from .threshold import (
    Threshold,
    npt_threshold,
    numeric_threshold,
    threshold_closed_form,
    threshold_paper_printed,
    visibility_threshold,
)

__all__ = [
    "PAPER_FIGURES",
    "RateCurve",
    "rate_curve",
    "RateBound",
    "RateBounds",
    "choose_route",
    "rate_upper_bound",
    "Threshold",
    "npt_threshold",
    "numeric_threshold",
    "threshold_closed_form",
    "threshold_paper_printed",
    "visibility_threshold",
]
