"""The extended CC attack in non-Z settings against a dense brute force from the definitions.

Second route (issue 12): every ingredient is rebuilt from density matrices with ``Tr(M rho)``
(the dense route of :func:`qkdbounds.measurements.dense_distribution`), the "?" measure is formed
from the module's definitions (Eqs. 8-12 and the extended family)

    m = (1-q)(1-L_u) p_ent + y + sum_i eta_i q (1-L) w_i p_i,   0 <= y <= q L p_sep + (1-q) L_u p_ent,

and p(?) TC(A|?) is minimised by many seeded L-BFGS-B starts with numerical gradients over
(y, eta) -- no structured code, no flag grouping, our own entropy.  In Z bases the leaked-GHZ
term hides among the separable mass; in a rotated setting it does not.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from qkdbounds import rate_upper_bound
from qkdbounds.measurements import computational, dense_distribution, xz_plane
from qkdbounds.states import cc_decomposition, isotropic_ghz


def _tc_times_mass(m):
    """M * (sum_k H(A_k) - H(A)) in bits, from plain numpy."""
    m = np.clip(m, 0, None)
    mass = m.sum()
    if mass <= 0:
        return 0.0
    p = m / mass

    def h(x):
        x = x[x > 0]
        return float(-(x * np.log2(x)).sum())

    n = p.ndim
    marg = sum(h(p.sum(axis=tuple(j for j in range(n) if j != k))) for k in range(n))
    return mass * (marg - h(p.ravel()))


def _brute_extended(d, n, v, leak, model, setting, n_starts=40, seed=3):
    state = isotropic_ghz(d, n, v)
    dim = d**n
    ghz = np.zeros(dim)
    for k in range(d):
        ghz[sum(k * d**j for j in range(n))] = 1 / np.sqrt(d)
    rho_ghz = np.outer(ghz, ghz)
    rho_v = v * rho_ghz + (1 - v) * np.eye(dim) / dim
    dec = cc_decomposition(state)
    q = dec.q
    p_ent = dense_distribution(rho_ghz, setting)
    p_sep = dense_distribution((rho_v - (1 - q) * rho_ghz) / q, setting)
    members = []
    for weight, vectors in dec.separable:
        psi = vectors[0]
        for vec in vectors[1:]:
            psi = np.kron(psi, vec)
        members.append(weight * dense_distribution(np.outer(psi, psi.conj()), setting))
    members = np.array(members)
    leak_u = leak if model == "uniform" else 0.0
    base = (1 - q) * (1 - leak_u) * p_ent
    box = q * leak * p_sep + (1 - q) * leak_u * p_ent
    flags = q * (1 - leak) * members

    def objective(x):
        t, eta = x[:dim].reshape(base.shape), x[dim:]
        m = base + t * box + np.tensordot(eta, flags, axes=1)
        return _tc_times_mass(m) / (n - 1)

    rng = np.random.default_rng(seed)
    size = dim + len(members)
    starts = [np.zeros(size), np.ones(size)] + [rng.random(size) for _ in range(n_starts)]
    best = min(minimize(objective, x0, method="L-BFGS-B", bounds=[(0, 1)] * size).fun
               for x0 in starts)
    return max(float(best), 0.0)


@pytest.mark.parametrize("model", ["uniform", "junk"])
@pytest.mark.parametrize("theta", [0.0, 0.7, 1.3])
def test_extended_attack_matches_brute_force_in_rotated_bases(theta, model):
    setting = [computational(2), xz_plane(theta)]
    for v, leak in [(0.75, 0.2), (0.9, 0.4)]:
        ours = rate_upper_bound(2, 2, v, leak, model, measurements=setting, attack="extended")
        brute = _brute_extended(2, 2, v, leak, model, setting)
        assert ours.value == pytest.approx(brute, abs=2e-5), (theta, v, leak)
