"""Invariants of the max-min rate bound (SPEC §6) and known values (Eq. 29)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qkdbounds import rate_upper_bound, visibility_threshold
from qkdbounds.bounds import threshold_closed_form
from qkdbounds.info.entropy import group_information_measure
from qkdbounds.measurements import computational, ghz_distribution

SIZES = [(2, 2), (3, 2), (2, 3), (4, 2)]


@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
@pytest.mark.parametrize("leak", [0.0, 0.1, 0.3])
def test_full_visibility_values(d, n, leak):
    # v = 1: q_v = 0, "?" holds the GHZ rounds that did not leak: (1 - L) log2 d (uniform),
    # and all GHZ rounds (junk-only leakage): log2 d.
    assert_allclose(rate_upper_bound(d, n, 1.0, leak, "uniform").value, (1 - leak) * np.log2(d), atol=1e-12)
    assert_allclose(rate_upper_bound(d, n, 1.0, leak, "junk").value, np.log2(d), atol=1e-12)


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
def test_range_and_monotonicity_in_visibility(d, n, model):
    leak = 0.2
    rates = [rate_upper_bound(d, n, v, leak, model).value for v in np.linspace(0, 1, 26)]
    assert all(0 <= r <= np.log2(d) + 1e-12 for r in rates)
    assert all(b >= a - 1e-10 for a, b in zip(rates, rates[1:]))


@pytest.mark.parametrize("model", ["uniform", "junk"])
def test_monotone_decreasing_in_leakage(model):
    for v in (0.5, 0.8, 0.95):
        rates = [rate_upper_bound(2, 2, v, leak, model).value for leak in np.linspace(0, 1, 21)]
        assert all(b <= a + 1e-10 for a, b in zip(rates, rates[1:]))


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", SIZES, ids=[f"d{d}N{n}" for d, n in SIZES])
@pytest.mark.parametrize("leak", [0.05, 0.2, 0.5])
def test_zero_at_and_below_threshold_positive_above(d, n, leak, model):
    v_star = threshold_closed_form(d, n, leak, model)
    for v in (v_star, v_star - 1e-3, v_star / 2):
        r = rate_upper_bound(d, n, v, leak, model)
        assert r.value == 0.0 and r.status == "optimal" and r.zero_key
    above = rate_upper_bound(d, n, min(1.0, v_star + 1e-3), leak, model)
    assert above.value > 0 and above.status == "closed_form" and not above.zero_key


@given(st.floats(0, 1), st.floats(0, 1))
def test_bound_never_exceeds_log_d_and_cut_is_valid(v, leak):
    r = rate_upper_bound(2, 3, v, leak, cut_bound=True)
    assert 0 <= r.value <= 1 + 1e-12
    assert 0 <= r.cut_bound <= 1 + 1e-12
    assert r.best == min(r.value, r.cut_bound)


def test_certificate_contents():
    # general route (bases given): the full gamma tensor is in the certificate
    r = rate_upper_bound(2, 2, 0.8, 0.1, measurements=[computational(2)] * 2, attack="paper")
    cert = r.certificate
    assert cert["measurements"] == ["Z", "Z"]
    gamma = np.asarray(cert["attack"]["gamma"])
    assert gamma.shape == (2, 2) and np.all((gamma >= 0) & (gamma <= 1))
    # recompute the bound from the certificate alone (Eq. 15 with the reported gamma and q)
    q, leak = cert["attack"]["q"], 0.1
    p_ent = np.diag([0.5, 0.5])
    p_sep = (p_ent + 0.5) / 3
    m = (1 - q) * (1 - leak) * p_ent + gamma * q * leak * p_sep
    p = m / m.sum()
    tc = sum(-np.sum(x * np.log2(x)) for x in (p.sum(0), p.sum(1))) + np.sum(p[p > 0] * np.log2(p[p > 0]))
    assert_allclose(m.sum() * tc, r.value, atol=1e-12)


@pytest.mark.parametrize("kwargs,name", [
    (dict(visibility=-0.1), "visibility"), (dict(leakage=1.01), "leakage"),
    (dict(leakage=float("inf")), "leakage"), (dict(model="both"), "model"),
    (dict(local_dim=1), "local_dim"), (dict(n_parties=0), "n_parties"), (dict(attack="magic"), "attack"),
])
def test_bad_inputs_name_the_parameter(kwargs, name):
    args = dict(local_dim=2, n_parties=2, visibility=0.5, leakage=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        rate_upper_bound(**args)


@given(st.one_of(st.floats(allow_nan=True), st.floats(min_value=1.0000001), st.floats(max_value=-1e-9)))
def test_threshold_rejects_bad_leakage(leak):
    if 0 <= leak <= 1:
        return
    with pytest.raises(ValueError, match="leakage"):
        visibility_threshold(2, 2, leak, numeric=False)


@pytest.mark.parametrize("attack", ["paper", "extended"])
@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (2, 3), (3, 3)])
def test_structured_certificate_recomputes_the_value(d, n, model, attack):
    """Rebuild Eve's "?" class on all d^N strings from the compact certificate alone (q, gamma by
    outcome type, forgotten-flag fraction) and the definitions (Eqs. 8, 11-12, 20), and recompute
    p(?) TC(A|?)/(N-1) densely."""
    for v, leak in ((0.3, 0.15), (0.6, 0.15), (0.9, 0.15), (1.0, 0.15), (0.3, 0.5), (0.2, 0.9)):
        r = rate_upper_bound(d, n, v, leak, model, attack=attack)
        a = r.certificate["attack"]
        q = a["q"]
        p_ent = ghz_distribution([computational(d)] * n)            # 1/d on constant strings
        constant = p_ent > 0
        # Eq. (9): rho_sep = (D rho_phase + rho_diag)/(1+D) in Z: p_sep = (1/d^N D + p_ent)/(1+D)
        big_d = d ** (n - 1)
        p_sep = (big_d / d**n + p_ent) / (1 + big_d)
        gamma = np.where(constant, a["gamma_constant_strings"], a["gamma_other_strings"])
        leak_ghz = leak if model == "uniform" else 0.0
        m = (1 - q) * (1 - leak_ghz) * p_ent + gamma * q * leak * p_sep
        # forgotten flags: the phase-randomised product rounds that did not leak (uniform)
        m = m + a["forgotten_flag_fraction"] * q * (1 - leak) * big_d / (1 + big_d) / d**n
        value = group_information_measure(m, [[i] for i in range(n)]) / (n - 1)
        assert_allclose(value, r.value, atol=1e-12)
        assert_allclose(m.sum(), a["p_question"], atol=1e-12)


def test_extended_certificate_paper_value_is_the_paper_bound():
    """``attack.paper_value`` holds the paper attack's bound on the same footing (TC/(N-1))."""
    z = [computational(2)] * 3
    ext = rate_upper_bound(2, 3, 0.8, 0.1, measurements=z, attack="extended")
    paper = rate_upper_bound(2, 3, 0.8, 0.1, measurements=z, attack="paper")
    assert_allclose(ext.certificate["attack"]["paper_value"], paper.value, atol=1e-9)
    assert ext.value <= paper.value + 1e-12


