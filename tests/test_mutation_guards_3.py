"""Mutation-pass tests, third pass (issue 23 item 5): the survivors of the second pass
(test_mutation_guards_2.py) and of the pass over the wave-3 modules (di/attack.py,
di/_cc_batch.py, di/_cc_search.py, di/locality.py, repeaters/network.py, repeaters/planner.py,
bounds/source_bound.py).  Each test pins a tolerance, a guard or a number that the other tests
left free, so that the one-token bug named in its docstring ("Bug caught", with its id in
docs/mutation.md), planted in src, fails it (checked with the bug planted; the test passes
without).  Expected values are closed forms, known values (cited) or a second route."""

import sys
import types

import numpy as np
import pytest

from qkdbounds.errors import InputError


# --- separability -----------------------------------------------------------------------------

def test_isotropic_separable_weight_5e_11_is_not_rounded_to_zero():
    """A 3 x 3 isotropic state with separable weight q = d(1-F)/(d-1) = 5e-11 (Horodecki &
    Horodecki, PRA 59, 4206 (1999)) keeps that weight: its closed-form ensemble is certified
    with q between the exact 5e-11 and 5e-11 + 12e-12 (certify_weight's atol 1e-12 divided by
    sigma's smallest eigenvalue 1/(d(d+1)) = 1/12, the isotropic state at F = 1/d); a weight of
    5e-13 is below ATOL_WEIGHT (1e-12) and is 0.
    Bug caught (E3): ATOL_WEIGHT x100 (1e-12 -> 1e-10) turns the 5e-11 into 'no separable part'."""
    from qkdbounds.separability import certified_separable_weight
    from qkdbounds.states.sources import make_source

    d = 3
    phi = np.eye(d).reshape(-1) / np.sqrt(d)
    proj = np.outer(phi, phi)
    for q, low, high in ((5e-11, 4.99e-11, 5e-11 + 12.1e-12), (5e-13, 0.0, 0.0)):
        f = 1 - q * (d - 1) / d
        rho = f * proj + (1 - f) * (np.eye(d * d) - proj) / (d * d - 1)
        res = certified_separable_weight(make_source(rho, (d, d)), rng=np.random.default_rng(0))
        assert res.method == "closed_form"
        assert low <= res.weight <= high


@pytest.mark.parametrize("dims", [(2, 3), (3, 2)])
def test_dps_extends_the_smaller_party(monkeypatch, dims):
    """The level-2 DPS extension copies the smaller party (module docstring of
    qkdbounds.separability.dps): matrices of size d_A d_B^2 with d_B = min(dims), which is the
    size dps_size() checks against MAX_DPS_DIM.  The symmetric isometry is therefore built
    for dimension 2 whether the qubit is first or second (the SDP is not solved here: the spy
    stops the call, and cvxpy is not needed before that point).
    Bug caught (D1): the swap condition reversed (the larger party extended: a 2 x 5 complex
    input would then build 2 * 25 * 2 = 100 > 64 matrices past the size guard)."""
    from qkdbounds.separability import dps
    from qkdbounds.states.sources import make_source

    class Seen(Exception):
        pass

    def spy(local_dim):
        raise Seen(local_dim)

    monkeypatch.setitem(sys.modules, "cvxpy", types.ModuleType("cvxpy"))
    monkeypatch.setattr(dps, "symmetric_isometry", spy)
    rho = np.eye(6) / 6
    with pytest.raises(Seen) as seen:
        dps.dps_outer_weight(make_source(rho, dims))
    assert seen.value.args == (2,)


# --- DI window and region ---------------------------------------------------------------------

