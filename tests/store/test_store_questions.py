"""Question dimension of the store: rate keys unchanged, old stores migrate and resume, keys and
columns of other questions, export columns appended."""

from __future__ import annotations

import json
import sqlite3

import pytest

from qkdbounds.errors import InputError
from qkdbounds.store import EXPORT_COLUMNS, ResultStore, package_version, parameter_key

TOY = "qkdbounds.sweep._testing:toy_point"

# The results table as written by stores before questions existed (verbatim), so that the
# migration is tested on a real old file, not on one made by the new code.
OLD_SCHEMA = """
CREATE TABLE sweeps (
    sweep_id   INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    spec       TEXT NOT NULL
);
CREATE TABLE results (
    result_id        INTEGER PRIMARY KEY,
    param_key        TEXT NOT NULL,
    function         TEXT NOT NULL,
    version          TEXT NOT NULL,
    dim              INTEGER,
    parties          INTEGER,
    visibility       REAL,
    leakage          REAL,
    model            TEXT,
    attack           TEXT,
    rate_upper_bound REAL,
    status           TEXT NOT NULL,
    method           TEXT,
    error            TEXT,
    elapsed_s        REAL,
    finished_at      TEXT NOT NULL,
    result           TEXT NOT NULL,
    UNIQUE (param_key, function, version)
);
CREATE TABLE sweep_points (
    sweep_id  INTEGER NOT NULL REFERENCES sweeps (sweep_id),
    result_id INTEGER NOT NULL REFERENCES results (result_id),
    UNIQUE (sweep_id, result_id)
);
"""

OLD_EXPORT_COLUMNS = ("dim", "parties", "visibility", "leakage", "model", "attack",
                      "rate_upper_bound", "status", "method", "error", "elapsed_s",
                      "finished_at", "version", "function", "param_key", "result")


def _data_params(**kw):
    return dict(question="data", protocol="bb84", qber_z=0.01 + 0.02, qber_x=0.05, qber_y=None,
                leakage=0.1, model="uniform", attack="best") | kw


@pytest.mark.parametrize("extra", [{}, {"question": "rate"}, {"question": None}],
                         ids=["no-question", "question-rate", "question-none"])
def test_rate_keys_are_byte_identical_to_the_original_format(extra):
    params = dict(dim=3, parties=4, visibility=0.1 + 0.2, leakage=0.05, model="junk",
                  attack="extended") | extra
    assert parameter_key(params) == \
        "dim=3;parties=4;visibility=0.3;leakage=0.05;model=junk;attack=extended"


def test_keys_of_other_questions_name_the_question_and_every_given_axis():
    assert parameter_key(_data_params()) == ("question=data;protocol=bb84;qber_z=0.03;"
                                             "qber_x=0.05;leakage=0.1;model=uniform;attack=best")
    # an optional axis that is given is part of the key: monitored Y is another question
    assert parameter_key(_data_params(qber_y=0.02)) == (
        "question=data;protocol=bb84;qber_z=0.03;qber_x=0.05;qber_y=0.02;leakage=0.1;"
        "model=uniform;attack=best")
    # defaults fill axes left out, so both spell the same point
    short = {k: v for k, v in _data_params().items() if k not in ("model", "attack", "qber_y")}
    assert parameter_key(short) == parameter_key(_data_params())
    # the same parameters of another question are another point
    assert parameter_key(_data_params(question="di", eta=0.9, visibility=1.0)).startswith(
        "question=di;eta=0.9;visibility=1.0;theta=0.785398163397;")


@pytest.mark.parametrize("params, match", [
    (_data_params(question="planet"), "question must be one of"),
    ({k: v for k, v in _data_params().items() if k != "qber_x"}, "missing: qber_x"),
    (_data_params(qber_z="high"), "real numbers"),
], ids=["unknown-question", "missing-axis", "bad-float"])
def test_bad_question_parameters_are_one_line_input_errors(params, match):
    with pytest.raises(InputError, match=match) as info:
        parameter_key(params)
    assert "\n" not in str(info.value)


