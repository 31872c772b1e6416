"""Part 5: cache-key flooding (issue 10). Anonymous GETs with junk query strings and Host
spellings, through the whole middleware stack with the page cache on, against the database
cache: how many cache rows and bytes they add. A page is stored once per address that
changes it, so the growth stays a handful of rows, whatever the number of requests.

Run: ``python -m benchmarks.flood`` (scripts/bench.sh sets it up).
"""

import os
import random
import sys
import time

from benchmarks.results import record, verdict

REQUESTS = 2000
HOSTS = ("127.0.0.1", "LOCALHOST", "localhost:80", "127.0.0.1:8000")
MAX_NEW_ROWS = 10


def _cache_rows_and_bytes():
    from django.conf import settings
    from django.db import connection

    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM {table}")  # noqa: S608
        return cursor.fetchone()


def main():
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s are expected
    from django.conf import settings
    from django.test import Client

    from blog.models import Post

    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        print("Cache flood: the default cache is not the database cache; skipped.")
        return 0
    post = Post.objects.published().order_by("-published_at").first()
    if post is None:
        print("Cache flood: no published post in the bench database; skipped.")
        return 0
    client = Client()
    targets = (post.get_absolute_url(), "/feeds/atom/", "/")
    rows_before, bytes_before = _cache_rows_and_bytes()
    started = time.process_time()
    rng = random.Random(10)  # noqa: S311
    statuses = {}
    for n in range(REQUESTS):
        path = targets[n % len(targets)]
        junk = f"page={rng.randint(2, 10**9)}&utm_source={rng.random()}"
        response = client.get(f"{path}?{junk}", HTTP_HOST=HOSTS[n % len(HOSTS)])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    cpu = time.process_time() - started
    rows_after, bytes_after = _cache_rows_and_bytes()
    new_rows = rows_after - rows_before
    grown_kb = (bytes_after - bytes_before) / 1024
    ok = new_rows <= MAX_NEW_ROWS
    answers = dict(sorted(statuses.items()))
    print(
        f"\nCache flood: {REQUESTS} GETs with random ?page= and utm_* over {len(HOSTS)} Host "
        f"spellings on a post, the feed and the home page (answers {answers}):"
        f"\n  cache rows {rows_before} -> {rows_after} (+{new_rows}), stored values "
        f"{grown_kb:+.0f} KB, {cpu / REQUESTS * 1000:.2f} ms CPU a request"
        f" (target: at most {MAX_NEW_ROWS} new rows) {verdict(ok)}"
    )
    record(
        f"cache rows added by {REQUESTS} junk-parameter GETs <= {MAX_NEW_ROWS}",
        f"+{new_rows} rows, {grown_kb:+.0f} KB",
        ok,
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    sys.exit(main())
