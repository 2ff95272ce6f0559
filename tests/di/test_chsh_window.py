"""CHSH value, the CHSH Devetak-Winter lower bound and the Werner window (issue 7, item 5)."""

import importlib
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import bisect

from qkdbounds.measurements.qubit import bloch_measurement
from qkdbounds.bounds import rate_upper_bound
from qkdbounds.di.chsh import (
    ATOL_CHSH,
    CRITICAL_QBER_LITERATURE,
    binary_entropy,
    chsh_dw_rate,
    chsh_threshold_werner,
    chsh_value,
    di_lower_bound,
)
from qkdbounds.di.window import werner_window, werner_window_thresholds
from qkdbounds.errors import InputError
from qkdbounds.measurements import dense_distribution
from qkdbounds.plotting.window_figure import write_werner_window
from qkdbounds.states.two_qubit import bell_diagonal_state, werner_state

#: Acin et al. (2007) quote the critical QBER as "7.1%": two significant digits, so the most a
#: comparison can honestly demand is agreement to half a unit of the last digit.
LITERATURE_QBER_ATOL = 5e-4


def _random_state(rng, rank=4):
    g = rng.standard_normal((4, rank)) + 1j * rng.standard_normal((4, rank))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


def _chsh_of_settings(rho, a0, a1, b0, b1):
    def corr(a, b):
        p = dense_distribution(rho, [bloch_measurement(a), bloch_measurement(b)])
        return p[0, 0] + p[1, 1] - p[0, 1] - p[1, 0]

    return corr(a0, b0) + corr(a0, b1) + corr(a1, b0) - corr(a1, b1)


# --- CHSH value ----------------------------------------------------------------------------------

@pytest.mark.parametrize("v", [0.0, 0.3, 1 / np.sqrt(2), 0.8, 1.0], ids=lambda v: f"v{v:.3g}")
def test_werner_chsh_is_2sqrt2_v(v):
    res = chsh_value(werner_state(v))
    assert_allclose(res.value, 2 * np.sqrt(2) * v, atol=1e-12)
    assert_allclose(res.value_from_measurements, res.value, atol=ATOL_CHSH)
    assert_allclose(res.certificate["qber"], (1 - v) / 2, atol=1e-12)


def test_horodecki_formula_equals_explicit_measurements_on_random_states(rng):
    for rank in (1, 2, 3, 4, 4, 4):
        res = chsh_value(_random_state(rng, rank))
        assert res.status == "closed_form"
        assert_allclose(res.value_from_measurements, res.value, atol=ATOL_CHSH)
        assert res.value <= 2 * np.sqrt(2) + 1e-12


def test_horodecki_value_is_the_maximum_over_settings(rng):
    # no random choice of the four Bloch axes beats the formula (it is a maximum)
    rho = _random_state(rng, 2)
    s_max = chsh_value(rho).value
    axes = rng.standard_normal((60, 4, 3))
    best = max(_chsh_of_settings(rho, *x) for x in axes)
    assert best <= s_max + 1e-12
    assert best >= 0.8 * s_max  # the random search is not vacuous


@given(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda x: sum(x) > 1e-3))
def test_separable_bell_diagonal_states_do_not_violate_chsh(raw):
    w = np.array(raw) / sum(raw)
    s = chsh_value(bell_diagonal_state(w)).value
    if w.max() <= 0.5:
        assert s <= 2 + 1e-12
    # known closed form for Bell-diagonal states: T = diag(t), S = 2 sqrt(t1^2 + t2^2) of the two largest |t|
    t = np.abs([w[0] - w[1] + w[2] - w[3], -w[0] + w[1] + w[2] - w[3], w[0] + w[1] - w[2] - w[3]])
    t.sort()
    assert_allclose(s, 2 * np.sqrt(t[1] ** 2 + t[2] ** 2), atol=1e-12)


# --- DW rate and the Werner threshold --------------------------------------------------------------

