"""``qkdbounds di-attack`` and ``qkdbounds di-region``: the DI convex-combination attack on Bell
data with detection efficiency and leakage, beside the best DI lower bound (CHSH, asymmetric
CHSH, noisy preprocessing).

Argument parsing and output only; the science is in :mod:`qkdbounds.di` (one route:
:func:`qkdbounds.di.region.di_attack_bound`).
"""

from __future__ import annotations

import math
import sys

from ._args import in_file, integer, out_dir, out_file, probability, ranged, unit_values


def _theta(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, pi/2], got {text!r}") from None
    if not math.isfinite(value) or not 0.0 <= value <= math.pi / 2:
        raise argparse.ArgumentTypeError(f"must be in [0, pi/2] = [0, 1.5708], got {text}")
    return value


def _box(args):
    from ..di.bell_data import bell_box, is_bell_table, load_bell_table, load_settings
    from ..errors import InputError

    settings = {}
    if args.settings is not None:
        if is_bell_table(args.settings):
            given = [o for o, v in (("--eta", args.eta), ("--eta-b", args.eta_b), ("--visibility", args.visibility),
                                    ("--theta", args.theta), ("--binning", args.binning)) if v is not None]
            if given:
                raise InputError(f"{', '.join(given)} {'describes' if len(given) == 1 else 'describe'} a source, but --settings {args.settings} holds a "
                                 f"measured box; give one or the other")
            return load_bell_table(args.settings, project=args.project)
        settings = load_settings(args.settings)
    if args.project:
        raise InputError("--project applies to a measured box in --settings FILE.json")
    if args.eta is None:
        raise InputError("--eta is required unless --settings FILE.json holds a measured box "
                         "('probabilities')")
    theta = math.pi / 4 if args.theta is None else args.theta
    visibility = 1.0 if args.visibility is None else args.visibility
    return bell_box(theta, visibility, args.eta, args.eta_b, binning=args.binning or "both", **settings)


def handle_attack(args) -> dict:
    from ..di.attack import attack_estimate
    from ..di.region import di_attack_bound
    from ._progress import progress

    box = _box(args)
    estimate = attack_estimate(box, args.maxfev, args.starts)
    bar = not args.quiet and sys.stderr.isatty() and estimate > 2     # (else no per-round callback)
    with progress(100, f"di-attack (~{estimate:.2g} s, --maxfev trades it for tightness)",
                  not bar) as update:
        shown = [0]

        def advance(fraction):
            percent = int(100 * fraction)
            if percent > shown[0]:
                update(percent - shown[0])
                shown[0] = percent

        point = di_attack_bound(box, args.leakage, args.model, attack_side=args.attack_side,
                                n_starts=args.starts, maxfev=args.maxfev,
                                progress=advance if bar else None)
    out = point.to_dict()
    out["projection"] = box.source.get("projection")
    out["box"] = {"probabilities": box.probabilities.tolist(), "outcomes_a": list(box.outcomes_a),
                  "outcomes_b": list(box.outcomes_b), "key_settings": list(box.key_settings),
                  "chsh_settings": [list(s) for s in box.chsh_settings], "source": box.source}
    out["leakage"], out["model"] = args.leakage, args.model
    return out


#: ``di-region``'s evaluations per start without ``--store`` (a coarser search per cell).
REGION_MAXFEV = 150


def handle_region(args) -> dict:
    from ..di.attack import DEFAULT_DI_STARTS
    from ..errors import InputError
    from ._progress import progress

    if args.store is not None and (args.starts is not None or args.maxfev is not None):
        raise InputError("--starts and --maxfev do not apply with --store: each cell is "
                         "qkdbounds di-attack with its defaults (omit them, or drop --store)")
    args.starts = DEFAULT_DI_STARTS if args.starts is None else args.starts
    args.maxfev = REGION_MAXFEV if args.maxfev is None else args.maxfev

    if args.store is None and (args.scheduler is not None or args.workers is not None):
        raise InputError("--scheduler and --workers run the map on the sweep engine: give --store FILE")
    if args.scheduler is not None and args.workers is not None:
        raise InputError("--workers applies to the local cluster; omit it with --scheduler")
    sweep = None
    if args.store is not None:
        from ..sweep.di_region import di_region_sweep

        region, summary = di_region_sweep(args.visibility, args.eta, args.store, theta=args.theta,
                                          leakage=args.leakage, model=args.model,
                                          binning=args.binning, scheduler=args.scheduler,
                                          n_workers=args.workers, quiet=args.quiet)
        sweep = summary.to_dict()
    else:
        from ..di.region import di_region

        total = len(args.visibility) * len(args.eta)
        with progress(total, "di-region", args.quiet) as update:
            region = di_region(args.visibility, args.eta, theta=args.theta, leakage=args.leakage,
                               model=args.model, binning=args.binning, n_starts=args.starts,
                               maxfev=args.maxfev, progress=lambda done, tot: update(1))
    out = region.to_dict()
    if sweep is not None:
        out["sweep"] = {k: sweep[k] for k in ("name", "store", "total", "computed", "skipped",
                                              "failed", "claimed_elsewhere", "scheduler")}
    if args.out is not None:
        from pathlib import Path

        from ..plotting.di_figure import write_di_region

        Path(args.out).mkdir(parents=True, exist_ok=True)
        out["files"] = [str(f) for f in write_di_region(region, Path(args.out) / "figure_di_region")]
    return out


