"""Paper 1's attack for any source (issue 13, item 3): matrix files reproduce the isotropic route."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.bounds.source_bound import source_rate_upper_bound
from qkdbounds.cli import main
from qkdbounds.states import werner_state
from qkdbounds.states.sources import make_source


def _paper_rate(*args, **kwargs):
    kwargs.setdefault("attack", "paper")
    return rate_upper_bound(*args, **kwargs)


def _paper(*args, **kwargs):
    """These tests pin paper 1's attack (the route's default is now the tightest bound)."""
    kwargs.setdefault("attack", "paper")
    if len(args) < 4:
        kwargs.setdefault("measurements", "Z")   # (the API's default is now the search)
    return source_rate_upper_bound(*args, **kwargs)


def _ghz_isotropic(d, n, v):
    dim = d**n
    psi = np.zeros(dim)
    for k in range(d):
        psi[sum(k * d**j for j in range(n))] = 1 / np.sqrt(d)
    return v * np.outer(psi, psi) + (1 - v) * np.eye(dim) / dim


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3)])
def test_isotropic_matrices_reproduce_the_isotropic_route(d, n, model):
    # issue 13 acceptance: the paper attack on a matrix file is the isotropic route's; with Eve's
    # trivial attack offered too (q = 0: only leaked outcomes known) it is the lower of that and
    # (1 - L_u) TC(p)/(N-1) in Z
    for v, leak in [(0.95, 0.05), (0.7, 0.3), (0.3, 0.1)]:
        rho = _ghz_isotropic(d, n, v)
        r = _paper(make_source(rho, (d,) * n), leak, model, cut_bound=n >= 3)
        ref = _paper_rate(d, n, v, leak, model, cut_bound=n >= 3)
        assert r.value == pytest.approx(ref.value, abs=1e-9)
        if n >= 3:
            assert r.cut_bound == pytest.approx(ref.cut_bound, abs=1e-9)
        p = np.real(np.diag(rho)).reshape((d,) * n)
        keep = 1 - leak if model == "uniform" else 1.0
        h = _entropy
        tc = sum(h(p.sum(axis=tuple(j for j in range(n) if j != i))) for i in range(n)) - h(p)
        assert r.certificate["no_attack_bound"] == pytest.approx(keep * tc / (n - 1), abs=1e-9)
        assert ("above the no-attack bound" in r.message) == (ref.value > keep * tc / (n - 1) + 1e-12)
        with_trivial = _paper(make_source(rho, (d,) * n), leak, model, cut_bound=n >= 3,
                                               trivial=True)
        assert with_trivial.value == pytest.approx(min(ref.value, keep * tc / (n - 1)), abs=1e-9)
        if n >= 3:
            cuts = [h(p.sum(axis=tuple(range(1, n)))) + h(p.sum(axis=0)) - h(p)]  # A_1 : rest
            cuts += [h(p.sum(axis=tuple(j for j in range(n) if j != i))) +
                     h(p.sum(axis=i)) - h(p) for i in range(1, n)]
            assert with_trivial.cut_bound <= ref.cut_bound + 1e-9
            assert with_trivial.cut_bound <= keep * min(cuts) + 1e-9


def test_separable_sources_give_zero():
    for v in (0.0, 0.2, 1 / 3):
        r = _paper(make_source(werner_state(v), (2, 2)), 0.1)
        assert r.value == 0.0 and r.separable_weight == pytest.approx(1.0, abs=1e-12)


def test_cli_any_source_equals_api(tmp_path, capsys):
    path = tmp_path / "ghz.npy"
    np.save(path, _ghz_isotropic(2, 3, 0.8))
    code = main(["state-bound", "--state", str(path), "--dims", "2", "2", "2", "--leakage", "0.1",
                 "--measurements", "Z", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    # the CLI's default attack is the API's default (the tightest bound, one route)
    api = source_rate_upper_bound(make_source(_ghz_isotropic(2, 3, 0.8), (2, 2, 2)), 0.1,
                                  measurements="Z")
    assert out["attack_used"] == api.attack_used and out["verdict"] == api.verdict
    assert out["rate_upper_bound"] == pytest.approx(api.value, abs=1e-12)
    assert out["cut_bound"] == pytest.approx(api.cut_bound, abs=1e-12)
    assert out["eve_decomposition"] == api.certificate["decomposition_used"]
    assert out["eve_decomposition_weight"] == api.certificate["decomposition_used_weight"]
    ref = _paper_rate(2, 3, 0.8, 0.1, cut_bound=True)
    assert out["rate_upper_bound"] <= ref.value + 1e-9 and out["cut_bound"] <= ref.cut_bound + 1e-9
    # Eq. (8): q_v = (1 + D)(1 - v)/D with D = d^(N-1) = 4
    assert out["certified_weights"]["input frame"] == pytest.approx((1 - 0.8) * (1 + 1 / 4),
                                                                    abs=1e-12)


# --- extended attack, rotated sources, measurement search, POVMs (issue 13, item 3) ---------

from qkdbounds.errors import InputError  # noqa: E402
from qkdbounds.measurements.bases import random_measurement  # noqa: E402
from qkdbounds.measurements.povm import POVM, povm_from_unitary, random_rank_one_povm  # noqa: E402
from qkdbounds.states.sources import apply_local_unitaries  # noqa: E402

EXT_SIZES = [(2, 2), (3, 2), (2, 3), (3, 3)]


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("d,n", EXT_SIZES, ids=[f"d{d}N{n}" for d, n in EXT_SIZES])
def test_extended_attack_reproduces_the_structured_route(d, n, model):
    points = [(0.95, 0.05), (0.7, 0.3), (0.3, 0.1)] if n == 2 else [(0.7, 0.3), (0.3, 0.1)]
    for v, leak in points:
        src = make_source(_ghz_isotropic(d, n, v), (d,) * n)
        # the Eq. (9) decomposition alone (trivial=False) is the structured route
        r = _paper(src, leak, model, attack="extended", cut_bound=n >= 3,
                                    trivial=False)
        ref = rate_upper_bound(d, n, v, leak, model, attack="extended", cut_bound=n >= 3)
        assert r.value == pytest.approx(ref.value, abs=1e-6)
        if n >= 3:
            assert r.cut_bound == pytest.approx(ref.cut_bound, abs=1e-6)
        paper = _paper(src, leak, model, cut_bound=False, trivial=False)
        assert r.value <= paper.value + 1e-12
        with_trivial = _paper(src, leak, model, attack="extended",
                                               cut_bound=False)
        assert with_trivial.value <= r.value + 1e-12
        assert r.paper_value == pytest.approx(paper.value, abs=1e-9)
        assert r.attack == "extended"


def _noisy_partially_entangled_qubits():
    # not isotropic (engine route): a partially entangled pure state with white noise
    psi = np.array([np.cos(0.5), 0, 0, np.sin(0.5)])
    return make_source(0.8 * np.outer(psi, psi) + 0.2 * np.eye(4) / 4, (2, 2))


@pytest.mark.slow
@pytest.mark.parametrize("model", ["uniform", "junk"])
def test_extended_never_exceeds_paper_on_an_engine_source(model, rng):
    src = _noisy_partially_entangled_qubits()
    settings = [[random_measurement(2, rng).unitary for _ in range(2)],
                [random_rank_one_povm(2, 3, rng), random_rank_one_povm(2, 4, rng)]]
    for setting, leak in zip(settings, (0.3, 0.1)):
        p = _paper(src, leak, model, setting, rng=np.random.default_rng(1))
        e = _paper(src, leak, model, setting, attack="extended", trivial=False,
                                    rng=np.random.default_rng(1))
        e_default = _paper(src, leak, model, setting, attack="extended",
                                            rng=np.random.default_rng(1))
        assert e_default.value <= e.value + 1e-12  # the trivial attack is offered on top
        assert "ensemble" in p.method or "exact" in p.method or "column" in p.method
        assert p.separable_weight == pytest.approx(e.separable_weight, abs=1e-7) and p.separable_weight > 0
        assert 0.0 <= e.value <= p.value + 1e-12
        assert e.value < p.value  # forgetting flags helps Eve here
        assert e.paper_value == pytest.approx(p.value, abs=1e-7)


def _rotated(d, n, v, rng):
    src = make_source(_ghz_isotropic(d, n, v), (d,) * n)
    us = [random_measurement(d, rng).unitary for _ in range(n)]
    return src, apply_local_unitaries(src, us), us


def test_rotated_isotropic_sources_get_the_rotated_eq9_decomposition(rng):
    for d, n in [(2, 2), (3, 2), (2, 3), (3, 3)]:
        src, rot, us = _rotated(d, n, 0.6, rng)
        r = _paper(rot, 0.1, measurements=us, cut_bound=False, trivial=False)
        ref = _paper(src, 0.1, cut_bound=False, trivial=False)
        assert r.separable_weight == pytest.approx(ref.separable_weight, abs=1e-9)
        # the outer bound is local-unitary invariant (computed on the unrotated state)
        assert r.separable_weight_outer == pytest.approx(ref.separable_weight_outer, abs=1e-7)
        assert "rotated" in r.certificate["decomposition"]
        # measuring in the rotated computational bases gives the unrotated Z value exactly
        assert r.value == pytest.approx(ref.value, abs=1e-9)


SEARCH_CASES = [(2, 2, 0.8, 0.1), (3, 2, 0.7, 0.1), (2, 3, 0.8, 0.1)]


@pytest.mark.slow
@pytest.mark.parametrize("d,n,v,leak", SEARCH_CASES, ids=["2qubits", "2qutrits", "3qubitGHZ"])
def test_search_recovers_the_unrotated_z_value_of_a_rotated_state(d, n, v, leak):
    src, rot, _ = _rotated(d, n, v, np.random.default_rng(1000 + 10 * d + n))
    z = _paper(src, leak, measurements="Z", cut_bound=False)
    z_rot = _paper(rot, leak, measurements="Z", cut_bound=False)
    found = _paper(rot, leak, measurements="search", cut_bound=False)
    assert z_rot.value < 0.9 * z.value  # the rotation hides the key basis
    assert found.value == pytest.approx(z.value, rel=0.01)
    assert ("Bloch axes" if (d, n) == (2, 2) else "local maximisations (NLopt L-BFGS") in found.method
    assert "not a certified maximum" in found.method


def test_projective_povm_arrays_equal_the_unitary_route(rng):
    src = make_source(_ghz_isotropic(3, 2, 0.8), (3, 3))
    us = [random_measurement(3, rng).unitary for _ in range(2)]
    by_unitary = _paper(src, 0.1, measurements=us)
    by_povm = _paper(src, 0.1, measurements=[povm_from_unitary(u).elements
                                                               for u in us])
    assert by_povm.value == pytest.approx(by_unitary.value, abs=1e-12)
    # (a basis given as its projectors is that basis: its unitary, up to the vectors' phases)
    from qkdbounds.bounds.source_bound import _canonical_basis

    for got, u in zip(by_povm.certificate["measurement_unitaries"], us):
        assert np.allclose(_canonical_basis(got), _canonical_basis(u), atol=1e-11)


def test_noisy_detector_povm_lowers_the_bound():
    # a detector of efficiency eta: outcome a with probability eta, 'no click' (binned to 0) else
    src = make_source(_ghz_isotropic(2, 2, 0.9), (2, 2))
    ideal = _paper(src, 0.1).value
    values = []
    for eta in (1.0, 0.9, 0.7):
        p0 = np.diag([1.0, 0.0]) * eta + (1 - eta) * np.eye(2)
        p1 = np.diag([0.0, 1.0]) * eta
        values.append(_paper(src, 0.1, measurements=[np.array([p0, p1])] * 2).value)
    assert values[0] == pytest.approx(ideal, abs=1e-12)
    assert values[0] > values[1] > values[2] > 0


@pytest.mark.parametrize("measurements,match", [
    ([np.eye(2)], "2 entries"),
    ([np.eye(2), np.eye(3)], "entry 1 has shape"),
    ([np.eye(2), 2 * np.eye(2)], "unitary"),
    ([np.eye(2), np.array([np.eye(2), np.eye(2)])], r"measurements\[1\]: elements must sum"),
    ([np.eye(2), np.array([np.eye(3)])], r"measurements\[1\] POVM elements must have shape"),
    ([np.eye(2), POVM(np.array([np.eye(3)]))], "dimension 2"),
    ("best", "measurements"),
], ids=["count", "size", "not-unitary", "not-povm", "povm-size", "povm-dim", "choice"])
def test_bad_measurements_raise(measurements, match):
    src = make_source(_ghz_isotropic(2, 2, 0.9), (2, 2))
    with pytest.raises(InputError, match=match):
        _paper(src, 0.1, measurements=measurements)


def test_bad_attack_raises():
    src = make_source(_ghz_isotropic(2, 2, 0.9), (2, 2))
    with pytest.raises(InputError, match="attack"):
        _paper(src, 0.1, attack="intrinsic")


# --- CLI: --attack, --measurements FILE.npz ----------------------------------------------

def _cli(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_extended_attack_equals_api(tmp_path, capsys):
    path = tmp_path / "iso.npy"
    np.save(path, _ghz_isotropic(3, 2, 0.7))
    code, out, err = _cli(capsys, ["state-bound", "--state", str(path), "--dims", "3", "3",
                                   "--leakage", "0.3", "--model", "junk", "--attack", "extended",
                                   "--measurements", "auto", "--json"])
    assert code == 0, err
    data = json.loads(out)
    src = make_source(_ghz_isotropic(3, 2, 0.7), (3, 3))
    api = _paper(src, 0.3, "junk", attack="extended")
    assert data["attack"] == "extended"
    assert data["rate_upper_bound"] == pytest.approx(api.value, abs=1e-9)
    assert data["paper_value"] == pytest.approx(api.paper_value, abs=1e-9)
    assert data["rate_upper_bound"] <= data["paper_value"] + 1e-12
    ref = rate_upper_bound(3, 2, 0.7, 0.3, "junk", attack="extended")
    assert data["rate_upper_bound"] <= ref.value + 1e-6


def test_cli_povm_file_equals_api(tmp_path, capsys, rng):
    state, povm_file = tmp_path / "iso.npy", tmp_path / "povms.npz"
    np.save(state, _ghz_isotropic(2, 2, 0.9))
    a, b = random_rank_one_povm(2, 3, rng), random_rank_one_povm(2, 4, rng)
    np.savez(povm_file, party0=a.elements, party1=b.elements)
    code, out, err = _cli(capsys, ["state-bound", "--state", str(state), "--dims", "2", "2",
                                   "--leakage", "0.1", "--measurements", str(povm_file), "--json"])
    assert code == 0, err
    data = json.loads(out)
    ref = source_rate_upper_bound(make_source(_ghz_isotropic(2, 2, 0.9), (2, 2)), 0.1,
                                  measurements=[a, b])
    assert data["rate_upper_bound"] == pytest.approx(ref.value, abs=1e-12)
    assert data["measurements_file"] == str(povm_file) and data["attack"] == "best"
    assert data["measurements"] == ["POVM(3)", "POVM(4)"]  # one label on every route


BAD_POVM_FILES = {
    "not-psd": ({"party0": np.array([np.diag([1.5, 0.0]), np.diag([-0.5, 1.0])]),
                 "party1": np.array([np.eye(2)])}, "party0"),
    "not-identity": ({"party0": np.array([np.eye(2)]), "party1": np.array([np.eye(2) * 0.9])},
                     "party1"),
    "missing-party": ({"party0": np.array([np.eye(2)])}, "party1"),
    "wrong-size": ({"party0": np.array([np.eye(2)]), "party1": np.array([np.eye(3)])}, "party1"),
}


@pytest.mark.parametrize("case", list(BAD_POVM_FILES))
def test_cli_bad_povm_file_exits_2_with_one_line(tmp_path, capsys, case):
    arrays, party = BAD_POVM_FILES[case]
    state, povm_file = tmp_path / "iso.npy", tmp_path / "bad.npz"
    np.save(state, _ghz_isotropic(2, 2, 0.9))
    np.savez(povm_file, **arrays)
    code, out, err = _cli(capsys, ["state-bound", "--state", str(state), "--dims", "2", "2",
                                   "--leakage", "0.1", "--measurements", str(povm_file), "--json"])
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(povm_file) in lines[0] and party in lines[0]


def test_cli_missing_povm_file_and_two_qubit_route(tmp_path, capsys):
    state = tmp_path / "iso.npy"
    np.save(state, _ghz_isotropic(2, 2, 0.9))
    code, _, err = _cli(capsys, ["state-bound", "--state", str(state), "--dims", "2", "2",
                                 "--leakage", "0.1", "--measurements", str(tmp_path / "no.npz")])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--measurements" in err
    code, _, err = _cli(capsys, ["state-bound", "--werner", "0.9", "--leakage", "0.1",
                                 "--dims", "3", "3"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--dims" in err
    np.save(tmp_path / "q.npy", np.eye(9) / 9)  # not two qubits: --dims is needed
    code, _, err = _cli(capsys, ["state-bound", "--state", str(tmp_path / "q.npy"),
                                 "--leakage", "0.1"])
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--dims" in err


@pytest.mark.parametrize("model", ["uniform", "junk"])
def test_extended_attack_in_random_bases_equals_the_general_route(model, rng):
    # second route: qkdbounds.attacks.extended on the isotropic state (general route, given bases)
    from qkdbounds.measurements.bases import from_unitary

    for d, n in [(2, 2), (3, 2), (2, 3)]:
        us = [random_measurement(d, rng).unitary for _ in range(n)]
        src = make_source(_ghz_isotropic(d, n, 0.8), (d,) * n)
        r = _paper(src, 0.3, model, us, attack="extended", cut_bound=False,
                                    trivial=False)
        ref = _paper_rate(d, n, 0.8, 0.3, model, [from_unitary(u) for u in us],
                               attack="extended")
        # Eve adapts her ensemble to the setting on the any-source route (issue 19, item 3):
        # never above the fixed-ensemble general route, equal where the bases are U (x) U*
        assert r.value <= ref.value + 1e-6
        if n == 2:
            us = [us[0], us[0].conj()]
            r = _paper(src, 0.3, model, us, attack="extended", cut_bound=False, trivial=False)
            ref = _paper_rate(d, n, 0.8, 0.3, model, attack="extended")  # = its Z value
            assert r.value == pytest.approx(ref.value, abs=1e-9)


@pytest.mark.slow
def test_search_recovers_a_rotated_dephased_ghz_state_within_one_percent():
    # issue 13 "done when": a state rotated by local unitaries, run with the search, recovers the
    # unrotated value within 1 %.  Dephased GHZ noise is not isotropic, so the separability
    # engine (frame dependent) is used; Eve re-runs it in the best setting's frame.
    from qkdbounds.states import ghz_vector

    psi = ghz_vector(2, 3)
    ghz = np.outer(psi, psi.conj())
    dephased = 0.8 * ghz + 0.2 * np.diag(np.diag(ghz))
    rho = 0.85 * dephased + 0.15 * np.eye(8) / 8
    src = make_source(rho, (2, 2, 2))
    rng = np.random.default_rng(77)
    rot = apply_local_unitaries(src, [random_measurement(2, rng).unitary for _ in range(3)])
    # 3x the engine's default budget (6 s at 2x2x2): enough work on a loaded machine too
    z = _paper(src, 0.1, measurements="Z", cut_bound=False, time_budget=18)
    found = _paper(rot, 0.1, measurements="search", cut_bound=False, time_budget=18)
    assert z.value > 0
    # not looser than the unrotated value by more than 1 %; it may be lower: the unrotated state
    # is a recognised family (one closed-form ensemble), while the rotated one's search gives Eve
    # a pool of decompositions (frame runs), and a frame run's ensemble can suit the paper
    # attack better (0.5339 against 0.5404).  The key basis is found: the rotated state's Z
    # value is below 0.9 of it (test above), the search's value within a few % of it.
    assert 0.95 * z.value <= found.value <= 1.01 * z.value
    assert "frame" in found.method


# --- Eve's trivial attack, outer bounds of recognised inputs, the status note -------------------

def _entropy(p):
    p = np.asarray(p, dtype=float).ravel()
    p = p[p > 1e-300]
    return float(-(p * np.log2(p)).sum())


def test_trivial_attack_caps_the_bound_at_the_observed_statistics(tmp_path):
    # 0.9 GHZ + 0.1 dephased GHZ measured in X: the CC attack on the separable part is worse for
    # Eve than no attack (it gave 0.45 and cut 0.90); the bound must not exceed TC/(N-1) and
    # I(A:BC) of the observed distribution (L = 0: Eve learns nothing without an attack)
    from qkdbounds.separability import load_ensemble
    from qkdbounds.states import ghz_vector

    psi = ghz_vector(2, 3)
    ghz = np.outer(psi, psi.conj())
    rho = 0.9 * ghz + 0.1 * np.diag(np.diag(ghz))
    plus, minus = np.array([1, 1]) / np.sqrt(2), np.array([1, -1]) / np.sqrt(2)
    x = np.array([np.outer(plus, plus), np.outer(minus, minus)])
    r = _paper(make_source(rho, (2, 2, 2)), 0.0, measurements=[x, x, x], trivial=True)
    # second route: the distribution by brute force
    p = np.zeros((2, 2, 2))
    for a, b, c in np.ndindex(2, 2, 2):
        p[a, b, c] = np.trace(np.kron(np.kron(x[a], x[b]), x[c]) @ rho).real
    marg = [p.sum(axis=(1, 2)), p.sum(axis=(0, 2)), p.sum(axis=(0, 1))]
    tc = sum(_entropy(m) for m in marg) - _entropy(p)
    i_a_bc = _entropy(marg[0]) + _entropy(p.sum(axis=0)) - _entropy(p)
    assert r.value == pytest.approx(tc / 2, abs=1e-7)
    assert r.cut_bound == pytest.approx(i_a_bc, abs=1e-7)
    assert r.certificate["attack"]["decomposition"] == "trivial"
    assert r.certificate["decomposition_used"] == "trivial" and "won: trivial" in r.method
    assert r.certificate["certified_weights"]["trivial"] == 0.0 == r.certificate["decomposition_used_weight"]
    # the certified separable decomposition is still reported and saved beside the rate
    assert r.separable_weight == r.certificate["certified_weights"]["input frame"] > 0
    assert r.ensemble_residual <= 1e-9
    r.save_ensemble(tmp_path / "ens.npz")
    back = load_ensemble(tmp_path / "ens.npz")
    assert back["q"] == r.separable_weight and len(back["weights"]) == r.ensemble_size


@pytest.mark.parametrize("v,leak", [(0.3, 0.1), (0.6, 0.6), (0.9, 0.1)])
def test_the_bound_is_the_lower_of_eq9_and_the_trivial_attack(v, leak):
    src = make_source(_ghz_isotropic(2, 3, v), (2, 2, 2))
    eq9 = _paper(src, leak, cut_bound=False, trivial=False)
    r = _paper(src, leak, cut_bound=False, trivial=True)
    assert eq9.value == pytest.approx(_paper_rate(2, 3, v, leak).value, abs=1e-9)
    p = np.real(np.diag(src.matrix)).reshape(2, 2, 2)
    tc = sum(_entropy(p.sum(axis=ax)) for ax in [(1, 2), (0, 2), (0, 1)]) - _entropy(p)
    no_attack = (1 - leak) * tc / 2
    assert r.value == pytest.approx(min(eq9.value, no_attack), abs=1e-7)
    if eq9.value <= no_attack + 1e-12:  # ties go to the certified decomposition
        assert r.certificate["decomposition_used"] == "input frame"
    else:
        assert r.certificate["decomposition_used"] == "trivial"


@pytest.mark.parametrize("d,n", [(2, 2), (3, 2), (2, 3)])
def test_recognised_isotropic_inputs_report_an_outer_bound(d, n):
    from qkdbounds.separability import certified_separable_weight, ppt_outer_weight

    src = make_source(_ghz_isotropic(d, n, 0.8), (d,) * n)
    r = _paper(src, 0.1)
    q = r.certificate["certified_weights"]["input frame"]  # Eq. (9)'s (trivial may win in Z)
    assert q == pytest.approx((1 - 0.8) * (1 + d ** (1 - n)), abs=1e-12)
    assert r.separable_weight_outer is not None
    assert r.separable_weight_outer >= q - 1e-9
    if n == 2:  # Eq. (9) is optimal for two parties: outer = q, as the engine's closed form says
        assert r.separable_weight_outer == pytest.approx(q, abs=1e-12)
        eng = certified_separable_weight(src)
        assert eng.weight_outer == pytest.approx(r.separable_weight_outer, abs=1e-7)
    else:
        assert r.separable_weight_outer == pytest.approx(ppt_outer_weight(src), abs=1e-12)
    assert r.status in ("optimal", "certified")
    assert "not certified optimal" not in r.message


def test_status_says_when_the_separable_weight_is_below_the_outer_bound(monkeypatch):
    import dataclasses

    from qkdbounds.bounds import source_bound

    real = source_bound._decomposition

    def loose(source, rng, progress=None, **kwargs):
        dec = real(source, rng, progress, **kwargs)
        return dataclasses.replace(dec, outer=min(1.0, dec.q + 0.1))

    monkeypatch.setattr(source_bound, "_decomposition", loose)
    r = _paper(make_source(werner_state(0.8), (2, 2)), 0.1)
    assert r.status == "certified"
    assert r.message.startswith("separable weight not certified optimal (largest q over Eve's")
    # the q of the decomposition behind the number, which separable_weight holds (a newcomer
    # read the message's largest q as contradicting separable_weight)
    assert f"the decomposition used has q = {r.separable_weight:.6g}" in r.message
    monkeypatch.setattr(source_bound, "_decomposition", real)
    assert "not certified optimal" not in _paper(make_source(werner_state(0.8), (2, 2)), 0.1).message


def test_exp_i_hermitian_equals_scipy_expm():
    """The local search's exp(iH) (eigendecomposition) against scipy.linalg.expm (second route)."""
    from scipy.linalg import expm

    from qkdbounds.bounds.source_bound import _exp_i_hermitian, _hermitian_offdiag

    rng = np.random.default_rng(3)
    for d in (2, 3, 5):
        h = _hermitian_offdiag(d, rng.normal(size=d * (d - 1)))
        np.testing.assert_allclose(_exp_i_hermitian(h), expm(1j * h), atol=1e-13)


