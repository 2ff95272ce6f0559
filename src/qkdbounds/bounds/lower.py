r"""Devetak–Winter lower bound on the key of any source with characterised measurements (F9, F13).

Assumptions (collective attacks, device-dependent): the rounds are i.i.d.; Eve holds a
purification :math:`|\psi\rangle_{A_1\dots A_N E}` of the source :math:`\rho`; the parties
measure the given POVMs; the key party's outcome :math:`X` is the raw key and one-way
reconciliation runs from the key party to every other party.  Then (Devetak & Winter, Proc. R.
Soc. A 461, 207 (2005); for N >= 3 conference keys Epping, Kampermann,
Macchiavello & Bruß, NJP 19, 093012 (2017))

.. math:: r \ge H(X|E) - \max_{j \ne k} H(X|Y_j).

**Eve's uncertainty.**  With :math:`\{E_x\}` the key party's POVM, the cq state is
:math:`\rho_{XE} = \sum_x |x\rangle\langle x|\otimes\mathrm{tr}_{A}[(E_x\otimes\mathbb 1)
|\psi\rangle\langle\psi|]`.  Write :math:`E_x = W_xW_x^\dagger` (:math:`W_x` of shape
:math:`d_k\times\mathrm{rank}\,E_x`).  The unnormalised conditional state
:math:`\tilde\rho_E^x = \mathrm{tr}_A[(\sqrt{E_x}\otimes\mathbb 1)|\psi\rangle\langle\psi|
(\sqrt{E_x}\otimes\mathbb 1)]` is one marginal of a pure vector, so its nonzero spectrum is that
of the other marginal :math:`(\sqrt{E_x}\otimes\mathbb 1)\rho(\sqrt{E_x}\otimes\mathbb 1)`, and
hence (:math:`MM^\dagger` vs :math:`M^\dagger M`) that of the smaller matrix
:math:`\sigma_x = (W_x^\dagger\otimes\mathbb 1)\rho(W_x\otimes\mathbb 1)`.  With
:math:`H(XE) = H(X) + \sum_x p(x) S(\rho_E^x) = H(\mathrm{spec}\,\sigma_0\cup\mathrm{spec}\,
\sigma_1\cup\dots)` and :math:`S(E) = S(\rho)` (Nielsen & Chuang, Thm. 11.8(3),(5); Renner's thesis,
ETH 2005, arXiv:quant-ph/0512258):

.. math:: H(X|E) = H\Bigl(\bigcup_x \mathrm{spec}\,\sigma_x\Bigr) - S(\rho).

**Leakage** (paper 1, Eqs. 11 and 20): every outcome leaks to Eve with probability :math:`L`,
in the same rounds for all parties, and the parties do not know which rounds leaked.  With the
leak flag :math:`K` in Eve's hands, :math:`H(X|E,K,X_{K=1}) = (1-L)H(X|E)`; the error-correction
cost is unchanged, so

.. math:: r_L = (1-L)\,H(X|E) - \max_{j\ne k} H(X|Y_j).

The junk model (leaks only in rounds Eve flags as separable) has leak probability at most
:math:`L` in every round, decided by a classical flag Eve obtains from her system; the same
bound holds for it (``docs/lower_bounds_sources.md``), so it is used for both models.  The value
is :math:`\max(0, r_L)`; the raw expression is reported beside it.  Derivation and citations:
``docs/lower_bounds_sources.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._cache import BoundedCache
from ..errors import LEAKAGE_MODELS
from ..errors import InputError, check_choice, check_int, check_probability
from ..info.entropy import shannon_entropy
from ..measurements.povm import POVM, check_povm, povm_distribution, povm_from_unitary
from ..states.sources import Source
from ..status import Status, StatusField

__all__ = ["SourceLowerBound", "devetak_winter_lower_bound", "ATOL_EIGENVALUE",
           "TOLERANCE_LOWER"]

#: Eigenvalues at or below this count as zero in the entropies (round-off of ``eigvalsh``).
ATOL_EIGENVALUE = 1e-12
#: Absolute accuracy claimed for the bound (bits): eigenvalue round-off, dims up to a few hundred.
TOLERANCE_LOWER = 1e-9

_METHOD = ("Devetak-Winter bound r = (1-L) H(X|E) - max_j H(X|Y_j) (Devetak & Winter 2005) "
           "against i.i.d. collective attacks, Eve holding a purification of the source, one-way "
           "reconciliation from party {k} to all others, the honest measurements {labels}, "
           "outcomes leaking with probability L in the same rounds for all parties (uniform, "
           "paper 1 Eq. 11){junk}; H(X|E) = H(spec of sqrt(E_x) rho sqrt(E_x) over x) - S(rho), "
           "exact eigendecompositions.")
_JUNK = ("; model 'junk' (Eq. 20) leaks at most as often in every round, from Eve's flag, so the "
         "uniform form is used as the conservative bound")


@dataclass(frozen=True, eq=False)
class SourceLowerBound(StatusField):
    """Result of :func:`devetak_winter_lower_bound` (bits per round).

    Attributes
    ----------
    value : float
        The lower bound :math:`\\max(0, r_L)`; never negative.
    raw_value : float
        The Devetak-Winter expression :math:`r_L = (1-L)H(X|E) - H(X|Y)` (may be negative).
    h_a_given_e : float
        :math:`H(X|E)` of the key party's outcome given Eve's purification (no leakage).
    h_a_given_b : float
        Error-correction cost :math:`\\max_{j\\ne k} H(X|Y_j)` (one party: :math:`H(X|Y)`).
    leakage : float
        :math:`L`.
    model : str
        ``"uniform"`` or ``"junk"`` (both bounded by the uniform form; see ``method``).
    key_party : int
        The party whose outcome is the key (0-based).
    decoding_party : int
        The party :math:`j` with the largest :math:`H(X|Y_j)` (the one that sets the cost).
    method : str
        One sentence with the assumptions.
    status : Status
        ``closed_form``: closed evaluation by eigendecompositions, no optimisation.
    tolerance : float
        Absolute accuracy of ``value`` (bits).
    """

    value: float
    raw_value: float
    h_a_given_e: float
    h_a_given_b: float
    leakage: float
    model: str
    key_party: int
    decoding_party: int
    method: str = field(repr=False)
    status: Status = Status.CLOSED_FORM
    tolerance: float = TOLERANCE_LOWER


def _check_povms(povms, dims: tuple[int, ...]) -> list[POVM]:
    """One validated POVM per party; ``"Z"`` (alone or as an entry) is the computational basis."""
    n = len(dims)
    if isinstance(povms, str):
        povms = [povms] * n
    if isinstance(povms, POVM) or not isinstance(povms, Sequence):
        raise InputError(f"povms must be a list of {n} POVMs (one per party) or 'Z', "
                         f"got {type(povms).__name__}")
    if len(povms) != n:
        raise InputError(f"povms must list one POVM per party ({n}), got {len(povms)}")
    out = []
    for i, (p, d) in enumerate(zip(povms, dims)):
        if isinstance(p, str):
            if p != "Z":
                raise InputError(f"povms[{i}] must be a POVM or 'Z', got {p!r}")
            out.append(povm_from_unitary(np.eye(d), "Z"))
            continue
        elements = p.elements if isinstance(p, POVM) else p
        checked = check_povm(elements, f"povms[{i}]", getattr(p, "label", "povm"))
        if checked.dim != d:
            raise InputError(f"povms[{i}] acts on dimension {checked.dim}, but party {i} has "
                             f"local dimension {d}")
        out.append(checked)
    return out


def _reduced(matrix: NDArray, dims: tuple[int, ...], keep: Sequence[int]) -> NDArray:
    """Reduced state on the parties ``keep`` (in increasing order)."""
    n = len(dims)
    t = matrix.reshape(dims * 2)
    drop = [i for i in range(n) if i not in keep]
    letters = [chr(97 + i) for i in range(2 * n)]
    for i in drop:
        letters[n + i] = letters[i]
    out = [letters[i] for i in keep] + [letters[n + i] for i in keep]
    size = math.prod(dims[i] for i in keep)
    return np.einsum("".join(letters) + "->" + "".join(out), t).reshape(size, size)


def _h_x_given_e(matrix: NDArray, spectrum: NDArray, dims: tuple[int, ...], povm: POVM,
                 key_party: int) -> float:
    """:math:`H(X|E) = H(\\cup_x\\mathrm{spec}\\,\\sigma_x) - S(\\rho)` (module docstring)."""
    d = dims[key_party]
    rest = math.prod(dims) // d
    order = [key_party] + [i for i in range(len(dims)) if i != key_party]
    rho = matrix.reshape(dims * 2).transpose(order + [len(dims) + i for i in order])
    rho = rho.reshape(d, rest, d, rest)
    spectra = []
    for element in povm.elements:
        evals, evecs = np.linalg.eigh(element)
        keep = evals > 0
        if not np.any(keep):
            continue
        w = evecs[:, keep] * np.sqrt(evals[keep])  # E_x = W W^dagger
        sigma = np.einsum("ia,irjs,jb->arbs", w.conj(), rho, w)
        size = w.shape[1] * rest
        sigma = sigma.reshape(size, size)
        spectra.append(np.linalg.eigvalsh((sigma + sigma.conj().T) / 2))
    joint = shannon_entropy(np.clip(np.concatenate(spectra), 0.0, None), atol=ATOL_EIGENVALUE)
    s_rho = shannon_entropy(spectrum, atol=ATOL_EIGENVALUE)
    return max(joint - s_rho, 0.0)


def _h_x_given_y(matrix: NDArray, dims: tuple[int, ...], povms: list[POVM], key_party: int,
                 other: int) -> float:
    """:math:`H(X|Y_j) = H(XY_j) - H(Y_j)` from the two-party reduced state."""
    pair = sorted((key_party, other))
    reduced = _reduced(matrix, dims, pair)
    p = povm_distribution(reduced, [povms[i] for i in pair], tuple(dims[i] for i in pair))
    p = p / p.sum()
    y_axis = pair.index(other)
    return max(shannon_entropy(p) - shannon_entropy(p.sum(axis=1 - y_axis)), 0.0)


#: Entropies of recent (source, measurements, key party) questions: a leakage grid asks the
#: same H(X|E), H(X|Y_j) at every point.
_ENTROPY_CACHE = BoundedCache(64)


def _entropies(source: Source, dims, checked, key_party) -> tuple[float, float, int]:
    """H(X|E) (Eve holding the purification), max_j H(X|Y_j) and its j (bits)."""
    key = (source.matrix.tobytes(), dims, tuple(p.elements.tobytes() for p in checked), key_party)
    hit = _ENTROPY_CACHE.get(key)     # (one lookup: another thread may drop the key)
    if hit is not None:
        return hit
    # a Source is a state within ATOL_SOURCE (eigenvalues >= -1e-9, trace 1 +- 1e-9): clip the
    # spectrum to a probability vector so that the entropies see a state
    evals, evecs = np.linalg.eigh((source.matrix + source.matrix.conj().T) / 2)
    evals = np.clip(evals, 0.0, None)
    evals /= evals.sum()
    matrix = (evecs * evals) @ evecs.conj().T
    h_e = _h_x_given_e(matrix, evals, dims, checked[key_party], key_party)
    costs = {j: _h_x_given_y(matrix, dims, checked, key_party, j)
             for j in range(len(dims)) if j != key_party}
    decoding_party = max(costs, key=lambda j: (costs[j], -j))
    return _ENTROPY_CACHE.put(key, (h_e, costs[decoding_party], decoding_party))


def devetak_winter_lower_bound(source: Source, povms: str | Sequence[POVM | str | ArrayLike],
                               leakage: float = 0.0, model: str = "uniform", *,
                               key_party: int = 0) -> SourceLowerBound:
    r"""Devetak-Winter lower bound :math:`\max(0, (1-L)H(X|E) - \max_j H(X|Y_j))` (module doc).

    Parameters
    ----------
    source : Source
        The N-party state (:func:`qkdbounds.states.sources.make_source`).
    povms : list of POVM, or "Z"
        One measurement per party (:class:`~qkdbounds.measurements.povm.POVM`, an array of
        elements of shape ``(n_outcomes, d_i, d_i)``, or ``"Z"`` for the computational basis);
        ``"Z"`` alone means the computational basis for every party.
    leakage : float
        :math:`L\in[0,1]`, the probability that a round's outcomes leak to Eve.
    model : {"uniform", "junk"}
        Leakage model of paper 1 (Eq. 11 or Eq. 20); both use the uniform form, which is a valid
        lower bound for each (module docstring).
    key_party : int
        The party whose outcome is the key, in ``[0, N-1]``; reconciliation is one-way from it.

    Returns
    -------
    SourceLowerBound

    Raises
    ------
    InputError
        ``source`` not a :class:`Source`, wrong number or dimension of POVMs, elements that are
        not a POVM, ``leakage`` outside [0, 1], unknown ``model``, ``key_party`` outside
        [0, N-1].

    Examples
    --------
    Bell state with 5 % white noise, both parties in Z (closed form :math:`1 - S(\rho)`):

    >>> import numpy as np
    >>> from qkdbounds.states.sources import make_source
    >>> phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    >>> rho = 0.95 * np.outer(phi, phi) + 0.05 * np.eye(4) / 4
    >>> bound = devetak_winter_lower_bound(make_source(rho, (2, 2)), "Z")
    >>> round(bound.value, 6), round(bound.h_a_given_b, 6)
    (0.709854, 0.168661)
    >>> round(devetak_winter_lower_bound(make_source(np.outer(phi, phi), (2, 2)), "Z",
    ...                                  leakage=0.1).value, 12)
    0.9
    """
    if not isinstance(source, Source):
        raise InputError(f"source must be a qkdbounds Source (qkdbounds.make_source(matrix, dims)), got "
                         f"{type(source).__name__}")
    dims = tuple(int(d) for d in source.dims)
    n = len(dims)
    checked = _check_povms(povms, dims)
    leakage = check_probability("leakage", leakage)
    model = check_choice("model", model, LEAKAGE_MODELS)
    key_party = check_int("key_party", key_party, 0, n - 1)
    h_e, h_b, decoding_party = _entropies(source, dims, checked, key_party)
    raw = (1.0 - leakage) * h_e - h_b
    labels = "[" + ", ".join(p.label for p in checked) + "]"
    method = _METHOD.format(k=key_party, labels=labels, junk=_JUNK if model == "junk" else "")
    return SourceLowerBound(value=max(raw, 0.0), raw_value=raw, h_a_given_e=h_e,
                            h_a_given_b=h_b, leakage=leakage, model=model, key_party=key_party,
                            decoding_party=decoding_party, method=method)
