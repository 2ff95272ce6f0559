r"""The leakage-aware CC attack for any two-qubit state (issue 7, item 4).

**Decomposition.**  Eve's convex-combination attack (paper 1, Eq. 1 and Eqs. 8-10) needs
:math:`\rho = \lambda\,\sigma + (1-\lambda)\,\tau` with :math:`\sigma` separable.  The larger
:math:`\lambda`, the more rounds she can flag; the largest weight is the *best separable
approximation* (BSA; Lewenstein & Sanpera, PRL 80, 2261 (1998)):

.. math::

    \lambda(\rho) = \max\{\mathrm{tr}\,X :\ X \ge 0,\ X^\Gamma \ge 0,\ \rho - X \ge 0\},

an SDP because for two qubits PPT = separable (Horodecki, Horodecki & Horodecki, PLA 223, 1
(1996)).  Then :math:`\sigma = X/\lambda` and :math:`\tau = (\rho - X)/(1-\lambda)`.  Its dual,

.. math::

    \lambda(\rho) \le \min\{\mathrm{tr}(\rho Y):\ Y \ge 0,\ Z \ge 0,\ Y - \mathbb 1 - Z^\Gamma \ge 0\},

is solved too; any feasible :math:`(Y, Z)` (made exactly feasible by shifting :math:`Y` by a
multiple of the identity) is a rigorous upper bound on :math:`\lambda`, so the certificate
reports a duality gap.

Closed forms (tested): by twirling over the local symmetries of the state the optimal :math:`X`
may be taken in the same family, which gives

* Werner / two-qubit isotropic :math:`\rho_v` (paper 1, Eq. 4): :math:`\lambda = 3(1-v)/2` for
  :math:`v \ge 1/3` (1 below), :math:`\sigma = \rho_{1/3}`, :math:`\tau = |\phi^+\rangle\langle\phi^+|`
  -- exactly the paper's Eq. (8) with :math:`q_v = 3(1-v)/2`;
* Bell-diagonal with weights :math:`p_k`, largest :math:`p_1 > 1/2`: :math:`X` Bell-diagonal with
  :math:`x_k \le p_k` and :math:`x_1 \le x_2+x_3+x_4` (separability), so
  :math:`\lambda = 2(1 - p_1)` and :math:`\tau = |B_1\rangle\langle B_1|`.

**Attack.**  With this decomposition the "?" class of Eq. (15) is, for given bases,

.. math::

    c(\vec a) = (1-\lambda)(1-L_?)\,p_\tau(\vec a),\qquad s(\vec a) = \lambda L\,p_\sigma(\vec a),

:math:`L_? = L` (uniform model, Eq. 11) or 0 (junk model, Eq. 20), and Eve's :math:`\gamma` is
found by :func:`qkdbounds.attacks.eve.minimize_gamma`.  Flagged rounds carry no information once
:math:`\sigma` is written as a mixture of product states, which exists because
:math:`\sigma` is PPT (2x2) -- the product ensemble itself is not constructed here.

**Measurements.**  The bound is :math:`\max_{\vec x}\min_\gamma p(?)\,I(A:B|?)` (Eq. 28).  Every
projective qubit measurement is a Bloch axis (the sign only relabels outcomes, which leaves
:math:`\min_\gamma` unchanged), so the max runs over pairs of axes in two hemispheres.  It is made
global by a seeded, deterministic search: a Fibonacci-sphere grid of axes for each party (all
pairs), plus the maximally-correlated partner :math:`b \propto T^{\mathsf T}a` of every grid axis
and the singular-vector pairs of the correlation matrix :math:`T`, plus (Z, Z); the best grid
points are then polished with Nelder-Mead in the four angles.  The method string says so.  This
is a deterministic multi-start search, not a certified global maximum (no Lipschitz bound is
used); the tests check it against the exact optimum of locally rotated Werner states (where Z is
*not* optimal) and against random settings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from .._tolerances import ATOL_PSD, GAMMA_TOL
from ..errors import InputError, check_choice, check_int, check_probability
from ..measurements.bases import Measurement, computational, from_unitary
from ..measurements.distributions import dense_distribution
from ..states._partial_transpose import min_pt_eigenvalue, partial_transpose
from ..states.two_qubit import validate_state
from .cc import LEAKAGE_MODELS
from .eve import minimize_gamma

__all__ = [
    "SeparableDecomposition",
    "GeneralRateBound",
    "best_separable_approximation",
    "general_rate_upper_bound",
    "bloch_measurement",
    "correlation_matrix",
    "fibonacci_hemisphere",
    "CERT_TOL",
    "N_GRID",
    "N_POLISH",
]

#: Smallest eigenvalues of sigma, sigma^Gamma, tau above -CERT_TOL pass the certificate
#: (Clarabel's default feasibility tolerance is 1e-8; we allow one order of magnitude).
CERT_TOL = 1e-7
#: Eigenvalues of rho below SUPPORT_TOL * max eigenvalue are outside its support.
SUPPORT_TOL = 1e-12
#: Default number of Fibonacci-grid axes per party in the measurement search.
N_GRID = 10
#: Default number of best grid pairs polished by Nelder-Mead.
N_POLISH = 2
#: Nelder-Mead tolerances on the angles (rad) and on the bound (bits).
XATOL_ANGLE = 1e-5
FATOL_BOUND = 1e-9
#: Maximal Nelder-Mead iterations per polish.
MAX_POLISH_ITER = 160

_PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)
_DIMS = (2, 2)


@dataclass(frozen=True)
class SeparableDecomposition:
    r"""Best separable approximation :math:`\rho = \lambda\sigma + (1-\lambda)\tau`.

    Attributes
    ----------
    value : float
        The separable weight :math:`\lambda` (NaN if the solver failed).
    separable : ndarray or None
        :math:`\sigma` (PPT, hence separable for two qubits); None if :math:`\lambda = 0` or failed.
    entangled : ndarray or None
        :math:`\tau`; None if :math:`\lambda = 1` (the state is separable) or failed.
    certificate : dict
        ``min_eig_separable``, ``min_eig_separable_pt``, ``min_eig_entangled`` (checked after the
        solve against :data:`CERT_TOL`), ``reassembly_error``, ``dual_upper_bound`` (a rigorous
        upper bound on :math:`\lambda` from a repaired dual point) and ``duality_gap``.
    method, status : str
        ``status`` is ``"optimal"``, ``"inaccurate"`` (certificate outside tolerance) or
        ``"solver_failed: ..."``.
    tolerance : float
    """

    value: float
    separable: NDArray | None = field(repr=False)
    entangled: NDArray | None = field(repr=False)
    certificate: dict = field(repr=False)
    method: str
    status: str
    tolerance: float

    @property
    def weight(self) -> float:
        """Alias of :attr:`value` (the separable weight :math:`\\lambda`)."""
        return self.value

    @property
    def ok(self) -> bool:
        return self.status == "optimal"


@dataclass(frozen=True)
class GeneralRateBound:
    """Result of :func:`general_rate_upper_bound` (``RateBound`` style).

    Attributes
    ----------
    value : float
        :math:`\\max_{x}\\min_\\gamma p(?)I(A:B|?)` in bits (NaN if the decomposition failed).
    separable_weight : float
        :math:`\\lambda` of the decomposition used.
    certificate : dict
        Eve's attack (weight, gamma, p(?)), the decomposition certificate, and the maximising
        measurements (Bloch axes, unitaries, labels).
    method, status : str
    tolerance : float
    """

    value: float
    separable_weight: float
    certificate: dict = field(repr=False)
    method: str
    status: str
    tolerance: float


def _min_eig(m: NDArray) -> float:
    return float(np.linalg.eigvalsh((m + m.conj().T) / 2).min())


def _certify(rho, x, weight):
    cert = {"min_eig_X": _min_eig(x), "min_eig_X_pt": min_pt_eigenvalue((x + x.conj().T) / 2, _DIMS),
            "min_eig_remainder": _min_eig(rho - x)}
    sep = x / weight if weight > 0 else None
    ent = (rho - x) / (1 - weight) if weight < 1 else None
    cert["min_eig_separable"] = _min_eig(sep) if sep is not None else None
    cert["min_eig_separable_pt"] = min_pt_eigenvalue((sep + sep.conj().T) / 2, _DIMS) if sep is not None else None
    cert["min_eig_entangled"] = _min_eig(ent) if ent is not None else None
    recon = (x if sep is None else weight * sep) + ((1 - weight) * ent if ent is not None else 0)
    cert["reassembly_error"] = float(np.abs(recon - rho).max())
    # certificate on the unnormalised parts (a tiny negative eigenvalue of tau is divided by
    # 1 - lambda and can look large when lambda -> 1; the absolute check is on X and rho - X)
    worst = min(cert["min_eig_X"], cert["min_eig_X_pt"], cert["min_eig_remainder"])
    cert["certificate_ok"] = bool(worst >= -CERT_TOL)
    return sep, ent, cert


def _solve(prob) -> tuple[str, list[str]]:
    """Solve with Clarabel; solver warnings (e.g. 'may be inaccurate') become a status note."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prob.solve(solver="CLARABEL")
    # cvxpy's own note on how it builds 1x1 constants is not about the solution: drop it
    return prob.status, [str(w.message) for w in caught if "nested list" not in str(w.message)]


