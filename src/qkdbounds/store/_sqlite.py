"""Embedded SQLite results store for parameter sweeps (SPEC F8, §6).

One row per *point*, keyed by the canonical parameter key, the point function and the package
version (``UNIQUE``), so a point is never stored twice and a rerun of a sweep skips it.  Each
finished point is written in its own transaction; the database runs in WAL mode, so a process
killed mid-sweep (even by ``SIGKILL``) loses nothing that was committed.  Several sweeps can share
a store: a sweep is a named set of points (table ``sweep_points``), and a point computed by one
sweep is reused by every other sweep that asks for it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .._json import to_jsonable
from ..errors import InputError

__all__ = [
    "DEFAULT_STORE_NAME",
    "PARAMETER_NAMES",
    "EXPORT_COLUMNS",
    "RECORD_COLUMNS",
    "ResultStore",
    "canonical_float",
    "canonical_params",
    "parameter_key",
    "package_version",
    "default_store_path",
    "export_records",
]

#: File name of the store inside the output directory.
DEFAULT_STORE_NAME = "results.sqlite"

#: Sweep parameters with their Python type, in key order.
PARAMETER_NAMES: tuple[str, ...] = ("dim", "parties", "visibility", "leakage", "model", "attack")
_INT_PARAMS = ("dim", "parties")
_FLOAT_PARAMS = ("visibility", "leakage")
_STR_PARAMS = ("model", "attack")

#: Floats are rounded to this many decimals before keying, so that 0.1 + 0.2 and 0.3 are the
#: same point (grid arithmetic must not create "new" points).
KEY_DECIMALS = 12

#: Columns of an exported table, in order.
#: Keys of :meth:`ResultStore.records` (the store's columns; ``result`` is the full JSON result).
RECORD_COLUMNS: tuple[str, ...] = (
    *PARAMETER_NAMES,
    "rate_upper_bound",
    "status",
    "method",
    "error",
    "elapsed_s",
    "finished_at",
    "version",
    "function",
    "param_key",
    "result",
    "question",
    "params",
)

#: Columns of :func:`export_records`: the records' and, read from each ``result``, the fields
#: every bound carries beside its value (empty where a result has none, e.g. a failed point).
EXPORT_COLUMNS: tuple[str, ...] = (*RECORD_COLUMNS, "verdict", "lower_bound")

#: Question of rows (and of parameter dicts) that name none: the isotropic rate.
RATE_QUESTION = "rate"

#: Status given to a point whose computation raised.
FAILED = "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id   INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    spec       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    result_id        INTEGER PRIMARY KEY,
    param_key        TEXT NOT NULL,
    function         TEXT NOT NULL,
    version          TEXT NOT NULL,
    dim              INTEGER,
    parties          INTEGER,
    visibility       REAL,
    leakage          REAL,
    model            TEXT,
    attack           TEXT,
    rate_upper_bound REAL,
    status           TEXT NOT NULL,
    method           TEXT,
    error            TEXT,
    elapsed_s        REAL,
    finished_at      TEXT NOT NULL,
    result           TEXT NOT NULL,
    question         TEXT NOT NULL DEFAULT 'rate',
    params           TEXT,
    UNIQUE (param_key, function, version)
);
CREATE TABLE IF NOT EXISTS sweep_points (
    sweep_id  INTEGER NOT NULL REFERENCES sweeps (sweep_id),
    result_id INTEGER NOT NULL REFERENCES results (result_id),
    UNIQUE (sweep_id, result_id)
);
CREATE INDEX IF NOT EXISTS sweep_points_result ON sweep_points (result_id);
CREATE TABLE IF NOT EXISTS claims (
    param_key  TEXT NOT NULL,
    function   TEXT NOT NULL,
    version    TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (param_key, function, version)
);
"""

#: ``PRAGMA application_id`` of a qkdbounds store ("QKDB"): files of other programs are refused.
APPLICATION_ID = 0x514B4442
_OWN_TABLES = {"sweeps", "results", "sweep_points", "claims"}
_REQUIRED_TABLES = {"sweeps", "results", "sweep_points"}

