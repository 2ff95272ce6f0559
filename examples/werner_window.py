# %% [markdown]
# Werner states: device-independent CHSH lower bound vs our leakage upper bound.
# %%
import numpy as np

import qkdbounds as qb

w = qb.werner_window(np.linspace(0.8, 1, 5), leakage=0.1)
for row in w.rows():
    print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
