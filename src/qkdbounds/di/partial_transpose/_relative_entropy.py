r"""Relative entropy of entanglement upper bounds to explicit, certified separable states.

:math:`K(\rho) \le E_R(\rho) = \min_{\sigma\in\mathrm{SEP}} D(\rho\|\sigma)` (Horodecki et al.,
Ref. [17] of paper 2), so *any* separable :math:`\sigma` gives a valid upper bound on the key.
Paper 2 ("Device-independent entanglement measures") uses :math:`E_R` implicitly for
:math:`K(\rho_d^\Gamma)`.  The distance to the PPT set does **not** bound the key (PPT states can
have key), so every :math:`\sigma` here comes with a separability certificate:

* ``"product_basis_diagonal"``: :math:`\sigma = \sum_{kl} w_{kl}|a_k b_l\rangle\langle a_k b_l|`
  for orthonormal local bases (columns of local unitaries) -- separable by construction; the best
  such :math:`\sigma` for fixed bases is the dephasing :math:`\Delta(\rho)`, giving
  :math:`D(\rho\|\Delta(\rho)) = S(\Delta(\rho)) - S(\rho)`.
* ``"product_ensemble"``: explicit weights and product vectors
  :math:`\sigma = \sum_k w_k |a_k\rangle\langle a_k|\otimes|b_k\rangle\langle b_k|`.
* ``"ppt_low_dimension"``: in :math:`2\times2` and :math:`2\times3` every PPT state is separable
  (Horodecki, Horodecki, Horodecki, Phys. Lett. A 223, 1 (1996)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from ...errors import InputError, check_int, check_rng
from ...status import Status
from ._results import RelativeEntropyBound
from ._spectra import Multiset, binary_entropy, relative_entropy, shannon_entropy

__all__ = [
    "SeparableCertificate",
    "dephasing_certificate",
    "isotropic_separable_certificate",
    "isotropic_product_certificate",
    "relative_entropy_bound",
    "relative_entropy_upper_bound",
    "isotropic_relative_entropy",
    "isotropic_state",
    "structured_dephasing_bound",
]

ATOL_CERT = 1e-9
"""Tolerance when verifying a separability certificate (normalisation, unitarity, reconstruction)."""

LOCAL_BASIS_MAXITER = 30
"""Iterations of each seeded local-basis optimisation start."""

LOCAL_BASIS_MAXFUN = 1500
"""Objective evaluations (incl. finite-difference gradients) per local-basis start."""

MAX_FIT_DIM = 36
"""Largest total dimension for which a PPT input is also tried as its own product ensemble."""


@dataclass(frozen=True)
class SeparableCertificate:
    r"""An explicitly separable state :math:`\sigma` on :math:`\mathbb C^{d_A}\otimes\mathbb C^{d_B}`.

    Attributes
    ----------
    kind : str
        ``"product_basis_diagonal"``, ``"product_ensemble"``, ``"ppt_low_dimension"`` or
        ``"structured_diagonal"`` (diagonal in a product basis, stored as a multiset of weights).
    dims : tuple of int
        ``(d_A, d_B)``.
    weights : numpy.ndarray or Multiset
        Mixture weights (non-negative, sum 1).
    local_unitaries : tuple of ndarray, optional
        For ``"product_basis_diagonal"``: columns are Alice's / Bob's basis vectors.
    product_vectors : tuple of ndarray, optional
        For ``"product_ensemble"``: arrays of shape ``(n, d_A)`` and ``(n, d_B)``.
    state : ndarray, optional
        For ``"ppt_low_dimension"``: the PPT state itself.
    description : str
    """

    kind: str
    dims: tuple[int, int]
    weights: Any = None
    local_unitaries: tuple[NDArray, NDArray] | None = field(default=None, repr=False)
    product_vectors: tuple[NDArray, NDArray] | None = field(default=None, repr=False)
    state: NDArray | None = field(default=None, repr=False)
    description: str = ""

    def matrix(self) -> NDArray:
        """The dense matrix of :math:`\\sigma` (not available for ``"structured_diagonal"``)."""
        if self.kind == "product_basis_diagonal":
            u = np.kron(*self.local_unitaries)
            return (u * np.asarray(self.weights)) @ u.conj().T
        if self.kind == "product_ensemble":
            a, b = self.product_vectors
            vecs = np.einsum("ki,kj->kij", a, b).reshape(len(a), -1)
            return np.einsum("k,ki,kj->ij", np.asarray(self.weights), vecs, vecs.conj())
        if self.kind == "ppt_low_dimension":
            return np.asarray(self.state)
        raise InputError(f"no dense matrix for certificate kind {self.kind!r}")

    def verify(self, atol: float = ATOL_CERT) -> bool:
        """Check the certificate: weights a probability vector, bases unitary, vectors normalised."""
        if self.kind == "structured_diagonal":
            w = self.weights
            return bool(w.min() >= -atol and abs(w.total() - 1) <= atol)
        if self.kind == "ppt_low_dimension":
            from ...states._partial_transpose import min_pt_eigenvalue

            rho = np.asarray(self.state)
            return bool(
                self.dims[0] * self.dims[1] <= 6
                and np.linalg.eigvalsh(rho).min() >= -atol
                and abs(np.trace(rho) - 1) <= atol
                and min_pt_eigenvalue(rho, self.dims, 1) >= -atol
            )
        w = np.asarray(self.weights, dtype=float)
        if w.min() < -atol or abs(w.sum() - 1) > atol:
            return False
        if self.kind == "product_basis_diagonal":
            return all(np.allclose(u.conj().T @ u, np.eye(len(u)), atol=atol) for u in self.local_unitaries)
        a, b = self.product_vectors
        return bool(
            np.allclose(np.linalg.norm(a, axis=1), 1, atol=atol)
            and np.allclose(np.linalg.norm(b, axis=1), 1, atol=atol)
        )


def _check_bipartite(matrix, dims) -> tuple[NDArray, tuple[int, int]]:
    try:
        dims = tuple(dims)
    except TypeError:
        raise InputError(f"dims must be two positive integers (d_A, d_B), got {dims!r}") from None
    if len(dims) != 2:
        raise InputError(f"dims must be two positive integers (d_A, d_B), got {dims!r}")
    dims = (check_int("dims[0]", dims[0], 1), check_int("dims[1]", dims[1], 1))
    rho = np.asarray(matrix, dtype=complex)
    if rho.ndim != 2 or rho.shape != (dims[0] * dims[1],) * 2:
        raise InputError(f"matrix must be {dims[0] * dims[1]}x{dims[0] * dims[1]} for dims {dims}, got {rho.shape}")
    return rho, dims


def dephasing_certificate(
    matrix: ArrayLike, dims, local_unitaries: tuple[NDArray, NDArray] | None = None
) -> SeparableCertificate:
    r"""The dephased state :math:`\Delta_{U_A\otimes U_B}(\rho)` as a product-basis certificate."""
    rho, dims = _check_bipartite(matrix, dims)
    if local_unitaries is None:
        local_unitaries = (np.eye(dims[0], dtype=complex), np.eye(dims[1], dtype=complex))
    u = np.kron(*local_unitaries)
    weights = np.clip(np.real(np.sum(u.conj() * (rho @ u), axis=0)), 0.0, None)
    weights = weights / weights.sum()
    return SeparableCertificate(
        "product_basis_diagonal", dims, weights, tuple(local_unitaries),
        description="rho dephased in a local product basis",
    )


def _prime(n: int) -> bool:
    return n >= 2 and all(n % k for k in range(2, int(n**0.5) + 1))


def isotropic_separable_certificate(d: int) -> SeparableCertificate:
    r"""Isotropic state with fidelity :math:`1/d` as an explicit product ensemble (``d`` prime).

    The :math:`d+1` mutually unbiased bases of Wootters–Fields (computational basis and
    :math:`|e^b_k\rangle = d^{-1/2}\sum_j \omega^{b j^2 + k j}|j\rangle`; for :math:`d=2` the X and Y
    bases) form a 2-design, so :math:`\frac{1}{d(d+1)}\sum_{b,k}|e^b_k\rangle\langle e^b_k|\otimes
    |\bar e^b_k\rangle\langle\bar e^b_k| = (I + d\,\Phi^+)/(d(d+1))`, the isotropic state with
    :math:`F = 1/d` (the closest separable state to isotropic states, Rains 1999).
    """
    d = check_int("d", d, 2)
    if not _prime(d):
        raise InputError(f"d must be prime for the Wootters-Fields MUB construction, got {d}")
    bases = [np.eye(d, dtype=complex)]
    j = np.arange(d)
    if d == 2:
        bases += [np.array([[1, 1], [1, -1]]) / np.sqrt(2), np.array([[1, 1], [1j, -1j]]) / np.sqrt(2)]
    else:
        omega = np.exp(2j * np.pi / d)
        for b in range(d):
            bases.append(np.stack([omega ** ((b * j * j + k * j) % d) for k in range(d)], axis=1) / np.sqrt(d))
    a = np.concatenate([basis.T for basis in bases])
    n = len(a)
    return SeparableCertificate(
        "product_ensemble", (d, d), np.full(n, 1.0 / n), product_vectors=(a, a.conj()),
        description=f"isotropic state F=1/{d} from {d + 1} mutually unbiased bases",
    )


#: Non-prime d up to this use paper 1's Eq. (9) ensemble (3^(d-1) + d members) for the isotropic
#: F = 1/d certificate; prime d use the d + 1 mutually unbiased bases.
MAX_CC_ISOTROPIC_DIM = 12


def isotropic_product_certificate(d: int, visibility: float | None = None) -> SeparableCertificate:
    r"""The isotropic state of visibility :math:`v \le 1/(1+d)` (default the separable boundary,
    :math:`F = 1/d`) as an explicit product ensemble, for every ``d``.

    The ensemble is the one Eve sends in paper 1's CC attack (Eqs. 8-9 with N = 2,
    :func:`qkdbounds.states.cc_decomposition`): :math:`3^{d-1}` phase states and ``d`` diagonal
    states, plus the identity part below the boundary.  It reassembles the state to 1e-15 (test).
    """
    from ...states import cc_decomposition, isotropic_ghz

    d = check_int("d", d, 2, MAX_CC_ISOTROPIC_DIM)
    v_sep = 1.0 / (1 + d)
    v = v_sep if visibility is None else float(visibility)
    if not 0.0 <= v <= v_sep + 1e-15:
        raise InputError(f"visibility must be in [0, {v_sep:.6g}] (separable isotropic states), "
                         f"got {v}")
    dec = cc_decomposition(isotropic_ghz(d, 2, min(v, v_sep)))
    weights, a, b = [], [], []
    for weight, vectors in dec.separable:
        weights.append(weight)
        a.append(vectors[0])
        b.append(vectors[1])
    fid = v + (1 - v) / d**2
    return SeparableCertificate(
        "product_ensemble", (d, d), np.array(weights), product_vectors=(np.array(a), np.array(b)),
        description=f"isotropic state F={fid:.6g} as paper 1's Eq. (9) product ensemble "
                    f"({len(weights)} members)")


def _transpose_bob(cert: SeparableCertificate) -> SeparableCertificate:
    """The partial transpose (on Bob) of a product ensemble: Bob's vectors conjugated."""
    a, b = cert.product_vectors
    return SeparableCertificate("product_ensemble", cert.dims, cert.weights,
                                product_vectors=(a, b.conj()),
                                description=f"partial transpose (Bob) of: {cert.description}")


