"""Cache backends that fail soft: a cache that is down, full or missing is a slower site,
never a broken one.

Django's Redis and database caches raise when Redis is unreachable or refuses writes
(``maxmemory`` with ``noeviction``: "OOM command not allowed") or when the cache table does
not exist; every page that touches the cache then answers 500 (or, for the database cache,
a misleading 503 "database unavailable"). These subclasses log the failure (at most once a
minute per process, with a count) and answer as a cache that holds nothing: reads miss,
writes are dropped, ``incr`` raises ``ValueError`` as for a missing key.

After a Redis failure the backend stops asking for ``RETRY_SECONDS``, so an outage costs
each request nothing rather than a connection timeout. A real database outage still
surfaces where the site reads its data (a styled 503): the database cache only hides its
own failures.
"""

import base64
import logging
import os
import pickle
import threading
import time

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

try:
    from redis.exceptions import OutOfMemoryError, ReadOnlyError, RedisError
except ImportError:  # pragma: no cover - redis is a runtime dependency
    OutOfMemoryError = ReadOnlyError = RedisError = OSError

logger = logging.getLogger(__name__)
CACHE_ERRORS = (DatabaseError, RedisError, OSError)
RETRY_SECONDS = 5
LOG_EVERY_SECONDS = 60

_MISSING = object()
_state_lock = threading.Lock()
_down_until = {}
_last_logged = {}
_unlogged = {}