def test_exp_i_hermitian_derivative_equals_central_differences():
    """Daleckii-Krein derivatives of exp(iH) along the generators against central differences
    of scipy.linalg.expm (second route), including H = 0 (all eigenvalues equal: the formula's
    diagonal limit, where the derivative is iE exactly) and a degenerate pair."""
    from scipy.linalg import expm

    from qkdbounds.bounds.source_bound import (_exp_i_hermitian, _hermitian_basis,
                                               _hermitian_offdiag)

    rng = np.random.default_rng(5)
    for d in (2, 3, 5):
        basis = _hermitian_basis(d)
        assert basis.shape == (d * (d - 1), d, d)
        theta = rng.normal(size=d * (d - 1))
        for j in range(len(basis)):     # the basis spans _hermitian_offdiag linearly
            np.testing.assert_allclose(_hermitian_offdiag(d, np.eye(len(basis))[j]), basis[j])
        for h in (_hermitian_offdiag(d, theta), np.zeros((d, d)), np.diag([1.0] * 2 + [0.0] * (d - 2))):
            exp, deriv = _exp_i_hermitian(h, basis)
            np.testing.assert_allclose(exp, expm(1j * h), atol=1e-13)
            step = 1e-6
            for e, got in zip(basis, deriv):
                fd = (expm(1j * (h + step * e)) - expm(1j * (h - step * e))) / (2 * step)
                np.testing.assert_allclose(got, fd, atol=1e-8)
        np.testing.assert_allclose(_exp_i_hermitian(np.zeros((d, d)), basis)[1], 1j * basis,
                                   atol=1e-15)


