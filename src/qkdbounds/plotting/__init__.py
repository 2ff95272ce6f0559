"""Figures (matplotlib, Agg backend). Plotting only: every number comes from the library."""

import matplotlib

matplotlib.use("Agg")
