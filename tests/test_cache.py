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
