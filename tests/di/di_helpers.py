"""Helpers shared by the DI tests: a PR box and Eve's attack rebuilt from its certificate."""

import numpy as np

from qkdbounds.di.bell_data import box_from_povms


def pr_box(n_outcomes: int = 2) -> np.ndarray:
    """The Popescu-Rohrlich box (a XOR b = x AND y), written with ``n_outcomes`` outcomes a
    party (the further ones never occur); CHSH value 4."""
    pr = np.zeros((2, 2, n_outcomes, n_outcomes))
    for x in range(2):
        for y in range(2):
            for a in range(2):
                pr[x, y, a, a ^ (x & y)] = 0.5
    return pr


def rebuild_attack(p: np.ndarray, cert: dict):
    """Eve's attack from a ``di_cc_attack`` certificate alone: her quantum box (dense POVM route),
    the deterministic strategies' box and the one-sided rounds ``(q, local, one_sided)``; they
    reassemble ``p`` as ``local + t q + sum(one_sided)``."""
    eve = cert["eve_box"]
    q = box_from_povms(np.outer(eve["state"], eve["state"]), [np.array(m) for m in eve["alice_povms"]],
                       [np.array(m) for m in eve["bob_povms"]])
    local = np.zeros_like(p)
    for s in cert["deterministic_strategies"]:
        for x, a in enumerate(s["alice_outputs"]):
            for y, b in enumerate(s["bob_outputs"]):
                local[x, y, a, b] += s["weight"]
    x = cert["key_settings"][0]
    one_sided = []
    for a, wa in enumerate(cert["one_sided_weights"]):
        c = q.copy()
        c[x] = 0
        c[x, :, a, :] = q[x].sum(axis=1)
        one_sided.append(wa * c)
    return q, local, one_sided
