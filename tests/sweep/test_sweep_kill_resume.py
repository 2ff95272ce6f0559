"""A CLI sweep SIGKILLed mid-way and restarted loses nothing, stores nothing twice (SPEC §6)."""

from __future__ import annotations

import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys

from conftest import TOY, read_log, run_until_killed, subprocess_env

from qkdbounds.sweep._run import KILL_AFTER_STORED_ENV

from qkdbounds.store import ResultStore
from qkdbounds.sweep import run_sweep

AXES = {"visibility": "0.3:1:0.1", "leakage": "0.1,0.2,0.3"}   # 8 x 3 = 24 points
N_POINTS = 24
COMPARED = ("param_key", "function", "version", *("dim", "parties", "visibility", "leakage",
                                                  "model", "attack"),
            "rate_upper_bound", "status", "method", "error", "result")


def _sweep_cmd(store, workers: int, quiet: bool = True) -> list[str]:
    return [sys.executable, "-m", "qkdbounds.cli", "sweep",
            "--visibility", AXES["visibility"], "--leakage", AXES["leakage"],
            "--point-fn", TOY, "--store", str(store), "--workers", str(workers),
            "--name", "killed", "--json", *(["--quiet"] if quiet else [])]



def _table(store):
    with ResultStore(store) as db:
        return [{c: rec[c] for c in COMPARED} for rec in db.records()]


def test_killed_sweep_resumes_without_loss_duplicates_or_recomputation(tmp_path, toy_log):
    store = tmp_path / "killed.sqlite"
    # fault injection: the sweep SIGKILLs itself right after its 5th stored point (no race)
    env = subprocess_env(QKDBOUNDS_TOY_LOG=str(toy_log), **{KILL_AFTER_STORED_ENV: "5"})
    output = tmp_path / "first-run.txt"
    code = run_until_killed(_sweep_cmd(store, workers=1), env, output, timeout=120)
    assert code == -signal.SIGKILL, output.read_text()

    stored_at_kill = {rec["param_key"] for rec in _table(store)}
    assert len(stored_at_kill) == 5, "killed right after the 5th stored point"
    with sqlite3.connect(store) as conn:   # the killed run's claims are still there ...
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] > 0
    env = subprocess_env(QKDBOUNDS_TOY_LOG=str(toy_log))

    # Not --quiet: stderr is a pipe, so there must be no progress bar.
    resumed = subprocess.run(_sweep_cmd(store, workers=2, quiet=False), env=env,
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "%|" not in resumed.stderr and "pt/s" not in resumed.stderr, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["skipped"] == len(stored_at_kill), (summary, resumed.stderr)
    assert summary["computed"] == N_POINTS - len(stored_at_kill)
    assert (summary["failed"], summary["total"]) == (0, N_POINTS)
    assert summary["status"] == "ok"
    with sqlite3.connect(store) as conn:   # ... and cleaned up by the next run on this host
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0

    # Points stored before the kill were computed exactly once (never recomputed); a point in
    # flight at the kill may have been computed twice, but is stored once.
    times_computed = collections.Counter(key for key, _ in read_log(toy_log))
    assert all(times_computed[key] == 1 for key in stored_at_kill), times_computed
    assert set(times_computed) == {rec["param_key"] for rec in _table(store)}

    with sqlite3.connect(store) as conn:
        rows, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT param_key || function || version) FROM results"
        ).fetchone()
        members = conn.execute("SELECT COUNT(*) FROM sweep_points").fetchone()[0]
    assert rows == distinct == members == N_POINTS

    # Same table as an uninterrupted run (in-process, threads, no sleep).
    reference = tmp_path / "reference.sqlite"
    ref = run_sweep(AXES, reference, point_fn=TOY, n_workers=2, processes=False, quiet=True)
    assert (ref.computed, ref.failed) == (N_POINTS, 0)
    assert _table(store) == _table(reference)


def test_rerun_of_a_finished_cli_sweep_skips_everything(tmp_path, toy_log):
    store = tmp_path / "done.sqlite"
    run_sweep(AXES, store, point_fn=TOY, n_workers=2, processes=False, quiet=True,
              name="killed")
    env = subprocess_env(QKDBOUNDS_TOY_LOG=str(toy_log))
    out = subprocess.run(_sweep_cmd(store, workers=1), env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["computed"], summary["skipped"], summary["failed"]) == (0, N_POINTS, 0)
    assert summary["scheduler"] == "none"
    assert summary["store"] == str(store)
    assert len(read_log(toy_log)) == N_POINTS
    assert out.stderr == ""


def test_ctrl_c_gives_one_line_exit_130_and_keeps_what_was_stored(tmp_path, toy_log):
    """Ctrl-C (SIGINT, injected after the 4th stored point): one line on stderr, exit 130, and
    the stored points stay; a rerun computes only the rest."""
    store = tmp_path / "interrupted.sqlite"
    env = subprocess_env(QKDBOUNDS_TOY_LOG=str(toy_log), **{KILL_AFTER_STORED_ENV: "4:INT"})
    run = subprocess.run(_sweep_cmd(store, workers=1), env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 130, run.stderr
    assert run.stdout == ""
    assert run.stderr.strip().splitlines() == ["qkdbounds: interrupted"], run.stderr
    stored = {rec["param_key"] for rec in _table(store)}
    assert len(stored) >= 4
    env = subprocess_env(QKDBOUNDS_TOY_LOG=str(toy_log))
    resumed = subprocess.run(_sweep_cmd(store, workers=1), env=env, capture_output=True,
                             text=True, timeout=120)
    summary = json.loads(resumed.stdout)
    assert summary["skipped"] == len(stored) and summary["computed"] == N_POINTS - len(stored)


def test_terminal_ctrl_c_to_the_process_group_is_one_line_and_releases_claims(tmp_path, toy_log):
    """A terminal's Ctrl-C sends SIGINT to the sweep *and its local Dask workers* (one process
    group): one line, exit 130, no worker tracebacks, no claims left behind."""
    store = tmp_path / "pgint.sqlite"
    env = subprocess_env(QKDBOUNDS_TOY_LOG=str(toy_log), **{KILL_AFTER_STORED_ENV: "3:PGINT"})
    # as in a terminal: SIGINT at its default disposition (a test runner started in the
    # background, e.g. `pytest &`, passes SIGINT ignored to its children)
    proc = subprocess.Popen(_sweep_cmd(store, workers=2), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 130, err
    assert out == ""
    assert err.strip().splitlines() == ["qkdbounds: interrupted"], err
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0


def test_points_claimed_by_a_live_run_make_the_summary_incomplete(tmp_path):
    """Points another live run holds are neither computed twice nor reported as done: the
    summary says how many are pending elsewhere, with a non-ok status."""
    from qkdbounds.store import parameter_key
    from qkdbounds.sweep import build_grid, grid_points

    store = tmp_path / "claimed.sqlite"
    axes = {"visibility": "0.5,0.6,0.7", "leakage": "0.1"}
    keys = [parameter_key(p) for p in grid_points(build_grid(axes))]
    with ResultStore(store) as db:      # a live run (this test process) holds two points
        assert db.claim(keys[:2], TOY, "other-live-run") == set(keys[:2])
    summary = run_sweep(axes, store, point_fn=TOY, n_workers=1, processes=False, quiet=True)
    assert (summary.computed, summary.claimed_elsewhere) == (1, 2)
    out = summary.to_dict()
    assert out["status"] == "incomplete" and "2 points" in out["message"]
