r"""Certified separable weight of a state with an explicit product ensemble (issue 13, item 2).

For a state :math:`\rho` on :math:`\mathbb C^{d_1}\otimes\dots\otimes\mathbb C^{d_N}` we look for
:math:`\rho = q\,\sigma + (1-q)\,\tau` with :math:`\tau` a state and :math:`\sigma` a finite
mixture of product pure states (so Eve can prepare it, paper 1, Eqs. 8-9), :math:`q` as large as
possible.

**Inner (certified) method: column generation.**  For a finite set of product states
:math:`P_k = |\psi_k\rangle\langle\psi_k|`, the largest weight is the SDP
:math:`\max\{\sum_k w_k : w \ge 0,\ \rho - \sum_k w_kP_k \succeq 0\}` (cvxpy + Clarabel).  Its dual
variable :math:`Y \succeq 0` prices product states: a product state with
:math:`\langle\psi|Y|\psi\rangle < 1` can raise the weight, and one is found by a see-saw over
the parties (each step the lowest eigenvector of :math:`Y` with the other parties fixed), from
seeded random starts.  The rounds stop when no such state is found or after ``rounds``.
The returned :math:`q` is *certified* by exact arithmetic on the ensemble, not taken from the
solver: :math:`\sigma = \sum_k w_kP_k/\sum_k w_k` is defined by the ensemble, and :math:`q` is the
largest value with :math:`\rho - q\sigma \succeq 0`, computed from a generalised eigenvalue on
the support of :math:`\rho` and lowered until the smallest eigenvalue of :math:`\tau` is
:math:`\ge 0` in floating point.

**Isotropic inputs** (two qudits, :math:`U\otimes\bar U` invariant): the optimal weight is the
closed form :math:`q = d(1-F)/(d-1)` for :math:`F \ge 1/d` (1 below), with :math:`\sigma` the
:math:`F = 1/d` state written as paper 1's Eq. (9) ensemble (twirling argument: an optimal
decomposition may be taken isotropic).

**Outer bound**: the PPT relaxation :math:`\max\{\mathrm{tr}X : 0 \preceq X \preceq \rho,\
X^{\Gamma_S}\succeq 0 \text{ for every cut } S\}`, exact for 2x2 and 2x3 (Horodecki 1996); the
certified weight can never exceed it, and the gap says how far from optimal the inner value can
be (a bound-entangled state has outer 1 and inner < 1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_int
from ..states.isotropic import isotropic_ghz_visibility
from ..states.sources import Source

__all__ = ["CertifiedSeparableWeight", "certified_separable_weight", "ppt_outer_weight",
           "MAX_ENGINE_DIM"]

#: Largest total dimension handled by the numerical engine (SDPs on D x D matrices).
MAX_ENGINE_DIM = 36
#: Eigenvalues of tau above -this count as non-negative in the certificate.
ATOL_TAU = 1e-12


@dataclass(frozen=True)
class CertifiedSeparableWeight:
    """A certified decomposition :math:`\\rho = q\\sigma + (1-q)\\tau`.

    Attributes
    ----------
    weight : float
        Certified :math:`q` (checked on the ensemble: :math:`\\tau \\succeq 0`).
    weight_outer : float or None
        PPT outer bound on the largest separable weight.
    ensemble_weights : ndarray, shape (n,)
        Weights of :math:`\\sigma`'s members (sum 1).
    ensemble_vectors : list of ndarray
        Per party, shape ``(n, d_i)``: member k is :math:`\\otimes_i |v_{ik}\\rangle`.
    tau_min_eigenvalue : float
        Smallest eigenvalue of :math:`\\tau` (>= -1e-12).
    method, status : str
    """

    weight: float
    weight_outer: float | None
    ensemble_weights: NDArray[np.float64] = field(repr=False)
    ensemble_vectors: list = field(repr=False)
    tau_min_eigenvalue: float
    method: str
    status: str
    dims: tuple = ()

    @property
    def ensemble_size(self) -> int:
        return int(len(self.ensemble_weights))

    def sigma(self) -> NDArray[np.complex128]:
        """:math:`\\sigma` reassembled from the ensemble."""
        return _mix(self.ensemble_weights, self.ensemble_vectors)


def _product(vectors, k) -> NDArray:
    out = np.ones(1, dtype=complex)
    for v in vectors:
        out = np.kron(out, v[k])
    return out


def _mix(weights, vectors) -> NDArray:
    n = len(weights)
    psi = np.array([_product(vectors, k) for k in range(n)])
    return np.einsum("k,ki,kj->ij", weights, psi, psi.conj())


def _certify(rho: NDArray, sigma: NDArray) -> tuple[float, float]:
    """Largest q in [0, 1] with min eig(rho - q sigma) >= -ATOL_TAU (bisection; the smallest
    eigenvalue falls monotonically in q since sigma >= 0), and tau's smallest eigenvalue."""
    def low(t):
        m = rho - t * sigma
        return float(np.linalg.eigvalsh((m + m.conj().T) / 2).min())

    if low(1.0) >= -ATOL_TAU:
        return 1.0, low(1.0)
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if low(mid) >= -ATOL_TAU * (1 - mid) else (lo, mid)
    tau = (rho - lo * sigma) / (1 - lo)
    return lo, float(np.linalg.eigvalsh((tau + tau.conj().T) / 2).min())