def test_cut_bound_branch_and_bound_is_exact():
    """The cut bound's branch and bound returns the exhaustive max over settings of the min over
    cuts whenever the estimate bounds the value from above, and skips work doing so."""
    from qkdbounds.bounds.source_bound import _cut_bound

    rng = np.random.default_rng(11)
    skipped = stopped = 0
    for trial in range(200):
        n_set, n_cut = int(rng.integers(1, 12)), int(rng.integers(1, 4))
        values = rng.random((n_set, n_cut)) * (rng.random() < 0.9)
        slack = rng.random((n_set, n_cut)) * rng.choice([0.0, 0.01, 0.5])
        calls = []

        def evaluate(i, g, below):
            # below a threshold, Eve may stop at any attack at or below it: here halfway
            calls.append((i, g))
            if below is not None and values[i, g] <= below:
                partial.append((i, g))
                return {"value": (values[i, g] + below) / 2, "partial": True}
            return {"value": values[i, g], "partial": False, "at": (i, g)}

        partial = []
        got, where = _cut_bound(list(range(n_set)), list(range(n_cut)), evaluate,
                                lambda i, g: values[i, g] + slack[i, g])
        assert got == values.min(axis=1).max()
        # the certificate: the maximising setting's minimising cut, evaluated in full, and
        # every cut at that setting
        i, g = where["setting"], where["cut"]
        assert values[i, g] == got and values[i].min() == got
        assert where["entry"] == {"value": got, "partial": False, "at": (i, g)}
        assert where["entries"] == {c: {"value": values[i, c], "partial": False, "at": (i, c)}
                                    for c in range(n_cut)}
        # a warm start at any setting's full values gives the same maximum, with less work
        j = int(rng.integers(n_set))
        start = {"setting": j, "cut": int(np.argmin(values[j])),
                 "entry": {"value": values[j].min()}, "entries": {}}
        calls_before = len(calls)
        warm, _ = _cut_bound(list(range(n_set)), list(range(n_cut)), evaluate,
                             lambda i, g: values[i, g] + slack[i, g], start=start)
        assert warm == got and len(calls) - calls_before <= n_set * n_cut
        skipped += n_set * n_cut - len(calls)
        stopped += len(partial)
    assert skipped > 0 and stopped > 0


