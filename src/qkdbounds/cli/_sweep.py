"""``qkdbounds sweep``: a parameter grid on Dask into the SQLite results store (SPEC F8)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from ._args import name_text, out_dir, out_file, ranged


#: ``qkdbounds.sweep.questions.QUESTION_NAMES``, spelled out so that building the parser does
#: not import the sweep engine (every CLI call builds it; a test keeps the two equal).
QUESTION_CHOICES = ("rate", "data", "state", "di", "plan")


def register(subparsers) -> None:
    """Add the ``sweep`` subcommand."""
    from .main import add_common

    p = subparsers.add_parser(
        "sweep", help="any point question over a parameter grid (Dask, resumable SQLite store)",
        description="Each axis takes START:STOP:STEP (inclusive), a comma list, or one value. "
                    "A rerun skips points already in the store; an interrupted run loses "
                    "nothing that finished.  --question picks what is asked at every point "
                    "(docs/sweep_questions.md); options of other questions are refused.")
    p.add_argument("--question", choices=QUESTION_CHOICES, default="rate",
                   help="rate (default): isotropic GHZ bound (qkdbounds rate); data: recorded "
                        "QBERs (qkdbounds data-bound); state: a state file (qkdbounds "
                        "state-bound); di: DI CC attack (qkdbounds di-attack); plan: repeater chain "
                        "over fibre (qkdbounds plan)")
    p.add_argument("--dim", default=None, help="[rate] local dimension(s) d >= 2 (default 2)")
    p.add_argument("--parties", default=None,
                   help="[rate] number(s) of parties N >= 2 (default 2)")
    p.add_argument("--visibility", default=None,
                   help="[rate, di; required] visibilities in [0, 1], e.g. 0.3:1:0.01")
    p.add_argument("--leakage", required=True, help="leakages in [0, 1], e.g. 0.1,0.2")
    p.add_argument("--model", default=None,
                   help="leakage model(s): uniform, junk (default uniform)")
    p.add_argument("--attack", default=None,
                   help="[rate, data, state] attack(s): best, paper, extended (default best: per "
                        "point the smallest of the paper, extended and no-attack bounds; state "
                        "with 3+ parties: as state-bound, with the conference-key cuts)")
    p.add_argument("--protocol", default=None,
                   help="[data; required] protocol(s): bb84, bbm92, six-state")
    p.add_argument("--qber-z", dest="qber_z", default=None,
                   help="[data; required] Z-basis error rate(s) in [0, 1]")
    p.add_argument("--qber-x", dest="qber_x", default=None,
                   help="[data; required] X-basis error rate(s) in [0, 1]")
    p.add_argument("--qber-y", dest="qber_y", default=None,
                   help="[data] Y-basis error rate(s) in [0, 1] (required for six-state; "
                        "default: not monitored)")
    p.add_argument("--state", default=None, metavar="FILE.npy",
                   help="[state; required] density matrix or ket (.npy/.npz); keyed by the "
                        "SHA-256 of its bytes")
    p.add_argument("--dims", default=None, nargs="+", metavar="D",
                   help="[state] local dimensions, as state-bound: --dims 3 3 (or 3,3; default: "
                        "two qubits for a 4x4 matrix)")
    p.add_argument("--measurements", default=None,
                   help="[state] Z, search or F.npz (POVMs per party, as qkdbounds state-bound; "
                        "default search); a file is keyed by the SHA-256 of its bytes")
    p.add_argument("--project", action="store_const", const="yes", default=None,
                   help="[state] project a slightly unphysical matrix to the nearest state "
                        "(as qkdbounds state-bound --project)")
    p.add_argument("--eta", default=None,
                   help="[di; required] detection efficiency(ies) in [0, 1] (Alice's if "
                        "--eta-b is given)")
    p.add_argument("--eta-b", dest="eta_b", default=None,
                   help="[di] Bob's detection efficiency(ies) (default: --eta)")
    p.add_argument("--theta", default=None,
                   help="[di] state angle(s) in [0, pi/2] (default pi/4)")
    p.add_argument("--binning", default=None, help="[di] none, A, B, both (default both)")
    p.add_argument("--attack-side", dest="attack_side", default=None,
                   help="[di] best, two-sided, one-sided (default best)")
    p.add_argument("--distance-km", dest="distance_km", default=None,
                   help="[plan] total fibre distances in km, e.g. 50:500:50")
    p.add_argument("--segments", default=None, help="[plan] elementary links, e.g. 1,2,4,8")
    p.add_argument("--loss-db-per-km", dest="loss_db_per_km", default=None,
                   help="[plan] fibre loss in dB/km (default 0.2)")
    p.add_argument("--detector-efficiency", dest="detector_efficiency", default=None,
                   help="[plan] detector efficiency in [0, 1] (default 0.9)")
    p.add_argument("--link-visibility", dest="link_visibility", default=None,
                   help="[plan] visibility of a fresh link in [0, 1] (default 1)")
    p.add_argument("--memory-t2-s", dest="memory_t2_s", default=None,
                   help="[plan] memory coherence time in s (default: perfect memories)")
    p.add_argument("--memory-noise", dest="memory_noise", default=None,
                   help="[plan] depolarizing or dephasing (default depolarizing)")
    p.add_argument("--source-rate-hz", dest="source_rate_hz", default=None,
                   help="[plan] attempts per second (default 1e8)")
    p.add_argument("--store", type=out_file("--store"), default=None,
                   help="SQLite store (default OUT/results.sqlite)")
    p.add_argument("--out", type=out_dir("--out"), default="out",
                   help="output directory for the default store")
    p.add_argument("--name", type=name_text("--name"), default=None, help="sweep name (default: derived from the grid)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="existing Dask scheduler, e.g. tcp://HOST:8786 (default: local cluster)")
    p.add_argument("--workers", type=ranged("--workers", "workers"), default=None,
                   help="local worker processes (default: number of cores)")
    p.add_argument("--point-fn", default=None, help=argparse.SUPPRESS)
    add_common(p)
    p.set_defaults(handler=handle)


def handle(args) -> dict:
    """Run the sweep; return the JSON object (``computed``, ``skipped``, ``failed``, ``store``)."""
    from ..store import default_store_path
    from ..sweep import run_sweep

    if args.scheduler is not None and args.workers is not None:
        raise InputError("--workers applies to the local cluster; omit it with --scheduler")
    axes = question_axes(args)
    store = Path(args.store) if args.store else default_store_path(args.out)
    summary = run_sweep(axes, store, question=args.question, point_fn=args.point_fn,
                        name=args.name, scheduler=args.scheduler, n_workers=args.workers,
                        quiet=args.quiet)
    return summary.to_dict()


def question_axes(args) -> dict:
    """The axis options of ``args.question``; an axis option of another question is one line."""
    from ..sweep.questions import QUESTIONS

    question = QUESTIONS[args.question]
    mine = {axis.name for axis in question.user_axes}
    every = sorted({axis.name for q in QUESTIONS.values() for axis in q.user_axes},
                   key=lambda name: name)
    for name in every:
        if name not in mine and getattr(args, name, None) is not None:
            option = "--" + name.replace("_", "-")
            # (the options the command has: a measurements file comes in through --measurements)
            options = ", ".join(axis.option for axis in question.user_axes if hasattr(args, axis.name))
            raise InputError(f"{option} does not apply to --question {question.name} "
                             f"(its options: {options})")
    if question.name in ("rate", "di") and args.visibility is None:
        raise InputError(f"--visibility is required for --question {question.name} "
                         "(e.g. 0.3:1:0.01 or 0.9,1)")
    axes = {axis.name: getattr(args, axis.name, None) for axis in question.user_axes}
    choices = ("Z", "search", "auto")
    chosen = axes.get("measurements")
    if (question.name == "state" and chosen is not None
            and not all(item.strip() in choices for item in str(chosen).split(","))):
        # --measurements F.npz, as state-bound: the file, keyed by its bytes
        axes["measurements_file"], axes["measurements"] = axes["measurements"], "file"
    if isinstance(axes.get("dims"), list):       # --dims 3 3 (as state-bound) or --dims 3,3
        axes["dims"] = ",".join(axes["dims"])
    return axes
