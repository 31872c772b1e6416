"""``{% post_section "place" post %}``: what other apps add at a place on the post page
(see blog.extensions); empty when no app registered anything there."""

from django import template

from blog import extensions

register = template.Library()


@register.simple_tag(takes_context=True)
def post_section(context, place, post):
    return extensions.sections(place, post, context)
