"""Mutation-pass tests (issue 23 item 5): each test pins a tolerance, a guard or a number that the
other tests left free, so that the one-token bug named in its docstring ("Bug caught"), planted
in src by the mutation pass, fails it (checked with the bug planted; the test passes without).
Expected values are closed forms, known values (cited) or a second route."""

import dataclasses

import numpy as np
import pytest

from qkdbounds.errors import InputError

SQRT2 = np.sqrt(2.0)


def _kron(ms):
    out = np.ones((1, 1), dtype=complex)
    for m in ms:
        out = np.kron(out, m)
    return out


def _two_qubit_isotropic(fidelity):
    """F|phi+><phi+| part: rho = v|phi+><phi+| + (1-v) 1/4 with F = v + (1-v)/4."""
    phi = np.array([1, 0, 0, 1]) / SQRT2
    v = (4 * fidelity - 1) / 3
    return v * np.outer(phi, phi) + (1 - v) * np.eye(4) / 4


# --- separability ---------------------------------------------------------------------------

def test_wootters_refuses_concurrence_1e8():
    """Wootters' construction needs zero concurrence; the two-qubit isotropic state has
    C = max(0, 2F - 1) (Wootters, PRL 80, 2245 (1998); Horodecki, PRA 59, 4206 (1999)), so
    F = 1/2 + 5e-9 has C = 1e-8 > 1e-9 and is refused, F = 1/2 + 5e-11 is accepted.
    Bug caught: the concurrence tolerance x100 (1e-9 -> 1e-7)."""
    from qkdbounds.separability._ensemble import mix
    from qkdbounds.separability._exact import wootters_ensemble

    with pytest.raises(InputError, match="concurrence"):
        wootters_ensemble(_two_qubit_isotropic(0.5 + 5e-9))
    rho = _two_qubit_isotropic(0.5 + 5e-11)
    w, v, _ = wootters_ensemble(rho)
    assert np.abs(mix(w, v) - rho).max() < 1e-9


def test_finalise_rejects_an_ensemble_that_does_not_reassemble():
    """The engine's final step accepts an ensemble only if it reassembles its target to
    TOL_RESIDUAL (1e-9): |00><00| is not 1/4 (residual sqrt(3)/2), and |00><00| with a 1e-8
    weight on |11><11| is not |00><00| either.  Bug caught: the residual check skipped."""
    from qkdbounds.separability._engine import _finalise

    e0 = np.array([[1, 0j]])
    rho = np.eye(4) / 4
    assert _finalise(rho, (2, 2), rho, [1.0], [e0, e0], whole=True) is None
    target = np.diag([1.0, 0, 0, 0]).astype(complex)
    near = [np.array([[1, 0j], [0, 1]]), np.array([[1, 0j], [0, 1]])]
    assert _finalise(target, (2, 2), target, [1 - 1e-8, 1e-8], near, whole=True) is None
    done = _finalise(target, (2, 2), target, [1.0], [e0, e0], whole=True)
    assert done is not None and done[0] == 1.0 and done[2] == 0.0


# --- DI --------------------------------------------------------------------------------------

def _amplified_box(excess):
    """The maximally entangled, perfect-detector box with its CHSH correlators scaled by
    1 + excess / (2 sqrt 2): marginals (uniform) unchanged, so still normalised and
    no-signalling, with S = 2 sqrt 2 + excess (above Tsirelson's bound for excess > 0)."""
    from qkdbounds.di.bell_data import bell_box, chsh_value_of_box

    box = bell_box()
    p = box.probabilities
    prod = p.sum(axis=3, keepdims=True) * p.sum(axis=2, keepdims=True)
    eps = excess / (2 * SQRT2)
    q = p.copy()
    x, y = box.chsh_settings
    for a in x:
        for b in y:
            q[a, b] = (1 + eps) * p[a, b] - eps * prod[a, b]
    out = dataclasses.replace(box, probabilities=q)
    assert chsh_value_of_box(out) - 2 * SQRT2 == pytest.approx(excess, rel=1e-3)
    return out


