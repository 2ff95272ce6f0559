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
  the source rate: where the chain's bound lies below it, this chain cannot beat direct
  transmission.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, check_choice, check_int, check_probability, check_real
from .link_bounds import link_key_bound
from .links import compose_chain, dephase_weights, depolarize_weights, isotropic_weights

__all__ = ["LinkPlan", "plan_link", "plob_bound", "fibre_transmissivity", "max_distance",
           "min_segments", "distance_curve", "FIBRE_SPEED_KM_S"]

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


@dataclass(frozen=True)
class LinkPlan:
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
        The chain's key bound per second exceeds the repeaterless bound (``None`` if unknown).
    """

    distance_km: float
    segments: int
    segment: dict
    end_to_end: dict
    repeaters_can_beat_plob: bool | None
    parameters: dict = field(repr=False)
    method: str = "heralded midpoint links, memories, ideal swapping; composition law; CC bound"
    status: str = "ok"


def _harmonic(k: int) -> float:
    return float(np.sum(1.0 / np.arange(1, k + 1)))


def plan_link(distance_km: float, segments: int, leakage: float, *, model: str = "uniform",
              loss_db_per_km: float = 0.2, detector_efficiency: float = 0.9,
              link_visibility: float = 1.0, memory_t2_s: float | None = None,
              memory_noise: str = "depolarizing", source_rate_hz: float = 1e8,
              bsm_success: float = 0.5, local_dim: int = 2) -> LinkPlan:
    """Plan a repeater chain over ``distance_km`` with ``segments`` segments (module docstring).

    Parameters
    ----------
    distance_km : float
        Total fibre length (0 < D <= 100000 km).
    segments : int
        Number of elementary links (1 = direct, no repeater; up to 1024).
    leakage : float
        Side-channel leakage :math:`L` of paper 1.
    model : {"uniform", "junk"}
    loss_db_per_km, detector_efficiency, link_visibility : float
        Fibre loss, detector efficiency in [0, 1], visibility of a freshly delivered pair.
    memory_t2_s : float, optional
        Memory coherence time (s); ``None`` = perfect memories.
    memory_noise : {"depolarizing", "dephasing"}
    source_rate_hz : float
        Source repetition rate (attempts per second at most).
    bsm_success : float
        Success probability of the heralding Bell measurement (1/2 with linear optics).
    local_dim : int
        Local dimension of the links.

    Returns
    -------
    LinkPlan

    Raises
    ------
    InputError
        A parameter outside its range.
    """
    dist = check_real("distance_km", distance_km, 1e-9, 1e5)
    k = check_int("segments", segments, 1, MAX_SEGMENTS)
    leak = check_probability("leakage", leakage)
    check_choice("model", model, ("uniform", "junk"))
    eta_det = check_probability("detector_efficiency", detector_efficiency)
    d = check_int("local_dim", local_dim, 2, 64)
    v_link = check_real("link_visibility", link_visibility, -1.0 / (d * d - 1), 1.0)
    f = check_real("source_rate_hz", source_rate_hz, 1.0, 1e13)
    p_bsm = check_probability("bsm_success", bsm_success)
    check_choice("memory_noise", memory_noise, ("depolarizing", "dephasing"))
    if memory_t2_s is not None:
        memory_t2_s = check_real("memory_t2_s", memory_t2_s, 1e-12, 1e9)
    seg_len = dist / k
    eta_seg = fibre_transmissivity(seg_len, loss_db_per_km)
    p = p_bsm * eta_det**2 * eta_seg
    tau = max(1.0 / f, seg_len / FIBRE_SPEED_KM_S)
    if eta_det == 0 or p_bsm == 0:
        raise InputError("the elementary link never succeeds: detector_efficiency and "
                         "bsm_success must be > 0")
    # p may underflow to 0 at extreme lengths: then no pair is ever delivered (rate 0)
    lam = -math.log1p(-p) if p < 1 else math.inf
    h_k = _harmonic(k)
    attempts_all = 1.0 if lam == math.inf else (h_k / lam if lam > 0 else math.inf)
    wait = 0.0 if (lam == math.inf or k == 1) else ((h_k - 1.0) * tau / lam if lam > 0
                                                    else math.inf)
    survival = 1.0 if memory_t2_s is None else math.exp(-wait / memory_t2_s)
    weights = isotropic_weights(v_link, d)
    channel = depolarize_weights if memory_noise == "depolarizing" else dephase_weights
    weights = channel(channel(weights, survival), survival)   # both qubits of the link wait
    chain = compose_chain([weights] * k)
    seg_bound = link_key_bound(weights, leak, model)
    end = link_key_bound(chain.link.weights, leak, model)
    pair_rate = 1.0 / (tau * attempts_all) if attempts_all < math.inf else 0.0
    eta_total = fibre_transmissivity(dist, loss_db_per_km)
    plob = plob_bound(eta_total)
    key_bps = None if end.value is None else pair_rate * end.value
    plob_bps = f * plob
    end_to_end = {
        "transmissivity": eta_total, "fidelity": chain.link.fidelity,
        "visibility": chain.link.visibility, "weights": chain.link.weights,
        "rate_upper_bound": end.value, "twirled_rate_upper_bound": end.twirled_value,
        "rate_route": end.route, "pair_rate_hz": pair_rate, "key_rate_upper_bound_bps": key_bps,
        "plob_bound": plob, "plob_key_rate_bps": plob_bps,
    }
    segment = {
        "length_km": seg_len, "transmissivity": eta_seg, "success_probability": p,
        "attempt_time_s": tau, "waiting_time_s": wait, "memory_survival": survival,
        "fidelity": float(weights[0, 0]), "visibility": (d * d * weights[0, 0] - 1) / (d * d - 1),
        "rate_upper_bound": seg_bound.value,
    }
    params = dict(loss_db_per_km=loss_db_per_km, detector_efficiency=eta_det,
                  link_visibility=v_link, memory_t2_s=memory_t2_s, memory_noise=memory_noise,
                  source_rate_hz=f, bsm_success=p_bsm, local_dim=d, leakage=leak, model=model)
    return LinkPlan(dist, k, segment, end_to_end,
                    None if key_bps is None else bool(key_bps > plob_bps), params,
                    status="ok" if end.value is not None else "rate_unavailable")


def max_distance(target_key_rate_bps: float, segments: int, leakage: float, *,
                 xtol_km: float = 1e-3, **kwargs) -> dict:
    """Largest distance (km) at which the chain's key bound per second still reaches the target.

    The key bound per second decreases with distance in this model (longer segments: lower
    success probability, longer waits); the answer is found by bisection and checked forward:
    ``plan_link`` at the returned distance meets the target, just beyond it does not.

    Returns
    -------
    dict
        ``max_distance_km`` (``None`` if even 1 m misses the target), ``key_rate_at_max_bps``,
        ``checked`` (the forward check), ``segments``.
    """
    target = check_real("target_key_rate_bps", target_key_rate_bps, 0.0, 1e13)

    def rate(dist):
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


def min_segments(target_key_rate_bps: float, distance_km: float, leakage: float, *,
                 max_segments: int = 64, **kwargs) -> dict:
    """Fewest segments (1 = direct) whose chain reaches the target key bound per second.

    Every ``K = 1 .. max_segments`` is planned (the key bound is not monotone in K: more
    segments raise the success probability but lengthen waits and add swaps), and the smallest
    K that reaches the target is returned with the best K and its rate.
    """
    target = check_real("target_key_rate_bps", target_key_rate_bps, 0.0, 1e13)
    kmax = check_int("max_segments", max_segments, 1, MAX_SEGMENTS)
    rates = []
    for k in range(1, kmax + 1):
        value = plan_link(distance_km, k, leakage, **kwargs).end_to_end["key_rate_upper_bound_bps"]
        rates.append(-1.0 if value is None else value)
    reaching = [k for k, r in enumerate(rates, start=1) if r >= target]
    best = int(np.argmax(rates)) + 1
    return {"fewest_segments": reaching[0] if reaching else None,
            "best_segments": best, "best_key_rate_bps": rates[best - 1],
            "max_segments_tried": kmax}


def distance_curve(distances_km, segment_counts, leakage: float, **kwargs) -> list[dict]:
    """Rows ``{distance_km, segments, rate_upper_bound, key_rate_upper_bound_bps,
    plob_key_rate_bps}`` of :func:`plan_link` on a grid (for the planning figure)."""
    rows = []
    for k in segment_counts:
        for dist in distances_km:
            plan = plan_link(float(dist), int(k), leakage, **kwargs)
            e = plan.end_to_end
            rows.append({"distance_km": float(dist), "segments": int(k),
                         "rate_upper_bound": e["rate_upper_bound"],
                         "key_rate_upper_bound_bps": e["key_rate_upper_bound_bps"],
                         "plob_key_rate_bps": e["plob_key_rate_bps"]})
    return rows
