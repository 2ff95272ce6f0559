"""``qkdbounds sweep`` and ``qkdbounds results``: JSON output, files, one-line errors (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import TOY, read_log, subprocess_env

from qkdbounds.cli.main import main


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory):
    """Two sweeps (12 and 1 points) written straight into a store, no cluster needed."""
    from qkdbounds.store import ResultStore
    from qkdbounds.sweep import build_grid, grid_points
    from qkdbounds.sweep._testing import toy_point

    store = tmp_path_factory.mktemp("cli") / "cli.sqlite"
    with ResultStore(store) as db:
        for name, axes in (("mine", {"visibility": "0.5:1:0.1", "leakage": "0.1,0.2"}),
                           ("other", {"visibility": "0.9", "leakage": "0.3"})):
            sweep_id = db.ensure_sweep(name)
            for point in grid_points(build_grid(axes)):
                db.write_point(point, TOY, toy_point(point), sweep_id=sweep_id)
    return store


def test_results_list_export_and_plot(tmp_path, capsys, filled_store):
    code, out, err = _run(capsys, "results", "list", "--store", str(filled_store), "--json")
    listing = json.loads(out)
    assert (code, err) == (0, "")
    assert listing["points"] == 13
    assert [(s["name"], s["points"]) for s in listing["sweeps"]] == [("mine", 12), ("other", 1)]

    for fmt in ("csv", "json", "parquet"):
        target = tmp_path / f"mine.{fmt}"
        code, out, err = _run(capsys, "results", "export", "--store", str(filled_store),
                              "--format", fmt, "--out", str(target), "--name", "mine", "--json")
        assert (code, err) == (0, "")
        assert json.loads(out)["rows"] == 12
        assert target.stat().st_size > 0
    rows = json.loads((tmp_path / "mine.json").read_text())
    assert {r["leakage"] for r in rows} == {0.1, 0.2}

    code, out, err = _run(capsys, "results", "export", "--store", str(filled_store),
                          "--format", "csv", "--out", str(tmp_path / "all.csv"), "--json")
    assert json.loads(out)["rows"] == 13

    png = tmp_path / "fig" / "mine.png"
    code, out, err = _run(capsys, "results", "plot", "--store", str(filled_store), "--out",
                          str(png), "--name", "mine", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["curves"] == 2
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_results_export_to_standard_output(tmp_path, capsys, filled_store, monkeypatch):
    """``--out -``: the export itself is standard output (csv, json), the same table as the file;
    parquet (binary) is refused in one line; no file named '-' is written."""
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "results", "export", "--store", str(filled_store), "--format", "json",
                          "--out", "-", "--name", "mine", "--json")
    assert (code, err) == (0, "")
    _run(capsys, "results", "export", "--store", str(filled_store), "--format", "json",
         "--out", str(tmp_path / "mine.json"), "--name", "mine")
    assert json.loads(out) == json.loads((tmp_path / "mine.json").read_text())
    code, out, err = _run(capsys, "results", "export", "--store", str(filled_store), "--format", "csv",
                          "--out", "-")
    assert code == 0 and out.splitlines()[0].startswith("dim,parties,visibility") and len(out.splitlines()) == 14
    code, out, err = _run(capsys, "results", "export", "--store", str(filled_store), "--format", "parquet",
                          "--out", "-")
    assert code == 2 and out == "" and "--format csv or json" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "-").exists()


def test_results_export_to_a_closed_pipe_is_quiet(tmp_path):
    """Review (session 35): `--out - | head -2` is not an error (the CLI's rule for pipes); the
    store holds more than a pipe's buffer, so the reader leaves before the export ends."""
    from qkdbounds.store import ResultStore
    from qkdbounds.sweep import build_grid, grid_points
    from qkdbounds.sweep._testing import toy_point

    store = tmp_path / "big.sqlite"
    with ResultStore(store) as db:
        sweep_id = db.ensure_sweep("big")
        for point in grid_points(build_grid({"visibility": "0:1:0.001", "leakage": "0.1,0.2"})):
            db.write_point(point, TOY, toy_point(point), sweep_id=sweep_id)
    cmd = (f"{sys.executable} -m qkdbounds results export --store {store} --format csv "
           f"--out - | head -2")
    out = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True,
                         timeout=120, env=subprocess_env())
    assert len(out.stdout.splitlines()) == 2 and "error" not in out.stderr.lower()


