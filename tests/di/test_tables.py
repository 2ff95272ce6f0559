"""User Bell tables (issue 21; a fuzzing pass's findings): near-no-signalling tables are made
exactly no-signalling, settings are strict integers, labels distinct, the CHSH lower bounds read
the box in its best labelling, a box above Tsirelson's bound reports no lower bound as null,
and the search reports its progress."""

import json

import numpy as np
import pytest

from qkdbounds.cli.main import main
from qkdbounds.di.attack import attack_estimate, di_cc_attack
from qkdbounds.di.bell_data import (bell_box, bell_table, chsh_relabelled, chsh_value_of_box, load_bell_table,
                                    load_settings, no_signalling_deviation, no_signalling_repair)
from qkdbounds.di.preprocessing import best_lower_bound
from qkdbounds.di.region import di_attack_bound
from qkdbounds.errors import InputError

from di_helpers import pr_box


def _noisy(p, scale, seed=0):
    """``p`` plus a small signalling perturbation that keeps it normalised."""
    e = np.random.default_rng(seed).normal(size=p.shape) * scale
    e -= e.mean(axis=(2, 3), keepdims=True)
    return np.clip(p + e, 0.0, None) / np.clip(p + e, 0.0, None).sum(axis=(2, 3), keepdims=True)


def test_repair_is_exact_small_and_the_identity_on_no_signalling_boxes():
    p = bell_box(eta_a=0.9, binning="none").probabilities
    same, error = no_signalling_repair(p)
    assert np.abs(same - p).max() < 1e-15 and error < 1e-15
    q = _noisy(p, 1e-7)
    assert no_signalling_deviation(q) > 1e-8
    r, error = no_signalling_repair(q)
    assert error <= 1e-15 and no_signalling_deviation(r) < 1e-14
    assert r.min() >= 0 and np.abs(r.sum(axis=(2, 3)) - 1).max() < 1e-15
    assert 0.5 * np.abs(r - q).sum(axis=(2, 3)).max() < 3 * no_signalling_deviation(q)


def test_repair_keeps_zeros_and_refuses_what_it_cannot_reach():
    # a review finding: mixing with the product of the marginals moved an ideal box (exact zeros)
    # rounded to 7 decimals by 0.48 and took its key; scaling keeps the zeros and moves ~1e-7
    b = bell_box(0.71028, 0.98379, 0.99996025, 0.99999755, binning="none")
    t = bell_table(np.round(b.probabilities, 7), key_settings=(2, 0))
    assert t.source["no_signalling_repair"]["total_variation_moved"] < 1e-6
    np.testing.assert_array_equal(t.probabilities == 0, np.round(b.probabilities, 7) == 0)
    w = di_attack_bound(t, maxfev=40)
    assert w.lower_bound > 0.7 and "made exactly no-signalling" in w.message
    # one count moved into an empty cell: no scaling reaches the averaged marginals -> refused,
    # with the way out named
    p = bell_box(eta_a=1.0, binning="none").probabilities.copy()
    p[0, 0, 0, 0] -= 1e-8
    p[0, 0, 2, 0] += 1e-8
    with pytest.raises(InputError, match="project"):
        bell_table(p, key_settings=(2, 0))
    assert bell_table(p, key_settings=(2, 0), project=True).source["projection"]["total_variation_moved"] < 1e-3


def test_odd_array_inputs_get_input_errors():
    p = bell_box(binning="both").probabilities
    for kwargs in ({"key_settings": np.array(0)}, {"outcomes_a": np.array(2)}, {"key_settings": {2: 0, 0: 1}},
                   {"outcomes_a": {"a", "b"}}):
        with pytest.raises(InputError):
            bell_table(p, **kwargs)
    with pytest.raises(InputError, match="numeric array"):
        bell_table([[[[1, 0], [0]]]])                      # ragged


@pytest.mark.parametrize("signalling", [1e-7, 1e-8])
def test_nearly_no_signalling_table_gets_the_attack_not_the_trivial_bound(signalling):
    # a table signalling by ~1e-8 (rounding, say) used to leave the LP no decomposition: the
    # trivial bound I(A:B) = 0.70 instead of the attack's ~0.42
    b = bell_box(eta_a=0.95, visibility=0.99)
    table = _noisy(b.probabilities, signalling)
    assert no_signalling_deviation(table) > signalling / 10
    t = bell_table(table, key_settings=(2, 0))
    assert no_signalling_deviation(t.probabilities) < 1e-14
    repair = t.source["no_signalling_repair"]
    assert repair is not None and 0 < repair["total_variation_moved"] < 10 * signalling
    r = di_cc_attack(t, maxfev=40)
    assert not r.message and r.value < 0.5


def test_project_on_a_no_signalling_table_is_the_identity():
    b = bell_box()
    t = bell_table(b.probabilities, key_settings=(2, 0), project=True)
    assert np.abs(t.probabilities - b.probabilities).max() < 1e-15
    assert t.source["projection"]["total_variation_moved"] == 0.0
    assert best_lower_bound(t).value == pytest.approx(1.0, abs=1e-9)   # still at Tsirelson


@pytest.mark.parametrize("kwargs,needle", [
    ({"key_settings": (1.9999, 0)}, "key_settings\\[0\\] \\(Alice's\\) must be an integer, got 1.9999"),
    ({"key_settings": (True, 0)}, "key_settings\\[0\\] \\(Alice's\\) must be an integer, got True"),
    ({"key_settings": "20"}, "key_settings must be a pair"),
    ({"chsh_settings": ((0, 1), (0, 0.5))}, "chsh_settings\\[1\\]\\[1\\] \\(Bob's\\) must be an integer"),
    ({"chsh_settings": ((0, 0), (0, 1))}, "two different settings of Alice"),
    ({"outcomes_a": "+-"}, "outcomes_a must be a list of 2 labels"),
    ({"outcomes_b": ["x", "x"]}, "outcomes_b must be 2 distinct labels"),
    ({"project": "no"}, "project must be True or False"),
    ({"atol": 0.0}, "atol must be in \\[1e-12, 0.1\\]"),
])
def test_table_arguments_are_strict(kwargs, needle):
    with pytest.raises(InputError, match=needle):
        bell_table(bell_box(binning="both").probabilities, **kwargs)


