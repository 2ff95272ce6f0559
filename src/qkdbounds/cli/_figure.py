"""``qkdbounds figure N --out DIR``: regenerate a paper figure as PNG + SVG and its data as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import InputError
from ._args import out_dir
from .main import add_common
from ._progress import progress

FIGURES = ("1", "2", "3", "4", "diqkd", "window", "plan", "di")


def register(sub) -> None:
    p = sub.add_parser("figure", help="regenerate a figure (1-4 of paper 1, 'diqkd' of paper 2, "
                                      "'window', 'plan', 'di')")
    p.add_argument("number", choices=FIGURES, help="figure id")
    p.add_argument("--out", type=out_dir("--out"), default="out", help="output directory")
    p.add_argument("--points", type=int, default=100, help="visibilities per curve (Figs. 1, 3, 4)")
    add_common(p)
    p.set_defaults(handler=handle)


def write_csv(rows: list[dict], path: Path) -> Path:
    from .._io import atomic_write

    def write(tmp):
        with open(tmp, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    return atomic_write(path, write)


def make_rate_figure(number: int, out: Path, n_points: int = 100, quiet: bool = False) -> dict:
    """Figs. 1, 3, 4: compute the curves, write CSV + PNG + SVG; return paths and thresholds."""
    from ..bounds.curves import PAPER_FIGURES, PAPER_LEAKAGES, rate_curve
    from ..plotting.rate_figures import write_rate_curves

    d, n = PAPER_FIGURES[number]
    with progress(len(PAPER_LEAKAGES) * n_points, f"figure {number}", quiet) as update:
        curves = [rate_curve(d, n, leak, "uniform", n_points=n_points, attack="paper",
                             callback=update)
                  for leak in PAPER_LEAKAGES]
    title = f"Fig. {number}: d = {d}, N = {n}, uniform leakage, Z-basis measurements"
    stem = out / f"figure{number}"
    files = write_rate_curves(curves, title, stem)
    rows = [row for c in curves for row in c.rows()]
    files.append(write_csv(rows, stem.with_suffix(".csv")))
    return {
        "figure": number,
        "files": [str(f) for f in files],
        "thresholds": {f"{c.leakage:g}": {"derived": c.threshold, "paper_printed": c.threshold_paper}
                       for c in curves},
        "rate_at_v1": {f"{c.leakage:g}": float(c.rates[-1]) for c in curves},
    }


def make_figure2(out: Path, max_repeaters: int = 30) -> dict:
    """Fig. 2 (v in {0.9, 0.95, 0.98}, L = 0.1, uniform): both visibility laws, PNG + SVG + CSV."""
    from ..plotting.repeaters_figure import write_repeater_figure
    from ..repeaters import figure2_data

    data = figure2_data(max_repeaters=max_repeaters)
    stem = out / "figure2"
    files = write_repeater_figure(data, stem)
    rows = []
    for c in data.curves:
        for n, r_sim, r_pap in zip(c.repeaters, c.rate_simulated_law, c.rate_paper_convention):
            rows.append({"link_visibility": c.visibility, "repeaters": n, "leakage": data.leakage,
                         "model": data.model, "rate_simulated_law": r_sim,
                         "rate_paper_convention": r_pap})
    files.append(write_csv(rows, stem.with_suffix(".csv")))
    return {
        "figure": 2,
        "files": [str(f) for f in files],
        "n_max": {f"{c.visibility:g}": {"simulated_law": c.n_max,
                                        "paper_convention_eq5": c.n_max_paper_convention,
                                        "paper_law_derived_threshold": c.n_max_paper_law_derived_threshold}
                  for c in data.curves},
        "threshold": data.threshold,
        "paper_threshold": data.paper_threshold,
    }


def handle(args) -> dict:
    out = Path(args.out)
    if args.points < 2 or args.points > 10_000:
        raise InputError(f"--points must be an integer in [2, 10000], got {args.points}")
    out.mkdir(parents=True, exist_ok=True)  # checked writable/creatable at parse time
    if args.number in ("1", "3", "4"):
        return make_rate_figure(int(args.number), out, args.points, args.quiet)
    if args.number == "2":
        return make_figure2(out)
    if args.number == "window":
        return make_window_figure(out)[0]
    if args.number == "plan":
        return make_plan_figure(out)
    if args.number == "di":
        return make_di_figure(out, quiet=args.quiet)[0]
    return make_diqkd_figure(out)[0]


def make_diqkd_figure(out: Path) -> tuple[dict, dict]:
    """Paper 2: key lower bound vs PT upper bound against d (log axis), crossover marked."""
    from ..di.partial_transpose import rho_d_report
    from ..plotting.diqkd_figure import write_rho_d_gap

    report = rho_d_report()
    stem = out / "figure_diqkd_rho_d"
    files = write_rho_d_gap(report["crossover"], stem)
    files.append(write_csv(report["crossover"]["table"], stem.with_suffix(".csv")))
    info = {"figure": "diqkd", "files": [str(f) for f in files],
            "smallest_shield_dim": report["crossover"]["smallest_shield_dim"]}
    return info, report


#: Werner visibilities of the window figure (the bounds' zeros are added exactly).
WINDOW_FIGURE_POINTS = 101


def make_window_figure(out: Path, leakage: float = 0.1) -> tuple[dict, object]:
    """Werner states: the best DI lower bound (and the plain CHSH one) vs the default CC upper bound."""
    import numpy as np

    from ..di.window import werner_window
    from ..plotting.window_figure import write_werner_window

    data = werner_window(np.linspace(0, 1, WINDOW_FIGURE_POINTS), leakage, "uniform", insert_thresholds=True)
    stem = out / "figure_werner_window"
    files = write_werner_window(data, stem)
    files.append(write_csv(data.rows(), stem.with_suffix(".csv")))
    return {"figure": "window", "files": [str(f) for f in files]}, data


def make_plan_figure(out: Path, leakage: float = 0.05, memory_t2_s: float = 1.0) -> dict:
    """Key-rate upper bound per second vs distance for 1..16 segments, beside PLOB."""
    import numpy as np

    from ..plotting.planner_figure import write_distance_curve
    from ..repeaters.planner import distance_curve

    rows = distance_curve(np.linspace(10, 1000, 100), (1, 2, 4, 8, 16), leakage,
                          memory_t2_s=memory_t2_s)
    stem = out / "figure_plan"
    title = (f"0.2 dB/km fibre, detectors 0.9, memories T2 = {memory_t2_s:g} s, "
             f"L = {leakage:g}, source 1e8 Hz")
    files = write_distance_curve(rows, title, stem)
    files.append(write_csv(rows, stem.with_suffix(".csv")))
    return {"figure": "plan", "files": [str(f) for f in files]}


#: Detection efficiencies of the DI figure (v = 1, maximally entangled, both binned): the lower
#: bounds and the DI attack on the same 46 points, plus every zero (bisected).
DI_FIGURE_ETAS = tuple(round(0.82 + 0.004 * i, 12) for i in range(46))   # 0.82, 0.824, ..., 1.0


def make_di_figure(out: Path, leakage: float = 0.0, quiet: bool = False) -> tuple[dict, object]:
    """DI window against eta at v = 1: the DI CC attack's upper bounds beside the best and the
    plain CHSH lower bounds, with their zeros.  The attack's points are read from the results
    store in ``out`` (``results.sqlite``, the sweep's ``di`` question), computed there when
    missing: a rerun reads them, and ``qkdbounds results plot`` draws them."""
    from ..di.region import di_eta_window
    from ..plotting.di_figure import write_di_eta_window
    from ..store import default_store_path
    from ..sweep.di_region import StoredDIPoints

    store = default_store_path(out)
    attack = StoredDIPoints(store, leakage=leakage)
    with progress(2 * len(DI_FIGURE_ETAS), "figure di", quiet) as update:
        window = di_eta_window(DI_FIGURE_ETAS, leakage=leakage, attack_points=attack,
                               progress=lambda done, total: update(1))
    stem = out / "figure_di_window"
    files = write_di_eta_window(window, stem)
    files.append(write_csv(window.rows(), stem.with_suffix(".csv")))
    return {"figure": "di", "files": [str(f) for f in files], "status": window.status,
            "store": str(store), "attack_points_computed": attack.computed,
            "attack_points_read": attack.read}, window