def _report(location, operation, error):
    """Log a cache failure, at most once a minute per cache (and say how many were not)."""
    now = time.monotonic()
    with _state_lock:
        skipped = _unlogged.get(location, 0)
        if now - _last_logged.get(location, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
            _unlogged[location] = skipped + 1
            return
        _last_logged[location], _unlogged[location] = now, 0
    logger.error(
        "Cache %s failed on %s, serving uncached: %s: %s%s",
        location,
        operation,
        type(error).__name__,
        error,
        f" ({skipped} more failures since the last report)" if skipped else "",
    )


def forget_failures():
    """Start afresh: retry every cache now, and report its next failure (tests)."""
    with _state_lock:
        _down_until.clear()
        _last_logged.clear()
        _unlogged.clear()


class _FailSoft:
    """Every operation a page or a counter uses, answered as an empty cache on failure."""

    fail_soft_errors = CACHE_ERRORS

    def _failure_key(self):
        return f"{type(self).__name__}({self._fail_soft_location})"

    def _guard(self, operation):
        """A context for one operation; True if it should not even be tried."""
        return False

    def _run(self, operation, call, fallback):
        if self._guard(operation):
            return fallback()
        try:
            with self._atomic():
                return call()
        except self.fail_soft_errors as error:
            self._failed(operation, error)
            return fallback()

    def _atomic(self):
        return _NoContext

    def _failed(self, operation, error):
        _report(self._failure_key(), operation, error)

    def get(self, key, default=None, version=None):
        return self._run("get", lambda: super(_FailSoft, self).get(key, default, version),
                         lambda: default)  # fmt: skip

    def get_many(self, keys, version=None):
        return self._run("get_many", lambda: super(_FailSoft, self).get_many(keys, version), dict)

    def set(self, key, value, timeout=_MISSING, version=None):
        args = (key, value) if timeout is _MISSING else (key, value, timeout)
        return self._run(
            "set",
            lambda: super(_FailSoft, self).set(*args, version=version) or True,
            lambda: False,
        )

    def add(self, key, value, timeout=_MISSING, version=None):
        args = (key, value) if timeout is _MISSING else (key, value, timeout)
        return self._run(
            "add", lambda: super(_FailSoft, self).add(*args, version=version), lambda: False
        )

    def set_many(self, data, timeout=_MISSING, version=None):
        args = (data,) if timeout is _MISSING else (data, timeout)
        return self._run(
            "set_many",
            lambda: super(_FailSoft, self).set_many(*args, version=version),
            lambda: list(data),
        )

    def touch(self, key, timeout=_MISSING, version=None):
        args = (key,) if timeout is _MISSING else (key, timeout)
        return self._run(
            "touch", lambda: super(_FailSoft, self).touch(*args, version=version), lambda: False
        )

    def delete(self, key, version=None):
        return self._run(
            "delete", lambda: super(_FailSoft, self).delete(key, version), lambda: False
        )

    def delete_many(self, keys, version=None):
        return self._run(
            "delete_many", lambda: super(_FailSoft, self).delete_many(keys, version), lambda: None
        )

    def has_key(self, key, version=None):
        return self._run(
            "has_key", lambda: super(_FailSoft, self).has_key(key, version), lambda: False
        )

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")

        return self._run("incr", lambda: super(_FailSoft, self).incr(key, delta, version), missing)

    def clear(self):
        return self._run("clear", lambda: super(_FailSoft, self).clear(), lambda: None)


class _NoContextManager:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NoContext = _NoContextManager()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool, and reading
    single keys on a connection of each thread's own.

    The page cache reads the generation on every request. Django builds a new
    ``redis.Redis`` for every operation (~50 µs, twice the GET it wraps); a ``redis.Redis``
    takes a connection from its pool for each command, so one per pool is safe to share
    between threads. A GET through it still costs ~25 µs of Python in redis-py (pool
    bookkeeping, metrics, retry wrappers) around ~5 µs of socket calls; on a connection kept
    by the thread it is ~9 µs. If that connection fails, the read is made again through the
    client, with redis-py's own retries, and the connection is opened afresh next time. Each
    thread (and each forked process) opens its own: one more connection per thread.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._own = threading.local()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def get(self, key, default):
        connection = self._own_connection(self._get_connection_pool(False))
        try:
            connection.send_command("GET", key)
            value = connection.read_response()
        except (RedisError, OSError):
            connection.disconnect()
            return super().get(key, default)
        return default if value is None else self._serializer.loads(value)

    def _own_connection(self, pool):
        """This thread's connection to the pool's server (not taken from the pool)."""
        own = self._own
        if getattr(own, "pid", None) != os.getpid():  # a new thread, or a forked process
            own.pid, own.connections = os.getpid(), {}
        connection = own.connections.get(id(pool))
        if connection is None:
            connection = pool.connection_class(**pool.connection_kwargs)
            own.connections[id(pool)] = connection
        return connection


class FailSoftRedisCache(_FailSoft, RedisCache):
    """Django's Redis cache; an outage or a full Redis is a miss, and a pause before retrying.

    Give it short socket timeouts in OPTIONS (config/settings.py does), or one hung Redis
    holds every request for the client's default timeout.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._fail_soft_location = server if isinstance(server, str) else ",".join(server)

    def _guard(self, operation):
        with _state_lock:
            return _down_until.get(self._failure_key(), 0) > time.monotonic()

    def _failed(self, operation, error):
        # Refused writes (out of memory, read-only replica) say nothing about reads.
        if not isinstance(error, (OutOfMemoryError, ReadOnlyError)):
            with _state_lock:
                _down_until[self._failure_key()] = time.monotonic() + RETRY_SECONDS
        super()._failed(operation, error)


class FailSoftDatabaseCache(_FailSoft, DatabaseCache):
    """Django's database cache; a missing or failing table is a miss, inside a savepoint so
    that the caller's transaction stays usable (PostgreSQL)."""

    def __init__(self, table, params):
        super().__init__(table, params)
        self._fail_soft_location = table
        self._select_one = {}

    def get(self, key, default=None, version=None):
        """One key in one indexed query, its freshness compared by the database.

        Django's ``get`` goes through ``get_many`` (an ``IN`` list, then the expiry date
        converted and compared in Python): about twice the cost, on a read the page cache
        makes on every request. The answer is the same: the value if it has not expired;
        an expired row is deleted, as Django does, and is a miss.
        """
        key = self.make_and_validate_key(key, version=version)
        return self._run("get", lambda: self._get_one(key, default), lambda: default)

    def _get_one(self, key, default):
        db = router.db_for_read(self.cache_model_class)
        connection = connections[db]
        params = [connection.ops.adapt_datetimefield_value(tz_now()), key]
        raw_sql = self._raw_sql(connection)
        if raw_sql is None:
            with connection.cursor() as cursor:
                cursor.execute(self._select_one_sql(connection), params)
                row = cursor.fetchone()
        else:
            row = self._fetch_unobserved(connection, raw_sql, params)
        if row is None:
            return default
        value, fresh = row
        if not fresh:
            self._base_delete_many([key])
            return default
        value = connection.ops.process_clob(value)
        return pickle.loads(base64.b64decode(value.encode()))  # noqa: S301 - as Django does

    @staticmethod
    def _fetch_unobserved(connection, sql, params):
        """The row, read through the driver's own cursor: Django's cursor wrapper costs more
        than the query itself (~25 of ~50 µs a hit on SQLite). Used only when nothing
        observes queries (``_raw_sql``); the connection's health check, its transaction and
        its error translation are Django's, as for any query."""
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchone()
            finally:
                cursor.close()

    def _raw_sql(self, connection):
        """The query in the driver's parameter style, or None when Django's cursor must run
        it: queries are being logged (DEBUG, a test counting them) or wrapped (an
        ``execute_wrapper``: profilers, query blockers), or the driver's style is another."""
        if connection.queries_logged or connection.execute_wrappers:
            return None
        marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(
            getattr(connection.Database, "paramstyle", None)
        )
        if marker is None:
            return None
        return self._select_one_sql(connection).replace("%s", marker)

    def _select_one_sql(self, connection):
        sql = self._select_one.get(connection.alias)
        if sql is None:
            value, expires, key, table = map(
                connection.ops.quote_name, ("value", "expires", "cache_key", self._table)
            )
            fresh = f"CASE WHEN {expires} > %s THEN 1 ELSE 0 END"
            sql = f"SELECT {value}, {fresh} FROM {table} WHERE {key} = %s"  # noqa: S608 - names
            self._select_one[connection.alias] = sql
        return sql

    def _atomic(self):
        db = router.db_for_write(self.cache_model_class)
        if connections[db].in_atomic_block:
            return transaction.atomic(using=db)
        return _NoContext