def _support(rho):
    """Isometry onto the support of rho (0 <= X <= rho forces supp X within supp rho)."""
    w, u = np.linalg.eigh(rho)
    keep = w > SUPPORT_TOL * max(w.max(), 1.0)
    return u[:, keep]


def _dual_upper_bound(rho, p) -> tuple[float, str]:
    r"""Rigorous upper bound on lambda from the dual SDP on supp(rho), repaired to feasibility.

    Dual of the support-restricted primal: :math:`\min \mathrm{tr}(\rho_r W)` s.t.
    :math:`W \ge 0`, :math:`Z \ge 0`, :math:`W - \mathbb 1_r - P^\dagger Z^\Gamma P \ge 0`
    (weak duality: :math:`\mathrm{tr}Y \le \mathrm{tr}(YW) - \mathrm{tr}(X^\Gamma Z) \le
    \mathrm{tr}(\rho_r W)`).  The weight of rho outside the kept support is added.
    """
    r = p.shape[1]
    rho_r = p.conj().T @ rho @ p
    w = cp.Variable((r, r), hermitian=True)
    z = cp.Variable((4, 4), hermitian=True)
    prob = cp.Problem(cp.Minimize(cp.real(cp.trace(rho_r @ w))),
                      [w >> 0, z >> 0,
                       w - np.eye(r) - p.conj().T @ cp.partial_transpose(z, list(_DIMS), 1) @ p >> 0])
    try:
        status, notes = _solve(prob)
    except cp.error.SolverError as exc:
        return float("nan"), f"dual solver error: {exc}"
    if w.value is None or z.value is None:
        return float("nan"), f"dual status {status}"
    zv = (z.value + z.value.conj().T) / 2
    ev, u = np.linalg.eigh(zv)
    zv = (u * np.clip(ev, 0, None)) @ u.conj().T  # Z >= 0 exactly
    wv = (w.value + w.value.conj().T) / 2
    slack = wv - np.eye(r) - p.conj().T @ partial_transpose(zv, _DIMS, 1) @ p
    shift = max(0.0, -_min_eig(slack), -_min_eig(wv))
    wv = wv + shift * np.eye(r)
    outside = max(0.0, float(np.trace(rho).real - np.trace(rho_r).real))
    info = f"dual status {status}, repair shift {shift:.2e}, weight outside support {outside:.1e}"
    return float(np.trace(rho_r @ wv).real) + outside, info + (
        f", solver notes: {'; '.join(notes)}" if notes else "")


