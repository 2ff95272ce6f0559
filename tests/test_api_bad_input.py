"""Bad input to the public API raises ``ValueError`` (InputError) naming the parameter -- the
cases an API fuzzing pass found raising TypeError, OverflowError, IndexError, AttributeError,
MemoryError, returning NaN/inf, or hanging (each failed before its fix)."""

from __future__ import annotations

import numpy as np
import pytest

import qkdbounds as q
import qkdbounds.repeaters as repeaters
import qkdbounds.states as states
from qkdbounds.bounds.data_bound import data_rate_upper_bound
from qkdbounds.bounds.threshold import numeric_threshold, threshold_closed_form, threshold_paper_printed
from qkdbounds.di.attack import di_cc_attack
from qkdbounds.di.bell_data import bell_box, load_bell_table
from qkdbounds.di.partial_transpose._general import ppt_state_key_bound
from qkdbounds.errors import InputError, check_real, check_rng
from qkdbounds.measurements.bases import computational, fourier

HUGE = 10**400          # an int beyond the float range

CASES = {
    "check_real huge int": (lambda: check_real("x", HUGE, 0, 1), "x"),
    "rate visibility huge int": (lambda: q.rate_upper_bound(2, 2, HUGE, 0.1), "visibility"),
    "rate rng": (lambda: q.rate_upper_bound(3, 2, 0.9, 0.1, attack="intrinsic", rng="x"), "rng"),
    "rate measurements int": (lambda: q.rate_upper_bound(2, 2, 0.9, 0.1, measurements=3), "measurements"),
    "rate callback": (lambda: q.rate_upper_bound(2, 2, 0.9, 0.1, callback=5), "callback"),
    "closed form nan parties": (lambda: threshold_closed_form(2, np.nan, 0.1), "n_parties"),
    "closed form fractional parties": (lambda: threshold_closed_form(2, 2.5, 0.1), "n_parties"),
    "printed nan leakage": (lambda: threshold_paper_printed(2, 2, np.nan), "leakage"),
    "printed leakage above 1": (lambda: threshold_paper_printed(2, 2, 1.5), "leakage"),
    "closed form complex leakage": (lambda: threshold_closed_form(2, 2, 0.5j), "leakage"),
    "numeric threshold xtol 0 (hung)": (lambda: numeric_threshold(2, 2, 0.1, xtol=0), "xtol"),
    "source measurements int": (lambda: q.source_rate_upper_bound(q.werner_state(0.9), 0.1, measurements=5),
                                "measurements"),
    "source complex leakage": (lambda: q.source_rate_upper_bound(q.werner_state(0.9), 0.1j), "leakage"),
    "source rng": (lambda: q.source_rate_upper_bound(q.werner_state(0.9), 0.1, rng=2.5), "rng"),
    "source 64x64 isotropic": (lambda: q.source_rate_upper_bound(np.eye(4096) / 4096, 0.1, dims=(64, 64)),
                               "source"),
    "data complex leakage": (lambda: data_rate_upper_bound("bb84", qber_z=0.05, qber_x=0.05, leakage=0.1j),
                             "leakage"),
    "data huge qber": (lambda: data_rate_upper_bound("bb84", qber_z=HUGE, qber_x=0.05, leakage=0.1), "qber_z"),
    "bell_box huge visibility": (lambda: bell_box(visibility=HUGE), "visibility"),
    "bell_box key_settings short": (lambda: bell_box(key_settings=(0,)), "key_settings"),
    "bell_box chsh_settings short": (lambda: bell_box(chsh_settings=((0, 1),)), "chsh_settings"),
    "bell_box bob_angles scalar": (lambda: bell_box(bob_angles=5), "bob_angles"),
    "di seeds int": (lambda: di_cc_attack(bell_box(), seeds=5), "seeds"),
    "di seeds of None": (lambda: di_cc_attack(bell_box(), seeds=[None]), "seeds"),
    "bell table atol": (lambda: load_bell_table("nonexistent.json", atol=None), "atol"),
    "computational huge": (lambda: computational(10**6), "local_dim"),
    "fourier huge": (lambda: fourier(10**30), "local_dim"),
    "ppt bound 64x64 (hung)": (lambda: ppt_state_key_bound(np.eye(4096) / 4096, (64, 64)), "dims"),
    # a second fuzzing pass (session 28): NaN out, ZeroDivisionError, IndexError, OverflowError,
    # AttributeError, MemoryError, or silently accepted
    "isotropic distribution nan": (lambda: _dist(np.nan), "visibility"),
    "minimize_gamma nan base": (lambda: _gamma(np.full((2, 2), np.nan)), "base"),
    "minimize_gamma empty": (lambda: _gamma(np.zeros((0, 0))), "base"),
    "minimize_gamma n_starts -1": (lambda: _gamma(np.ones((2, 2)), n_starts=-1), "n_starts"),
    "minimize_gamma tol nan": (lambda: _gamma(np.ones((2, 2)), tol=np.nan), "tol"),
    "joint gamma wrong shape": (lambda: _joint(2, gamma=np.ones(7)), "gamma"),
    "joint gamma nan": (lambda: _joint(2, gamma=np.full((2, 2), np.nan)), "gamma"),
    "joint 30 parties (8 GiB)": (lambda: _joint(30), "d^N"),
    "cc_decomposition beyond floats": (lambda: _cc(q.isotropic_ghz(65536, 10000, 0.5)), "d^(N-1)"),
    "cc_decomposition of a string": (lambda: _cc("x"), "state"),
    "choose_route dim 0": (lambda: _route(0, 2), "local_dim"),
    "choose_route measurements": (lambda: _route(2, 2, "bogus"), "measurements"),
    "load_state None": (lambda: _load_state(None), "path"),
    "ppt bound n_starts -1": (lambda: ppt_state_key_bound(np.eye(4) / 4, (2, 2), n_starts=-1), "n_starts"),
    # shapes that are no state were asked for dims (a fix no user could apply)
    "source 3-D array": (lambda: q.source_rate_upper_bound(np.zeros((2, 2, 2)), 0.1), "shape (2, 2, 2)"),
    "source 0-d array": (lambda: q.source_rate_upper_bound(np.array(1.0), 0.1), "shape ()"),
    "source empty array": (lambda: q.source_rate_upper_bound(np.array([]), 0.1), "shape (0,)"),
    "source None": (lambda: q.source_rate_upper_bound(None, 0.1), "square matrix or a state vector"),
    "source 4 x 3": (lambda: q.source_rate_upper_bound(np.zeros((4, 3)), 0.1), "shape (4, 3)"),
    "rate visibility None (read as NaN)": (lambda: q.rate_upper_bound(2, 2, None, 0.1), "got None"),
    "unbounded real NaN": (lambda: check_real("angle", np.nan), "angle must be a finite number, got nan"),
    # (a third API fuzzing pass: NaN/inf returned, hangs, nonsense accepted)
    "ghz_vector huge parties (hung)": (lambda: states.ghz_vector(2, HUGE), "d**N = 2**1000"),
    "cc_weight inf visibility": (lambda: states.cc_weight(2, 2, float("inf")), "visibility"),
    "cc_weight local_dim 0": (lambda: states.cc_weight(0, 2, 0.9), "local_dim"),
    "separable_visibility nan": (lambda: states.separable_visibility(float("nan"), 2), "local_dim"),
    "visibility_from_fidelity nan": (lambda: repeaters.visibility_from_fidelity(float("nan"), 2), "fidelity"),
    "visibility_from_fidelity bool dim": (lambda: repeaters.visibility_from_fidelity(0.9, True), "local_dim"),
    "check_isotropic nan tolerance": (lambda: repeaters.check_isotropic(np.eye(4) / 4, 2, tolerance=float("nan")),
                                      "tolerance"),
    "ppt bound nan atol (was certified)": (lambda: ppt_state_key_bound(np.eye(4) / 4, (2, 2),
                                                                       atol=float("nan")), "atol"),
    "is_ppt atol 1 (a Bell state PPT)": (lambda: q.is_ppt(np.eye(4) / 4, (2, 2), atol=1), "atol"),
    "is_ppt huge atol": (lambda: q.is_ppt(np.eye(4) / 4, (2, 2), atol=HUGE), "atol"),
    "rate complex array (imaginary part dropped)": (
        lambda: q.rate_upper_bound(2, 2, np.array([0.9 + 0.5j]), 0.1), "visibility"),
    "threshold complex array": (lambda: q.visibility_threshold(2, 2, np.array([0.1 + 0.5j])),
                                "leakage"),
    "rate bool visibility (read as 1)": (lambda: q.rate_upper_bound(2, 2, True, 0.1), "visibility"),
    # fuzzing: numpy parsed the text as a number, where check_real refuses a string
    "rate string visibility (parsed)": (lambda: q.rate_upper_bound(2, 2, "0.9", 0.1), "visibility"),
    "threshold string leakage (parsed)": (lambda: q.visibility_threshold(2, 2, ["0.1"]), "leakage"),
    "dw_lower_bound number (IndexError)": (lambda: q.dw_lower_bound(0.5), "box must be a BellBox"),
    "question_class None state (AttributeError)": (
        lambda: q.question_class(None, [computational(2)] * 2, 0.1), "state must be an IsotropicGHZ"),
    "ghz_distribution text (AttributeError)": (lambda: q.ghz_distribution("abc"), "measurements"),
    "isotropic_distribution array (AttributeError)": (
        lambda: q.isotropic_distribution(np.zeros((2, 2, 2)), 0.9), "measurements"),
    "rate max_memory huge int (OverflowError)": (
        lambda: q.rate_upper_bound(2, 2, 0.9, 0.1, max_memory=HUGE), "max_memory"),
    "di_region huge int (OverflowError)": (lambda: q.di_region([HUGE], [0.9]), "visibilities"),
    "isotropic_link huge dim (OverflowError)": (lambda: repeaters.isotropic_link(0.9, HUGE),
                                                "local_dim"),
    "isotropic_twirl None (gufunc message)": (lambda: repeaters.isotropic_twirl(None, 2), "state"),
    # fuzzing, session 35
    "cut bound on 10001 points (hours)": (
        lambda: q.rate_upper_bound(2, 3, np.linspace(0, 1, 10_001), 0.1, cut_bound=True), "cut bound"),
    "rho_d 2**64 (TypeError)": (lambda: q.rho_d(2**64), "shield_dim"),
    "werner_window upper_bound text (TypeError)": (
        lambda: __import__("qkdbounds.di.window", fromlist=["w"]).werner_window([0.5], 0.1, upper_bound="x"),
        "upper_bound"),
    "werner_window callback int (TypeError)": (
        lambda: __import__("qkdbounds.di.window", fromlist=["w"]).werner_window([0.5], 0.1, callback=5),
        "callback"),
    "minimize_gamma axis 9 (IndexError)": (
        lambda: __import__("qkdbounds.attacks.eve", fromlist=["e"]).minimize_gamma(
            np.ones(4), np.ones(4), groups=[[0, 9]]), "groups"),
    "threshold 1e7-point numeric grid (minutes)": (
        lambda: q.visibility_threshold(2, 2, np.zeros(10**7)), "numeric=False"),
    "from_unitary 5000 x 5000 (24 s)": (
        lambda: __import__("qkdbounds.measurements", fromlist=["m"]).from_unitary(np.eye(5000)), "4096"),
    "source bound cut_bound text (truthy)": (
        lambda: q.source_rate_upper_bound(np.eye(4) / 4, 0.1, cut_bound="x"), "cut_bound"),
    "source bound progress int": (lambda: q.source_rate_upper_bound(np.eye(4) / 4, 0.1, progress=5), "progress"),
    "make_source project text (truthy)": (
        lambda: states.sources.make_source(np.eye(4) / 4, (2, 2), project="yes"), "project"),
    "isotropic_ghz d = 1e30": (lambda: q.isotropic_ghz(10**30, 2, 0.5), "local_dim"),
    "choose_route three bases for two parties": (
        lambda: q.choose_route(2, 2, [computational(2)] * 3), "one basis per party"),
    "minimize_gamma empty group": (
        lambda: __import__("qkdbounds.attacks.eve", fromlist=["e"]).minimize_gamma(
            np.ones((2, 2)), np.ones((2, 2)), groups=[[0], np.array([], dtype=int)]), "groups"),
    "minimize_gamma text groups (TypeError)": (
        lambda: __import__("qkdbounds.attacks.eve", fromlist=["e"]).minimize_gamma(
            np.ones((2, 2)), np.ones((2, 2)), groups="x"), "groups"),
    "project a 1e-320 trace (LinAlgError)": (
        lambda: states.sources.make_source(np.eye(4) * 1e-321, (2, 2), project=True), "trace distance"),
}


