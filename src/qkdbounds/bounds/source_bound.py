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
  for two qudits (d x d) close to an isotropic state (a tomographic or single-precision copy of
  one) also Eq. (9)'s ensemble of the nearest isotropic state with the largest weight the source
  leaves feasible, :math:`q' = \lambda_{\min}(\sigma^{-1/2}\rho\sigma^{-1/2})`
  (:func:`_near_isotropic_decomposition`), rotated by :math:`U\otimes\bar U` per setting like
  an isotropic pair's: the bound is then continuous at the isotropic family (Eve's
  ensemble of the exact state, up to :math:`O(\|\rho-\rho_v\|)`);
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
conference-key cut bound :math:`\max_x\min_S\min_\text{Eve} p(?)I(A_S:A_{S^c}|?)` is beside it
(a conference key is a bipartite key across every cut :math:`S|S^c`: Das, Bäuml, Winczewski &
Horodecki, PRX 11, 041016 (2021), arXiv:1912.03646).  With ``attack="best"`` the reported bound
is :math:`\max_x\min\{TC_x/(N-1), \min_S I_x(A_S:A_{S^c})\}` (each form with Eve's best
attack at that setting): the key at setting :math:`x` is below every form there, so below
their minimum.  It is at most the smaller of the two maxima, and can be well below it when
they sit at different settings (a random 2x2x2 state: 0.0996 against 0.115 and 0.125).

