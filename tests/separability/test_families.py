"""Twirls and the closed-form families (Werner, isotropic: every d; Dür-Cirac GHZ-diagonal):
ensembles checked by reassembly, weights by the PPT SDP (a second route, exact in these families),
twirls against toqito's states."""

from __future__ import annotations

import numpy as np
import pytest
from toqito.states import isotropic as toqito_isotropic
from toqito.states import werner as toqito_werner

from qkdbounds.errors import InputError
from qkdbounds.separability import (
    certified_separable_weight,
    dur_cirac_twirl,
    ghz_diagonal_twirl,
    isotropic_separable_ensemble,
    isotropic_twirl,
    ppt_outer_weight,
    werner_separable_ensemble,
    werner_twirl,
)
from qkdbounds.separability._ensemble import mix
from qkdbounds.separability.families import family_decomposition
from qkdbounds.separability.twirls import antisymmetric_weight, ghz_weights, isotropic_fidelity
from qkdbounds.states import cc_weight, isotropic_ghz
from qkdbounds.states.sources import make_source

DIMS = [2, 3, 4, 5, 6]


def _random_state(dim, rng):
    g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    rho = g @ g.conj().T
    return rho / np.trace(rho)


@pytest.mark.parametrize("d", DIMS, ids=[f"d={d}" for d in DIMS])
def test_twirls_are_projections_onto_toqito_families(d, rng):
    rho = _random_state(d * d, rng)
    for twirl, fam in ((werner_twirl, "w"), (isotropic_twirl, "i")):
        t = twirl(rho, d)
        np.testing.assert_allclose(twirl(t, d), t, atol=1e-12)          # idempotent
        assert np.trace(t).real == pytest.approx(1.0, abs=1e-12)        # trace preserving
        assert np.linalg.eigvalsh(t).min() >= -1e-12                    # positive
    # toqito's isotropic(d, alpha): F = alpha + (1 - alpha)/d^2
    alpha = 0.37
    iso = toqito_isotropic(d, alpha)
    np.testing.assert_allclose(isotropic_twirl(iso, d), iso, atol=1e-12)
    assert isotropic_fidelity(iso, d) == pytest.approx(alpha + (1 - alpha) / d**2, abs=1e-12)
    # toqito's werner(d, alpha) = (1 - alpha F)/(d(d - alpha)): p_a = (d-1)(1+alpha)/(2(d-alpha))
    wer = toqito_werner(d, alpha)
    np.testing.assert_allclose(werner_twirl(wer, d), wer, atol=1e-12)
    assert antisymmetric_weight(wer, d) == pytest.approx((d - 1) * (1 + alpha) / (2 * (d - alpha)),
                                                         abs=1e-12)


@pytest.mark.parametrize("d", DIMS + [7, 8, 9, 12], ids=lambda d: f"d={d}")
def test_family_ensembles_reassemble(d):
    """Every d, prime or not: the phase-design + two-qubit-block ensembles give the isotropic
    states F in [0, 1/d] and (transposed) the Werner states p_a in [0, 1/2] exactly."""
    for f in (0.0, 0.4 / d, 1.0 / d):
        weights, vectors = isotropic_separable_ensemble(d, f)
        target = f * _phi(d) + (1 - f) * (np.eye(d * d) - _phi(d)) / (d * d - 1)
        assert weights.min() >= 0 and weights.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.linalg.norm(mix(weights, vectors) - target) <= 1e-12
    for p_a in (0.0, 0.2, 0.5):
        weights, vectors = werner_separable_ensemble(d, p_a)
        sigma = mix(weights, vectors)
        np.testing.assert_allclose(werner_twirl(sigma, d), sigma, atol=1e-12)
        assert antisymmetric_weight(sigma, d) == pytest.approx(p_a, abs=1e-12)


def _phi(d):
    phi = np.zeros(d * d)
    phi[np.arange(d) * (d + 1)] = 1 / np.sqrt(d)
    return np.outer(phi, phi)