# A failed point may be replaced by a successful recomputation; anything else is kept as is
# (first writer wins), so concurrent sweeps on one store never duplicate or overwrite a point.
_UPSERT = """
INSERT INTO results (param_key, function, version, dim, parties, visibility, leakage, model,
                     attack, rate_upper_bound, status, method, error, elapsed_s, finished_at,
                     result, question, params)
VALUES (:param_key, :function, :version, :dim, :parties, :visibility, :leakage, :model,
        :attack, :rate_upper_bound, :status, :method, :error, :elapsed_s, :finished_at, :result,
        :question, :params)
ON CONFLICT (param_key, function, version) DO UPDATE SET
    rate_upper_bound = excluded.rate_upper_bound, status = excluded.status,
    method = excluded.method, error = excluded.error, elapsed_s = excluded.elapsed_s,
    finished_at = excluded.finished_at, result = excluded.result,
    params = excluded.params
WHERE results.status = 'failed'
"""


def package_version() -> str:
    """Version of the installed ``qkdbounds`` (part of every point's key).

    Returns
    -------
    str
        ``qkdbounds.__version__`` if defined, else the installed distribution's version, else
        ``"unknown"``.
    """
    import qkdbounds

    version = getattr(qkdbounds, "__version__", None)
    if version:
        return str(version)
    import importlib.metadata      # (~40 ms at import: only when the version is not set)

    try:
        return importlib.metadata.version("qkdbounds")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "unknown"


def default_store_path(out_dir: str | os.PathLike = "out") -> Path:
    """Default store location: ``<out_dir>/results.sqlite``."""
    return Path(out_dir) / DEFAULT_STORE_NAME


def canonical_float(value: float) -> float:
    """Round ``value`` to :data:`KEY_DECIMALS` decimals; ``-0.0`` becomes ``0.0``.

    Examples
    --------
    >>> canonical_float(0.1 + 0.2)
    0.3
    """
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"parameter values must be real numbers, got {value!r}") from None
    if not math.isfinite(value):
        raise InputError(f"parameter values must be finite, got {value!r}")
    return round(value, KEY_DECIMALS) + 0.0


def _question_of(params: Mapping[str, Any]) -> str:
    question = params.get("question")
    return RATE_QUESTION if question is None else str(question)


def canonical_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return a point's parameters with canonical Python types and rounded floats.

    Parameters
    ----------
    params : Mapping
        A ``rate`` point (no ``"question"`` key, or ``question="rate"``): must contain every
        name of :data:`PARAMETER_NAMES`; other keys are ignored, and the result holds exactly
        those six.  A point of another question (``params["question"]``, see
        :mod:`qkdbounds.sweep.questions`): ``question`` first, then that question's axes.

    Raises
    ------
    InputError
        If a parameter is missing or has the wrong type.
    """
    if _question_of(params) != RATE_QUESTION:
        # the question registry knows the axes (same layer: store/ sweep/)
        from ..sweep.questions import canonical_question_params

        return canonical_question_params(params)
    missing = [name for name in PARAMETER_NAMES if name not in params]
    if missing:
        raise InputError(f"point parameters missing: {', '.join(missing)}")
    out: dict[str, Any] = {}
    for name in _INT_PARAMS:
        value = params[name]
        if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
                or not math.isfinite(value) or int(value) != value):
            raise InputError(f"{name} must be an integer, got {value!r}")
        out[name] = int(value)
    for name in _FLOAT_PARAMS:
        out[name] = canonical_float(params[name])
    for name in _STR_PARAMS:
        out[name] = str(params[name])
    return out


def parameter_key(params: Mapping[str, Any]) -> str:
    """Canonical text key of a point, e.g. ``dim=2;parties=2;visibility=0.3;...``.

    Floats are written as ``repr(round(x, 12))`` so that equal grid points produced by different
    float arithmetic get the same key.  ``rate`` points keep this original format; points of
    other questions are keyed ``question=<q>;name=value;...`` in the question's axis order
    (:mod:`qkdbounds.sweep.questions`).

    Examples
    --------
    >>> parameter_key(dict(dim=2, parties=2, visibility=0.1 + 0.2, leakage=0.1,
    ...                    model="uniform", attack="paper"))
    'dim=2;parties=2;visibility=0.3;leakage=0.1;model=uniform;attack=paper'
    """
    return _key_of_canonical(canonical_params(params))


def _key_of_canonical(canon: Mapping[str, Any]) -> str:
    if "question" in canon:
        from ..sweep.questions import key_of_canonical_question

        return key_of_canonical_question(canon)
    return ";".join(f"{name}={canon[name]!r}" if name in _FLOAT_PARAMS else f"{name}={canon[name]}"
                    for name in PARAMETER_NAMES)


def _as_computed(canon: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical parameters with each float as the point function received it (the key
    rounds to 12 decimals; the ``params`` column keeps the value the stored number was computed
    at, e.g. theta = pi/4 and not 0.785398163397, so asking it again gives the same number)."""
    out = dict(canon)
    for name, value in canon.items():
        given = params.get(name)
        if isinstance(value, float) and isinstance(given, (float, np.floating)) \
                and not isinstance(given, bool) and math.isfinite(float(given)):
            out[name] = float(given)
    return out


