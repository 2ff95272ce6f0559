"""SQLite results store: keys, uniqueness, one transaction per point, export round-trip."""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import sys

import pytest

from qkdbounds.errors import InputError
from qkdbounds.store import (
    EXPORT_COLUMNS,
    RECORD_COLUMNS,
    ResultStore,
    canonical_params,
    default_store_path,
    export_records,
    package_version,
    parameter_key,
)

FN = "tests.toy:fn"


def _point(visibility=0.5, leakage=0.1, **kw):
    return dict(dim=2, parties=2, visibility=visibility, leakage=leakage, model="uniform",
                attack="paper") | kw


def _filled_store(path, n=6):
    with ResultStore(path) as db:
        sid = db.ensure_sweep("s1", {"grid": "test"})
        for i in range(n):
            v = round(0.5 + 0.1 * i, 1)
            result = {"rate_upper_bound": v / 3, "status": "optimal", "method": "toy",
                      "verdict": "open", "lower_bound": v / 7,
                      "certificate": {"angles": [0.0, math.pi / 4], "weights": [v, 1 - v]}}
            db.write_point(_point(v), FN, result, elapsed_s=0.01 * i, sweep_id=sid)
        db.write_point(_point(0.2, 0.9), FN, {"rate_upper_bound": None, "status": "failed"},
                       error="ValueError: boom", sweep_id=sid)
        return db.records("s1")


def test_float_arithmetic_does_not_create_new_keys():
    assert parameter_key(_point(0.1 + 0.2)) == parameter_key(_point(0.3))
    assert parameter_key(_point(0.3)) != parameter_key(_point(0.3 + 1e-9))
    assert parameter_key(_point(-0.0, 0.0)) == parameter_key(_point(0.0, 0.0))
    assert parameter_key(_point(0.5, dim=3.0)) == parameter_key(_point(0.5, dim=3))
    assert "visibility=0.3;" in parameter_key(_point(0.30000000000000004))


@pytest.mark.parametrize("params, match", [
    ({"dim": 2}, "missing"),
    (_point(dim=2.5), "dim must be an integer"),
    (_point(float("nan")), "finite"),
    (_point("high"), "real numbers"),
], ids=["missing", "fractional-dim", "nan", "text"])
def test_bad_parameters_rejected(params, match):
    with pytest.raises(InputError, match=match):
        canonical_params(params)


def test_wal_mode_and_default_path(tmp_path):
    assert default_store_path(tmp_path).name == "results.sqlite"
    with ResultStore(default_store_path(tmp_path / "new" / "dir")) as db:
        mode = db._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert db.version == package_version() != ""
    assert mode == "wal"


def test_nothing_is_stored_twice(tmp_path):
    path = tmp_path / "u.sqlite"
    with ResultStore(path) as db:
        first = db.write_point(_point(0.3), FN, {"rate_upper_bound": 0.1, "status": "optimal"})
        again = db.write_point(_point(0.1 + 0.2), FN, {"rate_upper_bound": 9.9, "status": "x"})
        assert (first, again) == (True, False)
        assert db.count() == 1
        assert db.records()[0]["rate_upper_bound"] == 0.1     # first writer wins
        # Another function or another package version is a different point.
        db.write_point(_point(0.3), "other:fn", {"rate_upper_bound": 0.2, "status": "optimal"})
    with ResultStore(path, version="0.0.0-test") as old:
        old.write_point(_point(0.3), FN, {"rate_upper_bound": 0.3, "status": "optimal"})
        assert old.count() == 3
        assert len(old.records()) == 1
        assert len(old.records(all_versions=True)) == 3
    # The UNIQUE constraint itself (not only our code path) forbids duplicates.
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO results (param_key, function, version, status, finished_at, "
                     "result) SELECT param_key, function, version, status, finished_at, result "
                     "FROM results LIMIT 1")


