"""``qkdbounds network``: best end-to-end key-rate bounds over the paths of a fibre graph.

Argument parsing and output only; the model is in :mod:`qkdbounds.repeaters.network`.
"""

from __future__ import annotations

import dataclasses

from ._args import in_file, integer, out_dir, ranged, single_probability
from ._progress import progress


def handle(args) -> dict:
    from ..errors import InputError
    from ..plotting.network_figure import write_network_figures
    from ..repeaters.network import (all_pairs, best_path, check_network_question, load_network,
                                     unreachable_pairs)
    from ..status import Status

    kwargs = dict(loss_db_per_km=args.loss_db_per_km, detector_efficiency=args.detector_efficiency,
                  link_visibility=args.link_visibility, memory_t2_s=args.memory_t2_s,
                  source_rate_hz=args.source_rate_hz)
    if args.scheduler is not None and args.workers is not None:
        raise InputError("--workers applies to the local cluster; omit it with --scheduler")
    # every number checked before the graph is read and the work estimated
    check_network_question(args.leakage, args.model, objective=args.objective,
                           max_candidates=args.max_candidates, max_labels=args.max_labels,
                           max_seconds=args.max_seconds, **kwargs)
    graph = load_network(args.graph)
    if (args.source is None) != (args.target is None):
        raise InputError("give both --source and --target, or neither (all pairs)")
    search = dict(objective=args.objective, max_labels=args.max_labels,
                  max_candidates=args.max_candidates)
    if args.source is not None:
        res = best_path(graph, args.source, args.target, args.leakage, args.model, **search,
                        **kwargs)
        pairs = [] if res is None else [res]
        unreachable = [[str(args.source), str(args.target)]] if res is None else []
    else:
        from ..repeaters.network import check_estimate

        workers = 1
        if args.workers is not None:
            workers = args.workers
        elif args.scheduler is not None:
            workers = 2      # unknown cluster size: assume two workers for the estimate
        est = check_estimate(graph, args.max_seconds, objective=args.objective,
                             max_labels=args.max_labels, memory_t2_s=args.memory_t2_s,
                             workers=workers)
        if not args.quiet:
            import sys

            print(f"network: {est['pairs']} node pairs, estimated {est['seconds']:.0f} s "
                  f"(at most {est['seconds_max']:.0f} s)", file=sys.stderr)
        with progress(graph.number_of_nodes(), "network", args.quiet) as update:
            if args.scheduler is not None or args.workers is not None:
                from ..sweep.network import all_pairs_distributed

                pairs = all_pairs_distributed(graph, args.leakage, args.model,
                                              scheduler=args.scheduler, n_workers=args.workers,
                                              callback=update, **search, **kwargs)
            else:
                pairs = all_pairs(graph, args.leakage, args.model, callback=update, **search,
                                  **kwargs)
        unreachable = unreachable_pairs(graph, args.link_visibility)
    out = {
        "nodes": graph.number_of_nodes(),
        "links": graph.number_of_edges(),
        "objective": args.objective,
        "pairs": [dataclasses.asdict(p) for p in pairs],
        "unreachable": unreachable,
        "key_rate_search": {tag: sum(p.key_rate_search == tag for p in pairs)
                            for tag in ("exact", "gap", "zero", "visibility")},
        "units": {"rate_upper_bound": "bits per delivered pair", "plob_bound": "bits per use",
                  "plob_repeater_chain_bound": "bits per use", "*_bps": "bits per second",
                  "*_hz": "per second"},
        "citation": ("PLOB: Pirandola, Laurenza, Ottaviani & Banchi, Nat. Commun. 8, 15043 "
                     "(2017); repeater chain (min over segments): Pirandola, Commun. Phys. 2, 51 "
                     "(2019)"),
        "method": pairs[0].method if pairs else "no connected pair",
        "status": (Status.CERTIFIED if any(p.status == Status.CERTIFIED for p in pairs)
                   else Status.OPTIMAL),
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        out["figures"] = write_network_figures(graph, pairs, args.out,
                                               link_visibility=args.link_visibility)
    return out


def positive_seconds(text: str) -> float:
    """``--max-seconds``: a number in (0, 1e9]."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= 1e9):
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1e9], got {text!r}")
    return value


def register(subparsers) -> None:
    """Add the ``network`` subcommand."""
    from .main import add_common

    p = subparsers.add_parser("network", help="best key-rate bounds over the paths of a network")
    p.add_argument("--graph", type=in_file("--graph"), required=True,
                   help="network as .json (nodes, links with length_km) or .graphml")
    p.add_argument("--leakage", type=single_probability("--leakage"), required=True,
                   help="leakage L in [0, 1]")
    p.add_argument("--model", choices=("uniform", "junk"), default="uniform")
    p.add_argument("--objective", choices=("key-rate", "visibility"), default="key-rate",
                   help="best path per pair: most key per second (the planner's bound, default) "
                        "or largest product of fresh link visibilities")
    p.add_argument("--max-labels", type=integer("--max-labels", 1, 10**8), default=30,
                   help="key-rate search: most partial paths per node pair (default 30); beyond, "
                        "the best path found and a certified bound on every path (gap)")
    p.add_argument("--max-seconds", type=positive_seconds, default=600.0,
                   help="refuse all-pairs runs whose work estimate exceeds this (default 600)")
    p.add_argument("--max-candidates", type=integer("--max-candidates", 1, 10**7), default=2000,
                   help="key-rate with memories: most paths planned per pair (default 2000)")
    p.add_argument("--source", default=None, help="one pair: source node")
    p.add_argument("--target", default=None, help="one pair: target node")
    p.add_argument("--loss-db-per-km", type=float, default=0.2)
    p.add_argument("--detector-efficiency", type=float, default=0.9)
    p.add_argument("--link-visibility", type=float, default=1.0)
    p.add_argument("--memory-t2-s", type=float, default=None)
    p.add_argument("--source-rate-hz", type=float, default=1e8)
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="spread the node pairs over a Dask scheduler (tcp://HOST:PORT)")
    p.add_argument("--workers", type=ranged("--workers", "workers"), default=None,
                   help="spread the node pairs over a local Dask cluster with this many workers")
    p.add_argument("--out", type=out_dir("--out"), default=None,
                   help="directory for the network map and the bound-vs-distance figure")
    add_common(p)
    p.set_defaults(handler=handle)
