r"""
Paper 2: the PPT family rho_d
=============================

Paper 2 bounds the device-independent key of a state by the key of its partial transpose.  Its
states :math:`\rho_d` (shield dimension ``d``) are PPT, and once ``d`` is large enough a lower
bound on their key :math:`K(\rho_d)` (privacy squeezing + Devetak-Winter) exceeds the upper bound
on :math:`K(\rho_d^\Gamma)`: a gap between device-dependent and device-independent key.
"""

# %%
# One large shield
# ----------------
# :math:`d = 2^{20}` with the structured route (no :math:`d^2`-sized matrix).
import matplotlib.pyplot as plt

import qkdbounds as qb
from qkdbounds.plotting import draw_rho_d_gap

s = qb.rho_d_summary(2**20)
print("PPT:", s["ppt"], "K >=", round(s["key_lower_bound"], 6), "K(rho^Gamma) <=", s["pt_key_upper_bound"])

# %%
# The crossover
# -------------
# Scanning ``d`` finds the smallest shield with a gap, by the matrix route and by the formulas
# printed in the paper.
crossover = qb.crossover_search(64)
print("smallest d with a gap:", crossover.smallest_shield_dim,
      "(printed formulas:", crossover.smallest_shield_dim_formula, ")")

# %%
# The gap against d
# -----------------
# Both bounds from the matrix (lines) and from the printed formulas (markers); the crossover is
# marked.
ax = draw_rho_d_gap({"table": crossover.table,
                     "smallest_shield_dim": crossover.smallest_shield_dim})
plt.show()