def test_dw_lower_bound_refuses_boxes_above_tsirelson_by_1e8():
    """No quantum box has S > 2 sqrt 2 (Tsirelson, Lett. Math. Phys. 4, 93 (1980)): a box
    1e-8 above it is 'failed' (not a quantum box), one 1e-10 above (round-off) keeps the
    maximally entangled value 1 bit (Acin et al., PRL 98, 230501 (2007)).
    Bug caught: the Tsirelson tolerance x100 (1e-9 -> 1e-7)."""
    from qkdbounds.di.lower import dw_lower_bound
    from qkdbounds.status import Status

    above = dw_lower_bound(_amplified_box(1e-8))
    assert above.status == Status.FAILED and np.isnan(above.value)
    rounding = dw_lower_bound(_amplified_box(1e-10))
    assert rounding.status != Status.FAILED and rounding.value == pytest.approx(1.0, abs=1e-6)


# --- source bound: rotated isotropic GHZ recognition ------------------------------------------

def _rotated_ghz(d, n, v, seed=0):
    from scipy.stats import unitary_group

    from qkdbounds.states import ghz_vector

    us = [unitary_group.rvs(d, random_state=seed + k) for k in range(n)]
    psi = _kron(us) @ ghz_vector(d, n)
    big = d ** n
    return v * np.outer(psi, psi.conj()) + (1 - v) * np.eye(big) / big


def test_rotated_ghz_recognised_only_to_1e9():
    """A locally rotated isotropic GHZ state (2 x 2 x 2, v = 0.6) is recognised with its
    visibility (the largest eigenvalue minus the rest's: v + (1-v)/8 - (1-v)/8 = v); moved by
    1e-8 on the diagonal (trace kept) it is not.  Bug caught: ATOL_ROTATED_GHZ x100."""
    from qkdbounds.bounds.source_bound import _rotated_isotropic_ghz

    rho = _rotated_ghz(2, 3, 0.6)
    found = _rotated_isotropic_ghz(rho, (2, 2, 2), np.random.default_rng(0))
    assert found is not None and found[0] == pytest.approx(0.6, abs=1e-12)
    pert = np.zeros_like(rho)
    pert[0, 0], pert[1, 1] = 1e-8, -1e-8
    assert _rotated_isotropic_ghz(rho + pert, (2, 2, 2), np.random.default_rng(0)) is None


def test_product_factors_refuse_a_1e6_admixture():
    """A product tensor a x b x c factors (its unfoldings have rank one); the same tensor with
    a 1e-6 admixture of |101> has second singular value ~1e-6 > 1e-7 and is not a product.
    Bug caught: the product-factor tolerance x100 (1e-7 -> 1e-5)."""
    from qkdbounds.bounds.source_bound import _product_factors

    a, b, c = np.array([1, 0j]), np.array([0.6, 0.8j]), np.array([1, 1]) / SQRT2
    t = np.einsum("i,j,k->ijk", a, b, c)
    factors = _product_factors(t)
    assert factors is not None
    rebuilt = np.einsum("i,j,k->ijk", *factors)
    assert abs(np.vdot(rebuilt.ravel(), t.ravel())) == pytest.approx(1.0, abs=1e-12)
    bump = np.zeros((2, 2, 2))
    bump[1, 0, 1] = 1.0
    for size, product in ((1e-6, False), (1e-9, True)):
        tt = t + size * bump
        assert (_product_factors(tt / np.linalg.norm(tt)) is not None) is product


def test_exact_route_on_a_rank_deficient_entangled_two_qubit_state():
    """A rank-3 entangled 2 x 2 state (seeded): the exact route's certified q meets the PPT SDP
    value (Lewenstein & Sanpera, PRL 80, 2261 (1998): PPT = separable in 2 x 2, so the PPT SDP
    is the best separable approximation) to 5e-5, as for the full-rank inputs of
    test_exact.py.  Bug caught: the solver's sigma not cut to the range of rho (a kernel
    component of sigma forces the certified q to ~0)."""
    from qkdbounds.separability import certified_separable_weight
    from qkdbounds.states.sources import make_source

    rng = np.random.default_rng(5)
    g = rng.normal(size=(4, 3)) + 1j * rng.normal(size=(4, 3))
    rho = g @ g.conj().T
    rho /= np.trace(rho).real
    res = certified_separable_weight(make_source(rho, (2, 2)), rng=np.random.default_rng(0))
    assert res.method == "exact"
    assert res.residual <= 1e-9
    assert 0.9 < res.weight <= res.weight_outer + 1e-9
    assert res.weight_outer - res.weight <= 5e-5


