"""Everything that changes a comment: submission and the four moderation actions.

The views and the admin call these same functions (one moderation path). Each runs in a
transaction, validates with ``full_clean()`` before saving, and keeps ``Post.comment_count``
(approved comments only) right with one UPDATE in the same transaction.
"""

import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from blog.models import Post, publish_date_bounds
from comments import extensions, moderation, notifications, ratelimit
from comments.models import Comment, Redaction
from comments.staff_names import staff_reply_name

Status = Comment.Status


class CommentRefused(Exception):
    """A comment that is not stored at all; ``message`` tells the commenter why."""

    message = "Your comment could not be accepted."

    def __init__(self, message=None):
        if message:
            self.message = message
        super().__init__(self.message)


class CommentsClosed(CommentRefused):
    message = "Comments are closed on this post."


class RateLimited(CommentRefused):
    message = (
        "You have sent several comments in a short time. Please wait a minute, then send "
        "your comment again: it is kept below."
    )


class DuplicateComment(CommentRefused):
    """The same text from the same email on the same post, recently; spam copies do not
    count (a person whose first copy was filed as spam may send it again)."""

    message = "You have already sent this comment on this post."
    SAYS = {
        Status.HELD: " It is awaiting moderation.",
        Status.APPROVED: " It is published.",
    }

    def __init__(self, earlier=None):
        self.earlier = earlier
        status = earlier.status if earlier is not None else None
        super().__init__(self.message + self.SAYS.get(status, ""))


class AlreadySent(CommentRefused):
    """The form's token has sent a comment already: a double click, the back button, or a
    second comment from one form. ``comment`` is the one it sent."""

    message = (
        "This form has already sent a comment. Your text is kept below: check it and send "
        "it again to post it as a new comment."
    )

    def __init__(self, comment):
        self.comment = comment
        super().__init__()


class InvalidParent(CommentRefused):
    message = "You can only reply to a published comment on this post."


def _text(value):
    """NUL characters mean nothing in a comment, and PostgreSQL cannot store them."""
    return str(value or "").replace("\x00", "")


def _is_staff(user):
    return user is not None and user.is_authenticated and user.is_active and user.is_staff


def _resolve_parent(*, post, parent_id):
    """The comment a reply attaches to; deeper than COMMENT_MAX_DEPTH attaches higher up."""
    if not parent_id:
        return None
    parent = Comment.objects.filter(pk=parent_id).first()
    # One answer for a missing id, another post's comment and a comment that is not
    # published: anything more would tell a stranger which comments exist and where.
    if parent is None or parent.post_id != post.pk or parent.status != Status.APPROVED:
        raise InvalidParent()
    max_depth = max(settings.COMMENT_MAX_DEPTH, 1)
    while parent is not None and parent.depth + 1 >= max_depth:
        parent = parent.parent
    return parent


# Every POST runs this look-up; written as SQL, it costs a tenth of what the ORM spent
# building it (issue 19's profile). Plain SQL that SQLite and PostgreSQL read alike; the
# (lower(email), status) index and the form_nonce unique index serve it. The same query in
# the ORM, which tests/test_comment_post_work.py checks it against:
#   Comment.objects.alias(e=Lower("email")).filter(
#       Q(form_nonce=nonce) | Q(post_id=post_id, e=Lower(Value(email)), body=body,
#                               created_at__gte=since) & ~Q(status="spam"))
#   .order_by(Case(When(form_nonce=nonce, then=0), default=1), "-pk")
#   .only("pk", "status", "form_nonce").first()
_EARLIER_BY_TOKEN_OR_COPY = """
    SELECT c.id, c.status, c.form_nonce FROM comments_comment c
    WHERE c.form_nonce = %s
       OR (c.post_id = %s AND LOWER(c.email) = LOWER(%s) AND c.body = %s
           AND c.created_at >= %s AND c.status <> %s)
    ORDER BY CASE WHEN c.form_nonce = %s THEN 0 ELSE 1 END, c.id DESC LIMIT 1"""
_EARLIER_COPY = """
    SELECT c.id, c.status, c.form_nonce FROM comments_comment c
    WHERE c.post_id = %s AND LOWER(c.email) = LOWER(%s) AND c.body = %s
      AND c.created_at >= %s AND c.status <> %s
    ORDER BY c.id DESC LIMIT 1"""


# The earlier row and the email rules' facts (comments.moderation.email_facts_sql) in one
# query: rows (kind, id, status, form_nonce, name).
_EARLIER_ROW = (
    "SELECT 'earlier' AS kind, e.id, e.status, e.form_nonce, NULL AS name FROM ({lookup}) e"
)


