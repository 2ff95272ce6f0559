"""``qkdbounds state-bound``: the any-source bound (one route for every source).

Argument parsing and output only: every source (a file with or without ``--dims``, Werner,
Bell-diagonal) goes to :func:`qkdbounds.bounds.source_bound.source_rate_upper_bound`; two-qubit
sources also get the CHSH DI lower bound of :mod:`qkdbounds.di.chsh` beside it.
"""

from __future__ import annotations

import argparse

from ..errors import PARAMETER_RANGES
from ._args import GridValues, flat_dims, in_file, local_dims, out_file, probability, unit_values
from .main import add_common, add_format


def register(sub) -> None:
    p = sub.add_parser("state-bound", help="upper and lower key bounds for any source: a matrix or "
                                           "ket file (.npy/.npz), the isotropic phi+ mixture "
                                           "(--werner) or a Bell-diagonal state")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--state", type=in_file("--state"), metavar="FILE.npy",
                     help="density matrix or ket saved with numpy.save (.npy/.npz); two qubits "
                          "when 4x4 and --dims is not given")
    src.add_argument("--werner", type=probability("--werner"), metavar="V",
                     help="the two-qubit isotropic state v|phi+><phi+| + (1-v) I/4 (toqito's "
                          "isotropic state; a Werner state in the two-qubit literature), v in [0, 1]")
    src.add_argument("--bell-diagonal", type=float, nargs=4, metavar=("P1", "P2", "P3", "P4"),
                     help="weights of phi+, phi-, psi+, psi- (non-negative, sum 1)")
    p.add_argument("--leakage", type=unit_values("--leakage"), required=True,
                   help="L in [0, 1], or a grid (START:STOP:STEP, comma lists): the JSON then "
                        "holds equal-length lists")
    p.add_argument("--model", choices=("uniform", "junk"), default="uniform", help="leakage model")
    p.add_argument("--measurements", type=_measurements_arg, default="search",
                   metavar="{auto,Z,search,FILE.npz}",
                   help="search (default): global search (two qubits: Bloch-axis grid + polish; "
                        "otherwise Z, Haar-random settings and a seeded local multistart); Z or "
                        "auto: computational bases; FILE.npz: POVM elements per party, arrays "
                        "party0, party1, ... of shape (n_outcomes, d_i, d_i)")
    p.add_argument("--attack", choices=("best", "paper", "extended"), default="best",
                   help="best (default): the tightest bound (min of the paper attack, the "
                        "extended attack and no attack, per setting; for 3+ parties, per setting "
                        "the min of that total-correlation form and every conference-key cut, "
                        "maximised over the settings); "
                        "paper: paper 1's Eq. (12) attack alone; extended: the extended attack")
    p.add_argument("--dims", type=local_dims("--dims", PARAMETER_RANGES["source_dim"][1]),
                   nargs="+", default=None,
                   metavar="D", help="local dimensions of the parties of --state: --dims 3 3 or "
                                     "3,3 (default: two qubits for a 4x4 matrix)")
    p.add_argument("--project", action="store_true",
                   help="map a slightly unphysical matrix to the nearest state (Smolin, Gambetta "
                        "& Smith 2012) and report the distance moved")
    p.add_argument("--save-ensemble", type=out_file("--save-ensemble", (".npz",)), default=None,
                   metavar="FILE.npz",
                   help="write Eve's decomposition behind the reported bound, rho = q sigma + "
                        "(1 - q) tau, to "
                        "FILE.npz: weights w_k (summing to 1), product vectors per party "
                        "(vectors_0, vectors_1, ...; member k is |v_k> = |v_0k> x |v_1k> x ...), "
                        "so sigma = sum_k w_k |v_k><v_k|, with dims, q, residual")
    add_common(p)
    add_format(p)
    p.set_defaults(handler=handle, csv_columns=None)


def _measurements_arg(text: str):
    """``auto``, ``Z``, ``search`` or an existing POVM file (checked at parse time)."""
    if text in ("auto", "Z", "search"):
        return text
    from pathlib import Path

    if not Path(text).exists():
        raise argparse.ArgumentTypeError(f"must be auto, Z, search or an existing POVM file (.npz), "
                                         f"got {text!r} (no such name or file)")
    return in_file("--measurements")(text)


def _source(args):
    from ..errors import InputError
    from ..states.sources import as_source, load_source, make_source
    from ..states.two_qubit import bell_diagonal_state, werner_state

    if args.state is not None:
        from ..bounds.source_bound import SOURCE_MAX_DIM

        return (load_source(args.state, args.dims, project=args.project, max_dim=SOURCE_MAX_DIM),
                {"state": str(args.state)})
    if args.project:
        raise InputError("--project applies to a matrix in --state (--werner and --bell-diagonal "
                         "are states already)")
    if args.dims is not None and list(args.dims) != [2, 2]:
        raise InputError("--dims: --werner and --bell-diagonal are two-qubit states (--dims 2 2)")
    if args.werner is not None:
        return make_source(werner_state(args.werner), (2, 2)), {"werner": args.werner}
    return (as_source(bell_diagonal_state(args.bell_diagonal, name="--bell-diagonal"), (2, 2)),
            {"bell_diagonal": list(args.bell_diagonal)})


