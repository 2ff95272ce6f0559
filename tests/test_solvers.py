"""Solver failures are statuses: errors and Rust panics of Clarabel never escape (SPEC §6)."""

import numpy as np
import pytest

from qkdbounds._solvers import SOLVER_PANIC, run_guarded
from qkdbounds.separability._engine import PPT_MARGIN
from qkdbounds.separability._exact import best_separable_approximation
from qkdbounds.states.two_qubit import bell_diagonal_state


class FakePanic(BaseException):
    """Stands for pyo3_runtime.PanicException (a BaseException, not an Exception)."""


def _panics():
    raise FakePanic("Eigval error: Eigen(1)\nmore")


def test_panic_becomes_status():
    result, error = run_guarded(_panics)
    assert result is None
    assert error == f"{SOLVER_PANIC}: FakePanic: Eigval error: Eigen(1)"


def test_result_passes_through():
    assert run_guarded(lambda: 42) == (42, None)


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit, MemoryError])
def test_interrupts_propagate(exc):
    def call():
        raise exc()

    with pytest.raises(exc):
        run_guarded(call)


def test_real_clarabel_panic_is_a_status(capfd):
    # rank-2 Bell-diagonal state: with X^Gamma >= margin the SDP is infeasible and Clarabel 0.11
    # panics in the PSD cone's step length; the exact optimum (margin 0) is 2 * (1 - 0.95)
    rho = bell_diagonal_state((0.95, 0, 0, 0.05))
    value, x, status = best_separable_approximation(rho, (2, 2), margin=PPT_MARGIN * 0.1)
    assert np.isnan(value) and x is None and status != "optimal"
    assert "panicked" not in capfd.readouterr().err
    value, _, status = best_separable_approximation(rho, (2, 2))
    assert status == "optimal" and value == pytest.approx(0.1, abs=1e-7)


# --- Clarabel without SciPy's package imports (issue 19, start-up) --------------------------

_FRESH = r"""
import json, sys
import numpy as np
{before}
from qkdbounds.separability._engine import _ppt_relaxation
phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
rho = 0.8 * np.outer(phi, phi) + 0.2 * np.eye(4) / 4
value, _, status = _ppt_relaxation(rho, (2, 2), [[1]])
loaded = sorted(m for m in sys.modules if m.startswith("scipy.linalg") or m.startswith("scipy.sparse"))
import scipy.linalg
from scipy.linalg import cython_lapack
same = (cython_lapack is sys.modules["scipy.linalg.cython_lapack"]
        # the package's attributes and __all__ as without qkdbounds
        and scipy.linalg.cython_lapack is cython_lapack
        and scipy.linalg.cython_blas is sys.modules["scipy.linalg.cython_blas"]
        and set(["cython_lapack", "cython_blas"]) <= set(scipy.linalg.__all__))
eig = scipy.linalg.eigh(rho, eigvals_only=True).tolist()
print(json.dumps([value, status, loaded, same, eig]))
"""


def _fresh(before=""):
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _FRESH.format(before=before)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_clarabel_runs_without_scipy_linalg_and_sparse():
    value, status, loaded, same, eig = _fresh()
    # solved, and only the two table modules of scipy.linalg were loaded; the separable weight of
    # the two-qubit isotropic state is 3(1 - v)/2 for v >= 1/3 (Lewenstein & Sanpera, PRL 80,
    # 2261 (1998)): 0.3 at v = 0.8
    assert status == "optimal"
    assert value == pytest.approx(0.3, abs=1e-7)
    assert loaded == ["scipy.linalg.cython_blas", "scipy.linalg.cython_lapack"]
    # scipy.linalg imported afterwards uses the same table module and works
    assert same
    assert eig == pytest.approx([0.05, 0.05, 0.05, 0.85], abs=1e-12)
    # the fallback (the usual imports: scipy.linalg loaded first) gives the same number
    value2, status2, loaded2, _, _ = _fresh("import scipy.linalg, scipy.sparse")
    assert status2 == "optimal" and "scipy.linalg" in loaded2
    assert value == pytest.approx(value2, abs=1e-12)