@pytest.mark.parametrize("d,n,model", [(2, 2, "uniform"), (3, 2, "junk"), (2, 4, "uniform")])
def test_zero_only_with_the_zero_key_certificate(d, n, model):
    """A zero rate is reported exactly when Eve's certificate makes "?" uniform, also just above
    the threshold where the bound is tiny but positive (structured and general routes)."""
    leak = 0.2
    v_star = float(threshold_closed_form(d, n, leak, model))
    v = np.concatenate([v_star * (1 - np.geomspace(1e-9, 0.5, 12)),
                        np.minimum(1.0, v_star * (1 + np.geomspace(1e-6, 0.5, 12)))])
    r = rate_upper_bound(d, n, v, leak, model)
    assert np.array_equal(r.value == 0, r.zero_key)
    assert np.all(r.zero_key[:12]) and not np.any(r.zero_key[12:])
    assert np.all(r.value[12:] > 0)
    z = [computational(d)] * n
    for vi in v[[0, 11, 12, 13, 23]]:
        g = rate_upper_bound(d, n, float(vi), leak, model, measurements=z)
        assert (g.value == 0) == g.zero_key == (vi <= v_star)


def test_threshold_status_flags_disagreeing_routes(monkeypatch):
    """closed_form (verified) means the two routes agree to 1e-6; a 1e-4 disagreement must be
    flagged as heuristic."""
    import qkdbounds.bounds.threshold as threshold_module

    ok = visibility_threshold(2, 3, 0.2)
    assert ok.status == "closed_form" and "verified" in ok.message
    real = threshold_module.numeric_threshold
    monkeypatch.setattr(threshold_module, "numeric_threshold",
                        lambda *a, **k: real(*a, **k) + 1e-4)
    t = visibility_threshold(2, 3, 0.2)
    assert t.status == "heuristic" and "disagree" in t.message and t.agreement == pytest.approx(1e-4, rel=1e-3)


@pytest.mark.parametrize("kwargs", [dict(cut_bound=True), dict(attack="intrinsic"),
                                    dict(measurements="search")])
def test_huge_general_route_requests_are_refused_not_overflowing(kwargs):
    with pytest.raises(ValueError, match="allowed"):
        rate_upper_bound(2, 2000, 0.9, 0.1, **kwargs)
    with pytest.raises(ValueError, match="allowed"):
        rate_upper_bound(65536, 10000, 0.9, 0.1, **kwargs)


