r"""Closed-form separable weights and explicit product ensembles of the twirl-symmetric families.

For a state fixed by a twirl (:mod:`.twirls`) the optimal decomposition
:math:`\rho = q\sigma + (1-q)\tau` may be taken inside the family, so :math:`q` is a closed form
(valid for every d, prime or not):

* **Werner** (:math:`U\otimes U`): separable iff :math:`p_a \le 1/2` (Werner, PRA 40, 4277
  (1989)); :math:`q = \min(1, 2(1-p_a))` with :math:`\sigma` at :math:`p_a = 1/2` and
  :math:`\tau = P_a/\binom d2`.
* **Isotropic** (:math:`U\otimes\bar U`): separable iff :math:`F \le 1/d` (Horodecki &
  Horodecki, PRA 59, 4206 (1999)); :math:`q = \min(1, d(1-F)/(d-1))` with :math:`\sigma` at
  :math:`F=1/d` and :math:`\tau = |\Phi\rangle\langle\Phi|`.
* **Dür–Cirac GHZ-diagonal N qubits** (:math:`\lambda_k^+ = \lambda_k^-` for :math:`k \ne 0`):
  fully separable iff :math:`|\lambda_0^+-\lambda_0^-| \le 2\lambda_k` for every
  :math:`k \ne 0` (Dür, Cirac & Tarrach, PRL 83, 3562 (1999); Dür & Cirac, PRA 61, 042314
  (2000)); the best separable part keeps every :math:`\lambda_k` and the smaller of
  :math:`\lambda_0^\pm`, so :math:`q = 1 - \max(0, |\lambda_0^+-\lambda_0^-| - 2\min_{k\ne0}
  \lambda_k)` and :math:`\tau = |\Psi_0^\pm\rangle\langle\Psi_0^\pm|`.  This family contains
  the N-qubit GHZ state with white noise, for which it is paper 1's Eq. (8) weight.

**Ensembles** (all finite and explicit; reassembly is checked by the engine):

* isotropic :math:`F = 1/d`: :math:`\frac{d}{d+1}\mathbb E_{a,b\in\mathbb Z_p}
  |\psi_{ab}\rangle\langle\psi_{ab}|\otimes|\bar\psi_{ab}\rangle\langle\bar\psi_{ab}|
  + \frac1{d(d+1)}\sum_k|kk\rangle\langle kk|` with :math:`\psi_{ab}(k) = \omega_p^{ak+bk^2}/\sqrt d`,
  :math:`p` the smallest odd prime :math:`\ge d`: a two-parameter phase family whose average
  keeps exactly the coherences :math:`|kk\rangle\langle ll|` (from :math:`k+l' = l+k'` and
  :math:`k^2+l'^2 = l^2+k'^2` mod :math:`p` follows :math:`\{k,l'\} = \{l,k'\}`), the
  discrete version of twirling :math:`|00\rangle` over :math:`U\otimes\bar U` (paper 1's Eq. (9)
  uses :math:`\mathbb Z_3^{d-1}` phases, :math:`3^{d-1}` members; this one has :math:`p^2`);
* isotropic :math:`F = 0`: :math:`\mathbb 1-\Phi = \sum_{k<l} B_{kl}` with the two-qubit blocks
  :math:`B_{kl} = \tfrac2d|\Phi^-_{kl}\rangle\langle\Phi^-_{kl}| + |kl\rangle\langle kl|
  + |lk\rangle\langle lk|` (:math:`\Phi^-_{kl} = (|kk\rangle-|ll\rangle)/\sqrt2`), each
  Bell-diagonal with weights :math:`\le 1/2`, hence separable, written by Wootters' construction;
* any separable isotropic :math:`F\in[0,1/d]` is the mixture :math:`dF\cdot(F{=}1/d) + (1-dF)
  \cdot(F{=}0)`; a separable Werner state is the partial transpose of the isotropic state with
  :math:`F = (1-2p_a)/d` (conjugate party B's vectors);
* Dür–Cirac: :math:`\sigma = D + \tfrac{\Delta}2(|0^N\rangle\langle1^N| + h.c.)` is
  :math:`2^{N-1}|\Delta|` times the average over :math:`\bigotimes_j(|0\rangle +
  e^{i\theta_j}|1\rangle)/\sqrt2` with :math:`\theta_j\in\frac{2\pi}3\mathbb Z_3`,
  :math:`\sum_j\theta_j \equiv 0` (or :math:`\pi` for :math:`\Delta<0`) (:math:`3^{N-1}`
  members; paper 1's Eq. (9) trick) plus the remaining diagonal as computational product states.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_int, check_real
from . import twirls
from ._exact import wootters_ensemble

__all__ = ["FamilyDecomposition", "isotropic_separable_ensemble", "werner_separable_ensemble",
           "dur_cirac_separable_ensemble", "bell_diagonal_decomposition", "family_decomposition",
           "ATOL_SYMMETRY"]

#: Max-entry distance to the twirled state below which a state counts as symmetric.
ATOL_SYMMETRY = 1e-9
#: Largest local dimension for the family ensembles (p^2 + 2 d(d-1) + d members).
MAX_FAMILY_DIM = 64


@dataclass(frozen=True)
class FamilyDecomposition:
    """Closed-form optimum inside a symmetric family.

    Attributes
    ----------
    family : str
        ``"werner"``, ``"isotropic"`` or ``"dur_cirac"``.
    parameter : float
        :math:`p_a`, :math:`F`, or :math:`|\\lambda_0^+-\\lambda_0^-| - 2\\min_k\\lambda_k`.
    weight : float
        The closed-form largest separable weight :math:`q`.
    sigma : ndarray, shape (D, D)
        The separable part the ensemble stands for.
    ensemble_weights : ndarray, shape (n,)
    ensemble_vectors : list of ndarrays, party i of shape (n, d_i)
    reason : str
        The closed form and its citation.
    """

    family: str
    parameter: float
    weight: float
    sigma: NDArray[np.complex128]
    ensemble_weights: NDArray[np.float64]
    ensemble_vectors: list
    reason: str


def _odd_prime_at_least(n: int) -> int:
    p = max(3, n)
    while any(p % f == 0 for f in range(2, int(p**0.5) + 1)):
        p += 1
    return p


def _isotropic_one_over_d(d: int):
    """Ensemble of the isotropic state with F = 1/d (module docstring)."""
    p = _odd_prime_at_least(d)
    k = np.arange(d)
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    expo = (a.ravel()[:, None] * k + b.ravel()[:, None] * k * k) % p
    psi = np.exp(2j * np.pi * expo / p) / np.sqrt(d)
    basis = np.eye(d, dtype=complex)
    weights = np.concatenate([np.full(p * p, d / ((d + 1) * p * p)), np.full(d, 1 / (d * (d + 1)))])
    return weights, [np.vstack([psi, basis]), np.vstack([psi.conj(), basis])]


def _isotropic_zero(d: int):
    """Ensemble of (1 - Phi)/(d^2 - 1) from separable two-qubit blocks (module docstring)."""
    block = np.zeros((4, 4), dtype=complex)
    minus = np.array([1, 0, 0, -1]) / np.sqrt(2)
    block += (2 / d) * np.outer(minus, minus)
    block[1, 1] += 1
    block[2, 2] += 1
    w2, (a2, b2), _ = wootters_ensemble(block)
    weights, avec, bvec = [], [], []
    for k, l in itertools.combinations(range(d), 2):
        embed = np.zeros((2, d), dtype=complex)
        embed[0, k] = embed[1, l] = 1
        weights.append(w2)
        avec.append(a2 @ embed)
        bvec.append(b2 @ embed)
    return np.concatenate(weights) / (d * d - 1), [np.vstack(avec), np.vstack(bvec)]


def isotropic_separable_ensemble(local_dim: int, fidelity: float):
    r"""Explicit product ensemble of the separable isotropic state with fidelity ``F``.

    Parameters
    ----------
    local_dim : int
        :math:`d`, 2 to 64 (any d, prime or not).
    fidelity : float
        :math:`F = \langle\Phi|\rho|\Phi\rangle \in [0, 1/d]`.

    Returns
    -------
    weights : ndarray, shape (n,)
        Sum 1; :math:`n \le p^2 + d + 2d(d-1)`.
    vectors : list of two ndarrays, shape (n, d) each

    Raises
    ------
    InputError
        ``local_dim`` outside [2, 64] or ``fidelity`` outside [0, 1/d].

    Examples
    --------
    >>> import numpy as np
    >>> from qkdbounds.separability._ensemble import mix
    >>> from qkdbounds.separability.twirls import isotropic_fidelity
    >>> w, vecs = isotropic_separable_ensemble(4, 0.25)
    >>> round(isotropic_fidelity(mix(w, vecs), 4), 12)
    0.25
    """
    d = check_int("local_dim", local_dim, 2, MAX_FAMILY_DIM)
    f = check_real("fidelity", fidelity, 0.0, 1.0 / d + 1e-12)
    t = min(1.0, d * f)
    parts = []
    if t > 0:
        parts.append((t, _isotropic_one_over_d(d)))
    if t < 1:
        parts.append((1 - t, _isotropic_zero(d)))
    weights = np.concatenate([c * w for c, (w, _) in parts])
    vectors = [np.vstack([v[i] for _, (_, v) in parts]) for i in range(2)]
    return weights, vectors


def werner_separable_ensemble(local_dim: int, antisymmetric_weight: float):
    r"""Explicit product ensemble of the separable Werner state with antisymmetric weight
    :math:`p_a \in [0, 1/2]`: the partial transpose of the isotropic ensemble with
    :math:`F = (1-2p_a)/d` (party B's vectors conjugated).

    Parameters
    ----------
    local_dim : int
        :math:`d`, 2 to 64.
    antisymmetric_weight : float
        :math:`p_a = \mathrm{tr}(\rho P_a) \in [0, 1/2]`.

    Returns
    -------
    weights : ndarray, shape (n,)
    vectors : list of two ndarrays, shape (n, d) each

    Raises
    ------
    InputError
        ``local_dim`` outside [2, 64] or ``antisymmetric_weight`` outside [0, 1/2].

    Examples
    --------
    >>> from qkdbounds.separability._ensemble import mix
    >>> from qkdbounds.separability.twirls import antisymmetric_weight
    >>> w, vecs = werner_separable_ensemble(6, 0.5)
    >>> round(antisymmetric_weight(mix(w, vecs), 6), 12)
    0.5
    """
    d = check_int("local_dim", local_dim, 2, MAX_FAMILY_DIM)
    p_a = check_real("antisymmetric_weight", antisymmetric_weight, 0.0, 0.5)
    weights, (a, b) = isotropic_separable_ensemble(d, max(0.0, (1 - 2 * p_a) / d))
    return weights, [a, b.conj()]


def dur_cirac_separable_ensemble(lam_plus0: float, lam_minus0: float, lam_k) -> tuple:
    r"""Explicit product ensemble of a separable Dür–Cirac state (unnormalised weights).

    Parameters
    ----------
    lam_plus0, lam_minus0 : float
        :math:`\lambda_0^\pm \ge 0`.
    lam_k : array_like, shape (2^{N-1} - 1,)
        :math:`\lambda_k` for :math:`k = 1..2^{N-1}-1` (shared by :math:`\Psi_k^\pm`), each
        :math:`\ge |\lambda_0^+-\lambda_0^-|/2` (Dür & Cirac's separability condition).

    Returns
    -------
    weights : ndarray, shape (n,)
        Sum :math:`\lambda_0^++\lambda_0^-+2\sum_k\lambda_k`; :math:`n \le 3^{N-1} + 2^N`.
    vectors : list of N ndarrays, shape (n, 2) each

    Raises
    ------
    InputError
        Negative weights or the separability condition violated (beyond 1e-12).
    """
    lam_k = np.asarray(lam_k, dtype=float)
    n = int(round(np.log2(2 * (lam_k.size + 1))))
    if 2 ** (n - 1) != lam_k.size + 1 or n < 2:
        raise InputError(f"lam_k must have 2^(N-1) - 1 entries, got {lam_k.size}")
    if min(lam_plus0, lam_minus0, lam_k.min(initial=np.inf)) < -1e-12:
        raise InputError("Dür-Cirac weights must be non-negative")
    delta = lam_plus0 - lam_minus0
    if abs(delta) > 2 * lam_k.min(initial=np.inf) + 1e-12:
        raise InputError(f"not separable: |lambda_0^+ - lambda_0^-| = {abs(delta):.3g} exceeds "
                         f"2 min lambda_k = {2 * lam_k.min():.3g}")
    half = 2 ** (n - 1)
    diag = np.zeros(2**n)
    k = np.arange(1, half)
    diag[k] = diag[half + (half - 1 - k)] = lam_k
    diag[0] = diag[-1] = (lam_plus0 + lam_minus0) / 2
    w_phase = half * abs(delta)
    diag = np.clip(diag - abs(delta) / 2, 0, None)
    weights, vecs = [], [[] for _ in range(n)]
    if w_phase > 0:
        offset = 0.0 if delta > 0 else np.pi
        members = list(itertools.product(range(3), repeat=n - 1))
        for t in members:
            theta = 2 * np.pi * np.array(list(t) + [-sum(t)]) / 3
            theta[-1] += offset
            weights.append(w_phase / len(members))
            for j in range(n):
                vecs[j].append(np.array([1, np.exp(1j * theta[j])]) / np.sqrt(2))
    basis = np.eye(2, dtype=complex)
    for idx in np.flatnonzero(diag > 0):
        weights.append(diag[idx])
        bits = [(idx >> (n - 1 - j)) & 1 for j in range(n)]
        for j in range(n):
            vecs[j].append(basis[bits[j]])
    return np.array(weights), [np.array(v).reshape(-1, 2) for v in vecs]


def _normalised(weights, vectors):
    total = float(np.sum(weights))
    return np.asarray(weights) / total, vectors


def family_decomposition(rho: NDArray, dims: tuple[int, ...],
                         atol: float = ATOL_SYMMETRY) -> FamilyDecomposition | None:
    r"""The closed-form optimum if ``rho`` is (to ``atol``, max entry) fixed by a family's twirl.

    Checks, in order: isotropic and Werner (two parties of equal dimension d <= 64), Dür–Cirac
    (N >= 2 qubits), Bell-diagonal (two qubits, :func:`bell_diagonal_decomposition`).  Returns ``None`` when no symmetry holds.

    Parameters
    ----------
    rho : ndarray, shape (D, D)
    dims : tuple of int
    atol : float
        Symmetry tolerance (default 1e-9).

    Returns
    -------
    FamilyDecomposition or None
    """
    rho = np.asarray(rho, dtype=complex)
    if len(dims) == 2 and dims[0] == dims[1] and dims[0] <= MAX_FAMILY_DIM:
        d = dims[0]
        if np.abs(twirls.isotropic_twirl(rho, d) - rho).max() <= atol:
            f = twirls.isotropic_fidelity(rho, d)
            if f <= 1 / d:
                q, fs = 1.0, max(0.0, f)
            else:
                q, fs = min(1.0, d * (1 - f) / (d - 1)), 1 / d
            w, v = isotropic_separable_ensemble(d, fs)
            sigma = rho if q == 1 else twirls.isotropic_twirl(np.diag(np.eye(d * d)[0]), d)
            return FamilyDecomposition(
                "isotropic", f, q, sigma, w, v,
                f"U(x)conj(U)-invariant (isotropic) state, F = {f:.6g}: separable iff F <= 1/d "
                f"(Horodecki & Horodecki, PRA 59, 4206 (1999)); twirling makes the optimal "
                f"decomposition isotropic, q = min(1, d(1-F)/(d-1))")
        if np.abs(twirls.werner_twirl(rho, d) - rho).max() <= atol:
            p_a = twirls.antisymmetric_weight(rho, d)
            if p_a <= 0.5:
                q, ps = 1.0, max(0.0, p_a)
            else:
                q, ps = min(1.0, 2 * (1 - p_a)), 0.5
            w, v = werner_separable_ensemble(d, ps)
            if q == 1:
                sigma = rho
            else:
                sigma = twirls.werner_twirl(np.diag(np.eye(d * d)[1]), d)  # |01>: p_a = 1/2
            return FamilyDecomposition(
                "werner", p_a, q, sigma, w, v,
                f"U(x)U-invariant (Werner) state, p_a = {p_a:.6g}: separable iff p_a <= 1/2 "
                f"(Werner, PRA 40, 4277 (1989)); twirling makes the optimal decomposition "
                f"Werner, q = min(1, 2(1 - p_a))")
    if all(d == 2 for d in dims) and len(dims) <= twirls.MAX_TWIRL_QUBITS:
        if np.abs(twirls.dur_cirac_twirl(rho) - rho).max() <= atol:
            n = len(dims)
            half = 2 ** (n - 1)
            lam = np.clip(twirls.ghz_weights(rho), 0, None)
            lp, lm, lk = lam[0], lam[half], lam[1:half]
            excess = abs(lp - lm) - 2 * lk.min()
            q = 1.0 - max(0.0, excess)
            if excess > 0:  # lower the larger of lambda_0^+-
                if lp >= lm:
                    lp = lm + 2 * lk.min()
                else:
                    lm = lp + 2 * lk.min()
            if q <= 1e-12:  # a pure GHZ state: no separable part
                return FamilyDecomposition("dur_cirac", float(excess), 0.0, np.zeros_like(rho),
                                           np.zeros(0), [np.zeros((0, 2), dtype=complex)] * n,
                                           "pure GHZ state (Dür-Cirac form with no noise)")
            w, v = dur_cirac_separable_ensemble(lp, lm, lk)
            w, v = _normalised(w, v)
            sigma = rho
            if excess > 0:
                basis = twirls.ghz_basis(n)
                lam_s = np.concatenate([[lp], lk, [lm], lk])
                sigma = (basis * lam_s) @ basis.T / lam_s.sum()
            return FamilyDecomposition(
                "dur_cirac", float(excess), q, sigma.astype(complex), w, v,
                f"{n}-qubit GHZ-diagonal state of Dür-Cirac form: fully separable iff "
                f"|l0+ - l0-| <= 2 l_k for all k (Dür & Cirac, PRA 61, 042314 (2000)); local "
                f"twirling makes the optimal decomposition of this form, "
                f"q = 1 - max(0, |l0+ - l0-| - 2 min l_k)")
    if tuple(dims) == (2, 2):
        bell = bell_diagonal_decomposition(rho, atol)
        if bell is not None:
            return bell
    return None


def bell_diagonal_decomposition(rho: NDArray, atol: float = ATOL_SYMMETRY
                                ) -> FamilyDecomposition | None:
    r"""The optimal decomposition of a two-qubit Bell-diagonal state, or ``None`` if ``rho`` is
    not Bell-diagonal (off-diagonal entries in the Bell basis above ``atol``).

    With Bell weights :math:`\lambda` (order phi+, phi-, psi+, psi-) and :math:`\lambda_m` the
    largest: if :math:`\lambda_m \le 1/2` the state is separable (Horodecki & Horodecki, PRA 54,
    1838 (1996)), :math:`q = 1`; otherwise :math:`q = 2(1-\lambda_m)`,
    :math:`\tau = |B_m\rangle\langle B_m|` and :math:`\sigma` the Bell-diagonal state with
    weight 1/2 on :math:`B_m` and :math:`\lambda_i/q` elsewhere (all <= 1/2, so separable).
    Optimal: every separable :math:`\sigma` has :math:`\langle B_m|\sigma|B_m\rangle \le 1/2`
    (fidelity of a separable state with a maximally entangled one), so
    :math:`\lambda_m \le q/2 + (1-q)`, i.e. :math:`q \le 2(1-\lambda_m)`.  Ensemble:
    Wootters' construction (four product members, PRL 80, 2245 (1998)).

    Examples
    --------
    >>> from qkdbounds.states.two_qubit import bell_diagonal_state
    >>> dec = bell_diagonal_decomposition(bell_diagonal_state((0.8, 0.1, 0.07, 0.03)))
    >>> dec.family, round(dec.weight, 12)
    ('bell_diagonal', 0.4)
    """
    from ..states.two_qubit import bell_basis

    rho = np.asarray(rho, dtype=complex)
    if rho.shape != (4, 4):
        return None
    basis = bell_basis()
    in_bell = basis.conj().T @ rho @ basis
    if np.abs(in_bell - np.diag(np.diag(in_bell))).max() > atol:
        return None
    lam = np.clip(np.diag(in_bell).real, 0.0, None)
    lam = lam / lam.sum()
    m = int(np.argmax(lam))
    names = ("phi+", "phi-", "psi+", "psi-")
    if lam[m] <= 0.5:
        q, lam_s = 1.0, lam
    else:
        q = 2.0 * (1.0 - lam[m])
        if q <= 1e-12:  # a pure Bell state: no separable part
            return FamilyDecomposition("bell_diagonal", float(lam[m]), 0.0, np.zeros_like(rho),
                                       np.zeros(0), [np.zeros((0, 2), dtype=complex)] * 2,
                                       f"pure Bell state {names[m]}: no separable part")
        lam_s = lam / q
        lam_s[m] = 0.5
    sigma = (basis * lam_s) @ basis.conj().T
    w, v, _ = wootters_ensemble(sigma)
    w, v = _normalised(w, v)
    return FamilyDecomposition(
        "bell_diagonal", float(lam[m]), float(min(1.0, q)), sigma, w, v,
        f"two-qubit Bell-diagonal state, largest weight {lam[m]:.6g} ({names[m]}): separable iff "
        f"every weight <= 1/2 (Horodecki & Horodecki, PRA 54, 1838 (1996)); q = min(1, "
        f"2(1 - lambda_max)) is optimal (a separable state has fidelity <= 1/2 with a Bell "
        f"state); sigma written by Wootters' construction")
