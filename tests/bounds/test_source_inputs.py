"""A user's source in the forms the audit tried: text matrices, ``--dims 3,3``, grids with their
per-point fields, and the same attack named as on the isotropic route."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.bounds.source_bound import source_rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.errors import InputError
from qkdbounds.states.sources import load_source


def _isotropic(v: float, d: int = 2) -> np.ndarray:
    phi = np.eye(d).reshape(-1) / np.sqrt(d)
    return v * np.outer(phi, phi) + (1 - v) * np.eye(d * d) / d ** 2


def _random_state(dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    return g @ g.conj().T / np.trace(g @ g.conj().T).real


@pytest.mark.parametrize("suffix, delimiter", [(".txt", " "), (".csv", ","), (".dat", " ")])
def test_text_matrices_are_read_as_numpy_savetxt_writes_them(tmp_path, suffix, delimiter):
    rho = _random_state(4, 3)
    path = tmp_path / f"rho{suffix}"
    np.savetxt(path, rho, delimiter=delimiter)
    np.save(tmp_path / "rho.npy", rho)
    assert np.array_equal(load_source(path, None).matrix, load_source(tmp_path / "rho.npy", None).matrix)
    real = tmp_path / f"real{suffix}"
    np.savetxt(real, _isotropic(0.9), delimiter=delimiter)
    src = load_source(real, None)
    assert np.allclose(src.matrix, _isotropic(0.9), atol=1e-15)


@pytest.mark.parametrize("text, match", [("1 2\n3\n", "not a readable text matrix"),
                                         ("a b\nc d\n", "not a readable text matrix"),
                                         ("\n", "not a readable text matrix")])
def test_bad_text_matrices_are_one_line_errors(tmp_path, text, match):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=match):
        load_source(path, None)


def test_a_file_of_another_kind_names_the_accepted_formats(tmp_path):
    path = tmp_path / "rho.bin"
    path.write_text("0.5 0\n0 0.5\n")
    with pytest.raises(InputError, match=r"accepted: \.npy, \.npz, or a text matrix"):
        load_source(path, (2, 1 + 1))


def test_dims_take_a_comma_list_on_the_cli(capsys, tmp_path):
    np.save(tmp_path / "iso.npy", _isotropic(0.9, 3))
    argv = ["state-bound", "--state", str(tmp_path / "iso.npy"), "--leakage", "0.1",
            "--measurements", "Z", "--json", "--quiet"]
    assert main(argv + ["--dims", "3,3"]) == 0
    comma = json.loads(capsys.readouterr().out)
    assert main(argv + ["--dims", "3", "3"]) == 0
    spaced = json.loads(capsys.readouterr().out)
    assert comma["rate_upper_bound"] == spaced["rate_upper_bound"] and comma["dims"] == [3, 3]
    assert main(argv + ["--dims", "3,x"]) == 2
    assert "--dims" in capsys.readouterr().err


def test_round_off_ties_name_the_attack_the_isotropic_route_names():
    # a Bell state: paper 0.9 and extended 0.8999999999999942 (round-off) named "extended" on
    # the source route, "paper" on the isotropic one
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    r = source_rate_upper_bound(np.outer(phi, phi), 0.1, measurements="Z")
    iso = rate_upper_bound(2, 2, 1.0, 0.1)
    assert r.attack_used == iso.attack_used == "paper"
    assert r.value == pytest.approx(iso.value, abs=1e-12)


def test_a_leakage_grid_carries_the_points_fields():
    r = source_rate_upper_bound(_isotropic(0.9), [0.0, 0.1], measurements="Z")
    assert list(r.status) == [str(p.status) for p in r.points]
    assert r.measurements == [p.measurements for p in r.points] == [["Z", "Z"]] * 2
    assert list(r.lower_bound_method) == [p.lower_bound_method for p in r.points]
    assert all("Devetak" in m for m in r.lower_bound_method)


def test_an_isotropic_qutrit_pair_reports_z_as_the_isotropic_route():
    # every setting U x conj(U) gives an isotropic pair's value: the search reported one of them
    # as "searched (see certificate)" where rate reports Z; ties now keep Z (first candidate)
    r = source_rate_upper_bound(_isotropic(0.9, 3), 0.1, dims=(3, 3))
    assert r.measurements == ["Z", "Z"]
    assert r.value == pytest.approx(rate_upper_bound(3, 2, 0.9, 0.1).value, abs=1e-9)


def test_two_qubit_json_says_which_bases_its_chsh_qber_uses(capsys, tmp_path):
    np.save(tmp_path / "iso.npy", _isotropic(0.95))
    assert main(["state-bound", "--state", str(tmp_path / "iso.npy"), "--leakage", "0.1",
                 "--measurements", "Z", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "not Z" in out["chsh_qber_bases"] and out["qber_z"] == pytest.approx(0.025)


def test_a_matrix_written_on_one_line_is_named_as_such(tmp_path):
    path = tmp_path / "oneline.txt"
    path.write_text(" ".join(str(x) for x in _isotropic(0.9).ravel()) + "\n")
    with pytest.raises(InputError, match=r"16 = 4\^2 numbers: a 4 x 4 matrix on one line"):
        load_source(path, (2, 2))


def test_a_huge_text_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    # 64 MiB of "0" lines took 7 s and 560 MB to refuse; the count comes first now
    import qkdbounds.states.sources as sources

    monkeypatch.setattr(sources, "MAX_SOURCE_DIM", 4)
    path = tmp_path / "big.txt"
    path.write_text("0\n" * 17)

    def never(*args, **kwargs):
        raise AssertionError("parsed before the size check")

    monkeypatch.setattr(np, "loadtxt", never)
    with pytest.raises(InputError, match="holds about 17 entries"):
        load_source(path, (2, 2))


def test_text_errors_do_not_pass_on_numpy_advice(tmp_path):
    path = tmp_path / "ragged.txt"
    path.write_text("1 0 0\n0 1\n")
    with pytest.raises(InputError) as info:
        load_source(path, None)
    assert "usecols" not in str(info.value)


def test_a_one_point_grid_keeps_lists_in_the_json(capsys):
    # --leakage 1:1 is a grid of one point: lists, as rate gives (the audit found scalars)
    assert main(["state-bound", "--werner", "0.9", "--leakage", "1:1", "--json", "--quiet"]) == 0
    grid = json.loads(capsys.readouterr().out)
    assert grid["leakage"] == [1.0] and isinstance(grid["rate_upper_bound"], list)
    assert isinstance(grid["verdict"], list) and isinstance(grid["di_lower_bound"], list)
    assert main(["state-bound", "--werner", "0.9", "--leakage", "0.1", "--json", "--quiet"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out)["rate_upper_bound"], float)


def test_values_within_the_rate_tolerance_are_reported_as_zero():
    # an upper bound of 1.8e-10 was printed beside "no_key", a lower bound of 2.6e-10 beside
    # "open": rates at or below ATOL_RATE are reported as 0, so the verdict follows the numbers
    from qkdbounds.states.two_qubit import bell_diagonal_state

    r = source_rate_upper_bound(bell_diagonal_state([0.5000000001, 0.4999999999, 0, 0]), 0.1)
    assert r.value == 0.0 and r.verdict == "no_key"
    r = source_rate_upper_bound(bell_diagonal_state([0.50001, 0.49999, 0, 0]), 0.1)
    assert r.lower_bound == 0.0 and r.verdict == "open" and r.value > 0


def test_a_povm_has_one_label_on_every_route(tmp_path, capsys):
    # audit of issue 19 (session 34): the API named a trine "POVM(3)", the CLI (from its
    # .npz array) "party0"
    trine = np.array([2 / 3 * np.outer(v, v) for v in
                      [np.array([np.cos(t), np.sin(t)]) for t in (0, 2 * np.pi / 3, 4 * np.pi / 3)]])
    rho = _random_state(4, 2)
    np.save(tmp_path / "rho.npy", rho)
    np.savez(tmp_path / "trine.npz", party0=trine, party1=trine)
    api = source_rate_upper_bound(rho, 0.1, measurements=[trine, trine], dims=(2, 2))
    assert main(["state-bound", "--state", str(tmp_path / "rho.npy"), "--dims", "2", "2",
                 "--measurements", str(tmp_path / "trine.npz"), "--leakage", "0.1", "--json",
                 "--quiet"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert api.measurements == cli["measurements"] == ["POVM(3)", "POVM(3)"]
    assert cli["rate_upper_bound"] == pytest.approx(api.value, abs=1e-12)


def test_state_bound_refuses_a_large_file_from_its_header(tmp_path, capsys):
    """Fuzzing (session 35): a 4096 x 4096 state file was read and validated (an
    eigendecomposition: ~10 s, 1.5 GB) before the size was refused; now the .npy header says it."""
    from qkdbounds.bounds.source_bound import SOURCE_MAX_DIM
    from qkdbounds.cli import main
    from qkdbounds.separability._engine import MAX_ENGINE_DIM
    from qkdbounds.states.sources import load_source

    assert SOURCE_MAX_DIM == MAX_ENGINE_DIM
    path = tmp_path / "big.npy"
    np.lib.format.open_memmap(path, mode="w+", dtype=float, shape=(4096, 4096))   # (sparse file)
    with pytest.raises(ValueError, match="total dimension 4096; allowed: at most 36"):
        load_source(path, (64, 64), max_dim=SOURCE_MAX_DIM)
    assert main(["state-bound", "--state", str(path), "--dims", "64", "64", "--leakage", "0.1"]) == 2
    err = capsys.readouterr().err
    assert "total dimension 4096" in err and len(err.strip().splitlines()) == 1


def test_the_librarys_isotropic_state_and_0d_leakage_are_accepted():
    """API audit (session 35): the source route refused qkdbounds.isotropic_ghz(...) ("shape ()")
    and a 0-d array leakage, which rate_upper_bound accepts."""
    import qkdbounds as qb

    r = qb.source_rate_upper_bound(qb.isotropic_ghz(2, 2, 0.9), np.array(0.1))
    assert r.value == pytest.approx(qb.rate_upper_bound(2, 2, 0.9, 0.1).value, abs=1e-9)
    assert r.dims == (2, 2)
    with pytest.raises(ValueError, match="closed form"):
        qb.source_rate_upper_bound(qb.isotropic_ghz(2, 30, 0.9), 0.1)
    with pytest.raises(ValueError, match="do not match"):
        qb.source_rate_upper_bound(qb.isotropic_ghz(2, 2, 0.9), 0.1, dims=(4,))
