r"""The deterministic, effort-monotone search over Eve's attack (issue 21, item 1).

Eve's attack is the quantum box :math:`Q'` (parameters ``z`` as
:func:`qkdbounds.di.attack._eve_from_params`) and, for the one-sided attack, the weights
:math:`w_a = u_a^2` of the boxes :math:`Q'_{\hat x\to a}` (Alice's key device hard-wired to
:math:`a`); the weight :math:`t` of :math:`Q'` is then the smallest with
:math:`p - tQ' - \sum_a w_aQ'_{\hat x\to a}` in the local cone.  :class:`AttackSearch` evaluates
candidates in batches (:mod:`._cc_batch`) and keeps, for each reported bound separately (two-way,
one-way direct, one-way reverse), the best *verified* candidate seen.  A value is always the value
of an explicit attack: :math:`t` from the complete facet list (binary boxes with two settings on one
side: exact) or from an LP (HiGHS) -- a lower estimate from collected Bell functionals only steers
the search and is never recorded -- and Eve's processing :math:`\gamma` with its exact value.

**Which candidates count for which bound.**  The one-way bounds are valued on every candidate.
Eve's processing -- the two-way bound, most of the cost of a candidate -- is valued on the
structured candidates, the random starts and the candidates of the Nelder-Mead runs on the two-way
objective, not on those of the runs on the one-way objective (their decisions need only the
one-way values); with the complete facet list that halves the rows of the processing per batch and
skips it in the batches of one-way runs alone.

**Monotone in effort.**  The candidate sequence does not depend on ``maxfev`` or ``n_starts``:
a Nelder-Mead run (:func:`nelder_mead_lockstep`) with budget :math:`m` evaluates a prefix of the
candidates of the same run with budget :math:`M > m` (its decisions depend only on its own
values), the runs start from points that do not depend on the budget (the structured
candidates), and the random starts come from the caller's generator after them in a fixed order.  Hence a run with more effort evaluates a superset of the
candidates of a run with less, and every best-seen bound can only go down.  In LP mode each run
has its own warm-started HiGHS model, so its values do not depend on the other runs (nor on when
they stop).  The reported attacks are rebuilt by an LP from scratch and kept only when they
reproduce their record to ``REBUILD_TOL`` (1e-9 bits), so the reported bounds, too, only go down
up to that tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._cc_batch import (chsh_functionals, key_conditional_entropies, min_processing, min_weight_of, one_way_batch,
                        positivity_functionals, qubit_boxes)

#: Value of a candidate that admits no decomposition (bits; above any rate).
INFEASIBLE = 1e3
OBJECTIVES = ("two", "one", "rev")
#: Largest violation of the decomposition accepted from an LP solve.
RESIDUAL_TOL = 1e-9


@dataclass
class Record:
    """A verified candidate: its bounds, parameters, quantum weight, one-sided weights and gamma."""

    values: dict
    z: NDArray
    t: float
    w: NDArray
    gamma: NDArray


class ConeLP:
    r"""The LP :math:`\min c^\top x` s.t. :math:`D\mu + \sum_k x_k C_k = r`, :math:`\mu, x \ge 0`
    with a fixed local-model matrix :math:`D` and changing columns :math:`C_k` and right-hand side
    :math:`r`, kept as one warm-started HiGHS model (``highspy``, a dependency of cvxpy; ~10x less
    overhead per solve than rebuilding it for every candidate).

    :meth:`solve` returns ``(x, y)`` -- the weights of the columns and the row duals (the Bell
    functional with :math:`D^\top y \le 0`, :math:`y\cdot r` = the optimum) -- or None if
    infeasible.
    """

    def __init__(self, d, costs: NDArray):
        from highspy import HighsModelStatus, kHighsInf

        from .._solvers import csc_arrays
        from ._highs import quiet_highs

        self.m, self.n = d.shape
        self.costs = np.asarray(costs, dtype=float)
        self.k = self.costs.size
        self.d = d
        h = quiet_highs()
        for option, value in (("primal_feasibility_tolerance", 1e-10), ("dual_feasibility_tolerance", 1e-10)):
            h.setOptionValue(option, value)
        n_col = self.n + self.k
        h.addVars(n_col, np.zeros(n_col), np.full(n_col, kHighsInf))
        h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32), np.concatenate([np.zeros(self.n), self.costs]))
        indptr, indices, data, _ = csc_arrays(d.T)     # the rows of D
        h.addRows(self.m, np.zeros(self.m), np.zeros(self.m), int(indptr[-1]), indptr[:-1], indices, data)
        self.h, self._optimal = h, HighsModelStatus.kOptimal

    def solve(self, columns: NDArray, rhs: NDArray):
        """Weights ``x`` of ``columns`` (k, m) and duals ``y`` at the optimum, or None."""
        h = self.h
        for c in range(self.k):
            col = self.n + c
            for i, v in enumerate(columns[c]):
                h.changeCoeff(i, col, float(v))
        idx = np.arange(self.m, dtype=np.int32)
        h.changeRowsBounds(self.m, idx, rhs, rhs)
        columns = np.asarray(columns, dtype=float)
        for attempt in range(2):  # a warm start that ends off the constraints: solve from scratch
            if attempt:
                h.clearSolver()
            h.run()
            if h.getModelStatus() != self._optimal:
                continue
            sol = h.getSolution()
            values = np.clip(np.array(sol.col_value), 0.0, None)
            mu, x = values[:self.n], values[self.n:]
            if np.abs(self.d @ mu + columns.T @ x - rhs).max() <= RESIDUAL_TOL:
                self.mu = mu  # the local weights of the last solve
                return x, np.array(sol.row_dual)
        return None


class AttackSearch:
    """Batched evaluation and best-seen bookkeeping for :func:`qkdbounds.di.attack.di_cc_attack`.

    Parameters
    ----------
    p : ndarray, shape (n_x, n_y, n_a, n_b)
    key : (int, int)
    binning : str
        Eve's binning (reproduces the box's outcome counts).
    leakage, model
        Paper 1's leakage.
    outcomes : (int, int), optional
        The box's outcome counts when they exceed the family's
        (:func:`qkdbounds.di.attack.family_outcomes`): Eve's boxes are padded with zeros.
    """

    def __init__(self, p: NDArray, key, binning: str, leakage: float, model: str,
                 outcomes: tuple[int, int] | None = None):
        self.p, self.key, self.binning = p, tuple(key), binning
        self.n_x, self.n_y, self.n_a, self.n_b = p.shape
        self.dim = 1 + self.n_x + self.n_y + 2
        self.leakage = leakage
        self.leak_q = leakage if model == "uniform" else 0.0
        self.p_key = p[key]
        self.outcomes = outcomes
        self.key_entropies = key_conditional_entropies(self.p_key)
        self.p_flat = p.ravel()
        facets = chsh_functionals(p.shape)
        self.exact = facets is not None
        self.functionals = facets if self.exact else positivity_functionals(p.size)
        self.best: dict[str, Record | None] = dict.fromkeys(OBJECTIVES)
        #: per bound, the records that were the best before the current one, oldest first (the
        #: final rebuild falls back to them when HiGHS calls the best one infeasible)
        self.superseded: dict[str, list[Record]] = {o: [] for o in OBJECTIVES}
        self.n_eval = self.n_lp = 0
        self._cones: dict = {}
        self._cone_one_sided = None
        self._g_box = None   # (functionals, functionals . box): cached while the list is unchanged

    # ------------------------------------------------------------------ evaluation
    def one_sided_mass(self, q: NDArray, w: NDArray) -> NDArray:
        r""":math:`\sum_a w_a Q'_{\hat x\to a}` per candidate, shape of ``q`` (K, n_x, n_y, n_a, n_b)."""
        s = w.sum(axis=1)[:, None, None, None, None] * q
        x = self.key[0]
        bob = q[:, x].sum(axis=2)                                   # (K, n_y, n_b)
        s[:, x] = w[:, None, :, None] * bob[:, :, None, :]
        return s

    def _lp(self, q: NDArray, r: NDArray, model=None) -> tuple[float, NDArray | None]:
        """Exact smallest weight of ``q`` completing ``r`` to the local cone (HiGHS), and the dual.

        ``model``: which warm-started HiGHS model solves it (one per Nelder-Mead run: a warm
        start's result depends on the previous solve, so runs sharing a model would make a
        run's values depend on the other runs' -- and on when they stop, i.e. on the budget)."""
        if model not in self._cones:
            from .locality import local_model_matrix

            self._cones[model] = ConeLP(local_model_matrix(self.p.shape)[0], np.array([1.0]))
        self.n_lp += 1
        out = self._cones[model].solve(q[None, :], r)
        if out is None:
            return np.inf, None
        return float(out[0][0]), out[1]

    def values_at(self, q_key: NDArray, bob_key: NDArray, t: NDArray, w: NDArray,
                  processing: NDArray | None = None) -> dict:
        """Bounds of attacks with quantum key tables ``q_key`` (K, n_a, n_b), Bob's key marginal of
        Q' ``bob_key`` (K, n_b), quantum weights ``t`` (K,) and one-sided weights ``w`` (K, n_a).

        ``processing`` (bool, (K,); default every row): the rows whose two-way bound is valued (Eve's
        processing, the costly part); the others get ``two`` = inf (never recorded for that bound).
        """
        ok = np.isfinite(t)
        proc = ok if processing is None else ok & processing
        tt = np.where(ok, t, 0.0)[:, None, None]
        question = (1 - self.leak_q) * tt * q_key
        alice_known = (1 - self.leakage) * w[:, :, None] * bob_key[:, None, :]
        known = np.clip(self.p_key[None] - question - alice_known, 0.0, None)
        if proc.all():
            two, gamma, plain = min_processing(question, known)
        else:  # Eve's processing only where the candidate is an attack (row by row: the same numbers)
            two, plain, gamma = np.full(len(t), np.inf), np.full(len(t), np.nan), np.zeros_like(question)
            if proc.any():
                two[proc], gamma[proc], plain[proc] = min_processing(question[proc], known[proc])
        direct, reverse = one_way_batch(question, self.p_key, alice_known if w.any() else None, self.key_entropies)
        return {"two": np.where(ok, two, INFEASIBLE), "one": np.where(ok, direct, INFEASIBLE),
                "rev": np.where(ok, reverse, INFEASIBLE), "plain": plain, "gamma": gamma}

    def evaluate(self, z: NDArray, objective: str | None = None, processing: NDArray | None = None,
                 model=None) -> dict:
        """Evaluate a batch of candidates (K, dim) or (K, dim + n_a); record the verified ones.

        With the complete facet list every value is exact.  Otherwise every candidate is valued
        with a lower estimate of :math:`t`; the best one for ``objective`` (every candidate when
        ``objective`` is None) is verified by an LP, its dual added to the functionals, and only
        verified values are recorded.  ``processing`` (complete facet list only; default every
        row): the rows whose two-way bound is valued (:meth:`values_at`).  ``model``: the HiGHS
        model of the LPs (:meth:`_lp`).
        """
        z = np.atleast_2d(np.asarray(z, dtype=float))
        k = len(z)
        self.n_eval += k
        q = qubit_boxes(z[:, :self.dim], self.n_x, self.n_y, self.binning, self.outcomes)
        w = z[:, self.dim:] ** 2 if z.shape[1] > self.dim else np.zeros((k, self.n_a))
        x, y = self.key
        q_flat = q.reshape(k, -1)
        if self._g_box is None or self._g_box[0] is not self.functionals:
            self._g_box = (self.functionals, self.p_flat @ self.functionals.T)
        g = self._g_box[1]
        one_sided = w.any(axis=1)
        if one_sided.any():
            # rows with w = 0 (two-sided candidates padded into a one-sided batch) keep the
            # functionals' values on the box itself, exactly as in a two-sided batch
            r = (self.p[None] - self.one_sided_mass(q, w)).reshape(k, -1)
            g = np.broadcast_to(g, (k, g.size)).copy()
            g[one_sided] = r[one_sided] @ self.functionals.T
        else:
            r = self.p_flat
        t = min_weight_of(g, q_flat @ self.functionals.T)
        q_key = q[:, x, y]
        bob_key = np.add.reduce(q_key, axis=1)
        if not self.exact and objective is None:  # every candidate by LP: value once, after
            for i in range(k):
                t[i], dual = self._lp(q_flat[i], r[i] if r.ndim == 2 else r, model)
            vals = self.values_at(q_key, bob_key, t, w)
            vals["t"], vals["verified"] = t, np.ones(k, dtype=bool)
            self._record(vals, z[:, :self.dim], t, w, vals["verified"])
            return vals
        vals = self.values_at(q_key, bob_key, t, w, processing if self.exact else None)
        verified = np.full(k, self.exact)
        if not self.exact:
            idx = range(k) if objective is None else {int(np.argmin(vals[objective]))}
            for i in idx:
                ri = r[i] if r.ndim == 2 else r
                t_lp, dual = self._lp(q_flat[i], ri, model)
                if dual is not None and t_lp > t[i] + 1e-12:
                    self.functionals = np.vstack([self.functionals, dual[None, :]])
                t[i] = t_lp
                one = self.values_at(q_key[i:i + 1], bob_key[i:i + 1], t[i:i + 1], w[i:i + 1])
                for key_ in one:
                    vals[key_][i] = one[key_][0]
                verified[i] = True
        vals["t"], vals["verified"] = t, verified
        self._record(vals, z[:, :self.dim], t, w, verified)
        return vals

    def _record(self, vals: dict, z: NDArray, t: NDArray, w: NDArray, verified: NDArray) -> None:
        """Keep the best verified candidate of a batch for each bound."""
        for o in OBJECTIVES:
            cand = np.where(verified, vals[o], np.inf)
            i = int(np.argmin(cand))
            if cand[i] < INFEASIBLE and (self.best[o] is None or cand[i] < self.best[o].values[o]):
                if self.best[o] is not None:
                    self.superseded[o].append(self.best[o])
                self.best[o] = Record({key_: float(vals[key_][i]) for key_ in OBJECTIVES}, z[i].copy(),
                                      float(t[i]), w[i].copy(), vals["gamma"][i].copy())

    def one_sided_lp(self, z: NDArray) -> dict | None:
        """Value box ``z`` as the one-sided attack whose weights come from the LP minimising
        :math:`t + 10^{-3}\\sum_a w_a` (as :func:`~qkdbounds.di.locality.decompose_with_boxes`), and record it."""
        from .attack import _ONE_SIDED_COST, _one_sided_columns

        z = np.asarray(z, dtype=float)
        self.n_eval += 1
        self.n_lp += 1
        q = qubit_boxes(z[None, :self.dim], self.n_x, self.n_y, self.binning, self.outcomes)
        cols = [q[0]] + _one_sided_columns(q[0], self.key[0])
        if self._cone_one_sided is None:
            from .locality import local_model_matrix

            self._cone_one_sided = ConeLP(local_model_matrix(self.p.shape)[0],
                                          np.array([1.0] + [_ONE_SIDED_COST] * (len(cols) - 1)))
        out = self._cone_one_sided.solve(np.array([c.ravel() for c in cols]), self.p_flat)
        if out is None:
            return None
        weights = np.clip(out[0], 0.0, None)
        x, y = self.key
        t, w = weights[:1], weights[None, 1:]
        vals = self.values_at(q[:, x, y], q[:, x, y].sum(axis=1), t, w)
        self._record(vals, z[None, :self.dim], t, w, np.ones(1, dtype=bool))
        return {o: float(vals[o][0]) for o in OBJECTIVES}

#: Nelder-Mead coefficients (reflection, expansion, contraction, shrink; Nelder & Mead,
#: Comput. J. 7, 308 (1965)) and the initial simplex step.
NM_COEFFS = (1.0, 2.0, 0.5, 0.5)
NM_STEP = 0.05
#: A Nelder-Mead run stops when its simplex is smaller than this (in every coordinate).
NM_XTOL = 1e-9


def _nm_coefficients(n: int, adaptive: bool) -> tuple[float, float, float, float]:
    """Reflection, expansion, contraction and shrink coefficients: the classical ones
    (:data:`NM_COEFFS`) or, ``adaptive``, those adapted to the dimension ``n`` (Gao & Han,
    Comput. Optim. Appl. 51, 259 (2012))."""
    if adaptive:
        return 1.0, 1 + 2 / n, 0.75 - 1 / (2 * n), 1 - 1 / n
    return NM_COEFFS


class NMRun(NamedTuple):
    """One Nelder-Mead run of :func:`nelder_mead_lockstep`.

    Attributes
    ----------
    start : ndarray
        First vertex (search parameters).
    objective : {"two", "one", "rev"}
        The bound whose value steers the run.
    mode : {"batch", "lp", "one-sided-lp"}
        How candidates are valued (:func:`nelder_mead_lockstep`).
    adaptive : bool
        The coefficients adapted to the dimension (:func:`_nm_coefficients`).
    fixed : tuple of int
        Coordinates held at the start's values: the simplex spans the others only (every vertex,
        and so every reflection, contraction and shrink, keeps them).
    budget_factor : int
        The run's budget is this many times the common one (fixed per run, so a run with a
        smaller common budget still evaluates a prefix).
    restart : int
        Every ``restart`` evaluations (0: never) the simplex is rebuilt around its best vertex with
        the initial step, so a collapsed simplex keeps descending (a restarted Nelder-Mead; Kelley,
        *Iterative Methods for Optimization*, SIAM (1999), Sec. 8.1.3).
    """

    start: NDArray
    objective: str
    mode: str
    adaptive: bool = False
    fixed: tuple = ()
    restart: int = 0
    budget_factor: int = 1


def nelder_mead_lockstep(search: AttackSearch, runs: list, budget: int, progress=None) -> None:
    r"""Nelder-Mead runs (:class:`NMRun`, or tuples of its fields) in lockstep.

    ``mode`` is ``"batch"`` (candidates valued by :meth:`AttackSearch.evaluate`: with the complete
    facet list each iteration's reflection, expansion and both contractions are evaluated at once,
    one batch for all such runs -- rows of different widths padded with one-sided weights 0) or
    ``"lp"`` (each candidate valued when the Nelder-Mead decision needs it, by
    :meth:`AttackSearch.evaluate` with an LP each, or by ``search.one_sided_lp`` for starts
    flagged ``"one-sided-lp"``).  The decisions are those of the classical method (Nelder & Mead,
    Comput. J. 7, 308 (1965)), with the run's coefficients, fixed coordinates and restarts
    (:class:`NMRun`); the budget counts the evaluations a sequential run would spend.  Every
    candidate is recorded, so the best one seen is kept per bound (for the two-way bound: the
    candidates of the runs on that objective, see the module docstring).  A run's candidates
    depend only on its own values (its restarts come at fixed counts of its own evaluations), and
    a run with budget :math:`m` evaluates a prefix of the candidates it evaluates with
    :math:`M > m`.  ``progress`` (optional): called after every round with the fraction of the
    runs' budget spent (a finished run counts in full).
    """
    state = []
    for index, run in enumerate(runs):
        run = NMRun(*run)
        z0 = np.asarray(run.start, dtype=float)
        free = np.ones(z0.size, dtype=bool)
        free[list(run.fixed)] = False
        offsets = (NM_STEP * np.eye(z0.size))[free]
        simplex = np.vstack([z0, z0 + offsets])
        alpha, gamma_e, rho, sigma = _nm_coefficients(len(offsets), run.adaptive)
        state.append({"simplex": simplex, "f": None, "obj": run.objective, "mode": run.mode, "used": 0,
                      "pending": simplex, "phase": "init", "done": False, "sigma": sigma,
                      "offsets": offsets, "restart": run.restart, "next_restart": run.restart,
                      "index": index,   # (its own HiGHS model in LP mode)
                      "budget": budget * run.budget_factor,
                      # reflection, expansion, outside and inside contraction steps (fixed per run)
                      "steps": np.array([alpha, gamma_e * alpha, rho * alpha, -rho])[:, None]})

    def lazy_value(s, z):
        if s["mode"] == "one-sided-lp":
            v = search.one_sided_lp(z)
        else:
            v = search.evaluate(z[None], None, model=s["index"])
            v = v[s["obj"]][0] if v["verified"][0] else np.inf
            return float(v)
        return float(v[s["obj"]]) if v is not None else np.inf

    while True:
        if progress is not None:
            progress(sum(s["budget"] if s["done"] else min(s["used"], s["budget"]) for s in state)
                     / max(1, sum(s["budget"] for s in state)))
        active = []
        for s in state:
            if s["done"]:
                continue
            if s["used"] >= s["budget"] or (s["phase"] == "iterate" and
                                         (np.maximum.reduce(s["simplex"]) - np.minimum.reduce(s["simplex"])).max() < NM_XTOL):
                s["done"] = True
                continue
            if s["phase"] == "iterate" and s["restart"] and s["used"] >= s["next_restart"]:
                # restart: the initial simplex around the best vertex (its value is known)
                s["next_restart"] += s["restart"]
                i = int(np.argmin(s["f"]))
                best_z, best_f = s["simplex"][i], s["f"][i]
                s["simplex"] = np.vstack([best_z, best_z + s["offsets"]])
                s["f"] = np.concatenate([[best_f], np.full(len(s["offsets"]), np.inf)])
                s["pending"] = s["simplex"][1:]
                s["phase"] = "shrink"      # (valued as the vertices of a shrink)
            elif s["phase"] == "iterate":
                order = np.argsort(s["f"], kind="stable")
                s["simplex"], s["f"] = s["simplex"][order], s["f"][order]
                centroid = np.add.reduce(s["simplex"][:-1]) / (len(s["simplex"]) - 1)   # the mean
                worst = s["simplex"][-1]
                # reflection, expansion, outside and inside contraction in one broadcast (the
                # same floating-point operations as one row each)
                s["pending"] = centroid + s["steps"] * (centroid - worst)
            s["values"] = {}
            active.append(s)
        if not active:
            return
        # speculative batch (complete facet list): every pending point of every run at once; the
        # two-sided points are padded with one-sided weights 0 (the same candidates, valued alike)
        batched = [s for s in active if s["mode"] == "batch" and search.exact]
        if batched:
            width = max(s["pending"].shape[1] for s in batched)
            rows = np.zeros((sum(len(s["pending"]) for s in batched), width))
            start = 0
            for s in batched:
                n, dim = s["pending"].shape
                rows[start:start + n, :dim] = s["pending"]
                start += n
            # Eve's processing (the two-way bound) only on the rows of the two-way runs
            processing = np.zeros(len(rows), dtype=bool)
            start = 0
            for s in batched:
                processing[start:start + len(s["pending"])] = s["obj"] == "two"
                start += len(s["pending"])
            vals = search.evaluate(rows, None, processing)
            values = {o: np.where(vals["verified"], vals[o], np.inf).tolist() for o in {s["obj"] for s in batched}}
            start = 0
            for s in batched:
                n = len(s["pending"])
                s["values"] = dict(enumerate(values[s["obj"]][start:start + n]))
                start += n
        for s in active:
            def value(i, s=s):
                if i not in s["values"]:
                    s["values"][i] = lazy_value(s, s["pending"][i])
                return s["values"][i]

            if s["phase"] in ("init", "shrink"):
                n = len(s["pending"])
                if s["budget"] - s["used"] < n:
                    for i in range(s["budget"] - s["used"]):
                        value(i)
                    s["done"] = True
                    continue
                f = np.array([value(i) for i in range(n)])
                s["used"] += n
                if s["phase"] == "init":
                    s["f"] = f
                else:
                    s["simplex"][1:], s["f"][1:] = s["pending"], f
                s["phase"] = "iterate"
                continue
            fr = value(0)
            s["used"] += 1
            best, second_worst, worst = s["f"][0], s["f"][-2], s["f"][-1]
            new = None
            if best <= fr < second_worst:
                new = (s["pending"][0], fr)
            elif s["used"] >= s["budget"]:
                s["done"] = True
                continue
            elif fr < best:
                fe = value(1)
                s["used"] += 1
                new = (s["pending"][1], fe) if fe < fr else (s["pending"][0], fr)
            elif fr < worst:
                foc = value(2)
                s["used"] += 1
                if foc <= fr:
                    new = (s["pending"][2], foc)
            else:
                fic = value(3)
                s["used"] += 1
                if fic < worst:
                    new = (s["pending"][3], fic)
            if new is not None:
                s["simplex"][-1], s["f"][-1] = new
            else:  # shrink towards the best vertex
                s["pending"] = s["simplex"][0] + s["sigma"] * (s["simplex"][1:] - s["simplex"][0])
                s["phase"] = "shrink"
