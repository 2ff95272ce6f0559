"""Isotropic separable certificates for every d (issue 13, item 4: paper 2 with the CC ensemble).

Second routes: Rains' closed form for E_R of isotropic states (Rains, PRA 60, 179 (1999)), and
the dense reassembly of every product ensemble."""

from __future__ import annotations

import numpy as np
import pytest

from qkdbounds.di.partial_transpose import ppt_state_key_bound
from qkdbounds.di.partial_transpose._relative_entropy import (
    isotropic_product_certificate,
    isotropic_relative_entropy,
    isotropic_state,
    relative_entropy_upper_bound,
)


@pytest.mark.parametrize("d", [2, 3, 4, 6, 8])
def test_product_ensembles_reassemble_the_isotropic_states(d):
    for v in (0.0, 0.5 / (1 + d), 1 / (1 + d)):
        cert = isotropic_product_certificate(d, v)
        assert cert.verify()
        fid = v + (1 - v) / d**2
        assert np.abs(cert.matrix() - isotropic_state(d, fid)).max() < 1e-12


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_entangled_isotropic_states_reach_rains_closed_form(d):
    for fid in (0.5, 0.8, 0.95):
        if fid <= 1 / d:
            continue
        r = relative_entropy_upper_bound(isotropic_state(d, fid), (d, d), n_starts=0)
        assert r.value == pytest.approx(isotropic_relative_entropy(d, fid), abs=1e-9)


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_separable_isotropic_inputs_give_exactly_zero_and_bounds_fall_with_noise(d):
    values = []
    for v in np.linspace(0.0, 1 / (1 + d), 4):
        fid = v + (1 - v) / d**2
        res = ppt_state_key_bound(isotropic_state(d, fid), (d, d), n_starts=0)
        assert res.value == 0.0 and res.status != "failed"
        assert res.upper_bound_state.value == 0.0 and res.upper_bound_pt.value == 0.0
    # entangled side: E_R bound monotone in the fidelity (more white noise, lower bound)
    for fid in np.linspace(1 / d, 1.0, 6):
        values.append(relative_entropy_upper_bound(isotropic_state(d, fid), (d, d),
                                                   n_starts=0).value)
    assert all(b >= a - 1e-12 for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("d,noise", [(3, 0.75), (4, 0.8), (5, 0.9)])
def test_depolarising_channels_with_separable_transposed_choi_state_give_zero(d, noise):
    """Lambda(X) = (1-q) X + q tr(X) I/d: the Choi state of theta o Lambda is a Werner state,
    separable for these q (<F> >= 0), certified by the transposed isotropic ensemble."""
    from qkdbounds.di.partial_transpose import transposed_channel_bound

    phi = np.zeros(d * d)
    phi[[i * d + i for i in range(d)]] = 1
    choi = (1 - noise) * np.outer(phi, phi) + noise * np.eye(d * d) / d
    res = transposed_channel_bound(choi, d, d)
    assert res.value == 0.0 and res.status != "failed"
    assert res.choi_bound.certificate.verify()