def test_sweep_command_json_keys(tmp_path, capsys, toy_log):
    """In-process CLI on the default LocalCluster (worker processes, not this process)."""
    store = tmp_path / "s.sqlite"
    args = ("sweep", "--visibility", "0.5,0.6", "--leakage", "0.1", "--dim", "2,3",
            "--point-fn", TOY, "--store", str(store), "--workers", "1", "--json", "--quiet")
    code, out, err = _run(capsys, *args)
    first = json.loads(out)
    assert code == 0
    assert {"computed", "skipped", "failed", "store", "total", "elapsed_s", "scheduler"} \
        <= set(first)
    assert (first["computed"], first["skipped"], first["failed"], first["total"]) == (4, 0, 0, 4)
    assert first["store"] == str(store)
    assert first["scheduler"] == "local"
    pids = {pid for _, pid in read_log(toy_log)}
    assert len(pids) == 1 and os.getpid() not in pids
    code, out, err = _run(capsys, *args)
    assert (json.loads(out)["skipped"], json.loads(out)["computed"]) == (4, 0)


def test_default_store_is_under_out_dir(tmp_path, capsys, toy_log):
    from qkdbounds.sweep import run_sweep

    default = tmp_path / "o" / "results.sqlite"
    run_sweep({"visibility": "1", "leakage": "0"}, default, point_fn=TOY, n_workers=1,
              processes=False, quiet=True)
    code, out, _ = _run(capsys, "sweep", "--visibility", "1", "--leakage", "0",
                        "--point-fn", TOY, "--out", str(tmp_path / "o"), "--json", "--quiet")
    assert code == 0
    assert json.loads(out)["store"] == str(default)
    assert (json.loads(out)["skipped"], json.loads(out)["computed"]) == (1, 0)


@pytest.mark.parametrize("argv, needle", [
    (["sweep", "--visibility", "0:1:0", "--leakage", "0.1"], "step must be > 0"),
    (["sweep", "--visibility", "1.5", "--leakage", "0.1"], "visibility must be in [0, 1]"),
    (["sweep", "--visibility", "0.5"], "--leakage"),
    (["sweep", "--visibility", "0.5", "--leakage", "0", "--workers", "0"], "--workers"),
    (["sweep", "--visibility", "0.5", "--leakage", "0", "--model", "gauss"], "uniform, junk"),
    (["sweep", "--visibility", "0.5", "--leakage", "0", "--point-fn", "nope_mod:f"],
     "cannot be imported"),
    (["sweep", "--visibility", "0.5", "--leakage", "0", "--workers", "2", "--scheduler",
      "tcp://127.0.0.1:1"], "omit it with --scheduler"),
    (["results", "export", "--store", "/nonexistent/x.sqlite", "--format", "csv", "--out",
      "x.csv"], "file not found"),
    (["results", "export", "--store", "STORE", "--format", "xls", "--out", "x.xls"], "--format"),
    (["results", "export", "--store", "STORE", "--format", "csv", "--out", "x.csv", "--name",
      "missing"], "no sweep named 'missing'"),
    (["results", "plot", "--store", "STORE", "--out", "x.png", "--x", "colour"], "x must be"),
    (["results", "plot", "--store", "STORE", "--out", "x.gif"], ".png, .svg, .pdf"),
    (["results"], "ACTION"),
    (["sweep", "--visibility", "0.5", "--leakage", "0", "--scheduler", "garbage"], "tcp://HOST:PORT"),
], ids=["zero-step", "visibility-range", "missing-leakage", "zero-workers", "bad-model",
        "bad-point-fn", "workers-with-scheduler", "missing-store", "bad-format", "unknown-sweep",
        "bad-x", "bad-figure-suffix", "no-action", "bad-scheduler"])
def test_bad_input_one_line_exit_2(tmp_path, capsys, filled_store, argv, needle):
    argv = [str(filled_store) if a == "STORE" else a for a in argv]
    argv = [str(tmp_path / a) if a in ("x.csv", "x.xls", "x.png", "x.gif") else a for a in argv]
    code, out, err = _run(capsys, *argv, "--json") if argv != ["results"] else \
        _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("qkdbounds: error: ")
    assert needle in err


def test_console_error_is_one_line_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "qkdbounds.cli", "sweep", "--visibility",
                           "0.2:0.1:0.1", "--leakage", "0.1", "--store",
                           str(tmp_path / "x.sqlite")],
                          env=subprocess_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "qkdbounds: error: --visibility: range stop must be >= start, got '0.2:0.1:0.1'"]
    assert not (tmp_path / "x.sqlite").exists()
