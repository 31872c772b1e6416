"""Right of reply (issue 16): a post's author is emailed once about each approved response.

Why here: the setting belongs to the author's profile, so the app that owns it sends the
mail. authors depends on blog and now on comments (through ``comments.extensions``, the
hooks comments calls after a comment is saved or its status commits) and outbox; comments
and blog never import authors, and subscriptions is not needed (it is about commenters).

- ``response_notify(comment_id=...)``: one email per comment, recorded by ``ResponseNotice``
  (unique per comment), so a second approval, or an approval after a rejection, sends
  nothing. None for the author's own comments, an inactive author, an author without an
  address, or one whose profile says no (no profile: yes, the default);
- the email names the post, the commenter, their competing interests and quotes the title
  (on one line) and the text (each line after "> ", web addresses broken: the commenter's
  words cannot pass as our links), links to the comment and to its admin page to answer
  it, and carries the one-click unsubscribe headers (RFC 8058) for a signed link that turns
  the setting off;
- ``response_emails_stop(token=...)``: that link's work, once per link.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from authors.models import AuthorProfile, ResponseNotice
from authors.services import author_profile_ensure
from comments.models import Comment
from comments.notifications import defang, quoted, title_lines
from outbox.services import mail_enqueue

Status = Comment.Status
SALT = "authors.right_of_reply.stop"


class BadLink(Exception):
    """Forged, altered or malformed (400)."""


class ExpiredLink(Exception):
    """Genuine but too old (410)."""


class UsedLink(Exception):
    """Genuine, but used already or its comment is gone (410)."""


def _one_line(text):
    return " ".join(str(text).split())


_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def _headline(comment, name, title):
    """Who wrote, and to what: "X replied to Y's comment on your post" for a reply in a
    thread (brief c15d), "X responded to your post" otherwise."""
    parent = comment.parent if comment.parent_id else None
    if parent is None:
        return f"{name} responded to your post \u201c{title}\u201d"
    whose = defang(_one_line(parent.name).translate(_BIDI_CONTROLS)) or "someone"
    return f"{name} replied to {whose}'s comment on your post \u201c{title}\u201d"


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def _profile(user):
    try:
        return user.author_profile
    except AuthorProfile.DoesNotExist:
        return None


def wants_response_emails(user):
    """The author's own setting; an author without a profile gets the default (yes)."""
    profile = _profile(user)
    return profile is None or profile.email_on_responses


def _is_own(comment, author):
    if comment.user_id == author.pk or comment.is_post_author:
        return True
    return bool(comment.email) and comment.email.strip().casefold() == author.email.casefold()


def _may_mail(comment):
    author = comment.post.author
    return (
        comment.status == Status.APPROVED
        and author.is_active
        and bool(author.email.strip())
        and not _is_own(comment, author)
        # approved by the author's own hand (their reply from the desk): they have read it
        and comment.moderated_by_id != author.pk
        and wants_response_emails(author)
    )


# -- the link -------------------------------------------------------------------------------


def stop_token(notice):
    return signing.dumps({"n": notice.pk}, salt=SALT)


def stop_url(notice):
    return _absolute(reverse("authors:right_of_reply_stop", args=[stop_token(notice)]))


def _notice_for(token):
    try:
        payload = signing.loads(
            token,
            salt=SALT,
            max_age=timedelta(days=settings.AUTHORS_RIGHT_OF_REPLY_LINK_MAX_AGE_DAYS),
        )
    except signing.SignatureExpired:
        raise ExpiredLink() from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise BadLink() from None
    pk = payload.get("n") if isinstance(payload, dict) else None
    if type(pk) is not int or pk < 1:
        raise BadLink()
    return pk


def response_link_check(*, token):
    """The notice a stop link names, if it may still act (for a GET); raises BadLink,
    ExpiredLink or UsedLink."""
    notice = (
        ResponseNotice.objects.select_related("comment__post").filter(pk=_notice_for(token)).first()
    )
    if notice is None or notice.link_used_at is not None:
        raise UsedLink()
    return notice


def response_emails_stop(*, token):
    """Turn the author's setting off; the link then is used. Raises like the check."""
    pk = _notice_for(token)
    with transaction.atomic():
        notice = ResponseNotice.objects.select_for_update().filter(pk=pk).first()
        if notice is None or notice.link_used_at is not None:
            raise UsedLink()
        notice.link_used_at = timezone.now()
        notice.save(update_fields=["link_used_at"])
        profile = author_profile_ensure(user=notice.author)
        if profile.email_on_responses:
            AuthorProfile.objects.filter(pk=profile.pk).update(
                email_on_responses=False, updated_at=timezone.now()
            )
    return notice


# -- the message ----------------------------------------------------------------------------


def response_message(notice):
    """(subject, body, headers): our links first, the commenter's words last, quoted."""
    comment = notice.comment
    site = _one_line(settings.SITE_NAME)
    title = _one_line(comment.post.title)
    name = defang(_one_line(comment.name)) or "Someone"
    stop = stop_url(notice)
    typed = "\n".join(
        [
            f"Name: {_one_line(comment.name)}",
            f"Competing interests: {_one_line(comment.competing_interests)}",
            *title_lines(comment),
            "",
            comment.body,
        ]
    )
    body = "\n".join(
        [
            f"{_headline(comment, name, title)}; the response is published:",
            "",
            _absolute(comment.get_absolute_url()),
            "",
            f"To reply (your reply is published at once): {_absolute(comment.get_admin_url())}",
            "",
            "The response is quoted below (each line starts with \u201c> \u201d). Its web",
            "addresses are broken on purpose (hxxps, [.]); no link in it is ours.",
            "",
            quoted(typed),
            "",
            "--",
            f"Stop these emails (turn them on again in your author profile): {stop}",
        ]
    )
    subject = f"[{site}] A response to your post \u201c{title}\u201d"
    headers = {
        "List-Unsubscribe": f"<{stop}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return subject, body, headers


# -- sending --------------------------------------------------------------------------------


def response_notify(*, comment_id):
    """Queue the right-of-reply email for one approved comment, once. True when queued."""
    comment = (
        Comment.objects.select_related("post__author__author_profile").filter(pk=comment_id).first()
    )
    if comment is None or not _may_mail(comment):
        return False
    with transaction.atomic():
        notice, created = ResponseNotice.objects.get_or_create(
            comment=comment, defaults={"author": comment.post.author}
        )
        if not created:
            return False
        notice.comment = comment
        subject, body, headers = response_message(notice)
        mail_enqueue(
            to=comment.post.author.email,
            subject=subject,
            body=body,
            headers=headers,
            about=[comment],  # withdrawn before it goes: not sent
        )
    return True


# -- the hooks comments calls (comments.extensions) -----------------------------------------


def on_comment_submitted(*, comment, data):
    """Published at once (by the rules, or a reply from the desk): mail after commit."""
    if comment.status == Status.APPROVED:
        comment_id = comment.pk
        # robust: a failure is logged and never undoes the comment already committed.
        transaction.on_commit(lambda: response_notify(comment_id=comment_id), robust=True)


def on_comment_status_changed(*, comment_id, previous, status):
    """Already after commit (comments.extensions)."""
    if status == Status.APPROVED:
        response_notify(comment_id=comment_id)
