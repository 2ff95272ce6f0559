"""The one JSON home (qkdbounds._json): the orjson encoder against the stdlib encoder of the plain
conversion, on every kind of value a result holds."""

import dataclasses
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from qkdbounds._json import dumps_bytes, to_jsonable
from qkdbounds.cli.main import _write_json


@dataclasses.dataclass
class _Cert:
    weights: np.ndarray
    label: str


def _mixed():
    grid = np.arange(12.0).reshape(3, 4)
    return {
        "floats": np.array([0.1, 1e-5, 1e20, -0.0, 5e-324]),
        "with_nan": np.array([1.0, np.nan, np.inf, -np.inf]),
        "ints": np.arange(5, dtype=np.int64),
        "bools": np.array([True, False]),
        "strings": np.array(["Z", "X"]),
        "matrix": grid,
        "column": grid[:, 1],  # not C-contiguous: orjson falls back
        "complex": np.array([1 + 2j, 3.5 - 1j]),
        "objects": np.array([1.0, None], dtype=object),
        "scalar": np.float64(2.5),
        "nan_scalar": np.float64("nan"),
        "int_scalar": np.int64(3),
        "bool_scalar": np.bool_(True),
        "py_nan": float("nan"),
        "py_complex": 1 - 1j,
        "tuple": (1, "a", 2.0),
        "path": Path("/tmp/x.sqlite"),
        "cert": _Cert(np.array([0.25, 0.75]), "ensemble"),
        7: "non-string key",
        "nested": [{"a": np.array([[1, 2]])}, None],
    }


@pytest.mark.parametrize("small_payload", [0, 20_000], ids=["orjson", "stdlib"])
def test_orjson_encoder_gives_the_stdlib_values_of_the_plain_conversion(monkeypatch, small_payload):
    # both encoders: orjson (every payload counted large) and json (the default for this one)
    monkeypatch.setattr("qkdbounds._json.SMALL_PAYLOAD", small_payload)
    fast = json.loads(dumps_bytes(_mixed()))
    plain = json.loads(json.dumps(to_jsonable(_mixed()), allow_nan=False))
    assert fast == plain
    assert fast["with_nan"] == [1.0, None, None, None]
    assert fast["complex"] == [{"re": 1.0, "im": 2.0}, {"re": 3.5, "im": -1.0}]
    assert fast["column"] == [1.0, 5.0, 9.0]
    assert fast["path"] == "/tmp/x.sqlite"
    assert fast["cert"] == {"weights": [0.25, 0.75], "label": "ensemble"}
    assert fast["7"] == "non-string key"


def test_floats_round_trip_exactly():
    values = np.random.default_rng(0).standard_normal(600) * 10.0 ** np.arange(-300, 300)
    back = np.array(json.loads(dumps_bytes({"v": values}))["v"])
    assert np.array_equal(back, values)


def test_cli_writer_on_text_and_byte_streams():
    result = {"rate_upper_bound": np.array([0.5, math.nan]), "status": "optimal"}
    text = io.StringIO()
    _write_json(result, text)
    raw = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    _write_json(result, raw)
    raw.seek(0)
    for out in (text.getvalue(), raw.read()):
        assert out.endswith("\n") and out.count("\n") == 1
        assert json.loads(out) == {"rate_upper_bound": [0.5, None], "status": "optimal"}


def test_unknown_objects_become_their_repr():
    class Thing:
        def __repr__(self):
            return "Thing()"

    assert json.loads(dumps_bytes({"x": Thing()})) == {"x": "Thing()"}
    # deeper than orjson's limit (254 levels): the stdlib route encodes it
    assert json.loads(dumps_bytes(_deep(300))) == _deep(300)


def _deep(n):
    obj = []
    for _ in range(n):
        obj = [obj]
    return obj


@pytest.mark.parametrize("small_payload", [0, 20_000], ids=["orjson", "stdlib"])
def test_what_orjson_refuses_is_encoded_by_the_stdlib_route(monkeypatch, small_payload):
    """Non-native byte order, integers beyond 64 bits, tuple and numpy-scalar keys, a lone
    surrogate, a long double, a byte-string array and a dataclass with extra attributes: the
    same values as json.dumps(to_jsonable(x))."""
    @dataclasses.dataclass
    class WithExtra:
        value: float

        def __post_init__(self):
            self.extra = "not a field"

    monkeypatch.setattr("qkdbounds._json.SMALL_PAYLOAD", small_payload)

    cases = [
        {"big_endian": np.array([1.5, 2.5], dtype=">f8")},
        {"huge": 2**70},
        {(1, 2): "tuple key"},
        {np.int64(3): "numpy key"},
        {"surrogate": "a\udcffb"},
        {"long_double": np.longdouble(0.25)},
        {"bytes": np.array([b"ab", b"c"])},
        {"cert": WithExtra(0.5)},
    ]
    for obj in cases:
        fast = json.loads(dumps_bytes(obj))
        plain = json.loads(json.dumps(to_jsonable(obj), allow_nan=False))
        assert fast == plain, obj
    assert json.loads(dumps_bytes({"cert": WithExtra(0.5)})) == {"cert": {"value": 0.5}}


def test_small_results_skip_the_orjson_import_and_large_ones_use_it():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from qkdbounds._json import dumps_bytes; "
            "dumps_bytes({{'v': np.zeros({n}), 'label': 'x'}}); print('orjson' in sys.modules)")
    out = [subprocess.run([sys.executable, "-c", code.format(n=n)], capture_output=True, text=True,
                          check=True).stdout.strip() for n in (10, 100_000)]
    assert out == ["False", "True"]


def test_the_leaf_count_stops_at_the_limit():
    from qkdbounds._json import _is_small

    # 2 entries + 10 items + 9 elements
    assert _is_small({"a": [1.0] * 10, "b": np.zeros((3, 3))}, limit=21)
    assert not _is_small({"a": [1.0] * 10, "b": np.zeros((3, 3))}, limit=20)
    assert not _is_small([[0.0] * 5] * 10**6, limit=100)       # no walk over a million rows
    assert _is_small(_mixed()) and not _is_small(list(range(20_001)))
