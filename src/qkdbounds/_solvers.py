"""Calling the conic solver (Clarabel) so that every failure is a status, never an exception,
and starting it without SciPy's package imports.

Clarabel is written in Rust; an internal failure (e.g. ``Eigval error`` in the PSD cone's step
length on rank-deficient data) surfaces in Python as ``pyo3_runtime.PanicException``, which
derives from :class:`BaseException` and so escapes ``except Exception``.  Every solve in the
library goes through :func:`solve_problem` or :func:`run_guarded`, which turn solver errors and
panics into a status string (SPEC §6: a failed solve is a status).

Start-up (issue 19: a two-qubit matrix from the CLI in <= 3x ``python -c "import numpy"``):
Clarabel takes its LAPACK and BLAS routines from SciPy's Cython tables
(``scipy.linalg.cython_lapack``, ``scipy.linalg.cython_blas``), and its matrices as SciPy CSC
matrices.  Importing those the usual way runs ``scipy.linalg``'s and ``scipy.sparse``'s package
imports, ~0.12-0.15 s with SciPy 1.17 (most of it the array-API layer, which imports
``numpy.testing`` and ``numpy.f2py``), about what the whole 4x4 problem costs.  :func:`clarabel`
loads the two table modules on their own (the same files and routines SciPy's package would load)
and :func:`csc_matrix` gives Clarabel the CSC arrays it reads (``data``, ``indices``, ``indptr``,
``shape``); both fall back to the usual imports when that is not possible.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["SOLVER_PANIC", "CscMatrix", "clarabel", "csc_arrays", "csc_matrix", "run_guarded",
           "solve_problem"]

#: SciPy's Cython tables of LAPACK / BLAS routines, which Clarabel looks up on its first solve.
SCIPY_TABLES = ("scipy.linalg.cython_lapack", "scipy.linalg.cython_blas")

_LOAD_LOCK = threading.Lock()


class _TablesAsAttributes:
    """Meta-path finder, installed when :func:`_load_scipy_tables` loaded a table: when
    ``scipy.linalg`` is imported later, its package module gets the loaded tables as attributes
    *before* its ``__init__`` runs, as the usual import of its submodules would have set them (so
    ``scipy.linalg.cython_lapack`` and ``scipy.linalg.__all__`` are what they are without
    qkdbounds).  Finds nothing itself: it asks the finders after it and wraps the loader."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "scipy.linalg":
            return None
        finders = sys.meta_path[sys.meta_path.index(self) + 1:] if self in sys.meta_path else []
        for finder in finders:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _TablesFirst(spec.loader)
                return spec
        return None


