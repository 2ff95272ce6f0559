"""Certified separable decompositions (issue 13): a weight ``q`` with ``rho = q sigma + (1-q) tau``,
``sigma`` an explicit finite product-state ensemble (checked by reassembly), and outer bounds
(PPT, Doherty-Parrilo-Spedalieri) beside it.  See docs/separability.md.

Submodules: :mod:`.twirls` (Werner / isotropic / GHZ-diagonal twirls), :mod:`.families`
(closed forms and ensembles for every d), :mod:`.dps` (DPS outer bound), and the exact 2x2 / 2x3
constructions (Wootters' decomposition, best separable approximation).
"""

from ._engine import (
    CertifiedSeparableWeight,
    certified_product_fit,
    certified_separable_weight,
    engine_estimate,
    engine_minimum,
    load_ensemble,
    ppt_outer_weight,
    save_ensemble,
)
from ._exact import best_separable_approximation, fit_product_ensemble, takagi, wootters_ensemble
from .dps import dps_outer_weight
from .families import (
    family_decomposition,
    isotropic_separable_ensemble,
    werner_separable_ensemble,
    dur_cirac_separable_ensemble,
)
from .twirls import dur_cirac_twirl, ghz_diagonal_twirl, isotropic_twirl, werner_twirl

__all__ = [
    "CertifiedSeparableWeight", "certified_separable_weight", "certified_product_fit",
    "engine_estimate",
    "engine_minimum",
    "ppt_outer_weight",
    "dps_outer_weight", "save_ensemble", "load_ensemble",
    "wootters_ensemble", "takagi", "fit_product_ensemble", "best_separable_approximation",
    "family_decomposition", "isotropic_separable_ensemble", "werner_separable_ensemble",
    "dur_cirac_separable_ensemble",
    "werner_twirl", "isotropic_twirl", "ghz_diagonal_twirl", "dur_cirac_twirl",
]
