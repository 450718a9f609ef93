"""Fixed-window counters in the shared cache: how many times a client did something lately."""

from django.core.cache import cache


def count_in_window(key: str, *, seconds: int) -> int:
    """Count one more hit under `key` in the current window of `seconds`; return the count so far."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1