def _params_json(canon: Mapping[str, Any], question: str) -> str:
    """Canonical JSON of a point's full parameters (the ``params`` column)."""
    return json.dumps({**canon, "question": question}, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)


def _dumps(result: Mapping[str, Any]) -> str:
    """JSON text of a result; plain dicts go straight to the C encoder (fast path for chunks)."""
    try:
        return json.dumps(result, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(to_jsonable(result), sort_keys=True, allow_nan=False)


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, ValueError):
        return True
    return True


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def _finite_or_none(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _read_only_uri(path: Path) -> str:
    """URI opening ``path`` without writing; ``immutable`` where nothing may be written next to
    it (read-only media: SQLite could not create the WAL index there)."""
    path = Path(path).resolve()
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    return path.as_uri() + ("?mode=ro" if writable and _fs_writable(path.parent)
                            else "?mode=ro&immutable=1")


def _fs_writable(directory: Path) -> bool:
    """False on a read-only file system (root passes permission checks but not EROFS)."""
    try:
        return not (os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return True


def _check_foreign(path: Path) -> None:
    """Refuse (without writing) an existing file that is not a qkdbounds store."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise InputError(f"{str(path)!r} is not a qkdbounds store: {exc}") from None
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{str(path)!r} is not a qkdbounds store (not an SQLite database: "
                         f"{exc})") from None
    finally:
        conn.close()
    if app_id == APPLICATION_ID or not tables:
        return
    # stores written before the application id existed: exactly our tables
    if app_id == 0 and _REQUIRED_TABLES <= tables <= _OWN_TABLES:
        return
    foreign = sorted(tables - _OWN_TABLES) or sorted(tables)
    raise InputError(f"{str(path)!r} is not a qkdbounds store (it holds other tables: "
                     f"{', '.join(foreign[:5])}); give a new file to --store")


def _damage_checked(method):
    """Turn SQLite's "the file is damaged" errors of a store method into one
    :class:`~qkdbounds.errors.InputError` naming the store (a corrupt page surfaces only when a
    query reads it, not when the store opens); other SQLite errors (locks, I/O) pass through."""
    import functools

    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError and "malformed" not in str(exc):
                raise
            raise InputError(f"store {str(self.path)!r} is damaged ({exc}): restore it from a "
                             f"copy, or give a new file to --store") from None
    return checked


class ResultStore:
    """SQLite store of sweep points.

    Parameters
    ----------
    path : str or PathLike
        Database file; created (with parent directories) if missing.
    version : str, optional
        Package version used in keys; defaults to :func:`package_version`.
    timeout : float
        Seconds to wait for a lock held by another process sharing the store.

    Notes
    -----
    Use as a context manager, or call :meth:`close`.  Connections are not shared between
    threads or processes: in a Dask sweep only the client process writes.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> params = dict(dim=2, parties=2, visibility=0.9, leakage=0.1,
    ...               model="uniform", attack="paper")
    >>> with ResultStore(path) as store:
    ...     inserted = store.write_point(params, "pkg.mod:fn", {"rate_upper_bound": 0.5,
    ...                                                         "status": "optimal"})
    ...     store.count()
    1
    """

    def __init__(self, path: str | os.PathLike, *, version: str | None = None,
                 timeout: float = 60.0, create: bool = True, read_only: bool = False) -> None:
        if not isinstance(path, (str, os.PathLike)) or not str(path) or "\0" in str(path):
            raise InputError(f"store must be a file path, got {path!r:.60}")
        from ..errors import check_real

        timeout = check_real("timeout", timeout, 0.0, 86400.0)
        self.path = Path(path)
        self.version = package_version() if version is None else str(version)
        self.read_only = bool(read_only)
        self._conn = None
        if self.path.exists() and not self.path.is_file():
            raise InputError(f"store must be a regular file, got {str(self.path)!r}")
        if not self.path.exists() and (not create or read_only):
            raise InputError(f"store {str(self.path)!r} does not exist")
        if self.path.exists() and self.path.stat().st_size > 0:
            _check_foreign(self.path)  # read-only look: a foreign file is left untouched
        if read_only:
            self._open_read_only(timeout)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot open store {str(self.path)!r}: {exc}") from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._conn.row_factory = sqlite3.Row
                self._conn.execute("PRAGMA journal_mode=WAL")
                # NORMAL is durable against a crash of this process in WAL mode (only a power loss
                # can roll back the last commits), and much faster than FULL for one commit per point.
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA foreign_keys=ON")
                self._conn.executescript(_SCHEMA)
                self._migrate()
                self._conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                break
            except sqlite3.OperationalError as exc:
                # another process is creating the same store (switching to WAL takes an exclusive
                # lock and does not wait on the busy handler): retry until the timeout
                if ("locked" in str(exc) or "busy" in str(exc)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                self._conn.close()
                self._conn = None
                raise InputError(f"cannot open store {str(self.path)!r}: {exc}") from None
            except sqlite3.DatabaseError as exc:
                self._conn.close()
                self._conn = None
                raise InputError(f"{str(self.path)!r} is not a qkdbounds store: {exc}") from None

    # -- lifecycle ---------------------------------------------------------------------------
    def _open_read_only(self, timeout: float) -> None:
        """Open for reading only (``results list/export/plot``): no schema, no migration, no
        WAL switch, so a store on read-only media (or of another user) can be read."""
        try:
            self._conn = sqlite3.connect(_read_only_uri(self.path), uri=True, timeout=timeout,
                                         isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(results)")}
        except sqlite3.Error as exc:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            raise InputError(f"cannot read store {str(self.path)!r}: {exc}") from None
        missing = sorted({"question", "params"} - columns) if columns else []
        if not columns or missing:
            self._conn.close()
            self._conn = None
            raise InputError(f"store {str(self.path)!r} is empty or was written by an older "
                             f"qkdbounds (no {', '.join(missing) or 'results'} column); open it "
                             f"once where it is writable (e.g. a copy) to upgrade it")

    def _migrate(self) -> None:
        """Add the ``question`` and ``params`` columns to a store written before questions.

        Old rows are ``rate`` points; their ``params`` are rebuilt from the six columns (the
        same canonical JSON a new ``rate`` row gets).  One ``BEGIN IMMEDIATE`` transaction that
        re-reads the columns, so two processes opening an old store migrate it once.
        """
        def columns() -> set[str]:
            return {row[1] for row in self._conn.execute("PRAGMA table_info(results)")}

        if {"question", "params"} <= columns():
            return
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            have = columns()
            if "question" not in have:
                self._conn.execute("ALTER TABLE results ADD COLUMN question TEXT NOT NULL "
                                   f"DEFAULT '{RATE_QUESTION}'")
            if "params" not in have:
                self._conn.execute("ALTER TABLE results ADD COLUMN params TEXT")
            rows = self._conn.execute(
                f"SELECT result_id, {', '.join(PARAMETER_NAMES)} FROM results "
                "WHERE params IS NULL").fetchall()
            self._conn.executemany(
                "UPDATE results SET params = ? WHERE result_id = ?",
                [(_params_json({name: row[name] for name in PARAMETER_NAMES}, RATE_QUESTION),
                  row["result_id"]) for row in rows])

    # -- claims: concurrent sweeps never compute a point twice --------------------------------
    @_damage_checked
    def claim(self, keys: Iterable[str], function: str, run_id: str) -> set[str]:
        """Atomically claim points for this run; returns the keys this run now owns.

        A key is granted if it is not stored (a failed point may be retried) and nobody holds
        it, or its holder is a dead process on this host (a killed sweep), or the holder is this
        run.  A claim of a live run on another host is honoured until that run releases it.  One ``BEGIN IMMEDIATE`` transaction, so two runs never both get a key.
        """
        import socket

        host, pid, now = socket.gethostname(), os.getpid(), _now()
        keys = list(keys)
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._purge_stale_claims(host)
            holders = {}
            for chunk in _batches(keys, 500):
                marks = ",".join("?" * len(chunk))
                for row in self._conn.execute(
                        f"SELECT param_key, run_id, host, pid FROM claims WHERE function = ? AND "
                        f"version = ? AND param_key IN ({marks})", (function, self.version, *chunk)):
                    holders[row[0]] = (row[1], row[2], row[3])
            # a point stored meanwhile (by a run that then released its claim) is not granted
            stored = set()
            for chunk in _batches(keys, 500):
                marks = ",".join("?" * len(chunk))
                stored.update(row[0] for row in self._conn.execute(
                    f"SELECT param_key FROM results WHERE function = ? AND version = ? AND "
                    f"status != ? AND param_key IN ({marks})",
                    (function, self.version, FAILED, *chunk)))
            grant = [k for k in keys if k not in stored and (
                k not in holders or holders[k][0] == run_id
                or (holders[k][1] == host and not _pid_alive(holders[k][2])))]
            self._conn.executemany(
                "INSERT OR REPLACE INTO claims (param_key, function, version, run_id, host, pid, "
                "claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(k, function, self.version, run_id, host, pid, now) for k in grant])
        return set(grant)

    def _purge_stale_claims(self, host: str) -> None:
        """Drop claims left by runs that died on this host (kill -9) and claims of points that
        are stored meanwhile (inside the caller's transaction)."""
        dead = [pid for (pid,) in self._conn.execute(
            "SELECT DISTINCT pid FROM claims WHERE host = ?", (host,)) if not _pid_alive(pid)]
        for chunk in _batches(dead, 500):
            marks = ",".join("?" * len(chunk))
            self._conn.execute(f"DELETE FROM claims WHERE host = ? AND pid IN ({marks})",
                               (host, *chunk))
        self._conn.execute(
            "DELETE FROM claims WHERE EXISTS (SELECT 1 FROM results r WHERE "
            "r.param_key = claims.param_key AND r.function = claims.function AND "
            "r.version = claims.version AND r.status != ?)", (FAILED,))

    @_damage_checked
    def release(self, run_id: str) -> None:
        """Drop this run's claims (finished or interrupted)."""
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM claims WHERE run_id = ?", (run_id,))

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- sweeps ------------------------------------------------------------------------------
    @_damage_checked
    def ensure_sweep(self, name: str, spec: Mapping[str, Any] | None = None) -> int:
        """Return the id of sweep ``name``, creating it (with its grid ``spec``) if new.

        Raises
        ------
        InputError
            ``name`` already holds a sweep of another set of points: the specs' ``points_sha256``
            (a digest of the function and the point keys, set by the sweep engine) differ.  The
            same points resume it; specs without a digest (other callers, older stores) are not
            compared.
        """
        text = json.dumps(to_jsonable(spec or {}), sort_keys=True)
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "INSERT INTO sweeps (name, created_at, spec) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING", (name, _now(), text))
            row = self._conn.execute("SELECT sweep_id, spec FROM sweeps WHERE name = ?",
                                     (name,)).fetchone()
        try:
            stored = json.loads(row["spec"])
        except ValueError:
            stored = {}
        mine = (spec or {}).get("points_sha256")
        theirs = stored.get("points_sha256") if isinstance(stored, dict) else None
        if mine is not None and theirs is not None and mine != theirs:
            raise InputError(f"sweep name {name!r} in {str(self.path)!r} holds another set of "
                             f"points (another grid or question); give another name (the same "
                             f"points resume it)")
        return int(row["sweep_id"])

    @_damage_checked
    def sweeps(self) -> list[dict[str, Any]]:
        """List sweeps: name, creation time, grid spec, number of points stored and failed."""
        rows = self._conn.execute(
            "SELECT s.name, s.created_at, s.spec, COUNT(r.result_id) AS points, "
            "SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) AS failed "
            "FROM sweeps s LEFT JOIN sweep_points p ON p.sweep_id = s.sweep_id "
            "LEFT JOIN results r ON r.result_id = p.result_id "
            "GROUP BY s.sweep_id ORDER BY s.sweep_id").fetchall()
        return [{"name": r["name"], "created_at": r["created_at"], "spec": json.loads(r["spec"]),
                 "points": int(r["points"]), "failed": int(r["failed"] or 0)} for r in rows]

    def _sweep_id(self, name: str) -> int:
        row = self._conn.execute("SELECT sweep_id FROM sweeps WHERE name = ?",
                                 (name,)).fetchone()
        if row is None:
            known = ", ".join(s["name"] for s in self.sweeps()) or "none"
            raise InputError(f"no sweep named {name!r} in {str(self.path)!r} (known: {known})")
        return int(row["sweep_id"])

    # -- points ------------------------------------------------------------------------------
    @_damage_checked
    def stored_keys(self, function: str, *, include_failed: bool = False) -> set[str]:
        """Parameter keys stored for ``function`` at this store's version.

        Failed points are left out unless ``include_failed``: a rerun retries them.
        """
        sql = "SELECT param_key FROM results WHERE function = ? AND version = ?"
        if not include_failed:
            sql += " AND status != 'failed'"
        return {row[0] for row in self._conn.execute(sql, (function, self.version))}

    @_damage_checked
    def stored_result(self, key: str, function: str) -> dict[str, Any] | None:
        """The stored answer (the point function's dict) of the point ``key`` of ``function`` at
        this store's version, or None when it is not stored (or failed)."""
        row = self._conn.execute(
            "SELECT result FROM results WHERE param_key = ? AND function = ? AND version = ? "
            "AND status != 'failed'", (key, function, self.version)).fetchone()
        return None if row is None else json.loads(row[0])

    @_damage_checked
    def add_to_sweep(self, sweep_id: int, keys: Iterable[str], function: str) -> None:
        """Record already stored points (by key) as members of a sweep, in one transaction."""
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT OR IGNORE INTO sweep_points (sweep_id, result_id) "
                "SELECT ?, result_id FROM results WHERE param_key = ? AND function = ? "
                "AND version = ?",
                ((sweep_id, key, function, self.version) for key in keys))

    @_damage_checked
    def write_point(self, params: Mapping[str, Any], function: str, result: Mapping[str, Any],
                    *, elapsed_s: float | None = None, error: str | None = None,
                    sweep_id: int | None = None) -> bool:
        """Store one finished point in its own transaction.

        Parameters
        ----------
        params : Mapping
            The point's parameters (see :data:`PARAMETER_NAMES`).
        function : str
            ``"module:function"`` reference of the point function (part of the key).
        result : Mapping
            What the point function returned: at least ``"rate_upper_bound"`` and ``"status"``;
            ``"method"`` if present is stored in its own column; everything is kept as JSON.
        elapsed_s : float, optional
            Wall time of the computation.
        error : str, optional
            Error message of a failed point (status ``"failed"``).
        sweep_id : int, optional
            Sweep to record the point in.

        Returns
        -------
        bool
            ``True`` if the row was inserted or replaced a failed one, ``False`` if an equal key
            was already stored (the point is then only added to the sweep).
        """
        return self.write_points([(params, result, elapsed_s, error)], function,
                                 sweep_id=sweep_id) == 1

    @_damage_checked
    def write_points(self, items: Iterable[tuple[Mapping[str, Any], Mapping[str, Any],
                                                 float | None, str | None]],
                     function: str, *, sweep_id: int | None = None) -> int:
        """Store several finished points in one transaction (a sweep's chunk).

        Parameters
        ----------
        items : iterable of (params, result, elapsed_s, error[, result_json])
            As the arguments of :meth:`write_point`; ``result_json``, if given, is the JSON text
            of ``result`` (encoded where it was computed, e.g. on a Dask worker).
        function : str
            ``"module:function"`` reference of the point function (part of the key).
        sweep_id : int, optional
            Sweep to record the points in.

        Returns
        -------
        int
            Number of rows inserted (or failed rows replaced).
        """
        rows = []
        now = _now()
        for item in items:
            params, result, elapsed_s, error = item[:4]
            # an optional 5th element: the result's JSON text, already encoded (by a worker)
            text = item[4] if len(item) > 4 and item[4] is not None else None
            canon = canonical_params(params)
            row = {name: canon.get(name) for name in PARAMETER_NAMES}
            question = canon.get("question", RATE_QUESTION)
            row.update(
                param_key=_key_of_canonical(canon), function=function, version=self.version,
                question=question, params=_params_json(_as_computed(canon, params), question),
                rate_upper_bound=_finite_or_none(result.get("rate_upper_bound")),
                status=str(result.get("status", FAILED if error else "unknown")),
                method=None if result.get("method") is None else str(result.get("method")),
                error=error, elapsed_s=_finite_or_none(elapsed_s), finished_at=now,
                result=text if text is not None else _dumps(result))
            rows.append(row)
        changed = 0
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            for row in rows:
                changed += self._conn.execute(_UPSERT, row).rowcount > 0
            if sweep_id is not None:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO sweep_points (sweep_id, result_id) "
                    "SELECT ?, result_id FROM results WHERE param_key = ? AND function = ? "
                    "AND version = ?",
                    [(sweep_id, row["param_key"], function, self.version) for row in rows])
        return changed

    @_damage_checked
    def count(self, name: str | None = None) -> int:
        """Number of stored points (of sweep ``name`` if given)."""
        if name is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])
        return int(self._conn.execute("SELECT COUNT(*) FROM sweep_points WHERE sweep_id = ?",
                                      (self._sweep_id(name),)).fetchone()[0])

    @_damage_checked
    def records(self, name: str | None = None, *, all_versions: bool = False
                ) -> list[dict[str, Any]]:
        """Stored points as dicts with the keys :data:`RECORD_COLUMNS`.

        Parameters
        ----------
        name : str, optional
            Only the points of this sweep.
        all_versions : bool
            Include points computed by other package versions (default: this version only).

        Returns
        -------
        list of dict
            Sorted by the parameters; ``"result"`` is the JSON text of the full result.
        """
        cols = ", ".join(f"r.{c}" for c in RECORD_COLUMNS)
        sql = f"SELECT {cols} FROM results r"
        args: list[Any] = []
        where = []
        if name is not None:
            sql += " JOIN sweep_points p ON p.result_id = r.result_id"
            where.append("p.sweep_id = ?")
            args.append(self._sweep_id(name))
        if not all_versions:
            where.append("r.version = ?")
            args.append(self.version)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY " + ", ".join(f"r.{c}" for c in
                                        ("function", "version", "question", *PARAMETER_NAMES,
                                         "param_key"))
        return [dict(row) for row in self._conn.execute(sql, args)]


