r"""General measurements (POVMs), one per party, and their outcome distributions.

A POVM on :math:`\mathbb C^d` is a list of operators :math:`E_a \ge 0` with
:math:`\sum_a E_a = \mathbb 1` (any number of outcomes; real detectors with finite efficiency
are POVMs, e.g. a no-click outcome).  Outcome probabilities of an N-party state are
:math:`p(\vec a) = \mathrm{Tr}[(E^{(1)}_{a_1}\otimes\dots\otimes E^{(N)}_{a_N})\rho]` (paper 1,
before Eq. 8, with projectors replaced by POVM elements).

Extremality (used by the POVM premise study of ``docs/errata.md``): a POVM with
:math:`E_a = \sum_k |v_{ak}\rangle\langle v_{ak}|` (the :math:`v_{ak}` spanning the support of
:math:`E_a`) is extremal in the convex set of POVMs with that many outcomes iff the operators
:math:`\{|v_{ak}\rangle\langle v_{al}|\}_{a,k,l}` are linearly independent
(G. M. D'Ariano, P. Lo Presti, P. Perinotti, J. Phys. A 38, 5979 (2005), Theorem 3).  In
particular a rank-one POVM is extremal iff its elements are linearly independent, so it has at
most :math:`d^2` outcomes.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_int

__all__ = [
    "POVM",
    "ATOL_POVM",
    "check_povm",
    "povm_from_unitary",
    "rank_one_povm",
    "random_rank_one_povm",
    "is_extremal",
    "nonprojective_extremal_qutrit_povm",
    "load_povms",
    "povm_distribution",
    "product_distribution",
    "member_distributions",
]

#: Tolerance of the POVM checks: eigenvalues >= -ATOL_POVM, ||sum_a E_a - 1||_max <= ATOL_POVM.
ATOL_POVM = 1e-9
#: Relative singular-value cut-off of the rank / linear-independence tests of extremality.
RTOL_RANK = 1e-10
#: Largest number of outcomes per party accepted (d^2 bounds extremal rank-one POVMs; 4096 is a
#: generous cap that keeps the outcome tensor of a few parties in memory).
MAX_OUTCOMES = 4096


@dataclass(frozen=True)
class POVM:
    """A validated POVM: ``elements[a]`` is :math:`E_a` (array of shape ``(n_outcomes, d, d)``).

    Build it with :func:`check_povm` (validation), :func:`povm_from_unitary`,
    :func:`rank_one_povm` or :func:`random_rank_one_povm`.
    """

    elements: NDArray[np.complex128] = field(repr=False)
    label: str = "povm"

    @property
    def dim(self) -> int:
        """Local dimension :math:`d`."""
        return int(self.elements.shape[1])

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes."""
        return int(self.elements.shape[0])

    @property
    def is_projective(self) -> bool:
        """True if every element is a projector (:math:`E_a^2 = E_a` to ``ATOL_POVM``)."""
        sq = np.einsum("aij,ajk->aik", self.elements, self.elements)
        return bool(np.allclose(sq, self.elements, atol=1e-8))

    @property
    def ranks(self) -> list[int]:
        """Rank of every element (eigenvalues above ``RTOL_RANK``)."""
        return [int(np.sum(np.linalg.eigvalsh(e) > RTOL_RANK)) for e in self.elements]

    def probabilities(self, vector: NDArray) -> NDArray[np.float64]:
        """:math:`\\langle v|E_a|v\\rangle` for a normalised vector (shape ``(d,)`` -> ``(n,)``)."""
        p = np.real(np.einsum("i,aij,j->a", np.conj(vector), self.elements, vector))
        return np.clip(p, 0.0, None)


