r"""Smallest shield dimension with a gap :math:`K(\rho_d) > K(\rho_d^\Gamma)` (paper 2: "d >= 24").

Matrix route: for each ``d`` the key lower bound (privacy squeezing + Devetak–Winter,
:func:`rho_d_key_lower_bound`) and the certified upper bound on :math:`K(\rho_d^\Gamma)`
(:func:`rho_d_pt_upper_bound`) are computed from the structured state.  Formula route: the
printed :math:`1 - H[(\sqrt d,\tfrac12,\tfrac12)/(\sqrt d+1)]` against :math:`1/(\sqrt d+1)`.

Persistence beyond ``max_dim``: with :math:`p = 1/(\sqrt d+1)` the gap is
:math:`g(p) = 1 - 2p - h(p)`, and :math:`g'(p) = -2 - \log_2\frac{1-p}{p} < 0` for
:math:`p < 4/5`, while :math:`p` decreases in :math:`d`; so once positive it stays positive.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...errors import check_choice, check_int
from ...status import Status
from ._key_lower import key_lower_bound_formula, rho_d_key_lower_bound
from ._pt_upper import pt_upper_bound_formula, rho_d_pt_upper_bound
from ._results import CrossoverResult
from ._rho_d import rho_d

__all__ = ["crossover_search"]


#: Largest scan (each d is O(1) work on the structured route).
MAX_SCAN_DIM = 100_000
#: Up to this d every row is also computed with the dense unitary (moduli and SVD), a second route.
DENSE_CHECK_MAX_DIM = 64


def crossover_search(max_dim: int = 64, unitary: str = "fourier", *,
                     callback=None) -> CrossoverResult:
    r"""Scan :math:`d = 2, \dots,` ``max_dim`` for the first gap, by the matrix and formula routes.

    Parameters
    ----------
    max_dim : int
        Largest shield dimension scanned (``2 .. 100000``).  Each ``d`` uses the structure of
        :math:`\rho_d` with the closed-form moduli and singular values of the unitary; for
        ``d <= 64`` the rows are recomputed from the dense unitary and must agree to 1e-12.
    unitary : {"fourier", "hadamard"}
        With ``"hadamard"`` only powers of two are scanned.
    callback : callable, optional
        ``callback(done, total)`` after each scanned ``d`` (progress bars; the cost grows
        roughly linearly with ``max_dim``).

    Returns
    -------
    CrossoverResult
        ``smallest_shield_dim`` (matrix route), ``smallest_shield_dim_formula``,
        ``smallest_power_of_two`` (first :math:`2^k` with a gap, matrix route), ``gap_persists``
        (gap positive at every scanned ``d`` from the crossover on), and the full ``table``.

    Examples
    --------
    >>> crossover_search(30).smallest_shield_dim
    24
    """
    max_dim = check_int("max_dim", max_dim, 2, MAX_SCAN_DIM)
    check_choice("unitary", unitary, ("fourier", "hadamard"))
    dims = [d for d in range(2, max_dim + 1) if unitary == "fourier" or not d & (d - 1)]
    table = []
    worst_check = 0.0
    for done, d in enumerate(dims, start=1):
        if callback is not None:
            callback(done - 1, len(dims))
        dense_state = rho_d(d, unitary=unitary)
        state = dataclasses.replace(dense_state, closed_form_unitary=True)
        lower = rho_d_key_lower_bound(state).value
        upper = rho_d_pt_upper_bound(state).value
        if d <= DENSE_CHECK_MAX_DIM:  # second route: the dense unitary
            worst_check = max(worst_check,
                              abs(rho_d_key_lower_bound(dense_state).value - lower),
                              abs(rho_d_pt_upper_bound(dense_state).value - upper))
        lower_f, upper_f = key_lower_bound_formula(d), pt_upper_bound_formula(d)
        table.append({
            # K >= 0: the lower bound is clipped, the raw Devetak-Winter expression kept apart
            "shield_dim": d, "key_lower_bound": max(lower, 0.0), "devetak_winter_expression": lower,
            "pt_key_upper_bound": upper, "gap": max(lower, 0.0) - upper,
            "key_lower_bound_formula": max(lower_f, 0.0), "formula_expression": lower_f,
            "pt_key_upper_bound_formula": upper_f, "gap_formula": max(lower_f, 0.0) - upper_f,
        })
    first = next((row["shield_dim"] for row in table if row["gap"] > 0), None)
    first_f = next((row["shield_dim"] for row in table if row["gap_formula"] > 0), None)
    first_pow2 = next((row["shield_dim"] for row in table if row["gap"] > 0 and not row["shield_dim"] & (row["shield_dim"] - 1)), None)
    persists = first is not None and all(row["gap"] > 0 for row in table if row["shield_dim"] >= first)
    return CrossoverResult(
        smallest_shield_dim=first,
        smallest_shield_dim_formula=first_f,
        smallest_power_of_two=first_pow2,
        max_dim=max_dim,
        gap_persists=bool(persists),
        table=table,
        method=(f"scan d in [2, {max_dim}] ({unitary}); structured route with closed-form unitary "
                f"moduli/singular values (dense unitary for d <= {DENSE_CHECK_MAX_DIM}: max "
                f"difference {worst_check:.1e}) vs printed formulas"),
        status=Status.HEURISTIC if worst_check > 1e-12 else Status.CLOSED_FORM,
        message=(f"the structured and dense routes disagree by {worst_check:.1e}"
                 if worst_check > 1e-12 else "" if first is not None
                 else f"no gap up to d = {max_dim}"),
        tolerance=float(np.finfo(float).eps * 64),
    )