def _point_json(r) -> dict:
    from ..bounds.source_bound import compact_unitaries

    return {
        "rate_upper_bound": r.value, "attack_used": r.attack_used, "paper_value": r.paper_value,
        "extended_value": r.extended_value, "no_attack_value": r.no_attack_value,
        "lower_bound": r.lower_bound, "lower_bound_method": r.lower_bound_method,
        "verdict": r.verdict, "bound_used": r.bound_used,
        "total_correlation_bound": r.total_correlation_bound, "cut_bound": r.cut_bound,
        "bound": r.bound_record(), "cut": r.cut_record(),
        "measurements": r.measurements,
        "measurement_unitaries": compact_unitaries(r.certificate["measurement_unitaries"]),
        "eve_decomposition": r.certificate["decomposition_used"],
        "eve_decomposition_weight": r.certificate["decomposition_used_weight"],
        "method": r.method, "status": r.status, "message": r.message,
    }


def handle(args) -> dict:
    from ..bounds.source_bound import source_rate_upper_bound
    from ..errors import InputError

    args.dims = flat_dims(args.dims)
    src, described = _source(args)
    if src.matrix.shape[0] > 36:
        raise InputError(f"--state is {src.matrix.shape[0]} x {src.matrix.shape[0]}; the "
                         f"separability engine handles total dimension <= 36")
    if isinstance(args.measurements, str):
        measurements = args.measurements
    else:
        from ..measurements.povm import load_povms

        measurements = load_povms(args.measurements, src.dims, name="--measurements")
    # a grid spec gives lists in the JSON, even of one point (1:1), as rate does
    is_grid = isinstance(args.leakage, GridValues) or len(args.leakage) > 1
    leak = list(args.leakage) if is_grid else args.leakage[0]
    from ._progress import progress as grid_progress

    # a grid gets a bar over its points (the engine's bars show the decompositions' runs)
    with _engine_progress(src, args.quiet) as progress, \
            grid_progress(len(args.leakage), "state-bound", args.quiet or not is_grid) \
            as update:
        res = source_rate_upper_bound(src, leak, args.model, measurements=measurements,
                                      attack=args.attack, progress=progress, callback=update)
    points = list(res) if is_grid else [res]
    first = points[0]
    saved = first.save_ensemble(args.save_ensemble) if args.save_ensemble is not None else None
    out = {**described, "dims": list(src.dims), "projection": src.projection,
           "leakage": args.leakage if is_grid else args.leakage[0],
           "model": args.model, "attack": args.attack, "unit": "bits per round",
           "separable_weight": first.separable_weight,
           "separable_weight_outer": first.separable_weight_outer,
           "ensemble_size": first.ensemble_size, "ensemble_residual": first.ensemble_residual,
           "tau_min_eigenvalue": first.tau_min_eigenvalue,
           "certified_weights": first.certificate["certified_weights"],
           "measurements_file": None if isinstance(args.measurements, str) else str(args.measurements),
           **({"saved_ensemble": saved} if saved is not None else {})}
    per = [_point_json(r) for r in points]
    for key in per[0]:
        out[key] = [p[key] for p in per] if is_grid else per[0][key]
    if src.dims == (2, 2):
        from ..di.chsh import di_lower_bound

        di0 = di_lower_bound(src.matrix)
        # di_lower_bound is the bound at the question's leakage (the plain CHSH rate is no lower
        # bound once outcomes leak); the literature's L = 0 value is named as such beside it
        out.update({"chsh_value": di0.chsh, "qber_z": _qber_z(src.matrix),
                    "chsh_qber": di0.qber,
                    "chsh_qber_bases": ("Alice's key axis T b_key/|T b_key| against Bob's "
                                        "CHSH axis b_key with the larger |T b| (T the "
                                        "correlation matrix; qkdbounds.di.chsh), not Z"),
                    "di_lower_bound": [di_lower_bound(src.matrix, x, args.model).value
                                       for x in args.leakage]
                    if is_grid else di_lower_bound(src.matrix, leak, args.model).value,
                    "di_lower_bound_no_leakage": di0.value,
                    "di_method": di0.method})
    if is_grid and args.output_format == "csv":
        # one row per leakage (the other keys repeat on every row); the text summary keeps its
        # key/value lines (a table of ~20 columns, some of them paragraphs, reads worse)
        args.csv_columns = ["leakage", *per[0]] + (["di_lower_bound"] if src.dims == (2, 2) else [])
    return out


def _engine_progress(src, quiet: bool):
    """One status line on stderr for a request that takes more than 2 s: the elapsed time, the
    separability engine's runs so far and the current run's progress (with the estimate of
    :func:`~qkdbounds.separability.engine_estimate` per run on large sources); None without a
    terminal or with ``--quiet``.  A timer thread refreshes it every 0.5 s (between the engine's
    runs the time goes to Eve's attacks, which report nothing)."""
    import contextlib
    import sys
    import threading
    import time

    from ..separability import engine_estimate

    estimate = engine_estimate(src.dims)
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from tqdm import tqdm

    per_run = f" (<= ~{estimate:g} s each)" if estimate > 2 else ""

    @contextlib.contextmanager
    def status_line():
        state = {"runs": 0, "done": 0.0}
        stop = threading.Event()

        started = time.monotonic()

        def tick():
            if stop.wait(2.0):
                return
            bar = tqdm(file=sys.stderr, leave=False, bar_format="{desc}")
            while True:
                bar.set_description_str(f"state-bound: {time.monotonic() - started:.0f} s; "
                                        f"separability engine runs{per_run}: {state['runs']}, "
                                        f"current {100 * state['done']:.0f} %")
                if stop.wait(0.5):
                    break
            bar.close()

        def update(fraction):
            if fraction < state["done"] or state["runs"] == 0:   # a new engine run
                state["runs"] += 1
            state["done"] = fraction

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield update
        finally:
            stop.set()
            ticker.join()

    return status_line()


def _qber_z(rho) -> float:
    """P(a != b) in the Z bases of both qubits."""
    import numpy as np

    d = np.real(np.diag(rho))
    return float(d[1] + d[2])
