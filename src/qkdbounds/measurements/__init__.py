"""Projective measurements and outcome distributions of isotropic GHZ states."""

from .bases import (Measurement, computational, fourier, from_unitary, random_measurement,
                    same_basis, xz_plane)
from .distributions import (
    dense_distribution,
    ghz_distribution,
    isotropic_distribution,
    separable_distribution,
)

__all__ = [
    "Measurement",
    "computational",
    "fourier",
    "from_unitary",
    "random_measurement",
    "same_basis",
    "xz_plane",
    "dense_distribution",
    "ghz_distribution",
    "isotropic_distribution",
    "separable_distribution",
]
