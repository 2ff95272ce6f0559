"""
Key bounds from recorded data
=============================

What an experiment recorded -- BB84 error rates, or a file of counts -- bounds the key.  Eve may
prepare any state that reproduces the monitored QBERs; the upper bound is the smallest CC bound
over those states, the lower bound the leakage-aware Devetak-Winter rate of the worst one
(:doc:`../data_bounds`).
"""

# %%
# From two error rates
# --------------------
from pathlib import Path

import matplotlib.pyplot as plt

from qkdbounds.bounds.data_bound import data_rate_upper_bound
from qkdbounds.plotting import draw_data_bounds

r = data_rate_upper_bound("bb84", qber_z=0.03, qber_x=0.04, leakage=1e-3)
print(r)
print("Eve's compatible state (Bell weights phi+, phi-, psi+, psi-):", r.bell_weights.round(4))

# %%
# With counts
# -----------
# Clopper-Pearson region at 99 % joint confidence; the bound is taken at its worst corner
# (the counts format: :doc:`../counts_format`).
# the data ship beside this script (sphinx-gallery and notebooks run it inside examples/)
here = Path(__file__).parent if "__file__" in globals() else Path.cwd()
counts = here / "data" / "bb84_counts.json"
finite = data_rate_upper_bound("bb84", counts=counts, confidence=0.99, leakage=1e-3)
print("observed QBERs", finite.qber_observed, "-> region", finite.confidence_region)
print(f"upper {finite.value:.4f}, lower {finite.lower_bound:.4f}, verdict {finite.verdict}")

# %%
# Against the error rate
# ----------------------
# Equal QBERs in Z and X at L = 0.05.  Between the lower (dashed) and the upper (solid) bound
# the key is open; the vertical lines mark the first QBER of the grid at which each bound is
# zero.
rows = {"qber_z": [], "qber_x": [], "leakage": [], "rate_upper_bound": [], "lower_bound": []}
for qber in (0.0, 0.05, 0.1, 0.2, 0.25):
    point = data_rate_upper_bound("bb84", qber_z=qber, qber_x=qber, leakage=0.05)
    rows["qber_z"].append(qber)
    rows["qber_x"].append(qber)
    rows["leakage"].append(point.leakage)
    rows["rate_upper_bound"].append(point.value)
    rows["lower_bound"].append(point.lower_bound)
    print(f"QBER {qber:.2f}: upper {point.value:.4f}, lower {point.lower_bound:.4f}")
ax = draw_data_bounds(rows, title="BB84, equal QBER in Z and X")
plt.show()
