"""Device-independent QKD upper bounds via the partial transpose (paper 2, diqkd-upper-bounds-2021).

Public API: the state family :func:`rho_d` (structured) / :func:`rho_d_matrix` (dense), its PPT
check, the key lower bound (privacy squeezing + Devetak–Winter) and certified relative-entropy
upper bounds on :math:`K(\\rho_d^\\Gamma)`, Eq. (3) for a user's PPT state, Eq. (8) for channels,
the crossover search and :func:`rho_d_report` with every headline number.
"""

from ._channels import (
    channel_check,
    choi_matrix,
    dephasing_choi,
    depolarizing_choi,
    is_weyl_covariant,
    rho_d_channel_choi,
    transposed_channel_bound,
)
from ._crossover import crossover_search
from ._general import ppt_state_key_bound
from ._key_lower import devetak_winter_rate, key_lower_bound_formula, privacy_squeeze, rho_d_key_lower_bound
from ._ppt import rho_d_ppt, rho_d_ppt_mixing_range
from ._pt_upper import pt_upper_bound_formula, rho_d_key_upper_bound, rho_d_pt_upper_bound
from ._relative_entropy import (
    SeparableCertificate,
    dephasing_certificate,
    isotropic_relative_entropy,
    isotropic_separable_certificate,
    isotropic_state,
    relative_entropy_bound,
    relative_entropy_upper_bound,
)
from ._report import rho_d_report, rho_d_summary
from ._results import (
    ChannelBound,
    ChannelCheck,
    CrossoverResult,
    GeneralStateBound,
    KeyBoundResult,
    PPTResult,
    RelativeEntropyBound,
)
from ._rho_d import RHO_D_ALICE, RHO_D_BOB, RhoD, fourier_unitary, hadamard_unitary, ppt_edge_mixing, rho_d, rho_d_matrix
from ._spectra import Multiset, relative_entropy, von_neumann_entropy

__all__ = [
    "ChannelBound", "ChannelCheck", "CrossoverResult", "GeneralStateBound", "KeyBoundResult",
    "Multiset", "PPTResult", "RHO_D_ALICE", "RHO_D_BOB", "RelativeEntropyBound", "RhoD",
    "SeparableCertificate", "channel_check", "choi_matrix", "crossover_search", "dephasing_certificate",
    "dephasing_choi", "depolarizing_choi", "devetak_winter_rate", "fourier_unitary", "hadamard_unitary",
    "is_weyl_covariant", "isotropic_relative_entropy", "isotropic_separable_certificate", "isotropic_state",
    "key_lower_bound_formula", "ppt_edge_mixing", "ppt_state_key_bound", "privacy_squeeze",
    "pt_upper_bound_formula", "relative_entropy", "relative_entropy_bound", "relative_entropy_upper_bound",
    "rho_d", "rho_d_channel_choi", "rho_d_key_lower_bound", "rho_d_key_upper_bound", "rho_d_matrix",
    "rho_d_ppt", "rho_d_ppt_mixing_range", "rho_d_pt_upper_bound", "rho_d_report", "rho_d_summary",
    "transposed_channel_bound", "von_neumann_entropy",
]
