r"""Local ascent over product ensembles (the engine's first stage on full-rank inputs).

For a full-rank :math:`\rho` and unnormalised product vectors
:math:`\psi_k = \otimes_i v_{ik}` (the columns of :math:`\Psi`, member weights
:math:`\|\psi_k\|^2/\mathrm{tr}\,\Psi\Psi^\dagger`), the largest :math:`q` with
:math:`\rho - q\sigma \succeq 0`, :math:`\sigma = \Psi\Psi^\dagger/\mathrm{tr}\,\Psi\Psi^\dagger`, is

.. math:: q(\Psi) = \mathrm{tr}\,\Psi\Psi^\dagger \,/\,
          \lambda_{\max}(\rho^{-1/2}\Psi\Psi^\dagger\rho^{-1/2}),

a scale-invariant function of the vectors.  We maximise it directly: L-BFGS (NLopt) over the real
and imaginary parts of all :math:`v_{ik}`, with :math:`\lambda_{\max}` smoothed by the Schatten
:math:`p`-norm (:math:`\lambda_{\max} \le \|M\|_p \le m^{1/p}\lambda_{\max}`, :math:`m` its
multiplicity) and :math:`p` raised in stages (continuation, :data:`P_SCHEDULE`).  The gradient is
analytic: with :math:`G = \rho^{-1/2}M^{p-1}\rho^{-1/2}/\mathrm{tr}M^p`,
:math:`\partial f/\partial\bar\Psi = G\Psi - \Psi/\mathrm{tr}\,\Psi\Psi^\dagger` for
:math:`f = \log\|M\|_p - \log\mathrm{tr}\,\Psi\Psi^\dagger`, chained to each party's vector.

This is a local method on a non-convex parametrisation (the separable weight itself is a convex
problem over separable states, column generation's); its value is a certified *lower* bound on
the optimal weight (the ensemble is explicit; the engine re-certifies it by bisection).  On
generic 3x3 states it reaches within ~3e-3 of the PPT outer bound in under a second, where
column generation needs minutes to get as close; column generation then starts from its members.
Reference for the smoothing: Schatten norms as smooth surrogates of the largest eigenvalue,
e.g. A. S. Lewis and M. L. Overton, Acta Numerica 5, 149 (1996), Sec. 5.
"""

from __future__ import annotations

import time

import numpy as np

from ._colgen import kron_rows, random_products

try:    # numpy.linalg.eigh's own ufunc (LAPACK's ?heevd on the lower triangle), without the
    # wrapper's per-call checks: the same numbers bit for bit, ~6 us less per call on 8 x 8
    from numpy.linalg._umath_linalg import eigh_lo as _eigh_lo
except ImportError:  # pragma: no cover - a numpy without it: the public function
    _eigh_lo = None

#: Schatten exponents of the continuation (each stage starts from the previous optimum).
P_SCHEDULE = (16, 64, 256, 1024)
#: Stages run whatever the deadline (0.3 s at 3x3, ~2 s at 6x6): a shorter ascent is worthless.
MIN_STAGES = 2
#: Objective evaluations per stage (NLopt L-BFGS; the deadline stops a stage first on big inputs).
STAGE_EVALUATIONS = 600
#: Members of the ensemble per unit of total dimension (2D members: Caratheodory needs at most
#: D^2, the optimum of generic small states uses fewer; more members only slow each step).
MEMBERS_PER_DIMENSION = 2
#: L-BFGS correction pairs kept (:func:`qkdbounds._optim.minimize_box`'s ``vector_storage``).
LBFGS_MEMORY = 10
#: rho counts as full rank (the ascent applies) when its smallest eigenvalue exceeds this times
#: the largest (rho^{-1/2} then amplifies rounding by at most 1e5).
FULL_RANK_RATIO = 1e-10


def is_full_rank(rho) -> bool:
    mu = np.linalg.eigvalsh(rho)
    return bool(mu[0] > FULL_RANK_RATIO * mu[-1])


