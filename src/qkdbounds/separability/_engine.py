r"""Certified separable weight of a state with an explicit product ensemble (issue 13, item 2).

For a state :math:`\rho` on :math:`\mathbb C^{d_1}\otimes\dots\otimes\mathbb C^{d_N}` we look for
:math:`\rho = q\,\sigma + (1-q)\,\tau` with :math:`\tau` a state and :math:`\sigma` a finite
mixture of product pure states (so Eve can prepare it, paper 1, Eqs. 8-9), :math:`q` as large as
possible.  Every result is checked the same way: the ensemble's mixture must reassemble the
:math:`\sigma` the method stands for to :data:`~._ensemble.TOL_RESIDUAL` (1e-9, Frobenius), and
:math:`q` is then *certified on the ensemble* (the largest :math:`q` with
:math:`\rho - q\sigma_{\rm ens} \succeq 0` in floating point, by bisection), not read from a solver.

Routes (``method`` of the result), tried in this order:

``"closed_form"``
    The state is fixed (to 1e-9) by a twirl onto the Werner, isotropic or Dür–Cirac GHZ-diagonal
    family (:mod:`.families`): :math:`q` is the family's closed form, optimal, for every d.
``"exact"``
    2x2 and 2x3: PPT = separable (Horodecki 1996).  A PPT input has :math:`q = 1`, written by
    Wootters' construction (2x2) or a Gauss-Newton product fit (2x3); otherwise the best
    separable approximation by the PPT SDP, its :math:`\sigma` (from a second solve with
    :math:`X^\Gamma \succeq 10^{-7}q`, strictly inside the PPT set, cut to the range of
    :math:`\rho`) written the same way (:mod:`._exact`).  Outer bound = the SDP value, so the gap is the solver's accuracy.
``"paper1_isotropic_ghz"``
    Isotropic GHZ states of N >= 3 qudits (d >= 3): paper 1's Eqs. (8)-(9) ensemble (not
    proven optimal; the outer bound says how far it can be).
``"product_fit"``
    Inputs beyond 2x3 that are PPT (for N >= 3 parties: across every single party) of rank
    :math:`r \le` ``MAX_FIT_RANK``: a Gauss-Newton fit
    :math:`\rho = \sum_k \otimes_i v_{ik}v_{ik}^\dagger` with :math:`r, r+1, r+2` members
    (more than the dimension allowed: a full-rank separable mixture needs them;
    :func:`._exact.fit_product_ensemble`), seeded starts.  A fit reassembling :math:`\rho` to
    1e-9 certifies :math:`q = 1` (separable mixtures of a few product states); an entangled
    input cannot be fitted and goes on to the other routes.
``"local_ascent"``
    Full-rank inputs, first: L-BFGS over the vectors of 2D product states on the exact weight
    :math:`\mathrm{tr}\,\Psi\Psi^\dagger/\lambda_{\max}(\rho^{-1/2}\Psi\Psi^\dagger
    \rho^{-1/2})`, smoothed by Schatten norms (:mod:`._ascent`); column generation then starts
    from its members when its master solves fit in the time left (up to 4x4 at the default
    budget).  ``method`` names the stage whose ensemble won.
``"local_ascent"`` alone (``route="local_ascent"``)
    On request: the routes above, then, for a full-rank input, the first
    :data:`QUICK_ASCENT_STAGES` stages of the local ascent from fresh random product states,
    certified, without column generation (~0.15 s at 3x3 instead of ~1 s): a quick, slightly
    lower, different decomposition, e.g. for the alternative decompositions of Eve's pool
    (:mod:`qkdbounds.bounds.source_bound`).  Other inputs go on to column generation.
``"ascent"`` (``route="ascent"``)
    On request: as ``"local_ascent"`` with the ascent's whole schedule (the stages after the
    first two stop at the deadline), certified, without column generation: at 3x3 and 2x2x2 q
    within ~1e-3 of ``"auto"`` (column generation adds ~3e-4 there) in about a third of the
    time; the input frame of the any-source bound (:mod:`qkdbounds.bounds.source_bound`).
``"column_generation"``
    Anything else (and after the ascent): for a finite set of product states :math:`P_k`, the SDP
    :math:`\max\{\sum_k w_k : w \ge 0,\ \rho - \sum_k w_kP_k \succeq 0\}` (Clarabel),
    priced by its dual :math:`Y \succeq 0` (a product state with :math:`\langle\psi|Y|\psi\rangle
    < 1` can raise the weight), found by a batched see-saw over the parties (:mod:`._colgen`,
    Clarabel called directly in the range of :math:`\rho`); a master weight near 1 is polished
    by a product fit into an exact ensemble of :math:`\rho` (q = 1).

**Time budget**: every call has one (``time_budget``, default :func:`engine_estimate`); when it
runs out the best certified decomposition so far is returned (``budget_exhausted``).  When the
PPT SDP would not fit, the outer bound is :func:`ppt_dual_bound` (a first-order dual made
feasible: rigorous, slightly above the PPT value); with less than ``PPT_DUAL_MIN_SECONDS`` left
it is skipped (``weight_outer`` None, ``outer_method`` says why).

**Outer bounds**: the PPT relaxation :math:`\max\{\mathrm{tr}X : 0 \preceq X \preceq \rho,\
X^{\Gamma_S}\succeq 0\ \forall S\}` and, for two parties of small size, the level-2
Doherty–Parrilo–Spedalieri relaxation (:mod:`.dps`); ``weight_outer`` is the smaller.  A
bound-entangled state has PPT outer 1 and DPS outer < 1 (Horodecki's 3x3 family).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from .._cache import BoundedCache
from ..errors import InputError, check_choice, check_flag, check_int, check_rng
from ..states.isotropic import isotropic_ghz_visibility
from ..states.sources import Source
from ..status import Status, StatusField
from ._ensemble import ATOL_TAU, TOL_RESIDUAL, certify_weight, mix, product_vector

__all__ = ["CertifiedSeparableWeight", "certified_separable_weight", "ppt_outer_weight",
           "certified_product_fit", "engine_estimate", "ppt_estimate",
           "save_ensemble", "load_ensemble", "MAX_ENGINE_DIM", "ATOL_TAU", "TOL_RESIDUAL"]

#: Largest total dimension handled by the numerical engine (SDPs on D x D matrices).
MAX_ENGINE_DIM = 36
#: Weights at or below this count as no separable part.
ATOL_WEIGHT = 1e-12
#: Results kept per (matrix, dims, options), so that a second call (the CLI saving the ensemble
#: after the rate was computed) returns the very same certificate.
_CACHE = BoundedCache(16)
#: Column generation started from the local ascent's ensemble stops after STALL_ROUNDS rounds
#: that raised its master weight by less than STALL_GAIN in total.
STALL_ROUNDS = 5
STALL_GAIN = 1e-4
#: Share of the time left that the local ascent (full-rank inputs) may use at most; it usually
#: ends its continuation schedule sooner (0.5-1 s at 3x3, 2-4 s at 6x6).
ASCENT_SHARE = 0.6
#: Column generation after the ascent runs only when STALL_ROUNDS master solves of this many
#: interior-point iterations each (estimated, :func:`._colgen.iteration_estimate`) fit in
#: the time left: at 4x4 ~7 s, at 5x5 ~100 s (skipped at the default budget), at 6x6 ~15 min.
MASTER_ITERATIONS = 25
#: Column generation whose master weight exceeds 1 - POLISH_GAP is polished by a product fit
#: of rho (any number of parties; q = 1 when it reassembles rho): from its members, then from
#: POLISH_STARTS seeded random product ensembles.
POLISH_GAP = 1e-3
POLISH_STARTS = 2
#: Seconds for the product fit of a rank-deficient input whose pricing found no column while the
#: master's weight is below 1 - POLISH_GAP (twice the random starts, the rank and one more).
STALL_FIT_SECONDS = 0.5
#: Stages of the local ascent's schedule run by ``route="local_ascent"`` (P = 16, 64).
QUICK_ASCENT_STAGES = 2
#: Time kept for the automatic DPS bound (real size <= 32: ~0.2 s).
DPS_SECONDS = 0.5
#: Starts of the product fit (PPT inputs beyond 2x3; N >= 3: PPT across every party) run
#: whatever the time budget (members: the rank, and one more).
FIT_STARTS = 2
#: Share of the time budget after which the product-fit route starts no further fit.
FIT_SHARE = 0.4
#: Relative eigenvalue cut of the exact route's fallback sigma (the solver's near-zero part).
CLEAN_CUT = 1e-8
#: Passes of the 2x3 product fit (one start each for r, r+1, r+2, 2r members) in the exact route.
EXACT_FIT_PASSES = 6
#: Most passes (one start per member count) of the product-fit route.
FIT_ATTEMPTS = 50
#: An outer bound below 1 - ENTANGLED_GAP proves the input entangled: the product fit stops.
ENTANGLED_GAP = 1e-5
#: Gauss-Newton iterations per start of the product fit.
FIT_ITERATIONS = 100
#: A certified weight below the outer bound by more than this is flagged in ``message``.
GAP_NOTE = 1e-6
#: Relative margin X^Gamma >= PPT_MARGIN * q_outer of the second PPT SDP, whose sigma is
#: decomposed (strictly PPT, so solver errors of ~1e-9 cannot make it NPT).
PPT_MARGIN = 1e-7


@dataclass(frozen=True, eq=False)
class CertifiedSeparableWeight(StatusField):
    r"""A certified decomposition :math:`\rho = q\sigma + (1-q)\tau`.

    Attributes
    ----------
    weight : float
        Certified :math:`q \in [0, 1]` (checked on the ensemble: :math:`\tau \succeq 0`).
    weight_outer : float or None
        Outer bound on the largest separable weight: the smaller of ``weight_outer_ppt`` and
        ``weight_outer_dps`` (or the closed form, which equals them); None if not computed.
    ensemble_weights : ndarray, shape (n,)
        Weights of :math:`\sigma`'s members (sum 1; empty when ``weight`` is 0).
    ensemble_vectors : list of ndarray
        Per party, shape ``(n, d_i)``, unit rows: member k is :math:`\otimes_i |v_{ik}\rangle`.
    tau_min_eigenvalue : float
        Smallest eigenvalue of :math:`\tau` (>= -1e-12); for ``weight == 1``, of
        :math:`\rho - \sigma` (:math:`\approx 0`, at most ``residual`` in size).
    method : str
        ``"closed_form"``, ``"exact"``, ``"paper1_isotropic_ghz"``, ``"product_fit"``,
        ``"local_ascent"`` or ``"column_generation"``.
    status : Status
        ``optimal`` when the certified weight meets the outer bound (within ``GAP_NOTE``), else
        ``certified`` (the ensemble is checked; a larger weight may exist).
    message : str
        Notes: ``"separable weight not certified optimal (q=..., outer=...)"`` when the
        certified weight is below the outer bound by more than ``GAP_NOTE`` (the bound built on
        it may be loose); ``"no separable part found"``; a spent time budget.
    dims : tuple of int
    residual : float
        Frobenius distance between the ensemble's mixture and the :math:`\sigma` the method
        stands for (<= 1e-9; 0 for column generation, whose :math:`\sigma` is the ensemble).
    reason : str
        Why the method applies and what it certifies (with citations).
    weight_outer_ppt, weight_outer_dps : float or None
        The two outer bounds (None when not computed); ``weight_outer_ppt`` is the PPT
        relaxation's value, or an upper bound on it from :func:`ppt_dual_bound` when the
        interior-point solve did not fit (``outer_method`` says which).
    outer_method : str
        How ``weight_outer`` was obtained.
    gap : float or None
        ``weight_outer - weight`` (None without an outer bound).
    elapsed : float
        Seconds spent.
    time_budget : float
        The seconds the call was given: the requested ``time_budget`` (default
        :func:`engine_estimate`), raised to :func:`engine_minimum` when it was below (the
        message says so).
    budget_exhausted : bool
        The time budget ran out: the result is the best certified decomposition found by then
        (``message`` says so).
    """

    weight: float
    weight_outer: float | None
    ensemble_weights: NDArray[np.float64] = field(repr=False)
    ensemble_vectors: list = field(repr=False)
    tau_min_eigenvalue: float
    method: str
    status: Status
    dims: tuple = ()
    residual: float = 0.0
    reason: str = ""
    weight_outer_ppt: float | None = None
    weight_outer_dps: float | None = None
    outer_method: str = ""
    gap: float | None = None
    elapsed: float = 0.0
    budget_exhausted: bool = False
    message: str = ""
    time_budget: float | None = None

    @property
    def value(self) -> float:
        """The certified weight (``weight``)."""
        return self.weight

    @property
    def ensemble_size(self) -> int:
        return int(len(self.ensemble_weights))

    @property
    def certificate(self) -> dict:
        """Compact certificate: sizes, residual, tau's smallest eigenvalue, the reason."""
        return {"ensemble_size": self.ensemble_size, "residual": self.residual,
                "tau_min_eigenvalue": self.tau_min_eigenvalue, "reason": self.reason,
                "weight_outer_ppt": self.weight_outer_ppt,
                "weight_outer_dps": self.weight_outer_dps, "outer_method": self.outer_method,
                "gap": self.gap, "elapsed": self.elapsed, "time_budget": self.time_budget,
                "budget_exhausted": self.budget_exhausted}

    def sigma(self) -> NDArray[np.complex128]:
        """:math:`\\sigma` reassembled from the ensemble, shape ``(D, D)``."""
        return mix(self.ensemble_weights, self.ensemble_vectors)


