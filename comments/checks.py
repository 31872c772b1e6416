"""System checks: a mistyped comment setting stops start-up with its name, not a 500 later."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from comments.ratelimit import parse_rate


@register()
def comment_settings(app_configs, **kwargs):
    errors = []
    try:
        parse_rate(settings.COMMENT_RATE_LIMIT)
    except ImproperlyConfigured as exc:
        errors.append(Error(str(exc), id="comments.E001"))
    if not 1 <= settings.COMMENT_NAME_MAX_LENGTH <= 100:
        errors.append(
            Error(
                "COMMENT_NAME_MAX_LENGTH must be between 1 and 100 (the column).",
                id="comments.E002",
            )
        )
    if settings.COMMENT_MAX_DEPTH < 1:
        errors.append(
            Error("COMMENT_MAX_DEPTH must be 1 or more (1: no replies).", id="comments.E003")
        )
    for name in ("COMMENT_MAX_LENGTH", "COMMENT_FORM_MAX_AGE_SECONDS"):
        if getattr(settings, name) < 1:
            errors.append(Error(f"{name} must be 1 or more.", id="comments.E004"))
    return errors
