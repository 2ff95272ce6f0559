r"""Bell data :math:`p(ab|xy)`: from a two-qubit source with visibility and detection efficiency,
or from a user table (issue 14, item 2).

**Source.** The partially entangled state
:math:`|\psi_\theta\rangle = \cos\theta|00\rangle + \sin\theta|11\rangle` mixed with white noise,

.. math:: \rho = v\,|\psi_\theta\rangle\langle\psi_\theta| + (1-v)\,\mathbb 1/4,

measured with projective qubit observables :math:`\sigma_\varphi = \cos\varphi\,\sigma_z +
\sin\varphi\,\sigma_x` (Bloch axes in the x-z plane; outcome 0 is the +1 eigenvalue).

**Detectors** (Eberhard, PRA 47, R747 (1993); Pironio et al., NJP 11, 045021 (2009), Sec. 6): each
party's detector clicks with probability :math:`\eta` independently of everything else.  The
measurement is then the POVM :math:`\{\eta\Pi_0, \eta\Pi_1, (1-\eta)\mathbb 1\}`: the no-click
event is either *kept* as a third outcome (index 2, label ``"none"``) or *binned* into outcome 0
(the +1 outcome, the usual convention; with :math:`\theta=\pi/4`, :math:`v=1` and the CHSH settings
this gives :math:`S = 2\sqrt2\,v\eta^2 + 2(1-\eta)^2`).  ``binning`` says which parties bin:
``"none"``, ``"A"``, ``"B"`` or ``"both"``.

**Settings.** The default is the standard protocol of Acín et al., PRL 98, 230501 (2007): Alice's
settings 0, 1 and Bob's 0, 1 are CHSH-optimal for :math:`\rho` (Horodecki, Horodecki & Horodecki,
PLA 200, 340 (1995): Bob at :math:`\pm\mu` with :math:`\tan\mu = \sin 2\theta`, Alice along z and
x), and Alice's key setting 2 is aligned with Bob's setting 0 (:math:`T b_0/|Tb_0|`, the axis of
maximal correlation with it; for :math:`\theta=\pi/4` the same axis).  The key is generated from
Alice's setting 2 and Bob's setting 0.

Boxes are arrays ``p[x, y, a, b]``.  Every box is checked: non-negative, normalised for every
:math:`(x, y)`, and no-signalling (the marginals of each party do not depend on the other's
setting).  Boxes are built from the correlator closed form (:func:`qubit_box`); the dense
route (:func:`box_from_povms`, a trace of the state with the POVM elements per entry) is the
tests' second route and the form of Eve's realisation certificates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_choice, check_int, check_probability, check_real, check_sequence

__all__ = [
    "BINNINGS", "BellBox", "bell_box", "box_from_povms", "check_box", "chsh_value_of_box",
    "bell_table", "default_settings", "load_bell_table", "load_settings", "is_bell_table", "no_signalling_deviation", "partially_entangled_state",
    "qubit_povm", "qubit_box", "bin_no_click", "pad_outcomes", "no_signalling_repair", "project_to_no_signalling", "ATOL_BOX", "MAX_OUTCOMES", "MAX_SETTINGS",
]

BINNINGS = ("none", "A", "B", "both")
#: Normalisation and no-signalling tolerance of a box (user tables may set their own).
ATOL_BOX = 1e-9
#: Largest number of settings and outcomes per party accepted (the local polytope has
#: ``outcomes**settings`` vertices per party; see :mod:`qkdbounds.di.locality`).
MAX_SETTINGS = 8
MAX_OUTCOMES = 8
_PAULI_X = np.array([[0, 1], [1, 0]], dtype=float)
_PAULI_Z = np.array([[1, 0], [0, -1]], dtype=float)


@dataclass(frozen=True)
class BellBox:
    """A checked Bell box :math:`p(ab|xy)` and what it came from.

    Attributes
    ----------
    probabilities : ndarray, shape (n_settings_a, n_settings_b, n_outcomes_a, n_outcomes_b)
        ``probabilities[x, y, a, b]`` = :math:`p(ab|xy)`.
    outcomes_a, outcomes_b : tuple of str
        Labels of the outcomes (``"+1"``, ``"-1"`` and, if kept, ``"none"`` for no-click).
    key_settings : tuple of int
        Alice's and Bob's key-generating settings :math:`(\\hat x, \\hat y)`.
    chsh_settings : tuple of tuple of int
        The two settings of each party entering the CHSH test.
    source : dict
        How the box was made (state parameters, angles, efficiencies, binning; or a file).
    """

    probabilities: NDArray[np.float64] = field(repr=False)
    outcomes_a: tuple[str, ...]
    outcomes_b: tuple[str, ...]
    key_settings: tuple[int, int]
    chsh_settings: tuple[tuple[int, int], tuple[int, int]]
    source: dict = field(repr=False)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return tuple(self.probabilities.shape)

    def key_distribution(self) -> NDArray[np.float64]:
        """:math:`p(ab|\\hat x\\hat y)`, shape (n_outcomes_a, n_outcomes_b)."""
        x, y = self.key_settings
        return self.probabilities[x, y]


def no_signalling_deviation(p: ArrayLike) -> float:
    """Largest change of a party's marginal with the other party's setting (0 for NS boxes)."""
    p = np.asarray(p, dtype=float)
    pa = p.sum(axis=3)  # (x, y, a)
    pb = p.sum(axis=2)  # (x, y, b)
    return float(max(np.abs(pa - pa[:, :1]).max(), np.abs(pb - pb[:1]).max()))


def check_box(p: ArrayLike, name: str = "probabilities", atol: float = ATOL_BOX) -> NDArray[np.float64]:
    """Validate a Bell box ``p[x, y, a, b]``; return it as a float array (round-off clipped).

    Raises
    ------
    InputError
        Not a finite 4-dimensional array; more than :data:`MAX_SETTINGS` settings or
        :data:`MAX_OUTCOMES` outcomes per party, or fewer than 2 of either; an entry below
        ``-atol``; a setting pair whose probabilities do not sum to 1 within ``atol``; a
        signalling box (deviation above ``atol``).
    """
    z = p if isinstance(p, np.ndarray) else _complex_probe(p)
    if np.iscomplexobj(z):
        if np.any(z.imag != 0):
            raise InputError(f"{name} must be real (probabilities); got complex entries")
        p = z.real
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"{name} must be a numeric array p[x][y][a][b] ({exc})") from None
    if arr.ndim != 4:
        raise InputError(f"{name} must be a 4-dimensional array p[x][y][a][b], got {arr.ndim} dimensions")
    n_x, n_y, n_a, n_b = arr.shape
    if not (2 <= n_x <= MAX_SETTINGS and 2 <= n_y <= MAX_SETTINGS):
        raise InputError(f"{name}: settings per party must be in [2, {MAX_SETTINGS}], got {n_x} and {n_y}")
    if not (2 <= n_a <= MAX_OUTCOMES and 2 <= n_b <= MAX_OUTCOMES):
        raise InputError(f"{name}: outcomes per party must be in [2, {MAX_OUTCOMES}], got {n_a} and {n_b}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must not contain NaN or inf")
    if arr.min() < -atol:
        raise InputError(f"{name} must be non-negative, smallest entry {arr.min():.3g}")
    sums = arr.sum(axis=(2, 3))
    worst = float(np.abs(sums - 1).max())
    if worst > atol:
        raise InputError(f"{name}: p(.|xy) must sum to 1 for every setting pair (within {atol:g}); "
                         f"largest deviation {worst:.3g}")
    ns = no_signalling_deviation(arr)
    if ns > atol:
        raise InputError(f"{name} must be no-signalling (within {atol:g}); largest marginal "
                         f"deviation {ns:.3g}")
    return np.clip(arr, 0.0, None)


def _complex_probe(p):
    """``numpy.asarray(p)`` if it is a regular array, else an empty real array (a ragged or
    otherwise malformed input then gets the numeric check's message)."""
    try:
        return np.asarray(p)
    except (TypeError, ValueError, OverflowError):
        return np.zeros(0)


def partially_entangled_state(theta: float, visibility: float = 1.0) -> NDArray[np.float64]:
    r""":math:`v|\psi_\theta\rangle\langle\psi_\theta| + (1-v)\mathbb 1/4`, shape (4, 4), real.

    Parameters
    ----------
    theta : float
        :math:`\theta\in[0, \pi/2]`; :math:`\pi/4` is the maximally entangled state.
    visibility : float
        :math:`v \in [0, 1]`.
    """
    theta = check_real("theta", theta, 0.0, np.pi / 2)
    v = check_probability("visibility", visibility)
    psi = np.array([np.cos(theta), 0.0, 0.0, np.sin(theta)])
    return v * np.outer(psi, psi) + (1 - v) * np.eye(4) / 4


def qubit_povm(angle: float, efficiency: float = 1.0, binned: bool = True) -> NDArray[np.float64]:
    r"""POVM of a qubit observable :math:`\sigma_\varphi` read by a detector of efficiency
    :math:`\eta`: :math:`\{\eta\Pi_+ + (1-\eta)\mathbb 1, \eta\Pi_-\}` if binned, else
    :math:`\{\eta\Pi_+, \eta\Pi_-, (1-\eta)\mathbb 1\}`; shape (2 or 3, 2, 2)."""
    obs = np.cos(angle) * _PAULI_Z + np.sin(angle) * _PAULI_X
    plus, minus = (np.eye(2) + obs) / 2, (np.eye(2) - obs) / 2
    miss = (1 - efficiency) * np.eye(2)
    if binned:
        return np.stack([efficiency * plus + miss, efficiency * minus])
    return np.stack([efficiency * plus, efficiency * minus, miss])


def box_from_povms(rho: ArrayLike, povms_a: Sequence[ArrayLike], povms_b: Sequence[ArrayLike]) -> NDArray:
    r""":math:`p(ab|xy) = \mathrm{tr}[\rho\,(M^x_a\otimes N^y_b)]` for two-qubit (or any
    :math:`d_A d_B`) ``rho``; ``povms_a[x]`` of shape (n_outcomes_a, d_A, d_A)."""
    rho = np.asarray(rho)
    ma = np.stack([np.asarray(m) for m in povms_a])  # (x, a, i, j)
    mb = np.stack([np.asarray(m) for m in povms_b])  # (y, b, k, l)
    da, db = ma.shape[-1], mb.shape[-1]
    r = rho.reshape(da, db, da, db)
    # tr[rho (M (x) N)] = sum rho[j l, i k] M[i j] N[k l]
    p = np.einsum("jlik,xaij,ybkl->xyab", r, ma, mb, optimize=True)
    return np.real(p)


def qubit_box(theta: float, visibility: float, alice_angles, bob_angles, eta_a: float, eta_b: float,
              binning: str) -> NDArray[np.float64]:
    r"""Closed form of the box of :func:`bell_box` (no validation; the fast inner route).

    With :math:`\langle A\rangle = v\cos2\theta\cos\alpha`, :math:`\langle B\rangle =
    v\cos2\theta\cos\beta` and :math:`E = v(\cos\alpha\cos\beta + \sin2\theta\sin\alpha
    \sin\beta)`, :math:`p(ab) = (1 + s_a\langle A\rangle + s_b\langle B\rangle + s_as_bE)/4`,
    then the detectors (:math:`\eta_A\eta_B p(ab)`, :math:`\eta_A(1-\eta_B)p(a)`, ...).
    """
    al, be = np.asarray(alice_angles, dtype=float), np.asarray(bob_angles, dtype=float)
    c2, s2 = np.cos(2 * theta), np.sin(2 * theta)
    ea = visibility * c2 * np.cos(al)[:, None]
    eb = visibility * c2 * np.cos(be)[None, :]
    corr = visibility * (np.outer(np.cos(al), np.cos(be)) + s2 * np.outer(np.sin(al), np.sin(be)))
    sign = np.array([1.0, -1.0])
    ideal = (1 + sign[:, None] * ea[..., None, None] + sign[None, :] * eb[..., None, None]
             + np.outer(sign, sign) * corr[..., None, None]) / 4  # (x, y, a, b)
    p = np.zeros(ideal.shape[:2] + (3, 3))
    p[:, :, :2, :2] = eta_a * eta_b * ideal
    p[:, :, :2, 2] = eta_a * (1 - eta_b) * ideal.sum(axis=3)
    p[:, :, 2, :2] = (1 - eta_a) * eta_b * ideal.sum(axis=2)
    p[:, :, 2, 2] = (1 - eta_a) * (1 - eta_b)
    bin_a, bin_b = _binned(binning)
    return np.clip(bin_no_click(p, bin_a, bin_b), 0.0, None)  # round-off of (1 + ... - 1)/4


def default_settings(theta: float = np.pi / 4) -> tuple[list[float], list[float]]:
    r"""CHSH-optimal angles for :math:`|\psi_\theta\rangle` plus Alice's aligned key setting.

    Returns ``(alice_angles, bob_angles)``: Alice ``[0, pi/2, key]``, Bob ``[mu, -mu]`` with
    :math:`\tan\mu = \sin 2\theta` (Horodecki et al. 1995) and key
    :math:`= \arg(T b_0)`, :math:`T = \mathrm{diag}(\sin 2\theta, 1)` on (x, z).

    Examples
    --------
    >>> a, b = default_settings()
    >>> [round(t, 6) for t in a + b]
    [0.0, 1.570796, 0.785398, 0.785398, -0.785398]
    """
    s = np.sin(2 * check_real("theta", theta, 0.0, np.pi / 2))
    mu = float(np.arctan(s))
    key = float(np.arctan2(s * np.sin(mu), np.cos(mu)))
    return [0.0, np.pi / 2, key], [mu, -mu]


def _binned(binning: str) -> tuple[bool, bool]:
    return binning in ("A", "both"), binning in ("B", "both")


def _labels(binned: bool) -> tuple[str, ...]:
    return ("+1", "-1") if binned else ("+1", "-1", "none")


def bell_box(
    theta: float = np.pi / 4,
    visibility: float = 1.0,
    eta_a: float = 1.0,
    eta_b: float | None = None,
    *,
    binning: str = "both",
    alice_angles: Sequence[float] | None = None,
    bob_angles: Sequence[float] | None = None,
    key_settings: tuple[int, int] | None = None,
    chsh_settings: tuple[tuple[int, int], tuple[int, int]] = ((0, 1), (0, 1)),
) -> BellBox:
    r"""The Bell box of :math:`\rho(\theta, v)` with detectors of efficiency :math:`\eta_A,\eta_B`.

    Parameters
    ----------
    theta : float
        State parameter, :math:`[0, \pi/2]` (default :math:`\pi/4`).
    visibility : float
        :math:`v\in[0,1]`.
    eta_a, eta_b : float
        Detection efficiencies in :math:`[0, 1]`; ``eta_b`` defaults to ``eta_a``.
    binning : {"none", "A", "B", "both"}
        Which parties assign the no-click event to outcome 0 (the others keep it as outcome 2).
    alice_angles, bob_angles : sequence of float, optional
        Measurement angles in the x-z plane (radians), 2..8 per party; default
        :func:`default_settings`.
    key_settings : (int, int), optional
        Key-generating settings; default ``(2, 0)`` for the default angles, else ``(0, 0)``.
    chsh_settings : ((int, int), (int, int))
        The settings of Alice and of Bob that enter the CHSH test (default the first two).

    Returns
    -------
    BellBox
        ``probabilities`` of shape (n_a_settings, n_b_settings, 2 or 3, 2 or 3).

    Raises
    ------
    InputError
        A parameter outside its range, or key/CHSH settings that do not exist.

    Examples
    --------
    >>> box = bell_box(eta_a=1.0)
    >>> round(chsh_value_of_box(box), 9)         # Tsirelson's bound 2 sqrt 2
    2.828427125
    """
    eta_a = check_probability("eta_a", eta_a)
    eta_b = eta_a if eta_b is None else check_probability("eta_b", eta_b)
    check_choice("binning", binning, BINNINGS)
    partially_entangled_state(theta, visibility)  # validates theta and v
    defaults = default_settings(theta)
    a_angles = check_sequence("alice_angles", defaults[0] if alice_angles is None else alice_angles,
                              "a sequence of angles in radians")
    b_angles = check_sequence("bob_angles", defaults[1] if bob_angles is None else bob_angles,
                              "a sequence of angles in radians")
    for name, angles in (("alice_angles", a_angles), ("bob_angles", b_angles)):
        if not 2 <= len(angles) <= MAX_SETTINGS:
            raise InputError(f"{name} must list 2..{MAX_SETTINGS} angles, got {len(angles)}")
        for t in angles:
            check_real(name, t)
    if key_settings is None:
        key_settings = (2, 0) if alice_angles is None and len(a_angles) > 2 else (0, 0)
    key_settings, chsh_settings = _check_settings(key_settings, chsh_settings, len(a_angles), len(b_angles))
    bin_a, bin_b = _binned(binning)
    p = qubit_box(theta, visibility, a_angles, b_angles, eta_a, eta_b, binning)
    source = {"kind": "two-qubit source", "theta": float(theta), "visibility": float(visibility),
              "eta_a": eta_a, "eta_b": eta_b, "binning": binning,
              "alice_angles": [float(t) for t in a_angles], "bob_angles": [float(t) for t in b_angles]}
    return BellBox(check_box(p), _labels(bin_a), _labels(bin_b), key_settings, chsh_settings, source)


def _check_settings(key_settings, chsh_settings, n_x: int, n_y: int) -> tuple[tuple, tuple]:
    """``(key_settings, chsh_settings)`` checked against ``n_x`` and ``n_y`` settings: integers
    (a whole float such as 2.0 is taken; 1.9999, booleans and strings are refused), the CHSH
    settings two different ones per party."""
    pair = "a pair (Alice's, Bob's)"
    key = check_sequence("key_settings", key_settings, pair, 2)
    key = (check_int("key_settings[0] (Alice's)", key[0], 0, n_x - 1),
           check_int("key_settings[1] (Bob's)", key[1], 0, n_y - 1))
    chsh = [check_sequence(f"chsh_settings[{i}]", c, "a pair of settings", 2)
            for i, c in enumerate(check_sequence("chsh_settings", chsh_settings, pair, 2))]
    chsh = (tuple(check_int(f"chsh_settings[0][{j}] (Alice's)", t, 0, n_x - 1) for j, t in enumerate(chsh[0])),
            tuple(check_int(f"chsh_settings[1][{j}] (Bob's)", t, 0, n_y - 1) for j, t in enumerate(chsh[1])))
    for who, (s0, s1) in zip(("Alice", "Bob"), chsh):
        if s0 == s1:
            raise InputError(f"chsh_settings must name two different settings of {who}, got {s0} twice")
    return key, chsh


def bin_no_click(p: ArrayLike, alice: bool = True, bob: bool = True) -> NDArray[np.float64]:
    """Merge outcome 2 (no-click) into outcome 0 for the chosen parties (binary boxes unchanged)."""
    p = np.array(p, dtype=float)
    if alice and p.shape[2] > 2:
        p[:, :, 0] += p[:, :, 2:].sum(axis=2)
        p = p[:, :, :2]
    if bob and p.shape[3] > 2:
        p[:, :, :, 0] += p[:, :, :, 2:].sum(axis=3)
        p = p[:, :, :, :2]
    return p


def pad_outcomes(q: ArrayLike, outcomes) -> NDArray[np.float64]:
    """``q`` (..., n_a', n_b') with zeros appended on its last two (outcome) axes up to
    ``outcomes`` = (n_a, n_b) (itself when it has them already)."""
    q = np.asarray(q, dtype=float)
    n_a, n_b = outcomes
    if q.shape[-2:] == (n_a, n_b):
        return q
    out = np.zeros(q.shape[:-2] + (n_a, n_b))
    out[..., :q.shape[-2], :q.shape[-1]] = q
    return out


def chsh_value_of_box(box: BellBox | ArrayLike, chsh_settings=((0, 1), (0, 1))) -> float:
    r"""CHSH value :math:`S = E_{00} + E_{01} + E_{10} - E_{11}` of the binned box
    (outcome 0 = +1; no-click binned into +1), settings ``chsh_settings``."""
    if isinstance(box, BellBox):
        p, chsh_settings = box.probabilities, box.chsh_settings
    else:
        p = check_box(box, "box")
    p = bin_no_click(p)
    sign = np.array([[1.0, -1.0], [-1.0, 1.0]])
    (x0, x1), (y0, y1) = chsh_settings
    e = {(i, j): float((p[x, y, :2, :2] * sign).sum()) for i, x in enumerate((x0, x1))
         for j, y in enumerate((y0, y1))}
    return e[0, 0] + e[0, 1] + e[1, 0] - e[1, 1]


def chsh_relabelled(box: BellBox) -> tuple[BellBox, dict | None]:
    """The box with outcomes 0 and 1 exchanged on the CHSH settings (per party) that give the
    largest CHSH value of the binned box, and which ones (None: already the largest).

    Exchanging a party's outputs on one setting is local, reversible processing: it changes no
    key rate, but the CHSH-based lower bounds read the box in the labelling of their CHSH
    expression (a singlet-convention box, or Bob's detectors swapped, has :math:`S < 0` as
    labelled).  The 16 exchanges of the four CHSH settings are tried (outcome 2, the no-click,
    stays where it is and is binned into outcome 0 afterwards; a binary box violating CHSH as
    labelled is kept as it is: a no-signalling box violates at most one of the eight CHSH
    inequalities); ties keep the given labels.

    Returns
    -------
    (BellBox, dict or None)
        The relabelled box (its ``source`` notes the exchange) and ``{"alice": [x, ...], "bob":
        [y, ...]}``, the settings whose outcomes 0 and 1 were exchanged.
    """
    (ax0, ax1), (by0, by1) = box.chsh_settings
    p = box.probabilities
    best, best_s = None, chsh_value_of_box(box) + 1e-12
    if best_s > 2 and max(p.shape[2:]) == 2:
        # a binary box violating the CHSH inequality as labelled: relabelling maps it to the other
        # seven CHSH expressions, of which a no-signalling box violates at most one
        return box, None
    for fa0, fa1, fb0, fb1 in itertools.product((False, True), repeat=4):
        if not (fa0 or fa1 or fb0 or fb1):
            continue
        q = _exchanged(p, [x for x, f in ((ax0, fa0), (ax1, fa1)) if f], [y for y, f in ((by0, fb0), (by1, fb1)) if f])
        value = chsh_value_of_box(q, box.chsh_settings)
        if value > best_s:
            best, best_s = (q, [x for x, f in ((ax0, fa0), (ax1, fa1)) if f],
                            [y for y, f in ((by0, fb0), (by1, fb1)) if f]), value
    if best is None:
        return box, None
    q, xs, ys = best
    flips = {"alice": xs, "bob": ys}
    return BellBox(q, box.outcomes_a, box.outcomes_b, box.key_settings, box.chsh_settings,
                   dict(box.source, chsh_relabelling=flips)), flips


def _exchanged(p: NDArray, alice: list, bob: list) -> NDArray:
    """``p`` with outcomes 0 and 1 exchanged on Alice's settings ``alice`` and Bob's ``bob``."""
    q = np.array(p, dtype=float)
    for x in alice:
        q[x] = q[x][:, [1, 0] + list(range(2, q.shape[2]))]
    for y in bob:
        q[:, y] = q[:, y][:, :, [1, 0] + list(range(2, q.shape[3]))]
    return q


def load_settings(path) -> dict:
    """Read measurement settings from JSON: ``{"alice_angles": [...], "bob_angles": [...],
    "key_settings": [x, y], "chsh_settings": [[x0, x1], [y0, y1]]}`` (angles in radians, x-z
    plane, 2..8 per party; key and CHSH settings optional).

    Returns the keyword arguments of :func:`bell_box` (``alice_angles``, ``bob_angles``,
    ``key_settings``) plus ``chsh_settings``.

    Raises
    ------
    InputError
        Unreadable file, invalid JSON, missing or malformed angles, settings out of range.
    """
    from .._io import check_input_file, load_json_checked

    p = check_input_file("--settings", path, max_bytes=16 * 2**20)
    data = load_json_checked("--settings", p, 16 * 2**20)
    if not isinstance(data, dict) or "alice_angles" not in data or "bob_angles" not in data:
        raise InputError(f"--settings: {p} must be a JSON object with 'alice_angles' and 'bob_angles' "
                         f"(radians), or a box with 'probabilities'")
    _check_fields(p, data, SETTINGS_FIELDS)
    out = {}
    for side in ("alice_angles", "bob_angles"):
        angles = data[side]
        if not isinstance(angles, list) or not 2 <= len(angles) <= MAX_SETTINGS:
            raise InputError(f"--settings: {side} must list 2..{MAX_SETTINGS} angles (radians)")
        out[side] = [check_real(f"--settings {side}", t) for t in angles]
    n_x, n_y = len(out["alice_angles"]), len(out["bob_angles"])
    try:
        out["key_settings"], out["chsh_settings"] = _check_settings(
            data.get("key_settings", [0, 0]), data.get("chsh_settings", [[0, 1], [0, 1]]), n_x, n_y)
    except InputError as exc:
        raise InputError(f"--settings: {p}: {exc}") from None
    return out


#: Fields of a settings file and of a box (table) file; anything else is refused (a misspelt
#: field would otherwise be silently ignored).
SETTINGS_FIELDS = ("alice_angles", "bob_angles", "key_settings", "chsh_settings")
TABLE_FIELDS = ("probabilities", "key_settings", "chsh_settings", "outcomes_a", "outcomes_b",
                "source")     # ("source": where di-attack --json's box came from; not read)


def _check_fields(p, data: dict, allowed: tuple[str, ...]) -> None:
    unknown = [str(k) for k in data if k not in allowed]
    if unknown:
        raise InputError(f"--settings: {p}: unknown field(s) {', '.join(map(repr, unknown))}; "
                         f"allowed: {', '.join(allowed)}")


def _json_numbers(obj) -> bool:
    """True when ``obj`` is a JSON number or nested lists of them (no strings, no booleans)."""
    if isinstance(obj, list):
        return all(_json_numbers(x) for x in obj)
    return isinstance(obj, (int, float)) and not isinstance(obj, bool)


def _is_numeric(obj) -> bool:
    try:
        np.asarray(obj, dtype=float)
        return True
    except (TypeError, ValueError, OverflowError):
        return False


def is_bell_table(path) -> bool:
    """True if the JSON file at ``path`` holds a box (a ``probabilities`` field), not settings."""
    from .._io import check_input_file, load_json_checked

    p = check_input_file("--settings", path, max_bytes=16 * 2**20)
    data = load_json_checked("--settings", p, 16 * 2**20)
    return isinstance(data, dict) and "probabilities" in data


#: Largest total-variation distance a measured table may be moved by the projection.
MAX_PROJECTION_DISTANCE = 0.05


def project_to_no_signalling(p: ArrayLike) -> tuple[NDArray[np.float64], float]:
    r"""The closest normalised, non-negative, no-signalling box in Euclidean norm (a QP solved
    with CVXPY + Clarabel), for measured tables whose frequencies signal by sampling noise.

    Returns the box and the largest per-setting total-variation distance moved,
    :math:`\max_{xy}\tfrac12\sum_{ab}|p' - p|`.
    """

    import cvxpy as cp

    p = np.asarray(p, dtype=float)
    n_x, n_y, n_a, n_b = p.shape
    x = cp.Variable(p.shape[0] * n_y * n_a * n_b, nonneg=True)
    box = cp.reshape(x, (n_x * n_y, n_a * n_b), order="C")
    cons = [cp.sum(box, axis=1) == 1]
    idx = np.arange(x.size).reshape(p.shape)
    for xs in range(n_x):  # Alice's marginal independent of Bob's setting
        for y in range(1, n_y):
            for a in range(n_a):
                cons.append(cp.sum(x[idx[xs, y, a].ravel()]) == cp.sum(x[idx[xs, 0, a].ravel()]))
    for y in range(n_y):
        for xs in range(1, n_x):
            for b in range(n_b):
                cons.append(cp.sum(x[idx[xs, y, :, b].ravel()]) == cp.sum(x[idx[0, y, :, b].ravel()]))
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x - p.ravel())), cons)
    from .._solvers import solve_problem

    status = solve_problem(prob)
    if status not in ("optimal", "optimal_inaccurate") or x.value is None:
        raise InputError(f"the projection onto no-signalling boxes failed ({status})")
    q = np.clip(np.asarray(x.value).reshape(p.shape), 0.0, None)
    q = q / q.sum(axis=(2, 3), keepdims=True)
    # no-signalling to the solver's accuracy (~1e-8): the tables' route re-checks it at 1e-7 and
    # makes it exact with no_signalling_repair
    distance = float(0.5 * np.abs(q - p).sum(axis=(2, 3)).max())
    return q, distance