def _dist(v):
    from qkdbounds.measurements.distributions import isotropic_distribution

    return isotropic_distribution([computational(2)] * 2, v)


def _gamma(base, **kw):
    from qkdbounds.attacks.eve import minimize_gamma

    return minimize_gamma(base, np.ones_like(base), **kw)


def _joint(n, **kw):
    from qkdbounds.attacks.cc import joint_distribution_with_eve

    return joint_distribution_with_eve(q.isotropic_ghz(2, n, 0.9), [computational(2)] * n, 0.1, **kw)


def _cc(state):
    from qkdbounds.states.isotropic import cc_decomposition

    return cc_decomposition(state)


def _route(*args):
    from qkdbounds.bounds.rate import choose_route

    return choose_route(*args)


def _load_state(path):
    from qkdbounds.states.two_qubit import load_state

    return load_state(path)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_a_value_error_naming_the_parameter(name):
    call, parameter = CASES[name]
    with pytest.raises(InputError) as err:
        call()
    assert parameter in str(err.value) and "\n" not in str(err.value)


def test_rng_accepts_a_seed_a_generator_or_none():
    assert check_rng("rng", 5).integers(1000) == np.random.default_rng(5).integers(1000)
    g = np.random.default_rng(1)
    assert check_rng("rng", g) is g
    assert check_rng("rng", None).integers(1000) == np.random.default_rng(0).integers(1000)
    a = q.source_rate_upper_bound(q.werner_state(0.9), 0.1, rng=3, measurements="Z").value
    b = q.source_rate_upper_bound(q.werner_state(0.9), 0.1, rng=np.random.default_rng(3),
                                  measurements="Z").value
    assert a == b