def best_separable_approximation(rho: ArrayLike, *, dual: bool = True) -> SeparableDecomposition:
    r"""Largest separable weight of a two-qubit state by SDP (Lewenstein-Sanpera BSA).

    The variable is restricted to the support of :math:`\rho` (:math:`X = PYP^\dagger`, which
    :math:`0 \le X \le \rho` forces anyway) so that rank-deficient states stay well posed.  The
    solver's own status is recorded; the returned status rests on the a-posteriori certificate
    (eigenvalues of :math:`X`, :math:`X^\Gamma`, :math:`\rho - X` above ``-CERT_TOL`` and a
    duality gap below ``10 * CERT_TOL``).

    Parameters
    ----------
    rho : array_like, shape (4, 4)
        Two-qubit density matrix (validated).
    dual : bool
        Also solve the dual SDP and report a rigorous upper bound on :math:`\lambda`.

    Returns
    -------
    SeparableDecomposition

    Examples
    --------
    >>> from qkdbounds.states.two_qubit import werner_state
    >>> dec = best_separable_approximation(werner_state(0.6))
    >>> round(dec.value, 6), dec.status          # paper 1, Eq. 8: q_v = 3(1 - v)/2
    (0.6, 'optimal')
    """
    rho = validate_state(rho, _DIMS)
    if min_pt_eigenvalue(rho, _DIMS) >= -ATOL_PSD:
        # PPT = separable for two qubits: Eve flags every round
        _, _, cert = _certify(rho, rho, 1.0)
        cert.update(dual_upper_bound=1.0, duality_gap=0.0, solver="none (input is PPT)")
        return SeparableDecomposition(1.0, rho, None, cert,
                                      "input is PPT, hence separable (Horodecki 1996): lambda = 1",
                                      "optimal", ATOL_PSD)
    p = _support(rho)
    r = p.shape[1]
    y = cp.Variable((r, r), hermitian=True)
    x = p @ y @ p.conj().T
    rho_r = p.conj().T @ rho @ p
    prob = cp.Problem(cp.Maximize(cp.real(cp.trace(y))),
                      [y >> 0, cp.partial_transpose(x, list(_DIMS), 1) >> 0, rho_r - y >> 0])
    method = ("SDP max tr X s.t. X >= 0, X^Gamma >= 0, rho - X >= 0 on supp(rho) "
              "(cvxpy + Clarabel), certified a posteriori")
    try:
        solver_status, notes = _solve(prob)
    except cp.error.SolverError as exc:
        return SeparableDecomposition(float("nan"), None, None, {"solver": str(exc)}, method,
                                      "solver_failed: solver error", CERT_TOL)
    if solver_status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or y.value is None:
        return SeparableDecomposition(float("nan"), None, None, {"solver_status": solver_status}, method,
                                      f"solver_failed: {solver_status}", CERT_TOL)
    yv = (y.value + y.value.conj().T) / 2
    xv = p @ yv @ p.conj().T
    weight = float(np.clip(np.trace(xv).real, 0.0, 1.0))
    if weight <= CERT_TOL:  # no separable part at all (e.g. a pure entangled state)
        xv, weight = np.zeros((4, 4), dtype=complex), 0.0
    sep, ent, cert = _certify(rho, xv, weight)
    cert.update(solver_status=solver_status, solver_notes=notes, support_rank=r)
    if dual:
        upper, info = _dual_upper_bound(rho, p)
        cert.update(dual_upper_bound=upper, duality_gap=upper - weight, dual_info=info)
    status = "optimal" if cert["certificate_ok"] else "inaccurate"
    if dual and not abs(cert["duality_gap"]) <= 10 * CERT_TOL:
        status = "inaccurate"
    return SeparableDecomposition(weight, sep, ent, cert, method, status, CERT_TOL)


