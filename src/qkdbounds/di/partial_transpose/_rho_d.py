r"""The family :math:`\rho_d` of paper 2 (diqkd-upper-bounds-2021), dense and structured.

Paper 2 (display after Eq. 3, "Examples") defines, on key qubits :math:`A B` and shields
:math:`A' B'` of dimension :math:`d` each (total dimension :math:`4d^2`),

.. math::
    \rho_d = \frac12 \begin{pmatrix}
    (1-p)\sqrt{XX^\dagger} & 0 & 0 & (1-p)X \\
    0 & pY & 0 & 0 \\
    0 & 0 & pY & 0 \\
    (1-p)X^\dagger & 0 & 0 & (1-p)\sqrt{X^\dagger X}
    \end{pmatrix},

blocks indexed by the key basis :math:`|00\rangle, |01\rangle, |10\rangle, |11\rangle`, with
:math:`Y = \frac1d\sum_i |ii\rangle\langle ii|`,
:math:`X = \frac{1}{d\sqrt d}\sum_{ij} u_{ij} |ij\rangle\langle ji|`,
:math:`|u_{ij}| = 1/\sqrt d`, :math:`U = \sum_{ij} u_{ij}|i\rangle\langle j|` unitary, and
:math:`p = 1/(\sqrt d + 1)`.

Tensor order of the dense matrix: ``(A, B, A', B')`` with dims ``(2, 2, d, d)``; Alice holds
subsystems ``(0, 2)``, Bob ``(1, 3)``.

Structure used by the large-:math:`d` route: :math:`X` is a weighted permutation (monomial)
matrix, so :math:`XX^\dagger = \sum_{ij}|x_{ij}|^2|ij\rangle\langle ij|` is diagonal and
:math:`\rho_d` is a direct sum of :math:`2\times2` blocks on
:math:`\{|00,ij\rangle, |11,ji\rangle\}` plus a diagonal part.  Everything spectral depends only on
the multiset of moduli :math:`|u_{ij}|` and of singular values of :math:`U`, which are known
exactly for the Fourier matrix and are Kronecker products for Hadamard tensor powers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...errors import InputError, check_choice, check_int, check_probability
from ._spectra import Multiset

__all__ = [
    "RhoD",
    "rho_d",
    "rho_d_matrix",
    "fourier_unitary",
    "hadamard_unitary",
    "ppt_edge_mixing",
    "RHO_D_ALICE",
    "RHO_D_BOB",
    "MAX_DENSE_SHIELD_DIM",
]

RHO_D_ALICE = (0, 2)
"""Alice's subsystems (key qubit A, shield A') in the dense tensor order ``(A, B, A', B')``."""
RHO_D_BOB = (1, 3)
"""Bob's subsystems (key qubit B, shield B'); :math:`\\rho^\\Gamma` transposes these."""

MAX_DENSE_SHIELD_DIM = 16
"""Largest shield dimension for which a dense :math:`4d^2\\times4d^2` matrix is built (1024 x 1024)."""

MAX_SHIELD_DIM = 2**40
"""Largest shield dimension of the structured form (as ``rho_d_summary``)."""

MAX_DENSE_UNITARY_DIM = 512
"""Largest d for which the d x d matrix U itself is built densely (to check it)."""

ATOL_UNITARY = 1e-10
"""Tolerance on :math:`\\|U^\\dagger U - I\\|_\\infty` and on :math:`|u_{ij}| = 1/\\sqrt d`."""

UNITARY_KINDS = ("fourier", "hadamard", "custom")


def fourier_unitary(d: int) -> NDArray:
    r"""Fourier matrix :math:`u_{jk} = \omega^{jk}/\sqrt d`, :math:`\omega = e^{2\pi i/d}`."""
    d = check_int("shield_dim", d, 1)
    jk = np.outer(np.arange(d), np.arange(d)) % d
    return np.exp(2j * np.pi * jk / d) / np.sqrt(d)


def hadamard_unitary(d: int) -> NDArray:
    r"""Hadamard tensor power :math:`H^{\otimes k}`, :math:`d = 2^k`; entries :math:`\pm 1/\sqrt d`."""
    d = check_int("shield_dim", d, 1)
    if d & (d - 1):
        raise InputError(f"shield_dim must be a power of 2 for the Hadamard unitary, got {d}")
    i = np.arange(d)
    overlap = np.bitwise_and.outer(i, i)
    parity = np.zeros_like(overlap)
    while np.any(overlap):  # parity of popcount(i & j): (H^{\otimes k})_{ij} = (-1)^{i.j}/sqrt(d)
        parity ^= overlap & 1
        overlap >>= 1
    return (1.0 - 2.0 * parity) / np.sqrt(d)


def ppt_edge_mixing(shield_dim: int) -> float:
    r"""The paper's mixing :math:`p = 1/(\sqrt d + 1)` (paper 2, "Examples")."""
    d = check_int("shield_dim", shield_dim, 1)
    return float(1.0 / (np.sqrt(d) + 1.0))


