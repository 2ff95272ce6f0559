r"""Exact separability in 2x2 and 2x3: PPT = separable, with explicit product ensembles.

In :math:`\mathbb C^2\otimes\mathbb C^2` and :math:`\mathbb C^2\otimes\mathbb C^3` a state is
separable iff its partial transpose is positive (M., P. & R. Horodecki, PLA 223, 1 (1996);
Peres, PRL 77, 1413 (1996)).  So the largest separable weight of :math:`\rho` is the PPT
relaxation (the best separable approximation, Lewenstein & Sanpera, PRL 80, 2261 (1998))

.. math:: q^\star = \max\{\mathrm{tr}X : 0 \preceq X \preceq \rho,\ X^{\Gamma} \succeq 0\},

an SDP (cvxpy + Clarabel), and :math:`\sigma = X^\star/q^\star` is separable.  What is left is to
*write* :math:`\sigma` as a finite ensemble of product states:

* **2x2: Wootters' construction** (W. K. Wootters, PRL 80, 2245 (1998), Eqs. (4)-(9)).  With
  :math:`\rho = \sum_i |v_i\rangle\langle v_i|` (subnormalised eigenvectors) and the symmetric
  matrix :math:`\tau_{ij} = \langle v_i|\tilde v_j\rangle`,
  :math:`|\tilde v\rangle = \sigma_y\otimes\sigma_y|v^*\rangle`, a Takagi factorisation
  :math:`\tau = U\Lambda U^T` gives :math:`|x_i\rangle = \sum_j U_{ji}|v_j\rangle` with
  :math:`\langle x_i|\tilde x_j\rangle = \lambda_i\delta_{ij}`.  When the concurrence
  :math:`\lambda_1-\lambda_2-\lambda_3-\lambda_4 \le 0`, phases :math:`e^{i\theta_j}` with
  :math:`\sum_j e^{-2i\theta_j}\lambda_j = 0` exist (a closed polygon), and the four vectors
  :math:`|z_i\rangle = \sum_j H_{ij}e^{i\theta_j}|x_j\rangle` (:math:`H` the 4x4 Hadamard matrix
  over 2) have :math:`\langle z_i|\tilde z_i\rangle = 0`: each is a product vector, and
  :math:`\sum_i |z_i\rangle\langle z_i| = \rho` because :math:`H` is real orthogonal.
* **2x3 (and a numerical polish anywhere)**: a Gauss-Newton least-squares fit
  :math:`\min \|\sum_k (a_k a_k^\dagger)\otimes(b_k b_k^\dagger) - \sigma\|_F` over unnormalised
  product vectors (minimum-norm steps, analytic Jacobian), from seeded starts; the result is
  accepted only when the residual is at most :data:`~._ensemble.TOL_RESIDUAL` (1e-9).
"""

from __future__ import annotations

import math
import time

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_rng
from ._colgen import kron_rows
from ._ensemble import TOL_RESIDUAL, mix, split_product

__all__ = ["takagi", "wootters_ensemble", "fit_product_ensemble", "best_separable_approximation",
           "EXACT_DIMS"]

#: Bipartite dimensions where PPT = separable (Horodecki 1996).
EXACT_DIMS = ((2, 2), (2, 3), (3, 2))

#: sigma_y (x) sigma_y (real symmetric), Wootters' spin flip.
SIGMA_YY = np.array([[0, 0, 0, -1], [0, 0, 1, 0], [0, 1, 0, 0], [-1, 0, 0, 0]], dtype=complex)
#: Wootters' real orthogonal mixing matrix (PRL 80, 2245, Eq. (9)).
_HADAMARD_4 = 0.5 * np.array([[1, 1, 1, 1], [1, 1, -1, -1], [1, -1, 1, -1], [1, -1, -1, 1]])
#: Relative size below which a Takagi value counts as zero.
_RTOL_TAKAGI = 1e-13


