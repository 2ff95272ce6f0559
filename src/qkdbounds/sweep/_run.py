"""Run a sweep on Dask and write each finished point to the SQLite store (SPEC F8, §6).

The client process is the only writer: tasks are submitted only for points the store does not
hold yet (failed points are retried), results are collected with
:func:`distributed.as_completed` and each task's chunk of points is committed in one transaction
as soon as it arrives.  Killing the client therefore loses at most the points still in flight.

A task is a chunk of points: for point functions with a vectorised companion (``fn.chunk``, e.g.
:func:`qkdbounds.sweep.points.rate_point`), up to :data:`STRUCTURED_CHUNK` points of one
(d, N, model, attack) on the structured route, or a batch sized to about :data:`TARGET_TASK_S`
of work on point-by-point routes; other point functions get one point per task.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import InputError, check_name_text, check_parameter
from ..store import ResultStore, parameter_key
from .._json import to_jsonable
from ..store._sqlite import FAILED, _dumps
from ._grid import build_grid, grid_name, grid_points

__all__ = ["SweepSummary", "run_sweep", "function_reference", "resolve_function",
           "DEFAULT_POINT_FN"]

logger = logging.getLogger(__name__)

#: Reference of the default point function.
DEFAULT_POINT_FN = "qkdbounds.sweep.points:rate_point"

#: Tasks kept on the cluster at once; bounds scheduler memory for very large grids while keeping
#: every worker busy.
MAX_IN_FLIGHT = 2000

#: Fault injection for tests: SIGKILL (value ``"K"``), a KeyboardInterrupt (``"K:INT"``) or a
#: terminal's Ctrl-C, SIGINT to the whole process group (``"K:PGINT"``), right after K points of
#: this run are stored (deterministic, no polling).
KILL_AFTER_STORED_ENV = "QKDBOUNDS_TEST_KILL_AFTER_STORED"

#: Seconds to wait for an external scheduler to answer, and then for its first worker.
CONNECT_TIMEOUT_S = 15


@dataclasses.dataclass(frozen=True)
class SweepSummary:
    """What a sweep did.

    Attributes
    ----------
    name : str
        Sweep name in the store.
    store : str
        Path of the SQLite store.
    total : int
        Points in the grid.
    computed : int
        Points computed successfully by this run.
    skipped : int
        Points already in the store (not recomputed).
    failed : int
        Points whose computation raised (stored with status ``"failed"``; retried on rerun).
    elapsed_s : float
        Wall time of the run.
    scheduler : str
        ``"local"`` (a LocalCluster started for the run), the scheduler address, or ``"none"``
        when nothing had to be computed.
    function : str
        ``module:function`` reference of the point function.
    failures : tuple of (str, str)
        ``(parameter key, error message)`` of the failed points (at most 20).
    claimed_elsewhere : int
        Points not stored yet but claimed by another live run on the same store (that run
        computes them; a rerun afterwards finds them stored).
    """

    name: str
    store: str
    total: int
    computed: int
    skipped: int
    failed: int
    elapsed_s: float
    scheduler: str
    function: str
    failures: tuple[tuple[str, str], ...] = ()
    claimed_elsewhere: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (the ``qkdbounds sweep --json`` object)."""
        out = dataclasses.asdict(self)
        out["failures"] = [{"point": key, "error": msg} for key, msg in self.failures]
        out["status"] = ("failed" if self.failed else
                         "incomplete" if self.claimed_elsewhere else "ok")
        if self.claimed_elsewhere:
            out["message"] = (f"{self.claimed_elsewhere} points are being computed by another "
                              f"live run on this store and are not stored yet; rerun to skip "
                              f"them once stored")
        return out


