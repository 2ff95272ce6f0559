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
