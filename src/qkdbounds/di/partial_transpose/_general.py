r"""Paper 2, Eq. (3) for a user's PPT state: :math:`K_{DI}(\rho) \le \min\{K(\rho), K(\rho^\Gamma)\}`.

Both key rates are bounded by the relative entropy of entanglement to certified separable states
(:mod:`._relative_entropy`).  In :math:`2\times2` and :math:`2\times3` a PPT state is separable
(Horodecki 1996), so :math:`K(\rho) = 0` and the bound is 0 with that theorem as certificate.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..._tolerances import ATOL_PSD
from ...errors import InputError, check_density_matrix, check_int, check_real, check_rng
from ...states._partial_transpose import min_pt_eigenvalue, partial_transpose
from ...status import Status
from ._relative_entropy import SeparableCertificate, relative_entropy_bound, relative_entropy_upper_bound
from ._results import GeneralStateBound

__all__ = ["ppt_state_key_bound"]


def ppt_state_key_bound(
    matrix: ArrayLike,
    dims,
    rng: np.random.Generator | None = None,
    n_starts: int = 2,
    atol: float = ATOL_PSD,
) -> GeneralStateBound:
    r"""Device-independent key upper bound of a PPT state, Eq. (3) of paper 2.

    Parameters
    ----------
    matrix : array_like
        Density matrix on :math:`\mathbb C^{d_A}\otimes\mathbb C^{d_B}` (Alice first).
    dims : (int, int)
        :math:`(d_A, d_B)`.
    rng : numpy.random.Generator, optional
        Seeds the local-basis searches of :func:`relative_entropy_upper_bound`.
    n_starts : int
        Random local-basis starts per candidate state.
    atol : float
        PPT tolerance on the smallest eigenvalue of :math:`\rho^\Gamma`.

    Returns
    -------
    GeneralStateBound
        ``value = min(E_R-bound(rho), E_R-bound(rho^Gamma))`` with both certificates.

    Raises
    ------
    InputError
        If the matrix is not a density matrix of size :math:`d_A d_B` or is not PPT (Eq. 3
        holds only for PPT states).

    Examples
    --------
    >>> import numpy as np
    >>> ppt_state_key_bound(np.eye(4) / 4, (2, 2)).value
    0.0
    """
    try:
        dims = tuple(dims)
    except TypeError:
        raise InputError(f"dims must be two integers DA DB >= 2, got {dims!r}") from None
    if len(dims) != 2:
        raise InputError(f"dims must be two integers DA DB >= 2, got {list(dims)}")
    dims = (check_int("dims[0] (DA)", dims[0], 2), check_int("dims[1] (DB)", dims[1], 2))
    n_starts = check_int("n_starts", n_starts, 0, 1000)
    from ...states._partial_transpose import MAX_PPT_ATOL

    atol = check_real("atol", atol, 0.0, MAX_PPT_ATOL)
    from ...separability._engine import MAX_ENGINE_DIM

    if dims[0] * dims[1] > MAX_ENGINE_DIM:   # the relative-entropy bound runs the engine on rho
        raise InputError(f"dims: DA*DB must be at most {MAX_ENGINE_DIM} (the separability engine's "
                         f"limit), got {dims[0]}x{dims[1]} = {dims[0] * dims[1]}")
    rho = check_density_matrix("state", matrix)
    if rho.shape[0] != dims[0] * dims[1]:
        raise InputError(f"state has size {rho.shape[0]} but dims {dims[0]}x{dims[1]} need {dims[0] * dims[1]}")
    min_pt = min_pt_eigenvalue(rho, dims, 1)
    if min_pt < -atol:
        raise InputError(
            f"state must be PPT for the bound K_DI <= min{{K(rho), K(rho^Gamma)}} (Eq. 3); "
            f"smallest eigenvalue of rho^Gamma is {min_pt:.3g} < -{atol:g}"
        )
    pt = partial_transpose(rho, dims, 1)
    pt = (pt + pt.conj().T) / 2
    if dims[0] * dims[1] <= 6:
        bounds = []
        for name, state in (("rho", rho), ("rho^Gamma", pt)):
            cert = SeparableCertificate(
                "ppt_low_dimension", dims, state=state,
                description=f"{name} is PPT in {dims[0]}x{dims[1]}, hence separable (Horodecki 1996)",
            )
            bounds.append(relative_entropy_bound(state, cert))
        method = "ppt_implies_separable_2x2_2x3"
    else:
        rng = check_rng("rng", rng)
        bounds = [relative_entropy_upper_bound(s, dims, rng=rng, n_starts=n_starts) for s in (rho, pt)]
        method = "relative_entropy_to_certified_separable_states"
    ok = all(b.status != Status.FAILED for b in bounds)
    value = max(0.0, min(b.value for b in bounds)) if ok else float("nan")
    return GeneralStateBound(
        value=value,
        upper_bound_state=bounds[0],
        upper_bound_pt=bounds[1],
        min_eigenvalue_pt=float(min_pt),
        dims=dims,
        method=method,
        status=Status.CERTIFIED if ok else Status.FAILED,
        message="" if ok else "; ".join(b.message for b in bounds if b.status == Status.FAILED),
        tolerance=max(b.tolerance for b in bounds),
    )
