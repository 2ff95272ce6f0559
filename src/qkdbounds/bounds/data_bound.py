r"""Key bounds from recorded data: QBERs or count tables in, upper and lower bounds out (F12).

An experiment does not hold a density matrix; it holds what its protocol monitors.  Eve may
prepare **any state compatible with those data** -- the monitored statistics cannot tell it from
the honest source -- so

.. math:: R \le \min_{\rho\ \text{compatible}} R_\text{CC}(\rho)

where :math:`R_\text{CC}` is the tightest convex-combination bound of the one route for sources
(:func:`qkdbounds.bounds.source_bound.source_rate_upper_bound`: paper 1's attack, the extended
attack and no attack, per key basis; paper 1, Eqs. 1, 8-14).  Method note with the derivations
and citations: ``docs/data_bounds.md``.

**Standard protocols** (qubits; Bob's outcomes labelled so that :math:`|\phi^+\rangle` gives
equal outcomes in every matched basis, i.e. he measures :math:`U^*` when Alice measures
:math:`U`; counts-file conventions in ``docs/counts_format.md``).  With Bell weights
:math:`\lambda = (\lambda_{\phi^+}, \lambda_{\phi^-}, \lambda_{\psi^+}, \lambda_{\psi^-})`
the error rates are :math:`e_Z = \lambda_{\psi^+}+\lambda_{\psi^-}`,
:math:`e_X = \lambda_{\phi^-}+\lambda_{\psi^-}`, :math:`e_Y = \lambda_{\phi^-}+\lambda_{\psi^+}`.

* ``bb84`` / ``bbm92`` (key and test in Z and X; prepare-and-measure BB84 and its
  entanglement-based twin BBM92 have the same monitored data): the compatible Bell-diagonal states
  are :math:`\lambda(t) = (1-e_Z-e_X+t,\ e_X-t,\ e_Z-t,\ t)`,
  :math:`t\in[\max(0, e_Z+e_X-1), \min(e_Z, e_X)]` -- :math:`t` is the unmonitored weight
  (equivalently :math:`e_Y = e_Z+e_X-2t`), Eve's freedom.  The bound is the minimum over Eve's
  *structured* compatible states: both ends of the range (the lower end has the largest separable
  weight :math:`2(e_Z+e_X)`, the closed form of
  :func:`~qkdbounds.separability.families.bell_diagonal_decomposition`), the Dür-Cirac points
  :math:`t = e_Z/2` and :math:`t = e_X/2` and the six-state point :math:`t = (e_Z+e_X)/4` (their
  decompositions use paper 1's Eq. (9)-type phase ensembles).  Every candidate is a compatible
  state, so each value is a valid bound.  Generic interior :math:`t` are not used: their
  separable parts get Wootters' four-member ensembles, whose attack values jump erratically with
  :math:`t` (sometimes lower, sometimes higher; ``docs/data_bounds.md``), which would make the
  bound non-monotone in the error rates.  Given ``qber_y`` as well, the state is fixed.
* ``six-state`` (Z, X, Y): the three rates fix :math:`\lambda` completely.
* The honest parties may make key in any of the protocol's bases, so the bound of a state is the
  maximum over its key bases (Eq. 14's :math:`\max_x`), each computed by the source route on the
  state rotated so that the basis is Z (:math:`(U_b\otimes U_b^*)^\dagger\rho(U_b\otimes U_b^*)`;
  every attack is covariant under this local unitary).

Restricting Eve to Bell-diagonal states loses nothing for the lower bounds (the parties may twirl)
and is one valid choice of hers for the upper bound (a non-Bell-diagonal compatible state could
only make it lower).

**Custom protocols** (POVMs per party, full count tables): the compatible set
:math:`\{\rho: \mathrm{Tr}[\rho\,(A_a^x\otimes B_b^y)] = p(a,b|x,y)\}` is searched by SDPs
(:mod:`qkdbounds.data.compatible`): the compatible state of largest PPT weight, then
``N_RANDOM_COMPATIBLE`` seeded random compatible states; the bound is the minimum over these
candidates of the maximum over the key settings, labelled as a seeded search.

**Finite statistics** (``counts`` with ``confidence = 1 - eps``): Clopper-Pearson intervals per
monitored rate, Bonferroni-corrected (:mod:`qkdbounds.data.confidence`).  Any rate in the region
is one under which the recorded counts are not an eps-unlikely fluke, so Eve may reproduce it;
the lower bound is evaluated at the region's corner nearest 1/2 in each rate (non-increasing in
an error rate up to 1/2 and symmetric about it: Bob may relabel his outcomes; six-state: the
larger of the Z/X form there and Lo's form minimised over the region's states, a convex
program), the upper bound at that corner and at the point estimates, the minimum
taken (both in the region; the structured candidates are not exactly monotone in the rates).
The upper bound tends to the asymptotic value as the counts grow (docs/data_bounds.md).

**Lower bounds** (Devetak-Winter, collective attacks, one-way reconciliation, leakage-aware as in
:mod:`qkdbounds.bounds.lower`: a leaked round gives Eve the key bit):

.. math:: r_L = (1-L)\,H(X_b|E) - h(e_b), \qquad H(X_b|E) = 1 - H(\lambda) + h(e_b)

for the worst compatible Bell-diagonal state; for BB84 data the worst state is the product point
:math:`t = e_Ze_X` (maximal :math:`H(\lambda) = h(e_Z)+h(e_X)`), giving
:math:`(1-L)(1-h(e_{\bar b})) - h(e_b)` (Shor & Preskill, PRL 85, 441 (2000)); six-state data give
Lo's rate (QIC 1, 81 (2001)) at L = 0.  Custom data: the Devetak-Winter rate of the compatible
state when the data fix it (informationally complete, no confidence region), else none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_choice, check_leakage_grid, check_probability, check_rng
from ..status import Status, StatusField
from ._results import PointSequence

__all__ = ["DataRateBound", "DataRateBounds", "data_rate_upper_bound", "qber_bell_weights",
           "free_weight_range", "qber_of_state", "qber_lower_bound", "qber_threshold", "PROTOCOLS",
           "KEY_BASES", "BASIS_UNITARIES", "N_RANDOM_COMPATIBLE"]

PROTOCOLS = ("bb84", "bbm92", "six-state", "custom")
#: Bases in which each standard protocol may make key (and monitors errors).
KEY_BASES = {"bb84": ("Z", "X"), "bbm92": ("Z", "X"), "six-state": ("Z", "X", "Y")}
_S = 1 / math.sqrt(2)
#: Alice's measurement per basis (columns = outcomes 0, 1); Bob measures the complex conjugate.
BASIS_UNITARIES = {
    "Z": np.eye(2, dtype=complex),
    "X": np.array([[_S, _S], [_S, -_S]], dtype=complex),
    "Y": np.array([[_S, _S], [1j * _S, -1j * _S]], dtype=complex),
}
#: Seeded random compatible states of the custom-protocol search (besides the largest-weight one).
N_RANDOM_COMPATIBLE = 4
#: Largest excess over [0, 1] of a Bell weight computed from QBERs treated as round-off.
ATOL_WEIGHTS = 1e-12
UNIT = "bits per round"


def _h(p: float) -> float:
    p = min(max(float(p), 0.0), 1.0)
    return 0.0 if p in (0.0, 1.0) else -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def _entropy(weights) -> float:
    w = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    w = w[w > 0]
    return float(-(w * np.log2(w)).sum())


def qber_bell_weights(qber_z: float, qber_x: float, qber_y: float | None = None,
                      t: float | None = None) -> NDArray[np.float64]:
    r"""Bell weights (phi+, phi-, psi+, psi-) of the compatible state with these error rates.

    Parameters
    ----------
    qber_z, qber_x : float
        Error rates in Z and X, in [0, 1].
    qber_y : float, optional
        Error rate in Y (Bob measuring the conjugate basis); fixes the state.
    t : float, optional
        Without ``qber_y``: the unmonitored weight :math:`\lambda_{\psi^-}` in
        :math:`[\max(0, e_Z+e_X-1), \min(e_Z, e_X)]` (module docstring).

    Returns
    -------
    ndarray, shape (4,)

    Raises
    ------
    InputError
        Rates outside [0, 1], ``t`` outside its range, both or neither of ``qber_y`` and ``t``,
        or rates no two-qubit state has (e.g. :math:`e_X + e_Y < e_Z`).

    Examples
    --------
    >>> qber_bell_weights(0.05, 0.05, 0.05).round(6).tolist()   # six-state: Werner v = 0.9
    [0.925, 0.025, 0.025, 0.025]
    >>> qber_bell_weights(0.1, 0.1, t=0.0).round(6).tolist()
    [0.8, 0.1, 0.1, 0.0]
    """
    ez, ex = check_probability("qber_z", qber_z), check_probability("qber_x", qber_x)
    if (qber_y is None) == (t is None):
        raise InputError("give exactly one of qber_y (fixes the state) and t (the unmonitored "
                         "weight)")
    if qber_y is not None:
        ey = check_probability("qber_y", qber_y)
        lam = np.array([1 - (ex + ey + ez) / 2, (ex + ey - ez) / 2, (ey + ez - ex) / 2,
                        (ex + ez - ey) / 2])
        if lam.min() < -ATOL_WEIGHTS:
            raise InputError(
                f"qber_z = {ez:g}, qber_x = {ex:g}, qber_y = {ey:g}: no two-qubit state has these "
                f"error rates (need each rate <= the sum of the other two, and the sum <= 2)")
        return np.clip(lam, 0.0, None) / np.clip(lam, 0.0, None).sum()
    lo, hi = free_weight_range(ez, ex)
    t = float(t)
    if not (lo - ATOL_WEIGHTS <= t <= hi + ATOL_WEIGHTS):
        raise InputError(f"t must be in [{lo:g}, {hi:g}] for qber_z = {ez:g}, qber_x = {ex:g}, "
                         f"got {t!r}")
    t = min(max(t, lo), hi)
    lam = np.array([1 - ez - ex + t, ex - t, ez - t, t])
    return np.clip(lam, 0.0, None) / np.clip(lam, 0.0, None).sum()


def free_weight_range(qber_z: float, qber_x: float) -> tuple[float, float]:
    """The range of the unmonitored weight t for Z and X data (module docstring)."""
    return max(0.0, qber_z + qber_x - 1.0), min(qber_z, qber_x)


def _bell_state(lam) -> NDArray[np.complex128]:
    from ..states.two_qubit import bell_diagonal_state

    return bell_diagonal_state(lam)


def _in_basis(rho: NDArray, basis: str) -> NDArray:
    """The state in the frame where ``basis`` (Alice U, Bob U*) is the computational basis."""
    u = BASIS_UNITARIES[basis]
    big = np.kron(u, u.conj())
    return big.conj().T @ rho @ big


def qber_of_state(rho: NDArray, basis: str) -> float:
    """Error rate of a two-qubit state in ``basis`` (Alice U_b, Bob U_b*): P(a != b)."""
    d = np.real(np.diag(_in_basis(np.asarray(rho, dtype=complex), basis)))
    return float(d[1] + d[2])


def qber_lower_bound(protocol: str, qber: dict, leakage, model: str = "uniform"):
    r"""Leakage-aware one-way (Devetak-Winter) lower bound from QBER data (module docstring).

    Parameters
    ----------
    protocol : {"bb84", "bbm92", "six-state"}
    qber : dict
        ``{"Z": e_Z, "X": e_X}`` and, for six-state (optional for bb84), ``"Y": e_Y``.
    leakage : float or array_like
        :math:`L\in[0,1]` (scalar or 1-D grid).
    model : {"uniform", "junk"}
        Both use the uniform form, valid for each (:mod:`qkdbounds.bounds.lower`).

    Returns
    -------
    value : ndarray
        :math:`\max(0, \max_b r_L(b))` per leakage (bits per round).
    key_basis : str
        The key basis achieving it.
    method : str

    Examples
    --------
    >>> v, b, _ = qber_lower_bound("bb84", {"Z": 0.05, "X": 0.05}, 0.0)
    >>> round(float(v), 6)                        # 1 - 2 h(0.05), Shor-Preskill
    0.427206
    """
    check_choice("model", model, ("uniform", "junk"))
    leak = np.asarray(leakage, dtype=float)
    ez, ex = qber["Z"], qber["X"]
    bases = KEY_BASES[protocol]
    if qber.get("Y") is not None:
        lam = qber_bell_weights(ez, ex, qber["Y"])
        h_lam = _entropy(lam)
        rates = {b: (1 - leak) * (1 - h_lam + _h(qber[b])) - _h(qber[b]) for b in bases}
        form = ("r = (1-L)(1 - H(lambda) + h(e_b)) - h(e_b) with the Bell weights lambda fixed by "
                "the three error rates (six-state: Lo, QIC 1, 81 (2001) at L = 0)")
    else:
        rates = {"Z": (1 - leak) * (1 - _h(ex)) - _h(ez), "X": (1 - leak) * (1 - _h(ez)) - _h(ex)}
        form = ("r = (1-L)(1 - h(e_other)) - h(e_key), the worst compatible state being the "
                "product point t = e_Z e_X (Shor & Preskill, PRL 85, 441 (2000); Koashi's "
                "complementarity form)")
    best = max(rates, key=lambda b: float(np.max(rates[b])))
    value = np.clip(np.maximum.reduce([rates[b] for b in rates]), 0.0, None)
    method = (f"Devetak-Winter one-way rate against collective attacks, leakage-aware (a leaked "
              f"round gives Eve the key bit; the uniform form, valid for both models): {form}; "
              f"max over the key bases {list(rates)}")
    return value, best, method


@dataclass(frozen=True, eq=False)
class DataRateBound(StatusField):
    r"""Upper and lower key bounds from recorded data (bits per round), decided.

    Attributes
    ----------
    value : float
        The upper bound to quote (``rate_upper_bound`` in the JSON): the minimum over Eve's
        compatible states of the maximum over key bases of the source route's bound.
    lower_bound : float or None
        Device-dependent lower bound from the same data (None where none is available).
    lower_bound_method : str
    verdict : {"no_key", "key", "open"}
    protocol : str
    qber : dict
        Error rates Eve reproduces (the region's corner nearest 1/2 with a confidence level), or the
        custom protocol's per-setting frequencies are in ``certificate``.
    qber_observed : dict
        Point estimates (from counts) or the given rates.
    confidence : float or None
    confidence_region : dict or None
        ``{basis: [lower, upper]}`` (Clopper-Pearson, Bonferroni-corrected).
    key_basis : str
        The key basis (or setting pair) achieving the maximum for Eve's state.
    value_by_basis : dict
        Eve's state's bound per key basis.
    attack, attack_used : str
        Requested attack and the one that won at the reported point.
    paper_value, extended_value, no_attack_value : float or None
        Beside it, at the same state and key basis.
    compatible_state : ndarray, shape (D, D)
        The state Eve prepares.
    bell_weights : ndarray, shape (4,) or None
        Its Bell weights (standard protocols).
    unmonitored_weight : float or None
        The free weight t of BB84 data at Eve's state.
    residual : float
        Largest distance of the compatible state's monitored statistics to the data it must
        reproduce.
    separable_weight : float
        Certified separable weight of Eve's state (her decomposition at the key basis).
    leakage, model : float, str
    certificate : dict
        Eve's state, her decomposition and attack (from the source route), the candidates tried.
    method : str
    status : Status
        ``optimal`` when the bound is a certified zero, else ``certified`` (Eve's compatible
        state, ensemble and attack are explicit; the search over compatible states is structured
        or seeded, not a proven minimum).
    unit : str
    message : str
        Notes from the search and from the source route at Eve's state.
    """

    value: float
    lower_bound: float | None
    lower_bound_method: str
    verdict: str
    protocol: str
    qber: dict
    qber_observed: dict
    confidence: float | None
    confidence_region: dict | None
    key_basis: str
    value_by_basis: dict
    attack: str
    attack_used: str
    paper_value: float
    extended_value: float | None
    no_attack_value: float
    compatible_state: NDArray = field(repr=False)
    bell_weights: NDArray | None
    unmonitored_weight: float | None
    residual: float
    separable_weight: float
    leakage: float
    model: str
    certificate: dict = field(repr=False)
    method: str = field(repr=False)
    status: Status = Status.CERTIFIED
    unit: str = UNIT
    message: str = ""

    def __repr__(self) -> str:
        low = "None" if self.lower_bound is None else f"{self.lower_bound:.6g}"
        data = ", ".join(f"e_{k}={v:.6g}" for k, v in self.qber.items()) or "count tables"
        conf = "" if self.confidence is None else f", confidence={self.confidence:g}"
        return (f"DataRateBound(protocol={self.protocol!r}, {data}{conf}, leakage={self.leakage:g}"
                f", model={self.model!r}, attack={self.attack!r}: value={self.value:.6g}, "
                f"lower_bound={low}, verdict={self.verdict!r}, key_basis={self.key_basis!r}, "
                f"attack_used={self.attack_used!r}; {self.unit})")


@dataclass(frozen=True, eq=False)
class DataRateBounds(PointSequence):
    """Result of :func:`data_rate_upper_bound` on a leakage grid: equal-length arrays (bits per
    round; NaN where a point has no lower bound) and the per-point :class:`DataRateBound` results
    (``points``), whose fields the arrays repeat.

    Iterable (over points), indexable, ``len()`` = number of leakage values.
    """

    leakage: NDArray[np.float64]
    value: NDArray[np.float64]
    lower_bound: NDArray[np.float64]
    verdict: NDArray[np.str_]
    attack_used: NDArray[np.str_]
    points: list = field(repr=False)
    protocol: str = ""
    attack: str = "best"
    model: str = "uniform"
    unit: str = UNIT
    #: per point, as the points' own fields: the paper attack's and the no-attack values, the
    #: key basis, the lower bound's method, the status
    paper_value: NDArray[np.float64] | None = None
    no_attack_value: NDArray[np.float64] | None = None
    key_basis: NDArray[np.str_] | None = None
    lower_bound_method: NDArray[np.object_] | None = None
    status: NDArray[np.str_] | None = None

    def __post_init__(self):
        if self.status is not None:     # (the enum's values, checked: as RateBounds.status)
            from ._results import coerce_status_array

            object.__setattr__(self, "status", coerce_status_array(self.status))

    def table_columns(self) -> dict:
        """The question (scalars) and one column per quantity, one row per leakage."""
        return {"protocol": self.protocol, "model": self.model, "attack": self.attack,
                "leakage": self.leakage, "rate_upper_bound": self.value,
                "lower_bound": self.lower_bound, "verdict": self.verdict,
                "attack_used": self.attack_used,
                "key_basis": self.key_basis, "paper_value": self.paper_value,
                "no_attack_value": self.no_attack_value, "status": self.status}

    def __repr__(self) -> str:
        return (f"DataRateBounds(protocol={self.protocol!r}, model={self.model!r}, "
                f"attack={self.attack!r}, leakage={np.round(self.leakage, 6).tolist()}, "
                f"value={np.round(self.value, 6).tolist()}, "
                f"lower_bound={np.round(self.lower_bound, 6).tolist()} ({self.unit}), "
                f"verdict={self.verdict.tolist()})")


def _state_bounds(rho, bases, leaks, model, attack, restarts: bool = False):
    """The source route's bound of one state per key basis (list over leakages of per-basis
    results) -- Eq. 14's max over x is taken by the caller.  ``restarts``: the source route's
    restarts of the separability engine (random local frames) beside the input frame's
    decomposition."""
    from .source_bound import source_rate_upper_bound

    per_basis = {}
    for b in bases:
        res = source_rate_upper_bound(_in_basis(rho, b), leaks, model, "Z", attack=attack,
                                      dims=(2, 2), lower_bound=False, restarts=restarts)
        per_basis[b] = list(res)
    return per_basis


def _candidate_ts(ez: float, ex: float) -> list[float]:
    """Eve's structured compatible states (module docstring): both ends of the range (the
    lower end has the largest separable weight 2(e_Z + e_X)), the Dür-Cirac points e_Z/2 and
    e_X/2 (psi+- equal in the Z or the X frame) and the six-state point (e_Z + e_X)/4."""
    lo, hi = free_weight_range(ez, ex)
    ts = [lo, hi, ez / 2, ex / 2, (ez + ex) / 4]
    ts = [min(max(float(t), lo), hi) for t in ts]
    return sorted(set(np.round(ts, 15)))


def _load(counts, protocol: str):
    """A :class:`~qkdbounds.data.counts.CountData` (already loaded, e.g. by the CLI with its
    option name in the messages) or a path / dict loaded here."""
    from ..data.counts import CountData, load_counts

    if isinstance(counts, CountData):
        if counts.protocol != protocol:
            raise InputError(f"counts: the loaded data are for protocol {counts.protocol!r}, "
                             f"not {protocol!r}")
        return counts
    return load_counts(counts, protocol, name="counts")


def _standard_point_data(protocol, qber_z, qber_x, qber_y, counts, confidence):
    """(qber Eve must reproduce, observed qber, region or None, data description)."""
    if counts is not None:
        data = _load(counts, protocol)
        qc = data.qber_counts()
        observed = {b: e / n for b, (e, n) in qc.items()}
        if confidence is None:
            return dict(observed), observed, None, {"counts": data.source, "rounds": {
                b: n for b, (_, n) in qc.items()}}
        from ..data.confidence import qber_region

        region = qber_region(qc, confidence)
        corner = {b: _nearest_half(iv.lower, iv.upper) for b, iv in region.items()}
        return corner, observed, {b: [iv.lower, iv.upper] for b, iv in region.items()}, {
            "counts": data.source, "rounds": {b: n for b, (_, n) in qc.items()},
            "interval_level": {b: iv.level for b, iv in region.items()}}
    if qber_z is None or qber_x is None:
        raise InputError(f"{protocol}: give qber_z and qber_x (and qber_y for six-state), or counts")
    q = {"Z": check_probability("qber_z", qber_z), "X": check_probability("qber_x", qber_x)}
    if qber_y is not None:
        q["Y"] = check_probability("qber_y", qber_y)
    if protocol == "six-state" and "Y" not in q:
        raise InputError("six-state: give qber_y too (the protocol monitors Z, X and Y)")
    return dict(q), dict(q), None, {}


def _nearest_half(lower: float, upper: float) -> float:
    """The rate in ``[lower, upper]`` nearest 1/2: where the bounds are smallest over an interval
    (non-increasing in an error rate up to 1/2 and, Bob relabelling his outcomes, symmetric about
    it: exactly for the lower bound's closed form, approximately for the upper bound's structured
    candidates, which :func:`_standard` also evaluates at the point estimates)."""
    return float(min(max(0.5, lower), upper))


def _clip_corner(q: dict, region: dict) -> tuple[dict, dict | None, str | None]:
    """The region's worst corner ``q`` as rates to evaluate: ``(rates for the upper bound, rates
    for the lower bound or None (the same), note)``.

    Two rates (BB84): the corner itself.  Six-state: the Z/X lower bound takes the corner's Z
    and X rates alone (the worst Bell-diagonal state with those two rates, a bound valid for
    every state of the region whatever its Y rate, and smallest at that corner: non-increasing in
    each rate up to 1/2 and symmetric about it; Lo's three-rate form need not be smallest at a
    corner: :func:`_six_state_region_lower_bound` minimises it over the region).  The upper
    bound is evaluated at the corner when some two-qubit state has its rates, else at the point
    of the region nearest it (L1) that has one (an LP over the Bell weights; in the region: Eve
    may reproduce it); a region without any such point is refused."""
    if "Y" not in q:
        return q, None, None
    low = {"Z": q["Z"], "X": q["X"]}
    note = ("six-state with a confidence region: the lower bound is the larger of the Z/X form at "
            "the worst corner and Lo's form minimised over the region's states (each valid for "
            "every state of the region)")
    try:
        qber_bell_weights(q["Z"], q["X"], q["Y"])
        return q, low, note
    except InputError:
        pass
    point = _nearest_state_rates(q, region)
    if point is None:
        raise InputError("counts: no two-qubit state has error rates in the confidence region ("
                         + ", ".join(f"e_{b} in [{region[b][0]:.6g}, {region[b][1]:.6g}]"
                                     for b in ("Z", "X", "Y")) + ")")
    return point, low, (
        note + "; the region's worst corner has no two-qubit state: the upper bound is evaluated "
        "at the region's point nearest it (L1) that has one")


def _bell_rate_matrix() -> NDArray[np.float64]:
    """Error rates (rows Z, X, Y) of the four Bell states (columns phi+, phi-, psi+, psi-): the
    rates of a Bell-diagonal state are this matrix times its weights."""
    return np.array([[qber_of_state(_bell_state(np.eye(4)[k]), b) for k in range(4)]
                     for b in ("Z", "X", "Y")])


#: Margin subtracted from the convex program's optimum in :func:`_six_state_region_lower_bound`
#: (bits): the interior-point solution is accurate to ~1e-8, and a lower bound must not exceed
#: the true minimum.
REGION_LOWER_MARGIN = 1e-6


def _six_state_region_lower_bound(region: dict, leaks) -> NDArray | None:
    r"""Lo's leakage-aware six-state rate minimised over the states of the confidence region,
    per leakage: :math:`\max_b \min_\lambda [(1-L)(1-H(\lambda)) - L\,h(e_b(\lambda))]` over
    Bell weights :math:`\lambda` whose rates lie in the box (a convex program: :math:`H` and
    :math:`h` are concave and the rates linear in :math:`\lambda`; cvxpy + Clarabel), less
    :data:`REGION_LOWER_MARGIN`, clipped at 0.  Valid for every state of the region (the
    Bell-diagonal twirl loses nothing for the parties); None when a solve fails."""
    import cvxpy as cp

    from .._solvers import solve_problem

    m = _bell_rate_matrix()
    lo = np.array([region[b][0] for b in ("Z", "X", "Y")])
    hi = np.array([region[b][1] for b in ("Z", "X", "Y")])
    lam = cp.Variable(4, nonneg=True)
    rates = m @ lam
    keep, leak = cp.Parameter(nonneg=True), cp.Parameter(nonneg=True)     # 1 - L and L
    entropy = cp.sum(cp.entr(lam)) / math.log(2)
    constraints = [cp.sum(lam) == 1, rates >= lo, rates <= hi]
    problems = []
    for k in range(3):
        h_e = (cp.entr(rates[k]) + cp.entr(1 - rates[k])) / math.log(2)
        problems.append(cp.Problem(cp.Minimize(keep - keep * entropy - leak * h_e), constraints))
    out = np.zeros(len(leaks))
    for i, value in enumerate(leaks):
        keep.value, leak.value = 1.0 - float(value), float(value)
        best = -np.inf
        for prob in problems:
            if solve_problem(prob) != "optimal" or prob.value is None:
                return None
            best = max(best, float(prob.value) - REGION_LOWER_MARGIN)
        out[i] = max(0.0, best)
    return out


def _nearest_state_rates(q: dict, region: dict) -> dict | None:
    """Rates (Z, X, Y) of a Bell-diagonal state inside the box ``region`` nearest ``q`` in L1, or
    None when no state has rates in the box: the LP over the Bell weights lambda >= 0,
    sum lambda = 1, with slacks s >= |e(lambda) - q| (HiGHS, the project's linprog subset)."""
    from ..di._highs import linprog

    bases = ("Z", "X", "Y")
    m = _bell_rate_matrix()             # e_b(lambda) = M lambda
    target = np.array([q[b] for b in bases])
    lo = np.array([region[b][0] for b in bases])
    hi = np.array([region[b][1] for b in bases])
    # variables (lambda_0..3, s_Z, s_X, s_Y): minimise sum s
    c = np.concatenate([np.zeros(4), np.ones(3)])
    eye = np.eye(3)
    a_ub = np.vstack([np.hstack([m, -eye]), np.hstack([-m, -eye]),      # +-(M lam - q) <= s
                      np.hstack([m, np.zeros((3, 3))]), np.hstack([-m, np.zeros((3, 3))])])
    b_ub = np.concatenate([target, -target, hi, -lo])
    a_eq = np.concatenate([np.ones(4), np.zeros(3)])[None, :]
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0])     # (x >= 0)
    if res.exit_code != 0:
        return None
    lam = np.clip(res.x[:4], 0.0, None)
    lam /= lam.sum()
    rates = np.clip(m @ lam, lo, hi)
    return {b: float(v) for b, v in zip(bases, rates)}


