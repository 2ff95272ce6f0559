"""
Werner window: DI lower vs our upper bound
==========================================

Two-qubit Werner states with side-channel leakage.  Device-independent key lies between the best
CHSH-based lower bound (with the same leakage) and our convex-combination upper bound; where the
two meet there is nothing left to decide, where they differ is the open window.
"""

# %%
# The bounds on a grid
# --------------------
# ``insert_thresholds=True`` adds the zeros of the bounds to the grid, so every curve drawn
# through the points reaches zero exactly at its threshold.
import matplotlib.pyplot as plt
import numpy as np

import qkdbounds as qb
from qkdbounds.plotting import draw_werner_window

w = qb.werner_window(np.linspace(0.3, 1, 36), leakage=0.1, insert_thresholds=True)

# %%
# A few rows: the visibility, the upper bound, the best DI lower bound (and which method gave
# it), the plain CHSH Devetak-Winter bound, and the status of each route.
for row in w.rows():
    if np.any(np.isclose(row["visibility"], (0.8, 0.9, 0.96, 1.0))):
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})

# %%
# The thresholds
# --------------
# ``cc_zero``: where the upper bound vanishes; ``best_lower_zero`` and ``dw_zero_leakage``:
# where the lower bounds do (all at L = 0.1).
print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in w.thresholds.items()})

# %%
# The window
# ----------
# The shaded band is where these bounds leave the DI key open.
ax = draw_werner_window(w, title="Werner states, L = 0.1 (uniform)")
plt.show()
