"""Bell data (issue 14, item 2) and local weights by LP (item 3), each checked by a second route."""

import json
import math

import numpy as np
import pytest

from qkdbounds.di.bell_data import (
    BINNINGS,
    bell_box,
    bin_no_click,
    box_from_povms,
    check_box,
    chsh_value_of_box,
    default_settings,
    load_bell_table,
    partially_entangled_state,
    qubit_povm,
)
from qkdbounds.di.chsh import chsh_value
from qkdbounds.di.locality import local_weight
from qkdbounds.errors import InputError

ETA_NO_VIOLATION = 2 * (math.sqrt(2) - 1)  # S = 2 sqrt2 eta^2 + 2 (1 - eta)^2 = 2


@pytest.mark.parametrize("binning", BINNINGS)
def test_closed_form_equals_dense_povm_route(binning, rng):
    for _ in range(5):
        theta, v = rng.uniform(0, np.pi / 2), rng.uniform(0, 1)
        eta_a, eta_b = rng.uniform(0, 1, 2)
        a_angles, b_angles = rng.uniform(-np.pi, np.pi, 3), rng.uniform(-np.pi, np.pi, 2)
        box = bell_box(theta, v, eta_a, eta_b, binning=binning, alice_angles=a_angles, bob_angles=b_angles)
        bin_a, bin_b = binning in ("A", "both"), binning in ("B", "both")
        dense = box_from_povms(partially_entangled_state(theta, v),
                               [qubit_povm(t, eta_a, bin_a) for t in a_angles],
                               [qubit_povm(t, eta_b, bin_b) for t in b_angles])
        np.testing.assert_allclose(box.probabilities, dense, atol=1e-12)
        assert box.probabilities.shape == (3, 2, 2 if bin_a else 3, 2 if bin_b else 3)


@pytest.mark.parametrize("v,eta", [(1.0, 1.0), (1.0, 0.9), (0.95, 0.8), (0.7, 0.5), (1.0, ETA_NO_VIOLATION)])
def test_binned_chsh_formula(v, eta):
    # issue 14 "done when": S = 2 sqrt2 v eta^2 + 2 (1 - eta)^2 for the maximally entangled state
    box = bell_box(np.pi / 4, v, eta, binning="both")
    assert chsh_value_of_box(box) == pytest.approx(2 * math.sqrt(2) * v * eta**2 + 2 * (1 - eta) ** 2, abs=1e-12)
    # binning a box with the no-click kept gives the same binned box
    kept = bell_box(np.pi / 4, v, eta, binning="none")
    np.testing.assert_allclose(bin_no_click(kept.probabilities), box.probabilities, atol=1e-14)


@pytest.mark.parametrize("theta", [np.pi / 4, 0.6, 0.3, 0.1])
def test_default_settings_reach_horodecki_value(theta):
    # second route: the Horodecki formula on the state (qkdbounds.di.chsh)
    v = 0.9
    s_state = chsh_value(partially_entangled_state(theta, v)).value
    assert chsh_value_of_box(bell_box(theta, v)) == pytest.approx(s_state, abs=1e-12)
    a, b = default_settings(theta)
    assert len(a) == 3 and len(b) == 2


def test_key_pair_aligned_for_maximally_entangled_state():
    box = bell_box()
    key = box.key_distribution()
    assert box.key_settings == (2, 0)
    np.testing.assert_allclose(key, np.eye(2) / 2, atol=1e-12)


@pytest.mark.parametrize("bad,needle", [
    (np.zeros((2, 2, 2)), "4-dimensional"),
    (np.full((2, 2, 2, 2), 0.3), "sum to 1"),
    (np.full((2, 2, 2, 2), np.nan), "NaN"),
    (np.full((9, 2, 2, 2), 0.25), "settings per party"),
])
def test_check_box_rejects(bad, needle):
    with pytest.raises(InputError, match=needle):
        check_box(bad)


def test_signalling_box_rejected():
    p = np.full((2, 2, 2, 2), 0.25)
    p[0, 1] = [[0.5, 0.0], [0.5, 0.0]]  # Bob's marginal depends on Alice's setting
    with pytest.raises(InputError, match="no-signalling"):
        check_box(p)


def test_negative_entry_rejected():
    p = np.full((2, 2, 2, 2), 0.25)
    p[0, 0] = [[0.6, -0.1], [-0.1, 0.6]]
    with pytest.raises(InputError, match="non-negative"):
        check_box(p)


