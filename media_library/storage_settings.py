"""``MEDIA_STORAGE_URL`` -> the ``STORAGES["default"]`` entry (read by config/settings.py).

Imports no app code: settings are still being read when this runs.
"""

import importlib.util
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"


def storage_from_url(url):
    """``s3://bucket[/prefix][?endpoint_url=...&region_name=...]`` -> a STORAGES entry.

    Files are private in the bucket (no ACL, no signed URLs in pages): readers fetch them
    from this site's own ``MEDIA_URL``, served by the app or by the web server in front.
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"MEDIA_STORAGE_URL must look like s3://bucket/optional/prefix, not {url!r}"
        )
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "MEDIA_STORAGE_URL is set, so django-storages is needed: "
            'pip install "django-storages[s3]" (see README.md, "Images and writing tools")'
        )
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "default_acl": None,
        "querystring_auth": False,
        "file_overwrite": False,
    }
    query = parse_qs(parts.query)
    for name in ("endpoint_url", "region_name"):
        if query.get(name):
            options[name] = query[name][-1]
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