def _export_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    """One row of :func:`export_records`: the record's columns, then ``verdict`` and
    ``lower_bound`` of its JSON ``result`` (None where absent or unreadable)."""
    row = {c: rec.get(c) for c in RECORD_COLUMNS}
    try:
        result = json.loads(rec.get("result") or "null")
    except (TypeError, ValueError):
        result = None
    result = result if isinstance(result, dict) else {}
    verdict, lower = result.get("verdict"), result.get("lower_bound")
    row["verdict"] = verdict if isinstance(verdict, str) else None
    row["lower_bound"] = (float(lower) if isinstance(lower, (int, float))
                          and not isinstance(lower, bool) else None)
    return row


def export_records(records: Sequence[Mapping[str, Any]], path: str | os.PathLike | TextIO,
                   fmt: str) -> Path | None:
    """Write store records to ``path`` as ``csv``, ``json`` or ``parquet``.

    Parameters
    ----------
    records : sequence of Mapping
        As returned by :meth:`ResultStore.records`.
    path : str, PathLike or text stream
        Output file (parent directories are created; written atomically), or an open text
        stream (e.g. ``sys.stdout``) for ``csv`` and ``json``.
    fmt : {"csv", "json", "parquet"}
        ``json`` writes a list of objects (the ``result`` column stays a JSON string, so the
        three formats hold the same table); ``parquet`` needs pandas and pyarrow.  The columns
        are :data:`EXPORT_COLUMNS`: the records' and each result's ``verdict`` and
        ``lower_bound``.

    Returns
    -------
    Path or None
        The written file (None for a stream).
    """
    stream = path if hasattr(path, "write") and not isinstance(path, (str, os.PathLike)) else None
    if stream is not None:
        if fmt == "parquet":
            raise InputError("format parquet needs a file path, not a stream")
    elif not isinstance(path, (str, os.PathLike)) or not str(path):
        raise InputError(f"path must be a file path, got {path!r:.60}")
    elif Path(path).is_dir():
        raise InputError(f"path must be a file, but {str(path)!r} is a directory")
    if fmt not in ("csv", "json", "parquet"):
        raise InputError(f"format must be one of csv, json, parquet; got {fmt!r}")
    if isinstance(records, (str, bytes, Mapping)) or not hasattr(records, "__iter__"):
        raise InputError(f"records must be a sequence of mappings (ResultStore.records), got {records!r:.60}")
    records = list(records)
    if not all(isinstance(rec, Mapping) for rec in records):
        raise InputError("records must be a sequence of mappings (ResultStore.records)")
    rows = [_export_row(rec) for rec in records]
    if fmt == "parquet":
        try:
            import pandas as pd
            import pyarrow  # noqa: F401 - the parquet engine pandas needs
        except ImportError:
            raise InputError("parquet export needs pandas and pyarrow: "
                             "pip install 'qkdbounds[parquet]'") from None
    from .._io import atomic_write

    def write_text(fh):
        if fmt == "csv":
            writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        else:
            json.dump(rows, fh, indent=1, allow_nan=False)
            fh.write("\n")

    if stream is not None:
        write_text(stream)
        return None

    def write(tmp):  # a full disk leaves no truncated export (atomic_write)
        if fmt in ("csv", "json"):
            with open(tmp, "w", newline="" if fmt == "csv" else None, encoding="utf-8") as fh:
                write_text(fh)
        else:
            frame = pd.DataFrame.from_records(rows, columns=list(EXPORT_COLUMNS))
            frame = frame.astype({"dim": "Int64", "parties": "Int64", "visibility": "float64",
                                  "leakage": "float64", "rate_upper_bound": "float64",
                                  "elapsed_s": "float64", "lower_bound": "float64"})
            frame.to_parquet(tmp, index=False, engine="pyarrow")

    return atomic_write(Path(path), write)
