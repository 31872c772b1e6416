"""Builders for the benchmark's content: many posts, long comment threads, fast.

Rows go in with ``bulk_create`` (no per-row save, no signals), but every derived field is
computed the way the application computes it: ``body_html`` through ``blog.markup``,
``thread_path``/``depth`` as ``Comment.save`` writes them, ``Post.comment_count`` as the
approved count. Text is deterministic (seeded), so runs are comparable.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from blog import markup
from blog.models import Disclosure, Post
from comments.models import THREAD_PATH_DIGITS, Comment

AUTHOR_USERNAME = "bench-author"
LABEL_SLUG = "neurology"
LABELS = ("neurology", "cardiology", "oncology", "statistics", "methods", "regulation")
SUBMISSION_POST_SLUG = "bench-submissions"
REPLIES_PER_THREAD = 4

_SENTENCES = (
    "The primary endpoint was the annualised relapse rate, which fell by roughly half.",
    "I would like to see the per-protocol analysis next to the intention-to-treat one.",
    "Dropout was uneven between arms, and the sensitivity analysis does not quite settle it.",
    "The comparator was given at a dose few neurologists would choose today.",
    "Were the MRI readers really blinded, given how distinctive the infusion reactions were?",
    "Absolute risk differences would make the table far easier to read for patients.",
    "The confidence interval for disability progression crosses one, so caution is due.",
    "Our unit saw similar adverse event rates in routine practice over three years.",
    "Funding and analysis by the sponsor is declared, which is more than many papers do.",
    "A longer follow-up is needed before anyone talks about a cure.",
    "The subgroup result looks like a chance finding: twelve subgroups, one significant.",
    "Thyroid autoimmunity appeared late, so monitoring must go on for years.",
    "The number needed to treat is worth stating plainly in the summary.",
    "Patients in our clinic ask about this trial every week, so thank you for the write-up.",
    "Randomisation was stratified by site, which matters for a trial of this size.",
)
_EXTRAS = (
    "See [the registry entry](https://clinicaltrials.gov/study/NCT00548405) for the protocol.",
    "The full paper is doi:10.1016/S0140-6736(12)61768-1 and worth the time.",
    "There is a good discussion on [the journal's site](https://www.thelancet.com/) too.",
)
_NAMES = (
    "Ana Ruiz",
    "Ben Okafor",
    "Chloé Martin",
    "Dev Patel",
    "Eva Lindqvist",
    "Farid Haddad",
    "Grace O'Neill",
    "Hiro Tanaka",
    "Ines Costa",
    "Jonas Weber",
    "Kemi Adeyemi",
    "Liu Yang",
)

POST_BODY = """The trial randomised 840 people with relapsing-remitting multiple sclerosis who
had relapsed on first-line treatment, comparing alemtuzumab with interferon beta-1a.

## What was measured

The co-primary endpoints were the **relapse rate** and *sustained accumulation of
disability*. Relapses fell by 49%; the disability result was less clear-cut.

> Secondary endpoints favoured alemtuzumab, but the trial was rater-masked rather than
> double-blind, which matters for outcomes that rely on judgement.

## Safety

- infusion-associated reactions in 90% of participants;
- thyroid disorders in about one in six over two years;
- immune thrombocytopenia in 1%, with one death in the earlier phase 2 study.

The paper is doi:10.1016/S0140-6736(12)61768-1 and the registration NCT00548405.
"""


def comment_body(rng):
    """About 300 characters of Markdown: plain sentences, now and then emphasis or a link."""
    pool = rng.sample(_SENTENCES, len(_SENTENCES))
    sentences = [pool.pop(), pool.pop()]
    while pool and len(" ".join(sentences)) < 245:  # about 300 characters (issue 5)
        sentences.append(pool.pop())
    if rng.random() < 0.3:
        sentences[0] = f"*{sentences[0]}*"
    if rng.random() < 0.15:
        sentences[1] = f"**{sentences[1]}**"
    if rng.random() < 0.2:
        sentences[-1] = rng.choice(_EXTRAS)
    body = " ".join(sentences)
    if rng.random() < 0.1:
        body = "> " + sentences[0] + "\n\n" + " ".join(sentences[1:])
    return body


def bench_author():
    user, _ = get_user_model().objects.get_or_create(
        username=AUTHOR_USERNAME,
        defaults={
            "first_name": "Wren",
            "last_name": "Ashdown",
            "email": "author@example.org",
            "is_staff": True,
        },
    )
    return user


def _reset_sequences(*models):
    """After inserting explicit ids, PostgreSQL's sequences must catch up (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@transaction.atomic