def _more_cases(tmp_path):
    from qkdbounds.repeaters.planner import distance_curve, plan_link
    from qkdbounds.store import ResultStore, export_records
    from qkdbounds.sweep import build_grid, resolve_function

    (tmp_path / "adir").mkdir()
    return {
        "plan seed text": (lambda: plan_link(100, 2, 0.1, seed="x"), "seed"),
        "plan seed negative": (lambda: plan_link(100, 2, 0.1, seed=-1), "seed"),
        "distance_curve scalar": (lambda: distance_curve(10, 1, 0.1), "distances_km"),
        "store path None": (lambda: ResultStore(None), "store"),
        "store timeout text": (lambda: ResultStore(tmp_path / "s.sqlite", timeout="x"), "timeout"),
        "store timeout negative": (lambda: ResultStore(tmp_path / "s.sqlite", timeout=-1), "timeout"),
        "export into a directory": (lambda: export_records([{"a": 1}], tmp_path / "adir", "csv"), "directory"),
        "export records None": (lambda: export_records(None, tmp_path / "x.csv", "csv"), "records"),
        "build_grid None": (lambda: build_grid(None), "axes"),
        "build_grid int keys": (lambda: build_grid({1: 2}), "axes"),
        "resolve_function None": (lambda: resolve_function(None), "function"),
    }


