"""Reader comments and their moderation record.

Thread order comes from ``thread_path``: each comment's path is its parent's path plus
its own zero-padded id, so ``order_by("thread_path")`` lists a whole thread in one query.
The INSERT writes the path itself on SQLite and PostgreSQL (``Comment._do_insert``).
"""

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, Expression, F, OuterRef, Value
from django.db.models.functions import Lower, StrIndex
from django.urls import reverse
from django.utils.crypto import salted_hmac

from blog import markup
from blog.models import Post

THREAD_PATH_DIGITS = 10
NEW_ID_CTE = "new_comment"  # PostgreSQL: the id the INSERT takes, named for its two uses
# The names come from the model, never from input.
_SQLITE_NEXT_ID = """(SELECT MAX(n) + 1 FROM (
    SELECT seq AS n FROM sqlite_sequence WHERE name = %s
    UNION ALL SELECT MAX({pk}) FROM {table} UNION ALL SELECT 0))"""
_POSTGRESQL_NEW_ID = "(SELECT id FROM {cte})"


class _NewId(Expression):
    """The id the INSERT that holds this expression gives its row, computed in it.

    SQLite: what AUTOINCREMENT would choose (one more than the largest id the table has
    ever had); the statement runs under the database's one write lock, so its two uses
    read the same value. PostgreSQL: the id sequence's next value, taken once by the
    statement's ``WITH`` (``_with_new_id``) and read twice."""

    def __init__(self, model):
        super().__init__(output_field=model._meta.pk)
        self.model = model

    def as_sqlite(self, compiler, connection):
        meta, quote = self.model._meta, connection.ops.quote_name
        sql = _SQLITE_NEXT_ID.format(table=quote(meta.db_table), pk=quote(meta.pk.column))
        return sql, [meta.db_table]

    def as_postgresql(self, compiler, connection):
        return _POSTGRESQL_NEW_ID.format(cte=NEW_ID_CTE), []

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"No id before the INSERT on {connection.vendor}")


class _NewThreadPath(Expression):
    """``prefix`` plus the new row's id, zero-padded as ``Comment.save`` pads it."""

    def __init__(self, model, prefix):
        super().__init__(output_field=models.CharField())
        self.new_id, self.prefix = _NewId(model), prefix

    def as_sqlite(self, compiler, connection):
        new_id, params = self.new_id.as_sqlite(compiler, connection)
        return f"(%s || printf('%%0{THREAD_PATH_DIGITS}d', {new_id}) || '/')", [
            self.prefix,
            *params,
        ]

    def as_postgresql(self, compiler, connection):
        new_id, params = self.new_id.as_postgresql(compiler, connection)
        digits = f"({new_id})::text"
        return (
            f"(%s || LPAD({digits}, GREATEST({THREAD_PATH_DIGITS}, LENGTH({digits})), '0') || '/')",
            [self.prefix, *params],
        )

    def as_sql(self, compiler, connection):
        raise NotImplementedError(f"No id before the INSERT on {connection.vendor}")


