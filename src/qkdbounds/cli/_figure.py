"""``qkdbounds figure N --out DIR``: regenerate a paper figure as PNG + SVG and its data as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import InputError
from .main import add_common
from ._progress import progress

FIGURES = ("1", "2", "3", "4", "diqkd")


def register(sub) -> None:
    p = sub.add_parser("figure", help="regenerate a figure (1-4 of paper 1, 'diqkd' of paper 2)")
    p.add_argument("number", choices=FIGURES, help="figure id")
    p.add_argument("--out", default="out", help="output directory")
    p.add_argument("--points", type=int, default=100, help="visibilities per curve (Figs. 1, 3, 4)")
    add_common(p)
    p.set_defaults(handler=handle)


def write_csv(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def make_rate_figure(number: int, out: Path, n_points: int = 100, quiet: bool = False) -> dict:
    """Figs. 1, 3, 4: compute the curves, write CSV + PNG + SVG; return paths and thresholds."""
    from ..bounds.curves import PAPER_FIGURES, PAPER_LEAKAGES, rate_curve
    from ..plotting.rate_figures import plot_rate_curves

    d, n = PAPER_FIGURES[number]
    with progress(len(PAPER_LEAKAGES) * n_points, f"figure {number}", quiet) as update:
        curves = [rate_curve(d, n, leak, "uniform", n_points=n_points, callback=update)
                  for leak in PAPER_LEAKAGES]
    title = f"Fig. {number}: d = {d}, N = {n}, uniform leakage, Z-basis measurements"
    stem = out / f"figure{number}"
    files = plot_rate_curves(curves, title, stem)
    rows = [row for c in curves for row in c.rows()]
    files.append(write_csv(rows, stem.with_suffix(".csv")))
    return {
        "figure": number,
        "files": [str(f) for f in files],
        "thresholds": {f"{c.leakage:g}": {"derived": c.threshold, "paper_printed": c.threshold_paper}
                       for c in curves},
        "rate_at_v1": {f"{c.leakage:g}": float(c.rates[-1]) for c in curves},
    }


def handle(args) -> dict:
    out = Path(args.out)
    if args.points < 2 or args.points > 10_000:
        raise InputError(f"--points must be an integer in [2, 10000], got {args.points}")
    if args.number in ("1", "3", "4"):
        return make_rate_figure(int(args.number), out, args.points, args.quiet)
    if args.number == "2":
        from ._repeaters import make_figure2  # provided by the repeaters module

        return make_figure2(out, quiet=args.quiet)
    from ._diqkd import make_diqkd_figure

    return make_diqkd_figure(out, quiet=args.quiet)
