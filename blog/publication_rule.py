"""The publication rule, stated once: a published post has at least one disclosure.

"Nothing to disclose" counts as one. Every path that can publish a post or remove a
disclosure asks ``check_post_publishable``:

- ``Post.clean()`` (so ``full_clean()`` in every service and the admin's form);
- the admin's disclosure formset, with the rows it is about to keep;
- ``blog.services.post_upsert`` after it has replaced the disclosures (imports, the demo
  loader), inside its transaction, so a refusal writes nothing;
- the demo loader's reading of a file;
- ``PostQuerySet.update(status=...)`` and ``DisclosureQuerySet.delete()``, so a bulk update
  or a queryset delete through the ORM cannot slip past it either.

Not held to it, on purpose (documented in the README): ``Post.save()`` itself (the admin
saves the post before its new disclosures, and tests and the benchmark store rows "around
the checks" to prove pages survive them), ``bulk_create``/``bulk_update``, ``Disclosure.delete()``
on one instance (the admin's formset deletes rows one by one after it has checked the rule)
and raw SQL. A post page with no disclosure says "No disclosure has been recorded".
"""

from django.core.exceptions import ValidationError

PUBLISHED = "published"  # Post.Status.PUBLISHED; a string so blog.models can import this

NO_DISCLOSURE_MESSAGE = (
    "A post cannot be published without at least one conflict-of-interest disclosure "
    "(\u201cnothing to disclose\u201d counts)."
)


def check_post_publishable(*, status, disclosure_count):
    """Raise ValidationError (on the ``status`` field) if a post with this status and this
    many disclosures would break the rule."""
    if status == PUBLISHED and disclosure_count < 1:
        raise ValidationError({"status": NO_DISCLOSURE_MESSAGE}, code="no_disclosure")
