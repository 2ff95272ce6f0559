"""``qkdbounds reproduce --out DIR``: every figure, results.json and a self-contained report."""

from __future__ import annotations

from .._io import write_text_atomic

import json
import sys
import time
from pathlib import Path

from ..bounds.curves import PAPER_FIGURES
from ._args import out_dir
from .._json import to_jsonable
from .main import add_common
from ..errors import InputError
from ._figure import (make_di_figure, make_diqkd_figure, make_figure2, make_plan_figure, make_rate_figure,
                      make_window_figure, write_csv)
from ._progress import progress

ERRATA_URL = "https://github.com/qkdbounds/qkdbounds/blob/main/docs/errata.md"


def register(sub) -> None:
    p = sub.add_parser("reproduce", help="regenerate every figure and headline number of both papers")
    p.add_argument("--out", type=out_dir("--out"), default="out", help="output directory (default: out/)")
    p.add_argument("--points", type=int, default=100, help="visibilities per paper curve")
    add_common(p)
    p.set_defaults(handler=handle)


def _beyond_figures(out: Path, n_points: int) -> list[dict]:
    from ..bounds.curves import rate_curve
    from ..bounds.symmetric import no_attack_bounds
    from ..plotting.rate_figures import write_rate_curves

    figs = []
    for number, (d, n) in PAPER_FIGURES.items():
        leaks = (0.0, 0.1, 0.3)
        paper = [rate_curve(d, n, leak, n_points=n_points, attack="paper") for leak in leaks]
        ext = [rate_curve(d, n, leak, n_points=n_points, attack="extended") for leak in leaks]
        stem = out / f"beyond_figure{number}"
        trivial = [no_attack_bounds(d, n, c.visibilities, c.leakage, c.model) for c in paper]
        files = write_rate_curves(paper, f"Fig. {number} (d={d}, N={n}): paper attack vs extended attack",
                                  stem, curve_label="paper attack", extra_curves=ext,
                                  extra_label="extended attack",
                                  baseline=trivial, baseline_label="no attack")
        rows = []
        for c_p, c_e, c_t in zip(paper, ext, trivial):
            for row_p, row_e, r_t in zip(c_p.rows(), c_e.rows(), c_t):
                rows.append(dict(row_p, rate_extended_attack=row_e["rate_upper_bound"],
                                 rate_no_attack=float(r_t)))
        files.append(write_csv(rows, stem.with_suffix(".csv")))
        figs.append({"png": files[0], "files": [str(f) for f in files],
                     "caption": f"Beyond Fig. {number}: solid = paper's CC attack, dash-dot = extended "
                                f"attack (Eve forgets product-state flags), dashed = no attack "
                                f"(Eve keeps only the leaked rounds); L = 0 included."})
    return figs


def _fmt(x) -> str:
    return "none" if x is None else f"{x:.4f}"


def _ignore_sigint() -> None:
    # Ctrl-C is the parent's to handle (one line, exit 130); the parent terminates the worker
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _di_figures(out: Path) -> tuple:
    """The DI window figure against the detection efficiency (~10 s of CPU on an empty results
    store: the dense lower bounds against eta, their zeros, the DI attack at 52 efficiencies;
    less when the attack's points are stored)."""
    return make_di_figure(out, quiet=True)


class _DIFigures:
    """Runs :func:`_di_figures` in a second process beside the paper figures when the machine
    has two cores or more (same functions, same output; serial otherwise).  It is the longest
    single job of ``reproduce``; the Werner window figure (~3 s) runs in the parent after the
    paper figures, so that the two processes finish at about the same time."""

    def __init__(self, out: Path):
        import multiprocessing
        import os
        import threading

        self.out, self.pool, self.job = out, None, None
        # fork, not spawn: spawn re-imports the caller's __main__, which re-runs a script that
        # calls main() without a __name__ guard; fork is unsafe only with other Python threads
        if ((os.cpu_count() or 1) >= 2 and threading.active_count() == 1
                and "fork" in multiprocessing.get_all_start_methods()):
            self.pool = multiprocessing.get_context("fork").Pool(1, initializer=_ignore_sigint)
            self.job = self.pool.apply_async(_di_figures, (out,))

    def result(self) -> tuple:
        return _di_figures(self.out) if self.job is None else self.job.get()

    def close(self, ok: bool) -> None:
        if self.pool is not None:
            if ok:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()


