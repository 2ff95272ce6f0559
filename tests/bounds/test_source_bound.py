"""Paper 1's attack for any source (issue 13, item 3): matrix files reproduce the isotropic route."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.bounds.source_bound import source_rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.states import werner_state
from qkdbounds.states.sources import make_source


def _ghz_isotropic(d, n, v):
    dim = d**n
    psi = np.zeros(dim)
    for k in range(d):
        psi[sum(k * d**j for j in range(n))] = 1 / np.sqrt(d)
    return v * np.outer(psi, psi) + (1 - v) * np.eye(dim) / dim


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3)])
def test_isotropic_matrices_reproduce_the_isotropic_route(d, n, model):
    for v, leak in [(0.95, 0.05), (0.7, 0.3), (0.3, 0.1)]:
        r = source_rate_upper_bound(make_source(_ghz_isotropic(d, n, v), (d,) * n), leak, model,
                                    cut_bound=n >= 3)
        ref = rate_upper_bound(d, n, v, leak, model, cut_bound=n >= 3)
        assert r.value == pytest.approx(ref.value, abs=1e-9)
        if n >= 3:
            assert r.cut_bound == pytest.approx(ref.cut_bound, abs=1e-9)


def test_separable_sources_give_zero():
    for v in (0.0, 0.2, 1 / 3):
        r = source_rate_upper_bound(make_source(werner_state(v), (2, 2)), 0.1)
        assert r.value == 0.0 and r.separable_weight == pytest.approx(1.0, abs=1e-12)


def test_cli_any_source_equals_api(tmp_path, capsys):
    path = tmp_path / "ghz.npy"
    np.save(path, _ghz_isotropic(2, 3, 0.8))
    code = main(["state-bound", "--state", str(path), "--dims", "2", "2", "2", "--leakage", "0.1",
                 "--measurements", "Z", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    ref = rate_upper_bound(2, 3, 0.8, 0.1, cut_bound=True)
    assert out["rate_upper_bound"] == pytest.approx(ref.value, abs=1e-9)
    assert out["cut_bound"] == pytest.approx(ref.cut_bound, abs=1e-9)
    # Eq. (8): q_v = (1 + D)(1 - v)/D with D = d^(N-1) = 4
    assert out["separable_weight"] == pytest.approx((1 - 0.8) * (1 + 1 / 4), abs=1e-12)
