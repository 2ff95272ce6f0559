"""Fuzzing the CLI contract (issue 12, SPEC §3/§6).

Hypothesis builds invocations of every subcommand from valid values, values at and past every
range end, garbage text, and paths of every kind (files, directories, missing parents, empty and
corrupt ``.npy`` files, a foreign SQLite file, the empty string).  The property is the contract:
exit 0 with exactly one JSON object on stdout, or exit 2 with exactly one line on stderr and
nothing on stdout — never a traceback, never a hang (each call runs under an alarm).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import signal
import sqlite3

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qkdbounds.cli import main

#: Seconds one invocation may take before the test fails (a hang is a contract breach).
CALL_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "adir").mkdir()
    (root / "afile.txt").write_text("hello\n")
    (root / "empty.npy").write_bytes(b"")
    (root / "corrupt.npy").write_bytes(b"\x93NUMPY garbage" * 10)
    np.save(root / "bell.npy", np.diag([0.5, 0, 0, 0.5]) + np.fliplr(np.diag([0.5, 0, 0, 0.5])))
    from qkdbounds.states import werner_state

    np.save(root / "ppt.npy", werner_state(0.3))  # separable, so PPT
    np.save(root / "objects.npy", np.array([1, 2, 3], dtype=np.int64).reshape(3))
    np.save(root / "nonsquare.npy", np.ones((2, 3)) / 6)
    with sqlite3.connect(root / "foreign.sqlite") as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    from qkdbounds.store import ResultStore

    with ResultStore(root / "store.sqlite") as db:
        sweep = db.ensure_sweep("s", {})
        db.write_point(dict(dim=2, parties=2, visibility=0.9, leakage=0.1, model="uniform",
                            attack="paper"), "m:f", {"rate_upper_bound": 0.7, "status": "ok"},
                       sweep_id=sweep)
    import json as _json

    (root / "net.json").write_text(_json.dumps({
        "nodes": [{"id": n} for n in "ABC"],
        "links": [{"source": "A", "target": "B", "length_km": 30},
                  {"source": "B", "target": "C", "length_km": 40}]}))
    (root / "badnet.json").write_text('{"links": [{"source": "A", "target": "A", "length_km": 1}]}')
    from qkdbounds.di import bell_box

    (root / "box.json").write_text(_json.dumps({"probabilities": bell_box(eta_a=0.9).probabilities.tolist(),
                                                "key_settings": [2, 0]}))
    (root / "deep.json").write_text("[" * 50000 + "]" * 50000)
    (root / "counts.json").write_text(_json.dumps({"protocol": "bb84", "settings": [
        {"alice": "Z", "bob": "Z", "counts": [[480, 20], [15, 485]]},
        {"alice": "X", "bob": "X", "counts": [[470, 30], [25, 475]]}]}))
    (root / "badcounts.json").write_text(_json.dumps({"settings": [
        {"alice": "Z", "bob": "Z", "counts": [[480, -20], [15, 485]]}]}))
    signalling = np.full((2, 2, 2, 2), 0.25)
    signalling[0, 1] = [[0.5, 0.0], [0.5, 0.0]]
    (root / "signalling.json").write_text(_json.dumps({"probabilities": signalling.tolist()}))
    return {
        "net": str(root / "net.json"), "badnet": str(root / "badnet.json"),
        "deep": str(root / "deep.json"), "counts": str(root / "counts.json"),
        "badcounts": str(root / "badcounts.json"),
        "box": str(root / "box.json"), "signalling": str(root / "signalling.json"),
        "dir": str(root / "adir"), "file": str(root / "afile.txt"), "empty": "",
        "missing_parent": str(root / "no" / "such" / "place" / "x.out"),
        "under_file": str(root / "afile.txt" / "x.out"),
        "new": str(root / "new_output"), "empty_npy": str(root / "empty.npy"),
        "corrupt_npy": str(root / "corrupt.npy"), "bell_npy": str(root / "bell.npy"),
        "ppt_npy": str(root / "ppt.npy"),
        "vector_npy": str(root / "objects.npy"), "nonsquare_npy": str(root / "nonsquare.npy"),
        "foreign": str(root / "foreign.sqlite"), "devnull": "/dev/null",
        "store": str(root / "store.sqlite"),
    }


def _valid_number(low, high, integer=False):
    if integer:
        return st.integers(low, high).map(str)
    return st.floats(low, high, allow_nan=False).map(repr)


def _bad_number(low, high, integer=False):
    """At and just past the range ends, and garbage."""
    if integer:
        edges = st.sampled_from([low - 1, high + 1, -5, 10**9, 2**70]).map(str)
    else:
        edges = st.sampled_from([low - 1e-9, high + 1e-9, -1.0, 2.0, 1e308]).map(repr)
    garbage = st.sampled_from(["", "nan", "inf", "-inf", "abc", "1e400", "0x10", "1,2,,3",
                               "0:1:0", "1:0:0.1", " ", "2.5"])
    return st.one_of(edges, garbage)


def _opt(flag, low, high, integer=False, *, edges_valid=True):
    valid = _valid_number(low, high, integer)
    if edges_valid:  # the range ends themselves are valid values
        valid = st.one_of(valid, st.sampled_from([low, high]).map(str))
    return (flag, valid, _bad_number(low, high, integer))


def _choice(flag, valid, bad):
    return (flag, st.sampled_from(valid), st.sampled_from(bad))


UNIT_GRID_VALID = st.one_of(_valid_number(0.0, 1.0),
                            st.sampled_from(["0", "1", "0:1:0.25", "0.1,0.5,0.9", "0.3:1:0.1",
                                             "0:1:1e308", "0.5:1:9e18"]))
UNIT_GRID_BAD = st.one_of(_bad_number(0.0, 1.0),
                          st.sampled_from(["0.5:1.5:0.5", "0:1:1e-9", "0.2,abc", "1:0:0.1",
                                           "0:1:1e-308", "0:1e999999999:1", "0:1:1e-99999999"]))


def _specs(cmd, paths):
    """(prefix, [(flag, valid values, bad values)]) of one subcommand."""
    path = lambda good, bad: (st.sampled_from([paths[k] for k in good]),  # noqa: E731
                              st.sampled_from([paths[k] for k in bad]))
    if cmd == "threshold":
        return ["threshold"], [_opt("--dim", 2, 64, True), _opt("--parties", 2, 40, True),
                               ("--leakage", UNIT_GRID_VALID, UNIT_GRID_BAD),
                               _choice("--model", ["uniform", "junk"], ["both", ""])]
    if cmd == "rate":
        return ["rate"], [_opt("--dim", 2, 6, True), _opt("--parties", 2, 5, True),
                          ("--visibility", UNIT_GRID_VALID, UNIT_GRID_BAD),
                          _opt("--leakage", 0.0, 1.0),
                          _choice("--attack", ["paper", "extended", "intrinsic"], ["magic", ""]),
                          _choice("--measurements", ["auto", "Z"], ["X", ""]),
                          _opt("--starts", 0, 3, True),
                          _choice("--max-memory", ["4", "0.5"], ["0", "-1", "nan", "1e-12"])]
    if cmd == "swap":
        return ["swap"], [("--visibilities", st.tuples(_valid_number(0, 1), _valid_number(0, 1)),
                           st.tuples(_bad_number(0, 1), _valid_number(0, 1))),
                          _opt("--dim", 2, 4, True)]
    if cmd == "repeaters":
        return ["repeaters"], [_opt("--visibility", 0.0, 1.0), _opt("--leakage", 0.0, 1.0),
                               _opt("--dim", 2, 3, True), _opt("--max-repeaters", 0, 6, True)]
    if cmd == "plan":
        return ["plan"], [_opt("--distance-km", 1.0, 2000.0), _opt("--segments", 1, 64, True),
                          _opt("--leakage", 0.0, 1.0), _opt("--detector-efficiency", 0.05, 1.0),
                          _choice("--memory-t2-s", ["0.01", "1", "100"], ["0", "-1", "nan"]),
                          _opt("--loss-db-per-km", 0.0, 1.0)]
    if cmd == "network":
        return ["network"], [("--graph", *path(["net"], ["badnet", "dir", "empty", "corrupt_npy",
                                                         "missing_parent", "deep"])),
                             _opt("--leakage", 0.0, 1.0),
                             _choice("--memory-t2-s", ["0.1", "10"], ["0", "nan", "-1"]),
                             _choice("--model", ["uniform", "junk"], ["both"])]
    if cmd == "di-attack":
        return ["di-attack", "--maxfev", "10"], [
            _opt("--eta", 0.0, 1.0), _opt("--visibility", 0.0, 1.0), _opt("--theta", 0.0, math.pi / 2),
            _choice("--binning", ["none", "A", "B", "both"], ["all", ""]), _opt("--leakage", 0.0, 1.0),
            _choice("--model", ["uniform", "junk"], ["both"])]
    if cmd == "di-table":
        return ["di-attack", "--maxfev", "10"], [
            ("--settings", *path(["box"], ["signalling", "badnet", "file", "dir", "empty", "empty_npy",
                                           "missing_parent", "deep"])),
            _opt("--leakage", 0.0, 1.0)]
    if cmd == "di-region":
        return ["di-region", "--maxfev", "10"], [
            ("--eta", st.sampled_from(["0.9", "1", "0.8,1", "0.9:1:0.05"]), UNIT_GRID_BAD),
            ("--visibility", st.sampled_from(["1", "0.95,1"]), UNIT_GRID_BAD),
            _opt("--leakage", 0.0, 1.0),
            ("--out", st.just(paths["new"] + "_di"),
             st.sampled_from([paths[k] for k in ("file", "under_file", "empty", "devnull")]))]
    if cmd == "source-bound":
        return ["state-bound", "--measurements", "Z"], [
            ("--state", *path(["ppt_npy"], ["empty_npy", "corrupt_npy", "vector_npy",
                                            "nonsquare_npy"])),
            ("--dims", st.just(("2", "2")), st.sampled_from([("2", "3"), ("1", "4"), ("4",)])),
            _opt("--leakage", 0.0, 1.0)]
    if cmd == "data-bound":
        return ["data-bound", "--protocol", "bb84"], [
            _opt("--qber-z", 0.0, 0.5), _opt("--qber-x", 0.0, 0.5),
            ("--leakage", st.sampled_from(["0", "0.1", "0:0.2:0.1"]), UNIT_GRID_BAD),
            _choice("--model", ["uniform", "junk"], ["both"]),
            _choice("--attack", ["best", "paper"], ["intrinsic", ""])]
    if cmd == "data-counts":
        return ["data-bound", "--protocol", "bb84"], [
            ("--counts", *path(["counts"], ["badcounts", "deep", "file", "dir", "empty",
                                            "corrupt_npy", "missing_parent"])),
            _choice("--confidence", ["0.9", "0.99"], ["1", "0", "nan", "x"]),
            _opt("--leakage", 0.0, 1.0)]
    if cmd == "swap-bell":
        return ["swap"], [("--bell-diagonal", st.just(("0.9", "0.05", "0.03", "0.02")),
                           st.sampled_from([("0.9", "0.2", "0", "0"), ("nan", "0", "0", "1")])),
                          ("--bell-diagonal", st.just(("0.8", "0.1", "0.05", "0.05")),
                           st.sampled_from([("1", "-0.5", "0.5", "0"), ("x", "0", "0", "1")]))]
    if cmd == "rho-d":
        return ["diqkd", "rho-d"], [_opt("--shield-dim", 2, 2**20, True)]
    if cmd == "crossover":
        return ["diqkd", "crossover"], [_opt("--max-dim", 2, 60, True, edges_valid=False)]
    if cmd == "bound":
        return ["diqkd", "bound"], [
            ("--state", *path(["ppt_npy"], ["empty_npy", "corrupt_npy", "dir", "missing_parent",
                                             "empty", "file", "vector_npy", "nonsquare_npy",
                                             "devnull"])),
            ("--dims", st.just(("2", "2")), st.sampled_from([("3", "2"), ("0", "2"), ("x", "2")]))]
    if cmd == "state-bound":
        return ["state-bound", "--measurements", "Z"], [
            ("--state", *path(["bell_npy"], ["empty_npy", "corrupt_npy", "dir", "empty",
                                             "vector_npy", "nonsquare_npy"])),
            _opt("--leakage", 0.0, 1.0),
            ("--save-ensemble", st.builds(lambda k: f"{paths['new']}/sub{k}/deeper/e.npz",
                                          st.integers(0, 10**6)),
             st.sampled_from([paths[k] for k in ("dir", "under_file", "empty")]))]
    if cmd.startswith("results"):
        action = cmd.split()[1]
        specs = [("--store", *path(["store"], ["foreign", "dir", "file", "empty",
                                               "missing_parent", "devnull"]))]
        if action == "export":
            specs += [("--format", st.just("csv"), st.sampled_from(["xls", ""])),
                      ("--out", st.just(paths["new"] + ".csv"),
                       st.sampled_from([paths[k] for k in ("dir", "missing_parent", "empty",
                                                            "under_file")]))]
        if action == "plot":
            specs += [("--out", st.just(paths["new"] + ".png"),
                       st.sampled_from([paths[k] for k in ("dir", "under_file", "empty")]
                                       + [paths["new"] + ".gif"]))]
        return ["results", action], specs
    if cmd == "figure":
        return ["figure"], [("", st.sampled_from(["1", "1", "1", "2", "diqkd", "window"]),
                              st.sampled_from(["5", "x"])),
                             ("--out", st.builds(lambda k: f"{paths['new']}/fig{k}",
                                                 st.integers(0, 10**6)),
                                  st.sampled_from([paths[k] for k in ("file", "under_file",
                                                                       "empty", "devnull")])),
                                 _opt("--points", 2, 20, True)]
    if cmd == "sweep-data":
        # as for sweep: one argument always bad, so no cluster starts
        return ["sweep", "--question", "data", "--protocol", "bb84"], [
            ("--qber-z", st.just("0.05"), st.sampled_from(["1.5", "x", "0:1:1e-308"])),
            ("--qber-x", st.just("0.05"), st.sampled_from(["-0.1", "nan"])),
            _opt("--leakage", 0.0, 1.0),
            ("--visibility", st.just(None), st.just("0.9")),   # an option of another question
            ("--store", st.just(paths["new"] + "_d.sqlite"),
             st.sampled_from([paths[k] for k in ("foreign", "dir", "empty", "under_file")]))]
    if cmd == "sweep-state":
        # one argument always bad: no cluster starts
        return ["sweep", "--question", "state"], [
            ("--state", *path(["ppt_npy"], ["empty_npy", "corrupt_npy", "dir", "missing_parent"])),
            ("--dims", st.just("2,2"), st.sampled_from(["2,3", "1,4", "x", "2,2,2"])),
            _opt("--leakage", 0.0, 1.0),
            ("--measurements", st.just("Z"), st.sampled_from(["W", ""])),
            ("--eta", st.just(None), st.just("0.9"))]          # an option of another question
    if cmd == "sweep-di":
        return ["sweep", "--question", "di"], [
            ("--eta", st.just("0.9,1"), UNIT_GRID_BAD),
            ("--visibility", st.just("1"), UNIT_GRID_BAD),
            ("--binning", st.just("both"), st.sampled_from(["all", "C"])),
            ("--theta", st.just(None), st.sampled_from(["2", "-0.1", "x"])),
            _opt("--leakage", 0.0, 1.0),
            ("--protocol", st.just(None), st.just("bb84")),    # an option of another question
            ("--store", st.just(paths["new"] + "_i.sqlite"),
             st.sampled_from([paths[k] for k in ("foreign", "dir", "empty", "under_file")]))]
    if cmd == "di-region-store":
        # the map on the sweep engine: one argument always bad, so no cluster starts
        return ["di-region"], [
            ("--eta", st.just("0.9,1"), UNIT_GRID_BAD),
            ("--store", st.just(paths["new"] + "_r.sqlite"),
             st.sampled_from([paths[k] for k in ("foreign", "dir", "empty", "under_file")])),
            ("--workers", st.just("1"), st.sampled_from(["0", "100000", "x", "-1"])),
            ("--scheduler", st.just(None),
             st.sampled_from(["garbage", "tcp://", "tcp://h:0", "tcp://h:99999"]))]
    if cmd == "sweep-plan":
        return ["sweep", "--question", "plan"], [
            ("--distance-km", st.just("50,100"), st.sampled_from(["0", "1e6", "x", "0:1:1e-308"])),
            ("--segments", st.just("1,2"), st.sampled_from(["0", "2000", "1.5", "x"])),
            _opt("--leakage", 0.0, 1.0),
            ("--memory-noise", st.just("dephasing"), st.just("amplitude")),
            ("--eta", st.just(None), st.just("0.9")),          # an option of another question
            ("--store", st.just(paths["new"] + "_p.sqlite"),
             st.sampled_from([paths[k] for k in ("foreign", "dir", "empty", "under_file")]))]
    # sweep: the valid point is never reached (one argument is always bad: no cluster starts)
    return ["sweep"], [("--visibility", UNIT_GRID_VALID, UNIT_GRID_BAD),
                       _opt("--leakage", 0.0, 1.0),
                       ("--parties", st.just("2"), st.sampled_from(["1000000", "1", "x"])),
                       ("--store", st.just(paths["new"] + ".sqlite"),
                        st.sampled_from([paths[k] for k in ("foreign", "dir", "empty",
                                                             "under_file", "devnull")])),
                       ("--scheduler", st.just("tcp://127.0.0.1:1"),
                        st.sampled_from(["garbage", "tcp://", "tcp://h:0", "tcp://h:99999"]))]


COMMANDS = ["threshold", "rate", "swap", "repeaters", "plan", "network", "source-bound",
            "di-attack", "di-table", "di-region",
            "swap-bell", "rho-d", "crossover", "bound",
            "state-bound", "results list", "results export", "results plot", "figure", "sweep",
            "data-bound", "data-counts", "sweep-data", "sweep-plan", "sweep-state", "sweep-di", "di-region-store"]


@st.composite
def invocation(draw, paths):
    """Every option valid, or exactly one option bad (so that each bad value is what fails)."""
    prefix, specs = _specs(draw(st.sampled_from(COMMANDS)), paths)
    bad = draw(st.integers(-len(specs), len(specs) - 1))  # negative: all valid (~half)
    if prefix[0] == "sweep" or "--store" in [flag for flag, _, _ in specs] and prefix == ["di-region"]:
        bad = bad % len(specs)
    argv = list(prefix)
    for i, (flag, valid, invalid) in enumerate(specs):
        value = draw(invalid if i == bad else valid)
        if value is None:       # an option left out when valid
            continue
        argv += [flag] if flag else []  # "" marks a positional argument
        argv += list(value) if isinstance(value, tuple) else [value]
    return [str(a) for a in argv] + ["--json", "--quiet"]


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CALL_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except _Timeout:
        pytest.fail(f"hang: {argv} took more than {CALL_TIMEOUT_S} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=170, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_invocation_keeps_the_contract(paths, data):
    argv = data.draw(invocation(paths))
    code, out, err = _run(argv)
    if code == 0:
        obj = json.loads(out)                      # exactly one JSON object
        assert isinstance(obj, dict) and out.count("\n") == 1, argv
    else:
        assert code == 2, (argv, code, err)
        assert out == "", argv
        assert err.count("\n") == 1 and err.startswith("qkdbounds: error: "), (argv, err)


# --- cases a fuzzing pass found (each broke the contract before its fix) --------------------

@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs Linux /proc")
@pytest.mark.parametrize("argv", [
    ["state-bound", "--werner", "0.9", "--leakage", "0.1", "--save-ensemble", "/proc/x.npz", "--quiet"],
    ["data-bound", "--protocol", "bb84", "--qber-z", "0.05", "--qber-x", "0.05", "--out", "/proc/fig"],
], ids=["save-ensemble", "data-bound-out"])
def test_unwritable_output_path_is_refused_before_the_work(argv):
    # os.access says yes to root on /proc; the write failed (exit 1) only after the computation
    code, out, err = _run(argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "not writable" in err and ("--save-ensemble" in err or "--out" in err)


def test_data_bound_grid_larger_than_one_serial_run_is_refused():
    code, out, err = _run(["data-bound", "--protocol", "bb84", "--qber-z", "0.05", "--qber-x", "0.05",
                           "--leakage", "0:1:1e-5", "--quiet"])
    assert code == 2 and out == "" and "100001 points" in err and len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store")
    code, _, _ = _run(["sweep", "--visibility", "0.9,0.95", "--leakage", "0.1", "--out", str(out),
                       "--workers", "1", "--quiet"])
    assert code == 0
    return out / "results.sqlite"


@pytest.mark.parametrize("column", ["status", "attack"])
def test_results_plot_refuses_a_text_column(small_store, tmp_path, column):
    code, out, err = _run(["results", "plot", "--store", str(small_store), "--out", str(tmp_path / "p.png"),
                           "--y", column])
    assert code == 2 and out == "" and "numeric" in err and len(err.strip().splitlines()) == 1


def test_results_list_honours_name(small_store):
    code, out, err = _run(["results", "list", "--store", str(small_store), "--name", "nosuch", "--json"])
    assert code == 2 and "no sweep named 'nosuch'" in err
    code, out, _ = _run(["results", "list", "--store", str(small_store), "--json"])
    name = json.loads(out)["sweeps"][0]["name"]
    code, out, _ = _run(["results", "list", "--store", str(small_store), "--name", name, "--json"])
    listed = json.loads(out)
    assert code == 0 and [s["name"] for s in listed["sweeps"]] == [name] and listed["points"] == 2


def test_empty_sweep_name_is_refused(tmp_path, small_store):
    for argv in (["sweep", "--visibility", "0.9", "--leakage", "0.1", "--name", "", "--workers", "1",
                  "--quiet", "--out", str(tmp_path / "o")],
                 ["results", "list", "--store", str(small_store), "--name", "  "]):
        code, out, err = _run(argv)
        assert code == 2 and out == "" and "--name" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv,start", [
    (["plan", "--dim", "1", "--distance-km", "10", "--segments", "1", "--leakage", "0"], "--dim must"),
    (["reproduce", "--points", "0", "--out", "OUT"], "--points must"),
    (["rate", "--max-memory", "1e-300", "--visibility", "0.9", "--leakage", "0.1"], "--max-memory must be a number of GiB"),
    (["rate", "--dim", "65536", "--measurements", "search", "--visibility", "0.9", "--leakage", "0.1"],
     "the measurement search"),
], ids=["plan-dim", "reproduce-points", "max-memory-tiny", "search-huge"])
def test_errors_name_the_option_as_typed(argv, start, tmp_path):
    """Fuzzing (session 35): errors named the library's parameter (local_dim, n_points), gave a
    range in bytes for an option in GiB, or an 'inf GiB' estimate."""
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    code, out, err = _run(argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("qkdbounds: error: " + start), err
    assert "inf GiB" not in err


def test_state_bound_unknown_measurements_lists_the_choices(tmp_path):
    """A name that is neither auto/Z/search nor a file was reported as 'file not found: X'
    (session 37): the message gives the allowed names as well."""
    state = tmp_path / "bell.npy"
    np.save(state, np.outer([1, 0, 0, 1], [1, 0, 0, 1]) / 2)
    code, out, err = _run(["state-bound", "--state", str(state), "--measurements", "X"])
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "--measurements" in err and "auto, Z, search" in err and "'X'" in err
