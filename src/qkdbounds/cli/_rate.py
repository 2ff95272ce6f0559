"""``qkdbounds rate``: max-min key-rate upper bound at one point (Eqs. 13-14, 29)."""

from __future__ import annotations

from ..bounds import rate_upper_bound
from ._args import add_state_args, integer
from .main import add_common


def register(sub) -> None:
    p = sub.add_parser("rate", help="key-rate upper bound for an isotropic GHZ source")
    add_state_args(p)
    p.add_argument("--attack", choices=_attacks(), default="paper", help="Eve's attack family")
    p.add_argument("--measurements", choices=("Z", "search"), default="Z",
                   help="Z basis (tested optimal) or an explicit global search at this point")
    p.add_argument("--starts", type=integer("--starts", 0, 1000), default=6,
                   help="random starts of Eve's minimisation")
    add_common(p)
    p.set_defaults(handler=handle)


def _attacks():
    from ..bounds.rate import ATTACKS

    return ATTACKS


def handle(args) -> dict:
    r = rate_upper_bound(args.dim, args.parties, args.visibility, args.leakage, args.model,
                         measurements=args.measurements, attack=args.attack, n_starts=args.starts)
    attack = dict(r.certificate["attack"])
    return {
        "rate_upper_bound": r.value,
        "cut_bound": r.cut_bound,
        "best_bound": r.best,
        "measurements": r.certificate["measurements"],
        "measurement_search": r.certificate["measurement_search"],
        "attack": attack,
        "cut": r.certificate["cut"],
        "method": r.method,
        "status": r.status,
        "tolerance": r.tolerance,
        "dim": args.dim, "parties": args.parties, "visibility": args.visibility,
        "leakage": args.leakage, "model": args.model,
    }