def test_dw_rate_known_values_and_monotonicity():
    assert chsh_dw_rate(2.0, 0.0) == 0.0 and chsh_dw_rate(1.5, 0.0) == 0.0
    assert_allclose(chsh_dw_rate(2 * np.sqrt(2), 0.0), 1.0, atol=1e-12)
    s = 2.6
    rates_q = [chsh_dw_rate(s, q) for q in np.linspace(0, 0.11, 12)]
    assert np.all(np.diff(rates_q) <= 0)
    for model in ("uniform", "junk"):
        rates_l = [chsh_dw_rate(s, 0.02, L, model) for L in np.linspace(0, 0.5, 11)]
        assert np.all(np.diff(rates_l) <= 1e-15)
    # formula by hand at S = 2.6, Q = 0.02: 1 - h(0.02) - h((1 + sqrt(1.69 - 1))/2)
    assert_allclose(chsh_dw_rate(2.6, 0.02),
                    1 - binary_entropy(0.02) - binary_entropy((1 + np.sqrt(0.69)) / 2), atol=1e-14)


def test_werner_threshold_two_root_finders_and_literature():
    t = chsh_threshold_werner()
    assert t.status == "optimal"
    assert t.agreement <= 1e-10
    # third, independent route: bisection on the rate computed from the state itself
    def rate(v):
        d = di_lower_bound(werner_state(v))
        return 1 - binary_entropy(d.qber) - binary_entropy((1 + np.sqrt((d.chsh / 2) ** 2 - 1)) / 2)

    v_state = bisect(rate, 0.75, 0.95, xtol=1e-13)
    assert_allclose(v_state, t.visibility, atol=1e-10)
    assert_allclose(t.qber, (1 - t.visibility) / 2, atol=1e-15)
    assert_allclose(t.chsh, 2 * np.sqrt(2) * t.visibility, atol=1e-10)
    # Acin et al., PRL 98, 230501 (2007): critical QBER ~ 7.1 %
    assert abs(t.qber - CRITICAL_QBER_LITERATURE) <= LITERATURE_QBER_ATOL
    assert_allclose(t.visibility, 0.8570164823, atol=1e-9)  # our exact root, recorded
    assert di_lower_bound(werner_state(t.visibility - 1e-6)).value == 0.0
    assert di_lower_bound(werner_state(t.visibility + 1e-6)).value > 0.0


@pytest.mark.parametrize("amplitude", [1 / np.sqrt(2), 0.7071067811865476])
@pytest.mark.parametrize("phase", [1.0, -1.0, 1j])
def test_maximally_entangled_state_gets_one_bit(phase, amplitude):
    # |00> + phase|11> as a ket's projector, complex or real, with 1/sqrt(2) rounded either way:
    # the key correlator is +-1 up to round-off, which made the QBER -1e-16 and the bound refuse
    # the state (fuzzing found it with the amplitude 0.7071067811865476)
    phi = np.array([1, 0, 0, phase]) * amplitude
    d = di_lower_bound(np.outer(phi, phi.conj()))
    assert 0.0 <= d.qber <= 1e-15
    assert d.value == pytest.approx(1.0, abs=1e-12)
    assert d.chsh == pytest.approx(2 * np.sqrt(2), abs=1e-12)


@pytest.mark.parametrize("bad", [{"chsh": 3.0, "qber": 0.1}, {"chsh": 2.5, "qber": -0.1},
                                 {"chsh": float("nan"), "qber": 0.1},
                                 {"chsh": 2.5, "qber": 0.1, "leakage": 2.0},
                                 {"chsh": 2.5, "qber": 0.1, "model": "other"}],
                         ids=["S", "Q", "nan", "L", "model"])
def test_dw_rate_bad_inputs(bad):
    with pytest.raises(InputError):
        chsh_dw_rate(**bad)


def test_chsh_rejects_bad_states():
    with pytest.raises(InputError, match="unit trace"):
        chsh_value(2 * werner_state(0.5))
    with pytest.raises(InputError, match="multiply to 4"):
        di_lower_bound(np.eye(2) / 2)


# --- the window --------------------------------------------------------------------------------------

