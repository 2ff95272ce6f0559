"""Two identical sweeps on one store compute every point exactly once in total (issue 12)."""

from __future__ import annotations

import collections
import json
import subprocess
import sys

from conftest import TOY, read_log, subprocess_env

from qkdbounds.store import ResultStore

N_POINTS = 24


def test_concurrent_identical_sweeps_compute_each_point_once(tmp_path, toy_log):
    store = tmp_path / "shared.sqlite"
    env = subprocess_env(QKDBOUNDS_TOY_SLEEP="0.05", QKDBOUNDS_TOY_LOG=str(toy_log))
    cmd = [sys.executable, "-m", "qkdbounds", "sweep", "--visibility", "0.3:1:0.1",
           "--leakage", "0.1,0.2,0.3", "--point-fn", TOY, "--store", str(store),
           "--workers", "1", "--name", "shared", "--json", "--quiet"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    summaries = [json.loads(out) for out, _ in outs]
    # each point computed exactly once over both runs, whatever the interleaving
    counts = collections.Counter(key for key, _pid in read_log(toy_log))
    assert len(counts) == N_POINTS and set(counts.values()) == {1}
    # the summaries count what each run computed (no over-counting)
    assert sum(s["computed"] for s in summaries) == N_POINTS
    for s in summaries:
        assert s["computed"] + s["skipped"] + s["claimed_elsewhere"] == N_POINTS
    with ResultStore(store) as db:
        assert db.count() == N_POINTS