def test_outer_bound_gap_note_and_status_on_a_rank_two_2x3_state():
    """rho = 0.6|phi+><phi+| + 0.4|0,2><0,2| (2 x 3).  The only product vector in its range is
    |0,2> (a|phi+> + b|0,2> = |0>(a|0>/sqrt2 + b|2>) + a|11>/sqrt2 is a product only for a = 0),
    so its best separable approximation has weight exactly 0.4 (Lewenstein & Sanpera, PRL 80,
    2261 (1998); PPT = separable in 2 x 3, so the PPT SDP finds it).  The outer bound is the
    smaller of the PPT and DPS values; a certified weight below it by more than GAP_NOTE is
    said in the message and is 'certified', not 'optimal'.
    Bugs caught: outer = max(PPT, DPS); the gap note's sign flipped; status 'optimal' on a gap."""
    from qkdbounds.separability import certified_separable_weight
    from qkdbounds.separability._engine import GAP_NOTE, _outer_bounds
    from qkdbounds.states.sources import make_source
    from qkdbounds.status import Status

    phi = np.zeros(6)
    phi[0] = phi[4] = 1 / SQRT2
    rho = 0.6 * np.outer(phi, phi) + 0.4 * np.diag([0, 0, 1.0, 0, 0, 0])
    res = certified_separable_weight(make_source(rho, (2, 3)), rng=np.random.default_rng(0))
    assert res.weight_outer == pytest.approx(0.4, abs=1e-6)
    outer, ppt, dps, how = _outer_bounds(make_source(rho, (2, 3)), True)
    assert outer == min(ppt, dps) and "min of the PPT relaxation and DPS" in how
    assert 0.0 <= res.weight <= res.weight_outer + 1e-9
    assert res.gap == pytest.approx(res.weight_outer - res.weight, abs=1e-15)
    if res.gap > GAP_NOTE:
        assert "not certified optimal" in res.message
        assert res.status == Status.CERTIFIED
    else:
        assert "not certified optimal" not in res.message
        assert res.status == Status.OPTIMAL


def test_certify_weight_tolerance_and_bisection():
    """certify_weight: the largest q with rho - q sigma >= -atol (1 - q), atol = 1e-12.
    rho = 1/2, sigma = diag(1/2 + e, 1/2 - e): rho - q sigma has smallest eigenvalue
    1/2 - q (1/2 + e), so q = 1 for e = 1e-13 (within atol) and, for e = 1e-11, q solves
    1/2 - q (1/2 + e) = -1e-12 (1 - q), q = (1/2 + 1e-12) / (1/2 + e + 1e-12) (closed form).
    Bugs caught: the q = 1 tolerance x100; the bisection's branches swapped."""
    from qkdbounds.separability._ensemble import certify_weight

    rho = np.eye(2) / 2
    q, low = certify_weight(rho, np.diag([0.5 + 1e-13, 0.5 - 1e-13]))
    assert q == 1.0 and low == pytest.approx(-1e-13, abs=1e-15)
    e = 1e-11
    q, low = certify_weight(rho, np.diag([0.5 + e, 0.5 - e]))
    assert q < 1.0
    assert q == pytest.approx((0.5 + 1e-12) / (0.5 + e + 1e-12), abs=1e-14)
    assert low >= -1e-12
    q, _ = certify_weight(rho, np.diag([1.0, 0.0]))          # 1/2 - q >= 0: q = 1/2
    assert q == pytest.approx(0.5, abs=1e-12)


# --- repeaters ---------------------------------------------------------------------------------

@pytest.mark.parametrize("d", [2, 3])
def test_isotropic_link_entangled_between_1_over_d_plus_1_and_1_over_d(d):
    """An isotropic link is separable iff v <= 1/(d+1) (F <= 1/d: Horodecki & Horodecki, PRA 59,
    4206 (1999)); between 1/(d+1) and 1/d it is entangled and its key bound is the isotropic
    rate bound itself (second route: rate_upper_bound), which is positive there.
    Bug caught: the zero-key threshold 1/(1+d) -> 1/d."""
    from qkdbounds.bounds import rate_upper_bound
    from qkdbounds.repeaters.link_bounds import link_key_bound
    from qkdbounds.repeaters.links import isotropic_weights

    v = (1 / (d + 1) + 1 / d) / 2
    r = link_key_bound(isotropic_weights(v, d), 0.0)
    direct = rate_upper_bound(d, 2, v, 0.0).value
    assert direct > 1e-3
    assert r.value == pytest.approx(direct, rel=1e-12)
    assert link_key_bound(isotropic_weights(1 / (d + 1), d), 0.0).value == 0.0


