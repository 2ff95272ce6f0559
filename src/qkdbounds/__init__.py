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
from .bounds import RateBound, Threshold, rate_upper_bound, visibility_threshold
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
from .states import IsotropicGHZ, cc_decomposition, isotropic_ghz

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
    "cc_decomposition",
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