def test_upper_zero_is_located_to_1e12():
    """_upper_zero bisects to XTOL_UPPER_ZERO = 1e-12 with 'zero' meaning exactly 0
    (ATOL_ZERO = 0): for a route (v - 0.4)^2 above 0.4, 0 below (rising quadratically, as the
    bounds do), it returns a point within 1e-12 above 0.4.  Second route, the package's CC upper
    bound on Werner states without leakage: zero up to the separable point v = 1/3 (Werner,
    PRA 40, 4277 (1989)) and positive just above it; the zero is found within 1e-7 of 1/3
    (round-off of ~1e-16 bits near the zero moves it by ~5e-9).
    Bugs caught: (W1) a zero tolerance 1e-10 bits (moves the zero by its square root, 1e-5);
    (W2) XTOL_UPPER_ZERO x100."""
    from qkdbounds.di import window

    def route(v, leakage, model):
        return np.where(v > 0.4, (v - 0.4) ** 2, 0.0), ["optimal"] * len(v), "stub"

    z = window._upper_zero(route, 0.0, "uniform")
    assert 0.4 < z <= 0.4 + 1e-12
    z = window._upper_zero(window.default_upper_bound, 0.0, "uniform", 0.3, 0.35)
    assert abs(z - 1 / 3) < 1e-7


def test_last_crossing_brackets_the_largest_crossing():
    """_last_crossing: (grid point, next grid point) around the largest crossing from 0 to
    positive.  For positive = F T F F T T on 0..5 the largest crossing lies between 3 and 4
    (a bound that dips back to 0 at 2, 3 has its key threshold above 3); none if the last
    point is 0 or every point is positive.
    Bugs caught: (R1) the bracket offset by one grid point, (R4) the first zero (the smallest
    crossing) taken instead of the last."""
    from qkdbounds.di.region import _last_crossing

    grid = np.arange(6.0)
    positive = np.array([False, True, False, False, True, True])
    assert _last_crossing(grid, positive) == (3.0, 4.0)
    assert _last_crossing(grid, np.array([False, False, True, True, True, True])) == (1.0, 2.0)
    assert _last_crossing(grid, np.array([True] * 5 + [False])) is None
    assert _last_crossing(grid, np.ones(6, dtype=bool)) is None


def test_transported_eve_box_scales_its_efficiencies():
    """di_region seeds the attack at eta' < eta with the optimum at eta, its detector
    efficiencies scaled by eta'/eta: lowering eta is local loss with survival eta'/eta
    (di_eta_window's docstring), so Eve's box at efficiencies eta_E eta'/eta gives the honest box
    at eta' what her box at eta_E gave the box at eta.  Moving up never raises them above the
    found ones (scale capped at 1), and eta = 0 has nothing to transport.
    Bug caught (R2): the ratio inverted (eta/eta', capped at 1: the seed is not moved)."""
    from qkdbounds.di.attack import EveBox
    from qkdbounds.di.region import _transport

    eve = EveBox(np.pi / 4, (0.0, np.pi / 2), (np.pi / 4, -np.pi / 4), 0.9, 0.95, "both")
    moved = _transport(eve, 0.9, 0.72)
    assert moved.eta_a == pytest.approx(0.9 * 0.8, abs=1e-15)
    assert moved.eta_b == pytest.approx(0.95 * 0.8, abs=1e-15)
    assert (moved.theta, moved.alice_angles, moved.bob_angles, moved.binning) == \
        (eve.theta, eve.alice_angles, eve.bob_angles, eve.binning)
    up = _transport(eve, 0.72, 0.9)
    assert (up.eta_a, up.eta_b) == (0.9, 0.95)
    assert _transport(eve, 0.0, 0.5) is None and _transport(None, 0.9, 0.8) is None


# --- DI locality ------------------------------------------------------------------------------