def test_question_rows_fill_their_columns_and_leave_the_others_null(tmp_path):
    with ResultStore(tmp_path / "s.sqlite") as db:
        db.write_point(_data_params(), "m:data", {"rate_upper_bound": 0.5, "status": "ok"})
        db.write_point(dict(dim=2, parties=3, visibility=0.5, leakage=0.1, model="uniform",
                            attack="paper"), "m:rate", {"rate_upper_bound": 0.2, "status": "ok"})
        rows = {r["function"]: r for r in db.records()}
    data, rate = rows["m:data"], rows["m:rate"]
    assert (data["question"], data["dim"], data["parties"], data["visibility"]) == \
        ("data", None, None, None)
    assert (data["leakage"], data["model"], data["attack"]) == (0.1, "uniform", "best")
    assert json.loads(data["params"]) == {"question": "data", "protocol": "bb84",
                                          "qber_z": 0.03, "qber_x": 0.05, "qber_y": None,
                                          "leakage": 0.1, "model": "uniform", "attack": "best"}
    assert data["param_key"] == parameter_key(_data_params())
    assert rate["question"] == "rate"
    assert json.loads(rate["params"]) == {"question": "rate", "dim": 2, "parties": 3,
                                          "visibility": 0.5, "leakage": 0.1, "model": "uniform",
                                          "attack": "paper"}


def test_export_keeps_the_old_columns_in_order_and_appends_question_and_params():
    # (then each result's verdict and lower bound, read from its JSON)
    assert EXPORT_COLUMNS == (*OLD_EXPORT_COLUMNS, "question", "params", "verdict", "lower_bound")


def _old_store(path, points):
    """A store as the code before questions wrote it: old schema, old keys."""
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.execute("INSERT INTO sweeps (name, created_at, spec) VALUES ('old', 'then', '{}')")
    for key, values in points:
        conn.execute(
            "INSERT INTO results (param_key, function, version, dim, parties, visibility, "
            "leakage, model, attack, rate_upper_bound, status, method, error, elapsed_s, "
            "finished_at, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'optimal', 'toy', NULL, "
            "0.1, 'then', '{}')", (key, TOY, package_version(), *values, 0.25))
    conn.commit()
    conn.close()


def test_an_old_store_is_migrated_and_its_rate_points_resume(tmp_path):
    from qkdbounds.sweep import run_sweep

    path = tmp_path / "old.sqlite"
    _old_store(path, [("dim=2;parties=2;visibility=0.5;leakage=0.1;model=uniform;attack=best",
                       (2, 2, 0.5, 0.1, "uniform", "best"))])
    summary = run_sweep({"visibility": "0.5", "leakage": "0.1"}, path, point_fn=TOY,
                        n_workers=1, processes=False, quiet=True)
    assert (summary.skipped, summary.computed, summary.failed) == (1, 0, 0)
    with ResultStore(path) as db:
        (row,) = db.records()
        assert row["question"] == "rate"
        assert json.loads(row["params"]) == {"question": "rate", "dim": 2, "parties": 2,
                                             "visibility": 0.5, "leakage": 0.1,
                                             "model": "uniform", "attack": "best"}
        # the migrated row is the same point a new rate row would be (same params text)
        db.write_point(dict(dim=2, parties=2, visibility=0.6, leakage=0.1, model="uniform",
                            attack="best"), TOY, {"rate_upper_bound": 0.3, "status": "ok"})
        new = [r for r in db.records() if r["visibility"] == 0.6][0]
    assert new["params"] == row["params"].replace("0.5", "0.6")


def test_migration_is_idempotent_when_an_old_store_is_opened_again(tmp_path):
    path = tmp_path / "old.sqlite"
    _old_store(path, [("dim=2;parties=2;visibility=0.5;leakage=0.1;model=uniform;attack=best",
                       (2, 2, 0.5, 0.1, "uniform", "best"))])
    with ResultStore(path) as first, ResultStore(path) as second:
        assert first.count() == second.count() == 1
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(results)")]
    conn.close()
    assert columns.count("question") == columns.count("params") == 1
