"""Two-qubit sources on the one any-source route (issue 19): the decomposition closed forms,
the Bloch-axis search, Eve adapting to every setting, and the default (tightest) bound."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from qkdbounds import rate_upper_bound
from qkdbounds.bounds.source_bound import source_rate_upper_bound
from qkdbounds.errors import InputError
from qkdbounds.measurements.qubit import (bloch_measurement, correlation_matrix,
                                          fibonacci_hemisphere)
from qkdbounds.states.sources import as_source, make_source
from qkdbounds.states.two_qubit import bell_basis, bell_diagonal_state, werner_state


def _haar(rng, d=2):
    z = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def _random_state(rng, dim=4, rank=None):
    g = rng.standard_normal((dim, rank or dim)) + 1j * rng.standard_normal((dim, rank or dim))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


@pytest.mark.parametrize("v", [0.2, 1 / 3, 0.5, 0.75, 0.9, 1.0], ids=lambda v: f"v{v:.3g}")
def test_werner_weight_is_papers_q(v):
    # paper 1, Eq. 8 (d = N = 2): q = 3(1 - v)/2, optimal by U (x) U* twirling
    r = source_rate_upper_bound(werner_state(v), 0.1, measurements="Z")
    assert_allclose(r.separable_weight, min(1.0, 1.5 * (1 - v)), atol=1e-7)
    assert r.ensemble_residual <= 1e-9


@pytest.mark.parametrize("weights", [[0.7, 0.1, 0.1, 0.1], [0.6, 0.3, 0.1, 0.0],
                                     [0.05, 0.9, 0.05, 0.0], [0.3, 0.3, 0.2, 0.2]],
                         ids=["p0.7", "p0.6", "phi-0.9", "sep"])
def test_bell_diagonal_weight_closed_form(weights):
    # Bell-diagonal: q = min(1, 2(1 - p_max)) (separable iff max p <= 1/2)
    w = np.array(weights)
    r = source_rate_upper_bound(bell_diagonal_state(w), 0.1, measurements="Z")
    assert_allclose(r.separable_weight, min(1.0, 2 * (1 - w.max())), atol=1e-7)
    if w.max() <= 0.5:
        assert r.value == 0.0 and r.verdict == "no_key"


@pytest.mark.parametrize("v, leak, model", [(0.4, 0.1, "uniform"), (0.6, 0.2, "uniform"),
                                            (0.9, 0.3, "uniform"), (0.6, 0.2, "junk"),
                                            (0.95, 0.1, "uniform")])
@pytest.mark.parametrize("attack", ["best", "paper", "extended"])
@pytest.mark.parametrize("measurements", ["Z", "search"])
def test_isotropic_matrices_equal_the_isotropic_route(v, leak, model, attack, measurements):
    # every route gives the isotropic route's number (issue 19, item 3): Eve adapts her Eq. (9)
    # ensemble to every searched setting (U (x) U* covariance), so the search cannot exceed Z
    r = source_rate_upper_bound(werner_state(v), leak, model, measurements=measurements,
                                attack=attack)
    iso = rate_upper_bound(2, 2, v, leak, model, attack=attack if attack != "best" else "extended")
    assert_allclose(r.value, iso.value, atol=1e-9)


def test_search_is_global_on_a_locally_rotated_werner_state(rng):
    v, leak = 0.7, 0.2
    u = np.kron(_haar(rng), _haar(rng))
    rho = u @ werner_state(v) @ u.conj().T
    z_only = source_rate_upper_bound(rho, leak, measurements="Z", attack="paper")
    searched = source_rate_upper_bound(rho, leak, measurements="search", attack="paper")
    iso = rate_upper_bound(2, 2, v, leak, attack="paper").value
    assert z_only.value < iso - 1e-3  # Z is not optimal here
    assert_allclose(searched.value, iso, atol=1e-6)


def test_the_search_value_is_the_fixed_setting_value_at_the_reported_setting(rng):
    # Eve adapts per setting: asking the reported setting directly gives the same number, and
    # random settings never give more (issue 19, done-when: "search never above fixed settings")
    rho = bell_diagonal_state([0.72, 0.15, 0.08, 0.05])
    u = np.kron(_haar(rng), _haar(rng))
    rho = u @ rho @ u.conj().T
    searched = source_rate_upper_bound(rho, 0.1, measurements="search")
    us = searched.certificate["measurement_unitaries"]
    fixed = source_rate_upper_bound(rho, 0.1, measurements=us)
    assert_allclose(fixed.value, searched.value, atol=1e-9)
    for _ in range(4):
        setting = [_haar(rng), _haar(rng)]
        assert source_rate_upper_bound(rho, 0.1, measurements=setting).value <= searched.value + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_default_is_never_above_paper_extended_or_no_attack(seed):
    rng = np.random.default_rng(100 + seed)
    rho = _random_state(rng, rank=1 + seed % 4)
    for leak, model in [(0.0, "uniform"), (0.1, "uniform"), (0.3, "junk")]:
        best = source_rate_upper_bound(rho, leak, model, measurements="Z")
        paper = source_rate_upper_bound(rho, leak, model, attack="paper", measurements="Z")
        ext = source_rate_upper_bound(rho, leak, model, attack="extended", measurements="Z")
        assert best.value <= best.no_attack_value + 1e-12
        assert best.value <= paper.value + 1e-12 and best.value <= ext.value + 1e-12
        assert_allclose(best.paper_value, paper.value, atol=1e-9)  # paper_value keeps its meaning
        assert best.value == min(best.paper_value, best.extended_value, best.no_attack_value)


def test_errata_e18_paper_attack_above_no_attack_is_not_the_default():
    # Bell state v = 0.95, L = 0.1 (issue 19): paper 0.8104 > no attack 0.7482 > extended 0.7160
    r = source_rate_upper_bound(werner_state(0.95), 0.1, measurements="Z")
    assert r.attack_used == "extended"
    assert_allclose([r.paper_value, r.no_attack_value, r.value], [0.810439, 0.748205, 0.716012],
                    atol=1e-6)
    paper = source_rate_upper_bound(werner_state(0.95), 0.1, attack="paper", measurements="Z")
    assert "above the no-attack bound" in paper.message


def test_leakage_grid_equals_points():
    rho = bell_diagonal_state([0.8, 0.1, 0.06, 0.04])
    grid = np.linspace(0, 1, 6)
    res = source_rate_upper_bound(rho, grid, measurements="Z")
    assert len(res) == 6 and res.value.shape == (6,)
    for leak, point in zip(grid, res):
        single = source_rate_upper_bound(rho, float(leak), measurements="Z")
        assert_allclose(point.value, single.value, atol=1e-12)
        assert point.leakage == leak
    assert np.all(np.diff(res.value) <= 1e-10)  # monotone in L


def test_pure_entangled_state_no_separable_part():
    psi = np.array([np.cos(0.3), 0, 0, np.sin(0.3)], dtype=complex)
    r = source_rate_upper_bound(psi, 0.2, measurements="Z", attack="paper")  # a ket is a source
    p = np.cos(0.3) ** 2
    h = -p * np.log2(p) - (1 - p) * np.log2(1 - p)
    assert_allclose(r.separable_weight, 0.0, atol=1e-9)
    assert_allclose(r.value, 0.8 * h, atol=1e-9)  # (1 - L) I(A:B)


def test_verdicts():
    # separable: no_key; Bell state with 5 % white noise at L = 0: key (issue 19, done-when)
    assert source_rate_upper_bound(werner_state(0.3), 0.0, measurements="Z").verdict == "no_key"
    r = source_rate_upper_bound(werner_state(0.95), 0.0, measurements="Z")
    assert r.verdict == "key" and r.lower_bound > 0
    assert r.lower_bound <= r.value


def test_inputs_a_physicist_has():
    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = 0.9 * np.outer(phi, phi) + 0.1 * np.eye(4) / 4
    ref = source_rate_upper_bound(rho, 0.1, measurements="Z").value
    single = source_rate_upper_bound(rho.astype(np.complex64), 0.1, measurements="Z").value
    assert_allclose(single, ref, atol=1e-5)
    # half precision: its tolerance would pass an eigenvalue of -0.3 (fuzzing): refused
    with pytest.raises(InputError, match="float16 entries .* too coarse"):
        as_source(np.diag([0.65, 0.65, -0.3, 0.0]).astype(np.float16))
    with pytest.raises(InputError, match="float16"):
        as_source((np.eye(4) / 4).astype(np.float16))

    class Qobj:  # QuTiP's interface: .full() and dims
        dims = [[2, 2], [2, 2]]

        def full(self):
            return rho

    assert_allclose(source_rate_upper_bound(Qobj(), 0.1, measurements="Z").value, ref, atol=1e-12)
    with pytest.raises(InputError, match="dims"):
        as_source(np.eye(9) / 9)
    with pytest.raises(InputError, match="norm"):
        as_source(np.array([1.0, 0, 0, 1.0]))
    with pytest.raises(InputError, match="leakage"):
        source_rate_upper_bound(rho, [[0.1]])
    with pytest.raises(InputError, match="attack"):
        source_rate_upper_bound(rho, 0.1, attack="intrinsic")
    assert make_source(rho, (2, 2)).dims == (2, 2)


def test_qubit_helpers():
    grid = fibonacci_hemisphere(50)
    assert_allclose(np.linalg.norm(grid, axis=1), 1.0, atol=1e-14)
    assert np.all(grid[:, 2] > 0)
    assert bloch_measurement([0, 0, 1]).label == "Z" and bloch_measurement([1, 0, 0]).label == "X"
    assert_allclose(np.abs(bloch_measurement([1, 0, 0]).unitary) ** 2, 0.5, atol=1e-15)
    assert_allclose(correlation_matrix(werner_state(0.5)), np.diag([0.5, -0.5, 0.5]), atol=1e-15)
    with pytest.raises(InputError, match="axis"):
        bloch_measurement([0, 0, 0])
    phi = bell_basis()[:, 0]
    assert_allclose(np.abs(phi), [2 ** -0.5, 0, 0, 2 ** -0.5], atol=1e-15)


def test_both_covariant_rotations_reproduce_the_z_value(rng):
    # rho_v is U (x) U* invariant: Eve's Eq. (9) ensemble rotated by U_A (x) conj(U_A), and the one
    # rotated by conj(U_B) (x) U_B, each give the Z value at a (U, U*) setting (issue 19, item 3)
    u = _haar(rng)
    z = source_rate_upper_bound(werner_state(0.9), 0.2, attack="extended", trivial=False,
                                measurements="Z").value
    r = source_rate_upper_bound(werner_state(0.9), 0.2, measurements=[u, u.conj()],
                                attack="extended", trivial=False)
    by_dec = r.certificate["attack"]["value_by_decomposition"]
    assert_allclose(by_dec["aligned with party 0"], z, atol=1e-9)
    assert_allclose(by_dec["aligned with party 1"], z, atol=1e-9)


def test_huge_state_vector_refused_before_its_projector(monkeypatch):
    # fuzzing: a 2^20-entry ket built its 16 TiB projector before the size check (MemoryError)
    from qkdbounds.states import sources

    def no_outer(*args, **kwargs):
        raise AssertionError("the projector of an oversized ket was built")

    monkeypatch.setattr(sources.np, "outer", no_outer)
    ket = np.zeros(sources.MAX_SOURCE_DIM + 1)
    ket[0] = 1.0
    with pytest.raises(InputError, match="state vector of 4097 entries; allowed: at most 4096"):
        make_source(ket, (sources.MAX_SOURCE_DIM + 1, 1))
    big = np.zeros(2**20)
    big[0] = 1.0
    with pytest.raises(InputError, match="state vector"):
        make_source(big, (2,) * 20)


def test_leakage_grid_cap_and_point_callback():
    # fuzzing: a 10^7-point leakage grid ran for minutes with no refusal (data-bound refused)
    from qkdbounds.errors import MAX_LEAKAGE_POINTS

    rho = bell_diagonal_state([0.8, 0.1, 0.06, 0.04])
    with pytest.raises(InputError, match=f"{MAX_LEAKAGE_POINTS + 1} points; allowed: at most "
                                         f"{MAX_LEAKAGE_POINTS}.*sweep"):
        source_rate_upper_bound(rho, np.linspace(0, 1, MAX_LEAKAGE_POINTS + 1))
    done = []
    res = source_rate_upper_bound(rho, [0.0, 0.3, 0.6], measurements="Z", callback=done.append)
    assert done == [1, 1, 1] and len(res) == 3
    with pytest.raises(InputError, match="callback"):
        source_rate_upper_bound(rho, 0.1, measurements="Z", callback=5)


def test_state_bound_grid_shows_a_bar_over_points(tmp_path, monkeypatch, capsys):
    import sys

    from qkdbounds.cli import main

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["state-bound", "--werner", "0.9", "--leakage", "0:0.5:0.1", "--measurements", "Z",
                 "--json"]) == 0
    err = capsys.readouterr().err
    assert "state-bound:" in err and "0/6" in err     # a bar over the 6 points (tqdm, stderr)


def test_project_in_the_api_as_on_the_cli(tmp_path, capsys):
    """The error names ``project=True in the API``: source_rate_upper_bound takes it (a newcomer
    got a TypeError) and gives state-bound --project's number."""
    import json

    from qkdbounds.cli.main import main

    phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    rho = 0.95 * np.outer(phi, phi) + 0.05 * np.eye(4) / 4
    rho[0, 0] += 1e-4
    rho[3, 3] -= 2e-4
    with pytest.raises(InputError, match="project=True in the API"):
        source_rate_upper_bound(rho, 0.1, measurements="Z")
    api = source_rate_upper_bound(rho, 0.1, measurements="Z", project=True).value
    path = tmp_path / "rho.npy"
    np.save(path, rho)
    assert main(["state-bound", "--state", str(path), "--leakage", "0.1", "--measurements", "Z",
                 "--project", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["rate_upper_bound"] == api
