"""A valid store can be read where it cannot be written (issue 23, item 2): results list, export
and plot open it read-only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from qkdbounds.cli import main
from qkdbounds.store import ResultStore
from qkdbounds.sweep import run_sweep

TOY = "qkdbounds.sweep._testing:toy_point"


@pytest.fixture()
def store(tmp_path):
    path = tmp_path / "s.sqlite"
    run_sweep({"visibility": "0.5,0.9", "leakage": "0.1"}, path, point_fn=TOY, n_workers=1,
              processes=False, quiet=True)
    return path


def test_read_only_open_does_not_write(store):
    before = store.read_bytes()
    with ResultStore(store, read_only=True) as db:
        assert db.count() == 2 and len(db.records()) == 2
    assert store.read_bytes() == before


def test_read_only_open_refuses_missing_and_old_stores(tmp_path):
    from qkdbounds.errors import InputError

    with pytest.raises(InputError, match="does not exist"):
        ResultStore(tmp_path / "none.sqlite", read_only=True)


def _read_only_mount(tmp_path):
    """A read-only tmpfs (needs root and mount); None when the system does not allow it."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return None
    point = Path("/tmp") / f"qkdb-ro-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "none", str(point)],
                      capture_output=True).returncode != 0:
        point.rmdir()
        return None
    return point


def test_results_commands_read_a_store_on_read_only_media(store, tmp_path, capsys):
    point = _read_only_mount(tmp_path)
    if point is None:
        pytest.skip("cannot mount a read-only tmpfs here (needs root and mount)")
    try:
        shutil.copy(store, point / "s.sqlite")
        assert subprocess.run(["mount", "-o", "remount,ro", str(point)]).returncode == 0
        ro = str(point / "s.sqlite")
        assert main(["results", "list", "--store", ro, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["points"] == 2
        out = tmp_path / "export.csv"
        assert main(["results", "export", "--store", ro, "--format", "csv", "--out", str(out),
                     "--json"]) == 0
        capsys.readouterr()
        assert len(out.read_text().splitlines()) == 3
        assert main(["results", "plot", "--store", ro, "--out", str(tmp_path / "p.png"),
                     "--json"]) == 0
    finally:
        subprocess.run(["umount", str(point)], capture_output=True)
        point.rmdir()


@pytest.mark.parametrize("action,fmt", [("export", "json"), ("export", "csv")])
def test_output_over_the_store_is_refused(store, tmp_path, monkeypatch, capsys, action, fmt):
    # fuzzing: `results export --out STORE` replaced the store by its own export (rc 0)
    monkeypatch.chdir(tmp_path)
    before = store.read_bytes()
    link = tmp_path / "link.sqlite"
    link.symlink_to(store)
    for out in (str(store), f"./{store.name}", str(link)):
        args = ["results", action, "--store", str(store), "--out", out]
        if fmt is not None:
            args += ["--format", fmt]
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--out must differ from --store" in err[0]
    assert store.read_bytes() == before


def test_plot_refuses_a_store_of_several_questions(tmp_path, capsys):
    # a newcomer's sweep went into the store `reproduce` filled with DI cells: the plot had 54
    # curves and a legend over the figure
    from qkdbounds.store import ResultStore

    path = tmp_path / "mixed.sqlite"
    with ResultStore(path) as db:
        rate = db.ensure_sweep("rates")
        db.write_points([(dict(dim=2, parties=2, visibility=v, leakage=0.1, model="uniform",
                               attack="paper"), {"rate_upper_bound": v, "status": "optimal"}, 0.0, None)
                         for v in (0.5, 0.9)], "m:rate", sweep_id=rate)
        di = db.ensure_sweep("di-cells")
        db.write_points([(dict(question="di", visibility=1.0, eta=e, leakage=0.0, theta=0.78,
                               binning="both", model="uniform"),
                          {"rate_upper_bound": e, "status": "certified"}, 0.0, None)
                         for e in (0.9, 0.95)], "m:di", sweep_id=di)
    out = tmp_path / "f.png"
    assert main(["results", "plot", "--store", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "several questions" in err[0] and "rates" in err[0] and "di-cells" in err[0]
    assert main(["results", "plot", "--store", str(path), "--name", "rates", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
