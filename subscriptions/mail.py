"""The three messages: confirm your address, your comment is approved, a reply.

A confirmation names only the site and its links, so nobody can use our mail to send
their words to a stranger. Only a confirmed address that asked about replies gets what
someone else typed: an approved, published reply, quoted as plain text (each line after
"> ", its web addresses broken, cut at REPLY_QUOTE_LENGTH characters) under a link to it.
Every message has the one-click unsubscribe headers (RFC 8058) and the links in its body.
"""

from django.conf import settings
from django.urls import reverse

from comments.notifications import defang, quoted
from comments.plain_text import body_text, trimmed
from subscriptions import tokens

REPLY_QUOTE_LENGTH = 600


def _one_line(text):
    return " ".join(str(text).split())


def _site():
    return _one_line(settings.SITE_NAME)


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(**owner):
    return _absolute(reverse("subscriptions:unsubscribe", args=[tokens.unsubscribe_token(**owner)]))


def _unsubscribe_headers(url):
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def confirmation_message(subscriber):
    """(subject, body, headers) asking the address to confirm; no commenter text."""
    confirm = _absolute(
        reverse("subscriptions:confirm", args=[tokens.confirmation_token(subscriber)])
    )
    never = unsubscribe_url(subscriber=subscriber)
    days = settings.SUBSCRIPTIONS_CONFIRMATION_MAX_AGE_DAYS
    body = "\n".join(
        [
            f"Someone asked {_site()} ({settings.SITE_URL}) to email this address about a",
            f"comment. If it was you, confirm your address (the link works for {days} days):",
            "",
            confirm,
            "",
            "If it was not you, do nothing: without a confirmation you will get no more",
            "email from us. To be sure we never email this address again:",
            "",
            never,
        ]
    )
    return f"[{_site()}] Please confirm your email address", body, _unsubscribe_headers(never)


def _footer(subscription):
    return [
        "",
        "--",
        f"Stop emails about this comment: {unsubscribe_url(subscription=subscription)}",
        f"Stop all emails from {_site()}: {unsubscribe_url(subscriber=subscription.subscriber)}",
    ]


def approved_message(subscription):
    comment = subscription.comment
    title = _one_line(comment.post.title)
    body = "\n".join(
        [
            f"Your comment on \u201c{title}\u201d has been approved and is published:",
            "",
            _absolute(comment.get_absolute_url()),
            *_footer(subscription),
        ]
    )
    subject = f"[{_site()}] Your comment on \u201c{title}\u201d is published"
    headers = _unsubscribe_headers(unsubscribe_url(subscription=subscription))
    return subject, body, headers


def reply_quote(reply):
    """The reply's text as the reader sees it, trimmed at a word, each line after "> "."""
    text = trimmed(body_text(reply.body_html), REPLY_QUOTE_LENGTH)
    return quoted(text) if text else ""


def reply_message(subscription, reply):
    title = _one_line(subscription.comment.post.title)
    name = defang(_one_line(reply.name)) or "Someone"
    quote = reply_quote(reply)
    body = "\n".join(
        [
            f"{name} replied to your comment on \u201c{title}\u201d:",
            "",
            *([quote, ""] if quote else []),
            f"Read it{' whole' if quote else ''} and reply: {_absolute(reply.get_absolute_url())}",
            *_footer(subscription),
        ]
    )
    subject = f"[{_site()}] A reply to your comment on \u201c{title}\u201d"
    headers = _unsubscribe_headers(unsubscribe_url(subscription=subscription))
    return subject, body, headers
