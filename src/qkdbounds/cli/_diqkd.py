"""``qkdbounds diqkd ...``: paper 2 (rho-d, crossover, bound).  Parsing and output only."""

from __future__ import annotations


import numpy as np

from ._args import in_file, integer

#: Largest matrix (side) that ``diqkd bound`` reads: its SDP-free bounds are dense eigen-solves.
MAX_BOUND_DIM = 256


def _rho_d(args) -> dict:
    from ..di.partial_transpose import rho_d_summary

    return rho_d_summary(args.shield_dim, args.unitary)


def _crossover(args) -> dict:
    from ..di.partial_transpose import crossover_search

    from ._progress import progress

    n_pow2 = args.max_dim.bit_length() - 1
    with progress(args.max_dim - 1 + n_pow2, "crossover scan (d)", args.quiet) as update:
        fourier = crossover_search(args.max_dim, "fourier", callback=lambda i, n: update(1))
        hadamard = crossover_search(args.max_dim, "hadamard", callback=lambda i, n: update(1))
    return {
        "smallest_shield_dim": fourier.smallest_shield_dim,
        "smallest_shield_dim_formula": fourier.smallest_shield_dim_formula,
        "smallest_power_of_two": hadamard.smallest_shield_dim,
        "paper_claim": "gap for all d >= 24",
        "gap_persists": fourier.gap_persists,
        "max_dim": args.max_dim,
        "method": fourier.method,
        "status": fourier.status,
    }


def _bound(args) -> dict:
    from ..di.partial_transpose import ppt_state_key_bound

    from .._io import load_npy_checked

    matrix = load_npy_checked("--state", args.state, max_elements=MAX_BOUND_DIM**2)
    res = ppt_state_key_bound(matrix, tuple(args.dims), rng=np.random.default_rng(args.seed), n_starts=args.starts)

    def cert(bound):
        c = bound.certificate
        return {"kind": c.kind, "description": c.description, "value": bound.value, "method": bound.method,
                "status": bound.status}

    return {
        "di_key_upper_bound": res.value,
        "rate_upper_bound": res.value,
        "lower_bound": res.lower_bound,
        "lower_bound_method": res.lower_bound_method,
        "verdict": res.verdict,
        "unit": "bits per copy of the state",
        "key_upper_bound": res.upper_bound_state.value,
        "pt_key_upper_bound": res.upper_bound_pt.value,
        "min_eigenvalue_pt": res.min_eigenvalue_pt,
        "ppt": True,
        "witness_state": cert(res.upper_bound_state),
        "witness_pt": cert(res.upper_bound_pt),
        "method": res.method,
        "status": res.status,
    }


def register(subparsers) -> None:
    """Add ``diqkd`` with subcommands ``rho-d``, ``crossover``, ``bound``."""
    from .main import add_common

    p = subparsers.add_parser("diqkd", help="paper 2: DIQKD upper bounds via the partial transpose")
    sub = p.add_subparsers(dest="diqkd_command", metavar="SUBCOMMAND", parser_class=type(p))
    sub.required = True

    q = sub.add_parser("rho-d", help="PPT check and key bounds of rho_d")
    q.add_argument("--shield-dim", type=int, required=True, help="shield dimension d >= 2")
    q.add_argument("--unitary", choices=("auto", "fourier", "hadamard"), default="auto",
                   help="U: Hadamard power (d = 2^k) or Fourier; auto picks Hadamard when possible")
    add_common(q)
    q.set_defaults(handler=_rho_d)

    q = sub.add_parser("crossover", help="smallest d with key lower bound > PT upper bound")
    q.add_argument("--max-dim", type=int, default=64, help="largest shield dimension scanned (default 64)")
    add_common(q)
    q.set_defaults(handler=_crossover)

    q = sub.add_parser("bound", help="Eq. (3) bound min{K(rho), K(rho^Gamma)} for a PPT state")
    q.add_argument("--state", type=in_file("--state"), required=True,
                   help=".npy file with the density matrix (Alice first)")
    q.add_argument("--dims", type=int, nargs=2, required=True, metavar=("DA", "DB"))
    q.add_argument("--starts", type=integer("--starts", 0, 1000), default=2,
                   help="seeded local-basis starts, 0..1000 (default 2)")
    q.add_argument("--seed", type=integer("--seed", 0, 2**32 - 1), default=0,
                   help="seed of the local-basis starts, 0..2^32-1 (default 0)")
    add_common(q)
    q.set_defaults(handler=_bound)


