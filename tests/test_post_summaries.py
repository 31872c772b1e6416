"""Post summaries and bylines are built in one pass in Python (blog.rendering), with the same
links, text, dates and aria attributes the templates gave, every value escaped once."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.models import Post
from blog.rendering import summaries_html
from tests.factories import make_post, make_user
from tests.strategies import any_script_text

pytestmark = pytest.mark.django_db

# The templates as they were before blog.rendering: what readers saw must not change.
OLD_BYLINE = (
    '{% load author_tags blog_tags tz %}<p class="byline">By {% author_link post.author %}\n'
    "  on <time datetime=\"{{ post.published_at|utc|date:'Y-m-d\\TH:i:s\\Z' }}\">"
    '{{ post.published_at|date:"j F Y" }}</time>{% if post.announced_at %}<span class="updated">'
    '. Updated <a href="#corrections"><time datetime="'
    '{{ post.announced_at|utc|date:\'Y-m-d\\TH:i:s\\Z\' }}">{{ post.announced_at|date:"j F Y" }}'
    "</time></a></span>{% endif %}</p>\n"
    "{% with labels=post.labels %}{% if labels %}\n"
    '<p class="labels"><span class="labels-title">Labels:</span>\n'
    '  {% for label in labels %}<a class="label" rel="tag" href="'
    "{% url 'blog:label_detail' slug=label.slug %}\">{{ label.name }}</a>"
    "{% if not forloop.last %}, {% endif %}{% endfor %}</p>\n{% endif %}{% endwith %}"
)
OLD_MARKER = (
    '{% if post.review_notice %}<p class="review-marker"><strong>May be out of date:</strong> '
    '{% if post.last_reviewed %}last reviewed in {{ post.last_reviewed|date:"F Y" }}; its next '
    'review is overdue.{% else %}written in {{ post.published_at|date:"Y" }} and not reviewed '
    "since.{% endif %}</p>\n{% endif %}"
)
OLD_SUMMARY = (
    '{% load blog_tags %}<article class="post-summary" '
    'aria-labelledby="post-{{ post.pk }}-title">\n'
    '  <h2 class="post-title" id="post-{{ post.pk }}-title"><a href="{{ post.get_absolute_url }}">'
    "{{ post.title }}</a></h2>\n  " + OLD_BYLINE + "\n  " + OLD_MARKER + "\n"
    '  {% if post.summary %}<p class="summary">{{ post.summary }}</p>{% endif %}\n'
    '  <p class="post-summary-footer">\n'
    '    <a href="{{ post.get_absolute_url }}">Read the post<span class="visually-hidden">: '
    "{{ post.title }}</span></a>\n"
    '    <span aria-hidden="true">·</span>\n'
    '    <a class="comment-count" href="{{ post.get_absolute_url }}#comments">'
    '{{ post.comment_count|comment_count_text }}<span class="visually-hidden"> on '
    "{{ post.title }}</span></a>\n  </p>\n</article>"
)


def squeezed(html):
    """Whitespace between tags and runs of it do not matter to a reader."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def old_summary(post, request):
    return Template(OLD_SUMMARY).render(Context({"post": post, "request": request}))


def listed(pk):
    return Post.objects.for_listing().get(pk=pk)


def request():
    return RequestFactory().get("/")


@given(
    title=any_script_text(max_size=80),
    summary=any_script_text(max_size=120),
    label=any_script_text(max_size=30),
    name=any_script_text(max_size=40),
    comments=st.sampled_from([0, 1, 2, 1234]),
    announced=st.booleans(),
)
@settings(max_examples=20)
def test_a_summary_is_what_the_templates_gave(title, summary, label, name, comments, announced):
    author = make_user(first_name=name, last_name="")
    post = make_post(author=author, title=title, summary=summary, labels=[label, "ms"])
    Post.objects.filter(pk=post.pk).update(
        comment_count=comments,
        announced_at=timezone.now() if announced else None,
    )
    post = listed(post.pk)
    req = request()
    assert squeezed(summaries_html([post], req)) == squeezed(old_summary(post, req))


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_dates_and_review_markers_are_what_the_templates_gave(zone):
    old = datetime(2019, 12, 31, 23, 30, tzinfo=UTC)
    posts = [
        make_post(published_at=old),
        make_post(published_at=old, last_reviewed=date(2020, 1, 15)),
        make_post(published_at=timezone.now() - timedelta(days=2)),
    ]
    with timezone.override(zone), override_settings(TIME_ZONE=zone):
        for post in posts:
            post = listed(post.pk)
            req = request()
            assert squeezed(summaries_html([post], req)) == squeezed(old_summary(post, req))
    assert "May be out of date" in summaries_html([listed(posts[0].pk)])


def test_hostile_text_is_escaped_once_on_the_home_page(client):
    author = make_user(first_name="<b>Eve</b>", last_name="& Co")
    make_post(
        author=author,
        title='<script>alert(1)</script> "p<0·001 & n=202"',
        summary="<img src=x onerror=alert(1)>",
        labels=["<i>label</i> & more"],
    )
    page = client.get("/").content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "<i>label</i>" not in page
    assert escape('<script>alert(1)</script> "p<0·001 & n=202"') in page
    assert escape("<img src=x onerror=alert(1)>") in page
    assert escape("<i>label</i> & more") in page
    assert escape("<b>Eve</b> & Co") in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page


def test_list_pages_render_summaries_without_a_template_per_post(client):
    for n in range(3):
        make_post(labels=["ms"], title=f"Post {n}")
    for address in ("/", "/labels/ms/"):
        response = client.get(address)
        used = [template.name for template in response.templates]
        assert "blog/_post_summary.html" not in used
        assert "blog/_byline.html" not in used
        page = response.content.decode()
        assert page.count('<article class="post-summary"') == 3
        assert page.count('rel="tag" href="/labels/ms/"') == 3


def test_the_author_page_and_search_still_show_summaries_and_bylines(client, an_author):
    post = make_post(author=an_author, title="Cladribine tablets", labels=["cladribine"])
    home = client.get("/").content.decode()
    assert f'href="{post.get_absolute_url()}">Cladribine tablets</a>' in home
    assert ">Wren Ashdown</span>" in home or ">Wren Ashdown</a>" in home


@pytest.mark.parametrize("address", ["/", "/labels/ms/", "/2020/", "/2020/05/"])
def test_list_pages_leave_the_post_text_in_the_database(client, address, an_author):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    moment = datetime(2020, 5, 4, 12, tzinfo=UTC)
    for n in range(3):
        make_post(author=an_author, labels=["ms"], published_at=moment, body=f"Long text {n}")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(address).content.decode()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"body_html"' not in sql and '"body"' not in sql
    assert "Long text" not in page
    assert page.count('<article class="post-summary"') == 3
