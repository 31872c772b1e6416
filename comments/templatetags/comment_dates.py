"""The thread's date styles for templates (comments.rendering.format_date/format_datetime):
``{{ moment|comment_date }}`` "2 Dec 2026" and ``{{ moment|comment_datetime }}``
"2 Dec 2026, 08:19 UTC", in the site's current time zone. Anything not a date gives ""."""

from datetime import datetime

from django import template

from comments.rendering import format_date, format_datetime

register = template.Library()


@register.filter
def comment_date(moment):
    return format_date(moment) if isinstance(moment, datetime) else ""


@register.filter
def comment_datetime(moment):
    return format_datetime(moment) if isinstance(moment, datetime) else ""
