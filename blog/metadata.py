"""Machine-readable descriptions of a post for link previews, reference managers and search.

- Open Graph (``og:*``, ``article:*``) describes the post itself;
- Highwire Press ``citation_*`` tags describe the CITED article (what Zotero and Google
  Scholar pick up);
- schema.org JSON-LD describes both: a BlogPosting whose ``citation`` is the article and
  whose ``about`` is the trial.

Everything here is plain data; templates escape it, except the JSON-LD string, which
``json_ld_script_content`` makes safe to place inside a <script> element.
"""

import html
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from blog import extensions, markup, public_record

# json.dumps leaves <, > and & alone; inside <script> "</script>" or "<!--" would end
# or confuse the element. Their \u escapes are the same JSON value.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class PostMetadata:
    url: str
    description: str
    open_graph: list
    highwire: list
    json_ld: str


def absolute_url(path):
    return settings.SITE_URL + path


def machine_datetime(moment):
    """ISO 8601 to the second: datetimes saved through the ORM carry microseconds, which
    validators and some consumers of these tags reject (and nobody needs)."""
    return moment.replace(microsecond=0).isoformat()


def modified_at(post):
    """What the page and the feeds call the last change (``public_record``): announced
    changes and notices about the paper, never a minor fix or a save that changed nothing
    readers read."""
    return public_record.last_public_change(post)


def author_name(user):
    """The author's one public name, wherever readers see it (byline, citation, feeds,
    metadata, search, register of interests): the name an app registered
    (``blog.extensions.register_author_name``: the author profile's display name), else the
    full name, else the username. Never the email address."""
    return extensions.author_name(user) or account_name(user)


def account_name(user):
    """The name on the user's account: full name, else username (what ``author_name`` falls
    back to, and what a new author profile starts from)."""
    return user.get_full_name() or user.get_username()


def source_authors(post):
    """The authors as written, one per semicolon-separated part (for display)."""
    return [name.strip() for name in post.source_authors.split(";") if name.strip()]


_ET_AL = re.compile(r"(?:^|(?<![\s,])[\s,]+)et\.?\s+al\.?$", re.IGNORECASE)
_GROUP_WORDS = re.compile(
    r"\b(investigators|group|consortium|collaborat\w*|committee|study|trialists)\b",
    re.IGNORECASE,
)


def citation_authors(post):
    """The authors for reference managers: one name per semicolon-separated part.

    "et al." is not an author: a part that is only "et al." is skipped and a trailing
    "et al." is cut off ("Cole et al." -> "Cole"), so Zotero and Google Scholar never
    import "et al." as a person.
    """
    names = (_ET_AL.sub("", name).strip(" ,") for name in source_authors(post))
    return [name for name in names if name]


def is_group_author(name):
    """A collective author ("CARE-MS II investigators") rather than a person."""
    return bool(_GROUP_WORDS.search(name))


def registry_name(registration):
    """The registry's name if blog.markup knows it, else a neutral word."""
    name_of = getattr(markup, "registry_name", None)
    return (name_of(registration) if name_of else "") or "trial registry"


DESCRIPTION_LENGTH = 300


def description(post):
    """Plain text, never HTML: the summary as written, else the body's visible text.

    ``strip_tags`` leaves the stored HTML's entities (``&lt;``, ``&amp;``) in place, so
    they are decoded here: templates, the JSON encoder and the feed writer each escape
    the result once. Text short enough is returned untouched (``Truncator`` would also
    NFC-normalise it).
    """
    text = post.summary or html.unescape(strip_tags(post.body_html))
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return Truncator(text).chars(DESCRIPTION_LENGTH)


def open_graph(post, url, desc):
    tags = [
        ("og:type", "article"),
        ("og:site_name", settings.SITE_NAME),
        ("og:title", post.title),
        ("og:url", url),
        ("og:description", desc),
        ("article:published_time", machine_datetime(post.published_at)),
        ("article:modified_time", machine_datetime(modified_at(post))),
        ("article:author", author_name(post.author)),
    ]
    tags += [("article:tag", tag.name) for tag in post.labels]
    return tags


def highwire(post):
    tags = []
    if post.source_title:
        tags.append(("citation_title", post.source_title))
    tags += [("citation_author", name) for name in citation_authors(post)]
    if post.source_journal:
        tags.append(("citation_journal_title", post.source_journal))
    if post.source_date:
        tags.append(("citation_publication_date", post.source_date.strftime("%Y/%m/%d")))
    if post.doi:
        tags.append(("citation_doi", post.doi))
    return tags


def json_ld(post, url, desc):
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": post.title,
        "description": desc,
        "author": {"@type": "Person", "name": author_name(post.author)},
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
        },
        "datePublished": machine_datetime(post.published_at),
        "dateModified": machine_datetime(modified_at(post)),
        "keywords": [tag.name for tag in post.labels],
        "inLanguage": "en-GB",
    }
    article = scholarly_article(post)
    if article:
        data["citation"] = {**article, **public_record.json_ld_paper_status(post)}
    corrections = public_record.json_ld_corrections(post, absolute_url=absolute_url)
    if corrections:
        data["correction"] = corrections
    if post.trial_registration:
        data["about"] = {
            "@type": "MedicalTrial",
            "identifier": post.trial_registration,
            "url": post.trial_registration_url,
            "name": f"{post.trial_registration} ({registry_name(post.trial_registration)})",
        }
    return extensions.extend_json_ld(post, data)


def scholarly_article(post):
    article = {}
    if post.doi:
        article.update(
            {
                "@id": post.doi_url,
                "sameAs": post.doi_url,
                "identifier": post.doi,
                "url": post.doi_url,
            }
        )
    if post.source_title:
        article["name"] = post.source_title
        article["headline"] = post.source_title
    authors = citation_authors(post)
    if authors:
        article["author"] = [
            {"@type": "Organization" if is_group_author(name) else "Person", "name": name}
            for name in authors
        ]
    if post.source_journal:
        article["isPartOf"] = {"@type": "Periodical", "name": post.source_journal}
    if post.source_date:
        article["datePublished"] = post.source_date.isoformat()
    if post.source_citation:
        article["description"] = post.source_citation
    if not article:
        return None
    return {"@type": "ScholarlyArticle", **article}


def json_ld_script_content(data):
    """JSON for a <script type="application/ld+json"> element that cannot break out of it."""
    return mark_safe(  # noqa: S308 - every <, > and & is \u-escaped above
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    )


def for_post(post):
    """All the metadata the post page's <head> needs (no queries beyond prefetched tags)."""
    url = absolute_url(post.get_absolute_url())
    desc = description(post)
    return PostMetadata(
        url=url,
        description=desc,
        open_graph=open_graph(post, url, desc),
        highwire=extensions.extend_highwire(post, highwire(post)),
        json_ld=json_ld_script_content(json_ld(post, url, desc)),
    )
