"""Transforms applied to a post body's HTML after it is rendered and sanitised.

An app that depends on blog (``glossary``) registers ``transform(html) -> html`` here from
its ``AppConfig.ready()``; ``blog.markup.render_post_body``, the one place a post body is
rendered, calls each in turn, so the stored ``body_html`` carries their work and readers'
requests do none. Blog knows nothing else about the app.

A transform is given sanitised HTML and must return HTML that is as safe: it may add only
markup it builds itself, with every value it puts in escaped. When what a transform reads
changes (a glossary term), its app re-renders the affected posts (``blog.derived_html``).
"""

_transforms = []


def register_post_html_hook(transform):
    """Idempotent: registering the same callable twice keeps one."""
    if transform not in _transforms:
        _transforms.append(transform)


def unregister_post_html_hook(transform):
    if transform in _transforms:
        _transforms.remove(transform)


def apply_post_html_hooks(html):
    for transform in _transforms:
        html = transform(html)
    return html
