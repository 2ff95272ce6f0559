"""Dense DI figures (issue 21, item 5; issue 22, Figures): the DI window against eta with exact
zeros, the staircase of the attack, and the (v, eta) map (axes at the data, colour-blind-safe
palette, legend off the data with the assumptions)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

from qkdbounds.di.bell_data import bell_box  # noqa: E402
from qkdbounds.di.lower import binned_maximally_entangled_rate, eta_threshold  # noqa: E402
from qkdbounds.di.preprocessing import best_lower_bound  # noqa: E402
from qkdbounds.di.region import XTOL_ETA_UPPER, XTOL_ETA_ZERO, DIRegion, di_attack_bound, di_eta_window  # noqa: E402
from qkdbounds.plotting.di_figure import (  # noqa: E402
    OKABE_ITO,
    _edges,
    _upper_staircase,
    draw_di_eta_window,
    draw_di_region,
)

ETAS = np.linspace(0.82, 1.0, 10)


@pytest.fixture(scope="module")
def window():
    # two attack points keep this fast; the attack's values are checked in test_di_attack.py
    return di_eta_window(ETAS, [0.85, 1.0], maxfev=20)


def test_zeros_are_exact_and_in_the_grid(window):
    th = window.thresholds
    # CHSH = 2 for the binned maximally entangled box: S = 2 sqrt2 eta^2 + 2 (1 - eta)^2
    assert th["chsh_violation"] == pytest.approx(2 * (np.sqrt(2) - 1), abs=1e-10)
    # plain CHSH DW: the one route (eta_threshold) and the closed form of the key table
    assert th["chsh_lower_zero"] == eta_threshold()
    assert th["chsh_lower_zero"] == pytest.approx(
        brentq(binned_maximally_entangled_rate, 0.85, 1.0, xtol=1e-13), abs=1e-9)
    # best bound: positive at the returned zero, 0 one bisection tolerance below it
    z = th["lower_zero"]
    assert best_lower_bound(bell_box(eta_a=z)).value > 0
    assert best_lower_bound(bell_box(eta_a=z - 2 * XTOL_ETA_ZERO)).value == 0
    assert th["lower_zero_method"] == best_lower_bound(bell_box(eta_a=z)).winner
    assert th["chsh_violation"] < z < th["chsh_lower_zero"]      # noisy preprocessing helps
    for key in ("chsh_violation", "chsh_lower_zero", "lower_zero"):
        assert th[key] in window.etas, key
    assert len(window.etas) == len(ETAS) + 3 and np.all(np.diff(window.etas) > 0)


def test_lower_bounds_on_the_dense_grid(window):
    th = window.thresholds
    e = window.etas
    assert np.all(window.lower >= window.chsh_lower - 1e-12)         # best >= plain
    assert np.all(window.lower[e < th["lower_zero"]] == 0) and np.all(window.lower[e >= th["lower_zero"]] > 0)
    assert np.all(window.chsh_lower[e < th["chsh_lower_zero"]] == 0)
    assert np.all(window.chsh_lower[e > th["chsh_lower_zero"]] > 0)
    k = int(np.argmax(e))
    assert window.lower[k] == pytest.approx(1.0, abs=1e-9)           # Tsirelson box
    assert window.attack.upper[0][-1] == pytest.approx(1.0, abs=1e-9)
    # every lower bound at an attack point lies below the attack's bound there
    for eta, up in zip(window.attack.etas, window.attack.upper[0]):
        if eta in e:
            assert window.lower[list(e).index(eta)] <= up + 1e-9
    rows = window.rows()
    assert [r["eta"] for r in rows] == sorted(r["eta"] for r in rows)
    # the attack's values at its two grid points and at the points of its zero's bisection
    assert sum(r["rate_upper_bound"] is not None for r in rows) == window.attack.etas.size
    assert window.status == "certified"


def test_attack_zero_is_bisected_and_its_ends_are_attack_points(window):
    """Issue 21, item 5: the attack's zero is bisected to XTOL_ETA_UPPER between its grid points
    0.85 (bound 0) and 1.0; both ends of the final bracket are attack points (0 and > 0)."""
    th = window.thresholds
    lo, hi = th["upper_zero_bracket"]
    assert th["upper_zero"] == lo and 0 < hi - lo <= XTOL_ETA_UPPER
    a_e, a_up = list(window.attack.etas), window.attack.upper[0]
    assert a_up[a_e.index(lo)] == 0 and a_up[a_e.index(hi)] > 0
    assert np.all(np.diff(window.attack.etas) > 0)
    assert window.attack.eve_boxes[0][a_e.index(hi)] is not None
    # the second route: the same point asked on its own
    assert di_attack_bound(bell_box(eta_a=hi), maxfev=20).rate_upper_bound > 0
    assert th["chsh_violation"] < lo < th["lower_zero"]


def test_upper_staircase_uses_the_next_larger_attack_point():
    a_e = np.array([0.85, 0.9, 1.0])
    up = np.array([0.0, 0.2, 1.0])
    x = np.array([0.8, 0.85, 0.86, 0.9, 0.95, 1.0])
    # lowering eta is local post-processing: U(eta_{i+1}) bounds every eta <= eta_{i+1}
    assert _upper_staircase(a_e, up, x).tolist() == [0.0, 0.0, 0.2, 0.2, 1.0, 1.0]


def test_eta_figure_marks_zeros_and_keeps_the_legend_off_the_data(window, tmp_path):
    ax = draw_di_eta_window(window)
    assert list(tmp_path.iterdir()) == []
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend()
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0
    title = legend.get_title().get_text()
    assert "collective attacks" in title and "inputs announced" in title and "binned" in title
    vertical = {round(float(line.get_xdata()[0]), 12) for line in ax.get_lines()
                if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]}
    for key in ("chsh_violation", "chsh_lower_zero", "lower_zero"):
        assert round(window.thresholds[key], 12) in vertical, key
    steps = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-pre"]
    assert len(steps) == 2                                          # two-way and one-way attack
    plt.close(fig)


def _region(vis, etas, labels):
    shape = (len(vis), len(etas))
    z = np.zeros(shape)
    return DIRegion(np.array(vis), np.array(etas), z, z, z, z, np.array(labels), [], 0.0, "uniform", "both",
                    np.pi / 4, "test", "certified")


def test_region_map_axes_stop_at_the_data_and_palette_is_okabe_ito(tmp_path):
    region = _region([0.9, 0.95, 1.0], [0.85, 0.9, 0.95, 1.0],
                     [["no_key", "no_key", "open", "key"]] * 3)
    ax = draw_di_region(region)
    assert list(tmp_path.iterdir()) == []
    assert ax.get_ylim() == (0.9, 1.0) and ax.get_xlim() == (0.85, 1.0)     # no v > 1 cells
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend()
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0
    assert "collective attacks" in legend.get_title().get_text()
    faces = {matplotlib.colors.to_hex(h.get_facecolor()).upper() for h in legend.legend_handles}
    assert faces == {OKABE_ITO["vermillion"], OKABE_ITO["yellow"], OKABE_ITO["blue"]}
    plt.close(fig)


def test_cell_edges_are_clipped_to_the_grid():
    assert _edges(np.array([0.9, 0.95, 1.0])).tolist() == pytest.approx([0.9, 0.925, 0.975, 1.0])


def _boom(out):
    raise ValueError("planted failure in the DI figures")


def test_reproduce_di_worker_failure_propagates_and_leaves_no_process(monkeypatch, tmp_path):
    """The DI figures run in a second process in `reproduce`: an error there reaches the caller
    and the worker is terminated (no process left behind)."""
    import multiprocessing
    import os
    import threading

    from qkdbounds.cli import _reproduce

    monkeypatch.setattr(_reproduce, "_di_figures", _boom)
    runner = _reproduce._DIFigures(tmp_path)
    if (os.cpu_count() or 1) >= 2 and threading.active_count() == 1:
        assert runner.pool is not None          # the failure happens in the worker
    with pytest.raises(ValueError, match="planted failure"):
        runner.result()
    runner.close(ok=False)
    assert multiprocessing.active_children() == []


def test_region_names_the_best_lower_bound(window):
    region = window.attack          # a DIRegion at v = 1, eta = 0.85, 1 and the bisection points
    names = region.lower_method.tolist()[0]
    assert names[0] == "none" and names[-1] == "chsh"          # 0 at 0.85; a tie at 1 -> plain
    assert region.to_dict()["lower_bound_method"] == [names]
    for eta, name, low in zip(region.etas, names, region.lower[0]):
        assert (name == "none") == (low <= 0), eta
        if low > 0:
            assert name == best_lower_bound(bell_box(eta_a=float(eta))).winner
    point = best_lower_bound(bell_box(eta_a=0.92))
    from qkdbounds.di.region import di_region

    assert di_region([1.0], [0.92], maxfev=10).lower_method[0, 0] == point.winner != "chsh"


@pytest.mark.parametrize("vis, etas", [([1.0], [0.9]), ([0.9, 1.0], [1.0]), ([1.0], [0.0])],
                         ids=["one-point", "one-eta", "eta-0"])
def test_single_value_grids_draw_inside_the_unit_square(vis, etas):
    # found by the CLI fuzz test: di-region --visibility 1 --eta 0.9 --out DIR warned (equal limits)
    region = _region(vis, etas, [["open"] * len(etas)] * len(vis))
    ax = draw_di_region(region)
    lo, hi = ax.get_xlim()
    assert 0 <= lo < hi <= 1
    if len(vis) > 1:
        assert ax.get_ylim() == (min(vis), max(vis))
    plt.close(ax.figure)


def test_window_lower_bound_is_not_above_the_upper_by_round_off():
    # audit of issue 21 (session 34): in the report's DI window at eta = v = 1 the lower bound
    # 0.999999999999994 sat 8e-13 above the upper bound 0.9999999999991974 (two valid bounds
    # cannot cross; the round-off is reported at the upper bound)
    from qkdbounds.di import bell_box, di_attack_bound
    from qkdbounds.di.region import di_eta_window

    def rows(etas):
        out = []
        for e in etas:
            d = di_attack_bound(bell_box(np.pi / 4, 1.0, e, binning="both"), 0.0, "uniform").to_dict()
            d["rate_upper_bound"] -= 8e-13
            out.append(d)
        return out

    w = di_eta_window([0.98, 1.0], [1.0], attack_points=rows)
    assert w.lower[-1] <= w.attack.upper[0][-1]
    assert w.lower[-1] == pytest.approx(1.0, abs=1e-9)
