"""Certificates in the CLI: compact by default, full on request, fields holding what they say."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.measurements import computational


def _json(capsys, *argv):
    assert main([str(a) for a in argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_general_route_certificate_compact_unless_asked(capsys):
    argv = ("rate", "--dim", 2, "--parties", 5, "--visibility", 0.9, "--leakage", 0.1,
            "--measurements", "search", "--attack", "paper", "--json")
    compact = _json(capsys, *argv)
    full = _json(capsys, *argv, "--full-certificate")
    assert compact["attack"]["gamma"]["shape"] == [2] * 5
    assert "omitted" in compact["attack"]["gamma"]
    gamma = np.asarray(full["attack"]["gamma"])
    assert gamma.shape == (2,) * 5
    assert compact["attack"]["gamma"]["max"] == pytest.approx(gamma.max())
    assert compact["rate_upper_bound"] == full["rate_upper_bound"]


def test_cut_fields_are_null_unless_computed(capsys):
    out = _json(capsys, "rate", "--parties", 8, "--visibility", 0.9, "--leakage", 0.1, "--json")
    assert out["cut_bound"] is None and out["cut"] is None
    out = _json(capsys, "rate", "--parties", 3, "--visibility", 0.9, "--leakage", 0.1,
                "--cut-bound", "--json")
    # the cut field holds the cut bound itself, at most log2 d = 1 bit for qubits
    assert out["cut"]["value"] == out["cut_bound"] <= 1.0
    # and it is the minimum over the three cuts, recomputed on each cut's two groups
    z = [computational(2)] * 3
    r = rate_upper_bound(2, 3, 0.9, 0.1, measurements=z, cut_bound=True)
    assert out["cut_bound"] == pytest.approx(r.cut_bound, abs=1e-9)


def test_oversized_cli_grid_is_refused_before_allocation(capsys):
    code = main(["rate", "--visibility", "0:1:2e-6", "--leakage", "0:1:2e-6", "--json"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "allowed: at most" in err


def test_grid_columns_hold_eves_gamma(capsys):
    out = _json(capsys, "rate", "--dim", 3, "--visibility", "0.3,0.9", "--leakage", "0.5",
                "--attack", "extended", "--json")
    # zero-key point: gamma on the other strings makes "?" uniform (c_1/s_0), as for the paper attack
    paper = _json(capsys, "rate", "--dim", 3, "--visibility", "0.3,0.9", "--leakage", "0.5",
                  "--attack", "paper", "--json")
    assert out["gamma_other_strings"][0] == pytest.approx(paper["gamma_other_strings"][0])
    assert out["gamma_other_strings"][1] == 1.0


def test_lower_bounds_are_clipped_with_the_raw_expression_named(capsys):
    """diqkd rho-d at d = 2: the Devetak-Winter expression is negative; K >= 0 is reported."""
    out = _json(capsys, "diqkd", "rho-d", "--shield-dim", 2, "--json")
    assert out["devetak_winter_expression"] < 0
    assert out["key_lower_bound"] == 0.0
    assert out["gap"] == -out["pt_key_upper_bound"]
