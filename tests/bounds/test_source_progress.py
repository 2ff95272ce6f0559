"""Progress of long source bounds (issue 19: no valid request runs long without progress)."""

import numpy as np

from qkdbounds.bounds.source_bound import source_rate_upper_bound


def test_progress_callback_reports_each_engine_run_to_completion():
    rng = np.random.default_rng(7)
    g = rng.standard_normal((6, 6)) + 1j * rng.standard_normal((6, 6))
    rho = g @ g.conj().T
    rho /= np.trace(rho).real
    seen = []
    r = source_rate_upper_bound(rho, 0.1, dims=(2, 3), progress=seen.append, measurements="Z")
    assert seen and seen[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in seen)
    assert 0.0 <= r.value
    # without a callback the same number (the callback only observes)
    assert source_rate_upper_bound(rho, 0.1, dims=(2, 3), measurements="Z").value == r.value