def test_clarabel_falls_back_when_the_tables_are_not_found():
    # no extension suffix matches: the tables are left to Clarabel's usual import
    value, status, loaded, same, _ = _fresh("import importlib.machinery\n"
                                            "importlib.machinery.EXTENSION_SUFFIXES[:] = ['.none']")
    assert status == "optimal" and same
    assert "scipy.linalg" in loaded
    ref, *_ = _fresh()
    assert value == pytest.approx(ref, abs=1e-12)


def test_csc_matrix_matches_scipy():
    from scipy import sparse

    from qkdbounds._solvers import csc_matrix

    rng = np.random.default_rng(3)
    a = rng.standard_normal((7, 5)) * (rng.random((7, 5)) < 0.4)
    ours, ref = csc_matrix(a), sparse.csc_matrix(a)
    ref.eliminate_zeros()
    assert ours.shape == ref.shape and ours.nnz == ref.nnz
    np.testing.assert_array_equal(ours.indptr, ref.indptr)
    np.testing.assert_array_equal(ours.indices, ref.indices)
    np.testing.assert_array_equal(ours.data, ref.data)
    empty = csc_matrix(None, (4, 4))
    assert empty.shape == (4, 4) and empty.nnz == 0 and list(empty.indptr) == [0] * 5


_INTERRUPTED = r"""
import importlib.machinery, json, sys, threading, time
import numpy as np
exec_module = importlib.machinery.ExtensionFileLoader.exec_module
calls = []
def patched(self, module):
    if module.__name__ == "scipy.linalg.cython_blas" and {mode!r} == "interrupt" and not calls:
        calls.append(1)
        raise KeyboardInterrupt
    if module.__name__.startswith("scipy.linalg.cython") and {mode!r} == "slow":
        time.sleep(0.5)          # another thread imports scipy.linalg meanwhile
    return exec_module(self, module)
importlib.machinery.ExtensionFileLoader.exec_module = patched
from qkdbounds._solvers import clarabel
from qkdbounds.separability._engine import _ppt_relaxation
errors = []
def other():
    time.sleep(0.1)
    try:
        import scipy.linalg
        scipy.linalg.qr_update      # a user of cython_lapack
    except BaseException as exc:
        errors.append(repr(exc))
thread = threading.Thread(target=other)
if {mode!r} == "slow":
    thread.start()
try:
    clarabel()
except KeyboardInterrupt:
    errors.append("interrupted")
if {mode!r} == "slow":
    thread.join()
half = [m for m, mod in sys.modules.items()
        if m.startswith("scipy.linalg.cython") and not hasattr(mod, "__pyx_capi__")]
phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
rho = 0.8 * np.outer(phi, phi) + 0.2 * np.eye(4) / 4
value, _, status = _ppt_relaxation(rho, (2, 2), [[1]])
import scipy.linalg
print(json.dumps([errors, half, value, status]))
"""


@pytest.mark.parametrize("mode", ["interrupt", "slow"])
def test_table_loading_is_atomic(mode):
    """An interrupted load leaves no half-initialised module (the solve and scipy.linalg work
    afterwards); a thread importing scipy.linalg during the load waits for it (the import lock)."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _INTERRUPTED.format(mode=mode)],
                         capture_output=True, text=True, check=True)
    errors, half, value, status = json.loads(out.stdout.strip().splitlines()[-1])
    assert errors == (["interrupted"] if mode == "interrupt" else [])
    assert half == []
    assert status == "optimal" and value == pytest.approx(0.3, abs=1e-7)


def test_no_finder_left_after_scipy_linalg_import():
    import subprocess
    import sys

    code = ("import sys, numpy as np\nfrom qkdbounds._solvers import clarabel, _TablesAsAttributes\n"
            "clarabel()\nbefore = any(isinstance(f, _TablesAsAttributes) for f in sys.meta_path)\n"
            "import scipy.linalg\n"
            "after = any(isinstance(f, _TablesAsAttributes) for f in sys.meta_path)\n"
            "print(before, after, type(scipy.linalg.__loader__).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "SourceFileLoader"]
