"""Point functions for sweeps: one grid point (a dict of parameters) in, one result dict out.

A point function must be a top-level, importable callable (Dask workers import it by name) that
takes the parameters ``dim, parties, visibility, leakage, model, attack`` as a dict and returns a
JSON-able dict with at least ``"rate_upper_bound"`` (bits) and ``"status"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["rate_point", "rate_chunk", "search_rate_point"]


def _plain(obj: Any) -> Any:
    """Certificates may hold dataclasses and arrays; keep them JSON-able for the store."""
    from ..store._sqlite import _jsonable

    return _jsonable(obj)


def rate_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Upper bound on the key rate at one grid point (the default sweep function).

    Calls :func:`qkdbounds.bounds.rate_upper_bound` (paper 1, Eqs. 3, 13, 14) with
    ``local_dim=params["dim"]``, ``n_parties=params["parties"]`` and the point's visibility,
    leakage, leakage model and attack.

    Parameters
    ----------
    params : Mapping
        ``dim``, ``parties``, ``visibility``, ``leakage``, ``model``, ``attack``.

    Returns
    -------
    dict
        ``rate_upper_bound`` (bits), ``status``, ``method``, ``certificate`` and, if the result
        has them, ``tolerance`` and ``message``.
    """
    from ..bounds import rate_upper_bound

    result = rate_upper_bound(int(params["dim"]), int(params["parties"]),
                              float(params["visibility"]), float(params["leakage"]),
                              model=str(params["model"]), attack=str(params["attack"]))
    return _point_dict(result)


def _point_dict(result) -> dict[str, Any]:
    out = {
        "rate_upper_bound": float(result.value),
        "status": str(result.status),
        "method": None if getattr(result, "method", None) is None else str(result.method),
        "certificate": _plain(getattr(result, "certificate", None)),
    }
    for extra in ("tolerance", "message"):
        if getattr(result, extra, None) is not None:
            out[extra] = _plain(getattr(result, extra))
    if dataclasses.is_dataclass(result):
        known = {"value", "status", "method", "certificate", "tolerance", "message"}
        for field in dataclasses.fields(result):
            if field.name not in known:
                out.setdefault(field.name, _plain(getattr(result, field.name)))
    return out


def rate_chunk(points: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """:func:`rate_point` for many points at once: one dispatcher call per (d, N, model, attack)
    group on the arrays of its visibilities and leakages (array operations on the structured
    route).  Returns, point by point, exactly what :func:`rate_point` returns."""
    from ..bounds import rate_upper_bound

    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(points):
        key = (int(p["dim"]), int(p["parties"]), str(p["model"]), str(p["attack"]))
        groups.setdefault(key, []).append(i)
    out: list[dict[str, Any] | None] = [None] * len(points)
    for (d, n, model, attack), idx in groups.items():
        v = np.array([float(points[i]["visibility"]) for i in idx])
        leak = np.array([float(points[i]["leakage"]) for i in idx])
        res = rate_upper_bound(d, n, v, leak, model=model, attack=attack)
        if res.route == "structured" and res.cut_bound is None:
            _fill_structured(out, idx, res)
        else:
            for j, i in enumerate(idx):
                out[i] = _point_dict(res.point(j))
    return out  # type: ignore[return-value]


def _fill_structured(out: list, idx: list[int], res) -> None:
    """Fast path of :func:`rate_chunk` on the structured route: the dict of :func:`_point_dict`
    built from one template and the per-point arrays (no per-point recursion)."""
    template = _point_dict(res.point(0))
    cert0 = template["certificate"]
    attack0 = cert0["attack"]
    array_keys = [k for k, v in res.certificate["attack"].items() if isinstance(v, np.ndarray)]
    columns = {k: res.certificate["attack"][k].ravel().tolist() for k in array_keys}
    values = res.value.ravel().tolist()
    statuses = res.status.ravel().tolist()
    # per-point fields beside the value (attack_used, paper_value, ..., verdict); NaN -> None
    fields = {}
    for key in ("attack_used", "paper_value", "extended_value", "no_attack_value",
                "lower_bound", "verdict"):
        arr = getattr(res, key, None)
        if arr is not None:
            flat = np.asarray(arr).ravel()
            fields[key] = ([str(x) for x in flat] if flat.dtype.kind in "US" else
                           [None if np.isnan(x) else float(x) for x in flat])
    used = fields.get("attack_used")
    for j, i in enumerate(idx):
        attack = dict(attack0)
        for k in array_keys:
            attack[k] = columns[k][j]
        row = dict(template)
        row["rate_upper_bound"] = values[j]
        row["status"] = statuses[j]
        for key, col in fields.items():
            row[key] = col[j]
        row["certificate"] = (dict(cert0, attack=attack) if used is None or "attack_used" not in cert0
                              else dict(cert0, attack=attack, attack_used=used[j]))
        out[i] = row


#: Sweeps call the chunk form of a point function when it has one (sweep._run).
rate_point.chunk = rate_chunk  # type: ignore[attr-defined]


def search_rate_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Like :func:`rate_point` with an explicit global measurement search at the point
    (``measurements="search"``): the expensive route, one point per sweep task."""
    from ..bounds import rate_upper_bound

    result = rate_upper_bound(int(params["dim"]), int(params["parties"]),
                              float(params["visibility"]), float(params["leakage"]),
                              model=str(params["model"]), measurements="search",
                              attack=str(params["attack"]))
    return _point_dict(result)