def test_cut_bound_with_an_upper_estimate_is_exact_and_estimates_fewer_cuts():
    """With ``upper`` (an upper estimate of each setting's min over cuts, as the total
    correlation's), the branch and bound returns the same maximum, estimates a setting's cuts
    only when it could still win, and never evaluates a setting whose estimates cannot win."""
    from qkdbounds.bounds.source_bound import _cut_bound

    rng = np.random.default_rng(12)
    saved = 0
    for trial in range(200):
        n_set, n_cut = int(rng.integers(1, 12)), int(rng.integers(1, 4))
        values = rng.random((n_set, n_cut)) * (rng.random() < 0.9)
        slack = rng.random((n_set, n_cut)) * rng.choice([0.0, 0.01, 0.5])
        est = values + slack
        upper = est.min(axis=1) + rng.random(n_set) * rng.choice([0.0, 0.1, 1.0])
        estimated, evaluated = [], []

        def estimate(i, g):
            estimated.append((i, g))
            return est[i, g]

        def evaluate(i, g, below):
            evaluated.append(i)
            if below is not None and values[i, g] <= below:
                return {"value": (values[i, g] + below) / 2, "partial": True}
            return {"value": values[i, g], "partial": False}

        got, where = _cut_bound(list(range(n_set)), list(range(n_cut)), evaluate, estimate,
                                upper=upper)
        assert got == values.min(axis=1).max()
        assert values[where["setting"]].min() == got
        # each setting's cuts estimated once at most; the first setting taken (largest upper
        # estimate) is evaluated in full, and no setting whose upper estimate is at or below
        # its value has its cuts estimated, nor one whose estimates are is evaluated
        assert len(estimated) == len(set(estimated))
        first = int(np.argmax(upper))
        floor = values[first].min()
        assert all(upper[i] > floor + 1e-12 for i, _ in estimated if i != first)
        assert all(est[i].min() > floor + 1e-12 for i in evaluated if i != first)
        saved += n_set * n_cut - len(estimated)
    assert saved > 0


def _generic_problem(dims=(2, 3), seed=4, leak=0.1):
    from qkdbounds.bounds.source_bound import _decomposition, _Problem
    from qkdbounds.states.sources import make_source

    rng = np.random.default_rng(seed)
    dim = int(np.prod(dims))
    g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    dec = _decomposition(make_source(rho, dims), np.random.default_rng(0))
    return _Problem(dec, dims, leak, "uniform"), rng


def test_unitary_arrays_equal_the_povm_route():
    from qkdbounds.bounds.source_bound import _haar, _unitary_setting

    problem, rng = _generic_problem()
    for _ in range(5):
        us = [_haar(d, rng) for d in problem.dims]
        c, s, _, _ = problem.arrays(_unitary_setting(us))
        c2, s2 = problem.unitary_arrays(us)
        assert np.allclose(c, c2, atol=1e-14) and np.allclose(s, s2, atol=1e-14)


@pytest.mark.parametrize("dims, kind, trivial, leak", [
    ((2, 3), "paper", False, 0.1), ((2, 3), "extended", False, 0.1), ((2, 3), "extended", True, 0.1),
    ((3, 3), "extended", True, 0.0), ((2, 2, 2), "paper", False, 0.1), ((2, 2), "extended", True, 0.3)])
def test_local_search_gradient_is_the_value_s_derivative(dims, kind, trivial, leak):
    """Envelope-theorem gradient of the search objective (the paper or the extended attack, on
    the input frame's decomposition and optionally the trivial one: the least) against central
    differences of the objective itself, at random points of the local search."""
    from qkdbounds.bounds.source_bound import (_haar, _local_objective, _Problem,
                                               _trivial_decomposition)
    from qkdbounds.states.sources import make_source

    problem, rng = _generic_problem(dims=dims, leak=leak)
    n = len(dims)
    singles = [[i] for i in range(n)]
    terms = [(problem, kind, singles, 1.0 / (n - 1))]
    if trivial:
        from qkdbounds.separability._ensemble import mix

        dec = problem.dec
        rho = dec.q * mix(dec.weights, dec.vectors) + (1 - dec.q) * dec.tau
        terms.append((_Problem(_trivial_decomposition(make_source(rho, dims)), dims, leak,
                               "uniform"), kind, singles, 1.0 / (n - 1)))
    base = [_haar(d, rng) for d in dims]
    _, negative, n_params = _local_objective(terms, base)
    checked = 0
    for _ in range(4):
        theta = rng.normal(scale=0.3, size=n_params)
        value, grad = negative(theta)
        if value == 0.0:
            continue
        h = 1e-5
        for j in range(n_params):
            e = np.zeros(n_params)
            e[j] = h
            fd = (negative(theta + e)[0] - negative(theta - e)[0]) / (2 * h)
            assert fd == pytest.approx(grad[j], rel=2e-3, abs=2e-6)
        checked += 1
    assert checked >= 2


def test_search_pools_every_frame_runs_decomposition():
    # every frame run (the engine in a searched setting's frame) yields a decomposition of the
    # same rho, so Eve may use it at any setting: the winner's value is the min over all of them
    # (near-identical settings of a search get frame runs of very different quality)
    rng = np.random.default_rng(4)
    g = rng.standard_normal((6, 6)) + 1j * rng.standard_normal((6, 6))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    from qkdbounds.bounds.source_bound import MAX_FRAME_RUNS

    r = source_rate_upper_bound(rho, 0.1, measurements="search", dims=(2, 3))
    by_dec = r.certificate["attack"]["value_by_decomposition"]
    # (the setting's own runs, restarts included -- all MAX_FRAME_RUNS of them, as a question at
    # that setting alone -- and the pool's other runs)
    from qkdbounds.bounds.source_bound import MAX_TOTAL_FRAME_RUNS

    assert MAX_FRAME_RUNS <= sum("frame run" in name for name in by_dec) <= MAX_TOTAL_FRAME_RUNS
    assert r.value <= min(by_dec.values()) + 1e-12
    # every decomposition Eve had has its certified weight under the same name (the setting's own
    # frame run names its number in the pool)
    weights = r.certificate["certified_weights"]
    def pooled_name(name):     # "setting's frame (frame run k)" / "random frame (...)"
        for own in ("setting's frame (", "random frame ("):
            if name.startswith(own):
                return name.removeprefix(own).removesuffix(")")
        return name

    names = {pooled_name(n) for n in by_dec}
    assert names == set(weights), (by_dec, weights)
    won = r.certificate["decomposition_used"]
    if won != "trivial":
        key = pooled_name(won)
        assert r.separable_weight == weights[key]
    # whichever decomposition won, the certificate's ensemble is one of rho
    ens = r.certificate["ensemble"]
    sigma = sum(w * np.kron(np.outer(a, a.conj()), np.outer(b, b.conj()))
                for w, a, b in zip(ens["weights"], *ens["vectors"]))
    q = r.separable_weight
    if abs(np.trace(sigma).real - 1) < 1e-9:
        sigma = q * sigma
    assert np.trace(sigma).real == pytest.approx(q, abs=1e-9)
    assert np.linalg.eigvalsh(rho - sigma).min() >= -1e-9