def test_table_round_trip(tmp_path):
    box = bell_box(0.5, 0.93, 0.9, 0.85, binning="B")
    path = tmp_path / "box.json"
    path.write_text(json.dumps({"probabilities": box.probabilities.tolist(), "key_settings": [2, 0]}))
    table = load_bell_table(path)
    np.testing.assert_allclose(table.probabilities, box.probabilities, atol=1e-15)
    assert table.key_settings == (2, 0)
    assert table.chsh_settings == ((0, 1), (0, 1))


@pytest.mark.parametrize("content,needle", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "probabilities"),
    ('{"probabilities": [[[[1]]]]}', "outcomes per party|settings per party"),
    ('{"probabilities": [[[[0.5, 0], [0, 0.5]], [[0.5, 0], [0, 0.5]]], [[[0.5, 0], [0, 0.5]], '
     '[[0.5, 0], [0, 0.5]]]], "key_settings": [5, 0]}', "key_settings"),
    # (fuzzing: accepted silently, unlike counts files)
    ('{"probabilities": [[[["0.5", 0], [0, 0.5]], [[0.5, 0], [0, 0.5]]], [[[0.5, 0], [0, 0.5]], '
     '[[0.5, 0], [0, 0.5]]]]}', "JSON numbers"),
    ('{"probabilities": [[[[0.5, 0], [0, 0.5]], [[0.5, 0], [0, 0.5]]], [[[0.5, 0], [0, 0.5]], '
     '[[0.5, 0], [0, 0.5]]]], "key_setings": [1, 0]}', "unknown field.*'key_setings'"),
])
def test_table_errors(tmp_path, content, needle):
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(InputError, match=needle):
        load_bell_table(path)


# ---------------------------------------------------------------- local weight (item 3)