def _with_new_id(model):
    """An execute wrapper naming, for PostgreSQL's INSERT, the id it takes (``NEW_ID_CTE``):
    one ``nextval()`` however often the statement reads it (a volatile WITH query is
    evaluated once, and MATERIALIZED says so)."""
    meta = model._meta

    def wrapper(execute, sql, params, many, context):
        sequence = "pg_get_serial_sequence(%s, %s)"
        cte = f"WITH {NEW_ID_CTE} AS MATERIALIZED (SELECT nextval({sequence}) AS id) "
        quoted_table = context["connection"].ops.quote_name(meta.db_table)
        return execute(f"{cte}{sql}", (quoted_table, meta.pk.column, *params), many, context)

    return wrapper


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def held(self):
        return self.filter(status=Comment.Status.HELD)

    def for_post(self, post):
        return self.filter(post=post)

    def by_email(self, email):
        """Comments sent from ``email``, ignoring case, in a form the (lower(email), status)
        index serves (``email__iexact`` compiles to LIKE or UPPER(), which it cannot)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))

    def in_thread_order(self):
        return self.order_by("thread_path")

    def visible(self):
        """Approved comments with no hidden ancestor: what readers see and what is counted.

        Replies are refused under a comment that is not approved, but a comment approved
        and replied to can be rejected later: its replies then go with it, or they would
        read as answers to the wrong comment. (comments.rendering applies the same rule
        while it walks the thread, to keep the post page at one query.)
        """
        hidden_ancestors = (
            Comment.objects.filter(post_id=OuterRef("post_id"))
            .exclude(status=Comment.Status.APPROVED)
            .exclude(thread_path="")
            # The descendant's path starts with the ancestor's path.
            .annotate(at=StrIndex(OuterRef("thread_path"), F("thread_path")))
            .filter(at=1)
        )
        return self.approved().exclude(Exists(hidden_ancestors))

    def public(self):
        """Visible comments on published posts: what feeds and pages may show."""
        return self.visible().filter(post__in=Post.objects.published())


class Comment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held for moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    thread_path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    website = models.URLField(max_length=200, blank=True)
    # Optional: the response's own page is headed "Re: <post title>" without it.
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField("comment")
    body_html = models.TextField(editable=False, blank=True)
    competing_interests = models.CharField(max_length=500, default="None declared")
    is_post_author = models.BooleanField(default=False, editable=False)
    is_staff_reply = models.BooleanField(
        default=False,
        editable=False,
        help_text="Published from the moderator's desk (comment_reply_as_staff): badged.",
    )

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.HELD, db_index=True
    )
    status_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the moderation policy chose the status."
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # The nonce of the form token that sent the comment: a token sends one comment, so a
    # double click or the back button is answered with this comment, never stored twice.
    form_nonce = models.CharField(
        max_length=32, null=True, blank=True, unique=True, editable=False, default=None
    )

    # Stored for moderation only; purge_comment_ips blanks them after N days.
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set by comments.services.comment_edit: readers see "edited <time>" beside the date.
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["post", "status", "thread_path"]),
            # The returning-commenter rule and the duplicate check look commenters up by
            # email, case-insensitively: see CommentQuerySet.by_email().
            models.Index(Lower("email"), "status", name="comments_email_status_idx"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.name} on {self.post}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            if self._rendered_body != self.body:  # comment_submit rendered it already
                self.render_body()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        if self._state.adding:
            self.depth = self.parent.depth + 1 if self.parent_id else 0
        super().save(*args, **kwargs)
        if not self.thread_path:
            # An INSERT that could not write it (an engine without _do_insert's SQL): the
            # path needs our own id, so it is written just after the insert.
            prefix = self.parent.thread_path if self.parent_id else ""
            self.thread_path = f"{prefix}{self.pk:0{THREAD_PATH_DIGITS}d}/"
            type(self).objects.filter(pk=self.pk).update(thread_path=self.thread_path)

    def get_absolute_url(self):
        """The comment in its thread, on whichever page of it the comment is now
        (``comments.views.comment_in_thread`` redirects there): the address feeds, emails,
        the admin and the response page give, and where the browser lands after sending."""
        return reverse("comments:thread", args=[self.pk])

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        """The INSERT writes the thread path too, from the id it gives the row (issue 19:
        one statement instead of an INSERT and an UPDATE). A row whose id or path is given
        (imports, fixtures), a raw save and other engines insert as Django does."""
        connection = connections[using]
        pk = self._meta.pk
        new_row = not raw and self.pk is None and not self.thread_path
        if (
            not new_row
            or connection.vendor not in ("sqlite", "postgresql")
            or pk not in (returning_fields or ())
        ):
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        prefix = self.parent.thread_path if self.parent_id else ""
        self.pk = _NewId(type(self))
        self.thread_path = _NewThreadPath(type(self), prefix)
        try:
            if connection.vendor == "postgresql":
                with connection.execute_wrapper(_with_new_id(type(self))):
                    results = super()._do_insert(
                        manager, using, [pk, *fields], returning_fields, raw
                    )
            else:
                results = super()._do_insert(manager, using, [pk, *fields], returning_fields, raw)
        except BaseException:
            self.pk, self.thread_path = None, ""
            raise
        new_id = results[0][returning_fields.index(pk)]
        self.pk = new_id
        self.thread_path = f"{prefix}{new_id:0{THREAD_PATH_DIGITS}d}/"
        return results

    def get_response_url(self):
        """The approved comment's own, citable page (comments.response_page)."""
        return reverse("comments:response", args=[self.pk])

    @property
    def display_title(self):
        return self.title or f"Re: {self.post.title}"

    _rendered_body = None  # the body that body_html was last rendered from, in this object

    def render_body(self):
        """body_html is derived: computed here, in exactly one place, with the comment policy."""
        self.body_html = markup.render_comment(self.body)
        self._rendered_body = self.body

    @property
    def visible_to_readers(self):
        """Held, rejected and spam comments are not; pagecache.invalidation asks."""
        return self.status == self.Status.APPROVED

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    def get_admin_url(self):
        return reverse("admin:comments_comment_change", args=[self.pk])

    @property
    def excerpt(self):
        text = " ".join(self.body.split())
        return text if len(text) <= 80 else text[:79] + "\u2026"


