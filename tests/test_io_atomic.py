"""Writes are atomic and a full disk is one line (issue 23): nothing partial is left behind."""

import errno
from pathlib import Path

import numpy as np
import pytest

from qkdbounds._io import atomic_write, load_npy_checked
from qkdbounds.cli.main import main
from qkdbounds.errors import InputError


def test_atomic_write_replaces_in_one_step(tmp_path):
    target = tmp_path / "new" / "dir" / "out.txt"
    atomic_write(target, lambda tmp: Path(tmp).write_text("complete"))
    assert target.read_text() == "complete"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.bin"
    target.write_text("old content")

    def half_then_full_disk(tmp):
        Path(tmp).write_text("partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    with pytest.raises(OSError):
        atomic_write(target, half_then_full_disk)
    assert target.read_text() == "old content"          # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_full_disk_in_a_figure_command_is_one_line_and_leaves_no_file(tmp_path, capsys,
                                                                       monkeypatch):
    import matplotlib.figure

    real = matplotlib.figure.Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        real(self, fname, *args, **kwargs)            # a file appears, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(fname))

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    code = main(["figure", "1", "--out", str(tmp_path / "figs"), "--points", "5"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and "No space left on device" in err
    left = list((tmp_path / "figs").rglob("*")) if (tmp_path / "figs").exists() else []
    assert [p for p in left if p.suffix in (".png", ".svg")] == []


def test_json_wins_over_format_csv(capsys):
    import json

    assert main(["threshold", "--leakage", "0.1", "--format", "csv", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "visibility_threshold" in data


@pytest.mark.parametrize("header", [b'{"descr": <f8, (  \n', b"{'descr': '<f8', 'fortran_order': Fa"])
def test_unparsable_npy_header_is_one_line(tmp_path, header):
    path = tmp_path / "bad.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
    with pytest.raises(InputError) as exc:
        load_npy_checked("--state", path)
    assert "\n" not in str(exc.value) and "--state" in str(exc.value)


def test_save_ensemble_creates_missing_directories(tmp_path, capsys):
    target = tmp_path / "new" / "sub" / "e.npz"
    code = main(["state-bound", "--werner", "0.9", "--leakage", "0.1", "--measurements", "Z",
                 "--save-ensemble", str(target), "--json"])
    assert code == 0, capsys.readouterr().err
    assert np.load(target)["weights"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("command", [["network", "--graph"], ["di-attack", "--eta", "0.9",
                                                              "--visibility", "1", "--settings"]])
@pytest.mark.parametrize("content", ["[" * 100000 + "]" * 100000,
                                     '{"links": ' + "[" * 40 + "]" * 40 + "}"])
def test_deeply_nested_json_is_one_line(tmp_path, capsys, command, content):
    path = tmp_path / "deep.json"
    path.write_text(content)
    argv = command + [str(path)] + (["--leakage", "0.1"] if command[0] == "network" else [])
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "nested too deeply" in err


@pytest.mark.parametrize("spec", ["0:1:1e308", "0:1:1e-308", "0:1e999999999:1", "0:1:9e18",
                                  "1e-99999999:1:0.1", "0:1:1e-99999999"])
@pytest.mark.parametrize("command", [["rate", "--visibility", "{}", "--leakage", "0.1"],
                                     ["threshold", "--leakage", "{}"],
                                     ["sweep", "--visibility", "{}", "--leakage", "0.1",
                                      "--store", "{tmp}/s.sqlite"]])
def test_extreme_grid_steps_are_one_line_or_a_valid_grid(tmp_path, capsys, spec, command):
    argv = [a.replace("{}", spec).replace("{tmp}", str(tmp_path)) for a in command]
    if command[0] == "sweep":
        from qkdbounds.errors import InputError as Err
        from qkdbounds.sweep import parse_axis

        try:   # the sweep parses its axes with the same parser; no cluster is started here
            parse_axis("visibility", spec)
        except Err as exc:
            assert "\n" not in str(exc)
        return
    code = main(argv + ["--json"])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    assert (code == 0 and out) or (err.count("\n") == 1 and out == "")


def test_overlong_path_component_is_one_line(tmp_path):
    """A 300-byte file name ended in "File name too long" with exit 1 after the work (fuzzing):
    refused up front, naming the option."""
    import pytest

    from qkdbounds._io import MAX_NAME_BYTES, check_output_dir, check_output_file
    from qkdbounds.errors import InputError

    long = "y" * 300
    with pytest.raises(InputError, match="--out: a path component is 300 bytes"):
        check_output_dir("--out", tmp_path / "nest" / long)
    with pytest.raises(InputError, match="--save-ensemble: a path component"):
        check_output_file("--save-ensemble", tmp_path / (long + ".npz"))
    assert check_output_dir("--out", tmp_path / ("z" * MAX_NAME_BYTES)).name == "z" * MAX_NAME_BYTES
