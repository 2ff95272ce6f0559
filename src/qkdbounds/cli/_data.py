"""``qkdbounds data-bound``: key bounds from recorded QBERs or count tables (SPEC F12).

Argument parsing and output only: every row goes to
:func:`qkdbounds.bounds.data_bound.data_rate_upper_bound`; ``--out`` draws the rows with
:func:`qkdbounds.plotting.data_figure.plot_data_bounds`.
"""

from __future__ import annotations

from ._args import in_file, out_dir, unit_values
from .main import add_common, add_format

#: Keys that hold one value per row (equal-length lists for grids).
#: Largest grid (QBER rows x leakage values) one serial ``data-bound`` call accepts: ~5-60 min
#: at 0.03-0.7 s per point; larger grids belong on the resumable sweep engine.
MAX_CLI_POINTS = 10_000
ROW_KEYS = ("qber_z", "qber_x", "qber_y", "leakage", "rate_upper_bound", "lower_bound",
            "verdict", "attack_used", "key_basis", "paper_value", "extended_value",
            "no_attack_value", "unmonitored_weight", "separable_weight", "residual")


def register(sub) -> None:
    p = sub.add_parser(
        "data-bound", help="upper and lower key bounds from recorded QBERs or count tables "
                           "(BB84, six-state, BBM92, custom POVMs)",
        description="Eve may prepare any state that reproduces what the protocol monitors; the "
                    "upper bound is the smallest CC bound over those states, the lower bound the "
                    "leakage-aware Devetak-Winter rate of the worst one (docs/data_bounds.md). "
                    "Rates take one value or a grid (START:STOP:STEP, comma lists); QBER grids "
                    "of equal length are paired, and every QBER point is combined with every "
                    "leakage.")
    p.add_argument("--protocol", choices=("bb84", "bbm92", "six-state", "custom"), required=True,
                   help="bb84/bbm92: Z and X monitored; six-state: Z, X, Y; custom: POVMs and "
                        "tables in --counts")
    p.add_argument("--qber-z", type=unit_values("--qber-z"), default=None, metavar="E",
                   help="error rate in Z, in [0, 1] (or a grid)")
    p.add_argument("--qber-x", type=unit_values("--qber-x"), default=None, metavar="E",
                   help="error rate in X, in [0, 1] (or a grid)")
    p.add_argument("--qber-y", type=unit_values("--qber-y"), default=None, metavar="E",
                   help="error rate in Y (Bob in the conjugate basis), required for six-state; "
                        "for bb84 it fixes Eve's state")
    p.add_argument("--counts", type=in_file("--counts"), default=None, metavar="FILE.json",
                   help="count tables n(a,b|x,y) per setting pair (docs/counts_format.md)")
    p.add_argument("--leakage", type=unit_values("--leakage"), required=True,
                   help="L in [0, 1], or a grid")
    p.add_argument("--model", choices=("uniform", "junk"), default="uniform", help="leakage model")
    p.add_argument("--attack", choices=("best", "paper", "extended"), default="best",
                   help="best (default): the tightest bound (min of the paper attack, the "
                        "extended attack and no attack); paper: paper 1's Eq. (12) attack")
    p.add_argument("--confidence", type=_confidence, default=None, metavar="C",
                   help="joint confidence 1 - eps in (0, 1) of the finite-statistics region "
                        "(with --counts): Clopper-Pearson intervals, Bonferroni-corrected")
    p.add_argument("--out", type=out_dir("--out"), default=None, metavar="DIR",
                   help="draw upper and lower bound against QBER (or leakage) into "
                        "DIR/data_bound.png and .svg")
    add_common(p)
    add_format(p)
    p.set_defaults(handler=handle, csv_columns=None)


def _confidence(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), got {text!r}") from None
    if not math.isfinite(value) or not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1) (e.g. 0.99 for eps = 0.01), got {text}")
    return value


def _qber_rows(args) -> list[tuple]:
    from ..errors import InputError

    given = {"--qber-z": args.qber_z, "--qber-x": args.qber_x, "--qber-y": args.qber_y}
    if args.counts is not None:
        if any(v is not None for v in given.values()):
            raise InputError("give either --qber-z/--qber-x[/--qber-y] or --counts, not both")
        return [(None, None, None)]
    if args.protocol == "custom":
        raise InputError("--protocol custom needs --counts FILE.json (POVMs and count tables)")
    if args.qber_z is None or args.qber_x is None:
        raise InputError(f"--protocol {args.protocol} needs --qber-z and --qber-x "
                         f"(and --qber-y for six-state), or --counts FILE.json")
    if args.protocol == "six-state" and args.qber_y is None:
        raise InputError("--protocol six-state needs --qber-y too (Z, X and Y are monitored)")
    lengths = {k: len(v) for k, v in given.items() if v is not None}
    n = max(lengths.values())
    bad = [k for k, m in lengths.items() if m not in (1, n)]
    if bad:
        raise InputError(f"{bad[0]}: QBER grids are paired point by point, so they need equal "
                         f"lengths (or one value); got lengths {lengths}")
    pick = {k: (v * n if v is not None and len(v) == 1 else v) for k, v in given.items()}
    return [(pick["--qber-z"][i], pick["--qber-x"][i],
             None if pick["--qber-y"] is None else pick["--qber-y"][i]) for i in range(n)]


