"""Repeater chains: simulated entanglement swapping, visibility law, repeater budget.

Paper 1 ("Repeater-based QKD", Eq. 5, Fig. 2).  Swapping is simulated on density matrices
(:mod:`.swapping`), chains are built by repeated swapping and their visibility is read off the
simulation (:mod:`.chain`); the budget ``n_max`` and the planner inverse use the rate bounds of
:mod:`qkdbounds.bounds` (:mod:`.budget`).
"""

from .budget import (
    ChainPoint,
    Figure2Data,
    LinkVisibilityPlan,
    RepeaterBudget,
    RepeaterCurve,
    chain_visibility,
    eq5_bound,
    figure2_data,
    max_repeaters,
    minimum_link_visibility,
    repeater_budget,
)
from .chain import (
    ChainResult,
    VisibilityLaw,
    product_law,
    read_off_visibility_law,
    simulate_chain,
    simulate_equal_chain,
)
from .swapping import (
    MAX_SWAP_DIM,
    IsotropyCheck,
    SwapResult,
    bell_basis_unitaries,
    check_isotropic,
    isotropic_link,
    isotropic_twirl,
    swap_isotropic,
    swap_states,
    visibility_from_fidelity,
)

__all__ = [
    "MAX_SWAP_DIM",
    "SwapResult",
    "IsotropyCheck",
    "bell_basis_unitaries",
    "isotropic_link",
    "isotropic_twirl",
    "check_isotropic",
    "visibility_from_fidelity",
    "swap_states",
    "swap_isotropic",
    "ChainResult",
    "VisibilityLaw",
    "simulate_chain",
    "simulate_equal_chain",
    "product_law",
    "read_off_visibility_law",
    "ChainPoint",
    "RepeaterBudget",
    "LinkVisibilityPlan",
    "RepeaterCurve",
    "Figure2Data",
    "chain_visibility",
    "max_repeaters",
    "eq5_bound",
    "repeater_budget",
    "minimum_link_visibility",
    "figure2_data",
]