@pytest.mark.parametrize("name", ["plan seed text", "plan seed negative", "distance_curve scalar",
                                  "store path None", "store timeout text", "store timeout negative",
                                  "export into a directory", "export records None", "build_grid None",
                                  "build_grid int keys", "resolve_function None"])
def test_more_bad_input_is_a_value_error(name, tmp_path):
    call, parameter = _more_cases(tmp_path)[name]
    with pytest.raises(InputError) as err:
        call()
    assert parameter in str(err.value) and "\n" not in str(err.value)


def test_general_route_grid_cap():
    # fuzzing: a 10^6-point grid on the search route (seconds a point) was accepted
    from qkdbounds.bounds.rate import MAX_GENERAL_POINTS

    v = np.linspace(0.5, 1, MAX_GENERAL_POINTS + 1)
    with pytest.raises(InputError, match="on the search route.*at most 10000.*sweep"):
        q.rate_upper_bound(2, 2, v, 0.1, measurements="search")
    # the structured route's closed forms keep their large grids
    assert q.rate_upper_bound(2, 2, v, 0.1).value.shape == v.shape


def test_minimize_gamma_takes_numpy_array_groups():
    """Review (session 35): the groups check must take arrays of axes, as before it."""
    from qkdbounds.attacks.eve import minimize_gamma

    c = np.arange(1, 9, dtype=float).reshape(2, 2, 2)
    a = minimize_gamma(c, c / 10, groups=[np.array([0]), np.array([1, 2])]).value
    b = minimize_gamma(c, c / 10, groups=[[0], [1, 2]]).value
    assert a == b


def test_source_bound_takes_an_array_of_unitaries():
    """Review (session 35): measurements given as one ndarray (N, d, d) compared with "search"."""
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4
    r = q.source_rate_upper_bound(rho, 0.1, measurements=np.array([np.eye(2), np.eye(2)]))
    assert r.value == pytest.approx(q.rate_upper_bound(2, 2, 0.9, 0.1).value, abs=1e-9)
