"""Fixtures for the sweep tests: toy point functions, a real Dask scheduler on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
TOY = "qkdbounds.sweep._testing:toy_point"
FAILING = "qkdbounds.sweep._testing:failing_point"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dask_executable() -> str:
    """The ``dask`` command of the interpreter running the tests (the venv's)."""
    candidate = Path(sys.executable).parent / "dask"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dask")
    if found is None:
        pytest.fail("the dask command-line tool is not installed next to the test interpreter")
    return found


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: the package importable, toy settings passed on."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def stop(proc: subprocess.Popen) -> None:
    """Terminate a process we started (then kill it if it does not exit)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def toy_log(tmp_path, monkeypatch) -> Path:
    """Log file in which the toy point function records each computation (key and pid)."""
    log = tmp_path / "computations.log"
    monkeypatch.setenv("QKDBOUNDS_TOY_LOG", str(log))
    monkeypatch.setenv("QKDBOUNDS_TOY_SLEEP", "0")
    return log


def read_log(log: Path) -> list[tuple[str, int]]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text().splitlines():
        key, pid = line.rsplit(" ", 1)
        out.append((key, int(pid)))
    return out


@pytest.fixture
def dask_scheduler(tmp_path, toy_log):
    """A real ``dask scheduler`` and one ``dask worker`` on 127.0.0.1, as subprocesses.

    Yields the scheduler address; both processes are stopped afterwards.
    """
    yield from _dask_cluster(tmp_path, 1)


@pytest.fixture
def dask_scheduler_two_workers(tmp_path):
    """A real ``dask scheduler`` and a ``dask worker`` with two worker processes on 127.0.0.1."""
    yield from _dask_cluster(tmp_path, 2)


@pytest.fixture
def dask_scheduler_no_workers(tmp_path):
    """A real ``dask scheduler`` on 127.0.0.1 without workers."""
    yield from _dask_cluster(tmp_path, 0)


def _dask_cluster(tmp_path, n_workers: int):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = subprocess_env()
    dask = dask_executable()
    procs = []
    logs = []
    try:
        for name, cmd in (
            ("scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                           "--no-dashboard"]),
            ("worker", [dask, "worker", address, "--nworkers", str(n_workers), "--nthreads", "1",
                        "--no-dashboard", "--host", "127.0.0.1",
                        "--local-directory", str(tmp_path / "dask-worker")]),
        ):
            if name == "worker" and n_workers == 0:
                continue
            log = open(tmp_path / f"{name}.log", "wb")
            logs.append(log)
            procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL))
            if name == "scheduler":
                _wait_for_port(port, procs[0], tmp_path / "scheduler.log")
        yield address
    finally:
        for proc in reversed(procs):
            stop(proc)
        for log in logs:
            log.close()


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dask scheduler exited early:\n{log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"dask scheduler did not listen on port {port}:\n{log.read_text()}")


def run_until_killed(cmd: list[str], env: dict[str, str], output: Path | None = None,
                     timeout: float = 300) -> int:
    """Run ``cmd`` in its own session (it SIGKILLs itself through the fault-injection variable in
    ``env``) and return its exit status; whatever it started is killed with its group."""
    with open(output or os.devnull, "wb") as sink:
        proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    finally:
        # the run's own worker processes follow their parent; make sure (in its own group)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
    return proc.returncode
