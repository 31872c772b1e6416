"""Re-render stored HTML after the Markdown pipeline changes.

Rendered HTML is stored when a post or comment is saved, so a change to ``blog.markup``
(a new auto-link, a tighter allow-list) reaches old content only through this.
"""

from django.db import transaction

import pagecache


def rerender(queryset, *, render, source="body", target="body_html", batch_size=500):
    """Store ``render(source)`` in ``target`` wherever it differs; return how many changed."""
    model = queryset.model
    changed = []
    total = 0
    rows = queryset.only("pk", source, target).order_by("pk").iterator(chunk_size=batch_size)
    for row in rows:
        fresh = render(getattr(row, source))
        if fresh != getattr(row, target):
            setattr(row, target, fresh)
            changed.append(row)
        if len(changed) >= batch_size:
            total += _save(model, changed, target)
            changed = []
    total += _save(model, changed, target)
    if total:
        pagecache.invalidate()
    return total


def _save(model, rows, target):
    if rows:
        with transaction.atomic():
            model.objects.bulk_update(rows, [target])
    return len(rows)
