r"""Structured spectra of :math:`\rho_d` and :math:`\rho_d^\Gamma` (paper 2, "Examples").

Derivation (tensor order ``(A, B, A', B')``, :math:`x_{ij} = u_{ij}/(d\sqrt d)`):

* :math:`X = \sum_{ij} x_{ij}|ij\rangle\langle ji|` is monomial, so
  :math:`\sqrt{XX^\dagger} = \sum_{ij}|x_{ij}|\,|ij\rangle\langle ij|`,
  :math:`\sqrt{X^\dagger X} = \sum_{ij}|x_{ij}|\,|ji\rangle\langle ji|` and
  :math:`\|X\|_1 = \sum_{ij}|x_{ij}|`.
* :math:`\rho_d` = direct sum of the :math:`2\times2` blocks
  :math:`\frac{1-p}{2}\begin{pmatrix}|x_{ij}| & x_{ij}\\ \bar x_{ij} & |x_{ij}|\end{pmatrix}` on
  :math:`\{|00,ij\rangle,|11,ji\rangle\}` (eigenvalues :math:`(1-p)|x_{ij}|, 0`) and of
  :math:`\frac p2 Y` on key :math:`|01\rangle` and :math:`|10\rangle`.
* Transposing Bob (key qubit and shield) maps :math:`|00\rangle\langle11|\otimes X` to
  :math:`|01\rangle\langle10|\otimes X^{\Gamma}` with
  :math:`X^{\Gamma} = \sum_{ij} x_{ij}|ii\rangle\langle jj|` = :math:`U/(d\sqrt d)` embedded on
  :math:`\mathrm{span}\{|ii\rangle\}`.  Hence :math:`\rho_d^\Gamma` has eigenvalues
  :math:`\frac{1-p}2|x_{ij}|` (twice), :math:`\frac{p}{2d} \pm \frac{(1-p)\sigma_k(U)}{2d\sqrt d}`
  and :math:`2(d^2-d)` zeros.  PPT iff :math:`p \ge \sigma_{\max}/(\sigma_{\max}+\sqrt d)`,
  i.e. :math:`p \ge 1/(\sqrt d+1)` for unitary :math:`U` -- the paper's choice is the edge.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._rho_d import RhoD
from ._spectra import Multiset

__all__ = [
    "spectrum",
    "pt_spectrum",
    "key_dephased_spectrum",
    "diagonal",
    "privacy_squeezed_key_state",
    "key_distribution",
]


def _x_moduli(state: RhoD) -> tuple[Multiset, str]:
    d = state.shield_dim
    moduli, how = state.unitary_moduli()
    return moduli.scaled(1.0 / (d * np.sqrt(d))), how


def spectrum(state: RhoD) -> Multiset:
    r"""Eigenvalues of :math:`\rho_d` with multiplicities."""
    d, p = state.shield_dim, state.mixing
    xm, _ = _x_moduli(state)
    return (
        xm.scaled(1 - p)
        + Multiset.from_pairs([(0.0, d * d + 2 * (d * d - d)), (p / (2 * d), 2 * d)])
    )


def pt_spectrum(state: RhoD) -> Multiset:
    r"""Eigenvalues of :math:`\rho_d^\Gamma` (transpose on Bob: key qubit B and shield B')."""
    d, p = state.shield_dim, state.mixing
    xm, _ = _x_moduli(state)
    sv, _ = state.unitary_singular_values()
    half = xm.scaled((1 - p) / 2)
    coupled = Multiset.from_pairs(
        [(p / (2 * d) + s * (1 - p) / (2 * d * np.sqrt(d)), m) for s, m in zip(sv.values, sv.multiplicities)]
        + [(p / (2 * d) - s * (1 - p) / (2 * d * np.sqrt(d)), m) for s, m in zip(sv.values, sv.multiplicities)]
    )
    return half + half + coupled + Multiset.from_pairs([(0.0, 2 * (d * d - d))])


def diagonal(state: RhoD) -> Multiset:
    r"""Diagonal entries of :math:`\rho_d` in the product computational basis.

    The partial transpose leaves the diagonal unchanged, so this is also the diagonal of
    :math:`\rho_d^\Gamma`.  Zero diagonal entries have zero rows (PSD), so the dephased state
    :math:`\Delta(\rho)` has the same support as needed for :math:`D(\rho\|\Delta(\rho))`.
    """
    d, p = state.shield_dim, state.mixing
    xm, _ = _x_moduli(state)
    half = xm.scaled((1 - p) / 2)
    return half + half + Multiset.from_pairs([(p / (2 * d), 2 * d), (0.0, 2 * (d * d - d))])


def key_dephased_spectrum(state: RhoD) -> Multiset:
    r"""Eigenvalues of :math:`(\Delta_A\otimes\mathrm{id})(\rho_d)`, Alice's key qubit measured in Z.

    Dephasing Alice's key qubit removes exactly the :math:`|00\rangle\langle 11|\otimes X` blocks,
    leaving a diagonal matrix, so this equals :func:`diagonal`.
    """
    return diagonal(state)


def key_distribution(state: RhoD) -> NDArray:
    r"""Joint distribution :math:`P(a, b)` of the key qubits measured in Z (rows a, columns b)."""
    p = state.mixing
    xm, _ = _x_moduli(state)
    p_same = (1 - p) / 2 * xm.total()
    return np.array([[p_same, p / 2], [p / 2, p_same]])


def privacy_squeezed_key_state(state: RhoD) -> NDArray:
    r"""Privacy-squeezed key state :math:`\sigma_{ab,a'b'} = \|\rho_{ab,a'b'}\|_1` (Ref. [27] of paper 2).

    Block trace norms from the structure: :math:`\|\sqrt{XX^\dagger}\|_1 = \|X\|_1 =
    \sum|x_{ij}|` and :math:`\|Y\|_1 = 1`.  For :math:`\rho_d` this is the paper's
    :math:`\rho_{\rm Bell}`.
    """
    p = state.mixing
    xm, _ = _x_moduli(state)
    tn = xm.total()
    sigma = np.zeros((4, 4))
    sigma[0, 0] = sigma[3, 3] = sigma[0, 3] = sigma[3, 0] = (1 - p) / 2 * tn
    sigma[1, 1] = sigma[2, 2] = p / 2
    return sigma
