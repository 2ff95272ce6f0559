"""``qkdbounds plan``: a repeater chain in kilometres against the repeaterless PLOB bound.

Argument parsing and output only; the model is in :mod:`qkdbounds.repeaters.planner`.
"""

from __future__ import annotations

import math

from ..errors import InputError
from ._args import integer, single_probability


def _finite(name: str, value):
    if value is not None and not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value}")
    return value


def handle(args) -> dict:
    from ..repeaters.planner import max_distance, min_segments, plan_link

    for name in ("distance_km", "loss_db_per_km", "detector_efficiency", "link_visibility",
                 "memory_t2_s", "source_rate_hz", "leakage", "target_key_rate_bps"):
        _finite("--" + name.replace("_", "-"), getattr(args, name))
    kwargs = dict(model=args.model, loss_db_per_km=args.loss_db_per_km,
                  detector_efficiency=args.detector_efficiency, link_visibility=args.link_visibility,
                  memory_t2_s=args.memory_t2_s, memory_noise=args.memory_noise,
                  source_rate_hz=args.source_rate_hz, local_dim=args.dim, attack=args.attack)
    plan = plan_link(args.distance_km, args.segments, args.leakage, **kwargs)
    out = plan.to_dict()
    if args.target_key_rate_bps is not None:
        from ..repeaters.planner import max_distance_plans
        from ._progress import progress

        # up to max_segments + ~32 plans, each costlier with more segments: a bar (minutes at
        # --max-segments 1024)
        with progress(max_distance_plans() + args.max_segments, "plan", args.quiet) as update:
            out["max_distance"] = max_distance(args.target_key_rate_bps, args.segments,
                                               args.leakage, callback=update, **kwargs)
            out["fewest_segments"] = min_segments(args.target_key_rate_bps, args.distance_km,
                                                  args.leakage, max_segments=args.max_segments,
                                                  callback=update, **kwargs)
    return out


def register(subparsers) -> None:
    """Add the ``plan`` subcommand."""
    from .main import add_common

    p = subparsers.add_parser(
        "plan", help="plan a repeater chain in km (fibre loss, memories) against the PLOB bound",
        description="Heralded elementary links over fibre, memories with coherence time T2, ideal "
                    "swapping; the end-to-end key-rate upper bound (bits per pair and per second) "
                    "beside the repeaterless PLOB bound for the same distance.")
    p.add_argument("--distance-km", type=float, required=True, help="total distance (km)")
    p.add_argument("--segments", type=int, required=True, help="elementary links (1 = direct)")
    p.add_argument("--leakage", type=single_probability("--leakage", "grids of plan points: qkdbounds sweep --question plan"), required=True,
                   help="leakage L in [0, 1]")
    p.add_argument("--model", choices=("uniform", "junk"), default="uniform")
    p.add_argument("--attack", choices=("best", "paper", "extended"), default="best",
                   help="Eve's attack on isotropic links (default best: the smallest of the paper, "
                        "extended and no-attack bounds)")
    p.add_argument("--loss-db-per-km", type=float, default=0.2, help="fibre loss (default 0.2)")
    p.add_argument("--detector-efficiency", type=float, default=0.9, help="in [0, 1] (0.9)")
    p.add_argument("--link-visibility", type=float, default=1.0,
                   help="visibility of a freshly delivered pair (default 1)")
    p.add_argument("--memory-t2-s", type=float, default=None, help="memory coherence time (s)")
    p.add_argument("--memory-noise", choices=("depolarizing", "dephasing"), default="depolarizing")
    p.add_argument("--source-rate-hz", type=float, default=1e8, help="attempts per second (1e8)")
    p.add_argument("--dim", type=int, default=2, help="local dimension of the links (2)")
    p.add_argument("--target-key-rate-bps", type=float, default=None,
                   help="inverse: largest distance at which the key bound reaches this rate, "
                        "and the fewest segments reaching it at --distance-km")
    p.add_argument("--max-segments", type=integer("--max-segments", 1, 1024), default=64,
                   help="largest number of segments tried by the inverse (default 64)")
    add_common(p)
    p.set_defaults(handler=handle)
