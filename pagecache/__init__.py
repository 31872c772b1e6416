"""The whole-page cache for anonymous readers, as its own app.

Other apps wire themselves in from their ``AppConfig.ready()`` (see ``pagecache.registry``)
and call ``invalidate()`` after changes that bypass model signals (``bulk_update``).
"""

from pagecache.registry import (
    register_bypass_parameter,
    register_excluded_prefix,
    register_expiry,
    register_placeholder,
    vary_on_query,
    watch,
)
from pagecache.request_memo import generation_for
from pagecache.store import generation, invalidate, punch

__all__ = [
    "generation",
    "generation_for",
    "invalidate",
    "punch",
    "register_bypass_parameter",
    "register_excluded_prefix",
    "register_expiry",
    "register_placeholder",
    "vary_on_query",
    "watch",
]
