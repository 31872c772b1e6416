"""The moderation policy: given a new comment and its request, decide its status.

``RULES`` is read top to bottom and the first rule with an opinion wins; each rule is a
small function ``rule(comment, meta) -> (status, reason) | None`` that can be tested alone.
``meta`` is a plain dict: ``ip_address``, ``user_agent``, ``user``, ``honeypot`` (what the
hidden field held), ``elapsed_seconds`` (time between first rendering and sending the form)
and ``resent`` (the form came back once with an error: the commenter has sent it before);
optionally ``email_facts`` (``EmailFacts``: what comments.services read of the address with
the earlier comments, so that the email rules ask the database nothing more).

Refusals (closed posts, duplicates, the rate limit) are not statuses: nothing is stored,
and the commenter is told why. They live in ``comments.services``.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils import timezone

from comments.models import Comment
from comments.safety_rules import SAFETY_RULES, every_safety_reason

Status = Comment.Status

_URL = re.compile(r"(?:https?://|ftp://|www\.)", re.IGNORECASE)
_HREF = re.compile(r"<a\s", re.IGNORECASE)


def _text_fields(comment):
    return " ".join(
        [comment.name, comment.email, comment.website, comment.body, comment.competing_interests]
    )


def _find_word(words, text):
    """The first listed word found in ``text`` as a whole word, case-insensitively."""
    for word in words:
        word = word.strip()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


def count_links(comment):
    """Links in the comment: raw URLs in the source or anchors in the rendered HTML."""
    return max(len(_URL.findall(comment.body)), len(_HREF.findall(comment.body_html or "")))


# --- the rules -------------------------------------------------------------------------


STAFF_MEMBER = "staff member"


def staff_member(comment, meta):
    user = meta.get("user")
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return Status.APPROVED, STAFF_MEMBER
    return None


def honeypot_filled(comment, meta):
    if meta.get("honeypot"):
        return Status.SPAM, "hidden field filled in"
    return None


def _too_fast(meta):
    elapsed = meta.get("elapsed_seconds")
    return elapsed is not None and elapsed < settings.COMMENT_MIN_SUBMIT_SECONDS


def sent_too_fast(comment, meta):
    """Faster than a person types, on a form's first sending: a bot."""
    if _too_fast(meta) and not meta.get("resent"):
        return Status.SPAM, f"sent {meta['elapsed_seconds']:.1f}s after the form was shown"
    return None


def resent_too_fast(comment, meta):
    """A person who fixes a typo after a form error can be quick: held, never spam."""
    if _too_fast(meta) and meta.get("resent"):
        elapsed = meta["elapsed_seconds"]
        return Status.HELD, f"sent again {elapsed:.1f}s after the form was first shown"
    return None


def disallowed_word(comment, meta):
    word = _find_word(settings.COMMENT_DISALLOWED_WORDS, _text_fields(comment))
    if word:
        return Status.SPAM, f"disallowed word: {word}"
    return None


def too_many_links(comment, meta):
    links = count_links(comment)
    if links > settings.COMMENT_MAX_LINKS:
        return Status.HELD, f"{links} links (more than {settings.COMMENT_MAX_LINKS})"
    return None


def moderation_word(comment, meta):
    word = _find_word(settings.COMMENT_MODERATION_WORDS, _text_fields(comment))
    if word:
        return Status.HELD, f"moderation word: {word}"
    return None


def staff_email(comment, meta):
    """An anonymous comment signed with a staff member's email is held: anyone can type
    an address, and the author's own name and address would otherwise carry weight."""
    if not comment.email:
        return None
    if _email_facts(comment, meta).staff:
        return Status.HELD, "a staff member's email, sent without signing in"
    return None


RETURNING_COMMENTER = "returning commenter"
RETURNING_NAMES_LOOKED_AT = 20


def _asks_for_names(comment):
    return bool(settings.COMMENT_APPROVE_RETURNING and comment.email and comment.name)


def returning_commenter(comment, meta):
    """WordPress's rule: a name AND email with an earlier approved comment are trusted
    (anyone can type a known address; the pair is what WordPress asks for). Names match
    ignoring case and spacing. Only anonymous comments count: staff comments are approved
    for who signed in, not for the address."""
    if not _asks_for_names(comment):
        return None
    names = _email_facts(comment, meta).names
    wanted = _same_name_key(comment.name)
    if any(_same_name_key(name) == wanted for name in names):
        return Status.APPROVED, RETURNING_COMMENTER
    return None


