r"""The general route of the rate bound: dense minimisers over Eve on the full outcome space.

Max-min key-rate upper bounds of paper 1 (Eqs. 3, 13-14, 25, 29).

.. math::

    R \le \frac{1}{N-1}\max_{\vec x}\min_{\gamma} p(e=?|\vec x)\,
          I_{\vec x}(A_1\ldots A_N|e=?)

with :math:`I` the total correlation (the paper's N-party quantity).  Beside it we report the
conference-key cut bound :math:`\max_{\vec x}\min_{S}\min_\gamma p(?)\,I(A_S:A_{S^c}|?)`, valid
because an N-party conference key is in particular a key across every cut :math:`S|S^c`, whose
rate is bounded by the intrinsic information across that cut (no :math:`1/(N-1)` factor).  For
N = 2 both coincide.

The max over measurements (the honest parties' settings):

* ``measurements="Z"``: every party measures the computational basis.  By the
  :math:`U\otimes U^*` invariance of the isotropic state (N = 2) one party may be fixed to Z;
  that Z on the other side is optimal is verified by exhaustive angle grids (d = 2) and seeded
  Haar-random searches (d = 3, N = 3) in ``tests/bounds/test_measurement_optimality.py``.
* ``measurements="search"``: an explicit global search at this point (exhaustive angle grid for
  d = N = 2, where the bound depends on one angle only; seeded Haar-random settings plus Z
  otherwise); the best setting found is returned in the certificate.
* a list of :class:`~qkdbounds.measurements.Measurement`: exactly those bases.
"""

from __future__ import annotations

import numpy as np

from .._tolerances import ATOL_RATE, GAMMA_TOL
from ..attacks.cc import question_class
from ..attacks.eve import minimize_gamma
from ..info.entropy import bipartitions, group_information_measure
from ..measurements.bases import computational, random_measurement, xz_plane
from ..states.isotropic import isotropic_ghz
from ._results import RateBound
from ..status import Status

__all__ = ["general_rate_bound", "N_SEARCH_ANGLES", "N_SEARCH_RANDOM", "BEST_ORDER"]

#: Attacks of ``attack="best"``, in the order that names the winner on ties.
BEST_ORDER = ("paper", "extended", "no_attack")


def _honest_distribution(state, setting):
    r"""The honest outcome distribution :math:`v\,p^{ent} + (1-v)/d^N` at ``setting``."""
    from ..attacks.cc import ghz_distribution

    p_ent = ghz_distribution(setting)
    return state.visibility * p_ent + (1 - state.visibility) / p_ent.size


def _components(attack, main_value, cert, state, setting, leakage, model):
    """Paper / extended / no-attack bounds (bits, normalised) at one setting, NaN if unknown."""
    n = state.n_parties
    leak_u = leakage if model == "uniform" else 0.0
    p_honest = _honest_distribution(state, setting)
    trivial = (1.0 - leak_u) * group_information_measure(p_honest, [[i] for i in range(n)]) / (n - 1)
    paper = main_value if attack == "paper" else cert.get("paper_value", np.nan)
    ext = main_value if attack == "extended" else cert.get("extended_value", np.nan)
    return {"paper": float(paper), "extended": float(ext), "no_attack": float(trivial)}

#: Angles of the exhaustive grid of the d = N = 2 measurement search.
N_SEARCH_ANGLES = 61
#: Haar-random settings tried by the generic measurement search.
N_SEARCH_RANDOM = 24


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
    if attack == "best":
        p_honest = _honest_distribution(state, setting)
        leak_u = leakage if model == "uniform" else 0.0

        def solve(groups):
            sol = minimize_extended(eqc, groups, rng=rng)
            k = len(groups) - 1
            trivial = (1.0 - leak_u) * group_information_measure(p_honest, groups)
            options = {"paper": sol.paper_value, "extended": sol.value, "no_attack": trivial}
            used = min(options, key=lambda a: (options[a], BEST_ORDER.index(a)))
            value = options[used]
            zero = sol.zero_key or value <= 0.0
            return value, zero, (1.0 - leak_u) if used == "no_attack" else sol.p_question, {
                "name": "best of the paper, extended and no-attack bounds (Eve adapts per setting)",
                "model": model, "q": qc.q, "attack_used": used,
                "paper_value": sol.paper_value / k, "extended_value": sol.value / k,
                "no_attack_value": trivial / k, "moved_leaked_mass": sol.y,
                "flag_group_fractions": sol.eta, "p_question": sol.p_question,
                "zero_key_certificate": sol.zero_key,
                "method": f"min over attacks; extended: {sol.method}"}
        return solve
    if attack == "extended":
        def solve(groups):
            sol = minimize_extended(eqc, groups, rng=rng)
            return sol.value, sol.zero_key, sol.p_question, {
                "name": "extended CC attack (flags forgotten, leaked rounds merged into '?')",
                "model": model, "q": qc.q, "moved_leaked_mass": sol.y, "flag_group_fractions": sol.eta,
                "flag_group_masses": eqc.flags.reshape(len(eqc.flags), -1).sum(axis=1),
                "p_question": sol.p_question,
                # the paper attack's bound on the same footing as ``value`` (TC/(N-1) for the
                # N singletons, the mutual information for a cut)
                "paper_value": sol.paper_value / (len(groups) - 1),
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
            "labels_after_merge": sol.labels_after_merge,
            "extended_value": ext.value / (len(groups) - 1),
            "paper_value": ext.paper_value / (len(groups) - 1),
            "zero_key_certificate": ext.zero_key, "method": sol.method}
    return solve


