r"""Repeater chains by repeated simulated entanglement swapping (paper 1, "Repeater-based QKD").

A chain with :math:`n` repeaters has :math:`n + 1` elementary links.  The end-to-end state is
obtained by swapping the links one after another (:func:`~.swapping.swap_states`) — or in a
balanced tree order — on density matrices; its visibility is read off the final state.

The law the simulation shows (and the tests check for d = 2, 3, 4 and heterogeneous links) is

.. math::

    v_{\mathrm{chain}} = \prod_{i=1}^{n+1} v_i \quad(= v^{\,n+1}\ \text{for equal links}),

which is the composition law of depolarising channels, whose Choi states are the isotropic links.
Paper 1 (text before Eq. 5) instead counts :math:`v^{2n}` for :math:`n` repeaters; the two agree
only for :math:`n = 1` (see ``docs/errata_repeaters.md``).  :func:`product_law` states the law;
it is never used in place of the simulation inside this module.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import NDArray

from ..status import Status, StatusField
from ..errors import InputError, check_choice, check_int, check_probability, check_real
from .swapping import (ATOL_ISOTROPIC, MAX_SWAP_DIM, IsotropyCheck, check_isotropic,
                       isotropic_link, swap_states)

__all__ = [
    "ATOL_LAW",
    "ChainResult",
    "VisibilityLaw",
    "simulate_chain",
    "simulate_equal_chain",
    "product_law",
    "read_off_visibility_law",
]

ATOL_LAW = 1e-10
"""Largest |simulated - product law| visibility difference reported as agreement."""

MAX_CHAIN_LINKS = 10_000
"""Largest number of links simulated in one chain (guards against accidental huge runs)."""


@dataclass(frozen=True, eq=False)
class ChainResult(StatusField):
    """End-to-end state of a repeater chain, from simulated swapping.

    Attributes
    ----------
    value : float
        Final (end-to-end) visibility read off the simulated state.
    link_visibilities : tuple of float
        The elementary links, left to right.
    n_repeaters : int
        ``len(link_visibilities) - 1``.
    intermediate_visibilities : tuple of float
        For ``order="sequential"``: visibility of the segment spanning links ``0..j`` for
        ``j = 0..n`` (entry 0 is the first link, the last entry equals ``value``).
        For ``order="balanced"``: visibilities of the merged segments in merge order.
    isotropy : IsotropyCheck
        Check of the final state against its isotropic twirl.
    isotropy_distances : tuple of float
        Trace distance to the isotropic twirl of each state in ``intermediate_visibilities``
        (bilinear route: after a swap, the upper bound given by the corner simulations).
    max_isotropy_distance : float
        Largest of ``isotropy_distances``.
    product_law : float
        :math:`\\prod_i v_i`, for comparison (not used to compute ``value``).
    law_deviation : float
        ``|value - product_law|``.
    local_dim : int
        Local dimension.
    order : str
        ``"sequential"`` (swap left to right) or ``"balanced"`` (pairwise tree).
    state : ndarray or None
        Final ``d^2 x d^2`` state (kept when ``keep_state=True``).
    method : str
        How the result was obtained.
    status : Status
        ``closed_form``: an exact density-matrix computation (no optimisation, no sampling).
    message : str
        Notes (empty when there are none).
    """

    value: float
    link_visibilities: tuple[float, ...]
    n_repeaters: int
    intermediate_visibilities: tuple[float, ...]
    isotropy: IsotropyCheck
    isotropy_distances: tuple[float, ...]
    max_isotropy_distance: float
    product_law: float
    law_deviation: float
    local_dim: int
    order: str
    state: NDArray[np.complex128] | None = None
    method: str = "repeated density-matrix entanglement swapping"
    status: Status = Status.CLOSED_FORM
    message: str = ""

    @property
    def visibility(self) -> float:
        """Alias of :attr:`value`."""
        return self.value

    @property
    def isotropic(self) -> bool:
        """Whether every intermediate and the final state were isotropic within tolerance."""
        return self.max_isotropy_distance <= self.isotropy.tolerance

    @property
    def follows_product_law(self) -> bool:
        """Whether ``|value - product_law| <= ATOL_LAW``."""
        return self.law_deviation <= ATOL_LAW


def _check_links(link_visibilities) -> tuple[float, ...]:
    try:
        links = list(link_visibilities)
    except TypeError:
        raise InputError("link_visibilities must be a sequence of visibilities in [0, 1]") from None
    if not 1 <= len(links) <= MAX_CHAIN_LINKS:
        raise InputError(f"link_visibilities must hold between 1 and {MAX_CHAIN_LINKS} links, "
                         f"got {len(links)}")
    # visibilities below 0 (down to -1/(d^2-1)) are valid links; isotropic_link checks per d
    return tuple(check_real(f"link_visibilities[{i}]", v, -1.0, 1.0) for i, v in enumerate(links))


def product_law(link_visibilities: Sequence[float]) -> float:
    r"""The visibility law shown by the simulation: :math:`\prod_i v_i`.

    For :math:`n` repeaters between equal links this is :math:`v^{n+1}`; paper 1 (before Eq. 5)
    uses :math:`v^{2n}` instead.

    Examples
    --------
    >>> round(product_law([0.9, 0.8, 0.5]), 12)
    0.36
    """
    return float(math.prod(_check_links(link_visibilities)))


#: Up to this local dimension every swap of a chain is simulated on density matrices (cost ~d^8
#: per swap); above it the chain uses the bilinear swap law read off four simulated swaps.
DENSE_CHAIN_MAX_DIM = 8


@functools.lru_cache(maxsize=None)
def simulated_swap_law(local_dim: int) -> tuple[tuple[float, float, float, float], float]:
    r"""The swap law of isotropic links, read off four density-matrix simulations.

    Swapping is linear in each input state and the isotropic family is affine in :math:`v`, and
    the visibility is affine in the fidelity; so the output visibility is *exactly* the bilinear
    interpolation of the four corner simulations :math:`(v_1, v_2)\in\{0,1\}^2`:

    .. math:: v = f_{00}(1-v_1)(1-v_2) + f_{01}(1-v_1)v_2 + f_{10}v_1(1-v_2) + f_{11}v_1v_2,

    and the output is a convex combination of the corner outputs, so its trace distance to the
    isotropic twirl is at most the largest corner distance.

    Returns
    -------
    ((f00, f01, f10, f11), max_isotropy_distance)
    """
    d = check_int("local_dim", local_dim, 2, MAX_SWAP_DIM)
    values, dist = [], 0.0
    for a in (0.0, 1.0):
        for b in (0.0, 1.0):
            res = swap_states(isotropic_link(a, d), isotropic_link(b, d), d)
            values.append(res.value)
            dist = max(dist, res.isotropy.distance)
    return tuple(values), dist


def _law(coeffs, v1: float, v2: float) -> float:
    f00, f01, f10, f11 = coeffs
    return (f00 * (1 - v1) * (1 - v2) + f01 * (1 - v1) * v2 + f10 * v1 * (1 - v2)
            + f11 * v1 * v2)


def simulate_chain(link_visibilities: Sequence[float], local_dim: int = 2,
                   order: str = "sequential", keep_state: bool = False,
                   method: str = "auto") -> ChainResult:
    r"""Visibility after a chain of isotropic links, by simulated entanglement swapping.

    Parameters
    ----------
    link_visibilities : sequence of float
        Visibility of each elementary link, in [0, 1] (paper 1, Eq. 6 with :math:`N = 2`);
        ``n + 1`` links for ``n`` repeaters.  Links may differ (heterogeneous chain).
    local_dim : int
        Local dimension ``d`` (2 to :data:`~.swapping.MAX_SWAP_DIM`).
    order : {"sequential", "balanced"}
        Swap left to right, or merge neighbouring segments pairwise (a nested repeater).
    keep_state : bool
        Keep the final density matrix in the result (implies ``method="dense"``).
    method : {"auto", "dense", "bilinear", "weyl"}
        ``"dense"``: every swap simulated on density matrices; ``"bilinear"``: the exact swap
        law of :func:`simulated_swap_law` (four simulated swaps, then O(1) per swap);
        ``"weyl"``: the composition law of Weyl-diagonal links (:mod:`.links`; O(d^4) per swap
        on d^2 weights, checked against the simulation in the tests); ``"auto"``: dense up to
        ``d = 8`` (:data:`DENSE_CHAIN_MAX_DIM`), the composition law above.

    Returns
    -------
    ChainResult
        Final visibility from the simulated state, plus the isotropy check at every step and the
        product law for comparison.

    Examples
    --------
    >>> r = simulate_chain([0.9, 0.9, 0.9], local_dim=2)
    >>> round(r.value, 12), r.n_repeaters, r.isotropic
    (0.729, 2, True)
    """
    links = _check_links(link_visibilities)
    d = check_int("local_dim", local_dim, 2, MAX_SWAP_DIM)
    order = check_choice("order", order, ("sequential", "balanced"))
    method = check_choice("method", method, ("auto", "dense", "bilinear", "weyl"))
    links = tuple(check_real(f"link_visibilities[{i}]", v, -1.0 / (d * d - 1), 1.0)
                  for i, v in enumerate(links))
    if method == "auto":
        method = "dense" if (d <= DENSE_CHAIN_MAX_DIM or keep_state) else "weyl"
    if method == "weyl":
        if keep_state:
            raise InputError("keep_state needs method='dense' (the composition law has no state)")
        return _weyl_chain(links, d, order)
    if method == "bilinear":
        if keep_state:
            raise InputError("keep_state needs method='dense' (the bilinear route has no state)")
        return _bilinear_chain(links, d, order)
    segments = [isotropic_link(v, d) for v in links]
    first = check_isotropic(segments[0], d)
    intermediate = [first.visibility]
    distances = [first.distance]
    iso = first
    if order == "sequential":
        state = segments[0]
        for right in segments[1:]:
            res = swap_states(state, right, d)
            state, iso = res.state, res.isotropy
            intermediate.append(res.value)
            distances.append(iso.distance)
    else:
        intermediate, distances = [], []
        while len(segments) > 1:
            merged = []
            for i in range(0, len(segments) - 1, 2):
                res = swap_states(segments[i], segments[i + 1], d)
                merged.append(res.state)
                iso = res.isotropy
                intermediate.append(res.value)
                distances.append(iso.distance)
            if len(segments) % 2:
                merged.append(segments[-1])
            segments = merged
        state = segments[0]
        if not intermediate:
            intermediate, distances = [first.visibility], [first.distance]
    law = float(math.prod(links))
    return ChainResult(value=iso.visibility, link_visibilities=links, n_repeaters=len(links) - 1,
                       intermediate_visibilities=tuple(intermediate), isotropy=iso,
                       isotropy_distances=tuple(distances),
                       max_isotropy_distance=max(distances), product_law=law,
                       law_deviation=abs(iso.visibility - law), local_dim=d, order=order,
                       state=state if keep_state else None)


def _weyl_chain(links: tuple, d: int, order: str) -> ChainResult:
    from .links import compose_chain, isotropic_weights

    weights = [isotropic_weights(v, d) for v in links]
    chain = compose_chain(weights, order)
    d2 = d * d
    vis = [(d2 * f - 1) / (d2 - 1) for f in chain.intermediate_fidelities] or [links[0]]
    if order == "sequential":
        vis = [links[0]] + vis if len(links) > 1 else vis
    final_link = chain.link
    distances = [0.0] * len(vis)
    worst = final_link.isotropy_distance
    final_iso = IsotropyCheck(fidelity=final_link.fidelity, visibility=final_link.visibility,
                              distance=worst, isotropic=worst <= ATOL_ISOTROPIC,
                              tolerance=ATOL_ISOTROPIC)
    law = float(math.prod(links))
    return ChainResult(value=final_link.visibility, link_visibilities=links,
                       n_repeaters=len(links) - 1, intermediate_visibilities=tuple(vis),
                       isotropy=final_iso, isotropy_distances=tuple(distances),
                       max_isotropy_distance=worst, product_law=law,
                       law_deviation=abs(final_link.visibility - law), local_dim=d, order=order,
                       state=None,
                       method=("composition law of Weyl-diagonal links (convolution over "
                               "Z_d x Z_d; equal to the density-matrix simulation in the tests)"))


def _bilinear_chain(links: tuple, d: int, order: str) -> ChainResult:
    coeffs, dist = simulated_swap_law(d)
    iso = check_isotropic(isotropic_link(links[0], d), d)
    if order == "sequential":
        intermediate = [links[0]]
        for v in links[1:]:
            intermediate.append(_law(coeffs, intermediate[-1], v))
        final = intermediate[-1]
    else:
        intermediate, segments = [], list(links)
        while len(segments) > 1:
            merged = [_law(coeffs, segments[i], segments[i + 1])
                      for i in range(0, len(segments) - 1, 2)]
            intermediate.extend(merged)
            if len(segments) % 2:
                merged.append(segments[-1])
            segments = merged
        final = segments[0]
        intermediate = intermediate or [links[0]]
    # after the first link: an upper bound (the largest corner distance), not a measured one
    distances = ([iso.distance] if order == "sequential" else []) + \
        [dist] * (len(intermediate) - (1 if order == "sequential" else 0))
    worst = max(distances)
    final_iso = IsotropyCheck(fidelity=((d * d - 1) * final + 1) / (d * d), visibility=final,
                              distance=worst, isotropic=worst <= iso.tolerance,
                              tolerance=iso.tolerance)
    law = float(math.prod(links))
    return ChainResult(value=final, link_visibilities=links, n_repeaters=len(links) - 1,
                       intermediate_visibilities=tuple(intermediate), isotropy=final_iso,
                       isotropy_distances=tuple(distances), max_isotropy_distance=max(distances),
                       product_law=law, law_deviation=abs(final - law), local_dim=d, order=order,
                       state=None,
                       method=("bilinear swap law read off four density-matrix swaps at "
                               "(v1, v2) in {0,1}^2 (exact: swapping is bilinear in the links); "
                               "isotropy distances after a swap are the largest corner distance"))


def simulate_equal_chain(visibility: float, n_repeaters: int, local_dim: int = 2,
                         order: str = "sequential") -> ChainResult:
    """Chain of ``n_repeaters + 1`` equal isotropic links of visibility ``visibility``.

    Examples
    --------
    >>> round(simulate_equal_chain(0.95, 1, 2).value, 12)   # one repeater, two links
    0.9025
    """
    v = check_probability("visibility", visibility)
    n = check_int("n_repeaters", n_repeaters, 0, MAX_CHAIN_LINKS - 1)
    return simulate_chain([v] * (n + 1), local_dim=local_dim, order=order)


@dataclass(frozen=True)
class VisibilityLaw:
    r"""The chain-visibility law read off simulations of equal-link chains.

    Attributes
    ----------
    visibility : float
        Link visibility used.
    local_dim : int
        Local dimension.
    n_repeaters : tuple of int
        Repeaters ``n = 0..max_repeaters``.
    simulated : tuple of float
        Simulated end-to-end visibility for each ``n``.
    exponents : tuple of float
        :math:`\log v_{\mathrm{chain}} / \log v` for each ``n`` (the simulation shows ``n + 1``).
    links_exponent_fit : tuple of float
        Least-squares fit ``exponent = slope * n + intercept`` as ``(slope, intercept)``
        (the simulation shows ``(1, 1)``; paper 1's count :math:`v^{2n}` would be ``(2, 0)``).
    max_deviation_from_product : float
        :math:`\max_n |v_{\mathrm{sim}}(n) - v^{n+1}|`.
    law : str
        The law stated in words.
    """

    visibility: float
    local_dim: int
    n_repeaters: tuple[int, ...]
    simulated: tuple[float, ...]
    exponents: tuple[float, ...]
    links_exponent_fit: tuple[float, float]
    max_deviation_from_product: float
    law: str = "v_chain = product of link visibilities (= v**(n+1) for n repeaters, equal links)"


def read_off_visibility_law(visibility: float, max_repeaters: int, local_dim: int = 2
                            ) -> VisibilityLaw:
    r"""Simulate equal-link chains for ``n = 0..max_repeaters`` and read off the exponent.

    Parameters
    ----------
    visibility : float
        Link visibility, strictly between 0 and 1 (so that :math:`\log v` is finite and nonzero).
    max_repeaters : int
        Largest number of repeaters simulated (>= 1).
    local_dim : int
        Local dimension.

    Returns
    -------
    VisibilityLaw
        Exponents :math:`\log v_{\mathrm{chain}}/\log v` and their linear fit in ``n``.

    Examples
    --------
    >>> law = read_off_visibility_law(0.9, 4, 2)
    >>> [round(e, 9) for e in law.exponents]
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    v = check_probability("visibility", visibility)
    if not 0.0 < v < 1.0:
        raise InputError(f"visibility must be in (0, 1) to read off an exponent, got {v!r}")
    k = check_int("max_repeaters", max_repeaters, 1, MAX_CHAIN_LINKS - 1)
    d = check_int("local_dim", local_dim, 2, MAX_SWAP_DIM)
    chain = simulate_chain([v] * (k + 1), local_dim=d, order="sequential")
    sims = np.asarray(chain.intermediate_visibilities)
    ns = np.arange(k + 1)
    # a simulated visibility <= 0 has no logarithm: the law cannot be read off there
    if np.any(sims <= 0):
        raise InputError("visibility too small: the simulated chain visibility reaches 0 "
                         f"within {k} repeaters; choose fewer repeaters")
    exps = np.log(sims) / np.log(v)
    slope, intercept = np.polyfit(ns, exps, 1)
    dev = float(np.max(np.abs(sims - v ** (ns + 1.0))))
    return VisibilityLaw(visibility=v, local_dim=d, n_repeaters=tuple(int(n) for n in ns),
                         simulated=tuple(float(s) for s in sims),
                         exponents=tuple(float(e) for e in exps),
                         links_exponent_fit=(float(slope), float(intercept)),
                         max_deviation_from_product=dev)