def test_local_certificate_keeps_weights_above_1e12():
    """strategy_list lists every weight above WEIGHT_FLOOR = 1e-12, so the certificate's
    strategies rebuild D mu (the certified local part) to 1e-12 per dropped strategy: weights
    1 - 5e-11 and 5e-11 on two deterministic strategies of a CHSH box are both listed (their
    box is D mu entry by entry, summing to 1 per setting pair), a weight of 5e-13 is dropped.
    Bug caught (Lo1): WEIGHT_FLOOR x100 (the 5e-11 strategy disappears from the certificate)."""
    from qkdbounds.di.locality import local_model_matrix, strategy_list

    shape = (2, 2, 2, 2)
    d, _, _ = local_model_matrix(shape)
    mu = np.zeros(d.shape[1])
    mu[0], mu[5], mu[9] = 1 - 5e-11, 5e-11, 5e-13
    listed = strategy_list(mu, shape)
    assert [s["weight"] for s in listed] == [1 - 5e-11, 5e-11]
    rebuilt = np.zeros(shape)
    for s in listed:
        for x, a in enumerate(s["alice_outputs"]):
            for y, b in enumerate(s["bob_outputs"]):
                rebuilt[x, y, a, b] += s["weight"]
    assert np.abs(rebuilt.ravel() - d @ mu).max() <= 1e-12
    assert rebuilt.sum(axis=(2, 3)) == pytest.approx(np.ones((2, 2)), abs=1e-12)


# --- DI attack and its search -----------------------------------------------------------------

@pytest.mark.parametrize("residual, heuristic", [(1e-6, True), (1e-8, False)])
def test_di_attack_status_heuristic_above_residual_1e7(monkeypatch, residual, heuristic):
    """di_cc_attack's status contract (DIAttackBound docstring): 'heuristic' when Eve's
    decomposition p = D mu + t Q' + ... misses the box by more than 1e-7 (the attack is then not
    an exact rewriting of the box), with the residual in the message; 'certified' otherwise.
    The rebuilt attack is the real one (eta_A = 0.9, a quick search) with its residual replaced
    by 1e-6 or 1e-8; the value is unchanged either way.
    Bug caught (A1): the residual threshold x100 (1e-7 -> 1e-5: a 1e-6 miss called certified)."""
    import dataclasses

    from qkdbounds.di import attack
    from qkdbounds.di.bell_data import bell_box
    from qkdbounds.status import Status

    real = attack._attack_final

    def with_residual(*args, **kwargs):
        out = real(*args, **kwargs)
        if out is None:
            return out
        value, dec, plain, info = out
        return value, dataclasses.replace(dec, residual=residual), plain, info

    monkeypatch.setattr(attack, "_attack_final", with_residual)
    r = attack.di_cc_attack(bell_box(eta_a=0.9), 0.0, n_starts=0, maxfev=20)
    assert r.certificate["decomposition_residual"] == residual
    assert r.value > 0.1
    if heuristic:
        assert r.status == Status.HEURISTIC
        assert r.message == "inaccurate: decomposition residual 1.0e-06"
    else:
        assert r.status == Status.CERTIFIED and r.message == ""


@pytest.mark.parametrize("shape", [(3, 3), (3, 2), (2, 3)])
def test_batched_one_way_forms_equal_the_joint_route(shape):
    """one_way_batch (the search's batched Devetak-Winter forms, largest over the no-click
    binnings) equals one_way_forms on the explicit joint (second route): Eve knows both outputs
    on a label per (a, b) outside the '?' class and nothing in it.  Seeded key tables with three
    outcomes on one or both sides (the binning merges outcome 2 into 0).
    Bug caught (B3): the batched binning merges outcomes 3, ... instead of 2, ... (the
    no-click mass is dropped from binned keys)."""
    from qkdbounds.di._cc_batch import one_way_batch
    from qkdbounds.di.attack import one_way_forms

    rng = np.random.default_rng(3)
    pk = rng.random(shape)
    pk /= pk.sum()
    q = pk * rng.uniform(0.2, 0.8, size=shape)
    labels = []
    for a, b in np.ndindex(*shape):
        m = np.zeros(shape)
        m[a, b] = pk[a, b] - q[a, b]
        labels.append(m)
    forms = one_way_forms(np.stack(labels + [q]))
    direct, reverse = one_way_batch(q[None], pk)
    assert direct[0] == pytest.approx(forms["direct"], abs=1e-12)
    assert reverse[0] == pytest.approx(forms["reverse"], abs=1e-12)


