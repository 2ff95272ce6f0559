"""Checked file and directory access: one clear :class:`InputError` line before any work.

Every path a user gives (an output directory, an export file, a store, an input matrix) goes
through here, so that a wrong kind (a file where a directory is needed, a directory where a file
is), a missing or unwritable parent, an empty string, an empty or corrupt or oversized input file
is refused up front with the parameter's name, instead of a traceback after minutes of work.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .errors import InputError

__all__ = ["check_output_dir", "check_output_file", "check_input_file", "load_npy_checked",
           "atomic_write", "write_text_atomic", "load_json_checked", "MAX_INPUT_BYTES",
           "MAX_JSON_DEPTH"]

#: Largest input matrix file read (bytes): a 4096 x 4096 complex matrix is 256 MiB.
MAX_INPUT_BYTES = 256 * 2**20


#: Longest path component accepted (bytes): file systems allow 255, and the atomic writes' temporary
#: names add up to ~30 to a file name.
MAX_NAME_BYTES = 223


def _nonempty(name: str, path) -> Path:
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if text is None or not str(text).strip():
        raise InputError(f"{name} must be a non-empty path, got {path!r}")
    p = Path(text)
    for part in p.parts:
        size = len(os.fsencode(part))
        if size > MAX_NAME_BYTES:
            raise InputError(f"{name}: a path component is {size} bytes long ({part[:20]}...); "
                             f"allowed: at most {MAX_NAME_BYTES}")
    return p


def _creatable(name: str, path: Path, what: str, start: Path | None = None) -> None:
    """The nearest existing ancestor of ``start`` (default: ``path``'s parent) is a writable
    directory, so that ``path`` can be created."""
    probe = start if start is not None else (path.parent if str(path.parent) else Path("."))
    while not probe.exists():
        if probe == probe.parent:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{name}: cannot create {what} {path}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"{name}: cannot create {what} {path}: {probe} is not writable")
    _probe_write(name, probe, f"cannot create {what} {path}")


def _probe_write(name: str, directory: Path, what: str) -> None:
    """Create and remove one empty file in ``directory``: ``os.access`` says yes to root on
    read-only and virtual file systems (/proc, /sys, a read-only mount), where the write would
    fail only after the work."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".qkdbounds-probe-")
    except OSError as exc:
        raise InputError(f"{name}: {what}: {directory} is not writable ({exc.strerror})") from None
    os.close(fd)
    os.unlink(tmp)


def check_output_dir(name: str, path) -> Path:
    """An output directory: existing and writable, or creatable. Returns it (not created)."""
    p = _nonempty(name, path)
    if p.exists():
        if not p.is_dir():
            raise InputError(f"{name} must be a directory, but {p} is an existing file")
        if not os.access(p, os.W_OK | os.X_OK):
            raise InputError(f"{name}: directory {p} is not writable")
        _probe_write(name, p, "cannot write into the directory")
        return p
    _creatable(name, p, "directory", start=p)
    return p


def check_output_file(name: str, path, suffixes: tuple[str, ...] | None = None) -> Path:
    """An output file: not a directory; writable if it exists; its directory creatable."""
    p = _nonempty(name, path)
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise InputError(f"{name} must end in one of {', '.join(suffixes)}, got {p.name!r}")
    if p.exists():
        if p.is_dir():
            raise InputError(f"{name} must be a file, but {p} is a directory")
        if not p.is_file():
            raise InputError(f"{name}: {p} is not a regular file")
        if not os.access(p, os.W_OK):
            raise InputError(f"{name}: file {p} is not writable")
        return p
    _creatable(name, p, "file")
    return p


def check_input_file(name: str, path, max_bytes: int = MAX_INPUT_BYTES) -> Path:
    """An input file: exists, regular, readable, non-empty, at most ``max_bytes``."""
    p = _nonempty(name, path)
    if not p.exists():
        raise InputError(f"{name}: file not found: {p}")
    if p.is_dir():
        raise InputError(f"{name} must be a file, but {p} is a directory")
    if not p.is_file():
        raise InputError(f"{name}: {p} is not a regular file")
    if not os.access(p, os.R_OK):
        raise InputError(f"{name}: file {p} is not readable")
    size = p.stat().st_size
    if size == 0:
        raise InputError(f"{name}: file {p} is empty")
    if size > max_bytes:
        raise InputError(f"{name}: file {p} has {size / 2**20:.1f} MiB; allowed: at most "
                         f"{max_bytes / 2**20:.0f} MiB")
    return p


def load_npy_checked(name: str, path, max_elements: int = 4096 * 4096,
                     max_bytes: int = MAX_INPUT_BYTES, check_shape=None) -> NDArray:
    """Read a ``.npy`` array after checking the file and its header (shape, dtype) first.

    ``check_shape`` (optional): called with the header's shape (a tuple) after the header's
    dtype check and before the array is read; it raises :class:`InputError` for a shape the
    caller refuses (e.g. a state larger than a route allows).

    Raises
    ------
    InputError
        Missing, empty, oversized or corrupt file; pickled objects; a shape with more than
        ``max_elements`` entries; a non-numeric dtype; a shape ``check_shape`` refuses.
    """
    from numpy.lib import format as npy_format

    p = check_input_file(name, path, max_bytes)
    try:
        with open(p, "rb") as fh:
            version = npy_format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = npy_format.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = npy_format.read_array_header_2_0(fh)
    except (ValueError, OSError, EOFError, SyntaxError, MemoryError) as exc:
        raise InputError(f"{name}: {p} is not a .npy array file ({_first_line(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - numpy parses the header with ast/tokenize
        raise InputError(f"{name}: {p} is not a .npy array file (unreadable header: "
                         f"{type(exc).__name__})") from None
    if dtype.hasobject or dtype.kind not in "biufc":
        raise InputError(f"{name}: {p} must hold a numeric array, got dtype {dtype}")
    if check_shape is not None:
        check_shape(tuple(shape))
    n_elements = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if n_elements > max_elements:
        raise InputError(f"{name}: array of shape {tuple(shape)} has {n_elements} entries; "
                         f"allowed: at most {max_elements}")
    try:
        return np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"{name}: {p} is not a readable .npy array ({_first_line(exc)})") from None


#: Deepest nesting of arrays/objects accepted in an input JSON file (the schemas need <= 5).
MAX_JSON_DEPTH = 32


def _depth_ok(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def load_json_checked(name: str, path, max_bytes: int = 16 * 2**20,
                      max_depth: int = MAX_JSON_DEPTH):
    """Read a JSON input file: checked like :func:`check_input_file`, parsed, and refused in one
    line when it is not UTF-8, not JSON, nested deeper than ``max_depth`` (a parser recursion
    limit is not a traceback) or holds numbers Python will not convert.

    Returns
    -------
    The parsed object.
    """
    import json

    p = check_input_file(name, path, max_bytes)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name}: {p} is not a UTF-8 text (JSON) file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: {p} is not valid JSON ({exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{name}: {p} is nested too deeply (allowed: at most {max_depth} "
                         f"levels)") from None
    except ValueError as exc:
        reason = _first_line(exc)
        if "integer string conversion" in reason:       # Python's guard against huge integers
            reason = "an integer of more than 4300 digits"
        raise InputError(f"{name}: {p} is not a supported JSON file ({reason})") from None
    if not _depth_ok(data, max_depth):
        raise InputError(f"{name}: {p} is nested too deeply (allowed: at most {max_depth} levels)")
    return data


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def atomic_write(path, write) -> Path:
    """Write a file atomically: ``write(tmp)`` fills a temporary file next to ``path`` (same
    suffix, so writers that infer the format from it keep working), which then replaces
    ``path`` in one rename.  Parent directories are created.  On any failure (e.g. a full disk,
    ENOSPC) the temporary file is removed and the error propagates: nothing partial is left.

    Parameters
    ----------
    path : str or PathLike
        The final file.
    write : callable
        ``write(tmp_path)`` writes the whole content to ``tmp_path``.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return path


def write_text_atomic(path, text: str, encoding: str = "utf-8") -> Path:
    """:func:`atomic_write` of a text file."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding=encoding))
