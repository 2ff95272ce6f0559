"""Rate-versus-visibility curves behind Figs. 1, 3 and 4 of paper 1."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import check_int
from .rate import rate_upper_bound
from .symmetric import check_unit_array
from .threshold import threshold_closed_form, threshold_paper_printed

__all__ = ["RateCurve", "rate_curve", "PAPER_FIGURES"]

#: Paper-1 figures: (local_dim, n_parties) of Figs. 1, 3, 4 (uniform model, L in {0.1,0.2,0.3}).
PAPER_FIGURES = {1: (2, 2), 3: (2, 3), 4: (3, 2)}
PAPER_LEAKAGES = (0.1, 0.2, 0.3)


@dataclass(frozen=True)
class RateCurve:
    """Rate bound on a visibility grid for one leakage value."""

    local_dim: int
    n_parties: int
    leakage: float
    model: str
    visibilities: NDArray[np.float64] = field(repr=False)
    rates: NDArray[np.float64] = field(repr=False)
    cut_bounds: NDArray[np.float64] = field(repr=False)
    statuses: tuple = field(repr=False)
    threshold: float
    threshold_paper: float

    def rows(self) -> list[dict]:
        """One dict per point (CSV/JSON friendly)."""
        return [
            {"dim": self.local_dim, "parties": self.n_parties, "leakage": self.leakage,
             "model": self.model, "visibility": float(v), "rate_upper_bound": float(r),
             "cut_bound": None if np.isnan(c) else float(c), "status": s, "threshold": self.threshold,
             "threshold_paper_printed": self.threshold_paper}
            for v, r, c, s in zip(self.visibilities, self.rates, self.cut_bounds, self.statuses)
        ]


def rate_curve(
    local_dim: int,
    n_parties: int,
    leakage: float,
    model: str = "uniform",
    visibilities: Sequence[float] | None = None,
    *,
    n_points: int = 100,
    cut_bound: bool = False,
    attack: str = "paper",
    callback: Callable[[int], None] | None = None,
) -> RateCurve:
    """Rate upper bound (Eq. 29, given ``attack``) on a visibility grid.

    One call of the dispatcher :func:`~qkdbounds.rate_upper_bound` on the whole grid
    (``measurements="auto"``: the structured Z-basis route, array operations, for the paper and
    extended attacks).  ``callback(k)`` is called as points finish (progress bars live in the CLI).
    """
    n_points = check_int("n_points", n_points, 2, 1_000_000)
    vis = (np.linspace(0.0, 1.0, n_points) if visibilities is None
           else np.atleast_1d(check_unit_array("visibilities", visibilities)).ravel())
    r = rate_upper_bound(local_dim, n_parties, vis, leakage, model, cut_bound=cut_bound,
                         attack=attack, n_starts=2, callback=callback)
    cuts = np.full(vis.shape, np.nan) if r.cut_bound is None else r.cut_bound
    return RateCurve(local_dim, n_parties, leakage, model, vis, r.value, cuts,
                     tuple(r.status.tolist()), threshold_closed_form(local_dim, n_parties, leakage, model),
                     threshold_paper_printed(local_dim, n_parties, leakage, model))