def _cuts(n):
    for size in range(1, n // 2 + 1):
        for cut in combinations(range(n), size):
            if size < n - size or 0 in cut:
                yield cut


def _is_real(m) -> bool:
    return bool(np.abs(np.imag(m)).max(initial=0.0) <= 1e-14)


def ppt_outer_weight(source: Source, time_limit: float | None = None) -> float | None:
    r"""PPT relaxation of the largest separable weight (None if the solver fails).

    :math:`\max\{\mathrm{tr}X : 0\preceq X\preceq\rho,\ X^{\Gamma_S}\succeq0` for every cut
    :math:`S\}` (:func:`_ppt_relaxation`: Clarabel directly, no cvxpy).  Exact in 2x2 and 2x3.
    A second route, the same problem written in cvxpy, is in the tests.

    Parameters
    ----------
    source : Source
    time_limit : float, optional
        Seconds given to the solver (Clarabel's ``time_limit``); None if it runs out.

    Returns
    -------
    float or None
        In [0, 1].
    """
    rho, dims = np.asarray(source.matrix, dtype=np.complex128), tuple(source.dims)
    value, _, status = _ppt_relaxation(rho, dims, list(_cuts(len(dims))), time_limit=time_limit)
    if status not in ("optimal", "optimal_inaccurate") or not math.isfinite(value):
        return None
    return value


#: Accuracy asked of SCS in :func:`ppt_dual_bound` (its ``eps_abs`` and ``eps_rel``): at 6x6
#: ~6 s and a bound ~2e-4 above the exact PPT value (1e-3: ~2 s, ~2e-3 above).
PPT_DUAL_EPS = 1e-4
#: Least time (seconds) worth giving :func:`ppt_dual_bound` (cvxpy's import and the first
#: iterations); with less the outer bound is skipped.
PPT_DUAL_MIN_SECONDS = 2.0


def ppt_dual_bound(source: Source, time_limit: float | None = None,
                   eps: float = PPT_DUAL_EPS) -> tuple[float, str] | None:
    r"""A rigorous upper bound on the PPT relaxation's value (and so on the largest separable
    weight) from an approximate dual, for inputs where the interior-point solve
    (:func:`ppt_outer_weight`, about a minute at 6x6) does not fit.

    Weak duality of :math:`\max\{\mathrm{tr}X : 0\preceq X\preceq
    \rho,\ X^{\Gamma_S}\succeq 0\}`:
    for any :math:`W, Z_S\succeq 0` with :math:`Y = \mathbb 1 + W + \sum_S Z_S^{\Gamma_S}
    \succeq 0`, every feasible :math:`X` has :math:`\mathrm{tr}X \le \mathrm{tr}X +
    \mathrm{tr}(XW) + \sum_S\mathrm{tr}(X^{\Gamma_S}Z_S) = \mathrm{tr}(XY) \le
    \mathrm{tr}(\rho Y)` (Boyd & Vandenberghe, *Convex Optimization* (2004), Sec. 5.9).  The
    dual variables come from SCS (a first-order conic solver, O'Donoghue et al., J. Optim.
    Theory Appl. 169, 1042 (2016); through cvxpy) at accuracy ``eps``: they are projected onto
    the PSD cone and :math:`W` is shifted by :math:`\max(0, -\lambda_{\min}(Y))\mathbb 1`, which
    makes them exactly feasible, so the bound holds whatever SCS's accuracy or status (a loose
    iterate gives a loose bound, never a wrong one).  cvxpy scales the duals of Hermitian
    constraints; the smallest bound over the scales 1/2, 1, 2 is returned (each is valid).

    Parameters
    ----------
    source : Source
    time_limit : float, optional
        Seconds given to SCS (``time_limit_secs``).
    eps : float
        SCS's ``eps_abs`` and ``eps_rel``.

    Returns
    -------
    (float, str) or None
        The bound (clipped to at most 1) and how it was obtained; None if SCS returned no dual.
    """
    import cvxpy as cp

    rho = np.asarray(source.matrix, dtype=np.complex128)
    rho = (rho + rho.conj().T) / 2
    dims = tuple(int(d) for d in source.dims)
    dim = rho.shape[0]
    real = _is_real(rho)
    cuts = list(_cuts(len(dims)))
    x = cp.Variable((dim, dim), symmetric=True) if real else cp.Variable((dim, dim), hermitian=True)
    r = rho.real if real else rho

    def pt(expr, cut):
        for party in cut:
            expr = cp.partial_transpose(expr, list(dims), party)
        return expr

    cons = [x >> 0, r - x >> 0] + [pt(x, cut) >> 0 for cut in cuts]
    problem = cp.Problem(cp.Maximize(cp.trace(x) if real else cp.real(cp.trace(x))), cons)
    options = {"eps_abs": eps, "eps_rel": eps, "max_iters": 10**6}
    if time_limit is not None:
        options["time_limit_secs"] = max(float(time_limit), 0.1)
    import warnings

    try:
        with warnings.catch_warnings():
            # ("Solution may be inaccurate": any iterate's dual gives a valid bound, below)
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(solver="SCS", **options)
    except cp.error.SolverError:
        return None
    duals = [c.dual_value for c in [cons[0]] + cons[2:]]
    if any(d is None for d in duals):
        return None

    def psd(m):
        m = np.asarray(m, dtype=np.complex128)
        w, v = np.linalg.eigh((m + m.conj().T) / 2)
        return (v * np.clip(w, 0.0, None)) @ v.conj().T

    w_dual, z_duals = psd(duals[0]), [psd(z) for z in duals[1:]]
    best = np.inf
    for scale in (0.5, 1.0, 2.0):
        y = np.eye(dim) + scale * w_dual
        for cut, z in zip(cuts, z_duals):
            y = y + scale * _partial_transpose(z, dims, cut)
        y = (y + y.conj().T) / 2
        eigenvalues = np.linalg.eigvalsh(y)
        shift = max(0.0, -float(eigenvalues.min()))
        # the round-off of the eigenvalues and of tr(rho Y): ~D eps ||Y|| (plus a floor)
        round_off = 1e-12 + 10 * dim * np.finfo(float).eps * float(np.abs(eigenvalues).max())
        best = min(best, float(np.trace(rho @ y).real) + (shift + round_off) * float(np.trace(rho).real))
    status = problem.status
    return min(best, 1.0), (f"PPT relaxation bounded from above by SCS's dual made exactly "
                            f"feasible (weak duality; SCS eps {eps:g}, status {status})")


def _ppt_relaxation(rho, dims, cuts, *, margin: float = 0.0, time_limit: float | None = None,
                    want_x: bool = False) -> tuple[float, NDArray | None, str]:
    r""":math:`\max\{\mathrm{tr}X : 0\preceq X\preceq\rho,\ X^{\Gamma_S}\succeq
    \mathrm{margin}\cdot\mathbb 1` for every cut :math:`S` in ``cuts``\}`, passed to Clarabel
    directly (no cvxpy: its import alone costs ~1 s, and its canonicalisation ~0.1 s a solve).

    :math:`X` is expanded in a basis of the Hermitian matrices, real symmetric ones for a real
    :math:`\rho` (which loses nothing: the real part of a feasible :math:`X` is feasible), and
    each constraint is one PSD cone on the real embedding :math:`M\mapsto[[\Re M,-\Im M],
    [\Im M,\Re M]]` (on :math:`M` itself when real).  Returns ``(value clipped to [0, 1], X
    (with ``want_x``, else None), status)``; the status is ``"optimal"`` (Clarabel's
    ``Solved``), ``"optimal_inaccurate"`` (``AlmostSolved``) or Clarabel's own, and the value
    NaN when it is neither.
    """
    from .._solvers import clarabel as _clarabel
    from .._solvers import csc_matrix, run_guarded
    from ._colgen import _embed, _svec_index

    rho = np.asarray(rho, dtype=np.complex128)
    rho = (rho + rho.conj().T) / 2
    dim = rho.shape[0]
    real = _is_real(rho)
    if real:
        rho = rho.real.astype(complex)
    # X <= rho keeps X in the range of rho: X = V Y V^+ (V: orthonormal range basis, r x r
    # Hermitian Y), which gives the first two cones a strictly feasible point (rank-deficient
    # inputs otherwise leave the solver ~1e-5 off)
    mu, eig = np.linalg.eigh(rho.real if real else rho)
    full = mu.min() > 1e-12 * mu.max()
    # full rank: the standard basis (a sparse constraint matrix; a rotated dense one leaves
    # Clarabel at reduced accuracy, ~4e-6 off at 4x4)
    v = np.eye(dim) if full else eig[:, mu > 1e-12 * mu.max()]
    r = v.shape[1]
    # basis of the (real symmetric / Hermitian) r x r matrices E_k, then V E_k V^+ (n, D, D)
    iu, ju = np.triu_indices(r)
    small = []
    for i, j in zip(iu, ju):
        e = np.zeros((r, r), dtype=complex)
        e[i, j] = e[j, i] = 1.0
        small.append(e)
    if not real:
        for i, j in zip(*np.triu_indices(r, 1)):
            e = np.zeros((r, r), dtype=complex)
            e[i, j], e[j, i] = 1j, -1j
            small.append(e)
    small = np.array(small)
    basis = v @ small @ v.conj().T
    rho_r = v.conj().T @ rho @ v
    rho_r = (rho_r + rho_r.conj().T) / 2
    side = dim if real else 2 * dim
    side_r = r if real else 2 * r
    rows, cols, scale = _svec_index(side)

    rows_r, cols_r, scale_r = _svec_index(side_r)

    def svec(m, small_side=False):  # (..., s, s) -> (..., s(s+1)/2)
        m = m.real if real else _embed(m)
        if small_side:
            return m[..., rows_r, cols_r] * scale_r
        return m[..., rows, cols] * scale

    sv = svec(small, True)                               # (n, m_r)
    blocks = [-sv.T, sv.T]                               # Y >= 0, V^+ rho V - Y >= 0
    rhs = [np.zeros(sv.shape[1]), svec(rho_r, True)]
    sides = [side_r, side_r]
    floor = -margin * svec(np.eye(dim, dtype=complex)) if margin else None
    for cut in cuts:                                      # (V Y V^+)^Gamma_S >= margin I
        blocks.append(-svec(_partial_transpose(basis, dims, cut)).T)
        rhs.append(np.zeros(blocks[-1].shape[0]) if floor is None else floor)
        sides.append(side)
    clarabel = _clarabel()
    cones = [clarabel.PSDTriangleConeT(k) for k in sides]
    a = csc_matrix(np.vstack(blocks))
    b = np.concatenate(rhs)
    c = -np.real(np.trace(basis, axis1=1, axis2=2))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    # one thread: on these cones (side <= 2 D) Clarabel's threads cost more than they give (two
    # cores, random full-rank states: 54 vs 93 ms at 3x3, 79 vs 139 ms at 2x2x2, 0.64 vs 0.81 s
    # at 4x4; the same value to 1e-15 up to D = 9, to 4e-6 at 4x4, inside the solver's tolerance)
    settings.max_threads = 1
    if time_limit is not None:
        settings.time_limit = max(0.05, float(time_limit))
    n = len(basis)
    sol, error = run_guarded(lambda: clarabel.DefaultSolver(
        csc_matrix(None, (n, n)), c, a, b, cones, settings).solve())
    if error is not None:
        return math.nan, None, error
    text = str(sol.status)
    status = ("optimal_inaccurate" if "AlmostSolved" in text else "optimal" if "Solved" in text
              else text)
    value = -float(sol.obj_val)
    if status not in ("optimal", "optimal_inaccurate") or not math.isfinite(value):
        return math.nan, None, status
    x = None
    if want_x:
        x = np.tensordot(np.asarray(sol.x, dtype=float), basis, axes=1)
        x = (x + x.conj().T) / 2
        if real:
            x = x.real
    return float(min(1.0, max(0.0, value))), x, status


def _partial_transpose(m, dims, cut):
    """Partial transpose of (..., D, D) matrices on the parties in ``cut``."""
    n = len(dims)
    lead = m.shape[:-2]
    t = m.reshape(lead + tuple(dims) * 2)
    k = len(lead)
    axes = list(range(k + 2 * n))
    for i in cut:
        axes[k + i], axes[k + n + i] = axes[k + n + i], axes[k + i]
    return t.transpose(axes).reshape(m.shape)


#: Default time budget (seconds) per total dimension: the first row with D <= bound applies.
BUDGETS = ((4, 2.0), (9, 6.0), (16, 20.0), (25, 40.0), (36, 60.0))


def ppt_estimate(dims) -> float:
    """Rough cost in seconds of :func:`ppt_outer_weight` (Clarabel, one core; measured with cvxpy
    0.1 s at 3x3, 1 s at 4x4, 8 s at 5x5, 60-120 s at 6x6), growing with the number of cuts."""
    dims = tuple(int(d) for d in dims)
    n_cuts = sum(1 for _ in _cuts(len(dims)))
    return 0.3 + (n_cuts + 1) / 2 * (math.prod(dims) / 16) ** 5.5


def engine_estimate(dims) -> float:
    """Up-front estimate (seconds) of a :func:`certified_separable_weight` call on a generic state
    with local dimensions ``dims``: the default ``time_budget``, which the engine does not
    overrun by more than one solver step (closed forms and the exact 2x2 / 2x3 route usually
    finish far sooner).  2 s for D <= 4, 6 s for D <= 9, 20 s for D <= 16, 40 s for D <= 25,
    60 s for D <= 36 (D the total dimension).

    Raises
    ------
    InputError
        Total dimension above ``MAX_ENGINE_DIM``.
    """
    return _per_dimension(BUDGETS, dims)


#: Smallest time budget (seconds) per total dimension: set-up (product fit, solver start-up)
#: and the first ``MIN_ROUNDS`` column-generation rounds, which run whatever the budget.
#: Measured with a 0.01 s budget on generic full-rank states (2 cores, loaded): 1.7 s at 2x2
#: (cvxpy's import and the exact PPT route), 0.6 s at 3x3, 2.1 s at 4x4, 5.9 s at 5x5,
#: 11.8 s at 6x6; the table keeps ~1.5x of headroom.
MINIMUM_BUDGETS = ((4, 2.0), (9, 1.0), (16, 3.0), (25, 9.0), (36, 18.0))


def engine_minimum(dims) -> float:
    """Smallest ``time_budget`` (seconds) the engine can keep for local dimensions ``dims``:
    a smaller budget is raised to it (the result's message says so when it mattered), because
    the set-up and the first column-generation rounds run whatever the budget.  2 s for D <= 4
    (including cvxpy's import), 1 s for D <= 9, 3 s for D <= 16, 9 s for D <= 25, 18 s for
    D <= 36.

    Raises
    ------
    InputError
        Total dimension above ``MAX_ENGINE_DIM``.
    """
    return _per_dimension(MINIMUM_BUDGETS, dims)


def _per_dimension(table, dims) -> float:
    """The seconds of the first ``(bound, seconds)`` row of ``table`` with D <= bound (D the
    total dimension of ``dims``)."""
    dim = math.prod(int(d) for d in dims)
    for bound, seconds in table:
        if dim <= bound:
            return seconds
    raise InputError(f"the separability engine handles total dimension <= {MAX_ENGINE_DIM}, "
                     f"got {dim}")


def _random_product(dims, rng):
    vecs = []
    for d in dims:
        v = rng.normal(size=d) + 1j * rng.normal(size=d)
        vecs.append(v / np.linalg.norm(v))
    return vecs


def _seesaw(y, dims, rng, sweeps=30, init=None):
    """A product state with small <psi|Y|psi>: alternate lowest eigenvectors party by party
    (from ``init``, or a random product state)."""
    n = len(dims)
    vecs = _random_product(dims, rng) if init is None else list(init)
    yt = y.reshape(tuple(dims) * 2)
    value = np.inf
    letters = "abcdefghijklmnop"
    ket, bra = letters[:n], letters[n:2 * n]
    for _ in range(sweeps):
        for i in range(n):
            # contract every other party with its vector (ket side conj, bra side plain)
            ops, subs = [yt], [ket + bra]
            for j in range(n):
                if j != i:
                    ops += [vecs[j].conj(), vecs[j]]
                    subs += [ket[j], bra[j]]
            m = np.einsum(",".join(subs) + "->" + ket[i] + bra[i], *ops)
            w, v = np.linalg.eigh((m + m.conj().T) / 2)
            vecs[i] = v[:, 0]
            value = w[0]
    return vecs, float(value)


def _empty(dims):
    return np.zeros(0), [np.zeros((0, d), dtype=complex) for d in dims]


def _finalise(rho, dims, sigma_target, weights, vectors, *, whole: bool):
    """(q, tau_min, residual, weights, vectors) or None if the ensemble does not reassemble
    ``sigma_target`` to TOL_RESIDUAL.  ``whole``: sigma_target is rho itself (q = 1)."""
    weights = np.asarray(weights, dtype=float)
    if weights.size == 0 or weights.sum() <= 0:
        return None
    keep = weights > 0
    weights = weights[keep] / weights[keep].sum()
    vectors = [np.asarray(v)[keep] for v in vectors]
    vectors = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in vectors]
    sigma = mix(weights, vectors)
    target = sigma_target / np.trace(sigma_target).real
    residual = float(np.linalg.norm(sigma - target))
    if residual > TOL_RESIDUAL:
        return None
    if whole:
        low = float(np.linalg.eigvalsh((rho - sigma + (rho - sigma).conj().T) / 2).min())
        return 1.0, low, residual, weights, vectors
    q, low = certify_weight(rho, sigma)
    return q, low, residual, weights, vectors


