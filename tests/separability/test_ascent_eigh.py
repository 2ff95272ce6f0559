"""The ascent's eigendecomposition is numpy.linalg.eigh's own ufunc, called without the
wrapper's checks: the same numbers bit for bit (the engine's results must not move with it)."""

import numpy as np

from qkdbounds.separability import _ascent


def test_the_ufunc_is_numpy_eigh_bit_for_bit():
    rng = np.random.default_rng(0)
    for d in (4, 8, 9):
        a = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
        m = a @ a.conj().T
        lam, u = _ascent._eigh_lo(m)
        ref_lam, ref_u = np.linalg.eigh(m)
        assert np.array_equal(lam, ref_lam) and np.array_equal(u, ref_u)


def test_objective_gradient_matches_finite_differences():
    from qkdbounds.separability._colgen import random_products

    rng = np.random.default_rng(5)
    g = rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))
    rho = g @ g.conj().T / np.trace(g @ g.conj().T).real
    obj = _ascent._Objective(rho, (2, 2, 2), 16)
    x = obj.pack(random_products((2, 2, 2), 16, rng))
    value, grad = obj(x, 64)
    for i in (0, 17, 100, 150):
        e = np.zeros_like(x)
        e[i] = 1e-6
        fd = (obj(x + e, 64)[0] - obj(x - e, 64)[0]) / 2e-6
        assert abs(fd - grad[i]) < 1e-6 * max(1.0, abs(grad[i]))
