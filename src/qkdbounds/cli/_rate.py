"""``qkdbounds rate``: max-min key-rate upper bound at a point or on a grid (Eqs. 13-14, 29).

Argument parsing and output only: the question goes to :func:`qkdbounds.rate_upper_bound`, the
dispatcher every interface uses.
"""

from __future__ import annotations

from ._args import add_state_args, ranged
from ._progress import progress
from .main import add_common, add_format

ATTACKS = ("best", "paper", "extended", "intrinsic")  # = qkdbounds.bounds.rate.ATTACKS (tested)
MEASUREMENTS = ("auto", "Z", "search")        # = qkdbounds.bounds.rate.MEASUREMENT_CHOICES


def register(sub) -> None:
    p = sub.add_parser("rate", help="key-rate upper bound for an isotropic GHZ source")
    add_state_args(p)
    p.add_argument("--attack", choices=ATTACKS, default="best",
                   help="Eve's attack family; best (default): per point the smallest of the paper, "
                        "extended and no-attack bounds (the others are reported beside it)")
    p.add_argument("--measurements", choices=MEASUREMENTS, default="auto",
                   help="auto (= Z, optimal for this source; structured route), Z, or an explicit "
                        "global search at every point")
    p.add_argument("--cut-bound", action="store_true",
                   help="also compute the conference-key cut bound (general route, N >= 3)")
    p.add_argument("--starts", type=ranged("--starts", "n_starts"), default=6,
                   help="seeded random starts of Eve's minimisation on the general route, in "
                        "addition to its 3 structured starts (0 = the structured starts only)")
    p.add_argument("--full-certificate", action="store_true",
                   help="print Eve's full tensors (gamma on all d^N strings, channels); default: "
                        "arrays of more than 16 entries are summarised (shape, min, max)")
    p.add_argument("--max-memory", type=float, default=4.0, metavar="GIB",
                   help="memory budget in GiB (default 4)")
    add_format(p)
    add_common(p)
    p.set_defaults(handler=handle)


def grid_arrays(visibility, leakage):
    """(v, L) as scalars, or flattened equal-length arrays of the outer grid (v major)."""
    import numpy as np

    if not isinstance(visibility, list) and not isinstance(leakage, list):
        return visibility, leakage, False
    from ..errors import InputError
    from ..sweep._grid import MAX_GRID_POINTS

    size = len(np.atleast_1d(visibility)) * len(np.atleast_1d(leakage))
    if size > MAX_GRID_POINTS:
        raise InputError(f"--visibility x --leakage grid has {size} points; allowed: at most "
                         f"{MAX_GRID_POINTS} (use `qkdbounds sweep` for larger grids)")
    v, leak = np.meshgrid(np.atleast_1d(visibility), np.atleast_1d(leakage), indexing="ij")
    return v.ravel(), leak.ravel(), True


def max_memory_bytes(gib: float) -> float:
    import math

    from ..errors import InputError

    if not math.isfinite(gib) or not 2**-30 <= gib <= 1e9:
        raise InputError(f"--max-memory must be a number of GiB in [2^-30 (one byte), 1e9], got {gib}")
    return gib * 2**30


#: Arrays with more entries than this are summarised unless --full-certificate.
COMPACT_MAX_ENTRIES = 16


def compact(obj):
    """Certificates compact by default: large arrays become {shape, min, max, omitted}."""
    import numpy as np

    if isinstance(obj, dict):
        return {k: compact(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and len(obj) > COMPACT_MAX_ENTRIES:
        if not all(isinstance(x, (int, float, complex, np.number)) for x in np.ravel(
                np.asarray(obj, dtype=object))):
            return {"length": len(obj), "first": list(obj[:4]),
                    "omitted": "full list with --full-certificate"}
        obj = np.asarray(obj)
    if isinstance(obj, np.ndarray) and obj.size > COMPACT_MAX_ENTRIES and obj.dtype.kind in "biufc":
        real = np.real(obj) if np.iscomplexobj(obj) else obj
        return {"shape": list(obj.shape), "min": float(np.min(real)), "max": float(np.max(real)),
                "omitted": "full array with --full-certificate"}
    return obj


def handle(args) -> dict:
    from ..bounds.rate import rate_upper_bound

    v, leak, is_grid = grid_arrays(args.visibility, args.leakage)
    n_points = len(v) if is_grid else 1
    with progress(n_points, "rate", args.quiet) as update:
        r = rate_upper_bound(args.dim, args.parties, v, leak, args.model,
                             measurements=args.measurements, attack=args.attack,
                             cut_bound=args.cut_bound, n_starts=args.starts,
                             max_memory=max_memory_bytes(args.max_memory), callback=update)
    common = {"dim": args.dim, "parties": args.parties, "model": args.model,
              "attack_name": args.attack, "route": r.route, "method": r.method,
              "tolerance": r.tolerance, "lower_bound_method": r.lower_bound_method,
              "unit": r.unit}
    if is_grid:
        out = dict(r.columns())
        if out["cut_bound"] is None:
            del out["cut_bound"]
        args.csv_columns = list(out)
        out["n_points"] = len(r)
        out["measurements"] = r.certificate.get("measurements", "per point")
        return {**out, **common}
    return {
        "rate_upper_bound": r.value,
        "cut_bound": r.cut_bound,
        "best_bound": r.best,
        "measurements": r.certificate["measurements"],
        "measurement_search": r.certificate["measurement_search"],
        "attack": r.certificate["attack"] if args.full_certificate
        else compact(r.certificate["attack"]),
        "cut": r.certificate["cut"],
        "status": r.status,
        "message": r.message,
        "attack_used": r.attack_used,
        "paper_value": r.paper_value,
        "extended_value": r.extended_value,
        "no_attack_value": r.no_attack_value,
        "lower_bound": r.lower_bound,
        "verdict": r.verdict,
        "visibility": args.visibility, "leakage": args.leakage,
        **common,
    }