VIS = np.array([0.0, 0.3, 1 / 3, 0.36, 0.5, 0.7, 0.8, 0.85, 0.86, 0.9, 0.95, 1.0])


@pytest.mark.parametrize("leakage, model", [(0.0, "uniform"), (0.1, "uniform"), (0.3, "uniform"),
                                            (0.1, "junk")], ids=["L0", "L0.1", "L0.3", "junk"])
def test_window_is_consistent(leakage, model):
    w = werner_window(VIS, leakage, model)
    # both sides valid in the same leakage scenario => lower <= upper everywhere; the best lower
    # bound is at least the plain CHSH one with the same leakage
    assert np.all(w.best_lower <= w.upper + 1e-12)
    assert np.all(w.di_lower_leakage <= w.best_lower + 1e-12)
    assert np.all((w.upper >= 0) & (w.upper <= 1)) and np.all(w.di_lower_leakage >= 0)
    th = w.thresholds
    assert th["separable"] <= th["cc_zero"] < th["chsh_violation"] < th["dw_zero"]
    if th["dw_zero_leakage"] is not None:
        assert th["dw_zero"] <= th["dw_zero_leakage"] <= 1
        assert th["chsh_violation"] < th["best_lower_zero"] <= th["dw_zero_leakage"]
    # each bound vanishes at / below its zero and not above
    assert np.all(w.upper[VIS <= th["cc_zero"]] == 0)
    assert np.all(w.upper[VIS > th["cc_zero"] + 1e-3] > 0)
    assert np.all(w.di_lower[VIS < th["dw_zero"]] == 0) and np.all(w.di_lower[VIS > th["dw_zero"]] > 0)
    if th["best_lower_zero"] is not None:
        assert np.all(w.best_lower[VIS < th["best_lower_zero"]] == 0)
        assert np.all(w.best_lower[VIS > th["best_lower_zero"]] > 0)
    assert len(w.rows()) == len(VIS)


def test_window_upper_side_is_the_default_tightest_bound():
    """Issue 22: the window used the paper attack (0.810 at v = 0.95, L = 0.1) instead of the
    default bound (0.716)."""
    w = werner_window(VIS, 0.1)
    default = rate_upper_bound(2, 2, VIS, 0.1)
    assert_allclose(w.upper, default.value, atol=0)
    paper = rate_upper_bound(2, 2, VIS, 0.1, attack="paper").value
    assert np.all(w.upper <= paper + 1e-12)
    k = int(np.flatnonzero(VIS == 0.95)[0])
    assert w.upper[k] == pytest.approx(0.71601, abs=1e-5) and paper[k] == pytest.approx(0.81044, abs=1e-5)


def test_window_lower_side_is_the_best_bound_named_with_the_plain_one_beside_it():
    from qkdbounds.di.bell_data import bell_box
    from qkdbounds.di.preprocessing import LOWER_BOUND_METHODS, best_lower_bound

    w = werner_window([0.5, 0.86, 0.95, 1.0], 0.1)
    for k, v in enumerate(w.visibilities):
        if v <= 2 ** -0.5:   # a local box: 0 without optimising
            assert w.best_lower[k] == 0 and w.best_lower_method[k] == "no_violation"
            assert best_lower_bound(bell_box(np.pi / 4, v, 1.0), 0.1).value == 0
            continue
        ref = best_lower_bound(bell_box(np.pi / 4, v, 1.0), 0.1)
        assert w.best_lower[k] == ref.value
        assert w.best_lower_method[k] == (ref.winner if ref.value > 0 else "none")
        assert w.best_lower_method[k] in LOWER_BOUND_METHODS
        # the plain CHSH DW bound of the box equals the state route's (exact H(B|A) = h(Q) here)
        assert ref.chsh_lower_bound == pytest.approx(w.di_lower_leakage[k], abs=1e-9)
    # at v = 0.86 the plain bound with leakage is 0 but the best one proves key (noisy preprocessing)
    assert w.di_lower_leakage[1] == 0 < w.best_lower[1]
    assert w.best_lower_method[1] == "asymmetric_chsh_noisy_preprocessing"
    zero = werner_window([0.8], 0.1)     # CHSH violated, every bound 0: no winner is named
    assert zero.best_lower[0] == 0 and zero.best_lower_method == ("none",)
    rows = w.rows()
    assert rows[2]["best_lower_method"] == w.best_lower_method[2] and "di_lower_leakage" in rows[2]


