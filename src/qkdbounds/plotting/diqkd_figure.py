"""Figure for paper 2: key lower bound on K(rho_d) vs upper bound on K(rho_d^Gamma) against d.

Plotting only: the numbers come from :func:`qkdbounds.diqkd.rho_d_report` /
:func:`qkdbounds.diqkd.crossover_search` (passed in as ``data``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plot_rho_d_gap"]


def plot_rho_d_gap(data: dict, path: str | Path) -> Path:
    """Plot the rho_d gap (log d axis) with the crossover marked; returns the written path.

    Parameters
    ----------
    data : dict
        ``{"table": [{"shield_dim", "key_lower_bound", "pt_key_upper_bound",
        "key_lower_bound_formula", "pt_key_upper_bound_formula"}, ...],
        "smallest_shield_dim": int | None}`` -- e.g. ``rho_d_report()["crossover"]``; rows may
        also be taken from ``rho_d_report()["per_dimension"]``.
    path : str or Path
        Output file (suffix decides the format, e.g. ``.png`` / ``.svg``).
    """
    rows = sorted(data["table"], key=lambda r: r["shield_dim"])
    d = [r["shield_dim"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    ax.plot(d, [r["key_lower_bound"] for r in rows], "-", color="tab:blue",
            label=r"$K(\rho_d)\geq$ (privacy squeezing + DW, from matrix)")
    ax.plot(d, [r["pt_key_upper_bound"] for r in rows], "-", color="tab:red",
            label=r"$K(\rho_d^\Gamma)\leq D(\rho_d^\Gamma\|\sigma_{\rm sep})$ (from matrix)")
    if "key_lower_bound_formula" in rows[0]:
        ax.plot(d, [r["key_lower_bound_formula"] for r in rows], ":", color="black",
                label=r"printed $1-H[(\sqrt{d},\frac{1}{2},\frac{1}{2})/(\sqrt{d}+1)]$")
        ax.plot(d, [r["pt_key_upper_bound_formula"] for r in rows], "--", color="gray",
                label=r"printed $1/(\sqrt{d}+1)$")
    cross = data.get("smallest_shield_dim")
    if cross is not None:
        ax.axvline(cross, color="tab:green", lw=1)
        ax.annotate(f"crossover d = {cross}", (cross, 0.05), xytext=(6, 0), textcoords="offset points",
                    color="tab:green")
    ax.set_xscale("log")
    ax.set_xlabel("shield dimension d")
    ax.set_ylabel("bits")
    ax.set_ylim(-0.05, 1.0)
    ax.legend(fontsize=7, loc="center right")
    ax.set_title(r"$\rho_d$: QKD key vs device-independent upper bound")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
