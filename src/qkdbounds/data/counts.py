r"""Recorded QKD count data: the counts-file schema and its validated loader.

A counts file is a JSON object (schema and examples in ``docs/counts_format.md``)::

    {"protocol": "bb84",
     "settings": [{"alice": "Z", "bob": "Z", "counts": [[4850, 150], [140, 4860]]},
                  {"alice": "X", "bob": "X", "counts": [[4800, 200], [210, 4790]]}]}

``counts[a][b]`` is the number of rounds in which Alice obtained outcome ``a`` and Bob outcome
``b`` in the setting pair ``(alice, bob)``.

Standard protocols (``bb84``, ``bbm92``, ``six-state``)
    Settings are the Pauli bases ``"Z"``, ``"X"``, ``"Y"``, every table is 2 x 2.  Outcome 0 (1)
    is the +1 (-1) eigenvector of the basis.  Bob's outcomes are labelled so that the ideal source
    :math:`|\phi^+\rangle = (|00\rangle + |11\rangle)/\sqrt 2` gives ``a == b`` in every matched
    basis.  For Z and X this is the plain labelling; since
    :math:`\langle\phi^+|Y\otimes Y|\phi^+\rangle = -1`, for Y it means that Bob measures the
    complex-conjugate basis :math:`Y^* = -Y`, i.e. his labels are swapped relative to Y.  An error
    in basis ``b`` is ``a != b`` in the matched table ``(b, b)``, so the quantum bit error rate is
    :math:`Q_b = (n_{01} + n_{10}) / \sum_{ab} n_{ab}` (Bennett-Brassard 1984; Bruss, Phys. Rev.
    Lett. 81, 3018 (1998) for six-state).  ``bb84`` and ``bbm92`` need matched tables for Z and X,
    ``six-state`` for Z, X and Y (:data:`REQUIRED_BASES`).  Mismatched pairs (``Z``/``X`` etc.)
    are allowed and kept but not used by the standard protocols.

Custom protocol (``custom``)
    ``measurements`` gives each party's POVMs by name (elements as nested real lists, or complex
    as ``{"re": ..., "im": ...}``); every table has shape (outcomes of Alice's POVM, outcomes of
    Bob's POVM).  ``key_settings`` (optional) lists the setting pairs that make key; the default
    is every pair with a table.

A setting pair listed more than once is summed into one table (e.g. data recorded in several
blocks).  Every table must have at least one round after summing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, check_choice

__all__ = [
    "STANDARD_PROTOCOLS",
    "PROTOCOLS",
    "REQUIRED_BASES",
    "PAULI_BASES",
    "MAX_ROUNDS",
    "MAX_DIM_PRODUCT",
    "CountTable",
    "CountData",
    "load_counts",
]

#: Protocols whose settings are the Pauli bases with 2 x 2 tables.
STANDARD_PROTOCOLS = ("bb84", "bbm92", "six-state")
#: Every protocol a counts file may declare.
PROTOCOLS = STANDARD_PROTOCOLS + ("custom",)
#: Matched-basis tables each standard protocol needs (its sifted-key and test bases).
REQUIRED_BASES = {"bb84": ("Z", "X"), "bbm92": ("Z", "X"), "six-state": ("Z", "X", "Y")}
#: Setting names of the standard protocols.
PAULI_BASES = ("Z", "X", "Y")
#: Largest number of rounds per table (after summing repeats): 2**53, so that every count and
#: every total is exact as a float.
MAX_ROUNDS = 2**53
#: Largest d_A * d_B of a custom protocol.
MAX_DIM_PRODUCT = 36
#: Top-level keys of a counts file.
TOP_LEVEL_KEYS = ("protocol", "settings", "measurements", "key_settings")
_SETTING_KEYS = ("alice", "bob", "counts")
_PARTIES = ("alice", "bob")


@dataclass(frozen=True)
class CountTable:
    """The counts of one setting pair.

    Attributes
    ----------
    alice, bob : str
        Setting names (a Pauli basis for the standard protocols, a POVM name for ``custom``).
    counts : ndarray of int64, shape (n_a, n_b)
        ``counts[a, b]``: rounds with Alice's outcome ``a`` and Bob's outcome ``b`` (read-only).
    """

    alice: str
    bob: str
    counts: NDArray[np.int64]

    @property
    def rounds(self) -> int:
        """Total number of rounds of this setting pair."""
        return int(self.counts.sum())


@dataclass(frozen=True)
class CountData:
    """A validated counts file (see the module docstring for the conventions).

    Attributes
    ----------
    protocol : str
        One of :data:`PROTOCOLS`.
    tables : tuple of CountTable
        One per distinct setting pair, in order of first appearance (repeats summed).
    source : str
        The file path, or ``"<dict>"`` for an already-parsed dict.
    dims : tuple of int or None
        ``(d_A, d_B)`` for ``custom``; None otherwise.
    povms : dict or None
        ``custom`` only: ``{"alice": {name: POVM}, "bob": {name: POVM}}``.
    key_settings : tuple of (str, str) or None
        ``custom`` only: the setting pairs that make key.
    """

    protocol: str
    tables: tuple[CountTable, ...]
    source: str
    dims: tuple[int, int] | None = None
    povms: dict | None = None
    key_settings: tuple[tuple[str, str], ...] | None = None

    def table(self, alice: str, bob: str) -> CountTable | None:
        """The table of the setting pair ``(alice, bob)``, or None if it was not recorded."""
        for t in self.tables:
            if t.alice == alice and t.bob == bob:
                return t
        return None

    def qber_counts(self) -> dict[str, tuple[int, int]]:
        """``{basis: (errors, rounds)}`` for the protocol's required matched bases.

        ``errors = counts[0, 1] + counts[1, 0]`` of the table ``(basis, basis)`` (module docstring).

        Raises
        ------
        InputError
            The protocol is ``custom`` (no bases, no error convention).

        Examples
        --------
        >>> data = load_counts({"settings": [
        ...     {"alice": "Z", "bob": "Z", "counts": [[45, 5], [3, 47]]},
        ...     {"alice": "X", "bob": "X", "counts": [[40, 10], [0, 50]]}]}, "bb84")
        >>> data.qber_counts()
        {'Z': (8, 100), 'X': (10, 100)}
        """
        if self.protocol not in REQUIRED_BASES:
            raise InputError(f"qber_counts is defined for protocols {', '.join(STANDARD_PROTOCOLS)}; "
                             f"got {self.protocol!r}")
        out = {}
        for basis in REQUIRED_BASES[self.protocol]:
            t = self.table(basis, basis)
            out[basis] = (int(t.counts[0, 1] + t.counts[1, 0]), t.rounds)
        return out

    def frequencies(self) -> list[tuple[str, str, NDArray[np.float64]]]:
        """``(alice, bob, counts / rounds)`` per table: the observed joint distributions.

        Examples
        --------
        >>> data = load_counts({"settings": [
        ...     {"alice": "Z", "bob": "Z", "counts": [[3, 1], [0, 4]]},
        ...     {"alice": "X", "bob": "X", "counts": [[1, 0], [0, 1]]}]}, "bb84")
        >>> data.frequencies()[0][2].tolist()
        [[0.375, 0.125], [0.0, 0.5]]
        """
        return [(t.alice, t.bob, t.counts / t.rounds) for t in self.tables]


class _Reader:
    """Validation with one message prefix (``"{name} {source}: "``)."""

    def __init__(self, name: str, source: str):
        self.prefix = f"{name} {source}"

    def fail(self, message: str):
        raise InputError(f"{self.prefix}: {message}")


def _is_count(value) -> bool:
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_)) \
        and value >= 0


def _describe(value) -> str:
    text = " ".join(repr(value).split())      # (one line, also for a NumPy array's repr)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_table(r: _Reader, raw, where: str, shape: tuple[int, int]) -> NDArray[np.int64]:
    n_a, n_b = shape
    want = f"a {n_a} x {n_b} table (a list of {n_a} rows of {n_b} non-negative integers)"
    if isinstance(raw, np.ndarray) and raw.ndim == 2:    # (the API: a NumPy table as a list)
        raw = [list(row) for row in raw]
    if not isinstance(raw, list) or len(raw) != n_a:
        r.fail(f"{where} must be {want}, got {_describe(raw)}")
    for i, row in enumerate(raw):
        if not isinstance(row, list) or len(row) != n_b:
            r.fail(f"{where}[{i}] must be a row of {n_b} non-negative integers "
                   f"(the table must be {n_a} x {n_b}), got {_describe(row)}")
    for i, row in enumerate(raw):
        for j, value in enumerate(row):
            if not _is_count(value):
                r.fail(f"{where}[{i}][{j}] must be a non-negative integer, got {_describe(value)}")
            if value > MAX_ROUNDS:
                r.fail(f"{where}[{i}][{j}] must be at most 2**53 = {MAX_ROUNDS}, got {value}")
    return np.array(raw, dtype=np.int64).reshape(n_a, n_b)


def _real_array(r: _Reader, raw, where: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(raw)
    except (ValueError, TypeError, RecursionError):
        r.fail(f"{where} must be a nested list of numbers of shape (n_outcomes, d, d)")
    if arr.dtype.kind not in "iuf" or arr.size == 0:
        r.fail(f"{where} must be a nested list of numbers of shape (n_outcomes, d, d)")
    return arr.astype(float)


def _parse_povms(r: _Reader, raw) -> tuple[dict, tuple[int, int]]:
    from ..measurements.povm import check_povm

    if raw is None:
        r.fail("protocol custom needs 'measurements': {\"alice\": {name: elements}, "
               "\"bob\": {name: elements}}")
    if not isinstance(raw, dict):
        r.fail(f"measurements must be an object with keys alice and bob, got {_describe(raw)}")
    unknown = sorted(set(raw) - set(_PARTIES))
    missing = [p for p in _PARTIES if p not in raw]
    if unknown or missing:
        r.fail(f"measurements must have exactly the keys alice, bob (missing: "
               f"{', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})")
    povms: dict = {}
    dims = []
    for party in _PARTIES:
        named = raw[party]
        if not isinstance(named, dict) or not named:
            r.fail(f"measurements.{party} must be a non-empty object {{name: elements}}, "
                   f"got {_describe(named)}")
        povms[party] = {}
        dim = None
        for label, elements in named.items():
            if not isinstance(label, str) or not label.strip():
                r.fail(f"measurements.{party}: POVM names must be non-empty strings, "
                       f"got {_describe(label)}")
            where = f"measurements.{party}.{label}"
            if isinstance(elements, dict):
                if set(elements) != {"re", "im"}:
                    r.fail(f"{where}: a complex POVM is {{\"re\": nested list, \"im\": nested "
                           f"list}}; got keys {', '.join(sorted(map(str, elements)))}")
                re = _real_array(r, elements["re"], f"{where}.re")
                im = _real_array(r, elements["im"], f"{where}.im")
                if re.shape != im.shape:
                    r.fail(f"{where}: re and im must have the same shape, got {re.shape} and "
                           f"{im.shape}")
                array = re + 1j * im
            else:
                array = _real_array(r, elements, where)
            povm = check_povm(array, name=f"{r.prefix}: {where}", label=label)
            if dim is None:
                dim = povm.dim
            elif povm.dim != dim:
                r.fail(f"{where}: all of {party}'s POVMs must act on the same dimension; "
                       f"got {povm.dim}, expected {dim}")
            povms[party][label] = povm
        dims.append(dim)
    if dims[0] * dims[1] > MAX_DIM_PRODUCT:
        r.fail(f"d_A * d_B must be at most {MAX_DIM_PRODUCT}, got {dims[0]} * {dims[1]} = "
               f"{dims[0] * dims[1]}")
    return povms, (dims[0], dims[1])


def _read(r: _Reader, counts, name: str):
    """The parsed top-level object and the source string."""
    if isinstance(counts, dict):
        return counts
    from .._io import check_input_file

    path = check_input_file(name, counts)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        r.fail("is not a UTF-8 text (JSON) file")
    except OSError as exc:
        r.fail(f"cannot be read ({exc.strerror or type(exc).__name__})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        r.fail(f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})")
    except RecursionError:
        r.fail("is not a supported JSON file (nested too deeply)")
    except ValueError as exc:    # e.g. an integer with more digits than Python converts
        r.fail(f"is not a supported JSON file ({str(exc).splitlines()[0]})")


def load_counts(counts, protocol: str, *, name: str = "counts") -> CountData:
    """Read and validate a counts file (schema: module docstring and ``docs/counts_format.md``).

    Parameters
    ----------
    counts : str, os.PathLike or dict
        Path of a JSON counts file (checked with ``qkdbounds._io.check_input_file``), or the
        already-parsed object.
    protocol : str
        The protocol the data are analysed as, one of :data:`PROTOCOLS`.  A ``protocol`` given in
        the file must agree with it.
    name : str
        Prefix of error messages (the CLI passes ``"--counts"``).

    Returns
    -------
    CountData
        Repeated setting pairs summed into one table each.

    Raises
    ------
    InputError
        One line naming ``name``, the file and the offending location: unreadable, empty or
        oversized file; not JSON or nested too deeply; top level not an object or with unknown
        keys; missing or empty ``settings``; an unknown protocol or one disagreeing with
        ``protocol``; unknown setting names; a table of the wrong shape or with entries that are
        not non-negative integers; a required matched basis missing or a table with zero rounds;
        ``custom`` without valid ``measurements``.

    Examples
    --------
    >>> data = load_counts({"protocol": "bb84", "settings": [
    ...     {"alice": "Z", "bob": "Z", "counts": [[48, 2], [1, 49]]},
    ...     {"alice": "X", "bob": "X", "counts": [[47, 3], [3, 47]]},
    ...     {"alice": "Z", "bob": "Z", "counts": [[2, 0], [0, 3]]}]}, "bb84")
    >>> data.qber_counts()
    {'Z': (3, 105), 'X': (6, 100)}
    >>> load_counts({"settings": [{"alice": "Z", "bob": "Z", "counts": [[1, 0], [0, 1]]}]},
    ...             "bb84")
    Traceback (most recent call last):
    ...
    qkdbounds.errors.InputError: counts <dict>: bb84 needs matched-basis tables for Z and X; missing: X
    """
    protocol = check_choice("protocol", protocol, PROTOCOLS)
    if isinstance(counts, dict):
        source = "<dict>"
    elif isinstance(counts, (str, os.PathLike)):
        source = os.fspath(counts)
    else:
        raise InputError(f"{name} must be a path to a JSON counts file or a dict, "
                         f"got {type(counts).__name__}")
    r = _Reader(name, source)
    raw = _read(r, counts, name)

    if not isinstance(raw, dict):
        r.fail(f"the top level must be a JSON object with keys {', '.join(TOP_LEVEL_KEYS)}; "
               f"got {type(raw).__name__}")
    unknown = [str(k) for k in raw if k not in TOP_LEVEL_KEYS]
    if unknown:
        r.fail(f"unknown top-level key(s) {', '.join(map(repr, unknown))}; allowed: "
               f"{', '.join(TOP_LEVEL_KEYS)}")
    if "protocol" in raw:
        declared = raw["protocol"]
        if not isinstance(declared, str) or declared not in PROTOCOLS:
            r.fail(f"protocol must be one of {', '.join(PROTOCOLS)}; got {_describe(declared)}")
        if declared != protocol:
            r.fail(f"the file declares protocol {declared!r}, but {protocol!r} was requested")
    standard = protocol in STANDARD_PROTOCOLS
    if standard:
        extra = [k for k in ("measurements", "key_settings") if k in raw]
        if extra:
            r.fail(f"{', '.join(extra)} is only allowed for protocol custom; {protocol} uses the "
                   f"Pauli bases {', '.join(PAULI_BASES)}")
        povms, dims = None, None
    else:
        povms, dims = _parse_povms(r, raw.get("measurements"))

    settings = raw.get("settings")
    if not isinstance(settings, list) or not settings:
        r.fail(f"settings must be a non-empty list of {{\"alice\", \"bob\", \"counts\"}} objects; "
               f"got {'nothing' if settings is None else _describe(settings)}")
    summed: dict[tuple[str, str], NDArray[np.int64]] = {}
    for i, entry in enumerate(settings):
        where = f"settings[{i}]"
        if not isinstance(entry, dict):
            r.fail(f"{where} must be an object with keys alice, bob, counts; got {_describe(entry)}")
        missing = [k for k in _SETTING_KEYS if k not in entry]
        extra = [str(k) for k in entry if k not in _SETTING_KEYS]
        if missing or extra:
            r.fail(f"{where} must have exactly the keys alice, bob, counts (missing: "
                   f"{', '.join(missing) or 'none'}; unknown: {', '.join(extra) or 'none'})")
        labels = []
        for party in _PARTIES:
            label = entry[party]
            allowed = PAULI_BASES if standard else tuple(povms[party])
            if not isinstance(label, str) or label not in allowed:
                what = "a Pauli basis" if standard else f"one of {party}'s measurements"
                r.fail(f"{where}.{party} must be {what} ({', '.join(allowed)}); "
                       f"got {_describe(label)}")
            labels.append(label)
        key = (labels[0], labels[1])
        shape = (2, 2) if standard else (povms["alice"][key[0]].n_outcomes,
                                         povms["bob"][key[1]].n_outcomes)
        table = _parse_table(r, entry["counts"], f"{where}.counts", shape)
        summed[key] = summed[key] + table if key in summed else table

    if standard:
        needed = REQUIRED_BASES[protocol]
        absent = [b for b in needed if (b, b) not in summed]
        if absent:
            r.fail(f"{protocol} needs matched-basis tables for {' and '.join(needed)}; "
                   f"missing: {', '.join(absent)}")
        for b in needed:
            if int(summed[(b, b)].sum()) == 0:
                r.fail(f"the matched-basis table ({b}, {b}) has zero rounds; {protocol} needs at "
                       f"least one round in each of {', '.join(needed)}")
    for (a, b), table in summed.items():
        total = int(table.sum())
        if total == 0:
            r.fail(f"the table ({a}, {b}) has zero rounds; every listed setting pair needs at least "
                   f"one round (drop the entry if it was not measured)")
        if total > MAX_ROUNDS:
            r.fail(f"the table ({a}, {b}) has {total} rounds; allowed: at most 2**53 = {MAX_ROUNDS}")
    tables = []
    for (a, b), table in summed.items():
        table.setflags(write=False)
        tables.append(CountTable(a, b, table))

    key_settings = None
    if not standard:
        raw_keys = raw.get("key_settings")
        if raw_keys is None:
            key_settings = tuple(summed)
        else:
            if not isinstance(raw_keys, list) or not raw_keys:
                r.fail(f"key_settings must be a non-empty list of [alice, bob] setting pairs; "
                       f"got {_describe(raw_keys)}")
            pairs = []
            for i, pair in enumerate(raw_keys):
                if (not isinstance(pair, list) or len(pair) != 2
                        or not all(isinstance(s, str) for s in pair)):
                    r.fail(f"key_settings[{i}] must be a pair [alice, bob] of setting names; "
                           f"got {_describe(pair)}")
                pair = (pair[0], pair[1])
                if pair not in summed:
                    r.fail(f"key_settings[{i}] = {list(pair)} has no table in settings; allowed: "
                           f"{', '.join(f'[{a}, {b}]' for a, b in summed)}")
                if pair in pairs:
                    r.fail(f"key_settings[{i}] = {list(pair)} is listed twice")
                pairs.append(pair)
            key_settings = tuple(pairs)
    return CountData(protocol=protocol, tables=tuple(tables), source=source, dims=dims,
                     povms=povms, key_settings=key_settings)

