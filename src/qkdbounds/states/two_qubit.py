r"""Two-qubit states: Werner (two-qubit isotropic), Bell-diagonal, and user-supplied matrices.

Bell basis (0-based, in this order):

.. math::

    |B_0\rangle = |\phi^+\rangle = (|00\rangle + |11\rangle)/\sqrt2,\quad
    |B_1\rangle = |\phi^-\rangle = (|00\rangle - |11\rangle)/\sqrt2,

    |B_2\rangle = |\psi^+\rangle = (|01\rangle + |10\rangle)/\sqrt2,\quad
    |B_3\rangle = |\psi^-\rangle = (|01\rangle - |10\rangle)/\sqrt2.

The Werner state here is the paper's two-qubit isotropic state (paper 1, Eq. 4),
:math:`\rho_v = v|\phi^+\rangle\langle\phi^+| + (1-v)\mathbb 1/4`, i.e. the Bell-diagonal state
with weights :math:`((1+3v)/4, (1-v)/4, (1-v)/4, (1-v)/4)`.  A Bell-diagonal state is separable
iff every weight is :math:`\le 1/2` (Horodecki & Horodecki, PRA 54, 1838 (1996)).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._tolerances import ATOL_PROB
from ..errors import InputError, check_density_matrix, check_int, check_probability

__all__ = [
    "BELL_LABELS",
    "bell_basis",
    "werner_state",
    "bell_diagonal_state",
    "load_state",
    "validate_state",
    "ATOL_STATE",
]

#: Tolerance of the validation of user-supplied density matrices (Hermiticity, trace, PSD).
ATOL_STATE = 1e-8

#: Names of the Bell states in the order used by :func:`bell_basis`.
BELL_LABELS = ("phi+", "phi-", "psi+", "psi-")


def bell_basis() -> NDArray[np.complex128]:
    """The Bell basis as the columns of a 4 x 4 unitary, in the order of :data:`BELL_LABELS`.

    Examples
    --------
    >>> import numpy as np
    >>> b = bell_basis()
    >>> bool(np.allclose(b.conj().T @ b, np.eye(4)))
    True
    """
    s = 1 / np.sqrt(2)
    return np.array(
        [[s, s, 0, 0],
         [0, 0, s, s],
         [0, 0, s, -s],
         [s, -s, 0, 0]],
        dtype=complex,
    )


def werner_state(v: float) -> NDArray[np.complex128]:
    r"""Two-qubit isotropic ("Werner") state :math:`v|\phi^+\rangle\langle\phi^+| + (1-v)\mathbb 1/4`.

    Paper 1, Eq. (4).  Entangled iff :math:`v > 1/3`.

    Parameters
    ----------
    v : float
        Visibility in ``[0, 1]``.

    Returns
    -------
    ndarray, shape (4, 4)

    Examples
    --------
    >>> rho = werner_state(1.0)
    >>> round(float(rho[0, 3].real), 12)
    0.5
    """
    v = check_probability("visibility", v)
    phi = bell_basis()[:, 0]
    return v * np.outer(phi, phi.conj()) + (1 - v) * np.eye(4, dtype=complex) / 4


def _check_weights(weights: ArrayLike, name: str = "weights") -> NDArray[np.float64]:
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be 4 real numbers (Bell-state probabilities)") from None
    if w.shape != (4,):
        raise InputError(f"{name} must be 4 numbers (one per Bell state), got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise InputError(f"{name} must not contain NaN or inf")
    if np.any(w < -ATOL_PROB):
        raise InputError(f"{name} must be probabilities in [0, 1] summing to 1, got {w.tolist()}")
    if abs(w.sum() - 1.0) > ATOL_STATE:
        raise InputError(f"{name} must sum to 1 (tolerance {ATOL_STATE}), got sum {w.sum():.12g}")
    return np.clip(w, 0.0, None)


def bell_diagonal_state(weights: ArrayLike, *, name: str = "weights") -> NDArray[np.complex128]:
    r"""Bell-diagonal state :math:`\sum_k p_k |B_k\rangle\langle B_k|`.

    Parameters
    ----------
    weights : array_like, shape (4,)
        Probabilities :math:`p_k` of :math:`(\phi^+, \phi^-, \psi^+, \psi^-)`, non-negative,
        summing to 1 (within :data:`ATOL_STATE`).
    name : str
        The parameter's name in error messages (``"--bell-diagonal"`` from the CLI).

    Returns
    -------
    ndarray, shape (4, 4)

    Raises
    ------
    InputError
        Weights that are not 4 finite probabilities summing to 1.

    Examples
    --------
    >>> import numpy as np
    >>> bool(np.allclose(bell_diagonal_state([0.25] * 4), np.eye(4) / 4))
    True
    """
    w = _check_weights(weights, name)
    b = bell_basis()
    return (b * w) @ b.conj().T


def load_state(path: str | PathLike, dims: ArrayLike = (2, 2)) -> NDArray[np.complex128]:
    """Load a density matrix from a ``.npy`` file and validate it.

    Parameters
    ----------
    path : str or path-like
        A NumPy ``.npy`` file holding a square complex or real array (pickles are refused).
    dims : sequence of int
        Subsystem dimensions; their product must equal the matrix size (default two qubits).

    Returns
    -------
    ndarray
        The validated density matrix (complex).

    Raises
    ------
    InputError
        Unreadable file; not square; ``dims`` not matching; not Hermitian; not PSD; trace not 1;
        NaN/inf (tolerance :data:`ATOL_STATE`).
    """
    from .._io import load_npy_checked

    if not isinstance(path, (str, PathLike)):
        raise InputError(f"path must be a file path (str or os.PathLike), got {type(path).__name__}")
    p = Path(path)
    # file, size and .npy header (shape, dtype) checked before the array is read
    data = load_npy_checked("state file", p)
    if not isinstance(data, np.ndarray):
        raise InputError(f"state file {p} must hold a single array (.npy), not an archive")
    return validate_state(data, dims, name=f"state in {p.name}")


def validate_state(matrix: ArrayLike, dims: ArrayLike = (2, 2), name: str = "rho") -> NDArray[np.complex128]:
    """Validate a density matrix with subsystem dimensions ``dims``; returns it as complex."""
    try:
        dims_t = tuple(dims)
    except TypeError:
        raise InputError(f"dims must be a sequence of integers >= 2, got {dims!r}") from None
    if len(dims_t) < 1:
        raise InputError("dims must list at least one subsystem dimension")
    dims_t = tuple(check_int(f"dims[{k}]", dk, 2) for k, dk in enumerate(dims_t))
    try:
        arr = np.asarray(matrix)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a numeric square matrix") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{name} must be a numeric square matrix, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name} must be a square matrix, got shape {arr.shape}")
    size = int(np.prod(dims_t))
    if arr.shape[0] != size:
        raise InputError(f"dims {list(dims_t)} multiply to {size}, but {name} has shape {arr.shape}")
    rho = check_density_matrix(name, arr, atol=ATOL_STATE)
    return (rho + rho.conj().T) / 2
