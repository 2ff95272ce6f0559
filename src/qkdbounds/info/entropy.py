r"""Shannon entropies and multipartite mutual informations, in bits.

Distributions are arrays of shape ``(d_1, ..., d_N)`` (one axis per party).  Functions named
``*_measure`` take an *unnormalised* non-negative measure :math:`m` and return the information
weighted by its mass, i.e. :math:`p(e)\,I(\cdot|e)` for :math:`m = p(\cdot, e)`; this is the form
in which Eqs. (13)-(14) of paper 1 enter the bound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError

__all__ = [
    "shannon_entropy",
    "binary_entropy",
    "von_neumann_entropy",
    "marginal",
    "total_correlation",
    "mutual_information",
    "conditional_total_correlation",
    "conditional_mutual_information",
    "bipartitions",
    "min_cut_information",
    "group_information_measure",
    "group_information_gradient",
]


def _xlogx(x: NDArray) -> NDArray:
    out = np.zeros_like(x, dtype=float)
    pos = x > 0
    out[pos] = x[pos] * np.log2(x[pos])
    return out


def shannon_entropy(p: NDArray, *, atol: float = 0.0) -> float:
    """:math:`H(p) = -\\sum p\\log_2 p` in bits (any shape; the one implementation in the package).

    Entries at or below ``atol`` count as zero (``atol`` > 0 for eigenvalues with round-off);
    :math:`0\\log 0 = 0`.  Plain numpy (``scipy.special.entr`` gives the same numbers, checked in
    ``tests/info``, but importing :mod:`scipy.special` costs ~0.4 s on every CLI call).

    Raises
    ------
    InputError
        NaN/inf, or an entry below ``-max(atol, 1e-15)``.
    """
    p = np.asarray(p, dtype=float).ravel()
    if not np.all(np.isfinite(p)) or np.any(p < -max(atol, 1e-15)):
        raise InputError("p must be a finite, non-negative probability array")
    return float(-_xlogx(np.where(p > atol, p, 0.0)).sum())


def binary_entropy(p: float) -> float:
    """:math:`h(p) = H(p, 1-p)` in bits; ``p`` is clipped to [0, 1] (round-off at the ends)."""
    p = float(np.clip(p, 0.0, 1.0))
    return shannon_entropy(np.array([p, 1.0 - p]))


def von_neumann_entropy(matrix, *, atol: float = 1e-12) -> float:
    """:math:`S(\\rho) = -\\mathrm{tr}\\,\\rho\\log_2\\rho` in bits of a Hermitian matrix
    (eigenvalues at or below ``atol`` count as zero)."""
    mat = np.asarray(matrix)
    return shannon_entropy(np.linalg.eigvalsh((mat + mat.conj().T) / 2), atol=atol)


def marginal(p: NDArray, keep: Sequence[int]) -> NDArray:
    """Marginal of ``p`` on the parties in ``keep`` (axes kept in increasing order)."""
    drop = tuple(ax for ax in range(p.ndim) if ax not in keep)
    return p.sum(axis=drop) if drop else p


def group_information_measure(m: NDArray, groups: Sequence[Sequence[int]]) -> float:
    r"""Mass-weighted multi-information of a measure across a partition of the parties.

    .. math:: G(m) = \sum_{\vec a} m(\vec a)\log_2\frac{m(\vec a)\,M^{k-1}}{\prod_g m_g(\vec a_g)},
              \qquad M = \sum m,

    which is :math:`M\cdot(\sum_g H(A_g) - H(A_1..A_N))` of the normalised distribution.  With
    singleton groups it is the total correlation (the paper's N-party quantity before the
    :math:`1/(N-1)`), with two groups the bipartite mutual information :math:`I(A_S:A_{S^c})`.
    """
    m = np.asarray(m, dtype=float)
    if m.size and _min(m, axis=None) < 0:
        m = np.maximum(m, 0.0)
    mass = _add(m, axis=None)
    if mass <= 0:
        return 0.0
    # the hot path of every CC attack (tiny arrays): marginals with keepdims broadcast against
    # m; entries with m = 0 contribute 0 and are masked out at the end
    # logs only where the argument is positive (0 elsewhere; those entries have m = 0 and
    # contribute 0), so no floating-point warnings need silencing
    log_ratio = np.log(m / mass, out=np.zeros(m.shape), where=m > 0)
    for g in groups:
        drop = tuple(ax for ax in range(m.ndim) if ax not in g)
        mg = _add(m, axis=drop, keepdims=True) if drop else m
        log_ratio -= np.log(mg / mass, out=np.zeros(mg.shape), where=mg > 0)
    value = float(_add(m * log_ratio, axis=None)) / _LN2
    return max(value, 0.0)


#: The reductions of :func:`group_information_measure` without the ndarray methods' Python
#: wrappers (the same reductions, the same numbers; it is called ~10^4 times per search).
_add, _min = np.add.reduce, np.minimum.reduce


_LN2 = float(np.log(2.0))


def group_information_gradient(m: NDArray, groups: Sequence[Sequence[int]]) -> NDArray:
    r"""Gradient of :func:`group_information_measure` with respect to the entries of ``m``.

    .. math:: \frac{\partial G}{\partial m(\vec a)} = \log_2\frac{m(\vec a)\,M^{k-1}}
              {\prod_g m_g(\vec a_g)}

    (the constant terms of the derivatives of :math:`m\log m` cancel: :math:`G` is homogeneous
    of degree 1).  Entries with :math:`m(\vec a) = 0` get the log-ratio of their marginals only
    (the one-sided derivative is :math:`-\infty` there; callers move along directions that
    keep them at 0 or use this as a subgradient).  Shape of ``m``; bits.
    """
    m = np.maximum(np.asarray(m, dtype=float), 0.0)
    mass = m.sum()
    if mass <= 0:
        return np.zeros(m.shape)
    log_ratio = np.log(m / mass, out=np.zeros(m.shape), where=m > 0)
    for g in groups:
        drop = tuple(ax for ax in range(m.ndim) if ax not in g)
        mg = m.sum(axis=drop, keepdims=True) if drop else m
        log_ratio = log_ratio - np.log(mg / mass, out=np.zeros(mg.shape), where=mg > 0)
    return log_ratio / _LN2


def total_correlation(p: NDArray) -> float:
    r"""Total correlation :math:`\sum_i H(A_i) - H(A_1\ldots A_N)` (Eq. 26 for N = 2)."""
    return group_information_measure(p, [[i] for i in range(np.ndim(p))]) / max(np.sum(p), 1e-300)


def mutual_information(p: NDArray, group: Sequence[int]) -> float:
    """Bipartite mutual information :math:`I(A_S : A_{S^c})` with ``S = group``."""
    rest = [i for i in range(np.ndim(p)) if i not in set(group)]
    return group_information_measure(p, [list(group), rest]) / max(np.sum(p), 1e-300)


def bipartitions(n_parties: int) -> list[tuple[int, ...]]:
    """All cuts ``S | S^c`` with party 0 in ``S`` and ``S^c`` non-empty (each cut once)."""
    cuts = []
    for mask in range(1, 2 ** (n_parties - 1)):
        s = (0,) + tuple(i + 1 for i in range(n_parties - 1) if not (mask >> i) & 1)
        cuts.append(s)
    # mask enumerates S^c among parties 1..N-1; make the list deterministic
    return sorted(set(cuts), key=lambda c: (len(c), c))


def min_cut_information(p: NDArray) -> tuple[float, tuple[int, ...]]:
    r""":math:`\min_{S} I(A_S : A_{S^c})` over bipartitions, and the minimising ``S``."""
    best = (np.inf, ())
    for s in bipartitions(np.ndim(p)):
        best = min(best, (mutual_information(p, s), s))
    return best


def conditional_total_correlation(joint: NDArray) -> float:
    r""":math:`\sum_e p(e)\,TC(A_1..A_N|e)` for ``joint[e, a_1, ..., a_N]`` (Eq. 13 summand)."""
    groups = [[i] for i in range(joint.ndim - 1)]
    return float(sum(group_information_measure(joint[e], groups) for e in range(joint.shape[0])))


def conditional_mutual_information(joint: NDArray, group: Sequence[int]) -> float:
    """:math:`I(A_S : A_{S^c}|E)` for ``joint[e, a_1, ..., a_N]``."""
    rest = [i for i in range(joint.ndim - 1) if i not in set(group)]
    return float(sum(group_information_measure(joint[e], [list(group), rest])
                     for e in range(joint.shape[0])))