def correlation_matrix(rho: ArrayLike) -> NDArray[np.float64]:
    r""":math:`T_{ij} = \mathrm{tr}[\rho\,(\sigma_i\otimes\sigma_j)]`, :math:`i, j \in \{x, y, z\}`."""
    rho = np.asarray(rho, dtype=complex)
    return np.array([[np.trace(rho @ np.kron(_PAULI[i], _PAULI[j])).real for j in range(3)]
                     for i in range(3)])


def bloch_measurement(axis: ArrayLike, label: str | None = None) -> Measurement:
    r"""Projective qubit measurement along the Bloch axis ``axis`` (outcome 0 = :math:`+\hat n`)."""
    n = np.asarray(axis, dtype=float)
    if n.shape != (3,) or not np.all(np.isfinite(n)) or np.linalg.norm(n) == 0:
        raise InputError(f"axis must be a non-zero finite 3-vector, got {axis!r}")
    n = n / np.linalg.norm(n)
    theta, phi = np.arccos(np.clip(n[2], -1, 1)), np.arctan2(n[1], n[0])
    c, s, e = np.cos(theta / 2), np.sin(theta / 2), np.exp(1j * phi)
    u = np.array([[c, -np.conj(e) * s], [e * s, c]], dtype=complex)
    return from_unitary(u, label or f"axis({n[0]:.4f},{n[1]:.4f},{n[2]:.4f})")


