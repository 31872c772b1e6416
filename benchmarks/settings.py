"""The production settings plus a hello-world view, for the benchmark's floor.

``/bench/`` is kept out of the page cache (benchmarks/urls.py), so the hello-world figure
is the cost of the middleware stack and a trivial view, never a cache hit.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
