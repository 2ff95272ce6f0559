"""
A quantum network
=================

A graph of nodes and fibre links (:doc:`../network_format`; this one ships as
``examples/network_graph.json``).  For each pair of nodes the library picks the path with the
largest key-rate bound and plans it as a repeater chain (:doc:`../guide/networks`).
"""

# %%
# One pair
# --------
from pathlib import Path

import matplotlib.pyplot as plt

from qkdbounds.plotting import draw_network_bounds, draw_network_map
from qkdbounds.repeaters.network import all_pairs, best_path, load_network

# the graph ships beside this script (sphinx-gallery and notebooks run it inside examples/)
here = Path(__file__).parent if "__file__" in globals() else Path.cwd()
graph = load_network(here / "network_graph.json")
pair = best_path(graph, "Amsterdam", "Eindhoven", 0.05, "uniform")
print(" -> ".join(pair.path), f"{pair.distance_km:g} km, v = {pair.visibility:.4f}:",
      f"{pair.rate_upper_bound:.4f} bits per pair, {pair.key_rate_upper_bound_bps:.3g} bits/s")

# %%
# Every pair
# ----------
# The map labels each link with its length and visibility; the links of the chosen paths are
# highlighted (the wider, the more best paths use them).
bounds = all_pairs(graph, 0.05, "uniform")
for b in bounds:
    print(f"{b.source:>9} - {b.target:<9} {b.distance_km:5.0f} km  {b.rate_upper_bound:.4f} bits")
ax = draw_network_map(graph, bounds)

# %%
# The bound of each pair's best path against its length.
ax = draw_network_bounds(bounds)
plt.show()
