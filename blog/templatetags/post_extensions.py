"""``{% post_section "place" post %}``: what other apps add at a place on the post page;
``{% post_feed_section "place" post %}``: the same in a feed entry (see blog.extensions);
empty when no app registered anything there."""

from django import template

from blog import extensions

register = template.Library()


@register.simple_tag(takes_context=True)
def post_section(context, place, post):
    return extensions.sections(place, post, context)


@register.simple_tag
def post_feed_section(place, post):
    return extensions.feed_content(post, place)