def handle(args) -> dict:
    if not 2 <= args.points <= MAX_POINTS:      # (before anything is created or started)
        raise InputError(f"--points must be an integer in [2, {MAX_POINTS}], got {args.points} "
                         f"(as `figure`: more points than pixels only grows the CSVs)")
    # the DI figure against eta (a second process when there are two cores) runs beside the rest
    Path(args.out).mkdir(parents=True, exist_ok=True)
    di_figures = _DIFigures(Path(args.out))
    ok = False
    try:
        result = _handle(args, di_figures)
        ok = True
        return result
    finally:
        di_figures.close(ok)


#: Largest ``--points`` (the same as ``qkdbounds figure``).
MAX_POINTS = 10_000


def _handle(args, di_figures: _DIFigures) -> dict:
    from ..report import render_errata, render_report
    from ..report.headlines import (
        beyond_headlines,
        data_headlines,
        di_headlines,
        paper1_headlines,
        paper2_headlines,
        repeater_headlines,
        window_headlines,
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    steps = ["fig1", "fig3", "fig4", "fig2", "diqkd", "window", "di", "plan", "beyond", "headlines"]
    figures, sections, results = [], [], {"figures": {}}
    with progress(len(steps), "reproduce", args.quiet) as update:
        for number in (1, 3, 4):
            info = make_rate_figure(number, out, args.points, quiet=True)
            results["figures"][f"figure{number}"] = info
            d, n = PAPER_FIGURES[number]
            figures.append({"png": Path(info["files"][0]),
                            "caption": f"Fig. {number}: d={d}, N={n}, uniform leakage L in {{0.1, 0.2, 0.3}}; "
                                       "dashed: derived threshold, dotted: threshold as printed."})
            update(1)
        info = make_figure2(out)
        results["figures"]["figure2"] = info
        figures.append({"png": Path(info["files"][0]),
                        "caption": "Fig. 2: rate vs repeaters (L = 0.1), paper's v^(2n) count and the "
                                   "simulated v^(n+1) law."})
        update(1)
        info, rho_report = make_diqkd_figure(out)
        results["figures"]["diqkd"] = info
        results["rho_d"] = rho_report
        figures.append({"png": Path(info["files"][0]),
                        "caption": "Paper 2: key lower bound K(rho_d) vs the PT upper bound on K(rho_d^Gamma) "
                                   "against d, both computed from the matrices; crossover marked."})
        update(1)
        di_at = len(figures)   # the two DI figures go here once their process is done
        info = make_plan_figure(out)
        results["figures"]["plan"] = info
        figures.append({"png": Path(info["files"][0]),
                        "caption": "Beyond the papers: key-rate upper bound per second of heralded "
                                   "repeater chains in fibre vs distance, beside the repeaterless "
                                   "PLOB bound (qkdbounds plan)."})
        update(1)
        beyond = _beyond_figures(out, max(11, args.points // 2))
        figures.extend(beyond)
        results["figures"]["beyond"] = [b["files"] for b in beyond]
        update(1)
        p1 = paper1_headlines()
        rep = repeater_headlines()
        bey = beyond_headlines()
        p2 = paper2_headlines(rho_report)
        dat = data_headlines()
        info, window = make_window_figure(out)
        # collected last: the DI figure ran beside everything above (a second process)
        di_info, di_window = di_figures.result()
        results["figures"]["window"] = info
        th = window.thresholds
        figures.insert(di_at, {"png": Path(info["files"][0]),
                        "caption": f"Werner states (eta = 1), L = {window.leakage:g} (uniform): the best DI lower "
                                   "bound (max of plain CHSH Devetak-Winter, noisy preprocessing and asymmetric "
                                   "CHSH with/without preprocessing; collective attacks, inputs announced) and the "
                                   "plain CHSH one vs the default (tightest) CC upper bound, on "
                                   f"{len(window.visibilities)} visibilities including the exact zeros (bisection): "
                                   f"upper bound v = {_fmt(th['cc_zero'])}, best lower bound "
                                   f"v = {_fmt(th['best_lower_zero'])}, plain CHSH DW v = {_fmt(th['dw_zero_leakage'])}."})
        update(1)
        info = di_info
        results["figures"]["di"] = info
        dth = di_window.thresholds
        figures.insert(di_at + 1, {"png": Path(info["files"][0]),
                        "caption": "Beyond the papers: the device-independent window for the maximally "
                                   "entangled state (v = 1) with detectors of efficiency eta, no-click binned; "
                                   "collective attacks, inputs announced. Lower bounds (best and plain CHSH "
                                   f"Devetak-Winter) at {len(di_window.etas)} efficiencies, including their exact "
                                   f"zeros (bisection: eta = {_fmt(dth['lower_zero'])} best, "
                                   f"{_fmt(dth['chsh_lower_zero'])} plain); the DI convex-combination attack "
                                   f"(upper, two-way and one-way) at {di_window.attack.etas.size} efficiencies, "
                                   "drawn as a staircase that is a valid upper bound between them "
                                   "(lowering eta is local post-processing); its zero bisected "
                                   f"(eta = {_fmt(dth['upper_zero'])}; qkdbounds di-attack / di-region)."})
        update(1)
        win = window_headlines(window)
        dih = di_headlines(di_window)
        update(1)
    sections.append({"title": "Paper 1: thresholds (Theorems 1-2)", "rows": [h.to_dict() for h in p1]})
    sections.append({"title": "Paper 1: repeater budget (Eq. 5, Fig. 2)", "rows": [h.to_dict() for h in rep]})
    sections.append({"title": "Paper 2: rho_d and the partial-transpose bound", "rows": [h.to_dict() for h in p2]})
    sections.append({"title": "Beyond the paper: the DI window for Werner states",
                     "rows": [h.to_dict() for h in win],
                     "text": "Upper side: the default (tightest) CC bound, the same route as qkdbounds rate. "
                             "Lower side: the best valid DI lower bound with the same leakage (collective "
                             "attacks, inputs announced, one-way reconciliation), named per row, with the "
                             "plain CHSH Devetak-Winter bound beside it. The CHSH bound without leakage is not "
                             "a lower bound once outcomes leak; the leakage-aware versions are used."})
    sections.append({"title": "Beyond the papers: DI window with detection efficiency",
                     "rows": [h.to_dict() for h in dih],
                     "text": "Bell data of the maximally entangled state with detectors of efficiency "
                             "eta (no-click binned). Upper: Eve mixes local deterministic strategies "
                             "with a quantum box she can prepare (explicit realisation in the "
                             "certificate); lower: the best DI lower bound (plain CHSH Devetak-Winter, noisy "
                             "preprocessing, asymmetric CHSH) against collective attacks."})
    sections.append({"title": "Beyond the papers: key bounds from recorded QBERs",
                     "rows": [h.to_dict() for h in dat],
                     "text": "Eve may prepare any state that reproduces the monitored error rates; "
                             "the upper bound is the smallest CC bound over those states, the lower "
                             "bound the leakage-aware Devetak-Winter rate of the worst one "
                             "(qkdbounds data-bound, docs/data_bounds.md)."})
    sections.append({"title": "Beyond the paper: tighter attacks", "rows": [h.to_dict() for h in bey],
                     "text": "Eve may process her record before the conditional mutual information is "
                             "evaluated (intrinsic information). Forgetting the flags of product-state "
                             "rounds is such a processing; it lowers the bound everywhere above the "
                             "threshold, including at L = 0 where the paper's leakage attack adds nothing."})
    results["headlines"] = [h.to_dict() for s in (p1, rep, p2, win, dih, dat, bey) for h in s]
    results["elapsed_s"] = time.perf_counter() - start
    from .. import __version__

    results["version"] = __version__
    results_path = out / "results.json"
    write_text_atomic(results_path, json.dumps(to_jsonable(results), indent=1, allow_nan=False))
    intro = ("Reproduction of the two papers cited below (<a href='#paper1'>paper 1</a>: Sarkar, Prasad "
             "&amp; Horodecki 2026; <a href='#paper2'>paper 2</a>: Christandl, Ferrara &amp; Horodecki "
             f"2021) by qkdbounds {__version__}. Every number "
             "is computed from the papers' definitions; where a printed formula disagrees, both values "
             "are shown.")
    errata = Path(__file__).resolve().parents[3] / "docs" / "errata.md"
    errata_link, anchors = ERRATA_URL, False
    if errata.is_file():  # source checkout: the errata, rendered with one anchor per entry, beside the report
        render_errata(errata.read_text(encoding="utf-8"), out / "errata.html")
        errata_link, anchors = "errata.html", True
    report = render_report("qkdbounds reproduction report", intro, sections, figures,
                           errata_link, out / "report.html", errata_anchors=anchors)
    print(f"report: {report.resolve()}", file=sys.stderr)
    return {"report": str(report), "results": str(results_path), "figures": [str(f["png"]) for f in figures],
            "n_disagreements": sum(1 for h in results["headlines"] if h["agrees"] is False),
            "elapsed_s": results["elapsed_s"], "status": "ok"}
