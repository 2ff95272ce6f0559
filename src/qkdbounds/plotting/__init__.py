"""Figures (matplotlib). Plotting only: every number comes from the library.

Every ``draw_*`` function takes ``ax=None`` (a new figure when omitted), draws in the shared
style (:mod:`qkdbounds.plotting._style`: sizes, fonts, the Okabe-Ito palette, line styles of ours
vs. the paper's) and returns the matplotlib objects; it writes nothing.  Writing is a separate
step: :func:`save_figure` (PNG + SVG by default), or the ``write_*`` function of each module,
which the CLI and the report use.
"""

from ._style import OKABE_ITO, save_figure
from .data_figure import draw_data_bounds
from .di_figure import draw_di_eta_window, draw_di_region
from .diqkd_figure import draw_rho_d_gap
from .network_figure import draw_network_bounds, draw_network_map
from .planner_figure import draw_distance_curve
from .rate_figures import draw_rate_curves
from .repeaters_figure import draw_repeater_figure
from .sweep_figure import draw_sweep
from .window_figure import draw_werner_window

__all__ = ["draw_data_bounds", "draw_di_eta_window", "draw_di_region", "draw_distance_curve",
           "draw_network_bounds", "draw_network_map", "draw_rate_curves", "draw_repeater_figure",
           "draw_rho_d_gap", "draw_sweep", "draw_werner_window", "save_figure", "OKABE_ITO"]