def _exact_route(rho, dims, rng, deadline=None):
    """2x2 / 2x3 (module docstring).  Returns (q, low, residual, w, v, reason, outer) or None."""
    from ..states import min_pt_eigenvalue
    from ._exact import best_separable_approximation, fit_product_ensemble, wootters_ensemble

    qubits = dims == (2, 2)
    dim = rho.shape[0]

    def decompose(target, passes=None):
        if qubits:
            try:
                w, v, _ = wootters_ensemble(target)
            except InputError:
                return None
            return w, v
        # the fit is seed-sensitive: passes of one start per member count r .. 2r, then the
        # Caratheodory count D^2 (slow) once
        ev = np.linalg.eigvalsh(target)
        r = max(1, int((ev > 1e-12 * ev.max()).sum()))
        sizes = (list(dict.fromkeys([r, r + 1, r + 2, 2 * r])) * (passes or EXACT_FIT_PASSES)
                 + ([] if passes else [dim * dim]))
        best = None
        for i, k in enumerate(sizes):
            if i and deadline is not None and time.monotonic() >= deadline:
                break
            w, v, res = fit_product_ensemble(target, dims, n_members=k, starts=1, rng=rng,
                                             deadline=deadline)
            if best is None or res < best[2]:
                best = (w, v, res)
            if res <= TOL_RESIDUAL:
                break
        return best[0], best[1]

    how = ("Wootters' construction (PRL 80, 2245 (1998))" if qubits else
           "a Gauss-Newton product fit (residual checked)")
    why = (f"{dims[0]}x{dims[1]}: PPT = separable (M., P. & R. Horodecki, PLA 223, 1 (1996))")
    if min_pt_eigenvalue(rho, dims, [1]) >= -ATOL_TAU:
        ens = decompose(rho)
        done = _finalise(rho, dims, rho, *ens, whole=True) if ens is not None else None
        if done is not None:
            return (*done, f"{why}; the input is PPT, so q = 1, sigma = rho written by {how}", 1.0)
    value, x, status = best_separable_approximation(rho, dims)
    if x is None:
        return None
    if value <= ATOL_WEIGHT:
        return 0.0, float(np.linalg.eigvalsh(rho).min()), 0.0, *_empty(dims), \
            f"{why}; the PPT SDP ({status}) finds no separable part", value
    # The optimum sits on the PPT boundary; solve again with X^Gamma >= margin (a hair inside,
    # costing ~D * margin in q), and cut X to the range of rho: a kernel component of sigma of
    # any size would force the certified q to ~0.
    mu, eig = np.linalg.eigh(rho)
    in_range = eig[:, mu > 1e-12 * mu.max()]
    proj = in_range @ in_range.conj().T
    for margin in (PPT_MARGIN * value, 0.0):
        _, x_in, _ = best_separable_approximation(rho, dims, margin=margin)
        if x_in is None or np.trace(x_in).real <= ATOL_WEIGHT:
            continue
        sigma = proj @ ((x_in + x_in.conj().T) / 2) @ proj
        sigma /= np.trace(sigma).real
        # second target: without the solver's near-zero eigenvalues (<= CLEAN_CUT of the largest),
        # which a rank-r fit cannot produce; q is certified on the ensemble whatever sigma it
        # stands for (costs ~1e-5 in q, so it is the fallback)
        ev_s, u_s = np.linalg.eigh(sigma)
        big_s = ev_s > CLEAN_CUT * ev_s.max()
        clean = (u_s[:, big_s] * ev_s[big_s]) @ u_s[:, big_s].conj().T
        clean /= np.trace(clean).real
        for target, passes in ((sigma, 1), (clean, None)):
            ens = decompose(target, passes)
            done = _finalise(rho, dims, target, *ens, whole=False) if ens is not None else None
            if done is not None:
                return (*done, f"{why}; the PPT SDP ({status}) is the best separable approximation "
                               f"(Lewenstein & Sanpera, PRL 80, 2261 (1998)), q_outer = "
                               f"{value:.10g}; its sigma (solved with X^Gamma >= {margin:.1e}, cut "
                           f"to the range of rho) written by {how}", value)
    return None


