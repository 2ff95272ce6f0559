r"""Outcome distributions of the isotropic GHZ state (paper 1, Eqs. 6, 8, 11).

The GHZ amplitude of outcome string :math:`\vec a` under local bases :math:`U_j` is

.. math:: \langle \vec a|\bigotimes_j U_j^\dagger|\phi_{d,N}\rangle
          = d^{-1/2}\sum_{k} \prod_j \overline{(U_j)_{k a_j}},

so :math:`p^{ent}` is built from an order-N tensor without any :math:`d^N\times d^N` matrix; the
isotropic and separable distributions follow from linearity in the state:
:math:`p^v = v\,p^{ent} + (1-v)/d^N` and :math:`p^{sep} = p^{v_{sep}} = (p^{ent}+1/d)/(1+d^{N-1})`
(the latter appears in the appendix before Eq. 17).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..states.isotropic import MAX_DENSE_DIM, separable_visibility
from .bases import Measurement

__all__ = [
    "ghz_distribution",
    "isotropic_distribution",
    "separable_distribution",
    "dense_distribution",
    "MAX_OUTCOMES",
]

#: Largest number of outcome strings d**N for which a full distribution tensor is built.
MAX_OUTCOMES = 2**22


def _check_setting(measurements: Sequence[Measurement]) -> tuple[int, int]:
    if isinstance(measurements, (str, bytes)) or not hasattr(measurements, "__len__") or any(
            not isinstance(m, Measurement) for m in measurements):
        raise InputError("measurements must be a sequence of Measurement objects, one per party "
                         "(qkdbounds.measurements.bases: computational, fourier, ...)")
    if len(measurements) < 2:
        raise InputError(f"measurements must list one basis per party (>= 2), got {len(measurements)}")
    dims = {m.dim for m in measurements}
    if len(dims) != 1:
        raise InputError(f"all parties must measure in the same local dimension, got {sorted(dims)}")
    d, n = dims.pop(), len(measurements)
    if d**n > MAX_OUTCOMES:
        raise InputError(f"d**N = {d**n} outcome strings exceed the limit {MAX_OUTCOMES}; "
                         "use the symmetric (Z-basis) route for large N")
    return d, n


def ghz_distribution(measurements: Sequence[Measurement]) -> NDArray[np.float64]:
    """:math:`p^{ent}(\\vec a|\\vec x)` for the GHZ state, as an array of shape ``(d,)*N``."""
    d, _ = _check_setting(measurements)
    amp = measurements[0].unitary.conj()  # axes (k, a_1)
    for m in measurements[1:]:
        amp = amp[..., None] * m.unitary.conj().reshape((d,) + (1,) * (amp.ndim - 1) + (d,))
    amp = amp.sum(axis=0) / np.sqrt(d)
    p = np.abs(amp) ** 2
    return p / p.sum()  # removes rounding drift only; the sum is 1 analytically


def isotropic_distribution(measurements: Sequence[Measurement], visibility: float) -> NDArray[np.float64]:
    """:math:`p^v = v\\,p^{ent} + (1-v)/d^N` (Eq. 6 by linearity); ``visibility`` in [0, 1]."""
    from ..errors import check_probability

    d, n = _check_setting(measurements)
    visibility = check_probability("visibility", visibility)
    return visibility * ghz_distribution(measurements) + (1 - visibility) / d**n


def separable_distribution(measurements: Sequence[Measurement]) -> NDArray[np.float64]:
    """:math:`p^{sep} = (p^{ent} + 1/d)/(1 + d^{N-1})` of the separable state of Eq. (9)."""
    d, n = _check_setting(measurements)
    return isotropic_distribution(measurements, separable_visibility(d, n))


def dense_distribution(rho: NDArray, measurements: Sequence[Measurement]) -> NDArray[np.float64]:
    """Independent dense route: :math:`\\mathrm{Tr}(\\otimes_j M_{a_j|x_j}\\rho)` for every string.

    Builds the full product projectors; only for ``d**N <= 4096``.  Used to cross-check the
    structured route in tests.
    """
    d, n = _check_setting(measurements)
    if d**n > MAX_DENSE_DIM:
        raise InputError(f"d**N = {d**n} exceeds the dense limit {MAX_DENSE_DIM}")
    big_u = measurements[0].unitary
    for m in measurements[1:]:
        big_u = np.kron(big_u, m.unitary)
    # <a|U^dagger rho U|a> for every basis string a (columns of the Kronecker product)
    p = np.einsum("ia,ij,ja->a", big_u.conj(), rho, big_u).real
    return p.reshape((d,) * n)
