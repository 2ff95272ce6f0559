"""The DI (visibility, detection efficiency) map on the sweep engine (issue 21, item 4).

:func:`di_region_sweep` asks the ``di`` question (``qkdbounds di-attack`` at every point) on the
grid through :func:`~qkdbounds.sweep.run_sweep` - Dask workers, the SQLite store, resumable after
a kill, each point computed once under concurrency - and assembles the map from the stored
results with :meth:`qkdbounds.di.region.DIRegion.from_points`.  Points are independent (no warm
start from neighbours, unlike the serial :func:`qkdbounds.di.region.di_region`), so a point's
numbers do not depend on the grid it was computed in: the same point in two maps is one stored
result.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from ..store import ResultStore, parameter_key
from ._grid import build_grid, grid_points
from ._run import SweepSummary, run_sweep

__all__ = ["StoredDIPoints", "di_region_sweep"]


def di_region_sweep(visibilities: Sequence[float], etas: Sequence[float],
                    store: str | os.PathLike, *, theta: float = math.pi / 4,
                    leakage: float = 0.0, model: str = "uniform", binning: str = "both",
                    attack_side: str = "best", scheduler: str | None = None,
                    n_workers: int | None = None, processes: bool = True,
                    quiet: bool = False):
    """Compute (or read) the DI map of a (visibility, eta) grid in the results store.

    Parameters
    ----------
    visibilities, etas : sequence of float
        Grid values in [0, 1] (both detectors have efficiency ``eta``).
    store : path
        SQLite results store (created if missing); points already stored are not recomputed.
    theta, leakage, model, binning, attack_side
        The question of ``qkdbounds di-attack`` at every point.
    scheduler, n_workers, processes, quiet
        As in :func:`~qkdbounds.sweep.run_sweep`.

    Returns
    -------
    (DIRegion, SweepSummary)
        The map (``status`` ``failed`` with a message if a point is missing) and what the
        sweep computed.

    Raises
    ------
    InputError
        Values outside [0, 1], a bad option, or a store that is not a qkdbounds store.
    """
    from ..di.region import MAX_REGION_POINTS, DIRegion

    vs = np.unique(np.asarray(visibilities, dtype=float))
    es = np.unique(np.asarray(etas, dtype=float))
    if vs.size * es.size > MAX_REGION_POINTS:
        raise InputError(f"the grid has {vs.size * es.size} points; allowed: at most "
                         f"{MAX_REGION_POINTS}")
    axes = {"visibility": vs.tolist(), "eta": es.tolist(), "theta": float(theta),
            "leakage": float(leakage), "model": model, "binning": binning,
            "attack_side": attack_side}
    summary: SweepSummary = run_sweep(axes, store, question="di", scheduler=scheduler,
                                      n_workers=n_workers, processes=processes, quiet=quiet)
    grid = build_grid(axes, "di")  # the grid run_sweep computed, keyed the same way
    with ResultStore(store) as db:
        results = {rec["param_key"]: rec for rec in db.records(summary.name)}
    by_point: dict[tuple[float, float], dict | None] = {}
    for params in grid_points(grid):
        rec = results.get(parameter_key(params))
        ok = rec is not None and rec.get("status") not in ("failed", None)
        by_point[(float(params["visibility"]), float(params["eta"]))] = \
            json.loads(rec["result"]) if ok else None
    points = [[by_point.get((float(v), float(e))) for e in grid["eta"]] for v in grid["visibility"]]
    region = DIRegion.from_points(
        grid["visibility"], grid["eta"], points, leakage=leakage, model=model, binning=binning,
        theta=theta, method=("per point: qkdbounds di-attack (DI CC attack, default search "
                             "effort, no warm start) and the best DI lower bound; computed on "
                             f"the sweep engine into {os.fspath(store)}"))
    return region, summary


class StoredDIPoints:
    """``etas -> [dict, ...]``: DI attack points of one question read from the results store,
    the missing ones computed (the sweep's ``di`` point function, here, serially) and stored.

    The keys are those of ``qkdbounds sweep --question di``, so a sweep, ``di-region --store`` and
    this reader share the stored points, and ``qkdbounds results plot`` draws them.  Used by the
    report's DI window (:func:`qkdbounds.di.region.di_eta_window`, ``attack_points=``).

    Parameters
    ----------
    store : path
        SQLite results store (created if missing).
    theta, visibility, leakage, model, binning, attack_side
        The question of ``qkdbounds di-attack`` (``eta`` varies).
    name : str, optional
        Sweep name the points are recorded under; default ``"di-window-"`` and a digest of the
        question (another question in the same store is another sweep).

    Attributes
    ----------
    computed, read : int
        Points computed (and stored) and points read from the store so far.
    """

    def __init__(self, store: str | os.PathLike, *, theta: float = math.pi / 4,
                 visibility: float = 1.0, leakage: float = 0.0, model: str = "uniform",
                 binning: str = "both", attack_side: str = "best", name: str | None = None):
        import hashlib

        self.axes = {"visibility": float(visibility), "theta": float(theta),
                     "leakage": float(leakage), "model": model, "binning": binning,
                     "attack_side": attack_side}
        digest = hashlib.sha256(json.dumps(self.axes, sort_keys=True).encode()).hexdigest()[:12]
        self.store, self.name = store, name or f"di-window-{digest}"
        self.computed = self.read = 0

    def __call__(self, etas: Sequence[float]) -> list[dict]:
        import time

        from .points import di_point
        from .questions import get_question

        reference = get_question("di").point_fn
        out = []
        with ResultStore(self.store) as db:
            sweep_id = db.ensure_sweep(self.name, {"function": reference, "axes": self.axes})
            for eta in etas:
                params = next(iter(grid_points(build_grid({**self.axes, "eta": float(eta)}, "di"))))
                key = parameter_key(params)
                found = db.stored_result(key, reference)
                if found is None:
                    start = time.perf_counter()
                    found = di_point(params)
                    db.write_point(params, reference, found, elapsed_s=time.perf_counter() - start,
                                   sweep_id=sweep_id)
                    self.computed += 1
                else:
                    db.add_to_sweep(sweep_id, [key], reference)
                    self.read += 1
                out.append(found)
        return out
