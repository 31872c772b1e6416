"""The page-cache generation, read once a request.

The middleware, the sidebar, the post's neighbours, the author cards and the feeds each key
what they keep by the generation; asking the shared cache once a request (not four times)
saves a round trip each, and the whole page is built from one consistent generation.
"""

from pagecache import store

_ATTRIBUTE = "_page_cache_generation"


def generation_for(request):
    """``store.generation()``, kept on ``request`` (None: read every time)."""
    if request is None:
        return store.generation()
    try:
        return request.__dict__[_ATTRIBUTE]
    except KeyError:
        current = request.__dict__[_ATTRIBUTE] = store.generation()
        return current


def remember(request, current):
    """The middleware read it already: the rest of the request uses that value."""
    request.__dict__[_ATTRIBUTE] = current
