"""``qkdbounds repeaters``: repeater budget (paper 1, Eq. 5) and the planner inverse.

Two modes (argument parsing and output only; the science is in :mod:`qkdbounds.repeaters`):

* budget: ``--visibility V --leakage L [--model M] [--dim D] [--max-repeaters K]`` gives
  ``n_max`` (simulated law v**(n+1), derived threshold), ``n_max_paper_convention`` (Eq. 5 as
  printed), ``threshold`` and the ``chain`` of rate bounds for n = 0..K;
* planner: ``--repeaters N --target-rate R --leakage L [--model M] [--dim D]`` gives the minimum
  link visibility for which the rate bound of an N-repeater chain reaches R (under
  ``plan`` in the output; alone if ``--visibility`` is not given).
"""

from __future__ import annotations

import dataclasses
import math

from ..errors import InputError, check_int, check_probability, check_real
from ..repeaters import MAX_SWAP_DIM, minimum_link_visibility, repeater_budget
from ..errors import LEAKAGE_MODELS
from ..repeaters.budget import DEFAULT_MAX_REPEATERS_CAP
from ._args import single_probability


def _plan(args, d: int, leakage: float) -> dict:
    n = check_int("--repeaters", args.repeaters, 0, 10_000)
    target = check_real("--target-rate", args.target_rate, 0.0, math.log2(d))
    plan = minimum_link_visibility(n, target, leakage, args.model, d, attack=args.attack)
    return {
        "repeaters": plan.n_repeaters,
        "target_rate": plan.target_rate,
        "min_link_visibility": plan.value,
        "min_link_visibility_paper_convention": plan.value_paper_convention,
        "end_to_end_visibility": plan.end_to_end_visibility,
        "rate_at_min_visibility": plan.rate_at_value,
        "max_rate": plan.max_rate,
        "threshold": plan.threshold,
        "method": plan.method,
        "status": plan.status,
        "tolerance": plan.tolerance,
    }


def _handler(args) -> dict:
    leakage = check_probability("--leakage", args.leakage)
    d = check_int("--dim", args.dim, 2, MAX_SWAP_DIM)
    planner = args.target_rate is not None or args.repeaters is not None
    if planner and (args.target_rate is None or args.repeaters is None):
        raise InputError("--target-rate (in [0, log2 d]) and --repeaters (integer >= 0) must be "
                         "given together")
    if args.visibility is None and not planner:
        raise InputError("--visibility (in [0, 1]) is required unless the planner options "
                         "--repeaters and --target-rate are given")
    plan = _plan(args, d, leakage) if planner else None
    if args.visibility is None:
        return {"mode": "plan", "leakage": leakage, "model": args.model, "dim": d, **plan}

    v = check_probability("--visibility", args.visibility)
    k = None
    if args.max_repeaters is not None:
        k = check_int("--max-repeaters", args.max_repeaters, 0, DEFAULT_MAX_REPEATERS_CAP)
    b = repeater_budget(v, leakage, args.model, d, max_repeaters=k, attack=args.attack)
    out = {
        "mode": "budget",
        "n_max": b.n_max,
        "n_max_unbounded": b.n_max is None,
        "n_max_paper_convention": b.n_max_paper_convention,
        "threshold": b.threshold,
        "paper_threshold": b.paper_threshold,
        "eq5_rhs": b.eq5_rhs,
        "variants": b.variants,
        "n_max_from_rate_bound": b.n_max_from_rate_bound,
        "consistent": b.consistent,
        "law_max_deviation": b.law_max_deviation,
        "chain": [dataclasses.asdict(p) for p in b.chain],
        "visibility": b.visibility,
        "leakage": b.leakage,
        "model": b.model,
        "attack": args.attack,
        "dim": b.local_dim,
        "method": b.method,
        "status": b.status,
    }
    if plan is not None:
        out["plan"] = plan
    return out


def register(subparsers) -> None:
    """Add the ``repeaters`` subcommand."""
    from .main import add_common

    p = subparsers.add_parser(
        "repeaters",
        help="repeater budget n_max (paper 1, Eq. 5) and minimum link visibility (planner)",
        description="Budget mode (--visibility): n_max from the simulated chain law v**(n+1) and "
                    "the derived threshold, beside the paper's Eq. 5 count (v**(2n), printed "
                    "threshold), and the rate bound for n = 0..K.  Planner mode (--repeaters N "
                    "--target-rate R): minimum link visibility for which the rate bound of an "
                    "N-repeater chain reaches R.")
    p.add_argument("--visibility", type=float, default=None,
                   help="visibility of every elementary link, in [0, 1]")
    p.add_argument("--leakage", type=single_probability("--leakage"), required=True,
                   help="leakage L in [0, 1]")
    p.add_argument("--attack", choices=("best", "paper", "extended"), default="best",
                   help="Eve's attack for the rate bounds (default best: the smallest of the paper, "
                        "extended and no-attack bounds; each chain point also reports attack_used, "
                        "paper_value, extended_value and no_attack_value)")
    p.add_argument("--model", choices=LEAKAGE_MODELS, default="uniform",
                   help="leakage model (default uniform)")
    p.add_argument("--dim", type=int, default=2,
                   help=f"local dimension d, 2..{MAX_SWAP_DIM} (default 2)")
    p.add_argument("--max-repeaters", type=int, default=None, metavar="K",
                   help=f"chain length K, 0..{DEFAULT_MAX_REPEATERS_CAP} (default: 2 past n_max)")
    p.add_argument("--repeaters", type=int, default=None, metavar="N",
                   help="planner: number of repeaters (with --target-rate)")
    p.add_argument("--target-rate", type=float, default=None, metavar="R",
                   help="planner: target key rate in bits, in [0, log2 d] (with --repeaters)")
    add_common(p)
    p.set_defaults(handler=_handler)
