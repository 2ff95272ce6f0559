"""DPS level-2 outer bound (Doherty, Parrilo & Spedalieri, PRA 69, 022308 (2004))."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from toqito.state_props import has_symmetric_extension, is_ppt

from qkdbounds.errors import InputError
from qkdbounds.separability import dps_outer_weight, ppt_outer_weight
from qkdbounds.separability.dps import dps_size, symmetric_isometry
from qkdbounds.states.sources import make_source

from _sep_states import horodecki_state, tiles_state


def test_symmetric_isometry_projects_onto_the_symmetric_subspace():
    for d in (2, 3, 4):
        w = symmetric_isometry(d)
        np.testing.assert_allclose(w.T @ w, np.eye(d * (d + 1) // 2), atol=1e-14)
        flip = np.zeros((d * d, d * d))
        for i in range(d):
            for j in range(d):
                flip[j * d + i, i * d + j] = 1
        np.testing.assert_allclose(w @ w.T, (np.eye(d * d) + flip) / 2, atol=1e-14)


@pytest.mark.parametrize("a", [0.2, 0.5, 0.8], ids=lambda a: f"a={a}")
def test_horodecki_family_dps_below_ppt(a):
    """Horodecki's 3x3 family is PPT (toqito) so the PPT bound is 1, but it has no PPT symmetric
    extension (toqito's has_symmetric_extension, a second route): DPS outer < 1."""
    rho = horodecki_state(a)
    assert is_ppt(rho, 2, [3, 3])
    source = make_source(rho, (3, 3))
    value, status = dps_outer_weight(source)
    assert ppt_outer_weight(source) == pytest.approx(1.0, abs=1e-6)
    assert value < 0.99
    assert value >= 1 / (8 * a + 1) - 1e-7   # Horodecki's own product part (see test_engine)
    if a == 0.5:  # toqito's check takes ~10 s: once is enough
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert not has_symmetric_extension(rho, level=2, dim=[3, 3], ppt=True)


def test_tiles_state_dps_near_zero():
    """The tiles UPB state (Bennett et al., PRL 82, 5385 (1999)) is PPT, and its range holds no
    product vector; DPS finds no 2-extendible part in it either (value ~1e-6), PPT gives 1."""
    rho = tiles_state()
    source = make_source(rho, (3, 3))
    assert ppt_outer_weight(source) == pytest.approx(1.0, abs=1e-6)
    value, _ = dps_outer_weight(source)
    assert 0 <= value < 1e-4


def test_separable_states_are_fully_extendible(rng):
    """A separable state has a PPT symmetric extension: DPS = PPT = 1 (also complex entries and
    unequal dims, extending the smaller party)."""
    a = rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))
    b = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    rho = sum(np.outer(np.kron(x, y), np.kron(x, y).conj()) for x, y in zip(a, b))
    rho /= np.trace(rho)
    value, _ = dps_outer_weight(make_source(rho, (2, 3)))
    assert value == pytest.approx(1.0, abs=1e-6)
    value_swapped, _ = dps_outer_weight(make_source(
        rho.reshape(2, 3, 2, 3).transpose(1, 0, 3, 2).reshape(6, 6), (3, 2)))
    assert value_swapped == pytest.approx(1.0, abs=1e-6)


def test_dps_never_above_ppt(rng):
    for _ in range(2):
        g = rng.normal(size=(9, 9))
        rho = g @ g.T
        rho = 0.5 * rho / np.trace(rho) + 0.5 * np.eye(9) / 9
        source = make_source(rho, (3, 3))
        value, _ = dps_outer_weight(source)
        assert value <= ppt_outer_weight(source) + 1e-6


def test_dps_size_limits():
    assert dps_size((3, 3), complex_entries=False) == 27
    assert dps_size((2, 6), complex_entries=True) == 48
    with pytest.raises(InputError, match="at most 64"):
        dps_outer_weight(make_source(np.eye(25) / 25, (5, 5)))
    with pytest.raises(InputError, match="two parties"):
        dps_outer_weight(make_source(np.eye(8) / 8, (2, 2, 2)))
    with pytest.raises(InputError, match="Source"):
        dps_outer_weight(np.eye(4) / 4)


def _dps_by_projector(rho, d):
    """Second route: the same level-2 relaxation written with a full d^3 x d^3 variable, the
    Bose symmetry imposed as X~ = (1 (x) P_sym) X~ (1 (x) P_sym) (instead of an isometry)."""
    import cvxpy as cp

    w = symmetric_isometry(d)
    proj = np.kron(np.eye(d), w @ w.T)
    ext = cp.Variable((d**3, d**3), symmetric=True)
    dims3 = [d, d, d]
    x = cp.partial_trace(ext, dims3, axis=2)
    cons = [ext >> 0, ext == proj @ ext @ proj, rho - x >> 0,
            cp.partial_transpose(ext, dims3, axis=0) >> 0,
            cp.partial_transpose(ext, dims3, axis=2) >> 0]
    prob = cp.Problem(cp.Maximize(cp.trace(x)), cons)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(solver=cp.CLARABEL)
    return prob.value


def test_dps_value_by_a_second_formulation():
    """Horodecki a = 0.5: the isometry form equals the projector form (0.96545, recorded in
    docs/separability.md); dropping either partial transpose gives 0.9707 or 0.9796."""
    rho = horodecki_state(0.5)
    value, _ = dps_outer_weight(make_source(rho, (3, 3)))
    # both solves end "optimal_inaccurate" (~4e-5 apart); a dropped constraint moves it by 5e-3
    assert value == pytest.approx(_dps_by_projector(rho, 3), abs=5e-4)
    assert value == pytest.approx(0.96545, abs=5e-4)