#: Largest rank the product-fit route attempts (rank-deficient inputs only).
MAX_FIT_RANK = 12


def _product_fit_route(rho, dims, rng, deadline=None, entangled=None):
    """PPT bipartite input: (q=1, low, residual, weights, vectors) from a product fit, or None
    (module docstring, ``"product_fit"``).  ``entangled()``, asked once after the first
    :data:`FIT_STARTS` starts failed, stops the route when an outer bound proves rho entangled
    (then no fit can reassemble it, e.g. a PPT entangled state that DPS detects)."""
    from ..states import min_pt_eigenvalue
    from ._exact import fit_product_ensemble

    # (PPT across every single party: necessary for full separability, two parties or more)
    if any(min_pt_eigenvalue(rho, dims, [i]) < -ATOL_TAU for i in range(1 if len(dims) == 2
                                                                         else len(dims))):
        return None
    ev = np.linalg.eigvalsh(rho)
    rank = max(1, int((ev > 1e-12 * ev.max()).sum()))
    if rank > MAX_FIT_RANK:
        # the route targets mixtures of few product states; inputs of larger rank (e.g. noisy
        # 6 x 6 states) are left to the other routes (such a fit costs minutes)
        return None
    # member counts, one seeded start each: k = rank (a mixture of r generic product states has
    # rank r; about half the starts converge there) and rank + 1 first, then rank + 2 and rank
    # again; more members than the dimension are allowed (Caratheodory: up to D^2): a full-rank
    # separable 3x3 mixture of 9 or 12 products is not reassembled by 9 members from random
    # starts, by 10 at once (the audit of issue 19, session 34: q stopped at 0.9967-0.9995)
    sizes = [rank, rank + 1, rank + 2, rank] + [rank, rank + 1] * FIT_ATTEMPTS
    for attempt, k in enumerate(sizes[:FIT_ATTEMPTS]):
        # (N >= 3: the first starts only -- no outer bound tells an entangled PPT input from a
        # separable one there, and the fits would run to the deadline on every such input: a
        # noisy W state's frame runs took 2.7 s instead of 0.13 s each)
        if attempt >= FIT_STARTS and (deadline is None or time.monotonic() >= deadline
                                      or len(dims) >= 3):
            return None
        if attempt == FIT_STARTS and entangled is not None and entangled():
            return None
        w, v, res = fit_product_ensemble(rho, dims, n_members=k, starts=1,
                                         iterations=FIT_ITERATIONS, rng=rng)
        if res <= TOL_RESIDUAL:
            done = _finalise(rho, dims, rho, w, v, whole=True)
            if done is not None and done[1] >= -max(ATOL_TAU, 10 * done[2]):
                return done
    return None