class _TablesFirst:
    """``scipy.linalg``'s loader, setting the loaded tables as attributes before running the
    package (:class:`_TablesAsAttributes`); the original loader is put back and the finder
    removed."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        for name in SCIPY_TABLES:
            if name in sys.modules:
                setattr(module, name.rsplit(".", 1)[1], sys.modules[name])
        module.__loader__ = self._loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        # its work is done (the finder search for scipy.linalg is over): leave the import system
        # as it was
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _TablesAsAttributes)]
        self._loader.exec_module(module)


def _load_scipy_tables() -> None:
    """Load :data:`SCIPY_TABLES` without importing ``scipy.linalg``: each is an extension module
    of its own (its initialisation imports only ``scipy``'s top package), loaded by the import
    system's own routine (``importlib._bootstrap._load``: under the module's import lock, so a
    concurrent import waits for it; removed from ``sys.modules`` if its initialisation fails or
    is interrupted).  Only in the main thread, before ``scipy.linalg`` is imported (its import
    loads them); otherwise, and whenever a file is missing or fails to load, the usual import
    runs when Clarabel asks.  When ``scipy.linalg`` is imported later, it finds the loaded
    tables as its attributes (:class:`_TablesAsAttributes`)."""
    import importlib.machinery
    import importlib.util
    from importlib import _bootstrap

    load = getattr(_bootstrap, "_load", None)
    if load is None or threading.current_thread() is not threading.main_thread():
        return
    with _LOAD_LOCK:
        if "scipy.linalg" in sys.modules or all(name in sys.modules for name in SCIPY_TABLES):
            return
        try:
            import scipy    # (the package sets up the shared libraries' search path, e.g. Windows)
        except ImportError:
            return
        folder = os.path.join(os.path.dirname(os.path.abspath(scipy.__file__)), "linalg")
        specs = []
        for name in SCIPY_TABLES:
            if name in sys.modules:
                continue
            leaf = name.rsplit(".", 1)[1]
            paths = [os.path.join(folder, leaf + suffix)
                     for suffix in importlib.machinery.EXTENSION_SUFFIXES]
            path = next((p for p in paths if os.path.isfile(p)), None)
            spec = None if path is None else importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                return
            specs.append(spec)
        if not any(isinstance(f, _TablesAsAttributes) for f in sys.meta_path):
            sys.meta_path.insert(0, _TablesAsAttributes())
        for spec in specs:
            try:
                load(spec)
            except Exception:  # noqa: BLE001 - the usual import then runs (and reports)
                return


def clarabel():
    """The ``clarabel`` module, with SciPy's LAPACK / BLAS tables loaded without the
    ``scipy.linalg`` package (module docstring)."""
    _load_scipy_tables()
    import clarabel as module

    return module


def csc_arrays(a) -> tuple[NDArray, NDArray, NDArray, tuple[int, int]]:
    """Column-wise (CSC) arrays ``(indptr, indices, data, shape)`` of a dense or SciPy sparse
    matrix (indices sorted within each column, no duplicates, no stored zeros for dense input)."""
    if hasattr(a, "tocsc"):
        m = a.tocsc()
        return (np.asarray(m.indptr, dtype=np.int32), np.asarray(m.indices, dtype=np.int32),
                np.asarray(m.data, dtype=float), m.shape)
    a = np.asarray(a, dtype=float)
    cols, rows = np.nonzero(a.T)            # column-major order
    indptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=a.shape[1]))])
    return indptr.astype(np.int32), rows.astype(np.int32), a[rows, cols], a.shape


@dataclass(frozen=True)
class CscMatrix:
    """A matrix in compressed sparse column form, as Clarabel reads it (the attributes of
    :class:`scipy.sparse.csc_matrix` it uses: ``data``, ``indices``, ``indptr``, ``shape``)."""

    data: NDArray
    indices: NDArray
    indptr: NDArray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    #: Sorted indices, no duplicates (as :func:`csc_arrays` builds them).
    has_canonical_format = True


def csc_matrix(a, shape: tuple[int, int] | None = None) -> CscMatrix:
    """:class:`CscMatrix` of a dense array ``a``, or an all-zero one of ``shape`` when ``a`` is
    None (Clarabel's empty quadratic term)."""
    if a is None:
        rows, cols = shape
        return CscMatrix(np.zeros(0), np.zeros(0, dtype=np.int32),
                         np.zeros(cols + 1, dtype=np.int32), (int(rows), int(cols)))
    indptr, indices, data, shape = csc_arrays(a)
    return CscMatrix(data, indices, indptr, (int(shape[0]), int(shape[1])))

#: Status prefix of a solve that ended in a solver panic or a solver error.
SOLVER_PANIC = "solver_error"


def _fatal(exc: BaseException) -> bool:
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError))


_FD_LOCK = threading.Lock()


@contextmanager
def _captured_stderr():
    """Send file descriptor 2 to a temporary file for the duration (Rust's panic hook writes its
    message and backtrace there, bypassing ``sys.stderr``); yields a function returning the
    captured text.  A no-op (capturing nothing) when fd 2 cannot be duplicated."""
    import tempfile     # (here: ~2 ms of start-up for commands that never capture)

    captured: list[str] = []
    try:
        saved = os.dup(2)
    except OSError:
        yield lambda: ""
        return
    with _FD_LOCK, tempfile.TemporaryFile(mode="w+b") as tmp:
        try:
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass
        os.dup2(tmp.fileno(), 2)
        try:
            yield lambda: "".join(captured)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.append(tmp.read().decode("utf-8", "replace"))


def run_guarded(call: Callable[[], Any]) -> tuple[Any, str | None]:
    """Run ``call()``; return ``(result, None)`` or ``(None, "solver_error: ...")`` when it raised
    (including a Rust panic, whose message on stderr is then suppressed: the status carries it).
    Anything else the call writes to stderr is passed on.  Interrupts and ``MemoryError``
    propagate."""
    error = None
    with _captured_stderr() as text:
        try:
            result = call()
        except BaseException as exc:  # noqa: BLE001 - PanicException is a BaseException
            if _fatal(exc):
                raise
            lines = str(exc).strip().splitlines()
            error = f"{SOLVER_PANIC}: {type(exc).__name__}: {lines[0] if lines else ''}"[:200]
            result = None
    if error is None and text():
        sys.stderr.write(text())
    return result, error


def solve_problem(prob, **options) -> str:
    """Solve a cvxpy problem with Clarabel (warnings silenced); return ``prob.status``, or
    ``"solver_error: ..."`` when the solver raised or panicked."""
    import cvxpy as cp

    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prob.solve(solver=cp.CLARABEL, **options)

    _, error = run_guarded(call)
    return error if error is not None else str(prob.status)
