"""Sweeps on Dask: a real scheduler + worker on loopback, a local cluster, failing points."""

from __future__ import annotations

import os
import sqlite3

import pytest
from conftest import FAILING, TOY, read_log

from qkdbounds.errors import InputError
from qkdbounds.store import ResultStore, parameter_key
from qkdbounds.sweep import build_grid, grid_points, run_sweep


def _expected_toy(point):
    # Independent restatement of qkdbounds.sweep._testing.toy_point (not imported on purpose).
    import math

    value = max(0.0, point["visibility"] - 2 * point["leakage"])
    return value * math.log2(point["dim"]) / (point["parties"] - 1)


def test_sweep_on_real_scheduler_and_worker(tmp_path, dask_scheduler, toy_log):
    from distributed import Client

    axes = {"visibility": "0.5:1:0.1", "leakage": "0.1,0.2", "dim": "2,3"}
    store = tmp_path / "results.sqlite"
    summary = run_sweep(axes, store, point_fn=TOY, scheduler=dask_scheduler, quiet=True,
                        name="remote")
    assert (summary.total, summary.computed, summary.skipped, summary.failed) == (24, 24, 0, 0)
    assert summary.scheduler == dask_scheduler

    # Every point was computed once, by the external worker process (not by this process).
    with Client(dask_scheduler, set_as_default=False) as client:
        worker_pids = set(client.run(os.getpid).values())
    computations = read_log(toy_log)
    assert len(computations) == 24
    assert {pid for _, pid in computations} <= worker_pids
    assert os.getpid() not in worker_pids

    with ResultStore(store) as db:
        records = db.records("remote")
    assert len(records) == 24
    points = {parameter_key(p): p for p in grid_points(build_grid(axes))}
    for rec in records:
        assert rec["status"] == "optimal"
        assert rec["rate_upper_bound"] == pytest.approx(_expected_toy(points[rec["param_key"]]),
                                                        abs=1e-12)

    # A rerun against the same cluster computes nothing and starts no tasks.
    again = run_sweep(axes, store, point_fn=TOY, scheduler=dask_scheduler, quiet=True,
                      name="remote")
    assert (again.computed, again.skipped, again.failed) == (0, 24, 0)
    assert len(read_log(toy_log)) == 24


def test_local_cluster_rerun_extends_grid(tmp_path, toy_log):
    store = tmp_path / "r.sqlite"
    first = run_sweep({"visibility": "0.2:0.6:0.2", "leakage": "0.1"}, store, point_fn=TOY,
                      n_workers=2, processes=False, quiet=True)
    assert (first.computed, first.skipped, first.failed, first.scheduler) == (3, 0, 0, "local")
    # Overlapping grid: 0.2, 0.4, 0.6 are reused (0.4 arrives as 0.1 + 0.3 in float arithmetic).
    second = run_sweep({"visibility": [0.1, 0.2, 0.1 + 0.3, 0.6, 0.8], "leakage": "0.1"}, store,
                       point_fn=TOY, n_workers=2, processes=False, quiet=True)
    assert (second.computed, second.skipped, second.failed) == (2, 3, 0)
    keys = [key for key, _ in read_log(toy_log)]
    assert len(keys) == len(set(keys)) == 5
    with ResultStore(store) as db:
        assert db.count() == 5
        assert db.count(first.name) == 3
        assert db.count(second.name) == 5


def test_failed_points_are_stored_counted_and_retried(tmp_path, toy_log):
    store = tmp_path / "f.sqlite"
    axes = {"visibility": "0.5,1", "leakage": "0.1,0.7"}
    summary = run_sweep(axes, store, point_fn=FAILING, n_workers=1, processes=False,
                        quiet=True)
    assert (summary.computed, summary.skipped, summary.failed) == (2, 0, 2)
    assert len(summary.failures) == 2
    assert all("toy failure at leakage=0.7" in msg for _, msg in summary.failures)
    assert summary.to_dict()["status"] == "failed"
    with ResultStore(store) as db:
        failed = [r for r in db.records() if r["status"] == "failed"]
    assert len(failed) == 2
    assert all(r["rate_upper_bound"] is None and "ValueError" in r["error"] for r in failed)

    # The rerun retries only the failed points; they fail again and are not duplicated.
    again = run_sweep(axes, store, point_fn=FAILING, n_workers=1, processes=False, quiet=True)
    assert (again.computed, again.skipped, again.failed) == (0, 2, 2)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 4


