"""JSON for results: one conversion to plain values and one fast encoder.

Results hold numpy arrays and scalars, dataclasses, complex numbers and non-finite floats;
:func:`to_jsonable` turns them into plain JSON values (non-finite floats become ``null``,
complex numbers ``{"re": .., "im": ..}``). :func:`dumps_bytes` encodes a result with
`orjson <https://github.com/ijl/orjson>`_, which writes numpy arrays natively: a
700,001-point grid's JSON takes ~0.3 s instead of ~7 s through :mod:`json` (float repr in
Python); a small result goes through :mod:`json` (no orjson import).  Both give the same JSON
values, in compact text.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["to_jsonable", "dumps_bytes"]


def to_jsonable(obj: Any) -> Any:
    """Convert a result to plain JSON values.

    Parameters
    ----------
    obj : Any
        dicts/mappings, dataclasses, lists/tuples/sets, numpy arrays and scalars, complex,
        path-like objects, and the JSON leaves.

    Returns
    -------
    Any
        The same structure made of dict, list, str, int, float, bool and None; non-finite
        floats become None; other objects become their ``repr``.
    """
    kind = type(obj)
    if obj is None or kind is str or kind is int or kind is bool:  # fast paths: the common leaves
        return obj
    if kind is float:   # (+ 0.0: -0.0 is written 0.0, e.g. an option typed as -0)
        return obj + 0.0 if math.isfinite(obj) else None
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biuU":
            return obj.tolist()  # plain numbers or strings: no per-element pass
        if obj.dtype.kind == "f" and np.isfinite(obj).all():
            return (obj + 0.0).tolist()     # (+ 0.0: -0.0 written 0.0)
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.floating):  # any precision (np.longdouble's item() is a longdouble)
        return to_jsonable(float(obj))
    if isinstance(obj, np.complexfloating):
        return to_jsonable(complex(obj))
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, complex):
        return {"re": to_jsonable(obj.real), "im": to_jsonable(obj.imag)}
    if isinstance(obj, float):  # float subclasses
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return repr(obj)


def _fallback(obj: Any) -> Any:
    """orjson's ``default``: what it cannot encode natively (complex, object or non-contiguous
    arrays, paths, other objects) goes through :func:`to_jsonable`."""
    return to_jsonable(obj)


#: Results with at most this many leaves (array elements, list items, mapping entries) are
#: encoded by :mod:`json` from :func:`to_jsonable`: importing orjson costs ~5 ms of a
#: command's start-up, more than it saves on a small result (one point: ~0.1 ms either way).
SMALL_PAYLOAD = 20_000


def _is_small(obj: Any, limit: int | None = None) -> bool:
    """True when ``obj`` has at most ``limit`` (default :data:`SMALL_PAYLOAD`) leaves, counted
    without walking past the limit."""
    limit = SMALL_PAYLOAD if limit is None else limit
    stack, count = [obj], 0
    while stack:
        x = stack.pop()
        if isinstance(x, np.ndarray):
            count += x.size
            if x.dtype == object:
                stack.extend(x.ravel().tolist())
        elif isinstance(x, Mapping):
            count += len(x)
            if count <= limit:
                stack.extend(x.values())
        elif isinstance(x, (list, tuple, set, frozenset)):
            count += len(x)
            if count <= limit:
                stack.extend(x)
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            stack.extend(getattr(x, f.name) for f in dataclasses.fields(x))
        # (a scalar is counted by its container)
        if count > limit:
            return False
    return True


def dumps_bytes(obj: Any) -> bytes:
    """Compact UTF-8 JSON of a result (no trailing newline).

    Numpy arrays of numbers and numpy scalars are encoded natively; non-finite floats are
    written as ``null``, as :func:`to_jsonable` does; dict keys that are not strings are
    written as strings; dataclasses go through :func:`to_jsonable` (their declared fields).
    A small result (at most :data:`SMALL_PAYLOAD` leaves) and what orjson refuses
    (non-native byte order, integers beyond 64 bits, keys that are numpy scalars or tuples,
    unpaired surrogates) are encoded by :mod:`json` from :func:`to_jsonable`: the same values.
    """
    import json

    if _is_small(obj):
        plain = to_jsonable(obj)
        try:
            return json.dumps(plain, allow_nan=False, ensure_ascii=False,
                              separators=(",", ":")).encode()
        except UnicodeEncodeError:      # an unpaired surrogate: escaped, as below
            return json.dumps(plain, allow_nan=False).encode()
    import orjson

    try:
        return orjson.dumps(obj, default=_fallback,
                            option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
                            | orjson.OPT_PASSTHROUGH_DATACLASS)
    except orjson.JSONEncodeError:
        return json.dumps(to_jsonable(obj), allow_nan=False).encode()
