"""A CSRF failure that explains itself and never loses what a commenter typed."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """Django's CSRF_FAILURE_VIEW: a styled 403 with the comment text, if there was one."""
    context = {
        "kept_text": request.POST.get("body", "") if request.method == "POST" else "",
        "back_url": request.META.get("HTTP_REFERER", "/"),
    }
    return render(request, "403_csrf.html", context, status=403)
