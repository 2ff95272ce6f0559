r"""Fast column generation over product states (the engine's ``"column_generation"`` route).

The restricted master problem :math:`\max\{\sum_k w_k : w\ge0,\ \rho-\sum_k w_kP_k\succeq0\}` is
passed to Clarabel directly (no cvxpy compilation: the constraint matrix is the stack of the
members' ``svec`` of their real embeddings :math:`M\mapsto[[\Re M,-\Im M],[\Im M,\Re M]]`), in the
range of :math:`\rho` (a rank-:math:`r` input gives a :math:`2r\times2r` cone).  Its dual
:math:`Y\succeq0` prices product states, :math:`\langle\psi|Y|\psi\rangle<1` raising the weight;
the price is minimised by a see-saw over the parties run on many starts at once (batched
``einsum`` + ``eigh``).  The smallest price found, :math:`p_{\min}`, gives the stopping rule
:math:`q/p_{\min} - q \le` ``gap_tol`` (:math:`Y/p_{\min}` is then dual feasible for every product
state the see-saw can see, so no column can add more).  Everything here is a heuristic inner
method; the engine certifies the final ensemble itself (reassembly, bisection).
"""

from __future__ import annotations

import math
import time

import numpy as np

#: Product states priced per round (see-saw starts, batched).
PRICE_STARTS = 48
#: Rounds run even when the deadline has passed (a first master solution and one pricing).
MIN_ROUNDS = 2
#: Seconds the first MIN_ROUNDS rounds get together at least (loaded machines, small sources).
FIRST_ROUNDS_FLOOR = 5.0
#: Seconds of one Clarabel interior-point iteration of the master at rank 36 (measured at 6x6,
#: 2 cores: 5-7 s; the PSD cone of the real embedding has (2r)(2r+1)/2 entries, so the dense
#: factorisation scales as r**6).  Clarabel checks its time limit between iterations, so the
#: limit it gets is the time left minus one iteration (measured after the first solve).
ITERATION_SECONDS_RANK36 = 7.0
#: Pricing starts taken from the heaviest members (perturbed by WARM_NOISE).
WARM_STARTS = 0
WARM_NOISE = 0.3
#: Members with a weight below PRUNE times the largest are dropped after each master solve.
PRUNE = 1e-7
#: Columns priced below 1 - PRICE_TOL count as improving.
PRICE_TOL = 1e-7


def iteration_estimate(rank: int) -> float:
    """Seconds of one interior-point iteration of the master at ``rank`` before any is measured
    (:data:`ITERATION_SECONDS_RANK36` scaled as r**6)."""
    return ITERATION_SECONDS_RANK36 * (rank / 36) ** 6


def _svec_index(n):
    """Row/column indices of Clarabel's svec (upper triangle, column-major) and the scale."""
    rows, cols = [], []
    for j in range(n):
        for i in range(j + 1):
            rows.append(i)
            cols.append(j)
    rows, cols = np.array(rows), np.array(cols)
    scale = np.where(rows == cols, 1.0, math.sqrt(2.0))
    return rows, cols, scale


def _embed(m):
    """Real embedding of complex (..., D, D) matrices, shape (..., 2D, 2D)."""
    re, im = m.real, m.imag
    top = np.concatenate([re, -im], axis=-1)
    bottom = np.concatenate([im, re], axis=-1)
    return np.concatenate([top, bottom], axis=-2)