def check_povm(elements, name: str = "povm", label: str = "povm") -> POVM:
    """Validate POVM elements: finite, Hermitian, PSD, summing to the identity (``ATOL_POVM``).

    Parameters
    ----------
    elements : array_like, shape (n_outcomes, d, d)
        The operators :math:`E_a` (n_outcomes >= 1, d >= 2).
    name : str
        What the elements are called in error messages (e.g. ``"measurements file F.npz, party0"``).

    Returns
    -------
    POVM

    Raises
    ------
    InputError
        Wrong shape, NaN/inf, non-Hermitian or negative elements, or
        :math:`\\|\\sum_a E_a - \\mathbb 1\\|_{max} > 10^{-9}`; the message names ``name``.

    Examples
    --------
    >>> check_povm([[[1, 0], [0, 0]], [[0, 0], [0, 1]]]).is_projective
    True
    >>> check_povm([[[1, 0], [0, 0]]])
    Traceback (most recent call last):
    ...
    qkdbounds.errors.InputError: povm: elements must sum to the identity within 1e-09 (max deviation 1)
    """
    try:
        e = np.asarray(elements, dtype=complex)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name}: POVM elements must be numeric arrays") from None
    if e.ndim != 3 or e.shape[1] != e.shape[2] or e.shape[1] < 2 or e.shape[0] < 1:
        raise InputError(f"{name}: POVM elements must have shape (n_outcomes, d, d) with d >= 2, "
                         f"got {e.shape}")
    if e.shape[0] > MAX_OUTCOMES:
        raise InputError(f"{name}: at most {MAX_OUTCOMES} outcomes, got {e.shape[0]}")
    if not np.all(np.isfinite(e)):
        raise InputError(f"{name}: POVM elements must not contain NaN or inf")
    herm = np.max(np.abs(e - np.conj(np.transpose(e, (0, 2, 1)))))
    if herm > ATOL_POVM:
        raise InputError(f"{name}: POVM elements must be Hermitian within {ATOL_POVM:g} "
                         f"(max deviation {herm:.3g})")
    e = (e + np.conj(np.transpose(e, (0, 2, 1)))) / 2
    low = np.linalg.eigvalsh(e).min(axis=1)
    if np.any(low < -ATOL_POVM):
        a = int(np.argmin(low))
        raise InputError(f"{name}: POVM element {a} is not positive semidefinite within "
                         f"{ATOL_POVM:g} (eigenvalue {low[a]:.3g})")
    dev = float(np.max(np.abs(e.sum(axis=0) - np.eye(e.shape[1]))))
    if dev > ATOL_POVM:
        raise InputError(f"{name}: elements must sum to the identity within {ATOL_POVM:g} "
                         f"(max deviation {dev:.3g})")
    return POVM(e, label)


def povm_from_unitary(unitary: NDArray, label: str = "projective") -> POVM:
    """The projective POVM :math:`E_a = U|a\\rangle\\langle a|U^\\dagger` (columns of ``unitary``)."""
    u = np.asarray(unitary, dtype=complex)
    return POVM(np.einsum("ia,ja->aij", u, u.conj()), label)


def rank_one_povm(vectors: NDArray, label: str = "rank-one") -> POVM:
    r"""Rank-one POVM :math:`E_a = |w_a\rangle\langle w_a|` from the columns of a ``d x n`` matrix.

    The matrix :math:`Z` is first made an isometry's adjoint, :math:`W = (ZZ^\dagger)^{-1/2}Z`
    (so :math:`WW^\dagger = \mathbb 1`, Naimark), and :math:`w_a` are the columns of :math:`W`.

    Raises
    ------
    InputError
        ``vectors`` not of shape ``(d, n)`` with ``n >= d >= 2`` or not of full row rank.
    """
    z = np.asarray(vectors, dtype=complex)
    if z.ndim != 2 or z.shape[0] < 2 or z.shape[1] < z.shape[0]:
        raise InputError(f"vectors must be a d x n matrix with n >= d >= 2, got shape {z.shape}")
    gram = z @ z.conj().T
    evals, evecs = np.linalg.eigh(gram)
    if evals.min() <= RTOL_RANK * evals.max():
        raise InputError("vectors must have full row rank (their span must be the whole space)")
    w = (evecs * evals**-0.5) @ evecs.conj().T @ z
    return POVM(np.einsum("ia,ja->aij", w, w.conj()), label)


