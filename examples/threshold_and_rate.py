"""
Thresholds and rate bounds (paper 1)
====================================

An isotropic GHZ source with side-channel leakage: below which visibility is there no key at
all, and how large can the key rate be above it?  The bound is the rate left after Eve's
convex-combination attack (paper 1, Eq. 29); the attack is its certificate.
"""

# %%
# The zero-key threshold
# ----------------------
# Closed form (paper 1, Eq. 19), checked by a numeric root of the bound, beside the value
# printed in the paper.
import matplotlib.pyplot as plt

import qkdbounds as qb
from qkdbounds.bounds.curves import rate_curve
from qkdbounds.plotting import draw_rate_curves

t = qb.visibility_threshold(local_dim=2, n_parties=2, leakage=0.1, model="uniform")
print(f"no key at or below v = {t.value:.6f} (numeric route {t.numeric:.6f}; printed {t.paper_value:.6f})")

# %%
# The bound, the attack that achieves it, and a tighter attack of our own
# -----------------------------------------------------------------------
# ``attack="paper"`` is paper 1's attack (Eq. 12); ``"extended"`` also lets Eve choose her
# separable decomposition per measurement, which can only lower the bound.
for attack in ("paper", "extended"):
    r = qb.rate_upper_bound(2, 2, visibility=0.8, leakage=0.1, attack=attack)
    print(attack, round(r.value, 4), r.status, r.certificate["measurements"])

# %%
# Large N uses the symmetric closed form (no :math:`2^{30}`-sized object).
print(qb.rate_upper_bound(2, 30, 0.5, 0.1).method)

# %%
# The rate curves
# ---------------
# One call of the dispatcher on a visibility grid per attack and leakage.  Dashed vertical
# lines: the derived thresholds; dotted: the thresholds as printed in the paper.
leakages = (0.05, 0.2)
paper = [rate_curve(2, 2, leakage, n_points=61) for leakage in leakages]
extended = [rate_curve(2, 2, leakage, n_points=61, attack="extended") for leakage in leakages]
ax = draw_rate_curves(paper, extra_curves=extended, extra_label="extended attack",
                      curve_label="paper 1's attack", title="two qubits, uniform leakage")
plt.show()