def _isotropic_visibility(rho: NDArray, d: int) -> float | None:
    """Visibility of ``rho`` if it is an isotropic two-qudit state (to 1e-10), else None."""
    from ...states.isotropic import isotropic_ghz_visibility

    return isotropic_ghz_visibility(rho, d, 2)


def relative_entropy_bound(matrix: ArrayLike, certificate: SeparableCertificate) -> RelativeEntropyBound:
    r""":math:`E_R(\rho) \le D(\rho\|\sigma)` for the certified separable :math:`\sigma`.

    Examples
    --------
    >>> import numpy as np
    >>> phi = np.zeros(4); phi[[0, 3]] = 2 ** -0.5
    >>> rho = np.outer(phi, phi)
    >>> round(relative_entropy_bound(rho, dephasing_certificate(rho, (2, 2))).value, 12)
    1.0
    """
    rho, dims = _check_bipartite(matrix, certificate.dims)
    ok = certificate.verify()
    sigma = certificate.matrix() if ok else None
    if ok and np.allclose(sigma, rho, rtol=0.0, atol=1e-12):
        # the certificate reassembles rho: rho is separable and D(rho||rho) = 0 exactly
        value = 0.0
    else:
        # D >= 0 (Klein); clip rounding below zero.
        value = max(relative_entropy(rho, sigma), 0.0) if ok else float("nan")
    return RelativeEntropyBound(
        value=value,
        certificate=certificate,
        method=f"relative_entropy_to_{certificate.kind}",
        status=Status.CERTIFIED if ok and np.isfinite(value) else Status.FAILED,
        message="" if ok and np.isfinite(value) else (
            "certificate failed" if not ok else "infinite: supp rho is not inside supp sigma"),
        tolerance=ATOL_CERT,
    )


