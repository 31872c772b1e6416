"""What the authors app adds to a post's conflict-of-interest box (a blog.extensions section):
a link to the author's register of interests, so a reader sees the author's other ties
beside this post's disclosures. In the feeds too, where the box is printed as well."""

from django.utils.html import format_html

from authors.cards import page_card


def register_link(post, context):
    card = page_card(post.author, context.get("request"))
    if card is None:
        return ""
    return format_html(
        '<p class="coi-register"><a href="{}#register-of-interests">All of {}\u2019s declared '
        "interests</a></p>",
        card.url,
        card.name,
    )