class Redaction(models.Model):
    """A span of a comment's text a moderator replaced with ``REMOVED`` (BMJ rapid
    responses: no patient-identifying information). Who, when and why are shown to the
    moderators; ``original_body``, the text before this redaction, to superusers only."""

    REMOVED = "[removed by moderator]"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="redactions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    original_body = models.TextField(help_text="The comment's text before this redaction.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Redaction of comment {self.comment_id}"


class CommentEdit(models.Model):
    """A commenter's edit of their own comment (comments.editing): the text, title and
    competing interests before it, kept for the moderators (read-only in the admin);
    readers see only "edited <time>"."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="edits")
    body_before = models.TextField(help_text="The comment's text before this edit.")
    title_before = models.CharField(
        max_length=200, blank=True, default="", help_text="The comment's title before this edit."
    )
    competing_interests_before = models.CharField(
        max_length=500,
        blank=True,
        default="",
        help_text="The competing interests declared before this edit.",
    )
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["edited_at", "pk"]

    def __str__(self):
        return f"Edit of comment {self.comment_id}"


class WithdrawnComment(models.Model):
    """What a commenter withdrew (comments.services.comment_withdraw): the comment itself
    is deleted, and this record is the moderators' trace of it, read-only in the admin.

    Who: the name as typed and the address as a keyed hash only (``hash_email``: the same
    address always gives the same hash, so a moderator can look a person up, but the table
    alone names no address); what: the title, the last text and the texts before each of
    the commenter's edits; when and where: sent, withdrawn, the post, the comment's id and
    its parent's. No IP address or browser: the withdrawal is the commenter's to make.
    """

    EMAIL_HASH_SALT = "comments.withdrawn.email_hash"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    comment_pk = models.PositiveBigIntegerField("comment id", db_index=True)
    parent_pk = models.PositiveBigIntegerField("in reply to comment", null=True, blank=True)
    name = models.CharField(max_length=100)
    email_hash = models.CharField("email address (keyed hash)", max_length=64, db_index=True)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField("text when withdrawn")
    earlier_texts = models.JSONField(
        default=list, blank=True, help_text="The texts before each of the commenter's edits."
    )
    status = models.CharField("status when withdrawn", max_length=10, choices=Comment.Status)
    sent_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-withdrawn_at", "-pk"]
        verbose_name = "withdrawn comment"

    def __str__(self):
        return f"Comment {self.comment_pk} by {self.name}, withdrawn"

    @classmethod
    def hash_email(cls, address):
        """HMAC-SHA256 with SECRET_KEY of the address, ignoring case and spaces around it."""
        normal = str(address or "").strip().lower()
        return salted_hmac(cls.EMAIL_HASH_SALT, normal, algorithm="sha256").hexdigest()