#: Tables whose no-signalling deviation exceeds this are repaired (:func:`no_signalling_repair`)
#: when loaded; the decomposition LPs of the attack hold to 1e-9.
NS_REPAIR_ABOVE = 1e-12
#: Smallest ``atol`` of a table (a normalisation in floating point is off by ~1e-16).
MIN_TABLE_ATOL = 1e-12
#: A repair that would move a table by more than this times its signalling is refused (with the
#: hint to project it instead).
REPAIR_MOVE_FACTOR = 10.0


def no_signalling_repair(p: ArrayLike, max_iterations: int = 1000) -> tuple[NDArray[np.float64], float]:
    r"""An exactly no-signalling box near a nearly no-signalling one: iterative proportional
    fitting (Sinkhorn) of each setting pair's table to averaged marginals.

    Each party's marginal is set to its average over the other party's settings,
    :math:`r_x(a) = \operatorname{mean}_y \sum_b p(ab|xy)` and :math:`c_y(b) = \operatorname{mean}_x
    \sum_a p(ab|xy)`; each table :math:`p(\cdot\cdot|xy)` is scaled row by row and column by
    column until its marginals are :math:`r_x` and :math:`c_y` (the table with those marginals
    nearest in relative entropy; Sinkhorn, Ann. Math. Stat. 35, 876 (1964)).  Scaling keeps
    every entry non-negative and every zero a zero, and moves an entry by about its relative
    share of the signalling, so a table is moved by about its signalling; a zero pattern that
    the averaged marginals cannot fill (a row that is zero at one setting but not on average)
    does not converge.

    Parameters
    ----------
    p : array_like, shape (n_x, n_y, n_a, n_b)
        Normalised, non-negative, nearly no-signalling.
    max_iterations : int
        Scaling rounds at most (a few dozen suffice at a signalling of 1e-6).

    Returns
    -------
    (ndarray of shape (n_x, n_y, n_a, n_b), float)
        The box and its largest marginal error left (round-off, ~1e-16, when converged).
    """
    p = np.asarray(p, dtype=float)
    rows = p.sum(axis=3).mean(axis=1)[:, None, :, None]      # r_x(a), shape (x, 1, a, 1)
    cols = p.sum(axis=2).mean(axis=0)[None, :, None, :]      # c_y(b), shape (1, y, 1, b)
    m = p.copy()
    error = np.inf
    for _ in range(max_iterations):
        s = m.sum(axis=3, keepdims=True)
        m = m * np.divide(rows, s, out=np.zeros_like(s), where=s > 0)
        s = m.sum(axis=2, keepdims=True)
        m = m * np.divide(cols, s, out=np.zeros_like(s), where=s > 0)
        error = float(max(np.abs(m.sum(axis=3, keepdims=True) - rows).max(),
                          np.abs(m.sum(axis=2, keepdims=True) - cols).max()))
        if error <= 1e-15:
            break
    return m, error


