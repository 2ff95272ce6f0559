r"""Channels from Choi matrices: complete positivity / copositivity and paper 2, Eq. (8).

Choi matrix convention: :math:`J(\Lambda) = \sum_{ij}|i\rangle\langle j|\otimes\Lambda(|i\rangle\langle j|)`
on input ⊗ output (unnormalised, :math:`\mathrm{tr}\,J = d_{in}`); the Choi *state* is
:math:`J/d_{in}`.  :math:`\Lambda` is completely positive iff :math:`J \ge 0`, trace preserving
iff :math:`\mathrm{tr}_{out}J = I`, and completely copositive (i.e. :math:`\vartheta\circ\Lambda` is
CP, :math:`\vartheta` = transpose) iff :math:`J^{\Gamma_{out}} \ge 0`, because
:math:`J(\vartheta\circ\Lambda) = J(\Lambda)^{\Gamma_{out}}`.

Eq. (8): if :math:`\Lambda` is CP and completely copositive,
:math:`P_2^{DI}(\Lambda) \le P_2(\vartheta\circ\Lambda) \le E(\vartheta\circ\Lambda)`.  For
teleportation-covariant channels :math:`P_2 \le E_R(\text{Choi state})` (Pirandola, Laurenza,
Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017)); we apply that reduction only when covariance
under the Weyl group is verified numerically, and otherwise report the Choi-state number with a
status saying it bounds the key of the Choi state, not :math:`P_2`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..._tolerances import ATOL_PSD
from ...errors import InputError, check_int, check_probability
from ...states._partial_transpose import partial_transpose
from ...status import Status
from ._relative_entropy import relative_entropy_upper_bound
from ._results import ChannelBound, ChannelCheck
from ._rho_d import RhoD, rho_d_matrix
from ._general import ppt_state_key_bound

__all__ = [
    "choi_matrix",
    "channel_check",
    "depolarizing_choi",
    "dephasing_choi",
    "rho_d_channel_choi",
    "is_weyl_covariant",
    "transposed_channel_bound",
]

ATOL_CHANNEL = 1e-9
"""Tolerance on trace preservation and covariance checks of Choi matrices."""


def choi_matrix(kraus: list[ArrayLike]) -> NDArray:
    r"""Choi matrix :math:`J = \sum_{ij}|i\rangle\langle j|\otimes\Lambda(|i\rangle\langle j|)` from Kraus operators."""
    ks = [np.asarray(k, dtype=complex) for k in kraus]
    if not ks or any(k.ndim != 2 or k.shape != ks[0].shape for k in ks):
        raise InputError("kraus must be a non-empty list of equal-shape matrices (d_out x d_in)")
    d_out, d_in = ks[0].shape
    vecs = [np.einsum("oi,ij->jo", k, np.eye(d_in)).reshape(-1) for k in ks]  # sum_i |i> ⊗ K|i>
    return sum(np.outer(v, v.conj()) for v in vecs)


def _check_choi(choi, d_in, d_out) -> tuple[NDArray, int, int]:
    d_in = check_int("d_in", d_in, 1)
    d_out = check_int("d_out", d_out, 1)
    j = np.asarray(choi, dtype=complex)
    if j.shape != (d_in * d_out, d_in * d_out):
        raise InputError(f"choi must be {d_in * d_out}x{d_in * d_out} for d_in={d_in}, d_out={d_out}, got {j.shape}")
    if not np.all(np.isfinite(j)):
        raise InputError("choi must not contain NaN or inf")
    if not np.allclose(j, j.conj().T, atol=ATOL_CHANNEL):
        raise InputError("choi must be Hermitian (a Hermiticity-preserving map)")
    return (j + j.conj().T) / 2, d_in, d_out


def channel_check(choi: ArrayLike, d_in: int, d_out: int, atol: float = ATOL_PSD) -> ChannelCheck:
    r"""Decide CP, complete copositivity and trace preservation from a Choi matrix.

    Examples
    --------
    >>> channel_check(depolarizing_choi(0.8), 2, 2).completely_copositive
    True
    """
    j, d_in, d_out = _check_choi(choi, d_in, d_out)
    scale = max(1.0, float(np.trace(j).real))
    min_j = float(np.linalg.eigvalsh(j).min())
    min_jt = float(np.linalg.eigvalsh(partial_transpose(j, (d_in, d_out), 1)).min())
    tr_out = np.einsum("ioko->ik", j.reshape(d_in, d_out, d_in, d_out))
    return ChannelCheck(
        completely_positive=min_j >= -atol * scale,
        completely_copositive=min_jt >= -atol * scale,
        trace_preserving=bool(np.allclose(tr_out, np.eye(d_in), atol=ATOL_CHANNEL)),
        min_eigenvalue_choi=min_j,
        min_eigenvalue_choi_pt=min_jt,
        tolerance=atol,
    )


def depolarizing_choi(noise: float) -> NDArray:
    r"""Qubit depolarising channel :math:`\Lambda(X) = (1-q)X + q\,\mathrm{tr}(X) I/2` (Choi matrix)."""
    q = check_probability("noise", noise)
    phi = np.array([1, 0, 0, 1], dtype=complex)
    return (1 - q) * np.outer(phi, phi) + q * np.eye(4) / 2


def dephasing_choi(noise: float) -> NDArray:
    r"""Qubit dephasing channel :math:`\Lambda(X) = (1-q)X + q ZXZ` (Choi matrix)."""
    q = check_probability("noise", noise)
    return choi_matrix([np.sqrt(1 - q) * np.eye(2), np.sqrt(q) * np.diag([1.0, -1.0])])


def rho_d_channel_choi(state: RhoD) -> NDArray:
    r"""Choi matrix of the channel :math:`(2d) \to (2d)` whose Choi state is :math:`\rho_d`.

    :math:`\mathrm{tr}_{B B'}\rho_d = I/(2d)`, so :math:`J = 2d\,\rho_d` (ordered (A,A')|(B,B'))
    is the Choi matrix of a CPTP map; it is completely copositive because :math:`\rho_d` is PPT.
    """
    from ._pt_upper import _to_bipartite

    d = state.shield_dim
    return 2 * d * _to_bipartite(rho_d_matrix(state), d)


def _weyl(d: int) -> list[NDArray]:
    omega = np.exp(2j * np.pi / d)
    shift = np.roll(np.eye(d), 1, axis=0)
    clock = np.diag(omega ** np.arange(d))
    return [np.linalg.matrix_power(shift, a) @ np.linalg.matrix_power(clock, b) for a in range(d) for b in range(d)]


def is_weyl_covariant(choi: ArrayLike, d: int) -> bool:
    r"""Whether :math:`\Lambda(W X W^\dagger) = V_W\Lambda(X)V_W^\dagger` with :math:`V_W \in \{W, \bar W\}`.

    In Choi form: :math:`(\bar W\otimes V_W)J(\bar W\otimes V_W)^\dagger = J` for every Weyl
    operator :math:`W` (a sufficient condition for teleportation covariance).
    """
    j, d, _ = _check_choi(choi, d, d)
    for v_of in (lambda w: w, np.conj):
        if all(
            np.allclose((m := np.kron(w.conj(), v_of(w))) @ j @ m.conj().T, j, atol=ATOL_CHANNEL)
            for w in _weyl(d)
        ):
            return True
    return False


def transposed_channel_bound(
    choi: ArrayLike, d_in: int, d_out: int, rng: np.random.Generator | None = None
) -> ChannelBound:
    r"""Paper 2, Eq. (8): bound :math:`P_2^{DI}(\Lambda)` via :math:`E_R` of the Choi state of :math:`\vartheta\circ\Lambda`.

    Returns a :class:`ChannelBound` with ``value=None``, ``status`` ``failed`` and a ``message``
    ("not completely copositive" or "not a channel") when Eq. (8) does not apply.  The Choi-state relative entropy bound
    is a bound on :math:`P_2(\vartheta\circ\Lambda)` when :math:`\vartheta\circ\Lambda` is
    teleportation covariant; otherwise ``message`` says it bounds the Choi state's key only.

    Examples
    --------
    >>> transposed_channel_bound(depolarizing_choi(0.8), 2, 2).value
    0.0
    """
    check = channel_check(choi, d_in, d_out)
    if not (check.completely_positive and check.trace_preserving):
        return ChannelBound(None, check, None, None, "eq8", Status.FAILED, ATOL_CHANNEL,
                            "not a channel (not completely positive and trace preserving)")
    if not check.completely_copositive:
        return ChannelBound(None, check, None, None, "eq8", Status.FAILED, ATOL_CHANNEL,
                            "not completely copositive: Eq. (8) does not apply")
    j = np.asarray(choi, dtype=complex)
    choi_t = partial_transpose(j, (d_in, d_out), 1) / d_in
    choi_t = (choi_t + choi_t.conj().T) / 2
    covariant = d_in == d_out and is_weyl_covariant(choi_t * d_in, d_in)
    if d_in * d_out <= 6:
        # Choi state of theta∘Lambda is PPT (its PT is J/d_in >= 0): separable in 2x2, 2x3.
        bound = ppt_state_key_bound(choi_t, (d_in, d_out)).upper_bound_state
    else:
        bound = relative_entropy_upper_bound(choi_t, (d_in, d_out), rng=rng, n_starts=0)
    return ChannelBound(
        value=bound.value,
        check=check,
        choi_bound=bound,
        teleportation_covariant=covariant,
        method="eq8_relative_entropy_of_choi_state",
        status=bound.status,
        message=bound.message if covariant else "; ".join(
            x for x in (bound.message, "choi state only: the map is not teleportation covariant, "
                        "so this bounds the key of its Choi state, not P_2") if x),
        tolerance=ATOL_CHANNEL,
    )
