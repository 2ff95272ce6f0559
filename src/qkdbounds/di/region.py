r"""The DI window: the CC-attack upper bound beside the CHSH lower bound, and the (v, eta) map
(issue 14, items 5-6).

:func:`di_attack_bound` is the one route behind ``qkdbounds di-attack``, :func:`di_region` and the
figure in ``reproduce``: for one box it runs the attack (:func:`qkdbounds.di.attack.di_cc_attack`)
and the lower bounds (:func:`qkdbounds.di.preprocessing.best_lower_bound`, which includes the plain
:func:`qkdbounds.di.lower.dw_lower_bound`) with the same leakage.

:func:`di_region` maps a grid of visibilities and detection efficiencies into

* ``"no_key"`` -- the attack leaves no key (two-way upper bound exactly 0: Eve's processing makes
  the "?" class product, or the box is local);
* ``"key"`` -- the best DI lower bound is positive: the largest of the plain CHSH
  Devetak-Winter bound, its noisy-preprocessing version (Ho et al. 2020) and the asymmetric-CHSH
  bounds with and without preprocessing (Woodhead et al. 2021),
  :func:`qkdbounds.di.preprocessing.best_lower_bound`;
* ``"open"`` -- neither: the window between the two bounds.

Both bounds are valid for the same protocols (inputs announced, collective attacks for the lower
bound), so ``"no_key"`` and ``"key"`` exclude each other; a point with both is reported with
status ``heuristic`` and the message ``"inconsistent ..."``.  Along each row (fixed :math:`v`) the efficiencies are visited from the
highest down and Eve's optimal box at the previous point, with its efficiencies scaled by
:math:`\eta_{new}/\eta_{old}` (the extra loss is a local operation, so the transported attack stays
realisable), seeds the next search; so does the optimum of the previous row at the same
:math:`\eta`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._tolerances import ATOL_DI, ATOL_RATE
from ..errors import InputError, check_probability, check_real
from ..status import Status, StatusField
from .attack import DEFAULT_DI_STARTS, DEFAULT_MAXFEV, DIAttackBound, EveBox, di_cc_attack
from .bell_data import BellBox, bell_box, chsh_value_of_box
from .lower import eta_threshold
from .preprocessing import BestLowerBound, best_lower_bound

__all__ = ["DIWindowPoint", "DIRegion", "DIEtaWindow", "di_attack_bound", "di_region", "di_eta_window",
           "REGION_LABELS", "MAX_REGION_POINTS", "XTOL_ETA_ZERO", "XTOL_ETA_UPPER", "region_label"]

REGION_LABELS = ("no_key", "open", "key")
#: Largest grid accepted by :func:`di_region` (each point is a search of a few seconds).
MAX_REGION_POINTS = 2500
#: Bisection tolerance (in eta) of the zeros in :func:`di_eta_window`: the best lower bound costs
#: ~0.1 s a call, so 1e-6 (about 12 steps from a grid cell) is the affordable "exact".
XTOL_ETA_ZERO = 1e-6
#: Bisection tolerance of the DI attack's zero in eta (each evaluation is an attack).
XTOL_ETA_UPPER = 1e-4
#: Tolerance of the CHSH-violation threshold (the CHSH value costs microseconds).
XTOL_ETA_CHSH = 1e-12


@dataclass(frozen=True, eq=False)
class DIWindowPoint(StatusField):
    """Upper and lower bounds for one box (bits per key round).

    Attributes
    ----------
    rate_upper_bound, one_way_upper_bound, one_way_upper_bound_reverse : float
        From :class:`~qkdbounds.di.attack.DIAttackBound` (two-way; direct; reverse).
    local_weight : float
        Largest local weight (LP).
    chsh : float
        CHSH value of the binned box.
    lower_bound : float
        The best of the DI lower bounds (clipped at 0, and at the upper bound where it lies above
        it by round-off, within 1e-7); ``lower.winner`` names it and ``lower.chsh_lower_bound``
        is the plain CHSH Devetak-Winter bound.  NaN for a box above Tsirelson's bound (no lower
        bound applies; None in :meth:`to_dict`, as its method, ``p`` and ``alpha``).
    attack : DIAttackBound
    lower : BestLowerBound
    method : str
    status : Status
        The attack's status (:class:`~qkdbounds.di.attack.DIAttackBound`), or ``heuristic`` when
        the lower bound lies above the upper bound (``message`` says so).
    message : str
    source : dict
        The box's source (``theta``, ``visibility``, ``eta_a``, ``eta_b``, ``binning``, ...).
    leakage, model
        The question asked.
    verdict : str
        ``"no_key"``, ``"key"`` or ``"open"`` (:mod:`qkdbounds.bounds.verdict`), from the
        two-way upper bound and the best lower bound.
    unit : str
    """

    rate_upper_bound: float
    one_way_upper_bound: float
    one_way_upper_bound_reverse: float
    local_weight: float
    chsh: float
    lower_bound: float
    attack: DIAttackBound = field(repr=False)
    lower: BestLowerBound = field(repr=False)
    method: str = field(repr=False)
    status: Status
    source: dict = field(default_factory=dict, repr=False)
    leakage: float | None = None
    model: str = "uniform"
    verdict: str = "open"
    unit: str = "bits per key round"
    message: str = ""

    def __repr__(self) -> str:
        src = self.source
        question = ", ".join(f"{k}={src[k]:.6g}" for k in ("eta_a", "eta_b", "visibility",
                                                             "theta") if k in src)
        if "binning" in src:
            question += f", binning={src['binning']!r}"
        low = "nan" if self.lower_bound != self.lower_bound else f"{self.lower_bound:.6g}"
        return (f"DIWindowPoint({question}, leakage={self.leakage}, model={self.model!r}: "
                f"rate_upper_bound={self.rate_upper_bound:.6g} {self.unit}, "
                f"one_way_upper_bound={self.one_way_upper_bound:.6g}, lower_bound={low} "
                f"({self.lower.winner}), verdict={self.verdict!r}, status={str(self.status)!r})")

    def to_dict(self) -> dict:
        """JSON-ready summary (the keys of ``qkdbounds di-attack --json``).

        The one-way upper bounds name their direction: ``one_way_upper_bound`` and
        ``one_way_upper_bound_noisy_preprocessing`` are Alice -> Bob (Alice's key, the latter
        with her bit flipped at the attack's best rate), ``one_way_upper_bound_reverse`` is
        Bob -> Alice.  The DI lower bounds are reverse reconciliation (Bob's key), so
        ``lower_bound`` can lie above an Alice -> Bob upper bound without contradiction; it
        never lies above ``rate_upper_bound`` or ``one_way_upper_bound_reverse``."""
        a = self.attack
        cert = dict(a.certificate)
        cert.pop("gamma", None)
        failed = self.lower.status == Status.FAILED     # a box above Tsirelson's bound

        def number(v):
            return None if v is None or v != v else v

        return {
            "rate_upper_bound": self.rate_upper_bound,
            "rate_upper_bound_without_processing": a.value_without_processing,
            "one_way_upper_bound": self.one_way_upper_bound,
            "one_way_upper_bound_reverse": self.one_way_upper_bound_reverse,
            "one_way_upper_bound_noisy_preprocessing": a.one_way_noisy_preprocessing,
            "local_weight": self.local_weight,
            "attack_local_weight": a.attack_local_weight,
            "chsh": self.chsh,
            "lower_bound": number(self.lower_bound),
            "lower_bound_expression": number(self.lower.expression),
            # ("none" where every lower bound is 0, as the region map names it: naming the least
            # negative expression would read as a bound that proves something)
            "lower_bound_method": None if failed else (self.lower.winner if self.lower_bound > 0
                                                       else "none"),
            "lower_bound_description": (self.lower.method if failed or self.lower_bound > 0 else
                                        "none: every DI lower bound here is 0 (the largest "
                                        "expression: " + self.lower.method + ")"),
            "lower_bound_status": self.lower.status,
            "lower_bound_flip": None if failed else self.lower.flip,
            "lower_bound_alpha": None if failed else self.lower.alpha,
            "chsh_lower_bound": number(self.lower.chsh_lower_bound),
            "lower_bounds": {k: number(c["value"]) for k, c in self.lower.candidates.items()},
            "certificate": cert,
            "method": self.method,
            "status": self.status,
            "message": self.message,
            "verdict": self.verdict,
            "unit": self.unit,
            **self.source_parameters(),
        }

    def source_parameters(self) -> dict:
        """The two-qubit source's ``visibility``, ``eta`` (Alice), ``eta_b``, ``theta`` and
        ``binning`` as given (None for a measured box): the question, echoed beside the bounds."""
        src = self.source if self.source.get("kind") == "two-qubit source" else {}
        return {"visibility": src.get("visibility"), "eta": src.get("eta_a"), "eta_b": src.get("eta_b"),
                "theta": src.get("theta"), "binning": src.get("binning")}


def di_attack_bound(box: BellBox, leakage: float = 0.0, model: str = "uniform", *,
                    attack_side: str = "best", n_starts: int = DEFAULT_DI_STARTS,
                    maxfev: int = DEFAULT_MAXFEV, seeds: Sequence[EveBox] = (),
                    rng: np.random.Generator | None = None, progress=None) -> DIWindowPoint:
    r"""CC-attack upper bounds and the best DI lower bound of one box, with leakage :math:`L`.

    Parameters
    ----------
    box : BellBox
    leakage : float
        :math:`L \in [0, 1]`.
    model : {"uniform", "junk"}
    attack_side, n_starts, maxfev, seeds, rng, progress
        Passed to :func:`~qkdbounds.di.attack.di_cc_attack`.

    Returns
    -------
    DIWindowPoint

    Raises
    ------
    InputError
        Bad parameters.

    Examples
    --------
    >>> from qkdbounds.di.bell_data import bell_box
    >>> w = di_attack_bound(bell_box(), 0.1, n_starts=0, maxfev=20)
    >>> round(w.rate_upper_bound, 9), round(w.lower_bound, 9)    # the bounds meet: 1 - L
    (0.9, 0.9)
    """
    attack = di_cc_attack(box, leakage, model, attack_side=attack_side, n_starts=n_starts,
                          maxfev=maxfev, seeds=seeds, rng=rng, progress=progress)
    lower = best_lower_bound(box, leakage, model)
    status, message = attack.status, attack.message
    if lower.status == Status.FAILED:
        relabelled = " with outcomes relabelled" if lower.certificate.get("output_relabelling") else ""
        message = "; ".join(x for x in (message, f"not a quantum box (CHSH {lower.chsh:.6g}{relabelled} > "
                                                  "2 sqrt 2): no lower bound") if x)
    elif lower.value > attack.value + ATOL_DI:
        status, message = Status.HEURISTIC, "inconsistent: lower bound above upper bound"
    repair = box.source.get("no_signalling_repair")
    if repair:
        message = "; ".join(x for x in (message, f"table made exactly no-signalling (moved "
                                                  f"{repair['total_variation_moved']:.2g} in total "
                                                  "variation)") if x)
    from ..bounds.verdict import decide

    low = lower.value if lower.value == lower.value else None      # NaN: no lower bound
    if low is not None and attack.value < low <= attack.value + ATOL_DI:
        low = attack.value          # two valid bounds cannot cross: round-off of the two routes
    return DIWindowPoint(attack.value, attack.one_way, attack.one_way_reverse, attack.local_weight,
                         attack.chsh, float("nan") if low is None else low, attack, lower,
                         f"upper: {attack.method}; lower: {lower.method}", status,
                         source=dict(box.source), message=message, leakage=leakage, model=model,
                         verdict=decide(attack.value, low))


@dataclass(frozen=True, eq=False)
class DIRegion(StatusField):
    """The (v, eta) map of :func:`di_region`.

    Attributes
    ----------
    visibilities : ndarray, shape (n_v,)
    etas : ndarray, shape (n_eta,)
    upper, one_way, lower, local_weight : ndarray, shape (n_v, n_eta)
        Two-way and one-way (direct: Alice -> Bob) upper bounds, best DI lower bound (reverse
        reconciliation: Bob's key), local weight (bits / weight).
    classification : ndarray of str, shape (n_v, n_eta)
        ``"no_key"``, ``"open"`` or ``"key"``.
    lower_method : ndarray of str, shape (n_v, n_eta)
        The bound giving ``lower`` (:data:`qkdbounds.di.preprocessing.LOWER_BOUND_METHODS`), ``"none"``
        where every lower bound is 0.
    eve_boxes : list of list of dict
        Eve's box realisation per point (None where no quantum part was needed).
    leakage : float
    model, binning : str
    theta : float
    method : str
    status : Status
        ``certified`` (every point's bounds are explicit), ``heuristic`` when a point has a lower
        bound above its upper bound (``message`` counts them).
    message : str
    one_way_reverse : ndarray, shape (n_v, n_eta)
        One-way upper bound Bob -> Alice (the direction of the DI lower bounds: ``lower`` never
        exceeds it), bits.
    """

    visibilities: NDArray
    etas: NDArray
    upper: NDArray
    one_way: NDArray
    lower: NDArray
    local_weight: NDArray
    classification: NDArray
    eve_boxes: list = field(repr=False)
    leakage: float
    model: str
    binning: str
    theta: float
    method: str
    status: Status
    lower_method: NDArray = field(default_factory=lambda: np.empty((0, 0), dtype=str), repr=False)
    message: str = ""
    one_way_reverse: NDArray = field(default_factory=lambda: np.empty((0, 0)), repr=False)

    @classmethod
    def from_points(cls, visibilities: ArrayLike, etas: ArrayLike,
                    points: Sequence[Sequence[dict | None]], *, leakage: float, model: str,
                    binning: str, theta: float, method: str) -> "DIRegion":
        """Assemble the map from per-point results (e.g. read from the results store).

        Parameters
        ----------
        visibilities, etas : array_like, shapes (n_v,), (n_eta,)
        points : nested sequence, shape (n_v, n_eta)
            Per point the dict of ``qkdbounds di-attack --json``
            (:meth:`DIWindowPoint.to_dict`), or None where the point is missing (not computed,
            failed): its values are NaN, its label ``"open"``, and the status ``failed``.
        leakage, model, binning, theta, method
            The question, as in :func:`di_region`.

        Returns
        -------
        DIRegion
            Labels by :func:`region_label`, as :func:`di_region`.
        """
        vs, es = np.asarray(visibilities, dtype=float), np.asarray(etas, dtype=float)
        shape = (vs.size, es.size)
        upper, one_way, lower, lw, reverse = (np.full(shape, np.nan) for _ in range(5))
        labels = np.full(shape, "open", dtype=object)
        names = np.full(shape, "none", dtype=object)
        boxes: list[list] = [[None] * es.size for _ in range(vs.size)]
        inconsistent = missing = 0
        for i in range(vs.size):
            for j in range(es.size):
                pt = points[i][j]
                if pt is None:
                    missing += 1
                    continue
                upper[i, j], one_way[i, j] = pt["rate_upper_bound"], pt["one_way_upper_bound"]
                lower[i, j], lw[i, j] = pt["lower_bound"], pt["local_weight"]
                reverse[i, j] = pt.get("one_way_upper_bound_reverse", np.nan)
                if pt["lower_bound"] > 0:
                    names[i, j] = pt.get("lower_bound_method", "none")
                labels[i, j], clash = region_label(pt["rate_upper_bound"], pt["lower_bound"])
                inconsistent += clash
                boxes[i][j] = (pt.get("certificate") or {}).get("eve_box")
        notes = ([f"{missing} points missing (not computed or failed)"] if missing else []) + \
            ([f"inconsistent at {inconsistent} points"] if inconsistent else [])
        status = (Status.FAILED if missing else
                  Status.HEURISTIC if inconsistent else Status.CERTIFIED)
        return cls(vs, es, upper, one_way, lower, lw, labels.astype(str), boxes, float(leakage),
                   model, binning, float(theta), method, status, names.astype(str),
                   "; ".join(notes), reverse)

    def to_dict(self) -> dict:
        return {"visibilities": self.visibilities.tolist(), "etas": self.etas.tolist(),
                "lower_bound_method": self.lower_method.tolist(),
                "rate_upper_bound": self.upper.tolist(), "one_way_upper_bound": self.one_way.tolist(),
                "one_way_upper_bound_reverse": self.one_way_reverse.tolist(),
                "lower_bound": self.lower.tolist(), "local_weight": self.local_weight.tolist(),
                "verdict": self.classification.tolist(), "leakage": self.leakage,
                "model": self.model, "binning": self.binning, "theta": self.theta,
                "counts": {lab: int((self.classification == lab).sum()) for lab in REGION_LABELS},
                "method": self.method, "status": self.status, "message": self.message,
                "unit": "bits per key round",
                "directions": "one_way_upper_bound: Alice -> Bob; one_way_upper_bound_reverse and the "
                              "DI lower bounds: Bob -> Alice (reverse reconciliation)"}



def region_label(upper: float, lower: float) -> tuple[str, bool]:
    """The map's label of one point: ``"no_key"`` where the upper bound is 0 (to
    :data:`~qkdbounds._tolerances.ATOL_RATE`), ``"key"`` where the lower bound is positive,
    ``"open"`` otherwise; and whether both held (an inconsistent point, labelled ``"key"``)."""
    no_key, key = upper <= ATOL_RATE, lower > ATOL_RATE
    return ("key" if key else "no_key" if no_key else "open"), bool(no_key and key)


def _grid(name: str, values: ArrayLike) -> NDArray:
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a non-empty list of numbers in [0, 1]") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InputError(f"{name} must be a non-empty list of numbers")
    for v in arr:
        check_probability(name, v)
    return arr


def _transport(eve: EveBox | None, eta_old: float, eta_new: float) -> EveBox | None:
    if eve is None or eta_old <= 0:
        return None
    scale = min(1.0, eta_new / eta_old)
    return EveBox(eve.theta, eve.alice_angles, eve.bob_angles, eve.eta_a * scale, eve.eta_b * scale, eve.binning,
                  eve.outcomes)


def _eve(point: DIWindowPoint) -> EveBox | None:
    box = point.attack.certificate.get("eve_box")
    if not box:
        return None
    outcomes = box.get("outcomes")
    return EveBox(box["theta"], tuple(box["alice_angles"]), tuple(box["bob_angles"]), box["eta_a"],
                  box["eta_b"], box["binning"], None if outcomes is None else tuple(outcomes))


def di_region(
    visibilities: ArrayLike,
    etas: ArrayLike,
    *,
    theta: float = np.pi / 4,
    leakage: float = 0.0,
    model: str = "uniform",
    binning: str = "both",
    n_starts: int = 0,
    maxfev: int = 150,
    progress: Callable[[int, int], None] | None = None,
) -> DIRegion:
    r"""Classify a grid of visibilities and detection efficiencies (module docstring).

    Parameters
    ----------
    visibilities, etas : array_like
        Values in [0, 1] (both parties' detectors have efficiency :math:`\eta`).
    theta : float
        State parameter (default :math:`\pi/4`).
    leakage : float
    model : {"uniform", "junk"}
    binning : {"none", "A", "B", "both"}
    n_starts, maxfev : int
        Random starts and evaluations per start of each point's search (seeds from the
        neighbours are always used).
    progress : callable, optional
        Called as ``progress(done, total)`` after each point.

    Returns
    -------
    DIRegion

    Raises
    ------
    InputError
        Values outside [0, 1], or more than :data:`MAX_REGION_POINTS` points.
    """
    vs = _grid("visibilities", visibilities)
    es = np.sort(_grid("etas", etas))[::-1]
    check_real("theta", theta, 0.0, np.pi / 2)
    total = vs.size * es.size
    if total > MAX_REGION_POINTS:
        raise InputError(f"the grid has {total} points; allowed: at most {MAX_REGION_POINTS}")
    shape = (vs.size, es.size)
    upper, one_way, lower, lw, reverse = (np.zeros(shape) for _ in range(5))
    labels = np.full(shape, "open", dtype=object)
    names = np.full(shape, "none", dtype=object)
    boxes: list[list] = [[None] * es.size for _ in range(vs.size)]
    inconsistent = 0
    done = 0
    prev_row: list[EveBox | None] = [None] * es.size
    for i, v in enumerate(vs):
        prev: EveBox | None = None
        row: list[EveBox | None] = []
        for j, eta in enumerate(es):
            seeds = [s for s in (_transport(prev, es[j - 1] if j else eta, eta), prev_row[j]) if s is not None]
            point = di_attack_bound(bell_box(theta, v, eta, binning=binning), leakage, model,
                                    n_starts=n_starts, maxfev=maxfev, seeds=seeds)
            upper[i, j], one_way[i, j] = point.rate_upper_bound, point.one_way_upper_bound
            lower[i, j], lw[i, j] = point.lower_bound, point.local_weight
            reverse[i, j] = point.one_way_upper_bound_reverse
            if point.lower_bound > 0:
                names[i, j] = point.lower.winner
            labels[i, j], clash = region_label(point.rate_upper_bound, point.lower_bound)
            inconsistent += clash
            eve = _eve(point)
            boxes[i][j] = point.attack.certificate.get("eve_box")
            prev = eve if eve is not None else prev
            row.append(eve)
            done += 1
            if progress is not None:
                progress(done, total)
        prev_row = row
    # report in ascending eta order
    order = np.argsort(es)
    boxes = [[r[k] for k in order] for r in boxes]
    return DIRegion(vs, es[order], upper[:, order], one_way[:, order], lower[:, order], lw[:, order],
                    labels[:, order].astype(str), boxes, float(leakage), model, binning, float(theta),
                    f"per point: DI CC attack (seeded by the neighbouring optimum, {n_starts} random "
                    f"starts, maxfev {maxfev}) and the best DI lower bound (CHSH, noisy preprocessing, "
                    "asymmetric CHSH)",
                    Status.CERTIFIED if inconsistent == 0 else Status.HEURISTIC,
                    names[:, order].astype(str),
                    "" if inconsistent == 0 else f"inconsistent at {inconsistent} points",
                    reverse[:, order])


@dataclass(frozen=True, eq=False)
class DIEtaWindow(StatusField):
    """Upper and lower DI bounds against the detection efficiency at fixed (theta, v): the
    output of :func:`di_eta_window`.

    Attributes
    ----------
    etas : ndarray
        Ascending efficiencies of the lower bounds: the requested grid plus the zeros of
        ``thresholds`` that fall inside it.
    lower, chsh_lower, chsh : ndarray
        Per efficiency: the best DI lower bound, the plain CHSH Devetak-Winter bound, the CHSH
        value of the binned box.
    lower_method : tuple of str
        Per efficiency, the bound giving ``lower`` (one of
        :data:`qkdbounds.di.preprocessing.LOWER_BOUND_METHODS`); ``"none"`` where every bound is 0,
        ``"no_violation"`` where moreover CHSH <= 2.
    attack : DIRegion
        The DI CC attack (:func:`di_region`) on its grid of efficiencies plus the points of its
        zero's bisection (``attack.etas``; ``attack.upper[0]`` two-way, ``attack.one_way[0]``
        one-way).
    thresholds : dict
        ``chsh_violation`` (CHSH = 2), ``chsh_lower_zero`` (:func:`~qkdbounds.di.lower.eta_threshold`),
        ``lower_zero`` and ``lower_zero_method`` (the best bound; bisection to :data:`XTOL_ETA_ZERO`,
        the point returned is the first where the bound is positive), ``upper_zero`` (the largest
        efficiency evaluated where the attack's two-way bound is 0: no key there, certified) and
        ``upper_zero_bracket`` (it and the first positive efficiency, bisected to
        :data:`XTOL_ETA_UPPER`).  None where a bound has no zero in the range.
    visibility, theta, leakage : float
    model, binning, method : str
    status : Status
        The attack's status, or ``heuristic`` when a lower bound lies above the attack's upper
        bound somewhere (``message`` says where).
    message : str
    """

    etas: NDArray
    lower: NDArray
    lower_method: tuple
    chsh_lower: NDArray
    chsh: NDArray
    attack: DIRegion = field(repr=False)
    thresholds: dict
    visibility: float
    theta: float
    leakage: float
    model: str
    binning: str
    method: str
    status: Status
    message: str = ""

    def rows(self) -> list[dict]:
        """One dict per efficiency of the lower bounds; the attack's values where it was run
        (None elsewhere)."""
        attack = {float(e): (float(u), float(o)) for e, u, o in
                  zip(self.attack.etas, self.attack.upper[0], self.attack.one_way[0])}
        out = []
        for e, lo, m, c, s in zip(self.etas, self.lower, self.lower_method, self.chsh_lower, self.chsh):
            up = attack.pop(float(e), (None, None))
            out.append({"visibility": self.visibility, "eta": float(e), "lower_bound": float(lo),
                        "lower_bound_method": m, "chsh_lower_bound": float(c), "chsh": float(s),
                        "rate_upper_bound": up[0], "one_way_upper_bound": up[1]})
        for e, (u, o) in attack.items():   # attack points off the lower-bound grid
            out.append({"visibility": self.visibility, "eta": e, "lower_bound": None, "lower_bound_method": None,
                        "chsh_lower_bound": None, "chsh": None, "rate_upper_bound": u, "one_way_upper_bound": o})
        return sorted(out, key=lambda r: r["eta"])


def _last_crossing(grid: NDArray, positive: NDArray) -> tuple[float, float] | None:
    """(grid point, next grid point) around the largest crossing from 0 to positive, or None."""
    zero = np.flatnonzero(~positive)
    if zero.size == 0 or zero[-1] == grid.size - 1:
        return None
    k = int(zero[-1])
    return float(grid[k]), float(grid[k + 1])


def _bisect(positive: Callable[[float], bool], lo: float, hi: float, xtol: float) -> float:
    """Bisection on a predicate False at ``lo`` and True at ``hi``; returns the upper end of the
    final bracket (a point where the bound is positive)."""
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        if positive(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _with_points(region: DIRegion, extra: dict) -> DIRegion:
    """``region`` (one visibility) with the attack points ``extra`` (eta -> the dict of
    ``qkdbounds di-attack --json``, :meth:`DIWindowPoint.to_dict`) inserted at their efficiencies."""
    from dataclasses import replace

    if not extra:
        return region
    pts = [extra[e] for e in sorted(extra)]
    etas = np.concatenate([region.etas, sorted(extra)])
    order = np.argsort(etas, kind="stable")

    def col(arr, values, dtype=float):
        return np.concatenate([arr, np.array([values], dtype=dtype)], axis=1)[:, order]

    labels = [region_label(p["rate_upper_bound"], p["lower_bound"])[0] for p in pts]
    names = [p.get("lower_bound_method", "none") if p["lower_bound"] > 0 else "none" for p in pts]
    boxes = region.eve_boxes[0] + [(p.get("certificate") or {}).get("eve_box") for p in pts]
    return replace(region, etas=etas[order],
                   upper=col(region.upper, [p["rate_upper_bound"] for p in pts]),
                   one_way=col(region.one_way, [p["one_way_upper_bound"] for p in pts]),
                   one_way_reverse=col(region.one_way_reverse,
                                       [p.get("one_way_upper_bound_reverse", np.nan) for p in pts]),
                   lower=col(region.lower, [p["lower_bound"] for p in pts]),
                   local_weight=col(region.local_weight, [p["local_weight"] for p in pts]),
                   classification=col(region.classification.astype(object), labels, object).astype(str),
                   lower_method=col(region.lower_method.astype(object), names, object).astype(str),
                   eve_boxes=[[boxes[k] for k in order]])


def di_eta_window(
    etas: ArrayLike,
    attack_etas: ArrayLike | None = None,
    *,
    visibility: float = 1.0,
    theta: float = np.pi / 4,
    leakage: float = 0.0,
    model: str = "uniform",
    binning: str = "both",
    n_starts: int = 0,
    maxfev: int = 150,
    progress: Callable[[int, int], None] | None = None,
    attack_points: Callable[[Sequence[float]], list[dict]] | None = None,
) -> DIEtaWindow:
    r"""The DI window against the detection efficiency :math:`\eta` (both parties) at fixed
    :math:`(\theta, v)`: the best DI lower bound and the plain CHSH one on the grid ``etas``
    (~0.1 s a point), the DI CC attack on ``attack_etas`` (default: the same grid; ~0.2 s a point;
    :func:`di_region`), and the zeros of the bounds: the lower bounds' zeros are added to their
    grid, the attack's zero is bisected to :data:`XTOL_ETA_UPPER` and both ends of its final
    bracket are added to the attack's grid (``thresholds["upper_zero"]``: the largest efficiency
    evaluated where the attack's bound is 0).

    Between two attack efficiencies :math:`\eta_i < \eta_{i+1}` the two-way bound at
    :math:`\eta_{i+1}` is still an upper bound, and between two lower-bound efficiencies the
    bound at :math:`\eta_i` is still a lower bound: lowering :math:`\eta` is local
    post-processing (each party turns a click into no-click with probability
    :math:`1-\eta/\eta'`, after binning: flips the binned outcome to +1), which cannot raise the
    key.  The figure draws the attack as that staircase.

    Parameters
    ----------
    etas, attack_etas : array_like
        Efficiencies in [0, 1] for the lower bounds and for the attack (default ``etas``).
    visibility, theta, leakage, model, binning
        As in :func:`di_region`.
    n_starts, maxfev : int
        Passed to :func:`di_region` (the attack's search effort).
    progress : callable, optional
        ``progress(done, total)`` after each lower-bound point and each attack point.
    attack_points : callable, optional
        ``attack_points(etas) -> [dict, ...]``: the attack at these efficiencies as the dicts of
        ``qkdbounds di-attack --json`` (e.g. read from the results store, computing what is
        missing: :func:`qkdbounds.sweep.di_region.stored_di_points`).  Default: the serial
        :func:`di_region` (warm starts from the neighbours, ``n_starts``/``maxfev``).

    Returns
    -------
    DIEtaWindow

    Raises
    ------
    InputError
        Values outside [0, 1].

    Examples
    --------
    >>> w = di_eta_window([0.9, 0.92, 0.94], [1.0], maxfev=20)
    >>> round(w.thresholds["lower_zero"], 4), w.thresholds["lower_zero_method"]
    (0.9092, 'asymmetric_chsh_noisy_preprocessing')
    >>> round(w.thresholds["chsh_lower_zero"], 4), round(float(w.attack.upper[0][0]), 6)
    (0.9231, 1.0)
    """
    grid = np.unique(_grid("etas", etas))
    attack_grid = grid if attack_etas is None else _grid("attack_etas", attack_etas)
    visibility = check_probability("visibility", visibility)
    check_real("theta", theta, 0.0, np.pi / 2)
    total = grid.size + attack_grid.size
    done = 0

    def best(eta: float) -> BestLowerBound:
        return best_lower_bound(bell_box(theta, visibility, float(eta), binning=binning), leakage, model)

    def chsh(eta: float) -> float:
        return chsh_value_of_box(bell_box(theta, visibility, float(eta), binning=binning))

    points = {}
    for e in grid:
        points[float(e)] = best(e)
        done += 1
        if progress is not None:
            progress(done, total)
    lower = np.array([points[float(e)].value for e in grid])
    thresholds: dict = {"chsh_violation": None, "chsh_lower_zero": None, "lower_zero": None,
                        "lower_zero_method": None, "upper_zero_bracket": None}
    s_grid = np.array([points[float(e)].chsh for e in grid])
    br = _last_crossing(grid, s_grid > 2)
    if br is not None:
        thresholds["chsh_violation"] = _bisect(lambda e: chsh(e) > 2, *br, XTOL_ETA_CHSH)
    plain = eta_threshold(theta, visibility, binning, leakage, model)
    if plain is not None and grid[0] < plain < grid[-1]:
        thresholds["chsh_lower_zero"] = plain
    br = _last_crossing(grid, lower > 0)
    if br is not None:
        zero = _bisect(lambda e: best(e).value > 0, *br, XTOL_ETA_ZERO)
        points[zero] = best(zero)
        thresholds["lower_zero"], thresholds["lower_zero_method"] = zero, points[zero].winner
    for key in ("chsh_violation", "chsh_lower_zero"):
        e = thresholds[key]
        if e is not None and e not in points:
            points[e] = best(e)
    etas_all = np.array(sorted(points))
    if attack_points is None:
        attack = di_region([visibility], attack_grid, theta=theta, leakage=leakage, model=model,
                           binning=binning, n_starts=n_starts, maxfev=maxfev,
                           progress=None if progress is None else lambda d, t: progress(grid.size + d, total))

        def one(eta: float) -> dict:
            return di_attack_bound(bell_box(theta, visibility, eta, binning=binning), leakage, model,
                                   n_starts=n_starts, maxfev=maxfev).to_dict()
    else:
        ordered = np.sort(attack_grid)
        rows = attack_points([float(e) for e in ordered])
        if progress is not None:
            progress(total, total)
        attack = DIRegion.from_points(
            [visibility], ordered, [rows], leakage=leakage, model=model, binning=binning,
            theta=theta, method="per point: qkdbounds di-attack (default search effort, no warm "
                                "start) and the best DI lower bound, read from or stored in the "
                                "results store")

        def one(eta: float) -> dict:
            return attack_points([eta])[0]
    br = _last_crossing(attack.etas, attack.upper[0] > ATOL_RATE)
    thresholds["upper_zero"] = None
    if br is not None:
        lo, hi = br
        extra = {}
        while hi - lo > XTOL_ETA_UPPER:  # bisection: lowering eta never raises the key
            mid = 0.5 * (lo + hi)
            extra[mid] = one(mid)
            if extra[mid]["rate_upper_bound"] > ATOL_RATE:
                hi = mid
            else:
                lo = mid
        attack = _with_points(attack, extra)
        thresholds["upper_zero_bracket"] = (float(lo), float(hi))
        thresholds["upper_zero"] = float(lo)
    res = [points[float(e)] for e in etas_all]
    inconsistent = sum(1 for e, u in zip(attack.etas, attack.upper[0])
                       if float(e) in points and points[float(e)].value > u + ATOL_DI)
    status = attack.status if inconsistent == 0 else Status.HEURISTIC
    message = attack.message if inconsistent == 0 else f"inconsistent at {inconsistent} points"
    # where every bound is 0, naming the least negative one would mislead
    names = tuple(r.winner if r.value > 0 else ("no_violation" if r.chsh <= 2 else "none") for r in res)
    # where both bounds were computed at one efficiency, a lower bound above the upper one by
    # round-off is reported at it (at eta = v = 1: 0.999999999999994 beside 0.9999999999991974)
    upper_at = {float(e): float(u) for e, u in zip(attack.etas, attack.upper[0])}
    lowers = np.array([r.value if float(e) not in upper_at or r.value > upper_at[float(e)] + ATOL_DI
                       else min(r.value, upper_at[float(e)]) for e, r in zip(etas_all, res)])
    return DIEtaWindow(etas_all, lowers, names,
                       np.array([r.chsh_lower_bound for r in res]), np.array([r.chsh for r in res]), attack,
                       thresholds, float(visibility), float(theta), float(leakage), model, binning,
                       "lower: the best DI lower bound (qkdbounds.di.preprocessing.best_lower_bound: CHSH "
                       "DW, noisy preprocessing, asymmetric CHSH with/without preprocessing) and the plain "
                       "CHSH DW bound, collective attacks; zeros by bisection; upper: " + attack.method,
                       status, message)
