# %% [markdown]
# How many repeaters does a link budget allow? (paper 1, Eq. 5 and Fig. 2)
# %%
import qkdbounds as qb

print("simulated swap of 0.9 and 0.8 links:", round(qb.swap_isotropic(0.9, 0.8).value, 6))
b = qb.repeater_budget(0.95, 0.1, "uniform")
print("n_max (simulated law):", b.n_max, " Eq. 5 as printed:", b.n_max_paper_convention)
plan = qb.minimum_link_visibility(10, 0.05, 0.1)
print("link visibility needed for 10 repeaters and 0.05 bits:", plan)