def test_isotropic_family_recognised_only_to_1e9():
    """A 3 x 3 isotropic state with F = 0.6 is the isotropic family, q = d(1-F)/(d-1) = 0.6
    (Horodecki & Horodecki, PRA 59, 4206 (1999)); moved by 1e-8 off the twirl's fixed points
    (trace kept) it is no family at all (d = 3: no Werner, Dur-Cirac or Bell-diagonal form).
    Bug caught: the symmetry tolerance ATOL_SYMMETRY x100."""
    from qkdbounds.separability.families import family_decomposition

    d, f = 3, 0.6
    phi = np.eye(d).reshape(-1) / np.sqrt(d)
    proj = np.outer(phi, phi)
    rho = f * proj + (1 - f) * (np.eye(d * d) - proj) / (d * d - 1)
    fam = family_decomposition(rho, (d, d))
    assert fam is not None and fam.family == "isotropic"
    assert fam.weight == pytest.approx(d * (1 - f) / (d - 1), abs=1e-12)
    bump = np.zeros((d * d, d * d))
    bump[1, 1], bump[3, 3] = 1e-8, -1e-8
    assert family_decomposition(rho + bump, (d, d)) is None


# --- status, sweep questions ------------------------------------------------------------------

def test_solver_status_strings():
    """Status.of_solver: cvxpy's 'optimal' and 'optimal_inaccurate' (within the solver's
    tolerances) and SciPy HiGHS's 'solved' are 'optimal'; anything else 'failed'.
    Bug caught: 'solved' mapped to 'failed'."""
    from qkdbounds.status import Status

    for text in ("optimal", "OPTIMAL_INACCURATE", "solved", "Solved"):
        assert Status.of_solver(text) == Status.OPTIMAL
    for text in ("infeasible", "unbounded", "solver_error", "unsolved"):
        assert Status.of_solver(text) == Status.FAILED


def test_question_grid_point_limit_and_dims_range():
    """build_question_grid refuses a grid beyond MAX_GRID_POINTS before computing it (2501 x
    2501 data points = 6,255,001 > 2,000,000), and a state's local dimensions are in [2, 4096]
    (the table of ranges' source_dim, as state-bound and the API).
    Bugs caught: the grid-size guard removed; the dims upper limit removed."""
    from qkdbounds.sweep.questions import _canonical_dims, build_question_grid

    with pytest.raises(InputError, match="6255001 points, more than 2000000"):
        build_question_grid("data", {"protocol": "bb84", "qber_z": "0:0.5:0.0002",
                                     "qber_x": "0:0.5:0.0002", "leakage": "0"})
    grid = build_question_grid("data", {"protocol": "bb84", "qber_z": "0:0.5:0.25",
                                        "qber_x": "0.1", "leakage": "0"})
    assert grid["qber_z"] == [0.0, 0.25, 0.5]
    assert _canonical_dims("2, 4096") == "2,4096"
    with pytest.raises(InputError, match=r"\[2, 4096\]"):
        _canonical_dims("2,4097")


# --- data ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("big", [2**53 + 1, 2**64])
def test_count_cells_above_2_53_are_one_line_errors(big):
    """A count cell must be at most 2**53 (exact in a float64); larger cells are refused where
    they stand, and a cell beyond int64 is an InputError, not an OverflowError.
    Bug caught: the per-cell guard removed."""
    from qkdbounds.data.counts import load_counts

    counts = {"protocol": "bb84", "settings": [
        {"alice": "Z", "bob": "Z", "counts": [[big, 150], [140, 4860]]},
        {"alice": "X", "bob": "X", "counts": [[4800, 200], [210, 4790]]}]}
    with pytest.raises(InputError, match=r"settings\[0\]\.counts\[0\]\[0\] must be at most 2\*\*53"):
        load_counts(counts, "bb84")


def test_inconsistent_frequencies_name_the_miss_above_1e6():
    """A ZZ table (1/2 + d, 0, 0, 1/2) sums to 1 + d: no state reproduces it.  Widening every
    interval by t, only the two non-zero entries can fall, so the nearest state misses by
    t = d/2 (closed form); above ATOL_FEASIBLE = 1e-6 the error names that miss.  d = 1e-9 is
    within the solver's accuracy and solves.  Bug caught: ATOL_FEASIBLE x100."""
    from qkdbounds.data.compatible import largest_separable_compatible, monitored_operators
    from qkdbounds.measurements.povm import check_povm

    z = {"Z": check_povm([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])], label="Z")}
    ops, _ = monitored_operators(z, z, [("Z", "Z")])
    p = np.array([0.5 + 4e-5, 0.0, 0.0, 0.5])
    with pytest.raises(InputError, match="the nearest state misses them by 2e-05"):
        largest_separable_compatible((2, 2), ops, p, p)
    p = np.array([0.5 + 1e-9, 0.0, 0.0, 0.5])
    assert largest_separable_compatible((2, 2), ops, p, p).residual <= 1e-8


