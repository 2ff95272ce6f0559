"""
Paper 1's POVM premise on two qutrits
=====================================

Paper 1 (appendix, before Eq. 23) assumes that no measurement beats the projective ones at the
zero-key threshold.  Is there an extremal POVM pair on two qutrits that gives key below the
projective zero-key visibility?  A seeded random search over extremal rank-one POVMs, plus the
known non-projective extremal qutrit POVM (see the errata, :doc:`../errata`).

Reduced by default (a few pairs); ``python examples/povm_study.py --full`` is the errata run.
"""

# %%
# The study
# ---------
import sys

import matplotlib.pyplot as plt

from qkdbounds.bounds.curves import rate_curve
from qkdbounds.bounds.povm_study import povm_premise_study
from qkdbounds.plotting import OKABE_ITO, draw_rate_curves

FULL = "--full" in sys.argv
configs = [(0.1, "uniform"), (0.3, "junk")] if FULL else [(0.1, "uniform")]
studies = []
for leakage, model in configs:
    study = povm_premise_study(leakage, model, outcome_counts=(3, 4, 5, 6, 7, 8, 9) if FULL else (3, 9),
                               n_per_count=8 if FULL else 1)
    studies.append(study)
    print({"leakage": leakage, "model": model, "pairs": study.n_pairs,
           "projective_threshold": round(study.projective_threshold, 7),
           "z_threshold_bisection": round(study.z_threshold, 7),
           "lowest_positive_visibility": round(study.lowest_positive_visibility, 7),
           "lowest_pair": study.lowest_pair,
           "lowest_random_rank_one_pair": round(min(v for k, v in study.thresholds.items()
                                                    if k.startswith("rank-one")), 7),
           "max_bound_below_threshold": study.max_bound_below,
           "box_violation": study.box_violation,
           "premise_counterexample": study.premise_counterexample})

# %%
# Every pair's own threshold
# --------------------------
# Left: the rate bound of two qutrits with projective measurements (paper 1's attack), whose
# zero is the projective threshold (dashed).  Right: the lowest visibility at which each POVM
# pair of the study is *not* certified zero-key; a point left of the dashed line would be key
# below the projective threshold, i.e. a counterexample to the premise.
study = studies[0]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
curve = rate_curve(3, 2, study.leakage, study.model, n_points=61)
draw_rate_curves([curve], ax=left, title=f"two qutrits, L = {study.leakage:g} ({study.model})")
names = sorted(study.thresholds, key=study.thresholds.get)
right.plot([study.thresholds[n] for n in names], range(len(names)), "o", color=OKABE_ITO["blue"])
right.axvline(study.projective_threshold, color=OKABE_ITO["grey"], linestyle="--",
              label=f"projective threshold {study.projective_threshold:.4f}")
right.set_yticks(range(len(names)), names)
right.set_xlabel("lowest visibility without certified zero key")
right.legend(loc="lower right")
plt.show()
