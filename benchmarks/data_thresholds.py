"""Zero-key QBER thresholds from recorded data (the table of docs/data_bounds.md and README.md).

For symmetric errors (every monitored rate equal to e) and each protocol, leakage model and
leakage L this prints, as a Markdown table, the two thresholds of
:func:`qkdbounds.bounds.data_bound.qber_threshold`:

* "lower bound = 0 from": below this e the leakage-aware Devetak-Winter lower bound is positive
  (key proven);
* "upper bound = 0 from": from this e on the upper bound (min over Eve's compatible states of the
  tightest CC bound, max over key bases) is zero (no key).

Run with ``.venv/bin/python benchmarks/data_thresholds.py > /tmp/thr.md`` (about 10 s per upper
threshold, ~3 min in all; progress on stderr).  Not part of ``make test``.
"""

from __future__ import annotations

import sys
import time

from qkdbounds.bounds.data_bound import qber_threshold

PROTOCOLS = ("bb84", "six-state")
MODELS = ("uniform", "junk")
LEAKAGES = (0.0, 0.05, 0.1, 0.2)
XTOL = 1e-4


def main() -> None:
    rows = []
    for protocol in PROTOCOLS:
        for model in MODELS:
            for leak in LEAKAGES:
                t0 = time.perf_counter()
                up = qber_threshold(protocol, leak, model, bound="upper", xtol=XTOL)
                low = qber_threshold(protocol, leak, model, bound="lower", xtol=XTOL)
                print(f"{protocol} {model} L={leak:g}: lower {low:.5f} upper {up:.5f} "
                      f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
                rows.append((protocol, model, leak, low, up))
    print("| protocol | model | L | lower bound = 0 from | upper bound = 0 from |")
    print("|---|---|---|---|---|")
    for protocol, model, leak, low, up in rows:
        print(f"| {protocol} | {model} | {leak:g} | {100 * low:.2f} % | {100 * up:.2f} % |")
    print(f"\nThresholds on the symmetric QBER e (all monitored rates equal), bisection to "
          f"xtol = {XTOL:g}; each is the upper end of the final bracket.")


if __name__ == "__main__":
    main()
