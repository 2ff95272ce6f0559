"""The counts-file loader: valid files load with the right numbers; every bad file is one line."""

import copy
import json
import pathlib

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from qkdbounds.data.counts import PROTOCOLS, REQUIRED_BASES, CountData, load_counts
from qkdbounds.errors import InputError

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples" / "data"

BB84 = {
    "protocol": "bb84",
    "settings": [
        {"alice": "Z", "bob": "Z", "counts": [[4850, 150], [140, 4860]]},
        {"alice": "X", "bob": "X", "counts": [[4800, 200], [210, 4790]]},
        {"alice": "Z", "bob": "X", "counts": [[2500, 2510], [2490, 2500]]},
    ],
}

SIX_STATE = {
    "protocol": "six-state",
    "settings": [
        {"alice": "Z", "bob": "Z", "counts": [[90, 10], [5, 95]]},
        {"alice": "X", "bob": "X", "counts": [[80, 20], [0, 100]]},
        {"alice": "Y", "bob": "Y", "counts": [[45, 3], [4, 48]]},
    ],
}

Z_POVM = [[[1, 0], [0, 0]], [[0, 0], [0, 1]]]
X_POVM = [[[0.5, 0.5], [0.5, 0.5]], [[0.5, -0.5], [-0.5, 0.5]]]
Y_POVM = {"re": [[[0.5, 0], [0, 0.5]], [[0.5, 0], [0, 0.5]]],
          "im": [[[0, -0.5], [0.5, 0]], [[0, 0.5], [-0.5, 0]]]}
# a three-outcome qubit POVM (trine)
TRINE = [[[2 / 3, 0], [0, 0]],
         [[1 / 6, 3**0.5 / 6], [3**0.5 / 6, 1 / 2]],
         [[1 / 6, -(3**0.5) / 6], [-(3**0.5) / 6, 1 / 2]]]

CUSTOM = {
    "protocol": "custom",
    "measurements": {"alice": {"A0": Z_POVM, "A1": X_POVM},
                     "bob": {"B0": Z_POVM, "B1": Y_POVM, "T": TRINE}},
    "settings": [
        {"alice": "A0", "bob": "B0", "counts": [[40, 2], [3, 45]]},
        {"alice": "A1", "bob": "B1", "counts": [[20, 21], [22, 19]]},
        {"alice": "A0", "bob": "T", "counts": [[10, 4, 5], [0, 7, 8]]},
    ],
    "key_settings": [["A0", "B0"]],
}