@pytest.mark.parametrize("dims,members", [((3, 3), 7), ((2, 2, 2), 7), ((2, 3), 7),
                                          ((3, 2), 7), ((2, 2, 3), 7), ((2, 2, 2, 2), 2),
                                          ((2, 2, 2, 2), 3), ((2, 2, 2, 3), 7)])
def test_party_derivative_arrays_equal_central_differences(dims, members):
    # the local search's gradient: one party's unitary moving along a batch of directions,
    # against central differences of unitary_arrays (kron of the whole setting), one direction
    # at a time
    from scipy.linalg import expm

    from qkdbounds.bounds.source_bound import _Decomposition, _haar, _hermitian_basis, _Problem

    rng = np.random.default_rng(3)
    dim = int(np.prod(dims))
    g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    tau = g @ g.conj().T / np.trace(g @ g.conj().T).real
    # (member counts equal to a local dimension: einsum letters of members and outcomes must
    # not collide, which at 4 parties gave wrong arrays silently)
    vectors = [rng.normal(size=(members, d)) + 1j * rng.normal(size=(members, d)) for d in dims]
    vectors = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in vectors]
    dec = _Decomposition(0.4, rng.dirichlet(np.ones(members)), vectors, tau, None, 0.0, "test")
    problem = _Problem(dec, dims, 0.13, "uniform")
    us = [_haar(d, rng) for d in dims]
    h = 1e-5
    for i, d in enumerate(dims):
        gens = _hermitian_basis(d)          # real and imaginary generators
        dc, ds = problem.party_derivative_arrays(us, i, [us[i] @ (1j * e) for e in gens])
        assert dc.shape == ds.shape == (len(gens),) + dims
        for z, e in enumerate(gens):
            plus = problem.unitary_arrays(us[:i] + [us[i] @ expm(1j * h * e)] + us[i + 1:])
            minus = problem.unitary_arrays(us[:i] + [us[i] @ expm(-1j * h * e)] + us[i + 1:])
            np.testing.assert_allclose(dc[z], (plus[0] - minus[0]) / (2 * h), atol=1e-9)
            np.testing.assert_allclose(ds[z], (plus[1] - minus[1]) / (2 * h), atol=1e-9)


@pytest.mark.parametrize("attack,use_trivial", [("best", True), ("paper", False),
                                                ("extended", True), ("best", False),
                                                ("paper", True), ("extended", False)])
def test_evaluate_stops_below_a_threshold_with_a_value_eve_may_use(attack, use_trivial):
    # the cut bound's early stop: a partial evaluation returns a value at or below the
    # threshold, from the attacks this mode allows (so never below the full evaluation's min),
    # and a threshold below the min gives the full evaluation
    from qkdbounds.bounds.source_bound import _cuts, _Eve, _evaluate, _haar, _unitary_setting
    from qkdbounds.states.sources import make_source

    rng = np.random.default_rng(8)
    g = rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8))
    src = make_source(g @ g.conj().T / np.trace(g @ g.conj().T).real, (2, 2, 2))
    eve = _Eve(src, attack, np.random.default_rng(0), adapt=True, use_trivial=use_trivial)
    stopped = 0
    for _ in range(3):
        setting = _unitary_setting([_haar(2, rng) for _ in range(3)])
        for cut in _cuts(3):
            full = _evaluate(eve, setting, 0.1, "uniform", cut)
            assert not full["partial"]
            below = _evaluate(eve, setting, 0.1, "uniform", cut, stop_below=full["value"] - 1e-3)
            assert not below["partial"] and below["value"] == full["value"]
            for threshold in (full["value"], full["value"] + 0.05, 10.0):
                part = _evaluate(eve, setting, 0.1, "uniform", cut, stop_below=threshold)
                assert full["value"] <= part["value"] <= threshold
                stopped += part["partial"]
    assert stopped > 0


def test_same_measurement_ignores_relabelled_outcomes_and_phases_only():
    from qkdbounds.bounds.source_bound import _haar, _same_measurement, _unitary_setting

    rng = np.random.default_rng(12)
    for dims in ((3, 3), (2, 2, 2), (2, 4)):
        us = [_haar(d, rng) for d in dims]
        relabelled = [u[:, rng.permutation(d)] * np.exp(1j * rng.uniform(0, 6, d))
                      for u, d in zip(us, dims)]
        assert _same_measurement(_unitary_setting(us), _unitary_setting(relabelled))
        # a small rotation of one party's basis (overlaps 1 - ~1e-4) is another setting
        h = rng.normal(size=(dims[-1], dims[-1])) + 1j * rng.normal(size=(dims[-1], dims[-1]))
        w, v = np.linalg.eigh(0.005 * (h + h.conj().T))
        turned = us[:-1] + [us[-1] @ (v * np.exp(1j * w)) @ v.conj().T]
        assert not _same_measurement(_unitary_setting(us), _unitary_setting(turned))


def test_local_search_merges_a_repeated_maximum():
    # two starts that are the same setting with relabelled outcomes climb to the same maximum
    # (the value is invariant under relabelling): it is kept once, with its value
    from qkdbounds.bounds.source_bound import _haar, _local_search, _unitary_setting

    problem, rng = _generic_problem(dims=(3, 3))
    terms = [(problem, "extended", [[0], [1]], 1.0)]
    us = [_haar(3, rng) for _ in range(2)]
    perm = [u[:, [2, 0, 1]] for u in us]
    found = _local_search(terms, [_unitary_setting(us), _unitary_setting(perm)], 4)
    assert len(found) == 1
    assert found[0][1] > 0


def test_local_search_skips_starts_where_the_objective_is_zero():
    # a start with no key under Eve's attack has a zero gradient: it is skipped, and does not
    # count against the runs
    from qkdbounds.bounds.source_bound import _haar, _local_search, _unitary_setting

    problem, rng = _generic_problem(dims=(2, 2), leak=0.1)
    terms = [(problem, "extended", [[0], [1]], 1.0)]
    starts = [_unitary_setting([_haar(2, rng) for _ in range(2)]) for _ in range(12)]
    from qkdbounds.bounds.source_bound import _local_objective

    is_zero = [_local_objective(terms, st.unitaries)[1](np.zeros(4))[0] >= 0 for st in starts]
    zero = [st for st, z in zip(starts, is_zero) if z]
    positive = [st for st, z in zip(starts, is_zero) if not z]
    assert zero and positive
    found = _local_search(terms, zero + positive[:1], 1)
    assert len(found) == 1 and found[0][1] > 0


def _search_against_the_other_leakages_setting(dims, seed):
    """A random full-rank state (Ginibre, ``seed``), its search at L = 0, and the setting its
    search reports at L = 0.1 asked at L = 0: ``(rho, searched, asked)`` (the audit's check that
    a search is a maximum over the settings)."""
    dim = int(np.prod(dims))
    r = np.random.default_rng(seed)
    g = r.normal(size=(dim, dim)) + 1j * r.normal(size=(dim, dim))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    searched = source_rate_upper_bound(rho, 0.0, dims=dims)
    other = source_rate_upper_bound(rho, 0.1, dims=dims)
    asked = source_rate_upper_bound(rho, 0.0, dims=dims,
                                    measurements=list(other.certificate["measurement_unitaries"]))
    return rho, searched, asked


def test_search_finds_the_setting_the_paper_attack_proxy_missed():
    # audit of issue 19 (session 34): a random 3x3 state (seed 31) at L = 0, where the search
    # on the paper attack's value reported 0.0883 while the setting the same search reported at
    # L = 0.1, asked alone at L = 0, gives 0.1478 (the extended attack is the binding one, and
    # its maximum sits elsewhere): the search on the quoted attack's value finds at least that
    _, searched, asked = _search_against_the_other_leakages_setting((3, 3), 31)
    assert asked.value > 0.14
    assert searched.value >= asked.value - 1e-3


