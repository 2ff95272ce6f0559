r"""Partial transpose and the PPT (Peres–Horodecki) test on any subsystems.

For an operator :math:`M` on :math:`\mathcal H_0 \otimes \dots \otimes \mathcal H_{n-1}` and a set
of subsystems :math:`S`, the partial transpose :math:`M^{\Gamma_S}` transposes the indices of the
subsystems in :math:`S` only:

.. math::
    \langle i_0 \dots i_{n-1} | M^{\Gamma_S} | j_0 \dots j_{n-1} \rangle
    = \langle k_0 \dots k_{n-1} | M | l_0 \dots l_{n-1} \rangle,
    \quad (k_s, l_s) = (j_s, i_s) \text{ if } s \in S \text{ else } (i_s, j_s).

A state is PPT with respect to the bipartition :math:`S | \bar S` when :math:`\rho^{\Gamma_S} \ge 0`
(Peres 1996; Horodecki 1996).  Transposing :math:`S` or its complement gives the same spectrum
(:math:`\rho^{\Gamma_{\bar S}} = (\rho^{\Gamma_S})^T`), so the test depends only on the bipartition.
Paper 2 (diqkd-upper-bounds-2021) uses :math:`\rho^\Gamma` in Eq. (3).

Subsystems are 0-based, as everywhere in :mod:`qkdbounds`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._tolerances import ATOL_PSD
from ..errors import InputError, check_int, check_real

#: Largest tolerance on the smallest eigenvalue of a partial transpose that still means "PPT up to
#: round-off": with atol = 1 every two-qubit state, a Bell state included, would count as PPT.
MAX_PPT_ATOL = 1e-3

__all__ = ["partial_transpose", "is_ppt", "min_pt_eigenvalue"]

HERMITIAN_ATOL = 1e-8
"""Absolute tolerance for accepting a matrix as Hermitian in :func:`is_ppt`."""


def _check_dims(dims, size: int | None = None) -> tuple[int, ...]:
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        dims = (dims,)
    try:
        dims = tuple(dims)
    except TypeError:
        raise InputError(f"dims must be a sequence of positive integers, got {dims!r}") from None
    if len(dims) == 0:
        raise InputError("dims must contain at least one subsystem dimension")
    dims = tuple(check_int(f"dims[{k}]", dk, 1) for k, dk in enumerate(dims))
    if size is not None and int(np.prod(dims, dtype=object)) != size:
        raise InputError(
            f"dims {list(dims)} multiply to {int(np.prod(dims, dtype=object))}, "
            f"but the matrix has size {size}"
        )
    return dims


def _check_systems(systems, n_sys: int) -> tuple[int, ...]:
    if isinstance(systems, (int, np.integer)) and not isinstance(systems, bool):
        systems = (systems,)
    try:
        systems = tuple(systems)
    except TypeError:
        raise InputError(
            f"systems must be an integer or a sequence of integers in [0, {n_sys - 1}], "
            f"got {systems!r}"
        ) from None
    systems = tuple(check_int("systems", s, 0, n_sys - 1) for s in systems)
    if len(set(systems)) != len(systems):
        raise InputError(f"systems must not repeat a subsystem, got {list(systems)}")
    return systems


def _check_square(name: str, matrix) -> NDArray:
    try:
        mat = np.asarray(matrix)
    except (TypeError, ValueError, OverflowError) as exc:  # pragma: no cover - numpy message
        raise InputError(f"{name} must be a numeric square matrix ({exc})") from None
    if mat.dtype == object or not np.issubdtype(mat.dtype, np.number):
        raise InputError(f"{name} must be a numeric square matrix, got dtype {mat.dtype}")
    if mat.ndim != 2 or mat.shape[0] != mat.shape[1] or mat.shape[0] == 0:
        raise InputError(f"{name} must be a square matrix, got shape {mat.shape}")
    if not np.all(np.isfinite(mat)):
        raise InputError(f"{name} must not contain NaN or inf")
    return mat


def partial_transpose(
    matrix: ArrayLike, dims: Sequence[int], systems: int | Sequence[int]
) -> NDArray:
    r"""Partial transpose of ``matrix`` on the subsystems ``systems``.

    Parameters
    ----------
    matrix : array_like, shape (D, D)
        Operator on :math:`\bigotimes_k \mathbb C^{d_k}` with :math:`D = \prod_k d_k`
        (row index ordered as ``numpy.kron`` orders it: subsystem 0 most significant).
    dims : sequence of int
        Subsystem dimensions :math:`(d_0, \dots, d_{n-1})`.
    systems : int or sequence of int
        0-based subsystems to transpose (any number, possibly none).

    Returns
    -------
    numpy.ndarray
        :math:`M^{\Gamma_S}`, same shape and dtype as ``matrix``.

    Raises
    ------
    InputError
        If ``matrix`` is not square, ``dims`` do not multiply to its size, or ``systems`` has
        an index outside ``[0, len(dims) - 1]`` or a repeated index.

    Notes
    -----
    Implemented by one reshape to a ``2n``-index tensor and swapping the row and column axes of
    the chosen subsystems; cost :math:`O(D^2)`.  Paper 2, Eq. (3) uses
    :math:`\rho^\Gamma` = transpose on Bob's side.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.arange(16).reshape(4, 4)
    >>> partial_transpose(m, (2, 2), [1])[0]
    array([0, 4, 2, 6])
    """
    mat = _check_square("matrix", matrix)
    dims = _check_dims(dims, mat.shape[0])
    systems = _check_systems(systems, len(dims))
    n = len(dims)
    tensor = mat.reshape(dims + dims)
    axes = list(range(2 * n))
    for s in systems:
        axes[s], axes[n + s] = axes[n + s], axes[s]
    return np.ascontiguousarray(tensor.transpose(axes)).reshape(mat.shape)


def min_pt_eigenvalue(
    matrix: ArrayLike, dims: Sequence[int], systems: int | Sequence[int] | None = None
) -> float:
    r"""Smallest eigenvalue of the partial transpose :math:`\rho^{\Gamma_S}`.

    Parameters
    ----------
    matrix : array_like, shape (D, D)
        Hermitian operator (typically a density matrix).
    dims : sequence of int
        Subsystem dimensions.
    systems : int or sequence of int, optional
        Subsystems to transpose; default the last subsystem (``len(dims) - 1``).

    Returns
    -------
    float
        :math:`\lambda_{\min}(\rho^{\Gamma_S})`; non-negative (up to rounding) iff PPT.

    Examples
    --------
    >>> import numpy as np
    >>> phi = np.zeros(4); phi[[0, 3]] = 2 ** -0.5
    >>> round(min_pt_eigenvalue(np.outer(phi, phi), (2, 2)), 12)
    -0.5
    """
    mat = _check_square("matrix", matrix)
    dims = _check_dims(dims, mat.shape[0])
    if systems is None:
        systems = (len(dims) - 1,)
    if not np.allclose(mat, mat.conj().T, atol=HERMITIAN_ATOL):
        raise InputError(f"matrix must be Hermitian (|M - M^dagger| <= {HERMITIAN_ATOL})")
    pt = partial_transpose(mat, dims, systems)
    return float(np.linalg.eigvalsh((pt + pt.conj().T) / 2).min())


def is_ppt(
    matrix: ArrayLike,
    dims: Sequence[int],
    systems: int | Sequence[int] | None = None,
    atol: float = ATOL_PSD,
) -> bool:
    r"""Whether ``matrix`` has positive partial transpose on ``systems``.

    Parameters
    ----------
    matrix : array_like, shape (D, D)
        Hermitian operator (typically a density matrix).
    dims : sequence of int
        Subsystem dimensions.
    systems : int or sequence of int, optional
        Subsystems to transpose; default the last subsystem (``len(dims) - 1``).
    atol : float
        Eigenvalues :math:`\ge -\mathrm{atol}` count as non-negative
        (default :data:`qkdbounds._tolerances.ATOL_PSD`).

    Returns
    -------
    bool
        ``True`` iff :math:`\lambda_{\min}(\rho^{\Gamma_S}) \ge -\mathrm{atol}`.  For
        :math:`2\times 2` and :math:`2\times 3` states PPT is equivalent to separability
        (Horodecki, Horodecki, Horodecki 1996).

    Examples
    --------
    >>> import numpy as np
    >>> is_ppt(np.eye(4) / 4, (2, 2))
    True
    """
    atol = check_real("atol", atol, 0.0, MAX_PPT_ATOL)
    return min_pt_eigenvalue(matrix, dims, systems) >= -atol
