r"""PPT test of :math:`\rho_d` (paper 2, Eq. 3 needs :math:`\rho^\Gamma \ge 0`), dense and structured."""

from __future__ import annotations

import numpy as np

from ..._tolerances import ATOL_PSD
from ...errors import InputError, check_choice
from ...states._partial_transpose import partial_transpose
from ...status import Status
from . import _structure
from ._results import PPTResult
from ._rho_d import RHO_D_BOB, RhoD, rho_d, rho_d_matrix

__all__ = ["rho_d_ppt", "rho_d_ppt_mixing_range"]

XTOL_MIXING = 1e-12
"""Bisection tolerance on the mixing p at the PPT edge (dense route)."""


def _check_state(state) -> RhoD:
    if not isinstance(state, RhoD):
        raise InputError(f"state must be a RhoD (see rho_d()), got {type(state).__name__}")
    return state


def _dense_min_pt(state: RhoD) -> tuple[float, float]:
    mat = rho_d_matrix(state)
    pt = partial_transpose(mat, state.dims, RHO_D_BOB)
    return float(np.linalg.eigvalsh(pt).min()), float(np.linalg.eigvalsh(mat).min())


def rho_d_ppt_mixing_range(state: RhoD, method: str = "structured") -> tuple[float, float]:
    r"""Interval of mixings :math:`p` for which :math:`\rho_d` (same ``d``, same ``U``) is PPT.

    Structured: :math:`p \ge \sigma_{\max}(U)/(\sigma_{\max}(U) + \sqrt d)` (see
    :mod:`._structure`).  Dense: bisection on the smallest eigenvalue of the dense
    :math:`\rho_d^\Gamma(p)`, which is non-decreasing in :math:`p` only through the coupled block,
    so the PPT set is an interval :math:`[p_*, 1]`.
    """
    state = _check_state(state)
    check_choice("method", method, ("structured", "dense"))
    d = state.shield_dim
    if method == "structured":
        s_max = state.unitary_singular_values()[0].max()
        return (float(s_max / (s_max + np.sqrt(d))), 1.0)
    u = state.unitary if state.unitary != "custom" else state.custom_unitary

    def ppt_at(p: float) -> bool:
        return _dense_min_pt(rho_d(d, p, u))[0] >= -ATOL_PSD

    lo, hi = 0.0, 1.0
    if ppt_at(lo):
        return (0.0, 1.0)
    while hi - lo > XTOL_MIXING:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if ppt_at(mid) else (mid, hi)
    return (float(hi), 1.0)


def rho_d_ppt(state: RhoD, method: str = "structured", atol: float = ATOL_PSD) -> PPTResult:
    r"""Is :math:`\rho_d` PPT?  Smallest eigenvalue of :math:`\rho_d^\Gamma` and the PPT range of p.

    Parameters
    ----------
    state : RhoD
        From :func:`rho_d`.
    method : {"structured", "dense"}
        ``"structured"`` uses the block/Kronecker spectra (works for :math:`d = 2^{20}`);
        ``"dense"`` builds the :math:`4d^2\times4d^2` matrix, applies
        :func:`~qkdbounds.states._partial_transpose.partial_transpose` on Bob's subsystems and
        diagonalises (``d <= 16``).
    atol : float
        Eigenvalues :math:`\ge -\mathrm{atol}` count as non-negative.

    Returns
    -------
    PPTResult

    Examples
    --------
    >>> res = rho_d_ppt(rho_d(4))
    >>> res.ppt, abs(res.min_eigenvalue_pt) < 1e-12
    (True, True)
    """
    state = _check_state(state)
    check_choice("method", method, ("structured", "dense"))
    if method == "dense":
        min_pt, min_rho = _dense_min_pt(state)
        how = "dense_eigh"
    else:
        min_pt = _structure.pt_spectrum(state).min()
        min_rho = _structure.spectrum(state).min()
        how = "structured_blocks/" + state.unitary_singular_values()[1]
    return PPTResult(
        ppt=bool(min_pt >= -atol),
        min_eigenvalue_pt=float(min_pt),
        min_eigenvalue=float(min_rho),
        ppt_mixing_range=rho_d_ppt_mixing_range(state, "structured"),
        method=how,
        status=Status.CLOSED_FORM,
        tolerance=atol,
    )
