r"""The one route to the key-rate bound of paper 1 (Eqs. 3, 13-14, 29): the dispatcher.

.. math::

    R \le \frac{1}{N-1}\max_{\vec x}\min_{\gamma} p(e=?|\vec x)\,
          I_{\vec x}(A_1\ldots A_N|e=?)

Every interface (Python API, CLI ``rate``/``threshold``, sweeps, curves, figures, ``reproduce``)
calls :func:`rate_upper_bound`, which picks the route from the *question* alone
(:func:`choose_route`):

* ``"structured"`` — Z-basis measurements (``measurements="auto"`` or ``"Z"``) and the paper,
  extended or best attack: the closed form on outcome types of :mod:`qkdbounds.bounds.symmetric`, any d
  and N, evaluated on whole (visibility, leakage) grids as array operations.  Z is optimal for
  the isotropic source by the :math:`U\otimes U^*` symmetry (N = 2, exhaustive angle grid for
  d = 2) and by seeded Haar-random searches (tests/bounds/test_measurement_optimality.py); the
  closed form equals the multistart minimiser on the full :math:`d^N` problem
  (tests/bounds/test_symmetric.py).
* ``"general"`` — given bases, or the intrinsic-information attack: the dense minimisers of
  :mod:`qkdbounds.bounds._general` on the full outcome space (memory estimated first).
* ``"search"`` — ``measurements="search"``: an explicit global search over settings at each
  point (exhaustive angle grid for d = N = 2; Z plus seeded Haar-random settings otherwise).

The conference-key cut bound (``cut_bound=True``, N >= 3) is a second, different quantity,
computed by the general route on the same settings; it never changes ``value``.

The default attack ``"best"`` (SPEC F13) is the tightest valid bound the tool has: per point the
minimum of the paper attack, the extended attack and the no-attack bound
:math:`(1-L_u)\,TC/(N-1)` (:func:`~qkdbounds.bounds.symmetric.no_attack_bounds`) at the same
measurements; on the general and search routes Eve adapts per setting (min over attacks, then
max over settings).  ``attack_used`` names the winner, ``paper_value`` / ``extended_value`` /
``no_attack_value`` report each attack beside it (``paper_value`` is always the paper attack
alone).  Every result carries ``lower_bound`` (the leakage-aware Devetak-Winter rate of
:mod:`qkdbounds.bounds.isotropic_lower`, Z bases) and ``verdict`` (``no_key`` / ``key`` /
``open``).  Consumers reproducing the papers (figures, ``reproduce``, thresholds) ask for
``attack="paper"``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..errors import (InputError, check_callback, check_choice, check_int, check_parameter, check_real,
                      check_rng)
from ..measurements.bases import Measurement, same_basis
from ..status import Status
from ._results import RateBound, RateBounds
from .isotropic_lower import LOWER_BOUND_METHOD, isotropic_lower_bound
from .symmetric import SYMMETRIC_ATTACKS, check_unit_array, no_attack_bounds, z_basis_bounds
from .verdict import decide, decide_array, reported_lower

#: Attacks of ``attack="best"``, in the order that names the winner on ties.
BEST_ORDER = ("paper", "extended", "no_attack")

__all__ = ["ATTACKS", "DEFAULT_ATTACK", "MEASUREMENT_CHOICES", "ROUTES", "DEFAULT_MAX_MEMORY", "DEFAULT_STARTS",
           "choose_route", "general_route_memory", "rate_upper_bound", "RateBound", "RateBounds"]

ATTACKS = ("best", "paper", "extended", "intrinsic")
#: Largest grid of one call on the general and search routes (a point costs 0.01 s to seconds;
#: the structured route's closed forms take millions of points).
MAX_GENERAL_POINTS = 10_000
#: The default attack of :func:`rate_upper_bound` (SPEC F13: the tightest valid bound).
DEFAULT_ATTACK = "best"
MEASUREMENT_CHOICES = ("auto", "Z", "search")
ROUTES = ("structured", "general", "search")
#: Memory budget of one request (bytes); larger requests are refused with the estimate.
DEFAULT_MAX_MEMORY = 4 * 2**30
#: Random starts of Eve's minimisation on the general route (besides 3 structured starts).
DEFAULT_STARTS = 6
#: The general route works on the full outcome space; beyond this many strings d**N it is refused
#: (its minimisers are O(d**N x ensemble) per step) and Z-basis questions take the structured route.
MAX_GENERAL_STRINGS = 4096
#: Bytes per grid point of the structured route (about 20 float64 work arrays).
STRUCTURED_BYTES_PER_POINT = 160

STRUCTURED_METHOD = ("structured Z-basis closed form on outcome types (qkdbounds.bounds.symmetric); "
                     "no d^N object")


def choose_route(local_dim: int, n_parties: int, measurements: str | Sequence[Measurement] = "auto",
                 attack: str = DEFAULT_ATTACK) -> str:
    """The route that answers a rate question: ``"structured"``, ``"general"`` or ``"search"``.

    Depends only on the question (measurements and attack), never on the size of the system, so
    the same question has the same route and the same answer from every interface.

    Examples
    --------
    >>> choose_route(2, 30), choose_route(2, 2, "Z", "extended"), choose_route(2, 2, "search")
    ('structured', 'structured', 'search')
    >>> choose_route(3, 2, "auto", "intrinsic")
    'general'
    """
    local_dim = check_parameter("local_dim", local_dim)
    n_parties = check_parameter("n_parties", n_parties)
    check_choice("attack", attack, ATTACKS)
    if not isinstance(measurements, str):
        # given bases covariant with Z (two parties, not the computational ones, whose general
        # route certificate holds Eve's full gamma tensor): Z's closed form (_covariant_with_z)
        measurements = list(measurements)
        if len(measurements) != n_parties:
            raise InputError(f"measurements must give one basis per party ({n_parties}), got "
                             f"{len(measurements)}")
        if (n_parties == 2 and attack in SYMMETRIC_ATTACKS + ("best",) and len(measurements) == 2
                and all(isinstance(m, Measurement) for m in measurements)
                and not all(m.is_computational for m in measurements)
                and _covariant_with_z(measurements)):
            return "structured"
        return "general"
    check_choice("measurements", measurements, ("auto", "Z", "search"))
    if measurements == "search":
        return "search"
    return "structured" if attack in SYMMETRIC_ATTACKS + ("best",) else "general"


def general_route_memory(local_dim: int, n_parties: int, attack: str) -> float:
    """Estimated peak memory (bytes) of one general-route point (``inf`` beyond the float range).

    Paper attack: ~16 float64 arrays over the :math:`d^N` outcome strings.  Extended: one row per
    flag group of the Eq. (9) ensemble (:math:`3^{(N-1)(d-1)} + d` members).  Intrinsic: Eve's full
    record (members + leaked strings + "?") times the strings, plus channels on it.
    """
    strings = _power(local_dim, n_parties)
    members = _power(3, (n_parties - 1) * (local_dim - 1)) + local_dim
    with np.errstate(over="ignore"):
        if attack == "paper":
            return 8 * 16 * strings
        if attack in ("extended", "best"):
            return 8 * strings * (members + 16)
        labels = members + strings + 1
        # joint record + channels (labels x labels), and L-BFGS-B's ~25 vectors of that size
        return 8 * (4 * labels * strings + 27 * labels**2)


def _power(base: int, exponent: int) -> float:
    """``base ** exponent`` as a float, ``inf`` when it exceeds the float range."""
    try:
        return float(base) ** exponent
    except OverflowError:
        return math.inf


#: The intrinsic search optimises a channel on Eve's whole record (labels x labels variables);
#: beyond this many labels (flags + leaked strings + "?") it is refused.
MAX_INTRINSIC_LABELS = 400


def _check_general(d: int, n: int, attack: str, max_memory: float, why: str) -> None:
    strings = _power(d, n)
    need = general_route_memory(d, n, attack)
    if attack == "intrinsic":
        labels = _power(3, (n - 1) * (d - 1)) + d + strings + 1
        if labels > MAX_INTRINSIC_LABELS:
            raise InputError(
                f"the intrinsic attack optimises a channel on Eve's {labels:.3g} record labels "
                f"(d={d}, N={n}); allowed: at most {MAX_INTRINSIC_LABELS} labels (e.g. d=2 with "
                f"N <= 6, d=3 with N <= 3); the extended attack (--attack extended) has no such "
                f"limit")
    if strings > MAX_GENERAL_STRINGS or need > max_memory:
        raise InputError(
            f"{why} works on all d**N = {d}**{n} outcome strings (estimated "
            f"{f'{need / 2**30:.3g} GiB' if math.isfinite(need) else 'more memory than any machine has'}); "
            f"allowed: d**N <= {MAX_GENERAL_STRINGS} and memory <= max_memory = "
            f"{max_memory / 2**30:.3g} GiB; the Z basis with the paper or extended attack "
            f"(measurements='auto') has no such limit")


def _structured_certificate(sol, n: int, index=None) -> dict:
    pick = (lambda a: a) if index is None else (lambda a: float(np.ravel(a)[index]))
    return {
        "attack": {"name": "CC attack, symmetric (S_d x S_N) reduction", "model": None,
                   "q": pick(sol.q), "gamma_constant_strings": pick(sol.gamma_constant),
                   "gamma_other_strings": pick(sol.gamma_other),
                   "forgotten_flag_fraction": pick(sol.forgotten_flag_fraction),
                   "p_question": pick(sol.p_question),
                   "method": "closed form on outcome types (constant / non-constant strings)"},
        "measurements": ["Z"] * n,
        "measurement_search": "Z basis for all parties (optimal by U(x)U* symmetry, tested)",
        "cut": None,
    }


def _best_of(sols: dict, zero_extra) -> tuple:
    """Per point, the smallest of the attacks' values and the attack that achieved it."""
    values = np.stack([np.asarray(sols[a], dtype=float) for a in BEST_ORDER])
    low = values.min(axis=0)
    # first attack (in BEST_ORDER) within rounding of the minimum names the point
    index = np.argmax(values <= low + 1e-13, axis=0)
    return low, np.array(BEST_ORDER)[index]


