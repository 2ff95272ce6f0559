"""qkdbounds: upper bounds on quantum key distribution secret-key rates.

Reproduces and extends

* Sarkar, Prasad, Horodecki, "Entanglement is not sufficient for most practical
  entanglement-based QKD protocols" (2026) — leakage-aware convex-combination attacks;
* Christandl, Ferrara, Horodecki et al., "Device-independent QKD upper bounds via the partial
  transpose" (2021) — ``qkdbounds.di.partial_transpose``;
* the device-independent convex-combination attacks with detection efficiency and leakage
  (Farkas et al. 2021; Łukanowski et al. 2023) — ``qkdbounds.di``.

Examples
--------
>>> import qkdbounds as qb
>>> round(qb.visibility_threshold(2, 2, 0.1).value, 6)
0.357143
>>> round(qb.rate_upper_bound(2, 2, 0.9, 0.1, attack="paper").value, 4)   # the paper's attack
0.7265
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING

# Lazy public API (PEP 562): ``import qkdbounds`` loads numpy-level code only; cvxpy, scipy.stats,
# dask, matplotlib load on first use of the name that needs them (tests/test_imports.py).
_LAZY = {
    "GammaSolution": "attacks", "joint_distribution_with_eve": "attacks",
    "minimize_gamma": "attacks", "question_class": "attacks",
    "source_rate_upper_bound": "bounds.source_bound", "SourceRateBound": "bounds.source_bound",
    "SourceRateBounds": "bounds.source_bound", "devetak_winter_lower_bound": "bounds.lower",
    "data_rate_upper_bound": "bounds.data_bound", "DataRateBound": "bounds.data_bound",
    "DataRateBounds": "bounds.data_bound", "plan_link": "repeaters.planner",
    "LinkPlan": "repeaters.planner",
    "Source": "states.sources", "as_source": "states.sources", "make_source": "states.sources",
    "load_source": "states.sources", "certified_separable_weight": "separability",
    "RateBound": "bounds", "RateBounds": "bounds", "Threshold": "bounds",
    "choose_route": "bounds", "rate_upper_bound": "bounds", "visibility_threshold": "bounds",
    "chsh_threshold_werner": "di.chsh", "chsh_value": "di.chsh",
    "di_lower_bound": "di.chsh", "werner_window": "di.window",
    "bell_box": "di", "load_bell_table": "di", "bell_table": "di", "local_weight": "di", "di_cc_attack": "di",
    "di_attack_bound": "di", "di_region": "di", "dw_lower_bound": "di",
    "crossover_search": "di.partial_transpose", "ppt_state_key_bound": "di.partial_transpose", "rho_d": "di.partial_transpose",
    "rho_d_summary": "di.partial_transpose",
    "InputError": "errors", "QKDBoundsError": "errors", "SolverError": "errors",
    "Measurement": "measurements", "computational": "measurements", "fourier": "measurements",
    "from_unitary": "measurements", "ghz_distribution": "measurements",
    "isotropic_distribution": "measurements", "xz_plane": "measurements",
    "minimum_link_visibility": "repeaters", "repeater_budget": "repeaters",
    "simulate_chain": "repeaters", "swap_isotropic": "repeaters",
    "IsotropicGHZ": "states", "bell_diagonal_state": "states", "cc_decomposition": "states",
    "is_ppt": "states", "isotropic_ghz": "states", "load_state": "states",
    "partial_transpose": "states", "werner_state": "states",
}

if _TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .attacks import GammaSolution, joint_distribution_with_eve, minimize_gamma, question_class
    from .bounds.lower import devetak_winter_lower_bound
    from .bounds.data_bound import DataRateBound, DataRateBounds, data_rate_upper_bound
    from .bounds.source_bound import SourceRateBound, SourceRateBounds, source_rate_upper_bound
    from .repeaters.planner import LinkPlan, plan_link
    from .separability import certified_separable_weight
    from .states.sources import Source, as_source, load_source, make_source
    from .bounds import (RateBound, RateBounds, Threshold, choose_route, rate_upper_bound,
                         visibility_threshold)
    from .errors import InputError, QKDBoundsError, SolverError


def __getattr__(name: str):
    if name == "__version__":  # importlib.metadata costs ~50 ms: only when asked
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("qkdbounds")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0.0.0+unknown"
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qkdbounds' has no attribute {name!r}")
    value = getattr(_import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    # the public names and the module's dunders (not its private helpers)
    return sorted({n for n in globals() if not n.startswith("_") or n.startswith("__")} | set(_LAZY))


__all__ = sorted(_LAZY)