def takagi(matrix) -> tuple[NDArray[np.float64], NDArray[np.complex128]]:
    r"""Takagi factorisation :math:`A = U\,\mathrm{diag}(s)\,U^T` of a complex symmetric matrix.

    Uses the real symmetric embedding :math:`B = \begin{pmatrix}\Re A & \Im A\\ \Im A & -\Re A
    \end{pmatrix}`, whose eigenvalues are :math:`\pm s_i`: an eigenvector :math:`(x, y)` for
    :math:`s > 0` gives :math:`u = x + iy` with :math:`A\bar u = s u` (Horn & Johnson, *Matrix
    Analysis*, Cor. 4.4.4); the zero Takagi values get an orthonormal basis of the complement.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Complex symmetric (:math:`A = A^T`).

    Returns
    -------
    s : ndarray, shape (n,)
        Takagi values, descending, non-negative.
    u : ndarray, shape (n, n)
        Unitary.

    Raises
    ------
    InputError
        Not square or not symmetric (to 1e-9 relative).
    """
    a = np.asarray(matrix, dtype=complex)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(f"matrix must be square, got shape {a.shape}")
    scale = max(1.0, float(np.abs(a).max()))
    if np.abs(a - a.T).max() > 1e-9 * scale:
        raise InputError("matrix must be complex symmetric (A = A^T) for a Takagi factorisation")
    a = (a + a.T) / 2
    n = a.shape[0]
    b = np.block([[a.real, a.imag], [a.imag, -a.real]])
    w, v = np.linalg.eigh(b)
    order = np.argsort(w)[::-1][:n]
    s_all, vecs = w[order], v[:, order]
    keep = s_all > _RTOL_TAKAGI * scale
    u_pos = vecs[:n, keep] + 1j * vecs[n:, keep]
    s = np.zeros(n)
    s[: keep.sum()] = s_all[keep]
    if keep.sum() < n:
        from scipy.linalg import null_space

        u = np.hstack([u_pos, null_space(u_pos.conj().T) if keep.any() else np.eye(n)])
    else:
        u = u_pos
    return s, u


def _closing_phases(lengths) -> NDArray[np.complex128]:
    """Unit phases ``p`` with ``sum(p * lengths) = 0`` for four lengths whose largest is at most
    the sum of the others (a closed quadrilateral; law of cosines, two triangles)."""
    lengths = np.asarray(lengths, dtype=float)
    order = np.argsort(lengths)[::-1]
    l1, l2, l3, l4 = lengths[order]
    phases = np.ones(4, dtype=complex)
    if l1 <= 0:
        return phases
    # c3 + c4 is a vector of length s closing the triangle (l1, l2, s)
    s = max(l1 - l2, l3 - l4, 0.0)
    cos_b = (s * s - l1 * l1 - l2 * l2) / (2 * l1 * l2) if l2 > 0 else -1.0
    p2 = np.exp(1j * math.acos(min(1.0, max(-1.0, cos_b))))
    target = -(l1 + l2 * p2)
    p3 = p4 = 1.0 + 0j
    if l3 > 0:
        t_abs = abs(target)
        base = target / t_abs if t_abs > 0 else 1.0 + 0j
        cos_a = (t_abs**2 + l3**2 - l4**2) / (2 * t_abs * l3) if t_abs > 0 else 0.0
        p3 = base * np.exp(1j * math.acos(min(1.0, max(-1.0, cos_a))))
        rest = target - l3 * p3
        p4 = rest / abs(rest) if abs(rest) > 0 else 1.0 + 0j
    phases[order] = [1.0, p2, p3, p4]
    return phases


