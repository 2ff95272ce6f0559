r"""Projective d-outcome measurements, one per party.

A measurement is stored as a unitary :math:`U` whose *columns* are the measurement vectors:
outcome :math:`a` has projector :math:`U|a\rangle\langle a|U^\dagger`.  The computational basis
is :math:`U = \mathbb 1` (the paper's "Z basis").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_int, check_real

__all__ = [
    "Measurement",
    "computational",
    "fourier",
    "xz_plane",
    "from_unitary",
    "random_measurement",
    "same_basis",
]

#: Tolerance of the unitarity check of user-supplied measurement matrices.
ATOL_UNITARY = 1e-9


@dataclass(frozen=True)
class Measurement:
    """A projective measurement given by a unitary whose columns are the basis vectors."""

    unitary: NDArray[np.complex128] = field(repr=False)
    label: str = "custom"

    @property
    def dim(self) -> int:
        return self.unitary.shape[0]

    @property
    def is_computational(self) -> bool:
        """True if the basis is the computational one up to phases and a permutation."""
        u = np.abs(self.unitary)
        return bool(np.allclose(u * u, np.round(u * u), atol=1e-12))

    def projectors(self) -> NDArray[np.complex128]:
        """Array ``P[a]`` of the d projectors."""
        u = self.unitary
        return np.einsum("ia,ja->aij", u, u.conj())

    def to_dict(self) -> dict:
        return {"label": self.label, "unitary_re": self.unitary.real.tolist(),
                "unitary_im": self.unitary.imag.tolist()}


#: Largest local dimension of a dense basis matrix (d x d complex: 256 MiB at 4096).
MAX_BASIS_DIM = 4096


def computational(local_dim: int) -> Measurement:
    """Computational (Z) basis measurement (dense: ``local_dim`` in [2, 4096])."""
    d = check_int("local_dim", local_dim, 2, MAX_BASIS_DIM)
    return Measurement(np.eye(d, dtype=complex), "Z")


def fourier(local_dim: int) -> Measurement:
    r"""Fourier basis :math:`|\tilde a\rangle = d^{-1/2}\sum_k \omega^{ak}|k\rangle` (dense:
    ``local_dim`` in [2, 4096])."""
    d = check_int("local_dim", local_dim, 2, MAX_BASIS_DIM)
    k = np.arange(d)
    return Measurement(np.exp(2j * np.pi * np.outer(k, k) / d) / np.sqrt(d), "F")


def xz_plane(theta: float) -> Measurement:
    r"""Qubit measurement in the X-Z plane at angle :math:`\theta` from Z.

    Outcome 0: :math:`\cos(\theta/2)|0\rangle + \sin(\theta/2)|1\rangle`; outcome 1 orthogonal.
    :math:`\theta = 0` is Z, :math:`\theta = \pi/2` is X (and labelled so; other angles
    ``"XZ(theta)"``).
    """
    theta = check_real("theta", theta)
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    label = ("Z" if abs(theta) <= 1e-12 else "X" if abs(theta - np.pi / 2) <= 1e-12
             else f"XZ({theta:.6g})")
    return Measurement(np.array([[c, -s], [s, c]], dtype=complex), label)


def from_unitary(unitary, label: str = "custom") -> Measurement:
    """Measurement from any d x d unitary (columns = basis vectors), validated."""
    try:
        u = np.asarray(unitary, dtype=complex)
    except (TypeError, ValueError, OverflowError):
        raise InputError("unitary must be a numeric square matrix") from None
    if u.ndim != 2 or u.shape[0] != u.shape[1] or not 2 <= u.shape[0] <= MAX_BASIS_DIM:
        raise InputError(f"unitary must be a d x d matrix with d in [2, {MAX_BASIS_DIM}], got shape {u.shape}")
    if not np.all(np.isfinite(u)):
        raise InputError("unitary must not contain NaN or inf")
    if not np.allclose(u.conj().T @ u, np.eye(u.shape[0]), atol=ATOL_UNITARY):
        raise InputError(f"unitary must satisfy U^dagger U = I (tolerance {ATOL_UNITARY})")
    return Measurement(u, label)


def random_measurement(local_dim: int, rng: np.random.Generator) -> Measurement:
    """Haar-random basis (QR of a complex Ginibre matrix with phase fix)."""
    d = check_int("local_dim", local_dim, 2)
    z = (rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    q = q * (np.diag(r) / np.abs(np.diag(r)))
    return Measurement(q, "haar")


def same_basis(u, v, atol: float = 1e-9) -> bool:
    r"""Whether two bases measure the same thing up to relabelled outcomes and phases:
    :math:`|U^\dagger V|^2` (``u``, ``v`` unitaries whose columns are the basis vectors, shape
    ``(d, d)``) is a permutation matrix to ``atol``.  False for unitaries of different sizes.

    Examples
    --------
    >>> h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    >>> same_basis(h, h[:, ::-1] * 1j), same_basis(h, np.eye(2))
    (True, False)
    """
    u, v = np.asarray(u), np.asarray(v)
    if u.shape != v.shape:
        return False
    overlap = np.abs(u.conj().T @ v) ** 2
    return bool(np.all(overlap.max(axis=1) > 1 - atol))
