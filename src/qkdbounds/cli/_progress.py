"""Progress bars on stderr (tqdm), off with --quiet or when stderr is not a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def progress(total: int, desc: str, quiet: bool = False):
    """Yield an ``update(n)`` callable backed by a tqdm bar (or a no-op)."""
    if quiet or not sys.stderr.isatty():
        yield lambda n=1: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, file=sys.stderr, leave=False) as bar:
        yield bar.update
