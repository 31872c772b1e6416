"""Cost of one counter hit, against the caches it replaced: ``python -m benchmarks.counters``.

Runs against the configured database (DATABASE_URL; SQLite by default) after ``migrate``,
and against Redis when REDIS_URL is set. Prints the median of 5 runs of 500 hits, per hit.
"""

import os
import statistics
import time


def _per_hit(fn, runs=5, hits=500):
    samples = []
    for run in range(runs):
        start = time.perf_counter()
        for n in range(hits):
            fn(run, n)
        samples.append((time.perf_counter() - start) / hits * 1000)
    return statistics.median(samples)


def main():
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection

    from limits.counters import counter_hit, counters_clear

    window = 900
    one_key = _per_hit(lambda run, n: counter_hit(key=f"bench:{run}", window=window))
    new_keys = _per_hit(lambda run, n: counter_hit(key=f"bench:{run}:{n}", window=window))
    counters_clear(prefixes=["bench:"])
    print(f"{connection.vendor} limits.Counter, same key:  {one_key:.3f} ms per hit")
    print(f"{connection.vendor} limits.Counter, new keys:  {new_keys:.3f} ms per hit")
    cache = caches["default"]

    def cache_hit(run, n):
        key = f"bench:{run}"
        if not cache.add(key, 1, window):
            cache.incr(key)

    print(f"{cache.__class__.__name__} add()+incr(): {_per_hit(cache_hit):.3f} ms per hit")
    cache.delete_many([f"bench:{run}" for run in range(5)])


if __name__ == "__main__":
    main()
