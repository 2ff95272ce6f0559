"""Issue 21, item 1 (start-up time of one DI point): the default ``di-attack`` point runs without
SciPy's optimiser (HiGHS through ``highspy``, vectorised searches), and every replacement gives
the numbers of the SciPy route it replaced (second routes), and the recorded bounds of the version
before it are not weakened."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qkdbounds.di.attack import di_cc_attack, noisy_preprocessing_one_way, _cond_entropy
from qkdbounds.di.bell_data import bell_box
from qkdbounds.info.entropy import shannon_entropy

RECORDED = json.loads((Path(__file__).parent / "data" / "di_attack_before_issue21_startup.json").read_text())


def test_default_point_imports_no_scipy_optimiser():
    # the CLI's default DI point in a fresh interpreter: which SciPy modules did it load?
    code = ("import sys, io, contextlib\n"
            "from qkdbounds.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    rc = main(['di-attack', '--eta', '0.92', '--visibility', '1', '--json', '--quiet'])\n"
            "print(rc, sorted(m for m in sys.modules if m.split('.')[:2] in (['scipy', 'optimize'], "
            "['scipy', 'special'], ['scipy', 'linalg'], ['scipy', 'sparse'])))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0 []", out


def test_highs_linprog_matches_scipy_linprog():
    # second route: scipy.optimize.linprog(method="highs") on the same LPs (optimum, duals, status)
    from scipy.optimize import linprog as scipy_linprog

    from qkdbounds.di._highs import linprog

    rng = np.random.default_rng(11)
    for _ in range(20):
        a_ub, b_ub = rng.uniform(0, 1, (6, 9)), rng.uniform(1, 2, 6)
        a_eq = rng.uniform(0, 1, (3, 9))
        b_eq = a_eq @ rng.uniform(0, 0.2, 9)
        c = rng.normal(size=9)
        ours = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq)
        ref = scipy_linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert ours.exit_code == ref.status == 0
        assert ours.fun == pytest.approx(ref.fun, abs=1e-9)
        np.testing.assert_allclose(ours.ineqlin_marginals, ref.ineqlin.marginals, atol=1e-9)
        np.testing.assert_allclose(ours.eqlin_marginals, ref.eqlin.marginals, atol=1e-9)
    infeasible = linprog([1.0], A_eq=np.array([[1.0]]), b_eq=[-1.0])
    assert infeasible.exit_code == 2 and infeasible.x is None


def test_sparse_and_dense_local_model_give_the_same_local_weight(monkeypatch):
    # the local-model matrix is dense up to _DENSE_LIMIT entries, SciPy sparse above: both routes
    import qkdbounds.di.locality as loc

    box = bell_box(np.pi / 4, 0.97, 0.9, binning="none")
    dense = loc.local_weight(box)
    assert isinstance(loc.local_model_matrix(box.probabilities.shape)[0], np.ndarray)
    loc._cached_matrix.cache_clear()
    monkeypatch.setattr(loc, "_DENSE_LIMIT", 0)
    try:
        assert not isinstance(loc.local_model_matrix(box.probabilities.shape)[0], np.ndarray)
        sparse = loc.local_weight(box)
    finally:
        loc._cached_matrix.cache_clear()
    assert sparse.value == pytest.approx(dense.value, abs=1e-9)
    assert sparse.dual_bound == pytest.approx(dense.dual_bound, abs=1e-9)


def _noisy_reference(joint, grid=51):
    """The previous route: a grid, then SciPy's bounded Brent search around the best point."""
    from scipy.optimize import minimize_scalar

    def rate(flip):
        j = (1 - flip) * joint + flip * joint[:, ::-1, :]
        pk = j.sum(axis=0)
        return _cond_entropy(j, 1) - (shannon_entropy(pk) - shannon_entropy(pk.sum(axis=0)))

    flips = np.linspace(0.0, 0.5, grid)
    values = [rate(f) for f in flips]
    k = int(np.argmax(values))
    best = values[k]
    res = minimize_scalar(lambda f: -rate(f), bounds=(flips[max(k - 1, 0)], flips[min(k + 1, grid - 1)]),
                          method="bounded", options={"xatol": 1e-9})
    return max(0.0, best, -res.fun)


def test_noisy_preprocessing_one_way_not_below_the_brent_search():
    # the one-way bound with noisy preprocessing is a maximum over p: the vectorised zooms must
    # find at least what the scalar search found (an upper bound must not be under-maximised)
    rng = np.random.default_rng(4)
    for _ in range(60):
        n_e, n_b = rng.integers(2, 7), rng.integers(2, 4)
        joint = rng.dirichlet(np.full(n_e * 2 * n_b, rng.uniform(0.2, 2))).reshape(n_e, 2, n_b)
        joint[:, 0, 0] += rng.uniform(0, 0.5)
        joint[:, 1, -1] += rng.uniform(0, 0.5)
        joint /= joint.sum()
        value, flip = noisy_preprocessing_one_way(joint)
        assert value >= _noisy_reference(joint) - 1e-13
        assert 0.0 <= flip <= 0.5