def _cut_representatives(state, setting) -> list[tuple[int, ...]]:
    """The cuts to evaluate: every bipartition, or -- when every party measures in the same basis
    and the honest distribution is invariant under every permutation of the parties (the
    isotropic GHZ state measured in one basis by all, e.g. Z) -- one cut per size,
    ``(0, ..., k-1)`` for k = 1..N//2 (a cut of size N - k is the complement of one of size k).
    Then a permutation of the parties maps Eve's whole problem for one cut onto the other's (her
    flagged product members are measured alike by every party too, and the leakage models treat
    the parties alike), so the cuts of one size have equal values.  Per-party bases with a
    symmetric honest distribution are not enough: the flagged members' distributions can differ
    (Y, X, Y* on three qubits)."""
    n = state.n_parties
    same = all(np.array_equal(m.unitary, setting[0].unitary) for m in setting[1:])
    p = _honest_distribution(state, setting)
    # S_N is generated by the transposition (0 1) and the cycle (0 1 ... N-1)
    if same and np.array_equal(p, np.swapaxes(p, 0, 1)) and np.array_equal(p, np.moveaxis(p, 0, -1)):
        return [tuple(range(k)) for k in range(1, n // 2 + 1)]
    return bipartitions(n)


def _evaluate_setting(state, setting, leakage, model, attack, n_starts, rng, cut: bool, done=None):
    """Eve's minimisation at one setting (all parties singletons) and, if ``cut``, over the cuts;
    ``done(share)`` after each minimisation with its share of the setting's work."""
    n = state.n_parties
    solve = _solver(state, setting, leakage, model, attack, n_starts, rng)
    cuts = _cut_representatives(state, setting) if n > 2 and cut else []
    share = 1.0 / (1 + len(cuts))
    main = solve([[i] for i in range(n)])
    if done is not None:
        done(share)
    cut_value, cut_s = main[0], (0,)
    if cuts:
        cut_value = np.inf
        for s in cuts:
            rest = [i for i in range(n) if i not in s]
            value = solve([list(s), rest])[0]
            if done is not None:
                done(share)
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


def general_rate_bound(d: int, n: int, visibility: float, leakage: float, model: str,
                       measurements, attack: str, cut_bound: bool, n_starts: int,
                       rng: np.random.Generator, progress=None) -> RateBound:
    """One point on the general route (inputs already validated by the dispatcher).

    ``measurements`` is ``"Z"``, ``"search"`` or a list of :class:`Measurement`.  The rate bound
    is the max over settings of the min over Eve; the cut bound (if asked) is the max over
    settings of the min over cuts, tracked separately (its maximising setting may differ).
    ``progress(fraction)`` (optional) after each of Eve's minimisations, with its share of the
    point (the shares add up to 1).
    """
    state = isotropic_ghz(d, n, visibility)
    if isinstance(measurements, str):
        if measurements == "Z":
            settings, how = [[computational(d)] * n], "Z basis for all parties"
        else:
            settings, how = _candidate_settings(d, n, rng)
    else:
        settings, how = [list(measurements)], "given measurements"

    best = None
    best_cut = None
    comps = {"paper": -np.inf, "extended": -np.inf, "no_attack": -np.inf}
    done = None if progress is None else (lambda share: progress(share / len(settings)))
    for setting in settings:
        main, cut_value, cut_s = _evaluate_setting(state, setting, leakage, model, attack, n_starts,
                                                   rng, cut_bound, done)
        value = main[0] / (n - 1)
        # each attack's own max over settings (NaN propagates: not computed)
        for key, x in _components(attack, value, main[3], state, setting, leakage, model).items():
            comps[key] = x if np.isnan(x) else max(comps[key], x)
        if best is None or value > best[0]:
            best = (value, setting, main)
        if cut_bound and (best_cut is None or cut_value > best_cut[0]):
            best_cut = (cut_value, cut_s, setting)
    value, setting, (_, zero_key, _, attack_cert) = best
    value = 0.0 if value < ATOL_RATE and zero_key else value
    certificate = {
        "attack": attack_cert,
        "measurements": [m.label for m in setting],
        "measurement_unitaries": [m.unitary for m in setting],
        "measurement_search": how,
        "cut": None if best_cut is None else {
            "S": list(best_cut[1]), "value": best_cut[0],
            "measurements": [m.label for m in best_cut[2]],
            "meaning": "min over cuts S|S^c of Eve's min p(?) I(A_S:A_S^c|?) (bits), "
                       "at the setting maximising it"},
    }
    status = Status.OPTIMAL if zero_key else Status.CERTIFIED
    message = ("zero key certified by Eve's explicit attack" if zero_key else
               "Eve's attack is explicit and recomputable; her minimisation uses seeded starts "
               "and is not proven optimal")
    method = f"general route; max over settings: {how}; min over Eve: {attack_cert['method']}"
    used = attack_cert.get("attack_used", attack) if attack == "best" else attack
    certificate["attack_used"] = used
    comps = {k: (None if np.isnan(x) else (0.0 if x < ATOL_RATE and k == used and zero_key else x))
             for k, x in comps.items()}
    return RateBound(value, None if best_cut is None else best_cut[0], certificate, method,
                     status, GAMMA_TOL, attack_used=used, paper_value=comps["paper"],
                     extended_value=comps["extended"], no_attack_value=comps["no_attack"],
                     message=message)
