"""Revision storage: ``python -m benchmarks.revisions``.

Saves the CARE-MS II demo post 1,000 times through ``blog.services.post_upsert`` (each save
changes one word, as a minor fix), then prints the bytes the revisions take as stored
(zlib deltas against the revision before, a whole snapshot every ``KEYFRAME_EVERY``), what
whole compressed snapshots of the same 1,000 states would take, and the post's own size.
Runs against the configured database after ``migrate``.
"""

import os
import random
import time
import zlib

SAVES = 1_000


def measure(saves=SAVES, *, seed=13):
    """{"saves", "stored", "whole", "post", "seconds"} for ``saves`` one-word saves."""
    from django.db import transaction
    from django.db.models import Sum
    from django.db.models.functions import Length

    from blog import revisions
    from blog.demo_loader import DEMO_DIR, load_demo_post, read_demo_post
    from blog.models import PostRevision

    demo = read_demo_post(DEMO_DIR / "care-ms-ii.md")
    demo.slug = f"{demo.slug}-revisions-bench-{os.getpid()}"
    post, _ = load_demo_post(demo)
    words = demo.fields["body"].split(" ")
    rng = random.Random(seed)
    whole_sizes = []
    start = time.perf_counter()
    with transaction.atomic():  # one commit: the figure is bytes, not fsyncs
        _save_many(post, words, saves, rng, whole_sizes)
    whole = sum(whole_sizes)
    seconds = time.perf_counter() - start
    stored = PostRevision.objects.filter(post=post).aggregate(n=Sum(Length("snapshot")))["n"]
    count = PostRevision.objects.filter(post=post).count()
    size = len(revisions._dumps(revisions.snapshot_of(post)))
    # Reading the newest revision back (the longest chain from its keyframe).
    read_start = time.perf_counter()
    assert revisions.snapshot(post.pk, count)["body"] == post.body
    read_ms = (time.perf_counter() - read_start) * 1000
    post.delete()
    return {
        "saves": saves,
        "revisions": count,
        "stored": stored,
        "whole": whole,
        "post": size,
        "seconds": seconds,
        "read_ms": read_ms,
    }


def _save_many(post, words, saves, rng, whole_sizes):
    from blog import revisions
    from blog.models import PostRevision
    from blog.services import post_revision_record

    for _ in range(saves):
        index = rng.randrange(len(words))
        words[index] = words[index] + "s"
        post.body = " ".join(words)
        post.full_clean()
        post.save()
        post_revision_record(post=post, change_kind=PostRevision.Kind.MINOR)
        whole_sizes.append(len(zlib.compress(revisions._dumps(revisions.snapshot_of(post)), 9)))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from benchmarks.results import record

    figures = measure()
    per = figures["stored"] / figures["revisions"]
    print(
        f"Revisions: {figures['saves']:,} one-word saves of the CARE-MS II post "
        f"({figures['post']:,} bytes as JSON) store {figures['stored'] / 1e6:.2f} MB "
        f"({per:.0f} bytes a revision); whole compressed snapshots would take "
        f"{figures['whole'] / 1e6:.2f} MB. Reading the newest back: {figures['read_ms']:.1f} ms."
    )
    record(
        "Revision storage, 1,000 saves of the CARE-MS II post",
        f"{figures['stored'] / 1e6:.2f} MB (whole snapshots: {figures['whole'] / 1e6:.2f} MB)",
        figures["stored"] < figures["whole"] / 5,
    )


if __name__ == "__main__":
    main()
