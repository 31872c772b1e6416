"""``{% cite_box post %}``: "Cite this post" with the downloads (citations/_cite.html)."""

from django import template

from citations.styles import apa
from citations.works import has_paper, post_work

register = template.Library()


@register.inclusion_tag("citations/_cite.html")
def cite_box(post):
    local = post.address_parts
    return {
        "citation": apa(post_work(post)),
        "has_paper": has_paper(post),
        "address": {"year": local[0], "month": local[1], "slug": local[2]},
    }