def test_search_and_a_single_setting_spend_the_frame_budget_on_the_top_setting():
    # the branch and bound restarts the engine for the top setting while the budget lasts (the
    # bound is the min over Eve's decompositions, which differ by a few per cent); a question at
    # one setting is the case of one candidate and gets the same restarts; restarts=False none
    from qkdbounds.bounds.source_bound import MAX_FRAME_RUNS

    rng = np.random.default_rng(21)
    g = rng.normal(size=(9, 9)) + 1j * rng.normal(size=(9, 9))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    from qkdbounds.bounds.source_bound import MAX_TOTAL_FRAME_RUNS

    searched = source_rate_upper_bound(rho, 0.1, measurements="search", dims=(3, 3))
    runs = [k for k in searched.certificate["certified_weights"] if k.startswith("frame run")]
    # (the first evaluations' own runs, then the reported setting's restarts up to its own
    # MAX_FRAME_RUNS)
    assert MAX_FRAME_RUNS <= len(runs) <= MAX_TOTAL_FRAME_RUNS
    by_dec = searched.certificate["attack"]["value_by_decomposition"]
    assert searched.value * 1 == pytest.approx(min(by_dec.values()), abs=1e-12)
    fixed = source_rate_upper_bound(rho, 0.1, measurements="Z", dims=(3, 3))
    assert fixed.value > 0
    fixed_runs = [k for k in fixed.certificate["certified_weights"] if k.startswith("frame run")]
    assert len(fixed_runs) == MAX_FRAME_RUNS
    plain = source_rate_upper_bound(rho, 0.1, measurements="Z", dims=(3, 3), restarts=False)
    assert [k for k in plain.certificate["certified_weights"] if k.startswith("frame run")] == []
    assert fixed.value <= plain.value + 1e-12     # the input frame's decomposition is among them
    # the restarts are fresh engine runs (another matrix: rephased bases), not cached repeats
    weights = [searched.certificate["certified_weights"][k] for k in runs]
    assert len(set(np.round(weights, 12))) == len(weights)


def test_a_z_question_restarts_the_engine_and_is_no_longer_far_above_the_search():
    # the Z/X-symmetric Bell-diagonal state (0.62, 0.19, 0.19, 0) at L = 0.1: with the input
    # frame's decomposition alone a Z question gave 0.126 while the search (with Z among its
    # candidates) gave 0.053; the restarts (every other one in a Haar-random frame) bring it
    # down (0.064 with the default seed, 0.050-0.076 over six seeds), and never raise it
    from qkdbounds.states.two_qubit import bell_diagonal_state

    rho = bell_diagonal_state([0.62, 0.19, 0.19, 0.0])
    plain = source_rate_upper_bound(rho, 0.1, measurements="Z", restarts=False)
    assert plain.value == pytest.approx(0.126018, abs=1e-5)
    z = source_rate_upper_bound(rho, 0.1, measurements="Z")
    assert z.value < 0.08
    assert z.value >= source_rate_upper_bound(rho, 0.1).value - 0.02   # (the search: 0.0527)


def test_restarts_stop_at_zero_key():
    # a value of 0 cannot be lowered: no restart is spent after it (the two-qubit benchmark
    # state reaches 0 at its second restart: the last one run, within the budget), also when
    # the paper attack's value beside it is positive (runs for it alone cost the Z question 30 %)
    from qkdbounds.bounds.source_bound import MAX_FRAME_RUNS

    rng = np.random.default_rng(7)
    g = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    r = source_rate_upper_bound(rho, 0.1, measurements="Z")
    runs = [k for k in r.certificate["certified_weights"] if k.startswith("frame run")]
    by_dec = r.certificate["attack"]["value_by_decomposition"]
    assert r.value == 0.0 and 1 <= len(runs) < MAX_FRAME_RUNS
    assert by_dec[f"frame run {len(runs)}"] == 0.0                  # the last run reached it
    assert all(v > 0 for k, v in by_dec.items() if k != f"frame run {len(runs)}")
    # (paper_value is the paper attack on this question's decompositions: attack="paper" runs
    # all its restarts and can only be lower)
    paper = source_rate_upper_bound(rho, 0.1, measurements="Z", attack="paper")
    assert paper.value <= r.paper_value + 1e-12


def test_repeated_requests_and_leakage_grids_give_the_single_point_numbers():
    # one question, one answer within a process: the engine's cache no longer shifts the random
    # stream (a 3x3 search gave 0.10048, 0.10042, 0.10026 on three calls), and every point of a
    # leakage grid equals its single-point request
    rng = np.random.default_rng(1)
    g = rng.normal(size=(9, 9)) + 1j * rng.normal(size=(9, 9))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    singles = [source_rate_upper_bound(rho, leak, dims=(3, 3)) for leak in (0.0, 0.05, 0.1)]
    again = source_rate_upper_bound(rho, 0.1, dims=(3, 3))
    assert again.value == singles[-1].value
    grid = source_rate_upper_bound(rho, [0.0, 0.05, 0.1], dims=(3, 3))
    assert grid.value.tolist() == [s.value for s in singles]
    assert grid.paper_value.tolist() == [s.paper_value for s in singles]
    assert [p.measurements for p in grid.points] == [s.measurements for s in singles]


def test_restarts_alternate_the_settings_frame_and_haar_random_frames(monkeypatch):
    # restart k (0-based) runs the engine in the setting's own bases rephased for even k (|U| = 1
    # on the diagonal: Z here) and in a Haar-random local frame for odd k
    import qkdbounds.bounds.source_bound as sb
    from qkdbounds.states.two_qubit import bell_diagonal_state

    seen = []
    original = sb._frame_decomposition

    def recording(source, unitaries, *args, **kwargs):
        seen.append([np.asarray(u) for u in unitaries])
        return original(source, unitaries, *args, **kwargs)

    monkeypatch.setattr(sb, "_frame_decomposition", recording)
    r = source_rate_upper_bound(bell_diagonal_state([0.62, 0.19, 0.19, 0.0]), 0.1,
                                measurements="Z")
    assert r.value > 0 and len(seen) == sb.MAX_FRAME_RUNS
    for k, unitaries in enumerate(seen):
        rephased = all(np.allclose(np.abs(u), np.eye(2)) for u in unitaries)
        assert rephased == (k % 2 == 0), k


def test_a_request_does_not_depend_on_what_ran_before_it_in_the_process():
    # the engine's cache answers only a question with the same random stream: asking at the
    # setting a search reported gives the same number after the search as in a fresh process
    # (engine cache empty); before, the cached run of another seed was returned
    # (0.101778 after the search, 0.101865 fresh)
    from qkdbounds.separability import _engine

    rng = np.random.default_rng(1)
    g = rng.normal(size=(9, 9)) + 1j * rng.normal(size=(9, 9))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    searched = source_rate_upper_bound(rho, 0.1, dims=(3, 3), lower_bound=False)
    unitaries = list(searched.certificate["measurement_unitaries"])
    after = source_rate_upper_bound(rho, 0.1, measurements=unitaries, dims=(3, 3),
                                    lower_bound=False)
    _engine._CACHE.clear()
    fresh = source_rate_upper_bound(rho, 0.1, measurements=unitaries, dims=(3, 3),
                                    lower_bound=False)
    assert after.value == fresh.value


# --- the headline is the tightest bound: min of the total-correlation and cut bounds (F13) -----

def _dense_distribution(rho, unitaries):
    """p(a_1..a_N) of rank-one projective measurements (columns of each party's unitary), by
    brute force over the full tensor product (a second route to the engine's distributions)."""
    dims = [u.shape[0] for u in unitaries]
    p = np.zeros(dims)
    for idx in np.ndindex(*dims):
        vec = np.array([1.0 + 0j])
        for u, a in zip(unitaries, idx):
            vec = np.kron(vec, np.asarray(u)[:, a])
        p[idx] = np.real(vec.conj() @ rho @ vec)
    return p


def _cut_information(p, part):
    """I(A_S : A_S^c) of a distribution for the parties ``part`` (bits)."""
    rest = tuple(i for i in range(p.ndim) if i not in part)
    return (_entropy(p.sum(axis=rest)) + _entropy(p.sum(axis=tuple(part))) - _entropy(p))


