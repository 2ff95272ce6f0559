"""Every docstring example in the package runs and prints what it shows (numpydoc Examples)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import qkdbounds

MODULES = sorted(m.name for m in pkgutil.walk_packages(qkdbounds.__path__, "qkdbounds.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), report=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) fail in {name}"
