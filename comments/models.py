"""Reader comments and their moderation record.

Thread order comes from ``thread_path``: each comment's path is its parent's path plus
its own zero-padded id, so ``order_by("thread_path")`` lists a whole thread in one query.
The INSERT writes the path itself on SQLite and PostgreSQL (``Comment._do_insert``).
"""

from django.conf import settings
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Lower, StrIndex
from django.urls import reverse
from django.utils.crypto import salted_hmac

from blog import markup
from blog.models import Post

THREAD_PATH_DIGITS = 10

# Comment._do_insert's statement: the new row with its id and its thread path, both worked
# out by the statement itself from the id it takes (issue 19: one statement, not an INSERT
# and an UPDATE; plain SQL, as the ORM's INSERT compiler cost four times its execution).
# Table and column names come from the model, never from input. Per engine: (a WITH query
# before the INSERT, the new id, the zero-padded thread path from it.)
_INSERT = "{with_query}INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {pk}"
_NEW_ROW_SQL = {
    # What AUTOINCREMENT would choose: one more than the largest id the table ever had.
    # The statement runs under the database's one write lock: both reads agree.
    "sqlite": (
        "",
        "(SELECT MAX(n) + 1 FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = %s"
        " UNION ALL SELECT MAX({pk}) FROM {table} UNION ALL SELECT 0))",
        "(%s || printf('%%0{digits}d', {new_id}) || '/')",
    ),
    # The sequence's next value, taken once by the WITH query (a volatile one is evaluated
    # once, and MATERIALIZED says so) and read twice.
    "postgresql": (
        "WITH new_comment AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id) ",
        "(SELECT id FROM new_comment)",
        "(%s || LPAD({new_id}::text, GREATEST({digits}, LENGTH({new_id}::text)), '0') || '/')",
    ),
}
_insert_statements = {}


def _insert_statement(connection, model, fields):
    """(sql, the fields whose values follow the id's and path's parameters, a function
    giving the parameters for a path prefix) for a new row, or None where Django's own
    INSERT is needed (another engine, no RETURNING, a field with its own placeholder)."""
    returning = connection.features.can_return_columns_from_insert
    key = (connection.vendor, returning, model, *(field.attname for field in fields))
    if key in _insert_statements:
        return _insert_statements[key]
    meta, quote = model._meta, connection.ops.quote_name
    path_field = meta.get_field("thread_path")
    statement = None
    if (
        connection.vendor in _NEW_ROW_SQL
        and returning
        and meta.pk not in fields
        and not any(hasattr(field, "get_placeholder") for field in fields)
    ):
        with_query, new_id, new_path = _NEW_ROW_SQL[connection.vendor]
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        new_id = new_id.format(pk=pk, table=table)
        new_path = new_path.format(new_id=new_id, digits=THREAD_PATH_DIGITS)
        valued = [field for field in fields if field is not path_field]
        sql = _INSERT.format(
            with_query=with_query,
            table=table,
            columns=", ".join(quote(f.column) for f in [meta.pk, path_field, *valued]),
            values=", ".join([new_id, new_path, *["%s"] * len(valued)]),
            pk=pk,
        )
        if connection.vendor == "sqlite":

            def params(prefix, table=meta.db_table):
                return [table, prefix, table]
        else:

            def params(prefix, table=table, column=meta.pk.column):
                return [table, column, prefix]

        statement = (sql, valued, params)
    _insert_statements[key] = statement
    return statement


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
        (imports, fixtures), a raw save, a value that is an expression and other engines
        insert as Django does (and the path follows in an UPDATE: ``save``)."""
        connection = connections[using]
        statement = None
        new_row = not raw and self.pk is None and not self.thread_path
        if new_row and list(returning_fields or ()) == [self._meta.pk]:
            statement = _insert_statement(connection, type(self), fields)
        if statement is None:
            return super()._do_insert(manager, using, fields, returning_fields, raw)
        sql, valued, params = statement
        values = []
        for field in valued:  # as the ORM's INSERT prepares them
            value = field.pre_save(self, add=True)
            if hasattr(value, "resolve_expression"):
                return super()._do_insert(manager, using, fields, returning_fields, raw)
            values.append(field.get_db_prep_save(value, connection=connection))
        prefix = self.parent.thread_path if self.parent_id else ""
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params(prefix), *values])
            (new_id,) = cursor.fetchone()
        self.thread_path = f"{prefix}{new_id:0{THREAD_PATH_DIGITS}d}/"
        return [(new_id,)]

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