def load_bell_table(path, atol: float = 1e-6, *, project: bool = False) -> BellBox:
    """Read a user box from JSON: ``{"probabilities": p[x][y][a][b], "key_settings": [x, y],
    "chsh_settings": [[x0, x1], [y0, y1]], "outcomes_a": [...], "outcomes_b": [...]}``.

    Only ``probabilities`` is required (key settings default to ``[0, 0]``, CHSH to
    ``[[0, 1], [0, 1]]``).  A third outcome, if present, is treated as the no-click event when a
    binary box is needed (CHSH, the Devetak-Winter lower bound).  The checks and the box are
    those of :func:`bell_table`: a table within ``atol`` of no-signalling is made exactly
    no-signalling (:func:`no_signalling_repair`, recorded in ``source["no_signalling_repair"]``).

    With ``project=True`` a table further than ``atol`` from no-signalling (clipped at 0,
    renormalised) is replaced by the nearest no-signalling box (:func:`project_to_no_signalling`;
    for sampling noise) and the distance moved is recorded in ``source["projection"]``.

    Raises
    ------
    InputError
        Unreadable file, invalid JSON, a missing or malformed field, or a box that is not
        normalised / no-signalling within ``atol`` (experimental tables: default 1e-6); with
        ``project``, a table more than :data:`MAX_PROJECTION_DISTANCE` from no-signalling.
    """
    from .._io import check_input_file, load_json_checked

    atol = check_real("atol", atol, MIN_TABLE_ATOL, 0.1)
    p = check_input_file("--settings", path, max_bytes=16 * 2**20)
    data = load_json_checked("--settings", p, 16 * 2**20)
    if not isinstance(data, dict) or "probabilities" not in data:
        raise InputError(f"--settings: {p} must be a JSON object with a 'probabilities' field p[x][y][a][b]")
    _check_fields(p, data, TABLE_FIELDS)
    if not _json_numbers(data["probabilities"]):
        raise InputError(f"--settings: {p}: probabilities must be nested lists of JSON numbers "
                         f"p[x][y][a][b] (no strings or booleans)")
    return _table_box(data["probabilities"], data.get("key_settings", [0, 0]),
                      data.get("chsh_settings", [[0, 1], [0, 1]]), data.get("outcomes_a"),
                      data.get("outcomes_b"), atol, project, f"--settings {p.name}: ", f"--settings: {p}: ",
                      {"kind": "table", "file": str(p)})