def _earlier_look_up(*, nonce, post_id, email, body, since):
    """(the one row ``_earlier_comments`` reads, as a Comment with only pk, status and
    form_nonce loaded (the others load if asked, as with ``.only()``), or None; what the
    moderation's email rules ask of the address, as ``moderation.EmailFacts``), in one
    query."""
    connection = connections[router.db_for_read(Comment)]
    copy = [post_id, email, body, connection.ops.adapt_datetimefield_value(since), Status.SPAM]
    if nonce:
        lookup, params = _EARLIER_BY_TOKEN_OR_COPY, [nonce, *copy, nonce]
    else:
        lookup, params = _EARLIER_COPY, copy
    facts_sql, facts_params = moderation.email_facts_sql(email, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_EARLIER_ROW.format(lookup=lookup)} UNION ALL {facts_sql}",
            [*params, *facts_params],
        )
        rows = cursor.fetchall()
    facts = moderation.email_facts_from_rows(email, rows)
    earlier = next((row[1:4] for row in rows if row[0] == "earlier"), None)
    if earlier is None:
        return None, facts
    return Comment.from_db(connection.alias, ["id", "status", "form_nonce"], earlier), facts


def _first_earlier_row(*, nonce, post_id, email, body, since):
    return _earlier_look_up(nonce=nonce, post_id=post_id, email=email, body=body, since=since)[0]


class EarlierComments(NamedTuple):
    sent: Comment | None  # the comment this form's token sent
    copy: Comment | None  # the latest earlier copy of the text
    email_facts: object = None  # moderation.EmailFacts of the address


def _earlier_comments(*, nonce, post, email, body):
    """``EarlierComments``: the comment this form's token sent, the latest earlier copy
    (either may be None) and what the moderation's email rules ask of the address, in one
    query.

    The token's comment (a double click, the back button) is matched by the form's nonce;
    an earlier copy is the same text from the same email on the same post, sent within
    COMMENT_DUPLICATE_SECONDS and not spam. One row is read: the token's comment first when
    there is one (it answers before any copy does), else the latest copy. The token's comment
    is then read whole, with its post (the view answers with it: a rare path).
    """
    since = timezone.now() - timedelta(seconds=settings.COMMENT_DUPLICATE_SECONDS)
    row, facts = _earlier_look_up(nonce=nonce, post_id=post.pk, email=email, body=body, since=since)
    if row is None:
        return EarlierComments(None, None, facts)
    if nonce and row.form_nonce == nonce:
        return EarlierComments(_sent_by_token(nonce), None, facts)
    row.post = post  # the copy is on this post (the view's answer links to it)
    return EarlierComments(None, row, facts)


def _sent_by_token(nonce):
    """The comment the form's token sent, with its post; None if none (or no token)."""
    if not nonce:
        return None
    return Comment.objects.select_related("post").filter(form_nonce=nonce).first()


# Every POST starts with this look-up: Post.objects.published().get(pk=...), as SQL. The
# ORM's query building cost ten times the query itself (issue 19's profile). The same
# conditions as PostQuerySet.published(); tests/test_comment_post_speed.py checks the two
# agree on drafts, scheduled posts and dates no address can show.
_PUBLISHED_POST = """
    SELECT {columns} FROM {table}
    WHERE {pk} = %s AND status = %s AND published_at <= %s
      AND published_at >= %s AND published_at < %s"""