def test_point_function_returning_garbage_fails_the_point(tmp_path):
    summary = run_sweep({"visibility": "0.5", "leakage": "0.1"}, tmp_path / "g.sqlite",
                        point_fn="os.path:basename", n_workers=1, processes=False, quiet=True)
    assert summary.failed == 1
    assert "TypeError" in summary.failures[0][1]


@pytest.mark.parametrize("point_fn, match", [
    ("no_such_module_xyz:f", "cannot be imported"),
    ("qkdbounds.sweep._testing:nope", "has no"),
    ("qkdbounds.sweep._testing", "module:function"),
    (lambda params: params, "top-level"),
], ids=["missing-module", "missing-name", "no-colon", "lambda"])
def test_bad_point_function_rejected_before_running(tmp_path, point_fn, match):
    with pytest.raises(InputError, match=match):
        run_sweep({"visibility": "0.5", "leakage": "0.1"}, tmp_path / "x.sqlite",
                  point_fn=point_fn, quiet=True)


def test_unreachable_scheduler_is_an_input_error(tmp_path):
    from conftest import free_port

    with pytest.raises(InputError, match="cannot connect to scheduler"):
        run_sweep({"visibility": "0.5", "leakage": "0.1"}, tmp_path / "x.sqlite",
                  point_fn=TOY, scheduler=f"tcp://127.0.0.1:{free_port()}",
                  connect_timeout=1, quiet=True)


@pytest.mark.parametrize("reply", [b"HTTP/1.1 400 Bad Request\r\n\r\n", None], ids=["http-reply", "silent"])
def test_a_tcp_server_that_is_not_dask_is_one_input_error(tmp_path, reply):
    """Fuzzing (session 35): an HTTP server on the port made Dask read its reply as a frame
    length (a 3 EiB allocation, a traceback and another from the client's finaliser); a silent
    server hung.  Now the address is asked for its identity first: one line, no client built."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        held = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)
            if reply is not None:
                conn.sendall(reply)
        for conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(InputError, match="does not answer as a Dask scheduler"):
            run_sweep({"visibility": "0.5", "leakage": "0.1"}, tmp_path / "x.sqlite", point_fn=TOY,
                      scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=1, quiet=True)
    finally:
        stop.set()
        thread.join()
        server.close()


def test_an_empty_scheduler_address_is_refused(tmp_path):
    with pytest.raises(InputError, match="empty string"):
        run_sweep({"visibility": "0.5", "leakage": "0.1"}, tmp_path / "x.sqlite", point_fn=TOY,
                  scheduler="", quiet=True)


def test_scheduler_without_workers_is_an_input_error(tmp_path, dask_scheduler_no_workers):
    """A scheduler with no worker would hold the tasks forever (fuzzing: a silent hang): one
    error after the connect timeout."""
    store = tmp_path / "x.sqlite"
    with pytest.raises(InputError, match="has no workers"):
        run_sweep({"visibility": "0.5", "leakage": "0.1"}, store, point_fn=TOY,
                  scheduler=dask_scheduler_no_workers, connect_timeout=1, quiet=True)


def test_scheduler_probe_works_inside_a_running_event_loop(dask_scheduler_no_workers):
    """Review (session 35): asyncio.run refuses to start inside a running loop (Jupyter); the
    probe runs on a thread of its own, so a real scheduler is accepted there too."""
    import asyncio

    from qkdbounds.sweep._run import _probe_scheduler

    async def cell():
        _probe_scheduler(dask_scheduler_no_workers, 5.0)
        return True

    assert asyncio.run(cell())


def test_more_local_workers_than_four_per_core_are_refused(tmp_path, monkeypatch):
    """Fuzzing (session 35): --workers 64 on two cores started 64 processes (56 s, 2.8 GB) for a
    2-point grid.  At most 4 per core, refused before any process starts."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(InputError, match=r"at most 4 per core.*8 for 2 cores"):
        run_sweep({"visibility": "0.5", "leakage": "0.1"}, tmp_path / "x.sqlite", point_fn=TOY,
                  n_workers=9, quiet=True)
