"""Point functions for sweeps: one grid point (a dict of parameters) in, one result dict out.

A point function must be a top-level, importable callable (Dask workers import it by name) that
takes the parameters of its question (``rate``: ``dim, parties, visibility, leakage, model,
attack``; see :mod:`qkdbounds.sweep.questions`) as a dict and returns a JSON-able dict with at
least ``"rate_upper_bound"`` (bits) and ``"status"``.  Each calls the one API route of its
question, so a sweep point and the API/CLI answer are the same number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._json import to_jsonable

__all__ = ["rate_point", "rate_chunk", "search_rate_point", "data_point", "state_point",
           "di_point"]


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
        "certificate": to_jsonable(getattr(result, "certificate", None)),
    }
    for extra in ("tolerance", "message"):
        if getattr(result, extra, None) is not None:
            out[extra] = to_jsonable(getattr(result, extra))
    if dataclasses.is_dataclass(result):
        # the question's own parameters are the point's key columns already
        known = {"value", "status", "method", "certificate", "tolerance", "message",
                 "local_dim", "n_parties", "visibility", "leakage", "model", "attack"}
        for field in dataclasses.fields(result):
            if field.name not in known:
                out.setdefault(field.name, to_jsonable(getattr(result, field.name)))
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


def _fields(result, names: Sequence[str]) -> dict[str, Any]:
    return {name: to_jsonable(getattr(result, name, None)) for name in names}


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def data_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Key bounds from recorded QBERs at one grid point (question ``data``).

    Calls :func:`qkdbounds.bounds.data_bound.data_rate_upper_bound` (the route of
    ``qkdbounds data-bound``) with the point's ``protocol``, ``qber_z``, ``qber_x``, ``qber_y``
    (``None``: not monitored), ``leakage``, ``model`` and ``attack``.

    Returns
    -------
    dict
        ``rate_upper_bound``, ``status``, ``method``, ``lower_bound``, ``lower_bound_method``,
        ``verdict``, ``attack_used``, ``key_basis``, ``value_by_basis``, ``paper_value``,
        ``extended_value``, ``no_attack_value``, ``bell_weights`` (Eve's compatible
        Bell-diagonal state), ``unmonitored_weight``, ``separable_weight``, ``residual``,
        ``qber``.
    """
    from ..bounds.data_bound import data_rate_upper_bound

    result = data_rate_upper_bound(
        str(params["protocol"]), qber_z=float(params["qber_z"]), qber_x=float(params["qber_x"]),
        qber_y=_optional_float(params.get("qber_y")), leakage=float(params["leakage"]),
        model=str(params["model"]), attack=str(params["attack"]))
    out = {"rate_upper_bound": float(result.value), "status": str(result.status),
           "message": str(result.message), "method": str(result.method)}
    out.update(_fields(result, ("lower_bound", "lower_bound_method", "verdict", "attack_used",
                                "key_basis", "value_by_basis", "paper_value", "extended_value",
                                "no_attack_value", "bell_weights", "unmonitored_weight",
                                "separable_weight", "residual", "qber", "protocol", "unit")))
    return out


