r"""Entanglement swapping simulated on density matrices (paper 1, "Repeater-based QKD").

Two elementary links share two-qudit states :math:`\rho_{AR_1}` and :math:`\rho_{R_2B}`.  The
repeater measures :math:`R_1R_2` in the generalised Bell basis

.. math::

    |\Phi_{mk}\rangle = (X^m Z^k \otimes I)\,|\phi^+\rangle, \qquad
    X|j\rangle = |j+1 \bmod d\rangle,\quad Z|j\rangle = \omega^j|j\rangle,

(:math:`d^2` orthonormal states), announces :math:`(m, k)`, and Bob applies the correction
:math:`P_{mk} = X^m Z^k` to his qudit.  For perfect links the post-measurement state of
:math:`AB` is :math:`(I\otimes P_{mk}^\dagger)|\phi^+\rangle` with probability :math:`1/d^2`
(a short computation, checked by the tests), so the correction restores :math:`|\phi^+\rangle`.
The end-to-end state is the outcome average of the corrected states.

Nothing here assumes that the result is isotropic or that visibilities multiply: the state is
computed, then compared with its isotropic twirl (the Hilbert–Schmidt projection onto
:math:`\mathrm{span}\{I, |\phi^+\rangle\langle\phi^+|\}`, i.e. the least-squares isotropic fit),
and its visibility is read off the fidelity, :math:`v = (d^2 F - 1)/(d^2 - 1)` (inverting
paper 1, Eq. 6 with :math:`N = 2`).

The four-qudit state :math:`\rho_{AR_1}\otimes\rho_{R_2B}` is never formed as a
:math:`d^4\times d^4` matrix: the projection is contracted link by link (cost
:math:`O(d^8)` per swap instead of :math:`O(d^{12})`), which is the same arithmetic in a
different order.  An explicit dense construction is used by the tests as an independent route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..status import Status, StatusField
from ..errors import InputError, check_density_matrix, check_int, check_probability, check_real

__all__ = [
    "MAX_SWAP_DIM",
    "ATOL_ISOTROPIC",
    "SwapResult",
    "IsotropyCheck",
    "bell_basis_unitaries",
    "max_entangled_state",
    "isotropic_link",
    "swap_states",
    "swap_isotropic",
    "isotropic_twirl",
    "check_isotropic",
    "visibility_from_fidelity",
]

MAX_SWAP_DIM = 16
"""Largest local dimension accepted by the density-matrix simulation (cost ~ d^8 per swap)."""

ATOL_ISOTROPIC = 1e-10
"""Trace distance to the isotropic twirl below which a state counts as isotropic."""

ATOL_STATE = 1e-9
"""Tolerance of the density-matrix validation of user-supplied link states."""


@dataclass(frozen=True)
class IsotropyCheck:
    """How far a two-qudit state is from the isotropic family.

    Attributes
    ----------
    fidelity : float
        :math:`F = \\langle\\phi^+|\\rho|\\phi^+\\rangle`.
    visibility : float
        :math:`(d^2F - 1)/(d^2 - 1)`, the visibility of the isotropic twirl (paper 1, Eq. 6).
    distance : float
        Trace norm :math:`\\lVert\\rho - T(\\rho)\\rVert_1` to the isotropic twirl :math:`T`.
    isotropic : bool
        ``distance <= tolerance``.
    tolerance : float
        The tolerance used (:data:`ATOL_ISOTROPIC`).
    """

    fidelity: float
    visibility: float
    distance: float
    isotropic: bool
    tolerance: float


@dataclass(frozen=True, eq=False)
class SwapResult(StatusField):
    """Outcome of one simulated entanglement swap.

    Attributes
    ----------
    value : float
        Visibility of the end-to-end state read off the simulation (``isotropy.visibility``).
    state : ndarray
        The outcome-averaged, corrected :math:`d^2\\times d^2` state of the two end nodes.
    local_dim : int
        Local dimension ``d``.
    outcome_probabilities : ndarray
        Probability of each Bell outcome ``(m, k)``, shape ``(d, d)``.
    isotropy : IsotropyCheck
        Fidelity, visibility and distance to the isotropic twirl.
    method : str
        How the state was obtained.
    status : Status
        ``closed_form``: an exact density-matrix computation (no optimisation, no sampling).
    message : str
        Notes (empty when there are none).
    """

    value: float
    state: NDArray[np.complex128]
    local_dim: int
    outcome_probabilities: NDArray[np.float64]
    isotropy: IsotropyCheck
    method: str = "density-matrix simulation: generalised Bell measurement + X^m Z^k correction"
    status: Status = Status.CLOSED_FORM
    message: str = ""

    @property
    def visibility(self) -> float:
        """Alias of :attr:`value`."""
        return self.value

    @property
    def isotropic(self) -> bool:
        """Whether the end-to-end state is isotropic (within :data:`ATOL_ISOTROPIC`)."""
        return self.isotropy.isotropic


def _check_dim(local_dim) -> int:
    return check_int("local_dim", local_dim, 2, MAX_SWAP_DIM)


def bell_basis_unitaries(local_dim: int) -> NDArray[np.complex128]:
    r"""The :math:`d^2` Weyl–Heisenberg unitaries :math:`P_{mk} = X^m Z^k`.

    Parameters
    ----------
    local_dim : int
        Local dimension :math:`d \ge 2`.

    Returns
    -------
    ndarray, shape ``(d, d, d, d)``
        ``P[m, k]`` is the ``d x d`` matrix :math:`X^m Z^k`; the generalised Bell states are
        :math:`(P_{mk}\otimes I)|\phi^+\rangle`.

    Examples
    --------
    >>> P = bell_basis_unitaries(2)
    >>> P[1, 1].real.astype(int).tolist()   # X Z
    [[0, -1], [1, 0]]
    """
    d = _check_dim(local_dim)
    omega = np.exp(2j * np.pi / d)
    shift = np.roll(np.eye(d), 1, axis=0)  # X|j> = |j+1 mod d>
    clock = np.diag(omega ** np.arange(d))  # Z|j> = omega^j |j>
    out = np.empty((d, d, d, d), dtype=complex)
    for m in range(d):
        xm = np.linalg.matrix_power(shift, m)
        for k in range(d):
            out[m, k] = xm @ np.linalg.matrix_power(clock, k)
    return out


def max_entangled_state(local_dim: int) -> NDArray[np.complex128]:
    r""":math:`|\phi^+\rangle = d^{-1/2}\sum_i |ii\rangle` as a vector of length :math:`d^2`
    (paper 1, Eq. 7 with :math:`N = 2`)."""
    d = check_int("local_dim", local_dim, 2)
    return np.eye(d, dtype=complex).reshape(d * d) / np.sqrt(d)


def isotropic_link(visibility: float, local_dim: int) -> NDArray[np.complex128]:
    r"""Isotropic two-qudit link :math:`v|\phi^+\rangle\langle\phi^+| + (1-v) I/d^2`
    (paper 1, Eqs. 4 and 6 with :math:`N = 2`), any valid :math:`v \in [-1/(d^2-1), 1]`.

    Examples
    --------
    >>> rho = isotropic_link(0.5, 2)
    >>> round(float(np.trace(rho).real), 12)
    1.0
    """
    d = check_int("local_dim", local_dim, 2, 64)      # (a dense d^2 x d^2 matrix)
    # every v in [-1/(d^2-1), 1] is a state (F = v + (1-v)/d^2 in [0, 1]): Werner links below 1/4
    v = check_real("visibility", visibility, -1.0 / (d * d - 1), 1.0)
    phi = max_entangled_state(d)
    return v * np.outer(phi, phi.conj()) + (1 - v) * np.eye(d * d) / d**2


def visibility_from_fidelity(fidelity: float, local_dim: int) -> float:
    r"""Visibility :math:`v = (d^2F - 1)/(d^2 - 1)` of the isotropic state with fidelity ``F``.

    Inverts :math:`F = v + (1-v)/d^2`, the overlap of paper 1, Eq. 6 (:math:`N=2`) with
    :math:`|\phi^+\rangle`.

    Raises
    ------
    InputError
        ``fidelity`` outside [0, 1] or ``local_dim`` not an integer in [2, 64].
    """
    d2 = check_int("local_dim", local_dim, 2, 64) ** 2
    return (d2 * check_probability("fidelity", fidelity) - 1.0) / (d2 - 1.0)


def isotropic_twirl(state: NDArray, local_dim: int) -> NDArray[np.complex128]:
    r"""Isotropic twirl :math:`T(\rho) = \int (U\otimes U^*)\rho(U\otimes U^*)^\dagger dU`.

    Closed form :math:`T(\rho) = F\,\phi^+ + (1-F)(I - \phi^+)/(d^2-1)` with
    :math:`F = \langle\phi^+|\rho|\phi^+\rangle`; it is the Hilbert–Schmidt projection of
    :math:`\rho` onto the commutant :math:`\mathrm{span}\{I, \phi^+\}`, so it is also the
    least-squares isotropic fit.
    """
    d = check_int("local_dim", local_dim, 2, 64)
    return _twirl_of(_fidelity(_two_qudit_state(state, d), d), d)


def _two_qudit_state(state, d: int) -> NDArray[np.complex128]:
    """``state`` as a complex (d^2, d^2) array, or :class:`InputError`."""
    try:
        arr = np.asarray(state, dtype=complex)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"state must be a numeric ({d * d}, {d * d}) matrix for local_dim={d}") \
            from None
    if arr.shape != (d * d, d * d):
        raise InputError(f"state must have shape ({d * d}, {d * d}) for local_dim={d}, "
                         f"got {arr.shape}")
    return arr


def _fidelity(state: NDArray, d: int) -> float:
    r""":math:`\langle\phi^+|\rho|\phi^+\rangle` (a state's, read off as is)."""
    phi = max_entangled_state(d)
    return float(np.real(phi.conj() @ state @ phi))


def _twirl_of(fid: float, d: int) -> NDArray[np.complex128]:
    r"""The isotropic state of fidelity ``fid``: :math:`F\phi^+ + (1-F)(I-\phi^+)/(d^2-1)`."""
    phi = max_entangled_state(d)
    proj = np.outer(phi, phi.conj())
    return fid * proj + (1 - fid) * (np.eye(d * d) - proj) / (d * d - 1)


def check_isotropic(state: NDArray, local_dim: int,
                    tolerance: float = ATOL_ISOTROPIC) -> IsotropyCheck:
    """Fidelity with :math:`|\\phi^+\\rangle`, read-off visibility and distance to the twirl.

    Parameters
    ----------
    state : ndarray, shape ``(d*d, d*d)``
        A two-qudit density matrix.
    local_dim : int
        ``d``.
    tolerance : float
        Trace-norm tolerance for calling the state isotropic.

    Examples
    --------
    >>> check_isotropic(isotropic_link(0.7, 3), 3).visibility  # doctest: +ELLIPSIS
    0.7...
    """
    d = check_int("local_dim", local_dim, 2, 64)
    tolerance = check_real("tolerance", tolerance, 0.0, 2.0)      # (a trace distance x 2)
    state = _two_qudit_state(state, d)
    fid = _fidelity(state, d)
    diff = state - _twirl_of(fid, d)
    distance = float(np.abs(np.linalg.eigvalsh((diff + diff.conj().T) / 2)).sum())
    # (the fidelity of a state read off as is: round-off may put it a hair outside [0, 1])
    return IsotropyCheck(fidelity=fid, visibility=(d * d * fid - 1.0) / (d * d - 1.0),
                         distance=distance, isotropic=distance <= tolerance,
                         tolerance=tolerance)


def _swap_tensor(rho_left: NDArray, rho_right: NDArray, d: int):
    """Corrected, outcome-averaged end-to-end state and outcome probabilities.

    Index names: a, r (left link A R1), s, b (right link R2 B); primes are bra indices.
    The Bell state (P⊗I)|phi+> has amplitudes <r s|Phi_mk> = P[r, s]/sqrt(d).
    """
    left = rho_left.reshape(d, d, d, d)     # [a, r, a', r']
    right = rho_right.reshape(d, d, d, d)   # [s, b, s', b']
    paulis = bell_basis_unitaries(d).reshape(d * d, d, d)  # [o, ., .]
    amp = paulis / np.sqrt(d)                               # <r s|Phi_o>
    # <Phi_o| rho_L (x) rho_R |Phi_o> restricted to A B (unnormalised, per outcome o):
    # sigma_o[a,b,a',b'] = sum conj(amp[o,r,s]) L[a,r,a',r'] R[s,b,s',b'] amp[o,r',s']
    # step 1: contract r with conj(amp): T[o,a,s,a',r'] = sum_r conj(amp[o,r,s]) L[a,r,a',r']
    t = np.einsum("ors,arbt->oasbt", amp.conj(), left, optimize=True)
    # step 2: contract r' with amp: U[o,a,s,a',s'] = sum_r' T[o,a,s,a',r'] amp[o,r',s']
    u = np.einsum("oasbt,otu->oasbu", t, amp, optimize=True)
    # step 3: contract s, s' with the right link: sigma[o,a,b,a',b']
    sigma = np.einsum("oasxu,scuy->oacxy", u, right, optimize=True)
    probs = np.real(np.einsum("oacac->o", sigma))
    # Bob's correction P_o on b (and P_o^dagger on b'): restores |phi+> for perfect links
    corrected = np.einsum("ocf,oafxg,oyg->oacxy", paulis, sigma, paulis.conj(), optimize=True)
    state = corrected.sum(axis=0).reshape(d * d, d * d)
    return state, probs.reshape(d, d)


def swap_states(rho_left: NDArray, rho_right: NDArray, local_dim: int) -> SwapResult:
    r"""Simulate entanglement swapping of two arbitrary two-qudit links.

    Parameters
    ----------
    rho_left : ndarray, shape ``(d*d, d*d)``
        State of the left link, ordered :math:`A \otimes R_1`.
    rho_right : ndarray, shape ``(d*d, d*d)``
        State of the right link, ordered :math:`R_2 \otimes B`.
    local_dim : int
        ``d`` (2 to :data:`MAX_SWAP_DIM`).

    Returns
    -------
    SwapResult
        End-to-end state of :math:`AB` averaged over the :math:`d^2` Bell outcomes after Bob's
        :math:`X^mZ^k` correction ("Repeater-based QKD" section of paper 1), its visibility
        read off the fidelity, and the isotropy check.

    Examples
    --------
    >>> r = swap_states(isotropic_link(0.9, 2), isotropic_link(0.8, 2), 2)
    >>> round(r.value, 12), r.isotropic
    (0.72, True)
    """
    d = _check_dim(local_dim)
    rho_left = check_density_matrix("rho_left", rho_left, atol=ATOL_STATE)
    rho_right = check_density_matrix("rho_right", rho_right, atol=ATOL_STATE)
    for name, rho in (("rho_left", rho_left), ("rho_right", rho_right)):
        if rho.shape != (d * d, d * d):
            raise InputError(f"{name} must have shape ({d * d}, {d * d}) for local_dim={d}, "
                             f"got {rho.shape}")
    state, probs = _swap_tensor(rho_left, rho_right, d)
    state = (state + state.conj().T) / 2
    iso = check_isotropic(state, d)
    return SwapResult(value=iso.visibility, state=state, local_dim=d,
                      outcome_probabilities=probs, isotropy=iso)


def swap_isotropic(visibility_left: float, visibility_right: float,
                   local_dim: int = 2) -> SwapResult:
    r"""Swap two isotropic links of visibilities :math:`v_1, v_2` (paper 1, Eq. 6, :math:`N=2`).

    The result is simulated (see :func:`swap_states`); the tests compare it with
    :math:`v_1 v_2`, it is not assumed.

    Examples
    --------
    >>> round(swap_isotropic(0.95, 0.95, 3).value, 12)
    0.9025
    """
    d = _check_dim(local_dim)
    v1 = check_probability("visibility_left", visibility_left)
    v2 = check_probability("visibility_right", visibility_right)
    return swap_states(isotropic_link(v1, d), isotropic_link(v2, d), d)
