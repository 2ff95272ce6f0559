"""Planning figure: key-rate upper bound per second against distance, one curve per number of
segments, with the repeaterless PLOB bound.  Plotting only (rows from
:func:`qkdbounds.repeaters.planner.distance_curve`)."""

from __future__ import annotations

from .._io import atomic_write

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plot_distance_curve"]


def plot_distance_curve(rows: list[dict], title: str, stem: str | Path) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``; returns the paths."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for k in sorted({r["segments"] for r in rows}):
        pts = [r for r in rows if r["segments"] == k and r["key_rate_upper_bound_bps"]]
        ax.plot([r["distance_km"] for r in pts], [r["key_rate_upper_bound_bps"] for r in pts],
                label=f"{k} segment{'s' if k > 1 else ''} (chain bound)")
    plob = sorted({(r["distance_km"], r["plob_key_rate_bps"]) for r in rows})
    ax.plot([d for d, _ in plob], [v for _, v in plob], "k--", label="PLOB, no repeaters")
    ax.set_yscale("log")
    ax.set_xlabel("distance (km)")
    ax.set_ylabel("key-rate upper bound (bits/s)")
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    stem = Path(stem)
    files = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for f in files:
        atomic_write(f, lambda tmp: fig.savefig(tmp, dpi=150))
    plt.close(fig)
    return files
