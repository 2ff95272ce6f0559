"""``qkdbounds threshold``: visibility below which no key is possible (Theorems 1-2)."""

from __future__ import annotations

from ..bounds import visibility_threshold
from ._args import add_state_args
from .main import add_common


def register(sub) -> None:
    p = sub.add_parser("threshold", help="visibility threshold (closed form + numeric)")
    add_state_args(p, visibility=False)
    p.add_argument("--no-numeric", action="store_true", help="skip the numeric zero crossing")
    add_common(p)
    p.set_defaults(handler=handle)


def handle(args) -> dict:
    t = visibility_threshold(args.dim, args.parties, args.leakage, args.model, numeric=not args.no_numeric)
    return {
        "visibility_threshold": t.value,
        "closed_form": t.closed_form,
        "numeric": t.numeric,
        "paper_printed": t.paper_value,
        "paper_disagrees": t.paper_disagrees,
        "npt_threshold": t.npt_threshold,
        "agreement": t.agreement,
        "entanglement_notion": "NPT across every bipartition above npt_threshold (fully separable below)",
        "dim": args.dim, "parties": args.parties, "leakage": args.leakage, "model": args.model,
        "method": t.method,
        "status": t.status,
    }
