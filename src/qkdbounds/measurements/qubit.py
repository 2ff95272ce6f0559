r"""Qubit measurements by Bloch axis, and the candidate axes of the two-qubit measurement search.

Every projective qubit measurement is a Bloch axis :math:`\hat n` (outcome 0 = :math:`+\hat n`);
the sign only relabels outcomes.  The search over two-qubit settings
(:func:`candidate_axis_pairs`) uses a Fibonacci-hemisphere grid of axes per party, the partner
:math:`b\propto T^{\mathsf T}a` most correlated with each grid axis, the singular-vector pairs of
the correlation matrix :math:`T_{ij} = \mathrm{tr}[\rho\,\sigma_i\otimes\sigma_j]` and (Z, Z).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_int
from .bases import Measurement, from_unitary

__all__ = ["PAULI", "correlation_matrix", "bloch_unitary", "bloch_measurement", "bloch_axis",
           "fibonacci_hemisphere", "candidate_axis_pairs", "axis_label"]

#: Pauli matrices x, y, z.
PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)
#: Axes within this distance of a coordinate axis are named after it ("X", "Y", "Z").
ATOL_AXIS_NAME = 1e-9


def correlation_matrix(rho: ArrayLike) -> NDArray[np.float64]:
    r""":math:`T_{ij} = \mathrm{tr}[\rho\,(\sigma_i\otimes\sigma_j)]`, :math:`i, j \in \{x, y, z\}`
    (shape (3, 3)) of a two-qubit state ``rho`` (shape (4, 4))."""
    rho = np.asarray(rho, dtype=complex)
    return np.array([[np.trace(rho @ np.kron(PAULI[i], PAULI[j])).real for j in range(3)]
                     for i in range(3)])


def bloch_unitary(axis: ArrayLike) -> NDArray[np.complex128]:
    r"""Unitary whose first column is the :math:`+\hat n` eigenvector (columns = outcomes)."""
    n = np.asarray(axis, dtype=float)
    if n.shape != (3,) or not np.all(np.isfinite(n)) or np.linalg.norm(n) == 0:
        raise InputError(f"axis must be a non-zero finite 3-vector, got {axis!r}")
    n = n / np.linalg.norm(n)
    theta, phi = np.arccos(np.clip(n[2], -1, 1)), np.arctan2(n[1], n[0])
    c, s, e = np.cos(theta / 2), np.sin(theta / 2), np.exp(1j * phi)
    return np.array([[c, -np.conj(e) * s], [e * s, c]], dtype=complex)


def bloch_measurement(axis: ArrayLike, label: str | None = None) -> Measurement:
    r"""Projective qubit measurement along the Bloch axis ``axis`` (outcome 0 = :math:`+\hat n`).

    Examples
    --------
    >>> bloch_measurement([0, 0, 1]).label
    'Z'
    """
    u = bloch_unitary(axis)
    return from_unitary(u, label or axis_label(bloch_axis(u)))


def bloch_axis(unitary: ArrayLike) -> NDArray[np.float64]:
    r"""Bloch axis :math:`\hat n` of the projective measurement with columns ``unitary`` (outcome
    0 = :math:`+\hat n`)."""
    u = np.asarray(unitary, dtype=complex)
    v = u[:, 0]
    return np.array([np.real(np.vdot(v, PAULI[k] @ v)) for k in range(3)])


def axis_label(axis: ArrayLike) -> str:
    """``"Z"``, ``"X"``, ``"Y"`` (``"-Z"``... for relabelled outcomes) for coordinate axes,
    otherwise ``"axis(theta=..., phi=...)"`` in radians."""
    n = np.asarray(axis, dtype=float)
    n = n / np.linalg.norm(n)
    for k, name in enumerate("XYZ"):
        if abs(abs(n[k]) - 1) <= ATOL_AXIS_NAME:
            return name if n[k] > 0 else "-" + name
    return f"axis(theta={np.arccos(np.clip(n[2], -1, 1)):.6f}, phi={np.arctan2(n[1], n[0]):.6f})"


def fibonacci_hemisphere(n_points: int) -> NDArray[np.float64]:
    """``n_points`` near-uniform unit vectors with z >= 0 (Fibonacci lattice); deterministic."""
    n = check_int("n_points", n_points, 1)
    k = np.arange(n) + 0.5
    z = 1 - k / n  # uniform in z on (0, 1]: equal-area on the hemisphere
    r = np.sqrt(1 - z * z)
    phi = np.pi * (1 + np.sqrt(5)) * k
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def candidate_axis_pairs(rho: ArrayLike, n_grid: int) -> list[tuple[NDArray, NDArray]]:
    """Candidate (Alice, Bob) Bloch-axis pairs of the two-qubit search (module docstring)."""
    grid = fibonacci_hemisphere(n_grid)
    z = np.array([0, 0, 1.0])
    pairs = [(z, z)]
    pairs += [(a, b) for a in grid for b in grid]
    t = correlation_matrix(rho)
    for a in grid:  # B's axis most correlated with A's: argmax_b |a^T T b|
        tb = t.T @ a
        if np.linalg.norm(tb) > 1e-12:
            pairs.append((a, tb / np.linalg.norm(tb)))
    u, _, vt = np.linalg.svd(t)
    pairs += [(u[:, k], vt[k]) for k in range(3)]
    return pairs
