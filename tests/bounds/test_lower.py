"""Devetak-Winter lower bound for any source (bounds.lower): known values, a dense second route
(explicit purification and cq state rho_XE), invariants, the upper bound beside it, input checks.

The dense route shares nothing with the library route: it builds |psi> on AB (x) E, forms
rho_E^x = tr_AB[(E_x (x) 1)|psi><psi|] with E_x itself (no square root, no spectrum swap) and the
joint distributions from full Kronecker products, and computes entropies with numpy alone.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds.bounds.lower import SourceLowerBound, devetak_winter_lower_bound
from qkdbounds.bounds.verdict import decide
from qkdbounds.errors import InputError
from qkdbounds.measurements.povm import (POVM, check_povm, nonprojective_extremal_qutrit_povm,
                                         povm_from_unitary, random_rank_one_povm)
from qkdbounds.states.sources import make_source

ATOL = 1e-9
LEAKAGES = (0.0, 0.1, 0.37, 1.0)
PHI = np.array([1, 0, 0, 1]) / np.sqrt(2)


# ---------------------------------------------------------------- helpers (numpy only)

def _entropy(p) -> float:
    p = np.asarray(p, dtype=float).ravel()
    p = p[p > 1e-13]
    return float(-(p * np.log2(p)).sum())


def _h(p: float) -> float:
    return _entropy([p, 1 - p])


def _haar_unitary(d: int, rng) -> np.ndarray:
    z = (rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def _random_state(dim: int, rank: int, rng) -> np.ndarray:
    g = rng.standard_normal((dim, rank)) + 1j * rng.standard_normal((dim, rank))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


def _trine() -> POVM:
    vecs = [np.array([np.cos(2 * np.pi * k / 3), np.sin(2 * np.pi * k / 3)]) for k in range(3)]
    return check_povm([2 / 3 * np.outer(v, v) for v in vecs], label="trine")


def _coarse_rank_two_povm(d: int, rng) -> POVM:
    """A non-projective POVM with rank-two elements (pairs of a rank-one POVM's outcomes)."""
    fine = random_rank_one_povm(d, 2 * d, rng).elements
    return check_povm(fine[0::2] + fine[1::2], label="coarse")


def _embed(op: np.ndarray, party: int, dims) -> np.ndarray:
    mats = [op if i == party else np.eye(d) for i, d in enumerate(dims)]
    return reduce(np.kron, mats)


def _dense_route(rho, dims, elements, key_party, leakage):
    """(H(X|E), max_j H(X|Y_j), raw) from an explicit purification and the cq state rho_XE."""
    evals, evecs = np.linalg.eigh(rho)
    keep = evals > 1e-14
    psi = evecs[:, keep] * np.sqrt(evals[keep])  # |psi> = sum_{i,e} psi[i, e] |i>_AB |e>_E
    blocks = []
    for e_x in elements[key_party]:
        op = _embed(e_x, key_party, dims)
        blocks.append((psi.conj().T @ op @ psi).T)  # tr_AB[(op (x) 1)|psi><psi|]
    r = psi.shape[1]
    rho_xe = np.zeros((len(blocks) * r, len(blocks) * r), dtype=complex)
    for x, b in enumerate(blocks):
        rho_xe[x * r:(x + 1) * r, x * r:(x + 1) * r] = b
    rho_e = sum(blocks)
    h_e = _entropy(np.linalg.eigvalsh(rho_xe)) - _entropy(np.linalg.eigvalsh(rho_e))
    costs = []
    for j in range(len(dims)):
        if j == key_party:
            continue
        p = np.array([[np.trace(_embed(e_x, key_party, dims) @ _embed(f_y, j, dims) @ rho).real
                       for f_y in elements[j]] for e_x in elements[key_party]])
        costs.append(_entropy(p) - _entropy(p.sum(axis=0)))
    h_b = max(costs)
    return h_e, h_b, (1 - leakage) * h_e - h_b


def _isotropic_qubit(v: float) -> np.ndarray:
    return v * np.outer(PHI, PHI) + (1 - v) * np.eye(4) / 4


def _ghz(n: int) -> np.ndarray:
    g = np.zeros(2**n)
    g[0] = g[-1] = 1 / np.sqrt(2)
    return np.outer(g, g)


# ---------------------------------------------------------------- known values

@pytest.mark.parametrize("leakage", LEAKAGES)
@pytest.mark.parametrize("v", [0.0, 0.3, 0.78, 0.95, 1.0])
def test_isotropic_qubit_closed_form(v, leakage):
    """Z bases on v|phi+><phi+| + (1-v)1/4: sigma_x has eigenvalues (1+v)/4, (1-v)/4, so
    H(X|E) = 1 + h((1+v)/2) - S(rho), H(X|Y) = h((1+v)/2); at L = 0, r = 1 - S(rho)."""
    rho = _isotropic_qubit(v)
    s_rho = _entropy([(1 + 3 * v) / 4] + [(1 - v) / 4] * 3)
    h_e = 1 + _h((1 + v) / 2) - s_rho
    h_b = _h((1 + v) / 2)
    bound = devetak_winter_lower_bound(make_source(rho, (2, 2)), "Z", leakage)
    assert_allclose(bound.h_a_given_e, h_e, atol=ATOL)
    assert_allclose(bound.h_a_given_b, h_b, atol=ATOL)
    assert_allclose(bound.raw_value, (1 - leakage) * h_e - h_b, atol=ATOL)
    assert_allclose(bound.value, max(0.0, (1 - leakage) * h_e - h_b), atol=ATOL)
    if leakage == 0.0:
        assert_allclose(bound.raw_value, 1 - s_rho, atol=ATOL)


@pytest.mark.parametrize("leakage", LEAKAGES)
def test_bell_state_gives_one_minus_leakage(leakage):
    bound = devetak_winter_lower_bound(make_source(np.outer(PHI, PHI), (2, 2)), "Z", leakage)
    assert_allclose(bound.value, 1 - leakage, atol=ATOL)
    assert_allclose((bound.h_a_given_e, bound.h_a_given_b), (1.0, 0.0), atol=ATOL)


def test_five_percent_white_noise_is_positive():
    bound = devetak_winter_lower_bound(make_source(_isotropic_qubit(0.95), (2, 2)), "Z")
    assert bound.value > 0.7
    assert decide(1.0, bound.value) == "key"


def test_white_noise_and_product_states_give_no_key():
    white = devetak_winter_lower_bound(make_source(np.eye(4) / 4, (2, 2)), "Z")
    assert white.value == 0.0
    assert_allclose(white.raw_value, -1.0, atol=ATOL)
    zero = np.zeros(4)
    zero[0] = 1
    pure_product = devetak_winter_lower_bound(make_source(np.outer(zero, zero), (2, 2)), "Z")
    assert pure_product.value == 0.0
    assert_allclose(pure_product.raw_value, 0.0, atol=ATOL)


@pytest.mark.parametrize("seed", range(6))
def test_product_states_have_nonpositive_raw_value(seed):
    """rho_A (x) rho_B: H(X|Y) = H(X) >= H(X|E), whatever the bases."""
    rng = np.random.default_rng(seed)
    rho = np.kron(_random_state(2, 2, rng), _random_state(3, 1 + seed % 3, rng))
    povms = [povm_from_unitary(_haar_unitary(2, rng)), povm_from_unitary(_haar_unitary(3, rng))]
    bound = devetak_winter_lower_bound(make_source(rho, (2, 3)), povms, 0.2)
    assert bound.raw_value <= ATOL
    assert bound.value == 0.0


@pytest.mark.parametrize("key_party", [0, 1, 2])
@pytest.mark.parametrize("leakage", [0.0, 0.25])
def test_ghz_three_parties(key_party, leakage):
    bound = devetak_winter_lower_bound(make_source(_ghz(3), (2, 2, 2)), "Z", leakage,
                                       key_party=key_party)
    assert_allclose(bound.value, 1 - leakage, atol=ATOL)


def test_conference_cost_is_the_worst_decoder():
    """Bell pair on parties 0, 1 and |0> on party 2: party 2 knows nothing, H(X|Y_2) = 1."""
    zero = np.array([1.0, 0.0])
    rho = np.kron(np.outer(PHI, PHI), np.outer(zero, zero))
    bound = devetak_winter_lower_bound(make_source(rho, (2, 2, 2)), "Z")
    assert bound.decoding_party == 2
    assert_allclose((bound.h_a_given_e, bound.h_a_given_b, bound.raw_value), (1.0, 1.0, 0.0),
                    atol=ATOL)


def test_key_party_matters_for_asymmetric_source():
    """cq source: A holds x in Z, B holds nonorthogonal |psi_x>; B's Z outcome is noisy.
    Keyed on A, Eve's purification is a copy of x's purifier; the dense route fixes both."""
    theta = 0.4
    psi = [np.array([1.0, 0.0]), np.array([np.cos(theta), np.sin(theta)])]
    rho = sum(0.5 * np.kron(np.diag([1.0 - x, x]), np.outer(p, p)) for x, p in enumerate(psi))
    elements = [povm_from_unitary(np.eye(2)).elements] * 2
    results = [devetak_winter_lower_bound(make_source(rho, (2, 2)), "Z", 0.1, key_party=k)
               for k in (0, 1)]
    for k, bound in enumerate(results):
        h_e, h_b, raw = _dense_route(rho, (2, 2), elements, k, 0.1)
        assert_allclose((bound.h_a_given_e, bound.h_a_given_b, bound.raw_value),
                        (h_e, h_b, raw), atol=ATOL)
    assert abs(results[0].h_a_given_b - results[1].h_a_given_b) > 1e-3


# ---------------------------------------------------------------- dense second route

def _bases(kind: str, dims, rng):
    if kind == "Z":
        return ["Z"] * len(dims), [povm_from_unitary(np.eye(d)).elements for d in dims]
    if kind == "unitary":
        povms = [povm_from_unitary(_haar_unitary(d, rng)) for d in dims]
    elif kind == "rank_one":
        povms = [random_rank_one_povm(d, d + 2, rng) for d in dims]
    elif kind == "coarse":
        povms = [_coarse_rank_two_povm(d, rng) for d in dims]
    else:
        raise AssertionError(kind)
    return povms, [p.elements for p in povms]


CASES = [((2, 2), "Z"), ((2, 2), "unitary"), ((2, 3), "Z"), ((2, 3), "unitary"),
         ((3, 2), "rank_one"), ((3, 3), "Z"), ((3, 3), "unitary"), ((3, 3), "coarse"),
         ((2, 2, 2), "Z"), ((2, 2, 2), "unitary"), ((2, 2, 2), "rank_one")]


@pytest.mark.parametrize("dims,kind", CASES, ids=[f"{'x'.join(map(str, d))}-{k}" for d, k in CASES])
@pytest.mark.parametrize("seed", range(3))
def test_matches_dense_purification_route(dims, kind, seed):
    rng = np.random.default_rng(1000 * seed + sum(dims))
    total = math.prod(dims)
    rank = [1, 2, total][seed]
    # mix with a maximally correlated pure state so some raw values are positive
    ent = np.zeros(total)
    for i in range(min(dims)):
        ent[np.ravel_multi_index((i,) * len(dims), dims)] = 1
    ent /= np.linalg.norm(ent)
    weight = rng.uniform(0, 1)
    rho = weight * np.outer(ent, ent) + (1 - weight) * _random_state(total, rank, rng)
    povms, elements = _bases(kind, dims, rng)
    source = make_source(rho, dims)
    for key_party in range(len(dims)):
        for leakage in (0.0, 0.3, 0.9):
            bound = devetak_winter_lower_bound(source, povms, leakage, key_party=key_party)
            h_e, h_b, raw = _dense_route(rho, dims, elements, key_party, leakage)
            assert_allclose((bound.h_a_given_e, bound.h_a_given_b, bound.raw_value),
                            (h_e, h_b, raw), atol=ATOL)
            assert bound.value == pytest.approx(max(raw, 0.0), abs=ATOL)


@pytest.mark.parametrize("leakage", [0.0, 0.2, 0.6])
@pytest.mark.parametrize("seed", range(4))
def test_trine_povm_matches_dense_route(seed, leakage):
    """Non-projective key measurement (trine on a qubit): needs sqrt(E_x), not E_x."""
    rng = np.random.default_rng(seed)
    rho = 0.7 * _isotropic_qubit(0.9) + 0.3 * _random_state(4, 1 + seed, rng)
    povms = [_trine(), povm_from_unitary(_haar_unitary(2, rng))]
    for key_party in (0, 1):
        bound = devetak_winter_lower_bound(make_source(rho, (2, 2)), povms, leakage,
                                           key_party=key_party)
        h_e, h_b, raw = _dense_route(rho, (2, 2), [p.elements for p in povms], key_party,
                                     leakage)
        assert_allclose((bound.h_a_given_e, bound.h_a_given_b, bound.raw_value),
                        (h_e, h_b, raw), atol=ATOL)


def test_extremal_qutrit_povm_matches_dense_route(rng):
    rho = 0.5 * _random_state(9, 3, rng) + 0.5 * np.eye(9) / 9
    povms = [nonprojective_extremal_qutrit_povm(), povm_from_unitary(_haar_unitary(3, rng))]
    bound = devetak_winter_lower_bound(make_source(rho, (3, 3)), povms, 0.15)
    h_e, h_b, raw = _dense_route(rho, (3, 3), [p.elements for p in povms], 0, 0.15)
    assert_allclose((bound.h_a_given_e, bound.h_a_given_b, bound.raw_value), (h_e, h_b, raw),
                    atol=ATOL)


# ---------------------------------------------------------------- invariants

def test_monotone_in_leakage_and_models_agree():
    source = make_source(_isotropic_qubit(0.9), (2, 2))
    values = [devetak_winter_lower_bound(source, "Z", L).value for L in np.linspace(0, 1, 11)]
    assert all(a >= b - 1e-12 for a, b in zip(values, values[1:]))
    assert values[-1] == 0.0
    uniform = devetak_winter_lower_bound(source, "Z", 0.2, "uniform")
    junk = devetak_winter_lower_bound(source, "Z", 0.2, "junk")
    assert junk.value == uniform.value and junk.model == "junk"
    assert "junk" in junk.method and "conservative" in junk.method


def test_local_unitaries_and_party_order(rng):
    dims = (2, 3)
    rho = 0.6 * _random_state(6, 2, rng) + 0.4 * np.eye(6) / 6
    povms = [povm_from_unitary(_haar_unitary(d, rng)) for d in dims]
    base = devetak_winter_lower_bound(make_source(rho, dims), povms, 0.1)
    u, w = _haar_unitary(2, rng), _haar_unitary(3, rng)
    uw = np.kron(u, w)
    rotated = [POVM(np.einsum("ij,ajk,lk->ail", m, p.elements, m.conj()))
               for m, p in zip((u, w), povms)]
    moved = devetak_winter_lower_bound(make_source(uw @ rho @ uw.conj().T, dims), rotated, 0.1)
    assert_allclose(moved.raw_value, base.raw_value, atol=ATOL)
    swap = rho.reshape(2, 3, 2, 3).transpose(1, 0, 3, 2).reshape(6, 6)
    swapped = devetak_winter_lower_bound(make_source(swap, (3, 2)), povms[::-1], 0.1,
                                         key_party=1)
    assert_allclose(swapped.raw_value, base.raw_value, atol=ATOL)


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("leakage", [0.0, 0.05, 0.2])
@pytest.mark.parametrize("v", [0.5, 0.8, 0.9, 0.97])
def test_below_the_isotropic_upper_bound(v, leakage, model):
    from qkdbounds import rate_upper_bound

    lower = devetak_winter_lower_bound(make_source(_isotropic_qubit(v), (2, 2)), "Z",
                                       leakage, model).value
    upper = rate_upper_bound(2, 2, v, leakage, model).value
    assert lower <= upper + 1e-7
    decide(upper, lower)  # raises on a contradiction


def test_result_is_frozen_and_value_never_negative():
    bound = devetak_winter_lower_bound(make_source(np.eye(4) / 4, (2, 2)), "Z")
    assert isinstance(bound, SourceLowerBound) and bound.status == "closed_form"
    assert bound.value >= 0.0 > bound.raw_value
    with pytest.raises(AttributeError):
        bound.value = 1.0  # type: ignore[misc]
    for words in ("collective", "purification", "one-way", "party 0", "[Z, Z]"):
        assert words in bound.method


# ---------------------------------------------------------------- front door

@pytest.mark.parametrize("kwargs,match", [
    ({"source": np.eye(4) / 4}, "source must be a qkdbounds Source"),
    ({"povms": ["Z"]}, "one POVM per party"),
    ({"povms": "X"}, r"povms\[0\] must be a POVM or 'Z'"),
    ({"povms": 3}, "povms must be a list"),
    ({"povms": ["Z", povm_from_unitary(np.eye(3))]}, r"povms\[1\] acts on dimension 3"),
    ({"povms": ["Z", [[[1, 0], [0, 0]]]]}, r"povms\[1\]: elements must sum to the identity"),
    ({"leakage": 1.5}, r"leakage must be in \[0.0, 1.0\]"),
    ({"leakage": float("nan")}, "leakage must be a finite number"),
    ({"model": "junky"}, "model must be one of uniform, junk"),
    ({"key_party": 2}, r"key_party must be an integer in \[0, 1\]"),
], ids=["source", "n-povms", "string", "not-list", "povm-dim", "not-povm", "leakage",
        "leakage-nan", "model", "key-party"])
def test_front_door(kwargs, match):
    args = {"source": make_source(np.eye(4) / 4, (2, 2)), "povms": "Z"}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        devetak_winter_lower_bound(**args)


def test_accepts_sources_at_the_edge_of_the_state_tolerance():
    """make_source accepts eigenvalues down to -1e-9; the bound clips them (no entropy error)."""
    rho = np.outer(PHI, PHI) * (1 + 5e-10) - 5e-10 * np.diag([0, 1, 0, 0])
    bound = devetak_winter_lower_bound(make_source(rho, (2, 2)), "Z", 0.1)
    assert_allclose(bound.value, 0.9, atol=1e-7)


def test_cached_entropies_answer_each_question_as_a_fresh_computation():
    """A leakage grid reuses H(X|E), H(X|Y): the cache key holds the state, the measurements and
    the key party, so another setting or state is never answered from it."""
    import qkdbounds.bounds.lower as lower
    from qkdbounds.measurements.povm import povm_from_unitary

    x = povm_from_unitary(np.array([[1, 1], [1, -1]]) / np.sqrt(2), "X")
    z = povm_from_unitary(np.eye(2), "Z")
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4
    other = 0.8 * np.outer(phi, phi) + 0.2 * np.diag([1.0, 0, 0, 0])
    questions = [(rho, "Z"), (rho, [x, x]), (other, "Z"), (rho, [z, x])]
    cached = [devetak_winter_lower_bound(make_source(m, (2, 2)), povms, leakage=0.2)
              for m, povms in questions]
    for (m, povms), got in zip(questions, cached):
        lower._ENTROPY_CACHE.clear()
        fresh = devetak_winter_lower_bound(make_source(m, (2, 2)), povms, leakage=0.2)
        assert (got.h_a_given_e, got.h_a_given_b, got.value) == (
            fresh.h_a_given_e, fresh.h_a_given_b, fresh.value)


def test_a_lower_bound_above_the_upper_bound_by_round_off_is_reported_at_it():
    # a Bell state at L = 0: the Devetak-Winter rate 1.0000000000000004 beside the upper bound
    # 0.9999999999999992 (and a BB84 link at QBER 0); two valid bounds cannot cross
    import numpy as np

    from qkdbounds.bounds.data_bound import data_rate_upper_bound
    from qkdbounds.bounds.source_bound import source_rate_upper_bound
    from qkdbounds.bounds.verdict import reported_lower
    from qkdbounds.states import werner_state

    assert reported_lower(0.9999999999999992, 1.0000000000000004) == 0.9999999999999992
    assert reported_lower(0.5, 0.2) == 0.2 and reported_lower(0.5, None) is None
    np.testing.assert_array_equal(reported_lower(np.array([0.5, 0.5, 0.5]), np.array([0.6 - 0.1 + 1e-15, np.nan, 0.1])),
                                  [0.5, np.nan, 0.1])
    with pytest.raises(ValueError, match="exceeds"):
        reported_lower(0.5, 0.7)
    r = source_rate_upper_bound(werner_state(1.0), 0.0, measurements="Z", dims=(2, 2))
    d = data_rate_upper_bound("bb84", qber_z=0.0, qber_x=0.0, leakage=0.0)
    for x in (r, d):
        assert x.lower_bound <= x.value and x.verdict == "key"
