"""qkdbounds._cache.BoundedCache: the one bounded memo of the shared answers."""

from qkdbounds._cache import BoundedCache


def test_oldest_entry_goes_first_and_a_rewrite_evicts_nothing():
    cache = BoundedCache(2)
    assert cache.put("a", 1) == 1
    cache.put("b", 2)
    cache.put("a", 3)  # already there: no eviction
    assert dict(cache) == {"a": 3, "b": 2}
    cache.put("c", 4)
    assert dict(cache) == {"b": 2, "c": 4}
    assert len(cache) == cache.size == 2


def test_put_from_several_threads_never_raises():
    """A Dask worker's threads share a module's cache: concurrent puts at the size limit drop
    each oldest entry once (without the lock, two threads pick the same oldest key and the
    second deletion raises KeyError; a tiny switch interval makes that interleaving common)."""
    import sys
    import threading

    cache, errors = BoundedCache(4), []

    def work(t):
        try:
            for i in range(20_000):
                cache.put((t, i), i)
        except Exception as exc:          # noqa: BLE001 (collected and asserted below)
            errors.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [] and len(cache) == 4