@dataclass(frozen=True)
class RhoD:
    r"""Structured representation of :math:`\rho_d` (no :math:`4d^2\times4d^2` matrix).

    Attributes
    ----------
    shield_dim : int
        :math:`d`.
    mixing : float
        :math:`p`; the paper uses :math:`1/(\sqrt d+1)`.
    unitary : str
        ``"fourier"``, ``"hadamard"`` (``d = 2^k``) or ``"custom"``.
    custom_unitary : numpy.ndarray or None
        The :math:`d\times d` matrix :math:`U` when ``unitary == "custom"``.
    """

    shield_dim: int
    mixing: float
    unitary: str = "fourier"
    custom_unitary: NDArray | None = field(default=None, compare=False, repr=False)
    closed_form_unitary: bool = field(default=False, compare=False, repr=False)
    r"""Use the closed forms of the Fourier moduli (all :math:`1/\sqrt d`) and singular values
    (all 1) at every ``d``, not only above ``MAX_DENSE_UNITARY_DIM`` (scans over many ``d``)."""

    @property
    def dims(self) -> tuple[int, int, int, int]:
        """Subsystem dimensions in tensor order ``(A, B, A', B')``."""
        return (2, 2, self.shield_dim, self.shield_dim)

    @property
    def dim(self) -> int:
        """Total dimension :math:`4d^2`."""
        return 4 * self.shield_dim**2

    def unitary_matrix(self) -> NDArray:
        """The :math:`d\\times d` unitary :math:`U` (dense; only for moderate ``d``)."""
        d = self.shield_dim
        if self.unitary == "custom":
            return np.array(self.custom_unitary, dtype=complex)
        if d > MAX_DENSE_UNITARY_DIM:
            raise InputError(
                f"shield_dim must be <= {MAX_DENSE_UNITARY_DIM} to build U densely, got {d}"
            )
        return fourier_unitary(d) if self.unitary == "fourier" else hadamard_unitary(d).astype(complex)

    def unitary_moduli(self) -> tuple[Multiset, str]:
        """See :meth:`_unitary_moduli` (cached per state: the spectra call it several times)."""
        return self._moduli_cached

    @cached_property
    def _moduli_cached(self) -> tuple[Multiset, str]:
        return self._unitary_moduli()

    @cached_property
    def _singular_values_cached(self) -> tuple[Multiset, str]:
        return self._unitary_singular_values()

    def unitary_singular_values(self) -> tuple[Multiset, str]:
        """See :meth:`_unitary_singular_values` (cached per state)."""
        return self._singular_values_cached

    def _unitary_moduli(self) -> tuple[Multiset, str]:
        r"""Multiset of :math:`|u_{ij}|` and how it was obtained.

        Hadamard: Kronecker product of :math:`k` copies of the moduli of the :math:`2\times2`
        Hadamard matrix (computed, not assumed).  Fourier: :math:`|\omega^{jk}|/\sqrt d = 1/\sqrt d`
        exactly (closed form) for large ``d``, computed densely when ``d <= 512``.
        """
        d = self.shield_dim
        if self.unitary == "hadamard":
            factor = Multiset.from_array(np.abs(hadamard_unitary(2)))
            out = Multiset.from_pairs([(1.0, 1)])
            for _ in range(d.bit_length() - 1):
                out = out.kron(factor)
            return out, "kronecker_factors"
        if self.unitary == "fourier" and (d > MAX_DENSE_UNITARY_DIM or self.closed_form_unitary):
            return Multiset.from_pairs([(1.0 / np.sqrt(d), d * d)]), "closed_form"
        return Multiset.from_array(np.abs(self.unitary_matrix())), "dense"

    def _unitary_singular_values(self) -> tuple[Multiset, str]:
        r"""Multiset of singular values of :math:`U` and how it was obtained.

        Hadamard: products of singular values of the :math:`2\times2` factor (Kronecker rule).
        Fourier: all equal to 1 (Parseval) for ``d > 512``; dense SVD otherwise.
        """
        d = self.shield_dim
        if self.unitary == "hadamard":
            factor = Multiset.from_array(np.linalg.svd(hadamard_unitary(2), compute_uv=False))
            out = Multiset.from_pairs([(1.0, 1)])
            for _ in range(d.bit_length() - 1):
                out = out.kron(factor)
            return out, "kronecker_factors"
        if self.unitary == "fourier" and (d > MAX_DENSE_UNITARY_DIM or self.closed_form_unitary):
            return Multiset.from_pairs([(1.0, d)]), "closed_form"
        return Multiset.from_array(np.linalg.svd(self.unitary_matrix(), compute_uv=False)), "dense"