def _chsh_max(p):
    """Largest of the 8 CHSH forms of a binary 2x2 box (relabelings of inputs and outputs)."""
    e = np.array([[np.sum(p[x, y] * np.array([[1, -1], [-1, 1]])) for y in range(2)] for x in range(2)])
    values = []
    for s in range(4):
        for sign in (1, -1):
            m = np.ones((2, 2))
            m[s // 2, s % 2] = -1
            values.append(sign * float(np.sum(m * e)))
    return max(values)


def _random_quantum_box(rng):
    theta, v = rng.uniform(0, np.pi / 2), rng.uniform(0.5, 1)
    return bell_box(theta, v, rng.uniform(0.6, 1), rng.uniform(0.6, 1), binning="both",
                    alice_angles=rng.uniform(-np.pi, np.pi, 2), bob_angles=rng.uniform(-np.pi, np.pi, 2),
                    key_settings=(0, 0)).probabilities


def _local_box(rng):
    weights = rng.dirichlet(np.ones(16))
    p = np.zeros((2, 2, 2, 2))
    for k, w in enumerate(weights):
        fa, fb = divmod(k, 4)
        for x in range(2):
            for y in range(2):
                p[x, y, (fa >> x) & 1, (fb >> y) & 1] += w
    return p


def test_local_weight_2x2_matches_pr_box_closed_form(rng):
    # Barrett et al., PRA 71, 022101 (2005): a 2-input 2-output NS box is local + one PR box,
    # so q_L = min(1, 2 - S_max/2); S_max <= 2 => local (Fine 1982: CHSH facets only)
    pr = np.zeros((2, 2, 2, 2))
    for x in range(2):
        for y in range(2):
            for a in range(2):
                pr[x, y, a, a ^ (x & y)] = 0.5
    n_local = n_nonlocal = 0
    for k in range(45):
        if k % 3 == 0:
            p = _random_quantum_box(rng)
        elif k % 3 == 1:  # near-optimal quantum boxes
            theta = rng.uniform(0.4, np.pi / 4)
            a, b = default_settings(theta)
            p = bell_box(theta, rng.uniform(0.75, 1), rng.uniform(0.85, 1), alice_angles=a[:2],
                         bob_angles=b, key_settings=(0, 0)).probabilities
        else:  # PR box mixed with a random local box (no-signalling, not quantum)
            w = rng.uniform(0, 1)
            p = w * pr + (1 - w) * _local_box(rng)
        s = _chsh_max(p)
        lw = local_weight(p)
        assert lw.value == pytest.approx(min(1.0, 2 - s / 2), abs=1e-8)
        assert lw.value <= lw.dual_bound + 1e-12
        assert lw.dual_bound - lw.value < 1e-7
        n_local += s <= 2
        n_nonlocal += s > 2
    assert n_local and n_nonlocal  # both regimes exercised


def test_local_weight_certificates_reassemble(rng):
    from qkdbounds.di.locality import local_model_matrix

    box = bell_box(eta_a=0.93)
    lw = local_weight(box)
    p = box.probabilities
    rebuilt = np.zeros_like(p)
    for s in lw.strategies:
        for x, a in enumerate(s["alice_outputs"]):
            for y, b in enumerate(s["bob_outputs"]):
                rebuilt[x, y, a, b] += s["weight"]
    assert np.all(rebuilt <= p + 1e-15)
    assert rebuilt[0, 0].sum() == pytest.approx(lw.value, abs=1e-12)
    # the remainder is a no-signalling box of mass 1 - q_L
    nl = lw.nonlocal_part
    np.testing.assert_allclose(nl.sum(axis=(2, 3)), 1.0, atol=1e-9)
    # the dual Bell functional: local bound 1 on every deterministic strategy
    d, _, _ = local_model_matrix(p.shape)
    y = lw.bell_functional.ravel()
    assert (d.T @ y).min() >= 1 - 1e-9
    assert float(p.ravel() @ y) == pytest.approx(lw.dual_bound, rel=1e-6)


@pytest.mark.parametrize("eta", [ETA_NO_VIOLATION - 1e-6, 0.8, 0.5])
def test_no_violation_means_local_with_explicit_model(eta):
    # binned box (3 Alice settings x 2 Bob settings, binary): facets are CHSH only, so no
    # violation <=> local; the LP's strategies are the explicit local model (reassembled)
    box = bell_box(eta_a=eta)
    assert chsh_value_of_box(box) <= 2 + 1e-9
    lw = local_weight(box)
    assert lw.value == pytest.approx(1.0, abs=1e-9)
    assert lw.nonlocal_part is None
    rebuilt = np.zeros_like(box.probabilities)
    for s in lw.strategies:
        for x, a in enumerate(s["alice_outputs"]):
            for y, b in enumerate(s["bob_outputs"]):
                rebuilt[x, y, a, b] += s["weight"]
    np.testing.assert_allclose(rebuilt, box.probabilities, atol=1e-9)


def test_violation_means_nonlocal():
    box = bell_box(eta_a=ETA_NO_VIOLATION + 0.02)
    assert chsh_value_of_box(box) > 2
    assert local_weight(box).dual_bound < 1


def test_kept_no_click_gives_no_more_local_weight():
    # binning is a local post-processing: it can only add local weight
    kept = local_weight(bell_box(eta_a=0.9, binning="none")).value
    binned = local_weight(bell_box(eta_a=0.9, binning="both")).value
    assert kept <= binned + 1e-9


def test_local_weight_size_limit():
    from qkdbounds.di.locality import local_model_matrix

    with pytest.raises(InputError, match="deterministic strategies"):
        local_model_matrix((8, 8, 8, 8))


@pytest.mark.parametrize("probabilities,hint", [
    ([[[[0.6, 0], [0, 0.5]]] * 2] * 2, True),                       # not normalised: --project helps
    ([[[[0.5, math.nan], [0, 0.5]]] * 2] * 2, False),               # NaN: it cannot
    ([], False),                                                     # wrong shape: it cannot
])
def test_project_hint_only_where_it_helps(tmp_path, probabilities, hint):
    # fuzzing: NaN, empty and ragged tables were told to "add --project", which cannot fix them
    path = tmp_path / "box.json"
    path.write_text(json.dumps({"probabilities": probabilities}))
    with pytest.raises(InputError) as err:
        load_bell_table(path)
    assert ("add --project" in str(err.value)) == hint


def test_settings_file_unknown_field_refused(tmp_path):
    from qkdbounds.di.bell_data import load_settings

    path = tmp_path / "s.json"
    path.write_text('{"alice_angles": [0, 1.57], "bob_angles": [0.78, -0.78], "foo": 1}')
    with pytest.raises(InputError, match="unknown field.*'foo'"):
        load_settings(path)