def resolve_function(reference: str) -> Callable[[Mapping[str, Any]], Mapping[str, Any]]:
    """Import ``"package.module:function"`` and return the callable.

    Raises
    ------
    InputError
        If the reference is malformed, the module cannot be imported or the name is missing.
    """
    if not isinstance(reference, str):
        raise InputError(f"function must be a 'package.module:function' reference, got {reference!r:.60}")
    module_name, sep, attr = reference.partition(":")
    if not sep or not module_name or not attr:
        raise InputError(f"point function must be 'module:function', got {reference!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"point function module {module_name!r} cannot be imported: {exc}"
                         ) from None
    obj: Any = module
    for part in attr.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise InputError(f"point function {reference!r}: {module_name} has no {attr!r}")
    if not callable(obj):
        raise InputError(f"point function {reference!r} is not callable")
    return obj


def function_reference(point_fn: str | Callable[..., Any]) -> tuple[str, Callable[..., Any]]:
    """Return ``(reference, callable)`` for a point function given by reference or callable.

    The reference (``module:qualname``) is part of every stored point's key, so it must be
    stable: lambdas and nested functions are rejected.
    """
    if isinstance(point_fn, str):
        return point_fn, resolve_function(point_fn)
    if not callable(point_fn):
        raise InputError(f"point_fn must be callable or 'module:function', got {point_fn!r}")
    module = getattr(point_fn, "__module__", None)
    qualname = getattr(point_fn, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise InputError(f"point_fn must be a top-level named function, got {point_fn!r}")
    return f"{module}:{qualname}", point_fn


def _run_point(point_fn: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    """Task run on a worker: compute one point, never raise (errors become status "failed")."""
    start = time.perf_counter()
    try:
        result = point_fn(dict(params))
        if not isinstance(result, Mapping) or not {"rate_upper_bound", "status"} <= set(result):
            raise TypeError("point function must return a dict with 'rate_upper_bound' and "
                            f"'status', got {type(result).__name__}")
        return {"result": to_jsonable(result), "error": None,
                "elapsed_s": time.perf_counter() - start}
    except Exception as exc:  # noqa: BLE001 - a failing point is data, not a crash of the sweep
        message = f"{type(exc).__name__}: {exc}"
        return {"result": {"rate_upper_bound": None, "status": FAILED, "error": message},
                "error": message, "elapsed_s": time.perf_counter() - start}


class _Chunk:
    """Opaque holder of a task's points: Dask does not walk it looking for futures (a plain list
    of dicts costs ~45 us per point in the scheduler's task parsing)."""

    __slots__ = ("points",)

    def __init__(self, points: list[dict[str, Any]]):
        self.points = points

    def __getstate__(self):
        return self.points

    def __setstate__(self, state):
        self.points = state


def _run_task(point_fn: Callable[..., Any], chunk: _Chunk) -> _Chunk:
    """The Dask task: :func:`_run_chunk` with its list wrapped in :class:`_Chunk` both ways
    (distributed handles a returned plain list of 5000 dicts about 5x slower)."""
    return _Chunk(_run_chunk(point_fn, chunk))


def _run_chunk(point_fn: Callable[..., Any], chunk: _Chunk | list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """Task run on a worker: compute a chunk of points, never raise.

    With a vectorised companion ``point_fn.chunk`` the whole chunk is one call (array operations
    on the structured route); if that raises, every point is retried alone so that a failure
    stays with its point.  Otherwise the points are computed one after the other.
    """
    chunk = chunk.points if isinstance(chunk, _Chunk) else chunk
    chunk_fn = getattr(point_fn, "chunk", None)
    if chunk_fn is not None and len(chunk) > 1:
        start = time.perf_counter()
        try:
            results = chunk_fn([dict(p) for p in chunk])
            elapsed = (time.perf_counter() - start) / len(chunk)
            # chunk functions return JSON-able dicts (their contract): no second conversion
            # and the JSON text is encoded here, on the worker, not by the single writer
            return [{"result": r, "error": None, "elapsed_s": elapsed, "json": _dumps(r)}
                    for r in results]
        except Exception:  # noqa: BLE001 - fall back to per-point errors below
            pass
    return [_run_point(point_fn, p) for p in chunk]


#: Points per task on the structured (closed-form, vectorised) route.
STRUCTURED_CHUNK = 5000
#: Target work per task (seconds) for point-by-point routes; sizes the batches below.
TARGET_TASK_S = 1.0
#: Rough cost (s) of one point per (route, attack), used only to size batches to ~TARGET_TASK_S.
_POINT_COST_S = {("general", "paper"): 0.02, ("general", "extended"): 0.1, ("general", "best"): 0.1,
                 ("search", "best"): 3.0,
                 ("general", "intrinsic"): 3.0, ("search", "paper"): 1.0,
                 ("search", "extended"): 3.0, ("search", "intrinsic"): 60.0}


def _chunks(point_fn: Callable[..., Any], pending: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Split the pending points into tasks: by (d, N, model, attack), sized by route."""
    if getattr(point_fn, "chunk", None) is None:
        return [[p] for p in pending]  # unknown cost: one point per task
    from ..bounds.rate import choose_route

    groups: dict[tuple, list[dict[str, Any]]] = {}
    for p in pending:
        groups.setdefault((p["dim"], p["parties"], p["model"], p["attack"]), []).append(p)
    tasks = []
    for (d, n, _model, attack), points in groups.items():
        route = choose_route(d, n, "auto", attack)
        size = STRUCTURED_CHUNK if route == "structured" else max(
            1, int(TARGET_TASK_S / _POINT_COST_S.get((route, attack), TARGET_TASK_S)))
        tasks.extend(points[i:i + size] for i in range(0, len(points), size))
    return tasks


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Keep distributed's INFO chatter off stderr unless qkdbounds itself logs at INFO.

    distributed sets its logger to INFO; when the CLI has configured the root logger first, those
    records would reach the root handler (STYLE: stderr carries progress and real problems).
    """
    dask_logger = logging.getLogger("distributed")
    old = dask_logger.level
    if not logger.isEnabledFor(logging.INFO):
        dask_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        dask_logger.setLevel(old)


_SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def check_scheduler_address(address: str) -> str:
    """``[scheme://]host:port`` with a known scheme and a port in 1..65535, or InputError.

    Checked before any connection, so that a malformed address gives one line (and no Dask
    client half-built, whose finaliser would print a traceback at exit).
    """
    text = str(address).strip()
    if not text:
        raise InputError("scheduler must be an address like tcp://HOST:PORT, got an empty string "
                         "(omit --scheduler for the local cluster)")
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    ok = (scheme in _SCHEDULER_SCHEMES and colon and host and "/" not in host
          and port.isdigit() and 1 <= int(port) <= 65535)
    if not ok:
        raise InputError(f"scheduler must be an address like tcp://HOST:PORT (schemes "
                         f"{', '.join(_SCHEDULER_SCHEMES)}; port 1-65535), got {address!r}")
    return f"{scheme}://{host}:{port}"


#: Most local worker processes per core (:func:`os.cpu_count`).
WORKERS_PER_CORE = 4

#: Longest wait (s) for a TCP address to answer as a Dask scheduler before any client is built.
PROBE_TIMEOUT_S = 10.0


def _probe_scheduler(address: str, timeout: float) -> None:
    """Refuse, in one line, a ``tcp://`` or ``tls://`` address that is not a Dask scheduler: nothing listening
    (refused at once, not after Dask's connection retries), something else listening (an HTTP
    server: Dask would read its reply as a frame length and try to allocate exabytes), or no
    answer within ``timeout``.  Asks the scheduler's ``identity`` over Dask's own RPC, so no
    half-built client is left for its finaliser to print a traceback at exit."""
    import asyncio
    import concurrent.futures
    import socket

    host, _, port = address.partition("://")[2].rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=min(timeout, 5.0)):
            pass
    except OSError as exc:
        raise InputError(f"cannot connect to scheduler {address!r}: {exc.strerror or exc}") from None
    from distributed.core import rpc
    from distributed.security import Security

    # (tls://: the certificates of the user's Dask configuration, as the client would use)
    connection_args = Security().get_connection_args("client")

    async def identity():
        async with rpc(address, timeout=timeout, connection_args=connection_args) as remote:
            return await remote.identity()

    def ask():
        return asyncio.run(asyncio.wait_for(identity(), timeout))

    try:
        # on a thread of its own: the caller may be inside a running event loop (Jupyter), where
        # asyncio.run refuses to start
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            info = pool.submit(ask).result()
    except (Exception, MemoryError) as exc:   # (garbage read as a frame length: MemoryError)
        what = (f"no answer within {timeout:g} s" if isinstance(exc, (TimeoutError, asyncio.TimeoutError))
                else f"its reply is not Dask's protocol: {type(exc).__name__}")
        raise InputError(f"scheduler {address!r} does not answer as a Dask scheduler ({what}); "
                         f"start one with `dask scheduler`") from None
    if not isinstance(info, dict) or info.get("type") != "Scheduler":
        raise InputError(f"{address!r} answers, but not as a Dask scheduler "
                         f"(type {info.get('type') if isinstance(info, dict) else info!r})")


@contextlib.contextmanager
def _dask_client(scheduler: str | None, n_workers: int | None, processes: bool,
                 connect_timeout: float) -> Iterator[tuple[Any, str]]:
    from distributed import Client, LocalCluster

    with _quiet_dask_logs():
        if scheduler is not None:
            scheduler = check_scheduler_address(scheduler)
            if scheduler.startswith(("tcp://", "tls://")):
                _probe_scheduler(scheduler, min(connect_timeout, PROBE_TIMEOUT_S))
            try:
                client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
            except (OSError, ValueError, TypeError, MemoryError) as exc:
                raise InputError(f"cannot connect to scheduler {scheduler!r}: {exc}") from None
            with client:
                # a scheduler without workers would hold the tasks forever: wait for one
                try:
                    client.wait_for_workers(1, timeout=connect_timeout)
                except (TimeoutError, OSError) as exc:
                    raise InputError(f"scheduler {scheduler!r} has no workers (waited "
                                     f"{connect_timeout:g} s); start some with `dask worker "
                                     f"{scheduler}`") from None
                yield client, scheduler
            return
        n_workers = _default_workers() if n_workers is None else n_workers
        cores = os.cpu_count() or 1
        if n_workers > WORKERS_PER_CORE * cores:
            # each worker is a process (~45 MB, ~1 s to start on a loaded machine): 64 on two
            # cores took 56 s and 2.8 GB for a 2-point grid
            raise InputError(f"workers must be at most {WORKERS_PER_CORE} per core on this machine "
                             f"({WORKERS_PER_CORE * cores} for {cores} cores), got {n_workers}; "
                             f"a larger cluster: --scheduler ADDRESS")
        # No dashboard.  The scheduler still serves a few HTTP routes; bind them to a free
        # loopback port rather than the default 8787, which warns when another cluster has it.
        with _workers_ignore_sigint(processes):
            # worker logs at CRITICAL only: a loaded machine makes workers log heartbeat timeouts
            # with tracebacks at shutdown (ERROR), noise for the user; a failed task reaches the
            # sweep through its future and is reported there, in one line
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                   dashboard_address=None, silence_logs=logging.CRITICAL,
                                   scheduler_kwargs={"dashboard": False,
                                                     "dashboard_address": "127.0.0.1:0"})
        with cluster, Client(cluster, set_as_default=False) as client:
            yield client, "local"


@contextlib.contextmanager
def _workers_ignore_sigint(processes: bool):
    """Start local worker processes with SIGINT ignored (the disposition survives their exec):
    a terminal's Ctrl-C reaches the whole process group, and only this process should act on
    it -- it stops the sweep, closes the cluster (ending the workers quietly) and releases its
    claims, instead of every worker printing a traceback."""
    if not processes or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _progress(total: int, initial: int, name: str, quiet: bool):
    from tqdm.auto import tqdm

    disable = quiet or not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return tqdm(total=total, initial=initial, desc=name, unit="pt", file=sys.stderr,
                disable=disable, dynamic_ncols=True, leave=True)


def run_sweep(axes: Mapping[str, Any], store: str | os.PathLike | ResultStore, *,
              question: str = "rate", point_fn: str | Callable[..., Any] | None = None,
              name: str | None = None, scheduler: str | None = None,
              n_workers: int | None = None, processes: bool = True,
              quiet: bool = False, max_in_flight: int = MAX_IN_FLIGHT,
              connect_timeout: float = CONNECT_TIMEOUT_S) -> SweepSummary:
    """Compute a parameter grid on Dask, storing every finished point in the results store.

    Parameters
    ----------
    axes : Mapping
        Grid axes of the question, each a spec for :func:`~qkdbounds.sweep.parse_axis`
        (``"0.3:1:0.01"``, ``"0.1,0.2"``, a value or a list).  ``rate``: any of ``dim, parties,
        visibility, leakage, model, attack``; ``visibility`` and ``leakage`` are required; the
        others default to ``dim=2, parties=2, model="uniform", attack="best"`` (the tightest
        bound; "paper" for the paper's numbers).  Other questions: their axes in
        :data:`~qkdbounds.sweep.questions.QUESTIONS` (``docs/sweep_questions.md``).
    store : path or ResultStore
        SQLite store (created if missing).
    question : {"rate", "data", "state", "di"}
        The question asked at every point (default the isotropic ``rate``).
    point_fn : str or callable, optional
        Top-level importable function ``params -> dict`` (with at least ``"rate_upper_bound"``
        and ``"status"``), or its ``"module:function"`` reference.  Default: the question's
        point function (:func:`qkdbounds.sweep.points.rate_point` for ``rate``).
    name : str, optional
        Sweep name; default derived from the grid and point function, so the same command
        resumes the same sweep.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://HOST:PORT``).  Default: a
        ``LocalCluster`` with ``n_workers`` single-threaded worker processes.
    n_workers : int, optional
        Workers of the local cluster (default: the number of usable cores).
    processes : bool
        Local workers as processes (default) or threads in this process.
    quiet : bool
        No progress bar (there is none anyway when stderr is not a terminal).
    max_in_flight : int
        Maximum number of tasks submitted but not yet collected.
    connect_timeout : float
        Seconds to wait for ``scheduler`` to answer, and then for it to have a worker.

    Returns
    -------
    SweepSummary
        Counts of computed, skipped (already stored) and failed points.

    Raises
    ------
    InputError
        Bad grid, point function, worker count or scheduler address.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> summary = run_sweep({"visibility": "0.5:1:0.25", "leakage": "0.1"}, path,
    ...                     point_fn="qkdbounds.sweep._testing:toy_point",
    ...                     n_workers=1, processes=False, quiet=True)
    >>> summary.computed, summary.skipped, summary.failed
    (3, 0, 0)
    """
    from .questions import get_question

    start = time.perf_counter()
    spec = get_question(question)
    grid = build_grid(axes, spec.name)
    reference, fn = function_reference(spec.point_fn if point_fn is None else point_fn)
    if n_workers is not None:  # local worker processes (a larger cluster: scheduler=ADDRESS)
        n_workers = check_parameter("workers", n_workers)
    if max_in_flight < 1:
        raise InputError(f"max_in_flight must be >= 1, got {max_in_flight!r}")
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    name = grid_name(grid, reference) if name is None else check_name_text("name", name)
    points = list(grid_points(grid))

    own_store = not isinstance(store, ResultStore)
    db = ResultStore(store) if own_store else store
    run_id = uuid.uuid4().hex
    try:
        keyed = [(parameter_key(p), p) for p in points]
        # the sweep is its set of points (keys) and function: another spelling of the same grid
        # (a range or a list, another order, the same state file at another path) is the same
        # sweep; another set under the same name is refused (ResultStore.ensure_sweep)
        digest = hashlib.sha256("\n".join([reference, *sorted(k for k, _ in keyed)])
                                .encode()).hexdigest()
        sweep_id = db.ensure_sweep(name, {"grid": grid, "function": reference,
                                          "points_sha256": digest})
        done = db.stored_keys(reference)
        skipped_keys = [key for key, _ in keyed if key in done]
        pending_keyed = [(key, p) for key, p in keyed if key not in done]
        db.add_to_sweep(sweep_id, skipped_keys, reference)
        # claim before computing: a concurrent sweep on this store never computes a point twice
        owned = db.claim([key for key, _ in pending_keyed], reference, run_id) \
            if pending_keyed else set()
        pending = [p for key, p in pending_keyed if key in owned]
        elsewhere = len(pending_keyed) - len(pending)
        logger.info("sweep %s: %d points, %d stored, %d being computed by another run, "
                    "%d to compute", name, len(points), len(skipped_keys), elsewhere, len(pending))
        computed = failed = 0
        failures: list[tuple[str, str]] = []
        used = "none"
        if pending:
            cluster = _dask_client(scheduler, n_workers, processes, connect_timeout)
            with cluster as (client, used), \
                    _progress(len(points), len(skipped_keys), name, quiet) as bar:
                computed, failed, failures = _execute(client, fn, reference, pending, db,
                                                      sweep_id, bar, max_in_flight)
        return SweepSummary(name=name, store=str(db.path), total=len(points), computed=computed,
                            skipped=len(skipped_keys), failed=failed,
                            elapsed_s=round(time.perf_counter() - start, 3), scheduler=used,
                            function=reference, failures=tuple(failures[:20]),
                            claimed_elsewhere=elsewhere)
    finally:
        try:
            db.release(run_id)
        finally:
            if own_store:
                db.close()


def _execute(client, fn, reference, pending, db, sweep_id, bar, max_in_flight):
    from distributed import as_completed

    todo = iter(_chunks(fn, pending))
    chunk_of: dict[str, list[dict[str, Any]]] = {}
    queue = as_completed(loop=client.loop)

    def submit_next() -> None:
        chunk = next(todo, None)
        if chunk is not None:
            future = client.submit(_run_task, fn, _Chunk(chunk), pure=False)
            chunk_of[future.key] = chunk
            queue.add(future)

    for _ in range(max_in_flight):
        submit_next()
    computed = failed = 0
    failures: list[tuple[str, str]] = []
    kill_after = os.environ.get(KILL_AFTER_STORED_ENV)
    for future in queue:
        chunk = chunk_of.pop(future.key)
        try:
            outcomes = future.result().points
        except Exception as exc:  # noqa: BLE001 - worker lost, task cancelled, ...
            message = f"{type(exc).__name__}: {exc}"
            outcomes = [{"result": {"rate_upper_bound": None, "status": FAILED, "error": message},
                         "error": message, "elapsed_s": None} for _ in chunk]
        future.release()
        # the whole chunk in one transaction
        db.write_points([(params, o["result"], o["elapsed_s"], o["error"], o.get("json"))
                         for params, o in zip(chunk, outcomes)], reference, sweep_id=sweep_id)
        for params, outcome in zip(chunk, outcomes):
            if outcome["error"] is not None or outcome["result"].get("status") == FAILED:
                failed += 1
                failures.append((parameter_key(params), outcome["error"] or "status failed"))
                logger.warning("point %s failed: %s", parameter_key(params), outcome["error"])
            else:
                computed += 1
        if kill_after is not None and computed + failed >= int(kill_after.split(":")[0]):
            # test hook (fault injection), never in use: "K" = SIGKILL, "K:INT" = what Ctrl-C
            # raises (a KeyboardInterrupt here, whatever the process's SIGINT disposition)
            mode = kill_after.partition(":")[2]
            kill_after = None
            if mode == "INT":
                raise KeyboardInterrupt
            if mode == "PGINT":   # a terminal's Ctrl-C: SIGINT to the whole process group
                os.killpg(os.getpgid(0), signal.SIGINT)
                time.sleep(30)     # the handler interrupts this sleep
            os.kill(os.getpid(), signal.SIGKILL)
        bar.update(len(chunk))
        if failed:
            bar.set_postfix(failed=failed, refresh=False)
        submit_next()
    return computed, failed, failures