def _write(tmp_path, obj, name="data.json"):
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def _error(counts, protocol, name="--counts"):
    with pytest.raises(InputError) as exc:
        load_counts(counts, protocol, name=name)
    message = str(exc.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------- valid files


def test_bb84_file_loads(tmp_path):
    path = _write(tmp_path, BB84)
    data = load_counts(path, "bb84")
    assert isinstance(data, CountData)
    assert data.protocol == "bb84" and data.source == str(path)
    assert data.dims is None and data.povms is None and data.key_settings is None
    assert [(t.alice, t.bob) for t in data.tables] == [("Z", "Z"), ("X", "X"), ("Z", "X")]
    assert data.qber_counts() == {"Z": (290, 10000), "X": (410, 10000)}
    assert data.tables[2].rounds == 10000
    assert data.tables[0].counts.dtype == np.int64
    with pytest.raises(ValueError):
        data.tables[0].counts[0, 0] = 1     # read-only


def test_bb84_dict_and_str_path(tmp_path):
    data = load_counts(BB84, "bb84")
    assert data.source == "<dict>"
    again = load_counts(str(_write(tmp_path, BB84)), "bb84")
    assert again.qber_counts() == data.qber_counts()


def test_protocol_key_is_optional_and_bbm92():
    body = {"settings": BB84["settings"]}
    assert load_counts(body, "bbm92").qber_counts() == {"Z": (290, 10000), "X": (410, 10000)}


def test_six_state_loads(tmp_path):
    data = load_counts(_write(tmp_path, SIX_STATE), "six-state")
    assert data.qber_counts() == {"Z": (15, 200), "X": (20, 200), "Y": (7, 100)}


def test_errors_are_off_diagonal_not_diagonal():
    # an asymmetric table: errors are counts[0][1] + counts[1][0] only
    body = {"settings": [{"alice": "Z", "bob": "Z", "counts": [[7, 1], [2, 90]]},
                         {"alice": "X", "bob": "X", "counts": [[1, 0], [5, 0]]}]}
    assert load_counts(body, "bb84").qber_counts() == {"Z": (3, 100), "X": (5, 6)}


def test_repeated_pairs_are_summed():
    body = copy.deepcopy(BB84)
    body["settings"].append({"alice": "Z", "bob": "Z", "counts": [[1, 2], [3, 4]]})
    data = load_counts(body, "bb84")
    assert len(data.tables) == 3
    assert_array_equal(data.table("Z", "Z").counts, [[4851, 152], [143, 4864]])
    assert data.qber_counts()["Z"] == (295, 10010)


def test_frequencies():
    data = load_counts(BB84, "bb84")
    freqs = data.frequencies()
    assert [(a, b) for a, b, _ in freqs] == [("Z", "Z"), ("X", "X"), ("Z", "X")]
    assert_allclose(freqs[0][2], np.array([[4850, 150], [140, 4860]]) / 10000, rtol=1e-15)
    for _, _, f in freqs:
        assert_allclose(f.sum(), 1.0, rtol=1e-12)


def test_custom_loads(tmp_path):
    data = load_counts(_write(tmp_path, CUSTOM), "custom")
    assert data.dims == (2, 2)
    assert data.key_settings == (("A0", "B0"),)
    assert set(data.povms["alice"]) == {"A0", "A1"} and set(data.povms["bob"]) == {"B0", "B1", "T"}
    assert data.povms["bob"]["T"].n_outcomes == 3
    y = np.array([[0, -1j], [1j, 0]])
    assert_allclose(data.povms["bob"]["B1"].elements[0], (np.eye(2) + y) / 2, atol=1e-15)
    assert data.table("A0", "T").counts.shape == (2, 3)
    assert data.table("A0", "T").rounds == 34
    with pytest.raises(InputError):
        data.qber_counts()


def test_custom_default_key_settings():
    body = copy.deepcopy(CUSTOM)
    del body["key_settings"]
    data = load_counts(body, "custom")
    assert data.key_settings == (("A0", "B0"), ("A1", "B1"), ("A0", "T"))


def test_custom_qutrit_dims():
    qutrit_z = np.stack([np.diag(row) for row in np.eye(3)]).tolist()
    body = {"measurements": {"alice": {"Z": qutrit_z}, "bob": {"Z": Z_POVM}},
            "settings": [{"alice": "Z", "bob": "Z", "counts": [[1, 0], [0, 1], [1, 1]]}]}
    assert load_counts(body, "custom").dims == (3, 2)


@pytest.mark.parametrize("path,protocol", [("bb84_counts.json", "bb84"),
                                           ("custom_counts.json", "custom")])
def test_example_files_load(path, protocol):
    data = load_counts(EXAMPLES / path, protocol)
    assert data.protocol == protocol
    if protocol == "bb84":
        assert data.qber_counts() == {"Z": (290, 10000), "X": (410, 10000)}


# --------------------------------------------------------------------------- bad files


def _with(base, **changes):
    body = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _set_cell(base, index, row, col, value):
    body = copy.deepcopy(base)
    body["settings"][index]["counts"][row][col] = value
    return body


BAD_CELLS = [(-3, "-3"), (2.5, "2.5"), (3.0, "3.0"), (True, "True"), ("7", "'7'"), (None, "None")]


@pytest.mark.parametrize("value,shown", BAD_CELLS, ids=[s for _, s in BAD_CELLS])
def test_bad_count_entries(tmp_path, value, shown):
    path = _write(tmp_path, _set_cell(BB84, 1, 0, 1, value))
    message = _error(path, "bb84")
    assert message == (f"--counts {path}: settings[1].counts[0][1] must be a non-negative "
                       f"integer, got {shown}")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_inf_in_file(tmp_path, literal):
    text = json.dumps(BB84).replace("4860", literal, 1)
    message = _error(_write(tmp_path, text), "bb84")
    assert "settings[0].counts[1][1] must be a non-negative integer" in message


def test_not_json(tmp_path):
    message = _error(_write(tmp_path, '{"settings": [1, 2'), "bb84")
    assert "data.json" in message and "is not valid JSON" in message and "line 1" in message


def test_deeply_nested_json(tmp_path):
    message = _error(_write(tmp_path, "[" * 100_000 + "]" * 100_000), "bb84")
    assert "nested too deeply" in message and "data.json" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "data.json"
    path.write_bytes(b"\xff\xfe\x00{")
    assert "UTF-8" in _error(path, "bb84")


def test_missing_and_empty_file(tmp_path):
    assert "not found" in _error(tmp_path / "nope.json", "bb84")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert "empty" in _error(empty, "bb84")


def test_top_level_not_object(tmp_path):
    message = _error(_write(tmp_path, [1, 2]), "bb84")
    assert "top level must be a JSON object" in message and "got list" in message


def test_not_path_or_dict():
    assert "must be a path" in _error(42, "bb84")


@pytest.mark.parametrize("settings", [None, [], {"Z": 1}], ids=["missing", "empty", "not-list"])
def test_missing_or_empty_settings(settings):
    message = _error(_with(BB84, settings=settings), "bb84")
    assert "settings must be a non-empty list" in message


def test_unknown_top_level_key():
    message = _error(_with(BB84, comment="run 7"), "bb84")
    assert "unknown top-level key(s) 'comment'" in message
    assert "allowed: protocol, settings, measurements, key_settings" in message


def test_unknown_protocol_in_file():
    message = _error(_with(BB84, protocol="b92"), "bb84")
    assert "protocol must be one of bb84, bbm92, six-state, custom; got 'b92'" in message


def test_unknown_requested_protocol():
    with pytest.raises(InputError, match="protocol must be one of"):
        load_counts(BB84, "b92")


def test_protocol_disagrees():
    message = _error(BB84, "six-state")
    assert message == ("--counts <dict>: the file declares protocol 'bb84', but 'six-state' was "
                       "requested")


@pytest.mark.parametrize("party,value", [("alice", "W"), ("bob", "z"), ("bob", 1)])
def test_unknown_basis(party, value):
    body = copy.deepcopy(BB84)
    body["settings"][2][party] = value
    message = _error(body, "bb84")
    assert f"settings[2].{party} must be a Pauli basis (Z, X, Y)" in message


@pytest.mark.parametrize("table,where", [
    ([[1, 2, 3], [4, 5, 6]], "settings[0].counts[0]"),
    ([[1, 2]], "settings[0].counts"),
    ([1, 2], "settings[0].counts[0]"),
    (7, "settings[0].counts"),
], ids=["2x3", "1x2", "flat", "scalar"])
def test_wrong_table_shape(table, where):
    body = copy.deepcopy(BB84)
    body["settings"][0]["counts"] = table
    message = _error(body, "bb84")
    assert f"{where} must be a" in message and "2 x 2" in message


def test_setting_entry_keys():
    body = copy.deepcopy(BB84)
    body["settings"][1] = {"alice": "X", "counts": [[1, 0], [0, 1]], "time": 3}
    message = _error(body, "bb84")
    assert "settings[1] must have exactly the keys alice, bob, counts" in message
    assert "missing: bob" in message and "unknown: time" in message


def test_required_basis_missing():
    body = _with(BB84, settings=[BB84["settings"][0], BB84["settings"][2]])
    assert _error(body, "bb84") == ("--counts <dict>: bb84 needs matched-basis tables for Z and X; "
                                    "missing: X")


def test_six_state_needs_y():
    body = _with(SIX_STATE, settings=SIX_STATE["settings"][:2])
    assert "six-state needs matched-basis tables for Z and X and Y; missing: Y" in _error(
        body, "six-state")


def test_required_basis_zero_rounds():
    body = copy.deepcopy(BB84)
    body["settings"][1]["counts"] = [[0, 0], [0, 0]]
    message = _error(body, "bb84")
    assert message == ("--counts <dict>: the matched-basis table (X, X) has zero rounds; bb84 "
                       "needs at least one round in each of Z, X")


def test_other_table_zero_rounds():
    body = copy.deepcopy(BB84)
    body["settings"][2]["counts"] = [[0, 0], [0, 0]]
    assert "(Z, X) has zero rounds" in _error(body, "bb84")


def test_too_many_rounds():
    assert "at most 2**53" in _error(_set_cell(BB84, 0, 0, 0, 2**60), "bb84")


def test_measurements_not_allowed_for_standard():
    body = _with(BB84, measurements=CUSTOM["measurements"])
    assert "measurements is only allowed for protocol custom" in _error(body, "bb84")


def test_custom_without_measurements():
    message = _error(_with(CUSTOM, measurements=None), "custom")
    assert "protocol custom needs 'measurements'" in message


def test_custom_bad_povm():
    body = copy.deepcopy(CUSTOM)
    body["measurements"]["alice"]["A1"] = [[[1, 0], [0, 0]], [[0, 0], [0, 0.5]]]
    message = _error(body, "custom")
    assert "measurements.alice.A1" in message and "sum to the identity" in message


@pytest.mark.parametrize("elements", [
    [[["1", 0], [0, 0]], [[0, 0], [0, 1]]],
    [[[True, False], [False, False]], [[False, False], [False, True]]],
    [[[1, 0], [0]], [[0, 0], [0, 1]]],
    {"re": Z_POVM},
    {"re": Z_POVM, "im": [[0, 0], [0, 0]]},
], ids=["string", "bool", "ragged", "no-im", "shape-mismatch"])
def test_custom_malformed_povm(elements):
    body = copy.deepcopy(CUSTOM)
    body["measurements"]["bob"]["B0"] = elements
    assert "measurements.bob.B0" in _error(body, "custom")


def test_custom_mixed_dimensions():
    body = copy.deepcopy(CUSTOM)
    body["measurements"]["alice"]["A1"] = np.stack([np.diag(r) for r in np.eye(3)]).tolist()
    assert "all of alice's POVMs must act on the same dimension" in _error(body, "custom")


def test_custom_dimension_cap():
    big = np.stack([np.diag(r) for r in np.eye(7)]).tolist()
    body = {"measurements": {"alice": {"Z": big}, "bob": {"Z": big}},
            "settings": [{"alice": "Z", "bob": "Z", "counts": np.eye(7, dtype=int).tolist()}]}
    assert "d_A * d_B must be at most 36, got 7 * 7 = 49" in _error(body, "custom")


def test_custom_table_shape_follows_povms():
    body = copy.deepcopy(CUSTOM)
    body["settings"][2]["counts"] = [[1, 2], [3, 4]]
    message = _error(body, "custom")
    assert "settings[2].counts[0] must be a row of 3" in message and "2 x 3" in message


def test_custom_unknown_setting_name():
    body = copy.deepcopy(CUSTOM)
    body["settings"][0]["bob"] = "B9"
    assert "settings[0].bob must be one of bob's measurements (B0, B1, T)" in _error(body, "custom")


@pytest.mark.parametrize("keys,text", [
    ([["A1", "B0"]], "has no table"),
    ([["A0", "B0"], ["A0", "B0"]], "listed twice"),
    ([], "non-empty list"),
    ([["A0"]], "must be a pair"),
], ids=["no-table", "twice", "empty", "not-pair"])
def test_custom_bad_key_settings(keys, text):
    assert text in _error(_with(CUSTOM, key_settings=keys), "custom")


def test_name_prefix_default():
    body = _with(BB84, settings=[])
    with pytest.raises(InputError) as exc:
        load_counts(body, "bb84")
    assert str(exc.value).startswith("counts <dict>: ")


def test_required_bases_table():
    assert set(REQUIRED_BASES) | {"custom"} == set(PROTOCOLS)


def test_numpy_tables_in_the_api():
    """A NumPy integer table is a table (fuzzing: refused although the message showed a valid
    2 x 2 table); NumPy floats are refused as JSON floats are."""
    table = {"settings": [{"alice": "Z", "bob": "Z", "counts": np.array([[5, 1], [1, 5]])},
                          {"alice": "X", "bob": "X", "counts": [[5, 1], [1, 5]]}]}
    assert load_counts(table, "bb84").qber_counts() == {"Z": (2, 12), "X": (2, 12)}
    table["settings"][0]["counts"] = np.array([[5.0, 1], [1, 5]])
    with pytest.raises(InputError, match="must be a non-negative integer"):
        load_counts(table, "bb84")
