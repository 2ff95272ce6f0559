r"""Twirls onto the symmetric families with closed-form separability, and their parameters.

A twirl :math:`T(\rho) = \int dU\, U\rho U^\dagger` over a group of *local* unitaries maps
separable states to separable states and fixes the family it projects onto; so if
:math:`\rho = T(\rho)` and :math:`\rho = q\sigma + (1-q)\tau` with :math:`\sigma` separable, then
:math:`\rho = qT(\sigma) + (1-q)T(\tau)` is an equally good decomposition inside the family
(Werner, PRA 40, 4277 (1989); Horodecki & Horodecki, PRA 59, 4206 (1999); Vollbrecht & Werner,
PRA 64, 062307 (2001)).  The largest separable weight of a symmetric state is therefore a
one-parameter closed form (see :mod:`qkdbounds.separability.families`).

* :func:`werner_twirl` (:math:`U\otimes U`, any d): onto
  :math:`p_a P_a/\binom d2 + (1-p_a)P_s/\binom{d+1}2` with
  :math:`p_a = \mathrm{tr}(\rho P_a) = (1-\mathrm{tr}\rho\,\mathbb F)/2` (Werner 1989).
* :func:`isotropic_twirl` (:math:`U\otimes\bar U`, any d): onto
  :math:`F|\Phi\rangle\langle\Phi| + (1-F)(\mathbb 1-|\Phi\rangle\langle\Phi|)/(d^2-1)` with
  :math:`F = \langle\Phi|\rho|\Phi\rangle` (Horodecki & Horodecki 1999).
* :func:`ghz_diagonal_twirl` (N qubits): dephasing in the GHZ basis
  :math:`|\Psi_k^\pm\rangle = (|0k\rangle\pm|1\bar k\rangle)/\sqrt2`, realised by the local
  stabiliser group of the GHZ state (products of :math:`X^{\otimes N}` and :math:`Z_iZ_j`).
* :func:`dur_cirac_twirl` (N qubits): further equalises :math:`\lambda_k^+ = \lambda_k^-` for
  :math:`k \ne 0` (local random bit flips and phases; Dür, Cirac & Tarrach, PRL 83, 3562
  (1999); Dür & Cirac, PRA 61, 042314 (2000), Eq. (3)).

All functions take dense matrices (shape ``(D, D)``) and return dense matrices of the same shape.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_int

__all__ = ["werner_twirl", "isotropic_twirl", "ghz_diagonal_twirl", "dur_cirac_twirl",
           "antisymmetric_weight", "isotropic_fidelity", "ghz_basis", "ghz_weights",
           "swap_operator", "maximally_entangled", "MAX_TWIRL_QUBITS"]

#: Largest number of qubits for the dense GHZ-basis twirls (2^12 = 4096, the source limit).
MAX_TWIRL_QUBITS = 12


def _square(rho: ArrayLike, size: int | None, name: str = "rho") -> NDArray[np.complex128]:
    m = np.asarray(rho, dtype=complex)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"{name} must be a square matrix, got shape {m.shape}")
    if size is not None and m.shape[0] != size:
        raise InputError(f"{name} must be {size} x {size}, got {m.shape[0]} x {m.shape[1]}")
    if not np.all(np.isfinite(m)):
        raise InputError(f"{name} must not contain NaN or inf")
    return m


def swap_operator(local_dim: int) -> NDArray[np.float64]:
    r"""The flip :math:`\mathbb F|ij\rangle = |ji\rangle` on :math:`\mathbb C^d\otimes\mathbb C^d`,
    shape ``(d^2, d^2)``."""
    d = check_int("local_dim", local_dim, 2, 4096)
    s = np.zeros((d * d, d * d))
    i, j = np.meshgrid(np.arange(d), np.arange(d), indexing="ij")
    s[(j * d + i).ravel(), (i * d + j).ravel()] = 1.0
    return s


def maximally_entangled(local_dim: int) -> NDArray[np.complex128]:
    r""":math:`|\Phi\rangle = d^{-1/2}\sum_i|ii\rangle`, shape ``(d^2,)``."""
    d = check_int("local_dim", local_dim, 2, 4096)
    phi = np.zeros(d * d, dtype=complex)
    phi[np.arange(d) * (d + 1)] = 1 / np.sqrt(d)
    return phi


def antisymmetric_weight(rho: ArrayLike, local_dim: int) -> float:
    r""":math:`p_a = \mathrm{tr}(\rho P_a) = (1 - \mathrm{tr}\,\rho\mathbb F)/2` (Werner 1989).

    Parameters
    ----------
    rho : array_like, shape (d^2, d^2)
    local_dim : int
        :math:`d \ge 2`.
    """
    d = check_int("local_dim", local_dim, 2, 4096)
    m = _square(rho, d * d)
    t = m.reshape(d, d, d, d)
    return float((1 - np.einsum("ijji->", t).real) / 2)


def isotropic_fidelity(rho: ArrayLike, local_dim: int) -> float:
    r""":math:`F = \langle\Phi|\rho|\Phi\rangle` (Horodecki & Horodecki 1999).

    Parameters
    ----------
    rho : array_like, shape (d^2, d^2)
    local_dim : int
    """
    d = check_int("local_dim", local_dim, 2, 4096)
    m = _square(rho, d * d)
    idx = np.arange(d) * (d + 1)
    return float(m[np.ix_(idx, idx)].sum().real / d)


def werner_twirl(rho: ArrayLike, local_dim: int) -> NDArray[np.complex128]:
    r"""Twirl over :math:`U\otimes U`: :math:`p_a P_a/\binom d2 + (1-p_a)P_s/\binom{d+1}2`.

    Parameters
    ----------
    rho : array_like, shape (d^2, d^2)
    local_dim : int
        :math:`d \ge 2`.

    Returns
    -------
    ndarray, shape (d^2, d^2)

    Raises
    ------
    InputError
        ``local_dim`` < 2 or the shape does not match.

    Examples
    --------
    >>> import numpy as np
    >>> w = werner_twirl(np.diag([0, 1, 0, 0]).astype(complex), 2)   # |01><01|
    >>> round(antisymmetric_weight(w, 2), 12)
    0.5
    """
    d = check_int("local_dim", local_dim, 2, 4096)
    p_a = antisymmetric_weight(rho, d)
    eye, flip = np.eye(d * d), swap_operator(d)
    p_sym, p_anti = (eye + flip) / 2, (eye - flip) / 2
    return (p_a * p_anti / (d * (d - 1) / 2) + (1 - p_a) * p_sym / (d * (d + 1) / 2)).astype(complex)


def isotropic_twirl(rho: ArrayLike, local_dim: int) -> NDArray[np.complex128]:
    r"""Twirl over :math:`U\otimes\bar U`: :math:`F\Phi + (1-F)(\mathbb 1-\Phi)/(d^2-1)`.

    Parameters
    ----------
    rho : array_like, shape (d^2, d^2)
    local_dim : int

    Returns
    -------
    ndarray, shape (d^2, d^2)

    Examples
    --------
    >>> import numpy as np
    >>> iso = isotropic_twirl(np.diag([1, 0, 0, 0]).astype(complex), 2)   # |00><00|
    >>> round(isotropic_fidelity(iso, 2), 12)
    0.5
    """
    d = check_int("local_dim", local_dim, 2, 4096)
    f = isotropic_fidelity(rho, d)
    phi = maximally_entangled(d)
    proj = np.outer(phi, phi.conj())
    return f * proj + (1 - f) * (np.eye(d * d) - proj) / (d * d - 1)


def ghz_basis(n_qubits: int) -> NDArray[np.float64]:
    r"""Columns :math:`|\Psi_k^+\rangle` for :math:`k = 0..2^{N-1}-1`, then :math:`|\Psi_k^-\rangle`,
    with :math:`|\Psi_k^\pm\rangle = (|0k\rangle \pm |1\bar k\rangle)/\sqrt2` (``k`` the bits of
    qubits 2..N, :math:`\bar k` its complement); shape ``(2^N, 2^N)``, real orthogonal."""
    n = check_int("n_qubits", n_qubits, 2, MAX_TWIRL_QUBITS)
    half = 2 ** (n - 1)
    basis = np.zeros((2**n, 2**n))
    k = np.arange(half)
    basis[k, k] = basis[half + (half - 1 - k), k] = 1 / np.sqrt(2)
    basis[k, half + k] = 1 / np.sqrt(2)
    basis[half + (half - 1 - k), half + k] = -1 / np.sqrt(2)
    return basis


def _n_qubits(rho) -> int:
    size = rho.shape[0]
    n = int(round(np.log2(size))) if size > 0 else 0
    if 2**n != size or n < 2:
        raise InputError(f"rho must be a 2^N x 2^N matrix of N >= 2 qubits, got {size} x {size}")
    if n > MAX_TWIRL_QUBITS:
        raise InputError(f"rho has {n} qubits; allowed: at most {MAX_TWIRL_QUBITS}")
    return n


def ghz_weights(rho: ArrayLike) -> NDArray[np.float64]:
    r"""Diagonal :math:`\langle\Psi_k^\pm|\rho|\Psi_k^\pm\rangle` in :func:`ghz_basis` order,
    shape ``(2^N,)``."""
    m = _square(rho, None)
    basis = ghz_basis(_n_qubits(m))
    return np.einsum("ik,ij,jk->k", basis, m, basis).real


def ghz_diagonal_twirl(rho: ArrayLike) -> NDArray[np.complex128]:
    r"""Dephasing in the GHZ basis: :math:`\sum_{k,\pm}\lambda_k^\pm|\Psi_k^\pm\rangle\langle
    \Psi_k^\pm|`, shape ``(2^N, 2^N)``.

    Raises
    ------
    InputError
        Not a 2^N x 2^N matrix with 2 <= N <= 12.
    """
    m = _square(rho, None)
    basis = ghz_basis(_n_qubits(m))
    return ((basis * ghz_weights(m)) @ basis.T).astype(complex)


def dur_cirac_twirl(rho: ArrayLike) -> NDArray[np.complex128]:
    r"""Dür–Cirac depolarisation: GHZ-diagonal with :math:`\lambda_k^+=\lambda_k^-` for
    :math:`k\ne0` (their average), :math:`\lambda_0^\pm` kept (Dür & Cirac, PRA 61, 042314
    (2000), Eq. (3)); shape ``(2^N, 2^N)``.

    Examples
    --------
    >>> import numpy as np
    >>> from qkdbounds.states import isotropic_ghz
    >>> rho = isotropic_ghz(2, 3, 0.4).to_dense()
    >>> bool(np.allclose(dur_cirac_twirl(rho), rho))
    True
    """
    m = _square(rho, None)
    n = _n_qubits(m)
    basis = ghz_basis(n)
    lam = ghz_weights(m)
    half = 2 ** (n - 1)
    avg = (lam[1:half] + lam[half + 1:]) / 2
    lam = lam.copy()
    lam[1:half] = lam[half + 1:] = avg
    return ((basis * lam) @ basis.T).astype(complex)
