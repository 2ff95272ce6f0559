# %% [markdown]
# Key bounds from what an experiment recorded: BB84 error rates and a counts file.
# Eve may prepare any state that reproduces the monitored QBERs; the upper bound is the smallest
# CC bound over those states, the lower bound the leakage-aware Devetak-Winter rate of the worst
# one (docs/data_bounds.md).
# %%
from pathlib import Path

from qkdbounds.bounds.data_bound import data_rate_upper_bound

r = data_rate_upper_bound("bb84", qber_z=0.03, qber_x=0.04, leakage=1e-3)
print(r)
print("Eve's compatible state (Bell weights phi+, phi-, psi+, psi-):", r.bell_weights.round(4))

# %% With counts: Clopper-Pearson region at 99 % joint confidence, bound at its worst corner
counts = Path(__file__).parent / "data" / "bb84_counts.json"
finite = data_rate_upper_bound("bb84", counts=counts, confidence=0.99, leakage=1e-3)
print("observed QBERs", finite.qber_observed, "-> region", finite.confidence_region)
print(f"upper {finite.value:.4f}, lower {finite.lower_bound:.4f}, verdict {finite.verdict}")
