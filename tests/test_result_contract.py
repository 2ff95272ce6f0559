"""Every bound result says what it is: value, verdict, lower bound, status and unit, on grids as
on single points, and the package exports the entry points a user calls (API audit)."""

import numpy as np
import pytest

import qkdbounds as qb


@pytest.mark.parametrize("name", ["data_rate_upper_bound", "DataRateBound", "DataRateBounds", "plan_link",
                                  "LinkPlan", "source_rate_upper_bound", "rate_upper_bound", "di_attack_bound"])
def test_entry_points_are_exported(name):
    assert name in qb.__all__
    assert getattr(qb, name) is not None


def test_data_bound_grid_repeats_the_points_fields():
    grid = qb.data_rate_upper_bound("bb84", qber_z=0.03, qber_x=0.04, leakage=[0.0, 0.2])
    assert isinstance(grid, qb.DataRateBounds) and len(grid) == 2
    for i, point in enumerate(grid):
        assert isinstance(point, qb.DataRateBound)
        assert grid.value[i] == point.value
        assert grid.status[i] == str(point.status)
        assert grid.paper_value[i] == point.paper_value
        assert grid.no_attack_value[i] == point.no_attack_value
        assert grid.key_basis[i] == point.key_basis
        assert grid.lower_bound_method[i] == point.lower_bound_method
        assert grid.verdict[i] == point.verdict
    table = grid.to_dataframe() if _has_pandas() else None
    if table is not None:
        assert list(table["status"]) == [str(p.status) for p in grid]
    with pytest.raises(ValueError):
        qb.DataRateBounds(grid.leakage, grid.value, grid.lower_bound, grid.verdict, grid.attack_used,
                          grid.points, status=np.array(["fine", "fine"]))


def test_link_plan_carries_the_decision_of_its_json():
    plan = qb.plan_link(100, 2, 0.1)
    d = plan.to_dict()
    assert (plan.value, plan.lower_bound, plan.verdict) == (d["rate_upper_bound"], d["lower_bound"], d["verdict"])
    assert plan.lower_bound_method == d["lower_bound_method"]
    assert plan.unit == "bits per delivered pair"
    assert plan.verdict in ("key", "no_key", "open")


def _has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def test_sweep_points_carry_the_unit_of_their_command():
    # helper verification: stored data / state / di / plan points had no "unit"
    from qkdbounds.sweep.points import data_point, di_point

    data = data_point({"protocol": "bb84", "qber_z": 0.02, "qber_x": 0.03, "qber_y": None,
                       "leakage": 0.1, "model": "uniform", "attack": "best"})
    assert data["unit"] == "bits per round"
    di = di_point({"theta": np.pi / 4, "visibility": 1.0, "eta": 1.0, "eta_b": None, "binning": "both",
                   "leakage": 0.0, "model": "uniform", "attack_side": "best"})
    assert di["unit"] == "bits per key round"    # (DIWindowPoint.unit, as di-region says)
    assert qb.plan_link(100, 2, 0.1).to_dict()["unit"] == "bits per delivered pair"


def test_chains_compare_by_content():
    # review: ComposedChain (a plain dataclass link with arrays inside) compared unequal to itself
    from qkdbounds.repeaters.links import compose_chain, isotropic_weights

    w = isotropic_weights(0.9, 2)
    assert compose_chain([w, w]) == compose_chain([w, w])
    assert compose_chain([w, w]) != compose_chain([w, isotropic_weights(0.8, 2)])
    assert compose_chain([w, w]).status == "closed_form"


def test_werner_window_verdict_reads_the_curves_without_raising():
    # a caller's upper route below the DI lower bound: the verdict clips, rows() still work
    from qkdbounds.di.window import werner_window

    def route(vis, leakage, model):
        return np.full(vis.size, 0.01), ["certified"] * vis.size, "a too-low route"

    w = werner_window([0.95, 1.0], 0.0, upper_bound=route)
    assert w.best_lower[1] > w.upper[1]
    assert w.verdict == ("key", "key") and len(w.rows()) == 2


def test_plan_link_refuses_an_unknown_parameter_by_name():
    # fuzz: a misspelt keyword was a TypeError naming the internal plan_path
    with pytest.raises(qb.InputError, match="unknown parameter 'bogus'; allowed: model"):
        qb.plan_link(100, 2, 0.1, bogus=3)


def test_werner_windows_compare_by_content():
    w = qb.werner_window([0.8, 0.9], 0.1)
    assert w == qb.werner_window([0.8, 0.9], 0.1)
    assert w != qb.werner_window([0.8, 0.95], 0.1)