def _structured(d, n, v, leak, model, attack, cut_bound, n_starts, rng, max_memory,
                callback, scalar):
    points = int(np.broadcast(v, leak).size)
    factor = 3 if attack == "best" else 1
    need = points * STRUCTURED_BYTES_PER_POINT * factor
    if need > max_memory:
        raise InputError(f"grid of {points} points needs an estimated {need / 2**30:.3g} GiB; "
                         f"allowed: max_memory = {max_memory / 2**30:.3g} GiB")
    paper = z_basis_bounds(d, n, v, leak, model, "paper")
    ext = z_basis_bounds(d, n, v, leak, model, "extended")
    trivial = no_attack_bounds(d, n, v, leak, model)
    if attack == "best":
        value, used = _best_of({"paper": paper.value, "extended": ext.value,
                                "no_attack": trivial}, None)
        # the certificate of the attack that achieved each point
        leak_u = np.broadcast_to(leak if model == "uniform" else np.zeros_like(leak), value.shape)
        nan = np.full(value.shape, np.nan)
        sol = type(paper)(
            value=value,
            zero_key=paper.zero_key | ext.zero_key | (trivial <= 0),
            q=paper.q,
            **{f: np.where(used == "paper", getattr(paper, f),
                           np.where(used == "extended", getattr(ext, f),
                                    1.0 - leak_u if f == "p_question" else nan))
               for f in ("gamma_constant", "gamma_other", "forgotten_flag_fraction",
                         "p_question")})
    else:
        sol = paper if attack == "paper" else ext
        value, used = sol.value, np.full(sol.value.shape, attack)
    status = np.where(sol.zero_key, Status.OPTIMAL.value, Status.CLOSED_FORM.value)
    cert = _structured_certificate(sol, n, 0 if scalar else None)
    name = ("best of the paper, extended and no-attack bounds per point; " if attack == "best"
            else f"{attack} ")
    cert["attack"]["name"] = name + cert["attack"]["name"]
    cert["attack"]["model"] = model
    cert["attack_used"] = str(used.reshape(-1)[0]) if scalar else used
    cut = None
    if cut_bound:
        cut, cut_cert = _cut_bounds(d, n, np.broadcast_to(v, sol.value.shape),
                                    np.broadcast_to(leak, sol.value.shape), sol.value, model,
                                    attack, n_starts, rng, max_memory, callback)
        cert["cut"] = cut_cert[0] if scalar else cut_cert
    elif callback is not None:
        callback(points)
    method = STRUCTURED_METHOD + ("; min over the paper, extended and no-attack bounds"
                                  if attack == "best" else "")
    if scalar:
        first = (lambda a: float(np.asarray(a).reshape(-1)[0]))
        return RateBound(first(sol.value), None if cut is None else first(cut),
                         cert, method, str(status.reshape(-1)[0]), 0.0, "structured",
                         attack_used=str(used.reshape(-1)[0]), paper_value=first(paper.value),
                         extended_value=first(ext.value), no_attack_value=first(trivial))
    v_b, l_b = np.broadcast_arrays(v, leak)
    return RateBounds(np.array(v_b, dtype=float), np.array(l_b, dtype=float), sol.value, cut,
                      status, cert, method, "structured", 0.0, attack_used=used,
                      paper_value=paper.value, extended_value=ext.value, no_attack_value=trivial)


