"""Measurement labels say what the basis is (a newcomer read ["Z", "XZ(0)"] as two bases)."""

from __future__ import annotations

import numpy as np
import pytest

from qkdbounds.measurements.bases import computational, xz_plane


@pytest.mark.parametrize("theta,label", [(0.0, "Z"), (np.pi / 2, "X"), (0.3, "XZ(0.3)"),
                                         (np.pi, "XZ(3.14159)"), (-0.0, "Z")])
def test_xz_plane_labels(theta, label):
    m = xz_plane(theta)
    assert m.label == label
    if label == "Z":
        assert np.allclose(m.unitary, computational(2).unitary)
    if label == "X":
        assert np.allclose(np.abs(m.unitary), 1 / np.sqrt(2)) and m.unitary[1, 0].real > 0
