"""Regenerate ``di_attack_reference.json``: the DI CC-attack bounds of the code at ``git rev-parse HEAD``.

The table records, at a fixed grid of (visibility, eta, leakage, binning, model) points, the
bounds of :func:`qkdbounds.di.attack.di_cc_attack` with its default effort at the recorded commit
(the version before issue 21's faster search).  ``tests/di/test_di_attack_monotone.py`` checks that
every later bound is at most the recorded one (+1e-9) and at least the best DI lower bound.

Run from the repository root: ``.venv/bin/python tests/di/data/make_di_attack_reference.py``.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

#: (visibility, eta, leakage, binning, model)
GRID = [
    (1.0, 0.92, 0.0, "both", "uniform"),
    (1.0, 0.95, 0.0, "both", "uniform"),
    (1.0, 0.90, 0.0, "both", "uniform"),
    (1.0, 0.88, 0.0, "both", "uniform"),
    (1.0, 1.00, 0.0, "both", "uniform"),
    (0.95, 1.00, 0.0, "both", "uniform"),
    (0.90, 1.00, 0.1, "both", "uniform"),
    (0.98, 0.95, 0.05, "both", "uniform"),
    (0.98, 0.93, 0.1, "both", "junk"),
    (1.0, 0.93, 0.0, "none", "uniform"),
    (0.98, 0.93, 0.05, "none", "uniform"),
    (1.0, 0.90, 0.0, "none", "uniform"),
    (0.99, 0.96, 0.0, "none", "uniform"),
    (0.98, 0.95, 0.1, "none", "junk"),
    (1.0, 0.92, 0.0, "A", "uniform"),
    (1.0, 0.92, 0.05, "B", "uniform"),
    (0.97, 0.97, 0.0, "B", "uniform"),
    (0.96, 1.00, 0.05, "none", "uniform"),
    (1.0, 0.85, 0.0, "both", "uniform"),
    (0.99, 0.94, 0.02, "A", "uniform"),
]


def main() -> None:
    import numpy as np

    from qkdbounds.di.attack import di_cc_attack
    from qkdbounds.di.bell_data import bell_box

    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    rows = []
    for v, eta, leak, binning, model in GRID:
        t0 = time.perf_counter()
        r = di_cc_attack(bell_box(np.pi / 4, v, eta, binning=binning), leak, model)
        rows.append({"visibility": v, "eta": eta, "leakage": leak, "binning": binning, "model": model,
                     "rate_upper_bound": r.value, "one_way_upper_bound": r.one_way,
                     "one_way_upper_bound_reverse": r.one_way_reverse, "status": r.status,
                     "seconds": round(time.perf_counter() - t0, 2)})
        print(rows[-1], flush=True)
    out = {"commit": commit, "function": "qkdbounds.di.attack.di_cc_attack (default effort)",
           "box": "bell_box(pi/4, visibility, eta, binning=binning)", "points": rows}
    Path(__file__).with_name("di_attack_reference.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
