"""``{% site_notices messages as notices %}``: the notices for the top of the page, all but
the commenter's own (sent, edited, withdrawn), which the "Your comments" block shows where
the page lands (comments.rendering.pending_html)."""

from django import template

from comments.rendering import site_notices as _site_notices

register = template.Library()


@register.simple_tag
def site_notices(messages):
    return _site_notices(messages or [])
