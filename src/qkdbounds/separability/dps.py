r"""Doherty–Parrilo–Spedalieri outer bound on the separable weight (second level, k = 2).

A separable :math:`X = \sum_k p_k\, a_ka_k^\dagger\otimes b_kb_k^\dagger` has the symmetric
extension :math:`\tilde X = \sum_k p_k\, a_ka_k^\dagger\otimes (b_kb_k^\dagger)^{\otimes 2}` on
:math:`A\otimes\mathrm{Sym}^2(B)` that is PPT across every cut (A. C. Doherty, P. A. Parrilo &
F. M. Spedalieri, PRA 69, 022308 (2004), Sec. III).  Hence

.. math::

    q_{\rm DPS} = \max\{\mathrm{tr}X:\ 0\preceq X\preceq\rho,\ X = \mathrm{tr}_{B_2}\tilde X,\
    \tilde X = V Y V^\dagger,\ Y\succeq0,\ \tilde X^{T_A}\succeq0,\ \tilde X^{T_{B_2}}\succeq0\}

(:math:`V` the isometry onto :math:`A\otimes\mathrm{Sym}^2(B)`; the cuts :math:`A|B_1B_2` and
:math:`AB_1|B_2` cover all others by the symmetry) is an outer bound on the largest separable
weight, at most the PPT bound (tracing out :math:`B_2` of :math:`\tilde X^{T_A}` gives
:math:`X^{T_A}`), and it detects PPT entangled states such as Horodecki's 3x3 family.  The
extended party is the smaller one; the SDP has matrices of size :math:`d_Ad_B^2` (extended
party :math:`B`), limited to :data:`MAX_DPS_DIM`.
"""

from __future__ import annotations


import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..states.sources import Source

__all__ = ["dps_outer_weight", "dps_size", "symmetric_isometry", "is_real", "MAX_DPS_DIM",
           "AUTO_DPS_DIM"]

#: Largest real size of the extension's matrices, d_A d_B^2, doubled for complex inputs
#: (real 3x3: 27, real 4x4: 64, complex 3x3: 54).
MAX_DPS_DIM = 64
#: The engine runs DPS by itself only up to this real size (real 3x3 ~0.2 s; complex 3x3, 54,
#: takes ~10-20 s with Clarabel and is left to an explicit call).
AUTO_DPS_DIM = 32


def symmetric_isometry(local_dim: int) -> NDArray[np.float64]:
    r"""Isometry :math:`W` onto :math:`\mathrm{Sym}^2(\mathbb C^d)`, shape ``(d^2, d(d+1)/2)``:
    columns :math:`|ii\rangle` and :math:`(|ij\rangle+|ji\rangle)/\sqrt2` for :math:`i<j`."""
    d = int(local_dim)
    cols = []
    for i in range(d):
        for j in range(i, d):
            c = np.zeros(d * d)
            if i == j:
                c[i * d + i] = 1.0
            else:
                c[i * d + j] = c[j * d + i] = 1 / np.sqrt(2)
            cols.append(c)
    return np.array(cols).T


def is_real(matrix, atol: float = 1e-14) -> bool:
    """True when the imaginary parts are at most ``atol``."""
    return bool(np.abs(np.imag(matrix)).max(initial=0.0) <= atol)


def dps_size(dims, complex_entries: bool = True) -> int:
    """Real size of the level-2 extension's matrices: :math:`d_Ad_B^2` (extending the smaller
    party), doubled for complex matrices (the solver works on real embeddings)."""
    small, large = sorted(int(d) for d in dims)
    return large * small * small * (2 if complex_entries else 1)


def dps_outer_weight(source: Source) -> tuple[float | None, str]:
    r"""Level-2 DPS outer bound on the largest separable weight of a bipartite source.

    Parameters
    ----------
    source : Source
        Two parties with :func:`dps_size` at most :data:`MAX_DPS_DIM` (64), e.g. real 4x4 or
        complex 3x3.

    Returns
    -------
    value : float or None
        The SDP optimum clipped to [0, 1] (None if the solver failed).
    status : str
        cvxpy's status (``"optimal"``, ``"optimal_inaccurate"``, or the failure).

    Raises
    ------
    InputError
        Not a Source, not two parties, or the extension larger than :data:`MAX_DPS_DIM`.

    Examples
    --------
    >>> import numpy as np
    >>> from qkdbounds.states.sources import make_source
    >>> value, status = dps_outer_weight(make_source(np.eye(4) / 4, (2, 2)))
    >>> round(value, 6)
    1.0
    """
    import cvxpy as cp

    if not isinstance(source, Source):
        raise InputError("source must be a qkdbounds.states.sources.Source (see make_source)")
    if source.n_parties != 2:
        raise InputError(f"the DPS bound is implemented for two parties, got {source.n_parties}")
    size = dps_size(source.dims, complex_entries=not is_real(source.matrix))
    if size > MAX_DPS_DIM:
        raise InputError(f"the DPS extension has real size {size} for dims {list(source.dims)} "
                         f"(d_A d_B^2, doubled for complex matrices); allowed: at most "
                         f"{MAX_DPS_DIM}")
    rho = source.matrix
    d_a, d_b = source.dims
    if d_b > d_a:  # extend the smaller party: put it second
        rho = rho.reshape(d_a, d_b, d_a, d_b).transpose(1, 0, 3, 2).reshape(d_a * d_b, d_a * d_b)
        d_a, d_b = d_b, d_a
    iso = np.kron(np.eye(d_a), symmetric_isometry(d_b))
    n_sym = iso.shape[1]
    real = is_real(rho)
    if real:  # a real rho has a real optimal extension ((Y + conj Y)/2 is feasible): 4x smaller
        rho = rho.real
    y = (cp.Variable((n_sym, n_sym), symmetric=True) if real else
         cp.Variable((n_sym, n_sym), hermitian=True))
    ext = iso @ y @ iso.T
    dims3 = [d_a, d_b, d_b]
    x = cp.partial_trace(ext, dims3, axis=2)
    cons = [y >> 0, rho - x >> 0,
            cp.partial_transpose(ext, dims3, axis=0) >> 0,
            cp.partial_transpose(ext, dims3, axis=2) >> 0]
    prob = cp.Problem(cp.Maximize(cp.trace(y) if real else cp.real(cp.trace(y))), cons)
    from .._solvers import solve_problem

    status = solve_problem(prob)
    if status not in ("optimal", "optimal_inaccurate") or prob.value is None:
        return None, status
    return float(min(1.0, max(0.0, prob.value))), str(prob.status)