def bell_table(probabilities: ArrayLike, key_settings: Sequence[int] = (0, 0),
               chsh_settings: Sequence[Sequence[int]] = ((0, 1), (0, 1)),
               outcomes_a: Sequence[str] | None = None, outcomes_b: Sequence[str] | None = None, *,
               atol: float = 1e-6, project: bool = False) -> BellBox:
    r"""A user box from an array :math:`p(ab|xy)` (the Python side of :func:`load_bell_table`).

    Parameters
    ----------
    probabilities : array_like, shape (n_x, n_y, n_a, n_b)
        ``probabilities[x, y, a, b]`` = :math:`p(ab|xy)`; 2 to :data:`MAX_SETTINGS` settings and
        2 to :data:`MAX_OUTCOMES` outcomes a party.  Outcomes 0 and 1 are the bits; outcome 2,
        if present, is the no-click event (binned into 0 where a binary box is needed: CHSH,
        the lower bounds); further outcomes (e.g. double clicks) are kept as they are.
    key_settings : (int, int)
        Alice's and Bob's key settings :math:`(\hat x, \hat y)`.
    chsh_settings : ((int, int), (int, int))
        The two settings of each party in the CHSH test.
    outcomes_a, outcomes_b : sequence of str, optional
        Outcome labels (default ``"0"``, ``"1"``, ...).
    atol : float
        Tolerance of the normalisation and no-signalling checks, in [1e-12, 0.1] (measured
        tables: default 1e-6).  A table within it of no-signalling is made exactly no-signalling
        (:func:`no_signalling_repair`).
    project : bool
        Replace a table further than ``atol`` from no-signalling (clipped at 0, renormalised) by
        the nearest no-signalling box (:func:`project_to_no_signalling`, for sampling noise); the
        distance moved is in ``source["projection"]``.

    Returns
    -------
    BellBox
        ``source`` ``{"kind": "table", "projection": ..., "no_signalling_repair": ...}`` (the
        repair's distance moved, or None when the table was no-signalling to 1e-12).

    Raises
    ------
    InputError
        A malformed, complex or ragged array; a box not normalised / no-signalling within
        ``atol``, or one whose repair would move it by more than :data:`REPAIR_MOVE_FACTOR` times
        its signalling (``project`` is then the way; with ``project``, more than
        :data:`MAX_PROJECTION_DISTANCE` from no-signalling); settings that are not integers in
        range, or the same CHSH setting twice; labels not distinct or of the wrong count;
        ``project`` not a bool.

    Examples
    --------
    >>> b = bell_box(binning="both")
    >>> t = bell_table(b.probabilities, key_settings=(2, 0))
    >>> t.shape, t.key_settings, t.source["kind"]
    ((3, 2, 2, 2), (2, 0), 'table')
    """
    atol = check_real("atol", atol, MIN_TABLE_ATOL, 0.1)
    return _table_box(probabilities, key_settings, chsh_settings, outcomes_a, outcomes_b, atol,
                      project, "", "", {"kind": "table"})


