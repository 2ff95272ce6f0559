r"""Links as Weyl-diagonal (Bell-diagonal for qubits) states, and their composition by swapping.

A two-qudit link :math:`\rho = \sum_{m,k} p_{mk}\,|\Phi_{mk}\rangle\langle\Phi_{mk}|` with
:math:`|\Phi_{mk}\rangle = (X^mZ^k\otimes I)|\phi^+\rangle` (the generalised Bell basis of
:mod:`.swapping`) is described by its :math:`d\times d` weight table :math:`p`.  For qubits:
:math:`\Phi^+ = p_{00}`, :math:`\Phi^- = p_{01}` (:math:`Z`), :math:`\Psi^+ = p_{10}` (:math:`X`),
:math:`\Psi^- = p_{11}` (:math:`XZ`).  Isotropic / Werner links are the case
:math:`p_{00} = F`, all other weights :math:`(1-F)/(d^2-1)`, with :math:`F = v + (1-v)/d^2`; every
:math:`v \in [-1/(d^2-1), 1]` is a valid state (:math:`F \in [0, 1]`).

**Composition law.**  Swapping two Weyl-diagonal links with the generalised Bell measurement and
Bob's :math:`X^mZ^k` correction (:func:`.swapping.swap_states`) maps the basis pair
:math:`(\Phi_{m_1k_1}, \Phi_{m_2k_2})` to :math:`\Phi_{m_1+m_2,\,k_1+k_2}` (indices mod d): the
Weyl operators compose as a representation of :math:`\mathbb Z_d\times\mathbb Z_d` up to phases,
which cancel in the projector.  Hence the weights convolve over the group,

.. math:: p^{out}_{mk} = \sum_{m_1,k_1} p^{(1)}_{m_1k_1}\,p^{(2)}_{m-m_1,\,k-k_1},

which is commutative and associative, so sequential and nested (balanced) swapping give the
same end-to-end state.  O(d^4) per swap; ``tests/repeaters/test_links.py`` checks it against the
density-matrix simulation for random links (d = 2, 3, 4) to 1e-12 and, for Werner links, the
textbook :math:`F_{out} = F_1F_2 + (1-F_1)(1-F_2)/3` (d = 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_int, check_real
from ..status import Status, StatusField

__all__ = [
    "WeylDiagonalLink",
    "weyl_diagonal_link",
    "isotropic_weights",
    "bell_diagonal_weights",
    "compose_weights",
    "compose_chain",
    "weights_to_state",
    "weights_from_state",
    "depolarize_weights",
    "dephase_weights",
    "ATOL_WEIGHTS",
    "MAX_LINK_DIM",
]

#: Tolerance on the weights of a link (non-negative, summing to 1).
ATOL_WEIGHTS = 1e-9
#: Largest local dimension of a Weyl-diagonal link.
MAX_LINK_DIM = 256
#: Above this d the convolution runs through 2-D FFTs (round-off ~1e-16 per weight).
FFT_ABOVE_DIM = 8


@dataclass(frozen=True)
class WeylDiagonalLink:
    """A Weyl-diagonal two-qudit link.

    Attributes
    ----------
    weights : ndarray, shape (d, d)
        :math:`p_{mk}`, the weight of :math:`(X^mZ^k\\otimes I)|\\phi^+\\rangle`.
    """

    weights: NDArray[np.float64] = field(repr=False)

    @property
    def local_dim(self) -> int:
        return int(self.weights.shape[0])

    @property
    def fidelity(self) -> float:
        """:math:`F = \\langle\\phi^+|\\rho|\\phi^+\\rangle = p_{00}`."""
        return float(self.weights[0, 0])

    @property
    def visibility(self) -> float:
        """Visibility of the isotropic twirl, :math:`(d^2F-1)/(d^2-1)` (paper 1, Eq. 6)."""
        d2 = self.local_dim**2
        return (d2 * self.fidelity - 1) / (d2 - 1)

    @property
    def isotropy_distance(self) -> float:
        """Trace distance to the isotropic twirl: the spread of the non-:math:`\\phi^+` weights."""
        rest = self.weights.ravel()[1:]
        return float(np.abs(rest - rest.mean()).sum())

    @property
    def is_isotropic(self) -> bool:
        return self.isotropy_distance <= ATOL_WEIGHTS


def weyl_diagonal_link(weights: ArrayLike, name: str = "weights") -> WeylDiagonalLink:
    """Validate a ``d x d`` weight table (non-negative, sum 1) and return the link.

    Raises
    ------
    InputError
        Not square, d outside 2..256, NaN/inf, a weight below -1e-9, or a sum off 1 by > 1e-9.
    """
    try:
        p = np.array(weights, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a d x d table of numbers") from None
    if p.ndim == 1 and round(np.sqrt(p.size)) ** 2 == p.size:
        side = int(round(np.sqrt(p.size)))
        p = p.reshape(side, side)
    if p.ndim != 2 or p.shape[0] != p.shape[1]:
        raise InputError(f"{name} must be a d x d table (d^2 numbers), got shape {p.shape}")
    check_int("local dimension of the link", p.shape[0], 2, MAX_LINK_DIM)
    if not np.all(np.isfinite(p)):
        raise InputError(f"{name} must be finite")
    if p.min() < -ATOL_WEIGHTS:
        raise InputError(f"{name} must be probabilities in [0, 1] summing to 1, got an entry "
                         f"{p.min():.3g}")
    if abs(p.sum() - 1) > ATOL_WEIGHTS:
        raise InputError(f"{name} must sum to 1 (within {ATOL_WEIGHTS:g}), got {p.sum():.12g}")
    p = np.clip(p, 0.0, None)
    return WeylDiagonalLink(p / p.sum())


def isotropic_weights(visibility: float, local_dim: int) -> NDArray[np.float64]:
    r"""Weights of the isotropic (Werner for d = 2) link of visibility
    :math:`v \in [-1/(d^2-1), 1]`: :math:`p_{00} = F = v + (1-v)/d^2`, the rest :math:`(1-F)/(d^2-1)`.

    Examples
    --------
    >>> isotropic_weights(-1 / 3, 2).round(6).tolist()   # the singlet-like Werner state, F = 0
    [[0.0, 0.333333], [0.333333, 0.333333]]
    """
    d = check_int("local_dim", local_dim, 2, MAX_LINK_DIM)
    d2 = d * d
    v = check_real("visibility", visibility, -1.0 / (d2 - 1), 1.0)
    fid = v + (1 - v) / d2
    p = np.full((d, d), (1 - fid) / (d2 - 1))
    p[0, 0] = fid
    return np.clip(p, 0.0, None)


def bell_diagonal_weights(phi_plus: float, phi_minus: float, psi_plus: float,
                          psi_minus: float) -> NDArray[np.float64]:
    """The 2 x 2 weight table of a Bell-diagonal two-qubit state (Phi+, Phi-, Psi+, Psi-)."""
    return weyl_diagonal_link([[phi_plus, phi_minus], [psi_plus, psi_minus]], "bell-diagonal "
                              "weights (phi+, phi-, psi+, psi-)").weights


def compose_weights(left: ArrayLike, right: ArrayLike) -> NDArray[np.float64]:
    """Weights after swapping two Weyl-diagonal links: the convolution over Z_d x Z_d."""
    p1 = np.asarray(left, dtype=float)
    p2 = np.asarray(right, dtype=float)
    if p1.shape != p2.shape:
        raise InputError(f"links must have the same local dimension, got {p1.shape} and {p2.shape}")
    d = p1.shape[0]
    if d > FFT_ABOVE_DIM:  # the same circular convolution via 2-D FFTs, O(d^2 log d)
        out = np.fft.ifft2(np.fft.fft2(p1) * np.fft.fft2(p2)).real
        return np.clip(out, 0.0, None)
    out = np.zeros_like(p2)
    for m1 in range(d):
        for k1 in range(d):
            if p1[m1, k1] != 0.0:
                out += p1[m1, k1] * np.roll(p2, (m1, k1), axis=(0, 1))
    return out


@dataclass(frozen=True, eq=False)
class ComposedChain(StatusField):
    """End-to-end link of a chain and the segments merged on the way.

    Attributes
    ----------
    link : WeylDiagonalLink
        End-to-end state.
    intermediate_fidelities : tuple of float
        Fidelity after each swap (sequential: segment 0..j; balanced: in merge order).
    order : str
    method : str
    status : Status
        ``closed_form``: the composition law, exact.
    message : str
    """

    link: WeylDiagonalLink
    intermediate_fidelities: tuple[float, ...]
    order: str
    method: str = "composition law of Weyl-diagonal weights (convolution over Z_d x Z_d)"
    status: Status = Status.CLOSED_FORM
    message: str = ""


def compose_chain(links: Sequence[ArrayLike], order: str = "sequential") -> ComposedChain:
    """End-to-end link of a chain of Weyl-diagonal links (heterogeneous allowed).

    Parameters
    ----------
    links : sequence of (d, d) weight tables
        Elementary links, left to right (at least one).
    order : {"sequential", "balanced"}
        Swap left to right, or merge neighbours pairwise (nested repeater); equal results.

    Examples
    --------
    >>> w = isotropic_weights(0.9, 2)
    >>> round(compose_chain([w, w, w]).link.visibility, 12)
    0.729
    """
    if order not in ("sequential", "balanced"):
        raise InputError(f"order must be one of sequential, balanced; got {order!r}")
    checked = [weyl_diagonal_link(w, f"links[{i}]").weights for i, w in enumerate(links)]
    if not checked:
        raise InputError("links must list at least one link")
    if len({w.shape for w in checked}) > 1:
        raise InputError("all links must have the same local dimension")
    fids = []
    if order == "sequential":
        state = checked[0]
        for right in checked[1:]:
            state = compose_weights(state, right)
            fids.append(float(state[0, 0]))
    else:
        segments = list(checked)
        while len(segments) > 1:
            merged = [compose_weights(segments[i], segments[i + 1])
                      for i in range(0, len(segments) - 1, 2)]
            fids.extend(float(s[0, 0]) for s in merged)
            if len(segments) % 2:
                merged.append(segments[-1])
            segments = merged
        state = segments[0]
    return ComposedChain(WeylDiagonalLink(state), tuple(fids), order)


def weights_to_state(weights: ArrayLike) -> NDArray[np.complex128]:
    """The ``d^2 x d^2`` density matrix of a Weyl-diagonal link (for checks; d <= 16)."""
    from .swapping import bell_basis_unitaries, max_entangled_state

    p = weyl_diagonal_link(weights).weights
    d = p.shape[0]
    if d > 16:
        raise InputError(f"dense link states are built for d <= 16, got {d}")
    units, phi = bell_basis_unitaries(d), max_entangled_state(d)
    rho = np.zeros((d * d, d * d), dtype=complex)
    for m in range(d):
        for k in range(d):
            vec = np.kron(units[m, k], np.eye(d)) @ phi
            rho += p[m, k] * np.outer(vec, vec.conj())
    return rho


def weights_from_state(rho: ArrayLike, local_dim: int) -> NDArray[np.float64]:
    """Weights :math:`\\langle\\Phi_{mk}|\\rho|\\Phi_{mk}\\rangle` of any two-qudit state (its
    Weyl twirl; equal to ``rho`` exactly when ``rho`` is Weyl-diagonal)."""
    from .swapping import bell_basis_unitaries, max_entangled_state

    d = check_int("local_dim", local_dim, 2, 16)
    rho = np.asarray(rho, dtype=complex)
    units, phi = bell_basis_unitaries(d), max_entangled_state(d)
    out = np.zeros((d, d))
    for m in range(d):
        for k in range(d):
            vec = np.kron(units[m, k], np.eye(d)) @ phi
            out[m, k] = float(np.real(vec.conj() @ rho @ vec))
    return out


def depolarize_weights(weights: ArrayLike, survival: float) -> NDArray[np.float64]:
    r"""One qudit through the depolarising channel :math:`\rho\mapsto\lambda\rho +
    (1-\lambda)\,\mathrm{tr}_1\rho\otimes I/d`: :math:`p \mapsto \lambda p + (1-\lambda)/d^2`."""
    lam = check_real("survival", survival, 0.0, 1.0)
    p = np.asarray(weights, dtype=float)
    return lam * p + (1 - lam) / p.size


def dephase_weights(weights: ArrayLike, survival: float) -> NDArray[np.float64]:
    r"""One qudit through the dephasing channel :math:`\rho\mapsto\lambda\rho + (1-\lambda)
    \frac1d\sum_j Z^j\rho Z^{-j}`: :math:`Z^j` shifts the phase index, so
    :math:`p_{mk}\mapsto\lambda p_{mk} + (1-\lambda)\frac1d\sum_j p_{m,k+j}`."""
    lam = check_real("survival", survival, 0.0, 1.0)
    p = np.asarray(weights, dtype=float)
    return lam * p + (1 - lam) * p.mean(axis=1, keepdims=True)
