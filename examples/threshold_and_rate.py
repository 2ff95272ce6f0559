# %% [markdown]
# Thresholds and rate bounds for an isotropic GHZ source with side-channel leakage (paper 1).
# %%
import qkdbounds as qb

t = qb.visibility_threshold(local_dim=2, n_parties=2, leakage=0.1, model="uniform")
print(f"no key at or below v = {t.value:.6f} (numeric route {t.numeric:.6f}; printed {t.paper_value:.6f})")

# %% the bound, the attack that achieves it, and a tighter attack of our own
for attack in ("paper", "extended"):
    r = qb.rate_upper_bound(2, 2, visibility=0.8, leakage=0.1, attack=attack)
    print(attack, round(r.value, 4), r.status, r.certificate["measurements"])

# %% large N uses the symmetric closed form (no 2^30-sized object)
print(qb.rate_upper_bound(2, 30, 0.5, 0.1).method)
