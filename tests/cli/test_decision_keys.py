"""SPEC §3, "every bound command": ``verdict``, ``lower_bound`` and ``lower_bound_method`` beside
``rate_upper_bound`` in the JSON object, and the verdict is the one the two bounds decide
(:func:`qkdbounds.bounds.verdict.decide`).  Commands whose answer is a list of bounds (a chain, a
network's pairs) carry the keys per entry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds.bounds.verdict import VERDICTS, decide
from qkdbounds.cli.main import main

KEYS = ("rate_upper_bound", "verdict", "lower_bound", "lower_bound_method")


def _run(capsys, *argv):
    assert main([*argv, "--json", "--quiet"] if argv[0] != "diqkd" else [*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _check(record):
    missing = [k for k in KEYS if k not in record]
    assert not missing, missing
    assert record["verdict"] in VERDICTS
    if isinstance(record["rate_upper_bound"], float):
        assert record["verdict"] == decide(record["rate_upper_bound"], record["lower_bound"])


@pytest.fixture(scope="module")
def maximally_mixed(tmp_path_factory):
    path = tmp_path_factory.mktemp("state") / "mixed.npy"
    np.save(path, np.eye(4) / 4)
    return str(path)


@pytest.mark.parametrize("argv", [
    ("rate", "--parties", "2", "--visibility", "0.9", "--leakage", "0.1"),
    ("state-bound", "--werner", "0.9", "--leakage", "0.1"),
    ("data-bound", "--protocol", "bb84", "--qber-z", "0.05", "--qber-x", "0.05", "--leakage", "0.1"),
    ("di-attack", "--eta", "0.95", "--visibility", "0.99"),
    ("plan", "--distance-km", "100", "--segments", "2", "--leakage", "0.05"),
    ("swap", "--visibilities", "0.95", "0.95", "--leakage", "0.1"),
    ("diqkd", "rho-d", "--shield-dim", "4"),
], ids=lambda a: " ".join(a[:2]))
def test_bound_command_carries_the_decision_keys(capsys, argv):
    _check(_run(capsys, *argv))


def test_diqkd_bound_of_a_separable_state_is_no_key(capsys, maximally_mixed):
    out = _run(capsys, "diqkd", "bound", "--state", maximally_mixed, "--dims", "2", "2")
    _check(out)
    assert out["verdict"] == "no_key" and out["lower_bound"] is None
    assert out["rate_upper_bound"] == out["di_key_upper_bound"] == 0.0


def test_rho_d_has_no_di_lower_bound_and_stays_open(capsys):
    # paper 2: the device-dependent key of rho_d exceeds its DI key bound for d >= 24; the
    # device-dependent lower bound is not a DI lower bound, so the DI verdict is open
    out = _run(capsys, "diqkd", "rho-d", "--shield-dim", "24")
    assert out["key_lower_bound"] > out["rate_upper_bound"] > 0
    assert out["lower_bound"] is None and out["verdict"] == "open"
    assert out["rate_upper_bound"] == out["di_key_upper_bound"]


def test_chains_and_network_pairs_carry_the_keys_per_entry(capsys):
    for entry in _run(capsys, "repeaters", "--visibility", "0.95", "--leakage", "0.1")["chain"]:
        _check(entry)
    from pathlib import Path

    graph = Path(__file__).parents[2] / "examples" / "network_graph.json"
    for pair in _run(capsys, "network", "--graph", str(graph), "--leakage", "0.1")["pairs"]:
        _check(pair)
