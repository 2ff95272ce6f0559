"""``qkdbounds data-bound``: the CLI is the API's route (issue 20), one-line errors, grids, figure."""

import csv
import io
import json
from pathlib import Path

import pytest

from qkdbounds.bounds.data_bound import data_rate_upper_bound
from qkdbounds.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


def _json(capsys, argv):
    code = main(argv + ["--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_keys_and_agreement_with_the_api(capsys):
    data = _json(capsys, ["data-bound", "--protocol", "bb84", "--qber-z", "0.03", "--qber-x",
                          "0.04", "--leakage", "0.001"])
    for key in ("rate_upper_bound", "lower_bound", "verdict", "attack", "method", "status",
                "compatible_state", "attack_used", "key_basis", "lower_bound_method"):
        assert key in data
    api = data_rate_upper_bound("bb84", qber_z=0.03, qber_x=0.04, leakage=0.001)
    assert data["rate_upper_bound"] == api.value
    assert data["lower_bound"] == api.lower_bound
    assert data["verdict"] == api.verdict == "key"
    assert data["qber_z"] == 0.03 and data["qber_x"] == 0.04   # the rates typed, as given
    assert len(data["compatible_state"]) == 4


def test_grids_give_equal_length_lists(capsys):
    data = _json(capsys, ["data-bound", "--protocol", "six-state", "--qber-z", "0.05,0.1",
                          "--qber-x", "0.05,0.1", "--qber-y", "0.05,0.1", "--leakage", "0,0.2"])
    n = len(data["rate_upper_bound"])
    assert n == 4
    for key in ("qber_z", "leakage", "lower_bound", "verdict", "attack_used"):
        assert len(data[key]) == n
    api = data_rate_upper_bound("six-state", qber_z=0.1, qber_x=0.1, qber_y=0.1, leakage=[0, 0.2])
    assert data["rate_upper_bound"][2:] == api.value.tolist()


def test_counts_file_with_confidence(capsys):
    path = EXAMPLES / "bb84_counts.json"
    data = _json(capsys, ["data-bound", "--protocol", "bb84", "--counts", str(path),
                          "--confidence", "0.99", "--leakage", "0.01"])
    api = data_rate_upper_bound("bb84", counts=path, confidence=0.99, leakage=0.01)
    assert data["rate_upper_bound"] == api.value
    assert set(data["confidence_region"]) == {"Z", "X"}
    assert data["qber_z"] > data["qber_observed"]["Z"]         # the region's upper corner


def test_csv_is_a_table(capsys):
    code = main(["data-bound", "--protocol", "bb84", "--qber-z", "0.02:0.06:0.02", "--qber-x",
                 "0.05", "--leakage", "0.1", "--format", "csv"])
    out, _ = capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["qber_z"]) for r in rows] == [0.02, 0.04, 0.06]
    assert all(float(r["rate_upper_bound"]) >= float(r["lower_bound"]) for r in rows)
    assert "compatible_state" not in rows[0]


def test_out_draws_the_figure(capsys, tmp_path):
    data = _json(capsys, ["data-bound", "--protocol", "bb84", "--qber-z", "0.05,0.15,0.3",
                          "--qber-x", "0.05,0.15,0.3", "--leakage", "0.1", "--out",
                          str(tmp_path)])
    for f in data["figures"]:
        assert Path(f).stat().st_size > 1000


@pytest.mark.parametrize("argv,needle", [
    (["--protocol", "bb84", "--qber-z", "0.1", "--leakage", "0"], "--qber-x"),
    (["--protocol", "six-state", "--qber-z", "0.1", "--qber-x", "0.1", "--leakage", "0"], "--qber-y"),
    (["--protocol", "bb84", "--qber-z", "1.5", "--qber-x", "0.1", "--leakage", "0"], "--qber-z"),
    (["--protocol", "bb84", "--qber-z", "0.1,0.2", "--qber-x", "0.1,0.2,0.3", "--leakage", "0"],
     "equal lengths"),
    (["--protocol", "custom", "--qber-z", "0.1", "--qber-x", "0.1", "--leakage", "0"], "--counts"),
    (["--protocol", "bb84", "--qber-z", "0.1", "--qber-x", "0.1", "--leakage", "0",
      "--confidence", "1"], "--confidence"),
    (["--protocol", "bb84", "--counts", "/nonexistent.json", "--leakage", "0"], "--counts"),
    (["--protocol", "bb85", "--qber-z", "0.1", "--qber-x", "0.1", "--leakage", "0"], "--protocol"),
])
def test_bad_input_one_line_exit_2(capsys, argv, needle):
    code = main(["data-bound", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1


@pytest.mark.parametrize("content,needle", [
    ('{"settings": [{"alice": "Z", "bob": "Z", "counts": [[5, -1], [1, 5]]}]}', "non-negative"),
    ('{"settings": [{"alice": "Z", "bob": "Z", "counts": [[5, 1.5], [1, 5]]}]}', "integer"),
    ('{"settings": [{"alice": "Z", "bob": "Z", "counts": [[5, 1], [1, 5]]}]}', "X"),
    ('{"settings": [{"alice": "Z", "bob": "Z", "counts": [[0, 0], [0, 0]]}, '
     '{"alice": "X", "bob": "X", "counts": [[1, 0], [0, 1]]}]}', "round"),
    ("not json", "JSON"),
    ("[" * 100000 + "]" * 100000, "--counts"),
])
def test_bad_count_files_one_line_exit_2(capsys, tmp_path, content, needle):
    path = tmp_path / "c.json"
    path.write_text(content)
    code = main(["data-bound", "--protocol", "bb84", "--counts", str(path), "--leakage", "0"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1
