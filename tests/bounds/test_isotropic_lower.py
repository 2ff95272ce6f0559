"""The isotropic Devetak-Winter lower bound, the verdict, and the default (best) attack."""

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.bounds.isotropic_lower import (conditional_entropy_x_given_e,
                                              error_correction_cost, isotropic_lower_bound)
from qkdbounds.bounds.symmetric import no_attack_bounds
from qkdbounds.states.isotropic import ghz_vector


def _entropy(m):
    e = np.linalg.eigvalsh(m)
    e = e[e > 1e-15]
    return float(-(e * np.log2(e)).sum())


def _dense_dw(d, n, v, leak):
    """H(X|E) and H(A1|A2) from an explicit purification, and the leakage-aware DW rate."""
    psi = ghz_vector(d, n)
    big = d**n
    rho = v * np.outer(psi, psi.conj()) + (1 - v) * np.eye(big) / big
    lam, u = np.linalg.eigh(rho)
    # |Psi> = sum_i sqrt(lam_i) |u_i>|i>_E, indexed (A1, rest, E)
    amp = (u * np.sqrt(np.clip(lam, 0, None))).reshape(d, big // d, big)
    px = np.array([np.linalg.norm(amp[x])**2 for x in range(d)])
    rho_e_x = [amp[x].T @ amp[x].conj() for x in range(d)]        # unnormalised
    h_x = -float(sum(p * np.log2(p) for p in px if p > 0))
    h_xe = h_x + sum(p * _entropy(r / p) for p, r in zip(px, rho_e_x) if p > 0) \
        - _entropy(sum(rho_e_x))
    # H(A1|A2) from the Z-basis joint distribution
    probs = np.real(np.diag(rho)).reshape((d,) * n)
    pair = probs.sum(axis=tuple(range(2, n)))
    pos = pair[pair > 0]
    h_pair = -float((pos * np.log2(pos)).sum())
    ec = h_pair - np.log2(d)
    return h_xe, ec, max(0.0, (1 - leak) * h_xe - ec)


@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (2, 3)])
@pytest.mark.parametrize("v", [0.0, 0.4, 0.8, 0.93, 1.0])
@pytest.mark.parametrize("leak", [0.0, 0.05, 0.3])
def test_closed_form_equals_dense_purification(d, n, v, leak):
    h_xe, ec, rate = _dense_dw(d, n, v, leak)
    assert float(conditional_entropy_x_given_e(d, n, v)) == pytest.approx(h_xe, abs=1e-10)
    assert float(error_correction_cost(d, v)) == pytest.approx(ec, abs=1e-10)
    assert float(isotropic_lower_bound(d, n, v, leak)) == pytest.approx(rate, abs=1e-10)


def test_lower_bound_never_exceeds_upper_bound_on_a_grid():
    v = np.linspace(0, 1, 41)[:, None]
    leak = np.linspace(0, 1, 21)[None, :]
    for d, n in [(2, 2), (3, 2), (2, 3), (4, 5), (2, 40)]:
        for model in ("uniform", "junk"):
            r = rate_upper_bound(d, n, v, leak, model)
            assert np.all(r.lower_bound <= r.value + 1e-12), (d, n, model)
            assert np.all(r.lower_bound <= r.paper_value + 1e-12)
            assert set(np.unique(r.verdict)) <= {"no_key", "key", "open"}


def test_verdicts_key_no_key_open():
    # 5% white noise, no leakage: key
    r = rate_upper_bound(2, 2, 0.95, 0.0)
    assert r.lower_bound > 0.5 and r.verdict == "key"
    assert r.lower_bound_method.startswith("Devetak-Winter")
    # below the CC threshold 1/3: no key
    r = rate_upper_bound(2, 2, 0.3, 0.0)
    assert r.value == 0.0 and r.verdict == "no_key"
    # between the CC zero threshold (1/3) and the lower bound's zero (~0.748): open
    r = rate_upper_bound(2, 2, 0.5, 0.0)
    assert r.value > 0 and r.lower_bound == 0.0 and r.verdict == "open"
    grid = rate_upper_bound(2, 2, [0.3, 0.5, 0.95], 0.0)
    assert grid.verdict.tolist() == ["no_key", "open", "key"]
    assert grid.point(2).verdict == "key"