def rho_d(
    shield_dim: int,
    mixing: float | None = None,
    unitary: str | ArrayLike = "fourier",
) -> RhoD:
    r"""The state :math:`\rho_d` of paper 2 in structured form.

    Parameters
    ----------
    shield_dim : int
        Shield dimension :math:`d \ge 2`.
    mixing : float, optional
        :math:`p \in [0, 1]`; default the paper's :math:`p = 1/(\sqrt d + 1)`.
    unitary : {"fourier", "hadamard"} or array_like
        The unitary :math:`U` with entries of modulus :math:`1/\sqrt d`.  ``"hadamard"`` needs
        :math:`d = 2^k`.  A ``d x d`` array is checked for unitarity and flat moduli.

    Returns
    -------
    RhoD
        Use :func:`rho_d_matrix` for the dense matrix (small ``d``).

    Examples
    --------
    >>> state = rho_d(4)
    >>> state.dim, round(state.mixing, 6)
    (64, 0.333333)
    """
    d = check_int("shield_dim", shield_dim, 2, MAX_SHIELD_DIM)
    p = ppt_edge_mixing(d) if mixing is None else check_probability("mixing", mixing)
    if isinstance(unitary, str):
        check_choice("unitary", unitary, UNITARY_KINDS[:2])
        if unitary == "hadamard" and d & (d - 1):
            raise InputError(f"shield_dim must be a power of 2 for unitary='hadamard', got {d}")
        return RhoD(d, p, unitary)
    try:
        u = np.asarray(unitary, dtype=complex)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"unitary must be 'fourier', 'hadamard' or a {d}x{d} unitary matrix") from None
    if u.shape != (d, d):
        raise InputError(f"unitary must be a {d}x{d} matrix for shield_dim={d}, got shape {u.shape}")
    if not np.all(np.isfinite(u)):
        raise InputError("unitary must not contain NaN or inf")
    if np.max(np.abs(u.conj().T @ u - np.eye(d))) > ATOL_UNITARY:
        raise InputError(f"unitary must be unitary (|U^dagger U - I| <= {ATOL_UNITARY})")
    if np.max(np.abs(np.abs(u) - 1 / np.sqrt(d))) > ATOL_UNITARY:
        raise InputError(f"unitary entries must all have modulus 1/sqrt(d) = {1 / np.sqrt(d):.6g}")
    return RhoD(d, p, "custom", u)


def _psd_sqrt(mat: NDArray) -> NDArray:
    vals, vecs = np.linalg.eigh((mat + mat.conj().T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.conj().T


def rho_d_matrix(state: RhoD) -> NDArray:
    r"""Dense :math:`4d^2\times4d^2` matrix of :math:`\rho_d`, built literally from the paper's blocks.

    :math:`\sqrt{XX^\dagger}` and :math:`\sqrt{X^\dagger X}` are computed numerically (eigh), not
    assumed, so this route is independent of the structured one.  Tensor order ``(A, B, A', B')``.

    Raises
    ------
    InputError
        If ``shield_dim > MAX_DENSE_SHIELD_DIM``.
    """
    if not isinstance(state, RhoD):
        raise InputError(f"state must be a RhoD (see rho_d()), got {type(state).__name__}")
    d = state.shield_dim
    if d > MAX_DENSE_SHIELD_DIM:
        raise InputError(
            f"shield_dim must be <= {MAX_DENSE_SHIELD_DIM} for the dense route, got {d}; "
            "use the structured functions"
        )
    p = state.mixing
    u = state.unitary_matrix()
    dd = d * d
    x = np.zeros((dd, dd), dtype=complex)
    y = np.zeros((dd, dd), dtype=complex)
    for i in range(d):
        y[i * d + i, i * d + i] = 1.0 / d
        for j in range(d):
            x[i * d + j, j * d + i] = u[i, j] / (d * np.sqrt(d))
    blocks = [[np.zeros((dd, dd), dtype=complex) for _ in range(4)] for _ in range(4)]
    blocks[0][0] = (1 - p) * _psd_sqrt(x @ x.conj().T)
    blocks[0][3] = (1 - p) * x
    blocks[1][1] = p * y
    blocks[2][2] = p * y
    blocks[3][0] = (1 - p) * x.conj().T
    blocks[3][3] = (1 - p) * _psd_sqrt(x.conj().T @ x)
    return np.block(blocks) / 2