def test_cone_lp_accepts_solutions_only_to_residual_1e9():
    """The search's warm-started LP (ConeLP: p = D mu + x Q', mu, x >= 0, min x) accepts a
    HiGHS answer only if it rewrites the box to RESIDUAL_TOL = 1e-9, otherwise re-solves cold
    and then gives up (None).  Box: eta_A = 0.9 (bell_box), column: the ideal box; the exact
    answer has residual ~1e-16.  The same answer read back with one local weight moved by 1e-8
    (a rewriting that misses p by 1e-8) is refused, moved by 1e-10 it is accepted with the same
    quantum weight.
    Bug caught (C1): RESIDUAL_TOL x100 (the 1e-8 miss accepted)."""
    from qkdbounds.di._cc_search import ConeLP
    from qkdbounds.di.bell_data import bell_box
    from qkdbounds.di.locality import local_model_matrix

    box = bell_box(eta_a=0.9).probabilities
    p, q = box.ravel(), bell_box().probabilities.ravel()
    d = local_model_matrix(box.shape)[0]
    cone = ConeLP(d, np.array([1.0]))
    x, _ = cone.solve(q[None, :], p)
    assert np.abs(d @ cone.mu + x[0] * q - p).max() <= 1e-12
    if cone.h is None:                       # scipy fallback (no highspy): no warm model
        pytest.skip("highspy not installed")

    class MovedAnswer:
        def __init__(self, h, delta):
            self._h, self.delta = h, delta

        def __getattr__(self, name):
            return getattr(self._h, name)

        def getSolution(self):
            sol = self._h.getSolution()
            col = np.array(sol.col_value)
            col[0] += self.delta
            return types.SimpleNamespace(col_value=col, row_dual=sol.row_dual)

    real = cone.h
    cone.h = MovedAnswer(real, 1e-8)
    assert cone.solve(q[None, :], p) is None
    cone.h = MovedAnswer(real, 1e-10)
    moved = cone.solve(q[None, :], p)
    assert moved is not None and moved[0][0] == pytest.approx(x[0], abs=1e-12)


def test_attack_search_records_only_verified_candidates():
    """AttackSearch._record keeps 'the best verified candidate of a batch for each bound': with
    an incomplete facet list the batch values are lower estimates (module docstring of
    di/_cc_batch.py), checked by an LP only for some candidates, so an unverified 0.1 must not
    displace a verified 0.5 (nor be recorded when it is alone); a verified 0.3 then improves the
    record.  Bug caught (C4): the verified mask dropped (the unverified estimate recorded)."""
    from qkdbounds.di._cc_search import AttackSearch
    from qkdbounds.di.bell_data import bell_box

    box = bell_box(eta_a=0.9)
    search = AttackSearch(box.probabilities, box.key_settings, "both", 0.0, "uniform")
    n_a, n_b = box.probabilities.shape[2:]

    def batch(values):
        v = np.array(values, dtype=float)
        return {"two": v, "one": v, "rev": v, "gamma": np.zeros((len(v), n_a, n_b))}

    z = np.zeros((2, search.dim))
    t, w = np.array([0.4, 0.3]), np.zeros((2, n_a))
    search._record(batch([0.1]), z[:1], t[:1], w[:1], np.array([False]))
    assert search.best["two"] is None
    search._record(batch([0.1, 0.5]), z, t, w, np.array([False, True]))
    assert search.best["two"].values["two"] == 0.5 and search.best["two"].t == 0.3
    search._record(batch([0.3, 0.05]), z, t, w, np.array([True, False]))
    assert search.best["two"].values["two"] == 0.3 and search.best["two"].t == 0.4


