"""Embedded SQLite results store for sweeps (SPEC F8, §6).

Each finished point is one row keyed by its canonical parameters, the point function and the
package version; each is written in its own transaction (WAL mode), so an interrupted sweep loses
nothing that finished and a rerun stores nothing twice.
"""

from ._sqlite import (
    DEFAULT_STORE_NAME,
    EXPORT_COLUMNS,
    PARAMETER_NAMES,
    ResultStore,
    canonical_float,
    canonical_params,
    default_store_path,
    export_records,
    package_version,
    parameter_key,
)

__all__ = [
    "DEFAULT_STORE_NAME",
    "EXPORT_COLUMNS",
    "PARAMETER_NAMES",
    "ResultStore",
    "canonical_float",
    "canonical_params",
    "default_store_path",
    "export_records",
    "package_version",
    "parameter_key",
]
