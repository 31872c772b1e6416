"""No glossary abbreviation of fewer than two letters or digits: the demo's "p" (p value)
was marked wherever a lone p stood ("(p. 12)", a list marker). Such abbreviations are
emptied (the term itself is still explained), and the posts that marked one are
re-rendered so their stored HTML no longer does."""

import re

from django.db import migrations
from django.utils import timezone

_WORD = re.compile(r"\w+")


def _too_short(abbreviation):
    return sum(len(word) for word in _WORD.findall(abbreviation)) < 2


def forwards(apps, schema_editor):
    Term = apps.get_model("glossary", "Term")
    Post = apps.get_model("blog", "Post")
    short = [t for t in Term.objects.exclude(abbreviation="") if _too_short(t.abbreviation)]
    if not short:
        return
    Term.objects.filter(pk__in=[t.pk for t in short]).update(
        abbreviation="", updated_at=timezone.now()
    )
    marked = [f'id="used-{t.slug}-abbr"' for t in short]
    from blog import markup

    for post in Post.objects.only("pk", "body", "body_html").iterator():
        if any(mark in post.body_html for mark in marked):
            Post.objects.filter(pk=post.pk).update(body_html=markup.render_post_body(post.body))


class Migration(migrations.Migration):
    dependencies = [("glossary", "0002_role_permissions"), ("blog", "0005_plain_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
