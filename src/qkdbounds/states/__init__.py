"""Quantum states: isotropic GHZ states and their CC decomposition, partial transpose, PPT."""

from .isotropic import (
    CCDecomposition,
    IsotropicGHZ,
    ProductEnsemble,
    cc_decomposition,
    cc_weight,
    ghz_vector,
    isotropic_ghz,
    separable_visibility,
)

try:  # partial transpose / PPT helpers (general matrices)
    from ._partial_transpose import is_ppt, min_pt_eigenvalue, partial_transpose
except ImportError:  # pragma: no cover - during development only
    pass

__all__ = [
    "CCDecomposition",
    "IsotropicGHZ",
    "ProductEnsemble",
    "cc_decomposition",
    "cc_weight",
    "ghz_vector",
    "isotropic_ghz",
    "separable_visibility",
] + [name for name in ("partial_transpose", "is_ppt", "min_pt_eigenvalue") if name in globals()]
