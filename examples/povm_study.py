# %% [markdown]
# Paper 1's POVM premise (appendix, before Eq. 23) on two qutrits: is there an extremal POVM
# pair that gives key below the projective zero-key threshold?  See docs/errata.md.
# Reduced by default (a few pairs); `python examples/povm_study.py --full` is the errata run.
# %%
import sys

from qkdbounds.bounds.povm_study import povm_premise_study

FULL = "--full" in sys.argv
configs = [(0.1, "uniform"), (0.3, "junk")] if FULL else [(0.1, "uniform")]
for leakage, model in configs:
    study = povm_premise_study(leakage, model, outcome_counts=(3, 4, 5, 6, 7, 8, 9) if FULL else (3, 9),
                               n_per_count=8 if FULL else 1)
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
