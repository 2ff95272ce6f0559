"""Shared fixtures: a seeded random generator (STYLE.md: randomness only through rng)."""

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("qkdbounds", derandomize=True, deadline=None, max_examples=40)
settings.load_profile("qkdbounds")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261129)
