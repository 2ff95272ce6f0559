"""A bounded memo for answers that several calls of one question share (a leakage grid, the
rate and ``--save-ensemble``): a dict that forgets its oldest entry when full."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["BoundedCache"]


class BoundedCache(dict):
    """Insertion-ordered dict of at most ``size`` entries (the oldest is dropped first); ``put``
    is safe from several threads (a Dask worker's threads share a module's cache).  Read with
    one ``get`` (not ``key in cache`` then ``cache[key]``: another thread may drop the key in
    between).

    Parameters
    ----------
    size : int
        Largest number of entries kept (>= 1).
    """

    def __init__(self, size: int):
        super().__init__()
        self.size = int(size)
        self._lock = threading.Lock()

    def put(self, key: Any, value: Any) -> Any:
        """Store ``value`` under ``key`` (dropping the oldest entry when full); returns it."""
        with self._lock:
            if key not in self and len(self) >= self.size:
                self.pop(next(iter(self)), None)
            self[key] = value
        return value