def test_the_cut_bound_is_the_headline_when_it_is_tighter(tmp_path, capsys):
    # A uncorrelated with a noisy Bell pair BC: no conference key (I(A:BC) = 0 at every
    # setting), while p(?)TC/2 = p(?)I(B:C)/2 > 0; before, the headline was the latter
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = np.kron(np.diag([0.7, 0.3]), 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4)
    src = make_source(rho, (2, 2, 2))
    r = source_rate_upper_bound(src, 0.1, measurements="Z")
    assert r.value == 0.0 and r.bound_used == "cut" and r.cut_bound == 0.0
    assert r.verdict == "no_key" and r.status == "optimal" and r.certificate["zero_key"]
    assert "may be loose" not in r.message          # a zero bound is tight, whatever q's gap
    assert r.certificate["bound_used"] == "cut" and r.certificate["cut"]["parties"] == [[0], [1, 2]]
    assert "won: cut 1|23" in r.method and "bound_used='cut'" in repr(r)
    # second route: no attack gives (1 - L) TC/2 of the Z distribution, by brute force
    p = _dense_distribution(rho, [np.eye(2)] * 3)
    tc = sum(_entropy(p.sum(axis=tuple(j for j in range(3) if j != i))) for i in range(3)) - _entropy(p)
    assert _cut_information(p, [0]) == pytest.approx(0.0, abs=1e-12)
    assert 0.1 < r.total_correlation_bound <= 0.9 * tc / 2 + 1e-9
    # without the cut bound the headline is the total-correlation bound itself
    no_cut = source_rate_upper_bound(src, 0.1, measurements="Z", cut_bound=False)
    assert no_cut.cut_bound is None and no_cut.bound_used == "total_correlation"
    assert no_cut.value == r.total_correlation_bound and no_cut.verdict == "open"
    # attack="paper" reproduces paper 1's form: the total correlation, the cut beside it
    paper = source_rate_upper_bound(src, 0.1, measurements="Z", attack="paper")
    assert paper.bound_used == "total_correlation" and paper.cut_bound == 0.0
    assert paper.value == paper.total_correlation_bound > 0.1
    # the CLI reports the same, with the cut's certificate
    path = tmp_path / "a_and_bell.npy"
    np.save(path, rho)
    assert main(["state-bound", "--state", str(path), "--dims", "2", "2", "2", "--leakage", "0.1",
                 "--measurements", "Z", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rate_upper_bound"] == 0.0 and out["bound_used"] == "cut" and out["verdict"] == "no_key"
    assert out["total_correlation_bound"] == r.total_correlation_bound
    assert out["cut"]["parties"] == [[0], [1, 2]] and out["cut"]["measurements"] == ["Z", "Z", "Z"]


def test_a_cut_won_by_an_attack_is_certified_at_its_setting():
    # a random full-rank 2x2x2 state whose cut bound at Z is below its total-correlation bound
    rng = np.random.default_rng(1)
    g = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    r = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.1, measurements="Z")
    cut = r.certificate["cut"]
    assert r.bound_used == "cut" and r.value == r.cut_bound == cut["value"]
    assert r.value < r.total_correlation_bound - 1e-4
    assert cut["attack_used"] in ("paper", "extended") and cut["decomposition"] != "trivial"
    # Eve's attack beats no attack across that cut: below (1 - L) I(A_S : A_S^c) of the honest
    # distribution at the certificate's unitaries (brute force)
    s, rest = cut["parties"]
    assert sorted(s + rest) == [0, 1, 2]
    p = _dense_distribution(rho, cut["measurement_unitaries"])
    assert r.value < 0.9 * _cut_information(p, s) - 1e-4
    # and the headline is the smaller of the two for every cut (ties: total correlation)
    assert r.value == min(r.total_correlation_bound, r.cut_bound)


def test_the_cut_certificate_holds_its_decomposition_and_save_ensemble_writes_it(tmp_path):
    # when the cut is the reported bound, its decomposition is in the certificate (an explicit
    # product ensemble with rho - q sigma >= 0) and --save-ensemble writes that one
    from qkdbounds.separability import load_ensemble

    rng = np.random.default_rng(1)
    g = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    r = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.1, measurements="Z")
    cut = r.certificate["cut"]
    assert r.bound_used == "cut" and cut["decomposition"] != "trivial"
    # second route: the ensemble reassembled by brute force, and rho - q sigma is a state
    sigma = np.zeros((8, 8), dtype=complex)
    for k, w in enumerate(cut["ensemble"]["weights"]):
        vec = np.array([1.0 + 0j])
        for v in cut["ensemble"]["vectors"]:
            vec = np.kron(vec, np.asarray(v)[k])
        sigma += w * np.outer(vec, vec.conj())
    assert np.trace(sigma).real == pytest.approx(1.0, abs=1e-12)
    q = cut["separable_weight"]
    assert 0 < q <= 1 and np.linalg.eigvalsh(rho - q * sigma).min() >= -1e-9
    summary = r.save_ensemble(tmp_path / "cut.npz")
    saved = load_ensemble(tmp_path / "cut.npz")
    assert summary["bound"] == "cut" and saved["q"] == pytest.approx(q, abs=1e-15)
    np.testing.assert_allclose(saved["sigma"], sigma, atol=1e-12)
    # the reported bound's certificate is the cut's here (one setting: the same attack)
    assert r.certificate["bound"]["form"] == "cut" and r.bound_record() == r.cut_record()


def test_a_grid_leaves_what_was_not_computed_none_as_one_point_does():
    rho = werner_state(0.9)
    for attack in ("best", "paper"):
        grid = source_rate_upper_bound(make_source(rho, (2, 2)), [0.1, 0.2], measurements="Z",
                                       attack=attack)
        one = source_rate_upper_bound(make_source(rho, (2, 2)), 0.1, measurements="Z", attack=attack)
        assert grid.cut_bound is None and one.cut_bound is None       # two parties: no cut
        assert (grid.extended_value is None) == (one.extended_value is None) == (attack == "paper")
        assert list(grid.bound_used) == ["total_correlation"] * 2
        np.testing.assert_array_equal(grid.total_correlation_bound, grid.value)


@pytest.mark.parametrize("d,n", [(2, 3), (3, 3), (2, 4)])
def test_on_isotropic_ghz_the_cut_is_never_below_the_total_correlation_bound(d, n):
    # why `rate` keeps the total-correlation bound as rate_upper_bound beside best_bound: on its
    # family the cut (at Z, Eve minimising across each cut) is never the smaller one
    for model in ("uniform", "junk"):
        r = rate_upper_bound(d, n, np.array([0.3, 0.6, 0.8, 0.95, 1.0])[:, None],
                             np.array([0.0, 0.1, 0.3])[None, :], model, cut_bound=True)
        assert np.all(r.cut_bound >= r.value - 1e-12)
        np.testing.assert_array_equal(r.best, r.value)



def test_the_reported_bound_is_the_max_over_settings_of_the_min_of_both_forms(monkeypatch):
    # a 2x2x2 state whose total-correlation maximum (0.115) and cut maximum (0.125) sit at
    # settings where the other form is lower: max_x min(TC_x/2, min_S cut_x) = 0.0996, below both
    import qkdbounds.bounds.source_bound as sb

    rng = np.random.default_rng(29)
    g = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    g[:, 4:] *= 0.1
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    r = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.1)
    bound = r.certificate["bound"]
    assert r.value == bound["value"] and r.bound_used == bound["form"]
    assert r.value < min(r.total_correlation_bound, r.cut_bound) - 0.01
    # second route: below no attack in its form, at the certificate's unitaries (brute force)
    p = _dense_distribution(rho, bound["measurement_unitaries"])
    if bound["form"] == "cut":
        assert r.value <= 0.9 * _cut_information(p, bound["parties"][0]) + 1e-9
    else:
        tc = sum(_entropy(p.sum(axis=tuple(j for j in range(3) if j != i))) for i in range(3)) - _entropy(p)
        assert bound["parties"] is None and r.value <= 0.9 * tc / 2 + 1e-9
    # the branch and bound's maximum is the exhaustive one: every candidate setting with every
    # form evaluated in full (it skipped settings when an estimate was on the wrong scale)
    def exhaustive(settings, cuts, evaluate, estimate, start=None, upper=None):
        rows = [{c: evaluate(st, g, None) for c, g in enumerate(cuts)} for st in settings]
        mins = [min(row.values(), key=lambda e: e["value"])["value"] for row in rows]
        i = int(np.argmax(mins))
        c = min(rows[i], key=lambda k: rows[i][k]["value"])
        return float(mins[i]), {"setting": i, "cut": c, "entry": rows[i][c], "entries": rows[i]}

    monkeypatch.setattr(sb, "_cut_bound", exhaustive)
    full = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.1)
    assert r.value == pytest.approx(full.value, abs=1e-9)
    # (the same setting and cut; Eve's extended attack draws its random starts in the order of
    # the evaluations, which the exhaustive loop changes: its flag fractions end elsewhere on a
    # flat optimum, 2.4e-9 apart here)
    assert r.cut_bound == pytest.approx(full.cut_bound, abs=1e-8)
    assert r.certificate["cut"]["parties"] == full.certificate["cut"]["parties"]
    monkeypatch.undo()
    # attack="paper" reports paper 1's form alone, both others beside it
    paper = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.1, attack="paper")
    assert paper.value == paper.total_correlation_bound and paper.bound_used == "total_correlation"


def test_the_total_correlation_search_estimates_are_on_the_scale_of_its_values(monkeypatch):
    # the search's estimates (quick keys) bound each candidate's evaluated value from above, so
    # its branch and bound returns the max over the candidates; for N >= 3 the keys were the
    # total correlation divided by N - 1 against undivided values, and the search stopped at
    # the first setting it evaluated
    import qkdbounds.bounds.source_bound as sb

    seen = {}
    original = sb._branch_and_bound

    def spy(eve, settings, keys, leak, model, groups, refine=None):
        out = original(eve, settings, keys, leak, model, groups, refine)
        seen.update(eve=eve, settings=settings, keys=keys, leak=leak, model=model, groups=groups,
                    best=out[0]["value"])
        return out

    monkeypatch.setattr(sb, "_branch_and_bound", spy)
    rng = np.random.default_rng(29)
    g = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    g[:, 4:] *= 0.1
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    r = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.1, cut_bound=False)
    values = [sb._evaluate(seen["eve"], st, seen["leak"], seen["model"], seen["groups"])["value"]
              for st in seen["settings"]]
    assert len(values) > 10
    assert all(v <= k + 1e-9 for v, k in zip(values, seen["keys"]))
    assert max(values) <= seen["best"] + 1e-9 and r.value == pytest.approx(seen["best"] / 2, abs=1e-12)