def certified_product_fit(matrix, dims, *, rng: np.random.Generator | None = None):
    """An explicit product ensemble equal to a separable bipartite state, or None.

    The ``"product_fit"`` route alone (module docstring), for callers that need a separable
    state equal to ``matrix`` (paper 2's bound is then 0) without the other routes' cost.

    Parameters
    ----------
    matrix : array_like, shape (D, D)
        A density matrix, :math:`D = d_1d_2 \\le` ``MAX_ENGINE_DIM``.
    dims : (int, int)
    rng : numpy.random.Generator, optional
        Default ``default_rng(0)``.

    Returns
    -------
    (weights, vectors) or None
        Weights summing to 1 and per party unit vectors (shapes ``(n, d_1)``, ``(n, d_2)``),
        reassembling ``matrix`` to 1e-9 (Frobenius); None if the input is not PPT or no fit
        with rank..rank+2 members was found.

    Raises
    ------
    InputError
        Not two parties, or a total dimension above ``MAX_ENGINE_DIM``.
    """
    rho = np.asarray(matrix, dtype=complex)
    dims = tuple(int(d) for d in dims)
    if len(dims) != 2 or rho.shape != (math.prod(dims),) * 2:
        raise InputError(f"dims must be two local dimensions multiplying to the matrix size, "
                         f"got {list(dims)} for shape {rho.shape}")
    if rho.shape[0] > MAX_ENGINE_DIM:
        raise InputError(f"matrix must have total dimension <= {MAX_ENGINE_DIM}, got "
                         f"{rho.shape[0]}")
    done = _product_fit_route((rho + rho.conj().T) / 2, dims,
                              check_rng("rng", rng))
    return None if done is None else (done[3], done[4])


def _prune_and_certify(rho, dims, members, w_value, kernel):
    """Best certified (q, (weights, vectors)) from SDP weights (see _column_generation)."""
    # Interior-point weights are never exactly 0: a member with a tiny weight but a component in
    # the kernel of rho would force the certified q to ~0, so members outside the range of rho
    # are dropped, and the cut-off on small weights is chosen by the certified q.
    psi = np.array([product_vector([[v] for v in m], 0) for m in members])
    outside = (np.linalg.norm(psi @ kernel.conj(), axis=1) ** 2 if kernel.size else
               np.zeros(len(psi)))
    w_value = np.where(outside <= 1e-10, w_value, 0.0)
    best, best_q = None, -1.0
    for cut in (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2):
        keep = w_value > cut * w_value.max(initial=0.0)
        if not keep.any():
            break
        weights = w_value[keep] / w_value[keep].sum()
        vectors = [np.array([members[k][i] for k in np.flatnonzero(keep)])
                   for i in range(len(dims))]
        q, _ = certify_weight(rho, mix(weights, vectors))
        if q > best_q + 1e-12:
            best, best_q = (weights, vectors), q
    return best_q, best