def test_ragged_input_is_an_input_error():
    from qkdbounds.errors import InputError

    with pytest.raises(InputError, match="visibility"):
        rate_upper_bound(2, 2, [[0.1, 0.2], [0.3]], 0.1)
    with pytest.raises(InputError, match="leakage"):
        visibility_threshold(2, 2, [[0.1, 0.2], [0.3]])


def test_covariant_given_bases_give_the_z_value():
    # audit of issue 19 (session 34): for the isotropic pair, bases (U, conj(U)) up to relabelled
    # outcomes are covariant with Z (U x U* invariance); the general route's fixed Eq. (9)
    # ensemble gave 0.723 (X, X) and 0.727 (U, conj U) against Z's 0.716012 at v = 0.95, L = 0.1
    import qkdbounds as q
    from scipy.stats import unitary_group

    h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    u = unitary_group.rvs(2, random_state=1)
    z = q.rate_upper_bound(2, 2, 0.95, 0.1)
    for us in ([h, h], [u, u.conj()], [u, u.conj()[:, ::-1]]):
        r = q.rate_upper_bound(2, 2, 0.95, 0.1, measurements=[q.from_unitary(x) for x in us])
        assert r.value == pytest.approx(z.value, abs=1e-12)
        assert r.verdict == z.verdict and r.lower_bound == pytest.approx(z.lower_bound)
        assert "covariant" in r.method
    # a non-covariant pair stays on the general route
    other = q.rate_upper_bound(2, 2, 0.95, 0.1, measurements=[q.from_unitary(h), q.from_unitary(np.eye(2))])
    assert other.route == "general" and "covariant" not in other.method


@pytest.mark.parametrize("d,n,attack", [(2, 4, "best"), (2, 5, "extended"), (3, 3, "paper")])
def test_cut_bound_on_one_cut_per_size_equals_every_cut(d, n, attack, monkeypatch):
    """The isotropic GHZ state at Z bases is invariant under permuting the parties, so the cut
    bound evaluates one cut per size; the same bound over all 2^(N-1) - 1 cuts (the full
    enumeration, patched in) agrees."""
    import qkdbounds.bounds._general as general
    from qkdbounds.info.entropy import bipartitions

    fast = rate_upper_bound(d, n, 0.9, 0.1, "uniform", attack=attack, cut_bound=True)
    monkeypatch.setattr(general, "_cut_representatives", lambda state, setting: bipartitions(state.n_parties))
    full = rate_upper_bound(d, n, 0.9, 0.1, "uniform", attack=attack, cut_bound=True)
    assert fast.cut_bound == pytest.approx(full.cut_bound, abs=1e-9)


def test_cut_representatives_only_for_a_permutation_invariant_distribution():
    from qkdbounds.bounds._general import _cut_representatives
    from qkdbounds.info.entropy import bipartitions
    from qkdbounds.measurements import random_measurement
    from qkdbounds.states import isotropic_ghz

    state = isotropic_ghz(2, 4, 0.9)
    assert _cut_representatives(state, [computational(2)] * 4) == [(0,), (0, 1)]
    assert _cut_representatives(isotropic_ghz(2, 5, 0.9), [computational(2)] * 5) == [(0,), (0, 1)]
    other = [computational(2)] * 3 + [random_measurement(2, np.random.default_rng(1))]
    assert _cut_representatives(state, other) == bipartitions(4)


def test_cut_bound_with_a_symmetric_distribution_but_different_bases_takes_every_cut():
    """Review (session 35): Y, X, Y* on three qubits give an honest distribution invariant under
    permuting the parties, but Eve's flagged members are measured differently per party, and
    the cut (0, 2) is lower than (0,) and (0, 1): every cut must be evaluated."""
    from qkdbounds.measurements import from_unitary

    h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    y = from_unitary(np.diag([1, 1j]) @ h, "Y")
    y_conj = from_unitary(np.diag([1, -1j]) @ h, "Y*")
    x = from_unitary(h, "X")
    r = rate_upper_bound(2, 3, 0.8, 0.1, measurements=[y, x, y_conj], attack="extended", cut_bound=True)
    assert r.cut_bound == pytest.approx(0.436446, abs=2e-5)
    assert r.certificate["cut"]["S"] == [0, 2]


def test_general_route_progress_adds_up_to_the_points():
    """The callback gets fractions of a point on the general route (per setting and per cut)
    and they add up to the number of points."""
    calls = []
    rate_upper_bound(2, 4, [0.8, 0.9], 0.1, cut_bound=True, callback=calls.append)
    assert len(calls) == 2 * 3 and sum(calls) == pytest.approx(2.0)   # 1 + 2 cut sizes per point
    calls = []
    rate_upper_bound(2, 3, 0.9, 0.1, measurements="search", callback=calls.append)
    assert len(calls) == 25 and sum(calls) == pytest.approx(1.0)      # Z + 24 random settings