def test_a_zero_by_round_off_is_labelled_as_the_verdict_reads_it():
    # review: the extended attack clips its measure to 0 without its zero flag, so a zero came
    # out 'certified' with zero_key False beside verdict no_key (0.0 or 3.8e-17 by the last bit
    # of the input); GHZ noise with qubit 3 depolarised, L = 0, Z
    psi = np.zeros(8)
    psi[0] = psi[7] = 1 / np.sqrt(2)
    for noise in (0.15, 1 - 0.85):
        rho = (1 - noise) * np.outer(psi, psi) + noise * np.eye(8) / 8
        traced = np.einsum("abcdec->abde", rho.reshape((2,) * 6))
        rho = 0.3 * rho + 0.7 * np.einsum("abde,cf->abcdef", traced, np.eye(2) / 2).reshape(8, 8)
        r = source_rate_upper_bound(make_source(rho, (2, 2, 2)), 0.0, measurements="Z")
        assert r.value <= 1e-9 and r.verdict == "no_key" and r.status == "optimal"
        assert r.certificate["zero_key"] and r.bound_record()["zero_key"]


@pytest.mark.parametrize("dims, seed, leak", [((3, 3), 1, 0.0), ((2, 2, 2), 1, 0.1),
                                               ((2, 2, 2), 3, 0.1)])
def test_a_search_is_at_most_the_question_at_its_reported_setting(dims, seed, leak):
    # the helper's counterexamples: the search reported 0.1310 where the same setting asked
    # alone gave 0.1288 (3x3), 0.0358 vs 0.0346 (2x2x2); and the same measurement as a unitary,
    # with its vectors rephased and as rank-1 POVM elements gave three numbers.  Now the
    # reported setting gets the runs a question at that setting gets (the search adds the
    # other settings' runs), Eve's attacks do not depend on the order of the evaluations, and
    # every form of one basis gives the engine the same frame
    dim = int(np.prod(dims))
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    searched = source_rate_upper_bound(rho, leak, dims=dims)
    # (the reported bound's setting: for N >= 3 the top-level fields are the total-correlation
    # bound's, which can sit elsewhere)
    us = [np.array(u) for u in searched.certificate["bound"]["measurement_unitaries"]]
    fixed = source_rate_upper_bound(rho, leak, dims=dims, measurements=us)
    assert searched.value <= fixed.value + 1e-9
    # the unitaries read back from the JSON are the same frames (bit for bit)
    from qkdbounds.bounds.source_bound import compact_unitaries

    js = [np.array([[complex(*x) for x in row] for row in u]) for u in compact_unitaries(us)]
    assert source_rate_upper_bound(rho, leak, dims=dims, measurements=js).value == \
        pytest.approx(fixed.value, abs=1e-12)
    rephased = [u * np.exp(1j * np.arange(len(u))) for u in us]
    povms = [np.array([np.outer(u[:, k], u[:, k].conj()) for k in range(len(u))]) for u in us]
    for other in (rephased, povms):
        r = source_rate_upper_bound(rho, leak, dims=dims, measurements=other)
        # (the same frames and decompositions; the distributions agree to round-off)
        assert r.value == pytest.approx(fixed.value, abs=1e-12)
        assert r.attack_used == fixed.attack_used
        assert r.certificate["decomposition_used"] == fixed.certificate["decomposition_used"]


def test_a_projective_povm_is_its_basis():
    from qkdbounds.bounds.source_bound import _basis_of, _canonical_basis

    u = random_measurement(3, np.random.default_rng(2)).unitary
    elements = np.array([np.outer(u[:, k], u[:, k].conj()) for k in range(3)])
    got = _basis_of(elements)
    assert np.allclose(_canonical_basis(got), _canonical_basis(u), atol=1e-12)
    assert _basis_of(random_rank_one_povm(3, 4, np.random.default_rng(1)).elements) is None
    assert _basis_of(np.array([np.eye(2) / 2, np.eye(2) / 2])) is None


def test_the_two_party_search_refines_its_keys_with_the_search_objective(monkeypatch):
    # a candidate reaching the top of the branch and bound is first valued by the search
    # objective (the quoted attack on the input frame's decomposition, an attack Eve can make):
    # at or above her full evaluation there, and the search evaluates fewer candidates in full
    import qkdbounds.bounds.source_bound as sb

    seen = {}
    original = sb._branch_and_bound

    def spy(eve, settings, keys, leak, model, groups, refine=None):
        out = original(eve, settings, keys, leak, model, groups, refine)
        if "eve" not in seen:       # (the search's; a second one values the polished setting)
            seen.update(eve=eve, settings=settings, refine=refine, leak=leak, model=model,
                        groups=groups, evaluated=out[1])
        return out

    monkeypatch.setattr(sb, "_branch_and_bound", spy)
    rng = np.random.default_rng(7)
    g = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    r = source_rate_upper_bound(rho, 0.1, dims=(2, 2))
    assert seen["refine"] is not None
    for st in seen["settings"][:8]:
        full = sb._evaluate(seen["eve"], st, seen["leak"], seen["model"], seen["groups"])["value"]
        assert full <= seen["refine"](st) + 1e-7
    assert seen["evaluated"] < len(seen["settings"]) / 3
    # the same maximum as the branch and bound without the refinement
    monkeypatch.setattr(sb, "_branch_and_bound",
                        lambda eve, settings, keys, leak, model, groups, refine=None:
                        original(eve, settings, keys, leak, model, groups, None))
    plain = source_rate_upper_bound(rho, 0.1, dims=(2, 2))
    assert plain.value == pytest.approx(r.value, abs=1e-9)


def test_search_climbs_the_paper_value_where_the_quoted_attack_leaves_no_key():
    # review of session 34: near the threshold the extended attack leaves no key at every start
    # of a random 3x3 state (seed 31, L = 0.56); the runs were all skipped and the search said
    # 0, no_key, where the setting the paper-value search finds gives 0.0245
    r = np.random.default_rng(31)
    g = r.normal(size=(9, 9)) + 1j * r.normal(size=(9, 9))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    searched = source_rate_upper_bound(rho, 0.56, dims=(3, 3))
    assert searched.value > 0.02
    assert searched.verdict != "no_key"


def test_a_searched_zero_is_optimal_only_where_no_setting_can_have_key():
    # review of session 34: a zero after a heuristic search is certified at its settings only;
    # every round leaking (uniform model) or a separable decomposition leave no key anywhere
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    leaky = source_rate_upper_bound(0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4, 1.0)
    assert leaky.value == 0 and str(leaky.status) == "optimal"
    f = np.exp(2j * np.pi * np.outer(range(3), range(3)) / 3) / np.sqrt(3)
    psi = sum(np.kron(np.eye(3)[i], f @ np.eye(3)[i]) for i in range(3)) / np.sqrt(3)
    # only Z tried (n_search=0): measuring [I, F] gives log2(3) bits, so the zero is not optimal
    only_z = source_rate_upper_bound(np.outer(psi, psi.conj()), 0.0, dims=(3, 3), n_search=0)
    assert only_z.value == 0 and str(only_z.status) == "certified"
    assert "heuristic" in only_z.message
    asked = source_rate_upper_bound(np.outer(psi, psi.conj()), 0.0, dims=(3, 3),
                                    measurements=[np.eye(3), f])
    assert asked.value > 1.5


def test_a_party_in_a_product_with_the_rest_makes_a_searched_zero_optimal():
    # newcomer audit (session 35): I/2 (x) a noisy Bell pair is entangled (q < 1), but party 1's
    # outcomes are independent of the others' at every setting (I = 0 across its cut): the zero
    # holds for every setting, so it is optimal, with the reason
    from qkdbounds.bounds.source_bound import _product_party

    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    bell = 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4
    r = source_rate_upper_bound(np.kron(np.eye(2) / 2, bell), 0.1, dims=(2, 2, 2))
    assert r.value == 0 and str(r.status) == "optimal" and r.verdict == "no_key"
    assert "party 1 is in a product state" in r.message
    # the check finds the lone party anywhere, and only a product
    middle = np.kron(bell, np.diag([0.3, 0.7])).reshape([2] * 6).transpose(0, 2, 1, 3, 5, 4).reshape(8, 8)
    assert _product_party(middle, (2, 2, 2)) == 1
    ghz = np.zeros(8)
    ghz[[0, 7]] = 1 / np.sqrt(2)
    assert _product_party(np.outer(ghz, ghz), (2, 2, 2)) is None
    assert _product_party(bell, (2, 2)) is None


def test_two_qubit_search_polishes_on_all_of_eves_decompositions():
    # audit of issue 19 (session 34): a random two-qubit state (seed 12) at L = 0 was reported at
    # 0.1661 (0.1719 after the search climbed the quoted attack) while the setting the search
    # reports at L = 0.1 gives 0.1833 at L = 0: the maxima on the input frame's decomposition
    # are where Eve's frame runs help her most; one more run from the reported setting on the
    # least over all her decompositions reaches 0.1851
    rho, searched, asked = _search_against_the_other_leakages_setting((2, 2), 12)
    assert searched.value > 0.184           # above 0.1833, the L = 0.1 setting's value before
    assert searched.value >= asked.value - 1e-3     # (that search now polishes too: 0.18515)
    assert "all of Eve's decompositions" in searched.method
    # the reported number is the question at the reported setting (the polish is a candidate
    # like the others)
    again = source_rate_upper_bound(rho, 0.0, dims=(2, 2),
                                    measurements=list(searched.certificate["measurement_unitaries"]))
    assert again.value == pytest.approx(searched.value, abs=1e-9)