def _column_generation(rho, dims, rounds, new_per_round, rng, deadline, progress):
    """:func:`_numerical_route` with one BLAS thread (threadpoolctl): its eigenproblems are
    small (D <= 36), and OpenBLAS threads on them cost 10-20x on a loaded 2-core machine (the
    certification after a 4x5 run took 22 s instead of ~1 s)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        return _numerical_route(rho, dims, rounds, new_per_round, rng, deadline, progress)


def _numerical_route(rho, dims, rounds, new_per_round, rng, deadline, progress):
    """The local ascent (:mod:`._ascent`, full-rank rho) and column generation (:mod:`._colgen`,
    started from the ascent's members when a master solve fits in the time left), the better
    ensemble certified and, for a bipartite input whose master weight reaches ~1, polished by a
    product fit into an exact ensemble of rho.  Returns (done, info): ``done`` from
    :func:`_finalise` (None if nothing found)."""
    from ._ascent import is_full_rank, product_ascent
    from ._colgen import column_generation, iteration_estimate

    ascent = None
    if is_full_rank(rho):
        now = time.monotonic()
        aw, av, a_info = product_ascent(rho, dims, rng=rng,
                                        deadline=now + ASCENT_SHARE * max(deadline - now, 0.0),
                                        progress=progress)
        ascent = (aw, av, a_info)
    master_cost = MASTER_ITERATIONS * iteration_estimate(rho.shape[0])  # full rank: r = D
    if ascent is not None and deadline - time.monotonic() < STALL_ROUNDS * master_cost:
        # the master solves of a stall window do not fit: the ascent's ensemble is the answer
        w, members = None, None
        info = {"q_sdp": 0.0, "q_pricing_bound": None, "rounds": 0, "candidates": 0,
                "stopped": f"skipped ({STALL_ROUNDS} master solves, estimated "
                           f"{STALL_ROUNDS * master_cost:.3g} s, do not fit in the time left)",
                # the default budget would have run it: the requested budget cut the work short
                "skipped_by_budget": STALL_ROUNDS * master_cost <= engine_estimate(dims)}
    else:
        w, members, info = column_generation(
            rho, dims, rounds=rounds, new_per_round=new_per_round, rng=rng, deadline=deadline,
            progress=progress, init=None if ascent is None else ascent[1],
            stall=None if ascent is None else (STALL_ROUNDS, STALL_GAIN))
    info["ascent"] = None if ascent is None else ascent[2]
    info["polished"] = False
    best = None
    if w is not None and w.sum() > ATOL_WEIGHT:
        best = _from_master(rho, dims, w, members, deadline, rng, info)
        if info["polished"]:
            return best, info
    if ascent is not None:
        done = _ascent_result(rho, dims, ascent)
        if done is not None and (best is None or done[0] > best[0]):
            info["ascent_won"] = True
            best = done
    return best, info


def _ascent_alone(rho, dims, rng, deadline, result, o, route):
    """``route="local_ascent"`` (:data:`QUICK_ASCENT_STAGES` stages) or ``route="ascent"``
    (the whole schedule; the stages after :data:`~._ascent.MIN_STAGES` stop at ``deadline``) on
    a full-rank input: the local ascent alone, certified (:func:`_compute`'s ``result``; ``o``:
    the outer bounds).  ``method`` is ``"local_ascent"`` for both."""
    from threadpoolctl import threadpool_limits

    from ._ascent import product_ascent

    with threadpool_limits(1, user_api="blas"):
        aw, av, info = product_ascent(rho, dims, rng=rng, deadline=deadline,
                                      stages=QUICK_ASCENT_STAGES if route == "local_ascent" else None)
        done = _ascent_result(rho, dims, (aw, av, info))
    reason = (f"local ascent alone (route {route!r}): {info['members']} product states, "
              f"NLopt L-BFGS on the exact weight smoothed by Schatten p-norms, p = "
              f"{info['schedule'][:info['stages']]} (stopped: {info['stopped']}); "
              f"{info['evaluations']} evaluations; q certified on the ensemble")
    if done is None:
        return result(0.0, 0.0, 0.0, *_empty(dims), "local_ascent",
                      reason + ": no separable part found", *o, exhausted=info["stopped"] == "budget")
    return result(*done, "local_ascent", reason, *o, exhausted=info["stopped"] == "budget")


def _ascent_result(rho, dims, ascent):
    """:func:`_finalise` of the ascent's ensemble (None if it has no separable part)."""
    aw, av, _ = ascent
    done = _finalise(rho, dims, mix(aw, av), aw, av, whole=False)
    return None if done is None or done[0] <= ATOL_WEIGHT else done


def _from_master(rho, dims, w, members, deadline, rng, info):
    """The master's ensemble, polished to q = 1 or pruned and certified (:func:`_finalise`'s
    tuple, None if nothing certified); sets ``info["polished"]``."""
    mu, eig = np.linalg.eigh(rho)
    kernel = eig[:, mu <= 1e-12 * mu.max()]
    keep = w > 0
    w, members = w[keep], [m[keep] for m in members]
    # (a rank-deficient input whose pricing found no column: the see-saw within the range of
    # rho can miss every product state there, 0.65 on a mixture of four three-qubit products)
    stalled = kernel.shape[1] > 0 and info.get("stopped") == "no_column"
    if (w.sum() > 1 - POLISH_GAP or stalled) and time.monotonic() < deadline:
        # the master problem says rho is (nearly) a mixture of its members: fit rho exactly
        # from them (Gauss-Newton), which certifies q = 1 by reassembly
        from ._exact import fit_product_ensemble

        order = np.argsort(-w)
        order = order[w[order] > 1e-6 * w.max()]
        init = (w[order], [m[order] for m in members])     # heaviest first (the fit takes the
        rank = int((mu > 1e-12 * mu.max()).sum())          # first k members of its init)
        # (a stalled pricing with the master far from 1: the rank and one more -- a mixture of
        # r generic product states has rank r; a random start reaches it about 1 time in 3 on
        # three qubits, so more starts -- within STALL_FIT_SECONDS: on entangled inputs of
        # D = 16-18 the whole list of fits cost seconds, for nothing)
        far = w.sum() <= 1 - POLISH_GAP          # (here only because the pricing stalled)
        counts = [rank, rank + 1] if far else [rank, rank + 1, rank + 2, min(len(order), 2 * rank)]
        stop = min(deadline, time.monotonic() + STALL_FIT_SECONDS) if far else deadline
        for k in dict.fromkeys(counts):
            if time.monotonic() >= stop:
                break
            # (from the heaviest members, then from seeded random products: the master's
            # weight is often spread over many members near the true ones, a poor start)
            fw, fv, res = fit_product_ensemble(rho, dims, n_members=k,
                                               starts=1 + (2 if far else 1) * POLISH_STARTS,
                                               iterations=FIT_ITERATIONS, rng=rng, init=init,
                                               deadline=stop)
            if res <= TOL_RESIDUAL:
                done = _finalise(rho, dims, rho, fw, fv, whole=True)
                if done is not None and done[1] >= -max(ATOL_TAU, 10 * done[2]):
                    info["polished"] = True
                    return done
    q, found = _prune_and_certify(rho, dims, [[m[k] for m in members] for k in range(len(w))],
                                  w, kernel)
    # a cheap floor when the budget stopped the master early (large D): the computational
    # product basis with weights diag(rho) (rho dephased) or uniform (the maximally mixed state)
    basis = [np.array([np.eye(d)[a] for a in axes], dtype=complex)
             for d, axes in zip(dims, zip(*np.ndindex(*dims)))]
    diag = np.clip(np.diag(rho).real, 0, None)
    for weights in (diag, np.ones(len(diag))):
        if weights.sum() <= 0:
            continue
        keep = weights > 0
        cand = (weights[keep] / weights[keep].sum(), [b[keep] for b in basis])
        q_floor, _ = certify_weight(rho, mix(*cand))
        if q_floor > q + 1e-12:
            q, found = q_floor, cand
            info["floor"] = True
    if found is None or q <= ATOL_WEIGHT:
        return None
    return _finalise(rho, dims, mix(*found), *found, whole=False)


def _outer_bounds(source, dps, deadline=None, ppt_deadline=None):
    """(outer, ppt, dps value, how); skips what would overrun ``deadline`` (the PPT SDP:
    ``ppt_deadline``, default ``deadline``)."""
    from .dps import AUTO_DPS_DIM, dps_outer_weight, dps_size

    ppt_deadline = deadline if ppt_deadline is None else ppt_deadline
    left = None if ppt_deadline is None else ppt_deadline - time.monotonic()
    estimate = ppt_estimate(source.dims)
    if left is not None and estimate > left:
        if left < PPT_DUAL_MIN_SECONDS:
            return (None, None, None, f"outer bound skipped: the PPT SDP (estimated {estimate:.3g} s) "
                                      f"does not fit in the time left ({max(left, 0):.3g} s), nor "
                                      f"its first-order dual bound (at least "
                                      f"{PPT_DUAL_MIN_SECONDS:g} s); raise time_budget or call "
                                      f"separability.ppt_outer_weight")
        # the interior-point solve does not fit: a first-order dual made feasible instead
        dual = ppt_dual_bound(source, time_limit=left)
        if dual is None:
            return (None, None, None, f"outer bound skipped: the PPT SDP (estimated {estimate:.3g} s) "
                                      f"does not fit in the time left ({max(left, 0):.3g} s) and "
                                      f"its first-order dual bound failed")
        ppt, how = dual
        ppt_note = (f" ({how}: the interior-point solve, estimated {estimate:.3g} s, did not fit "
                    f"in {max(left, 0):.3g} s)")
    else:
        # the solver gets at least twice the estimate (a loaded machine), at most one overrun
        ppt = ppt_outer_weight(source, time_limit=None if left is None else max(left, 2 * estimate))
        ppt_note = "" if ppt is not None else " (PPT solve failed or ran out of time)"
    dps_value, note = None, "DPS not applicable (N >= 3)"
    if source.n_parties == 2 and dps:
        size = dps_size(source.dims, complex_entries=not _is_real(source.matrix))
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left < DPS_SECONDS and dps != "always":
            note = "DPS skipped (time budget)"
        elif size <= AUTO_DPS_DIM or dps == "always":
            dps_value, status = dps_outer_weight(source)
            note = f"DPS level 2 ({status})"
        else:
            note = (f"DPS skipped (real size {size} > {AUTO_DPS_DIM}; call "
                    f"separability.dps_outer_weight)")
    elif not dps:
        note = "DPS not requested"
    values = [v for v in (ppt, dps_value) if v is not None]
    outer = min(values) if values else None
    return outer, ppt, dps_value, f"min of the PPT relaxation{ppt_note} and {note}"


def certified_separable_weight(source: Source, *, rounds: int = 400,
                               new_per_round: int | None = None,
                               outer: bool = True, dps: bool | str = True,
                               route: str = "auto",
                               rng: np.random.Generator | None = None,
                               time_budget: float | None = None,
                               callback=None) -> CertifiedSeparableWeight:
    """Largest certified separable weight with an explicit product ensemble (module docstring).

    Parameters
    ----------
    source : Source
        The state and its local dimensions (total dimension at most 36).  The matrix is cast to
        complex128 (float32 / complex64 inputs are accepted; their precision limits what can
        be certified).
    rounds : int
        Most column-generation rounds (1 to 1000); the time budget usually stops it first.
    new_per_round : int, optional
        Most product states added per round (1 to 1000; default twice the total dimension).
    outer : bool
        Compute the outer bound (PPT, and DPS for two small parties) if it fits in the budget.
    dps : bool or "always"
        Use the DPS bound where it is cheap (real size <= 32), always, or never.
    route : {"auto", "column_generation", "local_ascent"}
        ``"column_generation"`` skips the closed-form and exact routes (a second route for
        tests).  ``"local_ascent"``: the closed-form, exact and product-fit routes as
        ``"auto"``, then, for a full-rank input, the first :data:`QUICK_ASCENT_STAGES` stages
        of the local ascent alone, certified (a quick decomposition, not the best the engine
        finds); other inputs go on to column generation.  ``"ascent"``: the same with the
        ascent's whole schedule (its later stages within the time budget).
    rng : numpy.random.Generator, optional
        Seeds the random product states (default ``default_rng(0)``).  Results are cached per
        (matrix, dims, options, state of ``rng``): a repeated question with a generator in the
        same state returns the same certificate (the generator is then not advanced).
    time_budget : float, optional
        Seconds for the whole call (default :func:`engine_estimate`).  Column generation stops
        when it is used up (keeping the best certified ensemble so far, ``budget_exhausted``),
        time is reserved for the outer bound, and an outer bound that would not fit is skipped
        (``weight_outer`` None, ``outer_method`` says why).  The engine overruns it by at most
        one solver step and the final certification.
    callback : callable, optional
        ``callback(fraction_done)`` with a float in [0, 1], called after each column-generation
        round and at the end (for a progress bar); its return value is ignored.

    Returns
    -------
    CertifiedSeparableWeight

    Raises
    ------
    InputError
        Not a :class:`~qkdbounds.states.sources.Source`, total dimension above 36, or a
        parameter out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from qkdbounds.states.sources import make_source
    >>> from qkdbounds.separability.twirls import isotropic_twirl
    >>> rho = isotropic_twirl(np.diag(np.eye(16)[0] * 0.3 + np.eye(16)[5] * 0.7), 4)
    >>> res = certified_separable_weight(make_source(rho, (4, 4)))
    >>> res.method, round(res.weight, 9), res.residual < 1e-9
    ('closed_form', 1.0, True)
    """
    start = time.monotonic()
    if not isinstance(source, Source):
        raise InputError("source must be a qkdbounds.states.sources.Source (see make_source)")
    rho, dims = np.asarray(source.matrix, dtype=np.complex128), tuple(source.dims)
    rho = (rho + rho.conj().T) / 2
    dim = rho.shape[0]
    if dim > MAX_ENGINE_DIM:
        raise InputError(f"the separability engine handles total dimension <= {MAX_ENGINE_DIM}, "
                         f"got {dim}")
    rounds = check_int("rounds", rounds, 1, 1000)
    outer = check_flag("outer", outer)
    new_per_round = check_int("new_per_round", 2 * dim if new_per_round is None else
                              new_per_round, 1, 1000)
    check_choice("route", route, ("auto", "column_generation", "local_ascent", "ascent"))
    if dps not in (True, False, "always"):
        raise InputError(f"dps must be True, False or 'always', got {dps!r}")
    if time_budget is None:
        time_budget = engine_estimate(dims)
    try:
        time_budget = float(time_budget)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"time_budget must be a number of seconds, got {time_budget!r}") from None
    if not time_budget > 0 or not math.isfinite(time_budget):
        raise InputError(f"time_budget must be a positive number of seconds, got {time_budget!r}")
    if callback is not None and not callable(callback):
        raise InputError("callback must be callable (callback(fraction_done))")
    requested, minimum = time_budget, engine_minimum(dims)
    time_budget = max(time_budget, minimum)
    rng = check_rng("rng", rng)
    # the random stream is part of the question: the answer for another generator state is
    # another run (a cached answer for any state would make a caller's result depend on what
    # ran before it in the process)
    key = (rho.tobytes(), dims, rounds, new_per_round, bool(outer), dps, route, time_budget,
           repr(rng.bit_generator.state))
    hit = _CACHE.get(key)  # one question, one answer
    if hit is not None:    # (one lookup: another thread may drop the key)
        return _raised_note(hit, requested, dim, route)
    if source.matrix.dtype != np.complex128 or not np.array_equal(source.matrix, rho):
        source = Source(rho, dims, source.projection)
    res = _compute(source, rho, dims, rounds, new_per_round, outer, dps, route, rng,
                   start, start + time_budget, callback)
    res = replace(res, time_budget=time_budget)
    if callback is not None:
        callback(1.0)
    _CACHE.put(key, res)
    return _raised_note(res, requested, dim, route)