def random_rank_one_povm(local_dim: int, n_outcomes: int, rng: np.random.Generator) -> POVM:
    """Random rank-one POVM: ``d`` rows of a Haar-random ``n x n`` unitary (Naimark dilation).

    For ``d <= n <= d**2`` it is extremal with probability one (linearly independent elements);
    ``n = d`` gives a Haar-random projective measurement.
    """
    d = check_int("local_dim", local_dim, 2)
    n = check_int("n_outcomes", n_outcomes, d, MAX_OUTCOMES)
    z = (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    q = q * (np.diag(r) / np.abs(np.diag(r)))
    w = q[:d, :]
    return POVM(np.einsum("ia,ja->aij", w, w.conj()), f"rank-one({n})")


def is_extremal(povm: POVM) -> bool:
    """D'Ariano-Lo Presti-Perinotti criterion (module docstring): linear independence of
    :math:`\\{|v_{ak}\\rangle\\langle v_{al}|\\}` over the supports of the elements.

    Examples
    --------
    >>> is_extremal(povm_from_unitary(np.eye(3)))
    True
    >>> is_extremal(POVM(np.array([np.eye(2) / 2, np.eye(2) / 2])))   # coin flip: not extremal
    False
    >>> p = nonprojective_extremal_qutrit_povm()
    >>> is_extremal(p), p.is_projective, p.n_outcomes
    (True, False, 3)
    """
    ops = []
    for e in povm.elements:
        evals, evecs = np.linalg.eigh(e)
        keep = evals > RTOL_RANK * max(1.0, evals.max())
        vecs = evecs[:, keep] * np.sqrt(evals[keep])
        for k in range(vecs.shape[1]):
            for m in range(vecs.shape[1]):
                ops.append(np.outer(vecs[:, k], vecs[:, m].conj()).ravel())
    mat = np.array(ops)
    sv = np.linalg.svd(mat, compute_uv=False)
    return bool(np.sum(sv > RTOL_RANK * sv.max()) == len(ops))


def nonprojective_extremal_qutrit_povm() -> POVM:
    r"""A 3-outcome qutrit POVM that is extremal but not projective (ranks 2, 1, 1).

    :math:`E_1 = t|0\rangle\langle 0|`, :math:`E_2 = t|+\rangle\langle +|` with
    :math:`|+\rangle = (|0\rangle+|1\rangle)/\sqrt2` and :math:`t = 1/(1 + 1/\sqrt 2)` (so
    :math:`E_1 + E_2` has largest eigenvalue 1), :math:`E_0 = \mathbb 1 - E_1 - E_2` (rank 2).
    A counterexample to "d-outcome extremal POVMs are projective" (paper 1, appendix before
    Eq. 23) for d = 3; see ``docs/errata.md``.
    """
    t = 1.0 / (1.0 + 1.0 / np.sqrt(2.0))
    e1 = np.zeros((3, 3), dtype=complex)
    e1[0, 0] = t
    plus = np.array([1.0, 1.0, 0.0]) / np.sqrt(2.0)
    e2 = t * np.outer(plus, plus).astype(complex)
    e0 = np.eye(3) - e1 - e2
    e0 = (e0 + e0.conj().T) / 2
    return POVM(np.array([e0, e1, e2]), "extremal-211")


def load_povms(path, dims: Sequence[int], name: str = "measurements") -> list[POVM]:
    """POVMs per party from an ``.npz`` file with arrays ``party0``, ``party1``, ...

    Parameters
    ----------
    path : str or os.PathLike
        ``.npz`` file; ``party{i}`` has shape ``(n_outcomes_i, d_i, d_i)``.
    dims : sequence of int
        Local dimensions :math:`d_i` of the parties.
    name : str
        The parameter name used in error messages.

    Raises
    ------
    InputError
        Unreadable file, missing/extra ``party{i}`` arrays, wrong sizes, or elements that are not
        a POVM (one line naming the file and the party).
    """
    where = f"{name} file {os.fspath(path)}"
    try:
        data = np.load(path, allow_pickle=False)
        if not hasattr(data, "files"):
            raise InputError(f"{where}: must be an .npz archive with arrays party0, party1, ...")
        with data:
            arrays = {k: np.asarray(data[k]) for k in data.files}
    except InputError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise InputError(f"{where}: cannot be read as .npz ({type(exc).__name__})") from None
    n = len(dims)
    expected = [f"party{i}" for i in range(n)]
    missing = [k for k in expected if k not in arrays]
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        raise InputError(f"{where}: needs exactly the arrays {', '.join(expected)} "
                         f"(missing: {missing or 'none'}, unexpected: {extra or 'none'})")
    povms = []
    for i, d in enumerate(dims):
        e = arrays[f"party{i}"]
        if e.ndim != 3 or e.shape[1:] != (d, d):
            raise InputError(f"{where}, party{i}: shape must be (n_outcomes, {d}, {d}), got {e.shape}")
        if not (np.issubdtype(e.dtype, np.number)):
            raise InputError(f"{where}, party{i}: elements must be numeric, got dtype {e.dtype}")
        povms.append(check_povm(e, f"{where}, party{i}", f"party{i}"))
    return povms


def povm_distribution(matrix: NDArray, povms: Sequence[POVM], dims: Sequence[int]) -> NDArray[np.float64]:
    r""":math:`p(\vec a) = \mathrm{Tr}[(\otimes_i E^{(i)}_{a_i})\rho]` (shape ``(n_1, ..., n_N)``).

    Contracts one party at a time on the tensor of ``matrix`` (no :math:`\prod n_i\times D`
    object); tiny negative rounding is clipped.

    Examples
    --------
    >>> phi = np.array([1, 0, 0, 1]) / np.sqrt(2)
    >>> z = povm_from_unitary(np.eye(2))
    >>> povm_distribution(np.outer(phi, phi), [z, z], (2, 2)).round(12).tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    """
    n = len(dims)
    t = np.asarray(matrix, dtype=complex).reshape(tuple(dims) * 2)
    # after contracting party i, its (row, column) pair becomes one outcome axis, moved to the end
    for i, povm in enumerate(povms):
        rows = n - i  # remaining row axes come first, then remaining column axes
        t = np.tensordot(t, povm.elements, axes=([0, rows], [2, 1]))
    p = np.real(t)
    return np.clip(p, 0.0, None)


def member_distributions(vectors: Sequence[NDArray], povms: Sequence[POVM]) -> NDArray[np.float64]:
    r"""Unweighted product distributions :math:`\prod_i\langle v^{(i)}_k|E^{(i)}_{a_i}|v^{(i)}_k\rangle`
    of the members ``k`` of a product ensemble (``vectors[i]`` of shape ``(K, d_i)``; result of
    shape ``(K, n_1, ..., n_N)``)."""
    per_party = [np.clip(np.real(np.einsum("ki,aij,kj->ka", np.conj(v), p.elements, v)), 0, None)
                 for v, p in zip(vectors, povms)]
    out = per_party[0]
    for f in per_party[1:]:
        out = out[..., None] * f.reshape([f.shape[0]] + [1] * (out.ndim - 1) + [f.shape[1]])
    return out


def product_distribution(weights: NDArray, vectors: Sequence[NDArray],
                         povms: Sequence[POVM]) -> NDArray[np.float64]:
    r"""Distribution :math:`\sum_k w_k \prod_i \langle v^{(i)}_k|E^{(i)}_{a_i}|v^{(i)}_k\rangle` of a
    product-state ensemble (``vectors[i]`` of shape ``(K, d_i)``; result ``(n_1, ..., n_N)``)."""
    members = member_distributions(vectors, povms)
    return np.tensordot(np.asarray(weights, dtype=float), members, axes=1)
