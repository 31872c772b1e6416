"""The links in our mail. A GET never changes anything (mail scanners fetch links): it shows
a page with a button, and the button's POST acts. An unsubscribe POST from a mail program
(RFC 8058 one-click: ``List-Unsubscribe=One-Click``, no cookie, no CSRF token) acts at
once; "Email me again" needs its own button's ``resume`` field. Forged links get a 400
page, expired or used ones a 410 page; never a 500. Every page is private to the link's
holder: never stored by any cache (``never_cache``: private, no-store; the page cache
also skips /subscriptions/) and never indexed.
"""

from functools import wraps

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from subscriptions import services, tokens

BAD = (
    400,
    "This link is not valid",
    "It may have been cut short or altered: copy the "
    "whole link from the email, or use the link in the latest email.",
)
EXPIRED = (410, "This link has expired", "Use the link in the latest email.")
CONFIRM_EXPIRED = (
    410,
    "This link has expired",
    "We send one confirmation email per address, so no more email will come to this "
    "address from us.",
)
CONFIRM_USED = (
    410,
    "This link has been used",
    "This address is confirmed already, or it has asked us for no email since.",
)
RESUMED = (
    200,
    "Emails resumed",
    "We will email this address again: the emails you ask for about your comments, each "
    "with a link to stop them.",
)
UNSUBSCRIBE_GONE = (
    410,
    "Nothing to unsubscribe from",
    "The comment this link was about has been removed: no more email will come about it.",
)


def private_page(view):
    """Never stored by a cache, never indexed (the pages carry the robots meta tag too)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _message(request, message):
    status, title, text = message
    return render(
        request,
        "subscriptions/message.html",
        {"title": title, "message": text},
        status=status,
    )


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        if request.method == "POST":
            subscriber = services.subscriber_confirm(token=token)
            comment, shown = services.latest_comment(subscriber)
            context = {"comment": comment, "shown": shown}
            return render(request, "subscriptions/confirmed.html", context)
        services.check_confirmation(token=token)
    except tokens.BadToken:
        return _message(request, BAD)
    except tokens.ExpiredToken:
        return _message(request, CONFIRM_EXPIRED)
    except services.TokenUsed:
        return _message(request, CONFIRM_USED)
    return render(request, "subscriptions/confirm.html", {"token": token})


@csrf_exempt  # the signed token is the authority; mail programs post without cookies
@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        kind, target = services.unsubscribe_target(token=token)
    except tokens.BadToken:
        return _message(request, BAD)
    except tokens.ExpiredToken:
        return _message(request, EXPIRED)
    except services.TokenUsed:
        return _message(request, UNSUBSCRIBE_GONE)
    subscriber = target if kind == "address" else target.subscriber
    context = {"token": token, "kind": kind, "target": target, "subscriber": subscriber}
    if request.method != "POST":
        return render(request, "subscriptions/unsubscribe.html", context)
    if request.POST.get("resume"):
        services.subscriber_opt_in(subscriber=subscriber)
        return _message(request, RESUMED)
    if kind == "address" or request.POST.get("everything"):
        services.subscriber_opt_out(subscriber=subscriber)
        context["everything"] = True
    else:
        services.subscription_end(subscription=target)
    return render(request, "subscriptions/unsubscribed.html", context)
