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

from ._partial_transpose import is_ppt, min_pt_eigenvalue, partial_transpose
from .two_qubit import bell_diagonal_state, load_state, werner_state

__all__ = [
    "CCDecomposition",
    "IsotropicGHZ",
    "ProductEnsemble",
    "cc_decomposition",
    "cc_weight",
    "ghz_vector",
    "isotropic_ghz",
    "separable_visibility",
    "partial_transpose",
    "is_ppt",
    "min_pt_eigenvalue",
    "bell_diagonal_state",
    "load_state",
    "werner_state",
]