class _Master:
    """The restricted master SDP in the range basis ``basis`` (D x r, orthonormal columns)."""

    def __init__(self, rho, basis):
        self.basis = basis
        self.r = basis.shape[1]
        self.rows, self.cols, self.scale = _svec_index(2 * self.r)
        rho_r = basis.conj().T @ rho @ basis
        rho_r = (rho_r + rho_r.conj().T) / 2
        self.b_psd = _embed(rho_r)[self.rows, self.cols] * self.scale

    def columns(self, psi):
        """svec of the real embeddings of |psi_k><psi_k| in the range basis, shape (m, n)."""
        phi = psi @ self.basis.conj()                         # (n, r): coordinates in the range
        outer = np.einsum("ki,kj->kij", phi, phi.conj())
        return (_embed(outer)[:, self.rows, self.cols] * self.scale).T

    def solve(self, cols, time_limit):
        """(weights, Y (D x D, complex, in the full space), status, seconds per iteration) or
        None."""
        from .._solvers import clarabel as _clarabel
        from .._solvers import csc_matrix, run_guarded

        clarabel = _clarabel()
        m, n = cols.shape
        a = csc_matrix(np.vstack([-np.eye(n), cols]))
        b = np.concatenate([np.zeros(n), self.b_psd])
        p = csc_matrix(None, (n, n))
        c = -np.ones(n)
        settings = clarabel.DefaultSettings()
        settings.verbose = False
        settings.time_limit = max(0.05, float(time_limit))
        cones = [clarabel.NonnegativeConeT(n), clarabel.PSDTriangleConeT(2 * self.r)]
        # a failed solve (a raised error or a Rust panic) ends the column generation
        sol, error = run_guarded(lambda: clarabel.DefaultSolver(p, c, a, b, cones, settings).solve())
        if error is not None:
            return None
        status = str(sol.status)
        # an unfinished solve (time or iteration limit) still gives usable weights: the engine
        # certifies whatever it gets (bisection), so only a non-finite point is discarded
        if not np.all(np.isfinite(sol.x)) or not np.all(np.isfinite(sol.z)):
            return None
        w = np.clip(np.asarray(sol.x), 0, None)
        z = np.asarray(sol.z)[n:] / self.scale
        big = np.zeros((2 * self.r, 2 * self.r))
        big[self.rows, self.cols] = z
        big = big + big.T - np.diag(np.diag(big))
        r = self.r
        y_r = (big[:r, :r] + big[r:, r:]) + 1j * (big[r:, :r] - big[:r, r:])
        y_r = (y_r + y_r.conj().T) / 2
        per_iteration = float(sol.solve_time) / max(int(sol.iterations), 1)
        return w, self.basis @ y_r @ self.basis.conj().T, status, per_iteration


def random_products(dims, count, rng):
    """``count`` random product states, per party arrays of shape (count, d_i), unit rows."""
    out = []
    for d in dims:
        v = rng.normal(size=(count, d)) + 1j * rng.normal(size=(count, d))
        out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    return out


def kron_rows(vectors):
    """Rows psi_k = kron_i v_ik, shape (n, D)."""
    out = vectors[0]
    for v in vectors[1:]:   # (broadcasting: the same products as einsum, at half the overhead)
        out = (out[:, :, None] * v[:, None, :]).reshape(out.shape[0], out.shape[1] * v.shape[1])
    return out


def batched_seesaw(y, dims, vectors, sweeps=40, tol=1e-12, kernel=None):
    """Minimise <psi|Y|psi> over product states from many starts at once.

    ``vectors``: per party (S, d_i).  ``kernel`` (D, m), optional: keep psi orthogonal to its
    columns (each party's step is then an eigenproblem on the subspace the others leave
    free; a party with no freedom keeps its vector).  Returns (vectors, values (S,))."""
    n = len(dims)
    yt = y.reshape(tuple(dims) * 2)
    letters = "abcdefghijklmnop"
    ket, bra = letters[:n], letters[n:2 * n]
    vecs = [v.copy() for v in vectors]
    kt = None if kernel is None else kernel.conj().T.reshape((kernel.shape[1],) + tuple(dims))
    values = np.full(vecs[0].shape[0], np.inf)
    for _ in range(sweeps):
        old = values
        for i in range(n):
            ops, subs = [yt], [ket + bra]
            for j in range(n):
                if j != i:
                    ops += [vecs[j].conj(), vecs[j]]
                    subs += ["z" + ket[j], "z" + bra[j]]
            m = np.einsum(",".join(subs) + "->z" + ket[i] + bra[i], *ops, optimize=True)
            m = (m + np.conj(np.swapaxes(m, 1, 2))) / 2
            if kt is not None:
                # forbidden directions u_j = conj(<k_j| contracted with the other parties)
                kops, ksubs = [kt], ["y" + ket]
                for j in range(n):
                    if j != i:
                        kops.append(vecs[j])
                        ksubs.append("z" + ket[j])
                g = np.einsum(",".join(ksubs) + "->zy" + ket[i], *kops, optimize=True)
                u = np.conj(np.swapaxes(g, 1, 2))                   # (S, d_i, m)
                q_, r_ = np.linalg.qr(u)
                full = np.abs(np.diagonal(r_, axis1=1, axis2=2)) > 1e-10 * (
                    1 + np.abs(r_).max(axis=(1, 2), keepdims=False)[:, None])
                q_ = q_ * full[:, None, :]
                proj = np.eye(dims[i]) - q_ @ np.conj(np.swapaxes(q_, 1, 2))
                free = np.einsum("zii->z", proj).real > 0.5
                shift = 10 * (1 + np.abs(m).max(axis=(1, 2)))
                m = proj @ m @ proj + shift[:, None, None] * (np.eye(dims[i]) - proj)
                w, v = np.linalg.eigh(m)
                vecs[i] = np.where(free[:, None], v[:, :, 0], vecs[i])
                values = np.where(free, w[:, 0], values)
                continue
            w, v = np.linalg.eigh(m)
            vecs[i] = v[:, :, 0]
            values = w[:, 0]
        if np.all(np.abs(old - values) <= tol * (1 + np.abs(values))):
            break
    return vecs, values