def _cut_bounds(d, n, v, leak, values, model, attack, n_starts, rng, max_memory, callback):
    """Cut bound per point: equal to the value for N = 2, general route (Z bases) for N >= 3."""
    if n == 2:
        if callback is not None:
            callback(values.size)
        return values.copy(), [{"S": [0], "value": float(x), "measurements": ["Z", "Z"],
                                "meaning": "N = 2: the only cut; equals the rate bound"}
                               for x in values.ravel()]
    from ._general import general_rate_bound

    _check_general(d, n, attack, max_memory, "the cut bound")
    if values.size > MAX_GENERAL_POINTS:
        raise InputError(f"grid of {values.size} points with the cut bound (each point Eve's "
                         f"minimisations on the general route, ~0.01 s to minutes); allowed: at most "
                         f"{MAX_GENERAL_POINTS} in one call (split it, or run it as a sweep: "
                         f"`qkdbounds sweep`, parallel and resumable)")
    cuts, certs = np.empty(values.shape), []
    for i, (vi, li) in enumerate(zip(v.ravel(), leak.ravel())):
        r = general_rate_bound(d, n, float(vi), float(li), model, "Z", attack, True, n_starts, rng,
                               progress=callback)
        cuts.flat[i] = r.cut_bound
        certs.append(r.certificate["cut"])
    return cuts, certs


