"""No glossary abbreviation of fewer than two letters or digits: the demo's "p" (p value)
was marked wherever a lone p stood ("(p. 12)", a list marker). Such abbreviations are
emptied (the term itself is still explained), and the posts that showed the term are
re-rendered so their stored HTML follows.

(The demo's explanations with straight apostrophes are brought to today's typographic
wording by ``load_demo``, as every older seed wording is: ``glossary.seed``.)
"""

import re

from django.db import migrations
from django.utils import timezone

_WORD = re.compile(r"\w+")


def too_short(abbreviation):
    return sum(len(word) for word in _WORD.findall(abbreviation)) < 2


def forwards(apps, schema_editor):
    Term = apps.get_model("glossary", "Term")
    Post = apps.get_model("blog", "Post")
    shown = []  # what a post's stored HTML holds when it shows a changed term
    for term in Term.objects.exclude(abbreviation=""):
        if too_short(term.abbreviation):
            Term.objects.filter(pk=term.pk).update(abbreviation="", updated_at=timezone.now())
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