Measurements (the *outer* maximisation: the honest parties choose them, Eve minimises):
computational bases (``"Z"``/``"auto"``); given unitaries or POVMs; or ``"search"``: Z plus
``n_search`` seeded Haar-random local settings (every party free: a general source has no
:math:`U\otimes U^*` symmetry), then a seeded multistart local maximisation (NLopt L-BFGS
with the envelope-theorem gradient, exact derivatives of the distributions) over local
unitaries :math:`U_i\exp(iH_i)`, :math:`H_i` Hermitian with zero diagonal (diagonal generators
only rephase the measurement vectors), from the ``n_local`` best settings where it is positive,
of the quoted attack's value on the input frame's decomposition (two parties: the least of the
extended attack on it and on the trivial decomposition, or the paper attack with
``attack="paper"``; N >= 3: the paper attack's total correlation).
Every setting found is then evaluated with the chosen attack and Eve's full multistart.  This
is a heuristic for the outer maximum (a lower estimate of it), not a certified global maximum,
and ``method`` says so; each reported number is the bound for the reported setting (the
total-correlation bound's in ``measurements``, the reported bound's in ``certificate["bound"]``,
the cut bound's in ``certificate["cut"]``).

Every bound here is for a protocol that draws its key from one measurement setting (the best
one, in a search).  The total-correlation bound also holds for a protocol that mixes settings
(it is linear in their frequencies, paper 1 Eq. 25); the cut bound need not: mixing settings
at which different cuts are weak can beat :math:`\max_x\min_S`, whose valid form for a mixture
is :math:`\max_{p}\min_S\sum_x p_x(\cdot)`.  For such a protocol, quote
``total_correlation_bound`` (or ask with ``cut_bound=False``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ..errors import (InputError, check_callback, check_choice, check_flag, check_int,
                      check_leakage_grid, check_real, check_rng)
from ..measurements.bases import same_basis
from ..measurements.povm import POVM, check_povm, member_distributions, povm_distribution, \
    povm_from_unitary
from .._tolerances import ATOL_RATE
from ..states.sources import Source
from ..status import Status, StatusField
from ._results import PointSequence

__all__ = ["SourceRateBound", "SourceRateBounds", "source_rate_upper_bound", "ATTACK_CHOICES", "N_SOURCE_SEARCH", "N_LOCAL_STARTS",
           "ATOL_ROTATED_GHZ"]

#: Haar-random local settings of the seeded measurement search (besides Z).
N_SOURCE_SEARCH = 24
#: Local maximisations of the search (started from the best Z/random settings in turn, skipping
#: those where the objective is 0).
N_LOCAL_STARTS = 4
#: Objective evaluations (each with its gradient) per local maximisation (NLopt L-BFGS) and
#: its relative stopping tolerance on the value.
LOCAL_MAXEVAL = 80
LOCAL_FTOL = 1e-10
#: Two searched settings measure the same bases when each basis vector of one overlaps one of
#: the other's to 1 - this (|<u_a|v_b>|^2); the local maximisations stop at the first repeat.
SAME_BASIS_ATOL = 1e-6
#: Two local maxima of the search are one (the higher kept) when their bases agree to this
#: (:func:`_same_measurement`): the runs stop within ~1e-4 of a maximum, and each distinct one
#: costs the branch and bound an evaluation with a frame run of its own.
SAME_MAXIMUM_ATOL = 1e-3
#: Largest total dimension of a ``state-bound`` / ``state`` sweep source (the separability
#: engine's, ``MAX_ENGINE_DIM``; the API also takes larger isotropic GHZ states, whose
#: decomposition is in closed form).
SOURCE_MAX_DIM = 36

#: Method note of a measurement search answered at Z on a recognised isotropic GHZ source.
ISOTROPIC_SEARCH_NOTE = ("; measurement search: the source is an isotropic GHZ state, whose optimal "
                         "setting is Z (the isotropic route's; for two parties every U (x) conj(U) "
                         "gives the same value), so Z is the search's answer")


#: Reassembly tolerance (max entry) of a recognised locally rotated isotropic GHZ state.
ATOL_ROTATED_GHZ = 1e-9
#: Unitarity tolerance of given measurement unitaries.
ATOL_UNITARY = 1e-9
#: A certified separable weight below the outer bound by more than this is flagged in status.
GAP_NOTE = 1e-6


@dataclass(frozen=True, eq=False)
class SourceRateBound(StatusField):
    """Result of :func:`source_rate_upper_bound` (bits; see the module docstring).

    Attributes
    ----------
    value : float
        The bound to quote (bits): ``total_correlation_bound``, or for ``attack="best"`` and
        N >= 3 the max over the settings of the min of the total-correlation form and every
        cut (module docstring; at most ``min(total_correlation_bound, cut_bound)``); its
        setting, form, Eve's attack and decomposition are ``certificate["bound"]``.
    total_correlation_bound : float
        :math:`\\max_x\\min_\\text{Eve} p(?)TC(A|?)/(N-1)` for the chosen attack (paper 1,
        Eq. 14; the mutual information for N = 2).
    cut_bound : float or None
        Conference-key cut bound :math:`\\max_x\\min_S\\min_\\text{Eve} p(?)I(A_S:A_{S^c}|?)`
        (bits; a conference key is a bipartite key across every cut), N >= 3 (None for two
        parties, whose one cut is the total correlation, and with ``cut_bound=False``);
        its setting, cut (``parties``), Eve's attack and decomposition (``ensemble``,
        ``separable_weight``) are ``certificate["cut"]``.  For a key from one setting (module
        docstring).
    bound_used : {"total_correlation", "cut"}
        The form that gives ``value`` at its setting (ties: the total correlation, paper 1's
        form); ``certificate["bound"]["parties"]`` names the cut.
    separable_weight, separable_weight_outer : float, float or None
        Certified :math:`q` of the total-correlation bound's decomposition
        (``certificate["ensemble"]``, the one the rate used, or when the trivial attack won, the
        best certified separable one) and an outer bound on the best :math:`q` (None when not
        computed).
    ensemble_size : int
        Members of Eve's product ensemble.
    tau_min_eigenvalue : float
        Smallest eigenvalue of :math:`\\tau` (>= -tolerance: :math:`\\tau` is a state).
    measurements : list of str
        Labels of the maximising setting (``"Z"``, ``"U"``, or the POVM label).
    certificate : dict
        ``measurement_unitaries`` (None for POVMs), ``measurement_povm_elements``,
        ``decomposition``, ``attack`` (Eve's parameters at the maximising setting).
    method : str
    status : Status
        ``optimal`` when the bound is a certified zero (after a measurement search: with a
        separable decomposition, q = 1, which leaves no key at any setting), else ``certified``
        (Eve's ensemble and
        attack are explicit and checked; the weight or her minimisation may not be optimal).
    message : str
        Notes, e.g. ``"separable weight not certified optimal (q=..., outer=...)"`` when the
        best certified weight is below the outer bound by more than ``GAP_NOTE`` (the bound may
        be loose).
    attack : {"best", "paper", "extended"}
        The attack asked for; ``attack_used`` names the one that achieved
        ``total_correlation_bound`` (``"paper"``, ``"extended"`` or ``"no_attack"``; the cut
        bound's: ``certificate["cut"]["attack_used"]``).
    paper_value, extended_value, no_attack_value : float
        Paper 1's attack, the extended attack (None for ``attack="paper"``) and no attack at the
        reported measurements (bits per round), each minimised over the decompositions Eve had
        in this question: the total-correlation form (paper 1, Eq. 14).  Where the bound reaches
        0 Eve stops restarting the engine, so ``attack="paper"`` (which restarts while its own
        value is positive) can give a lower number than ``paper_value`` there.
    lower_bound, lower_bound_method : float or None, str or None
        Leakage-aware Devetak-Winter rate of the source itself (:mod:`qkdbounds.bounds.lower`).
    verdict : {"no_key", "key", "open"}
        :func:`qkdbounds.bounds.verdict.decide` of ``value`` and ``lower_bound``.
    leakage, model, dims, unit
        The question (``unit`` = ``"bits per round"``).
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
    status: Status = Status.CERTIFIED
    attack: str = "best"
    paper_value: float | None = None
    ensemble_residual: float = 0.0
    extended_value: float | None = None
    no_attack_value: float | None = None
    attack_used: str = "paper"
    lower_bound: float | None = None
    lower_bound_method: str | None = None
    verdict: str = "open"
    leakage: float | None = None
    model: str = "uniform"
    dims: tuple = ()
    unit: str = "bits per round"
    message: str = ""
    total_correlation_bound: float | None = None
    bound_used: str = "total_correlation"

    def __repr__(self) -> str:
        lb = "None" if self.lower_bound is None else f"{self.lower_bound:.6g}"
        return (f"SourceRateBound(dims={list(self.dims)}, leakage={self.leakage}, "
                f"model={self.model!r}, attack={self.attack!r}, measurements={self.measurements}, "
                f"value={self.value:.6g} {self.unit}, bound_used={self.bound_used!r}, "
                f"attack_used={self.attack_used!r}, "
                f"paper_value={self.paper_value:.6g}, lower_bound={lb}, "
                f"verdict={self.verdict!r}, status={str(self.status)!r})")

    def bound_record(self) -> dict:
        """The certificate of ``value`` in plain values (``qkdbounds state-bound --json``'s
        ``bound``, also stored by the ``state`` sweep question): ``value``, ``form``
        (``"total_correlation"`` or ``"cut"``), ``parties`` (the cut [S, S^c], parties numbered
        from 0; None for the total correlation), ``measurements``, ``measurement_unitaries``
        (:func:`compact_unitaries`), ``attack_used``, ``eve_decomposition``,
        ``separable_weight``, ``ensemble_size``, ``zero_key``."""
        return _record(self.certificate["bound"])

    def cut_record(self) -> dict | None:
        """:meth:`bound_record` of the cut bound (``cut_bound``); None when not computed."""
        cut = self.certificate.get("cut")
        return None if cut is None else _record(cut)

    def save_ensemble(self, path) -> dict:
        """Write the decomposition behind ``value`` (``certificate["bound"]["ensemble"]``; where
        no attack won, the certified separable decomposition beside it) in the ``.npz`` layout of
        :func:`qkdbounds.separability.save_ensemble`, readable by ``load_ensemble``, and return a
        summary."""
        cert = self.certificate["bound"]
        ens = cert["ensemble"]
        arrays = {f"vectors_{i}": np.asarray(v) for i, v in enumerate(ens["vectors"])}
        outer = self.separable_weight_outer
        from .._io import atomic_write

        atomic_write(path, lambda tmp: np.savez(
            tmp, weights=np.asarray(ens["weights"], dtype=float),
            dims=np.asarray(ens["dims"], dtype=int), q=float(cert["separable_weight"]),
            q_outer=float("nan") if outer is None else float(outer),
            residual=float(cert["ensemble_residual"]),
            tau_min_eigenvalue=float(cert["tau_min_eigenvalue"]),
            method=np.array(cert["decomposition_method"]),
            reason=np.array(cert["decomposition_method"]), **arrays))
        return {"path": str(path), "bound": cert["form"],
                "separable_weight": cert["separable_weight"], "separable_weight_outer": outer,
                "ensemble_size": len(ens["weights"]), "ensemble_residual": cert["ensemble_residual"],
                "method": cert["decomposition_method"]}


def _record(cert: dict) -> dict:
    """:func:`_entry_certificate` in plain values (the JSON form)."""
    return {"value": cert["value"], "form": cert["form"], "parties": cert["parties"],
            "measurements": cert["measurements"],
            "measurement_unitaries": compact_unitaries(cert["measurement_unitaries"]),
            "attack_used": cert["attack_used"], "eve_decomposition": cert["decomposition"],
            "separable_weight": cert["separable_weight"],
            "ensemble_size": len(cert["ensemble"]["weights"]), "zero_key": cert["zero_key"]}


def compact_unitaries(unitaries) -> list:
    """Measurement unitaries as nested ``[re, im]`` lists (None for a party measured by a POVM):
    the JSON form of a setting, each basis as its :func:`_canonical_basis` (12 digits, the
    columns' phases fixed), so that the unitaries read back from the JSON are the same frame,
    bit for bit, and a question asked at them gets the same frame runs."""
    out = []
    for u in unitaries:
        if u is None:
            out.append(None)
            continue
        u = _canonical_basis(u)
        out.append([[[float(x.real), float(x.imag)] for x in row] for row in u])
    return out


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
                # (one label on every route: a file's POVM is named "party0" by its array, the
                # API's by its caller; the elements are in the certificate)
                out.append(f"POVM({p.n_outcomes})")
            else:
                out.append(_unitary_label(u))
        return out

    @property
    def is_computational(self) -> bool:
        return all(u is not None and _is_identity(u) for u in self.unitaries)

    @functools.cached_property
    def frame_key(self) -> tuple:
        """:func:`_frame_key`, computed once per setting (Eve asks for it at every attack)."""
        return tuple(_canonical_basis(u).tobytes() for u in self.unitaries)


def _is_identity(u) -> bool:
    return np.allclose(u, np.eye(len(u)), atol=1e-12)


def _unitary_label(u) -> str:
    """A basis name where there is one ("Z", qubit "X"/"Y"/axis angles, "F" for the Fourier
    basis), else "searched (see certificate)"."""
    u = np.asarray(u)
    if _is_identity(np.abs(u)):  # diagonal phases only rephase the computational basis
        return "Z"
    if len(u) == 2:
        from ..measurements.qubit import axis_label, bloch_axis

        return axis_label(bloch_axis(u))
    d = len(u)
    fourier = np.exp(2j * np.pi * np.outer(np.arange(d), np.arange(d)) / d) / np.sqrt(d)
    if np.allclose(np.abs(u.conj().T @ fourier), np.eye(d), atol=1e-9):
        return "F"
    return "searched (see certificate)"


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


def _decomposition(source: Source, rng, progress=None, outer: bool = True,
                   time_budget: float | None = None, route: str = "auto") -> _Decomposition:
    """Eve's certified decomposition of ``source``; ``outer=False`` skips the engine's outer
    bound (a frame run: the outer bound is invariant under local unitaries, the caller has it);
    ``route``: the engine's (``"ascent"`` for the input frame, ``"local_ascent"`` for a frame
    run)."""
    from ..separability import certified_separable_weight
    from ..states import cc_decomposition, ghz_vector, isotropic_ghz

    rho, dims = source.matrix, source.dims
    v = _ghz_visibility(rho, dims)
    rotated = None if v is not None else _rotated_isotropic_ghz(rho, dims, rng)
    if v is not None or rotated is not None:
        d, n = dims[0], len(dims)
        us = [np.eye(d, dtype=complex)] * n if rotated is None else rotated[1]
        v = v if rotated is None else rotated[0]
        try:
            dec = cc_decomposition(isotropic_ghz(d, n, v))
            members = list(dec.separable)
        except (OverflowError, MemoryError):      # Eq. (9)'s ensemble has d**(N-1) * d members
            raise InputError(f"source: an isotropic state of d = {d}, N = {n} is too large for an "
                             "explicit ensemble; rate_upper_bound (qkdbounds rate) answers it in "
                             "closed form") from None
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
            # the PPT outer bound is invariant under local unitaries ((U X U^+)^Gamma is a local
            # unitary conjugation of X^Gamma), so it is computed on the unrotated state, whose
            # real, sparse structure the SDP solver exploits (seconds instead of a minute at 3x3x3)
            from ..states.sources import make_source

            outer = _ppt_outer(source) if rotated is None else _ppt_outer(
                make_source(isotropic_ghz(d, n, v).to_dense(), dims))
        return _Decomposition(dec.q, weights, vectors, tau, outer, 0.0, how)
    # the engine caches its answer per matrix and options: it gets a generator of its own,
    # seeded by one draw from ``rng``, so that ``rng`` moves on alike whether the engine runs or
    # answers from its cache (the same question asked twice in one process, or once per point
    # of a grid, then takes the same random stream and gives the same number)
    engine_rng = np.random.default_rng(int(rng.integers(2**63)))
    cert = certified_separable_weight(source, rng=engine_rng, callback=progress, outer=outer,
                                      time_budget=time_budget, route=route)
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


def _frame_decomposition(source: Source, unitaries, rng, progress=None,
                         outer: float | None = None,
                         where: str = "a searched setting's frame") -> _Decomposition:
    """The engine's quick decomposition (``route="local_ascent"``: its local ascent from fresh
    random product states; a rank-deficient input goes on to column generation, within the
    engine's minimum budget) of :math:`U^\\dagger\\rho U` (U the local unitaries of a
    measurement setting), rotated back to the input frame.  ``outer``: the input frame's outer
    bound on the separable weight, which local unitaries leave unchanged (the frame run skips it);
    ``where``: the frame, as the decomposition's description names it."""
    from ..separability import engine_minimum
    from ..states.sources import apply_local_unitaries

    frame = apply_local_unitaries(source, [np.asarray(u).conj().T for u in unitaries])
    d = _decomposition(frame, rng, progress, outer=outer is None, route="local_ascent",
                       time_budget=engine_minimum(source.dims))
    d = d if outer is None else replace(d, outer=outer)
    big = _kron([np.asarray(u) for u in unitaries])
    vectors = [np.asarray(v) @ np.asarray(u).T for v, u in zip(d.vectors, unitaries)]
    return _Decomposition(d.q, d.weights, vectors, big @ d.tau @ big.conj().T, d.outer, d.tau_low,
                          d.how + f" (in {where}, rotated back)")


def _given_setting(measurements, dims) -> _Setting:
    n = len(dims)
    try:
        items = list(measurements)
    except TypeError:
        raise InputError(f"measurements must be 'Z', 'auto', 'search' or a sequence of {n} unitaries "
                         f"or POVMs, got {measurements!r:.60}") from None
    if len(items) != n:
        raise InputError(f"measurements must list {n} entries (one unitary or POVM per party), "
                         f"got {len(items)}")
    povms, unitaries = [], []

    def add_povm(povm):
        # a basis given as its d rank-1 projectors is that basis's unitary (Eve then adapts to
        # it as to the unitary, and both forms give one number); other POVMs stay POVMs
        u = _basis_of(povm.elements)
        povms.append(povm if u is None else povm_from_unitary(u))
        unitaries.append(u)

    for i, (m, d) in enumerate(zip(items, dims)):
        if isinstance(m, POVM):
            if m.dim != d:
                raise InputError(f"measurements[{i}] must act on dimension {d}, got {m.dim}")
            add_povm(m)
            continue
        try:
            arr = np.asarray(m, dtype=complex)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"measurements[{i}] must be a unitary or POVM elements") from None
        if arr.ndim == 3:
            if arr.shape[1:] != (d, d):
                raise InputError(f"measurements[{i}] POVM elements must have shape "
                                 f"(n_outcomes, {d}, {d}), got {arr.shape}")
            add_povm(check_povm(arr, f"measurements[{i}]", f"POVM({arr.shape[0]})"))
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


def _basis_of(elements, atol: float = 1e-9) -> NDArray | None:
    r"""The unitary whose columns are the vectors of a projective rank-1 POVM (d elements
    :math:`|u_k\rangle\langle u_k|` summing to the identity, each to ``atol``), None for any
    other POVM."""
    elements = np.asarray(elements, dtype=complex)
    n, d = elements.shape[0], elements.shape[1]
    if n != d:
        return None
    cols = []
    for e in elements:
        mu, vec = np.linalg.eigh((e + e.conj().T) / 2)
        if abs(mu[-1] - 1) > atol or np.abs(mu[:-1]).max(initial=0.0) > atol:
            return None
        v = vec[:, -1]
        if np.abs(np.outer(v, v.conj()) - e).max() > atol:
            return None
        cols.append(v)
    u = np.array(cols).T
    if not np.allclose(u.conj().T @ u, np.eye(d), atol=10 * atol):
        return None
    return u


def _unitary_setting(unitaries) -> _Setting:
    return _Setting([povm_from_unitary(u) for u in unitaries], list(unitaries))


def _haar(d: int, rng) -> NDArray:
    from ..measurements.bases import random_measurement

    return random_measurement(d, rng).unitary


class _Problem:
    """The "?" class of one setting from the decomposition (module docstring)."""

    def __init__(self, dec: _Decomposition, dims, leakage: float, model: str,
                 cache: dict | None = None):
        self.dec, self.dims, self.leak = dec, tuple(dims), leakage
        self.leak_u = leakage if model == "uniform" else 0.0
        self.n = len(dims)
        self.cache = cache  # leakage-free distributions per (decomposition, setting)

    def _distributions(self, setting: _Setting):
        """p_tau, the members' distributions, p_sigma and the grouped flag distributions (sum of
        w_k p_k over members with equal distributions, to 1e-12) at ``setting``."""
        dec = self.dec
        key = None
        if self.cache is not None:
            key = (id(dec), tuple(p.elements.tobytes() for p in setting.povms))
            if key in self.cache:
                return self.cache[key][1]
        p_tau = povm_distribution(dec.tau, setting.povms, self.dims)
        members = member_distributions(dec.vectors, setting.povms)
        p_sigma = np.tensordot(dec.weights, members, axes=1)
        groups: dict[bytes, NDArray] = {}
        for w, p_k in zip(dec.weights, members):
            group = np.round(p_k, 12).tobytes()
            groups[group] = groups.get(group, 0.0) + w * p_k
        grouped = np.stack(list(groups.values())) if groups else None
        out = (p_tau, members, p_sigma, grouped)
        if key is not None:
            self.cache[key] = (dec, out)  # the decomposition is kept alive with its id
        return out

    def arrays(self, setting: _Setting):
        return self._arrays(self._distributions(setting))

    def unitary_arrays(self, unitaries):
        r"""``arrays(setting)[:2]`` (c, s) for a setting of unitaries, computed directly
        (:math:`p(\vec a) = \langle\vec a|U^\dagger\rho U|\vec a\rangle`, members
        :math:`|(U_i^\dagger v_{ik})_{a_i}|^2`): the local search's hot path, without POVM
        objects, caches or the flag grouping."""
        dec = self.dec
        p_tau, members = self.unitary_parts(unitaries)
        p_sigma = (np.tensordot(dec.weights, members, axes=1) if len(dec.weights)
                   else np.zeros(self.dims))
        return ((1 - dec.q) * (1 - self.leak_u) * p_tau, dec.q * self.leak * p_sigma)

    def unitary_parts(self, unitaries):
        r""":math:`p_\tau` and the members' distributions :math:`p_k` (shape ``(K,) + dims``) at a
        setting of unitaries (:meth:`unitary_arrays`' ingredients; the extended attack's flags)."""
        dec = self.dec
        big = _kron([np.asarray(u) for u in unitaries])
        p_tau = np.einsum("ia,ij,ja->a", big.conj(), dec.tau, big).real
        p_tau = np.clip(p_tau, 0.0, None).reshape(self.dims)
        if not len(dec.weights):
            return p_tau, np.zeros((0,) + self.dims)
        per = [np.abs(np.asarray(v) @ np.conj(u)) ** 2 for v, u in zip(dec.vectors, unitaries)]
        members = per[0]
        for f in per[1:]:
            members = members[..., None] * f.reshape([f.shape[0]] + [1] * (members.ndim - 1)
                                                     + [f.shape[1]])
        return p_tau, members

    def party_derivative_arrays(self, unitaries, party: int, directions):
        r"""Directional derivatives of :meth:`unitary_arrays`' (c, s) when party ``party``'s
        unitary :math:`U` moves along each of ``directions`` (:math:`\dot U`, shape
        ``(P, d, d)``) and the others stay: arrays of shape ``(P,) + dims`` (the local search's
        gradient; :meth:`party_derivative_parts`)."""
        dec = self.dec
        d_tau, (d_sigma,) = self.party_derivative_parts(unitaries, party, directions,
                                                        [dec.weights])
        return (1 - dec.q) * (1 - self.leak_u) * d_tau, dec.q * self.leak * d_sigma

    def party_derivative_parts(self, unitaries, party: int, directions, member_weights):
        r"""Directional derivatives of :math:`p_\tau` and of :math:`\sum_k a_k p_k` for each
        weight vector :math:`a` in ``member_weights`` (shape ``(K,)`` each) when party
        ``party``'s unitary :math:`U` moves along each of ``directions`` (:math:`\dot U`,
        shape ``(P, d, d)``) and the others stay: ``(d_tau, [d_sigma_a, ...])``, arrays of
        shape ``(P,) + dims``.

        :math:`p_\tau(\vec a) = \sum_{r,c} \overline{U}_{r a_i} T_{r c}(\vec a_{-i}) U_{c a_i}`
        with :math:`T` the source contracted with the other parties' columns (Hermitian in
        :math:`r, c`), so :math:`\dot p_\tau = 2\,\mathrm{Re} \sum_{r,c}
        \overline{\dot U}_{r a_i} T_{rc} U_{c a_i}`; a member's factor :math:`|\alpha_{k a_i}|^2`,
        :math:`\alpha = v_k^T \overline{U}`, moves by :math:`2\,\mathrm{Re}(\overline{\alpha}
        \dot\alpha)`.  Plain :func:`numpy.einsum` (no path search: its overhead would dominate
        at D <= 36)."""
        dec, dims, n = self.dec, self.dims, self.n
        dot_u = np.asarray(directions)
        u_i = np.asarray(unitaries[party])
        # index letters for every party's row, column and outcome ("k" and "z" are the members'
        # and the batch's): up to 16 parties
        letters = "abcdefghijlmnopqrstuvwxyABCDEFGHIJKLMNOPQRSTUVWXYZ"
        rows, cols, outs = letters[:n], letters[n:2 * n], letters[2 * n:3 * n]
        # T: the source with every other party j's row and column index taken to its outcome a_j
        operands, subs = [dec.tau.reshape(dims + dims)], [rows + cols]
        for j, u in enumerate(unitaries):
            if j != party:
                u = np.asarray(u)
                operands += [u.conj(), u]
                subs += [rows[j] + outs[j], cols[j] + outs[j]]
        rest = "".join(outs[j] for j in range(n) if j != party)
        t = np.einsum(",".join(subs) + "->" + rows[party] + cols[party] + rest, *operands)
        a_i = outs[party]
        d_tau = 2.0 * np.einsum("z" + rows[party] + a_i + "," + rows[party] + cols[party] + rest
                                + "," + cols[party] + a_i + "->z" + outs,
                                dot_u.conj(), t, u_i).real
        if not len(dec.weights):
            return d_tau, [np.zeros((len(dot_u),) + dims) for _ in member_weights]
        v_i = np.asarray(dec.vectors[party])
        alpha = v_i @ u_i.conj()                                         # (K, d)
        moved = 2.0 * (alpha.conj()[None] * np.einsum("kr,zra->zka", v_i, dot_u.conj())).real
        others = [np.abs(np.asarray(v) @ np.conj(u)) ** 2              # the other parties' factors
                  for j, (v, u) in enumerate(zip(dec.vectors, unitaries)) if j != party]
        subs = ",".join(["k", "zk" + a_i] + ["k" + outs[j] for j in range(n) if j != party])
        return d_tau, [np.einsum(subs + "->z" + outs, a, moved, *others)
                       for a in member_weights]

    def _arrays(self, distributions):
        dec = self.dec
        p_tau, members, p_sigma, _ = distributions
        c = (1 - dec.q) * (1 - self.leak_u) * p_tau
        s = dec.q * self.leak * p_sigma
        return c, s, p_tau, members

    def extended_arrays(self, p_tau, p_sigma, member_masses):
        r"""The extended attack's :math:`c`, :math:`u` (the movable mass: leaked separable
        rounds, and leaked entangled ones in the uniform model), flags :math:`F` and the paper's
        movable :math:`s` (:mod:`qkdbounds.attacks.extended`) from :math:`p_\tau`,
        :math:`p_\sigma` and the members' masses :math:`w_kp_k` (grouped or not, shape
        ``(G,) + dims``)."""
        q = self.dec.q
        c = (1 - q) * (1 - self.leak_u) * p_tau
        s = q * self.leak * p_sigma
        return c, s + (1 - q) * self.leak_u * p_tau, q * (1 - self.leak) * member_masses, s

    def extended_class(self, setting: _Setting):
        from ..attacks.extended import ExtendedQuestionClass

        p_tau, _, p_sigma, grouped = self._distributions(setting)
        # an empty ensemble (the trivial decomposition) gets one flag group of mass 0: the
        # extended attack's arrays need at least one group
        c, box, flags, s = self.extended_arrays(
            p_tau, p_sigma, grouped if grouped is not None else np.zeros((1,) + p_tau.shape))
        return ExtendedQuestionClass(c, box, flags, self.dec.q, s)

    def paper_value(self, setting: _Setting, n_starts: int, rng, groups=None) -> float:
        """The paper attack's value with Eve's structured starts (and ``n_starts`` random ones):
        per party (``groups`` None, divided by N - 1) or for the party groups ``groups`` (a cut;
        bits, not divided)."""
        from ..attacks.eve import minimize_gamma

        c, s, _, _ = self.arrays(setting)
        singles = groups is None
        groups = [[i] for i in range(self.n)] if singles else groups
        sol = minimize_gamma(c, s, groups, n_starts=n_starts, rng=rng)
        value = 0.0 if sol.zero_key else sol.value
        return value / (self.n - 1) if singles else value


def _hermitian_basis(d: int) -> NDArray:
    r"""The Hermitian matrices :math:`E_j` with :math:`H(\theta) = \sum_j \theta_j E_j` the
    zero-diagonal Hermitian matrix of :func:`_hermitian_offdiag`: shape ``(d(d-1), d, d)``."""
    iu = np.triu_indices(d, 1)
    m = len(iu[0])
    basis = np.zeros((2 * m, d, d), dtype=complex)
    basis[np.arange(m), iu[0], iu[1]] = 1.0
    basis[np.arange(m, 2 * m), iu[0], iu[1]] = 1j
    return basis + basis.conj().transpose(0, 2, 1)


def _hermitian_offdiag(d: int, theta: NDArray) -> NDArray:
    h = np.zeros((d, d), dtype=complex)
    iu = np.triu_indices(d, 1)
    m = len(iu[0])
    h[iu] = theta[:m] + 1j * theta[m:]
    return h + h.conj().T


def _exp_i_hermitian(h: NDArray, directions: NDArray | None = None):
    r""":math:`\exp(iH)` of a Hermitian matrix from its eigendecomposition (exact up to round-off;
    for the small matrices here ~100x faster than :func:`scipy.linalg.expm`'s Pade route).

    With ``directions`` (Hermitian :math:`E_j`, shape ``(P, d, d)``) also its derivatives along
    them, :math:`\frac{d}{dt}\exp(i(H + tE_j))|_{t=0}`, shape ``(P, d, d)``, returned as a
    pair: the Daleckii-Krein formula :math:`V (F \circ (V^\dagger iE_j V)) V^\dagger` with
    :math:`H = V\Lambda V^\dagger` and :math:`F_{kl} = (e^{i\lambda_k} - e^{i\lambda_l}) /
    (i(\lambda_k - \lambda_l))` (:math:`e^{i\lambda_k}` on the diagonal), evaluated as
    :math:`e^{i(\lambda_k + \lambda_l)/2}\,\mathrm{sinc}((\lambda_k - \lambda_l)/2)` (no
    cancellation for close eigenvalues).  Reference: R. Bhatia, *Matrix Analysis* (Springer,
    1997), Thm. V.3.3."""
    lam, vec = np.linalg.eigh(h)
    exp = (vec * np.exp(1j * lam)) @ vec.conj().T
    if directions is None:
        return exp
    f = np.exp(0.5j * (lam[:, None] + lam[None, :])) * np.sinc((lam[:, None] - lam[None, :])
                                                             / (2 * np.pi))
    inner = 1j * np.einsum("rk,zrs,sl->zkl", vec.conj(), directions, vec)
    return exp, np.einsum("rk,zkl,sl->zrs", vec, f * inner, vec.conj())


def _local_search(terms, starts: list[_Setting], n_runs: int, stop_at_repeat: bool = False,
                  fallback=None, maxeval: int | None = None) -> list[tuple[_Setting, float]]:
    r"""L-BFGS maximisations (NLopt, :func:`qkdbounds._optim.minimize_box` without bounds: no
    ``scipy.optimize`` import, ~0.3 s of the CLI's start-up) of the search objective
    (:func:`_local_objective` on ``terms``) over :math:`U_i\exp(iH_i)` from ``starts`` in turn,
    ``n_runs`` of them at most: where the objective is 0 (Eve's attack gives no key there and on
    a neighbourhood: the gradient is 0, nothing to climb) the run climbs ``fallback`` instead
    (terms of a larger objective, e.g. the paper attack's, which is still positive near the
    threshold: its maximum is a candidate where the quoted attack may leave key), and a start
    where that is 0 too is skipped.  Returns the
    distinct maxima (:func:`_same_measurement`) with the objective's value there.  The
    objective is multimodal (random 3x3 states: a third of the starts reach the highest
    maximum), so the runs do not stop at a repeated maximum, unless ``stop_at_repeat`` (N >= 3,
    whose objective is the paper attack's total correlation: its runs mostly end at one
    maximum, and each costs the 2x2x2 benchmark state ~0.15 s)."""
    from .._optim import minimize_box

    found: list = []
    runs = 0
    for start in starts:
        if runs >= n_runs:
            break
        unitaries, negative, n_params = _local_objective(terms, start.unitaries)
        if negative(np.zeros(n_params))[0] >= 0:
            if fallback is None:
                continue
            unitaries, negative, n_params = _local_objective(fallback, start.unitaries)
            if negative(np.zeros(n_params))[0] >= 0:
                continue
        runs += 1
        res = minimize_box(negative, np.zeros(n_params), -np.inf, np.inf, ftol_rel=LOCAL_FTOL,
                           xtol_rel=1e-10, maxeval=maxeval or LOCAL_MAXEVAL, vector_storage=10)
        setting, value = _unitary_setting(unitaries(res.x)), -float(res.fun)
        same = next((k for k, (other, _) in enumerate(found)
                     if _same_measurement(setting, other, SAME_MAXIMUM_ATOL)), None)
        if same is None:
            found.append((setting, value))
        else:
            if value > found[same][1]:
                found[same] = (setting, value)
            if stop_at_repeat:
                break
    return found


def _same_measurement(a: _Setting, b: _Setting, atol: float = SAME_BASIS_ATOL) -> bool:
    r"""Whether two settings of unitaries measure the same bases up to relabelled outcomes and
    phases (per party, :math:`|U_a^\dagger U_b|^2` is a permutation matrix to ``atol``): every
    value of the search is then the same."""
    return all(same_basis(u, v, atol) for u, v in zip(a.unitaries, b.unitaries))


def _product_party(rho: NDArray, dims, atol: float = 1e-12) -> int | None:
    """The first party ``k`` whose state is a product with the rest's, ``rho = rho_k (x)
    rho_rest`` to ``atol`` (largest entry), or None (N >= 3; two parties: None)."""
    n = len(dims)
    if n < 3:
        return None
    t = np.asarray(rho).reshape(tuple(dims) * 2)
    for k in range(n):
        order = [k] + [i for i in range(n) if i != k]
        moved = t.transpose(order + [n + i for i in order]).reshape(
            dims[k], int(np.prod(dims)) // dims[k], dims[k], -1)
        rho_k = np.einsum("arbr->ab", moved)
        rest = np.einsum("arac->rc", moved)
        if np.max(np.abs(moved - np.einsum("ab,rc->arbc", rho_k, rest))) <= atol:
            return k
    return None


def _search_terms(base_problem: _Problem, trivial_problem: _Problem, attack: str,
                  use_trivial: bool, forms) -> list:
    """The attacks the search objective takes the minimum of, as ``(problem, kind, groups,
    scale)`` with kind ``"paper"`` or ``"extended"``: those the quoted bound minimises over, on
    the input frame's decomposition and (``use_trivial``) on the trivial one, for each form
    (``forms``: the party groups of the total correlation, divided by N - 1, and of every cut
    the reported bound takes the minimum with).  The extended attack is never above the paper
    attack on the same decomposition, so ``"best"`` needs only the extended ones."""
    kind = "paper" if attack == "paper" else "extended"
    problems = [base_problem] + ([trivial_problem] if use_trivial else [])
    n = base_problem.n
    return [(problem, kind, groups, 1.0 / (n - 1) if len(groups) == n else 1.0)
            for groups in forms for problem in problems]


def _local_objective(terms, base):
    r"""``(unitaries, negative, n)`` for the local search from the unitaries ``base``:
    ``unitaries(theta)`` = :math:`U_i\exp(iH_i(\theta))`, and ``negative(theta)`` = minus the
    search objective and its gradient in ``theta`` (shape ``(n,)``).

    The objective is the smallest value over ``terms`` (:func:`_search_terms`: the attacks and
    forms the quoted bound takes the minimum of, each on its decomposition, on the scale of the
    reported bound); its gradient is the smallest term's.  Each term's gradient is the envelope
    theorem's at Eve's optimum:

    * the paper attack :math:`V(\theta) = \min_\gamma G(c(\theta) + \gamma s(\theta))` (paper 1,
      Eq. 15): :math:`\partial_j V = \sum_{\vec a} \partial G/\partial m(\vec a)\,(\partial_j c
      + \gamma^*\partial_j s)(\vec a)`;
    * the extended attack :math:`m = c + y + \sum_k \eta_k F_k`, :math:`0 \le y \le u`
      (:mod:`qkdbounds.attacks.extended`; members ungrouped, one flag each): with
      :math:`y = t\odot u` and :math:`t, \eta` held at the optimum (a fixed attack, feasible at
      every setting), :math:`\partial_j m = \partial_j c + t\odot\partial_j u + q(1-L)\sum_k
      \eta_k w_k\,\partial_j p_k`.

    The distributions' derivatives are exact (:meth:`_Problem.party_derivative_parts` along the
    Daleckii-Krein derivatives of :math:`\exp(iH_i)`, :func:`_exp_i_hermitian`): one attack per
    term and gradient instead of one per coordinate.  The extended attack's first evaluation
    is :func:`~qkdbounds.attacks.extended.minimize_extended` (its structured starts); later
    ones start from the previous optimum (one L-BFGS solve,
    :func:`qkdbounds.attacks.eve._direct`: the search's steps are small).  Every value is that
    of an explicit attack (an upper estimate of Eve's minimum there): the search only proposes
    settings, which the branch and bound then values with her full attack.
    """
    from ..attacks.eve import _direct, minimize_gamma
    from ..attacks.extended import ExtendedQuestionClass, minimize_extended
    from ..info.entropy import group_information_gradient, group_information_measure

    n = terms[0][0].n
    dims = terms[0][0].dims
    sizes = [d * (d - 1) for d in dims]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    bases = [_hermitian_basis(d) for d in dims]
    warm: dict = {}     # term index -> (eta, y) of the previous evaluation (extended terms)

    def split(theta):
        return [theta[o:o + k] for o, k in zip(offsets, sizes)]

    def unitaries(theta):
        return [base[i] @ _exp_i_hermitian(_hermitian_offdiag(dims[i], t))
                for i, t in enumerate(split(theta))]

    def paper_term(problem, groups, us, moves):
        c, s = problem.unitary_arrays(us)
        sol = minimize_gamma(c, s, groups, n_starts=0)
        if sol.zero_key:
            return 0.0, None
        g = group_information_gradient(c + sol.gamma * s, groups)

        def gradient():
            out = []
            for i, dot_u in enumerate(moves):  # one party's unitary moves per coordinate
                dc, ds = problem.party_derivative_arrays(us, i, dot_u)
                out.append(np.tensordot(dc + sol.gamma * ds, g, axes=g.ndim))
            return np.concatenate(out)
        return sol.value, gradient

    def extended_term(index, problem, groups, us, moves):
        dec, leak = problem.dec, problem.leak
        q, w = dec.q, np.asarray(dec.weights, dtype=float)
        p_tau, members = problem.unitary_parts(us)
        masses = w.reshape((-1,) + (1,) * n) * members                       # (K,) + dims
        c, box, flags, s = problem.extended_arrays(p_tau, masses.sum(axis=0) if len(w) else
                                                   np.zeros(dims), masses)
        flag_mass = (lambda eta: np.tensordot(eta, flags, axes=1)) if len(w) else \
            (lambda eta: 0.0)
        if index not in warm:
            sol = minimize_extended(ExtendedQuestionClass(
                c, box, flags if len(w) else np.zeros((1,) + dims), q, s), groups, n_starts=0)
            eta, y = np.asarray(sol.eta)[:len(w)], np.asarray(sol.y)
            value = 0.0 if sol.zero_key else sol.value
        else:
            eta0, y0 = warm[index]
            movable = box.ravel() > 0
            x0 = np.concatenate([eta0, np.clip(y0, 0.0, box).ravel()[movable]])
            eta, m = _direct(c, box, flags, groups, x0)
            y = np.clip(m - c - flag_mass(eta), 0.0, box)
            value = group_information_measure(c + y + flag_mass(eta), groups)
        warm[index] = (eta, y)
        if value <= 0:
            return 0.0, None
        t = np.divide(y, box, out=np.zeros(dims), where=box > 0)
        g = group_information_gradient(c + y + flag_mass(eta), groups)

        def gradient():
            out = []
            for i, dot_u in enumerate(moves):
                d_tau, (d_sep, d_flags) = problem.party_derivative_parts(us, i, dot_u,
                                                                         [w, w * eta])
                dc = (1 - q) * (1 - problem.leak_u) * d_tau
                d_box = q * leak * d_sep + (1 - q) * problem.leak_u * d_tau
                dm = dc + t * d_box + q * (1 - leak) * d_flags
                out.append(np.tensordot(dm, g, axes=g.ndim))
            return np.concatenate(out)
        return value, gradient

    def negative(theta):
        us, moves = [], []
        for i, t in enumerate(split(theta)):
            exp, d_exp = _exp_i_hermitian(_hermitian_offdiag(dims[i], t), bases[i])
            us.append(base[i] @ exp)
            moves.append(np.matmul(base[i], d_exp))     # d U_i / d theta_ij, shape (P, d, d)
        values = [(paper_term(problem, groups, us, moves) if kind == "paper"
                   else extended_term(index, problem, groups, us, moves), scale)
                  for index, (problem, kind, groups, scale) in enumerate(terms)]
        (value, gradient), scale = min(values, key=lambda v: v[0][0] * v[1])
        if gradient is None:
            return 0.0, np.zeros(theta.size)
        return -value * scale, -gradient() * scale

    return unitaries, negative, int(sum(sizes))


def _cuts(n: int) -> list:
    return [[list(c), [i for i in range(n) if i not in c]]
            for size in range(1, n // 2 + 1) for c in combinations(range(n), size)
            if size < n - size or 0 in c]


#: Attacks of the any-source dispatcher: ``"best"`` (default) is the tightest valid bound.
ATTACK_CHOICES = ("best", "paper", "extended")
#: Separability-engine runs in the frames of searched settings (Eve adapting her decomposition
#: to the setting) per request, for sources that are not recognised closed-form families; each
#: is the engine's ``route="local_ascent"`` (its quick local ascent on full-rank inputs).
MAX_FRAME_RUNS = 4
#: Most frame runs of one request: the first evaluations' own runs (at most
#: :data:`MAX_FRAME_RUNS`) and the reported setting's restarts (each setting at most
#: :data:`MAX_FRAME_RUNS` of its own).
MAX_TOTAL_FRAME_RUNS = 3 * MAX_FRAME_RUNS
#: Evaluations of the two-qubit search's last local run (from the reported setting, on every
#: decomposition Eve has: ~7 extended attacks per evaluation).
POLISH_MAXEVAL = 15
#: Two-qubit search: Fibonacci axes per party and local maximisations from the best grid pairs.
N_QUBIT_GRID = 6
N_QUBIT_POLISH = 4
#: Ties within this (bits) keep the earlier setting / the earlier attack in the search.
ATOL_TIE = 1e-12
UNIT = "bits per round"


def _isotropic_pair(source: Source) -> bool:
    """Two parties, unrotated isotropic: rho is U (x) U* invariant, so Eve may rotate her Eq. (9)
    ensemble by U_A (x) conj(U_A) (aligned with Alice) or conj(U_B) (x) U_B (aligned with Bob)."""
    return source.n_parties == 2 and _ghz_visibility(source.matrix, source.dims) is not None


def _rotated(dec: _Decomposition, unitaries, how: str, rotate_tau: bool = True) -> _Decomposition:
    r"""``dec`` rotated by the local ``unitaries``: its ensemble members, and ``tau`` unless
    ``rotate_tau=False`` -- then a decomposition of the same state when the ensemble's state is
    invariant under them (Eq. (9)'s separable state under :math:`U\otimes\bar U`)."""
    vectors = [np.asarray(v) @ np.asarray(u).T for v, u in zip(dec.vectors, unitaries)]
    tau = dec.tau
    if rotate_tau:
        big = _kron(unitaries)
        tau = big @ dec.tau @ big.conj().T
    return _Decomposition(dec.q, dec.weights, vectors, tau, dec.outer, dec.tau_low,
                          f"{dec.how} ({how})")


def _near_isotropic_decomposition(source: Source, base: _Decomposition) -> _Decomposition | None:
    r"""Eve's Eq. (9) decomposition for a two-qudit source close to an isotropic state.

    With :math:`v` the visibility of the isotropic state of the same fidelity with
    :math:`|\phi^+\rangle` and :math:`\sigma` Eq. (9)'s separable state (the isotropic state at
    the separable boundary, full rank; the same ensemble for every :math:`v` above it), the
    largest weight with :math:`\rho - q\sigma \succeq 0` is
    :math:`q' = \lambda_{\min}(\sigma^{-1/2}\rho\sigma^{-1/2})` (:math:`q_v` itself on the exact
    isotropic state), and :math:`\tau = (\rho - q'\sigma)/(1-q')`.  None unless the source has two
    parties of equal dimension, :math:`v_\text{sep} \le v < 1` and :math:`0 < q' < 1`; the
    certificate (an explicit ensemble reassembling the source, :math:`\tau`'s smallest
    eigenvalue) is checked like every other.  A candidate beside the engine's decompositions
    (Eve keeps the better per setting): on random two-qubit states it costs no measurable time
    and sometimes wins (Bell + 30 % random state: 0.4072 -> 0.4038 at L = 0.1); near the isotropic
    family it gives the exact state's bound up to :math:`O(\|\rho-\rho_v\|)` (a single-precision
    copy of the isotropic state at v = 0.95, L = 0.1: 0.716012, where the engine's ensembles
    gave 0.7301).  ``base`` supplies the outer bound.
    """
    from ..states import cc_decomposition, isotropic_ghz
    from ..states.isotropic import separable_visibility, twirl_visibility

    if source.n_parties != 2 or source.dims[0] != source.dims[1]:
        return None
    d, rho = source.dims[0], source.matrix
    v = twirl_visibility(rho, d, 2)
    if not separable_visibility(d, 2) <= v < 1:
        return None
    ensemble = cc_decomposition(isotropic_ghz(d, 2, v)).separable
    members = list(ensemble)
    weights = np.array([w for w, _ in members])
    vectors = [np.array([vecs[i] for _, vecs in members]) for i in range(2)]
    sigma = ensemble.to_dense()
    mu, u = np.linalg.eigh(sigma)
    if mu[0] <= 1e-12 * mu[-1]:        # (the boundary state is full rank: a safeguard)
        return None
    s_mhalf = (u / np.sqrt(mu)) @ u.conj().T
    # the smallest eigenvalue less a rounding margin keeps rho - q sigma PSD to round-off
    q = float(np.linalg.eigvalsh(s_mhalf @ rho @ s_mhalf)[0]) - 1e-12
    if q <= 0 or q >= 1:
        return None
    tau = (rho - q * sigma) / (1 - q)
    tau_low = float(np.linalg.eigvalsh(tau)[0])
    return _Decomposition(q, weights / weights.sum(), vectors, tau, base.outer, tau_low,
                          f"near-isotropic: Eq. (9)'s ensemble of the isotropic state v = {v:.6g} "
                          f"with the largest feasible weight q' = {q:.6g}")


class _Eve:
    """Eve's decompositions of one source and, per setting, the best of them (module docstring).

    Decompositions: the certified one in the input frame; per setting, the engine's decomposition
    in the setting's frame (rotated back; cached; for recognised isotropic pairs the covariant
    rotations of Eq. (9) instead); and the trivial one (no attack) for ``attack != "paper"``.
    """

    def __init__(self, source: Source, attack: str, rng, adapt: bool, use_trivial: bool,
                 progress=None, time_budget: float | None = None, restarts: bool = True):
        self.source, self.attack, self.rng, self.adapt = source, attack, rng, adapt
        self.restarts = restarts
        self.use_trivial, self.progress, self.time_budget = use_trivial, progress, time_budget
        # the engine's whole local ascent, without column generation: on ten random 3x3 and six
        # 2x2x2 states (the same random streams) the bounds moved by -0.5 % and ~0 on average
        # against route "auto" (column generation added ~3e-4 to q), in 20-28 % less time
        self.base = _decomposition(source, rng, progress, time_budget=time_budget, route="ascent")
        self.trivial = _trivial_decomposition(source)
        self.iso_pair = _isotropic_pair(source)
        cheap = self.base.how.startswith(("isotropic GHZ", "locally rotated"))
        #: Eq. (9)'s ensemble for a source close to an isotropic pair (None otherwise), and its
        #: member rotations per setting (:meth:`near_decompositions`)
        self.near = None if cheap else _near_isotropic_decomposition(source, self.base)
        self.near_frames: dict = {}
        self.frame_budget = None if cheap else MAX_FRAME_RUNS
        self.frames: dict = {}
        #: every frame run's decomposition in the order they ran ("frame run k" is runs[k - 1])
        self.runs: list = []
        self.residuals: dict = {}  # id -> (decomposition kept alive, residual)
        #: (id(decomposition), setting) -> (decomposition, leakage-free distributions): the
        #: settings Eve's full attack is evaluated at (not the search's quick estimates)
        self.distributions: dict = {}
        #: (setting, decomposition or "trivial", leakage, model, groups) -> attack entries
        #: (:meth:`memo`; cleared per leakage point)
        self.attack_cache: dict = {}
        #: the frame runs' own randomness (their frames and the engine's seeds), a function of
        #: this seed, the setting and the run's index there (:meth:`_setting_rng`), apart from
        #: the attacks' draws and the order of the evaluations: a setting gets the same frame
        #: runs at every point of a grid, and the engine answers them from its cache
        self._frame_seed = int(rng.integers(2**63))
        self._rng_state = rng.bit_generator.state

    def new_point(self) -> None:
        """Start a leakage point as a request of its own would: the random stream where it was
        after the input frame's decomposition, no frame runs and no attacks yet.  The
        points of a leakage grid then equal single-point requests (and sweeps) at the same
        leakage; a frame run that comes up again is answered from the engine's cache."""
        self.rng.bit_generator.state = self._rng_state
        self.frames, self.runs, self.near_frames = {}, [], {}
        self.attack_cache.clear()
        # the last point's frame runs are dropped with what they pinned (a long grid stays
        # small); the input frame's and the trivial decomposition's entries are kept
        kept = (self.base, self.trivial, self.near)
        self.distributions = {k: v for k, v in self.distributions.items()
                              if any(v[0] is d for d in kept)}
        self.residuals = {k: v for k, v in self.residuals.items() if any(v[0] is d for d in kept)}

    def frame_decompositions(self, setting: _Setting) -> list[tuple[str, _Decomposition]] | None:
        """Decompositions adapted to ``setting`` ([] for Z; None when the engine budget of
        frame runs is spent: the setting then has only the input frame's)."""
        if not self.adapt or any(u is None for u in setting.unitaries) or setting.is_computational:
            return []
        key = _frame_key(setting)
        if key in self.frames:
            return self.frames[key]
        us = _canonical_frame(setting.unitaries)
        if self.iso_pair:
            out = [("aligned with party 0", _rotated(self.base, [us[0], us[0].conj()],
                                                     "rotated by U_A x conj(U_A)")),
                   ("aligned with party 1", _rotated(self.base, [us[1].conj(), us[1]],
                                                     "rotated by conj(U_B) x U_B"))]
        else:
            if self.frame_budget is not None and len(self.runs) >= self.frame_budget:
                return None
            out = [self._run(us, self._setting_rng(key, 0))]
        self.frames[key] = out
        return out

    def near_decompositions(self, setting: _Setting) -> list[tuple[str, _Decomposition]]:
        r"""The near-isotropic Eq. (9) decomposition for ``setting`` ([] without one): as it is at Z
        and for POVM settings; otherwise its members rotated by :math:`U_A\otimes\bar U_A`
        (aligned with party 0) and by :math:`\bar U_B\otimes U_B` (with party 1), which leave
        Eq. (9)'s separable state and so the decomposition of the source unchanged."""
        if self.near is None:
            return []
        if setting.is_computational or any(u is None for u in setting.unitaries):
            return [("near-isotropic Eq. (9)", self.near)]
        key = _frame_key(setting)
        if key not in self.near_frames:
            us = _canonical_frame(setting.unitaries)
            self.near_frames[key] = [
                ("near-isotropic Eq. (9), aligned with party 0",
                 _rotated(self.near, [us[0], us[0].conj()], "rotated by U_A x conj(U_A)", False)),
                ("near-isotropic Eq. (9), aligned with party 1",
                 _rotated(self.near, [us[1].conj(), us[1]], "rotated by conj(U_B) x U_B", False))]
        return self.near_frames[key]

    def _setting_rng(self, key: tuple, index: int) -> np.random.Generator:
        """The generator of the ``index``-th frame run of the setting with :func:`_frame_key`
        ``key``: seeded by the request's frame seed, the setting and the index only."""
        import hashlib

        digest = hashlib.blake2b(b"".join(key), digest_size=8).digest()
        return np.random.default_rng([self._frame_seed, int.from_bytes(digest, "little"), index])

    def _run(self, unitaries, rng, random_frame: bool = False) -> tuple[str, _Decomposition]:
        """A frame run in the frame of ``unitaries`` (the setting's, or ``random_frame``: a
        Haar-random one, named so), numbered and kept in :attr:`runs`: an
        alternative to the input frame's decomposition (the min over both is taken, and every
        later setting may use it), the engine's quick local ascent from fresh random product
        states (~0.15 s at 3x3; a full engine run, ~1 s, gave no better bounds,
        docs/routes.md); where the ascent does not apply (rank-deficient inputs), column
        generation within the engine's minimum budget."""
        where = "a random local frame" if random_frame else "a searched setting's frame"
        dec = _frame_decomposition(self.source, unitaries, rng, self.progress,
                                   self.base.outer, where)
        self.runs.append(dec)
        name = "random frame" if random_frame else "setting's frame"
        return f"{name} (frame run {len(self.runs)})", dec

    def restart(self, setting: _Setting) -> bool:
        """One more frame run for ``setting`` (the engine's quick ascent from fresh random product
        states: a restart) while the setting has fewer than :data:`MAX_FRAME_RUNS` runs of its
        own and the request fewer than :data:`MAX_TOTAL_FRAME_RUNS`; False when none ran (budget
        spent, a recognised family, or a POVM setting).

        A setting's runs are a function of the request's frame seed and the setting alone, in
        the same order whichever question asks (:meth:`_setting_rng`): its own frame first (a
        setting other than Z, as its first evaluation runs it), then alternately its bases
        rephased (the same measurement, another matrix for the engine; Z starts here) and a
        Haar-random local frame (the engine's runs in its own frame can all end in
        decompositions that are poor at this setting, docs/routes.md).  The branch and bound
        gives the setting it reports all its runs while its value is positive, so a search's
        value is at most the value of a question at the reported setting alone (whose
        decompositions are those runs; the search adds the other settings' runs), and
        Eve's attacks on a decomposition do not depend on the order of the evaluations
        (:meth:`attack_rng`)."""
        if (not self.adapt or not self.restarts or self.frame_budget is None
                or len(self.runs) >= MAX_TOTAL_FRAME_RUNS
                or any(u is None for u in setting.unitaries)):
            return False
        key = _frame_key(setting)
        own = self.frames.get(key) or []
        k = len(own)
        if k >= self.frame_budget:
            return False
        us = _canonical_frame(setting.unitaries)
        if k == 0 and not setting.is_computational:
            # (its first evaluation found the request's first-run budget spent: the run it
            # would have had)
            run = self._run(us, self._setting_rng(key, 0))
        else:
            rng = self._setting_rng(key, 1 + k)
            if k % 2 == 0:
                frame = [u * np.exp(2j * np.pi * rng.random(len(u))) for u in us]
            else:
                frame = [_haar(len(u), rng) for u in us]
            run = self._run(frame, rng, random_frame=k % 2 == 1)
        self.frames[key] = own + [run]
        return True

    def own_runs(self, setting: _Setting) -> int:
        """Frame runs of ``setting`` itself so far (its restarts included)."""
        if any(u is None for u in setting.unitaries):
            return 0
        return len(self.frames.get(_frame_key(setting)) or [])

    def attack_rng(self, setting: _Setting, what, leak: float, model: str,
                   groups) -> np.random.Generator:
        """The random starts of Eve's attack on decomposition ``what`` (or ``"trivial"``) at
        ``setting``: seeded by the request's frame seed and the question (setting,
        decomposition, leakage, model, party groups) alone, so that the same attack gets the
        same starts whichever order the evaluations run in (a search and a question at one
        setting, the branch and bound and an exhaustive loop)."""
        import hashlib

        h = hashlib.blake2b(digest_size=8)
        if all(u is not None for u in setting.unitaries):
            for part in _frame_key(setting):
                h.update(part)
        else:
            for povm in setting.povms:
                h.update(np.round(np.asarray(povm.elements), 12).tobytes())
        if isinstance(what, str):
            h.update(what.encode())
        else:
            h.update(np.float64(what.q).tobytes())
            h.update(np.round(np.asarray(what.weights, dtype=float), 12).tobytes())
            for v in what.vectors:
                h.update(np.round(np.asarray(v), 12).tobytes())
        h.update(repr((float(leak), model, groups)).encode())
        return np.random.default_rng([self._frame_seed, int.from_bytes(h.digest(), "little")])

    def residual(self, dec: _Decomposition) -> float:
        """:func:`_decomposition_residual` of one of Eve's decompositions (once per grid)."""
        if id(dec) not in self.residuals:
            self.residuals[id(dec)] = (dec, _decomposition_residual(self.source.matrix, dec))
        return self.residuals[id(dec)][1]

    def decompositions(self, setting, pooled: bool = True):
        """(decompositions for ``setting``, adapted?, complete?): the input frame's, the setting's
        own frame runs' (its restarts included) and, ``pooled``, every other frame run's;
        ``complete``: they include the whole pool."""
        frames = self.frame_decompositions(setting)
        adapted = frames is not None
        decs = [("input frame", self.base)] + self.near_decompositions(setting) + (frames or [])
        mine = {id(d) for _, d in decs}
        others = [(f"frame run {i + 1}", d) for i, d in enumerate(self.pool()) if id(d) not in mine]
        if pooled:
            # every frame run's decomposition is a decomposition of the same rho: Eve may use it
            # at any setting (near-identical settings of a search get very different frame runs)
            decs += others
        return decs, adapted, pooled or not others

    def memo(self, setting, what, leak, model, groups, compute):
        """``compute()`` once per (setting, ``what``, leakage, model, groups): the branch and
        bound re-evaluates a setting when the pool grew, and only new decompositions cost.  Keys
        hold ids; the entry keeps ``setting`` and ``what`` alive, so an id is not reused while
        it is cached."""
        key = (id(setting), what if isinstance(what, str) else id(what), leak, model, repr(groups))
        if key not in self.attack_cache:
            self.attack_cache[key] = (setting, what, compute())
        return self.attack_cache[key][2]

    def pool(self) -> list:
        """The decompositions of every frame run so far, in the order they ran (none for
        isotropic pairs: their covariant rotations are per setting, not pooled)."""
        if self.iso_pair:
            return []
        return list(self.runs)


def _frame_key(setting: _Setting) -> tuple:
    """:attr:`_Eve.frames`' key of a setting of unitaries: its :func:`_canonical_basis` (a basis
    with rephased vectors is the same measurement, and the same key)."""
    return setting.frame_key


def _canonical_basis(u) -> NDArray:
    """One representative of the basis measured by the unitary ``u`` (its columns): each
    column's phase fixed (its first entry within 1e-9 of its largest modulus made real and
    positive), rounded to 12 digits.  ``U`` and ``U D`` (D diagonal phases), the vectors of a
    projective POVM and a unitary read back from the JSON (12 digits) give the same bits."""
    u = np.asarray(u, dtype=complex)
    mod = np.abs(u)
    lead = np.argmax(mod >= mod.max(axis=0) - 1e-9, axis=0)
    top = u[lead, np.arange(u.shape[1])]
    return np.round(u * (np.abs(top) / top)[None, :], 12) + 0.0   # (+ 0.0: no negative zeros)


def _canonical_frame(unitaries) -> list:
    """The frames of Eve's frame runs: each :func:`_canonical_basis`, made exactly unitary again
    (the Q of its QR decomposition with R's diagonal positive, ~1e-12 from it), a function of
    the representative alone, so that every form of one measurement gives the engine the same
    matrix (its runs, and the bound, do not depend on the phases or round-off a setting came
    with)."""
    out = []
    for u in unitaries:
        q, r = np.linalg.qr(_canonical_basis(u))
        d = np.diag(r)
        out.append(q * (d / np.abs(d))[None, :])
    return out


def _evaluate(eve: _Eve, setting: _Setting, leak: float, model: str, groups, pooled: bool = True,
              stop_below: float | None = None):
    """Every attack's value at one setting (bits, before 1/(N-1)), Eve's best decomposition for
    each, and the winner's certificate (``pooled``: with every frame run's decomposition, else
    the input frame's and the setting's own; ``pool_complete`` says whether the pool was used).

    ``stop_below``: stop as soon as an attack Eve may use reaches a value at or below it (the
    trivial decomposition first, then hers in order); such a result is ``{"value": v,
    "partial": True}`` with ``v <= stop_below`` a valid bound at this setting, not its minimum
    (the cut bound's branch and bound only needs to know that the setting cannot win)."""
    decs, adapted, complete = eve.decompositions(setting, pooled)

    def trivial():
        return eve.memo(setting, "trivial", leak, model, groups,
                        lambda: _trivial_entries(eve, setting, leak, model, groups))

    paper, extended = [], []
    for name, dec in decs:
        if stop_below is not None:
            so_far = _lowest_allowed(eve, paper, extended, trivial())
            if so_far <= stop_below:
                return {"value": so_far, "partial": True}
        pa, ex = eve.memo(setting, dec, leak, model, groups,
                          lambda dec=dec: _attack_entries(eve, setting, leak, model, groups, dec))
        paper.append((pa[0], name, dec, pa[1]))
        if ex is not None:
            extended.append((ex[0], name, dec, ex[1]))
    out = _evaluate_rest(eve, adapted, paper, extended, trivial())
    out["pool_complete"] = complete
    out["partial"] = False
    return out


def _lowest_allowed(eve, paper, extended, trivial) -> float:
    """The lowest value among the entries so far of the attacks ``eve.attack`` allows (inf if
    none): :func:`_evaluate_rest`'s candidates, before all decompositions are in."""
    no_sol, trivial_entry = trivial
    values = []
    if eve.attack in ("best", "paper"):
        values += [r[0] for r in paper]
    if eve.attack in ("best", "extended"):
        values += [r[0] for r in extended] + ([trivial_entry[0]] if trivial_entry else [])
    if eve.attack in ("best", "paper") and eve.use_trivial:
        values.append(0.0 if no_sol.zero_key else no_sol.value)
    return min(values, default=np.inf)


def _attack_entries(eve, setting, leak, model, groups, dec):
    """The paper attack's and (unless ``attack="paper"``) the extended attack's (value, info) on
    one decomposition at one setting; the extended one is None for the paper attack."""
    from ..attacks.eve import minimize_gamma
    from ..attacks.extended import minimize_extended

    rng, dims = eve.attack_rng(setting, dec, leak, model, groups), tuple(eve.source.dims)
    pr = _Problem(dec, dims, leak, model, eve.distributions)
    if eve.attack == "paper":
        c, s, _, _ = pr.arrays(setting)
        sol = minimize_gamma(c, s, groups, rng=rng)
        return (0.0 if sol.zero_key else sol.value,
                {"name": "paper CC attack (Eq. 12)", "gamma": sol.gamma, "p_question": sol.p_question,
                 "method": sol.method, "zero_key": bool(sol.zero_key)}), None
    eqc = pr.extended_class(setting)
    sol = minimize_extended(eqc, groups, rng=rng)
    return (sol.paper_value, {"name": "paper CC attack (Eq. 12)", "method": sol.method}), (sol.value, {
        "name": "extended CC attack (flags forgotten, leaked rounds merged into '?')",
        "moved_leaked_mass": sol.y, "flag_group_fractions": sol.eta,
        "flag_group_masses": eqc.flags.reshape(len(eqc.flags), -1).sum(axis=1),
        "p_question": sol.p_question, "method": sol.method, "zero_key": bool(sol.zero_key)})


def _trivial_entries(eve, setting, leak, model, groups):
    """No attack (the paper attack's value on the trivial decomposition, nothing movable) and,
    for ``"best"``/``"extended"`` with the trivial decomposition, the extended attack on it."""
    from ..attacks.eve import minimize_gamma
    from ..attacks.extended import minimize_extended

    trivial = _Problem(eve.trivial, tuple(eve.source.dims), leak, model, eve.distributions)
    c, s, _, _ = trivial.arrays(setting)
    no_sol = minimize_gamma(c, s, groups, n_starts=0)
    if eve.attack == "paper" or not eve.use_trivial:
        return no_sol, None
    sol = minimize_extended(trivial.extended_class(setting), groups,
                            rng=eve.attack_rng(setting, "trivial", leak, model, groups))
    return no_sol, (sol.value, "trivial", eve.trivial, {
        "name": "extended CC attack on the trivial decomposition (leaked rounds merged into '?')",
        "moved_leaked_mass": sol.y, "p_question": sol.p_question, "method": sol.method,
        "zero_key": bool(sol.zero_key)})


def _evaluate_rest(eve, adapted, paper, extended, trivial):
    """The no-attack and trivial entries and the winner (the second half of :func:`_evaluate`)."""
    no_sol, trivial_entry = trivial
    no_attack = 0.0 if no_sol.zero_key else no_sol.value
    if trivial_entry is not None:
        extended = extended + [trivial_entry]
    best_paper = min(paper, key=lambda r: r[0])
    best_ext = min(extended, key=lambda r: r[0]) if extended else None
    no_entry = ("no_attack", (no_attack, "trivial", eve.trivial,
                              {"name": "no attack (q = 0: Eve learns only leaked outcomes)",
                               "p_question": no_sol.p_question, "zero_key": bool(no_sol.zero_key)}))
    if eve.attack == "best":
        candidates = [("paper", best_paper), ("extended", best_ext)]
        candidates += [no_entry] if eve.use_trivial else []
    elif eve.attack == "extended":
        candidates = [("extended", best_ext)]
    else:
        candidates = [("paper", best_paper)] + ([no_entry] if eve.use_trivial else [])
    # the first wins ties, to ATOL_TIE: round-off (the extended attack's 0.8999999999999942
    # against the paper attack's 0.9 on a Bell state) does not name another attack than the
    # isotropic route does
    lowest = min(kv[1][0] for kv in candidates)
    kind, win = next(kv for kv in candidates if kv[1][0] <= lowest + ATOL_TIE)
    return {"value": float(win[0]), "paper": float(best_paper[0]),
            "extended": None if best_ext is None else float(best_ext[0]),
            "no_attack": float(no_attack), "attack_used": kind, "decomposition": win[1],
            "dec": win[2], "eve": win[3], "adapted": adapted,
            "value_by_decomposition": {r[1]: float(r[0]) for r in (extended or paper)}}


def _qubit_settings(source: Source, quick, terms, n_grid: int, n_polish: int, fallback=None):
    """Two-qubit candidates: Bloch-axis pairs (:func:`~qkdbounds.measurements.qubit.candidate_axis_pairs`),
    then local maximisations of the search objective (:func:`_local_search` on ``terms``) from
    the best ``n_polish`` of them by the quick key."""
    from ..measurements.qubit import bloch_unitary, candidate_axis_pairs

    def setting(a, b):
        return _unitary_setting([bloch_unitary(a), bloch_unitary(b)])

    pairs = candidate_axis_pairs(source.matrix, n_grid)
    settings = [setting(a, b) for a, b in pairs]
    keys = np.array([quick(st) for st in settings])
    starts = [settings[i] for i in np.argsort(-keys, kind="stable")]
    local = _local_search(terms, starts, n_polish, fallback=fallback)
    how = (f"two-qubit search over Bloch axes: (Z,Z) + {n_grid}x{n_grid} Fibonacci-hemisphere "
           f"pairs + {n_grid} max-correlation partners + 3 singular-vector pairs of T, then "
           f"local maximisations (NLopt L-BFGS with the envelope-theorem gradient, <= "
           f"{LOCAL_MAXEVAL} evaluations) of {_objective_name(terms)} from the best {n_polish} "
           f"where it is positive: {len(local)} distinct maxim{'um' if len(local) == 1 else 'a'}")
    return settings, local, how


def _objective_name(terms) -> str:
    kinds = sorted({term[1] for term in terms})
    problems = {id(term[0]) for term in terms}
    forms = len({repr(term[2]) for term in terms})
    return (f"the {' and '.join(kinds)} attack's value on the input frame's decomposition"
            + (" and the trivial one" if len(problems) > 1 else "")
            + (f", the least over the {forms} forms of the reported bound" if forms > 1 else "")
            + (" (the least)" if len(problems) > 1 and forms == 1 else ""))


def _search_settings(source: Source, terms, rng, n_search: int, n_local: int, quick,
                     fallback=None):
    """Candidate settings: Z, ``n_search`` Haar-random ones, and the local maxima of the search
    objective (:func:`_local_search` on ``terms``) from the best ``n_local`` of them by
    ``quick(setting)`` (the branch and bound's upper estimate, memoised by the caller) with
    their objective values.  Returns ``(sampled, [(setting, value), ...], how)``."""
    zs = _unitary_setting([np.eye(d, dtype=complex) for d in source.dims])
    sampled = [zs] + [_unitary_setting([_haar(d, rng) for d in source.dims]) for _ in range(n_search)]
    ranked = sorted(sampled, key=lambda s: -quick(s))
    local = _local_search(terms, ranked, n_local, stop_at_repeat=len(source.dims) >= 3,
                          fallback=fallback)
    how = f"Z plus {n_search} seeded Haar-random local settings (all parties free)"
    if n_local:
        how += (f", then local maximisations (NLopt L-BFGS with the envelope-theorem gradient, <= "
                f"{LOCAL_MAXEVAL} evaluations, over U_i exp(iH_i)) of {_objective_name(terms)} "
                f"from the best {n_local} of them where it is positive"
                + (", stopped at the first that repeats a maximum" if len(source.dims) >= 3
                   else "") + f": {len(local)} distinct maxim{'um' if len(local) == 1 else 'a'}")
    return sampled, local, how


@dataclass(frozen=True, eq=False)
class SourceRateBounds(PointSequence):
    """Result of :func:`source_rate_upper_bound` on a leakage grid: equal-length arrays (bits per
    round) and the per-point :class:`SourceRateBound` results (``points``).  ``extended_value``
    (``attack="paper"``) and ``cut_bound`` (two parties, or ``cut_bound=False``) are None where
    not computed, as in a single point.

    Iterable (over points), indexable, ``len()`` = number of leakage values.
    """

    leakage: NDArray[np.float64]
    value: NDArray[np.float64]
    paper_value: NDArray[np.float64]
    extended_value: NDArray[np.float64] | None
    no_attack_value: NDArray[np.float64]
    lower_bound: NDArray[np.float64]
    verdict: NDArray[np.str_]
    attack_used: NDArray[np.str_]
    points: list = field(repr=False)
    attack: str = "best"
    model: str = "uniform"
    dims: tuple = ()
    unit: str = UNIT
    total_correlation_bound: NDArray[np.float64] | None = None
    cut_bound: NDArray[np.float64] | None = None
    bound_used: NDArray[np.str_] | None = None
    #: per point: the lower bound's method and assumptions, the status and the measurement
    #: labels (as the points' own fields)
    lower_bound_method: NDArray[np.object_] | None = None
    status: NDArray[np.str_] | None = None
    measurements: list | None = None

    def __post_init__(self):
        if self.status is not None:     # (the enum's values, checked: as RateBounds.status)
            from ._results import coerce_status_array

            object.__setattr__(self, "status", coerce_status_array(self.status))

    def table_columns(self) -> dict:
        """The question (scalars) and one column per quantity, one row per leakage."""
        return {"dims": str(list(self.dims)), "model": self.model,
                "attack": self.attack, "leakage": self.leakage,
                "rate_upper_bound": self.value, "paper_value": self.paper_value,
                "extended_value": self.extended_value,
                "no_attack_value": self.no_attack_value,
                "lower_bound": self.lower_bound, "verdict": self.verdict,
                "attack_used": self.attack_used,
                "total_correlation_bound": self.total_correlation_bound,
                "cut_bound": self.cut_bound, "bound_used": self.bound_used}

    def __repr__(self) -> str:
        return (f"SourceRateBounds(dims={list(self.dims)}, model={self.model!r}, "
                f"attack={self.attack!r}, leakage={np.round(self.leakage, 6).tolist()}, "
                f"value={np.round(self.value, 6).tolist()} ({self.unit}), "
                f"verdict={self.verdict.tolist()})")


def source_rate_upper_bound(source, leakage, model: str = "uniform",
                            measurements: str | Sequence = "search", *, attack: str = "best",
                            dims: Sequence[int] | None = None, project: bool = False,
                            cut_bound: bool | None = None, n_search: int = N_SOURCE_SEARCH,
                            n_local: int = N_LOCAL_STARTS, trivial: bool | None = None,
                            lower_bound: bool = True, restarts: bool = True,
                            rng: np.random.Generator | None = None, progress=None,
                            time_budget: float | None = None, callback=None):
    r"""Key-rate upper bound (bits per round) of any source: the one route for sources.

    :math:`R \le \max_x \min_\text{Eve} p(?|x)\,TC(A_1..A_N|?)/(N-1)` (paper 1, Eqs. 14, 29) with
    Eve's decompositions :math:`\rho = q\sigma + (1-q)\tau` chosen per setting (module
    docstring); for N >= 3 with ``attack="best"``, the max over the settings of the min of that
    form and every conference-key cut :math:`p(?|x)I(A_S:A_{S^c}|?)` (one key setting: module
    docstring).  The API, ``qkdbounds state-bound`` (with or without ``--dims``) and sweeps all
    call this function.

    Parameters
    ----------
    source : Source, array_like, path or object with ``.full()``
        The state (see :func:`qkdbounds.states.sources.as_source`): a :class:`Source`, a density
        matrix or ket (float32/complex64 accepted within their precision), a QuTiP ``Qobj``, or
        a ``.npy``/``.npz`` path.
    leakage : float or array_like
        :math:`L \in [0, 1]`, probability that a party's outcome leaks to Eve; a 1-D grid gives
        a :class:`SourceRateBounds` (the decompositions are computed once) of at most
        :data:`~qkdbounds.errors.MAX_LEAKAGE_POINTS` points.
    model : {"uniform", "junk"}
        Leakage in every round (Eq. 11) or only in product rounds (Eq. 20).
    measurements : {"search", "Z", "auto"} or sequence of length N
        The seeded search over the parties' bases (default, as ``state-bound`` and the ``state``
        sweep question: a bound for any choice of projective measurements; two qubits:
        Bloch-axis grid + polish; otherwise Z, Haar-random settings and local maximisations);
        computational bases (``"auto"`` = ``"Z"``: the bound of a protocol measuring Z); or per party
        a unitary ``(d_i, d_i)`` (columns = outcomes), a :class:`~qkdbounds.measurements.povm.POVM`
        or POVM elements ``(n_outcomes, d_i, d_i)``.
    attack : {"best", "paper", "extended"}
        ``"best"`` (default): per setting the minimum over paper 1's attack, the extended attack
        and no attack, on every decomposition Eve has, and for N >= 3 the max over the settings
        of the min of the total-correlation form and every cut -- the bound to quote.  ``"paper"``:
        paper 1's Eq. (12) attack on the certified decomposition(s) alone (reproduces the
        papers; it can lie above the no-attack bound, errata E1.8).  ``"extended"``: the
        extended attack (trivial decomposition included).
    dims : sequence of int, optional
        Local dimensions when ``source`` is not a :class:`Source` (default: from a ``Qobj``, or
        two qubits for a 4 x 4 matrix).
    project : bool
        Project a slightly unphysical matrix (a measured one) to the nearest state first, as
        ``state-bound --project`` (:func:`qkdbounds.states.sources.project_to_state`); ignored
        for a :class:`Source`.
    cut_bound : bool, optional
        Compute the conference-key cut bound for N >= 3 (default True; two parties have one
        cut, whose bound is the total correlation's).
    n_search, n_local : int
        Haar-random settings ([0, 1000]) and local maximisations ([0, 100]) of the search
        beyond two qubits.
    trivial : bool, optional
        Offer Eve the trivial decomposition (q = 0, tau = rho: no attack).  Default: True for
        ``"best"`` and ``"extended"``, False for ``"paper"`` (paper 1's attack alone).
        ``trivial=False`` gives the certified decompositions' attacks alone; ``True`` with
        ``"paper"`` takes the lower of paper 1's attack and no attack per setting.
    lower_bound : bool
        Compute the Devetak-Winter lower bound and the verdict (default True).
    restarts : bool
        Spend the frame budget (:data:`MAX_FRAME_RUNS` runs of the engine) on restarts for the
        top setting while its value is positive -- a question at one setting (Z, given
        measurements) included (default True; docs/routes.md).  False: no restarts, the input
        frame's decomposition and the settings' own frame runs only; fewer random runs make
        the value smoother in the state (the data bounds use it for their candidate states,
        then value Eve's winning one again with restarts: docs/data_bounds.md).
    rng : numpy.random.Generator, optional
        Seeded generator (default ``default_rng(0)``).
    progress : callable, optional
        ``progress(fraction_done)`` during each run of the separability engine (a float in
        [0, 1]; the engine's ``callback``), for progress bars on large sources; the engine's
        up-front time estimate is :func:`qkdbounds.separability.engine_estimate`.
    time_budget : float, optional
        Seconds of the separability engine's run on the input (its ``time_budget``; default its
        own estimate, :func:`qkdbounds.separability.engine_estimate`): its ``route="ascent"``
        (the whole local ascent, no column generation) on full-rank inputs, column generation on
        others.  The runs in searched settings' frames are the engine's quick
        ``route="local_ascent"`` (full-rank inputs; others get column generation within
        :func:`qkdbounds.separability.engine_minimum`).  The engine stops at the budget with its
        best certified decomposition, so on a loaded machine a larger budget gives the same
        decomposition as a quiet machine with the default.
    callback : callable, optional
        ``callback(k)`` after every ``k`` finished leakage points (progress bars over a grid).

    Returns
    -------
    SourceRateBound or SourceRateBounds
        A scalar leakage gives one result, a grid equal-length arrays.

    Raises
    ------
    InputError
        Not a state (see ``as_source``), leakage outside [0, 1] or a grid of more than
        :data:`~qkdbounds.errors.MAX_LEAKAGE_POINTS` points, unknown model / attack /
        measurements, unitaries or POVMs of the wrong size, or a source beyond the engine's size.

    Examples
    --------
    >>> phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    >>> rho = 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4
    >>> r = source_rate_upper_bound(rho, 0.1)          # the bound to quote
    >>> r.attack_used, round(r.value, 6), round(r.paper_value, 6), round(r.no_attack_value, 6)
    ('extended', 0.584787, 0.726476, 0.642243)
    >>> round(source_rate_upper_bound(rho, 0.1, attack="paper").value, 6)   # paper 1's Eq. (9)
    0.726476
    >>> source_rate_upper_bound(rho, [0.0, 0.1]).value.round(4).tolist()     # a leakage grid
    [0.6674, 0.5848]
    """
    from ..states.sources import as_source

    src = as_source(source, dims, project=check_flag("project", project))
    check_choice("model", model, ("uniform", "junk"))
    check_choice("attack", attack, ATTACK_CHOICES)
    n_search = check_int("n_search", n_search, 0, 1000)
    n_local = check_int("n_local", n_local, 0, 100)
    leaks, is_grid = check_leakage_grid(leakage)
    rng = check_rng("rng", rng)
    n = src.n_parties
    cut_bound = n >= 3 if check_flag("cut_bound", cut_bound, allow_none=True) is None else cut_bound
    if isinstance(measurements, str):
        check_choice("measurements", measurements, ("Z", "auto", "search"))
        given = None
    else:
        given = _given_setting(measurements, src.dims)
    symmetric = (isinstance(measurements, str) and measurements == "search"
                 and _ghz_visibility(src.matrix, src.dims) is not None)
    if symmetric:
        # an isotropic GHZ source: Z is its optimal setting (the isotropic route's, whose value
        # every U (x) U* of it gives for two parties), so the search is that one setting
        measurements = "Z"
    use_trivial = attack != "paper" if check_flag("trivial", trivial, allow_none=True) is None else trivial
    if time_budget is not None:
        time_budget = check_real("time_budget", time_budget, 1e-3, 1e6)
    check_callback("callback", callback)   # (before the engine runs)
    check_callback("progress", progress)
    eve = _Eve(src, attack, rng, adapt=True, use_trivial=use_trivial, progress=progress,
               time_budget=time_budget, restarts=check_flag("restarts", restarts))
    points = []
    for leak in leaks:
        eve.new_point()
        point = _point(src, eve, leak, model, measurements, given, attack, cut_bound,
                       n_search, n_local, lower_bound, rng)
        if symmetric:
            point = replace(point, method=point.method + ISOTROPIC_SEARCH_NOTE)
        points.append(point)
        if callback is not None:
            callback(1)
    if not is_grid:
        return points[0]
    return SourceRateBounds(
        np.array(leaks), np.array([p.value for p in points]),
        np.array([p.paper_value for p in points]),
        _optional_column(points, "extended_value"),
        np.array([p.no_attack_value for p in points]),
        np.array([np.nan if p.lower_bound is None else p.lower_bound for p in points]),
        np.array([p.verdict for p in points]), np.array([p.attack_used for p in points]),
        points, attack, model, tuple(src.dims),
        total_correlation_bound=np.array([p.total_correlation_bound for p in points]),
        cut_bound=_optional_column(points, "cut_bound"),
        bound_used=np.array([p.bound_used for p in points]),
        lower_bound_method=np.array([p.lower_bound_method for p in points], dtype=object),
        status=np.array([str(p.status) for p in points]),
        measurements=[p.measurements for p in points])


def _optional_column(points, name: str) -> NDArray | None:
    """The points' ``name`` as an array, or None when no point has it (``extended_value`` of
    ``attack="paper"``, ``cut_bound`` of two parties): not computed is None, as for one point."""
    values = [getattr(p, name) for p in points]
    if all(v is None for v in values):
        return None
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _cut_bound(settings, cuts, evaluate, estimate, start: dict | None = None,
               upper=None) -> tuple[float, dict]:
    r""":math:`\max_x \min_\text{cuts}` ``evaluate(x, cut, below)["value"]`` over ``settings`` by
    branch and bound: settings in decreasing order of their estimate (the min over cuts) until
    none can win by more than ``ATOL_TIE``; a setting's cuts run in increasing order of their
    estimates and stop as soon as one is at or below the best value so far (to ``ATOL_TIE``: its
    min cannot win; the cut most likely to be the minimum comes first, and a setting equal to one
    already evaluated costs one cut).
    ``evaluate(x, cut, below)`` returns :func:`_evaluate`'s dict, or (``below`` not None) any
    ``{"value": v, "partial": True}`` with ``v <= below`` when the value is that low (Eve stops at
    her first attack that low: the setting cannot win).  ``cuts`` may hold any party groups
    (the total-correlation form among them: the reported bound's search).
    The same maximum as evaluating every setting and cut (to ``ATOL_TIE``) when
    ``estimate(x, cut) >= evaluate(x, cut, None)["value"]`` and ``evaluate`` does not depend on
    the order of the calls.  Eve's attacks do not (their random starts are seeded by the
    question, :meth:`_Eve.attack_rng`); her frame runs are limited per request, so a setting
    evaluated in another order can have another pool, and the value can differ from the
    exhaustive loop's in its last digits; each is a valid bound for its settings.

    ``start`` (optional): a setting's value known in full, ``{"setting", "cut", "entry"}`` as
    returned, the best so far before the search (a warm start: settings that cannot beat it
    are skipped).

    ``upper`` (optional, one number per setting): an upper estimate of each setting's min over
    the cuts known without calling ``estimate`` (the total correlation's quick estimate: one of
    the cuts, or above every bipartite one).  Settings are then taken in decreasing order of
    ``upper`` and their cuts are estimated only while it is above the best value so far (most
    settings are never estimated per cut; the same maximum when ``upper`` is above the min of
    the estimates).

    Returns the maximum and its certificate: ``setting`` (index into ``settings``), ``cut``
    (index into ``cuts``), ``entry``, the full (never partial) evaluation of that setting at
    that cut, whose ``value`` is the maximum, and ``entries`` (cut index -> full evaluation) of
    every cut at that setting.  A setting that wins evaluated every cut in full: a partial
    result is at or below the best so far, which ends the setting's cuts."""
    if len(settings) == 1 and start is None:
        entries = {c: evaluate(settings[0], g, None) for c, g in enumerate(cuts)}
        c = min(entries, key=lambda i: entries[i]["value"])
        return float(entries[c]["value"]), {"setting": 0, "cut": c, "entry": entries[c],
                                            "entries": entries}
    if upper is None:
        per_cut = [np.array([estimate(st, g) for g in cuts]) for st in settings]
        keys = np.array([row.min() for row in per_cut])
    else:
        per_cut, keys = [None] * len(settings), np.asarray(upper, dtype=float)
    best, where = (None, None) if start is None else (start["entry"]["value"], start)
    for idx in np.argsort(-keys, kind="stable"):
        if best is not None and keys[idx] <= best + ATOL_TIE:
            break
        if per_cut[idx] is None:      # (``upper``: this setting's cuts estimated only now)
            per_cut[idx] = np.array([estimate(settings[idx], g) for g in cuts])
            if best is not None and per_cut[idx].min() <= best + ATOL_TIE:
                continue
        value, at, entries = np.inf, None, {}
        for c in np.argsort(per_cut[idx], kind="stable"):
            entry = evaluate(settings[idx], cuts[c], None if best is None else best + ATOL_TIE)
            entries[int(c)] = entry
            if entry["value"] < value:
                value, at = entry["value"], (int(c), entry)
            if best is not None and value <= best + ATOL_TIE:
                break       # (its min is at most best + ATOL_TIE: it cannot win)
        else:
            if best is None or value > best:
                best, where = value, {"setting": int(idx), "cut": at[0], "entry": at[1],
                                      "entries": entries}
    return float(best), where


def _branch_and_bound(eve, settings, keys, leak, model, groups, refine=None):
    r"""Max over ``settings`` of Eve's min (:func:`_evaluate`), by branch and bound.

    Every setting carries an upper estimate of its value: its quick key, then the value of its
    last evaluation (a min over the decompositions Eve had then; more can only lower it).  The
    setting with the largest estimate is evaluated: the first time with the input frame's
    decomposition and a frame run of its own (while the budget lasts), again with every frame
    run's decomposition so far (cached attacks: only the new ones are valued).  The search stops
    when the top setting's value was computed with every decomposition Eve has: no other setting
    can then be higher -- and not before the frame budget is spent: while it lasts and the top
    setting's value is positive, it gets another frame run, in its own frame rephased or in a
    random one (:meth:`_Eve.restart`), and is re-evaluated.  A single setting (Z, or given
    measurements) is the case of one candidate: it gets the same restarts as a search's top
    setting, so a search and a question at that setting spend the same effort on Eve's
    decomposition there.
    Ties (to ``ATOL_TIE``) keep the earlier setting in the list (Z first: an isotropic state,
    whose settings U x conj(U) all give its value, reports Z as the isotropic route does).
    ``refine(setting)`` (optional): a tighter upper estimate, asked once for a setting when it
    first reaches the top (the search objective there: the quoted attack on the input frame's
    decomposition, ~5 ms against ~30 ms for Eve's full attack); it is evaluated only if it
    stays on top.
    Returns (result, evaluations).
    """
    estimate = np.array(keys, dtype=float)
    results: dict = {}
    pool_size: dict = {}
    refined: set = set()
    evaluated = 0
    while True:
        est = np.where(np.isnan(estimate), np.inf, estimate)   # (a NaN estimate: evaluate it)
        top = est.max()
        idx = next(i for i in range(len(settings)) if est[i] >= top - ATOL_TIE)
        if refine is not None and idx not in results and idx not in refined:
            refined.add(idx)
            estimate[idx] = min(est[idx], refine(settings[idx]))
            continue
        if idx in results and pool_size[idx] == len(eve.pool()):
            # (a value of 0 cannot be lowered: no restart then -- also when the paper or the
            # extended attack's value beside it is positive: spending the runs on them cost the
            # two-qubit Z question 30 % of its time; paper_value is then the paper attack on the
            # decompositions this question ran, which attack="paper" can undercut)
            if results[idx]["value"] > 0 and eve.restart(settings[idx]):
                continue    # its pool grew: re-evaluated with the new decomposition
            return results[idx], evaluated
        # a first evaluation uses the input frame and the setting's own frame run (as cheap as
        # without a pool); the pool's other decompositions only when the setting is back on top
        r = _evaluate(eve, settings[idx], leak, model, groups, pooled=idx in results)
        evaluated += 1
        r["setting"] = settings[idx]
        results[idx], pool_size[idx] = r, len(eve.pool()) if r["pool_complete"] else -1
        estimate[idx] = r["value"]


def _point(src, eve, leak, model, measurements, given, attack, cut_bound, n_search, n_local,
           want_lower, rng):
    dims, n = tuple(src.dims), src.n_parties
    eve.attack_cache.clear()     # its entries are per leakage point (and pin their settings)
    singletons = [[i] for i in range(n)]
    zs = _unitary_setting([np.eye(d, dtype=complex) for d in dims])
    base_problem = _Problem(eve.base, dims, leak, model)
    trivial_problem = _Problem(eve.trivial, dims, leak, model)
    # the search objective: for two parties the attacks the reported bound takes the min of
    # (the extended ones, on the input frame's and the trivial decomposition); for N >= 3 the
    # paper attack's total correlation on the input frame's decomposition (the extended attack
    # on every form of the reported bound -- the total correlation and each cut, twice --
    # made the 2x2x2 search 2-3x slower)
    forms = [singletons]
    terms = (_search_terms(base_problem, trivial_problem, attack, eve.use_trivial, forms)
             if n == 2 else [(base_problem, "paper", singletons, 1.0 / (n - 1))])
    # where the extended attack leaves no key at a start (near the threshold: often at every
    # start), the run climbs the paper attack's value instead (the quick key's attacks)
    fallback = (_search_terms(base_problem, trivial_problem, "paper", eve.use_trivial, forms)
                if n == 2 and attack != "paper" else None)

    estimates: dict = {}

    def paper_value(setting, groups=None):
        """``base_problem.paper_value`` at ``setting`` (Eve's structured starts), once per
        setting and groups (the entry keeps ``setting`` alive, so its id is not reused)."""
        key = (id(setting), repr(groups))
        if key not in estimates:
            estimates[key] = (setting, base_problem.paper_value(setting, 0, None, groups))
        return estimates[key][1]

    def quick(setting, groups=None):
        """An upper estimate of the setting's value (paper attack on the input frame with Eve's
        structured starts only; capped by no attack): every attack's min is at most this.  Per
        party (the total correlation divided by N - 1, as reported), or for the party groups
        ``groups`` (a cut; not divided).  Computed once per setting and groups: the searches
        share them."""
        key = ("quick", id(setting), repr(groups))
        if key not in estimates:
            value = paper_value(setting, groups)
            if attack != "paper" and eve.use_trivial:   # no-attack is a candidate only with it
                value = min(value, trivial_problem.paper_value(setting, 0, None, groups))
            estimates[key] = (setting, value)
        return estimates[key][1]

    local = []
    if given is not None:
        settings, how = [given], "given measurements"
    elif measurements != "search":
        settings, how = [zs], "computational bases"
    elif dims == (2, 2):
        settings, local, how = _qubit_settings(src, quick, terms, N_QUBIT_GRID, N_QUBIT_POLISH,
                                               fallback)
    else:
        settings, local, how = _search_settings(src, terms, rng, n_search, n_local, quick,
                                                fallback)
    # (a local maximum's key: its quick estimate or the search objective's value there, the
    # smaller -- both are values of explicit attacks on the input frame's decomposition or the
    # trivial one, so above Eve's minimum with every decomposition)
    local_keys = [min(quick(st), value) for st, value in local]
    n_sampled = len(settings)
    settings = settings + [st for st, _ in local]
    if len(settings) > 1:
        how += ("; branch and bound: settings evaluated in decreasing order of an upper estimate "
                "of their value until none can win; multistart heuristic for the outer max, not "
                "a certified maximum")
    # (the estimates on the scale of _evaluate's values: the total correlation, not divided)
    # (with the cut forms in the search objective, its value bounds the min over the forms, not
    # the total correlation alone: the total correlation's search keeps the quick keys)
    keys = (np.array([quick(st) * (n - 1) for st in settings[:n_sampled]]
                     + [(k if len(forms) == 1 else quick(st)) * (n - 1)
                        for (st, _), k in zip(local, local_keys)])
            if len(settings) > 1 else np.zeros(1))
    refine = None
    # (with attack="paper" the objective is the quick key itself: nothing to refine)
    if len(settings) > 1 and n == 2 and attack != "paper" and all(
            u is not None for st in settings for u in st.unitaries):
        def refine(st):
            """The search objective at ``st`` (per party; the scale of the keys)."""
            _, negative, n_params = _local_objective(terms, st.unitaries)
            return -negative(np.zeros(n_params))[0] * (n - 1)
    best, evaluated = _branch_and_bound(eve, settings, keys, leak, model, singletons, refine)
    if (dims == (2, 2) and len(settings) > 1 and attack != "paper" and not eve.iso_pair
            and best["value"] > 0):
        # two qubits: one more local run from the reported setting, on the least of the quoted
        # attack over every decomposition Eve has now (frame runs included), whose maximum sits
        # where her adapted decompositions help her least; the branch and bound then values it
        # like any candidate (random two-qubit states at L = 0: 0.1719 -> 0.1851, 0.1818 ->
        # 0.1875; ~0.1 s)
        decs = [eve.base] + ([eve.trivial] if eve.use_trivial else []) + eve.pool()
        pooled = [(_Problem(d, dims, leak, model), terms[0][1], singletons, 1.0) for d in decs]
        polished = [(st, v) for st, v in _local_search(pooled, [best["setting"]], 1,
                                                       maxeval=POLISH_MAXEVAL)
                    if not _same_measurement(st, best["setting"])]
        if polished:
            st, v = polished[0]
            again, extra = _branch_and_bound(eve, [best["setting"], st],
                                             [best["value"], min(quick(st), v)], leak, model,
                                             singletons)
            settings, evaluated = settings + [st], evaluated + extra
            how += ("; then a local run from the reported setting on the least of the quoted "
                    "attack over all of Eve's decompositions")
            best = again
    if len(settings) > 1:
        how += f" ({len(settings)} candidates, {evaluated} evaluated with Eve's full attack)"
    setting = best["setting"]
    scale = 1.0 / (n - 1)
    value, paper = best["value"] * scale, best["paper"] * scale
    total_correlation = value
    # the total-correlation bound's certificate (its decomposition: the top-level fields)
    reported = tc = _entry_certificate(eve, setting, "total_correlation", None, best, value, dims)
    reported_setting = setting
    best_cut, cut_cert = None, None
    if cut_bound and n >= 3:
        cut_settings, cuts = [setting] if len(settings) == 1 else settings, _cuts(n)

        def evaluate_cut(st, g, below):
            return _evaluate(eve, st, leak, model, g, stop_below=below)

        start = None
        if attack == "best":
            # the bound to quote: the conference key at setting x is below p(?)TC_x/(N-1) and
            # below every cut's p(?)I_x(A_S : A_S^c), so below their minimum; its max over the
            # settings, by the same branch and bound with the total correlation as one more
            # "cut" (per party, divided by N - 1)
            def evaluate_any(st, g, below):
                if g is singletons:
                    e = _evaluate(eve, st, leak, model, g,
                                  stop_below=None if below is None else below / scale)
                    return dict(e, value=e["value"] * scale)
                return evaluate_cut(st, g, below)

            def estimate_any(st, g):
                return quick(st) if g is singletons else quick(st, g)   # (both as evaluated)

            groups = [singletons] + cuts
            # (the total correlation's estimate is one of the min's terms: an upper estimate of
            # the min; a setting's cuts are estimated only when it could still win)
            upper = ([quick(st) for st in cut_settings] if len(cut_settings) == 1 else
                     [quick(st) for st in settings[:n_sampled]] + local_keys)
            while True:
                combined, w = _cut_bound(cut_settings, groups, evaluate_any, estimate_any,
                                         upper=upper)
                # the reported setting gets all its frame runs (as a question at that setting
                # alone), then the search is run again: evaluations are cached, only the new
                # decompositions cost, and values can only go down
                if not (combined > 0 and eve.restart(cut_settings[w["setting"]])):
                    break
            at, entries = cut_settings[w["setting"]], w["entries"]
            reported_setting = at
            if entries[0]["value"] <= combined + ATOL_TIE:      # ties: the total correlation
                reported = _entry_certificate(eve, at, "total_correlation", None, entries[0],
                                              entries[0]["value"], dims)
            else:
                reported = _entry_certificate(eve, at, "cut", groups[w["cut"]], w["entry"],
                                              combined, dims)
            value = reported["value"]
            # the cut bound alone starts from that setting's cuts (each evaluated in full there)
            cut_entries = {c - 1: e for c, e in entries.items() if c > 0}
            c0 = min(cut_entries, key=lambda c: cut_entries[c]["value"])
            start = {"setting": w["setting"], "cut": c0, "entry": cut_entries[c0],
                     "entries": cut_entries}
        # the total correlation (not divided) is at least every bipartite mutual information
        # (TC = I(S : S^c) + TC(S) + TC(S^c)), at Eve's minimising attack and without one: an
        # upper estimate of each setting's cuts (up to Eve's minimisers' error)
        best_cut, where = _cut_bound(cut_settings, cuts, evaluate_cut, quick, start=start,
                                     upper=[quick(st) * (n - 1) for st in cut_settings])
        cut_cert = _entry_certificate(eve, cut_settings[where["setting"]], "cut",
                                      cuts[where["cut"]], where["entry"], best_cut, dims)
    bound_used = reported["form"]
    ext = None if best["extended"] is None else best["extended"] * scale
    no_attack = best["no_attack"] * scale
    decs = ([eve.base] + [x for fr in eve.frames.values() for _, x in fr]
            + ([eve.near] if eve.near is not None else []))
    outers = [d.outer for d in decs if d.outer is not None]
    outer = min(outers) if outers else None
    best_q = max(d.q for d in decs)
    notes = []
    if outer is not None and outer - best_q > GAP_NOTE and value > 0:   # (a 0 bound is tight)
        notes.append(f"separable weight not certified optimal (largest q over Eve's "
                     f"decompositions {best_q:.6g}, outer {outer:.6g}; the decomposition used has "
                     f"q = {tc['separable_weight']:.6g}); the bound may be loose")
    if outer is None and value > 0 and best_q < 1:
        notes.append(f"no outer bound on the separable weight (the engine skipped or could not finish its PPT SDP "
                     f"to stay within its time budget; largest q over Eve's decompositions "
                     f"{best_q:.6g}): the gap to the optimal weight is not known, and the bound "
                     f"may be loose")
    if attack == "paper" and not eve.use_trivial and value > no_attack + ATOL_TIE:
        notes.append(f"paper 1's attack is above the no-attack bound {no_attack:.6g} at these "
                     f"measurements (the default attack='best' includes no attack)")
    if not best["adapted"]:
        notes.append("Eve's decomposition was not re-computed in this setting's frame (frame "
                     "budget spent)")
    elif (value > ATOL_RATE and eve.adapt and eve.restarts and eve.frame_budget is not None
          and all(u is not None for u in reported_setting.unitaries)
          and eve.own_runs(reported_setting) < MAX_FRAME_RUNS):
        notes.append(f"the request's frame runs ({MAX_TOTAL_FRAME_RUNS}) ran out before the "
                     f"reported setting had its {MAX_FRAME_RUNS}: a question at that setting "
                     f"alone may give a lower value")
    # a zero as the verdict reads it: Eve's attack flagged it, or its value is round-off of 0
    # (the extended attack clips its measure without the flag: 3.8e-17 or 0.0 by the last bit
    # of the input)
    zero_key = reported["zero_key"] = bool(reported["zero_key"] or value <= ATOL_RATE)
    if zero_key:
        # (reported as 0: a rate at or below ATOL_RATE is 0 to the attacks' accuracy, and the
        # verdict follows the number shown -- 1.8e-10 beside "no_key" read as a contradiction)
        value = 0.0
    lower, lower_method = None, None
    if want_lower:
        # at the same measurements; in a search Z is a candidate setting, so the Z protocol's
        # lower bound is also below the searched upper bound (which is >= its Z value)
        searching = isinstance(measurements, str) and measurements == "search"
        lower, lower_method = _lower_bound(src, setting, zs if searching else None,
                                           leak, model)
    from .verdict import decide, reported_lower

    lower = reported_lower(value, lower)
    verdict = decide(value, lower)
    # a zero is optimal at its setting; after a search it is optimal for the question (no key at
    # any setting) only when Eve's decomposition is separable (q = 1): otherwise the search, a
    # heuristic, may have missed a setting with key
    searched = isinstance(measurements, str) and measurements == "search" and given is None
    # (no key at any setting: a separable decomposition, or every round leaking in the uniform
    # model -- Eve then holds every outcome)
    everywhere = best_q >= 1 or (leak >= 1 and model == "uniform")
    lone = _product_party(src.matrix, src.dims) if zero_key and searched and not everywhere else None
    if lone is not None:
        # a party in a product state with the rest: its outcomes are independent of the others'
        # at every setting, so the cut {k} | rest carries I = 0 and no setting has key
        everywhere = True
        notes.append(f"party {lone + 1} is in a product state with the others (to 1e-12): its "
                     f"outcomes are independent of theirs at every setting, so the cut "
                     f"{{{lone + 1}}} | rest leaves no key at any setting")
    status = Status.OPTIMAL if zero_key and (not searched or everywhere) else Status.CERTIFIED
    if zero_key and searched and not everywhere:
        notes.append(f"Eve's attack leaves no key at each of the {len(settings)} settings the "
                     f"search tried; the search is a heuristic (not a certified maximum), so a "
                     f"setting it did not try may leave key")
    eve_cert = dict(best["eve"], decomposition=best["decomposition"],
                    value_by_decomposition=best["value_by_decomposition"])
    return SourceRateBound(
        value=float(value), cut_bound=None if best_cut is None else float(best_cut),
        separable_weight=tc["separable_weight"], separable_weight_outer=outer,
        ensemble_size=len(tc["ensemble"]["weights"]), tau_min_eigenvalue=tc["tau_min_eigenvalue"],
        measurements=setting.labels,
        certificate={"measurement_unitaries": setting.unitaries,
                     "measurement_povm_elements": [p.elements for p in setting.povms],
                     "decomposition": tc["decomposition_method"], "attack": eve_cert,
                     "zero_key": zero_key,
                     "decomposition_used": best["decomposition"],
                     # its separable weight q (certified_weights names the runs "frame run k"
                     # where decomposition_used reads "setting's frame (frame run k)")
                     "decomposition_used_weight": float(best["dec"].q),
                     "certified_weights": {"input frame": float(eve.base.q),
                                           **{f"frame run {i + 1}": float(d.q)
                                              for i, d in enumerate(eve.pool())},
                                           **({"near-isotropic Eq. (9)": float(eve.near.q)}
                                              if eve.near is not None else {}),
                                           **({"trivial": 0.0} if eve.use_trivial else {})},
                     "no_attack_bound": float(no_attack),
                     "bound_used": bound_used, "bound": reported, "cut": cut_cert,
                     "ensemble": tc["ensemble"]},
        method=(f"{attack} bound: the {best['attack_used']} attack on Eve's best decomposition "
                f"per setting (won: {best['decomposition']}; {tc['decomposition_method']}); max "
                f"over settings: {how}; "
                f"min over Eve: {best['eve'].get('method', 'closed form')}"
                + ("" if best_cut is None or attack != "best" else
                   f"; reported: the max over the settings of the min of this total-correlation "
                   f"bound and every conference-key cut bound (won: {_bound_name(reported)} at "
                   f"{reported['measurements']})")),
        status=status, message="; ".join(notes), attack=attack, paper_value=float(paper),
        ensemble_residual=tc["ensemble_residual"],
        extended_value=ext, no_attack_value=float(no_attack), attack_used=best["attack_used"],
        lower_bound=lower, lower_bound_method=lower_method, verdict=verdict, leakage=leak,
        model=model, dims=dims, total_correlation_bound=float(total_correlation),
        bound_used=bound_used)


def _bound_name(cert: dict) -> str:
    """``"total correlation"`` or ``"cut S|S^c"`` (parties numbered from 1) of a certificate of
    :func:`_entry_certificate`."""
    if cert["form"] != "cut":
        return "total correlation"
    s, rest = cert["parties"]
    return f"cut {''.join(str(i + 1) for i in s)}|{''.join(str(i + 1) for i in rest)}"


def _entry_certificate(eve, setting, form: str, parties, entry: dict, value: float, dims) -> dict:
    """The certificate of one bound at one setting: ``form`` (``"total_correlation"``, or
    ``"cut"`` across ``parties`` = [S, S^c]), the setting, Eve's winning attack on her winning
    decomposition (:func:`_evaluate`'s full ``entry``) and that decomposition's explicit product
    ensemble (where no attack won: the certified separable one beside it)."""
    dec = eve.base if entry["decomposition"] == "trivial" else entry["dec"]
    return {"value": float(value), "form": form, "parties": parties,
            "measurements": setting.labels, "measurement_unitaries": setting.unitaries,
            "measurement_povm_elements": [p.elements for p in setting.povms],
            "attack_used": entry["attack_used"], "decomposition": entry["decomposition"],
            "attack": entry["eve"], "zero_key": bool(entry["eve"].get("zero_key", value <= 0)),
            "separable_weight": float(dec.q), "ensemble_residual": eve.residual(dec),
            "tau_min_eigenvalue": float(dec.tau_low), "decomposition_method": dec.how,
            "ensemble": {"weights": dec.weights, "vectors": dec.vectors, "dims": list(dims)}}


def _lower_bound(src, setting, zs, leak, model):
    """Devetak-Winter lower bound of the source itself (Eve holds the purification) at the
    reported setting, or the larger of that and Z's (``zs``) after a search."""
    from .lower import devetak_winter_lower_bound

    best, at = None, None
    settings = [setting] if zs is None or setting.is_computational else [setting, zs]
    for st in settings:
        lb = devetak_winter_lower_bound(src, st.povms, leak, model)
        if best is None or lb.value > best.value:
            best, at = lb, st
    if len(settings) == 1:
        return float(best.value), best.method
    # (the verdict asks whether key is possible: a rate the parties reach with either setting)
    where = ("at the computational (Z) bases" if at is zs else "at the searched setting")
    return float(best.value), (f"{best.method}; {where}, the larger of its values at the searched "
                               f"setting and at Z (key is possible with whichever is larger)")
