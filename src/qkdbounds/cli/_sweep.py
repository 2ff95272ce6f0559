"""``qkdbounds sweep``: a parameter grid on Dask into the SQLite results store (SPEC F8)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from ._args import out_dir, out_file


def register(subparsers) -> None:
    """Add the ``sweep`` subcommand."""
    from .main import add_common

    p = subparsers.add_parser(
        "sweep", help="rate upper bounds over a parameter grid (Dask, resumable SQLite store)",
        description="Each axis takes START:STOP:STEP (inclusive), a comma list, or one value. "
                    "A rerun skips points already in the store; an interrupted run loses "
                    "nothing that finished.")
    p.add_argument("--dim", default=None, help="local dimension(s) d >= 2 (default 2)")
    p.add_argument("--parties", default=None, help="number(s) of parties N >= 2 (default 2)")
    p.add_argument("--visibility", required=True, help="visibilities in [0, 1], e.g. 0.3:1:0.01")
    p.add_argument("--leakage", required=True, help="leakages in [0, 1], e.g. 0.1,0.2")
    p.add_argument("--model", default=None,
                   help="leakage model(s): uniform, junk (default uniform)")
    p.add_argument("--attack", default=None, help="attack(s): best, paper, extended (default best: per point the "
                        "smallest of the paper, extended and no-attack bounds)")
    p.add_argument("--store", type=out_file("--store"), default=None,
                   help="SQLite store (default OUT/results.sqlite)")
    p.add_argument("--out", type=out_dir("--out"), default="out",
                   help="output directory for the default store")
    p.add_argument("--name", default=None, help="sweep name (default: derived from the grid)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="existing Dask scheduler, e.g. tcp://HOST:8786 (default: local cluster)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="local worker processes (default: number of cores)")
    p.add_argument("--point-fn", default=None, help=argparse.SUPPRESS)
    add_common(p)
    p.set_defaults(handler=handle)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def handle(args) -> dict:
    """Run the sweep; return the JSON object (``computed``, ``skipped``, ``failed``, ``store``)."""
    from ..store import default_store_path
    from ..sweep import DEFAULT_POINT_FN, run_sweep

    if args.scheduler is not None and args.workers is not None:
        raise InputError("--workers applies to the local cluster; omit it with --scheduler")
    store = Path(args.store) if args.store else default_store_path(args.out)
    axes = {name: getattr(args, name) for name in
            ("dim", "parties", "visibility", "leakage", "model", "attack")}
    summary = run_sweep(axes, store, point_fn=args.point_fn or DEFAULT_POINT_FN, name=args.name,
                        scheduler=args.scheduler, n_workers=args.workers, quiet=args.quiet)
    return summary.to_dict()
