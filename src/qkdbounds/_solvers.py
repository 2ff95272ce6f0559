"""Calling the conic solver (Clarabel) so that every failure is a status, never an exception.

Clarabel is written in Rust; an internal failure (e.g. ``Eigval error`` in the PSD cone's step
length on rank-deficient data) surfaces in Python as ``pyo3_runtime.PanicException``, which
derives from :class:`BaseException` and so escapes ``except Exception``.  Every solve in the
library goes through :func:`solve_problem` or :func:`run_guarded`, which turn solver errors and
panics into a status string (SPEC §6: a failed solve is a status).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

__all__ = ["SOLVER_PANIC", "run_guarded", "solve_problem"]

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
