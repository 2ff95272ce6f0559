"""
Repeater budget (paper 1, Eq. 5 and Fig. 2)
===========================================

How many repeaters does a link budget allow?  Entanglement swapping of isotropic links is
simulated on density matrices: the delivered pair is isotropic with the product of the link
visibilities (``v**(n+1)`` for ``n`` repeaters), and the key bound of that pair decides when
the chain stops being useful.  Paper 1's Eq. 5 composes the links as ``v**(2n)``; both are shown.
"""

# %%
# One swap, and the largest number of repeaters
# ---------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

import qkdbounds as qb
from qkdbounds.plotting import draw_distance_curve, draw_repeater_figure
from qkdbounds.repeaters import figure2_data
from qkdbounds.repeaters.planner import distance_curve

print("simulated swap of 0.9 and 0.8 links:", round(qb.swap_isotropic(0.9, 0.8).value, 6))
b = qb.repeater_budget(0.95, 0.1, "uniform")
print("n_max (simulated law):", b.n_max, " Eq. 5 as printed:", b.n_max_paper_convention)

# %%
# The inverse question: the link visibility needed for a target rate through 10 repeaters.
plan = qb.minimum_link_visibility(10, 0.05, 0.1)
print("link visibility needed for 10 repeaters and 0.05 bits:", plan)

# %%
# Paper 1, Fig. 2
# ---------------
# The rate bound against the number of repeaters for three link visibilities (L = 0.1, uniform
# leakage): left, the paper's composition ``v**(2n)``; right, the simulated law ``v**(n+1)``.
data = figure2_data()
left, right = draw_repeater_figure(data)

# %%
# In kilometres
# -------------
# The same question for a fibre chain: the key-rate bound per second against distance for
# 1 to 8 equal segments (heralded links, memories and the default source of
# :func:`qkdbounds.repeaters.planner.plan_link`), beside the repeaterless PLOB bound.
rows = distance_curve(np.linspace(20, 600, 30), (1, 2, 4, 8), leakage=0.05)
ax = draw_distance_curve(rows, title="fibre chain, L = 0.05")
plt.show()