def _repaired(arr: NDArray, box_prefix: str) -> tuple[NDArray, dict | None]:
    """``arr`` renormalised and, if it signals by more than :data:`NS_REPAIR_ABOVE`, made exactly
    no-signalling (:func:`no_signalling_repair`) with the record of the repair; InputError when
    the repair would not converge or would move the table by more than
    :data:`REPAIR_MOVE_FACTOR` times its signalling (then ``project`` is the way)."""
    arr = arr / arr.sum(axis=(2, 3), keepdims=True)
    deviation = no_signalling_deviation(arr)
    if deviation <= NS_REPAIR_ABOVE:
        return arr, None
    repaired, error = no_signalling_repair(arr)
    moved = float(0.5 * np.abs(repaired - arr).sum(axis=(2, 3)).max())
    if error > 1e-12 or moved > REPAIR_MOVE_FACTOR * deviation + 1e-12:
        raise InputError(
            f"{box_prefix}probabilities are {deviation:.3g} from no-signalling, and no box with "
            f"setting-independent marginals and the same zero entries is that close "
            f"({'it would move ' + format(moved, '.3g') if error <= 1e-12 else 'no scaling converges'}); "
            f"measured frequencies: add --project (project=True) for the nearest no-signalling box")
    return repaired, {"total_variation_moved": moved, "marginal_deviation_before": deviation,
                      "method": "iterative proportional fitting to the settings' averaged marginals "
                                "(qkdbounds.di.bell_data.no_signalling_repair)"}