def _common(p, region: bool) -> None:
    from ..di.attack import DEFAULT_DI_STARTS
    from .main import add_common

    p.add_argument("--theta", type=_theta, default=math.pi / 4 if region else None,
                   help="state cos(theta)|00> + sin(theta)|11>, theta in [0, pi/2] (default pi/4)")
    p.add_argument("--binning", choices=("none", "A", "B", "both"), default="both" if region else None,
                   help="which parties assign no-click to outcome +1 (default both)")
    p.add_argument("--leakage", type=probability("--leakage"), default=0.0, help="L in [0, 1] (default 0)")
    p.add_argument("--model", choices=("uniform", "junk"), default="uniform", help="leakage model")
    # di-region: None when not given (refused with --store, whose cells use di-attack's own)
    p.add_argument("--starts", type=integer("--starts", 0, 1000),
                   default=None if region else DEFAULT_DI_STARTS,
                   help="random starts of Eve's box search besides the structured ones (default "
                        f"{DEFAULT_DI_STARTS}; more can only lower the bounds)")
    p.add_argument("--maxfev", type=integer("--maxfev", 10, 100000), default=None if region else 250,
                   help=f"function evaluations per start (default {REGION_MAXFEV if region else 250})")
    add_common(p)


def register(sub) -> None:
    p = sub.add_parser(
        "di-attack", help="DI CC attack on Bell data (visibility, detection efficiency, binning, "
                          "leakage) beside the best DI lower bound",
        description="Upper bounds on the device-independent key of protocols with announced "
                    "inputs from a convex-combination attack (local deterministic + quantum "
                    "rounds), with leakage; beside it the best DI lower bound (CHSH Devetak-Winter, noisy "
                    "preprocessing, asymmetric CHSH; JSON: lower_bound, lower_bound_method, "
                    "chsh_lower_bound, lower_bounds).")
    p.add_argument("--eta", type=probability("--eta"), default=None,
                   help="detection efficiency of both parties (Alice's if --eta-b is given)")
    p.add_argument("--eta-b", type=probability("--eta-b"), default=None, help="Bob's detection efficiency")
    p.add_argument("--visibility", type=probability("--visibility"), default=None,
                   help="v in [0, 1] (default 1)")
    p.add_argument("--settings", type=in_file("--settings", 16 * 2**20), default=None, metavar="FILE.json",
                   help='measurement settings {"alice_angles": [...], "bob_angles": [...] (radians, '
                        'x-z plane, 2..8 each), "key_settings": [x, y], "chsh_settings": [[x0, x1], '
                        '[y0, y1]]}; or a measured box {"probabilities": p[x][y][a][b], ...} '
                        'instead of --eta/--visibility')
    p.add_argument("--project", action="store_true",
                   help="map a measured box whose frequencies signal by sampling noise to the nearest "
                        "no-signalling box (moved distance reported; at most 0.05)")
    p.add_argument("--attack-side", choices=("best", "two-sided", "one-sided"), default="best",
                   help="Eve's knowledge in the non-quantum rounds (default: best of both)")
    _common(p, region=False)
    p.set_defaults(handler=handle_attack)

    r = sub.add_parser(
        "di-region", help="map (visibility, detection efficiency) into no key / open window / key",
        description="For each (v, eta): the DI CC-attack upper bound and the best DI lower bound "
                    "(CHSH, asymmetric CHSH, noisy preprocessing; the method is named per point); "
                    "'no_key' where the upper bound is 0, 'key' where the lower bound is positive.")
    r.add_argument("--visibility", type=unit_values("--visibility"), default=[1.0],
                   help="v or a grid (a:b:step, comma lists; default 1)")
    r.add_argument("--eta", type=unit_values("--eta"), default=None, required=True,
                   help="eta or a grid (a:b:step, comma lists)")
    r.add_argument("--out", type=out_dir("--out"), default=None, help="also write the figure (PNG + SVG) here")
    r.add_argument("--store", type=out_file("--store"), default=None, metavar="FILE.sqlite",
                   help="compute the map on the sweep engine (Dask) into this SQLite store: "
                        "resumable, stored points are read, not recomputed; each point is "
                        "qkdbounds di-attack with its defaults (--starts/--maxfev do not apply). "
                        "Without --store the map is serial, each point warm-started from its "
                        "neighbours' attacks at --maxfev 150: both are valid bounds and can differ "
                        "in the 4th digit; quote the smaller")
    r.add_argument("--workers", type=ranged("--workers", "workers"), default=None,
                   help="[--store] local worker processes (default: number of cores)")
    r.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="[--store] existing Dask scheduler, e.g. tcp://HOST:8786")
    _common(r, region=True)
    r.set_defaults(handler=handle_region)