def test_window_thresholds_are_zeros_of_the_drawn_bounds_and_in_the_grid():
    """insert_thresholds: the exact zeros are grid points, so a line through the points drops to
    zero there and nowhere interpolates across a threshold."""
    from qkdbounds.di.window import XTOL_BEST_ZERO

    grid = np.linspace(0, 1, 21)
    w = werner_window(grid, 0.1, insert_thresholds=True)
    th = w.thresholds
    for key in ("cc_zero", "dw_zero_leakage", "best_lower_zero"):
        assert th[key] in w.visibilities, key
    assert len(w.visibilities) == len(grid) + 3 and np.all(np.diff(w.visibilities) > 0)
    # the best lower bound is positive at its zero point and 0 a bisection step below it
    k = int(np.flatnonzero(w.visibilities == th["best_lower_zero"])[0])
    assert 0 < w.best_lower[k] < 1e-4
    below = werner_window([th["best_lower_zero"] - 2 * XTOL_BEST_ZERO], 0.1)
    assert below.best_lower[0] == 0
    assert th["best_lower_zero_method"] == w.best_lower_method[k]


def test_window_thresholds_values():
    th = werner_window_thresholds(0.1)
    # bisection on the default route vs the derived closed form (docs/errata.md, E1.1)
    assert_allclose(th["cc_zero"], 1 / (1 + 2 * (1 - 0.1)), atol=1e-7)
    assert_allclose(werner_window_thresholds(0.1, "junk")["cc_zero"], 1.1 / 3.1, atol=1e-7)
    assert_allclose(th["chsh_violation"], 2 ** -0.5, atol=1e-15)
    # uniform leakage: (1 - L)(1 - h(x)) = h(Q) at the root
    v = th["dw_zero_leakage"]
    x = (1 + np.sqrt(2 * v * v - 1)) / 2
    assert_allclose(0.9 * (1 - binary_entropy(x)), binary_entropy((1 - v) / 2), atol=1e-12)
    assert werner_window_thresholds(0.5, "junk")["dw_zero_leakage"] is None
    assert werner_window_thresholds(0.5, "junk")["best_lower_zero"] is None


def test_window_uses_the_route_it_is_given():
    calls = []

    def route(vis, leakage, model):
        calls.append((vis.size, leakage, model))
        return np.clip(vis - 0.5, 0, None), ["fake"] * vis.size, "fake route"

    w = werner_window([0.2, 0.7, 0.9], 0.1, upper_bound=route)
    assert_allclose(w.upper, [0.0, 0.2, 0.4], atol=1e-15)
    assert w.attack == "fake route" and w.statuses == ("fake",) * 3 and calls[0] == (3, 0.1, "uniform")
    # upper 0 at v = 0.2: no key; at v = 0.9 the best DI lower bound is positive at L = 0.1
    assert w.verdict[0] == "no_key" and w.verdict[2] == ("key" if w.best_lower[2] > 1e-9 else "open")
    assert [r["verdict"] for r in w.rows()] == list(w.verdict)
    assert_allclose(w.thresholds["cc_zero"], 0.5, atol=1e-9)