def _table_box(values, key_settings, chsh_settings, outcomes_a, outcomes_b, atol: float,
               project: bool, box_prefix: str, field_prefix: str, source: dict) -> BellBox:
    """:func:`bell_table` / :func:`load_bell_table` after their own checks; the messages start
    with ``box_prefix`` (the box's checks) or ``field_prefix`` (the other fields)."""
    if not isinstance(project, (bool, np.bool_)):
        raise InputError(f"project must be True or False, got {project!r:.40}")
    arr = projection = repair = None
    if project:
        try:        # a table within atol of no-signalling needs only the repair, no QP
            arr, repair = _repaired(check_box(values, f"{box_prefix}probabilities", atol), box_prefix)
            projection = {"total_variation_moved": 0.0, "method": "none needed: the table is within "
                          "atol of no-signalling (no_signalling_repair made it exact)"}
        except InputError:
            arr = None
    if project and arr is None:
        raw = None
        if _is_numeric(values):
            try:
                raw = np.asarray(values, dtype=float)
            except (TypeError, ValueError, OverflowError):
                raw = None
        if raw is None or raw.ndim != 4 or not np.all(np.isfinite(raw)) or raw.min() < -atol:
            check_box(values, f"{box_prefix}probabilities", atol)  # raises
        raw = np.clip(raw, 0.0, None)
        raw = raw / np.where(raw.sum(axis=(2, 3), keepdims=True) > 0, raw.sum(axis=(2, 3), keepdims=True), 1)
        projected, moved = project_to_no_signalling(raw)
        if moved > MAX_PROJECTION_DISTANCE:
            raise InputError(f"--project: the table is {moved:.3g} (total variation) from the nearest "
                             f"no-signalling box; allowed: at most {MAX_PROJECTION_DISTANCE} (--project is "
                             f"for sampling noise, not for signalling data)")
        arr, repair = _repaired(check_box(projected, f"{box_prefix}projected probabilities", 1e-7), box_prefix)
        projection = {"total_variation_moved": moved, "method": "Euclidean projection onto the "
                      "no-signalling polytope (QP, CVXPY + Clarabel), then no_signalling_repair of "
                      "the solver's round-off"}
    elif not project:
        try:
            arr = check_box(values, f"{box_prefix}probabilities", atol)
        except InputError as exc:
            # --project repairs sampling noise (normalisation, signalling, tiny negatives), not a
            # table of the wrong shape or with NaN: the hint only where it can help
            if not any(s in str(exc) for s in ("sum to 1", "no-signalling", "non-negative")):
                raise
            raise InputError(f"{exc}; measured frequencies: add --project (project=True) to map the "
                             f"table to the nearest no-signalling box") from None
        arr, repair = _repaired(arr, box_prefix)
    n_x, n_y, n_a, n_b = arr.shape
    try:
        key, chsh = _check_settings(key_settings, chsh_settings, n_x, n_y)
    except InputError as exc:
        raise InputError(f"{field_prefix}{exc}") from None
    labels = []
    for name, given, n in (("outcomes_a", outcomes_a, n_a), ("outcomes_b", outcomes_b, n_b)):
        if given is None:
            labels.append(tuple(str(i) for i in range(n)))
            continue
        items = check_sequence(f"{field_prefix}{name}", given, f"a list of {n} labels")
        if len(items) != n or len(set(map(str, items))) != n:
            raise InputError(f"{field_prefix}{name} must be {n} distinct labels, got {given!r:.80}")
        labels.append(tuple(str(x) for x in items))
    return BellBox(arr, labels[0], labels[1], key, chsh,
                   dict(source, projection=projection, no_signalling_repair=repair))
