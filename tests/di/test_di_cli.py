"""``qkdbounds di-attack`` / ``di-region``: the contract keys, one route with the API, errors."""

import json

import numpy as np
import pytest

from qkdbounds.cli.main import main
from qkdbounds.di import bell_box, di_attack_bound, load_bell_table

from di_helpers import pr_box

KEYS = ("rate_upper_bound", "one_way_upper_bound", "local_weight", "chsh", "lower_bound",
        "certificate", "method", "status")


def _json(capsys, *argv):
    code = main([str(a) for a in argv] + ["--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_di_attack_keys_and_one_route(capsys):
    data = _json(capsys, "di-attack", "--eta", 0.93, "--visibility", 0.99, "--leakage", 0.05,
                 "--maxfev", 60, "--starts", 0)
    for key in KEYS:
        assert key in data
    api = di_attack_bound(bell_box(np.pi / 4, 0.99, 0.93), 0.05, "uniform", n_starts=0, maxfev=60)
    assert data["rate_upper_bound"] == api.rate_upper_bound
    assert data["one_way_upper_bound"] == api.one_way_upper_bound
    assert data["lower_bound"] == api.lower_bound
    assert data["certificate"]["eve_box"] == api.attack.certificate["eve_box"]
    assert data["rate_upper_bound"] >= data["lower_bound"]


def test_di_attack_defaults_meet_at_perfect_detection(capsys):
    data = _json(capsys, "di-attack", "--eta", 1, "--visibility", 1, "--leakage", 0.1, "--maxfev", 20)
    assert data["rate_upper_bound"] == pytest.approx(0.9, abs=1e-6)
    assert data["lower_bound"] == pytest.approx(0.9, abs=1e-12)
    assert data["chsh"] == pytest.approx(2 * np.sqrt(2), abs=1e-12)
    assert data["box"]["key_settings"] == [2, 0]


def test_table_route_equals_generated_box(capsys, tmp_path):
    box = bell_box(0.6, 0.97, 0.94, binning="both")
    path = tmp_path / "box.json"
    path.write_text(json.dumps({"probabilities": box.probabilities.tolist(), "key_settings": [2, 0]}))
    from_file = _json(capsys, "di-attack", "--settings", path, "--maxfev", 40)
    from_state = _json(capsys, "di-attack", "--eta", 0.94, "--visibility", 0.97, "--theta", 0.6,
                       "--maxfev", 40)
    # same box, same lower bound; the table has no source parameters, so the attack search
    # starts elsewhere: both are valid upper bounds above the common lower bound
    assert from_file["lower_bound"] == pytest.approx(from_state["lower_bound"], abs=1e-12)
    assert from_file["local_weight"] == pytest.approx(from_state["local_weight"], abs=1e-9)
    for d in (from_file, from_state):
        assert d["rate_upper_bound"] >= d["lower_bound"] - 1e-7
    assert load_bell_table(path).key_settings == (2, 0)
    # di-attack's own JSON box is a valid --settings file (its "source" is not read)
    saved = tmp_path / "saved_box.json"
    saved.write_text(json.dumps(from_state["box"]))
    again = _json(capsys, "di-attack", "--settings", saved, "--maxfev", 40)
    assert again["lower_bound"] == pytest.approx(from_state["lower_bound"], abs=1e-12)


def test_di_region_json_and_figure(capsys, tmp_path):
    data = _json(capsys, "di-region", "--eta", "0.8,1", "--visibility", "1", "--maxfev", 20,
                 "--out", tmp_path)
    assert data["verdict"] == [["no_key", "key"]]
    assert data["counts"] == {"no_key": 1, "open": 0, "key": 1}
    assert all((tmp_path / f"figure_di_region.{ext}").stat().st_size > 0 for ext in ("png", "svg"))


@pytest.mark.parametrize("argv,needle", [
    (["di-attack", "--eta", "1.5", "--visibility", "1"], "--eta"),
    (["di-attack", "--eta", "0.9", "--visibility", "nan"], "--visibility"),
    (["di-attack", "--eta", "0.9", "--visibility", "1", "--theta", "2"], "--theta"),
    (["di-attack", "--visibility", "1"], "--eta"),
    (["di-attack", "--eta", "0.9", "--visibility", "1", "--binning", "all"], "--binning"),
    (["di-region", "--eta", "0.5:1.5:0.5"], "eta"),
])
def test_di_cli_errors(capsys, argv, needle):
    code = main(argv + ["--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err


def test_signalling_table_is_refused(capsys, tmp_path):
    p = np.full((2, 2, 2, 2), 0.25)
    p[0, 1] = [[0.5, 0.0], [0.5, 0.0]]
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"probabilities": p.tolist()}))
    code = main(["di-attack", "--settings", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and "no-signalling" in err and err.count("\n") == 1


def test_settings_file_with_m_measurements(capsys, tmp_path):
    # four settings for Alice (three CHSH-type + key) and three for Bob, key (3, 0)
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"alice_angles": [0, np.pi / 2, np.pi / 4, np.pi / 4],
                                "bob_angles": [np.pi / 4, -np.pi / 4, 0], "key_settings": [3, 0]}))
    data = _json(capsys, "di-attack", "--eta", 1, "--visibility", 1, "--settings", path, "--maxfev", 10)
    assert len(data["box"]["probabilities"]) == 4 and len(data["box"]["probabilities"][0]) == 3
    assert data["box"]["key_settings"] == [3, 0]
    assert data["chsh"] == pytest.approx(2 * np.sqrt(2), abs=1e-12)
    assert data["rate_upper_bound"] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("content,needle", [
    ('{"alice_angles": [0]}', "alice_angles"),
    ('{"alice_angles": [0, 1], "bob_angles": [0, "x"]}', "bob_angles"),
    ('{"alice_angles": [0, 1], "bob_angles": [0, 1], "key_settings": [4, 0]}', "key_settings"),
])
def test_settings_file_errors(capsys, tmp_path, content, needle):
    path = tmp_path / "s.json"
    path.write_text(content)
    code = main(["di-attack", "--eta", "0.9", "--visibility", "1", "--settings", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err and err.count("\n") == 1


def _sampled_table(tmp_path, shots=200_000, seed=1):
    box = bell_box(eta_a=0.95, visibility=0.99)
    rng = np.random.default_rng(seed)
    freq = np.stack([[rng.multinomial(shots, box.probabilities[x, y].ravel()).reshape(2, 2) / shots
                      for y in range(2)] for x in range(3)])
    path = tmp_path / "measured.json"
    path.write_text(json.dumps({"probabilities": freq.tolist(), "key_settings": [2, 0]}))
    return path, box


def test_measured_table_gets_the_attack_not_the_trivial_bound(capsys, tmp_path):
    # newcomer finding: a table (no source parameters) used to fall back to I(A:B); Eve's search
    # is now seeded by a least-squares fit of the source model, so the exact table of a source
    # gets (about) the source's bound
    box = bell_box(eta_a=0.95, visibility=0.99)
    path = tmp_path / "exact.json"
    path.write_text(json.dumps({"probabilities": box.probabilities.tolist(), "key_settings": [2, 0]}))
    table = _json(capsys, "di-attack", "--settings", path, "--maxfev", 100)
    source = _json(capsys, "di-attack", "--eta", 0.95, "--visibility", 0.99, "--maxfev", 100)
    assert table["status"] == "certified"
    assert table["certificate"]["fitted_source_model"]["fit_residual"] < 1e-6
    assert table["rate_upper_bound"] == pytest.approx(source["rate_upper_bound"], abs=5e-3)
    assert table["rate_upper_bound"] < 0.5  # the trivial bound I(A:B) is 0.70 here


def test_sampling_noise_needs_and_gets_projection(capsys, tmp_path):
    path, box = _sampled_table(tmp_path)
    code = main(["di-attack", "--settings", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and "--project" in err and err.count("\n") == 1
    data = _json(capsys, "di-attack", "--settings", path, "--project", "--maxfev", 60)
    assert 0 < data["projection"]["total_variation_moved"] < 0.01
    from qkdbounds.di.bell_data import no_signalling_deviation

    assert no_signalling_deviation(np.array(data["box"]["probabilities"])) < 1e-9
    assert data["status"] == "certified" and data["rate_upper_bound"] >= data["lower_bound"] - 1e-7


def test_signalling_data_is_not_projected(capsys, tmp_path):
    p = np.full((2, 2, 2, 2), 0.25)
    p[0, 1] = [[0.5, 0.0], [0.5, 0.0]]  # far from no-signalling
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"probabilities": p.tolist()}))
    code = main(["di-attack", "--settings", str(path), "--project", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and "at most 0.05" in err


def test_super_quantum_box_has_no_lower_bound(capsys, tmp_path):
    # newcomer finding: a noisy PR box (S = 3.2 > 2 sqrt 2) got a "DI lower bound"; the CHSH
    # entropy bound holds for quantum boxes only
    box = 0.8 * pr_box() + 0.2 * np.full((2, 2, 2, 2), 0.25)
    path = tmp_path / "npr.json"
    path.write_text(json.dumps({"probabilities": box.tolist()}))
    data = _json(capsys, "di-attack", "--settings", path, "--maxfev", 10)
    assert data["chsh"] == pytest.approx(0.8 * 4, abs=1e-12)
    assert data["lower_bound"] is None
    assert "not a quantum box" in data["message"]


def test_source_options_conflict_with_a_measured_box(capsys, tmp_path):
    box = bell_box()
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"probabilities": box.probabilities.tolist()}))
    code = main(["di-attack", "--settings", str(path), "--visibility", "0.9", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and "--visibility" in err and "measured box" in err
    code = main(["di-attack", "--eta", "0.9", "--project", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and "--project" in err
