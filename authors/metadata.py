"""The author's ORCID iD and page in a post's metadata (registered in ``AuthorsConfig``).

- JSON-LD: the BlogPosting's ``author`` gets ``url`` (the author page) and ``sameAs`` (the
  ORCID iD's address), as schema.org and Google describe a Person.
- Highwire ``citation_*`` tags: on a post that discusses a paper they describe THAT paper
  (so Zotero imports the paper), and adding our author's ``citation_author_orcid`` there
  would give a stranger's iD to the paper's authors. So the iD goes in only when the tags
  describe the post itself: a post with no cited paper gets ``citation_title``,
  ``citation_author``, ``citation_author_orcid`` and ``citation_publication_date`` of the post.
"""

from authors.cards import card_for
from blog.metadata import absolute_url, author_name


def json_ld_author(post, data):
    """Adds to ``data`` in place (blog.extensions.register_json_ld)."""
    card = card_for(post.author)
    author = data.get("author")
    if card is None or not isinstance(author, dict):
        return
    author["url"] = absolute_url(card.url)
    if card.orcid:
        author["sameAs"] = card.orcid_url


def highwire_post_author(post, tags):
    if tags:  # the tags describe the cited paper, not this post
        return tags
    card = card_for(post.author)
    if card is None or not card.orcid:
        return tags
    return [
        ("citation_title", post.title),
        ("citation_author", author_name(post.author)),
        ("citation_author_orcid", card.orcid_url),
        ("citation_publication_date", post.published_at.strftime("%Y/%m/%d")),
    ]
