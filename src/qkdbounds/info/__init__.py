"""Information quantities (bits): entropies, total correlation, (conditional) mutual information."""

from .entropy import (
    bipartitions,
    conditional_mutual_information,
    conditional_total_correlation,
    group_information_measure,
    marginal,
    min_cut_information,
    mutual_information,
    shannon_entropy,
    total_correlation,
)

__all__ = [
    "bipartitions",
    "conditional_mutual_information",
    "conditional_total_correlation",
    "group_information_measure",
    "marginal",
    "min_cut_information",
    "mutual_information",
    "shannon_entropy",
    "total_correlation",
]
