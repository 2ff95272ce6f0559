"""Parameter sweeps on Dask with a resumable SQLite results store (SPEC F8).

Every point question can be swept: ``rate`` (default), ``data``, ``state``, ``di``
(:mod:`qkdbounds.sweep.questions`, ``docs/sweep_questions.md``).

>>> from qkdbounds.sweep import parse_axis
>>> parse_axis("visibility", "0.3:0.5:0.1")
[0.3, 0.4, 0.5]
"""

from ._grid import AXIS_DEFAULTS, build_grid, grid_name, grid_points, parse_axis
from ._run import DEFAULT_POINT_FN, SweepSummary, function_reference, resolve_function, run_sweep
from .questions import QUESTIONS, build_question_grid

__all__ = [
    "AXIS_DEFAULTS",
    "DEFAULT_POINT_FN",
    "QUESTIONS",
    "SweepSummary",
    "build_grid",
    "build_question_grid",
    "function_reference",
    "grid_name",
    "grid_points",
    "parse_axis",
    "resolve_function",
    "run_sweep",
]
