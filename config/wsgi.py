"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.request_classes import TextCharsetWSGIRequest  # noqa: E402 (needs settings)

application.request_class = TextCharsetWSGIRequest
