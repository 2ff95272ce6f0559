"""``qkdbounds results {list,export,plot}``: read a sweep back out of the SQLite store."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ._args import in_file, name_text, out_file


def register(subparsers) -> None:
    """Add the ``results`` subcommand and its ``list``, ``export`` and ``plot`` actions."""
    from .main import add_common

    p = subparsers.add_parser("results", help="list, export or plot stored sweep results")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True

    ls = actions.add_parser("list", help="sweeps in a store")
    _store_args(ls)
    add_common(ls)
    ls.set_defaults(handler=handle_list)

    ex = actions.add_parser("export", help="write stored points as CSV, JSON or Parquet")
    _store_args(ex)
    ex.add_argument("--format", required=True, choices=("csv", "json", "parquet"))
    ex.add_argument("--out", type=_out_or_stdout, required=True,
                    help="output file, or - for standard output (csv, json)")
    ex.add_argument("--all-versions", action="store_true",
                    help="include points computed by other qkdbounds versions")
    add_common(ex)
    ex.set_defaults(handler=handle_export)

    pl = actions.add_parser("plot", help="figure of a stored sweep (rate vs one parameter)")
    _store_args(pl)
    pl.add_argument("--out", type=out_file("--out", (".png", ".svg", ".pdf")), required=True,
                    help="figure file (.png, .svg, .pdf)")
    pl.add_argument("--x", default=None, help="parameter on the x axis (default: visibility, "
                    "else the first numeric parameter that varies)")
    pl.add_argument("--group", default=None, help="one curve per value of this parameter "
                    "(default: leakage, else the next parameter that varies)")
    pl.add_argument("--y", default="rate_upper_bound",
                    help="quantity on the y axis: rate_upper_bound (default) or a number of the "
                         "stored answer, e.g. key_rate_upper_bound_bps")
    add_common(pl)
    pl.set_defaults(handler=handle_plot)


def _store_args(p) -> None:
    p.add_argument("--store", type=in_file("--store", 2**40), required=True,
                   help="SQLite results store")
    p.add_argument("--name", type=name_text("--name"), default=None, help="only this sweep (default: all points)")


def _open(args):
    from ..store import ResultStore

    out = getattr(args, "out", None)
    if out is not None and _same_file(Path(out), Path(args.store)):
        raise InputError(f"--out must differ from --store (writing {str(out)!r} would replace the "
                         f"store)")
    return ResultStore(Path(args.store), create=False, read_only=True)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same inode when both exist: links, ``./`` and
    relative spellings included)."""
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def handle_list(args) -> dict:
    """JSON: ``store``, ``points`` and ``sweeps`` (name, points, failed, grid spec)."""
    with _open(args) as store:
        sweeps, points = store.sweeps(), store.count()
        name = getattr(args, "name", None)
        if name is not None:
            sweeps = [s for s in sweeps if s.get("name") == name]
            if not sweeps:
                raise InputError(f"--name: no sweep named {name!r} in {store.path}")
            points = sum(int(s.get("points", 0)) for s in sweeps)
        return {"store": str(store.path), "points": points, "sweeps": sweeps}


def _out_or_stdout(text: str):
    """``--out`` of ``results export``: ``-`` (standard output) or an output file."""
    return text if text == "-" else out_file("--out")(text)


def handle_export(args) -> dict | None:
    """JSON: ``out``, ``format``, ``rows``; with ``--out -`` the export itself is the output."""
    import sys

    from ..store import export_records

    if args.out == "-" and args.format == "parquet":
        raise InputError("--out - (standard output) takes --format csv or json; parquet needs a file")
    with _open(args) as store:
        records = store.records(args.name, all_versions=args.all_versions)
    if args.out == "-":
        export_records(records, sys.stdout, args.format)
        return None
    out = export_records(records, args.out, args.format)
    return {"out": str(out), "format": args.format, "rows": len(records), "store": args.store}


def handle_plot(args) -> dict:
    """JSON: ``out``, ``rows``, ``curves``."""
    from ..plotting.sweep_figure import write_sweep

    with _open(args) as store:
        records = store.records(args.name)
        names = [s.get("name") for s in store.sweeps()] if args.name is None else []
    if not records:
        where = f" in sweep {args.name!r}" if args.name else ""
        raise InputError(f"--store: no stored points{where}")
    questions = sorted({str(r.get("question")) for r in records})
    if args.name is None and len(questions) > 1:
        raise InputError(f"--store holds sweeps of several questions ({', '.join(questions)}), "
                         f"which one figure cannot mix: give --name (one of: "
                         f"{', '.join(map(str, names[:8]))}{', ...' if len(names) > 8 else ''})")
    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--out must end in .png, .svg or .pdf, got {str(out)!r}")
    _, ax = write_sweep(records, out, x=args.x, group=args.group, y=args.y)
    n_curves = len(ax.lines)
    return {"out": str(out), "rows": len(records), "curves": n_curves}
