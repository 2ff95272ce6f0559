r"""Key lower bound :math:`K(\rho_d)`: privacy squeezing + Devetak–Winter, computed from the matrix.

Paper 2 ("Examples"): by privacy squeezing (Ref. [27]) :math:`\rho_d` has at least the key of the
Bell-diagonal :math:`\rho_{\rm Bell}`, and the Devetak–Winter rate (Ref. [16]) gives
:math:`K \ge 1 - H(1-p, p/2, p/2)`; with :math:`p = 1/(\sqrt d+1)` this is the printed
:math:`1 - H[(\sqrt d, \tfrac12, \tfrac12)/(\sqrt d + 1)]`.

Devetak–Winter rate from a matrix (Alice measures her key qubit in Z, Bob his, Eve holds a
purification, one-way reconciliation from Alice):

.. math::
    r_{DW} = H(Z_A|E) - H(Z_A|Z_B), \qquad
    H(Z_A|E) = S\big((\Delta_A\otimes\mathrm{id})\rho\big) - S(\rho),

the identity holding because, conditioned on Alice's outcome, the rest of a pure
:math:`\rho_{AB E}` stays pure so :math:`S(E|a) = S(\text{rest}|a)`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...errors import InputError, check_choice, check_density_matrix, check_int
from ...status import Status
from . import _structure
from ._results import KeyBoundResult
from ._rho_d import RhoD, ppt_edge_mixing, rho_d_matrix
from ._spectra import shannon_entropy, von_neumann_entropy

__all__ = [
    "privacy_squeeze",
    "devetak_winter_rate",
    "rho_d_key_lower_bound",
    "key_lower_bound_formula",
]

ATOL_KEY = 1e-10
"""Agreement expected between routes for key rates (bits)."""


def _check_key_state(matrix, dims) -> tuple[NDArray, tuple[int, int, int, int]]:
    try:
        dims = tuple(dims)
    except TypeError:
        raise InputError(f"dims must be (2, 2, dA_shield, dB_shield), got {dims!r}") from None
    if len(dims) != 4:
        raise InputError(f"dims must be (2, 2, dA_shield, dB_shield), got {dims!r}")
    dims = tuple(check_int(f"dims[{k}]", v, 1) for k, v in enumerate(dims))
    if dims[:2] != (2, 2):
        raise InputError(f"dims must start with two key qubits (2, 2), got {dims!r}")
    rho = check_density_matrix("matrix", matrix)
    if rho.shape[0] != int(np.prod(dims)):
        raise InputError(f"matrix size {rho.shape[0]} does not match dims {list(dims)}")
    return rho, dims


def _blocks(rho: NDArray, dims) -> NDArray:
    """``blocks[k, l]`` = shield operator at key row ``k`` and key column ``l`` (k = 2a + b)."""
    ds = dims[2] * dims[3]
    return rho.reshape(4, ds, 4, ds).transpose(0, 2, 1, 3)


def privacy_squeeze(matrix: ArrayLike, dims) -> NDArray:
    r"""Privacy-squeezed key state :math:`\sigma_{kl} = \|\rho_{kl}\|_1` (Horodecki et al., Ref. [27]).

    Parameters
    ----------
    matrix : array_like
        Density matrix in tensor order ``(A, B, A', B')``.
    dims : tuple
        ``(2, 2, dA_shield, dB_shield)``.

    Returns
    -------
    numpy.ndarray, shape (4, 4)
        Real matrix of block trace norms; for :math:`\rho_d` the paper's :math:`\rho_{\rm Bell}`.
    """
    rho, dims = _check_key_state(matrix, dims)
    blocks = _blocks(rho, dims)
    sigma = np.zeros((4, 4))
    for k in range(4):
        for m in range(4):
            sigma[k, m] = np.linalg.svd(blocks[k, m], compute_uv=False).sum()
    return sigma


def devetak_winter_rate(matrix: ArrayLike, dims) -> tuple[float, dict[str, float]]:
    r"""Devetak–Winter rate :math:`H(Z_A|E) - H(Z_A|Z_B)` of the key qubits (bits).

    Parameters
    ----------
    matrix : array_like
        Density matrix in tensor order ``(A, B, A', B')``; shields may have dimension 1.
    dims : tuple
        ``(2, 2, dA_shield, dB_shield)``.

    Returns
    -------
    rate : float
    entropies : dict
        ``S_rho``, ``S_dephased``, ``H_A_given_E``, ``H_A_given_B``.
    """
    rho, dims = _check_key_state(matrix, dims)
    blocks = _blocks(rho, dims)
    s_rho = von_neumann_entropy(rho)
    # Delta_A: keep blocks with equal Alice key index (k // 2 == l // 2).
    dephased = rho.reshape(2, 2 * dims[2] * dims[3], 2, -1).copy()
    dephased[0, :, 1, :] = 0
    dephased[1, :, 0, :] = 0
    s_deph = von_neumann_entropy(dephased.reshape(rho.shape))
    p_ab = np.real([[np.trace(blocks[2 * a + b, 2 * a + b]) for b in range(2)] for a in range(2)])
    h_a_given_b = shannon_entropy(p_ab) - shannon_entropy(p_ab.sum(axis=0))
    rate = s_deph - s_rho - h_a_given_b
    return float(rate), {
        "S_rho": s_rho,
        "S_dephased": s_deph,
        "H_A_given_E": s_deph - s_rho,
        "H_A_given_B": float(h_a_given_b),
    }


def key_lower_bound_formula(shield_dim: int) -> float:
    r"""Printed bound :math:`1 - H[(\sqrt d, \tfrac12, \tfrac12)/(\sqrt d + 1)]` (paper 2, "Examples")."""
    d = check_int("shield_dim", shield_dim, 2)
    s = np.sqrt(d)
    return 1.0 - shannon_entropy(np.array([s, 0.5, 0.5]) / (s + 1))


def rho_d_key_lower_bound(state: RhoD, method: str = "structured") -> KeyBoundResult:
    r"""Lower bound on :math:`K(\rho_d)` computed from the state, by two routes.

    ``value`` is the Devetak–Winter rate of the privacy-squeezed key state (the paper's route);
    ``certificate["direct_devetak_winter"]`` is the Devetak–Winter rate of :math:`\rho_d` itself
    (Eve purifies the whole state, shields stay with Alice and Bob), which must be at least as
    large (Ref. [27]); for :math:`\rho_d` the two coincide.

    Parameters
    ----------
    state : RhoD
    method : {"structured", "dense"}
        ``"structured"``: block trace norms and spectra from :mod:`._structure` (any ``d``).
        ``"dense"``: from the dense matrix (``d <= 16``).

    Returns
    -------
    KeyBoundResult
        ``certificate`` has the squeezed state, both rates, and the formula value for the
        paper's mixing :math:`1 - H(1-p, p/2, p/2)`.

    Examples
    --------
    >>> from qkdbounds.di.partial_transpose import rho_d
    >>> round(rho_d_key_lower_bound(rho_d(2**20)).value, 4)
    0.9879
    """
    if not isinstance(state, RhoD):
        raise InputError(f"state must be a RhoD (see rho_d()), got {type(state).__name__}")
    check_choice("method", method, ("structured", "dense"))
    p = state.mixing
    if method == "dense":
        mat = rho_d_matrix(state)
        squeezed = privacy_squeeze(mat, state.dims)
        direct, ent = devetak_winter_rate(mat, state.dims)
    else:
        squeezed = _structure.privacy_squeezed_key_state(state)
        p_ab = _structure.key_distribution(state)
        s_rho = _structure.spectrum(state).entropy()
        s_deph = _structure.key_dephased_spectrum(state).entropy()
        h_ab = shannon_entropy(p_ab) - shannon_entropy(p_ab.sum(axis=0))
        direct = s_deph - s_rho - h_ab
        ent = {"S_rho": s_rho, "S_dephased": s_deph, "H_A_given_E": s_deph - s_rho, "H_A_given_B": h_ab}
    squeezed_rate, squeezed_ent = devetak_winter_rate(squeezed, (2, 2, 1, 1))
    return KeyBoundResult(
        value=squeezed_rate,
        certificate={
            "privacy_squeezed_state": squeezed,
            "squeezed_entropies": squeezed_ent,
            "direct_devetak_winter": direct,
            "direct_entropies": ent,
            "formula_1_minus_H": 1.0 - shannon_entropy([1 - p, p / 2, p / 2]),
            "mixing": p,
            "paper_mixing": p == ppt_edge_mixing(state.shield_dim),
        },
        method=f"privacy_squeezing+devetak_winter/{method}",
        status=Status.CLOSED_FORM,
        tolerance=ATOL_KEY,
    )
