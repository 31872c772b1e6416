"""``migrate`` is enough: it creates the tables of every database cache configured.

Django's database cache needs ``createcachetable``, which the usual deploy (``migrate``,
``collectstatic``, start) never runs. A migration could create only the table named when it
was written; this runs after every ``migrate``, so a cache added or renamed in settings
later (say, Redis dropped for the database) gets its table at the next deploy too.
``createcachetable`` skips tables that exist, so it costs one query per cache.
"""

from django.core.management import call_command


def create_cache_tables(using="default", verbosity=1, **kwargs):
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
