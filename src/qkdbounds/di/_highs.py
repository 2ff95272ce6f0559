r"""Linear programs of the DI side on HiGHS directly (start-up time, issue 21).

:func:`scipy.optimize.linprog` runs the same solver (HiGHS, dual simplex), but
``import scipy.optimize`` costs 0.5-0.8 s with SciPy >= 1.15 (it parses every public docstring at
import), 3-5x ``python -c "import numpy"``, while ``highspy`` (a dependency of cvxpy) imports in
~20 ms.  :func:`linprog` is the small subset of ``linprog(method="highs")`` the DI modules use:

.. math:: \min c^{\mathsf T}x \quad\text{s.t.}\quad A_{ub}x \le b_{ub},\ A_{eq}x = b_{eq},\ x \ge 0,

with the same options (dual simplex, presolve) and the same sign convention of the row duals
(``ineqlin_marginals``, ``eqlin_marginals``: :math:`\partial\,\text{optimum}/\partial b`).

Reference: Q. Huangfu and J. A. J. Hall, *Parallelizing the dual revised simplex method*,
Math. Prog. Comp. 10, 119 (2018); https://highs.dev.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._solvers import csc_arrays

__all__ = ["LPResult", "linprog", "quiet_highs"]

#: ``simplex_strategy`` of HiGHS for the dual simplex (what ``scipy.optimize.linprog`` selects).
_DUAL_SIMPLEX = 1


@dataclass
class LPResult:
    """Outcome of :func:`linprog` (mutable, as :class:`scipy.optimize.OptimizeResult`).

    ``exit_code`` is :func:`scipy.optimize.linprog`'s ``status``: 0 optimal, 2 infeasible,
    3 unbounded, 4 other; ``x`` and the marginals are None unless ``exit_code == 0``.  (Not named
    ``status``: results of qkdbounds carry a :class:`~qkdbounds.status.Status` under that name.)
    """

    x: NDArray | None
    fun: float | None
    exit_code: int
    message: str
    ineqlin_marginals: NDArray | None = None
    eqlin_marginals: NDArray | None = None


def quiet_highs():
    """A HiGHS instance that writes nothing (the core class: ``highspy.Highs`` prints a banner on
    stdout when constructed, which would corrupt the CLI's JSON)."""
    from highspy._core import _Highs

    h = _Highs()
    for option, value in (("output_flag", False), ("log_to_console", False)):
        h.setOptionValue(option, value)
    return h


def _stack(blocks: list) -> tuple[NDArray, NDArray, NDArray, tuple[int, int]]:
    """CSC arrays of the row-stacked blocks (dense or sparse)."""
    if len(blocks) == 1:
        return csc_arrays(blocks[0])
    if any(hasattr(b, "tocsc") for b in blocks):
        from scipy.sparse import csc_matrix, vstack

        return csc_arrays(vstack([csc_matrix(b) for b in blocks]).tocsc())
    return csc_arrays(np.vstack([np.asarray(b, dtype=float) for b in blocks]))


def linprog(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, *,  # noqa: N803 - scipy's names
            primal_feasibility_tolerance: float | None = None,
            dual_feasibility_tolerance: float | None = None) -> LPResult:
    r"""``scipy.optimize.linprog(c, A_ub, b_ub, A_eq, b_eq, bounds=(0, None), method="highs")``
    on ``highspy`` (module docstring).

    Parameters
    ----------
    c : array_like, shape (n,)
    A_ub, A_eq : ndarray or SciPy sparse matrix, shape (m_ub, n) / (m_eq, n), optional
    b_ub, b_eq : array_like
    primal_feasibility_tolerance, dual_feasibility_tolerance : float, optional
        HiGHS' tolerances (default 1e-7).

    Returns
    -------
    LPResult

    Examples
    --------
    >>> r = linprog([-1.0, -1.0], A_ub=np.array([[1.0, 2.0], [3.0, 1.0]]), b_ub=[4.0, 6.0])
    >>> r.exit_code, round(r.fun, 12), np.round(r.x, 12).tolist()
    (0, -2.8, [1.6, 1.2])
    """
    from highspy._core import HighsLp, HighsModelStatus, MatrixFormat, kHighsInf

    c = np.asarray(c, dtype=float)
    n = c.size
    blocks, lhs, rhs = [], [], []
    m_ub = 0
    if A_ub is not None:
        b = np.asarray(b_ub, dtype=float).ravel()
        m_ub = b.size
        blocks.append(A_ub)
        lhs.append(np.full(m_ub, -kHighsInf))
        rhs.append(b)
    if A_eq is not None:
        b = np.asarray(b_eq, dtype=float).ravel()
        blocks.append(A_eq)
        lhs.append(b)
        rhs.append(b)
    indptr, indices, data, shape = _stack(blocks)
    if shape[1] != n:
        raise ValueError(f"the constraint matrices have {shape[1]} columns; c has {n} entries")
    lp = HighsLp()
    lp.num_col_, lp.num_row_ = n, shape[0]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, shape[0]
    lp.a_matrix_.format_ = MatrixFormat.kColwise
    lp.col_cost_ = c
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, kHighsInf)
    lp.row_lower_ = np.concatenate(lhs)
    lp.row_upper_ = np.concatenate(rhs)
    lp.a_matrix_.start_ = indptr
    lp.a_matrix_.index_ = indices
    lp.a_matrix_.value_ = data
    h = quiet_highs()
    h.setOptionValue("simplex_strategy", _DUAL_SIMPLEX)
    for option, value in (("primal_feasibility_tolerance", primal_feasibility_tolerance),
                          ("dual_feasibility_tolerance", dual_feasibility_tolerance)):
        if value is not None:
            h.setOptionValue(option, float(value))
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    message = h.modelStatusToString(status)
    if status != HighsModelStatus.kOptimal:
        code = {HighsModelStatus.kInfeasible: 2, HighsModelStatus.kUnbounded: 3}.get(status, 4)
        return LPResult(None, None, code, message)
    sol = h.getSolution()
    duals = np.array(sol.row_dual, dtype=float)
    return LPResult(np.array(sol.col_value, dtype=float), float(h.getInfo().objective_function_value), 0, message,
                    duals[:m_ub], duals[m_ub:])
