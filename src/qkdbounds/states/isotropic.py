r"""Isotropic GHZ states and their convex-combination (CC) decomposition.

Paper 1 (Sarkar, Prasad, Horodecki 2026), Eqs. (6)-(9):

.. math::

    \rho_v = v\,|\phi_{d,N}\rangle\langle\phi_{d,N}| + (1-v)\,\mathbb{1}/d^N,
    \qquad |\phi_{d,N}\rangle = \tfrac{1}{\sqrt d}\sum_{i=0}^{d-1} |i\rangle^{\otimes N}.

The state is fully separable for :math:`v \le 1/(1+d^{N-1})` and NPT across every bipartition
above (Eq. 8 uses the separable state at that visibility).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_int, check_parameter, check_probability

__all__ = [
    "IsotropicGHZ",
    "isotropic_ghz",
    "ghz_vector",
    "isotropic_ghz_visibility",
    "separable_visibility",
    "ProductEnsemble",
    "CCDecomposition",
    "cc_decomposition",
]

#: Largest Hilbert-space dimension d**N for which dense matrices are built on request.
MAX_DENSE_DIM = 4096


def separable_visibility(local_dim: int, n_parties: int) -> float:
    r"""Visibility :math:`1/(1+d^{N-1})` of the separable isotropic state of Eq. (8)-(9).

    Below it :math:`\rho_v` is fully separable; above it, :math:`\rho_v` is NPT across every
    bipartition (its partial transposes have the eigenvalue :math:`(1 - v(1+d^{N-1}))/d^N`).
    """
    inv = inverse_big_d(check_int("local_dim", local_dim, 2), check_int("n_parties", n_parties, 1))
    return inv / (1.0 + inv)


def inverse_big_d(local_dim: int, n_parties: int) -> float:
    """:math:`1/D = d^{-(N-1)}` as a float (0.0 once :math:`D` exceeds the float range)."""
    try:
        return 1.0 / float(local_dim) ** (n_parties - 1)
    except OverflowError:
        return 0.0


def ghz_vector(local_dim: int, n_parties: int) -> NDArray[np.complex128]:
    """Dense generalised GHZ vector :math:`|\\phi_{d,N}\\rangle` of Eq. (7) (small sizes only)."""
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 1)
    # (n first: d**n itself would take forever for n ~ 10**400; d >= 2)
    if n > math.log2(MAX_DENSE_DIM**2) or d**n > MAX_DENSE_DIM**2:
        shown = str(n) if len(str(n)) <= 12 else str(n)[:9] + "..."
        raise InputError(f"d**N = {d}**{shown} is too large for a dense vector (max "
                         f"{MAX_DENSE_DIM**2})")
    psi = np.zeros(d**n, dtype=complex)
    stride = sum(d**j for j in range(n))  # index of |i...i> is i * (1 + d + ... + d^(N-1))
    psi[np.arange(d) * stride] = 1.0 / np.sqrt(d)
    return psi


def twirl_visibility(matrix: NDArray, local_dim: int, n_parties: int) -> float:
    r"""Visibility of the isotropic GHZ state with the same fidelity
    :math:`F = \langle\phi_{d,N}|\rho|\phi_{d,N}\rangle` as ``matrix``:
    :math:`v = (d^N F - 1)/(d^N - 1)` (any real value; ``matrix`` of shape (d^N, d^N))."""
    psi = ghz_vector(local_dim, n_parties)
    dim = psi.size
    fid = float(np.real(psi.conj() @ np.asarray(matrix) @ psi))
    return (dim * fid - 1) / (dim - 1)


def isotropic_ghz_visibility(matrix: NDArray, local_dim: int, n_parties: int,
                             atol: float = 1e-10) -> float | None:
    r"""Visibility :math:`v` if ``matrix`` equals :math:`v|\phi_{d,N}\rangle\langle\phi_{d,N}|
    + (1-v)I/d^N` entrywise to ``atol`` (any real v, also below 0), else ``None``.

    For N = 2 this recognises the isotropic two-qudit states."""
    psi = ghz_vector(local_dim, n_parties)
    dim = psi.size
    rho = np.asarray(matrix)
    if rho.shape != (dim, dim):
        return None
    v = twirl_visibility(rho, local_dim, n_parties)
    model = v * np.outer(psi, psi.conj()) + (1 - v) * np.eye(dim) / dim
    return v if np.abs(rho - model).max() <= atol else None


@dataclass(frozen=True)
class IsotropicGHZ:
    r"""The isotropic GHZ state :math:`\rho_v` of Eq. (6), stored by its three parameters.

    Attributes
    ----------
    local_dim : int
        Local dimension :math:`d \ge 2`.
    n_parties : int
        Number of parties :math:`N \ge 2`.
    visibility : float
        :math:`v \in [0, 1]`.
    """

    local_dim: int
    n_parties: int
    visibility: float

    @property
    def dims(self) -> tuple[int, ...]:
        """Local dimensions of the subsystems (QuTiP-style ``dims``)."""
        return (self.local_dim,) * self.n_parties

    @property
    def total_dim(self) -> int:
        return self.local_dim**self.n_parties

    @property
    def is_fully_separable(self) -> bool:
        """True for :math:`v \\le 1/(1+d^{N-1})` (Eq. 8 applies with :math:`q_v = 1`)."""
        return self.visibility <= separable_visibility(self.local_dim, self.n_parties)

    @property
    def npt_threshold(self) -> float:
        """Visibility above which every bipartition is NPT: :math:`1/(1+d^{N-1})`."""
        return separable_visibility(self.local_dim, self.n_parties)

    def to_dense(self) -> NDArray[np.complex128]:
        """Dense :math:`d^N \\times d^N` density matrix (only for ``d**N <= 4096``)."""
        if self.total_dim > MAX_DENSE_DIM:
            raise InputError(f"d**N = {self.total_dim} exceeds the dense limit {MAX_DENSE_DIM}")
        psi = ghz_vector(self.local_dim, self.n_parties)
        v = self.visibility
        return v * np.outer(psi, psi.conj()) + (1 - v) * np.eye(self.total_dim) / self.total_dim

    def pt_min_eigenvalue(self) -> float:
        r"""Smallest eigenvalue of the partial transpose on any non-trivial subset of parties.

        The GHZ coherence :math:`|i..i\rangle\langle j..j|` moves under the transpose to a 2x2
        block with off-diagonal :math:`v/d` on top of the diagonal :math:`(1-v)/d^N`, so the
        smallest eigenvalue is :math:`(1-v)/d^N - v/d` (independent of the subset).
        """
        d, n, v = self.local_dim, self.n_parties, self.visibility
        return (1 - v) / d**n - v / d


def isotropic_ghz(local_dim: int, n_parties: int, visibility: float) -> IsotropicGHZ:
    """Build the isotropic GHZ state of Eq. (6), validating the inputs.

    Examples
    --------
    >>> rho = isotropic_ghz(2, 2, 0.5)
    >>> rho.dims
    (2, 2)
    >>> round(float(rho.to_dense()[0, 0].real), 4)
    0.375
    """
    d = check_parameter("local_dim", local_dim)
    n = check_parameter("n_parties", n_parties)
    v = check_probability("visibility", visibility)
    return IsotropicGHZ(d, n, v)


@dataclass(frozen=True)
class ProductEnsemble:
    r"""A finite ensemble :math:`\{p_i, \otimes_j |\mu_i^{(j)}\rangle\}` of product pure states.

    The separable isotropic state of Eq. (9) is realised exactly by

    .. math::

        \rho^{sep} = \frac{d^{N-1}}{1+d^{N-1}}\,\mathbb{E}_t \bigotimes_{j=1}^N |\psi_{t}^{(j)}\rangle
        \langle\psi_{t}^{(j)}| + \frac{1}{d(1+d^{N-1})} \sum_{k} |k\rangle\langle k|^{\otimes N},

    with :math:`|\psi_t^{(j)}\rangle = d^{-1/2}\sum_k \omega^{t_{j,k}}|k\rangle`,
    :math:`\omega = e^{2\pi i/3}`, :math:`t_{j,0}=0`, free :math:`t_{j,k}\in\mathbb{Z}_3` for
    :math:`j<N, k\ge 1`, and :math:`t_{N,k} = -\sum_{j<N} t_{j,k}`.  Averaging the phases kills every
    coherence :math:`|\vec k\rangle\langle\vec l|` except the diagonal and the GHZ coherences
    :math:`|k..k\rangle\langle l..l|` (the exponent has integer coefficients in ``[-2, 2]``, all
    non-zero mod 3), which gives :math:`(\mathbb 1 - \sum_k |k..k\rangle\langle k..k| )/d^N +
    |\phi\rangle\langle\phi|/d^{N-1}` on average.  An optional uniform mixture of computational
    product states (the white-noise part) covers :math:`v < 1/(1+d^{N-1})`.

    The ensemble has :math:`3^{(N-1)(d-1)} + d` (+ :math:`d^N` for white noise) members; it is
    enumerated lazily, so it is only materialised when iterated.
    """

    local_dim: int
    n_parties: int
    phase_weight: float
    diagonal_weight: float
    noise_weight: float = 0.0

    @property
    def n_free_phases(self) -> int:
        return (self.n_parties - 1) * (self.local_dim - 1)

    def __len__(self) -> int:
        n_noise = self.local_dim**self.n_parties if self.noise_weight > 0 else 0
        return 3**self.n_free_phases + self.local_dim + n_noise

    def __iter__(self):
        """Yield ``(weight, [vector_party_1, ..., vector_party_N])`` for every member."""
        d, n = self.local_dim, self.n_parties
        omega = np.exp(2j * np.pi / 3)
        n_phase = 3**self.n_free_phases
        for flat in itertools.product(range(3), repeat=self.n_free_phases):
            t = np.zeros((n, d), dtype=int)
            t[: n - 1, 1:] = np.reshape(flat, (n - 1, d - 1)) if flat else 0
            t[n - 1, 1:] = -t[: n - 1, 1:].sum(axis=0)
            yield self.phase_weight / n_phase, [omega ** (t[j] % 3) / np.sqrt(d) for j in range(n)]
        basis = np.eye(d, dtype=complex)
        for k in range(d):
            yield self.diagonal_weight / d, [basis[k]] * n
        if self.noise_weight > 0:
            for ks in itertools.product(range(d), repeat=n):
                yield self.noise_weight / d**n, [basis[k] for k in ks]

    def to_dense(self) -> NDArray[np.complex128]:
        """Sum of the ensemble as a dense matrix (small ``d**N`` only)."""
        dim = self.local_dim**self.n_parties
        if dim > MAX_DENSE_DIM or len(self) > 200_000:
            raise InputError(f"ensemble too large to materialise (d**N = {dim}, {len(self)} members)")
        rho = np.zeros((dim, dim), dtype=complex)
        for weight, vectors in self:
            psi = vectors[0]
            for vec in vectors[1:]:
                psi = np.kron(psi, vec)
            rho += weight * np.outer(psi, psi.conj())
        return rho

    def total_weight(self) -> float:
        return self.phase_weight + self.diagonal_weight + self.noise_weight


@dataclass(frozen=True)
class CCDecomposition:
    r"""Eq. (8): :math:`\rho_v = q_v\,\rho^{sep} + (1-q_v)|\phi\rangle\langle\phi|`.

    Attributes
    ----------
    q : float
        Weight :math:`q_v = (1+d^{N-1})(1-v)/d^{N-1}` of the separable part (capped at 1: for
        :math:`v` below the separable visibility the whole state is separable).
    separable : ProductEnsemble
        The separable part as an explicit finite product-state ensemble (Eq. 9) that Eve can send.
    """

    state: IsotropicGHZ
    q: float
    separable: ProductEnsemble

    def to_dense(self) -> NDArray[np.complex128]:
        """Reassemble :math:`q\\rho^{sep} + (1-q)|\\phi\\rangle\\langle\\phi|` densely."""
        psi = ghz_vector(self.state.local_dim, self.state.n_parties)
        return self.q * self.separable.to_dense() + (1 - self.q) * np.outer(psi, psi.conj())


def cc_weight(local_dim: int, n_parties: int, visibility: float) -> float:
    r""":math:`q_v = (1+d^{N-1})(1-v)/d^{N-1}` (Eq. 8), capped at 1.

    Raises
    ------
    InputError
        ``local_dim`` not an integer >= 2, ``n_parties`` not an integer >= 1, ``visibility``
        outside [0, 1].
    """
    d, n = check_int("local_dim", local_dim, 2), check_int("n_parties", n_parties, 1)
    v = check_probability("visibility", visibility)
    return min(1.0, (1 - v) * (1 + inverse_big_d(d, n)))


def cc_decomposition(state: IsotropicGHZ) -> CCDecomposition:
    """The convex-combination decomposition of Eqs. (8)-(9) with an explicit ensemble.

    Examples
    --------
    >>> dec = cc_decomposition(isotropic_ghz(2, 2, 0.6))
    >>> round(dec.q, 6), len(dec.separable)
    (0.6, 5)
    """
    if not isinstance(state, IsotropicGHZ):
        raise InputError("state must be an IsotropicGHZ (isotropic_ghz(local_dim, n_parties, "
                         "visibility))")
    d, n, v = state.local_dim, state.n_parties, state.visibility
    try:
        big_d = float(d) ** (n - 1)
    except OverflowError:
        raise InputError(f"cc_decomposition: d^(N-1) = {d}^{n - 1} exceeds the float range; its "
                         f"explicit ensemble has no representation (the rate questions use the "
                         f"closed forms at any size)") from None
    v_sep = separable_visibility(d, n)
    q = cc_weight(d, n, v)
    if v >= v_sep:
        ens = ProductEnsemble(d, n, big_d / (1 + big_d), 1 / (1 + big_d))
    else:
        # rho_v = (v/v_sep) rho_sep + (1 - v/v_sep) I/d^N, both explicitly separable.
        w = v / v_sep
        ens = ProductEnsemble(d, n, w * big_d / (1 + big_d), w / (1 + big_d), 1 - w)
    return CCDecomposition(state, q, ens)