def state_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Any-source bound of a state file at one grid point (question ``state``).

    Loads ``params["state"]`` as ``qkdbounds state-bound --state`` does
    (:func:`qkdbounds.states.sources.load_source` with ``dims``, projected to the nearest state
    when ``params["project"]`` is ``"yes"``) and calls
    :func:`qkdbounds.bounds.source_bound.source_rate_upper_bound` with the point's ``leakage``,
    ``model``, ``measurements`` and ``attack``.  The file's SHA-256 must still be
    ``params["state_sha256"]`` (the point's key): a file edited after the grid was built fails
    the point instead of storing a result under the old content's key.

    Returns
    -------
    dict
        ``rate_upper_bound``, ``status``, ``method``, ``lower_bound``, ``verdict``,
        ``attack_used``, ``paper_value``, ``extended_value``, ``no_attack_value``,
        ``cut_bound``, ``total_correlation_bound``, ``bound_used``, ``bound`` and ``cut``
        (:meth:`~qkdbounds.bounds.source_bound.SourceRateBound.bound_record`,
        :meth:`~qkdbounds.bounds.source_bound.SourceRateBound.cut_record`), ``measurements``,
        ``separable_weight``, ``separable_weight_outer``,
        ``ensemble_size``, ``ensemble_residual``, ``dims``.
    """
    from ..bounds.source_bound import SOURCE_MAX_DIM, source_rate_upper_bound
    from ..errors import InputError
    from ..states.sources import load_source
    from .questions import file_sha256

    path = str(params["state"])
    if file_sha256(path) != params["state_sha256"]:
        raise InputError(f"state file {path} changed since the sweep was set up "
                         f"(sha256 no longer {params['state_sha256'][:12]}...); rerun the sweep")
    dims = params.get("dims")
    source = load_source(path, None if dims is None else [int(d) for d in str(dims).split(",")],
                         project=params.get("project") == "yes", max_dim=SOURCE_MAX_DIM)
    measurements = str(params["measurements"])
    if measurements == "file":
        from ..measurements.povm import load_povms

        given = str(params["measurements_file"])
        if file_sha256(given) != params["measurements_sha256"]:
            raise InputError(f"measurements file {given} changed since the sweep was set up "
                             f"(sha256 no longer {params['measurements_sha256'][:12]}...); "
                             f"rerun the sweep")
        measurements = load_povms(given, source.dims, name="measurements")
    result = source_rate_upper_bound(source, float(params["leakage"]), str(params["model"]),
                                     measurements, attack=str(params["attack"]))
    out = {"rate_upper_bound": float(result.value), "status": str(result.status),
           "message": str(result.message), "method": str(result.method),
           "dims": list(source.dims)}
    out["bound"], out["cut"] = result.bound_record(), result.cut_record()
    out.update(_fields(result, ("lower_bound", "lower_bound_method", "verdict", "attack_used",
                                "paper_value", "extended_value", "no_attack_value", "cut_bound",
                                "total_correlation_bound", "bound_used",
                                "measurements", "separable_weight", "separable_weight_outer",
                                "ensemble_size", "ensemble_residual", "unit")))
    return out


def di_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Device-independent CC attack at one grid point (question ``di``).

    Builds the box of ``qkdbounds di-attack`` (:func:`qkdbounds.di.bell_data.bell_box` with
    ``theta``, ``visibility``, ``eta``, ``eta_b`` and ``binning``) and calls
    :func:`qkdbounds.di.region.di_attack_bound` with the point's ``leakage``, ``model`` and
    ``attack_side`` and the command's default search effort.

    Returns
    -------
    dict
        The keys of ``qkdbounds di-attack --json``: ``rate_upper_bound``,
        ``one_way_upper_bound``, ``local_weight``, ``chsh``, ``lower_bound``, ``certificate``,
        ``method``, ``status``, ...
    """
    from ..di.bell_data import bell_box
    from ..di.region import di_attack_bound

    box = bell_box(float(params["theta"]), float(params["visibility"]), float(params["eta"]),
                   _optional_float(params.get("eta_b")), binning=str(params["binning"]))
    point = di_attack_bound(box, float(params["leakage"]), str(params["model"]),
                            attack_side=str(params["attack_side"]))
    return to_jsonable(point.to_dict())


def plan_point(params: Mapping[str, Any]) -> dict[str, Any]:
    """Repeater-chain plan at one grid point (question ``plan``).

    Calls :func:`qkdbounds.repeaters.planner.plan_link` (the API route of ``qkdbounds plan``)
    with the point's distance, segments, leakage, model, attack and hardware parameters.

    Returns
    -------
    dict
        The keys of ``qkdbounds plan --json`` (:meth:`~qkdbounds.repeaters.planner.LinkPlan.to_dict`):
        ``rate_upper_bound`` (bits per delivered pair, end to end), ``verdict``, ``lower_bound``,
        ``key_rate_upper_bound_bps``, ``plob_bound``, ``status``, ``method``, the ``segment`` and
        ``end_to_end`` records, ...
    """
    from ..repeaters.planner import plan_link

    plan = plan_link(float(params["distance_km"]), int(params["segments"]),
                     float(params["leakage"]), model=str(params["model"]),
                     attack=str(params["attack"]),
                     loss_db_per_km=float(params["loss_db_per_km"]),
                     detector_efficiency=float(params["detector_efficiency"]),
                     link_visibility=float(params["link_visibility"]),
                     memory_t2_s=_optional_float(params.get("memory_t2_s")),
                     memory_noise=str(params["memory_noise"]),
                     source_rate_hz=float(params["source_rate_hz"]),
                     local_dim=int(params["dim"]))
    return to_jsonable(plan.to_dict())
