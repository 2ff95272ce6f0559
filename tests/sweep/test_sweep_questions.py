"""Every point question on the sweep engine: data, state and DI sweeps store exactly what their
one API route gives, resume by the full question, and refuse axes of other questions."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qkdbounds.errors import InputError
from qkdbounds.store import ResultStore
from qkdbounds.sweep import build_grid, grid_points, run_sweep

DATA_AXES = {"protocol": "bb84,bbm92", "qber_z": "0.01:0.03:0.01", "qber_x": "0.02",
             "leakage": "0.1,0.2"}


def _run(axes, store, question):
    return run_sweep(axes, store, question=question, n_workers=1, processes=False, quiet=True)


@pytest.fixture(scope="module")
def data_store(tmp_path_factory):
    """A data sweep of 2 protocols x 3 QBERs x 2 leakages, run twice (the second run resumes)."""
    store = tmp_path_factory.mktemp("data") / "data.sqlite"
    first = _run(DATA_AXES, store, "data")
    second = _run(DATA_AXES, store, "data")
    return store, first, second


def test_data_sweep_computes_every_point_once_and_resumes(data_store):
    _store, first, second = data_store
    assert (first.total, first.computed, first.skipped, first.failed) == (12, 12, 0, 0)
    assert (second.total, second.computed, second.skipped, second.failed) == (12, 0, 12, 0)
    assert first.function == "qkdbounds.sweep.points:data_point"
    assert second.name == first.name and second.scheduler == "none"


def test_data_sweep_stores_the_answer_of_the_one_route(data_store):
    from qkdbounds.bounds.data_bound import data_rate_upper_bound

    store, _first, _second = data_store
    with ResultStore(store) as db:
        records = db.records()
    assert len(records) == 12
    assert {r["question"] for r in records} == {"data"}
    row = next(r for r in records if json.loads(r["params"])["protocol"] == "bbm92"
               and json.loads(r["params"])["qber_z"] == 0.03 and r["leakage"] == 0.2)
    direct = data_rate_upper_bound("bbm92", qber_z=0.03, qber_x=0.02, qber_y=None, leakage=0.2,
                                   model="uniform", attack="best")
    result = json.loads(row["result"])
    assert row["rate_upper_bound"] == direct.value          # the same number, not a close one
    assert (result["lower_bound"], result["verdict"], result["key_basis"]) == \
        (direct.lower_bound, direct.verdict, direct.key_basis)
    assert row["method"] == direct.method
    assert row["param_key"] == ("question=data;protocol=bbm92;qber_z=0.03;qber_x=0.02;"
                                "leakage=0.2;model=uniform;attack=best")
    # the larger QBER gives the smaller bound at fixed protocol and leakage (a sanity check
    # that the points differ by their own parameters, not a copy of one point)
    same = sorted((json.loads(r["params"])["qber_z"], r["rate_upper_bound"]) for r in records
                  if json.loads(r["params"])["protocol"] == "bbm92" and r["leakage"] == 0.2)
    assert [q for q, _ in same] == [0.01, 0.02, 0.03]
    assert same[0][1] > same[1][1] > same[2][1]


def test_expensive_questions_go_one_point_per_task_and_rate_is_chunked():
    from qkdbounds.sweep._run import _chunks
    from qkdbounds.sweep.points import data_point, di_point, rate_point, state_point

    points = list(grid_points(build_grid(DATA_AXES, "data")))
    for fn in (data_point, state_point, di_point):
        assert [len(task) for task in _chunks(fn, points)] == [1] * 12
    rate = list(grid_points(build_grid({"visibility": "0:1:0.1", "leakage": "0.1"})))
    assert [len(task) for task in _chunks(rate_point, rate)] == [11]


def _werner_file(path, visibility):
    from qkdbounds.states.two_qubit import werner_state

    np.save(path, werner_state(visibility))
    return path


def test_state_sweep_keys_by_file_content(tmp_path):
    from qkdbounds.bounds.source_bound import source_rate_upper_bound

    state = _werner_file(tmp_path / "werner.npy", 0.9)
    store = tmp_path / "state.sqlite"
    axes = {"state": str(state), "leakage": "0.1,0.2", "measurements": "Z"}
    first = _run(axes, store, "state")
    assert (first.computed, first.skipped, first.failed) == (2, 0, 0)
    again = _run(axes, store, "state")
    assert (again.computed, again.skipped) == (0, 2)
    # the same bytes at another path are the same points
    copy = tmp_path / "copy.npy"
    copy.write_bytes(state.read_bytes())
    moved = _run(axes | {"state": str(copy)}, store, "state")
    assert (moved.computed, moved.skipped) == (0, 2)

    _werner_file(state, 0.8)                                  # edit the file: new points
    edited = _run(axes, store, "state")
    assert (edited.computed, edited.skipped, edited.failed) == (2, 0, 0)
    with ResultStore(store) as db:
        records = db.records(edited.name)
    assert len(records) == 2 and {r["question"] for r in records} == {"state"}
    row = next(r for r in records if r["leakage"] == 0.1)
    direct = source_rate_upper_bound(str(state), 0.1, "uniform", "Z", attack="best")
    assert row["rate_upper_bound"] == direct.value
    assert "state_sha256=" in row["param_key"] and str(state) not in row["param_key"]


def test_state_sweep_projects_as_state_bound_does(tmp_path):
    """``project``: a slightly unphysical matrix is refused without it (the hint names the
    sweep's option) and projected with it, to the number of state-bound --project; points
    without it keep their keys."""
    from qkdbounds.bounds.source_bound import source_rate_upper_bound
    from qkdbounds.states.sources import load_source
    from qkdbounds.sweep.points import state_point

    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = 0.95 * np.outer(phi, phi) + 0.05 * np.eye(4) / 4
    rho[0, 0] += 1e-4
    rho[3, 3] -= 2e-4
    path = tmp_path / "unphysical.npy"
    np.save(path, rho)
    axes = {"state": str(path), "leakage": "0.1", "measurements": "Z"}
    with pytest.raises(InputError, match="--project"):
        build_grid(axes, "state")
    (point,) = grid_points(build_grid(axes | {"project": "yes"}, "state"))
    direct = source_rate_upper_bound(load_source(path, None, project=True), 0.1,
                                     measurements="Z")
    stored = state_point(point)
    assert stored["rate_upper_bound"] == direct.value and stored["unit"] == direct.unit == "bits per round"
    (plain,) = grid_points(build_grid({**axes, "state": str(_werner_file(tmp_path / "w.npy", 0.9))},
                                      "state"))
    from qkdbounds.store import parameter_key

    assert "project" not in parameter_key(plain)


def test_state_sweep_takes_state_bounds_measurements_auto_as_z(tmp_path):
    # state-bound --measurements auto is the Z question: one point under the canonical value
    from qkdbounds.errors import InputError
    from qkdbounds.sweep import build_question_grid

    state = str(_werner_file(tmp_path / "werner.npy", 0.9))
    grid = build_question_grid("state", {"state": state, "leakage": "0.1",
                                         "measurements": "auto,Z"})
    assert grid["measurements"] == ["Z"]
    with pytest.raises(InputError, match=r"one of Z, search, file \(auto = Z\)"):
        build_question_grid("state", {"state": state, "leakage": "0.1", "measurements": "x"})


def test_state_sweep_takes_state_bounds_measurement_file(tmp_path, capsys):
    # state-bound --measurements F.npz (POVMs per party) is a sweep question too (the audit:
    # "must be one of Z, search"), keyed by the file's bytes, and stores state-bound's number
    from qkdbounds.cli.main import main
    from qkdbounds.sweep.points import state_point

    state = str(_werner_file(tmp_path / "werner.npy", 0.9))
    u = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    povms = tmp_path / "xz.npz"
    np.savez(povms, party0=np.array([np.outer(u[:, k], u[:, k]) for k in range(2)]),
             party1=np.array([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]))
    store = tmp_path / "m.sqlite"
    argv = ["sweep", "--question", "state", "--state", state, "--measurements", str(povms),
            "--leakage", "0,0.1", "--store", str(store), "--json", "--workers", "1"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert (first["computed"], again["computed"], again["skipped"]) == (2, 0, 2)
    with ResultStore(store) as db:
        rows = {r["leakage"]: r for r in db.records(first["name"])}
    for leak in (0.0, 0.1):
        assert main(["state-bound", "--state", state, "--measurements", str(povms), "--leakage",
                     str(leak), "--json", "--quiet"]) == 0
        single = json.loads(capsys.readouterr().out)
        assert rows[leak]["rate_upper_bound"] == single["rate_upper_bound"]
        assert "measurements=file" in rows[leak]["param_key"]
        assert "measurements_sha256=" in rows[leak]["param_key"]
    # the file is part of the question: edited, the point fails instead of storing under it
    (point,) = grid_points(build_grid({"state": state, "leakage": "0.1", "measurements": "file",
                                       "measurements_file": str(povms)}, "state"))
    np.savez(povms, party0=np.array([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]),
             party1=np.array([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])]))
    with pytest.raises(InputError, match="changed since the sweep was set up"):
        state_point(point)
    with pytest.raises(InputError, match="goes with measurements 'file' alone"):
        build_grid({"state": state, "leakage": "0.1", "measurements": "Z",
                    "measurements_file": str(povms)}, "state")


def test_state_sweep_takes_a_list_of_measurement_choices_from_the_cli(tmp_path, capsys):
    # docs/sweep_questions.md's example (--measurements Z,search) was refused as
    # "file not found: Z,search" (audits of issues 19 and 21, session 34)
    from qkdbounds.cli.main import main

    state = str(_werner_file(tmp_path / "werner.npy", 0.9))
    store = tmp_path / "c.sqlite"
    assert main(["sweep", "--question", "state", "--state", state, "--dims", "2", "2",
                 "--measurements", "Z,search", "--leakage", "0.1", "--store", str(store),
                 "--json", "--workers", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["computed"] == 2
    with ResultStore(store) as db:
        keys = sorted(r["param_key"] for r in db.records(summary["name"]))
    assert any("measurements=Z" in k for k in keys) and any("measurements=search" in k for k in keys)


def test_state_point_refuses_a_file_edited_after_keying(tmp_path):
    from qkdbounds.sweep.points import state_point

    state = _werner_file(tmp_path / "w.npy", 0.9)
    (point,) = grid_points(build_grid({"state": str(state), "leakage": "0.1",
                                       "measurements": "Z"}, "state"))
    _werner_file(state, 0.7)
    with pytest.raises(InputError, match="changed since the sweep was set up"):
        state_point(point)


def test_di_sweep_stores_what_di_attack_prints(tmp_path, capsys):
    from qkdbounds.cli.main import main

    summary = _run({"eta": "0.9", "visibility": "0.95", "leakage": "0.1"}, tmp_path / "di.sqlite",
                   "di")
    assert (summary.computed, summary.failed) == (1, 0)
    with ResultStore(tmp_path / "di.sqlite") as db:
        (row,) = db.records()
    assert main(["di-attack", "--eta", "0.9", "--visibility", "0.95", "--leakage", "0.1",
                 "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    # the same number (theta = pi/4 exactly on both routes; a search started from a rounded
    # angle lands ~1 % elsewhere)
    assert row["rate_upper_bound"] == cli["rate_upper_bound"]
    assert json.loads(row["result"])["lower_bound"] == cli["lower_bound"]
    assert row["question"] == "di" and row["visibility"] == 0.95 and row["attack"] is None
    # the params column holds the angle the number was computed at (pi/4, not its 12-decimal
    # key 0.785398163397: asked again with that, di-attack gave another number; audit of
    # issue 21, session 34)
    with ResultStore(tmp_path / "di.sqlite") as db:
        (params,) = [json.loads(p) for (p,) in db._conn.execute("SELECT params FROM results")]
    assert params["theta"] == math.pi / 4
    assert "theta=0.785398163397" in row["param_key"]


@pytest.mark.parametrize("question, axes, match", [
    ("data", DATA_AXES | {"visibility": "0.5"}, "visibility not a parameter of question data"),
    ("rate", {"visibility": "0.5", "leakage": "0.1", "protocol": "bb84"},
     "unknown sweep parameter"),
    ("data", DATA_AXES | {"protocol": "six-state"}, "qber_y is required for protocol six-state"),
    ("data", DATA_AXES | {"protocol": "e91"}, "protocol must be one of bb84, bbm92, six-state"),
    ("data", {k: v for k, v in DATA_AXES.items() if k != "qber_x"}, "qber_x is required"),
    ("data", DATA_AXES | {"qber_y": "1.5"}, r"qber_y must be in \[0, 1\]"),
    ("di", {"eta": "0.9", "visibility": "1", "leakage": "0", "theta": "2"}, "theta must be in"),
    ("state", {"state": "missing.npy", "leakage": "0.1"}, "file not found"),
    ("state", {"state": "STATE", "leakage": "0.1", "dims": "3,3"}, "multiply to 9"),
    ("state", {"state": "STATE", "leakage": "0.1", "dims": "2,x"}, "dims must be integers"),
    ("planet", {"leakage": "0.1"}, "question must be one of rate, data, state, di, plan"),
    ("plan", {"leakage": "0.1", "segments": "2"}, "distance_km is required for question plan"),
], ids=["axis-of-other-question", "data-axis-for-rate", "six-state-without-y", "bad-protocol",
        "missing-required", "qber-range", "theta-range", "missing-file", "dims-mismatch",
        "bad-dims", "unknown-question", "plan-without-distance"])
def test_bad_axes_are_one_line_input_errors(tmp_path, question, axes, match):
    state = _werner_file(tmp_path / "w.npy", 0.9)
    axes = {k: str(state) if v == "STATE" else v for k, v in axes.items()}
    with pytest.raises(InputError, match=match) as info:
        run_sweep(axes, tmp_path / "never.sqlite", question=question, n_workers=1,
                  processes=False, quiet=True)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "never.sqlite").exists()      # checked before any work


def _main(capsys, *argv):
    from qkdbounds.cli.main import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_data_sweep_end_to_end(tmp_path, capsys):
    """In-process CLI on the default LocalCluster (one worker process)."""
    store = tmp_path / "cli.sqlite"
    args = ("sweep", "--question", "data", "--protocol", "bb84", "--qber-z", "0.01,0.02",
            "--qber-x", "0.03", "--leakage", "0.1", "--store", str(store), "--workers", "1",
            "--json", "--quiet")
    code, out, err = _main(capsys, *args)
    first = json.loads(out)
    assert (code, first["computed"], first["skipped"], first["failed"]) == (0, 2, 0, 0)
    assert first["store"] == str(store) and first["scheduler"] == "local"
    code, out, err = _main(capsys, *args)
    assert (code, json.loads(out)["computed"], json.loads(out)["skipped"]) == (0, 0, 2)

    export = tmp_path / "data.csv"
    code, out, err = _main(capsys, "results", "export", "--store", str(store), "--format",
                           "csv", "--out", str(export), "--json")
    assert (code, json.loads(out)["rows"]) == (0, 2)
    header = export.read_text().splitlines()[0].split(",")
    assert header[-4:] == ["question", "params", "verdict", "lower_bound"] and header[:6] == [
        "dim", "parties", "visibility", "leakage", "model", "attack"]
    import csv

    with open(export, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:      # each point's verdict and lower bound, as in its JSON result
        result = json.loads(row["result"])
        assert row["verdict"] == result["verdict"] in ("key", "open", "no_key")
        assert float(row["lower_bound"]) == result["lower_bound"]


@pytest.mark.parametrize("argv, needle", [
    (["--question", "data", "--protocol", "bb84", "--qber-z", "0.1", "--qber-x", "0.1",
      "--visibility", "0.5"], "--visibility does not apply to --question data"),
    (["--visibility", "0.5", "--qber-z", "0.1"], "--qber-z does not apply to --question rate"),
    (["--question", "di", "--eta", "0.9", "--dims", "2,2"],
     "--dims does not apply to --question di"),
    (["--question", "di", "--eta", "0.9"], "--visibility is required for --question di"),
    (["--question", "state", "--state", "nope.npy"], "state: file not found"),
    (["--question", "data", "--protocol", "six-state", "--qber-z", "0.1", "--qber-x", "0.1"],
     "--qber-y is required for protocol six-state"),
    (["--question", "nope"], "--question"),
], ids=["visibility-for-data", "qber-for-rate", "dims-for-di", "di-needs-visibility",
        "missing-state", "six-state-needs-y", "unknown-question"])
def test_cli_options_of_another_question_exit_2_with_one_line(tmp_path, capsys, argv, needle):
    code, out, err = _main(capsys, "sweep", *argv, "--leakage", "0.1", "--store",
                           str(tmp_path / "x.sqlite"), "--json")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("qkdbounds: error: ")
    assert needle in err


def test_options_listed_in_the_refusal_are_the_commands_own(tmp_path, capsys):
    # helper verification: the list named --measurements-file, which the command does not have
    from qkdbounds.cli.main import build_parser

    code, _, err = _main(capsys, "sweep", "--question", "state", "--state", "x.npy", "--visibility",
                         "0.9", "--leakage", "0.1", "--store", str(tmp_path / "x.sqlite"))
    assert code == 2
    listed = err.split("its options: ")[1].rstrip(")\n").split(", ")
    assert listed[0] == "--state" and "--measurements" in listed
    sweep_parser = build_parser("sweep").commands["sweep"]
    known = {s for action in sweep_parser._actions for s in action.option_strings}
    assert set(listed) <= known


def test_cli_question_choices_are_the_registry():
    from qkdbounds.cli._sweep import QUESTION_CHOICES
    from qkdbounds.sweep.questions import QUESTION_NAMES

    assert QUESTION_CHOICES == QUESTION_NAMES


def test_plan_sweep_stores_the_planner_answer_and_plots_against_distance(tmp_path, capsys):
    """The fifth question kind: ``plan`` points call the planner's one route, resume, and the
    stored sweep plots against its own parameters (distance, one curve per segment count)."""
    from qkdbounds.repeaters.planner import plan_link

    store = tmp_path / "plan.sqlite"
    axes = {"distance_km": "50,150", "segments": "1,4", "leakage": "0.05",
            "memory_t2_s": "0.01"}
    first = _run(axes, store, "plan")
    again = _run(axes, store, "plan")
    assert (first.computed, again.computed, again.skipped) == (4, 0, 4)
    with ResultStore(store) as db:
        records = db.records()
    row = next(r for r in records if json.loads(r["params"])["distance_km"] == 150.0
               and json.loads(r["params"])["segments"] == 4)
    direct = plan_link(150.0, 4, 0.05, memory_t2_s=0.01)
    result = json.loads(row["result"])
    assert row["rate_upper_bound"] == direct.end_to_end["rate_upper_bound"]
    assert result["key_rate_upper_bound_bps"] == direct.end_to_end["key_rate_upper_bound_bps"]
    assert row["param_key"].startswith("question=plan;distance_km=150.0;segments=4;leakage=0.05")
    # the stored point is the CLI's JSON object (one to_dict): the decision keys at top level
    code, out, _ = _main(capsys, "plan", "--distance-km", "150", "--segments", "4", "--leakage", "0.05",
                         "--memory-t2-s", "0.01", "--json")
    cli = json.loads(out)
    assert code == 0 and set(result) == set(cli)
    for key in ("verdict", "lower_bound", "lower_bound_method", "plob_bound", "repeaters_can_beat_plob"):
        assert result[key] == cli[key], key
    code, out, _ = _main(capsys, "results", "export", "--store", str(store), "--format", "json", "--out",
                         str(tmp_path / "plan.json"))
    exported = json.loads((tmp_path / "plan.json").read_text())
    assert code == 0 and len(exported) == 4 and all(r["verdict"] in ("key", "open", "no_key") for r in exported)

    code, out, _ = _main(capsys, "results", "plot", "--store", str(store), "--out",
                         str(tmp_path / "plan.png"), "--y", "key_rate_upper_bound_bps", "--json")
    assert code == 0 and json.loads(out)["curves"] == 2      # segments = 1 and 4, x = distance
    from qkdbounds.plotting.sweep_figure import draw_sweep

    ax = draw_sweep(records, y="key_rate_upper_bound_bps")
    assert ax.get_xlabel() == "distance (km)" and ax.get_yscale() == "log"
    by_label = {line.get_label(): line.get_ydata() for line in ax.lines}
    direct_50 = plan_link(50.0, 4, 0.05, memory_t2_s=0.01).end_to_end["key_rate_upper_bound_bps"]
    assert list(by_label["segments=4"]) == [direct_50, direct.end_to_end["key_rate_upper_bound_bps"]]
    code, out, err = _main(capsys, "results", "plot", "--store", str(store), "--out",
                           str(tmp_path / "x.png"), "--x", "eta")
    assert code == 2 and "x must be one of" in err and len(err.strip().splitlines()) == 1


def test_every_question_runs_on_a_real_scheduler_with_two_workers(tmp_path, dask_scheduler_two_workers):
    """Issue 21 "done when": each of the five point questions runs on a real ``dask scheduler``
    with two worker processes on loopback; every point is stored once and equals the point
    function's answer computed here (the one route)."""
    import json as _json

    from distributed import Client

    from qkdbounds.store import ResultStore, parameter_key
    from qkdbounds.sweep import build_grid, grid_points, resolve_function, run_sweep
    from qkdbounds.sweep.questions import get_question

    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    state = tmp_path / "bell.npy"
    np.save(state, 0.95 * np.outer(phi, phi) + 0.05 * np.eye(4) / 4)
    questions = {
        "rate": {"visibility": "0.8,0.9", "leakage": "0.1"},
        "data": {"protocol": "bb84", "qber_z": "0.02", "qber_x": "0.02", "leakage": "0.1"},
        "state": {"state": str(state), "measurements": "Z", "leakage": "0,0.1"},
        "di": {"eta": "0.95,1", "visibility": "1", "leakage": "0"},
        "plan": {"distance_km": "100", "segments": "1,2", "leakage": "0.05"},
    }
    with Client(dask_scheduler_two_workers, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        assert len(client.scheduler_info()["workers"]) == 2
    store = tmp_path / "all.sqlite"
    for question, axes in questions.items():
        summary = run_sweep(axes, store, question=question, scheduler=dask_scheduler_two_workers,
                            quiet=True)
        assert summary.scheduler == dask_scheduler_two_workers
        assert (summary.computed, summary.failed) == (summary.total, 0), (question, summary)
        fn = resolve_function(get_question(question).point_fn)
        with ResultStore(store) as db:
            records = {r["param_key"]: r for r in db.records(summary.name)}
        assert len(records) == summary.total
        for params in grid_points(build_grid(axes, question)):
            stored = _json.loads(records[parameter_key(params)]["result"])
            here = fn(params)
            assert stored["rate_upper_bound"] == pytest.approx(here["rate_upper_bound"], abs=1e-12), \
                (question, params)
        again = run_sweep(axes, store, question=question, scheduler=dask_scheduler_two_workers,
                          quiet=True)
        assert (again.computed, again.skipped) == (0, summary.total), question


# --- checked before any work (a fuzzing pass found both failing point by point at run time) --

def test_six_state_rates_no_state_has_are_refused_up_front():
    from qkdbounds.sweep import build_question_grid

    with pytest.raises(InputError, match="no two-qubit state has these error rates"):
        build_question_grid("data", {"protocol": "six-state", "qber_z": "0,0.05", "qber_x": "0",
                                     "qber_y": "0.02,1", "leakage": "0.1"})
    grid = build_question_grid("data", {"protocol": "six-state", "qber_z": "0.02,0.05",
                                        "qber_x": "0.03,0.05", "qber_y": "0.04", "leakage": "0.1"})
    assert grid["qber_z"] == [0.02, 0.05]


@pytest.mark.parametrize("axis, value", [("detector_efficiency", "0"), ("loss_db_per_km", "0"),
                                         ("source_rate_hz", "0.5"), ("memory_t2_s", "1e10")])
def test_plan_axes_have_the_planners_ranges(axis, value):
    from qkdbounds.sweep import build_question_grid

    with pytest.raises(InputError, match=axis):
        build_question_grid("plan", {"distance_km": "100", "segments": "2", "leakage": "0", axis: value})


def test_results_list_text_shows_every_sweep(tmp_path, capsys):
    """The text output listed the sweeps as one JSON text cut at 100 characters (only the first
    name visible; fuzzing): one line per sweep."""
    from qkdbounds.cli.main import main

    store = tmp_path / "s.sqlite"
    with ResultStore(store) as db:
        for name in ("first-sweep-with-a-long-name", "second-sweep", "third-sweep"):
            db.ensure_sweep(name, {"grid": {"visibility": [0.5]}, "function": name})
    assert main(["results", "list", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    for name in ("first-sweep-with-a-long-name", "second-sweep", "third-sweep"):
        assert f"name={name}" in out


def test_a_named_sweep_is_its_points(tmp_path):
    """The same points under the same name resume (a range or a list, the state file at another
    path); other points under that name are refused (they were merged under the first spec)."""
    store = tmp_path / "n.sqlite"
    run = lambda axes, q="rate": run_sweep(axes, store, question=q, name="X", n_workers=1,  # noqa: E731
                                           processes=False, quiet=True)
    assert run({"visibility": "0.5:0.6:0.1", "leakage": "0.1"}).computed == 2
    again = run({"visibility": [0.6, 0.5], "leakage": 0.1})
    assert (again.computed, again.skipped) == (0, 2)
    with pytest.raises(InputError, match="holds another set of points"):
        run({"visibility": "0.7", "leakage": "0.1"})
    with pytest.raises(InputError, match="holds another set of points"):
        run({"protocol": "bb84", "qber_z": "0.01", "qber_x": "0.01", "leakage": "0.1"}, "data")
    state = _werner_file(tmp_path / "w.npy", 0.9)
    copy = tmp_path / "elsewhere.npy"
    copy.write_bytes(state.read_bytes())
    first = run_sweep({"state": str(state), "leakage": "0.1", "measurements": "Z"}, store,
                      question="state", name="S", n_workers=1, processes=False, quiet=True)
    moved = run_sweep({"state": str(copy), "leakage": "0.1", "measurements": "Z"}, store,
                      question="state", name="S", n_workers=1, processes=False, quiet=True)
    assert (first.computed, moved.computed, moved.skipped) == (1, 0, 1)


@pytest.mark.parametrize("dims", [["3", "3"], ["3,3"], ["3, 3"], ["3", " 3"]])
def test_cli_sweep_dims_as_state_bound_or_comma_list(dims):
    """state-bound takes --dims 3 3; the sweep took only 3,3 (a newcomer hit both): both work."""
    from qkdbounds.cli._sweep import question_axes
    from qkdbounds.cli.main import build_parser
    from qkdbounds.sweep.questions import _canonical_dims

    args = build_parser("sweep").parse_args(["sweep", "--question", "state", "--state", "x.npy",
                                             "--leakage", "0.1", "--dims", *dims])
    assert _canonical_dims(question_axes(args)["dims"]) == "3,3"


def test_state_sweep_stores_the_reported_bound_of_three_parties_with_its_cut(tmp_path, capsys):
    """A x noisy Bell pair (no conference key: I(A:BC) = 0): the stored point is state-bound's,
    the cut bound as the reported bound, its certificate included."""
    from qkdbounds.cli import main
    from qkdbounds.sweep.points import state_point

    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = np.kron(np.diag([0.7, 0.3]), 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4)
    path = tmp_path / "a_bell.npy"
    np.save(path, rho)
    (point,) = grid_points(build_grid({"state": str(path), "dims": "2,2,2", "leakage": "0.1",
                                       "measurements": "Z"}, "state"))
    stored = state_point(point)
    assert main(["state-bound", "--state", str(path), "--dims", "2", "2", "2", "--leakage", "0.1",
                 "--measurements", "Z", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert stored["rate_upper_bound"] == cli["rate_upper_bound"] == 0.0
    assert stored["bound_used"] == cli["bound_used"] == "cut" and stored["verdict"] == "no_key"
    assert stored["total_correlation_bound"] == cli["total_correlation_bound"] > 0.1
    assert stored["cut"] == cli["cut"] and stored["cut"]["parties"] == [[0], [1, 2]]
