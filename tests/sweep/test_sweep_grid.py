"""Grid specs: inclusive decimal ranges, comma lists, validation (hypothesis, derandomized)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from qkdbounds.errors import InputError
from qkdbounds.store import canonical_float
from qkdbounds.sweep import build_grid, grid_points, parse_axis

SETTINGS = settings(derandomize=True, max_examples=150, deadline=None)


def test_issue_example_has_71_points_ending_exactly_at_one():
    values = parse_axis("visibility", "0.3:1:0.01")
    assert len(values) == 71
    assert values[0] == 0.3 and values[-1] == 1.0
    assert values[70 - 40] == 0.6     # no 0.6000000000000001
    assert all(v == round(0.3 + i / 100, 12) for i, v in enumerate(values))


@SETTINGS
@given(start=st.integers(0, 900), step=st.integers(1, 500), n=st.integers(0, 300),
       scale=st.sampled_from([100, 1000]))
def test_inclusive_range_matches_linspace(start, step, n, scale):
    start %= scale + 1
    stop = start + n * step
    if stop > scale:  # keep visibilities in [0, 1]
        n = (scale - start) // step
        stop = start + n * step
    text = f"{Decimal(start) / scale}:{Decimal(stop) / scale}:{Decimal(step) / scale}"
    values = parse_axis("visibility", text)
    assert len(values) == n + 1
    # Independent route: numpy.linspace on the exact endpoints, rounded like the store keys.
    assert_allclose(values, np.linspace(start / scale, stop / scale, n + 1), rtol=0, atol=1e-12)
    assert values[0] == start / scale and values[-1] == stop / scale
    assert values == sorted(set(values))


@SETTINGS
@given(start=st.integers(0, 4000), step=st.integers(1, 100), n=st.integers(0, 50),
       frac=st.integers(1, 99))
def test_stop_between_grid_points_is_not_exceeded(start, step, n, frac):
    # all values below 0.91: start + (n + 1) * step <= 9100 (in units of 1e-4)
    scale = Decimal(10_000)
    stop = Decimal(start + n * step) + Decimal(frac) * step / 100
    values = parse_axis("leakage", f"{start / scale}:{stop / scale}:{step / scale}")
    assert len(values) == n + 1
    assert values[-1] == float((start + n * step) / scale) <= float(stop / scale)


@SETTINGS
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=8))
def test_comma_lists_keep_order_and_drop_duplicates(xs):
    text = ",".join(repr(x) for x in xs + xs[:1])
    values = parse_axis("leakage", text)
    # each value as typed (the single-point command's number), one per 12-decimal key
    keys, expected = [], []
    for x in xs:
        if canonical_float(x) not in keys:
            keys.append(canonical_float(x))
            expected.append(x + 0.0)
    assert values == expected


@SETTINGS
@given(st.text(alphabet="0123456789.:,-+eE nai", max_size=12))
def test_arbitrary_text_parses_or_raises_input_error(text):
    try:
        values = parse_axis("visibility", text)
    except InputError:
        return
    assert values and all(0.0 <= v <= 1.0 for v in values)


@pytest.mark.parametrize("name, spec, match", [
    ("visibility", "", "empty"),
    ("visibility", "0.1,,0.2", "empty"),
    ("visibility", "abc", "not a number"),
    ("visibility", "nan", "finite"),
    ("visibility", "inf", "finite"),
    ("visibility", "1.5", r"in \[0, 1\]"),
    ("leakage", "-0.1", r"in \[0, 1\]"),
    ("visibility", "0.3:1.2:0.1", r"in \[0, 1\]"),
    ("visibility", "1:0.3:0.1", "stop must be >= start"),
    ("visibility", "0:1:0", "step must be > 0"),
    ("visibility", "0:1:-0.1", "step must be > 0"),
    ("visibility", "0:1:0.1:2", "START:STOP"),
    ("leakage", "0:0.5", "needs integer ends"),    # (step 1: the single point 0, silently)
    ("visibility", "0:1:1e-9", "more than"),
    ("dim", "2.5", "integer"),
    ("dim", "1", r"integer in \[2, 65536\]"),
    ("parties", "2:4:0.5", "integer"),
    ("model", "uniform,gaussian", "uniform, junk"),
    ("attack", "intrinsic", "best, paper, extended"),
    ("colour", "red", "unknown sweep parameter"),
], ids=lambda v: str(v) or "blank")
def test_bad_specs_rejected(name, spec, match):
    with pytest.raises(InputError, match=match):
        parse_axis(name, spec)


def test_integer_ranges_and_single_values():
    assert parse_axis("dim", "2:5") == [2, 3, 4, 5]
    assert parse_axis("parties", "3") == [3]
    assert parse_axis("visibility", 1) == [1.0]
    assert parse_axis("visibility", "0.9:1:0.05,0.5") == [0.9, 0.95, 1.0, 0.5]
    assert parse_axis("model", "junk,uniform") == ["junk", "uniform"]


def test_build_grid_defaults_and_product():
    grid = build_grid({"visibility": "0.5,1", "leakage": "0.1:0.3:0.1", "dim": "2,3"})
    assert grid["parties"] == [2] and grid["model"] == ["uniform"] and grid["attack"] == ["best"]
    points = list(grid_points(grid))
    assert len(points) == 2 * 3 * 2
    assert len({tuple(sorted(p.items())) for p in points}) == len(points)
    assert set(points[0]) == {"dim", "parties", "visibility", "leakage", "model", "attack"}
    with pytest.raises(InputError, match="leakage is required"):
        build_grid({"visibility": "0.5"})
    with pytest.raises(InputError, match="unknown sweep parameter"):
        build_grid({"visibility": "0.5", "leakage": "0", "noise": "1"})


def test_range_finer_than_the_key_decimals_has_no_duplicate_points():
    # 1e-13 steps round to 12 decimals: the exact decimal route collapses them, and the grid
    # keeps each value once (only a fast-route range, strictly increasing, skips the dedupe)
    assert parse_axis("visibility", "0:0.000000000001:0.0000000000001") == [0.0, 1e-12]
    values = parse_axis("visibility", "0.3:1:0.000001")
    assert len(values) == 700_001 == len(set(values)) and values == sorted(values)


def test_numpy_numbers_and_arrays_are_axes():
    """The API takes NumPy values as the rest of the library does (fuzzing: 'np.float64(0.5)' is
    not a number): arrays, lists of NumPy numbers and NumPy scalars give the same grid."""
    want = parse_axis("visibility", [0.5, 0.75, 1.0])
    assert parse_axis("visibility", np.linspace(0.5, 1, 3)) == want
    assert parse_axis("visibility", list(np.linspace(0.5, 1, 3))) == want
    assert parse_axis("leakage", np.float64(0.1)) == [0.1]
    assert parse_axis("dim", np.arange(2, 5)) == [2, 3, 4]
    with pytest.raises(InputError, match="one-dimensional"):
        parse_axis("visibility", np.ones((2, 2)))
    with pytest.raises(InputError, match="not a number"):
        parse_axis("visibility", np.array([True]))


def test_state_question_dims_not_a_list_is_one_error():
    from qkdbounds.sweep.questions import _canonical_dims

    with pytest.raises(InputError, match="dims must list the local dimensions"):
        _canonical_dims(4)
    assert _canonical_dims(np.array([2, 3])) == "2,3"


def test_a_typed_value_is_computed_as_typed():
    """A value given on its own keeps all its digits (the rate sweep computed at the 12-decimal
    key, 4e-13 off the single-point answer; fuzzing); a range's values are its decimal grid."""
    assert parse_axis("visibility", "0.7777777777777777") == [0.7777777777777777]
    assert parse_axis("visibility", 0.7777777777777777) == [0.7777777777777777]
    assert parse_axis("visibility", "0.7777777777777777,0.777777777778") == [0.7777777777777777]
    assert parse_axis("visibility", "0.1:0.3:0.1") == [0.1, 0.2, 0.3]


@pytest.mark.parametrize("name", ["a\nb", "", "   ", 5, "x" * 201])
def test_run_sweep_name_checked_as_the_cli_does(tmp_path, name):
    """The API accepted names the CLI refuses (fuzzing): one check for both."""
    from qkdbounds.sweep import run_sweep

    with pytest.raises(InputError, match="name must be printable, non-empty text"):
        run_sweep({"visibility": 0.5, "leakage": 0.1}, tmp_path / "s.sqlite", name=name,
                  quiet=True)


@pytest.mark.parametrize("spec", [":1", "0:", "0::0.1", "0:0.5:"])
def test_a_range_with_an_empty_end_names_the_form(spec):
    with pytest.raises(InputError, match="empty START, STOP or STEP; give START:STOP:STEP"):
        parse_axis("leakage", spec)


@pytest.mark.parametrize("dims", ["3,,3", ",3,3", "3,3,", ","])
def test_sweep_dims_refuse_empty_items_as_state_bound_does(dims):
    from qkdbounds.sweep.questions import _canonical_dims

    with pytest.raises(InputError, match=r"integers in \[2, 4096\]"):
        _canonical_dims(dims)