def test_failed_point_is_replaced_by_a_success(tmp_path):
    with ResultStore(tmp_path / "f.sqlite") as db:
        db.write_point(_point(), FN, {"rate_upper_bound": None, "status": "failed"},
                       error="RuntimeError: x")
        assert db.stored_keys(FN) == set()
        assert db.stored_keys(FN, include_failed=True) == {parameter_key(_point())}
        assert db.write_point(_point(), FN, {"rate_upper_bound": 0.4, "status": "optimal"})
        (rec,) = db.records()
    assert (rec["status"], rec["rate_upper_bound"], rec["error"]) == ("optimal", 0.4, None)


def test_each_point_is_committed_immediately(tmp_path):
    path = tmp_path / "c.sqlite"
    with ResultStore(path) as db:
        db.write_point(_point(), FN, {"rate_upper_bound": 0.4, "status": "optimal"})
        # Visible to an independent reader while the writer is still open.
        with sqlite3.connect(path) as reader:
            assert reader.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1


def test_sweeps_share_points(tmp_path):
    with ResultStore(tmp_path / "s.sqlite") as db:
        a = db.ensure_sweep("a")
        b = db.ensure_sweep("b")
        assert db.ensure_sweep("a") == a != b
        db.write_point(_point(0.5), FN, {"rate_upper_bound": 0.1, "status": "optimal"},
                       sweep_id=a)
        db.add_to_sweep(b, [parameter_key(_point(0.5))], FN)
        assert (db.count("a"), db.count("b"), db.count()) == (1, 1, 1)
        assert [s["points"] for s in db.sweeps()] == [1, 1]
        with pytest.raises(InputError, match="no sweep named 'c'"):
            db.records("c")


def test_non_store_file_rejected(tmp_path):
    bad = tmp_path / "not.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="not a qkdbounds store"):
        ResultStore(bad)
    with pytest.raises(InputError, match="regular file"):
        ResultStore(tmp_path)


@pytest.mark.parametrize("read_only", [True, False])
def test_damaged_store_is_one_input_error(tmp_path, read_only):
    """A store whose pages are damaged (the header and schema page intact, so it opens) gives
    one InputError naming the store when a query reads a damaged page, not sqlite3's traceback
    (fuzzing: a corrupt page made `results list` and `sweep` end in a traceback)."""
    path = tmp_path / "s.sqlite"
    with ResultStore(path) as db:
        db.write_points([(_point(v / 1000), {"rate_upper_bound": v / 1000, "status": "optimal"},
                          0.0, None) for v in range(300)], FN, sweep_id=db.ensure_sweep("s"))
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[page:] = b"\xff" * (len(data) - page)
    path.write_bytes(bytes(data))
    with ResultStore(path, create=False, read_only=read_only) as db:
        for query in (db.sweeps, db.count, db.records):
            with pytest.raises(InputError, match="is damaged .*malformed"):
                query()


def test_foreign_sqlite_file_refused_untouched(tmp_path):
    """An unrelated SQLite database is refused and left byte-for-byte unchanged (issue 12)."""
    import hashlib
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('ada')")
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    with pytest.raises(InputError, match="not a qkdbounds store.*customers"):
        ResultStore(other)
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal/-shm left


def test_claims_are_exclusive_and_released(tmp_path):
    path = tmp_path / "c.sqlite"
    with ResultStore(path) as a, ResultStore(path) as b:
        got_a = a.claim(["k1", "k2"], "m:f", "run-a")
        got_b = b.claim(["k1", "k2", "k3"], "m:f", "run-b")
        assert got_a == {"k1", "k2"} and got_b == {"k3"}
        assert a.claim(["k1"], "m:f", "run-a") == {"k1"}          # re-claim by the owner
        a.release("run-a")
        assert b.claim(["k1", "k2"], "m:f", "run-b") == {"k1", "k2"}


def test_claims_of_a_dead_process_are_taken_over(tmp_path):
    """A killed sweep leaves claims behind; a new run on the same host takes them over."""
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "c.sqlite"
    with ResultStore(path) as db:
        db.claim(["k1"], "m:f", "dead-run")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE claims SET pid = ?", (int(dead),))
    with ResultStore(path) as db:
        assert db.claim(["k1"], "m:f", "new-run") == {"k1"}