def _compact(matrix) -> list:
    import numpy as np

    m = np.asarray(matrix)
    if np.abs(m.imag).max() <= 1e-15:
        return np.round(m.real, 15).tolist()
    return [[[round(float(x.real), 15), round(float(x.imag), 15)] for x in row] for row in m]


def handle(args) -> dict:
    from ..bounds.data_bound import data_rate_upper_bound
    from ._progress import progress

    rows = _qber_rows(args)
    n_points = len(rows) * len(args.leakage)
    if n_points > MAX_CLI_POINTS:
        from ..errors import InputError

        raise InputError(f"--qber-z/--qber-x/--leakage: {n_points} points (QBER rows x leakage values), "
                         f"more than {MAX_CLI_POINTS} for one serial run (~0.03-0.7 s each); split the "
                         "grid, or run it as `qkdbounds sweep --question data` (parallel, resumable)")
    leak = args.leakage if len(args.leakage) > 1 else args.leakage[0]
    counts = None
    if args.counts is not None:
        from ..data.counts import load_counts

        counts = load_counts(args.counts, args.protocol, name="--counts")
    points = []
    with progress(len(rows), "data-bound", args.quiet) as update:
        for qz, qx, qy in rows:
            res = data_rate_upper_bound(args.protocol, qber_z=qz, qber_x=qx, qber_y=qy,
                                        counts=counts, leakage=leak, model=args.model,
                                        confidence=args.confidence, attack=args.attack)
            points.extend(list(res) if len(args.leakage) > 1 else [res])
            update(1)
    per = [{
        "qber_z": p.qber.get("Z"), "qber_x": p.qber.get("X"), "qber_y": p.qber.get("Y"),
        "leakage": p.leakage, "rate_upper_bound": p.value, "lower_bound": p.lower_bound,
        "verdict": p.verdict, "attack_used": p.attack_used, "key_basis": p.key_basis,
        "paper_value": p.paper_value, "extended_value": p.extended_value,
        "no_attack_value": p.no_attack_value, "unmonitored_weight": p.unmonitored_weight,
        "separable_weight": p.separable_weight, "residual": p.residual} for p in points]
    first = points[0]
    grid = len(points) > 1
    out = {"protocol": args.protocol, "model": args.model, "attack": args.attack,
           "unit": "bits per round", "confidence": args.confidence,
           "counts": None if args.counts is None else str(args.counts)}
    for key in ROW_KEYS:
        out[key] = [r[key] for r in per] if grid else per[0][key]
    out.update({
        "qber_observed": first.qber_observed if not grid else [p.qber_observed for p in points],
        "confidence_region": first.confidence_region,
        "value_by_basis": first.value_by_basis if not grid else [p.value_by_basis for p in points],
        "compatible_state": _compact(first.compatible_state) if not grid else
        [_compact(p.compatible_state) for p in points],
        "bell_weights": None if first.bell_weights is None else
        (first.bell_weights.tolist() if not grid else [p.bell_weights.tolist() for p in points]),
        "lower_bound_method": first.lower_bound_method,
        "method": first.method if not grid else [p.method for p in points],
        "status": first.status if not grid else [p.status for p in points],
        "message": first.message if not grid else [p.message for p in points],
    })
    if args.out is not None:
        from pathlib import Path

        from ..plotting.data_figure import write_data_bounds

        rows_for_plot = {k: [r[k] for r in per] for k in ("qber_z", "qber_x", "leakage",
                                                          "rate_upper_bound", "lower_bound")}
        rows_for_plot["protocol"] = args.protocol
        if args.qber_y is not None:
            rows_for_plot["qber_y"] = [r["qber_y"] for r in per]
        files = write_data_bounds(rows_for_plot, Path(args.out) / "data_bound")
        out["figures"] = [str(f) for f in files]
    args.csv_columns = list(ROW_KEYS) if grid else None
    if grid and getattr(args, "output_format", None) == "csv":
        # a table: one row per point; per-point objects (states, methods) stay in --json
        out = {k: v for k, v in out.items() if k in ROW_KEYS or not isinstance(v, list)}
    return out