def wootters_ensemble(rho) -> tuple[NDArray[np.float64], list[NDArray[np.complex128]], float]:
    r"""Four-member product ensemble of a two-qubit state of zero concurrence (Wootters 1998).

    Parameters
    ----------
    rho : array_like, shape (4, 4)
        Two-qubit state (PSD, any trace) with concurrence
        :math:`\max(0,\lambda_1-\lambda_2-\lambda_3-\lambda_4) = 0` (PPT).

    Returns
    -------
    weights : ndarray, shape (n,)
        :math:`\| z_i \|^2` (sum: the trace of ``rho``), ``n <= 4`` (zero members dropped).
    vectors : list of two ndarrays, shapes (n, 2) and (n, 2)
        Unit vectors of party A and B.
    excess : float
        :math:`\lambda_1-\lambda_2-\lambda_3-\lambda_4` (``<= 0`` for a separable input; a small
        positive value, e.g. 1e-12 from rounding, is clipped and shows in the residual).

    Raises
    ------
    InputError
        Not 4x4, or the concurrence exceeds 1e-9 (entangled input).

    Examples
    --------
    >>> import numpy as np
    >>> rho = np.diag([0.3, 0.2, 0.2, 0.3]).astype(complex); rho[0, 3] = rho[3, 0] = 0.1
    >>> w, vecs, excess = wootters_ensemble(rho)
    >>> from qkdbounds.separability._ensemble import mix
    >>> bool(np.abs(mix(w, vecs) - rho).max() < 1e-12)
    True
    """
    rho = np.asarray(rho, dtype=complex)
    if rho.shape != (4, 4):
        raise InputError(f"rho must be a 4 x 4 two-qubit matrix, got shape {rho.shape}")
    rho = (rho + rho.conj().T) / 2
    mu, e = np.linalg.eigh(rho)
    v = e * np.sqrt(np.clip(mu, 0, None))
    tau = v.conj().T @ SIGMA_YY @ v.conj()
    lam, u = takagi(tau)
    x = v @ u
    excess = float(lam[0] - lam[1:].sum())
    if excess > 1e-9 * max(1.0, float(np.trace(rho).real)):
        raise InputError(f"rho must have zero concurrence (be PPT) for Wootters' decomposition; "
                         f"lambda_1 - lambda_2 - lambda_3 - lambda_4 = {excess:.3g}")
    lam_closed = lam.copy()
    if excess > 0:
        lam_closed[0] = lam[1:].sum()
    phases = _closing_phases(lam_closed)
    y = x * np.exp(-0.5j * np.angle(phases))  # e^{-2i theta_j} = phases_j
    z = y @ _HADAMARD_4.T
    weights, avec, bvec = [], [], []
    for i in range(4):
        norm2 = float(np.vdot(z[:, i], z[:, i]).real)
        if norm2 <= 1e-300:
            continue
        s2, (a, b) = split_product(z[:, i], (2, 2))
        weights.append(s2)
        avec.append(a)
        bvec.append(b)
    return np.array(weights), [np.array(avec).reshape(-1, 2), np.array(bvec).reshape(-1, 2)], excess


def fit_product_ensemble(target, dims, *, n_members: int | None = None, starts: int = 3,
                         iterations: int = 200, rng: np.random.Generator | None = None,
                         init=None, deadline: float | None = None
                         ) -> tuple[NDArray[np.float64], list[NDArray], float]:
    r"""Product ensemble reassembling a fully separable ``target`` (Gauss-Newton fit).

    Minimises :math:`\|\sum_k \psi_k\psi_k^\dagger - T\|_F`, :math:`\psi_k = v_k^{(1)}
    \otimes\dots\otimes v_k^{(N)}`, over unnormalised :math:`v_k^{(i)}\in\mathbb C^{d_i}` by
    Gauss-Newton steps of minimum norm (the system is underdetermined), with an analytic
    Jacobian and step halving; stops at a residual of 1e-13 or after ``iterations``.

    Parameters
    ----------
    target : array_like, shape (D, D)
        PSD matrix, :math:`D = d_1\cdots d_N` (known or expected to be separable, e.g. PPT in
        2x3, or the near-complete master solution of column generation).
    dims : sequence of int
        The local dimensions (two or more parties).
    n_members : int, optional
        Members.  Default: try :math:`r, r+1, r+2, 2r` and :math:`D^2` (Caratheodory's bound)
        in turn, :math:`r` the rank of the target (rank-deficient targets fit faster with few
        members: every member must lie in the range).
    starts : int
        Seeded random starts tried until the residual is at most 1e-9.
    init : (weights, vectors), optional
        A first start (e.g. from column generation).
    deadline : float, optional
        ``time.monotonic()`` value after which no further iteration, start or member count is
        tried (the best fit so far is returned).
    rng : numpy.random.Generator, optional
        Default ``default_rng(0)``.

    Returns
    -------
    weights : ndarray, shape (n,)
    vectors : list of ndarrays, shapes (n, d_i), one per party
    residual : float
        Frobenius distance of the fit (best over the starts).
    """
    t = np.asarray(target, dtype=complex)
    t = (t + t.conj().T) / 2
    rng = check_rng("rng", rng)
    dim = t.shape[0]
    if n_members is not None:
        candidates = [int(n_members)]
    else:
        ev = np.linalg.eigvalsh(t)
        rank = max(1, int((ev > 1e-12 * max(ev.max(), 1e-300)).sum()))
        candidates = list(dict.fromkeys([rank, rank + 1, rank + 2, 2 * rank, dim * dim]))
    best = (np.inf, None)
    for k_members in candidates:
        if best[1] is not None and deadline is not None and time.monotonic() >= deadline:
            break
        weights, vectors, res = _fit_once(t, dims, k_members, starts, iterations, rng, init,
                                          deadline)
        if res < best[0]:
            best = (res, (weights, vectors))
        if res <= TOL_RESIDUAL:
            break
    res, (weights, vectors) = best
    return weights, vectors, res