# What the two email rules ask, in one query a submission (issue 19): whether a staff
# account has the address, and the names on the latest approved anonymous comments from it.
# Each part as the ORM:
#   get_user_model().objects.filter(is_staff=True, email__iexact=email).exists(), which
#   compiles to UPPER(email) = UPPER(%s) on PostgreSQL and to LIKE (ASCII case folding, as
#   SQLite's UPPER) on SQLite;
#   Comment.objects.approved().by_email(email).filter(user__isnull=True)
#   .order_by("-pk").values_list("name", flat=True)[:RETURNING_NAMES_LOOKED_AT]
#   (served by the (lower(email), status) index).
# Rows (kind, id, status, form_nonce, name): comments.services joins them to its look-up of
# the earlier comments (one query for both). The table names come from the models, never
# from input.
_STAFF_WITH_EMAIL = """
    SELECT 'staff' AS kind, NULL AS id, NULL AS status, NULL AS form_nonce, NULL AS name
    FROM (
        SELECT 1 AS one FROM {users} u WHERE u.is_staff AND UPPER(u.email) = UPPER(%s) LIMIT 1
    ) staff_account"""
_APPROVED_ANONYMOUS_NAMES = """
    SELECT 'name', named.id, NULL, NULL, named.name FROM (
        SELECT c.name, c.id FROM comments_comment c
        WHERE c.status = %s AND LOWER(c.email) = LOWER(%s) AND c.user_id IS NULL
        ORDER BY c.id DESC LIMIT %s
    ) named"""
EMAIL_FACTS = "email_facts"  # the meta key comments.services fills


@dataclass(frozen=True)
class EmailFacts:
    """What the database knows of a commenter's address: a staff account has it; the names
    on the latest approved anonymous comments from it (newest first), if ``with_names``."""

    email: str
    staff: bool
    names: tuple = ()
    with_names: bool = True


def email_facts_sql(email, *, connection):
    """(sql, params) of the rows ``email_facts_from_rows`` reads, to be run alone or joined
    by UNION ALL to another look-up with rows of the same shape. The names are looked up
    only when the returning-commenter rule may read them."""
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    sql, params = _STAFF_WITH_EMAIL.format(users=users), [email]
    if settings.COMMENT_APPROVE_RETURNING:
        sql = f"{sql} UNION ALL {_APPROVED_ANONYMOUS_NAMES}"
        params += [Status.APPROVED, email, RETURNING_NAMES_LOOKED_AT]
    return sql, params


def email_facts_from_rows(email, rows):
    """``EmailFacts`` from the rows of ``email_facts_sql`` (other kinds are left alone)."""
    names = sorted((row[1], row[4]) for row in rows if row[0] == "name")
    return EmailFacts(
        email=email,
        staff=any(row[0] == "staff" for row in rows),
        names=tuple(name for _, name in reversed(names)),
        with_names=bool(settings.COMMENT_APPROVE_RETURNING),
    )


def _email_facts(comment, meta):
    """``EmailFacts`` for the comment's address: what comments.services looked up with the
    earlier comments (``meta["email_facts"]``), else one query for both email rules, kept
    in ``meta`` (decide() gives every comment its own copy) for the second rule to read."""
    facts = meta.get(EMAIL_FACTS)
    usable = isinstance(facts, EmailFacts) and facts.email == comment.email
    if usable and (facts.with_names or not _asks_for_names(comment)):
        return facts
    facts = meta[EMAIL_FACTS] = _look_up_email(comment.email)
    return facts


def _look_up_email(email):
    connection = connections[router.db_for_read(Comment)]
    sql, params = email_facts_sql(email, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return email_facts_from_rows(email, cursor.fetchall())


def _approved_anonymous_names(email):
    """The names on the latest approved anonymous comments from ``email`` (any case),
    newest first."""
    return list(_look_up_email(email).names)


def _same_name_key(name):
    return " ".join(name.split()).casefold()


RULES = [
    staff_member,
    honeypot_filled,
    sent_too_fast,
    disallowed_word,
    # Clinical safety (comments.safety_rules): after the spam rules, so a spammer learns
    # nothing from them; they hold, never reject, and give the reason a moderator reads.
    *SAFETY_RULES,
    resent_too_fast,
    too_many_links,
    moderation_word,
    staff_email,
    returning_commenter,
]

DEFAULT = (Status.HELD, "new commenter")


def decide(comment, request_meta, rules=None):
    """The status a new comment gets, and why (stored as ``status_reason``). When a
    clinical-safety rule is the first with an opinion, every safety rule runs and their
    reasons are joined ("patient identifier: NHS number; request for personal medical
    advice: ..."), so nothing a moderator should check is hidden behind the first.

    The rules share one copy of ``request_meta`` for this comment: what one rule looked up
    another may read (the two email rules, one query)."""
    meta = dict(request_meta)
    for rule in RULES if rules is None else rules:
        verdict = rule(comment, meta)
        if verdict is not None:
            if rule in SAFETY_RULES:
                return every_safety_reason(comment, meta)
            return verdict
    return DEFAULT


def comments_closed(post, *, now=None):
    """True when the post takes no new comments: its switch, or its age."""
    if not post.comments_open:
        return True
    days = settings.COMMENT_CLOSE_AFTER_DAYS
    if days and days > 0:
        return post.published_at < (now or timezone.now()) - timedelta(days=days)
    return False
