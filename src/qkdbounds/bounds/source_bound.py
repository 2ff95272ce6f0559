r"""Paper 1's CC attack with leakage for any source (issue 13, item 3; paper attack).

For a user state :math:`\rho` of N parties (local dimensions :math:`d_i`), Eve uses a certified
decomposition :math:`\rho = q\sigma + (1-q)\tau` with :math:`\sigma` an explicit product ensemble
(:mod:`qkdbounds.separability`; for isotropic GHZ states exactly paper 1's Eqs. 8-9, so the
isotropic route is reproduced), flags the product rounds, and mixes leaked product rounds into "?"
(Eq. 12).  For the honest bases :math:`x`, the "?" class is

.. math:: c = (1-q)(1-L_u)\,p_\tau, \qquad s = q\,L\,p_\sigma

(:math:`L_u = L` uniform, 0 junk), and the bound is
:math:`\max_x \min_\gamma p(?)\,TC(A|?)/(N-1)` (Eq. 29) with Eve's :math:`\gamma` from
:func:`qkdbounds.attacks.eve.minimize_gamma`; for N >= 3 the conference-key cut bound
:math:`\max_x\min_S\min_\gamma p(?)I(A_S:A_{S^c}|?)` beside it.  Measurements: computational
bases (``"Z"``), or a seeded search (Z plus Haar-random local unitaries; a multistart, not a
certified global maximum, and the method says so), or given unitaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_choice, check_int, check_probability
from ..states.sources import Source

__all__ = ["SourceRateBound", "source_rate_upper_bound", "N_SOURCE_SEARCH"]

#: Haar-random local settings of the seeded measurement search (besides Z).
N_SOURCE_SEARCH = 24


@dataclass(frozen=True)
class SourceRateBound:
    """Result of :func:`source_rate_upper_bound` (bits; see the module docstring)."""

    value: float
    cut_bound: float | None
    separable_weight: float
    separable_weight_outer: float | None
    ensemble_size: int
    tau_min_eigenvalue: float
    measurements: list
    certificate: dict = field(repr=False)
    method: str = ""
    status: str = "ok"


def _ghz_visibility(rho: NDArray, dims) -> float | None:
    from ..states.isotropic import isotropic_ghz_visibility

    if len(set(dims)) != 1:
        return None
    v = isotropic_ghz_visibility(rho, dims[0], len(dims))
    return v if v is not None and 0 <= v <= 1 else None


def _decomposition(source: Source, rng):
    """(q, sigma weights, sigma vectors per party, tau matrix, outer, min eig tau, how)."""
    from ..separability import certified_separable_weight

    rho, dims = source.matrix, source.dims
    v = _ghz_visibility(rho, dims)
    if v is not None:
        from ..states import cc_decomposition, ghz_vector, isotropic_ghz

        dec = cc_decomposition(isotropic_ghz(dims[0], len(dims), v))
        members = list(dec.separable)
        weights = np.array([w for w, _ in members])
        vectors = [np.array([vecs[i] for _, vecs in members]) for i in range(len(dims))]
        psi = ghz_vector(dims[0], len(dims))
        tau = np.outer(psi, psi.conj())
        return (dec.q, weights, vectors, tau, None, 0.0,
                "isotropic GHZ source: paper 1's Eqs. (8)-(9) decomposition")
    cert = certified_separable_weight(source, rng=rng)
    q = cert.weight
    tau = (rho - q * cert.sigma()) / (1 - q) if q < 1 else np.zeros_like(rho)
    return (q, cert.ensemble_weights, cert.ensemble_vectors, tau, cert.weight_outer,
            cert.tau_min_eigenvalue, cert.method)


def _distribution(matrix, unitaries, dims):
    big = np.ones((1, 1), dtype=complex)
    for u in unitaries:
        big = np.kron(big, u)
    p = np.real(np.einsum("ia,ij,ja->a", big.conj(), matrix, big))
    return np.clip(p, 0, None).reshape(dims)


def _member_distribution(weights, vectors, unitaries, dims):
    out = np.zeros(dims)
    for k, w in enumerate(weights):
        p = np.ones(())
        for i, u in enumerate(unitaries):
            p = np.multiply.outer(p, np.abs(u.conj().T @ vectors[i][k]) ** 2)
        out += w * p
    return out


def source_rate_upper_bound(source: Source, leakage: float, model: str = "uniform",
                            measurements: str | Sequence[NDArray] = "Z", *,
                            cut_bound: bool | None = None, n_search: int = N_SOURCE_SEARCH,
                            rng: np.random.Generator | None = None) -> SourceRateBound:
    """Paper-attack key-rate upper bound of any source with leakage (module docstring).

    Parameters
    ----------
    source : Source
        From :func:`qkdbounds.states.sources.make_source` / ``load_source``.
    leakage : float
        :math:`L \\in [0, 1]`.
    model : {"uniform", "junk"}
    measurements : {"Z", "auto", "search"} or list of unitaries (one per party)
        Computational bases; a seeded search; or exactly these bases (columns = outcomes).
    cut_bound : bool, optional
        Compute the cut bound (default: for N >= 3).
    n_search : int
        Random local settings of the search.

    Raises
    ------
    InputError
        Bad parameters, or unitaries of the wrong size.
    """
    from ..attacks.eve import minimize_gamma
    from ..measurements.bases import random_measurement

    if not isinstance(source, Source):
        raise InputError("source must be a qkdbounds.states.sources.Source (see make_source)")
    leak = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    n_search = check_int("n_search", n_search, 0, 1000)
    rng = np.random.default_rng(0) if rng is None else rng
    dims, n = source.dims, source.n_parties
    cut_bound = n >= 3 if cut_bound is None else bool(cut_bound)
    zs = [np.eye(d, dtype=complex) for d in dims]
    if isinstance(measurements, str):
        check_choice("measurements", measurements, ("Z", "auto", "search"))
        settings = [zs]
        how = "computational bases"
        if measurements == "search":
            settings += [[zs[0]] + [random_measurement(d, rng).unitary for d in dims[1:]]
                         for _ in range(n_search)]
            how = (f"Z plus {n_search} seeded Haar-random local settings (party 1 fixed to Z); "
                   "multistart, not a certified maximum")
    else:
        settings = [[np.asarray(u, dtype=complex) for u in measurements]]
        if len(settings[0]) != n or any(u.shape != (d, d) for u, d in zip(settings[0], dims)):
            raise InputError(f"measurements must be {n} unitaries of sizes {list(dims)}")
        how = "given bases"
    q, weights, vectors, tau, outer, tau_low, decomposition = _decomposition(source, rng)
    leak_u = leak if model == "uniform" else 0.0
    singletons = [[i] for i in range(n)]
    cuts = [[list(c), [i for i in range(n) if i not in c]]
            for size in range(1, n // 2 + 1) for c in combinations(range(n), size)
            if size < n - size or 0 in c] if cut_bound and n >= 3 else []
    best, best_setting, best_cut = -1.0, None, None
    for setting in settings:
        p_tau = _distribution(tau, setting, dims)
        p_sigma = _member_distribution(weights, vectors, setting, dims)
        c = (1 - q) * (1 - leak_u) * p_tau
        s = q * leak * p_sigma
        sol = minimize_gamma(c, s, singletons, rng=rng)
        value = 0.0 if sol.zero_key else sol.value / (n - 1)
        if value > best:
            best, best_setting = value, setting
        if cuts:
            cut_value = min(minimize_gamma(c, s, g, rng=rng).value for g in cuts)
            best_cut = cut_value if best_cut is None else max(best_cut, cut_value)
    labels = ["Z" if np.allclose(u, np.eye(len(u))) else "U" for u in best_setting]
    return SourceRateBound(
        value=float(best), cut_bound=None if best_cut is None else float(best_cut),
        separable_weight=float(q), separable_weight_outer=outer, ensemble_size=len(weights),
        tau_min_eigenvalue=float(tau_low), measurements=labels,
        certificate={"measurement_unitaries": best_setting, "decomposition": decomposition},
        method=f"paper CC attack on a certified decomposition ({decomposition}); max over "
               f"settings: {how}; min over Eve: alternating exact-convex minimisation",
        status="ok")