def rate_upper_bound(
    local_dim: int,
    n_parties: int,
    visibility: ArrayLike,
    leakage: ArrayLike,
    model: str = "uniform",
    measurements: str | Sequence[Measurement] | None = "auto",
    attack: str = DEFAULT_ATTACK,
    *,
    cut_bound: bool = False,
    n_starts: int = DEFAULT_STARTS,
    rng: np.random.Generator | None = None,
    max_memory: float = DEFAULT_MAX_MEMORY,
    callback: Callable[[float], None] | None = None,
) -> RateBound | RateBounds:
    r"""Upper bound on the secret-key rate of an isotropic GHZ source with leakage (Eq. 29).

    The single dispatcher behind every interface (see the module docstring for the routes).

    Parameters
    ----------
    local_dim, n_parties : int
        :math:`d \ge 2`, :math:`N \ge 2`.
    visibility, leakage : float or array_like
        :math:`v, L \in [0, 1]`; arrays broadcast against each other and give a
        :class:`RateBounds` (on the structured route evaluated as array operations).
    model : {"uniform", "junk"}
        Leakage model (Eq. 11 or Eq. 20).
    measurements : {"auto", "Z", "search"} or list of Measurement
        Honest parties' bases: ``"auto"`` (= ``"Z"``, optimal for this source), an explicit
        global search at every point, or exactly the given bases (general route).
        ``None`` means ``"auto"``.
    attack : {"best", "paper", "extended", "intrinsic"}
        Eve's attack.  ``"best"`` (default): per point the smallest of the paper, extended and
        no-attack bounds (module docstring).  Otherwise: the paper's CC attack (Eq. 12); the extended CC attack that also forgets
        flags and merges leaked rounds (:mod:`qkdbounds.attacks.extended`); or the intrinsic
        information over channels on Eve's full CC record, started from the extended attack
        (:mod:`qkdbounds.attacks.intrinsic`, general route). Each is a valid bound and each is
        <= the previous.
    cut_bound : bool
        Also compute the conference-key cut bound (general route, Z bases for ``"auto"``).
    n_starts : int
        Random starts of Eve's minimisation per setting on the general route (besides 3
        structured starts).
    rng : numpy.random.Generator, optional
        Seeded generator for random starts / searches (default ``default_rng(0)``).
    max_memory : float
        Memory budget in bytes (default 4 GiB); larger requests raise with the estimate.
    callback : callable, optional
        ``callback(k)`` with the points finished since the last call (progress bars live in
        the CLI): ``k`` is an integer on the structured route, a fraction of a point on the
        general route (after each of Eve's minimisations: per setting of a search, per cut);
        the calls add up to the number of points.

    Returns
    -------
    RateBound or RateBounds
        Scalar inputs give a :class:`RateBound`, arrays a :class:`RateBounds`.

    Raises
    ------
    ValueError (:class:`~qkdbounds.errors.InputError`)
        Out-of-range input, or a general-route request beyond the size/memory limits.

    Examples
    --------
    >>> r = rate_upper_bound(2, 2, 1.0, 0.1)
    >>> round(r.value, 12), r.route        # (1 - L) log2 d at v = 1
    (0.9, 'structured')
    >>> r = rate_upper_bound(2, 2, 0.9, 0.1)             # default: the tightest bound
    >>> r.attack_used, round(r.paper_value, 4), round(r.value, 4), r.verdict
    ('extended', 0.7265, 0.5848, 'key')
    >>> rate_upper_bound(2, 2, 0.35, 0.1).value   # below 1/(1 + D(1-L)): no key
    0.0
    >>> rate_upper_bound(2, 3, [0.5, 0.9], 0.1, attack="extended").value.round(4).tolist()
    [0.1178, 0.6403]
    """
    d = check_parameter("local_dim", local_dim)
    n = check_parameter("n_parties", n_parties)
    check_choice("model", model, ("uniform", "junk"))
    check_choice("attack", attack, ATTACKS)
    if measurements is None:
        measurements = "auto"
    if isinstance(measurements, str):
        check_choice("measurements", measurements, MEASUREMENT_CHOICES)
    else:
        try:
            measurements = list(measurements)
        except TypeError:
            raise InputError(f"measurements must be one of {', '.join(MEASUREMENT_CHOICES)} or a "
                             f"sequence of {n} Measurement bases, got {measurements!r:.60}") from None
        if len(measurements) != n or not all(isinstance(m, Measurement) and m.dim == d
                                             for m in measurements):
            raise InputError(f"measurements must be {n} Measurement bases of dimension {d}")
    n_starts = check_parameter("n_starts", n_starts)
    check_callback("callback", callback)
    if isinstance(cut_bound, bool) is False and cut_bound is not None:
        raise InputError(f"cut_bound must be True or False, got {cut_bound!r}")
    cut_bound = bool(cut_bound)
    max_memory = check_real("max_memory", max_memory, 1.0, 2.0**60)   # (bytes; up to 1 EiB)
    v = check_unit_array("visibility", visibility)
    leak = check_unit_array("leakage", leakage)
    scalar = v.ndim == 0 and leak.ndim == 0
    try:
        shape = np.broadcast_shapes(v.shape, leak.shape)
    except ValueError:
        raise InputError(f"visibility and leakage must broadcast, got shapes {v.shape} and "
                         f"{leak.shape}") from None
    rng = check_rng("rng", rng)

    route = choose_route(d, n, measurements, attack)
    if route == "structured" and not isinstance(measurements, str):
        # (U_A, U_B) with |U_A^dagger conj(U_B)|^2 a permutation: the isotropic state measured
        # there is the state measured in Z with Bob's outcomes relabelled (rho = (U x U*) rho
        # (U x U*)^dagger for every U), and Eve's Eq. (9) ensemble rotated by U_A x U_A* is a
        # decomposition of the same state giving the same value: Z's number, on Z's route
        result = _structured(d, n, v, leak, model, attack, cut_bound, n_starts, rng, max_memory,
                             callback, scalar)
        return _with_verdict(_covariant_result(result, measurements), d, n, model, True, v,
                             leak, attack)
    if route == "structured":
        result = _structured(d, n, v, leak, model, attack, cut_bound, n_starts, rng, max_memory,
                             callback, scalar)
        return _with_verdict(result, d, n, model, True, v, leak, attack)

    from ._general import general_rate_bound

    _check_general(d, n, attack, max_memory,
                   "the measurement search" if route == "search" else f"the {attack} attack on "
                   "this route" if attack == "intrinsic" else "given measurements")
    if route == "general" and isinstance(measurements, str):
        measurements = "Z"
    z_bases = isinstance(measurements, str) or all(
        np.allclose(m.unitary, np.eye(d)) for m in measurements)
    v_b, l_b = np.broadcast_to(v, shape), np.broadcast_to(leak, shape)
    if v_b.size > MAX_GENERAL_POINTS:
        raise InputError(f"grid of {v_b.size} points on the {route} route (each point a separate "
                         f"optimisation, ~0.01 s to seconds); allowed: at most "
                         f"{MAX_GENERAL_POINTS} in one call (split it, or run it as a sweep: "
                         f"`qkdbounds sweep`, parallel and resumable)")
    results = []
    for vi, li in zip(v_b.ravel(), l_b.ravel()):
        r = general_rate_bound(d, n, float(vi), float(li), model, measurements, attack, cut_bound,
                               n_starts, rng, progress=callback)
        results.append(RateBound(r.value, r.cut_bound, r.certificate, r.method, r.status,
                                 r.tolerance, route, r.attack_used, r.paper_value,
                                 r.extended_value, r.no_attack_value, message=r.message))
    if scalar:
        return _with_verdict(results[0], d, n, model, z_bases, v, leak, attack)

    def column(key, dtype=float):
        values = [getattr(r, key) for r in results]
        if dtype is float:
            values = [np.nan if x is None else x for x in values]
        return np.array(values, dtype=dtype).reshape(shape)

    return _with_verdict(RateBounds(
        np.array(v_b, dtype=float), np.array(l_b, dtype=float), column("value"),
        np.array([r.cut_bound for r in results], dtype=float).reshape(shape) if cut_bound else None,
        np.array([r.status for r in results]).reshape(shape),
        {"points": [r.certificate for r in results]},
        results[0].method if results else "", route, results[0].tolerance,
        attack_used=np.array([str(r.attack_used) for r in results]).reshape(shape),
        paper_value=column("paper_value"), extended_value=column("extended_value"),
        no_attack_value=column("no_attack_value"),
        message=results[0].message if results else ""), d, n, model, z_bases, v, leak, attack)


