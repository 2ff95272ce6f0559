r"""Max-min key-rate upper bounds of paper 1 (Eqs. 3, 13-14, 25, 29).

.. math::

    R \le \frac{1}{N-1}\max_{\vec x}\min_{\gamma} p(e=?|\vec x)\,
          I_{\vec x}(A_1\ldots A_N|e=?)

with :math:`I` the total correlation (the paper's N-party quantity).  Beside it we report the
conference-key cut bound :math:`\max_{\vec x}\min_{S}\min_\gamma p(?)\,I(A_S:A_{S^c}|?)`, valid
because an N-party conference key is in particular a key across every cut :math:`S|S^c`, whose
rate is bounded by the intrinsic information across that cut (no :math:`1/(N-1)` factor).  For
N = 2 both coincide.

The max over measurements (the honest parties' settings):

* ``measurements=None`` (default): every party measures the computational basis.  By the
  :math:`U\otimes U^*` invariance of the isotropic state (N = 2) one party may be fixed to Z;
  that Z on the other side is optimal is verified by exhaustive angle grids (d = 2) and seeded
  Haar-random searches (d = 3, N = 3) in ``tests/bounds/test_measurement_optimality.py``.
* ``measurements="search"``: an explicit global search at this point (exhaustive angle grid for
  d = N = 2, where the bound depends on one angle only; seeded Haar-random settings plus Z
  otherwise); the best setting found is returned in the certificate.
* a list of :class:`~qkdbounds.measurements.Measurement`: exactly those bases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._tolerances import ATOL_RATE, GAMMA_TOL
from ..attacks.cc import LEAKAGE_MODELS, question_class
from ..attacks.eve import DEFAULT_STARTS, minimize_gamma
from ..errors import InputError, check_choice, check_int, check_probability
from ..info.entropy import bipartitions
from ..measurements.bases import Measurement, computational, random_measurement, xz_plane
from ..states.isotropic import isotropic_ghz
from .symmetric import SYMMETRIC_ATTACKS, z_basis_bound

__all__ = ["RateBound", "rate_upper_bound", "ATTACKS", "N_SEARCH_ANGLES", "N_SEARCH_RANDOM"]

ATTACKS = ("paper", "extended", "intrinsic")
#: Cut bounds are computed by default up to this many bipartitions (N <= 6).
MAX_AUTO_CUTS = 31
#: Above this many outcome strings d**N, Z-basis bounds use the symmetric closed form.
STRUCTURED_ABOVE = 4096
#: Angles of the exhaustive grid of the d = N = 2 measurement search.
N_SEARCH_ANGLES = 61
#: Haar-random settings tried by the generic measurement search.
N_SEARCH_RANDOM = 24


@dataclass(frozen=True)
class RateBound:
    """Result of :func:`rate_upper_bound` (scipy ``OptimizeResult`` style).

    Attributes
    ----------
    value : float
        The paper's bound :math:`\\frac{1}{N-1}p(?)\\,TC(A|?)` in bits (Eq. 29).
    cut_bound : float or None
        The valid conference-key bound :math:`\\min_S p(?)I(A_S:A_{S^c}|?)` (bits); ``None``
        when not computed (structured large-N route).
    certificate : dict
        Eve's attack (``q``, ``gamma``, ``p_question``, flags) and the honest measurements.
    method, status : str
    tolerance : float
    """

    value: float
    cut_bound: float | None
    certificate: dict = field(repr=False)
    method: str
    status: str
    tolerance: float

    @property
    def best(self) -> float:
        """The tightest valid bound reported: ``min(value, cut_bound)``."""
        return self.value if self.cut_bound is None else min(self.value, self.cut_bound)


def _solver(state, setting, leakage, model, attack, n_starts, rng):
    """Return ``solve(groups) -> (value, zero_key, p_question, attack certificate)`` for one setting."""
    qc = question_class(state, setting, leakage, model)
    paper_cert = {"name": "paper CC attack (Eqs. 8-12)", "model": model, "q": qc.q}
    if attack == "paper":
        def solve(groups):
            sol = minimize_gamma(qc.base, qc.extra, groups, n_starts=n_starts, rng=rng)
            return sol.value, sol.zero_key, sol.p_question, dict(
                paper_cert, gamma=sol.gamma, p_question=sol.p_question,
                information_given_question=sol.information, zero_key_certificate=sol.zero_key,
                starts=sol.n_starts, local_optima_spread=sol.spread, method=sol.method)
        return solve
    from ..attacks.extended import extended_question_class, minimize_extended

    eqc = extended_question_class(state, setting, leakage, model)
    if attack == "extended":
        def solve(groups):
            sol = minimize_extended(eqc, groups, rng=rng)
            return sol.value, sol.zero_key, sol.p_question, {
                "name": "extended CC attack (flags forgotten, leaked rounds merged into '?')",
                "model": model, "q": qc.q, "moved_leaked_mass": sol.y, "flag_group_fractions": sol.eta,
                "flag_group_masses": eqc.flags.reshape(len(eqc.flags), -1).sum(axis=1),
                "p_question": sol.p_question, "paper_value": sol.paper_value,
                "zero_key_certificate": sol.zero_key, "method": sol.method}
        return solve
    from ..attacks.cc import joint_distribution_with_eve
    from ..attacks.intrinsic import merge_identical_labels, minimize_intrinsic

    joint, labels = joint_distribution_with_eve(state, setting, leakage, model)

    def solve(groups):
        ext = minimize_extended(eqc, groups, rng=rng)
        merged, label_map = merge_identical_labels(joint)
        # the extended attack as a channel on the merged labels (start of the search)
        frac = np.zeros(len(joint))
        flag_dists = {}
        for i, lab in enumerate(labels):
            if lab == "?":
                continue
            if lab[0] == "leak":
                u = eqc.box[lab[1]]
                frac[i] = ext.y[lab[1]] / u if u > 0 else 0.0
            else:
                row = joint[i] / max(joint[i].sum(), 1e-300)
                flag_dists[i] = row
        for i, row in flag_dists.items():
            for g, fg in enumerate(eqc.flags):
                if fg.sum() > 0 and np.allclose(row, fg / fg.sum(), atol=1e-10):
                    frac[i] = ext.eta[g]
                    break
        q_idx = label_map[labels.index("?")]
        e = len(merged)
        w0 = np.zeros((e, e))
        mass = joint.reshape(len(joint), -1).sum(axis=1)
        for i, j in enumerate(label_map):
            if j < 0:
                continue
            w0[j, j] += mass[i] * (1 - frac[i])
            w0[j, q_idx] += mass[i] * frac[i]
        w0 /= np.maximum(w0.sum(axis=1, keepdims=True), 1e-300)
        sol = minimize_intrinsic(merged, groups, start_channels=[w0], rng=rng, merge=False)
        value = min(sol.value, ext.value)
        return value, ext.zero_key or value == 0.0, float("nan"), {
            "name": "intrinsic information over channels on Eve's full CC record",
            "model": model, "q": qc.q, "output_alphabet": sol.n_outputs,
            # channel on Eve's original labels (flags, leaked outcomes, "?"): rows of the merged one
            "channel": np.array([sol.channel[j] if j >= 0 else np.eye(sol.n_outputs)[0]
                                 for j in label_map]),
            "labels": [str(lab) for lab in labels],
            "labels_after_merge": sol.labels_after_merge, "extended_value": ext.value,
            "paper_value": ext.paper_value, "zero_key_certificate": ext.zero_key, "method": sol.method}
    return solve


def _evaluate_setting(state, setting, leakage, model, attack, n_starts, rng, cut: bool):
    n = state.n_parties
    solve = _solver(state, setting, leakage, model, attack, n_starts, rng)
    main = solve([[i] for i in range(n)])
    cut_value, cut_s = main[0], (0,)
    if n > 2 and cut:
        cut_value = np.inf
        for s in bipartitions(n):
            rest = [i for i in range(n) if i not in s]
            value = solve([list(s), rest])[0]
            if value < cut_value:
                cut_value, cut_s = value, s
    return main, cut_value, cut_s


def _candidate_settings(d, n, rng):
    if d == 2 and n == 2:
        # U (x) U* invariance: fix A = Z; for qubits the statistics depend on B only through
        # |<a|U|b>|^2 = cos^2(theta/2), so an X-Z angle grid on [0, pi] is exhaustive.
        return [[computational(2), xz_plane(t)] for t in np.linspace(0, np.pi, N_SEARCH_ANGLES)], \
            f"exhaustive grid of {N_SEARCH_ANGLES} angles (A fixed to Z by U(x)U* symmetry)"
    settings = [[computational(d)] * n]
    for _ in range(N_SEARCH_RANDOM):
        settings.append([computational(d)] + [random_measurement(d, rng) for _ in range(n - 1)])
    return settings, f"Z basis plus {N_SEARCH_RANDOM} seeded Haar-random settings (party 1 fixed to Z)"


def _structured(d, n, v, leakage, model, attack) -> RateBound:
    sol = z_basis_bound(d, n, v, leakage, model, attack)
    cert = {
        "attack": {"name": f"{attack} CC attack, symmetric (S_d x S_N) reduction", "model": model,
                   "q": sol["q"], "gamma_constant_strings": sol["gamma_constant"],
                   "gamma_other_strings": sol["gamma_other"], "forgotten_flag_fraction": sol["eta"],
                   "p_question": sol["p_question"], "zero_key_certificate": sol["zero_key"],
                   "method": "closed form on outcome types (constant / non-constant strings)"},
        "measurements": ["Z"] * n,
        "measurement_search": "Z basis for all parties (optimality tested for small N)",
        "cut": None,
    }
    return RateBound(sol["value"], None, cert,
                     "structured Z-basis closed form (qkdbounds.bounds.symmetric); no d^N object",
                     "optimal_zero" if sol["zero_key"] else "closed_form", 0.0)


def rate_upper_bound(
    local_dim: int,
    n_parties: int,
    visibility: float,
    leakage: float,
    model: str = "uniform",
    measurements: Sequence[Measurement] | str | None = None,
    attack: str = "paper",
    *,
    cut_bound: bool | None = None,
    n_starts: int = DEFAULT_STARTS,
    rng: np.random.Generator | None = None,
) -> RateBound:
    r"""Upper bound on the secret-key rate of an isotropic GHZ source with leakage (Eq. 29).

    Parameters
    ----------
    local_dim, n_parties : int
        :math:`d \ge 2`, :math:`N \ge 2`.
    visibility, leakage : float
        :math:`v, L \in [0, 1]`.
    model : {"uniform", "junk"}
        Leakage model (Eq. 11 or Eq. 20).
    measurements : None, "search" or list of Measurement
        Honest parties' bases (see module docstring).
    attack : {"paper", "extended", "intrinsic"}
        Eve's attack: the paper's CC attack (Eq. 12); the extended CC attack that also forgets
        flags and merges leaked rounds (:mod:`qkdbounds.attacks.extended`); or the intrinsic
        information over all channels on Eve's full CC record, started from the extended attack
        (:mod:`qkdbounds.attacks.intrinsic`). Each is a valid bound and each is <= the previous.
    cut_bound : bool, optional
        Also compute the conference-key cut bound (N >= 3). Default: only when there are at most
        ``MAX_AUTO_CUTS`` bipartitions (N <= 6), since each cut is a separate minimisation.
    n_starts : int
        Random starts of Eve's minimisation per setting (besides 3 structured starts).
    rng : numpy.random.Generator, optional
        Seeded generator for random starts / searches (default ``default_rng(0)``).

    Returns
    -------
    RateBound

    Examples
    --------
    >>> r = rate_upper_bound(2, 2, 1.0, 0.1)
    >>> round(r.value, 12)        # (1 - L) log2 d at v = 1
    0.9
    >>> rate_upper_bound(2, 2, 0.35, 0.1).value   # below 1/(3 - 2L): no key
    0.0
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_parties", n_parties, 2)
    state = isotropic_ghz(d, n, visibility)
    leakage = check_probability("leakage", leakage)
    check_choice("model", model, LEAKAGE_MODELS)
    check_choice("attack", attack, ATTACKS)
    n_starts = check_int("n_starts", n_starts, 0, 1000)
    if cut_bound is None:
        cut_bound = 2 ** (n - 1) - 1 <= MAX_AUTO_CUTS
    rng = np.random.default_rng(0) if rng is None else rng

    if measurements is None and d**n > STRUCTURED_ABOVE and attack in SYMMETRIC_ATTACKS:
        return _structured(d, n, visibility, leakage, model, attack)
    if measurements is None:
        settings, how = [[computational(d)] * n], "Z basis for all parties (optimality tested)"
    elif isinstance(measurements, str):
        check_choice("measurements", measurements, ("search", "Z"))
        if measurements == "Z":
            settings, how = [[computational(d)] * n], "Z basis for all parties"
        else:
            settings, how = _candidate_settings(d, n, rng)
    else:
        settings, how = [list(measurements)], "given measurements"
        if len(settings[0]) != n or any(m.dim != d for m in settings[0]):
            raise InputError(f"measurements must be {n} bases of dimension {d}")

    best = None
    for setting in settings:
        main, cut_value, cut_s = _evaluate_setting(state, setting, leakage, model, attack, n_starts,
                                                   rng, cut_bound)
        value = main[0] / (n - 1)
        if best is None or value > best[0]:
            best = (value, setting, main, cut_value, cut_s)
    value, setting, (_, zero_key, _, attack_cert), cut_value, cut_s = best
    value = 0.0 if value < ATOL_RATE and zero_key else value
    certificate = {
        "attack": attack_cert,
        "measurements": [m.label for m in setting],
        "measurement_unitaries": [m.unitary for m in setting],
        "measurement_search": how,
        "cut": {"S": list(cut_s), "value": cut_value},
    }
    status = "optimal_zero" if zero_key else "converged"
    method = f"max over settings: {how}; min over Eve: {attack_cert['method']}"
    return RateBound(value, cut_value if cut_bound else None, certificate, method, status, GAMMA_TOL)