def _standard(protocol, qber_z, qber_x, qber_y, counts, confidence, leaks, model, attack,
              want_lower):
    q, observed, region, described = _standard_point_data(protocol, qber_z, qber_x, qber_y,
                                                         counts, confidence)
    notes = []
    low_q = None
    if region is not None:
        q, low_q, note = _clip_corner(q, region)
        notes += [note] if note else []
    rate_points = [q]
    if region is not None:
        # the point estimates are in the region too: Eve may reproduce them, and the structured
        # candidates below are not exactly monotone in the rates, so the region's value is the
        # minimum over both points (never above the estimates' value)
        try:
            if "Y" in observed:
                qber_bell_weights(observed["Z"], observed["X"], observed["Y"])
            if observed != q:
                rate_points.append(dict(observed))
        except InputError:
            pass
    bases = KEY_BASES[protocol]
    candidates = []      # (rates, t, Bell weights)
    for rates in rate_points:
        if "Y" in rates:
            candidates.append((rates, None, qber_bell_weights(rates["Z"], rates["X"], rates["Y"])))
        else:
            candidates += [(rates, t, qber_bell_weights(rates["Z"], rates["X"], t=t))
                           for t in _candidate_ts(rates["Z"], rates["X"])]
    if "Y" in q:
        family = "the state fixed by the three error rates"
    else:
        lo, hi = free_weight_range(q["Z"], q["X"])
        family = (f"the Bell-diagonal states with e_Z = {q['Z']:.6g}, e_X = {q['X']:.6g} and the "
                  f"unmonitored weight t in [{lo:.6g}, {hi:.6g}]: minimum over "
                  f"{len(_candidate_ts(q['Z'], q['X']))} structured ones (t at both ends, e_Z/2, "
                  f"e_X/2 and (e_Z+e_X)/4; each a compatible state, so each a valid bound)")
    if len(rate_points) > 1:
        family += ("; and the same at the point estimates (in the region), the minimum over "
                   "both taken")
    evaluated = []
    for rates, t, lam in candidates:
        rho = _bell_state(lam)
        # (the candidates without restarts: their bounds stay smoother in the rates)
        evaluated.append((t, lam, rho, _state_bounds(rho, bases, leaks, model, attack), rates))

    def state_value(entry, i):
        return max(entry[3][b][i].value for b in bases)

    # Eve's best candidate at each leakage gets the engine's restarts too (Eve may use every
    # decomposition the tool finds): per key basis and leakage the smaller of the two bounds,
    # so it stays Eve's best candidate and its bound can only go down
    for k in sorted({min(range(len(evaluated)), key=lambda k: state_value(evaluated[k], i))
                     for i in range(len(leaks))}):
        t, lam, rho, per_basis, rates = evaluated[k]
        again = _state_bounds(rho, bases, leaks, model, attack, restarts=True)
        per_basis = {b: [min(x, y, key=lambda r: r.value) for x, y in zip(per_basis[b], again[b])]
                     for b in bases}
        evaluated[k] = (t, lam, rho, per_basis, rates)
    if want_lower:
        low_vals, _, low_method = qber_lower_bound(protocol, q if low_q is None else low_q,
                                                   leaks, model)
        low_vals = np.atleast_1d(low_vals)
        if region is not None and "Y" in region:
            # the Z/X form ignores the Y rate; Lo's three-rate form minimised over the region
            # uses it (and tends to Lo's rate as the counts grow): the larger of the two
            lo_region = _six_state_region_lower_bound(region, leaks)
            if lo_region is not None:
                low_vals = np.maximum(low_vals, lo_region)
                low_method += ("; and Lo's three-rate form minimised over the Bell-diagonal "
                               "states of the region (convex program, cvxpy + Clarabel, less "
                               f"{REGION_LOWER_MARGIN:g}), the larger of the two")
    points = []
    for i, leak in enumerate(leaks):
        # Eve's best compatible state at this leakage: min over t of max over key bases
        t, lam, rho, per_basis, rates = min(evaluated, key=lambda entry: state_value(entry, i))
        key_basis = max(bases, key=lambda b: per_basis[b][i].value)
        r = per_basis[key_basis][i]
        value = r.value
        residual = max(abs(qber_of_state(rho, b) - rates[b]) for b in rates)
        lower = float(low_vals[i]) if want_lower else None
        from .verdict import decide, reported_lower

        status_notes = list(notes) + ([r.message] if r.message else [])
        cert = {
            "compatible_state": rho, "bell_weights": lam, "unmonitored_weight": t,
            "key_basis_unitary": BASIS_UNITARIES[key_basis],
            "eve": {"attack": r.certificate["attack"], "decomposition": r.certificate["decomposition"],
                    "separable_weight": r.separable_weight,
                    "ensemble_frame": f"rotated so that {key_basis} is Z: vectors of party A "
                                      f"times U_b, of party B times conj(U_b) give the "
                                      f"lab frame",
                    "ensemble": r.certificate["ensemble"]},
            "candidates": [{"qber": c[4], "unmonitored_weight": c[0], "bell_weights": c[1],
                            "value_by_basis": {b: c[3][b][i].value for b in bases}}
                           for c in evaluated],
            **described,
        }
        method = (f"{attack} bound (paper 1's CC attacks on the one route for sources) minimised "
                  f"over Eve's compatible states: {family}; max over the key bases "
                  f"{list(bases)} (state rotated so that the basis is Z); at Eve's state: "
                  f"{r.method}")
        if region is not None:
            method += ("; finite statistics: evaluated at the corner of the Clopper-Pearson "
                       f"region at joint confidence {confidence:g} (Bonferroni) nearest 1/2 in "
                       "each rate")
        lower = reported_lower(value, lower)
        points.append(DataRateBound(
            value=float(value), lower_bound=lower,
            lower_bound_method=(low_method + ("; at the confidence region's corner nearest 1/2 (an "
                                              "asymptotic rate there, not a composable "
                                              "finite-key bound)" if region is not None else "")
                                if want_lower else ""),
            verdict=decide(value, lower), protocol=protocol, qber=dict(rates),
            qber_observed=dict(observed), confidence=confidence, confidence_region=region,
            key_basis=key_basis, value_by_basis={b: per_basis[b][i].value for b in bases},
            attack=attack, attack_used=r.attack_used, paper_value=r.paper_value,
            extended_value=r.extended_value, no_attack_value=r.no_attack_value,
            compatible_state=rho, bell_weights=lam, unmonitored_weight=t, residual=residual,
            separable_weight=r.separable_weight, leakage=leak, model=model, certificate=cert,
            method=method, status=_status(value), message="; ".join(status_notes)))
    return points


