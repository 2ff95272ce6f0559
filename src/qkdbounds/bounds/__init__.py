"""Key-rate upper bounds and visibility thresholds (paper 1)."""

from .._lazy import lazy_exports

#: Public name -> submodule, loaded on first use (PEP 562): ``bounds.verdict`` or ``bounds.rate``
#: alone do not import the curves and thresholds (start-up time, issue 19).
_HOMES = {
    "PAPER_FIGURES": "curves", "RateCurve": "curves", "rate_curve": "curves",
    "RateBound": "rate", "RateBounds": "rate", "choose_route": "rate", "rate_upper_bound": "rate",
    "Threshold": "threshold", "npt_threshold": "threshold", "numeric_threshold": "threshold",
    "threshold_closed_form": "threshold", "threshold_paper_printed": "threshold",
    "visibility_threshold": "threshold",
}

__all__ = list(_HOMES)
__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