def test_di_modules_do_not_import_bounds_at_import_time():
    """Issue 23 / STYLE.md layering: di/ is below bounds/ (the window's default upper bound is
    looked up when called)."""
    import subprocess
    import sys

    code = ("import importlib, pkgutil, sys, qkdbounds.di as d\n"
            "for m in pkgutil.iter_modules(d.__path__):\n"
            "    importlib.import_module('qkdbounds.di.' + m.name)\n"
            "print(sorted(k for k in sys.modules if k.startswith('qkdbounds.bounds')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_window_at_zero_leakage_and_literature_curve():
    w = werner_window(VIS, 0.0)
    # L = 0: the paper attack's "?" class is (1 - q) p_ent with q = 3(1 - v)/2, so its bound is
    # (3v - 1)/2; the default bound is at most that (the extended attack lowers it even at L = 0)
    assert np.all(w.upper <= np.clip((3 * VIS - 1) / 2, 0, None) + 1e-12)
    assert_allclose(w.upper, rate_upper_bound(2, 2, VIS, 0.0).value, atol=0)
    assert_allclose(w.di_lower_leakage, w.di_lower, atol=0)
    assert_allclose(w.chsh, 2 * np.sqrt(2) * VIS, atol=1e-12)


def test_l0_lower_bound_is_not_a_lower_bound_under_leakage():
    # the caveat of di/window.py: at v = 1 the L = 0 DW rate (1 bit) exceeds the L = 0.1 bound
    w = werner_window([1.0], 0.1)
    assert_allclose(w.di_lower[0], 1.0, atol=1e-12)
    assert_allclose(w.upper[0], rate_upper_bound(2, 2, 1.0, 0.1).value, atol=0)
    assert w.di_lower[0] > w.upper[0]
    assert_allclose(w.di_lower_leakage[0], 0.9, atol=1e-12)  # (1 - L)(1 - 0) - h(0)
    assert_allclose(w.best_lower[0], 0.9, atol=1e-9)          # the bounds meet at v = 1


def test_window_bad_inputs():
    with pytest.raises(InputError, match="visibility"):
        werner_window([0.5, 1.2], 0.1)
    with pytest.raises(InputError, match="leakage"):
        werner_window([0.5], float("nan"))
    with pytest.raises(InputError, match="empty"):
        werner_window([], 0.1)


def test_plot_writes_png_and_svg(tmp_path):
    w = werner_window(np.linspace(0, 1, 11), 0.2)
    paths = write_werner_window(w, tmp_path / "window")
    assert sorted(p.suffix for p in paths) == [".png", ".svg"]
    assert all(p.stat().st_size > 1000 for p in paths)


def test_draw_werner_window_marks_zeros_keeps_legend_off_the_data(tmp_path):
    import matplotlib.pyplot as plt

    from qkdbounds.plotting import OKABE_ITO, draw_werner_window

    w = werner_window(np.linspace(0, 1, 21), 0.1, insert_thresholds=True)
    ax = draw_werner_window(w)
    assert list(tmp_path.iterdir()) == []          # drawing writes nothing
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend()
    # the legend lies below the axes, not over the data
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0
    assert "collective attacks" in legend.get_title().get_text()
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("best DI lower bound = 0" in t and "asymmetric CHSH" in t for t in texts)
    assert any("default (tightest) attack" in t for t in texts)
    # every zero of a drawn bound is a vertical line at exactly that visibility
    xs = {round(float(line.get_xdata()[0]), 12) for line in ax.get_lines()
          if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]}
    for key in ("cc_zero", "dw_zero_leakage", "best_lower_zero"):
        assert round(w.thresholds[key], 12) in xs, key
    colours = {line.get_color() for line in ax.get_lines()}
    assert OKABE_ITO["vermillion"] in colours and OKABE_ITO["blue"] in colours
    plt.close(fig)


# --- CLI plug-in -------------------------------------------------------------------------------------

@pytest.fixture
def cli_main():
    return importlib.import_module("qkdbounds.cli.main").main


