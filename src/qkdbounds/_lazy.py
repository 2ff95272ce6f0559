"""Lazy package exports (PEP 562): a package's public names load their submodule on first use.

Importing one submodule of a package runs the package's ``__init__``; with eager re-exports that
imports every sibling (and their SciPy/cvxpy dependencies), which is most of a CLI call's
start-up time (issue 19, 21).  ``__init__`` files declare ``name -> submodule`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module

__all__ = ["lazy_exports"]


def lazy_exports(package: str, homes: Mapping[str, str], namespace: dict
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` whose public names live in ``homes``
    (``name -> submodule``, relative to the package); a loaded name is cached in ``namespace``
    (the package's ``globals()``)."""

    def __getattr__(name: str):
        if name in homes:
            value = getattr(import_module(f"{package}.{homes[name]}"), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return __getattr__, __dir__
