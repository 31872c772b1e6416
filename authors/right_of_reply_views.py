"""The "stop these emails" link in a right-of-reply email (``authors.right_of_reply``).

A GET never changes anything (mail scanners fetch links): it shows a button, and the
button's POST acts. A mail program's one-click POST (RFC 8058, no cookie, no CSRF token)
acts at once. Forged links get a 400 page, expired or used ones a 410 page; never a 500.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from authors import right_of_reply

REFUSALS = {
    right_of_reply.BadLink: (
        400,
        "This link is not valid",
        "It may have been cut short or altered: copy the whole link from the email.",
    ),
    right_of_reply.ExpiredLink: (
        410,
        "This link has expired",
        "Turn these emails off in your author profile instead.",
    ),
    right_of_reply.UsedLink: (
        410,
        "This link has been used",
        "Each link works once. Change the setting in your author profile instead.",
    ),
}


@csrf_exempt  # the signed link is the authority; mail programs post without cookies
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request, token):
    try:
        if request.method == "POST":
            notice = right_of_reply.response_emails_stop(token=token)
            return render(request, "authors/right_of_reply_stopped.html", {"notice": notice})
        notice = right_of_reply.response_link_check(token=token)
    except tuple(REFUSALS) as refused:
        status, title, message = REFUSALS[type(refused)]
        return render(
            request,
            "authors/right_of_reply_message.html",
            {"title": title, "message": message},
            status=status,
        )
    return render(request, "authors/right_of_reply_stop.html", {"notice": notice, "token": token})
