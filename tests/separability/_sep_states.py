"""States shared by the separability tests (imported as a plain module, pytest prepend mode)."""

import numpy as np

#: ``time_budget`` (s) for tests whose assertion is about what the engine reaches: a ceiling far
#: above the work needed, so the result depends on the work done and never on the machine's load
#: (the engine's default budget is wall-clock and shrinks the work under load).
WORK_BUDGET = 900.0


def horodecki_state(aa: float) -> np.ndarray:
    """P. Horodecki, PLA 232, 333 (1997), Eq. (7): the 3x3 family, PPT and entangled for
    0 < a < 1."""
    m = np.zeros((9, 9))
    for i in (0, 4, 8):
        for j in (0, 4, 8):
            m[i, j] = aa
    for i in (1, 2, 3, 5, 7):
        m[i, i] = aa
    m[6, 6] = m[8, 8] = (1 + aa) / 2
    m[6, 8] = m[8, 6] = np.sqrt(1 - aa**2) / 2
    return m / (8 * aa + 1)


def tiles_state() -> np.ndarray:
    """Bennett et al., PRL 82, 5385 (1999): (1 - sum of the 5 tiles projectors)/4."""
    e = np.eye(3)
    vs = [np.kron(e[0], (e[0] - e[1]) / np.sqrt(2)), np.kron((e[0] - e[1]) / np.sqrt(2), e[2]),
          np.kron(e[2], (e[1] - e[2]) / np.sqrt(2)), np.kron((e[1] - e[2]) / np.sqrt(2), e[0]),
          np.kron(e.sum(0), e.sum(0)) / 3]
    return (np.eye(9) - sum(np.outer(v, v) for v in vs)) / 4