def test_whole_floats_are_settings_and_complex_tables_are_refused():
    p = bell_box(binning="both").probabilities
    assert bell_table(p, key_settings=(2.0, 0)).key_settings == (2, 0)
    assert bell_table(p + 0j).shape == (3, 2, 2, 2)
    with pytest.raises(InputError, match="must be real"):
        bell_table(p + 1e-3j)


@pytest.mark.parametrize("field,value", [("key_settings", [1.9, 0]), ("key_settings", [True, False]),
                                         ("key_settings", ["2", "0"]), ("chsh_settings", [[0, 0.5], [0, 1]])])
def test_settings_files_are_strict(tmp_path, field, value):
    b = bell_box(binning="both")
    table = tmp_path / "table.json"
    table.write_text(json.dumps({"probabilities": b.probabilities.tolist(), field: value}))
    with pytest.raises(InputError, match="must be an integer"):
        load_bell_table(table)
    angles = tmp_path / "angles.json"
    angles.write_text(json.dumps({"alice_angles": [0, 1.57, 0.78], "bob_angles": [0.78, -0.78], field: value}))
    with pytest.raises(InputError, match="--settings: .*angles.json: .*must be an integer"):
        load_settings(angles)


def test_lower_bound_reads_the_box_in_its_chsh_labelling():
    b = bell_box(eta_a=0.95, binning="none")
    swapped = b.probabilities.copy()
    swapped[:, :, :, [0, 1]] = b.probabilities[:, :, :, [1, 0]]        # Bob's detectors swapped
    box = bell_table(swapped, key_settings=(2, 0))
    assert chsh_value_of_box(box) < -2
    relabelled, flips = chsh_relabelled(box)
    assert chsh_value_of_box(relabelled) == pytest.approx(chsh_value_of_box(b), abs=1e-12)
    assert flips is not None and (flips["alice"] or flips["bob"])
    assert chsh_relabelled(b)[1] is None                                   # already the best
    low = best_lower_bound(box)
    assert low.value == pytest.approx(best_lower_bound(b).value, abs=1e-12) and low.value > 0.3
    assert low.certificate["output_relabelling"] == flips
    assert "exchanged" in low.method
    w = di_attack_bound(box, maxfev=20)
    assert w.verdict == "key" and w.lower_bound <= w.rate_upper_bound


def test_box_above_tsirelson_reports_no_lower_bound_as_null(capsys, tmp_path):
    pr = pr_box(4)
    path = tmp_path / "pr.json"
    path.write_text(json.dumps({"probabilities": pr.tolist()}))
    assert main(["di-attack", "--settings", str(path), "--maxfev", "10", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("lower_bound", "lower_bound_method", "lower_bound_flip", "lower_bound_alpha", "chsh_lower_bound"):
        assert out[key] is None, key
    assert out["lower_bound_status"] == "failed" and "Tsirelson" not in out["status"]
    assert "not a quantum box" in out["message"]


def test_ideal_box_bounds_do_not_cross():
    w = di_attack_bound(bell_box(), maxfev=20)
    assert w.lower_bound <= w.rate_upper_bound and w.verdict == "key"
    assert 0 <= w.attack.certificate["quantum_weight"] <= 1


def test_search_reports_its_progress():
    seen = []
    di_cc_attack(bell_box(eta_a=0.93), maxfev=30, progress=seen.append)
    assert len(seen) > 5 and seen == sorted(seen) and 0 <= seen[0] and seen[-1] == pytest.approx(1.0)
    with pytest.raises(InputError, match="progress"):
        di_cc_attack(bell_box(), maxfev=10, progress=3)


def test_huge_integers_get_a_short_message(tmp_path, capsys):
    path = tmp_path / "big.json"
    path.write_text('{"probabilities": [[[[1' + "0" * 5000 + "]]]]}")
    assert main(["di-attack", "--settings", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert "more than 4300 digits" in err and "set_int_max_str_digits" not in err


def test_attack_estimate_grows_with_the_strategies():
    binned = attack_estimate(bell_box(eta_a=0.9))
    no_click = attack_estimate(bell_box(eta_a=0.9, binning="none"))
    p4 = np.zeros((3, 2, 4, 4))
    p4[..., :2, :2] = bell_box(binning="both").probabilities
    four, eight = attack_estimate(bell_table(p4)), attack_estimate(bell_table(np.pad(p4, ((0, 0),) * 2 + ((0, 4),) * 2)))
    assert binned < 1 < no_click < four < eight and 30 < eight < 1000     # ~110 s measured at 8 outcomes
    assert attack_estimate(bell_box(), maxfev=20) < binned
    with pytest.raises(InputError, match="maxfev"):
        attack_estimate(bell_box(), maxfev=5)
    with pytest.raises(InputError, match="BellBox"):
        attack_estimate(np.zeros((2, 2, 2, 2)))


def test_lower_bounds_refuse_what_is_not_a_box():
    # a review finding: best_lower_bound on an array raised AttributeError after the relabelling
    # step was added
    from qkdbounds.di.lower import dw_lower_bound

    for bound in (best_lower_bound, dw_lower_bound):
        with pytest.raises(InputError, match="BellBox"):
            bound(np.zeros((2, 2, 2, 2)))