def _normalise(records):
    out = []
    for rec in records:
        row = {}
        for col in RECORD_COLUMNS:
            value = rec[col]
            if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                value = None
            elif col in ("dim", "parties"):
                value = int(value)
            elif col in ("visibility", "leakage", "rate_upper_bound", "elapsed_s"):
                value = float(value)
            else:
                value = str(value)
            row[col] = value
        out.append(row)
    return out


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export_round_trip(tmp_path, fmt):
    records = _filled_store(tmp_path / "e.sqlite")
    assert len(records) == 7
    out = export_records(records, tmp_path / "sub" / f"table.{fmt}", fmt)
    if fmt == "csv":
        with open(out, newline="") as fh:
            back = list(csv.DictReader(fh))
    elif fmt == "json":
        back = json.loads(out.read_text())
    else:
        import pandas as pd

        back = pd.read_parquet(out).to_dict("records")
    assert _normalise(back) == _normalise(records)
    # each result's verdict and lower bound as columns of their own (empty for the failed point)
    assert list(back[0]) == list(EXPORT_COLUMNS)
    for b, r in zip(back, records):
        result = json.loads(r["result"])
        if "verdict" in result:
            assert b["verdict"] == "open" and float(b["lower_bound"]) == result["lower_bound"]
        else:   # (csv: empty text; json: null; parquet: NaN)
            for col in ("verdict", "lower_bound"):
                assert b[col] in (None, "") or (isinstance(b[col], float) and math.isnan(b[col]))
    # repr round-trips floats exactly in every format
    values = [(float(b["rate_upper_bound"]), r["rate_upper_bound"])
              for b, r in zip(back, records) if r["status"] == "optimal"]
    assert len(values) == 6 and all(x == y for x, y in values)
    # the full result survives as JSON
    certificate = json.loads(back[-1]["result"])["certificate"]
    assert certificate["angles"] == [0.0, math.pi / 4]


def test_parquet_without_pyarrow_is_a_clear_input_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(InputError, match="pandas and pyarrow"):
        export_records([], tmp_path / "x.parquet", "parquet")


def test_unknown_export_format(tmp_path):
    with pytest.raises(InputError, match="format must be one of"):
        export_records([], tmp_path / "x.xls", "xls")


def test_a_point_stored_meanwhile_is_not_claimed_again(tmp_path):
    """Run B read the stored keys before run A stored a point and released its claim: B's
    claim must still not grant it (no point computed twice)."""
    path = tmp_path / "race.sqlite"
    params = dict(dim=2, parties=2, visibility=0.5, leakage=0.1, model="uniform", attack="paper")
    from qkdbounds.store import parameter_key

    key = parameter_key(params)
    with ResultStore(path) as a, ResultStore(path) as b:
        assert key not in b.stored_keys("m:f")
        assert a.claim([key], "m:f", "run-a") == {key}
        a.write_point(params, "m:f", {"rate_upper_bound": 0.1, "status": "ok"})
        a.release("run-a")
        assert b.claim([key], "m:f", "run-b") == set()


def test_a_sweep_name_keeps_its_points(tmp_path):
    """Reusing a name for another set of points merged them under the first grid's spec
    (fuzzing); the same points (any spelling) resume the sweep; specs without a digest (older
    stores, other callers) are not compared."""
    with ResultStore(tmp_path / "s.sqlite") as db:
        a = db.ensure_sweep("X", {"grid": {"visibility": [0.5, 0.6]}, "points_sha256": "aa"})
        assert db.ensure_sweep("X", {"grid": {"visibility": "0.5:0.6:0.1"},
                                     "points_sha256": "aa"}) == a
        with pytest.raises(InputError, match="sweep name 'X' .* holds another set of points"):
            db.ensure_sweep("X", {"grid": {"visibility": [0.7]}, "points_sha256": "bb"})
        assert db.ensure_sweep("X") == a          # no spec given: the sweep by name
        old = db.ensure_sweep("old", {"grid": {"visibility": [0.5]}})      # no digest
        assert db.ensure_sweep("old", {"grid": {"visibility": [0.9]}, "points_sha256": "cc"}) == old