def _raised_note(res: CertifiedSeparableWeight, requested: float, dim: int, route: str):
    """``res`` with the note that the requested budget was raised, when it was, the numerical
    route ran (local ascent / column generation) and the call took longer than requested
    (closed forms and exact routes are not budgeted)."""
    if (requested >= res.time_budget or res.elapsed <= requested
            or res.method not in ("column_generation", "local_ascent")):
        return res
    from ._ascent import MIN_STAGES
    from ._colgen import MIN_ROUNDS

    quick = route == "local_ascent" and res.method == "local_ascent"   # no column generation
    whole = route == "ascent" and res.method == "local_ascent"
    note = (f"time_budget {requested:.3g} s raised to the engine's minimum {res.time_budget:.3g} s "
            f"at total dimension {dim} (set-up" + (f" and the local ascent's {QUICK_ASCENT_STAGES} "
                                                  f"stages run" if quick else
                                                  f" and the local ascent's first {MIN_STAGES} "
                                                  f"stages run" if whole else
                                                  f", the local ascent's first {MIN_STAGES} stages "
                                                  f"and the first {MIN_ROUNDS} column-generation "
                                                  f"rounds run") + " whatever the budget)")
    return replace(res, message="; ".join(x for x in (note, res.message) if x))


def _compute(source, rho, dims, rounds, new_per_round, outer, dps, route, rng, start, deadline,
             callback):

    def result(q, low, residual, weights, vectors, method, reason, outer_value=None,
               ppt=None, dps_value=None, outer_how="", exhausted=False):
        notes = []
        if q <= ATOL_WEIGHT:
            q, (weights, vectors) = 0.0, _empty(dims)
            low = float(np.linalg.eigvalsh(rho).min())
            notes.append("no separable part found")
        if q >= 1.0 and outer:
            # the ensemble reassembles rho: no weight can exceed 1, whatever a relaxation's
            # solve says (it can fail, or come out below 1 by its accuracy)
            if outer_value is None or outer_value != 1.0:
                outer_how = ("q = 1: the certified ensemble reassembles rho (the largest weight "
                             "possible)" + (f"; {outer_how}" if outer_how else ""))
            outer_value = 1.0
        inaccurate_outer = outer_value is not None and outer_value < q - GAP_NOTE
        if inaccurate_outer:
            # q is certified on an explicit ensemble, so an outer value below it is the outer
            # solve's own error, not an outer bound: none is reported, nothing called optimal
            notes.append(f"no outer bound: its solve ({outer_value:.9g}) came out below the "
                         f"certified q = {q:.9g} (solver accuracy)")
            outer_value = None
        if outer_value is not None and outer_value - q > GAP_NOTE:
            notes.append(f"separable weight not certified optimal (q={q:.6g}, "
                         f"outer={outer_value:.6g}, gap={outer_value - q:.3g})")
        if exhausted:
            notes.append(f"time budget of {deadline - start:.3g} s ran out; best certified "
                         f"decomposition so far")
        if outer and outer_value is None and not inaccurate_outer:
            notes.append("no outer bound (" + (outer_how or "not computed") + ")")
        gap = None if outer_value is None else float(outer_value - q)
        status = (Status.OPTIMAL if gap is not None and gap <= GAP_NOTE and not exhausted
                  and not inaccurate_outer else Status.CERTIFIED)
        return CertifiedSeparableWeight(
            float(q), outer_value, weights, vectors, float(low), method, status, dims,
            message="; ".join(notes),
            residual=float(residual), reason=reason, weight_outer_ppt=ppt,
            weight_outer_dps=dps_value, outer_method=outer_how, gap=gap,
            elapsed=float(time.monotonic() - start), budget_exhausted=bool(exhausted))

    early: list = []  # the outer bounds when the product-fit route already computed them
    if route in ("auto", "local_ascent", "ascent"):
        from .families import family_decomposition

        fam = family_decomposition(rho, dims)
        if fam is not None:
            done = (_finalise(rho, dims, fam.sigma, fam.ensemble_weights, fam.ensemble_vectors,
                              whole=fam.weight >= 1) if fam.weight > ATOL_WEIGHT else
                    (0.0, 0.0, 0.0, *_empty(dims)))
            if done is not None:
                q_outer = fam.weight if outer else None
                return result(*done, "closed_form", fam.reason, q_outer, q_outer, None,
                              "closed form (PPT = separable in this family, so it equals the "
                              "PPT bound)" if outer else "")
        if len(dims) == 2 and (min(dims), max(dims)) in ((2, 2), (2, 3)):
            ex = _exact_route(rho, dims, rng, start + FIT_SHARE * (deadline - start))
            if ex is not None:
                *done, reason, q_ppt = ex
                return result(*done, "exact", reason, q_ppt, q_ppt, None,
                              "PPT SDP (exact in 2x2 and 2x3)")
        if len(set(dims)) == 1 and len(dims) >= 3:
            v = isotropic_ghz_visibility(rho, dims[0], len(dims))
            if v is not None and 0 <= v <= 1:
                from ..states import cc_decomposition, isotropic_ghz

                members = list(cc_decomposition(isotropic_ghz(dims[0], len(dims), v)).separable)
                weights = np.array([w for w, _ in members])
                vectors = [np.array([vecs[i] for _, vecs in members]) for i in range(len(dims))]
                sigma = mix(weights, vectors)
                done = _finalise(rho, dims, sigma, weights, vectors, whole=False)
                if done is not None:
                    o = _outer_bounds(source, dps, deadline) if outer else (None, None, None, "")
                    return result(*done, "paper1_isotropic_ghz",
                                  f"isotropic GHZ state (d = {dims[0]}, N = {len(dims)}, "
                                  f"v = {v:.6g}): paper 1's Eqs. (8)-(9) ensemble, q certified "
                                  f"on it (not proven optimal; see the outer bound)", *o)
        def entangled():
            """The outer bounds, computed once here and reused below: True when < 1."""
            if outer:
                now = time.monotonic()
                early.append(_outer_bounds(source, dps, deadline, now + 0.5 * max(deadline - now, 0.0)))
                return early[0][0] is not None and early[0][0] < 1 - ENTANGLED_GAP
            return False

        # (N >= 3 frame runs skip it: the input frame's run certifies a separable mixture, whose
        # bound is then 0 and needs no frame runs)
        fit = (None if len(dims) >= 3 and route == "local_ascent" else
               _product_fit_route(rho, dims, rng, start + FIT_SHARE * (deadline - start),
                                  entangled))
        if fit is not None:
            return result(*fit, "product_fit",
                          f"the input is PPT; a Gauss-Newton product fit with {len(fit[3])} "
                          f"members reassembles rho to {fit[2]:.1e} (Frobenius), so q = 1",
                          1.0 if outer else None, None, None,
                          "trivial (q = 1 is certified)" if outer else "")
    # the outer bound first (when it fits in half of the time left), then column generation
    # with the rest
    if early:
        o = early[0]
    elif outer:
        now = time.monotonic()
        o = _outer_bounds(source, dps, deadline, now + 0.5 * max(deadline - now, 0.0))
    else:
        o = (None, None, None, "")

    def progress(rnd, q):
        if callback is not None:
            span = max(deadline - start, 1e-9)
            callback(float(min(0.95, max(rnd / rounds, (time.monotonic() - start) / span))))

    if route in ("local_ascent", "ascent"):
        from ._ascent import is_full_rank

        if is_full_rank(rho):
            return _ascent_alone(rho, dims, rng, deadline, result, o, route)
    done, info = _column_generation(rho, dims, rounds, new_per_round, rng, deadline, progress)
    exhausted = (info["stopped"] == "budget" or info.get("skipped_by_budget", False) or (
        info["ascent"] is not None and info["ascent"]["stopped"] == "budget"))
    bound = info.get("q_pricing_bound")
    asc = info["ascent"]
    reason = "" if asc is None else (
        f"local ascent over {asc['members']} product states (NLopt L-BFGS on the exact "
        f"weight tr(Psi Psi^+) / lambda_max(rho^-1/2 Psi Psi^+ rho^-1/2), lambda_max smoothed "
        f"by Schatten p-norms, p = {asc['schedule']}; {asc['evaluations']} evaluations, "
        f"stopped: {asc['stopped']}; weight {asc['q']:.8g}), then ")
    reason += (f"column generation over product states (Clarabel master SDP, batched see-saw "
               f"pricing, {info['candidates']} candidates, {info['rounds']} rounds, stopped: "
               f"{info['stopped']}" + (f"; master weight {info['q_sdp']:.8g}" if info["rounds"]
                                       else "")
               + (f", pricing bound {bound:.6g}" if bound is not None else "") + ")"
               + ("; polished by a product fit reassembling rho (q = 1)" if info["polished"] else
                  "; q certified on the ensemble")
               + ("; the ascent's ensemble beat column generation's" if info.get("ascent_won")
                  else "")
               + ("; the dephased / maximally mixed floor beat the master's ensemble"
                  if info.get("floor") and not info.get("ascent_won") else ""))
    method = "local_ascent" if info.get("ascent_won") else "column_generation"
    if done is None:
        return result(0.0, 0.0, 0.0, *_empty(dims), method,
                      reason + ": no separable part found", *o, exhausted=exhausted)
    return result(*done, method, reason, *o, exhausted=exhausted)


