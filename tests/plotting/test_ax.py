"""Every exported plotting function draws on a given ``ax``, returns matplotlib objects and
writes no file; the figure fixes of issue 22 (legends off the data, end markers, axis ranges,
readable node names, one style)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib
import networkx as nx
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import qkdbounds.plotting as plotting
from qkdbounds.bounds.curves import RateCurve
from qkdbounds.di.region import DIEtaWindow, DIRegion
from qkdbounds.di.window import WernerWindow
from qkdbounds.repeaters.budget import Figure2Data, RepeaterCurve

ETAS = np.array([0.85, 0.9, 0.95, 1.0])
VIS = np.linspace(0.0, 1.0, 6)


def _curve(leakage, rates, threshold=0.4, paper=0.45):
    return RateCurve(2, 2, leakage, "uniform", VIS, np.asarray(rates, float), np.full(6, np.nan),
                     ("ok",) * 6, threshold, paper)


def _region(vis=(0.9, 1.0), labels=None):
    shape = (len(vis), len(ETAS))
    z = np.linspace(0, 1, shape[0] * shape[1]).reshape(shape)
    labels = labels or [["no_key", "open", "key", "key"]] * len(vis)
    return DIRegion(np.array(vis), ETAS, z, z / 2, z / 3, z, np.array(labels), [], 0.0, "uniform",
                    "both", np.pi / 4, "test", "certified")


def _werner():
    v = np.linspace(0, 1, 11)
    up = np.clip(v - 0.36, 0, None)
    low = np.clip(v - 0.86, 0, None)
    return WernerWindow(v, up, low, ("none",) * 11, np.zeros(11), np.zeros(11), low, low, 2 * v,
                        (1 - v) / 2, 0.1, "uniform", "test", {"separable": 1 / 3, "cc_zero": 0.36,
                                                              "best_lower_zero": 0.86},
                        ("ok",) * 11, "test")


def _eta_window():
    attack = _region(vis=(1.0,))
    lower = np.clip(ETAS - 0.9, 0, None)
    return DIEtaWindow(ETAS, lower, ("none", "none", "chsh", "chsh"), lower / 2, 2 + ETAS,
                       attack, {"chsh_violation": 0.83, "lower_zero": 0.9, "lower_zero_method": "chsh"},
                       1.0, np.pi / 4, 0.0, "uniform", "both", "test", "certified")


def _figure2():
    curves = tuple(RepeaterCurve(v, (0, 1, 2), (0.9, 0.5, 0.0), (0.9, 0.3, 0.0), 1, 1, 1)
                   for v in (0.9, 0.95))
    return Figure2Data(curves, 0.1, "uniform", 2, 0.36, 0.4)


def _plan_rows():
    rows = []
    for d in (10.0, 100.0, 200.0, 300.0):
        rows.append(dict(distance_km=d, segments=1, key_rate_upper_bound_bps=1e3 * 10 ** (-d / 20)
                         if d < 300 else 0.0, plob_key_rate_bps=1e8 * 10 ** (-d / 10)))
        rows.append(dict(distance_km=d, segments=2, key_rate_upper_bound_bps=1e3 * 10 ** (-d / 40),
                         plob_key_rate_bps=1e8 * 10 ** (-d / 10)))
    return rows


def _graph():
    g = nx.Graph()
    for name, x, y in (("Amsterdam", 4.90, 52.37), ("Utrecht", 5.12, 52.09), ("Rotterdam", 4.48, 51.92)):
        g.add_node(name, x=x, y=y)
    g.add_edge("Amsterdam", "Utrecht", length_km=45.0, visibility=0.99)
    g.add_edge("Utrecht", "Rotterdam", length_km=60.0)
    return g


def _path_bounds():
    links = [{"from": "Amsterdam", "to": "Utrecht", "length_km": 45.0, "visibility": 0.99},
             {"from": "Utrecht", "to": "Rotterdam", "length_km": 60.0, "visibility": 0.97}]
    return [SimpleNamespace(path=["Amsterdam", "Utrecht", "Rotterdam"], links=links,
                            distance_km=105.0, rate_upper_bound=0.8)]


def _data_rows():
    q = [0.0, 0.05, 0.1, 0.15]
    return {"qber_z": q, "qber_x": q, "leakage": [0.0] * 4, "rate_upper_bound": [1.0, 0.6, 0.2, 0.0],
            "lower_bound": [1.0, 0.4, 0.0, 0.0], "protocol": "bb84"}


def _sweep_rows():
    return [dict(dim=2, parties=2, visibility=v, leakage=leak, model="uniform", attack="paper",
                 rate_upper_bound=v * (1 - leak)) for v in (0.5, 1.0) for leak in (0.0, 0.1)]


def _rho_d():
    table = [{"shield_dim": d, "key_lower_bound": max(0.0, 0.1 * math.log2(d) - 0.2),
              "devetak_winter_expression": 0.1 * math.log2(d) - 0.2,
              "pt_key_upper_bound": 1 / (math.sqrt(d) + 1), "key_lower_bound_formula": 0.0,
              "pt_key_upper_bound_formula": 1 / (math.sqrt(d) + 1)} for d in (2, 4, 8, 16, 32)]
    return {"table": table, "smallest_shield_dim": 16}


#: Every exported draw function with small inputs (args, kwargs, number of panels).
CASES = {
    "draw_rate_curves": lambda: ((([_curve(0.1, np.clip(VIS - 0.4, 0, None))]),),
                                 {"title": "t", "extra_curves": [_curve(0.1, np.clip(VIS - 0.5, 0, None))],
                                  "extra_label": "extended", "baseline": [np.clip(VIS - 0.3, 0, None)],
                                  "curve_label": "paper"}, 1),
    "draw_data_bounds": lambda: ((_data_rows(),), {}, 1),
    "draw_di_region": lambda: ((_region(),), {}, 1),
    "draw_di_eta_window": lambda: ((_eta_window(),), {}, 1),
    "draw_werner_window": lambda: ((_werner(),), {}, 1),
    "draw_rho_d_gap": lambda: ((_rho_d(),), {}, 1),
    "draw_distance_curve": lambda: ((_plan_rows(),), {"title": "plan"}, 1),
    "draw_repeater_figure": lambda: ((_figure2(),), {}, 2),
    "draw_network_map": lambda: ((_graph(), _path_bounds()), {"link_visibility": 1.0}, 1),
    "draw_network_bounds": lambda: ((_path_bounds(),), {}, 1),
    "draw_sweep": lambda: ((_sweep_rows(),), {"x": "visibility", "group": "leakage"}, 1),
}


def _agg_axes(n_panels: int):
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n_panels)
    return fig, axes


def _draw(name, monkeypatch, tmp_path):
    """Draw ``name`` on given Agg axes in an empty working directory; returns (fig, given, result)."""
    monkeypatch.chdir(tmp_path)
    args, kwargs, n_panels = CASES[name]()
    fig, given = _agg_axes(n_panels)
    result = getattr(plotting, name)(*args, ax=given, **kwargs)
    fig.canvas.draw()
    return fig, given, result


def test_every_exported_draw_function_is_covered():
    exported = {n for n in plotting.__all__ if callable(getattr(plotting, n)) and n != "save_figure"}
    assert exported == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_draws_on_the_given_axes_and_writes_nothing(name, monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, given, result = _draw(name, monkeypatch, tmp_path)
    panels = list(np.atleast_1d(given))
    returned = list(result) if isinstance(result, tuple) else [result]
    assert all(isinstance(a, Axes) for a in returned)
    assert returned == panels                       # the given axes, drawn on, returned
    for ax in panels:
        assert len(ax.lines) + len(ax.collections) > 0, ax
    assert list(tmp_path.iterdir()) == []           # nothing written
    assert plt.get_fignums() == before              # no pyplot figure opened beside the given one


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_style_legends_at_least_8pt_and_off_the_axes(name, monkeypatch, tmp_path):
    fig, given, _ = _draw(name, monkeypatch, tmp_path)
    for ax in np.atleast_1d(given):
        legend = ax.get_legend()
        if legend is None:
            continue
        assert min(t.get_fontsize() for t in legend.get_texts()) >= 8
        if name != "draw_repeater_figure":           # Fig. 2: legends in the empty upper right
            box, frame = legend.get_window_extent(), ax.get_window_extent()
            assert box.y1 <= frame.y0 + 1 or box.x0 >= frame.x1 - 1, "legend over the data"


def test_rate_curves_draw_the_baseline_and_thresholds(monkeypatch, tmp_path):
    _, ax, _ = _draw("draw_rate_curves", monkeypatch, tmp_path)
    labels = [line.get_label() for line in ax.lines]
    assert {"L = 0.1, paper", "L = 0.1, no attack", "L = 0.1, extended"} <= set(labels)
    verticals = [line for line in ax.lines if len(line.get_xdata()) == 2
                 and line.get_xdata()[0] == line.get_xdata()[1]]
    assert sorted(float(line.get_xdata()[0]) for line in verticals) == [0.4, 0.45]
    assert {line.get_color() for line in ax.lines} >= {plotting.OKABE_ITO["blue"]}


def test_plan_axis_spans_few_decades_and_ended_curves_get_a_marker(monkeypatch, tmp_path):
    from qkdbounds.plotting.planner_figure import MAX_DECADES

    _, ax, _ = _draw("draw_distance_curve", monkeypatch, tmp_path)
    lo, hi = ax.get_ylim()
    assert math.log10(hi) - math.log10(lo) <= MAX_DECADES + 2
    # the one-segment curve is 0 at 300 km: an open circle on its last positive point (200 km)
    ends = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata()) == 1]
    assert [float(line.get_xdata()[0]) for line in ends] == [200.0]
    assert lo <= float(ends[0].get_ydata()[0])      # the end point is inside the axes


def test_network_map_names_beside_nodes_visibilities_and_chosen_path(monkeypatch, tmp_path):
    fig, ax, _ = _draw("draw_network_map", monkeypatch, tmp_path)
    renderer = fig.canvas.get_renderer()
    texts = {t.get_text(): t for t in ax.texts}
    frame = fig.bbox
    for name, (x, y) in ((n, (a["x"], a["y"])) for n, a in _graph().nodes(data=True)):
        box = texts[name].get_window_extent(renderer)
        node = ax.transData.transform((x, y))
        assert not box.contains(*node), name                   # beside the node, not on it
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, name  # not cut at the figure's edge
        assert not texts[name].get_clip_on(), name               # nor at the axes' edge
    # the graph's own visibility, else the one the chosen path used, else the default
    assert "45 km\nv = 0.99" in texts and "60 km\nv = 0.97" in texts
    _, bare = _agg_axes(1)
    plotting.draw_network_map(_graph(), ax=bare, link_visibility=1.0)
    assert {"45 km\nv = 0.99", "60 km\nv = 1"} <= {t.get_text() for t in bare.texts}
    assert not [line for line in bare.lines if line.get_color() == plotting.OKABE_ITO["vermillion"]]
    highlighted = [line for line in ax.lines if line.get_color() == plotting.OKABE_ITO["vermillion"]
                   and len(line.get_xdata()) == 2]
    assert len(highlighted) == 2                                # both links of the chosen path


def test_rho_d_written_at_the_shared_dpi(tmp_path):
    from matplotlib.image import imread

    from qkdbounds.plotting._style import DPI
    from qkdbounds.plotting.diqkd_figure import write_rho_d_gap

    png, svg = write_rho_d_gap(_rho_d(), tmp_path / "rho")
    assert (png.name, svg.name) == ("rho.png", "rho.svg")
    # the "tall" figure is 6.6 in wide before the tight crop: at DPI, several hundred pixels
    assert imread(png).shape[1] >= 0.8 * 6.6 * DPI


def test_save_figure_writes_each_format_and_keeps_the_figure(tmp_path):
    fig, ax = _agg_axes(1)
    ax.plot([0, 1], [0, 1])
    paths = plotting.save_figure(fig, tmp_path / "a.b" / "line", formats=("png", "svg", "pdf"))
    assert [p.name for p in paths] == ["line.png", "line.svg", "line.pdf"]
    assert paths[1].read_text().lstrip().startswith("<?xml")
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and paths[2].read_bytes()[:4] == b"%PDF"
    assert fig.axes == [ax]


def test_save_figure_measures_the_tight_box_once_as_savefig_does(tmp_path):
    """With several formats the tight bounding box is measured once (at the saving dpi, padded as
    savefig pads it): the PNG is the one bbox_inches="tight" writes, pixel for pixel, and the
    legend outside the axes is kept."""
    from matplotlib.image import imread

    fig, ax = _agg_axes(1)
    for k in range(3):
        ax.plot([0, 1], [0, k], label=f"a long legend entry {k}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.set_xlabel("visibility v")
    dpi = fig.dpi
    alone = plotting.save_figure(fig, tmp_path / "alone", formats=("png",))[0]
    shared = plotting.save_figure(fig, tmp_path / "shared", formats=("png", "svg"))[0]
    a, b = imread(alone), imread(shared)
    assert a.shape == b.shape and np.array_equal(a, b)
    assert fig.dpi == dpi                                   # the figure's own dpi restored
    # a layout engine re-runs in savefig (constrained layout is not idempotent): each save
    # measures its own box, as the first save of a figure would
    def constrained():
        fig = Figure(figsize=(6.4, 4.4), dpi=300, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.set_xlabel("x")
        ax.set_title("title")
        fig.text(1.02, 0.5, "text right outside", rotation=90)
        return fig

    shared = plotting.save_figure(constrained(), tmp_path / "c_shared", formats=("png", "svg"))[0]
    alone = plotting.save_figure(constrained(), tmp_path / "c_alone", formats=("png",))[0]
    assert np.array_equal(imread(alone), imread(shared))


def test_draw_without_ax_makes_a_pyplot_figure_in_the_shared_style(monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    cycle = matplotlib.rcParams["axes.prop_cycle"]
    ax = plotting.draw_sweep(_sweep_rows())
    try:
        assert ax.figure.number in plt.get_fignums()           # Jupyter shows it inline
        assert [line.get_color() for line in ax.lines] == [plotting.OKABE_ITO["blue"],
                                                           plotting.OKABE_ITO["vermillion"]]
        assert matplotlib.rcParams["axes.prop_cycle"] == cycle          # the style is not global
    finally:
        plt.close(ax.figure)
    assert list(tmp_path.iterdir()) == []
