"""Request classes that survive a charset which is a codec but not a text encoding.

``Content-Type: text/plain; charset=base64`` (or ``rot13``, ``hex``, ``zlib``): Python's
``codecs.lookup`` knows these, so Django takes them as the request's encoding and then fails
decoding the query string while it is still building the request, before any middleware can
answer: a 500 for anyone. Here such a charset is treated like an unknown one (ignored); the
``UnreadableRequestMiddleware`` then refuses a body declared in it with a 400, as it does for
any non-UTF-8 body.
"""

import codecs

from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from django.utils.http import parse_header_parameters


def is_text_encoding(charset):
    try:
        return codecs.lookup(charset)._is_text_encoding  # noqa: SLF001 - the codec's own flag
    except LookupError:
        return False


class _TextCharsetOnly:
    def _set_content_type_params(self, meta):
        self.content_type, self.content_params = parse_header_parameters(
            meta.get("CONTENT_TYPE", "")
        )
        charset = self.content_params.get("charset")
        if charset and is_text_encoding(charset):
            self.encoding = charset


class TextCharsetWSGIRequest(_TextCharsetOnly, WSGIRequest):
    pass


class TextCharsetASGIRequest(_TextCharsetOnly, ASGIRequest):
    pass