def test_noisy_preprocessing_lower_bound_not_below_the_brent_search():
    # the same for the literature bound of Ho et al. 2020 (maximised over p by the zooms)
    from scipy.optimize import minimize_scalar

    from qkdbounds.di.preprocessing import _key_terms, _leaky, best_lower_bound, flipped_error_cost, \
        noisy_preprocessing_entropy

    for v, eta in [(1.0, 0.95), (0.98, 0.97), (0.95, 1.0), (1.0, 0.93)]:
        box = bell_box(np.pi / 4, v, eta)
        _, t_key, t_other, table = _key_terms(box)
        s = min(t_key + t_other, 2 * np.sqrt(2))

        def rate(p):
            return _leaky(noisy_preprocessing_entropy(s, p), flipped_error_cost(table, p), 0.0, "uniform")

        grid = np.linspace(0, 0.5, 26)
        k = int(np.argmax([rate(p) for p in grid]))
        res = minimize_scalar(lambda p: -rate(p), bounds=(grid[max(k - 1, 0)], grid[min(k + 1, 25)]),
                              method="bounded", options={"xatol": 1e-10})
        ours = best_lower_bound(box).candidates["noisy_preprocessing"]["expression"]
        assert ours >= max(-res.fun, rate(grid[k])) - 1e-13


def test_solve_mass_is_the_root():
    from qkdbounds.di._cc_batch import _solve_mass

    rng = np.random.default_rng(2)
    pi = rng.dirichlet(np.ones(4), 200)
    pi[::5, 1] = 0.0                            # product references with a zero entry
    pi /= pi.sum(axis=1, keepdims=True)
    lo = rng.uniform(0, 0.3, (200, 4)) * (rng.uniform(size=(200, 4)) > 0.2)
    hi = lo + rng.uniform(0, 0.3, (200, 4)) * (rng.uniform(size=(200, 4)) > 0.2)
    mass = _solve_mass(pi, lo, hi)
    residual = np.clip(mass[:, None] * pi, lo, hi).sum(axis=1) - mass
    assert np.abs(residual).max() < 1e-12


@pytest.mark.parametrize("r", [r for r in RECORDED["points"] if r["binning"] == "both"],
                         ids=lambda r: f"v{r['v']}-eta{r['eta']}-L{r['L']}")
def test_not_weaker_than_before_the_startup_work(r):
    # the bounds recorded with the code before this change (default effort), at the same points:
    # the search may only find better attacks (1e-9: the final LP decomposition's round-off)
    box = bell_box(np.pi / 4, r["v"], r["eta"], binning=r["binning"])
    new = di_cc_attack(box, r["L"])
    assert new.value <= r["upper"] + 1e-9
    assert new.one_way <= r["one_way"] + 1e-9
    assert new.one_way_reverse <= r["one_way_reverse"] + 1e-9


def test_processing_only_on_the_requested_rows_changes_no_value():
    # the lockstep batch values Eve's processing (the two-way bound) only on the rows of the
    # two-way runs: those rows get exactly the values of a full evaluation, the others two = inf
    # (never recorded for the two-way bound) and the same one-way values
    from qkdbounds.di._cc_search import AttackSearch
    from qkdbounds.di.attack import _structured_starts

    box = bell_box(np.pi / 4, 0.98, 0.93)
    rng = np.random.default_rng(5)
    ideal = _structured_starts(box.source, "both", box.key_settings[0])[0]    # the ideal box
    z = np.concatenate([ideal + rng.normal(0, 0.05, (40, ideal.size)), np.zeros((40, 2))], axis=1)
    z[20:, -2:] = rng.uniform(0, 0.2, (20, 2))          # one-sided rows too
    mask = rng.uniform(size=40) < 0.5
    full = AttackSearch(box.probabilities, box.key_settings, "both", 0.05, "uniform").evaluate(z)
    part = AttackSearch(box.probabilities, box.key_settings, "both", 0.05, "uniform").evaluate(z, None, mask)
    feasible = full["two"] < 1e3
    assert feasible[mask].sum() >= 5 and feasible[~mask].sum() >= 5
    np.testing.assert_array_equal(part["two"][mask], full["two"][mask])
    np.testing.assert_array_equal(part["gamma"][mask], full["gamma"][mask])
    assert np.all(part["two"][~mask & feasible] == np.inf)
    assert np.all(part["two"][~feasible] == full["two"][~feasible])
    for o in ("one", "rev", "t"):
        np.testing.assert_array_equal(part[o], full[o])
