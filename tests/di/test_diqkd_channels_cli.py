"""Channels (Eq. 8), crossover search, CLI and figure for paper 2."""

import json

import numpy as np
import pytest

from qkdbounds.cli.main import main
from qkdbounds.di.partial_transpose import (
    channel_check,
    choi_matrix,
    crossover_search,
    dephasing_choi,
    depolarizing_choi,
    rho_d,
    rho_d_channel_choi,
    rho_d_report,
    transposed_channel_bound,
)
from qkdbounds.di.partial_transpose._rho_d import rho_d_matrix
from qkdbounds.errors import InputError


@pytest.mark.parametrize("q, ccp", [(0.5, False), (2 / 3, True), (0.9, True)], ids=["q0.5", "q2/3", "q0.9"])
def test_depolarizing_copositivity_threshold(q, ccp):
    # Choi state is isotropic with F = 1 - 3q/4; PPT iff F <= 1/2 iff q >= 2/3.
    check = channel_check(depolarizing_choi(q), 2, 2)
    assert check.completely_positive and check.trace_preserving
    assert check.completely_copositive == ccp
    res = transposed_channel_bound(depolarizing_choi(q), 2, 2)
    if ccp:
        assert res.value == pytest.approx(0.0, abs=1e-12) and res.status != "failed"
        assert res.teleportation_covariant
    else:
        assert res.value is None and res.status == "failed" and "not completely copositive" in res.message


def test_dephasing_only_fully_dephasing_is_copositive():
    assert not channel_check(dephasing_choi(0.3), 2, 2).completely_copositive
    assert channel_check(dephasing_choi(0.5), 2, 2).completely_copositive


def test_choi_from_kraus_matches_closed_form():
    q = 0.4
    paulis = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    kraus = [np.sqrt(1 - 3 * q / 4) * paulis[0]] + [np.sqrt(q / 4) * s for s in paulis[1:]]
    np.testing.assert_allclose(choi_matrix(kraus), depolarizing_choi(q), atol=1e-14)


def test_not_a_channel_and_transpose_map():
    transpose_choi = choi_matrix([np.eye(2)])  # identity channel; transpose map is its PT
    from qkdbounds.states._partial_transpose import partial_transpose

    t_map = partial_transpose(transpose_choi, (2, 2), 1)
    check = channel_check(t_map, 2, 2)
    assert not check.completely_positive and check.completely_copositive
    assert transposed_channel_bound(t_map, 2, 2).message.startswith("not a channel")
    with pytest.raises(InputError, match="choi must be 4x4"):
        channel_check(np.eye(3), 2, 2)


def test_rho_d_channel():
    state = rho_d(2)
    j = rho_d_channel_choi(state)
    check = channel_check(j, 4, 4)
    assert check.completely_positive and check.completely_copositive and check.trace_preserving
    res = transposed_channel_bound(j, 4, 4)
    assert res.value == pytest.approx(state.mixing, abs=1e-10)  # E_R(rho_d^Gamma) bound
    assert res.status != "failed"
    assert res.choi_bound.certificate.verify()


def test_crossover_both_routes():
    res = crossover_search(40)
    assert res.smallest_shield_dim == res.smallest_shield_dim_formula == 24
    row23, row24 = res.table[21], res.table[22]
    assert row23["shield_dim"] == 23 and row23["gap"] < 0 < row24["gap"]
    assert res.gap_persists
    assert crossover_search(64, "hadamard").smallest_shield_dim == 32
    with pytest.raises(InputError, match="max_dim"):
        crossover_search(1)


def test_report_has_headline_numbers():
    rep = rho_d_report(shield_dims=(4, 24), max_dim=30)
    assert rep["crossover"]["smallest_shield_dim"] == 24
    big = rep["d_2_20"]
    assert big["ppt"] and big["key_lower_bound"] >= 0.98 and big["pt_key_upper_bound"] < 1e-3
    assert rep["per_dimension"][0]["dense_check"]["pt_key_upper_bound"] == pytest.approx(1 / 3, abs=1e-10)
    json.dumps(rep)


def test_cli_rho_d(capsys):
    assert main(["diqkd", "rho-d", "--shield-dim", "1048576", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("ppt", "min_eigenvalue_pt", "key_lower_bound", "pt_key_upper_bound", "gap",
                "key_lower_bound_formula", "pt_key_upper_bound_formula", "ppt_mixing_range"):
        assert key in out
    assert out["ppt"] is True and out["gap"] > 0.98


def test_cli_crossover(capsys):
    assert main(["diqkd", "crossover", "--max-dim", "32", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["smallest_shield_dim"] == 24 and out["smallest_shield_dim_formula"] == 24
    assert out["smallest_power_of_two"] == 32


def test_cli_bound(tmp_path, capsys):
    path = tmp_path / "rho.npy"
    from qkdbounds.di.partial_transpose._pt_upper import _to_bipartite

    np.save(path, _to_bipartite(rho_d_matrix(rho_d(2)), 2))
    assert main(["diqkd", "bound", "--state", str(path), "--dims", "4", "4", "--starts", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["di_key_upper_bound"] == pytest.approx(1 / (np.sqrt(2) + 1), abs=1e-9)
    assert out["witness_pt"]["kind"] in ("product_basis_diagonal", "product_ensemble")


@pytest.mark.parametrize(
    "argv, match",
    [
        (["diqkd", "rho-d", "--shield-dim", "1", "--json"], "--shield-dim must be"),
        (["diqkd", "rho-d", "--shield-dim", "6", "--unitary", "hadamard", "--json"], "power of 2"),
        (["diqkd", "crossover", "--max-dim", "0", "--json"], "--max-dim must be"),
        (["diqkd", "bound", "--state", "/nonexistent.npy", "--dims", "2", "2", "--json"], "--state"),
    ],
    ids=["d1", "hadamard-6", "max-dim", "missing-file"],
)
def test_cli_bad_input(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert match in err and len(err.strip().splitlines()) == 1


def test_cli_bound_rejects_npt(tmp_path, capsys):
    path = tmp_path / "bell.npy"
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    np.save(path, np.outer(phi, phi))
    assert main(["diqkd", "bound", "--state", str(path), "--dims", "2", "2", "--json"]) == 2
    assert "must be PPT" in capsys.readouterr().err


def test_figure_written(tmp_path):
    from qkdbounds.plotting.diqkd_figure import write_rho_d_gap

    data = crossover_search(40)
    paths = write_rho_d_gap({"table": data.table, "smallest_shield_dim": data.smallest_shield_dim}, tmp_path / "gap")
    assert [p.name for p in paths] == ["gap.png", "gap.svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