def _cuts(n):
    for size in range(1, n // 2 + 1):
        for cut in combinations(range(n), size):
            if size < n - size or 0 in cut:
                yield cut


def ppt_outer_weight(source: Source) -> float | None:
    """PPT relaxation of the largest separable weight (None if the solver fails)."""
    import cvxpy as cp

    rho, dims = source.matrix, source.dims
    dim = rho.shape[0]
    x = cp.Variable((dim, dim), hermitian=True)
    cons = [x >> 0, rho - x >> 0]
    for cut in _cuts(len(dims)):
        cons.append(cp.partial_transpose(x, list(dims), cut[0]) >> 0 if len(cut) == 1 else
                    _pt_expr(x, dims, cut) >> 0)
    prob = cp.Problem(cp.Maximize(cp.real(cp.trace(x))), cons)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prob.solve(solver=cp.CLARABEL)
    except cp.error.SolverError:
        return None
    if prob.status not in ("optimal", "optimal_inaccurate") or prob.value is None:
        return None
    return float(min(1.0, max(0.0, prob.value)))


def _pt_expr(x, dims, cut):
    import cvxpy as cp

    out = x
    for i in cut:
        out = cp.partial_transpose(out, list(dims), i)
    return out


def _random_product(dims, rng):
    vecs = []
    for d in dims:
        v = rng.normal(size=d) + 1j * rng.normal(size=d)
        vecs.append(v / np.linalg.norm(v))
    return vecs


def _seesaw(y, dims, rng, sweeps=30):
    """A product state with small <psi|Y|psi>: alternate lowest eigenvectors party by party."""
    n = len(dims)
    vecs = _random_product(dims, rng)
    yt = y.reshape(tuple(dims) * 2)
    value = np.inf
    for _ in range(sweeps):
        for i in range(n):
            t = yt
            # contract every other party with its vector (ket side conj, bra side plain)
            letters = "abcdefghijklmnop"
            ket = letters[:n]
            bra = letters[n:2 * n]
            ops = [t]
            subs = [ket + bra]
            for j in range(n):
                if j != i:
                    ops += [vecs[j].conj(), vecs[j]]
                    subs += [ket[j], bra[j]]
            m = np.einsum(",".join(subs) + "->" + ket[i] + bra[i], *ops)
            w, v = np.linalg.eigh((m + m.conj().T) / 2)
            vecs[i] = v[:, 0]
            value = w[0]
    return vecs, float(value)


def certified_separable_weight(source: Source, *, rounds: int = 25, new_per_round: int = 8,
                               outer: bool = True,
                               rng: np.random.Generator | None = None) -> CertifiedSeparableWeight:
    """Largest certified separable weight with an explicit product ensemble (module docstring).

    Raises
    ------
    InputError
        Not a :class:`~qkdbounds.states.sources.Source`, or total dimension above 36.
    """
    import cvxpy as cp

    if not isinstance(source, Source):
        raise InputError("source must be a qkdbounds.states.sources.Source (see make_source)")
    rho, dims = source.matrix, source.dims
    dim = rho.shape[0]
    if dim > MAX_ENGINE_DIM:
        raise InputError(f"the separability engine handles total dimension <= {MAX_ENGINE_DIM}, "
                         f"got {dim}")
    rounds = check_int("rounds", rounds, 1, 1000)
    rng = np.random.default_rng(0) if rng is None else rng
    outer_value = ppt_outer_weight(source) if outer else None
    v_iso = (isotropic_ghz_visibility(rho, dims[0], 2)
             if len(dims) == 2 and dims[0] == dims[1] and dims[0] <= 12 else None)
    if v_iso is not None:
        from ..states import cc_decomposition, isotropic_ghz

        d = dims[0]
        v = max(0.0, min(1 / (1 + d), v_iso))
        members = list(cc_decomposition(isotropic_ghz(d, 2, v)).separable)
        weights = np.array([w for w, _ in members], dtype=float)
        a = np.array([vecs[0] for _, vecs in members])
        b = np.array([vecs[1] for _, vecs in members])
        q, low = _certify(rho, _mix(weights, [a, b]))
        return CertifiedSeparableWeight(q, outer_value, weights, [a, b], low,
                                        "isotropic family: closed form d(1-F)/(d-1) with paper 1's "
                                        "Eq. (9) ensemble", "ok", dims)
    # column generation
    members = [_random_product(dims, rng) for _ in range(4 * dim)]
    for axes in np.ndindex(*dims):  # the computational product basis too
        members.append([np.eye(d)[a].astype(complex) for d, a in zip(dims, axes)])
    w_value = None
    for _ in range(rounds):
        psi = np.array([_product([[v] for v in m], 0) for m in members])
        w = cp.Variable(len(members), nonneg=True)
        mix = sum(w[k] * np.outer(psi[k], psi[k].conj()) for k in range(len(members)))
        constraint = rho - mix >> 0
        prob = cp.Problem(cp.Maximize(cp.sum(w)), [constraint])
        try:
            with warnings.catch_warnings():  # "inaccurate" is fine: q is certified afterwards
                warnings.simplefilter("ignore")
                prob.solve(solver=cp.CLARABEL)
        except cp.error.SolverError:
            break
        if prob.status not in ("optimal", "optimal_inaccurate"):
            break
        w_value = np.clip(w.value, 0, None)
        y = constraint.dual_value
        if y is None:
            break
        y = (y + y.conj().T) / 2
        added = 0
        for _ in range(new_per_round * 4):
            vecs, val = _seesaw(y, dims, rng)
            if val < 1 - 1e-7:
                members.append(vecs)
                added += 1
                if added >= new_per_round:
                    break
        if added == 0:
            break
    if w_value is None or w_value.sum() <= 0:
        return CertifiedSeparableWeight(0.0, outer_value, np.zeros(0), [np.zeros((0, d)) for d in dims],
                                        float(np.linalg.eigvalsh(rho).min()),
                                        "column generation: no separable part found", "no_weight",
                                        dims)
    keep = w_value > 1e-12 * w_value.sum()
    weights = w_value[keep] / w_value[keep].sum()
    vectors = [np.array([members[k][i] for k in np.flatnonzero(keep)]) for i in range(len(dims))]
    q, low = _certify(rho, _mix(weights, vectors))
    return CertifiedSeparableWeight(
        q, outer_value, weights, vectors, low,
        f"column generation over product states (SDP with Clarabel, see-saw pricing, "
        f"{len(members)} candidates); q certified on the ensemble", "ok", dims)
