r"""Planning in kilometres: fibre loss, heralded links, memories, and the repeaterless bound.

A link of ``distance_km`` split into ``segments`` equal segments of length :math:`\ell`:

* **fibre**: transmissivity :math:`\eta(\ell) = 10^{-\alpha\ell/10}` (:math:`\alpha` in dB/km,
  default 0.2 dB/km, telecom fibre);
* **heralded elementary link** (midpoint scheme: each end sends a photon :math:`\ell/2` to a
  linear-optics Bell measurement; Sangouard, Simon, de Riedmatten & Gisin, Rev. Mod. Phys. 83, 33
  (2011)): success probability :math:`p = p_{BSM}\,\eta_{det}^2\,\eta(\ell)` per attempt
  (:math:`p_{BSM} = 1/2`); an attempt takes :math:`\tau = \max(1/f, \ell/c_f)` (source rate
  :math:`f`, herald round trip, :math:`c_f = 2\times10^5` km/s); the delivered pair is isotropic
  with the given link visibility;
* **memories**: a link waits for the others of its chain; with :math:`K` segments the expected
  number of attempts until all are up is :math:`H_K/\lambda` (:math:`\lambda = -\ln(1-p)`,
  :math:`H_K` the harmonic number; the continuous-time value of the maximum of K geometric
  variables, within one attempt of the exact one), so a link waits
  :math:`t_w = (H_K - 1)\tau/\lambda` on average; both of its qubits decay with
  :math:`e^{-t_w/T_2}` (depolarising or dephasing, applied to the Weyl weights,
  :mod:`qkdbounds.repeaters.links`);
* **swapping**: deterministic and ideal at the repeaters (the composition law of
  :mod:`qkdbounds.repeaters.links`);
* **bounds**: the end-to-end link's key-rate upper bound in bits per delivered pair
  (:func:`qkdbounds.repeaters.link_bounds.link_key_bound`, with leakage), times the pair rate
  :math:`1/(\tau\,(H_K/\lambda))` gives an upper bound on key per second of this chain.  Beside it
  the repeaterless PLOB bound :math:`-\log_2(1-\eta_{tot})` bits per channel use for the same
  total distance (Pirandola, Laurenza, Ottaviani & Banchi, Nat. Commun. 8, 15043 (2017)), times
  the source rate: where the chain's bound lies below it, this chain cannot beat the
  repeaterless bound.  (Where it lies above, the chain *might* beat direct transmission: both numbers
  are upper bounds.)
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import (InputError, check_callback, check_choice, check_int, check_probability,
                      check_real, check_sequence)
from ..status import Status, StatusField
from .link_bounds import link_key_bound
from .links import compose_chain, dephase_weights, depolarize_weights, isotropic_weights

__all__ = ["LinkPlan", "plan_link", "plan_path", "heralding", "expected_max_attempts_lower",
           "expected_max_attempts_upper",
           "chain_rate_per_pair", "PLOB_CITATION", "plob_bound", "fibre_transmissivity", "max_distance",
           "min_segments", "distance_curve", "FIBRE_SPEED_KM_S", "check_link_parameters"]

#: Speed of light in fibre (km/s), refractive index ~1.5.
FIBRE_SPEED_KM_S = 2.0e5
#: Largest number of segments planned.
MAX_SEGMENTS = 1024


def fibre_transmissivity(length_km: float, loss_db_per_km: float = 0.2) -> float:
    """:math:`10^{-\\alpha\\ell/10}`."""
    length = check_real("length_km", length_km, 0.0, 1e5)
    alpha = check_real("loss_db_per_km", loss_db_per_km, 0.0, 10.0)
    return 10.0 ** (-alpha * length / 10.0)


def plob_bound(transmissivity: float) -> float:
    r"""Repeaterless bound :math:`-\log_2(1-\eta)` (bits per channel use) of the pure-loss channel
    (Pirandola et al., Nat. Commun. 8, 15043 (2017)).

    Examples
    --------
    >>> round(plob_bound(0.5), 12)
    1.0
    """
    eta = check_probability("transmissivity", transmissivity)
    return math.inf if eta == 1.0 else -math.log1p(-eta) / math.log(2)


@dataclass(frozen=True, eq=False)
class LinkPlan(StatusField):
    """A planned chain (see the module docstring for the model).

    Attributes
    ----------
    segment : dict
        ``length_km``, ``transmissivity``, ``success_probability``, ``attempt_time_s``,
        ``waiting_time_s``, ``memory_survival``, ``fidelity``, ``visibility``,
        ``rate_upper_bound`` (bits per pair of one segment on its own).
    end_to_end : dict
        ``transmissivity`` (fibre over the whole distance), ``fidelity``, ``visibility``,
        ``weights``, ``rate_upper_bound`` (bits per delivered pair), ``pair_rate_hz``,
        ``key_rate_upper_bound_bps``, ``plob_bound`` (bits per use), ``plob_key_rate_bps``.
    repeaters_can_beat_plob : bool or None
        Decided from both sides of the chain's key per second against the repeaterless PLOB
        bound: ``True`` when the chain's achievable key (``key_rate_lower_bound_bps``, the lower
        bound per pair times ``pair_rate_lower_bound_hz``) exceeds it, ``False`` when its key
        bound (``key_rate_upper_bound_bps``) does not, ``None`` when neither (undecided).
    method : str
    status : Status
        ``closed_form`` with perfect memories (the bound per pair is the chain's closed form);
        ``heuristic`` with decaying memories (the bound per pair is a Monte-Carlo average over
        the heralding times, reported as mean + 3 standard errors); ``failed`` when no bound is
        implemented for the delivered link (``message`` says so).
    message : str
    """

    distance_km: float
    segments: int
    segment: dict
    end_to_end: dict
    repeaters_can_beat_plob: bool | None
    parameters: dict = field(repr=False)
    method: str = "heralded midpoint links, memories, ideal swapping; composition law; CC bound"
    status: Status = Status.CLOSED_FORM
    message: str = ""

    # the decision, as on every bound result (read from ``end_to_end``, where the JSON has it)
    @property
    def value(self) -> float | None:
        """The key-rate upper bound per delivered pair (bits; ``end_to_end["rate_upper_bound"]``)."""
        return self.end_to_end["rate_upper_bound"]

    @property
    def lower_bound(self) -> float | None:
        """The Devetak-Winter lower bound per delivered pair (bits; see ``lower_bound_method``)."""
        return self.end_to_end["lower_bound"]

    @property
    def lower_bound_method(self) -> str:
        return self.end_to_end["lower_bound_method"]

    @property
    def verdict(self) -> str:
        """``"no_key"``, ``"key"`` or ``"open"`` for the delivered pair."""
        return self.end_to_end["verdict"]

    @property
    def unit(self) -> str:
        return self.end_to_end["unit"]

    def to_dict(self) -> dict:
        """The JSON object of ``qkdbounds plan`` (and of a ``plan`` sweep point): the end-to-end
        figures at top level (SPEC: ``transmissivity``, ``rate_upper_bound``, ``plob_bound``,
        ``verdict``, ``lower_bound``, ...), then the ``segment`` and ``end_to_end`` records."""
        e = self.end_to_end
        keys = ("transmissivity", "rate_upper_bound", "rate_upper_bound_mean", "rate_upper_bound_stderr",
                "lower_bound", "lower_bound_method", "verdict", "pair_rate_hz", "pair_rate_hz_stderr",
                "pair_rate_upper_bound_hz", "pair_rate_lower_bound_hz", "key_rate_upper_bound_bps",
                "key_rate_lower_bound_bps", "plob_bound", "plob_key_rate_bps", "plob_repeater_chain_bound",
                "plob_repeater_chain_key_rate_bps")
        return {"distance_km": self.distance_km, "segments": self.segments,
                **{k: e[k] for k in keys},
                "citation": e["plob_citation"],
                "notes": [n for n in (e["pair_rate_note"],) if n],
                "repeaters_can_beat_plob": self.repeaters_can_beat_plob,
                "unit": e["unit"],
                "segment": self.segment, "end_to_end": e, "parameters": self.parameters,
                "units": {"rate_upper_bound": "bits per delivered pair (averaged over the heralding "
                                              "times, mean + 3 standard errors)",
                          "lower_bound": "bits per delivered pair (of the time-averaged pair)",
                          "plob_bound": "bits per channel use", "*_bps": "bits per second",
                          "*_hz": "per second"},
                "method": self.method, "status": self.status, "message": self.message}


def _harmonic(k: int) -> float:
    return float(np.sum(1.0 / np.arange(1, k + 1)))


#: Gauss-Legendre nodes per panel and panel width (in ln t) of :func:`expected_max_attempts_lower`.
_GL_NODES, _GL_PANEL = np.polynomial.legendre.leggauss(12), 0.5
#: Integration range of that integral: from ``_T_LOW / lambda_max`` to ``_T_HIGH / lambda_min``.
_T_LOW, _T_HIGH = 1e-6, 60.0


def expected_max_attempts_lower(success_probabilities) -> float:
    r"""Lower bound on :math:`E[\max_i T_i]`, :math:`T_i` independent geometric (attempts).

    :math:`T_i` has the law of :math:`\lceil X_i\rceil` with :math:`X_i` exponential of rate
    :math:`\lambda_i = -\ln(1-p_i)`, so :math:`E[\max_i T_i] \ge E[\max_i X_i] =
    \int_0^\infty (1 - \prod_i (1 - e^{-\lambda_i t}))\,dt` (within one attempt of the exact
    value); it equals :math:`H_K/\lambda` for K equal segments (computed so) and is evaluated by
    composite Gauss-Legendre quadrature in :math:`\ln t` otherwise (relative error < 1e-12; the
    tails below :math:`10^{-6}/\lambda_{max}` and above :math:`60/\lambda_{min}` contribute less
    than that).  Also :math:`E[\max_i T_i] \ge 1/p_{min}`; the larger of the two is returned.
    It never decreases when a segment is added or lengthened (max of more, or of stochastically
    larger, variables): the monotonicity the network's path search relies on.

    Examples
    --------
    >>> round(expected_max_attempts_lower([0.5]), 12)        # one segment: exactly 1/p
    2.0
    >>> a = expected_max_attempts_lower([1e-3, 1e-3])         # H_2 / lambda
    >>> round(float(a * -np.log1p(-1e-3)), 9)
    1.5
    """
    p = np.asarray(success_probabilities, dtype=float).ravel()
    if p.size == 0 or np.any(p <= 0):
        return math.inf
    return max(1.0 / float(p.min()), _expected_max_exponential(p))


def expected_max_attempts_upper(success_probabilities) -> float:
    r"""Upper bound on :math:`E[\max_i T_i]`, :math:`T_i` independent geometric (attempts).

    :math:`T_i = \lceil X_i\rceil \le X_i + 1` (see :func:`expected_max_attempts_lower`), so
    :math:`E[\max_i T_i] \le E[\max_i X_i] + 1`; also :math:`E[\max_i T_i] \le \sum_i 1/p_i`.
    The smaller of the two is returned (the quadrature's relative error, < 1e-12, is added).

    Examples
    --------
    >>> round(expected_max_attempts_upper([0.5]), 12)        # one segment: min(2, 1/ln 2 + 1)
    2.0
    """
    p = np.asarray(success_probabilities, dtype=float).ravel()
    if p.size == 0 or np.any(p <= 0):
        return math.inf
    with np.errstate(over="ignore"):          # p near the smallest double: inf attempts
        return min(float(np.sum(1.0 / p)), _expected_max_exponential(p) * (1 + 1e-11) + 1.0)


def _expected_max_exponential(p: np.ndarray) -> float:
    r""":math:`E[\max_i X_i]` for independent exponentials of rates :math:`-\ln(1-p_i)`."""
    lam = -np.log1p(-np.minimum(p, 1 - 1e-16))
    if np.all(p == p[0]):
        return _harmonic(p.size) / float(lam[0])
    lo, hi = math.log(_T_LOW / lam.max()), math.log(_T_HIGH / lam.min())
    n_panels = max(1, math.ceil((hi - lo) / _GL_PANEL))
    edges = np.linspace(lo, hi, n_panels + 1)
    x, w = _GL_NODES
    half = 0.5 * (edges[1:] - edges[:-1])
    u = (0.5 * (edges[1:] + edges[:-1])[:, None] + half[:, None] * x[None, :]).ravel()
    weights = (half[:, None] * w[None, :]).ravel()
    t = np.exp(u)
    log_all_up = np.sum(np.log(-np.expm1(-np.outer(t, lam))), axis=1)
    integrand = -np.expm1(log_all_up) * t                      # dt = t du
    return float(np.dot(weights, integrand)) + math.exp(lo)  # [0, t_low]: integrand ~ 1


def heralding(segment_lengths_km, *, loss_db_per_km: float = 0.2,
              detector_efficiency: float = 0.9, source_rate_hz: float = 1e8,
              bsm_success: float = 0.5) -> dict:
    r"""Success probabilities, attempt time and pair-rate upper bound of a chain of segments.

    The model of :func:`plan_path` without the states: ``success_probability`` per segment,
    ``attempt_time_s`` :math:`\tau`, ``pair_rate_upper_bound_hz`` :math:`=1/(\tau\,
    E_{low})` with :math:`E_{low}` from :func:`expected_max_attempts_lower`.  Inputs are not
    validated here (:func:`plan_path` does).
    """
    lengths = np.asarray(segment_lengths_km, dtype=float)
    eta = 10.0 ** (-loss_db_per_km * lengths / 10.0)
    p = bsm_success * detector_efficiency**2 * eta
    tau = max(1.0 / source_rate_hz, float(lengths.max()) / FIBRE_SPEED_KM_S)
    e_low = expected_max_attempts_lower(p)
    return {"transmissivity": eta, "success_probability": p, "attempt_time_s": tau,
            "pair_rate_upper_bound_hz": 0.0 if not math.isfinite(e_low) else 1.0 / (tau * e_low)}


def chain_rate_per_pair(chain_visibility, leakage: float, model: str = "uniform",
                        local_dim: int = 2, attack: str = "best"):
    r"""Key bound (bits per pair) of an isotropic end-to-end link of the given visibility.

    Zero at and below the separability point :math:`v \le 1/(1+d)`; vectorised.  The one
    function behind the planner's per-pair bound and the network's path search.
    """
    from ..bounds import rate_upper_bound

    v = np.clip(np.asarray(chain_visibility, dtype=float), 0.0, 1.0)
    r = rate_upper_bound(local_dim, 2, v, leakage, model, attack=attack)
    return np.where(v <= 1 / (1 + local_dim), 0.0, r.value)


#: Citation of the repeaterless and repeater-chain bounds reported beside the chain's bound.
PLOB_CITATION = ("PLOB: Pirandola, Laurenza, Ottaviani & Banchi, Nat. Commun. 8, 15043 (2017); "
                 "repeater chain (min over segments): Pirandola, Commun. Phys. 2, 51 (2019)")
#: Smallest success probability whose heralding times are sampled faithfully (64-bit counts).
MIN_SAMPLED_PROBABILITY = 1e-12
#: Standard errors within which a Monte Carlo estimate above its bound counts as sampling noise.
MC_SIGMAS = 4.0


def _estimate_within_bounds(estimate: float, stderr: float, lower: float, upper: float, name: str,
                            n_samples: int = 4096):
    """Never report an estimate outside the bounds it is claimed between: within ``MC_SIGMAS``
    standard errors it is sampling noise (the nearer bound is reported, with a note); beyond, a
    bug.

    The allowance also holds ``bound / n_samples``: events rarer than about one in
    ``n_samples`` are missed by the sample even when its standard error is zero (e.g. a segment
    that fails once in 20,000 attempts)."""
    if lower <= estimate <= upper:
        return estimate, None
    bound, side = (upper, "above the upper") if estimate > upper else (lower, "below the lower")
    if abs(estimate - bound) <= MC_SIGMAS * stderr + bound / n_samples:
        return bound, (f"{name}: the Monte Carlo estimate {estimate:.6g} +- {stderr:.2g} lies {side} "
                       f"bound within {MC_SIGMAS:g} standard errors (sampling noise); "
                       f"the bound is reported")
    raise RuntimeError(f"{name}: Monte Carlo estimate {estimate:.6g} +- {stderr:.2g} lies {side} "
                       f"bound {bound:.6g} beyond the error bar")


def _noiseless_rate(chain, lam_total, channel, d, leak, model, memory_noise, attack):
    """The bound per pair at Lambda = 1 (no memory noise): a cap on the memory-averaged one."""
    if np.all(lam_total == 1.0):
        return math.inf                                       # already noiseless: no cap needed
    rates, _ = _averaged_bound(chain, np.ones(1), channel, d, leak, model,
                               isotropic=memory_noise == "depolarizing", attack=attack)
    return math.inf if rates is None else float(rates[0])


#: Monte Carlo samples of the heralding times (seeded) behind the memory-averaged bound.
N_WAIT_SAMPLES = 4096
#: Quantile bins of the memory factor for non-isotropic links (two-qubit bound per bin).
N_NOISE_BINS = 8


def plan_link(distance_km: float, segments: int, leakage: float, **kwargs) -> LinkPlan:
    """Plan a chain of ``segments`` equal segments over ``distance_km`` (see :func:`plan_path`).

    Examples
    --------
    >>> p = plan_link(100, 1, 0.1)
    >>> round(p.end_to_end["rate_upper_bound"], 4)   # a fresh v = 1 pair: (1 - L) bits
    0.9
    """
    dist = check_real("distance_km", distance_km, 1e-9, 1e5)
    k = check_int("segments", segments, 1, MAX_SEGMENTS)
    allowed = [name for name, p in inspect.signature(plan_path).parameters.items()
               if p.kind is p.KEYWORD_ONLY]
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise InputError(f"plan_link: unknown parameter {unknown[0]!r}; allowed: {', '.join(allowed)}")
    return plan_path([dist / k] * k, leakage, **kwargs)


def check_link_parameters(link_kwargs: dict, local_dim: int = 2) -> dict:
    """Validate the link model's parameters (the one check of :func:`plan_path`,
    :func:`plan_link` and the network planner's :func:`~qkdbounds.repeaters.network.best_path` /
    :func:`~qkdbounds.repeaters.network.all_pairs`).

    Parameters
    ----------
    link_kwargs : dict
        ``loss_db_per_km`` (dB/km), ``detector_efficiency``, ``bsm_success``, ``link_visibility``,
        ``source_rate_hz`` (Hz), ``memory_t2_s`` (s); missing or None keys are left out of the
        checks.
    local_dim : int
        Local dimension d of the links (sets the visibility's lower end, -1/(d^2 - 1)).

    Returns
    -------
    dict
        The same parameters, the numbers as floats.

    Raises
    ------
    InputError
        ``loss_db_per_km`` outside [1e-9, 10] (lossless fibre has no PLOB bound),
        ``detector_efficiency`` or ``bsm_success`` outside (0, 1], ``link_visibility`` outside
        [-1/(d^2 - 1), 1] ([-1/3, 1] for qubits), ``source_rate_hz`` outside [1, 1e13],
        ``memory_t2_s`` outside [1e-12, 1e9].
    """
    out = dict(link_kwargs)
    d = check_int("local_dim", local_dim, 2, 64)
    ranges = {"loss_db_per_km": (1e-9, 10.0), "link_visibility": (-1.0 / (d * d - 1), 1.0),
              "source_rate_hz": (1.0, 1e13)}
    for key, (low, high) in ranges.items():
        if out.get(key) is not None:
            out[key] = check_real(key, out[key], low, high)
    for key in ("detector_efficiency", "bsm_success"):
        if out.get(key) is not None:
            value = check_real(key, out[key])
            if not 0 < value <= 1:
                raise InputError(f"{key} must be in (0, 1] (0: a link that never succeeds), got "
                                 f"{value!r}")
            out[key] = value
    if out.get("memory_t2_s") is not None:
        out["memory_t2_s"] = check_real("memory_t2_s", out["memory_t2_s"], 1e-12, 1e9)
    return out


def plan_path(segment_lengths_km, leakage: float, *, model: str = "uniform",
              loss_db_per_km: float = 0.2, detector_efficiency: float = 0.9,
              link_visibility: float = 1.0, memory_t2_s: float | None = None,
              memory_noise: str = "depolarizing", source_rate_hz: float = 1e8,
              bsm_success: float = 0.5, local_dim: int = 2, seed: int = 0,
              attack: str = "best") -> LinkPlan:
    r"""Plan a chain of heralded segments of the given lengths (module docstring).

    All segments attempt in lock step, one attempt per :math:`\tau = \max(1/f, \ell_{max}/c_f)`;
    segment i succeeds after a geometric number :math:`T_i` of attempts (probability
    :math:`p_i`); its two qubits wait :math:`W_i = (\max_j T_j - T_i)\tau` and decay with
    :math:`e^{-W_i/T_2}` each.  Depolarising and dephasing act on the Weyl weights as
    convolutions, so the end-to-end link is the noiseless chain under one channel of strength
    :math:`\Lambda = e^{-2\sum_i W_i/T_2}`.  The parties know the heralding times, so the key
    bound per pair is the average over the waits of the bound at each :math:`\Lambda`, estimated
    from ``N_WAIT_SAMPLES`` seeded samples and reported as mean + 3 standard errors
    (``rate_upper_bound``; the mean and its error beside it).  Isotropic links with depolarising
    memories are evaluated sample by sample (vectorised); otherwise the samples are grouped in
    ``N_NOISE_BINS`` quantile bins, each evaluated at its largest :math:`\Lambda` (least noise).

    The per-pair bound is also capped by the bound of the fresh chain (:math:`\Lambda = 1`,
    no memory noise; the bound does not decrease with :math:`\Lambda`), so sampling noise never
    lifts it above the noiseless value.

    The pair rate: :math:`E[\max_i T_i] \ge E_{low}` (:func:`expected_max_attempts_lower`:
    :math:`\max(1/p_{min}, \int_0^\infty(1-\prod_i(1-e^{-\lambda_i t}))dt)`,
    :math:`\lambda = -\ln(1-p)`; :math:`H_K/\lambda` for K equal segments; exact for one),
    so ``pair_rate_upper_bound_hz`` :math:`= 1/(\tau E_{low})` bounds the rate of delivered
    pairs, and ``key_rate_upper_bound_bps`` is that times the bound per pair.  On the other side,
    :math:`E[\max_i T_i] \le E_{up}` (:func:`expected_max_attempts_upper`), so
    ``pair_rate_lower_bound_hz`` :math:`= 1/(\tau E_{up})` and ``key_rate_lower_bound_bps`` is
    that times ``lower_bound`` (key Alice and Bob can distil at that rate of pairs).
    ``pair_rate_hz`` is the Monte Carlo estimate :math:`1/(\tau\,\overline{\max_i T_i})` with
    its standard error ``pair_rate_hz_stderr`` (delta method).  :math:`E_{low}` and
    :math:`E_{up}` are within one attempt of the true mean, so the estimate often lies a little
    outside the two rate bounds by sampling noise: then ``pair_rate_hz`` is the nearer bound and
    ``pair_rate_note`` says so (an estimate more than ``MC_SIGMAS`` standard errors outside
    would be a bug and raises ``RuntimeError``).  With memories the lower bound per pair is
    taken at the mean memory factor less 3 standard errors (the upper bound: mean + 3).

    Beside the repeaterless PLOB bound of the whole distance, ``plob_repeater_chain_bound`` is
    the capacity of the chain of lossy segments with ideal repeaters at the segment ends,
    :math:`\min_i -\log_2(1-\eta_i)` bits per use (Pirandola, Laurenza, Ottaviani & Banchi,
    Nat. Commun. 8, 15043 (2017), PLOB per segment; Pirandola, Commun. Phys. 2, 51 (2019),
    Eq. (5): the chain capacity is that of its worst segment); ``*_key_rate_bps`` are these
    times the source rate.

    ``attack`` is Eve's attack for isotropic links (:func:`qkdbounds.rate_upper_bound`; default
    ``"best"``, the tightest bound; ``"paper"`` for the paper's attack).

    Raises
    ------
    InputError
        A parameter outside its range.
    """
    check_choice("attack", attack, ("best", "paper", "extended"))
    try:
        lengths = [float(x) for x in segment_lengths_km]
    except (TypeError, ValueError, OverflowError):
        raise InputError("segment_lengths_km must be a list of lengths in km") from None
    k = check_int("segments", len(lengths), 1, MAX_SEGMENTS)
    lengths = [check_real(f"segment length {i} (distance_km / segments, --distance-km / "
                          f"--segments on the CLI)", x, 1e-9, 1e5) for i, x in enumerate(lengths)]
    leak = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    d = check_int("local_dim", local_dim, 2, 64)
    link = check_link_parameters(
        {"loss_db_per_km": loss_db_per_km, "detector_efficiency": detector_efficiency,
         "bsm_success": bsm_success, "link_visibility": link_visibility,
         "source_rate_hz": source_rate_hz, "memory_t2_s": memory_t2_s}, d)
    eta_det, p_bsm, v_link = link["detector_efficiency"], link["bsm_success"], link["link_visibility"]
    f, memory_t2_s = link["source_rate_hz"], link["memory_t2_s"]
    check_choice("memory_noise", memory_noise, ("depolarizing", "dephasing"))
    dist = float(sum(lengths))
    eta = np.array([fibre_transmissivity(x, loss_db_per_km) for x in lengths])
    p = p_bsm * eta_det**2 * eta
    tau = max(1.0 / f, max(lengths) / FIBRE_SPEED_KM_S)
    fresh = isotropic_weights(v_link, d)
    chain = compose_chain([fresh] * k).link.weights           # noiseless chain (convolution)
    channel = depolarize_weights if memory_noise == "depolarizing" else dephase_weights
    delivered = bool(np.all(p > 0))
    rng = np.random.default_rng(check_int("seed", seed, 0))
    if delivered:
        attempts = rng.geometric(np.minimum(p, 1.0)[None, :], size=(N_WAIT_SAMPLES, k))
        t_max = attempts.max(axis=1)
        waits = (t_max[:, None] - attempts) * tau             # seconds, per sample and segment
        lam_total = (np.ones(N_WAIT_SAMPLES) if memory_t2_s is None
                     else np.exp(-2.0 * waits.sum(axis=1) / memory_t2_s))
        e_max_lower = expected_max_attempts_lower(p)
        pair_rate_bound = 1.0 / (tau * e_max_lower)
        pair_rate_lower = 1.0 / (tau * expected_max_attempts_upper(p))
        mean_t = float(t_max.mean())
        pair_rate = 1.0 / (tau * mean_t)
        # delta method: sd(1/x) ~ sd(x)/x^2
        pair_rate_se = float(t_max.std(ddof=1) / math.sqrt(t_max.size)) / (tau * mean_t**2)
        if float(p.min()) < MIN_SAMPLED_PROBABILITY:
            pair_rate = pair_rate_se = None
            pair_rate_note = (f"pair_rate_hz: no Monte Carlo estimate, a segment succeeds with "
                              f"probability {float(p.min()):.3g} < {MIN_SAMPLED_PROBABILITY:g} "
                              f"per attempt (beyond the sampler's range)")
        else:
            pair_rate, pair_rate_note = _estimate_within_bounds(pair_rate, pair_rate_se, pair_rate_lower,
                                                                pair_rate_bound, "pair_rate_hz",
                                                                N_WAIT_SAMPLES)
    else:  # a segment never heralds (underflow at extreme lengths): no pair is delivered
        waits = np.full((1, k), math.inf)
        # (per delivered pair: without memories the pair does not decay, whatever the wait --
        # the bound per pair, and its verdict, do not depend on the distance; with memories an
        # unbounded wait depolarises it completely)
        lam_total = np.ones(1) if memory_t2_s is None else np.zeros(1)
        pair_rate_bound = pair_rate = pair_rate_se = pair_rate_lower = 0.0
        pair_rate_note = ("no pair is delivered: a segment's heralding probability underflows "
                          "(0 in double precision); key per second 0")
    mean_lambda = float(lam_total.mean())
    average_state = channel(chain, mean_lambda)               # the average delivered state
    rates, how = _averaged_bound(chain, lam_total, channel, d, leak, model,
                                 isotropic=memory_noise == "depolarizing", attack=attack)
    mean_rate = None if rates is None else float(rates.mean())
    stderr = None if rates is None else 0.0 if np.all(rates == rates.flat[0]) \
        else float(rates.std(ddof=1) / math.sqrt(rates.size)) \
        if rates.size > 1 else 0.0
    noiseless = None if rates is None else _noiseless_rate(chain, lam_total, channel, d, leak,
                                                           model, memory_noise, attack)
    bound = None if rates is None else min(mean_rate + 3 * stderr, noiseless, math.log2(d))
    # the lower bound: the Devetak-Winter rate of the time-averaged delivered pair (valid: Alice
    # and Bob may forget the heralding times, and then hold that state), below the upper bound
    # per pair, which lets them know the times
    from ..bounds.verdict import decide

    # (the mean memory factor is a Monte Carlo estimate: the lower bound takes it less 3
    # standard errors, as the upper bound takes its mean + 3; the noisier pair, a lower key)
    lam_se = float(lam_total.std(ddof=1) / math.sqrt(lam_total.size)) if lam_total.size > 1 else 0.0
    lower_state = average_state if lam_se == 0.0 else channel(chain, max(0.0, mean_lambda - 3 * lam_se))
    averaged = link_key_bound(lower_state, leak, model)
    lower = averaged.lower_bound
    if lower is not None and bound is not None:
        lower = min(lower, bound)
    if averaged.value == 0.0:
        lower_method = ("0: the time-averaged delivered pair (Alice and Bob forgetting the "
                        "heralding times) is separable; the upper bound per pair uses the times")
    elif averaged.lower_bound_method is None:
        lower_method = None
    else:
        lower_method = (f"{averaged.lower_bound_method}; of the time-averaged delivered pair "
                        f"(Alice and Bob forgetting the heralding times)"
                        + ("" if lam_se == 0.0 else ", at the mean memory factor less 3 standard "
                           "errors of its Monte Carlo estimate"))
    eta_total = fibre_transmissivity(dist, loss_db_per_km)
    plob = plob_bound(eta_total)
    key_bps = None if bound is None else pair_rate_bound * bound
    key_lower_bps = None if lower is None else pair_rate_lower * lower
    plob_bps = f * plob
    # decided from both sides: the chain's achievable key (lower bound) above the repeaterless
    # bound proves the repeaters beat it; its key bound at or below rules it out
    can_beat = (True if key_lower_bps is not None and key_lower_bps > plob_bps else
                False if key_bps is not None and key_bps <= plob_bps else None)
    plob_chain = min(plob_bound(float(x)) for x in eta)      # Pirandola 2019: worst segment
    d2 = d * d
    end_to_end = {
        "transmissivity": eta_total, "fidelity": float(average_state[0, 0]),
        "visibility": (d2 * float(average_state[0, 0]) - 1) / (d2 - 1),
        "weights": average_state, "rate_upper_bound": bound,
        "rate_upper_bound_mean": mean_rate, "rate_upper_bound_stderr": stderr,
        "pair_rate_hz": pair_rate, "pair_rate_hz_stderr": pair_rate_se,
        "pair_rate_note": pair_rate_note, "pair_rate_upper_bound_hz": pair_rate_bound,
        "pair_rate_lower_bound_hz": pair_rate_lower,
        "key_rate_upper_bound_bps": key_bps, "key_rate_lower_bound_bps": key_lower_bps, "plob_bound": plob, "plob_key_rate_bps": plob_bps,
        "plob_repeater_chain_bound": plob_chain, "plob_repeater_chain_key_rate_bps": f * plob_chain,
        "plob_citation": PLOB_CITATION,
        "memory_factor_mean": mean_lambda,
        # the delivered pair the lower bound is of (weights; the mean pair without memories)
        "lower_bound_weights": lower_state,
        "lower_bound": lower, "lower_bound_method": lower_method,
        "verdict": "open" if bound is None else decide(bound, lower),
        "unit": "bits per delivered pair",
    }
    fresh_bound = link_key_bound(fresh, leak, model)
    segment = {
        "length_km": lengths[0] if len(set(lengths)) == 1 else lengths,
        "transmissivity": float(eta[0]) if len(set(lengths)) == 1 else eta.tolist(),
        "success_probability": float(p[0]) if len(set(lengths)) == 1 else p.tolist(),
        "attempt_time_s": tau,
        "mean_waiting_time_s": float(waits.mean()) if delivered else None,
        "fresh_pair_fidelity": float(fresh[0, 0]), "fresh_pair_visibility": v_link,
        "fresh_pair_rate_upper_bound": fresh_bound.value,
    }
    params = dict(loss_db_per_km=loss_db_per_km, detector_efficiency=eta_det,
                  link_visibility=v_link, memory_t2_s=memory_t2_s, memory_noise=memory_noise,
                  source_rate_hz=f, bsm_success=p_bsm, local_dim=d, leakage=leak, model=model,
                  wait_samples=N_WAIT_SAMPLES if delivered else 0, seed=seed)
    return LinkPlan(dist, k, segment, end_to_end, can_beat, params,
                    method=("heralded midpoint links in lock step, memories decaying while the "
                            "others herald, ideal swapping (composition law); bound per pair "
                            f"averaged over the heralding times ({how}), mean + 3 standard errors"),
                    status=(Status.FAILED if bound is None else
                            Status.CLOSED_FORM if memory_t2_s is None else Status.HEURISTIC),
                    message=("rate unavailable: no key bound is implemented for the delivered "
                             "link" if bound is None else "" if memory_t2_s is None else
                             "the bound per pair is a Monte-Carlo average over the heralding "
                             f"times ({N_WAIT_SAMPLES} seeded samples), mean + 3 standard "
                             "errors"))


def _averaged_bound(chain, lam_total, channel, d, leak, model, isotropic, attack="best"):
    """Per-sample (or per-bin) key bounds of the end-to-end link under noise strength Lambda."""
    d2 = d * d
    if isotropic and np.allclose(chain.ravel()[1:], chain.ravel()[1], atol=1e-15):
        v_chain = (d2 * chain[0, 0] - 1) / (d2 - 1)
        v = np.clip(v_chain * lam_total, 0.0, 1.0)            # v <= 0: separable, zero key
        return (chain_rate_per_pair(v, leak, model, d, attack),
                "per sample, isotropic route")
    order = np.sort(lam_total)
    bins = np.array_split(order, min(N_NOISE_BINS, order.size))
    # from the least noisy bin down; a failed solve (a status, never a number) takes the value of
    # the next less noisy bin, which is larger (conservative), and finally of Lambda = 1
    above = link_key_bound(chain, leak, model)
    if above.value is None or not math.isfinite(above.value):
        return None, "unavailable"
    previous, values, fallbacks = above.value, [], 0
    for b in reversed(bins):
        res = link_key_bound(channel(chain, float(b.max())), leak, model)
        if res.value is None:
            return None, "unavailable"
        if not math.isfinite(res.value):
            fallbacks += 1
            value = previous
        else:
            value = res.value
        values.append(np.full(b.size, value))
        previous = value
    note = f"; {fallbacks} failed solve(s) replaced by the less noisy neighbour" if fallbacks else ""
    return np.concatenate(values[::-1]), (f"{len(bins)} quantile bins of Lambda, each at its "
                                          f"least noisy end (bound non-decreasing in Lambda)"
                                          f"{note}")


def _inverse_supported(kwargs) -> None:
    if kwargs.get("memory_noise", "depolarizing") == "dephasing" and \
            kwargs.get("memory_t2_s") is not None:
        raise InputError("the inverse routes (target key rate) support depolarizing memories "
                         "only: with dephasing each plan needs a two-qubit bound per noise bin")


def max_distance(target_key_rate_bps: float, segments: int, leakage: float, *,
                 xtol_km: float = 1e-3, callback=None, **kwargs) -> dict:
    """Largest distance (km) at which the chain's key bound per second still reaches the target.

    The key bound per second decreases with distance in this model (longer segments: lower
    success probability, longer waits); the answer is found by bisection and checked forward:
    ``plan_link`` at the returned distance meets the target, just beyond it does not.

    Returns
    -------
    dict
        ``max_distance_km`` (``None`` if even 1 m misses the target), ``key_rate_at_max_bps``,
        ``checked`` (the forward check), ``segments``.

    ``callback(1)`` (optional) after every :func:`plan_link` call: at most
    :func:`max_distance_plans` of them.
    """
    target = check_real("target_key_rate_bps", target_key_rate_bps, 0.0, 1e13)
    xtol_km = check_real("xtol_km", xtol_km, 1e-9, 1e4)
    _inverse_supported(kwargs)
    check_callback("callback", callback)

    def rate(dist):
        if callback is not None:
            callback(1)
        plan = plan_link(dist, segments, leakage, **kwargs)
        value = plan.end_to_end["key_rate_upper_bound_bps"]
        if value is None:
            raise InputError("no key bound for this link type (d >= 3, non-isotropic)")
        return value

    lo, hi = 1e-3, 1e5
    if rate(lo) < target:
        return {"max_distance_km": None, "key_rate_at_max_bps": rate(lo), "checked": True,
                "segments": segments}
    if rate(hi) >= target:
        return {"max_distance_km": hi, "key_rate_at_max_bps": rate(hi), "checked": True,
                "segments": segments}
    while hi - lo > xtol_km:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if rate(mid) >= target else (lo, mid)
    checked = rate(lo) >= target and rate(hi) < target
    return {"max_distance_km": lo, "key_rate_at_max_bps": rate(lo), "checked": bool(checked),
            "segments": segments}


def max_distance_plans(xtol_km: float = 1e-3) -> int:
    """Most :func:`plan_link` calls of one :func:`max_distance` (two ends, the bisection from
    1 m to 1e5 km down to ``xtol_km``, the forward check and the returned point).

    Parameters
    ----------
    xtol_km : float
        The bisection's tolerance (km), as :func:`max_distance`.

    Returns
    -------
    int
    """
    return 2 + math.ceil(math.log2((1e5 - 1e-3) / xtol_km)) + 3


def min_segments(target_key_rate_bps: float, distance_km: float, leakage: float, *,
                 max_segments: int = 64, callback=None, **kwargs) -> dict:
    """Fewest segments (1 = direct) whose chain reaches the target key bound per second.

    Every ``K = 1 .. max_segments`` is planned (the key bound is not monotone in K: more
    segments raise the success probability but lengthen waits and add swaps), and the smallest
    K that reaches the target is returned with the best K and its rate.  ``callback(1)``
    (optional) after every K: a plan's cost grows with K (~0.6 s at K = 1024), so a large
    ``max_segments`` takes minutes.
    """
    target = check_real("target_key_rate_bps", target_key_rate_bps, 0.0, 1e13)
    kmax = check_int("max_segments", max_segments, 1, MAX_SEGMENTS)
    _inverse_supported(kwargs)
    check_callback("callback", callback)
    rates = []
    for k in range(1, kmax + 1):
        value = plan_link(distance_km, k, leakage, **kwargs).end_to_end["key_rate_upper_bound_bps"]
        rates.append(-1.0 if value is None else value)
        if callback is not None:
            callback(1)
    reaching = [k for k, r in enumerate(rates, start=1) if r >= target]
    best = int(np.argmax(rates)) + 1
    return {"fewest_segments": reaching[0] if reaching else None,
            "best_segments": best, "best_key_rate_bps": rates[best - 1],
            "max_segments_tried": kmax}


def distance_curve(distances_km, segment_counts, leakage: float, **kwargs) -> list[dict]:
    """Rows ``{distance_km, segments, rate_upper_bound, key_rate_upper_bound_bps,
    plob_key_rate_bps}`` of :func:`plan_link` on a grid (for the planning figure)."""
    rows = []
    distances_km = check_sequence("distances_km", distances_km, "a sequence of distances in km")
    segment_counts = check_sequence("segment_counts", segment_counts, "a sequence of integers")
    for k in segment_counts:
        for dist in distances_km:
            plan = plan_link(float(dist), int(k), leakage, **kwargs)
            e = plan.end_to_end
            rows.append({"distance_km": float(dist), "segments": int(k),
                         "rate_upper_bound": e["rate_upper_bound"],
                         "key_rate_upper_bound_bps": e["key_rate_upper_bound_bps"],
                         "plob_key_rate_bps": e["plob_key_rate_bps"]})
    return rows
