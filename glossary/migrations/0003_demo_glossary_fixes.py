"""Two fixes to glossaries made from the old demo seed, then the posts that show them
re-rendered so their stored HTML follows.

- No abbreviation of fewer than two letters or digits: the demo's "p" (p value) was marked
  wherever a lone p stood ("(p. 12)", a list marker). Such abbreviations are emptied; the
  term itself is still explained.
- The demo's explanations get typographic apostrophes and quotation marks (’ “ ”), as the
  rest of the site's prose has them: only the demo's terms (by slug), and only a straight
  apostrophe between letters or a pair of straight double quotes, so an editor's wording
  is kept.
"""

import re

from django.db import migrations
from django.utils import timezone

_WORD = re.compile(r"\w+")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_QUOTED = re.compile(r'"([^"\n]*)"')
DEMO_SLUGS_WITH_STRAIGHT_MARKS = (
    "multiple-sclerosis",
    "confidence-interval",
    "alemtuzumab",
    "cd52",
    "sustained-accumulation-of-disability",
    "autoimmunity",
)


def too_short(abbreviation):
    return sum(len(word) for word in _WORD.findall(abbreviation)) < 2


def typographic(text):
    return _QUOTED.sub("\u201c\\1\u201d", _APOSTROPHE.sub("\u2019", text))


def forwards(apps, schema_editor):
    Term = apps.get_model("glossary", "Term")
    Post = apps.get_model("blog", "Post")
    now = timezone.now()
    shown = []  # what a post's stored HTML holds when it shows a changed term
    for term in Term.objects.filter(slug__in=DEMO_SLUGS_WITH_STRAIGHT_MARKS):
        explanation = typographic(term.explanation)
        if explanation != term.explanation:
            Term.objects.filter(pk=term.pk).update(explanation=explanation, updated_at=now)
            shown.append(f'id="word-{term.slug}"')
    for term in Term.objects.exclude(abbreviation=""):
        if too_short(term.abbreviation):
            Term.objects.filter(pk=term.pk).update(abbreviation="", updated_at=now)
            shown.append(f'id="word-{term.slug}"')
    if not shown:
        return
    from blog import markup

    for post in Post.objects.only("pk", "body", "body_html").iterator():
        if any(mark in post.body_html for mark in shown):
            Post.objects.filter(pk=post.pk).update(body_html=markup.render_post_body(post.body))


class Migration(migrations.Migration):
    dependencies = [("glossary", "0002_role_permissions"), ("blog", "0005_plain_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
