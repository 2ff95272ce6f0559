r"""Entropies in bits, from matrices or from spectra given as multisets.

The structured route for :math:`\rho_d` (paper 2) never builds a :math:`4d^2 \times 4d^2` matrix:
every spectrum is a short list of distinct eigenvalues with (possibly huge) multiplicities, a
:class:`Multiset`.  All logarithms are base 2; :math:`0 \log 0 = 0`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...info import entropy as _info
from numpy.typing import ArrayLike, NDArray

from ...errors import InputError

__all__ = [
    "Multiset",
    "shannon_entropy",
    "binary_entropy",
    "von_neumann_entropy",
    "relative_entropy",
]

ATOL_EIG = 1e-12
"""Eigenvalues with absolute value below this are treated as exact zeros in entropies."""

ATOL_SUPPORT = 1e-10
"""Weight of ``rho`` outside ``supp(sigma)`` above this makes :math:`D(\\rho\\|\\sigma)=\\infty`."""

MERGE_RTOL = 1e-12
"""Relative tolerance for merging equal values in a :class:`Multiset` (relative: no absolute floor,
since structured spectra contain genuine eigenvalues of order 1e-13)."""


@dataclass(frozen=True)
class Multiset:
    """Distinct real values with integer multiplicities (a structured spectrum).

    Parameters
    ----------
    values : numpy.ndarray
        Distinct values (sorted ascending).
    multiplicities : tuple of int
        Python ints, so that multiplicities such as :math:`4^{20}` are exact.
    """

    values: NDArray
    multiplicities: tuple[int, ...]

    @classmethod
    def from_pairs(cls, pairs) -> "Multiset":
        """Build from ``(value, multiplicity)`` pairs, merging values equal to ``MERGE_RTOL``."""
        merged: list[list] = []
        for value, mult in sorted(((float(v), int(m)) for v, m in pairs), key=lambda t: t[0]):
            if mult < 0:
                raise InputError(f"multiplicities must be >= 0, got {mult}")
            if mult == 0:
                continue
            if merged and abs(value - merged[-1][0]) <= MERGE_RTOL * max(abs(value), abs(merged[-1][0])):
                merged[-1][1] += mult
            else:
                merged.append([value, mult])
        return cls(np.array([m[0] for m in merged], dtype=float), tuple(m[1] for m in merged))

    @classmethod
    def from_array(cls, array: ArrayLike) -> "Multiset":
        """Multiset of the entries of ``array`` (e.g. eigenvalues from a dense route)."""
        v = np.sort(np.ravel(np.asarray(array, dtype=float)))
        if v.size == 0:
            return cls(np.array([], dtype=float), ())
        scale = np.maximum(np.abs(v[1:]), np.abs(v[:-1]))
        starts = np.concatenate([[0], np.nonzero(np.diff(v) > MERGE_RTOL * scale)[0] + 1])
        counts = np.diff(np.concatenate([starts, [v.size]]))
        return cls.from_pairs(zip(v[starts], (int(c) for c in counts)))

    def __add__(self, other: "Multiset") -> "Multiset":
        """Multiset union (spectrum of a direct sum)."""
        return Multiset.from_pairs(
            list(zip(self.values, self.multiplicities)) + list(zip(other.values, other.multiplicities))
        )

    def scaled(self, factor: float) -> "Multiset":
        """Every value multiplied by ``factor``."""
        return Multiset.from_pairs((factor * v, m) for v, m in zip(self.values, self.multiplicities))

    def kron(self, other: "Multiset") -> "Multiset":
        """All pairwise products (singular values / moduli of a Kronecker product)."""
        return Multiset.from_pairs(
            (a * b, ma * mb)
            for a, ma in zip(self.values, self.multiplicities)
            for b, mb in zip(other.values, other.multiplicities)
        )

    @property
    def size(self) -> int:
        """Total multiplicity (the dimension, for a spectrum)."""
        return sum(self.multiplicities)

    def total(self) -> float:
        """Sum of all elements with multiplicity (the trace, for a spectrum)."""
        return float(sum(float(v) * m for v, m in zip(self.values, self.multiplicities)))

    def min(self) -> float:
        """Smallest value."""
        return float(self.values[0])

    def max(self) -> float:
        """Largest value."""
        return float(self.values[-1])

    def entropy(self) -> float:
        r"""Von Neumann entropy :math:`-\sum_k m_k \lambda_k \log_2 \lambda_k` (bits).

        Structured spectra carry exact zeros and tiny but genuine eigenvalues (e.g.
        :math:`1/d^2 \approx 10^{-12}` with multiplicity :math:`d^2`), so no absolute cut-off is
        applied: values :math:`\le 0` (rounding of exact zeros) contribute nothing.
        """
        total = 0.0
        for v, m in zip(self.values, self.multiplicities):
            if v > 0.0:
                total -= m * v * np.log2(v)
        return float(total)


def shannon_entropy(probs: ArrayLike) -> float:
    r"""Shannon entropy in bits, eigenvalue noise (<= ``ATOL_EIG``) ignored
    (:func:`qkdbounds.info.shannon_entropy`, the package's one implementation)."""
    return _info.shannon_entropy(probs, atol=ATOL_EIG)


binary_entropy = _info.binary_entropy


def von_neumann_entropy(matrix: ArrayLike) -> float:
    r"""Von Neumann entropy in bits (:func:`qkdbounds.info.von_neumann_entropy`)."""
    return _info.von_neumann_entropy(matrix, atol=ATOL_EIG)


def relative_entropy(rho: ArrayLike, sigma: ArrayLike) -> float:
    r"""Quantum relative entropy :math:`D(\rho\|\sigma) = \mathrm{tr}\,\rho(\log_2\rho - \log_2\sigma)`.

    Returns ``inf`` when :math:`\mathrm{supp}\,\rho \not\subseteq \mathrm{supp}\,\sigma` (weight
    of ``rho`` on the kernel of ``sigma`` above ``ATOL_SUPPORT``).

    Examples
    --------
    >>> import numpy as np
    >>> relative_entropy(np.diag([1.0, 0.0]), np.eye(2) / 2)
    1.0
    """
    rho = np.asarray(rho, dtype=complex)
    sigma = np.asarray(sigma, dtype=complex)
    if rho.shape != sigma.shape:
        raise InputError(f"rho and sigma must have the same shape, got {rho.shape} and {sigma.shape}")
    s_vals, s_vecs = np.linalg.eigh((sigma + sigma.conj().T) / 2)
    weights = np.real(np.sum(s_vecs.conj() * (rho @ s_vecs), axis=0))
    kernel = s_vals <= ATOL_EIG
    if np.sum(np.abs(weights[kernel])) > ATOL_SUPPORT:
        return float("inf")
    cross = -float(np.sum(weights[~kernel] * np.log2(s_vals[~kernel])))
    return cross - von_neumann_entropy(rho)