def _unitary_from_params(params: NDArray, d: int) -> NDArray:
    h = np.zeros((d, d), dtype=complex)
    iu = np.triu_indices(d, 1)
    n_off = len(iu[0])
    h[iu] = params[:n_off] + 1j * params[n_off : 2 * n_off]
    h = h + h.conj().T + np.diag(params[2 * n_off :])
    vals, vecs = np.linalg.eigh(h)
    return (vecs * np.exp(1j * vals)) @ vecs.conj().T


def relative_entropy_upper_bound(
    matrix: ArrayLike,
    dims,
    rng: np.random.Generator | None = None,
    n_starts: int = 2,
    extra_certificates: tuple[SeparableCertificate, ...] = (),
) -> RelativeEntropyBound:
    r"""Best certified upper bound on :math:`E_R(\rho)` over several separable candidates.

    Candidates: dephasing in the computational basis; in the eigenbases of the marginals; in
    local bases optimised from ``n_starts`` seeded random starts (L-BFGS-B on
    :math:`S(\Delta_{U_A\otimes U_B}\rho)`, each end point a valid bound, the minimum is reported);
    the isotropic :math:`F=1/d` state when :math:`d_A = d_B` (mutually unbiased bases for prime
    d, paper 1's Eq. (9) ensemble otherwise, up to d = 12), so isotropic inputs reach Rains'
    closed form; an isotropic input below the separable boundary as its own product ensemble
    (bound exactly 0); for a PPT input of total dimension at most ``MAX_FIT_DIM``, the input
    itself as a product ensemble when a fit finds one (bound 0 for low-rank separable mixtures,
    :func:`qkdbounds.separability.certified_product_fit`); ``extra_certificates``.
    The global minimum over separable states is *not* claimed: the value is an upper bound.

    Parameters
    ----------
    matrix : array_like
        Density matrix on :math:`d_A d_B` (Alice first).
    dims : (int, int)
    rng : numpy.random.Generator, optional
        Seeds the random starts (default ``numpy.random.default_rng(0)``).
    n_starts : int
    extra_certificates : tuple of SeparableCertificate

    Returns
    -------
    RelativeEntropyBound
    """
    rho, dims = _check_bipartite(matrix, dims)
    n_starts = check_int("n_starts", n_starts, 0)
    rng = check_rng("rng", rng)
    da, db = dims
    tensor = rho.reshape(da, db, da, db)
    rho_a = np.einsum("ijkj->ik", tensor)
    rho_b = np.einsum("ijil->jl", tensor)
    candidates = [dephasing_certificate(rho, dims)]
    candidates.append(dephasing_certificate(rho, dims, (np.linalg.eigh(rho_a)[1], np.linalg.eigh(rho_b)[1])))
    if da == db:
        # the closest separable state to any isotropic state is the F = 1/d one (Rains 1999)
        boundary = (isotropic_separable_certificate(da) if _prime(da) else
                    isotropic_product_certificate(da) if da <= MAX_CC_ISOTROPIC_DIM else None)
        if boundary is not None:
            candidates.append(boundary)
        v_rho = _isotropic_visibility(rho, da) if da <= MAX_CC_ISOTROPIC_DIM else None
        if v_rho is not None and 0.0 <= v_rho <= 1.0 / (1 + da):
            candidates.append(isotropic_product_certificate(da, v_rho))  # rho itself: bound 0
        # Werner (U (x) U invariant) states are partial transposes of isotropic ones; transposing
        # Bob's vector of every product member keeps the ensemble a product ensemble
        if da <= MAX_CC_ISOTROPIC_DIM:
            from ...states._partial_transpose import partial_transpose

            v_pt = _isotropic_visibility(partial_transpose(rho, dims, 1), da)
            if v_pt is not None and 0.0 <= v_pt <= 1.0 / (1 + da):
                candidates.append(_transpose_bob(isotropic_product_certificate(da, v_pt)))
            candidates.append(_transpose_bob(boundary))  # the boundary Werner state
    if da * db <= MAX_FIT_DIM:
        # a separable input written as its own product ensemble (issue 13: bound exactly 0);
        # the fit runs only on PPT inputs and needs rank..rank+2 product members
        from ...separability import certified_product_fit

        fit = certified_product_fit(rho, dims, rng=np.random.default_rng(0))
        if fit is not None:
            candidates.append(SeparableCertificate(
                "product_ensemble", dims, weights=fit[0], product_vectors=tuple(fit[1]),
                description="the input itself as a product ensemble (Gauss-Newton fit, "
                            "reassembled to 1e-9)"))
    candidates.extend(extra_certificates)

    def objective(params: NDArray) -> float:
        ua = _unitary_from_params(params[: da * da], da)
        ub = _unitary_from_params(params[da * da :], db)
        u = np.kron(ua, ub)
        return shannon_entropy(np.real(np.sum(u.conj() * (rho @ u), axis=0)))

    for _ in range(n_starts):
        x0 = rng.normal(scale=1.0, size=da * da + db * db)
        res = minimize(objective, x0, method="L-BFGS-B", options={"maxiter": LOCAL_BASIS_MAXITER, "maxfun": LOCAL_BASIS_MAXFUN})
        ua = _unitary_from_params(res.x[: da * da], da)
        ub = _unitary_from_params(res.x[da * da :], db)
        candidates.append(dephasing_certificate(rho, dims, (ua, ub)))
    bounds = [relative_entropy_bound(rho, c) for c in candidates]
    valid = [b for b in bounds if b.status != Status.FAILED]
    if not valid:
        return RelativeEntropyBound(float("nan"), None, "relative_entropy_candidates", Status.FAILED,
                                    ATOL_CERT, "no candidate certificate verified")
    best = min(valid, key=lambda b: b.value)
    return RelativeEntropyBound(
        value=max(best.value, 0.0),
        certificate=best.certificate,
        method=f"min over {len(valid)} certified separable candidates ({n_starts} seeded local-basis starts)",
        status=Status.CERTIFIED,
        tolerance=ATOL_CERT,
    )


