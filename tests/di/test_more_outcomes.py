"""Issue 21, item 3: boxes with more than three outcomes a party (here double clicks from dark
counts) get a non-trivial CC attack -- Eve's qubit family with the no-click kept, its box padded
with probability 0 for the further outcomes, which her deterministic strategies produce -- and
user arrays become boxes without a file (:func:`qkdbounds.di.bell_data.bell_table`)."""

import json

import numpy as np
import pytest

from qkdbounds.cli.main import main
from qkdbounds.di.attack import EveBox, di_cc_attack
from qkdbounds.di.bell_data import bell_box, bell_table, box_from_povms, default_settings, load_bell_table
from qkdbounds.di.preprocessing import best_lower_bound
from qkdbounds.errors import InputError

from di_helpers import rebuild_attack


def _h(p):
    p = np.asarray(p, dtype=float).ravel()
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def _mutual_information(m):
    return _h(m.sum(axis=1)) + _h(m.sum(axis=0)) - _h(m)


def _mass_mi(m):
    mass = m.sum()
    return 0.0 if mass <= 0 else mass * _mutual_information(m / mass)


def _two_detector_povm(angle, eta, dark):
    """A qubit observable read by two detectors (one per output port) of efficiency ``eta`` and
    dark-count probability ``dark`` each: outcomes + only, - only, none, both (a double click).
    The photon reaches the port of its projector; each detector also fires on its own with
    probability ``dark``."""
    obs = np.cos(angle) * np.diag([1.0, -1.0]) + np.sin(angle) * np.array([[0.0, 1.0], [1.0, 0.0]])
    plus, minus = (np.eye(2) + obs) / 2, (np.eye(2) - obs) / 2
    fires = 1 - (1 - eta) * (1 - dark)        # the detector the photon reaches
    wrong = dark * (1 - eta) * (1 - dark)     # only the other detector fires (a dark count)
    return np.stack([fires * (1 - dark) * plus + wrong * minus, wrong * plus + fires * (1 - dark) * minus,
                     (1 - eta) * (1 - dark) ** 2 * np.eye(2), fires * dark * np.eye(2)])


def _double_click_box(eta=0.95, dark=0.01):
    a, b = default_settings()
    psi = np.array([1.0, 0.0, 0.0, 1.0]) / np.sqrt(2)
    return box_from_povms(np.outer(psi, psi), [_two_detector_povm(t, eta, dark) for t in a],
                          [_two_detector_povm(t, eta, dark) for t in b])


def test_double_click_box_gets_a_non_trivial_attack():
    p = _double_click_box()
    assert p.shape == (3, 2, 4, 4) and p[..., 3, :].sum() > 0.05     # double clicks are there
    box = bell_table(p, key_settings=(2, 0))
    r = di_cc_attack(box, 0.0, maxfev=20)
    x, y = box.key_settings
    trivial = _mutual_information(p[x, y])
    assert r.status == "certified" and not r.message
    assert "probability 0 in Eve's quantum box" in r.method
    assert r.value < trivial - 0.2                   # 0.55 against I(A:B) = 0.88
    assert r.one_way < r.value + 1e-12
    cert = r.certificate
    assert cert["eve_box"]["outcomes"] == [4, 4]
    q, local, one_sided = rebuild_attack(p, cert)
    # Eve's quantum box never gives a double click: those rounds are her deterministic ones
    assert np.abs(q[..., 3, :]).max() == 0 and np.abs(q[..., :, 3]).max() == 0
    for povms in (cert["eve_box"]["alice_povms"], cert["eve_box"]["bob_povms"]):
        for m in povms:
            np.testing.assert_allclose(np.sum(m, axis=0), np.eye(2), atol=1e-12)   # a POVM
    t = cert["quantum_weight"]
    np.testing.assert_allclose(local + t * q + sum(one_sided, np.zeros_like(p)), p, atol=1e-8)
    # the two-way value from the certificate's classes (no leakage: "?" is the quantum part)
    question = t * q[x, y]
    alice_known = sum((c[x, y] for c in one_sided), np.zeros_like(question))
    known = p[x, y] - question - alice_known
    gamma = np.array(cert["eve_processing"]["gamma"])
    assert r.value == pytest.approx(min(_mass_mi(question), _mass_mi(question + gamma * known)), abs=1e-9)
    # and never below the best DI lower bound of the same box
    assert r.value >= best_lower_bound(box).value - 1e-9


