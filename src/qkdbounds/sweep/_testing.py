"""Toy point functions for the sweep tests (importable by Dask workers; no science).

Environment variables (inherited by local and remote workers started by the tests):

``QKDBOUNDS_TOY_SLEEP``
    Seconds each toy point sleeps (makes "kill mid-sweep" tests meaningful).
``QKDBOUNDS_TOY_LOG``
    File to which each computation appends one line ``<parameter key> <pid>``, so a test can
    count how often, and in which process, each point was computed.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from typing import Any

from ..store import parameter_key

__all__ = ["toy_point", "failing_point"]


def _log(params: Mapping[str, Any]) -> None:
    log = os.environ.get("QKDBOUNDS_TOY_LOG")
    if log:
        # One short write with O_APPEND is atomic between processes on a local file system.
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{parameter_key(params)} {os.getpid()}\n".encode())
        finally:
            os.close(fd)


def toy_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Deterministic stand-in for a rate: ``max(0, v - 2 L) * log2(d) / (N - 1)``."""
    time.sleep(float(os.environ.get("QKDBOUNDS_TOY_SLEEP", "0")))
    _log(params)
    value = max(0.0, params["visibility"] - 2 * params["leakage"])
    value *= math.log2(params["dim"]) / (params["parties"] - 1)
    return {"rate_upper_bound": value, "status": "optimal", "method": "toy",
            "certificate": {"toy": True}}


def failing_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Like :func:`toy_point` but raises for ``leakage > 0.5``."""
    if params["leakage"] > 0.5:
        raise ValueError(f"toy failure at leakage={params['leakage']}")
    return toy_point(params)