def _custom(counts, confidence, leaks, model, attack, want_lower, rng):
    from ..data.compatible import (is_informationally_complete, largest_separable_compatible,
                                   monitored_operators, random_compatible)
    from ..data.confidence import clopper_pearson
    from .source_bound import source_rate_upper_bound
    from .verdict import decide, reported_lower

    if counts is None:
        raise InputError("custom: give counts (a counts file with the POVMs, docs/counts_format.md)")
    data = _load(counts, "custom")
    settings = [(t.alice, t.bob) for t in data.tables]
    ops, labels = monitored_operators(data.povms["alice"], data.povms["bob"], settings)
    freqs, lows, highs = [], [], []
    n_cells = len(labels)
    for t in data.tables:
        f = t.counts / t.rounds
        freqs.append(f.ravel())
        if confidence is not None:
            level = 1 - (1 - confidence) / n_cells
            iv = [clopper_pearson(int(k), t.rounds, level) for k in t.counts.ravel()]
            lows.append([a for a, _ in iv])
            highs.append([b for _, b in iv])
    freq = np.concatenate(freqs)
    low = np.concatenate(lows) if confidence is not None else freq
    high = np.concatenate(highs) if confidence is not None else freq
    dims = tuple(data.dims)
    first = largest_separable_compatible(dims, ops, low, high)
    candidates = [first] + random_compatible(dims, ops, low, high, N_RANDOM_COMPATIBLE, rng)
    key = list(data.key_settings) if data.key_settings else settings
    evaluated = []
    for c in candidates:
        per = {}
        for a, b in key:
            res = source_rate_upper_bound(c.matrix, leaks, model,
                                          [data.povms["alice"][a], data.povms["bob"][b]],
                                          attack=attack, dims=dims, lower_bound=False)
            per[f"{a},{b}"] = list(res)
        evaluated.append((c, per))
    complete = is_informationally_complete(ops, dims)
    lower_vals, lower_method = None, ("no lower bound: the data do not fix the state (not "
                                      "informationally complete) or carry a confidence region; "
                                      "the minimum of the Devetak-Winter rate over the compatible "
                                      "set needs a numerical key-rate solver (Winick, Lütkenhaus "
                                      "& Coles, Quantum 2, 77 (2018)), not implemented")
    if want_lower and complete and confidence is None:
        from ..states.sources import make_source
        from .lower import devetak_winter_lower_bound

        src = make_source(first.matrix, dims)
        lower_vals, lower_method = [], None
        for leak in leaks:
            best = None
            for a, b in key:
                lb = devetak_winter_lower_bound(src, [data.povms["alice"][a], data.povms["bob"][b]],
                                                leak, model)
                best = lb if best is None or lb.value > best.value else best
            lower_vals.append(best.value)
            lower_method = ("the data fix the state (informationally complete): " + best.method)
    points = []
    for i, leak in enumerate(leaks):
        c, per = min(evaluated, key=lambda e: max(v[i].value for v in e[1].values()))
        kb = max(per, key=lambda k: per[k][i].value)
        r = per[kb][i]
        lower = None if lower_vals is None else float(lower_vals[i])
        notes = [r.message] if r.message else []
        cert = {"compatible_state": c.matrix, "compatible_state_how": c.how,
                "ppt_weight": c.ppt_weight, "informationally_complete": complete,
                "eve": {"attack": r.certificate["attack"],
                        "decomposition": r.certificate["decomposition"],
                        "separable_weight": r.separable_weight,
                        "ensemble": r.certificate["ensemble"]},
                "candidates": [{"how": e[0].how, "ppt_weight": e[0].ppt_weight,
                                "value_by_setting": {k: v[i].value for k, v in e[1].items()}}
                               for e in evaluated],
                "counts": data.source}
        method = (f"{attack} bound minimised over compatible states found by SDP (the largest "
                  f"PPT weight, then {N_RANDOM_COMPATIBLE} seeded random compatible states: a "
                  f"seeded search over the compatible set, not a certified minimum); max over "
                  f"the key settings {[f'{a},{b}' for a, b in key]}; at Eve's state: {r.method}")
        if confidence is not None:
            method += (f"; finite statistics: every frequency in its Clopper-Pearson interval at "
                       f"joint confidence {confidence:g} (Bonferroni over {n_cells} cells)")
        lower = reported_lower(r.value, lower)
        points.append(DataRateBound(
            value=float(r.value), lower_bound=lower, lower_bound_method=lower_method or "",
            verdict=decide(r.value, lower), protocol="custom", qber={}, qber_observed={},
            confidence=confidence, confidence_region=None, key_basis=kb,
            value_by_basis={k: v[i].value for k, v in per.items()}, attack=attack,
            attack_used=r.attack_used, paper_value=r.paper_value,
            extended_value=r.extended_value, no_attack_value=r.no_attack_value,
            compatible_state=c.matrix, bell_weights=None, unmonitored_weight=None,
            residual=float(c.residual), separable_weight=r.separable_weight, leakage=leak,
            model=model, certificate=cert, method=method,
            status=_status(r.value), message="; ".join(notes)))
    return points


