"""``{% csrf_input %}``: the CSRF hidden input, safe to store in the shared page cache."""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

from pagecache.store import csrf_placeholder

register = template.Library()


@register.simple_tag(takes_context=True)
def csrf_input(context):
    request = context.get("request")
    if request is None:
        return ""
    if getattr(request, "page_cache_candidate", False):
        token = csrf_placeholder()  # replaced per visitor by PageCacheMiddleware
    else:
        token = get_token(request)
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