def test_given_non_z_bases_carry_no_lower_bound():
    from qkdbounds.measurements.bases import computational, xz_plane

    r = rate_upper_bound(2, 2, 0.9, 0.1, measurements=[computational(2), xz_plane(0.4)])
    assert r.lower_bound is None and r.verdict in ("open", "no_key")
    z = rate_upper_bound(2, 2, 0.9, 0.1, measurements=[computational(2)] * 2)
    assert z.lower_bound == pytest.approx(float(isotropic_lower_bound(2, 2, 0.9, 0.1)))


# --- the default attack: the tightest valid bound -------------------------------------------

GRID_V = np.linspace(0, 1, 51)[:, None]
GRID_L = np.linspace(0, 1, 26)[None, :]


@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (2, 3), (3, 4), (5, 7), (2, 200)])
@pytest.mark.parametrize("model", ["uniform", "junk"])
def test_default_is_min_of_paper_extended_and_no_attack(d, n, model):
    best = rate_upper_bound(d, n, GRID_V, GRID_L, model)
    paper = rate_upper_bound(d, n, GRID_V, GRID_L, model, attack="paper")
    ext = rate_upper_bound(d, n, GRID_V, GRID_L, model, attack="extended")
    trivial = no_attack_bounds(d, n, GRID_V, GRID_L, model)
    assert np.all(best.value <= paper.value)
    assert np.all(best.value <= ext.value)
    assert np.all(best.value <= trivial)
    np.testing.assert_array_equal(best.value, np.minimum(np.minimum(paper.value, ext.value),
                                                         trivial))
    # paper_value is the paper attack, never a min with anything else
    np.testing.assert_array_equal(best.paper_value, paper.value)
    np.testing.assert_array_equal(best.extended_value, ext.value)
    np.testing.assert_array_equal(best.no_attack_value, trivial)
    # attack_used names an attack that achieves the value
    chosen = np.choose(np.searchsorted(["extended", "no_attack", "paper"], best.attack_used),
                       [ext.value, trivial, paper.value])
    np.testing.assert_allclose(chosen, best.value, atol=1e-13)


def test_no_attack_wins_somewhere_and_is_named():
    # the trivial bound is smaller than the paper attack's at high visibility with leakage
    r = rate_upper_bound(2, 2, 0.9, 0.1, attack="best")
    assert r.no_attack_value < r.paper_value
    assert r.value == min(r.paper_value, r.extended_value, r.no_attack_value)


def test_no_attack_closed_form_matches_dense_total_correlation():
    from qkdbounds.info.entropy import total_correlation

    for d, n, v, leak in [(2, 2, 0.9, 0.1), (3, 2, 0.6, 0.3), (2, 3, 0.8, 0.0), (3, 3, 0.4, 0.5)]:
        psi = ghz_vector(d, n)
        probs = (v * np.abs(psi)**2 + (1 - v) / d**n).reshape((d,) * n)
        tc = total_correlation(probs)
        assert float(no_attack_bounds(d, n, v, leak)) == pytest.approx((1 - leak) * tc / (n - 1))
        assert float(no_attack_bounds(d, n, v, leak, "junk")) == pytest.approx(tc / (n - 1))


def test_scalar_point_fields_equal_grid_fields():
    grid = rate_upper_bound(3, 3, [0.2, 0.7, 0.99], [0.0, 0.2, 0.05], "junk")
    for i, (v, leak) in enumerate([(0.2, 0.0), (0.7, 0.2), (0.99, 0.05)]):
        s = rate_upper_bound(3, 3, v, leak, "junk")
        p = grid.point(i)
        for key in ("value", "attack_used", "paper_value", "extended_value", "no_attack_value",
                    "lower_bound", "verdict"):
            assert getattr(s, key) == pytest.approx(getattr(p, key)) if isinstance(
                getattr(s, key), float) else getattr(s, key) == getattr(p, key), key


def test_search_route_best_adapts_per_setting():
    best = rate_upper_bound(2, 2, 0.9, 0.1, measurements="search")
    paper = rate_upper_bound(2, 2, 0.9, 0.1, measurements="search", attack="paper")
    assert best.value <= paper.value + 1e-9
    assert best.paper_value == pytest.approx(paper.value, abs=1e-7)
    assert best.value <= min(best.paper_value, best.extended_value, best.no_attack_value) + 1e-9
    assert best.attack_used in ("paper", "extended", "no_attack")
    assert best.verdict == "key"
