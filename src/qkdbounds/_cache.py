"""A bounded memo for answers that several calls of one question share (a leakage grid, the
rate and ``--save-ensemble``): a dict that forgets its oldest entry when full."""

from __future__ import annotations

from typing import Any

__all__ = ["BoundedCache"]


class BoundedCache(dict):
    """Insertion-ordered dict of at most ``size`` entries (the oldest is dropped first).

    Parameters
    ----------
    size : int
        Largest number of entries kept (>= 1).
    """

    def __init__(self, size: int):
        super().__init__()
        self.size = int(size)

    def put(self, key: Any, value: Any) -> Any:
        """Store ``value`` under ``key`` (dropping the oldest entry when full); returns it."""
        if key not in self and len(self) >= self.size:
            del self[next(iter(self))]
        self[key] = value
        return value
