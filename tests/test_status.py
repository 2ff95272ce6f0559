"""``status`` is a small enum on every result (issue 22, item 2): code tests the enum, people read
``message``."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import numpy as np
import pytest

import qkdbounds
from qkdbounds.status import Status, StatusField


def _result_classes():
    found = {}
    for info in pkgutil.walk_packages(qkdbounds.__path__, "qkdbounds."):
        if ".cli" in info.name or ".plotting" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (isinstance(obj, type) and dataclasses.is_dataclass(obj)
                    and obj.__module__ == module.__name__
                    and any(f.name == "status" for f in dataclasses.fields(obj))):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


RESULTS = _result_classes()


def test_the_scan_finds_the_results():
    names = set(RESULTS)
    for expected in ("qkdbounds.bounds._results.RateBound", "qkdbounds.di.attack.DIAttackBound",
                     "qkdbounds.bounds.source_bound.SourceRateBound",
                     "qkdbounds.repeaters.planner.LinkPlan"):
        assert expected in names


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_every_result_status_is_the_enum(name):
    """Each result class with a ``status`` either coerces it to :class:`Status` (the mixin) or is
    an internal solution whose annotation is ``Status``; the grid result keeps an array of the
    enum's values."""
    cls = RESULTS[name]
    field = next(f for f in dataclasses.fields(cls) if f.name == "status")
    annotation = str(field.type)
    if name == "qkdbounds.bounds._results.RateBounds":   # per point: checked on construction
        res = qkdbounds.rate_upper_bound(2, 2, [0.3, 0.9], 0.1)
        assert set(res.status) == {"optimal", "closed_form"}
        with pytest.raises(ValueError, match="status must be one of"):
            dataclasses.replace(res, status=res.status.astype(object) + "!")
        return
    if name == "qkdbounds.bounds.source_bound.SourceRateBounds":   # the same, on a source grid
        phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
        res = qkdbounds.source_rate_upper_bound(np.outer(phi, phi), [0.0, 0.1], measurements="Z")
        assert list(res.status) == [str(p.status) for p in res.points]
        with pytest.raises(ValueError, match="status must be one of"):
            dataclasses.replace(res, status=res.status.astype(object) + "!")
        return
    if name == "qkdbounds.bounds.data_bound.DataRateBounds":   # the same, on a data grid
        res = qkdbounds.data_rate_upper_bound("bb84", qber_z=0.02, qber_x=0.02, leakage=[0.0, 0.1])
        assert list(res.status) == [str(p.status) for p in res.points]
        with pytest.raises(ValueError, match="status must be one of"):
            dataclasses.replace(res, status=res.status.astype(object) + "!")
        return
    assert issubclass(cls, StatusField) or "Status" in annotation, (name, annotation)
    assert "Status" in annotation, (name, annotation)


def test_status_parse_refuses_prose_and_names_the_values():
    assert Status.parse("certified") is Status.CERTIFIED and Status.CERTIFIED == "certified"
    with pytest.raises(ValueError, match="closed_form, optimal, certified, heuristic, "
                                         "infeasible, failed"):
        Status.parse("ok: separable weight not certified optimal")
    assert Status.of_solver("optimal_inaccurate") is Status.OPTIMAL
    assert Status.of_solver("infeasible") is Status.FAILED