def _distinct(psi, existing, cap):
    """Indices of rows of ``psi`` (in the given order) not parallel to each other or to
    ``existing`` rows, at most ``cap``."""
    chosen = []
    for k in range(psi.shape[0]):
        v = psi[k]
        if existing.size and np.max(np.abs(existing.conj() @ v)) > 1 - 1e-8:
            continue
        if chosen and np.max(np.abs(psi[chosen].conj() @ v)) > 1 - 1e-8:
            continue
        chosen.append(k)
        if len(chosen) >= cap:
            break
    return chosen


def column_generation(rho, dims, *, rounds, new_per_round, rng, deadline,
                      progress=None, gap_tol=1e-5, init=None, stall=None):
    """Column generation (module docstring).

    ``init``: optional per-party arrays (K, d_i) of product states to start the master with (the
    local ascent's ensemble).  ``stall``: optional ``(rounds, gain)``: stop (``"stalled"``) when
    the master weight rose by less than ``gain`` over the last ``rounds`` rounds.

    Returns ``(weights, vectors, info)``: the last master solution's members with positive
    weight (vectors per party), and ``info`` with ``q_sdp``, ``q_pricing_bound`` (q / p_min of
    the last pricing, a heuristic bound on column generation's reach), ``rounds``,
    ``candidates``, ``stopped`` (``"converged"``, ``"no_column"``, ``"rounds"``, ``"budget"``,
    ``"solver"``, ``"stalled"``)."""
    dim = rho.shape[0]
    mu, eig = np.linalg.eigh(rho)
    range_mask = mu > 1e-12 * mu.max()
    basis, kernel = eig[:, range_mask], eig[:, ~range_mask]
    p_ker = kernel @ kernel.conj().T
    master = _Master(rho, basis)

    def in_range(vecs):
        """Move product states onto product states in the range (see-saw on P_ker); keep the
        ones that get there."""
        if not kernel.size:
            return vecs
        vecs, off = batched_seesaw(p_ker, dims, vecs, sweeps=80, tol=0.0)
        keep = off < 1e-13
        return [v[keep] for v in vecs]

    if kernel.size:
        members = in_range(random_products(dims, 8 * dim, rng))
    else:
        members = random_products(dims, 4 * dim, rng)
    basis_vecs = [np.array([np.eye(d)[a] for a in axes_d], dtype=complex)
                  for d, axes_d in zip(dims, zip(*np.ndindex(*dims)))]
    if kernel.size:
        psi_b = kron_rows(basis_vecs)
        ok = np.linalg.norm(psi_b @ kernel.conj(), axis=1) ** 2 < 1e-13
        basis_vecs = [v[ok] for v in basis_vecs]
    members = [np.concatenate([m, b]) for m, b in zip(members, basis_vecs)]
    if init is not None:
        members = [np.concatenate([np.asarray(v, dtype=complex), m]) for v, m in zip(init, members)]
    psi = kron_rows(members)
    info = {"q_sdp": 0.0, "q_pricing_bound": None, "rounds": 0, "candidates": psi.shape[0],
            "stopped": "no_column"}
    if not psi.shape[0]:  # no product state in the range of rho: no separable part
        return None, None, info
    cols = master.columns(psi)
    info["stopped"] = "rounds"
    best, history = None, []
    iteration = iteration_estimate(master.r)  # until one solve is measured
    first_deadline = max(deadline, time.monotonic() + FIRST_ROUNDS_FLOOR)
    for rnd in range(rounds):
        left = (deadline if rnd >= MIN_ROUNDS else first_deadline) - time.monotonic() - iteration
        if rnd >= MIN_ROUNDS and left <= 0:
            info["stopped"] = "budget"
            break
        solved = master.solve(cols, max(left, 0.0))
        if solved is None:
            info["stopped"] = "budget" if time.monotonic() >= deadline else "solver"
            break
        w, y, status, per_iteration = solved
        iteration = per_iteration
        q_sdp = float(w.sum())
        if "Solved" not in status:  # ran out of time inside the solver
            info["stopped"] = "budget"
            best = best if best is not None and info["q_sdp"] >= q_sdp else (
                w.copy(), [m.copy() for m in members])
            info["q_sdp"] = max(info["q_sdp"], q_sdp)
            info["rounds"] = rnd + 1
            break
        info["rounds"] = rnd + 1
        history.append(q_sdp)
        if q_sdp >= info["q_sdp"] - 1e-9 or best is None:
            info["q_sdp"] = q_sdp
            best = (w.copy(), [m.copy() for m in members])
        if stall is not None and len(history) > stall[0] and (
                q_sdp - history[-1 - stall[0]] < stall[1]):
            info["stopped"] = "stalled"
            break
        if progress is not None:
            progress(rnd + 1, q_sdp)
        # prune members without weight (keeps the master small), then price
        keep = w > PRUNE * max(w.max(initial=0.0), 1e-300)
        if keep.sum() < len(w):
            members = [m[keep] for m in members]
            psi, cols = psi[keep], cols[:, keep]
        constrained = kernel.size and kernel.shape[1] < min(dims)
        if kernel.size and not constrained:  # price inside the range of rho only (penalty)
            y = y + (1e3 * (1 + np.abs(y).max())) * p_ker
        starts = random_products(dims, PRICE_STARTS, rng)
        if constrained:  # start in the range (a few sweeps on P_ker)
            starts, _ = batched_seesaw(p_ker, dims, starts, sweeps=20, tol=0.0)
        if WARM_STARTS:
            # warm starts: the members with the largest weights, perturbed (columns near the
            # active face of the master problem)
            top = np.argsort(-w[keep] if keep.sum() < len(w) else -w)[:WARM_STARTS]
            noise = random_products(dims, len(top), rng)
            warm = [m[top] + WARM_NOISE * z for m, z in zip(members, noise)]
            warm = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in warm]
            starts = [np.concatenate([a, b]) for a, b in zip(starts, warm)]
        vecs, values = batched_seesaw(y, dims, starts, kernel=kernel if constrained else None)
        order = np.argsort(values)
        p_min = float(values[order[0]])
        info["q_pricing_bound"] = (q_sdp / p_min if p_min > 1e-12 else None)
        if p_min >= 1 - PRICE_TOL:
            info["stopped"] = "no_column"
            break
        if p_min > 0 and q_sdp / p_min - q_sdp <= gap_tol:
            info["stopped"] = "converged"
            break
        good = order[values[order] < 1 - PRICE_TOL]
        vecs = [v[good] for v in vecs]
        vecs = in_range(vecs)
        if not vecs[0].shape[0]:
            info["stopped"] = "no_column"
            break
        new_psi = kron_rows(vecs)
        pick = _distinct(new_psi, psi, new_per_round)
        if not pick:
            info["stopped"] = "no_column"
            break
        members = [np.concatenate([m, v[pick]]) for m, v in zip(members, vecs)]
        psi = np.concatenate([psi, new_psi[pick]])
        cols = np.concatenate([cols, master.columns(new_psi[pick])], axis=1)
        info["candidates"] += len(pick)
    if best is None:
        return None, None, info
    w, mem = best
    return w, mem, info
