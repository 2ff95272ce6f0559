"""Parameter sweeps on Dask with a resumable SQLite results store (SPEC F8).

Every point question can be swept: ``rate`` (default), ``data``, ``state``, ``di``
(:mod:`qkdbounds.sweep.questions`, ``docs/sweep_questions.md``).

>>> from qkdbounds.sweep import parse_axis
>>> parse_axis("visibility", "0.3:0.5:0.1")
[0.3, 0.4, 0.5]
"""

from .._lazy import lazy_exports

#: Public name -> submodule, loaded on first use (PEP 562): a CLI grid (``--leakage 0:0.5:0.05``)
#: parses with :mod:`._grid` alone, without the Dask runner and the question registry.
_HOMES = {
    "AXIS_DEFAULTS": "_grid", "build_grid": "_grid", "grid_name": "_grid", "grid_points": "_grid",
    "parse_axis": "_grid",
    "DEFAULT_POINT_FN": "_run", "SweepSummary": "_run", "function_reference": "_run",
    "resolve_function": "_run", "run_sweep": "_run",
    "QUESTIONS": "questions", "build_question_grid": "questions",
}

__all__ = sorted(_HOMES)
__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
