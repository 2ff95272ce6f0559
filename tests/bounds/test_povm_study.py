"""The POVM premise study (paper 1, appendix before Eq. 23; docs/errata.md), reduced."""

from __future__ import annotations

import numpy as np
import pytest

from qkdbounds import visibility_threshold
from qkdbounds.bounds.povm_study import XTOL_POVM_THRESHOLD, _box_violation, povm_premise_study
from qkdbounds.errors import InputError
from qkdbounds.measurements.povm import povm_from_unitary, random_rank_one_povm


def test_reduced_study_no_povm_beats_the_projective_threshold():
    study = povm_premise_study(0.1, "uniform", outcome_counts=(3, 9), n_per_count=1)
    v_star = visibility_threshold(3, 2, 0.1, "uniform").value
    assert study.projective_threshold == pytest.approx(v_star, abs=1e-12)
    # the study's own bisection (Z bases, certified zero) reproduces the threshold route
    assert study.z_threshold == pytest.approx(v_star, abs=2 * XTOL_POVM_THRESHOLD)
    assert study.max_bound_below == 0.0
    assert study.box_violation <= 1e-12
    assert study.lowest_positive_visibility >= v_star - 2 * XTOL_POVM_THRESHOLD
    assert study.n_pairs == 2 + 2  # counterexample pairs + one random pair per outcome count
    assert study.premise_counterexample == {"ranks": [2, 1, 1], "n_outcomes": 3, "extremal": True,
                                            "projective": False}
    assert all(v < v_star for v in study.below)


@pytest.mark.parametrize("model", ["uniform", "junk"])
def test_the_zero_key_box_of_the_proof_holds_exactly_up_to_the_threshold(model, rng):
    # the proof's gamma (module docstring) is in [0, 1] at v*, and fails above it
    v_star = visibility_threshold(3, 2, 0.2, model).value
    for k in (3, 5, 9):
        povms = [random_rank_one_povm(3, k, rng), random_rank_one_povm(3, 4, rng)]
        assert _box_violation(3, v_star, 0.2, model, povms) <= 1e-12
    z = [povm_from_unitary(np.eye(3))] * 2
    assert _box_violation(3, v_star, 0.2, model, z) == pytest.approx(0.0, abs=1e-12)
    assert _box_violation(3, v_star + 0.02, 0.2, model, z) > 1e-3


def test_study_rejects_bad_parameters():
    with pytest.raises(InputError, match="outcome_counts"):
        povm_premise_study(0.1, outcome_counts=(2,))
    with pytest.raises(InputError, match="leakage"):
        povm_premise_study(0.0)
