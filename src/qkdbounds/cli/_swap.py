"""``qkdbounds swap``: simulated entanglement swapping along a chain of isotropic links.

Argument parsing and output only; the science is in :mod:`qkdbounds.repeaters`.
"""

from __future__ import annotations

from ..errors import InputError, check_int, check_probability
from ..repeaters import MAX_SWAP_DIM, simulate_chain


def _handler(args) -> dict:
    links = [check_probability(f"--visibilities[{i}]", v) for i, v in enumerate(args.visibilities)]
    if len(links) < 2:
        raise InputError("--visibilities must list at least 2 link visibilities, each in [0, 1]")
    d = check_int("--dim", args.dim, 2, MAX_SWAP_DIM)
    res = simulate_chain(links, local_dim=d, order=args.order)
    return {
        "final_visibility": res.value,
        "isotropic": res.isotropic,
        "isotropy_distance": res.max_isotropy_distance,
        "fidelity": res.isotropy.fidelity,
        "product_law": res.product_law,
        "law_deviation": res.law_deviation,
        "follows_product_law": res.follows_product_law,
        "intermediate_visibilities": list(res.intermediate_visibilities),
        "link_visibilities": list(res.link_visibilities),
        "n_repeaters": res.n_repeaters,
        "dim": d,
        "order": res.order,
        "method": res.method,
        "status": "ok",
    }


def register(subparsers) -> None:
    """Add the ``swap`` subcommand."""
    from .main import add_common

    p = subparsers.add_parser(
        "swap",
        help="simulate entanglement swapping of isotropic links (density matrices)",
        description="Swap isotropic two-qudit links left to right (or as a balanced tree) with a "
                    "generalised Bell measurement and X^m Z^k correction, on density matrices; "
                    "report the end-to-end visibility read off the simulated state, its distance "
                    "to the isotropic family and the product of the link visibilities.")
    p.add_argument("--visibilities", nargs="+", type=float, required=True, metavar="V",
                   help="visibility of each elementary link, in [0, 1] (at least 2)")
    p.add_argument("--dim", type=int, default=2,
                   help=f"local dimension d, 2..{MAX_SWAP_DIM} (default 2)")
    p.add_argument("--order", choices=("sequential", "balanced"), default="sequential",
                   help="swap left to right (default) or merge neighbours pairwise")
    add_common(p)
    p.set_defaults(handler=_handler)