def test_nelder_mead_lockstep_spends_exactly_its_budget():
    """nelder_mead_lockstep: 'the budget counts the evaluations a sequential run would spend',
    and a run with budget m evaluates a prefix of the candidates it evaluates with M > m
    (its docstring).  A counting stand-in for the search (f = |z|^2, every value verified, LP
    mode) from a 3-dimensional start: budgets 1 .. 4 stop inside the initial simplex (4 points)
    after exactly that many evaluations, larger budgets never exceed theirs, and the shorter
    runs are prefixes of the longest.
    Bug caught (C3): the initial simplex / shrink step evaluating one point past the budget."""
    from qkdbounds.di._cc_search import nelder_mead_lockstep

    class Counting:
        exact = False

        def __init__(self):
            self.points = []

        def evaluate(self, z, objective, model=None):
            z = np.atleast_2d(z)
            self.points.extend(z.copy())
            f = (z ** 2).sum(axis=1)
            return {"two": f, "one": f, "rev": f, "verified": np.ones(len(z), dtype=bool)}

    runs = {}
    for budget in (1, 2, 3, 4, 9, 40):
        search = Counting()
        nelder_mead_lockstep(search, [(np.array([1.0, -0.5, 0.25]), "two", "lp")], budget)
        runs[budget] = np.array(search.points)
        if budget <= 4:
            assert len(search.points) == budget
        assert len(search.points) <= budget
    longest = runs[40]
    for budget, pts in runs.items():
        np.testing.assert_array_equal(pts, longest[:len(pts)])


# --- network ----------------------------------------------------------------------------------

def test_network_zero_key_visibility_is_the_grid_point_below_one_third():
    """The network's key model tabulates r(V) on N_RATE_GRID = 65537 visibilities and calls
    v_zero the last grid point with r = 0, so that every V <= v_zero has no key (the search
    prunes those paths).  For qubit links without leakage r(V) = 0 exactly for V <= 1/3 (the
    isotropic state is separable there: Horodecki & Horodecki, PRA 59, 4206 (1999)) and > 0
    above, so v_zero = floor(65536/3)/65536 = 21845/65536 (r = 0 there, > 0 one grid step up).
    Bug caught (N3): v_zero one grid point too high (the first point with key: a path at that
    visibility would be pruned although it carries key)."""
    from qkdbounds.repeaters.network import N_RATE_GRID, _KeyModel

    km = _KeyModel(0.0, "uniform", {})
    assert N_RATE_GRID == 65537
    assert km.v_zero == 21845 / 65536
    assert km.rate([km.v_zero])[0] == 0.0
    assert km.rate([km.v_zero + 1 / 65536])[0] > 0.0


def test_network_files_beyond_2000_nodes_are_refused(tmp_path):
    """load_network refuses a network with more than MAX_NETWORK_NODES = 2000 nodes before any
    search (the work estimate and the searches are sized for that), naming the count; a chain
    of 2000 nodes loads.  Bug caught (N4): the node-count guard removed."""
    import json

    from qkdbounds.repeaters.network import MAX_NETWORK_NODES, load_network

    assert MAX_NETWORK_NODES == 2000
    for n, ok in ((2000, True), (2001, False)):
        path = tmp_path / f"chain{n}.json"
        links = [{"source": i, "target": i + 1, "length_km": 10.0} for i in range(n - 1)]
        path.write_text(json.dumps({"links": links}))
        if ok:
            assert load_network(path).number_of_nodes() == 2000
        else:
            with pytest.raises(InputError, match="network has 2001 nodes; allowed: at most 2000"):
                load_network(path)


def test_visibility_objective_prefers_visibility_over_length():
    """The 'visibility' objective maximises the product of fresh link visibilities; length only
    breaks ties (TIE_BREAK_PER_KM = 1e-9 per km in -ln v).  A direct 600 km link of visibility
    0.9 beats a 2 x 50 km route whose product is 0.9 exp(-1e-6) (lower by 1e-6 in -ln v, more
    than the 5.5e-7 the 500 km difference is worth in the tie-break).
    Bug caught (N1): the tie-break x100 (5.5e-5 outweighs the visibility: the route is picked)."""
    import networkx as nx

    from qkdbounds.repeaters.network import best_path

    g = nx.Graph()
    g.add_edge("A", "C", length_km=600.0, visibility=0.9)
    g.add_edge("A", "B", length_km=50.0, visibility=0.95)
    g.add_edge("B", "C", length_km=50.0, visibility=0.9 * np.exp(-1e-6) / 0.95)
    r = best_path(g, "A", "C", 0.0, objective="visibility")
    assert r.path == ["A", "C"]
    assert r.fresh_chain_visibility == pytest.approx(0.9, abs=1e-15)


