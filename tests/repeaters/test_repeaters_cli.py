"""CLI: ``qkdbounds swap`` and ``qkdbounds repeaters`` (SPEC §3), and the Fig. 2 writer."""

import json

import pytest

from qkdbounds.cli.main import main
from qkdbounds.plotting.repeaters_figure import write_repeater_figure
from qkdbounds.repeaters import figure2_data


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_swap_json(capsys):
    code, out, _ = _run(capsys, "swap", "--visibilities", "0.9", "0.8", "0.95", "--dim", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["final_visibility"] == pytest.approx(0.9 * 0.8 * 0.95, abs=1e-10)
    assert data["isotropic"] is True
    assert data["product_law"] == pytest.approx(0.684)


def test_repeaters_json_budget(capsys):
    code, out, _ = _run(capsys, "repeaters", "--visibility", "0.95", "--leakage", "0.1",
                        "--model", "uniform", "--max-repeaters", "21", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["n_max"] == 19 and data["n_max_paper_convention"] == 8
    assert data["threshold"] == pytest.approx(1 / 2.8)
    chain = data["chain"]
    assert [p["repeaters"] for p in chain] == list(range(22))
    assert chain[19]["rate_upper_bound"] > 0 and chain[20]["rate_upper_bound"] == 0
    assert {"repeaters", "visibility", "rate_upper_bound"} <= set(chain[0])


def test_repeaters_json_planner(capsys):
    code, out, _ = _run(capsys, "repeaters", "--repeaters", "10", "--target-rate", "0",
                        "--leakage", "0.1", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["mode"] == "plan"
    assert data["min_link_visibility"] == pytest.approx((1 / 2.8) ** (1 / 11), rel=1e-9)


@pytest.mark.parametrize(
    "argv, word",
    [
        (["swap", "--visibilities", "0.9", "1.5"], "--visibilities"),
        (["swap", "--visibilities", "0.9"], "--visibilities"),
        (["swap", "--visibilities", "0.9", "0.9", "--dim", "1"], "--dim"),
        (["swap", "--visibilities", "0.9", "0.9", "--dim", "99"], "--dim"),
        (["swap", "--visibilities", "x", "0.9"], "--visibilities"),
        (["repeaters", "--visibility", "nan", "--leakage", "0.1"], "--visibility"),
        (["repeaters", "--visibility", "0.9", "--leakage", "2"], "--leakage"),
        (["repeaters", "--visibility", "0.9", "--leakage", "0.1", "--model", "x"], "--model"),
        (["repeaters", "--visibility", "0.9", "--leakage", "0.1", "--max-repeaters", "-1"],
         "--max-repeaters"),
        (["repeaters", "--leakage", "0.1"], "--visibility"),
        (["repeaters", "--leakage", "0.1", "--repeaters", "3"], "--target-rate"),
        (["repeaters", "--leakage", "0.1", "--repeaters", "3", "--target-rate", "-1"],
         "--target-rate"),
    ],
    ids=["v>1", "one link", "d=1", "d=99", "not a number", "nan", "L>1", "model", "K<0",
         "no visibility", "planner half", "negative target"],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, word):
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert word in err


def test_figure2_writer(tmp_path):
    data = figure2_data((0.9, 0.95), max_repeaters=12)
    files = write_repeater_figure(data, tmp_path / "fig2")
    assert [f.suffix for f in files] == [".png", ".svg"]
    assert all(f.stat().st_size > 1000 for f in files)
    assert files[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
