"""``qkdbounds state-bound``: CC upper bound with leakage and DI CHSH lower bound for a two-qubit state.

Argument parsing and output only; the science is in :mod:`qkdbounds.attacks.general_cc` and
:mod:`qkdbounds.di.chsh`.
"""

from __future__ import annotations

from ._args import in_file, integer, out_file, probability
from .main import add_common


def register(sub) -> None:
    p = sub.add_parser("state-bound", help="bounds for a two-qubit state (.npy, Werner, Bell-diagonal) "
                                           "or any N-party source (--dims)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--state", type=in_file("--state"), metavar="FILE.npy",
                     help="density matrix saved with numpy.save (.npy/.npz); 4x4 two-qubit "
                          "unless --dims is given")
    src.add_argument("--werner", type=probability("--werner"), metavar="V", help="Werner visibility v in [0, 1]")
    src.add_argument("--bell-diagonal", type=float, nargs=4, metavar=("P1", "P2", "P3", "P4"),
                     help="weights of phi+, phi-, psi+, psi- (non-negative, sum 1)")
    p.add_argument("--leakage", type=probability("--leakage"), required=True, help="L in [0, 1]")
    p.add_argument("--model", choices=("uniform", "junk"), default="uniform", help="leakage model")
    p.add_argument("--measurements", type=_measurements_arg, default="search",
                   metavar="{auto,Z,search,FILE.npz}",
                   help="search (default): global search (two qubits: Bloch axes; --dims: Z, "
                        "Haar-random settings and a seeded local multistart); Z or auto: "
                        "computational bases; FILE.npz (with --dims): POVM elements per party, "
                        "arrays party0, party1, ... of shape (n_outcomes, d_i, d_i)")
    p.add_argument("--attack", choices=("paper", "extended"), default="paper",
                   help="Eve's CC attack: the paper's (Eq. 12) or the extended one that also "
                        "forgets product flags (with --dims)")
    p.add_argument("--dims", type=integer("--dims", 2, 64), nargs="+", default=None,
                   metavar="D", help="local dimensions of the parties of --state (any N-party "
                                     "source; without it --state is a two-qubit matrix)")
    p.add_argument("--project", action="store_true",
                   help="map a slightly unphysical matrix to the nearest state (Smolin, Gambetta "
                        "& Smith 2012) and report the distance moved (with --dims)")
    p.add_argument("--save-ensemble", type=out_file("--save-ensemble", (".npz",)), default=None,
                   metavar="FILE.npz",
                   help="with --dims: write Eve's decomposition rho = q sigma + (1 - q) tau to "
                        "FILE.npz: weights w_k (summing to 1), product vectors per party "
                        "(vectors_0, vectors_1, ...; member k is |v_k> = |v_0k> x |v_1k> x ...), "
                        "so sigma = sum_k w_k |v_k><v_k|, with dims, q, residual")
    p.add_argument("--grid", type=integer("--grid", 1, 200), default=None,
                   help="Fibonacci axes per party in the search (default: library default)")
    add_common(p)
    p.set_defaults(handler=handle)


def _measurements_arg(text: str):
    """``auto``, ``Z``, ``search`` or an existing POVM file (checked at parse time)."""
    if text in ("auto", "Z", "search"):
        return text
    return in_file("--measurements")(text)


def _any_source(args) -> dict:
    from ..bounds.source_bound import source_rate_upper_bound
    from ..errors import InputError
    from ..states.sources import load_source

    if args.state is None:
        raise InputError("--dims applies to --state FILE (a matrix of the given parties)")
    src = load_source(args.state, args.dims, project=args.project)
    if src.matrix.shape[0] > 36:
        raise InputError(f"--state is {src.matrix.shape[0]} x {src.matrix.shape[0]}; the "
                         f"separability engine handles total dimension <= 36")
    if isinstance(args.measurements, str):
        measurements = args.measurements
    else:
        from ..measurements.povm import load_povms

        measurements = load_povms(args.measurements, src.dims, name="--measurements")
    r = source_rate_upper_bound(src, args.leakage, args.model, measurements=measurements,
                                attack=args.attack)
    saved = r.save_ensemble(args.save_ensemble) if args.save_ensemble is not None else None
    return {
        **({"saved_ensemble": saved} if saved is not None else {}),
        "state": str(args.state), "dims": list(src.dims),
        "rate_upper_bound": r.value, "cut_bound": r.cut_bound,
        "separable_weight": r.separable_weight, "separable_weight_outer": r.separable_weight_outer,
        "ensemble_size": r.ensemble_size, "ensemble_residual": r.ensemble_residual,
        "tau_min_eigenvalue": r.tau_min_eigenvalue, "projection": src.projection,
        "measurements": r.measurements, "leakage": args.leakage, "model": args.model,
        "attack": r.attack, "paper_value": r.paper_value,
        "eve_decomposition": r.certificate["decomposition_used"],
        "certified_weights": r.certificate["certified_weights"],
        "measurements_file": None if isinstance(args.measurements, str) else str(args.measurements),
        "method": r.method, "status": r.status,
    }


def handle(args) -> dict:
    from ..attacks.general_cc import N_GRID, general_rate_upper_bound

    if args.dims is not None:
        return _any_source(args)
    if args.save_ensemble is not None:
        from ..errors import InputError

        raise InputError("--save-ensemble applies to --state FILE with --dims")
    if args.project:
        from ..errors import InputError

        raise InputError("--project applies to --state FILE with --dims (for a two-qubit matrix "
                         "add --dims 2 2)")
    if args.attack != "paper" or not isinstance(args.measurements, str):
        from ..errors import InputError

        raise InputError("--attack extended and --measurements FILE.npz apply to --state FILE "
                         "with --dims (the any-source route)")
    from ..di.chsh import di_lower_bound
    from ..states.two_qubit import bell_diagonal_state, load_state, werner_state

    if args.state is not None:
        rho, source = load_state(args.state), {"state": str(args.state)}
    elif args.werner is not None:
        rho, source = werner_state(args.werner), {"werner": args.werner}
    else:
        rho, source = bell_diagonal_state(args.bell_diagonal), {"bell_diagonal": list(args.bell_diagonal)}
    bound = general_rate_upper_bound(rho, args.leakage, args.model,
                                     measurements="search" if args.measurements == "auto"
                                     else args.measurements,
                                     n_grid=args.grid or N_GRID)
    di0 = di_lower_bound(rho)
    di_leak = di_lower_bound(rho, args.leakage, args.model)
    cert = bound.certificate
    status = "failed" if bound.status.startswith("failed") else bound.status
    return {
        **source,
        "rate_upper_bound": bound.value,
        "separable_weight": bound.separable_weight,
        "decomposition": {k: cert["decomposition"].get(k) for k in
                          ("status", "method", "dual_upper_bound", "duality_gap", "min_eig_separable",
                           "min_eig_separable_pt", "min_eig_entangled", "reassembly_error")},
        "measurements": cert.get("measurements"),
        "bloch_axes": cert.get("bloch_axes"),
        "measurement_search": cert.get("measurement_search"),
        "chsh_value": di0.chsh,
        "qber": di0.qber,
        "di_lower_bound": di0.value,
        "di_lower_bound_leakage": di_leak.value,
        "di_method": di0.method,
        "leakage": args.leakage,
        "model": args.model,
        "attack": "paper",
        "method": bound.method,
        "status": status,
        "tolerance": bound.tolerance,
    }