NO_LOWER_BOUND = ("none: the Devetak-Winter lower bound is computed at Z bases; it does not "
                  "apply to other given bases")


def _covariant_with_z(measurements, atol: float = 1e-9) -> bool:
    r"""Whether two bases :math:`(U_A, U_B)` are covariant with Z for the isotropic state:
    :math:`|U_A^\dagger \overline{U_B}|^2` is a permutation matrix (to ``atol``).  Bases just
    outside the tolerance go to the general route, whose fixed Eq. (9) ensemble is looser
    there (a 1e-4 rotation: 0.7230 against 0.7160 at v = 0.95, L = 0.1; docs/routes.md)."""
    u_a, u_b = (np.asarray(m.unitary) for m in measurements)
    return same_basis(u_a, u_b.conj(), atol)


def _covariant_result(result, measurements):
    """A Z result re-labelled for the covariant bases that were asked (certificate and method)."""
    why = ("given bases (U_A, U_B) with |U_A^dagger conj(U_B)|^2 a permutation: covariant with "
           "Z for the isotropic state (U x U* invariance: the state measured there is the state "
           "measured in Z with Bob's outcomes relabelled), so Z's closed form, Eve's Eq. (9) "
           "ensemble rotated by U_A x conj(U_A)")

    def relabel(cert):
        if isinstance(cert, dict) and "measurements" in cert:
            cert = dict(cert, measurements=[m.label for m in measurements],
                        measurement_search=why,
                        eve_rotation=[np.asarray(measurements[0].unitary).tolist(),
                                      np.asarray(measurements[0].unitary).conj().tolist()])
        return cert

    cert = result.certificate
    if isinstance(cert, dict) and isinstance(cert.get("points"), list):
        cert = dict(cert, points=[relabel(c) for c in cert["points"]])
    else:
        cert = relabel(cert)
    return dataclasses.replace(result, certificate=cert, method=f"{result.method}; {why}")


def _with_verdict(result, d, n, model, z_bases: bool, v, leak, attack):
    """``result`` with ``lower_bound``, ``lower_bound_method`` and ``verdict`` (SPEC F13), and
    the question it answers (for its repr and tables)."""
    question = {"local_dim": d, "n_parties": n, "model": model, "attack": attack}
    if isinstance(result, RateBound):
        lower = float(isotropic_lower_bound(d, n, v, leak, model)) if z_bases else None
        lower = reported_lower(result.best, lower)
        return dataclasses.replace(result, lower_bound=lower,
                                   lower_bound_method=LOWER_BOUND_METHOD if z_bases
                                   else NO_LOWER_BOUND,
                                   verdict=decide(result.best, lower), visibility=float(v),
                                   leakage=float(leak), **question)
    lower = (reported_lower(result.best, isotropic_lower_bound(d, n, result.visibility,
                                                                result.leakage, model))
             if z_bases else np.full(result.value.shape, np.nan))
    return dataclasses.replace(result, lower_bound=lower,
                               lower_bound_method=LOWER_BOUND_METHOD if z_bases
                               else NO_LOWER_BOUND,
                               verdict=decide_array(result.best, lower), **question)