def _status(value: float) -> Status:
    """``optimal`` for a certified zero (nothing lies below it), else ``certified``."""
    return Status.OPTIMAL if value <= 0 else Status.CERTIFIED


def data_rate_upper_bound(protocol: str, *, qber_z: float | None = None,
                          qber_x: float | None = None, qber_y: float | None = None,
                          counts=None, leakage=0.0, model: str = "uniform",
                          confidence: float | None = None, attack: str = "best",
                          lower_bound: bool = True, rng: np.random.Generator | None = None):
    r"""Upper and lower key bounds (bits per round) from recorded QBERs or count tables.

    The one route for recorded data: the API, ``qkdbounds data-bound`` and sweeps call it.
    Upper bound: the minimum over Eve's compatible states of the tightest CC bound (module
    docstring; ``docs/data_bounds.md``); lower bound: the leakage-aware Devetak-Winter rate of the
    worst compatible state; ``verdict`` decides.

    Parameters
    ----------
    protocol : {"bb84", "bbm92", "six-state", "custom"}
    qber_z, qber_x, qber_y : float, optional
        Error rates in [0, 1] (standard protocols, instead of ``counts``); ``qber_y`` is required
        for six-state and optional for bb84/bbm92 (it then fixes the state).
    counts : path, dict or CountData, optional
        A counts file (``docs/counts_format.md``): 2x2 tables per Pauli basis pair for the
        standard protocols, POVMs and tables for ``custom``; or its
        :func:`~qkdbounds.data.counts.load_counts` result.
    leakage : float or array_like
        :math:`L\in[0,1]` or a 1-D grid (equal-length arrays in a :class:`DataRateBounds`).
    model : {"uniform", "junk"}
        Leakage model (paper 1, Eqs. 11 and 20).
    confidence : float, optional
        Joint confidence :math:`1-\varepsilon\in(0,1)` of the finite-statistics region (needs
        ``counts``); default: the observed frequencies as they are (asymptotic).
    attack : {"best", "paper", "extended"}
        As in :func:`~qkdbounds.bounds.source_bound.source_rate_upper_bound` (default: the
        tightest).
    lower_bound : bool
        Compute the lower bound and the verdict (default True).
    rng : numpy.random.Generator, optional
        Seeds the custom protocol's search (default ``default_rng(0)``).

    Returns
    -------
    DataRateBound or DataRateBounds

    Raises
    ------
    InputError
        Unknown protocol/model/attack, rates outside [0, 1] or of no state, both or neither of
        rates and counts, a bad counts file (one line naming the entry), ``confidence`` outside
        (0, 1) or without counts.

    Examples
    --------
    >>> r = data_rate_upper_bound("bb84", qber_z=0.03, qber_x=0.04, leakage=1e-3)
    >>> round(r.value, 4), round(r.lower_bound, 4), r.verdict
    (0.757, 0.5626, 'key')
    >>> data_rate_upper_bound("bb84", qber_z=0.25, qber_x=0.25).verdict   # a separable state fits
    'no_key'
    """
    check_choice("protocol", protocol, PROTOCOLS)
    check_choice("model", model, ("uniform", "junk"))
    from .source_bound import ATTACK_CHOICES

    check_choice("attack", attack, ATTACK_CHOICES)
    if confidence is not None:
        from ..errors import check_real

        confidence = check_real("confidence", confidence, 0.0, 1.0)
        if not 0.0 < confidence < 1.0:
            raise InputError(f"confidence must be in (0, 1) (e.g. 0.99 for eps = 0.01), got "
                             f"{confidence:g}")
        if counts is None:
            raise InputError("confidence needs counts (a confidence region comes from the "
                             "numbers of rounds)")
    if counts is not None and any(x is not None for x in (qber_z, qber_x, qber_y)):
        raise InputError("give either the error rates (qber_z, qber_x[, qber_y]) or counts, not "
                         "both")
    if protocol == "custom" and any(x is not None for x in (qber_z, qber_x, qber_y)):
        raise InputError("custom: error rates do not define a custom protocol; give counts with "
                         "the POVMs")
    leaks, is_grid = check_leakage_grid(leakage)
    if protocol == "custom":
        rng = check_rng("rng", rng)
        points = _custom(counts, confidence, leaks, model, attack, lower_bound, rng)
    else:
        points = _standard(protocol, qber_z, qber_x, qber_y, counts, confidence, leaks, model,
                           attack, lower_bound)
    if not is_grid:
        return points[0]
    return DataRateBounds(
        np.array(leaks), np.array([p.value for p in points]),
        np.array([np.nan if p.lower_bound is None else p.lower_bound for p in points]),
        np.array([p.verdict for p in points]), np.array([p.attack_used for p in points]),
        points, protocol, attack, model,
        paper_value=np.array([p.paper_value for p in points]),
        no_attack_value=np.array([p.no_attack_value for p in points]),
        key_basis=np.array([p.key_basis for p in points]),
        lower_bound_method=np.array([p.lower_bound_method for p in points], dtype=object),
        status=np.array([str(p.status) for p in points]))


