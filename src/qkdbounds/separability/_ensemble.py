r"""Finite product-state ensembles: mixing, Schmidt splitting, reassembly checks.

An ensemble is ``(weights, vectors)``: ``weights`` of shape ``(n,)`` (non-negative), and
``vectors`` a list with one array per party, party ``i`` of shape ``(n, d_i)`` with unit rows;
member ``k`` is the pure product state :math:`\bigotimes_i |v_{ik}\rangle`, and the ensemble's
state is :math:`\sum_k w_k \bigotimes_i |v_{ik}\rangle\langle v_{ik}|`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["mix", "product_vector", "split_product", "reassembly_residual", "certify_weight",
           "TOL_RESIDUAL", "ATOL_TAU"]

#: Largest Frobenius distance between an ensemble's mixture and the state it stands for.
TOL_RESIDUAL = 1e-9
#: Eigenvalues of tau above -this count as non-negative in a certificate.
ATOL_TAU = 1e-12


def product_vector(vectors, k: int) -> NDArray[np.complex128]:
    """Member ``k`` of an ensemble as one vector of length :math:`\\prod_i d_i`."""
    out = np.ones(1, dtype=complex)
    for v in vectors:
        out = np.kron(out, v[k])
    return out


def mix(weights, vectors) -> NDArray[np.complex128]:
    r""":math:`\sum_k w_k |\psi_k\rangle\langle\psi_k|`, shape ``(D, D)``."""
    weights = np.asarray(weights, dtype=float)
    dim = int(np.prod([v.shape[1] for v in vectors]))
    if len(weights) == 0:
        return np.zeros((dim, dim), dtype=complex)
    psi = np.array([product_vector(vectors, k) for k in range(len(weights))])
    return np.einsum("k,ki,kj->ij", weights, psi, psi.conj())


def split_product(vector, dims) -> tuple[float, list[NDArray[np.complex128]]]:
    r"""Nearest product vector of a bipartite ``vector`` (largest Schmidt term).

    Returns ``(norm_squared, [a, b])`` with unit ``a``, ``b`` and
    :math:`\mathrm{norm\_squared} = s_1^2`, so that :math:`s_1^2|ab\rangle\langle ab|` is the
    projector part; for a product vector it equals :math:`|v\rangle\langle v|` exactly.
    """
    m = np.asarray(vector, dtype=complex).reshape(dims)
    u, s, vh = np.linalg.svd(m)
    return float(s[0] ** 2), [u[:, 0], vh[0]]


def reassembly_residual(weights, vectors, target) -> float:
    """Frobenius distance between the ensemble's mixture and ``target``."""
    return float(np.linalg.norm(mix(weights, vectors) - target))


def certify_weight(rho, sigma, atol: float = ATOL_TAU) -> tuple[float, float]:
    """Largest q in [0, 1] with :math:`\\rho - q\\sigma \\succeq -\\mathrm{atol}(1-q)`, by bisection
    (the smallest eigenvalue falls monotonically in q since sigma >= 0), and tau's smallest
    eigenvalue (for q = 1: the smallest eigenvalue of :math:`\\rho-\\sigma`)."""
    def low(t):
        m = rho - t * sigma
        return float(np.linalg.eigvalsh((m + m.conj().T) / 2).min())

    if low(1.0) >= -atol:
        return 1.0, low(1.0)
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if low(mid) >= -atol * (1 - mid) else (lo, mid)
    tau = (rho - lo * sigma) / (1 - lo)
    return lo, float(np.linalg.eigvalsh((tau + tau.conj().T) / 2).min())
