"""All headline numbers of paper 2 for the reproduction report (both routes side by side)."""

from __future__ import annotations

from typing import Any

from ...errors import InputError, check_int
from ...status import Status
from ._crossover import crossover_search
from ._key_lower import key_lower_bound_formula, rho_d_key_lower_bound
from ._ppt import rho_d_ppt
from ._pt_upper import pt_upper_bound_formula, rho_d_key_upper_bound, rho_d_pt_upper_bound
from ._results import DI_LOWER_BOUND_NOTE
from ._rho_d import MAX_DENSE_SHIELD_DIM, MAX_SHIELD_DIM, rho_d

__all__ = ["rho_d_summary", "rho_d_report"]

DENSE_CHECK_MAX_DIM = 8
"""Largest d for which summaries add dense cross-checks (a 256 x 256 matrix; d = 16 is 1024 x 1024)."""

PAPER_CLAIMS = {
    "crossover": "K(rho_d) > K(rho_d^Gamma) for all d >= 24",
    "d_2_20": "K(rho_{2^20}) >= 0.98 and K(rho_{2^20}^Gamma) <= 1/(2^10+1) ~ 1e-3",
}


def rho_d_summary(shield_dim: int, unitary: str = "auto") -> dict[str, Any]:
    """Headline numbers for one shield dimension (JSON-ready dict; keys of SPEC §3 included).

    ``unitary="auto"`` uses the Hadamard tensor power when ``d`` is a power of two, else Fourier.
    Dense cross-checks are added when ``d <= DENSE_CHECK_MAX_DIM``.
    """
    from ...bounds.verdict import decide

    d = check_int("shield_dim", shield_dim, 2, MAX_SHIELD_DIM)
    if unitary == "auto":
        unitary = "hadamard" if not d & (d - 1) else "fourier"
    if unitary not in ("fourier", "hadamard"):
        raise InputError(f"unitary must be one of auto, fourier, hadamard; got {unitary!r}")
    state = rho_d(d, unitary=unitary)
    ppt = rho_d_ppt(state)
    lower = rho_d_key_lower_bound(state)
    upper = rho_d_pt_upper_bound(state)
    upper_conv = rho_d_pt_upper_bound(state, "convexity")
    k_upper = rho_d_key_upper_bound(state)
    out: dict[str, Any] = {
        "shield_dim": d,
        "unitary": unitary,
        "mixing": state.mixing,
        "ppt": bool(ppt.ppt),
        "min_eigenvalue_pt": ppt.min_eigenvalue_pt,
        "ppt_mixing_range": list(ppt.ppt_mixing_range),
        "paper_mixing_is_ppt_edge": bool(abs(ppt.ppt_mixing_range[0] - state.mixing) <= 1e-12),
        # K >= 0 always: a negative Devetak-Winter expression only means that bound is trivial.
        # The lower bounds are clipped at 0; the raw expressions have their own names.
        "key_lower_bound": max(lower.value, 0.0),
        "devetak_winter_expression": lower.value,
        "key_lower_bound_direct_dw": max(lower.certificate["direct_devetak_winter"], 0.0),
        "devetak_winter_expression_direct": lower.certificate["direct_devetak_winter"],
        "key_lower_bound_formula": max(key_lower_bound_formula(d), 0.0),
        "formula_expression": key_lower_bound_formula(d),
        "pt_key_upper_bound": upper.value,
        "pt_key_upper_bound_convexity": upper_conv.value,
        "pt_key_upper_bound_formula": pt_upper_bound_formula(d),
        "key_upper_bound_rho": k_upper.value,
        "gap": max(lower.value, 0.0) - upper.value,
        "gap_formula": max(key_lower_bound_formula(d), 0.0) - pt_upper_bound_formula(d),
        "di_key_upper_bound": min(upper.value, k_upper.value),
        # the decision keys of every bound command, for the DI key of rho_d (the question of
        # paper 2): its upper bound, and no DI lower bound (key_lower_bound is device-dependent)
        "rate_upper_bound": min(upper.value, k_upper.value),
        "lower_bound": None,
        "lower_bound_method": DI_LOWER_BOUND_NOTE,
        "verdict": decide(min(upper.value, k_upper.value), None),
        "unit": "bits per copy of rho_d",
        "method": f"{ppt.method}; {lower.method}; {upper.method}",
        "status": (Status.FAILED if any(r.status == Status.FAILED for r in (ppt, lower, upper, k_upper))
                   else Status.CERTIFIED),
    }
    if d <= min(DENSE_CHECK_MAX_DIM, MAX_DENSE_SHIELD_DIM):
        out["dense_check"] = {
            "min_eigenvalue_pt": rho_d_ppt(state, "dense").min_eigenvalue_pt,
            "devetak_winter_expression": rho_d_key_lower_bound(state, "dense").value,
            "pt_key_upper_bound": rho_d_pt_upper_bound(state, "dense").value,
        }
    return out


def rho_d_report(shield_dims=(2, 4, 8, 16, 23, 24, 25, 32, 64, 2**10, 2**20), max_dim: int = 64) -> dict[str, Any]:
    """Every headline number of paper 2 (per ``d``, the crossover by both routes, ``d = 2^20``).

    Returns a JSON-ready dict with ``per_dimension`` (list of :func:`rho_d_summary`),
    ``crossover`` (Fourier scan: any d; Hadamard scan: powers of two), ``d_2_20`` and
    ``paper_claims``.
    """
    per_dim = [rho_d_summary(d) for d in shield_dims]
    fourier = crossover_search(max_dim, "fourier")
    hadamard = crossover_search(max_dim, "hadamard")
    return {
        "per_dimension": per_dim,
        "crossover": {
            "smallest_shield_dim": fourier.smallest_shield_dim,
            "smallest_shield_dim_formula": fourier.smallest_shield_dim_formula,
            "smallest_power_of_two": hadamard.smallest_shield_dim,
            "gap_persists_to_max_dim": fourier.gap_persists,
            "max_dim": max_dim,
            "table": fourier.table,
        },
        "d_2_20": rho_d_summary(2**20),
        "paper_claims": PAPER_CLAIMS,
    }
