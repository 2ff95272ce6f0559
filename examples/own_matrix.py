"""
Your own state as a matrix
==========================

Any source given as a density matrix goes through one route,
:func:`qkdbounds.source_rate_upper_bound`: Eve's convex-combination attack on a certified
separable decomposition of the state, beside the no-attack bound and a Devetak-Winter lower bound
(:doc:`../guide/own_matrix`).  Here: a Bell pair with white and dephasing noise, a state outside
the isotropic family that the closed forms cover.
"""

# %%
# The state
# ---------
# :math:`\rho(v) = v\,|\phi^+\rangle\langle\phi^+| + (1-v)\,(\tfrac12 \Delta + \tfrac12 I/4)`, with
# :math:`\Delta = (|00\rangle\langle 00| + |11\rangle\langle 11|)/2` the fully dephased pair.
import matplotlib.pyplot as plt
import numpy as np

import qkdbounds as qb
from qkdbounds.plotting import draw_sweep

phi = np.array([1, 0, 0, 1]) / np.sqrt(2)


def noisy_bell_pair(visibility: float) -> np.ndarray:
    dephased = np.diag([1, 0, 0, 1]) / 2
    noise = 0.5 * dephased + 0.5 * np.eye(4) / 4
    return visibility * np.outer(phi, phi) + (1 - visibility) * noise


# %%
# One bound
# ---------
# The result carries the question (dimensions, leakage, model, measurements) and the answer
# (value, attack used, lower bound, verdict, status).
r = qb.source_rate_upper_bound(noisy_bell_pair(0.8), leakage=0.05)
print(r)
print("attack used:", r.attack_used, " lower bound:", round(r.lower_bound, 4), " verdict:", r.verdict)

# %%
# Against the visibility
# ----------------------
# For a protocol measuring the computational bases (``measurements="Z"``; the default searches
# the bases, as ``state-bound`` does, at ~1 s a point).  The rows have the columns of a stored
# sweep, so :func:`qkdbounds.plotting.draw_sweep` draws them: one curve per leakage.
rows = []
for leakage in (0.0, 0.1):
    for visibility in np.linspace(0.4, 1, 7):
        bound = qb.source_rate_upper_bound(noisy_bell_pair(visibility), leakage=leakage,
                                           measurements="Z")
        rows.append({"dim": 2, "parties": 2, "visibility": round(float(visibility), 3),
                     "leakage": leakage, "model": "uniform", "attack": "best",
                     "rate_upper_bound": bound.value})
        print(f"v = {visibility:.2f}, L = {leakage}: {bound.value:.4f} bits ({bound.verdict})")
ax = draw_sweep(rows)
ax.set_title("Bell pair with white and dephasing noise")
plt.show()