# --- source bound -----------------------------------------------------------------------------

def test_given_measurement_unitaries_checked_to_1e9():
    """A measurement given as a matrix must be unitary to ATOL_UNITARY = 1e-9
    (U^dagger U = I): U = [[1, e], [0, 1]] has U^dagger U = [[1, e], [e, 1 + e^2]], an
    off-diagonal miss of e; e = 1e-8 is refused with the tolerance named, e = 1e-10 is accepted
    (round-off of a unitary typed to 10 digits).
    Bug caught (S3): ATOL_UNITARY x100 (a matrix 1e-8 from unitary accepted)."""
    from qkdbounds.bounds.source_bound import _given_setting

    eye = np.eye(2)
    with pytest.raises(InputError, match=r"measurements\[0\] must be a 2 x 2 unitary "
                                         r"\(U\^dagger U = I within 1e-09\)"):
        _given_setting([np.array([[1.0, 1e-8], [0.0, 1.0]]), eye], (2, 2))
    _given_setting([np.array([[1.0, 1e-10], [0.0, 1.0]]), eye], (2, 2))


def test_source_ppt_outer_bound_only_within_the_engine_size(monkeypatch):
    """_ppt_outer gives the PPT outer bound 'as the engine's, for the same inputs', None beyond
    the engine's size (MAX_ENGINE_DIM = 36: an SDP on a 64 x 64 matrix costs minutes and the
    engine would not have produced a decomposition to compare it with).  A 4 x 4 x 4 source
    (D = 64) does not reach the solver; a 6 x 6 source (D = 36) does.
    Bug caught (S5): the size guard removed (the 64-dimensional SDP attempted)."""
    import qkdbounds.separability as sep
    from qkdbounds.bounds.source_bound import _ppt_outer
    from qkdbounds.separability._engine import MAX_ENGINE_DIM
    from qkdbounds.states.sources import make_source

    calls = []

    def solver(source):
        calls.append(source.matrix.shape[0])
        return 0.5

    monkeypatch.setattr(sep, "ppt_outer_weight", solver)
    assert MAX_ENGINE_DIM == 36
    assert _ppt_outer(make_source(np.eye(64) / 64, (4, 4, 4))) is None
    assert calls == []
    assert _ppt_outer(make_source(np.eye(36) / 36, (6, 6))) == 0.5
    assert calls == [36]


# --- data bound -------------------------------------------------------------------------------

def test_qber_bell_weights_refuses_t_outside_its_range():
    """Z and X data fix the Bell-diagonal weights up to the unmonitored weight
    t in [max(0, e_Z + e_X - 1), min(e_Z, e_X)] (module docstring of bounds/data_bound.py: the
    four weights 1 - e_Z - e_X + t, e_X - t, e_Z - t, t are >= 0 exactly there).  For
    e_Z = 0.1, e_X = 0.2, t = 0.15 makes e_Z - t < 0: refused, not clipped to 0.1 silently;
    t = 0.1 + 1e-13 (round-off) is accepted and gives (0.8, 0.1, 0, 0.1).
    Bug caught (DB2): the range check removed."""
    from qkdbounds.bounds.data_bound import qber_bell_weights

    with pytest.raises(InputError, match=r"t must be in \[0, 0.1\]"):
        qber_bell_weights(0.1, 0.2, t=0.15)
    with pytest.raises(InputError, match="t must be in"):
        qber_bell_weights(0.6, 0.7, t=0.2)               # below e_Z + e_X - 1 = 0.3
    lam = qber_bell_weights(0.1, 0.2, t=0.1 + 1e-13)
    assert lam == pytest.approx([0.8, 0.1, 0.0, 0.1], abs=1e-12)
