"""Named numerical tolerances, in one place (STYLE.md)."""

ATOL_PROB = 1e-12
"""Absolute tolerance on probabilities and on exact decompositions."""

ATOL_PSD = 1e-10
"""Eigenvalues above ``-ATOL_PSD`` count as non-negative (PPT / PSD tests)."""

ATOL_RATE = 1e-9
"""Rates (bits) below this are reported as zero key."""

XTOL_THRESHOLD = 1e-10
"""Bracketing tolerance on visibilities found as zero crossings."""

GAMMA_TOL = 1e-12
"""Stopping tolerance of Eve's alternating minimisation (bits)."""

ATOL_DI = 1e-7
"""DI attack: Eve's decomposition reproduces the box to the LP's feasibility tolerance, so her
bounds are accurate to about this (bits); upper-vs-lower comparisons use it."""