def test_more_outcomes_cli_table(capsys, tmp_path):
    p = _double_click_box(eta=0.97, dark=0.002)
    path = tmp_path / "double_clicks.json"
    path.write_text(json.dumps({"probabilities": p.tolist(), "key_settings": [2, 0],
                                "outcomes_a": ["+", "-", "none", "both"], "outcomes_b": ["+", "-", "none", "both"]}))
    assert main(["di-attack", "--settings", str(path), "--maxfev", "20", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certificate"]["eve_box"]["outcomes"] == [4, 4]
    assert out["box"]["outcomes_a"] == ["+", "-", "none", "both"]
    assert out["rate_upper_bound"] < _mutual_information(p[2, 0]) - 0.1
    assert out["lower_bound"] <= out["rate_upper_bound"] + 1e-9
    assert out["verdict"] == "key"


def test_eve_box_outcomes_pad_the_family():
    eve = EveBox(0.7, (0.0, 1.5, 0.4), (0.8, -0.8), 0.9, 0.8, "none")
    padded = EveBox(0.7, (0.0, 1.5, 0.4), (0.8, -0.8), 0.9, 0.8, "none", (5, 4))
    q, qp = eve.box(), padded.box()
    assert qp.shape == (3, 2, 5, 4)
    np.testing.assert_array_equal(qp[..., :3, :3], q)
    assert qp[..., 3:, :].sum() == 0 and qp[..., :, 3:].sum() == 0
    real = padded.realisation()
    assert real["outcomes"] == [5, 4] and np.shape(real["alice_povms"]) == (3, 5, 2, 2)
    dense = box_from_povms(np.outer(real["state"], real["state"]), [np.array(m) for m in real["alice_povms"]],
                           [np.array(m) for m in real["bob_povms"]])
    np.testing.assert_allclose(dense, qp, atol=1e-12)


def test_bell_table_equals_the_file_route(tmp_path):
    b = bell_box(eta_a=0.93, binning="A")
    path = tmp_path / "box.json"
    path.write_text(json.dumps({"probabilities": b.probabilities.tolist(), "key_settings": [2, 0],
                                "chsh_settings": [[0, 1], [1, 0]]}))
    from_file = load_bell_table(path)
    from_array = bell_table(b.probabilities, key_settings=(2, 0), chsh_settings=((0, 1), (1, 0)))
    np.testing.assert_array_equal(from_file.probabilities, from_array.probabilities)
    assert (from_file.key_settings, from_file.chsh_settings, from_file.outcomes_a, from_file.outcomes_b) == \
        (from_array.key_settings, from_array.chsh_settings, from_array.outcomes_a, from_array.outcomes_b)
    assert from_array.source == {"kind": "table", "projection": None, "no_signalling_repair": None}
    assert from_file.source == {"kind": "table", "file": str(path), "projection": None,
                                "no_signalling_repair": None}


@pytest.mark.parametrize("kwargs,needle", [
    ({"key_settings": (3, 0)}, "key_settings\\[0\\] \\(Alice's\\) must be an integer in \\[0, 2\\]"),
    ({"chsh_settings": ((0, 1), (0, 2))}, "chsh_settings\\[1\\]\\[1\\] \\(Bob's\\)"),
    ({"key_settings": (0,)}, "key_settings must be a pair"),
    ({"outcomes_a": ["a"]}, "outcomes_a must be 2 distinct labels"),
    ({"atol": 0.5}, "atol must be"),
])
def test_bell_table_input_errors(kwargs, needle):
    p = bell_box(binning="both").probabilities
    with pytest.raises(InputError, match=needle):
        bell_table(p, **kwargs)


def test_bell_table_box_errors_and_projection():
    p = bell_box(binning="both").probabilities.copy()
    with pytest.raises(InputError, match="probabilities"):
        bell_table(p[..., 0])                                   # not a 4-index array
    noisy = p + 1e-4 * np.random.default_rng(0).random(p.shape)
    with pytest.raises(InputError, match="project"):
        bell_table(noisy)                                       # sampling noise: the hint
    box = bell_table(noisy, project=True)
    assert 0 < box.source["projection"]["total_variation_moved"] < 1e-3
