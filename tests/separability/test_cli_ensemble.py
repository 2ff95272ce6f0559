"""Acceptance (issue 13): the Horodecki 3x3 bound-entangled state and the tiles UPB state through
``state-bound --dims 3 3``, with certificates, the outer bound, and ``--save-ensemble``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds.cli import main
from qkdbounds.separability import certified_separable_weight, load_ensemble
from qkdbounds.states.sources import make_source

from _sep_states import horodecki_state, tiles_state


def _run(capsys, argv):
    code = main(argv + ["--json"])
    captured = capsys.readouterr()
    return code, captured


@pytest.mark.slow
@pytest.mark.parametrize("name", ["horodecki", "tiles"])
def test_bound_entangled_states_through_the_cli(tmp_path, capsys, name):
    rho = horodecki_state(0.5) if name == "horodecki" else tiles_state()
    state, out = tmp_path / f"{name}.npy", tmp_path / f"{name}-ensemble.npz"
    np.save(state, rho)
    code, cap = _run(capsys, ["state-bound", "--state", str(state), "--dims", "3", "3",
                              "--leakage", "0.1", "--measurements", "Z",
                              "--save-ensemble", str(out)])
    assert code == 0, cap.err
    data = json.loads(cap.out)
    q, q_outer = data["separable_weight"], data["separable_weight_outer"]
    assert 0 <= q <= q_outer + 1e-7 and q_outer < 0.99   # DPS below the PPT value 1
    saved = load_ensemble(out)
    assert saved["q"] == q and saved["dims"] == (3, 3)
    assert data["saved_ensemble"]["ensemble_size"] == len(saved["weights"]) == data["ensemble_size"]
    if name == "horodecki":
        # Horodecki's decomposition has a product part of weight 1/(8a+1) = 0.2
        assert q >= 0.2
        sigma = saved["sigma"]
        # the file alone certifies: sigma reassembles, is a state, and rho - q sigma >= 0
        assert np.trace(sigma).real == pytest.approx(1.0, abs=1e-12)
        assert np.linalg.eigvalsh(rho - q * sigma).min() >= -1e-11
        for vecs in saved["vectors"]:
            np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-12)
    else:
        # the range of the tiles state holds no product vector (Bennett et al. 1999): q = 0
        assert q == 0.0 and len(saved["weights"]) == 0
        assert q_outer < 1e-4


def test_save_ensemble_roundtrip_and_path_checked_first(tmp_path, capsys):
    from qkdbounds.states import werner_state

    # a complex state (Werner v = 0.6 after a local phase), so that conjugated or transposed
    # vectors in the file would show; PPT = separable in 2x2, q = 3(1 - v)/2 = 0.6
    phase = np.kron(np.diag([1, 1j]), np.eye(2))
    rho = phase @ werner_state(0.6) @ phase.conj().T
    state = tmp_path / "w.npy"
    np.save(state, rho)
    out = tmp_path / "ens.npz"
    code, cap = _run(capsys, ["state-bound", "--state", str(state), "--dims", "2", "2",
                              "--leakage", "0.1", "--measurements", "Z", "--save-ensemble", str(out)])
    assert code == 0, cap.err
    saved = load_ensemble(out)
    assert saved["q"] == pytest.approx(1.5 * 0.4, abs=1e-5)
    assert saved["residual"] <= 1e-9
    # reassemble sigma from the raw arrays, independently of load_ensemble
    with np.load(out) as raw:
        psi = np.einsum("ki,kj->kij", raw["vectors_0"], raw["vectors_1"]).reshape(len(raw["weights"]), 4)
        sigma = np.einsum("k,ki,kj->ij", raw["weights"], psi, psi.conj())
    np.testing.assert_allclose(sigma, saved["sigma"], atol=1e-14)
    # the file holds the decomposition the rate used (here the recognised, locally rotated
    # isotropic state: paper 1's Eq. 9 ensemble, rotated), with the JSON's weight; the engine's
    # own certificate has the same weight (second route)
    data = json.loads(cap.out)
    assert data["separable_weight"] == saved["q"]
    assert data["ensemble_residual"] <= 1e-9
    api = certified_separable_weight(make_source(rho, (2, 2)))
    assert api.weight == pytest.approx(saved["q"], abs=1e-6)
    tau = (rho - saved["q"] * sigma) / (1 - saved["q"])
    assert np.linalg.eigvalsh(tau).min() >= -1e-10
    # a directory as output, or a wrong suffix, is refused before any work (exit 2, one line)
    for bad, needle in ((tmp_path, "--save-ensemble"), (tmp_path / "x.txt", ".npz")):
        code, cap = _run(capsys, ["state-bound", "--state", str(state), "--dims", "2", "2",
                                  "--leakage", "0.1", "--save-ensemble", str(bad)])
        assert code == 2 and needle in cap.err and cap.out == ""
    # one route for every source: a Werner input saves its decomposition too
    code, cap = _run(capsys, ["state-bound", "--werner", "0.5", "--leakage", "0.1",
                              "--measurements", "Z", "--save-ensemble", str(out), "--json"])
    assert code == 0 and np.load(out)["q"] == pytest.approx(0.75, abs=1e-7)


def test_state_bound_single_party_project_without_dims_and_garbage(tmp_path, capsys):
    np.save(tmp_path / "q.npy", np.eye(9) / 9)
    code, cap = _run(capsys, ["state-bound", "--state", str(tmp_path / "q.npy"), "--dims", "9",
                              "--leakage", "0"])
    assert code == 2 and "at least 2 parties" in cap.err and "Traceback" not in cap.err
    assert len(cap.err.strip().splitlines()) == 1
    np.save(tmp_path / "bell.npy", np.diag([0.5, 0, 0, 0.5]))
    code, cap = _run(capsys, ["state-bound", "--state", str(tmp_path / "bell.npy"), "--project",
                              "--leakage", "0", "--measurements", "Z", "--json"])
    assert code == 0 and json.loads(cap.out)["dims"] == [2, 2]  # 4 x 4: two qubits by default
    np.save(tmp_path / "bad.npy", np.arange(16.0).reshape(4, 4))
    code, cap = _run(capsys, ["state-bound", "--state", str(tmp_path / "bad.npy"), "--dims", "2",
                              "2", "--project", "--leakage", "0"])
    assert code == 2 and "trace distance" in cap.err and cap.out == ""


def test_save_ensemble_help_explains_the_layout(capsys):
    with pytest.raises(SystemExit):
        main(["state-bound", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "summing to 1" in text and "sigma = sum_k w_k |v_k><v_k|" in text
    assert "rho = q sigma + (1 - q) tau" in text
