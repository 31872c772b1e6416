"""``{% author_link user %}``: the byline's author name, linked to the author's page."""

from django import template
from django.utils.html import format_html

from authors.cards import page_card
from blog.metadata import author_name

register = template.Library()


@register.simple_tag(takes_context=True)
def author_link(context, user):
    """A link to the author's page, or the plain name when the author has no profile."""
    card = page_card(user, context.get("request"))
    name = author_name(user)
    if card is None:
        return format_html('<span class="author">{}</span>', name)
    return format_html('<a class="author" rel="author" href="{}">{}</a>', card.url, name)
