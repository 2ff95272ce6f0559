r"""Upper bounds on :math:`K(\rho_d^\Gamma)` and :math:`K(\rho_d)` via certified separable states.

Paper 2 ("Examples") quotes :math:`K(\rho_d^\Gamma) \le 1/(\sqrt d + 1)` (Ref. [37], Cor. 40).
Here the bound is computed from the matrix as :math:`D(\rho_d^\Gamma\|\Delta(\rho_d^\Gamma))`,
:math:`\Delta` = dephasing in the product computational basis of ``(A, A') | (B, B')``, which is
diagonal in a product basis and hence separable.  Three routes:

* ``"structured"``: :math:`S(\Delta(\rho^\Gamma)) - S(\rho^\Gamma)` from the block spectra (any d);
* ``"dense"``: the dense :math:`\rho_d^\Gamma`, :math:`\sigma = \mathrm{diag}(\rho_d^\Gamma)`,
  generic :func:`~qkdbounds.di.partial_transpose._spectra.relative_entropy` (``d <= 16``);
* ``"convexity"``: :math:`\rho_d^\Gamma = (1-p)\tau_1 + p\tau_2` with :math:`\tau_1` the (separable,
  diagonal) key-:math:`\{00,11\}` sector and :math:`\tau_2` the key-:math:`\{01,10\}` sector;
  :math:`E_R(\rho^\Gamma) \le (1-p)E_R(\tau_1) + p\,E_R(\tau_2) \le p\,D(\tau_2\|\Delta\tau_2)`
  (convexity of :math:`E_R`), :math:`D(\tau_2\|\Delta\tau_2)` from the :math:`2d\times2d` sector.
"""

from __future__ import annotations

import numpy as np

from ...errors import InputError, check_choice, check_int
from ...states._partial_transpose import partial_transpose
from ...status import Status
from . import _structure
from ._relative_entropy import SeparableCertificate, structured_dephasing_bound
from ._results import RelativeEntropyBound
from ._rho_d import RHO_D_BOB, RhoD, rho_d_matrix
from ._spectra import Multiset, relative_entropy

__all__ = ["rho_d_pt_upper_bound", "rho_d_key_upper_bound", "pt_upper_bound_formula"]

ATOL_BOUND = 1e-10
"""Agreement expected between routes for the relative-entropy bounds (bits)."""


def pt_upper_bound_formula(shield_dim: int) -> float:
    r"""Printed :math:`K(\rho_d^\Gamma) \le 1/(\sqrt d + 1)` (paper 2, "Examples")."""
    d = check_int("shield_dim", shield_dim, 2)
    return float(1.0 / (np.sqrt(d) + 1.0))


def _to_bipartite(mat: np.ndarray, d: int) -> np.ndarray:
    """Reorder ``(A, B, A', B')`` to ``(A, A', B, B')`` so Alice | Bob = first | second factor."""
    t = mat.reshape(2, 2, d, d, 2, 2, d, d).transpose(0, 2, 1, 3, 4, 6, 5, 7)
    return t.reshape(4 * d * d, 4 * d * d)


def _dense_dephasing_bound(mat: np.ndarray, d: int, what: str) -> RelativeEntropyBound:
    bip = _to_bipartite(mat, d)
    weights = np.clip(np.real(np.diag(bip)), 0.0, None)
    cert = SeparableCertificate(
        "product_basis_diagonal", (2 * d, 2 * d), weights / weights.sum(),
        (np.eye(2 * d), np.eye(2 * d)), description=f"{what} dephased in the computational basis",
    )
    ok = cert.verify()
    value = relative_entropy(bip, cert.matrix())
    return RelativeEntropyBound(value, cert, "relative_entropy_to_dephased_state/dense",
                                Status.CERTIFIED if ok and np.isfinite(value) else Status.FAILED, ATOL_BOUND)


def rho_d_pt_upper_bound(state: RhoD, method: str = "structured") -> RelativeEntropyBound:
    r"""Certified upper bound on :math:`K(\rho_d^\Gamma) \le E_R(\rho_d^\Gamma)` (paper 2, Eqs. 3, 5).

    Parameters
    ----------
    state : RhoD
    method : {"structured", "dense", "convexity"}

    Returns
    -------
    RelativeEntropyBound
        For the paper's :math:`p = 1/(\sqrt d+1)` all routes give exactly :math:`p`.

    Examples
    --------
    >>> from qkdbounds.di.partial_transpose import rho_d
    >>> round(rho_d_pt_upper_bound(rho_d(2**20)).value * 1025, 9)
    1.0
    """
    if not isinstance(state, RhoD):
        raise InputError(f"state must be a RhoD (see rho_d()), got {type(state).__name__}")
    check_choice("method", method, ("structured", "dense", "convexity"))
    d, p = state.shield_dim, state.mixing
    if method == "dense":
        pt = partial_transpose(rho_d_matrix(state), state.dims, RHO_D_BOB)
        return _dense_dephasing_bound(pt, d, "rho_d^Gamma")
    if method == "structured":
        return structured_dephasing_bound(
            _structure.diagonal(state), _structure.pt_spectrum(state),
            "rho_d^Gamma dephased in the product computational basis of (A,A')|(B,B')",
        )
    # convexity: tau_2 = normalised key-{01,10} sector restricted to span{|ii>}, a 2d x 2d matrix
    # [[I/(2d), c U], [c U^dagger, I/(2d)]] with c = (1-p)/(2 p d sqrt d); its spectrum needs only
    # the singular values of U; Delta(tau_2) = I/(2d).
    if p == 0:
        return RelativeEntropyBound(0.0, {"weights": (1.0, 0.0)}, "convexity", Status.CLOSED_FORM, ATOL_BOUND)
    sv, _ = state.unitary_singular_values()
    c = (1 - p) / (2 * p * d * np.sqrt(d))
    tau2 = Multiset.from_pairs(
        [(1 / (2 * d) + c * s, m) for s, m in zip(sv.values, sv.multiplicities)]
        + [(1 / (2 * d) - c * s, m) for s, m in zip(sv.values, sv.multiplicities)]
    )
    if tau2.min() < -ATOL_BOUND:
        return RelativeEntropyBound(float("nan"), None, "convexity", Status.FAILED, ATOL_BOUND,
                                    "not PPT: the convexity route needs a PPT state")
    d_tau2 = np.log2(2 * d) - tau2.entropy()
    return RelativeEntropyBound(
        value=float(p * d_tau2),
        certificate={
            "decomposition": "rho^Gamma = (1-p) tau_1 + p tau_2 (orthogonal key sectors)",
            "weights": (1 - p, p),
            "E_R_tau_1": 0.0,
            "tau_1_certificate": "diagonal in the product computational basis",
            "D_tau_2_dephased": float(d_tau2),
        },
        method="convexity_over_key_sectors/structured",
        status=Status.CLOSED_FORM,
        tolerance=ATOL_BOUND,
    )


def rho_d_key_upper_bound(state: RhoD, method: str = "structured") -> RelativeEntropyBound:
    r"""Certified upper bound :math:`K(\rho_d) \le D(\rho_d\|\Delta(\rho_d))` (equals :math:`1-p`)."""
    if not isinstance(state, RhoD):
        raise InputError(f"state must be a RhoD (see rho_d()), got {type(state).__name__}")
    check_choice("method", method, ("structured", "dense"))
    if method == "dense":
        return _dense_dephasing_bound(rho_d_matrix(state), state.shield_dim, "rho_d")
    return structured_dephasing_bound(
        _structure.diagonal(state), _structure.spectrum(state),
        "rho_d dephased in the product computational basis of (A,A')|(B,B')",
    )
