"""Embedded SQLite results store for sweeps (SPEC F8, §6).

Each finished point is one row keyed by its canonical parameters, the point function and the
package version; each is written in its own transaction (WAL mode), so an interrupted sweep loses
nothing that finished and a rerun stores nothing twice.
"""

from .._lazy import lazy_exports

#: Public name -> submodule, loaded on first use (PEP 562): importing the package does not load
#: the store's module until one of its names is used.
_HOMES = {
    "DEFAULT_STORE_NAME": "_sqlite",
    "EXPORT_COLUMNS": "_sqlite",
    "RECORD_COLUMNS": "_sqlite",
    "PARAMETER_NAMES": "_sqlite",
    "ResultStore": "_sqlite",
    "canonical_float": "_sqlite",
    "canonical_params": "_sqlite",
    "default_store_path": "_sqlite",
    "export_records": "_sqlite",
    "package_version": "_sqlite",
    "parameter_key": "_sqlite",
}

__all__ = list(_HOMES)
__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())