def test_separable_weight_of_compatible_data_stays_in_0_1():
    """Data of a product state (uniform ZZ and XX tables: the maximally mixed state; |00> in Z
    with uniform XX) have largest separable weight exactly 1, and the returned weight is a
    weight, in [0, 1], whatever the solver's round-off (its raw optimum is 1 + ~1e-9 here).
    Bug caught: the clip of the SDP value to [0, 1] removed."""
    from qkdbounds.data.compatible import largest_separable_compatible, monitored_operators
    from qkdbounds.measurements.povm import check_povm

    povms = {"Z": check_povm([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])], label="Z"),
             "X": check_povm([np.full((2, 2), 0.5), np.array([[0.5, -0.5], [-0.5, 0.5]])],
                             label="X")}
    ops, _ = monitored_operators(povms, povms, [("Z", "Z"), ("X", "X")])
    for p in (np.full(8, 0.25), np.array([1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25])):
        w = largest_separable_compatible((2, 2), ops, p, p).ppt_weight
        assert 0.0 <= w <= 1.0
        assert w == pytest.approx(1.0, abs=1e-6)


def test_dur_cirac_ensemble_refuses_states_beyond_the_separability_condition():
    """Dur & Cirac's condition (PRA 61, 042314 (2000)): the explicit ensemble exists when every
    lambda_k >= |lambda_0^+ - lambda_0^-| / 2.  Three qubits, lambda_k = 0.1: |delta| = 0.2 is
    on the boundary (the ensemble reassembles the GHZ-diagonal weights, total 1), 0.25 is
    beyond it and refused.  Bug caught: the condition's factor 2 -> 3."""
    from qkdbounds.separability._ensemble import mix
    from qkdbounds.separability.families import dur_cirac_separable_ensemble

    lam_k = np.array([0.1, 0.1, 0.1])
    with pytest.raises(InputError, match="not separable"):
        dur_cirac_separable_ensemble(0.325, 0.075, lam_k)
    w, v = dur_cirac_separable_ensemble(0.3, 0.1, lam_k)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0, abs=1e-12)
    rho = mix(w, v)
    assert np.trace(rho).real == pytest.approx(1.0, abs=1e-12)
    assert np.linalg.eigvalsh(rho).min() >= -1e-12


def test_chsh_dw_junk_leakage_above_one_half_and_tsirelson_check():
    """Junk model: r = 1 - h(.) - h(min(L, 1/2)) - L - h(Q); at S = 2 sqrt 2, Q = 0 the Holevo
    term is h(1/2 + 1/2) = 0, so L = 0.7 gives 1 - h(1/2) - 0.7 = -0.7 (closed form; the
    min(L, 1/2) keeps the leaked-bit entropy at its maximum 1 for L > 1/2) and the clipped
    rate 0.  chsh_dw_rate refuses S more than 1e-9 above 2 sqrt 2 (Tsirelson, Lett. Math.
    Phys. 4, 93 (1980)).  Bugs caught: min(L, 1/2) -> min(L, 1); the Tsirelson tolerance x100;
    the clip at 0 removed."""
    from qkdbounds.di.chsh import chsh_dw_entropy_expression, chsh_dw_rate

    s = 2 * SQRT2
    assert chsh_dw_entropy_expression(s, 0.0, 0.7, "junk") == pytest.approx(-0.7, abs=1e-12)
    assert chsh_dw_rate(s, 0.0, 0.7, "junk") == 0.0
    assert chsh_dw_rate(s, 0.0) == pytest.approx(1.0, abs=1e-12)
    assert chsh_dw_rate(s + 1e-10, 0.0) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(InputError, match="chsh"):
        chsh_dw_rate(s + 1e-8, 0.0)