def fibonacci_hemisphere(n_points: int) -> NDArray[np.float64]:
    """``n_points`` near-uniform unit vectors with z >= 0 (Fibonacci lattice); deterministic."""
    n = check_int("n_points", n_points, 1)
    k = np.arange(n) + 0.5
    z = 1 - k / n  # uniform in z on (0, 1]: equal-area on the hemisphere
    r = np.sqrt(1 - z * z)
    phi = np.pi * (1 + np.sqrt(5)) * k
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def _axis(angles):
    t, p = angles
    return np.array([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)])


def _angles(axis):
    n = axis / np.linalg.norm(axis)
    return np.array([np.arccos(np.clip(n[2], -1, 1)), np.arctan2(n[1], n[0])])


class _Evaluator:
    """min over Eve's gamma for one pair of Bloch axes (Eq. 15 with the BSA parts)."""

    def __init__(self, dec, leakage, model, n_starts, rng):
        self.lam, self.sep, self.ent = dec.value, dec.separable, dec.entangled
        self.leak_q = leakage if model == "uniform" else 0.0
        self.leakage, self.n_starts, self.rng = leakage, n_starts, rng
        self.calls = 0

    def question_class(self, setting):
        zeros = np.zeros((2, 2))
        p_ent = zeros if self.ent is None else np.clip(dense_distribution(self.ent, setting), 0, None)
        p_sep = zeros if self.sep is None else np.clip(dense_distribution(self.sep, setting), 0, None)
        return (1 - self.lam) * (1 - self.leak_q) * p_ent, self.lam * self.leakage * p_sep

    def solve(self, setting):
        self.calls += 1
        base, extra = self.question_class(setting)
        if base.sum() <= 0:
            return None
        return minimize_gamma(base, extra, n_starts=self.n_starts, rng=self.rng)

    def value(self, a, b) -> float:
        sol = self.solve([bloch_measurement(a), bloch_measurement(b)])
        return 0.0 if sol is None else sol.value


def _candidate_pairs(rho, n_grid):
    grid = fibonacci_hemisphere(n_grid)
    pairs = [(np.array([0, 0, 1.0]), np.array([0, 0, 1.0]))]
    pairs += [(a, b) for a in grid for b in grid]
    t = correlation_matrix(rho)
    for a in grid:  # B's axis most correlated with A's: argmax_b |a^T T b|
        tb = t.T @ a
        if np.linalg.norm(tb) > 1e-12:
            pairs.append((a, tb / np.linalg.norm(tb)))
    u, _, vt = np.linalg.svd(t)
    pairs += [(u[:, k], vt[k]) for k in range(3)]
    return pairs


