"""qkdbounds: upper bounds on quantum key distribution secret-key rates.

Reproduces and extends

* Sarkar, Prasad, Horodecki, "Entanglement is not sufficient for most practical
  entanglement-based QKD protocols" (2026) — leakage-aware convex-combination attacks;
* Christandl, Ferrara, Horodecki et al., "Device-independent QKD upper bounds via the partial
  transpose" (2021) — ``qkdbounds.diqkd``.

Examples
--------
>>> import qkdbounds as qb
>>> round(qb.visibility_threshold(2, 2, 0.1).value, 6)
0.357143
>>> round(qb.rate_upper_bound(2, 2, 0.9, 0.1).value, 4)
0.7265
"""

from importlib.metadata import PackageNotFoundError, version

from .attacks import GammaSolution, joint_distribution_with_eve, minimize_gamma, question_class
from .attacks.general_cc import best_separable_approximation, general_rate_upper_bound
from .bounds import RateBound, Threshold, rate_upper_bound, visibility_threshold
from .bounds.chsh import chsh_threshold_werner, chsh_value, di_lower_bound
from .bounds.window import werner_window
from .diqkd import crossover_search, ppt_state_key_bound, rho_d, rho_d_summary
from .errors import InputError, QKDBoundsError, SolverError
from .measurements import (
    Measurement,
    computational,
    fourier,
    from_unitary,
    ghz_distribution,
    isotropic_distribution,
    xz_plane,
)
from .repeaters import minimum_link_visibility, repeater_budget, simulate_chain, swap_isotropic
from .states import (
    IsotropicGHZ,
    bell_diagonal_state,
    cc_decomposition,
    is_ppt,
    isotropic_ghz,
    load_state,
    partial_transpose,
    werner_state,
)

try:
    __version__ = version("qkdbounds")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "GammaSolution",
    "IsotropicGHZ",
    "InputError",
    "Measurement",
    "QKDBoundsError",
    "RateBound",
    "SolverError",
    "Threshold",
    "bell_diagonal_state",
    "best_separable_approximation",
    "cc_decomposition",
    "chsh_threshold_werner",
    "chsh_value",
    "crossover_search",
    "di_lower_bound",
    "general_rate_upper_bound",
    "is_ppt",
    "load_state",
    "partial_transpose",
    "ppt_state_key_bound",
    "rho_d",
    "rho_d_summary",
    "werner_state",
    "werner_window",
    "computational",
    "fourier",
    "from_unitary",
    "ghz_distribution",
    "isotropic_distribution",
    "isotropic_ghz",
    "joint_distribution_with_eve",
    "minimize_gamma",
    "minimum_link_visibility",
    "repeater_budget",
    "simulate_chain",
    "swap_isotropic",
    "question_class",
    "rate_upper_bound",
    "visibility_threshold",
    "xz_plane",
]