def save_ensemble(result: CertifiedSeparableWeight, path) -> None:
    """Write a certificate to ``.npz``: ``weights`` (n,), ``vectors_<i>`` (n, d_i) per party,
    ``dims``, ``q`` (certified weight), ``q_outer`` (NaN if none), ``residual``,
    ``tau_min_eigenvalue``, ``method``, ``reason``.

    Raises
    ------
    InputError
        Not a CertifiedSeparableWeight.
    """
    if not isinstance(result, CertifiedSeparableWeight):
        raise InputError("result must be a CertifiedSeparableWeight")
    arrays = {f"vectors_{i}": np.asarray(v) for i, v in enumerate(result.ensemble_vectors)}
    from .._io import atomic_write

    atomic_write(path, lambda tmp: np.savez(
        tmp, weights=np.asarray(result.ensemble_weights, dtype=float),
        dims=np.asarray(result.dims, dtype=int), q=float(result.weight),
        q_outer=float("nan") if result.weight_outer is None else float(result.weight_outer),
        residual=float(result.residual), tau_min_eigenvalue=float(result.tau_min_eigenvalue),
        method=np.array(result.method), reason=np.array(result.reason), **arrays))


def load_ensemble(path) -> dict:
    """Read a file written by :func:`save_ensemble`: ``{"weights", "vectors" (list per party),
    "dims", "q", "q_outer", "residual", "method"}``, and ``"sigma"`` reassembled.

    Raises
    ------
    InputError
        Missing file or keys.
    """
    from .._io import check_input_file

    p = check_input_file("ensemble file", path)
    try:
        with np.load(p, allow_pickle=False) as data:
            dims = tuple(int(d) for d in data["dims"])
            out = {"weights": data["weights"], "dims": dims,
                   "vectors": [data[f"vectors_{i}"] for i in range(len(dims))],
                   "q": float(data["q"]), "q_outer": float(data["q_outer"]),
                   "residual": float(data["residual"]), "method": str(data["method"])}
    except (KeyError, ValueError, OSError) as exc:
        raise InputError(f"ensemble file {p} is not a saved certificate ({exc})") from None
    out["sigma"] = (mix(out["weights"], out["vectors"]) if len(out["weights"]) else
                    np.zeros((math.prod(dims),) * 2, dtype=complex))
    return out