def general_rate_upper_bound(
    rho: ArrayLike,
    leakage: float,
    model: str = "uniform",
    measurements: str | Sequence[Measurement] | None = "search",
    *,
    n_grid: int = N_GRID,
    n_polish: int = N_POLISH,
    n_starts: int = 2,
    rng: np.random.Generator | None = None,
    decomposition: SeparableDecomposition | None = None,
) -> GeneralRateBound:
    r"""Key-rate upper bound of a two-qubit source under the leakage-aware CC attack.

    :math:`R \le \max_{\vec x}\min_\gamma p(?|\vec x)\,I_{\vec x}(A:B|?)` (paper 1, Eqs. 14, 28)
    with Eve's decomposition the best separable approximation of ``rho``.

    Parameters
    ----------
    rho : array_like, shape (4, 4)
        Two-qubit density matrix.
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
        Leakage model (Eq. 11 or Eq. 20).
    measurements : "search" (default, or None), "Z", or a list of two Measurement
        ``"search"``: the global search over pairs of Bloch axes (module docstring); ``"Z"``: both
        parties in the computational basis; a list: exactly these bases.
    n_grid, n_polish : int
        Fibonacci axes per party and number of polished grid points (search only).
    n_starts : int
        Random starts of Eve's minimisation per setting (besides 3 structured ones).
    rng : numpy.random.Generator, optional
        Seeded generator for Eve's random starts (default ``default_rng(0)``).
    decomposition : SeparableDecomposition, optional
        Reuse a decomposition of ``rho`` already computed.

    Returns
    -------
    GeneralRateBound

    Examples
    --------
    >>> from qkdbounds.states.two_qubit import werner_state
    >>> r = general_rate_upper_bound(werner_state(1.0), 0.1, measurements="Z")
    >>> round(r.value, 9)          # (1 - L) bits for the maximally entangled state
    0.9
    """
    rho = validate_state(rho, _DIMS)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    n_grid = check_int("n_grid", n_grid, 1, 200)
    n_polish = check_int("n_polish", n_polish, 0, 50)
    n_starts = check_int("n_starts", n_starts, 0, 1000)
    rng = np.random.default_rng(0) if rng is None else rng
    if measurements is None:
        measurements = "search"
    if isinstance(measurements, str):
        check_choice("measurements", measurements, ("search", "Z"))
    elif len(list(measurements)) != 2 or any(not isinstance(m, Measurement) or m.dim != 2
                                             for m in measurements):
        raise InputError("measurements must be 'search', 'Z' or a list of two qubit Measurements")
    dec = best_separable_approximation(rho) if decomposition is None else decomposition
    dec_cert = dict(dec.certificate, weight=dec.value, status=dec.status, method=dec.method)
    if not dec.ok:
        return GeneralRateBound(float("nan"), dec.value, {"decomposition": dec_cert},
                                "best separable approximation failed", f"failed: {dec.status}", CERT_TOL)
    if dec.entangled is None:  # separable state: every round flagged, no "?" class
        return GeneralRateBound(0.0, 1.0, {"decomposition": dec_cert,
                                           "attack": {"name": "all rounds flagged (separable state)"}},
                                "separable state: lambda = 1", "optimal_zero", ATOL_PSD)

    ev = _Evaluator(dec, leakage, model, n_starts, rng)
    # the search stage uses only the 3 structured starts of Eve's minimiser (each value is still
    # an achievable attack value); the chosen setting is re-solved with all n_starts
    ev_search = _Evaluator(dec, leakage, model, 0, rng)
    if isinstance(measurements, str):
        if measurements == "Z":
            best_pair = (np.array([0, 0, 1.0]), np.array([0, 0, 1.0]))
            how = "Z basis for both parties (fixed)"
        else:
            pairs = _candidate_pairs(rho, n_grid)
            values = np.array([ev_search.value(a, b) for a, b in pairs])
            order = np.argsort(-values, kind="stable")
            best_pair, best_val = pairs[order[0]], values[order[0]]
            for idx in order[:n_polish]:
                x0 = np.concatenate([_angles(pairs[idx][0]), _angles(pairs[idx][1])])
                res = minimize(lambda x: -ev_search.value(_axis(x[:2]), _axis(x[2:])), x0, method="Nelder-Mead",
                               options={"xatol": XATOL_ANGLE, "fatol": FATOL_BOUND,
                                        "maxiter": MAX_POLISH_ITER})
                if -res.fun > best_val:
                    best_val, best_pair = -res.fun, (_axis(res.x[:2]), _axis(res.x[2:]))
            how = (f"global search over Bloch axes: (Z,Z) + {n_grid}x{n_grid} Fibonacci-hemisphere "
                   f"grid pairs + {n_grid} max-correlation partners + 3 singular-vector pairs of T, "
                   f"best {n_polish} polished by Nelder-Mead ({ev_search.calls} evaluations)")
        setting = [bloch_measurement(best_pair[0], "A"), bloch_measurement(best_pair[1], "B")]
        axes = [list(map(float, best_pair[0])), list(map(float, best_pair[1]))]
    else:
        setting = list(measurements)
        how, axes = "given measurements", None

    sol = ev.solve(setting)
    if sol is None:
        value, gamma, pq, zero, eve_method, eve_status = 0.0, np.zeros((2, 2)), 0.0, True, "no '?' mass", "optimal_zero"
    else:
        value, gamma, pq, zero = sol.value, sol.gamma, sol.p_question, sol.zero_key
        eve_method, eve_status = sol.method, sol.status
    value = 0.0 if zero else value
    certificate = {
        "attack": {"name": "CC attack on the best separable approximation (paper 1, Eqs. 8-12, 15)",
                   "model": model, "q": dec.value, "gamma": gamma, "p_question": pq,
                   "zero_key_certificate": zero, "method": eve_method},
        "decomposition": dec_cert,
        "measurements": [m.label for m in setting],
        "measurement_unitaries": [m.unitary for m in setting],
        "bloch_axes": axes,
        "measurement_search": how,
    }
    status = "optimal_zero" if zero else eve_status
    method = f"max over settings: {how}; min over Eve: {eve_method}"
    return GeneralRateBound(float(value), dec.value, certificate, method, status, max(GAMMA_TOL, CERT_TOL))