def test_data_bound_zero_is_optimal():
    """BB84 data with Q_Z = Q_X = 1/2 are reproduced by the maximally mixed (separable) state,
    so the upper bound is 0, and a certified zero is 'optimal' (nothing lies below it); a
    positive bound is 'certified'.  Bug caught: 'optimal' only for value < 0."""
    from qkdbounds.bounds.data_bound import _status, data_rate_upper_bound
    from qkdbounds.status import Status

    r = data_rate_upper_bound("bb84", qber_z=0.5, qber_x=0.5, leakage=0.0)
    assert r.value == 0.0 and r.status == Status.OPTIMAL
    assert _status(0.0) == Status.OPTIMAL and _status(1e-12) == Status.CERTIFIED


def test_isotropy_check_tolerance_1e10():
    """check_isotropic: a two-qubit isotropic state (v = 0.7) moved by e(|01><01| - |10><10|),
    which the U x U* twirl removes (both map to the same isotropic weight), is at distance 2e
    from its twirl (the trace norm of the move): isotropic for e = 1e-11, not for e = 1e-9
    (ATOL_ISOTROPIC = 1e-10); the visibility read off is 0.7 either way.
    Bug caught: ATOL_ISOTROPIC x100."""
    from qkdbounds.repeaters.swapping import check_isotropic

    phi = np.array([1, 0, 0, 1]) / SQRT2
    rho = 0.7 * np.outer(phi, phi) + 0.3 * np.eye(4) / 4
    for e, isotropic in ((1e-9, False), (1e-11, True)):
        move = np.diag([0.0, e, -e, 0.0])
        c = check_isotropic(rho + move, 2)
        assert c.distance == pytest.approx(2 * e, rel=1e-3)
        assert c.isotropic is isotropic
        assert c.visibility == pytest.approx(0.7, abs=1e-12)


def test_bilinear_chain_reports_the_largest_isotropy_distance():
    """The bilinear chain's end-to-end isotropy distance is an upper bound: the largest of the
    per-step distances it lists (the first link's and the swap law's corner distance).
    Bug caught: the smallest taken instead."""
    from qkdbounds.repeaters.chain import simulate_chain

    r = simulate_chain([0.9, 0.8, 0.7], local_dim=2, method="bilinear")
    assert r.value == pytest.approx(0.9 * 0.8 * 0.7, abs=1e-12)   # product law (exact here)
    assert r.isotropy.distance == max(r.isotropy_distances) == r.max_isotropy_distance


def test_max_repeaters_exact_tie_after_log_rounding():
    """Simulated law: n repeaters give v^(n+1), key needs v^(n+1) > v*.  With v* = v^2 exactly
    one repeater gives v^2 = v* (no key), so n_max = 0; for v = 0.138 the logarithms round
    log(v^2)/log(v) to 2.0000000000000004, so the first estimate is n = 1 and the exact
    comparison must bring it down to 0.  Bug caught: the downward correction stopping at 1."""
    import math

    from qkdbounds.repeaters.budget import max_repeaters

    v = 0.138
    assert math.log(v * v) / math.log(v) > 2            # the rounding this test relies on
    assert max_repeaters(v, v * v) == 0
    assert max_repeaters(v, v * v * 0.999) == 1          # v^2 > v*: one repeater still keys


def test_repeater_budget_default_chain_runs_two_past_n_max():
    """Paper 1 (v = 0.95, L = 0.1, uniform): n_max = 19 (the repeater_budget docstring's
    numbers); the default chain reports n = 0 .. n_max + 2 = 21, i.e. 22 points (two past the
    last key-bearing length, as documented).  Bug caught: one past instead of two."""
    from qkdbounds.repeaters import repeater_budget

    b = repeater_budget(0.95, 0.1)
    assert b.n_max == 19 and b.n_max_paper_convention == 8
    assert len(b.chain) == 19 + 2 + 1


def test_di_region_refuses_grids_beyond_the_limit_before_computing(monkeypatch):
    """di_region: 51 x 51 = 2601 points > MAX_REGION_POINTS = 2500 is refused before any point
    is computed (each is a search of seconds; a point computed fails the test at once).
    Bug caught: the grid-size guard removed."""
    from qkdbounds.di import region
    from qkdbounds.di.region import di_region

    def computed(*args, **kwargs):
        raise AssertionError("a point was computed before the grid-size check")

    monkeypatch.setattr(region, "di_attack_bound", computed)
    grid = np.linspace(0.9, 1.0, 51)
    with pytest.raises(InputError, match="2601 points; allowed: at most 2500"):
        di_region(grid, grid, maxfev=10)
