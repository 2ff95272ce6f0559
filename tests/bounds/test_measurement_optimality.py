"""The outer max over measurements: Z bases are optimal (global searches, SPEC §1)."""

import numpy as np
import pytest

from qkdbounds import rate_upper_bound
from qkdbounds.bounds import threshold_closed_form
from qkdbounds.measurements import computational, random_measurement, xz_plane


@pytest.mark.parametrize("v,leak", [(0.45, 0.1), (0.7, 0.2), (0.9, 0.3)])
def test_d2_exhaustive_angle_grid_picks_z(v, leak):
    # U (x) U* invariance fixes A = Z; the qubit statistics then depend on one angle, so the grid
    # of rate_upper_bound(measurements="search") is exhaustive.
    z = rate_upper_bound(2, 2, v, leak).value
    searched = rate_upper_bound(2, 2, v, leak, measurements="search")
    assert searched.value <= z + 1e-12
    finer = max(rate_upper_bound(2, 2, v, leak, measurements=[computational(2), xz_plane(t)]).value
                for t in np.linspace(0.01, 0.3, 7))
    assert finer <= z


@pytest.mark.slow
@pytest.mark.parametrize("d,n", [(3, 2), (2, 3)])
def test_haar_random_settings_never_beat_z(d, n, rng):
    for v in (0.5, 0.85):
        z = rate_upper_bound(d, n, v, 0.2).value
        for _ in range(12):
            setting = [computational(d)] + [random_measurement(d, rng) for _ in range(n - 1)]
            assert rate_upper_bound(d, n, v, 0.2, measurements=setting, cut_bound=False).value <= z + 1e-9


def test_fig3_theta2_scan_peaks_at_z():
    # Fig. 3 protocol: A, B in Z, C in the X-Z plane at theta2; the max is at theta2 = 0.
    v, leak = 0.8, 0.1
    values = [rate_upper_bound(2, 3, v, leak, measurements=[computational(2), computational(2), xz_plane(t)],
                               cut_bound=False).value for t in np.linspace(0, np.pi / 2, 9)]
    assert int(np.argmax(values)) == 0
    assert all(b <= a + 1e-12 for a, b in zip(values, values[1:]))


def test_every_setting_is_zero_below_threshold(rng):
    # Theorem 2 is a statement for *all* d-outcome projective measurements
    for d, n in [(2, 2), (3, 2), (2, 3)]:
        v = threshold_closed_form(d, n, 0.15) - 1e-4
        for _ in range(6):
            setting = [random_measurement(d, rng) for _ in range(n)]
            assert rate_upper_bound(d, n, v, 0.15, measurements=setting, cut_bound=False).value == 0.0
