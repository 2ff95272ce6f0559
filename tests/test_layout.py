"""The layout of ../shared/STYLE.md holds (issue 23, item 6): one home per name, no re-export
shims, and ``qkdbounds.bounds`` does not pull in the device-independent side at import time."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import qkdbounds

PACKAGE_DIR = Path(qkdbounds.__file__).parent

#: Former re-export shims; their names live in ``qkdbounds.di.partial_transpose``,
#: ``qkdbounds.di.chsh`` and ``qkdbounds.di.window``.
REMOVED_SHIMS = ("qkdbounds.diqkd", "qkdbounds.bounds.chsh", "qkdbounds.bounds.window")

#: (module under ``qkdbounds.bounds``, module under ``qkdbounds.di`` it imports at import time)
#: that the science needs.  None today: the bounds of paper 1 never need a Bell box.
ALLOWED_BOUNDS_TO_DI: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_files(package: str = "qkdbounds") -> list[Path]:
    root = PACKAGE_DIR.parent.joinpath(*package.split("."))
    return sorted(root.rglob("*.py"))


def _import_time_imports(source: str, name: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) of every import executed when module ``name`` is imported: the
    module body, including ``if``/``try``/``with`` blocks and class bodies, not function bodies."""
    package = name if is_package else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                if node.module:
                    found.append((node.lineno, f"{base}.{node.module}".lstrip(".")))
                else:   # ``from .. import di``: the names are submodules (or attributes) of base
                    found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                block = getattr(node, field, None)
                if isinstance(block, list):
                    visit(block)

    visit(ast.parse(source).body)
    return found


def _file_imports(path: Path) -> list[tuple[int, str]]:
    return _import_time_imports(path.read_text(), _module_name(path), path.name == "__init__.py")


@pytest.mark.parametrize("module", REMOVED_SHIMS)
def test_removed_shims_do_not_exist(module):
    assert importlib.util.find_spec(module) is None, f"{module} is back: import from its real home"


def test_no_star_reexports():
    """A module made of ``from X import *`` is a shim; the curated ``__init__`` files name their
    exports one by one."""
    offenders = [f"{_module_name(path)}:{node.lineno}"
                 for path in _source_files()
                 for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
                 if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)]
    assert offenders == []


def test_import_scanner_sees_what_runs_at_import_time():
    """The scanner must resolve relative imports and skip function bodies; otherwise the layout
    test below passes vacuously."""
    source = ("from ..di.chsh import chsh_value\n"
              "from .. import di\n"
              "from .rate import rate_upper_bound\n"
              "import numpy as np\n"
              "try:\n    from ..di import window\nexcept ImportError:\n    pass\n"
              "class C:\n    from ..di.lower import dw_lower_bound\n"
              "def f():\n    from ..di.region import di_region\n")
    assert [m for _, m in _import_time_imports(source, "qkdbounds.bounds.example")] == [
        "qkdbounds.di.chsh", "qkdbounds.di", "qkdbounds.bounds.rate", "numpy", "qkdbounds.di",
        "qkdbounds.di.lower"]
    assert [m for _, m in _import_time_imports("from . import rate\n", "qkdbounds.bounds", True)] == [
        "qkdbounds.bounds.rate"]


def test_bounds_modules_do_not_import_di_at_import_time():
    found = {(_module_name(path), module)
             for path in _source_files("qkdbounds.bounds")
             for _, module in _file_imports(path)
             if module == "qkdbounds.di" or module.startswith("qkdbounds.di.")}
    assert found == ALLOWED_BOUNDS_TO_DI


def test_importing_every_bounds_module_loads_no_di_module():
    """The transitive check: importing all of ``qkdbounds.bounds`` (a fresh interpreter) loads
    nothing from ``qkdbounds.di``, whatever route the import takes."""
    modules = sorted(_module_name(path) for path in _source_files("qkdbounds.bounds"))
    code = ("import importlib, sys\n"
            f"for m in {modules!r}:\n"
            "    importlib.import_module(m)\n"
            "print(sorted(k for k in sys.modules if k == 'qkdbounds.di' or k.startswith('qkdbounds.di.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # ALLOWED_BOUNDS_TO_DI is empty, so nothing of the DI side may load
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_module_compiles_without_warnings():
    # an invalid escape in a plain docstring ("\otimes", "\bar": a backspace) compiles with a
    # warning on 3.11 and a SyntaxWarning on 3.12+; a review found two
    import pathlib
    import warnings

    root = pathlib.Path(__file__).resolve().parents[1] / "src"
    for path in sorted(root.rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_no_control_characters_in_sources_and_docs():
    # a LaTeX escape written through a plain Python string ("\bar", "\rho") becomes a backspace
    # or a carriage return in the file itself, which no compile warning sees (session 37 found
    # "U\otimes<BS>ar U" in a docstring; a "\rho" whose carriage return had been normalised to
    # a line break, leaving "ho", this test cannot see)
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1]
    bad = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
    found = []
    for base, pattern in (("src", "*.py"), ("tests", "*.py"), ("docs", "*.md")):
        for path in sorted((root / base).rglob(pattern)):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(root)}:{text[:m.start()].count(chr(10)) + 1}"
                      for m in bad.finditer(text)]
    assert not found, found