def test_cli_state_bound_werner(cli_main, capsys):
    code = cli_main(["state-bound", "--werner", "0.9", "--leakage", "0.1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert_allclose(out["rate_upper_bound"], rate_upper_bound(2, 2, 0.9, 0.1).value, atol=1e-6)
    assert_allclose(out["separable_weight"], 0.15, atol=1e-7)
    assert_allclose(out["chsh_value"], 2 * np.sqrt(2) * 0.9, atol=1e-12)
    # the DI lower bound at the question's leakage, the L = 0 value named as such (a newcomer read
    # the leak-free value under "di_lower_bound" although it is no lower bound once outcomes leak)
    assert out["di_lower_bound_no_leakage"] > out["di_lower_bound"] > 0
    assert_allclose(out["di_lower_bound"], di_lower_bound(werner_state(0.9), 0.1).value, atol=1e-15)
    assert out["verdict"] == "key" and out["unit"] == "bits per round"
    for key in ("method", "status", "measurements", "eve_decomposition", "qber_z", "lower_bound"):
        assert key in out


def test_cli_state_bound_file_and_errors(cli_main, capsys, tmp_path):
    path = tmp_path / "rho.npy"
    np.save(path, bell_diagonal_state([0.1, 0.1, 0.1, 0.7]))
    assert cli_main(["state-bound", "--state", str(path), "--leakage", "0.2", "--measurements", "Z",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert_allclose(out["separable_weight"], 0.6, atol=1e-7)
    np.save(path, np.diag([0.5, 0.5, 0.5, -0.5]))
    bad = [["--state", str(path)], ["--bell-diagonal", "0.5", "0.5", "0.5", "0.5"],
           ["--werner", "1.5"], ["--werner", "0.5", "--bell-diagonal", "1", "0", "0", "0"]]
    for args in bad:
        assert cli_main(["state-bound", *args, "--leakage", "0.1", "--json"]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize("v,leak", [(0.95, 0.05), (0.99, 0.02), (0.97, 0.6)])
def test_leaky_dw_rates_pinned_by_an_independent_derivation(v, leak):
    """Both leakage forms of the CHSH DW rate, derived again here (module docstring of
    di/chsh.py): uniform H(B|E Lambda) = (1-L) H(B|E); junk H(B|E l Lambda) >=
    H(B|E) - H(l) - P(l=1), with H(l) <= h(min(L, 1/2)).  Werner: S = 2 sqrt2 v, Q = (1-v)/2."""
    import math

    from qkdbounds.di.chsh import chsh_dw_rate

    def h(p):
        return 0.0 if p in (0.0, 1.0) else -p * math.log2(p) - (1 - p) * math.log2(1 - p)

    s, q = 2 * math.sqrt(2) * v, (1 - v) / 2
    holevo = h((1 + math.sqrt((s / 2) ** 2 - 1)) / 2)
    uniform = max(0.0, (1 - leak) * (1 - holevo) - h(q))
    junk = max(0.0, 1 - holevo - h(min(leak, 0.5)) - leak - h(q))
    assert chsh_dw_rate(s, q, leak, "uniform") == pytest.approx(uniform, abs=1e-12)
    assert chsh_dw_rate(s, q, leak, "junk") == pytest.approx(junk, abs=1e-12)
    w = werner_window([v], leak, "junk")
    assert w.di_lower_leakage[0] == pytest.approx(junk, abs=1e-9)


def test_di_lower_bound_of_a_state_grid_matches_fresh_computations():
    """A leakage grid reuses the state's CHSH value (cached by the matrix): every answer equals
    the closed form from a fresh chsh_value, and another state is never answered from it."""
    import qkdbounds.di.chsh as chsh
    from qkdbounds.states.two_qubit import werner_state

    states = [werner_state(0.95), werner_state(0.9), werner_state(0.95).astype(complex)]
    for rho in states:
        for leak in (0.0, 0.05, 0.1):
            got = chsh.di_lower_bound(rho, leak)
            fresh = chsh.chsh_value(rho)
            assert got.chsh == fresh.value
            assert got.value == chsh.chsh_dw_rate(fresh.value, fresh.certificate["qber"], leak, "uniform")
    assert chsh.di_lower_bound(states[0]).value > chsh.di_lower_bound(states[1]).value
    # each result owns its certificate: changing one does not reach the next answer
    first = chsh.di_lower_bound(states[0])
    first.certificate["chsh"]["qber"] = 0.3
    assert chsh.di_lower_bound(states[0]).certificate["chsh"]["qber"] != 0.3
