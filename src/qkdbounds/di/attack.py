r"""The device-independent convex-combination (CC) attack with leakage (issue 14, item 4).

**Attack** (Farkas et al., PRL 127, 050503 (2021); Łukanowski et al., Quantum 7, 1148 (2023);
the DI origin of paper 1's attack, its refs. [32, 33]).  For the observed box
:math:`p(ab|xy)` Eve finds a decomposition

.. math:: p = \sum_\lambda \mu_\lambda D_\lambda + \sum_a w_a\,Q'_{\hat x\to a} + t\,Q',

where :math:`D_\lambda` are local deterministic strategies (she knows every output),
:math:`Q'` is a *quantum* box she can prepare (:class:`EveBox`: a state
:math:`\cos\theta'|00\rangle+\sin\theta'|11\rangle`, qubit measurements at angles of her choice and
detectors of efficiencies :math:`\eta'_A,\eta'_B`, with the honest binning of the no-click event;
outcomes beyond a party's third, e.g. double clicks, have probability 0 under :math:`Q'` and come
from the :math:`D_\lambda`), and :math:`Q'_{\hat x\to a}` is :math:`Q'` with Alice's key device hard-wired to output :math:`a`
(a quantum box in which Eve knows Alice's key bit but not Bob's: the *one-sided* part).  She keeps
the label.  ``attack_side="two-sided"`` uses only :math:`D_\lambda` and :math:`Q'`;
``"one-sided"`` adds the :math:`Q'_{\hat x\to a}`; ``"best"`` runs both and keeps the lower
bound.  Every part is realisable, so the attack reproduces :math:`p` exactly (LP equality,
residual reported) and is a valid collective attack on any protocol that announces its inputs.

**Leakage** as in paper 1 (Eqs. 11, 20): ``"uniform"`` — every round's outcomes leak with
probability :math:`L`; ``"junk"`` — only rounds of the local/one-sided parts leak (in the
deterministic rounds Eve knows the outcomes anyway, so junk leakage only helps her in one-sided
rounds).

**Bounds** on the key from the key settings :math:`(\hat x, \hat y)`, from the explicit classical
joint :math:`p(a, b, e)` of the attack (labels: both outputs known, Alice's output known, "?"):

* ``rate_upper_bound`` (two-way) — the intrinsic information
  :math:`I(A:B\downarrow E) \le \min_\gamma p(?')\,I(A:B|?')` (Maurer & Wolf, IEEE TIT 45, 499
  (1999)), where Eve may move a fraction :math:`\gamma_{ab}` of the rounds in which she knows
  both outputs into "?" (paper 1's extended processing, Eq. 12; exactly
  :func:`qkdbounds.attacks.eve.minimize_gamma`).  Valid for any two-way protocol on those outputs.
* ``one_way_upper_bound`` — :math:`\max(0, H(A|E) - H(A|B))`: the Devetak–Winter rate of the
  attacked distribution, direct reconciliation, no preprocessing beyond the choice of binning
  the no-click key outcome or not (the "standard protocols" of Farkas et al.; the largest over
  those choices, :func:`one_way_forms`); ``one_way_upper_bound_reverse`` the same with Bob's key
  (reverse reconciliation, the direction of the CHSH lower bound of Acín et al. 2007, whose
  protocol bins Bob's key — one of the choices, so the reverse bound is above that lower bound);
  ``one_way_noisy_preprocessing`` the direct form maximised over Alice's noisy preprocessing.

**Search** (issue 21; :mod:`qkdbounds.di._cc_search`, :mod:`qkdbounds.di._cc_batch`).  Eve's
:math:`Q'` (and, one-sided, the weights :math:`w_a` of the :math:`Q'_{\hat x\to a}`) is searched
from a fixed sequence of candidates: the ideal box (the honest state and settings with
:math:`\eta'=1`, the quantum part of the construction of Łukanowski et al. 2023, App. C), the
honest box, less entangled ideal boxes, a scan of Alice's key angle, caller-supplied seeds, the
one-sided versions with the LP's weights; then Nelder-Mead runs (run in lockstep, batched) from the
best of them for the two-way and for the one-way bound (the one-way ones twice: classical and
dimension-adapted coefficients), then ``n_starts`` random starts.  For binary
boxes with two settings on one side the quantum weight is exact from the complete CHSH facet list
(thousands of candidates per batch); otherwise from an LP (HiGHS).  Each reported bound is the best
seen over all candidates; more effort values a superset of them, so it can only go down.  The
bounds are valid (explicit attacks, rebuilt by an LP decomposition at the end) but not claimed
optimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import check_rng, check_sequence
from .._tolerances import ATOL_RATE
from ..errors import LEAKAGE_MODELS, InputError, check_choice, check_int, check_probability
from ..info.entropy import group_information_measure, shannon_entropy
from ..status import Status, StatusField
from .bell_data import BellBox, chsh_value_of_box, pad_outcomes, qubit_box, qubit_povm
from .locality import decompose_with_boxes, local_weight
from .preprocessing import zoom_search_flip

__all__ = ["EveBox", "DIAttackBound", "attack_estimate", "di_cc_attack", "attacked_joint", "noisy_preprocessing_one_way",
           "fit_source_model",
           "one_way_forms",
           "ATTACK_SIDES",
           "DEFAULT_DI_STARTS", "DEFAULT_MAXFEV"]

ATTACK_SIDES = ("two-sided", "one-sided", "best")
#: Random starts of Eve's box search besides the structured and given seeds.  0: at the 20 points
#: of the recorded reference grid (tests/di/data/di_attack_reference.json) one random start never
#: lowered a bound by more than 1.3e-11 bits and cost ~45 % of the time; more starts are opt-in
#: (the search is monotone in them), and the point and the region map share this default.
DEFAULT_DI_STARTS = 0
#: Function evaluations per Nelder-Mead start.
DEFAULT_MAXFEV = 250
#: Angles of Alice's key setting scanned among the structured candidates.
KEY_ANGLE_SCAN = 24
#: Structured boxes whose one-sided LP weights seed the one-sided chains.
ONE_SIDED_LP_STARTS = 3
#: Objectives whose Nelder-Mead runs get a second run with the dimension-adapted coefficients
#: (:func:`qkdbounds.di._cc_search._nm_coefficients`): the one-way runs are still descending when
#: their budget ends, and where they end depends sharply on the path (round-off in a start moves
#: the one-way bound by ~5e-4 bits), so two paths per start make it less of a draw.
ADAPTIVE_RUN_OBJECTIVES = ("one",)
#: Two-way Nelder-Mead runs with Eve's detector efficiencies held at their start's values (the
#: quantum state and the measurement angles searched), from the best structured candidates:
#: this many, as (every candidate valued by an LP, the complete facet list).  Without them the
#: full runs stopped 1e-6 to 2.6e-5 bits (binned) and up to 1.7e-4 bits (no-click kept) above
#: the recorded previous version at 8 of its 20 reference points; with them every reference
#: bound is at or below the recorded one (tests/di/test_di_attack_monotone.py).  Binned boxes:
#: one run, ~5-10 % more time (a run from the second-best candidate changed no reference bound).
#: No-click kept: two, ~3x the time with the budget below -- the key-angle scan ties on both
#: sides of the honest angle, and at v = 0.99, eta = 0.94 the better basin is the second one's.
SUBSPACE_RUN_STARTS = (2, 1)
#: Their restart period (evaluations) and budget (in units of ``maxfev``), each as (LP-valued,
#: complete facet list).  Chosen on the reference grid: with a restart every 125 evaluations and
#: one budget, Alice-keeps-no-click at v = 0.99, eta = 0.94 stayed 5.8e-6 above its record once
#: every run had its own HiGHS model; every 100 with twice the budget puts it 2.2e-5 below, while
#: binned boxes need 125 (every 100: up to 5.5e-6 above at v = 1, eta = 0.92).
SUBSPACE_RUN_RESTART = (100, 125)
SUBSPACE_RUN_BUDGET = (2, 1)
#: A rebuilt attack (HiGHS from scratch) counts as its recorded candidate when its value is at
#: most this much above the recorded one (bits; the LPs' tolerances); otherwise the search falls
#: back to the records it superseded (:func:`di_cc_attack`).
REBUILD_TOL = 1e-9
#: LP cost of a one-sided column relative to the quantum part (prefer fully known rounds).
_ONE_SIDED_COST = 1e-3
#: Iterations of the alternating minimisation of Eve's processing gamma at each reported attack
#: (:func:`_attack_final`; the search's per-candidate one is shorter,
#: :data:`qkdbounds.di._cc_batch.GAMMA_ITERATIONS`): the smaller of the two processings is kept.
POLISH_ITERATIONS = 20


@dataclass(frozen=True)
class EveBox:
    r"""Eve's quantum box :math:`Q'`: state :math:`\cos\theta'|00\rangle + \sin\theta'|11\rangle`,
    qubit measurements at ``alice_angles`` / ``bob_angles`` (x-z plane) read by detectors of
    efficiency ``eta_a`` / ``eta_b`` with the given ``binning``.

    ``outcomes`` (optional): the observed box's outcome counts ``(n_a, n_b)`` when a party has
    more outcomes than the family's (2 binned, 3 with the no-click kept): the family's outcomes
    are the observed outcomes 0, 1 (and 2, the no-click), and every further outcome (e.g. a
    double click) has probability 0 under :math:`Q'` -- its POVM element is 0, and Eve's
    deterministic strategies produce those rounds."""

    theta: float
    alice_angles: tuple[float, ...]
    bob_angles: tuple[float, ...]
    eta_a: float
    eta_b: float
    binning: str
    outcomes: tuple[int, int] | None = None

    def box(self) -> NDArray[np.float64]:
        """The box :math:`Q'(ab|xy)`, shape (n_x, n_y, n_a, n_b) (via :func:`~qkdbounds.di.bell_data.qubit_box`)."""
        q = qubit_box(self.theta, 1.0, self.alice_angles, self.bob_angles, self.eta_a, self.eta_b,
                      self.binning)
        return q if self.outcomes is None else pad_outcomes(q, self.outcomes)

    def realisation(self) -> dict:
        """The explicit realisation: state vector (basis 00, 01, 10, 11) and POVMs per setting
        (with ``outcomes``: zero elements for the outcomes beyond the family's)."""
        bin_a, bin_b = self.binning in ("A", "both"), self.binning in ("B", "both")
        n_a, n_b = self.outcomes if self.outcomes is not None else (None, None)

        def povms(angles, eta, binned, n):
            out = []
            for t in angles:
                m = qubit_povm(t, eta, binned)
                if n is not None and n > len(m):
                    m = np.concatenate([m, np.zeros((n - len(m), 2, 2))])
                out.append(m.tolist())
            return out

        return {
            "state": [float(np.cos(self.theta)), 0.0, 0.0, float(np.sin(self.theta))],
            "alice_povms": povms(self.alice_angles, self.eta_a, bin_a, n_a),
            "bob_povms": povms(self.bob_angles, self.eta_b, bin_b, n_b),
            "theta": float(self.theta), "alice_angles": list(map(float, self.alice_angles)),
            "bob_angles": list(map(float, self.bob_angles)), "eta_a": float(self.eta_a),
            "eta_b": float(self.eta_b), "binning": self.binning,
            "outcomes": None if self.outcomes is None else list(self.outcomes),
        }


def family_outcomes(shape) -> tuple[int, int] | None:
    """The observed outcome counts a box of ``shape`` (n_x, n_y, n_a, n_b) needs beyond Eve's
    family (:attr:`EveBox.outcomes`): None when each party has at most 3 outcomes."""
    n_a, n_b = shape[2:]
    return (int(n_a), int(n_b)) if max(n_a, n_b) > 3 else None


@dataclass(frozen=True, eq=False)
class DIAttackBound(StatusField):
    """Result of :func:`di_cc_attack` (bits per round with the key settings).

    Attributes
    ----------
    value : float
        Two-way bound ``rate_upper_bound`` (intrinsic-information form, extended processing).
    value_without_processing : float
        :math:`p(?)\\,I(A:B|?)` of the two-way bound's attack before Eve's processing (the
        paper-attack form; JSON ``rate_upper_bound_without_processing``): a value of that
        attack, recomputable from its certificate (``eve_processing["question_mass"]``), not
        minimised on its own -- more effort can move it either way.
    one_way : float
        ``one_way_upper_bound``: :math:`\\max(0, H(A|E) - H(A|B))`, largest over the key binnings.
    one_way_reverse : float
        :math:`\\max(0, H(B|E) - H(B|A))`, largest over the key binnings.
    one_way_noisy_preprocessing : float or None
        The direct one-way form maximised over Alice's noisy preprocessing
        (:func:`noisy_preprocessing_one_way`) and the key binnings that make her key binary.
    local_weight : float
        Largest local weight of the box over all no-signalling decompositions (LP; certified).
    attack_local_weight : float
        Weight of the rounds in which Eve knows at least Alice's output (``1 - t``).
    chsh : float
        CHSH value of the binned box.
    certificate : dict
        Eve's box and its realisation, the deterministic strategies with weights, the one-sided
        weights, the LP residual, Eve's processing ``gamma``, the joint's class masses.
    method : str
    status : Status
        ``optimal`` for a certified zero (a local box, or Eve's attack leaves no key),
        ``certified`` otherwise (Eve's attack is explicit and recomputable; the search over her
        boxes is not proven optimal), ``heuristic`` when her decomposition's residual is above
        1e-7 (``message`` gives it).
    one_way_noisy_preprocessing : float or None
    message : str
    """

    value: float
    value_without_processing: float
    one_way: float
    one_way_reverse: float
    local_weight: float
    attack_local_weight: float
    chsh: float
    certificate: dict = field(repr=False)
    method: str
    status: Status
    one_way_noisy_preprocessing: float | None = None
    message: str = ""


def fit_source_model(p: NDArray, binning: str, *, n_fits: int = 8,
                     rng: np.random.Generator | None = None) -> dict | None:
    r"""Least-squares fit of the two-qubit source model of
    :func:`~qkdbounds.di.bell_data.bell_box` (:math:`\theta, v`, angles, :math:`\eta_A,\eta_B`)
    to a measured box, to seed Eve's search on tables (seeded multistart
    :func:`scipy.optimize.least_squares`).

    Returns the fitted parameters (keys as ``BellBox.source`` plus ``fit_residual``, the largest
    absolute deviation).  Outcomes beyond the model's (more than 3 for a party) are fitted as
    probability 0 (:attr:`EveBox.outcomes`).
    """
    from scipy.optimize import least_squares

    n_x, n_y = p.shape[:2]
    outcomes = family_outcomes(p.shape)
    rng = check_rng("rng", rng)

    def unpack(z):
        return (np.pi / 2 * np.sin(z[0]) ** 2, np.sin(z[1]) ** 2, z[2:2 + n_x], z[2 + n_x:2 + n_x + n_y],
                np.sin(z[-2]) ** 2, np.sin(z[-1]) ** 2)

    def residual(z):
        theta, v, a, b, ea, eb = unpack(z)
        q = qubit_box(theta, v, a, b, ea, eb, binning)
        return ((q if outcomes is None else pad_outcomes(q, outcomes)) - p).ravel()

    best = None
    for _ in range(n_fits):
        z0 = np.concatenate([[rng.uniform(0, np.pi / 2), rng.uniform(np.pi / 4, np.pi / 2)],
                             rng.uniform(-np.pi, np.pi, n_x + n_y), rng.uniform(np.pi / 4, np.pi / 2, 2)])
        res = least_squares(residual, z0, method="trf", max_nfev=400)
        if best is None or res.cost < best.cost:
            best = res
    theta, v, a, b, ea, eb = unpack(best.x)
    return {"kind": "fitted two-qubit source", "theta": float(theta), "visibility": float(v),
            "alice_angles": [float(t) for t in a], "bob_angles": [float(t) for t in b],
            "eta_a": float(ea), "eta_b": float(eb), "binning": binning,
            "fit_residual": float(np.abs(best.fun).max())}


def _family_binning(box: BellBox) -> str:
    """Binning of Eve's family for the box's outcome counts: the no-click kept for a party with
    3 or more outcomes (outcomes beyond 3: :attr:`EveBox.outcomes`), binned for a binary one."""
    n_a, n_b = box.probabilities.shape[2:]
    return {(2, 2): "both", (2, 3): "A", (3, 2): "B", (3, 3): "none"}[(min(n_a, 3), min(n_b, 3))]


def _eve_from_params(z: NDArray, n_x: int, n_y: int, binning: str,
                     outcomes: tuple[int, int] | None = None) -> EveBox:
    theta = np.pi / 2 * np.sin(z[0]) ** 2
    return EveBox(float(theta), tuple(map(float, z[1:1 + n_x])), tuple(map(float, z[1 + n_x:1 + n_x + n_y])),
                  float(np.sin(z[-2]) ** 2), float(np.sin(z[-1]) ** 2), binning, outcomes)


def _params_from_eve(eve: EveBox) -> NDArray:
    theta = min(max(eve.theta, 0.0), np.pi / 2)
    return np.array([np.arcsin(np.sqrt(theta / (np.pi / 2))), *eve.alice_angles, *eve.bob_angles,
                     np.arcsin(np.sqrt(eve.eta_a)), np.arcsin(np.sqrt(eve.eta_b))])


def _one_sided_columns(q_box: NDArray, key_x: int) -> list[NDArray]:
    cols = []
    bob_marg = q_box[key_x].sum(axis=1)  # (y, b)
    for a in range(q_box.shape[2]):
        c = q_box.copy()
        c[key_x] = 0.0
        c[key_x, :, a, :] = bob_marg
        cols.append(c)
    return cols


def attacked_joint(det_key: NDArray, one_sided: Sequence[NDArray], question: NDArray, leakage: float,
                   model: str) -> tuple[NDArray, list]:
    r"""The classical joint :math:`p(e, a, b)` of the attack on the key settings.

    Parameters
    ----------
    det_key : ndarray, shape (n_a, n_b)
        Mass of the deterministic rounds by key outputs.
    one_sided : list of ndarray, shape (n_a, n_b) each
        Mass of the one-sided rounds in which Alice's key output is ``a`` (row ``a`` only).
    question : ndarray, shape (n_a, n_b)
        Mass :math:`t\,Q'(ab|\hat x\hat y)` of the quantum rounds.
    leakage, model
        Paper 1's leakage; leaked rounds join the "both known" class.

    Returns
    -------
    joint : ndarray, shape (n_labels, n_a, n_b)
    labels : list
        ``("known", a, b)``, ``("alice-known", a)`` and ``"?"``.
    """
    n_a, n_b = question.shape
    leak_q = leakage if model == "uniform" else 0.0
    known = det_key + leakage * sum(one_sided, np.zeros_like(question)) + leak_q * question
    rows, labels = [], []
    for a in range(n_a):
        for b in range(n_b):
            r = np.zeros((n_a, n_b))
            r[a, b] = known[a, b]
            rows.append(r)
            labels.append(("known", a, b))
    for a, c in enumerate(one_sided):
        rows.append((1 - leakage) * c)
        labels.append(("alice-known", a))
    rows.append((1 - leak_q) * question)
    labels.append("?")
    return np.stack(rows), labels


def _bin_axis(joint: NDArray, axis: int) -> NDArray:
    """Merge outcomes 2, 3, ... into outcome 0 along ``axis`` (the no-click binning)."""
    if joint.shape[axis] <= 2:
        return joint
    j = np.moveaxis(joint, axis, 0).copy()
    j[0] += j[2:].sum(axis=0)
    return np.moveaxis(j[:2], 0, axis)


def one_way_forms(joint: NDArray) -> dict:
    r"""The one-way Devetak-Winter forms of an attacked joint, over the parties' key binnings.

    A standard protocol may bin the no-click key outcome of either party (a local deterministic
    map) or keep it; the form :math:`H(X|E) - H(X|Y)` is not monotone under that choice, so
    every choice is evaluated and the largest reported: ``direct`` (:math:`X = A`) and
    ``reverse`` (:math:`X = B`), each with its ``binning``; ``noisy_preprocessing`` is the direct
    form also maximised over Alice's bit flip (:func:`noisy_preprocessing_one_way`, on the
    choices where her key is binary) with its ``flip``.

    Parameters
    ----------
    joint : ndarray, shape (n_labels, n_a, n_b)

    Returns
    -------
    dict
        ``direct``, ``direct_binning``, ``reverse``, ``reverse_binning``,
        ``noisy_preprocessing``, ``noisy_preprocessing_flip``, ``noisy_preprocessing_binning``
        (bits; the noisy entries None if no choice gives Alice a binary key) and ``all``.
    """
    out = {"direct": -np.inf, "reverse": -np.inf, "noisy_preprocessing": None, "all": []}
    for bin_a in ((False, True) if joint.shape[1] > 2 else (False,)):
        for bin_b in ((False, True) if joint.shape[2] > 2 else (False,)):
            j = _bin_axis(_bin_axis(joint, 1) if bin_a else joint, 2) if bin_b else \
                (_bin_axis(joint, 1) if bin_a else joint)
            pk = j.sum(axis=0)
            label = {"alice_bins": bin_a or joint.shape[1] == 2, "bob_bins": bin_b or joint.shape[2] == 2}
            direct = _cond_entropy(j, 1) - (shannon_entropy(pk) - shannon_entropy(pk.sum(axis=0)))
            reverse = _cond_entropy(j, 2) - (shannon_entropy(pk) - shannon_entropy(pk.sum(axis=1)))
            entry = {**label, "direct": float(direct), "reverse": float(reverse)}
            if direct > out["direct"]:
                out["direct"], out["direct_binning"] = float(direct), label
            if reverse > out["reverse"]:
                out["reverse"], out["reverse_binning"] = float(reverse), label
            if j.shape[1] == 2:
                value, flip = noisy_preprocessing_one_way(j)
                entry["noisy_preprocessing"] = value
                if out["noisy_preprocessing"] is None or value > out["noisy_preprocessing"]:
                    out.update(noisy_preprocessing=value, noisy_preprocessing_flip=flip,
                               noisy_preprocessing_binning=label)
            out["all"].append(entry)
    return out


#: Zoom levels of the search in the flip probability of :func:`noisy_preprocessing_one_way`
#: (11 points a level, cell x 1/5: from the grid's cell to below 1e-9).
NOISY_FLIP_LEVELS = 12
NOISY_FLIP_ZOOM = 11


def noisy_preprocessing_one_way(joint: NDArray, grid: int = 51) -> tuple[float, float]:
    r"""Largest one-way form over Alice's noisy preprocessing, on an attacked joint.

    Alice flips her binary key bit with probability :math:`p` before error correction
    (noisy preprocessing: Renner, Gisin & Kraus, PRA 72, 012332 (2005); Ho et al., PRL 124,
    230502 (2020)).  Under a fixed attack the protocol's rate with flip probability :math:`p` is at
    most :math:`H(A'|E) - H(A'|B)`, so the maximum over :math:`p\in[0, 1/2]` bounds every such
    protocol: a grid of ``grid`` points, then :data:`NOISY_FLIP_LEVELS` zooms of
    :data:`NOISY_FLIP_ZOOM` points into the cells around the best point (vectorised in :math:`p`;
    the best point seen is kept).

    Parameters
    ----------
    joint : ndarray, shape (n_labels, 2, n_b)
        :math:`p(e, a, b)` with binary :math:`a`.

    Returns
    -------
    (value, flip) : (float, float)
        The bound (bits, clipped at 0) and the maximising flip probability.
    """
    joint = np.asarray(joint, dtype=float)
    # H(A'|E) - H(A'|B) = H(A'E) - H(E) - H(A'B) + H(B); H(E) and H(B) do not depend on p
    h_e = shannon_entropy(joint.sum(axis=(1, 2)))
    h_b = shannon_entropy(joint.sum(axis=(0, 1)))

    def rates(flips: NDArray) -> NDArray:
        f = flips[:, None, None, None]
        j = (1 - f) * joint + f * joint[:, ::-1, :]
        return _entropies(j.sum(axis=3), (1, 2)) - h_e - _entropies(j.sum(axis=1), (1, 2)) + h_b

    best_f, best_v = zoom_search_flip(rates, grid, NOISY_FLIP_LEVELS, NOISY_FLIP_ZOOM)
    return max(0.0, best_v), best_f


def _entropies(p: NDArray, axis) -> NDArray:
    """:math:`-\\sum p\\log_2 p` over ``axis`` (:math:`0\\log 0 = 0`), vectorised over the rest."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return -terms.sum(axis=axis)


def _cond_entropy(joint: NDArray, axis: int) -> float:
    """:math:`H(X|E)` for ``joint[e, a, b]``, X the outcome on ``axis`` (1 = A, 2 = B)."""
    other = 2 if axis == 1 else 1
    pex = joint.sum(axis=other)
    return shannon_entropy(pex) - shannon_entropy(joint.sum(axis=(1, 2)))


def _attack_final(p: NDArray, key, q_box: NDArray, w: NDArray, gamma: NDArray, leakage: float, model: str):
    """Rebuild a recorded candidate as an explicit attack (second route, no search).

    With the one-sided weights ``w`` fixed, the LP of
    :func:`~qkdbounds.di.locality.decompose_with_boxes` (HiGHS) writes
    :math:`p - \\sum_a w_a Q'_{\\hat x\\to a} = D\\mu + tQ'` with the smallest :math:`t`; then the
    attacked joint and the two-way value at the better of Eve's recorded processing ``gamma`` and
    a longer alternating minimisation from the corners (:data:`POLISH_ITERATIONS`), each valued
    exactly here (``info["gamma"]`` is the one used).

    Returns ``(value, decomposition, value_without_processing, info)`` or None if the LP finds no
    decomposition.
    """
    from .locality import BoxDecomposition, local_model_matrix

    x, y = key
    w = np.asarray(w, dtype=float)
    one_sided = bool(np.any(w > 0))
    cols = _one_sided_columns(q_box, x) if one_sided else []
    rest = p - sum((wa * c for wa, c in zip(w, cols)), np.zeros_like(p))
    found = decompose_with_boxes(rest, [q_box], np.array([1.0]))
    if found is None and one_sided:
        # round-off at the boundary of the cone: let the LP choose the one-sided weights too
        found = decompose_with_boxes(p, [q_box] + cols, np.array([1.0] + [_ONE_SIDED_COST] * len(cols)))
        if found is not None:
            w = found.weights[1:]
            rest = p - sum((wa * c for wa, c in zip(w, cols)), np.zeros_like(p))
    if found is None:
        # HiGHS from scratch can call a point on the boundary of the cone infeasible at 1e-10;
        # the warm-started model of the search found it feasible: take its decomposition
        from ._cc_search import ConeLP

        cone = ConeLP(local_model_matrix(p.shape)[0], np.array([1.0]))
        out = cone.solve(q_box.ravel()[None, :], rest.ravel())
        if out is None:
            return None
        found = BoxDecomposition(cone.mu, np.clip(out[0], 0.0, None), 0.0, "optimal")
    t = float(found.weights[0])
    d, _, _ = local_model_matrix(p.shape)
    local = (d @ found.mu).reshape(p.shape)
    residual = float(np.abs(local + t * q_box + (p - rest) - p).max())
    dec = BoxDecomposition(found.mu, np.array([t, *w]) if one_sided else np.array([t]), residual, "optimal")
    one_sided_key = [float(wa) * c[x, y] for wa, c in zip(w, cols)]
    joint, labels = attacked_joint(local[x, y], one_sided_key, t * q_box[x, y], leakage, model)
    n_ab = p.shape[2] * p.shape[3]
    c, s = joint[-1], joint[:n_ab].sum(axis=0)
    plain = group_information_measure(c, [[0], [1]])
    processed = group_information_measure(c + gamma * s, [[0], [1]])
    if POLISH_ITERATIONS:
        # a longer alternating minimisation at the chosen attack (the search's is short): the
        # smaller of the two processings is kept, each valued exactly here
        from ._cc_batch import min_processing

        _, polished, _ = min_processing(c[None], s[None], POLISH_ITERATIONS)
        value = group_information_measure(c + polished[0] * s, [[0], [1]])
        if value < processed:
            gamma, processed = polished[0], value
    if processed >= plain:
        gamma, processed = np.zeros_like(gamma), plain
    m = c + gamma * s
    mass = m.sum()
    zero = bool(mass > 0 and np.abs(m - np.outer(m.sum(axis=1), m.sum(axis=0)) / mass).max() <= 1e-12 * mass)
    p_key = joint.sum(axis=0)
    h_a_b = shannon_entropy(p_key) - shannon_entropy(p_key.sum(axis=0))
    h_b_a = shannon_entropy(p_key) - shannon_entropy(p_key.sum(axis=1))
    info = {"joint": joint, "labels": labels, "gamma": gamma, "zero_key": zero or plain <= 0.0,
            "p_question": float(c.sum()), "p_question_after_processing": float(mass),
            "one_way_raw": float(_cond_entropy(joint, 1) - h_a_b),
            "one_way_reverse_raw": float(_cond_entropy(joint, 2) - h_b_a),
            "n_deterministic": found.mu.size, "marginal_residual": float(np.abs(p_key - p[x, y]).max())}
    return float(min(plain, processed)), dec, float(plain), info


def _structured_starts(src: dict, binning: str, key_x: int) -> list[NDArray]:
    """The structured candidates of Eve's box, in a fixed order (see :func:`di_cc_attack`).

    The ideal box (the honest state and settings with perfect detectors: the quantum part of the
    convex-combination construction of Łukanowski et al., Quantum 7, 1148 (2023), App. C), the
    honest box itself, less entangled ideal boxes (partially entangled states help against
    inefficient detectors: Eberhard, PRA 47, R747 (1993)) and detectors halfway to ideal.
    """
    theta, al, be = src["theta"], tuple(src["alice_angles"]), tuple(src["bob_angles"])
    ea, eb = max(src["eta_a"], 1e-3), max(src["eta_b"], 1e-3)
    out = [_params_from_eve(EveBox(theta, al, be, 1.0, 1.0, binning)),
           _params_from_eve(EveBox(theta, al, be, ea, eb, binning))]
    for scale in (0.6, 0.75, 0.9):
        out.append(_params_from_eve(EveBox(theta * scale, al, be, 1.0, 1.0, binning)))
    out.append(_params_from_eve(EveBox(theta, al, be, 0.5 * (1 + ea), 0.5 * (1 + eb), binning)))
    # Alice's key setting enters no CHSH test: scan its angle on the ideal and the honest boxes
    for base in out[:2]:
        for angle in np.linspace(0.0, np.pi, KEY_ANGLE_SCAN, endpoint=False)[1:]:
            z = base.copy()
            z[1 + key_x] = angle
            out.append(z)
    return out


def attack_estimate(box: BellBox, maxfev: int = DEFAULT_MAXFEV, n_starts: int = DEFAULT_DI_STARTS) -> float:
    """Rough up-front cost (seconds, one core) of :func:`di_cc_attack` on ``box``.

    Binary boxes with two settings on one side are valued exactly from the CHSH facets (~0.1 s).
    Otherwise every candidate costs an LP over the :math:`S = n_a^{n_x}n_b^{n_y}` deterministic
    strategies: about (0.8 ms + 4.4 us S) a solve, ~2.2 solves per evaluation of each pair of
    Nelder-Mead run budgets (three pairs -- the fixed-efficiency runs have twice the budget --
    plus one per random start; fitted to one machine's runs on 3 x 2 settings at the default
    effort before the fixed-efficiency runs: 0.65 s with the no-click kept by Alice, 1.1 s by
    both, 4.5 s with 4 outcomes, 20 s with 6; with them 1.3-1.9 s and 1.6-3.8 s for the first
    two on a loaded machine, estimated 1.9 s and 3.2 s).

    Raises
    ------
    InputError
        ``box`` not a :class:`~qkdbounds.di.bell_data.BellBox`, ``maxfev`` or ``n_starts`` out of
        range.
    """
    from ._cc_batch import has_complete_facets

    if not isinstance(box, BellBox):
        raise InputError("box must be a BellBox (qkdbounds.di.bell_data.bell_box, bell_table or load_bell_table)")
    maxfev = check_int("maxfev", maxfev, 10, 100_000)
    n_starts = check_int("n_starts", n_starts, 0, 1000)
    shape = box.probabilities.shape
    if has_complete_facets(shape):
        return 0.15 * (1 + n_starts) * maxfev / DEFAULT_MAXFEV
    n_x, n_y, n_a, n_b = shape
    strategies = n_a ** n_x * n_b ** n_y
    return (0.8e-3 + 4.4e-6 * strategies) * (2.2 * maxfev * (3 + n_starts) + 30)


def di_cc_attack(
    box: BellBox,
    leakage: float = 0.0,
    model: str = "uniform",
    *,
    attack_side: str = "best",
    n_starts: int = DEFAULT_DI_STARTS,
    maxfev: int = DEFAULT_MAXFEV,
    seeds: Sequence[EveBox] = (),
    rng: np.random.Generator | None = None,
    progress=None,
) -> DIAttackBound:
    r"""Upper bounds on the DI key of a box from the CC attack with leakage (module docstring).

    Parameters
    ----------
    box : BellBox
        Observed Bell data (:func:`~qkdbounds.di.bell_data.bell_box` or a user table), 2 to
        :data:`~qkdbounds.di.bell_data.MAX_OUTCOMES` outcomes per party: outcomes 0 and 1 are the
        bits, outcome 2 the no-click event, and Eve's quantum box gives any further outcome
        (e.g. a double click) probability 0 -- her deterministic strategies produce those rounds
        (:attr:`EveBox.outcomes`).
    leakage : float
        Paper 1's leakage :math:`L\in[0,1]`.
    model : {"uniform", "junk"}
    attack_side : {"best", "two-sided", "one-sided"}
    n_starts : int
        Random starts of the search, in [0, 1000] (each a chain of ``maxfev`` evaluations).
    maxfev : int
        Evaluations per chain, in [10, 100000].
    seeds : sequence of EveBox
        Extra structured candidates (for curves: the optimum at the neighbouring point).
    rng : numpy.random.Generator, optional
        Source of the random starts (default ``default_rng(0)``).
    progress : callable, optional
        ``progress(fraction)`` after every round of the search (the fraction of its evaluation
        budget spent, in [0, 1]): for progress bars (a table with many outcomes costs an LP per
        candidate, seconds to minutes).

    Returns
    -------
    DIAttackBound
        Bits per key round; certificate with Eve's explicit attack for the two-way bound
        (``eve_processing`` holds her :math:`\gamma`) and, under ``one_way_attack`` /
        ``one_way_reverse_attack``, the attacks giving the one-way bounds when they differ.

    Raises
    ------
    InputError
        Bad parameters.

    Notes
    -----
    Effort-monotone (:mod:`qkdbounds.di._cc_search`): raising ``maxfev`` or ``n_starts`` (same
    ``rng`` seed) evaluates a superset of the candidates, so each of ``value``, ``one_way`` and
    ``one_way_reverse`` can only go down; each is the best seen for that bound, and the ideal and
    honest boxes are always among the candidates.

    Examples
    --------
    >>> from qkdbounds.di.bell_data import bell_box
    >>> r = di_cc_attack(bell_box(), leakage=0.1, n_starts=0, maxfev=20)
    >>> round(r.value, 9)                  # eta = v = 1: self-testing, Eve learns only leaks
    0.9
    """
    from ._cc_search import AttackSearch, NMRun, nelder_mead_lockstep
    from .locality import strategy_list


    if not isinstance(box, BellBox):
        raise InputError("box must be a BellBox (qkdbounds.di.bell_data.bell_box, bell_table or load_bell_table)")
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    check_choice("attack_side", attack_side, ATTACK_SIDES)
    n_starts = check_int("n_starts", n_starts, 0, 1000)
    maxfev = check_int("maxfev", maxfev, 10, 100_000)
    seeds = check_sequence("seeds", seeds, "a sequence of EveBox")
    if not all(isinstance(s, EveBox) for s in seeds):
        raise InputError("seeds must be a sequence of EveBox (e.g. the eve_box of a neighbouring "
                         "point's certificate)")
    p = box.probabilities
    n_x, n_y = p.shape[:2]
    key = box.key_settings
    lw = local_weight(p)
    chsh = chsh_value_of_box(box)
    binning = _family_binning(box)
    outcomes = family_outcomes(p.shape)
    sides = ("two-sided", "one-sided") if attack_side == "best" else (attack_side,)
    if lw.value >= 1 - 1e-12:
        # a local box: Eve sends the LP's deterministic strategies and knows every output
        return DIAttackBound(0.0, 0.0, 0.0, 0.0, lw.value, 1.0, chsh,
                             {"eve_box": None, "quantum_weight": 0.0, "one_sided_weights": [],
                              "deterministic_strategies": lw.strategies, "key_settings": list(key),
                              "local_weight_dual_bound": lw.dual_bound, "attack_side": "local"},
                             "the box is local (LP local weight 1, HiGHS): Eve's deterministic "
                             "strategies reproduce it and leave no key", Status.OPTIMAL,
                             message="zero key: the box is local")

    search = AttackSearch(p, key, binning, leakage, model, outcomes)
    src = box.source
    if src.get("kind") != "two-qubit source":
        # a table: the source parameters are unknown, so fit the honest model to the box first
        rng = check_rng("rng", rng)    # (numpy.random only when used)
        src = fit_source_model(p, binning, rng=rng)
    structured: list[NDArray] = []
    if src is not None and "theta" in src:
        structured = _structured_starts(src, binning, key[0])
    for s in seeds:
        if len(s.alice_angles) == n_x and len(s.bob_angles) == n_y:
            structured.append(_params_from_eve(EveBox(s.theta, s.alice_angles, s.bob_angles, s.eta_a, s.eta_b,
                                                      binning)))
    n_a = p.shape[2]
    if structured:
        z0 = np.array(structured)
        vals = search.evaluate(z0, None)  # every structured candidate verified and recorded
        # Nelder-Mead runs: two-sided (Q' only) and one-sided, each on the two-way and on the
        # one-way objective.  One-sided: with the complete facet list the weights w_a = u_a^2 are
        # search parameters (started from the LP's weights, below); otherwise each candidate's
        # weights come from the LP minimising t + 1e-3 sum_a w_a (the previous search's attack)
        mode = "batch" if search.exact else "lp"
        runs = []
        starts = {"two-sided": (z0, vals)}
        if "one-sided" in sides and search.exact:
            ext = []
            for i in np.argsort(np.where(vals["verified"], vals["two"], np.inf))[:ONE_SIDED_LP_STARTS]:
                eve_p = _eve_from_params(z0[i], n_x, n_y, binning, outcomes).box()
                cols = [eve_p] + _one_sided_columns(eve_p, key[0])
                dec = decompose_with_boxes(p, cols, np.array([1.0] + [_ONE_SIDED_COST] * (len(cols) - 1)))
                if dec is not None:
                    ext.append(np.concatenate([z0[i], np.sqrt(np.clip(dec.weights[1:], 0, None))]))
            i = int(np.argmin(np.where(vals["verified"], vals["two"], np.inf)))
            for a in range(n_a):
                for w_a in (0.01, 0.03, 0.06, 0.1):
                    u = np.zeros(n_a)
                    u[a] = np.sqrt(w_a)
                    ext.append(np.concatenate([z0[i], u]))
            if ext:
                ext_z = np.array(ext)
                starts["one-sided"] = (ext_z, search.evaluate(ext_z, None))
        for space in [s for s in ("two-sided", "one-sided") if s in sides]:
            zs, vs = starts.get(space, (z0, vals))
            run_mode = mode if (space == "two-sided" or search.exact) else "one-sided-lp"
            # without the complete facet list every candidate costs an LP: the two-way runs only
            for objective in ("two", "one") if search.exact else ("two",):
                obj = np.where(vs["verified"], vs[objective], np.inf)
                if np.isfinite(obj).any() and obj.min() > 0.0:
                    runs.append(NMRun(zs[int(np.argmin(obj))], objective, run_mode))
                    if space == "two-sided" and objective == "two":
                        # the detectors fixed at the start's efficiencies: fewer dimensions, so
                        # the runs converge within the budget (SUBSPACE_RUN_STARTS)
                        eta_coords = (search.dim - 2, search.dim - 1)
                        n_sub = SUBSPACE_RUN_STARTS[run_mode == "batch"]
                        order = np.argsort(obj, kind="stable")[:n_sub]
                        runs.extend(NMRun(zs[int(i)], objective, run_mode, fixed=eta_coords,
                                          restart=SUBSPACE_RUN_RESTART[run_mode == "batch"],
                                          budget_factor=SUBSPACE_RUN_BUDGET[run_mode == "batch"])
                                    for i in order if np.isfinite(obj[i]))
                    if run_mode == "batch" and objective in ADAPTIVE_RUN_OBJECTIVES:
                        # the same start with the dimension-adapted coefficients: the runs go in
                        # lockstep (one batch per iteration), so a second run adds rows to the
                        # batches, not iterations
                        runs.append(NMRun(zs[int(np.argmin(obj))], objective, "batch", adaptive=True))
    else:
        runs = []
    if n_starts:
        rng = check_rng("rng", rng)
        for _ in range(n_starts):
            z_r = np.concatenate([[rng.uniform(0, np.pi / 2)], rng.uniform(-np.pi, np.pi, n_x + n_y),
                                  rng.uniform(np.pi / 4, np.pi / 2, 2)])
            runs.append(NMRun(z_r, "two", "batch" if search.exact else "lp"))
    if progress is not None and not callable(progress):
        raise InputError("progress must be a callable progress(fraction) or None")
    nelder_mead_lockstep(search, runs, maxfev, progress)
    chains = len(runs)
    finals: dict[int, tuple | None] = {}

    def rebuilt(rec):
        """(value, decomposition, value_without_processing, info) of a recorded attack."""
        if id(rec) not in finals:
            q_box = _eve_from_params(rec.z, n_x, n_y, binning, outcomes).box()
            finals[id(rec)] = _attack_final(p, key, q_box, rec.w, rec.gamma, leakage, model)
        return finals[id(rec)]

    # the best two-way candidate, rebuilt; when the final LP (HiGHS from scratch) calls it
    # infeasible -- a candidate on the boundary of the cone, which the search's warm-started
    # model accepted -- the one that was best before it, and so on: more effort evaluates a
    # superset of the candidates, so it never ends on a worse rebuilt attack than less effort
    # A rebuild is kept only when it reproduces the recorded value (to REBUILD_TOL): with the
    # one-sided weights re-chosen by the LP it can be a valid but weaker attack (v = 1,
    # eta = 0.94, Bob's no-click kept, L = 0.02: 0.48345 for a record of 0.48325, above the
    # 0.48329 that less effort reported); if none does, the best of the rebuilt ones
    def reproduced(objective, value_of, stop=None):
        """``(record, rebuilt, value, exact)``: the newest record of ``objective`` (the best, then
        those it superseded) whose rebuild reproduces its recorded value to REBUILD_TOL
        (``exact`` True), else the best rebuilt one (``exact`` False); None if none rebuilds.
        The walk stops at ``stop`` (the two-way attack, for the one-way bounds)."""
        fallback = []
        for rec in [search.best[objective], *reversed(search.superseded[objective])]:
            if rec is None or rec is stop:
                break
            fin = rebuilt(rec)
            if fin is None:
                continue
            value = value_of(fin)
            if value <= rec.values[objective] + REBUILD_TOL:
                return rec, fin, value, True
            fallback.append((value, len(fallback), rec, fin))
        if not fallback:
            return None
        value, _, rec, fin = min(fallback)
        return rec, fin, value, False

    got = reproduced("two", lambda fin: fin[0])
    best, final = (None, None) if got is None else got[:2]
    # fallback (no quantum part found, e.g. a user table outside Eve's family): trivial E
    if final is None:
        p_key = p[key]
        trivial = shannon_entropy(p_key.sum(axis=0)) + shannon_entropy(p_key.sum(axis=1)) - shannon_entropy(p_key)
        h_a_b = shannon_entropy(p_key) - shannon_entropy(p_key.sum(axis=0))
        h_b_a = shannon_entropy(p_key) - shannon_entropy(p_key.sum(axis=1))
        one = max(0.0, (1 - leakage) * shannon_entropy(p_key.sum(axis=1)) - h_a_b) if model == "uniform" \
            else max(0.0, shannon_entropy(p_key.sum(axis=1)) - h_a_b)
        rev = max(0.0, (1 - leakage) * shannon_entropy(p_key.sum(axis=0)) - h_b_a) if model == "uniform" \
            else max(0.0, shannon_entropy(p_key.sum(axis=0)) - h_b_a)
        two = (1 - leakage) * trivial if model == "uniform" else trivial
        return DIAttackBound(float(two), float(two), float(one), float(rev), lw.value, 0.0, chsh,
                             {"eve_box": None, "reason": "no realisable quantum part found"},
                             "no CC decomposition found: Eve holds only the leaked outcomes "
                             "(I(A:B) bound, Maurer-Wolf)", Status.CERTIFIED,
                             message="trivial attack: no realisable quantum part found, Eve "
                                     "holds only the leaked outcomes")
    value, dec, plain, info = final
    side = "one-sided" if dec.weights.size > 1 else "two-sided"
    eve = _eve_from_params(best.z, n_x, n_y, binning, outcomes)
    t = min(float(dec.weights[0]), 1.0)      # (the LP's round-off above 1)
    value = 0.0 if info["zero_key"] or value <= ATOL_RATE else float(value)
    gamma = np.asarray(info["gamma"], dtype=float)
    forms = one_way_forms(info["joint"])

    def attack_summary(objective):
        """The attack behind a one-way bound (None if it is the two-way attack), and its forms:
        the best record for ``objective`` that the final LP rebuilds, falling back through the
        records it superseded, newest first (as the two-way attack above; falling back to the
        two-way attack instead made the one-way bound jump 0.221 -> 0.283 between maxfev 170
        and 180 at v = 1, eta = 0.93, Alice's no-click kept, L = 0.05)."""
        form = "direct" if objective == "one" else "reverse"
        got = reproduced(objective, lambda fin: one_way_forms(fin[3]["joint"])[form], stop=best)
        # (none reproduced its record: the best rebuilt one only if it beats the two-way attack)
        if got is None or (not got[3] and got[2] >= forms[form]):
            return None, forms
        rec, fin = got[:2]
        r_forms = one_way_forms(fin[3]["joint"])
        r_dec, r_info = fin[1], fin[3]
        return {"eve_box": _eve_from_params(rec.z, n_x, n_y, binning, outcomes).realisation(),
                "attack_side": "one-sided" if r_dec.weights.size > 1 else "two-sided",
                "quantum_weight": float(r_dec.weights[0]),
                "one_sided_weights": [float(w) for w in r_dec.weights[1:]],
                "deterministic_strategies": strategy_list(r_dec.mu, p.shape),
                "decomposition_residual": r_dec.residual, "one_way_forms": r_forms}, r_forms

    one_cert, one_forms = attack_summary("one")
    rev_cert, rev_forms = attack_summary("rev")
    one_way = min(forms["direct"], one_forms["direct"])
    one_way_reverse = min(forms["reverse"], rev_forms["reverse"], one_forms["reverse"])
    # noisy preprocessing on the two attacks (each is >= its own direct form >= one_way, and the
    # two-way attack's is <= its two-way value)
    noisy = [(f["noisy_preprocessing"], f.get("noisy_preprocessing_flip")) for f in (forms, one_forms)
             if f.get("noisy_preprocessing") is not None]
    noisy_value, noisy_flip = min(noisy) if noisy else (None, None)
    certificate = {
        "eve_box": eve.realisation(), "quantum_weight": t,
        "one_sided_weights": [float(w) for w in dec.weights[1:]],
        "deterministic_strategies": strategy_list(dec.mu, p.shape), "decomposition_residual": dec.residual,
        "attack_side": side, "key_settings": list(key), "gamma": gamma.tolist(),
        "eve_processing": {
            "gamma": gamma.tolist(),
            "question_mass": info["joint"][-1].tolist(),
            "known_mass": info["joint"][: p.shape[2] * p.shape[3]].sum(axis=0).tolist(),
            "rule": "gamma[a][b] is the fraction of the rounds in which Eve knows both key outputs "
                    "(a, b) (deterministic and leaked rounds: known_mass) that she moves into the "
                    "'?' class (question_mass q); rate_upper_bound = min(G(q), G(q + gamma*k)) "
                    "with G(m) = sum_ab m log2(m M / (m_a m_b)), M = sum m (bits)",
        },
        "p_question": info["p_question"], "one_way_raw": info["one_way_raw"],
        "one_way_reverse_raw": info["one_way_reverse_raw"],
        "marginal_residual": info["marginal_residual"], "local_weight_dual_bound": lw.dual_bound,
        "fitted_source_model": src if src is not None and src.get("kind") == "fitted two-qubit source" else None,
        "one_way_attack": one_cert, "one_way_reverse_attack": rev_cert,
        "search": {"chains": chains, "evaluations": search.n_eval, "lp_solves": search.n_lp,
                   "structured_candidates": len(structured),
                   "exact_facets": search.exact, "maxfev": maxfev, "n_starts": n_starts,
                   "optimiser": "structured candidates, then lockstep Nelder-Mead; best candidate seen kept per bound",
                   "sides": list(sides)},
    }
    status, message = (Status.OPTIMAL, "zero key") if value == 0.0 else (Status.CERTIFIED, "")
    if dec.residual > 1e-7:
        status = Status.HEURISTIC
        message = f"inaccurate: decomposition residual {dec.residual:.1e}"
    method = (f"DI CC attack ({side}): Eve's quantum box searched over (theta', angles, eta') by"
              f" lockstep Nelder-Mead ({chains} runs from the ideal, honest and structured boxes"
              f"{' and random starts' if n_starts else ''}; best of {search.n_eval} candidates kept per "
              f"bound), quantum weight by {'the complete CHSH facet list' if search.exact else 'HiGHS LP'}; "
              f"two-way bound min_gamma p(?)I(A:B|?) (extended processing), one-way H(A|E)-H(A|B) "
              f"minimised on its own")
    if outcomes is not None:
        method += ("; outcomes beyond a party's third have probability 0 in Eve's quantum box "
                   "(her deterministic strategies produce them)")
    certificate["one_way_forms"] = forms
    certificate["noisy_preprocessing_flip"] = noisy_flip
    return DIAttackBound(value, float(plain), max(0.0, one_way), max(0.0, one_way_reverse),
                         lw.value, 1.0 - t, chsh, certificate, method, status, noisy_value,
                         message)