def _fit_once(t, dims, k_members, starts, iterations, rng, init, deadline=None):
    dims = tuple(int(d) for d in dims)
    dim = int(np.prod(dims))
    width = sum(dims)
    offsets = np.cumsum((0,) + dims)
    iu = np.triu_indices(dim)

    def unpack(p):
        c = p[: p.size // 2] + 1j * p[p.size // 2:]
        c = c.reshape(k_members, width)
        return [c[:, offsets[i]:offsets[i + 1]] for i in range(len(dims))]

    ones = np.ones((k_members, 1), dtype=complex)

    def rows(vectors):
        """The members' Kronecker products (:func:`._colgen.kron_rows`; ones for no party)."""
        return kron_rows([ones, *vectors])

    def residual(p):
        vecs = unpack(p)
        psi = rows(vecs)
        m = psi.T @ psi.conj() - t
        return np.concatenate([m[iu].real, m[iu].imag]), psi, vecs

    def jacobian(psi, vecs):
        # d psi_k / d(Re v_k^(i)[j]) = v_k^(1) (x) .. e_j .. (x) v_k^(N); Im: times 1j
        blocks = []
        for i, d in enumerate(dims):
            left, right = rows(vecs[:i]), rows(vecs[i + 1:])
            g = np.einsum("kl,jm,kr->kjlmr", left, np.eye(d), right)
            blocks.append(g.reshape(k_members, d, dim))
        g = np.concatenate(blocks, axis=1)                         # (K, sum d_i, D)
        dm = np.einsum("kpi,kj->kpij", g, psi.conj())
        dm_re = dm + np.conj(np.swapaxes(dm, 2, 3))                 # real parts of the params
        dm_im = 1j * dm - 1j * np.conj(np.swapaxes(dm, 2, 3))       # imaginary parts
        cols = []
        for block in (dm_re, dm_im):
            sel = block[:, :, iu[0], iu[1]].reshape(k_members * width, -1)
            cols.append(np.concatenate([sel.real, sel.imag], axis=1))
        return np.concatenate(cols, axis=0).T

    best = (np.inf, None)
    scale = float(np.trace(t).real) / k_members
    for start in range(max(1, starts)):
        if start and deadline is not None and time.monotonic() >= deadline:
            break
        if start == 0 and init is not None:
            w0, v0 = init
            reps = int(np.ceil(k_members / len(w0)))
            first = np.tile(v0[0] * np.sqrt(np.asarray(w0))[:, None], (reps, 1))[:k_members]
            rest = [np.tile(v, (reps, 1))[:k_members] for v in v0[1:]]
            c = np.concatenate([first / np.sqrt(reps)] + rest, axis=1)
            c = c + 1e-3 * np.sqrt(scale) * (rng.normal(size=c.shape) + 1j * rng.normal(size=c.shape))
        else:
            c = np.sqrt(np.sqrt(scale)) * (rng.normal(size=(k_members, width))
                                           + 1j * rng.normal(size=(k_members, width))) / 2
        p = np.concatenate([c.ravel().real, c.ravel().imag])
        r, psi, vecs = residual(p)
        norm = float(np.linalg.norm(r))
        for _ in range(iterations):
            if norm < 1e-13 or (deadline is not None and time.monotonic() >= deadline):
                break
            jac = jacobian(psi, vecs)
            step = np.linalg.lstsq(jac, -r, rcond=None)[0]
            factor = 1.0
            while factor > 1e-6:
                r_new, psi_new, vecs_new = residual(p + factor * step)
                n_new = float(np.linalg.norm(r_new))
                if n_new < norm:
                    break
                factor /= 2
            else:
                break
            p, r, psi, vecs, norm = p + factor * step, r_new, psi_new, vecs_new, n_new
        vecs = unpack(p)
        norms = [np.linalg.norm(v, axis=1) for v in vecs]
        weights = np.prod(norms, axis=0) ** 2
        keep = weights > 1e-300
        vectors = [v[keep] / nv[keep, None] for v, nv in zip(vecs, norms)]
        res = float(np.linalg.norm(mix(weights[keep], vectors) - t))
        if res < best[0]:
            best = (res, (weights[keep], vectors))
        if res <= TOL_RESIDUAL:
            break
    res, (weights, vectors) = best
    return weights, vectors, res


def best_separable_approximation(rho, dims, margin: float = 0.0
                                 ) -> tuple[float, NDArray[np.complex128] | None, str]:
    r"""PPT relaxation :math:`\max\{\mathrm{tr}X: 0\preceq X\preceq\rho,
    X^\Gamma\succeq \mathrm{margin}\cdot\mathbb 1\}`.

    With ``margin = 0`` exact (the best separable approximation) in 2x2 and 2x3 (Horodecki
    1996); a small positive ``margin`` keeps :math:`X` strictly inside the PPT set, so that the
    solver's own error cannot make it NPT (its value is then a lower bound only).

    Parameters
    ----------
    rho : ndarray, shape (D, D)
    dims : (int, int)
    margin : float
        Lower bound on the eigenvalues of :math:`X^\Gamma` (>= 0).

    Raises
    ------
    InputError
        ``dims`` not two integers >= 2 matching ``rho``'s size, NaN/inf entries, ``margin``
        outside [0, 1].

    Returns
    -------
    value : float
        The optimum, clipped to [0, 1] (NaN when the solver failed).
    x : ndarray, shape (D, D), or None
        The optimal :math:`X`.
    status : str
        ``"optimal"`` / ``"optimal_inaccurate"`` (Clarabel's ``Solved`` / ``AlmostSolved``), or
        the solver's status or error.

    Notes
    -----
    Solved by Clarabel directly (:func:`qkdbounds.separability._engine._ppt_relaxation`, the
    program of :func:`~qkdbounds.separability.ppt_outer_weight`); the same problem in cvxpy is
    the tests' second route.
    """
    from ..errors import check_int, check_real
    from ._engine import _ppt_relaxation

    try:
        rho = np.asarray(rho, dtype=np.complex128)
        dims = tuple(check_int("dims", d, 2) for d in dims)
    except TypeError:
        raise InputError(f"dims must be two integers >= 2, got {dims!r}") from None
    if len(dims) != 2 or rho.shape != (dims[0] * dims[1],) * 2:
        raise InputError(f"rho must be a square matrix of size prod(dims) for two parties, got "
                         f"shape {rho.shape} and dims {list(dims)}")
    if not np.all(np.isfinite(rho)):
        raise InputError("rho must not contain NaN or inf")
    margin = check_real("margin", margin, 0.0, 1.0)
    value, x, status = _ppt_relaxation(rho, dims, [(1,)], margin=margin, want_x=True)
    if status == "optimal":
        return value, x, status
    if "PrimalInfeasible" in status and "Almost" not in status:
        # (a margin beyond what rho allows: infeasible is the answer, as cvxpy would say)
        return float("nan"), None, "infeasible"
    # the direct program stalls, or ends inaccurate (up to ~2e-4 off), on some rank-deficient
    # inputs (no strictly feasible point in the range basis) where cvxpy's own canonicalisation
    # does better: the same problem through cvxpy
    return _bsa_cvxpy(rho, dims, margin)


def _bsa_cvxpy(rho, dims, margin: float) -> tuple[float, NDArray | None, str]:
    """:func:`best_separable_approximation` written in cvxpy (the fallback, and the tests'
    second route)."""
    import cvxpy as cp

    from .._solvers import solve_problem

    dim = rho.shape[0]
    x = cp.Variable((dim, dim), hermitian=True)
    real = bool(np.abs(np.imag(rho)).max() <= 1e-14)
    if real:  # the real part of a feasible X is feasible: real variables lose nothing
        x = cp.Variable((dim, dim), symmetric=True)
        rho = rho.real
    cons = [x >> 0, rho - x >> 0,
            cp.partial_transpose(x, list(dims), 1) - margin * np.eye(dim) >> 0]
    prob = cp.Problem(cp.Maximize(cp.trace(x) if real else cp.real(cp.trace(x))), cons)
    status = solve_problem(prob)
    if status not in ("optimal", "optimal_inaccurate") or x.value is None:
        return float("nan"), None, status
    return float(min(1.0, max(0.0, prob.value))), np.asarray(x.value), str(prob.status)
