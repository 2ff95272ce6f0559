# %% [markdown]
# Paper 2: the PPT family rho_d, its key lower bound and the partial-transpose upper bound.
# %%
import qkdbounds as qb

s = qb.rho_d_summary(2**20)
print("PPT:", s["ppt"], "K >=", round(s["key_lower_bound"], 6), "K(rho^Gamma) <=", s["pt_key_upper_bound"])
print("smallest d with a gap:", qb.crossover_search(40).smallest_shield_dim)
