"""The links in our mail. A GET never changes anything (mail scanners fetch links): it shows
a page with a button, and the button's POST acts. An unsubscribe POST from a mail program
(RFC 8058 one-click: ``List-Unsubscribe=One-Click``, no cookie, no CSRF token) acts at
once. Forged links get a 400 page, expired or used ones a 410 page; never a 500.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
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
CONFIRM_USED = (
    410,
    "This link has been used",
    "This address is confirmed already, or a newer confirmation email replaced this one.",
)
UNSUBSCRIBE_GONE = (
    410,
    "Nothing to unsubscribe from",
    "The comment this link was about has been removed: no more email will come about it.",
)


def _refusal(request, refusal):
    status, title, message = refusal
    return render(
        request,
        "subscriptions/message.html",
        {"title": title, "message": message},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        if request.method == "POST":
            services.subscriber_confirm(token=token)
            return render(request, "subscriptions/confirmed.html")
        services.check_confirmation(token=token)
    except tokens.BadToken:
        return _refusal(request, BAD)
    except tokens.ExpiredToken:
        return _refusal(request, EXPIRED)
    except services.TokenUsed:
        return _refusal(request, CONFIRM_USED)
    return render(request, "subscriptions/confirm.html", {"token": token})


@csrf_exempt  # the signed token is the authority; mail programs post without cookies
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        kind, target = services.unsubscribe_target(token=token)
    except tokens.BadToken:
        return _refusal(request, BAD)
    except tokens.ExpiredToken:
        return _refusal(request, EXPIRED)
    except services.TokenUsed:
        return _refusal(request, UNSUBSCRIBE_GONE)
    subscriber = target if kind == "address" else target.subscriber
    context = {"token": token, "kind": kind, "target": target}
    if request.method != "POST":
        return render(request, "subscriptions/unsubscribe.html", context)
    if kind == "address" or request.POST.get("everything"):
        services.subscriber_opt_out(subscriber=subscriber)
        context["everything"] = True
    else:
        services.subscription_end(subscription=target)
    return render(request, "subscriptions/unsubscribed.html", context)
