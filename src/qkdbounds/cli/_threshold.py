"""``qkdbounds threshold``: visibility below which no key is possible (Theorems 1-2).

Argument parsing and output only; ``--leakage`` may be a grid (then every value is a list).
"""

from __future__ import annotations

from ._args import add_state_args
from .main import add_common, add_format


def register(sub) -> None:
    p = sub.add_parser("threshold", help="visibility threshold (closed form + numeric)")
    add_state_args(p, visibility=False)
    p.add_argument("--no-numeric", action="store_true", help="skip the numeric zero crossing")
    add_format(p)
    add_common(p)
    p.set_defaults(handler=handle)


def handle(args) -> dict:
    from ..bounds.threshold import visibility_threshold

    t = visibility_threshold(args.dim, args.parties, args.leakage, args.model,
                             numeric=not args.no_numeric)
    out = {
        "leakage": args.leakage,
        "visibility_threshold": t.value,
        "closed_form": t.closed_form,
        "numeric": t.numeric,
        "paper_printed": t.paper_value,
        "paper_disagrees": t.paper_disagrees,
        "agreement": t.agreement,
    }
    if isinstance(args.leakage, list):
        args.csv_columns = [k for k, v in out.items() if v is not None]
    return {
        **out,
        "npt_threshold": t.npt_threshold,
        "entanglement_notion": "NPT across every bipartition above npt_threshold (fully separable below)",
        "dim": args.dim, "parties": args.parties, "model": args.model,
        "method": t.method,
        "status": t.status, "message": t.message,
    }
