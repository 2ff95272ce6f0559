r"""User sources: N-party density matrices with local dimensions, projection, and utilities.

The first piece of "any source" (issue 13): a :class:`Source` carries the matrix and its local
dimensions (QuTiP style), is read from ``.npy`` / ``.npz`` with the file checks of
:mod:`qkdbounds._io`, and is validated as a state.  A tomographic matrix that is slightly
unphysical (an eigenvalue of -1e-6, a trace of 1.002 after rounding) is refused with a message
pointing to ``project=True``, which maps it to the nearest state by the maximum-likelihood
projection of Smolin, Gambetta & Smith, PRL 108, 070502 (2012): keep the eigenvectors, and
lower the eigenvalues to a probability vector by their shifting rule (the closest state in
Frobenius norm); the distance moved is reported.

Utilities: permuting parties, local unitaries, and the isotropic twirl of a two-qudit state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import PARAMETER_RANGES, InputError, check_flag, check_int

__all__ = ["Source", "as_source", "make_source", "load_source", "project_to_state", "permute_parties",
           "apply_local_unitaries", "ATOL_SOURCE", "MAX_SOURCE_DIM", "MAX_PROJECTION_DISTANCE"]

#: Tolerance of the state checks (Hermitian, trace 1, eigenvalues >= -tol).
ATOL_SOURCE = 1e-9
#: Largest total dimension of a source matrix (a 4096 x 4096 complex matrix is 256 MiB; the
#: table of ranges' ``source_dim``, which the CLI's --dims uses too).
MAX_SOURCE_DIM = PARAMETER_RANGES["source_dim"][1]
#: Largest trace distance ``project=True`` may move a matrix: the projection is for slightly
#: unphysical (e.g. tomographic) matrices, not for turning arbitrary arrays into states.
MAX_PROJECTION_DISTANCE = 0.1
#: How the messages name the fix (one wording for the API and the CLI).
_PROJECT_HINT = "pass --project (project=True in the API) to map it to the nearest state"


@dataclass(frozen=True)
class Source:
    """A density matrix with its local dimensions (parties in tensor order).

    Attributes
    ----------
    matrix : ndarray, shape (D, D)
        The state, D = prod(dims).
    dims : tuple of int
        Local dimensions :math:`d_1, \\dots, d_N`.
    projection : dict or None
        When the input was projected: ``trace_distance`` and ``frobenius_distance`` moved,
        ``input_trace``, ``min_input_eigenvalue`` and the ``method``.
    """

    matrix: NDArray[np.complex128] = field(repr=False)
    dims: tuple[int, ...]
    projection: dict | None = None

    @property
    def n_parties(self) -> int:
        return len(self.dims)


def project_to_state(matrix: ArrayLike) -> tuple[NDArray[np.complex128], dict]:
    r"""Nearest density matrix by Smolin, Gambetta & Smith (PRL 108, 070502 (2012)).

    The Hermitian part is normalised to unit trace; with its eigenvalues
    :math:`\mu_1 \ge \dots \ge \mu_D`, the most negative are set to 0 one by one while their
    (negative) mass :math:`a` is spread evenly over the remaining :math:`i` ones, until
    :math:`\mu_i + a/i \ge 0`; the eigenvectors are kept.

    Returns
    -------
    (ndarray, dict)
        The state and ``{"trace_distance", "frobenius_distance", "input_trace",
        "min_input_eigenvalue", "method"}``.

    Raises
    ------
    InputError
        Not square, NaN/inf, or a non-positive trace.
    """
    m = np.asarray(matrix, dtype=complex)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise InputError(f"matrix must be square, got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise InputError("matrix must not contain NaN or inf")
    herm = (m + m.conj().T) / 2
    trace = float(np.trace(herm).real)
    if trace <= 0:
        raise InputError(f"matrix must have a positive trace to be projected, got {trace:.6g}")
    # scaled by a power of two near its largest entry first (exactly, by ldexp): a trace like
    # 1e-320 is subnormal, and dividing by it overflows to inf
    exponent = int(np.frexp(float(np.max(np.abs(herm))))[1])
    unit = np.ldexp(herm.real, -exponent) + 1j * np.ldexp(herm.imag, -exponent)
    unit_trace = float(np.trace(unit).real)
    if not unit_trace > 0 or not np.all(np.isfinite(unit / unit_trace)):
        raise InputError(f"matrix must have a positive trace to be projected, got {trace:.6g} "
                         f"(too small against its entries to normalise)")
    mu, vecs = np.linalg.eigh(unit / unit_trace)
    order = np.argsort(mu)[::-1]
    mu, vecs = mu[order], vecs[:, order]
    lam = mu.copy()
    i, a = len(mu), 0.0
    while i > 0 and lam[i - 1] + a / i < 0:
        a += lam[i - 1]
        lam[i - 1] = 0.0
        i -= 1
    lam[:i] += a / i
    rho = (vecs * lam) @ vecs.conj().T
    with np.errstate(over="ignore", invalid="ignore"):   # entries near 1e300: an inf distance
        diff = rho - m
        # half the trace norm (the sum of singular values): the distance to the input itself,
        # anti-Hermitian part included (the Hermitian part's eigenvalues missed it)
        trace_distance = float(0.5 * np.linalg.svd(diff, compute_uv=False).sum()) \
            if np.all(np.isfinite(diff)) else math.inf
        frobenius = float(np.linalg.norm(diff)) if math.isfinite(trace_distance) else math.inf
    info = {
        "trace_distance": trace_distance,
        "frobenius_distance": frobenius,
        "input_trace": float(np.trace(m).real),
        "min_input_eigenvalue": float(np.linalg.eigvalsh(herm).min()),
        "method": "maximum-likelihood projection, Smolin, Gambetta & Smith, PRL 108, 070502 (2012)",
    }
    return rho, info


def _check_dims(dims, size: int) -> tuple[int, ...]:
    """Local dimensions of at least two parties, each in [2, MAX_SOURCE_DIM], multiplying to
    ``size`` (one-line :class:`InputError` otherwise)."""
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
        raise InputError(f"dims must be a sequence of at least 2 integers >= 2 (one per party), "
                         f"got {dims!r}")
    dims = list(dims)
    if len(dims) < 2:
        raise InputError(f"dims must list at least 2 parties (local dimensions >= 2), got "
                         f"{dims!r}: a single party has no key to bound")
    dims_t = tuple(int(check_int("dims", d, 2, MAX_SOURCE_DIM)) for d in dims)
    if math.prod(dims_t) != size:
        raise InputError(f"dims {list(dims_t)} multiply to {math.prod(dims_t)}, but the matrix "
                         f"is {size} x {size}")
    return dims_t


def make_source(matrix: ArrayLike, dims: Sequence[int], *, project: bool = False,
                name: str = "state", max_dim: int | None = None) -> Source:
    """Validate a matrix as an N-party state (or project it, ``project=True``).

    Parameters
    ----------
    matrix : array_like, shape (D, D)
        The density matrix.
    dims : sequence of int
        Local dimensions of the N >= 2 parties, each >= 2, multiplying to D.
    project : bool
        Map a slightly unphysical matrix to the nearest state (:func:`project_to_state`); the
        trace distance moved must be at most :data:`MAX_PROJECTION_DISTANCE`.
    name : str
        How messages name the matrix.
    max_dim : int, optional
        Refuse a total dimension above this before the checks that cost an eigendecomposition
        (``state-bound`` and the ``state`` sweep question pass the separability engine's limit;
        :func:`load_source` then refuses a larger ``.npy`` from its header, before reading it).

    Returns
    -------
    Source

    Raises
    ------
    InputError
        Not square, dims not matching (or fewer than 2 parties), too large, NaN/inf; not
        Hermitian, not unit trace or not PSD within :data:`ATOL_SOURCE` (unless ``project``),
        naming the check and the fix; with ``project``, a projection moving the matrix by more
        than :data:`MAX_PROJECTION_DISTANCE` in trace distance.
    """
    if hasattr(matrix, "full") and callable(matrix.full):  # QuTiP Qobj and look-alikes
        matrix = matrix.full()
    try:
        raw = np.asarray(matrix)
        m = np.asarray(raw, dtype=complex)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a numeric square matrix or a state vector") from None
    if raw.dtype == object:
        raise InputError(f"{name} must be a numeric square matrix or a state vector (got an "
                         f"array of Python objects)")
    if np.issubdtype(raw.dtype, np.inexact) and np.finfo(raw.dtype).eps > MAX_INPUT_EPS:
        raise InputError(f"{name}: {raw.dtype} entries (about {np.finfo(raw.dtype).precision} "
                         f"significant digits) are too coarse to check a state; allowed: "
                         f"single (float32, complex64) or double precision")
    if m.ndim == 2 and 1 in m.shape and m.shape != (1, 1):
        m = m.ravel()  # a column or row ket
    if m.ndim == 1:
        if m.shape[0] > MAX_SOURCE_DIM:   # before the D x D projector is built
            raise InputError(f"{name} is a state vector of {m.shape[0]} entries; allowed: at most "
                             f"{MAX_SOURCE_DIM}")
        try:
            total = math.prod(int(d) for d in dims)
        except (TypeError, ValueError):
            total = None
        if total is not None and total != m.shape[0]:
            # (before the norm: a D x D matrix written on one line is D^2 numbers, not a ket)
            hint = (f"; {m.shape[0]} = {total}^2 numbers: a {total} x {total} matrix on one "
                    f"line? write one row per line" if m.shape[0] == total * total else "")
            raise InputError(f"{name} is a state vector of {m.shape[0]} entries, but dims "
                             f"{list(dims)} multiply to {total}{hint}")
        if not np.all(np.isfinite(m)):
            raise InputError(f"{name}: a state vector must be finite and non-zero")
        with np.errstate(over="ignore"):      # (entries near 1e300: the norm is inf, said below)
            norm = float(np.linalg.norm(m))
        if norm == 0:
            raise InputError(f"{name}: a state vector must be finite and non-zero")
        if abs(norm - 1) > _input_tolerance(raw.dtype, m.shape[0]):
            raise InputError(f"{name}: the state vector has norm {norm:.9g}, not 1 (tolerance "
                             f"{_input_tolerance(raw.dtype, m.shape[0]):g})")
        m = np.outer(m, m.conj()) / norm**2
    atol = _input_tolerance(raw.dtype, m.shape[0] if m.ndim == 2 else 1)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise InputError(f"{name} must be a square matrix or a state vector, got shape {m.shape}")
    if m.shape[0] > MAX_SOURCE_DIM:
        raise InputError(f"{name} is {m.shape[0]} x {m.shape[0]}; allowed: at most "
                         f"{MAX_SOURCE_DIM} x {MAX_SOURCE_DIM}")
    dims_t = _check_dims(dims, m.shape[0])
    if not np.all(np.isfinite(m)):
        raise InputError(f"{name} must not contain NaN or inf")
    if max_dim is not None and m.shape[0] > max_dim:
        # (before the eigendecomposition of the checks below: ~10 s and 1.5 GB at 4096)
        raise InputError(f"{name} has total dimension {m.shape[0]}; allowed: at most {max_dim} "
                         f"(the separability engine's)")
    if check_flag("project", project):
        rho, info = project_to_state(m)
        moved = info["trace_distance"]
        if moved > MAX_PROJECTION_DISTANCE:
            raise InputError(f"{name}: projecting to the nearest state moves it by trace distance "
                             f"{moved:.4g} > {MAX_PROJECTION_DISTANCE:g} (allowed: at most "
                             f"{MAX_PROJECTION_DISTANCE:g}); --project is for slightly "
                             f"unphysical, e.g. tomographic, matrices")
        return Source(rho, dims_t, info)
    if not np.allclose(m, m.conj().T, atol=atol):
        raise InputError(f"{name} is not Hermitian (tolerance {atol:g}); "
                         f"{_PROJECT_HINT}")
    tr = float(np.trace(m).real)
    if abs(tr - 1) > atol:
        # (a near miss as 1 +- its deviation, which 6 significant digits would hide)
        shown = (f"1 {'+' if tr > 1 else '-'} {abs(tr - 1):.3g}" if abs(tr - 1) < 1e-3
                 else f"{tr:.6g}")
        raise InputError(f"{name} has trace {shown}, not 1 "
                         f"(tolerance {atol:g}); "
                         f"{_PROJECT_HINT}")
    herm = m / 2 + m.conj().T / 2          # (m + m^H)/2 without overflow
    # |rho_ij| <= lambda_max <= 1 + (D - 1) atol for a unit-trace matrix with no eigenvalue
    # below -atol: a larger entry is refused at once (and nothing below can overflow)
    big = float(np.abs(herm).max())
    if big > 1 + herm.shape[0] * atol:
        raise InputError(f"{name} is not positive semidefinite: an entry has modulus {big:.3g} > 1, "
                         f"which no unit-trace state has (tolerance {atol:g}); {_PROJECT_HINT}")
    if not _psd_within(herm, atol):
        low = float(np.linalg.eigvalsh(herm).min())
        if low < -atol:
            raise InputError(f"{name} has a negative eigenvalue {low:.3g} (tolerance "
                             f"{atol:g}); {_PROJECT_HINT}")
    if atol > ATOL_SOURCE:
        # single-precision input: valid within its precision; repair the rounding (clip the
        # eigenvalues at 0, renormalise) so the engines see an exact state
        w, vecs = np.linalg.eigh(herm)
        herm = (vecs * np.clip(w, 0, None)) @ vecs.conj().T
        herm = herm / np.trace(herm).real
    return Source(herm, dims_t, None)


def _psd_within(herm: NDArray, atol: float) -> bool:
    """True when the Hermitian ``herm + atol I`` has a Cholesky factor, i.e. no eigenvalue of
    ``herm`` lies below ``-atol`` (up to round-off): ~6x faster than the eigenvalues at
    4096 x 4096 (2.6 s instead of 15 s).  False means "not shown" (no factor, or a non-finite
    one): the caller then computes the smallest eigenvalue itself."""
    shifted = herm.copy()
    shifted.flat[::herm.shape[0] + 1] += atol
    try:
        factor = np.linalg.cholesky(shifted)
    except np.linalg.LinAlgError:
        return False
    return bool(np.isfinite(factor).all())


#: Coarsest floating-point input accepted (machine epsilon): single precision (1.2e-7); half
#: precision (float16, eps 1e-3) would allow eigenvalues of -0.4 at 4 x 4 within its tolerance.
MAX_INPUT_EPS = 1e-6


def _input_tolerance(dtype, size: int) -> float:
    """Validation tolerance of an input of this dtype: ATOL_SOURCE for double precision, a few
    hundred machine epsilons times the size for single precision (float32, complex64)."""
    if np.issubdtype(dtype, np.inexact) and np.finfo(dtype).eps > 1e-10:
        return max(ATOL_SOURCE, 100 * float(np.finfo(dtype).eps) * max(size, 1))
    return ATOL_SOURCE


def as_source(state, dims: Sequence[int] | None = None, *, project: bool = False,
              name: str = "state", max_dim: int | None = None) -> Source:
    """Any supported description of a state as a :class:`Source` (the front door of the
    any-source dispatcher).

    Parameters
    ----------
    state : Source, array_like, path or object with ``.full()``
        A :class:`Source` (returned as is); a density matrix of shape ``(D, D)`` or a state
        vector of shape ``(D,)`` / ``(D, 1)`` (float32/complex64 accepted within their
        precision); a QuTiP ``Qobj`` (or anything with ``.full()``; its ``dims`` are used when
        ``dims`` is not given); or a ``.npy``/``.npz`` path (:func:`load_source`).
    dims : sequence of int, optional
        Local dimensions; default: from the object (QuTiP), else two qubits for D = 4.
    project : bool
        Project a slightly unphysical matrix (:func:`project_to_state`).
    name, max_dim
        As :func:`make_source`.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        As :func:`make_source`; or ``dims`` missing for a matrix other than 4 x 4.

    Examples
    --------
    >>> src = as_source(np.array([1, 0, 0, 1]) / np.sqrt(2))     # a ket, two qubits
    >>> src.dims, round(float(src.matrix[0, 3].real), 6)
    ((2, 2), 0.5)
    """
    import os

    if isinstance(state, Source):
        if dims is not None and tuple(dims) != tuple(state.dims):
            raise InputError(f"dims {list(dims)} do not match the source's {list(state.dims)}")
        return state
    from .isotropic import IsotropicGHZ

    if isinstance(state, IsotropicGHZ):      # the library's own family: its matrix and dims
        own = (state.local_dim,) * state.n_parties
        if dims is not None and tuple(dims) != own:
            raise InputError(f"dims {list(dims)} do not match the isotropic state's {list(own)}")
        if state.local_dim ** state.n_parties > MAX_SOURCE_DIM:
            raise InputError(f"{name}: an isotropic GHZ state of d = {state.local_dim}, N = "
                             f"{state.n_parties} has more than {MAX_SOURCE_DIM} dimensions; "
                             f"rate_upper_bound answers it in closed form")
        state, dims = state.to_dense(), own
    if dims is None and hasattr(state, "dims") and hasattr(state, "full"):
        qdims = getattr(state, "dims")
        try:
            first = [int(x) for x in qdims[0]]
            if len(first) >= 2:
                dims = first
        except (TypeError, ValueError, IndexError):
            pass
    if isinstance(state, (str, os.PathLike)):
        return load_source(state, dims, project=project, max_dim=max_dim)
    if dims is None:
        try:
            size = np.asarray(state.full() if hasattr(state, "full") else state).shape
        except (TypeError, ValueError, OverflowError):
            size = ()
        dims = _default_dims(size, name)
    return make_source(state, dims, project=project, name=name, max_dim=max_dim)


def _default_dims(shape, name: str) -> tuple[int, ...]:
    """Two qubits for a 4 x 4 matrix or a 4-vector; a shape that is neither a square matrix nor
    a vector is refused as such, any other size asks for dims."""
    shape = tuple(shape)
    vector = len(shape) == 1 or (len(shape) == 2 and 1 in shape and shape != (1, 1))
    square = len(shape) == 2 and shape[0] == shape[1]
    if not (vector or square) or 0 in shape:
        raise InputError(f"{name} must be a square matrix or a state vector, got shape {shape}")
    if max(shape) == 4:
        return (2, 2)
    raise InputError(f"{name}: give dims (--dims D1 D2 ...) for a source that is not a 4 x 4 "
                     f"two-qubit matrix")


#: Suffixes read as a text matrix (:func:`numpy.loadtxt`, complex entries as ``numpy.savetxt``
#: writes them, ``(re+imj)``; ``.csv`` comma-separated).
TEXT_SUFFIXES = (".txt", ".csv", ".dat")


def _load_text_matrix(p) -> np.ndarray:
    """A matrix or state vector from a text file (:data:`TEXT_SUFFIXES`)."""
    import warnings

    # the size before parsing (numpy.loadtxt holds every token: ~30 s and 2 GB for 256 MiB):
    # rows x the first row's entries
    with open(p, "rb") as fh:
        rows, first = 0, None
        for line in fh:
            text = line.split(b"#", 1)[0].strip()
            if text:
                rows += 1
                if first is None:
                    first = len(text.replace(b",", b" ").split())
    if first is not None and rows * first > MAX_SOURCE_DIM**2:
        raise InputError(f"state file {p} holds about {rows * first} entries ({rows} rows of "
                         f"{first}); allowed: at most {MAX_SOURCE_DIM**2} (total dimension <= "
                         f"{MAX_SOURCE_DIM})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")      # (an empty or ragged file: one clear line)
            matrix = np.loadtxt(p, dtype=complex, ndmin=1,
                                delimiter="," if p.suffix.lower() == ".csv" else None)
    except (ValueError, OSError, UserWarning) as exc:
        # (numpy's advice, "use `usecols`", names an argument the user does not have)
        reason = str(exc).splitlines()[0].split("; use `usecols`")[0]
        raise InputError(f"state file {p}: not a readable text matrix ({reason}; rows of "
                         f"numbers, complex as (re+imj), one row per line)") from None
    if matrix.size > MAX_SOURCE_DIM**2:
        raise InputError(f"state file {p} holds {matrix.size} entries; allowed: at most "
                         f"{MAX_SOURCE_DIM**2} (total dimension <= {MAX_SOURCE_DIM})")
    if not np.any(matrix.imag):
        matrix = matrix.real
    return matrix


class _TooLarge(InputError):
    """A state file larger than the caller's ``max_dim`` (said as it is, without the list of
    accepted file kinds)."""


def load_source(path, dims: Sequence[int] | None, *, project: bool = False,
                max_dim: int | None = None) -> Source:
    """Read a source from ``.npy`` (one array), ``.npz`` (one array, or the key ``rho``) or a
    text matrix (:data:`TEXT_SUFFIXES`: :func:`numpy.loadtxt`, complex entries as
    :func:`numpy.savetxt` writes them);
    ``dims=None`` means two qubits for a 4 x 4 matrix or a 4-vector (else an error asking for
    dims).

    Both are checked before reading: file kind and size, the ``.npy`` header (shape, dtype), the
    ``.npz`` member list and sizes.
    """
    from .._io import MAX_INPUT_BYTES, check_input_file, load_npy_checked

    p = check_input_file("state file", path)
    if p.suffix.lower() == ".npz":
        import zipfile

        try:
            with zipfile.ZipFile(p) as zf:
                members = zf.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"state file {p} is not a readable .npz archive ({exc})") from None
        names = [m.filename.removesuffix(".npy") for m in members]
        if sum(m.file_size for m in members) > MAX_INPUT_BYTES:
            raise InputError(f"state file {p} unpacks to more than "
                             f"{MAX_INPUT_BYTES / 2**20:.0f} MiB")
        key = "rho" if "rho" in names else (names[0] if len(names) == 1 else None)
        if key is None:
            raise InputError(f"state file {p} must hold one array or one named 'rho', found "
                             f"{', '.join(names) or 'none'}")
        try:
            with np.load(p, allow_pickle=False) as data:
                matrix = data[key]
        except (ValueError, OSError, EOFError) as exc:
            raise InputError(f"state file {p}: array {key!r} is not readable ({exc})") from None
    elif p.suffix.lower() in TEXT_SUFFIXES:
        matrix = _load_text_matrix(p)
    else:
        def check_size(shape):
            # the header's shape against the size asked for, before the array is read
            size = None if not shape else shape[0] if len(shape) == 2 else int(np.prod(shape))
            if max_dim is not None and size is not None and size > max_dim:
                raise _TooLarge(f"state in {p.name} has total dimension {size}; allowed: at most "
                                f"{max_dim} (the separability engine's)")

        try:
            matrix = load_npy_checked("state file", p, max_elements=MAX_SOURCE_DIM**2,
                                      check_shape=check_size)
        except _TooLarge as exc:
            raise InputError(str(exc)) from None
        except InputError as exc:
            raise InputError(f"{exc}; accepted: .npy, .npz, or a text matrix "
                             f"({', '.join(TEXT_SUFFIXES)}, as numpy.savetxt writes it)") from None
    name = f"state in {p.name}"
    if dims is None:
        dims = _default_dims(np.shape(matrix), name)
    return make_source(matrix, dims, project=project, name=name, max_dim=max_dim)


def permute_parties(source: Source, order: Sequence[int]) -> Source:
    """The same state with the parties in the new ``order`` (party ``order[j]`` becomes ``j``)."""
    n = source.n_parties
    order = [check_int("order entry", o, 0, n - 1) for o in order]
    if sorted(order) != list(range(n)):
        raise InputError(f"order must be a permutation of 0..{n - 1}, got {order}")
    t = source.matrix.reshape(source.dims * 2)
    t = t.transpose(order + [n + o for o in order])
    dims = tuple(source.dims[o] for o in order)
    size = math.prod(dims)
    return Source(t.reshape(size, size), dims, source.projection)


def apply_local_unitaries(source: Source, unitaries: Sequence[ArrayLike]) -> Source:
    """:math:`(U_1\\otimes\\dots\\otimes U_N)\\,\\rho\\,(U_1\\otimes\\dots\\otimes U_N)^\\dagger`."""
    if len(unitaries) != source.n_parties:
        raise InputError(f"give one unitary per party ({source.n_parties}), got {len(unitaries)}")
    big = np.ones((1, 1), dtype=complex)
    for j, (u, d) in enumerate(zip(unitaries, source.dims)):
        u = np.asarray(u, dtype=complex)
        if u.shape != (d, d) or not np.allclose(u.conj().T @ u, np.eye(d), atol=1e-10):
            raise InputError(f"unitaries[{j}] must be a {d} x {d} unitary matrix")
        big = np.kron(big, u)
    return Source(big @ source.matrix @ big.conj().T, source.dims, source.projection)