def build_posts(count, *, slug_prefix="bench-post", now=None):
    """``count`` published posts, one an hour back from now, each with a disclosure and
    two labels (every sixth carries LABEL_SLUG). Returns them newest first."""
    now = now or timezone.now()
    author = bench_author()
    body_html = markup.render_post(POST_BODY)
    posts = Post.objects.bulk_create(
        Post(
            title=f"Alemtuzumab versus interferon beta-1a, reading {n}",
            slug=f"{slug_prefix}-{n}",
            author=author,
            summary="A rater-masked phase 3 trial: fewer relapses, more autoimmunity.",
            body=POST_BODY,
            body_html=body_html,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
            source_title="Alemtuzumab versus interferon beta 1a as first-line treatment",
            source_journal="The Lancet",
            doi="10.1016/S0140-6736(12)61768-1",
            trial_registration="NCT00548405",
        )
        for n in range(count)
    )
    Disclosure.objects.bulk_create(
        Disclosure(
            post=post,
            person="Wren Ashdown",
            relationship=Disclosure.Relationship.NONE,
            statement="I have nothing to disclose.",
        )
        for post in posts
    )
    tags = {
        slug: Tag.objects.get_or_create(slug=slug, defaults={"name": slug.capitalize()})[0]
        for slug in LABELS
    }
    post_type = ContentType.objects.get_for_model(Post)
    TaggedItem.objects.bulk_create(
        TaggedItem(tag=tags[slug], content_type=post_type, object_id=post.pk)
        for n, post in enumerate(posts)
        for slug in {LABELS[n % 6], LABELS[(n + 1) % 6]}
    )
    return posts


def build_post(*, slug, title="A write-up with a long discussion"):
    """One published post (with its disclosure and a label), e.g. the one comments go to."""
    post = build_posts(1, slug_prefix=slug)[0]
    Post.objects.filter(pk=post.pk).update(slug=slug, title=title)
    post.slug, post.title = slug, title
    return post


@transaction.atomic
def build_comments(post, count, *, seed=0):
    """``count`` approved comments on ``post``: threads of a top-level comment and four
    replies (reply, reply to the reply, reply, reply to that), as the form would file them.
    Returns the total bytes of the comments' Markdown text."""
    rng = random.Random(seed)
    next_id = (Comment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    comments = []
    # Within a thread: index -> index of the parent (None: top level).
    shape = (None, 0, 1, 0, 3)
    thread = []
    for n in range(count):
        position = n % (REPLIES_PER_THREAD + 1)
        if position == 0:
            thread = []
        parent = thread[shape[position]] if shape[position] is not None else None
        body = comment_body(rng)
        name = rng.choice(_NAMES)
        comment = Comment(
            pk=next_id + n,
            post=post,
            parent_id=parent.pk if parent else None,
            depth=parent.depth + 1 if parent else 0,
            name=name,
            email=f"reader{n}@example.org",
            website=f"https://example.org/~reader{n}" if rng.random() < 0.25 else "",
            body=body,
            body_html=markup.render_comment(body),
            competing_interests="None declared",
            status=Comment.Status.APPROVED,
            status_reason="bench",
            ip_address="127.0.0.1",
            user_agent="bench",
        )
        prefix = parent.thread_path if parent else ""
        comment.thread_path = f"{prefix}{comment.pk:0{THREAD_PATH_DIGITS}d}/"
        thread.append(comment)
        comments.append(comment)
    Comment.objects.bulk_create(comments, batch_size=500)
    _reset_sequences(Comment)
    Post.objects.filter(pk=post.pk).update(
        comment_count=Comment.objects.approved().filter(post=post).count()
    )
    post.comment_count = count
    return sum(len(c.body.encode()) for c in comments)