def isotropic_state(d: int, fidelity: float) -> NDArray:
    r"""Isotropic state :math:`F\Phi^+ + (1-F)(I-\Phi^+)/(d^2-1)`."""
    d = check_int("d", d, 2)
    phi = np.eye(d).reshape(-1) / np.sqrt(d)
    proj = np.outer(phi, phi)
    return fidelity * proj + (1 - fidelity) * (np.eye(d * d) - proj) / (d * d - 1)


def isotropic_relative_entropy(d: int, fidelity: float) -> float:
    r"""Closed form :math:`E_R` of the isotropic state (Rains, PRA 60, 179 (1999); Vollbrecht & Werner 2001).

    :math:`E_R = \log_2 d - (1-F)\log_2(d-1) - h(F)` for :math:`F \ge 1/d`, else 0.
    """
    d = check_int("d", d, 2)
    if fidelity <= 1.0 / d:
        return 0.0
    return float(np.log2(d) - (1 - fidelity) * np.log2(d - 1) - binary_entropy(fidelity))


def structured_dephasing_bound(diag: Multiset, spectrum: Multiset, description: str) -> RelativeEntropyBound:
    r""":math:`D(\rho\|\Delta(\rho)) = S(\Delta(\rho)) - S(\rho)` from structured diagonal and spectrum."""
    cert = SeparableCertificate("structured_diagonal", (0, 0), diag, description=description)
    ok = cert.verify()
    return RelativeEntropyBound(
        value=diag.entropy() - spectrum.entropy() if ok else float("nan"),
        certificate=cert,
        method="relative_entropy_to_dephased_state/structured",
        status=Status.CERTIFIED if ok else Status.FAILED,
        message="" if ok else "certificate failed",
        tolerance=ATOL_CERT,
    )