@pytest.mark.parametrize("d", [3, 4, 6], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("fidelity", [0.1, 0.5, 0.9], ids=lambda f: f"F={f}")
def test_isotropic_closed_form_vs_ppt_sdp(d, fidelity):
    """q = min(1, d(1-F)/(d-1)) (Horodecki & Horodecki 1999); the PPT SDP is a second route
    (PPT = separable for isotropic states)."""
    rho = toqito_isotropic(d, (fidelity - 1 / d**2) / (1 - 1 / d**2))
    res = certified_separable_weight(make_source(rho, (d, d)))
    expected = min(1.0, d * (1 - fidelity) / (d - 1))
    assert res.method == "closed_form" and "isotropic" in res.reason
    assert res.weight == pytest.approx(expected, abs=1e-10)
    assert res.weight_outer == pytest.approx(expected, abs=1e-12)   # the closed form itself
    assert res.residual <= 1e-9
    assert ppt_outer_weight(make_source(rho, (d, d))) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("d", [3, 4, 6], ids=lambda d: f"d={d}")
@pytest.mark.parametrize("alpha", [-0.5, 0.5, 1.0], ids=lambda a: f"alpha={a}")
def test_werner_closed_form_vs_ppt_sdp(d, alpha):
    """q = min(1, 2(1 - p_a)) (Werner 1989); second route: the PPT SDP (PPT = separable for
    Werner states)."""
    rho = toqito_werner(d, alpha)
    p_a = (d - 1) * (1 + alpha) / (2 * (d - alpha))
    res = certified_separable_weight(make_source(rho, (d, d)))
    expected = min(1.0, 2 * (1 - p_a))
    assert res.method == "closed_form" and "Werner" in res.reason
    assert res.weight == pytest.approx(expected, abs=1e-10)
    assert res.weight_outer == pytest.approx(expected, abs=1e-12)
    assert ppt_outer_weight(make_source(rho, (d, d))) == pytest.approx(expected, abs=1e-6)
    tau = (rho - res.weight * res.sigma()) / (1 - res.weight) if res.weight < 1 else None
    if tau is not None:
        assert np.linalg.eigvalsh(tau).min() >= -1e-10


@pytest.mark.parametrize("n", [3, 4, 5], ids=lambda n: f"N={n}")
@pytest.mark.parametrize("v", [0.1, 0.4, 0.8], ids=lambda v: f"v={v}")
def test_ghz_noise_matches_paper_one(n, v):
    """N-qubit GHZ + white noise is of Dür-Cirac form; the closed form equals paper 1's Eq. (8)
    weight (and is optimal by Dür & Cirac's criterion)."""
    rho = isotropic_ghz(2, n, v).to_dense()
    res = certified_separable_weight(make_source(rho, (2,) * n))
    assert res.method == "closed_form" and "Dür-Cirac" in res.reason
    assert res.weight == pytest.approx(cc_weight(2, n, v), abs=1e-10)
    assert res.weight_outer == pytest.approx(cc_weight(2, n, v), abs=1e-12)
    assert res.residual <= 1e-9


@pytest.mark.parametrize("n", [3, 4], ids=lambda n: f"N={n}")
def test_random_dur_cirac_states_vs_ppt_sdp(n, rng):
    """Second route: Dür-Cirac states are fully separable iff PPT across every cut, so the PPT
    SDP over all cuts equals the closed form."""
    ghz = np.zeros(2**n)
    ghz[0] = ghz[-1] = 1 / np.sqrt(2)
    for mixing in (0.0, 0.4, 0.7):
        rho = dur_cirac_twirl(_random_state(2**n, rng))
        rho = (1 - mixing) * rho + mixing * np.outer(ghz, ghz)
        res = certified_separable_weight(make_source(rho, (2,) * n))
        assert res.method == "closed_form"
        ppt = ppt_outer_weight(make_source(rho, (2,) * n))
        assert res.weight == pytest.approx(ppt, abs=1e-6)
        assert res.weight_outer == pytest.approx(ppt, abs=1e-6)
        assert np.linalg.norm(res.sigma() - _sigma_target(res, rho)) <= 1e-9


def _sigma_target(res, rho):
    return rho if res.weight == 1 else res.sigma()


def test_ghz_diagonal_twirl_keeps_the_ghz_weights(rng):
    rho = _random_state(8, rng)
    t = ghz_diagonal_twirl(rho)
    np.testing.assert_allclose(ghz_weights(t), ghz_weights(rho), atol=1e-12)
    np.testing.assert_allclose(ghz_diagonal_twirl(t), t, atol=1e-12)
    assert np.abs(t - np.diag(np.diag(t))).max() > 0   # GHZ coherences survive


def test_symmetry_detection_is_strict(rng):
    """A state off the family by 1e-6 is not treated as symmetric."""
    rho = toqito_isotropic(3, 0.5)
    assert family_decomposition(rho, (3, 3)).family == "isotropic"
    off = 0.999 * rho + 0.001 * _random_state(9, rng)
    assert family_decomposition(off, (3, 3)) is None
    res = certified_separable_weight(make_source(off, (3, 3)), outer=False, rounds=3)
    assert res.method != "closed_form"


def test_family_inputs_validated():
    with pytest.raises(InputError, match="fidelity"):
        isotropic_separable_ensemble(3, 0.5)
    with pytest.raises(InputError, match="antisymmetric_weight"):
        werner_separable_ensemble(3, 0.7)
    with pytest.raises(InputError, match="local_dim"):
        isotropic_twirl(np.eye(4) / 4, 1)
    with pytest.raises(InputError, match="4 x 4"):
        werner_twirl(np.eye(9) / 9, 2)