class _Objective:
    """f(x) = log ||M||_p - log tr(Psi Psi^dagger) and its gradient, x = (Re v, Im v)."""

    def __init__(self, rho, dims, members):
        mu, eig = np.linalg.eigh(rho)
        self.rho_mhalf = (eig / np.sqrt(mu)) @ eig.conj().T       # rho^{-1/2}
        self.dims, self.k = tuple(dims), int(members)
        self.sizes = [self.k * d for d in self.dims]
        self.n_complex = sum(self.sizes)
        #: (start, stop, d) of each party's block of the complex vector
        self.slices = [(a - s, a, d) for s, a, d in
                       zip(self.sizes, np.cumsum(self.sizes).tolist(), self.dims)]

    def unpack(self, x):
        z = x[:self.n_complex] + 1j * x[self.n_complex:]
        out, at = [], 0
        for d, s in zip(self.dims, self.sizes):
            out.append(z[at:at + s].reshape(self.k, d))
            at += s
        return out

    @staticmethod
    def pack(vectors):
        z = np.concatenate([np.asarray(v, dtype=complex).ravel() for v in vectors])
        return np.concatenate([z.real, z.imag])

    def weight(self, x) -> float:
        """q(Psi), exact (no smoothing)."""
        psi = kron_rows(self.unpack(x)).T
        tr = float(np.vdot(psi, psi).real)
        phi = self.rho_mhalf @ psi
        lam = float(np.linalg.eigvalsh(phi @ phi.conj().T)[-1])
        return tr / lam if lam > 0 else 0.0

    def __call__(self, x, p):
        nc, k = self.n_complex, self.k
        z = x[:nc] + 1j * x[nc:]
        vecs = [z[a:b].reshape(k, d) for a, b, d in self.slices]
        rows = kron_rows(vecs)                                     # (K, D): psi_k = rows[k]
        tr = np.vdot(rows, rows).real
        if not 0 < tr < np.inf:   # (a non-finite step: infeasible, before LAPACK sees NaN)
            return np.inf, np.zeros_like(x)
        phi = self.rho_mhalf @ rows.T
        m = phi @ phi.conj().T
        lam, u = np.linalg.eigh(m) if _eigh_lo is None else _eigh_lo(m)
        top = lam[-1]
        if not top > 0:
            return np.inf, np.zeros_like(x)
        r = lam / top
        np.maximum(r, 0.0, out=r)
        r_p1 = r ** (p - 1)
        s = r_p1 @ r
        value = np.log(top) + np.log(s) / p - np.log(tr)
        # G psi with G = rho^{-1/2} U diag(c) U^dagger rho^{-1/2}, c = r^(p-1) / (top s), applied
        # to phi = rho^{-1/2} psi, as rows (K, D)
        g_rows = (self.rho_mhalf @ (u @ ((r_p1 / (top * s))[:, None] * (u.conj().T @ phi)))).T
        g_rows -= rows / tr
        # d f / d conj(v_i): g_psi contracted with the other parties' conj(v_j), as two batched
        # matrix products per party (the parties before i, kron'ed, and those after); the first
        # party has no parties before it and the last none after
        conj = [v.conj() for v in vecs]
        n = len(conj)
        before = [None, conj[0]]
        for v in conj[1:-1]:
            before.append(kron_rows([before[-1], v]))
        after = [conj[-1], None]
        for v in conj[-2:0:-1]:
            after.insert(0, kron_rows([v, after[0]]))
        parts = []
        for i, (a, b, d) in enumerate(self.slices):
            left, right = before[i], after[i] if i < n - 1 else None
            width = 1 if right is None else right.shape[1]
            if left is None:
                t = g_rows.reshape(k, d, width)
            else:
                t = (left[:, None, :] @ g_rows.reshape(k, left.shape[1], d * width)).reshape(
                    k, d, width)
            if right is not None:
                t = t @ right[:, :, None]
            parts.append(t.reshape(-1))
        t = np.concatenate(parts)
        grad = np.concatenate([t.real, t.imag])
        grad *= 2.0
        return float(value), grad


def product_ascent(rho, dims, *, rng, deadline, init=None, members=None, progress=None,
                   stages=None):
    """Maximise the separable weight over ensembles of ``members`` product vectors (module
    docstring).

    ``init``: optional (weights (K,), per-party vectors (K, d_i)) to start from (its size sets
    ``members``); otherwise random product states.  Returns ``(weights, vectors, info)`` of the
    best ensemble seen (weights sum to 1, unit vectors; ``info``: ``q`` (exact on the ensemble,
    before the engine's certification), ``stages``, ``evaluations``, ``stopped``
    (``"schedule"`` or ``"budget"``)).  Requires full-rank ``rho`` (:func:`is_full_rank`).
    The first :data:`MIN_STAGES` stages run whatever ``deadline``; ``stages`` (optional, 1 to
    ``len(P_SCHEDULE)``) stops the schedule after that many stages.

    L-BFGS is NLopt's (:func:`qkdbounds._optim.minimize_box` without bounds), run with one BLAS
    thread (threadpoolctl): the matrices are small, and OpenBLAS threads on them cost 10-20x.
    """
    from threadpoolctl import threadpool_limits

    from .._optim import minimize_box

    dims = tuple(int(d) for d in dims)
    dim = int(np.prod(dims))
    if init is not None:
        w0, v0 = init
        members = len(w0)
        scale = np.sqrt(np.asarray(w0, dtype=float))[:, None]   # psi_k's norm^2 = w_k
        start = [np.asarray(v, dtype=complex) * (scale if i == 0 else 1.0)
                 for i, v in enumerate(v0)]
    else:
        members = MEMBERS_PER_DIMENSION * dim if members is None else int(members)
        start = random_products(dims, members, rng)
    obj = _Objective(rho, dims, members)
    x = obj.pack(start)
    info = {"stages": 0, "evaluations": 0, "stopped": "schedule", "members": members,
            "schedule": list(P_SCHEDULE)}
    with threadpool_limits(1, user_api="blas"):
        best_q, best_x = obj.weight(x), x.copy()
        for stage, p in enumerate(P_SCHEDULE[:stages]):
            left = None if stage < MIN_STAGES else deadline - time.monotonic()
            if left is not None and left <= 0:
                info["stopped"] = "budget"
                break
            res = minimize_box(lambda y, p=p: obj(y, p), x, -np.inf, np.inf, ftol_rel=1e-14,
                               xtol_rel=1e-12, maxeval=STAGE_EVALUATIONS, maxtime=left,
                               vector_storage=LBFGS_MEMORY)
            info["evaluations"] += res.nfev
            if "maxtime" in res.message:
                info["stopped"] = "budget"
            if np.all(np.isfinite(res.x)):
                x = res.x
            q = obj.weight(x)
            if q > best_q:
                best_q, best_x = q, x.copy()
            info["stages"] = stage + 1
            if progress is not None:
                progress(stage + 1, best_q)
            if info["stopped"] == "budget":
                break
    vecs = obj.unpack(best_x)
    norms = np.prod([np.linalg.norm(v, axis=1) for v in vecs], axis=0)
    keep = norms > 0
    weights = norms[keep] ** 2
    weights = weights / weights.sum()
    vectors = [v[keep] / np.linalg.norm(v[keep], axis=1, keepdims=True) for v in vecs]
    info["q"] = float(best_q)
    return weights, vectors, info