def published_post(post_id, *, now=None):
    """The published post ``post_id`` (every column, the author not joined), or None.

    The comment form is sent to it. Whatever is read of the post afterwards (its address,
    its switch, a hook's title) costs no query; the post page shown again after an error
    loads what its own view loads."""
    connection = connections[router.db_for_read(Post)]
    reading = _post_reading(connection)
    earliest, latest = publish_date_bounds()
    dates = [now or timezone.now(), earliest, latest]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(reading.sql, [post_id, Post.Status.PUBLISHED, *map(adapt, dates)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, converters in reading.converters:
        for convert in converters:
            values[index] = convert(values[index], column, connection)
    return Post.from_db(connection.alias, reading.attnames, values)


@dataclass(frozen=True)
class _RowReading:
    sql: str
    attnames: list
    converters: list  # [(index, column, [converter, ...])]: what the ORM applies


_post_readings = weakref.WeakKeyDictionary()


def _post_reading(connection):
    """The SQL and the row's converters (SQLite's dates and booleans come back as text
    and integers), worked out once per connection."""
    reading = _post_readings.get(connection)
    if reading is None:
        meta, ops = Post._meta, connection.ops
        fields = meta.concrete_fields
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(meta.db_table)
            found = [*ops.get_db_converters(column), *field.get_db_converters(connection)]
            if found:
                converters.append((index, column, found))
        reading = _post_readings[connection] = _RowReading(
            sql=_PUBLISHED_POST.format(
                columns=", ".join(ops.quote_name(field.column) for field in fields),
                table=ops.quote_name(meta.db_table),
                pk=ops.quote_name(meta.pk.column),
            ),
            attnames=[field.attname for field in fields],
            converters=converters,
        )
    return reading


def post_recount_comments(*, post_id):
    """Set Post.comment_count to the number of visible comments, in one UPDATE."""
    approved = (
        Comment.objects.visible()
        .filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Post.objects.filter(pk=post_id).update(comment_count=Coalesce(Subquery(approved), 0))


def comment_submit(*, post, data, request_meta, user=None):
    """Store a new comment with the status the moderation policy gives it.

    ``data`` comes from ``CommentForm.submission_data()``. Raises a ``CommentRefused``
    subclass (nothing stored) for closed posts, a form token that has sent a comment
    already (before the rate limit: a double click costs nothing), the rate limit, bad
    parents and duplicates.
    """
    if moderation.comments_closed(post):
        raise CommentsClosed()
    nonce = _text(data.get("form_nonce"))[:32] or None
    body = _text(data.get("body"))
    signed_in = user is not None and user.is_authenticated
    email = user.email if signed_in else _text(data.get("email"))
    # One look-up answers both "did this form send a comment already?" and "is this text
    # stored already?"; the refusals keep their order (the token's before the rate limit:
    # a double click costs nothing; the copy's last).
    sent, earlier, email_facts = _earlier_comments(nonce=nonce, post=post, email=email, body=body)
    if sent is not None:
        raise AlreadySent(sent)
    staff = _is_staff(user)
    if not staff and not ratelimit.hit(request_meta.get("ip_address"), settings.COMMENT_RATE_LIMIT):
        raise RateLimited()

    comment = Comment(
        post=post,
        parent=_resolve_parent(post=post, parent_id=data.get("parent")),
        name=_text(data.get("name")),
        email=_text(data.get("email")),
        website=_text(data.get("website")),
        title=_text(data.get("title"))[:200],
        body=body,
        competing_interests=_text(data.get("competing_interests")) or "None declared",
        ip_address=request_meta.get("ip_address") or None,
        user_agent=_text(request_meta.get("user_agent"))[:500],
        form_nonce=nonce,
    )
    if signed_in:
        comment.user = user
        comment.name = (user.get_full_name() or user.get_username())[:100]
        comment.email = email
        comment.is_post_author = user.pk == post.author_id
    if earlier is not None:
        raise DuplicateComment(earlier)

    comment.render_body()
    meta = {
        **request_meta,
        "user": user,
        "honeypot": data.get("honeypot", ""),
        "elapsed_seconds": data.get("elapsed_seconds"),
        "resent": bool(data.get("resent")),
    }
    if email_facts is not None:  # read with the earlier comments: the email rules need no query
        meta[moderation.EMAIL_FACTS] = email_facts
    comment.status, reason = moderation.decide(comment, meta)
    comment.status_reason = reason[:200]

    # The post and the parent were looked up above (validating them again is a query
    # each); a staff account without an email address still comments as itself; the
    # nonce's uniqueness is the database's to enforce (two clicks may race).
    exclude = ["post", "parent", "user", "form_nonce"]
    if comment.user and not comment.email:
        exclude.append("email")
    comment.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            comment.save()
            extensions.comment_submitted(comment=comment, data=data)  # notify me (issue 15)
            if comment.status == Status.APPROVED:
                post_recount_comments(post_id=post.pk)
            if comment.status == Status.HELD:  # the id only: the worker writes the mail
                notifications.notify_held_later(comment_id=comment.pk)
    except IntegrityError:
        sent = _sent_by_token(nonce)
        if sent is None:
            raise
        raise AlreadySent(sent) from None
    return comment


def _comment_set_status(*, comment, moderator, status, verb):
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        previous = locked.status
        locked.status = status
        locked.moderated_by = moderator
        locked.moderated_at = timezone.now()
        locked.full_clean(exclude=["name", "email", "website", "body", "competing_interests"])
        locked.save(update_fields=["status", "moderated_by", "moderated_at"])
        if Status.APPROVED in (previous, status) and previous != status:
            post_recount_comments(post_id=locked.post_id)
        LogEntry.objects.log_actions(
            user_id=moderator.pk,
            queryset=[locked],
            action_flag=CHANGE,
            change_message=f"{verb} (was {Status(previous).label.lower()}).",
            single_object=True,
        )
        # After commit: e.g. "email me when my comment is approved" (issue 15).
        extensions.comment_status_changed(comment_id=locked.pk, previous=previous, status=status)
    comment.status = locked.status
    comment.moderated_by = locked.moderated_by
    comment.moderated_at = locked.moderated_at
    return comment


def comment_approve(*, comment, moderator):
    return _comment_set_status(
        comment=comment, moderator=moderator, status=Status.APPROVED, verb="Approved"
    )


def comment_reject(*, comment, moderator):
    return _comment_set_status(
        comment=comment, moderator=moderator, status=Status.REJECTED, verb="Rejected"
    )


def comment_mark_spam(*, comment, moderator):
    return _comment_set_status(
        comment=comment, moderator=moderator, status=Status.SPAM, verb="Marked as spam"
    )


def comment_hold(*, comment, moderator):
    return _comment_set_status(
        comment=comment, moderator=moderator, status=Status.HELD, verb="Put back in the queue"
    )


# == Imports (issue 17) ==
def comment_import(
    *,
    post,
    parent=None,
    name,
    body,
    status,
    created_at=None,
    email="",
    website="",
    ip_address=None,
    status_reason="Imported",
    competing_interests="",
):
    """Store a comment brought in from another blog, as that blog had it.

    Unlike ``comment_submit`` it keeps the given status and date and runs no moderation
    rule, rate limit or notification: the comment was moderated where it was written.
    A parent deeper than COMMENT_MAX_DEPTH allows is replaced by its nearest ancestor that
    can hold a reply (as ``_resolve_parent`` does). The caller recounts the post.
    """
    max_depth = max(settings.COMMENT_MAX_DEPTH, 1)
    while parent is not None and parent.depth + 1 >= max_depth:
        parent = parent.parent
    comment = Comment(
        post=post,
        parent=parent,
        name=(_text(name).strip() or "Anonymous")[:100],
        email=_text(email)[:254],
        website=_text(website)[:200],
        body=_text(body),
        competing_interests=(
            _text(competing_interests).strip()[:500] or "Not asked (imported comment)"
        ),
        ip_address=ip_address or None,
        status=status,
        status_reason=status_reason[:200],
    )
    comment.render_body()
    for optional in ("email", "website", "ip_address"):
        value = getattr(comment, optional)
        if value:
            try:
                Comment._meta.get_field(optional).clean(value, comment)
            except ValidationError:
                setattr(comment, optional, None if optional == "ip_address" else "")
    # Blogger and many WordPress comments have no email address: the import keeps them.
    exclude = ["post", "parent", "user", "form_nonce", *([] if comment.email else ["email"])]
    comment.full_clean(exclude=exclude)
    with transaction.atomic():
        comment.save()
        if created_at is not None:
            Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
            comment.created_at = created_at
    return comment


# --- redaction (issue 16) ----------------------------------------------------------------


class RedactionError(ValueError):
    """A redaction that cannot be made; ``message`` tells the moderator why, ``field`` names
    the input at fault ("reason" or "text_to_remove")."""

    def __init__(self, message, *, field="text_to_remove"):
        self.message = message
        self.field = field
        super().__init__(message)


def _redacted_body(body, *, start, end, text_to_remove):
    """The body with the span (or every copy of the exact text) replaced, and how many."""
    removed = Redaction.REMOVED
    if text_to_remove is not None:
        if start is not None or end is not None:
            raise RedactionError("Give either the text to remove or its position, not both.")
        text_to_remove = _text(text_to_remove).replace("\r\n", "\n")
        if not text_to_remove.strip():
            raise RedactionError("Copy the text to remove from the comment.")
        count = body.count(text_to_remove)
        if not count:
            raise RedactionError(
                "That text is not in the comment: copy it exactly (case, spaces and "
                "punctuation included)."
            )
        return body.replace(text_to_remove, removed), count
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
        raise RedactionError("That span is not in the comment.")
    if not body[start:end].strip():
        raise RedactionError("The span holds only spaces: nothing to remove.")
    return f"{body[:start]}{removed}{body[end:]}", 1


def comment_redact(*, comment, moderator, reason, start=None, end=None, text_to_remove=None):
    """Replace a span of the comment's text (``start``/``end``) or every copy of an exact
    substring (``text_to_remove``) with "[removed by moderator]".

    Records a ``Redaction`` (the original text for superusers), re-renders ``body_html``
    through the comment's one renderer, logs the action like the status changes do, and
    the save invalidates cached pages (pagecache watches comments). Raises
    ``RedactionError`` with a message for the moderator; nothing is changed then.
    """
    reason = " ".join(_text(reason).split())
    if not reason:
        raise RedactionError(
            "Say why the text is removed (the reason is recorded).", field="reason"
        )
    if len(reason) > 200:
        raise RedactionError("Keep the reason under 200 characters.", field="reason")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        body, count = _redacted_body(
            locked.body, start=start, end=end, text_to_remove=text_to_remove
        )
        redaction = Redaction(
            comment=locked, moderator=moderator, reason=reason, original_body=locked.body
        )
        redaction.full_clean(exclude=["comment", "moderator"])
        redaction.save()
        locked.body = body
        locked.full_clean(exclude=[f.name for f in Comment._meta.fields if f.name != "body"])
        locked.save(update_fields=["body"])  # Comment.save renders body_html once
        copies = f" ({count} copies)" if count > 1 else ""
        LogEntry.objects.log_actions(
            user_id=moderator.pk,
            queryset=[locked],
            action_flag=CHANGE,
            change_message=f"Redacted{copies}: {reason}",
            single_object=True,
        )
    comment.body = locked.body
    comment.body_html = locked.body_html
    return redaction


# --- the moderator's desk (issue 16): a reply as the post's author or a moderator ---------


class ReplyRefused(ValueError):
    """A staff reply that cannot be published; ``message`` tells the replier why."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


def comment_reply_as_staff(*, parent, user, body, competing_interests=""):
    """Publish ``user``'s reply to ``parent`` at once (the staff-member rule approves it, as
    it would on the post's page), badged as the post's author's when it is theirs.

    A reply to a held comment approves that comment first, through ``comment_approve``
    (replying publishes the question with its answer). Rejected and spam comments take no
    reply. The caller checks that ``user`` may moderate ``parent``. Raises
    ``ReplyRefused`` with a message; nothing is changed then.
    """
    body = _text(body).replace("\r\n", "\n")
    if not body.strip():
        raise ReplyRefused("Write the reply first.")
    if len(body) > settings.COMMENT_MAX_LENGTH:
        raise ReplyRefused(
            f"The reply has {len(body)} characters; the limit is {settings.COMMENT_MAX_LENGTH}."
        )
    with transaction.atomic():
        locked = Comment.objects.select_for_update().select_related("post").get(pk=parent.pk)
        if locked.status == Status.HELD:
            comment_approve(comment=locked, moderator=user)
        elif locked.status != Status.APPROVED:
            raise ReplyRefused("Only a published or held comment can be answered.")
        post = locked.post
        max_depth = max(settings.COMMENT_MAX_DEPTH, 1)
        attach_to = locked
        while attach_to is not None and attach_to.depth + 1 >= max_depth:
            attach_to = attach_to.parent
        reply = Comment(
            post=post,
            parent=attach_to,
            user=user,
            name=staff_reply_name(user, post=post),
            email=user.email,
            body=body,
            competing_interests=" ".join(_text(competing_interests).split())[:500]
            or "None declared",
            is_post_author=user.pk == post.author_id,
            is_staff_reply=True,
            status=Status.APPROVED,
            status_reason=moderation.STAFF_MEMBER,
        )
        # A double click, or the back button and Publish again: one reply, not two.
        if Comment.objects.filter(parent=attach_to, post=post, user=user, body=body).exists():
            raise ReplyRefused("You have already published this reply.")
        reply.render_body()
        exclude = ["post", "parent", "user", "form_nonce", *([] if reply.email else ["email"])]
        reply.full_clean(exclude=exclude)
        reply.save()
        # Published at once: the same hooks as a reader's comment (the post author's
        # right-of-reply mail, the parent commenter's "notify me about replies").
        extensions.comment_submitted(comment=reply, data={})
        post_recount_comments(post_id=post.pk)
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[reply],
            action_flag=ADDITION,
            change_message=f"Replied to comment {locked.pk} from the moderator's desk.",
            single_object=True,
        )
    parent.status = Status.APPROVED
    return reply


# --- the commenter's own edit and withdrawal (issue 15) -----------------------------------


class ChangeRefused(CommentRefused):
    """An edit or withdrawal that is not allowed (any more); nothing is changed."""


_STRICTNESS = {Status.APPROVED: 0, Status.HELD: 1, Status.SPAM: 2}


def _lock_own_comment(*, comment_id):
    """The comment, locked, if its author may still change it; else ``ChangeRefused``."""
    from comments import editing

    locked = Comment.objects.select_for_update().filter(pk=comment_id).first()
    refusal = editing.refusal(locked, now=timezone.now())
    if refusal:
        raise ChangeRefused(refusal)
    return locked


def comment_edit(
    *, comment_id, body, title=None, competing_interests=None, user=None, request_meta=None
):
    """Replace a comment's text (and, when given, its title and competing interests), by
    its author (the caller checked the browser's cookie), within ``COMMENT_EDIT_MINUTES``
    and while it has no reply. ``None`` keeps a field as it is.

    The earlier version is kept (``CommentEdit``) for the moderators. The moderation policy
    runs again: an edit never raises a comment's standing (a held comment stays held) but
    may lower it (an approved comment that a rule would hold goes back to the queue, and the
    moderators are told). Raises ``ChangeRefused`` or ``ValidationError``; nothing changes.
    """
    from comments.models import CommentEdit

    body = _text(body).replace("\r\n", "\n")
    with transaction.atomic():
        locked = _lock_own_comment(comment_id=comment_id)
        new = {
            "body": body,
            "title": locked.title if title is None else _text(title),
            "competing_interests": (
                locked.competing_interests
                if competing_interests is None
                else _text(competing_interests)
            ),
        }
        if all(getattr(locked, name) == value for name, value in new.items()):
            return locked
        now = timezone.now()
        edit = CommentEdit(
            comment=locked,
            body_before=locked.body,
            title_before=locked.title,
            competing_interests_before=locked.competing_interests,
            edited_at=now,
        )
        previous = locked.status
        for name, value in new.items():
            setattr(locked, name, value)
        locked.render_body()
        meta = {**(request_meta or {}), "user": user, "honeypot": "", "resent": False}
        meta["elapsed_seconds"] = None
        decided, reason = moderation.decide(locked, meta)
        if _STRICTNESS[decided] > _STRICTNESS.get(previous, 0):
            locked.status = decided
            locked.status_reason = f"edited: {reason}"[:200]
        locked.edited_at = now
        locked.full_clean(exclude=[f.name for f in Comment._meta.fields if f.name not in new])
        edit.save()
        locked.save(update_fields=[*new, "status", "status_reason", "edited_at"])
        if previous != locked.status:
            post_recount_comments(post_id=locked.post_id)
            extensions.comment_status_changed(
                comment_id=locked.pk, previous=previous, status=locked.status
            )
            if locked.status == Status.HELD:
                notifications.notify_held_later(comment_id=locked.pk)
    return locked


def _withdrawal_record(comment):
    """The moderators' trace of a comment about to be deleted (``WithdrawnComment``)."""
    from comments.models import WithdrawnComment

    record = WithdrawnComment(
        post_id=comment.post_id,
        comment_pk=comment.pk,
        parent_pk=comment.parent_id,
        name=comment.name,
        email_hash=WithdrawnComment.hash_email(comment.email),
        title=comment.title,
        body=comment.body,
        earlier_texts=list(
            comment.edits.order_by("edited_at", "pk").values_list("body_before", flat=True)
        ),
        status=comment.status,
        sent_at=comment.created_at,
        withdrawn_at=timezone.now(),
    )
    record.full_clean(exclude=["post"])
    record.save()
    return record


def comment_withdraw(*, comment_id):
    """Delete a comment at its author's request (same window and rules as an edit), and
    recount the post. Returns the post's id. Raises ``ChangeRefused``.

    The moderators keep a record of it (``WithdrawnComment``, in the same transaction).
    Mail about it that is queued but not sent yet (the moderation mail, the post author's
    right-of-reply mail, notify-me mails) is not sent: each names the comment (``about``)
    and ``outbox.tasks.deliver_mail`` checks at send time that it still exists.
    """
    with transaction.atomic():
        locked = _lock_own_comment(comment_id=comment_id)
        post_id, was_visible = locked.post_id, locked.status == Status.APPROVED
        _withdrawal_record(locked)
        locked.delete()
        if was_visible:
            post_recount_comments(post_id=post_id)
    return post_id