def qber_threshold(protocol: str, leakage: float, model: str = "uniform", *,
                   attack: str = "best", bound: str = "upper", xtol: float = 1e-4,
                   bracket: tuple[float, float] = (0.0, 0.5)) -> float:
    r"""Smallest symmetric QBER :math:`e` (all monitored rates equal) at which the bound is zero.

    ``bound="upper"``: above it no key is possible (the upper bound is 0); ``"lower"``: below it
    key is proven (the lower bound is positive).  Bisection on [0, 1/2] to ``xtol``, assuming the
    bound is non-increasing in e (tested).

    Parameters
    ----------
    protocol : {"bb84", "bbm92", "six-state"}
    leakage : float
    model : {"uniform", "junk"}
    attack : {"best", "paper", "extended"}
    bound : {"upper", "lower"}
    xtol : float
        Bracket width at the end, in [1e-8, 1e-1].
    bracket : (float, float)
        Start of the bisection, ``0 <= low < high <= 1/2`` (default the whole range); the bound
        must be positive at ``low`` and zero at ``high`` (else NaN).

    Returns
    -------
    float
        The upper end of the final bracket (``"upper"``: the bound is 0 there).

    Examples
    --------
    >>> round(qber_threshold("six-state", 0.0, bound="lower"), 3)    # Lo 2001: 12.6 %
    0.126
    """
    from .._tolerances import ATOL_RATE

    check_choice("protocol", protocol, KEY_BASES)
    check_choice("bound", bound, ("upper", "lower"))
    leakage = check_probability("leakage", leakage)
    from ..errors import check_real

    xtol = check_real("xtol", xtol, 1e-8, 1e-1)

    def zero(e: float) -> bool:
        qy = e if protocol == "six-state" else None
        if bound == "lower":
            q = {"Z": e, "X": e, **({"Y": e} if qy is not None else {})}
            return float(qber_lower_bound(protocol, q, leakage, model)[0]) <= ATOL_RATE
        r = data_rate_upper_bound(protocol, qber_z=e, qber_x=e, qber_y=qy, leakage=leakage,
                                  model=model, attack=attack, lower_bound=False)
        return r.value <= ATOL_RATE

    lo, hi = (float(x) for x in bracket)
    if not 0.0 <= lo < hi <= 0.5:
        raise InputError(f"bracket must satisfy 0 <= low < high <= 0.5, got {bracket!r}")
    if not zero(hi) or (lo > 0 and zero(lo)):
        return float("nan")
    while hi - lo > xtol:
        mid = (lo + hi) / 2
        if zero(mid):
            hi = mid
        else:
            lo = mid
    return hi
