r"""Paper 1's CC attacks with leakage for any source (issue 13, item 3).

For a user state :math:`\rho` of N parties (local dimensions :math:`d_i`), Eve uses a certified
decomposition :math:`\rho = q\sigma + (1-q)\tau` with :math:`\sigma` an explicit product ensemble
:math:`\{w_k, \otimes_i|v^{(i)}_k\rangle\}`, flags the product rounds, and mixes leaked product
rounds into "?" (paper 1, Eq. 12).  Decompositions:

* isotropic GHZ sources, also when rotated by local unitaries :math:`\otimes_i U_i` (recognised
  from the spectrum and a Jennrich tensor decomposition of the top eigenvector, then checked by
  reassembly to ``ATOL_ROTATED_GHZ``): exactly paper 1's Eqs. (8)-(9), rotated; the optimal
  separable weight is invariant under local unitaries, so this is the best decomposition there;
* otherwise the separability engine :func:`qkdbounds.separability.certified_separable_weight`;
* for the extended attack (and on request, ``trivial=True``) also the trivial decomposition
  :math:`q = 0`, :math:`\tau = \rho` (no attack: Eve learns only leaked outcomes).  Per setting
  Eve keeps the decomposition with the lower value, so the bound is never above the no-attack
  bound :math:`(1-L_u)TC/(N-1)` of the observed statistics; the certificate names the
  decomposition that won.  Paper 1's attack alone (the default for ``attack="paper"``, equal to
  the isotropic route) can lie above that bound; the status then says so.

For the honest measurements :math:`x` (POVMs :math:`E^{(i)}`, projective by default) the "?"
class is

.. math:: c = (1-q)(1-L_u)\,p_\tau, \qquad s = q\,L\,p_\sigma

(:math:`L_u = L` uniform, 0 junk; Eqs. 11, 20) and the bound is
:math:`\max_x \min_\gamma p(?)\,TC(A|?)/(N-1)` (Eqs. 14, 29) with Eve's :math:`\gamma` from
:func:`qkdbounds.attacks.eve.minimize_gamma`.  The *extended* attack
(:mod:`qkdbounds.attacks.extended`) lets Eve also move leaked entangled rounds (uniform model)
and forget the flags of non-leaked product rounds, member by member with their distributions
:math:`F_k = q(1-L)w_k p_k` (members with equal distributions grouped); it starts from the paper
optimum, so it is never above the paper attack on the same settings.  For N >= 3 the
conference-key cut bound :math:`\max_x\min_S\min_\text{Eve} p(?)I(A_S:A_{S^c}|?)` is beside it.

Measurements (the *outer* maximisation: the honest parties choose them, Eve minimises):
computational bases (``"Z"``/``"auto"``); given unitaries or POVMs; or ``"search"``: Z plus
``n_search`` seeded Haar-random local settings (every party free: a general source has no
:math:`U\otimes U^*` symmetry), then a seeded multistart local maximisation (L-BFGS-B with
finite differences) over local unitaries :math:`U_i\exp(iH_i)`, :math:`H_i` Hermitian with zero
diagonal (diagonal generators only rephase the measurement vectors), from the ``n_local`` best
settings, on the paper attack's value (Eve's inner minimisation from its structured starts).
Every setting found is then evaluated with the chosen attack and Eve's full multistart.  This
is a heuristic for the outer maximum (a lower estimate of it), not a certified global maximum,
and ``method`` says so; each reported number is the bound for the reported setting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_choice, check_int, check_probability
from ..measurements.povm import POVM, check_povm, member_distributions, povm_distribution, \
    povm_from_unitary
from ..states.sources import Source

__all__ = ["SourceRateBound", "source_rate_upper_bound", "N_SOURCE_SEARCH", "N_LOCAL_STARTS",
           "SOURCE_ATTACKS", "ATOL_ROTATED_GHZ"]

#: Haar-random local settings of the seeded measurement search (besides Z).
N_SOURCE_SEARCH = 24
#: Local maximisations of the search (started from the best Z/random settings).
N_LOCAL_STARTS = 4
#: L-BFGS-B iterations per local maximisation.
LOCAL_MAXITER = 60
#: Finite-difference step of the local maximisation (radians of the generators).
LOCAL_FD_STEP = 1e-6
#: Attacks on any source.
SOURCE_ATTACKS = ("paper", "extended")
#: Reassembly tolerance (max entry) of a recognised locally rotated isotropic GHZ state.
ATOL_ROTATED_GHZ = 1e-9
#: Unitarity tolerance of given measurement unitaries.
ATOL_UNITARY = 1e-9
#: A certified separable weight below the outer bound by more than this is flagged in status.
GAP_NOTE = 1e-6


@dataclass(frozen=True)
class SourceRateBound:
    """Result of :func:`source_rate_upper_bound` (bits; see the module docstring).

    Attributes
    ----------
    value : float
        :math:`\\max_x\\min_\\text{Eve} p(?)TC(A|?)/(N-1)` for the chosen attack (bits).
    cut_bound : float or None
        Conference-key cut bound (bits), N >= 3 (or when asked).
    separable_weight, separable_weight_outer : float, float or None
        Certified :math:`q` of the reported decomposition (``certificate["ensemble"]``, the one
        the rate used, or when the trivial attack won, the best certified separable one) and an
        outer bound on the best :math:`q` (None when not computed).
    ensemble_size : int
        Members of Eve's product ensemble.
    tau_min_eigenvalue : float
        Smallest eigenvalue of :math:`\\tau` (>= -tolerance: :math:`\\tau` is a state).
    measurements : list of str
        Labels of the maximising setting (``"Z"``, ``"U"``, or the POVM label).
    certificate : dict
        ``measurement_unitaries`` (None for POVMs), ``measurement_povm_elements``,
        ``decomposition``, ``attack`` (Eve's parameters at the maximising setting).
    method, status : str
        ``status`` is ``"ok"``, or ``"ok: separable weight not certified optimal (q=...,
        outer=...); ..."`` when the best certified weight is below the outer bound by more
        than ``GAP_NOTE`` (the bound may be loose).
    attack : {"paper", "extended"}
    paper_value : float
        The paper attack's value on the same settings (``== value`` for ``attack="paper"``).
    """

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
    attack: str = "paper"
    paper_value: float | None = None
    ensemble_residual: float = 0.0

    def save_ensemble(self, path) -> dict:
        """Write the decomposition this bound used (the same ``.npz`` layout as
        :func:`qkdbounds.separability.save_ensemble`, readable by ``load_ensemble``) and return
        a summary."""
        ens = self.certificate["ensemble"]
        arrays = {f"vectors_{i}": np.asarray(v) for i, v in enumerate(ens["vectors"])}
        outer = self.separable_weight_outer
        np.savez(path, weights=np.asarray(ens["weights"], dtype=float), dims=np.asarray(ens["dims"], dtype=int),
                 q=float(self.separable_weight), q_outer=float("nan") if outer is None else float(outer),
                 residual=float(self.ensemble_residual), tau_min_eigenvalue=float(self.tau_min_eigenvalue),
                 method=np.array(self.certificate["decomposition"]), reason=np.array(self.certificate["decomposition"]),
                 **arrays)
        return {"path": str(path), "separable_weight": self.separable_weight,
                "separable_weight_outer": outer, "ensemble_size": self.ensemble_size,
                "ensemble_residual": self.ensemble_residual, "method": self.certificate["decomposition"]}


@dataclass(frozen=True)
class _Decomposition:
    q: float
    weights: NDArray[np.float64]
    vectors: list
    tau: NDArray[np.complex128]
    outer: float | None
    tau_low: float
    how: str


@dataclass(frozen=True)
class _Setting:
    povms: list
    unitaries: list  # per party a unitary, or None for a POVM

    @property
    def labels(self) -> list[str]:
        out = []
        for p, u in zip(self.povms, self.unitaries):
            if u is None:
                out.append(p.label)
            else:
                out.append("Z" if np.allclose(u, np.eye(len(u)), atol=1e-12) else "U")
        return out


def _kron(mats) -> NDArray:
    big = np.ones((1, 1), dtype=complex)
    for m in mats:
        big = np.kron(big, m)
    return big


def _ghz_visibility(rho: NDArray, dims) -> float | None:
    from ..states.isotropic import isotropic_ghz_visibility

    if len(set(dims)) != 1:
        return None
    v = isotropic_ghz_visibility(rho, dims[0], len(dims))
    return v if v is not None and 0 <= v <= 1 else None


def _product_factors(tensor: NDArray) -> list[NDArray] | None:
    """Unit factors of a product tensor (rank-one in every unfolding), or None."""
    factors = []
    for ax in range(tensor.ndim):
        mat = np.moveaxis(tensor, ax, 0).reshape(tensor.shape[ax], -1)
        u, s, _ = np.linalg.svd(mat, full_matrices=False)
        if s[0] <= 0 or (len(s) > 1 and s[1] > 1e-7 * s[0]):
            return None
        factors.append(u[:, 0])
    return factors


def _ghz_frame(psi: NDArray, d: int, n: int, rng: np.random.Generator) -> list[NDArray] | None:
    r"""Unitaries :math:`U_i` with :math:`\psi = \otimes_i U_i|\phi_{d,N}\rangle`, or None.

    N = 2: :math:`\psi = \sum M_{jk}|jk\rangle` is :math:`(U_1\otimes U_2)|\phi\rangle` iff
    :math:`\sqrt d M` is unitary (take :math:`U_1 = 1`, :math:`U_2 = \sqrt d M^T`).  N >= 3: the
    GHZ tensor is :math:`d^{-1/2}\sum_k\otimes_i u^{(i)}_k`; party 1's vectors are the
    eigenvectors of :math:`M_xM_y^{-1}` for two random contractions of the other parties
    (Jennrich's algorithm, R. Harshman, UCLA Working Papers in Phonetics 16 (1970)), and the
    others follow from the product states :math:`\langle u^{(1)}_k|\psi`.
    """
    t = psi.reshape((d,) * n)
    if n == 2:
        m = np.sqrt(d) * t
        if not np.allclose(m.conj().T @ m, np.eye(d), atol=1e-8):
            return None
        return [np.eye(d, dtype=complex), m.T.copy()]
    mat = t.reshape(d, d, -1)
    x = rng.standard_normal(mat.shape[2]) + 1j * rng.standard_normal(mat.shape[2])
    y = rng.standard_normal(mat.shape[2]) + 1j * rng.standard_normal(mat.shape[2])
    m_x, m_y = mat @ x, mat @ y
    if np.linalg.cond(m_y) > 1e8:
        return None
    _, vecs = np.linalg.eig(m_x @ np.linalg.inv(m_y))
    vecs = vecs / np.linalg.norm(vecs, axis=0)
    us = [np.zeros((d, d), dtype=complex) for _ in range(n)]
    for k in range(d):
        a = vecs[:, k]
        rest = np.tensordot(a.conj(), t, axes=(0, 0))
        norm = np.linalg.norm(rest)
        if norm < 1e-8:
            return None
        factors = _product_factors(rest / norm)
        if factors is None:
            return None
        # put the amplitude of this term (GHZ weight 1/sqrt d and its phase) on party 1's vector
        amp = np.vdot(_kron([f[:, None] for f in factors]).ravel(), rest.ravel())
        us[0][:, k] = a * amp * np.sqrt(d)
        for i, f in enumerate(factors, start=1):
            us[i][:, k] = f
    if not all(np.allclose(u.conj().T @ u, np.eye(d), atol=1e-8) for u in us):
        return None
    return us


def _rotated_isotropic_ghz(rho: NDArray, dims, rng) -> tuple[float, list[NDArray]] | None:
    """``(v, [U_i])`` if ``rho`` is a locally rotated isotropic GHZ state (to ATOL_ROTATED_GHZ)."""
    from ..states import ghz_vector

    if len(set(dims)) != 1:
        return None
    d, n = dims[0], len(dims)
    big = rho.shape[0]
    evals, evecs = np.linalg.eigh(rho)
    rest = evals[:-1]
    if rest.max() - rest.min() > ATOL_ROTATED_GHZ:
        return None
    v = float(evals[-1] - rest.mean())
    if not 1e-6 < v <= 1 + ATOL_ROTATED_GHZ:
        return None
    v = min(v, 1.0)
    us = _ghz_frame(evecs[:, -1], d, n, rng)
    if us is None:
        return None
    psi = _kron(us) @ ghz_vector(d, n)
    model = v * np.outer(psi, psi.conj()) + (1 - v) * np.eye(big) / big
    if np.abs(model - rho).max() > ATOL_ROTATED_GHZ:
        return None
    return v, us


def _ppt_outer(source: Source) -> float | None:
    """PPT outer bound on the separable weight (as the engine's, for the same inputs), or None
    beyond the engine's size."""
    from ..separability import ppt_outer_weight
    from ..separability._engine import MAX_ENGINE_DIM

    if source.matrix.shape[0] > MAX_ENGINE_DIM:
        return None
    return ppt_outer_weight(source)


def _trivial_decomposition(source: Source) -> _Decomposition:
    """Eve's trivial attack: q = 0, tau = rho, an empty ensemble (she learns only the leaked
    outcomes); the reported bound is never above this no-attack bound."""
    rho = source.matrix
    return _Decomposition(0.0, np.zeros(0), [np.zeros((0, d), dtype=complex) for d in source.dims],
                          rho.copy(), None, float(np.linalg.eigvalsh(rho).min()),
                          "trivial decomposition (q = 0, tau = rho: no separable part, Eve "
                          "learns only leaked outcomes)")


def _decomposition(source: Source, rng) -> _Decomposition:
    from ..separability import certified_separable_weight
    from ..states import cc_decomposition, ghz_vector, isotropic_ghz

    rho, dims = source.matrix, source.dims
    v = _ghz_visibility(rho, dims)
    rotated = None if v is not None else _rotated_isotropic_ghz(rho, dims, rng)
    if v is not None or rotated is not None:
        d, n = dims[0], len(dims)
        us = [np.eye(d, dtype=complex)] * n if rotated is None else rotated[1]
        v = v if rotated is None else rotated[0]
        dec = cc_decomposition(isotropic_ghz(d, n, v))
        members = list(dec.separable)
        weights = np.array([w for w, _ in members])
        vectors = [np.array([vecs[i] for _, vecs in members]) @ us[i].T for i in range(n)]
        psi = _kron(us) @ ghz_vector(d, n)
        tau = np.outer(psi, psi.conj())
        how = ("isotropic GHZ source: paper 1's Eqs. (8)-(9) decomposition" if rotated is None else
               "locally rotated isotropic GHZ source (recognised, reassembled to "
               f"{ATOL_ROTATED_GHZ:g}): paper 1's Eqs. (8)-(9) decomposition, rotated")
        if n == 2:
            # two parties: the Eq. (9) weight is the isotropic family's optimal separable weight
            # (the closed form of separability.families), so the outer bound equals q
            outer = float(dec.q)
        else:
            outer = _ppt_outer(source)
        return _Decomposition(dec.q, weights, vectors, tau, outer, 0.0, how)
    cert = certified_separable_weight(source, rng=rng)
    q = cert.weight
    sigma = cert.sigma()
    tau = (rho - q * sigma) / (1 - q) if q < 1 else np.zeros_like(rho)
    return _Decomposition(q, cert.ensemble_weights, cert.ensemble_vectors, tau, cert.weight_outer,
                          cert.tau_min_eigenvalue, cert.method)


def _decomposition_residual(rho: NDArray, dec: _Decomposition) -> float:
    """Largest entry of :math:`|\\rho - q\\sigma - (1-q)\\tau|` with :math:`\\sigma` rebuilt from
    the explicit ensemble (the check that Eve's decomposition reproduces the source)."""
    dims = [v.shape[1] for v in dec.vectors]
    sigma = np.zeros((int(np.prod(dims)),) * 2, dtype=complex)
    for k, w in enumerate(dec.weights):
        vec = np.ones(1, dtype=complex)
        for v in dec.vectors:
            vec = np.kron(vec, v[k])
        sigma += w * np.outer(vec, vec.conj())
    return float(np.abs(rho - dec.q * sigma - (1 - dec.q) * dec.tau).max())


def _frame_decomposition(source: Source, unitaries, rng) -> _Decomposition:
    """The engine's decomposition of :math:`U^\\dagger\\rho U` (U the local unitaries of a
    measurement setting), rotated back to the input frame."""
    from ..states.sources import apply_local_unitaries

    frame = apply_local_unitaries(source, [np.asarray(u).conj().T for u in unitaries])
    d = _decomposition(frame, rng)
    big = _kron([np.asarray(u) for u in unitaries])
    vectors = [np.asarray(v) @ np.asarray(u).T for v, u in zip(d.vectors, unitaries)]
    return _Decomposition(d.q, d.weights, vectors, big @ d.tau @ big.conj().T, d.outer, d.tau_low,
                          d.how + " (in the best setting's frame, rotated back)")


def _given_setting(measurements, dims) -> _Setting:
    n = len(dims)
    items = list(measurements)
    if len(items) != n:
        raise InputError(f"measurements must list {n} entries (one unitary or POVM per party), "
                         f"got {len(items)}")
    povms, unitaries = [], []
    for i, (m, d) in enumerate(zip(items, dims)):
        if isinstance(m, POVM):
            if m.dim != d:
                raise InputError(f"measurements[{i}] must act on dimension {d}, got {m.dim}")
            povms.append(m)
            unitaries.append(None)
            continue
        try:
            arr = np.asarray(m, dtype=complex)
        except (TypeError, ValueError):
            raise InputError(f"measurements[{i}] must be a unitary or POVM elements") from None
        if arr.ndim == 3:
            if arr.shape[1:] != (d, d):
                raise InputError(f"measurements[{i}] POVM elements must have shape "
                                 f"(n_outcomes, {d}, {d}), got {arr.shape}")
            povms.append(check_povm(arr, f"measurements[{i}]", f"POVM({arr.shape[0]})"))
            unitaries.append(None)
        elif arr.shape == (d, d):
            if not np.all(np.isfinite(arr)) or not np.allclose(arr.conj().T @ arr, np.eye(d),
                                                               atol=ATOL_UNITARY):
                raise InputError(f"measurements[{i}] must be a {d} x {d} unitary "
                                 f"(U^dagger U = I within {ATOL_UNITARY:g})")
            povms.append(povm_from_unitary(arr))
            unitaries.append(arr)
        else:
            raise InputError(f"measurements must be {n} unitaries of sizes {list(dims)} or POVM "
                             f"element arrays (n_outcomes, d_i, d_i); entry {i} has shape "
                             f"{arr.shape}")
    return _Setting(povms, unitaries)


def _unitary_setting(unitaries) -> _Setting:
    return _Setting([povm_from_unitary(u) for u in unitaries], list(unitaries))


def _haar(d: int, rng) -> NDArray:
    from ..measurements.bases import random_measurement

    return random_measurement(d, rng).unitary


class _Problem:
    """The "?" class of one setting from the decomposition (module docstring)."""

    def __init__(self, dec: _Decomposition, dims, leakage: float, model: str):
        self.dec, self.dims, self.leak = dec, tuple(dims), leakage
        self.leak_u = leakage if model == "uniform" else 0.0
        self.n = len(dims)

    def arrays(self, setting: _Setting):
        dec = self.dec
        p_tau = povm_distribution(dec.tau, setting.povms, self.dims)
        members = member_distributions(dec.vectors, setting.povms)
        p_sigma = np.tensordot(dec.weights, members, axes=1)
        c = (1 - dec.q) * (1 - self.leak_u) * p_tau
        s = dec.q * self.leak * p_sigma
        return c, s, p_tau, members

    def extended_class(self, setting: _Setting):
        from ..attacks.extended import ExtendedQuestionClass

        dec = self.dec
        c, s, p_tau, members = self.arrays(setting)
        box = s + (1 - dec.q) * self.leak_u * p_tau  # leaked entangled rounds (uniform model)
        groups: dict[bytes, NDArray] = {}
        for w, p_k in zip(dec.weights, members):
            key = np.round(p_k, 12).tobytes()
            groups[key] = groups.get(key, 0.0) + w * p_k
        # an empty ensemble (the trivial decomposition) gets one flag group of mass 0: the
        # extended attack's arrays need at least one group
        flags = dec.q * (1 - self.leak) * np.stack(list(groups.values())) if groups else \
            np.zeros((1,) + c.shape)
        return ExtendedQuestionClass(c, box, flags, dec.q, s)

    def paper_value(self, setting: _Setting, n_starts: int, rng) -> float:
        from ..attacks.eve import minimize_gamma

        c, s, _, _ = self.arrays(setting)
        sol = minimize_gamma(c, s, [[i] for i in range(self.n)], n_starts=n_starts, rng=rng)
        return 0.0 if sol.zero_key else sol.value / (self.n - 1)


def _hermitian_offdiag(d: int, theta: NDArray) -> NDArray:
    h = np.zeros((d, d), dtype=complex)
    iu = np.triu_indices(d, 1)
    m = len(iu[0])
    h[iu] = theta[:m] + 1j * theta[m:]
    return h + h.conj().T


def _local_search(problem: _Problem, starts: list[_Setting]) -> list[_Setting]:
    """L-BFGS-B maximisation of the paper value over :math:`U_i\\exp(iH_i)` from each start."""
    from scipy.linalg import expm
    from scipy.optimize import minimize

    dims = problem.dims
    sizes = [d * (d - 1) for d in dims]
    found = []
    for start in starts:
        base = start.unitaries

        def unitaries(theta, base=base):
            out, pos = [], 0
            for u0, d, k in zip(base, dims, sizes):
                out.append(u0 @ expm(1j * _hermitian_offdiag(d, theta[pos:pos + k])))
                pos += k
            return out

        def negative(theta):
            return -problem.paper_value(_unitary_setting(unitaries(theta)), 0, None)

        res = minimize(negative, np.zeros(sum(sizes)), method="L-BFGS-B",
                       options={"maxiter": LOCAL_MAXITER, "eps": LOCAL_FD_STEP})
        found.append(_unitary_setting(unitaries(res.x)))
    return found


def _cuts(n: int) -> list:
    return [[list(c), [i for i in range(n) if i not in c]]
            for size in range(1, n // 2 + 1) for c in combinations(range(n), size)
            if size < n - size or 0 in c]


def source_rate_upper_bound(source: Source, leakage: float, model: str = "uniform",
                            measurements: str | Sequence = "Z", *, attack: str = "paper",
                            cut_bound: bool | None = None, n_search: int = N_SOURCE_SEARCH,
                            n_local: int = N_LOCAL_STARTS, trivial: bool | None = None,
                            rng: np.random.Generator | None = None) -> SourceRateBound:
    r"""Key-rate upper bound (bits per round) of any source under paper 1's CC attacks with leakage.

    :math:`R \le \max_x \min_\text{Eve} p(?|x)\,TC(A_1..A_N|?)/(N-1)` (paper 1, Eqs. 14, 29) on
    the certified decomposition :math:`\rho = q\sigma + (1-q)\tau` (module docstring).

    Parameters
    ----------
    source : Source
        From :func:`qkdbounds.states.sources.make_source` / ``load_source`` (dims ``(d_1..d_N)``).
    leakage : float
        :math:`L \in [0, 1]`, probability that a party's outcome leaks to Eve.
    model : {"uniform", "junk"}
        Leakage in every round (Eq. 11) or only in product rounds (Eq. 20).
    measurements : {"Z", "auto", "search"} or sequence of length N
        Computational bases (``"auto"`` = ``"Z"``); the seeded search (module docstring); or per
        party a unitary of shape ``(d_i, d_i)`` (columns = outcomes), a
        :class:`~qkdbounds.measurements.povm.POVM`, or POVM elements of shape
        ``(n_outcomes, d_i, d_i)`` (validated: PSD, summing to the identity within 1e-9).
    attack : {"paper", "extended"}
        Eve's attack: Eq. (12), or the extended attack (also forgets product flags and moves
        leaked entangled rounds); the extended value is never above the paper value.
    cut_bound : bool, optional
        Compute the cut bound (default: for N >= 3).
    n_search : int
        Haar-random local settings of the search, in [0, 1000].
    n_local : int
        Local maximisations of the search, in [0, 100].
    trivial : bool, optional
        Also offer Eve the trivial decomposition (q = 0, tau = rho, no ensemble: she learns only
        leaked outcomes), so the bound is never above the no-attack bound of the observed
        statistics; per setting Eve keeps the better decomposition and
        ``certificate["decomposition_used"]`` names it.  Default: True for the extended attack
        (which contains it: forgetting every flag), False for ``attack="paper"``, which is then
        exactly paper 1's Eq. (9) attack and reproduces the isotropic route (it can lie above the
        no-attack bound, e.g. Bell state v = 0.9, L = 0.1: 0.726 vs 0.642; the status says so).
        ``False`` gives the certified decomposition's attack alone (the paper's route, e.g. to compare with
        :func:`qkdbounds.rate_upper_bound`).
    rng : numpy.random.Generator, optional
        Seeded generator (default ``default_rng(0)``): engine, search and Eve's random starts.

    Returns
    -------
    SourceRateBound

    Raises
    ------
    InputError
        Not a Source, leakage outside [0, 1], unknown model/attack/measurements, unitaries or
        POVMs of the wrong size or not unitary / not a POVM, or a source beyond the engine's size.

    Examples
    --------
    >>> from qkdbounds.states.sources import make_source
    >>> phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    >>> rho = 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4
    >>> eq9 = source_rate_upper_bound(make_source(rho, (2, 2)), 0.1)
    >>> round(eq9.value, 6)                     # the isotropic route: rate_upper_bound(2, 2, 0.9, 0.1)
    0.726476
    >>> r = source_rate_upper_bound(make_source(rho, (2, 2)), 0.1, trivial=True)
    >>> r.certificate["decomposition_used"], round(r.value, 6)  # (1 - L) I(A:B) is lower here
    ('trivial', 0.642243)
    >>> ext = source_rate_upper_bound(make_source(rho, (2, 2)), 0.1, attack="extended")
    >>> ext.value <= r.value
    True
    """
    from ..attacks.eve import minimize_gamma
    from ..attacks.extended import minimize_extended

    if not isinstance(source, Source):
        raise InputError("source must be a qkdbounds.states.sources.Source (see make_source)")
    leak = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("attack", attack, SOURCE_ATTACKS)
    n_search = check_int("n_search", n_search, 0, 1000)
    n_local = check_int("n_local", n_local, 0, 100)
    rng = np.random.default_rng(0) if rng is None else rng
    dims, n = tuple(source.dims), source.n_parties
    cut_bound = n >= 3 if cut_bound is None else bool(cut_bound)
    zs = _unitary_setting([np.eye(d, dtype=complex) for d in dims])
    if isinstance(measurements, str):
        check_choice("measurements", measurements, ("Z", "auto", "search"))
        given = None
    else:
        given = _given_setting(measurements, dims)
    dec = _decomposition(source, rng)
    problem = _Problem(dec, dims, leak, model)
    if given is not None:
        settings, how = [given], "given measurements"
    elif measurements != "search":
        settings, how = [zs], "computational bases"
    else:
        sampled = [zs] + [_unitary_setting([_haar(d, rng) for d in dims]) for _ in range(n_search)]
        # the settings depend on the paper value only (Eve's structured starts, no randomness), so
        # both attacks are evaluated on the same settings: extended <= paper holds after the max
        ranked = sorted(sampled, key=lambda s: -problem.paper_value(s, 0, None))
        local = _local_search(problem, ranked[:n_local]) if n_local else []
        settings = sampled + local
        how = (f"Z plus {n_search} seeded Haar-random local settings (all parties free), then "
               f"{len(local)} local maximisations (L-BFGS-B, finite differences, <= "
               f"{LOCAL_MAXITER} iterations, over U_i exp(iH_i)) from the best of them; "
               "multistart heuristic for the outer max, not a certified maximum")
    problems, names = [problem], ["input frame"]
    if measurements == "search" and given is None and dec.outer is not None:
        # the engine's decomposition depends on the frame it is run in; Eve may also use the
        # decomposition found in the frame of the best measurement (rho' = U^dag rho U), rotated
        # back, and for every setting she keeps the better of the two (issue 13: rotated sources)
        top = max(settings, key=lambda st: problem.paper_value(st, 0, None))
        if top.unitaries is not None and all(u is not None for u in top.unitaries):
            problems.append(_Problem(_frame_decomposition(source, top.unitaries, rng), dims, leak, model))
            names.append("best setting's frame")
            how += "; Eve's decomposition also re-computed in the best setting's frame (the better one per setting)"
    # the trivial attack (q = 0) is always open to Eve: the bound never exceeds the no-attack
    # bound of the observed statistics (ties go to the certified decompositions above)
    trivial = (attack == "extended") if trivial is None else bool(trivial)
    if trivial:
        problems.append(_Problem(_trivial_decomposition(source), dims, leak, model))
        names.append("trivial")
    singletons = [[i] for i in range(n)]
    cuts = _cuts(n) if cut_bound and n >= 3 else []

    def evaluate(setting, groups):
        """(value in bits before the 1/(N-1), paper value, zero_key, Eve's certificate): the
        better of Eve's decompositions for this setting."""
        results = [evaluate_one(pr, setting, groups) for pr in problems]
        k = min(range(len(results)), key=lambda i: (results[i][0], results[i][1]))
        # the paper attack's value is Eve's best paper attack over the same decompositions, so
        # extended <= paper still holds decomposition by decomposition and after the min
        out = (results[k][0], min(r[1] for r in results), results[k][2], results[k][3])
        out[3]["decomposition"] = names[k]
        out[3]["decomposition_index"] = k
        out[3]["value_by_decomposition"] = {nm: float(r[0]) for nm, r in zip(names, results)}
        return out

    def evaluate_one(problem, setting, groups):
        if attack == "paper":
            c, s, _, _ = problem.arrays(setting)
            sol = minimize_gamma(c, s, groups, rng=rng)
            value = 0.0 if sol.zero_key else sol.value
            return value, value, sol.zero_key, {
                "name": "paper CC attack (Eq. 12)", "gamma": sol.gamma,
                "p_question": sol.p_question, "method": sol.method}
        eqc = problem.extended_class(setting)
        sol = minimize_extended(eqc, groups, rng=rng)
        return sol.value, sol.paper_value, sol.zero_key, {
            "name": "extended CC attack (flags forgotten, leaked rounds merged into '?')",
            "moved_leaked_mass": sol.y, "flag_group_fractions": sol.eta,
            "flag_group_masses": eqc.flags.reshape(len(eqc.flags), -1).sum(axis=1),
            "p_question": sol.p_question, "method": sol.method}

    best, best_paper, best_cut = None, -1.0, None
    for setting in settings:
        value, paper, zero, eve = evaluate(setting, singletons)
        value, paper = value / (n - 1), paper / (n - 1)
        best_paper = max(best_paper, paper)
        if best is None or value > best[0]:
            best = (value, setting, zero, eve)
        if cuts:
            cut_value = min(evaluate(setting, g)[0] for g in cuts)
            best_cut = cut_value if best_cut is None else max(best_cut, cut_value)
    value, setting, zero, eve = best
    outers = [pr.dec.outer for pr in problems if pr.dec.outer is not None]
    used = eve["decomposition_index"]
    if names[used] == "trivial":
        # the rate needs no ensemble; report (and save) the best certified separable
        # decomposition beside it: the non-trivial one that did best at this setting
        by_value = eve["value_by_decomposition"]
        used = min((i for i, nm in enumerate(names) if nm != "trivial"),
                   key=lambda i: by_value[names[i]])
    dec = problems[used].dec
    residual = _decomposition_residual(source.matrix, dec)
    outer = min(outers) if outers else None
    best_q = max(pr.dec.q for pr in problems)
    status = "ok"
    if outer is not None and outer - best_q > GAP_NOTE:
        status = (f"ok: separable weight not certified optimal (q={best_q:.6g}, "
                  f"outer={outer:.6g}); the bound may be loose")
    no_attack = None
    if not trivial:  # say when paper 1's attack is above the no-attack bound at this setting
        no_attack = _Problem(_trivial_decomposition(source), dims, leak, model).paper_value(setting, 0, None)
        if value > no_attack + 1e-12:
            status = (f"{status}; paper 1's attack is above the no-attack bound {no_attack:.6g} "
                      f"at these measurements (--attack extended includes that attack)")
    povm_elements = [p.elements for p in setting.povms]
    return SourceRateBound(
        value=float(value), cut_bound=None if best_cut is None else float(best_cut),
        # outer bounds are invariant under local unitaries: the smaller of the frames' is valid
        separable_weight=float(dec.q), separable_weight_outer=outer,
        ensemble_size=len(dec.weights), tau_min_eigenvalue=float(dec.tau_low),
        measurements=setting.labels,
        certificate={"measurement_unitaries": setting.unitaries,
                     "measurement_povm_elements": povm_elements,
                     "decomposition": dec.how, "attack": eve, "zero_key": bool(zero),
                     "decomposition_used": eve["decomposition"],
                     "certified_weights": {nm: float(pr.dec.q) for nm, pr in zip(names, problems)},
                     "no_attack_bound": no_attack,
                     "ensemble": {"weights": dec.weights, "vectors": dec.vectors, "dims": list(dims)}},
        method=f"{attack} CC attack on the best of {len(problems)} decompositions per setting "
               f"(won: {eve['decomposition']}, {dec.how}); max over "
               f"settings: {how} ({len(settings)} settings); min over Eve: {eve['method']}",
        status=status, attack=attack, paper_value=float(best_paper), ensemble_residual=residual)
