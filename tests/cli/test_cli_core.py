"""CLI contract (SPEC §3): JSON keys, one-line errors with exit code 2."""

import csv
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qkdbounds.cli.main import main


def _json(capsys, argv):
    code = main(argv + ["--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_threshold_keys_and_values(capsys):
    data = _json(capsys, ["threshold", "--dim", "2", "--parties", "2", "--leakage", "0.1",
                          "--model", "uniform"])
    for key in ("visibility_threshold", "closed_form", "numeric", "npt_threshold"):
        assert key in data
    assert abs(data["closed_form"] - 1 / 2.8) < 1e-12
    assert abs(data["numeric"] - data["closed_form"]) < 1e-6
    assert abs(data["npt_threshold"] - 1 / 3) < 1e-12


def test_rate_keys_and_values(capsys):
    data = _json(capsys, ["rate", "--dim", "2", "--parties", "2", "--visibility", "1",
                          "--leakage", "0.25", "--model", "uniform"])
    for key in ("rate_upper_bound", "measurements", "attack", "method", "status"):
        assert key in data
    assert abs(data["rate_upper_bound"] - 0.75) < 1e-12
    assert data["measurements"] == ["Z", "Z"]


@pytest.mark.parametrize("argv,needle", [
    (["rate", "--visibility", "1.5", "--leakage", "0.1"], "--visibility"),
    (["rate", "--visibility", "0.5", "--leakage", "-0.1"], "--leakage"),
    (["rate", "--visibility", "0.5", "--leakage", "abc"], "--leakage"),
    (["rate", "--visibility", "0.5", "--leakage", "0.1", "--dim", "1"], "--dim"),
    (["rate", "--visibility", "0.5", "--leakage", "0.1", "--model", "x"], "--model"),
    (["threshold", "--leakage", "0.1", "--parties", "0"], "--parties"),
    (["threshold"], "--leakage"),
    (["nosuchcommand"], "invalid choice"),
])
def test_bad_input_one_line_exit_2(capsys, argv, needle):
    assert main(argv + ["--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


@given(st.text(min_size=1, max_size=8))
def test_fuzzed_visibility_never_tracebacks(text):
    if text.startswith("-"):
        text = " " + text
    try:
        value = float(text)
        ok = 0 <= value <= 1
    except ValueError:
        ok = False
    code = main(["threshold", "--leakage", text, "--no-numeric", "--json"])
    assert code == (0 if ok else 2)


def test_figure_1_writes_png_svg_csv(tmp_path, capsys):
    data = _json(capsys, ["figure", "1", "--out", str(tmp_path), "--points", "11"])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["figure1.csv", "figure1.png", "figure1.svg"]
    with open(tmp_path / "figure1.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 33
    assert {r["leakage"] for r in rows} == {"0.1", "0.2", "0.3"}
    assert data["rate_at_v1"]["0.1"] == pytest.approx(0.9, abs=1e-12)


def test_version_flag(capsys):
    from importlib.metadata import version

    from qkdbounds.cli import main as cli_main

    with pytest.raises(SystemExit) as exc:
        cli_main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"qkdbounds {version('qkdbounds')}"
