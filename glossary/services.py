"""The only writers of glossary terms, and the matcher built from them.

A change re-renders the posts whose body may use the old or the new words (a task queued
when the transaction commits: glossary.tasks), so stored ``body_html`` marks what the
glossary now says.
"""

import threading

from django.db import transaction
from django.db.models import Count, Max, Q

from blog import markup
from blog.derived_html import rerender
from blog.models import Post
from glossary import tasks
from glossary.marking import Entry, Matcher, mark_first_uses
from glossary.models import Term
from outbox.services import task_enqueue_after_commit

_cache = threading.local()


def glossary_version():
    """Changes whenever a term is added, changed or deleted (one query)."""
    found = Term.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return (found["n"], found["last"], found["top"])


def current_matcher():
    """The matcher for the glossary as it is now: built once per version."""
    version = glossary_version()
    cached = getattr(_cache, "matcher", None)
    if cached is None or cached[0] != version:
        entries = [
            Entry(slug=t.slug, term=t.term, abbreviation=t.abbreviation, explanation=t.explanation)
            for t in Term.objects.order_by("pk")
        ]
        cached = _cache.matcher = (version, Matcher(entries))
    return cached[1]


def mark_post_body(html):
    """The post-body hook (blog.post_html_hooks): mark first uses of glossary terms."""
    return mark_first_uses(html, current_matcher())


def _phrases(term):
    return [p for p in (term.term, term.abbreviation) if p]


def glossary_posts_rerender(*, phrases=None):
    """Re-render the posts whose body contains one of ``phrases`` (every post when None,
    or when a phrase has letters SQLite would compare case-sensitively); returns how many
    changed."""
    posts = Post.objects.all()
    if phrases is not None:
        if not phrases:
            return 0
        if all(p.isascii() for p in phrases):
            query = Q()
            for phrase in phrases:
                query |= Q(body__icontains=phrase)
            posts = posts.filter(query)
    return rerender(posts, render=markup.render_post_body)


def term_save(*, term):
    """Validate and save ``term``; affected posts are re-rendered after commit."""
    before = _phrases(Term.objects.get(pk=term.pk)) if term.pk else []
    with transaction.atomic():
        term.full_clean()
        term.save()
        phrases = [*before, *_phrases(term)]
        task_enqueue_after_commit(tasks.posts_rerender, phrases=phrases)
    return term


def term_delete(*, term):
    phrases = _phrases(term)
    with transaction.atomic():
        term.delete()
        task_enqueue_after_commit(tasks.posts_rerender, phrases=phrases)
