"""Everything an author types in the admin, in any script, reaches every page exactly once.

Each example signs in as an Author or an Editor, opens the real "add post" page, fills in
every field a person types (the form's own hidden fields and initial values kept, as a
browser sends them), saves, and then walks the whole public site (tests/site_walk.py):
every page answers 200, every feed parses, each typed value is found decoded on the pages
that show it, and nothing anywhere is escaped twice.
"""

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from hypothesis import Phase, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.utils import parse_tags

from blog.line_endings import normalise_line_endings
from blog.metadata import citation_authors
from blog.models import Post
from tests.factories import make_post, make_user
from tests.site_walk import (
    answered_with_error,
    escaped_twice_problems,
    feed_problems,
    form_errors,
    form_values,
    fresh_example,
    pages_showing,
    read_html,
    walk_site,
)
from tests.strategies import SAMPLES, any_script_paragraphs, any_script_text

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_post_add")
_slugs = itertools.count(1)
# No "explain" phase: on a failure it re-runs every example under a tracer, minutes per test.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
HARD = "p<0·001 & n=202 \"quoted\" 'single'"
RTL = "\u202eevil\u202c zero\u200bwidth \u05d8\u05e8\u05e9\u05ea"
CJK = "多发性硬化 🧠💊"


def as_browser_sends(text):
    """A browser sends a textarea's line breaks as CRLF."""
    return text.replace("\n", "\r\n")


def every_field(value, **overrides):
    """A typed post with ``value`` in every field (explicit examples)."""
    typed = {
        "title": value,
        "summary": value,
        "body": f"{value}\n\n{value}",
        "labels": [value],
        "person": value,
        "relationship": "consultancy",
        "organisations": value,
        "statement": f"{value}\n{value}",
        "source_citation": value,
        "source_title": value,
        "source_authors": f"{value}; {value} et al.",
        "source_journal": value,
        "doi": f"10.1000/{value}",
        "trial_registration": value,
    }
    return {**typed, **overrides}


def label_text():
    """One label as typed: no comma (the separator) and no double quote (taggit's quoting)."""
    return any_script_text(max_size=30).filter(lambda s: "," not in s and '"' not in s)


@st.composite
def typed_posts(draw):
    """Every field of the post form a person types, in any script; optional ones sometimes
    left empty (an empty summary makes the description come from the body)."""
    optional = st.one_of(st.just(""), any_script_text(max_size=60))
    relationship = draw(st.sampled_from(["none", "consultancy", "research_funding"]))
    return {
        "title": draw(any_script_text(max_size=80)),
        "summary": draw(optional),
        "body": draw(any_script_paragraphs()),
        "labels": draw(st.lists(label_text(), min_size=1, max_size=3)),
        "person": draw(any_script_text(max_size=60)),
        "relationship": relationship,
        "organisations": draw(optional if relationship == "none" else any_script_text(max_size=60)),
        "statement": draw(st.one_of(st.just(""), any_script_paragraphs(max_size=200))),
        "source_citation": draw(optional),
        "source_title": draw(any_script_text(max_size=80)),
        "source_authors": "; ".join(draw(st.lists(any_script_text(max_size=30), max_size=3))),
        "source_journal": draw(optional),
        "doi": draw(st.one_of(st.just(""), any_script_text(max_size=40).map("10.1000/{}".format))),
        "trial_registration": draw(optional),
    }


def signed_in(client, role):
    user = make_user(username=f"{role.lower()}-{next(_slugs)}", staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def fill_in_add_form(client, typed, *, slug):
    """The add page's form as the browser has it, with the person's typing in it."""
    page = client.get(ADD_URL)
    assert page.status_code == 200
    data = form_values(page.content.decode(), "post_form")
    when = timezone.localtime(timezone.now() - timedelta(hours=1))
    data.update(
        {
            "title": typed["title"],
            "slug": slug,
            "summary": typed["summary"],
            "body": as_browser_sends(typed["body"]),
            # A trailing comma: taggit splits on commas, never on spaces, when there is one.
            "tags": ", ".join(typed["labels"]) + ",",
            "status": "published",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
            "source_citation": typed["source_citation"],
            "source_title": typed["source_title"],
            "source_authors": typed["source_authors"],
            "source_journal": typed["source_journal"],
            "doi": typed["doi"],
            "trial_registration": typed["trial_registration"],
            "disclosures-0-person": typed["person"],
            "disclosures-0-relationship": typed["relationship"],
            "disclosures-0-organisations": typed["organisations"],
            "disclosures-0-statement": as_browser_sends(typed["statement"]),
            "_save": "Save",
        }
    )
    return data


def stored_as_typed(post, typed):
    """Nothing lost on the way in: every field is stored as typed (less outer spaces)."""
    for name in (
        "title",
        "summary",
        "source_citation",
        "source_title",
        "source_authors",
        "source_journal",
        "doi",
        "trial_registration",
    ):
        assert getattr(post, name) == normalise_line_endings(typed[name]).strip(), name
    # Textareas: the browser sends CRLF; stored with \n (blog.line_endings), less outer
    # whitespace.
    assert post.body == normalise_line_endings(as_browser_sends(typed["body"])).strip()
    disclosure = post.disclosures.get()
    assert disclosure.person == normalise_line_endings(typed["person"]).strip()
    assert disclosure.organisations == normalise_line_endings(typed["organisations"]).strip()
    assert (
        disclosure.statement == normalise_line_endings(as_browser_sends(typed["statement"])).strip()
    )


def values_shown_on_the_post_page(post, typed):
    """(value, where it must be found) for everything the post page shows."""
    detail = post.get_absolute_url()
    disclosure = post.disclosures.get()
    shown = [
        (post.title, {detail, "/", "/feeds/atom/", "/feeds/rss/"}),
        (disclosure.person, {detail, "/feeds/atom/", "/feeds/rss/"}),
    ]
    if post.summary:
        shown.append((post.summary, {detail, "/", "/feeds/atom/", "/feeds/rss/"}))
    if disclosure.organisations:
        shown.append((disclosure.organisations, {detail, "/feeds/atom/"}))
    for line in disclosure.statement.splitlines():
        if line.strip():
            shown.append((line, {detail, "/feeds/atom/"}))
    for name in ("source_citation", "source_title", "source_journal", "doi", "trial_registration"):
        if getattr(post, name):
            shown.append((getattr(post, name), {detail}))
    for name in citation_authors(post):  # what every place shows ("et al." cut)
        shown.append((name, {detail}))
    for label in post.tags.all():
        shown.append((label.name, {detail, "/labels/"}))
    for line in post.body.splitlines():
        if line in SAMPLES:  # a hand-picked hard word on a line of its own: shown as typed
            shown.append((line, {detail}))
    return shown


@hypothesis_settings(max_examples=10, phases=PHASES)
@given(typed=typed_posts(), role=st.sampled_from(["Authors", "Editors"]))
@example(typed=every_field(HARD), role="Authors")
@example(typed=every_field(HARD, summary="", labels=["trial"]), role="Editors")
@example(typed=every_field(RTL), role="Authors")
@example(typed=every_field("Plain", labels=["???", "Trial", "trial"]), role="Editors")
@example(typed=every_field(CJK, labels=["多发性硬化", "🧠💊", "Ménière"]), role="Authors")
def test_every_field_an_author_types_reaches_every_page_exactly_once(client, typed, role):
    with fresh_example():
        signed_in(client, role)
        slug = f"typed-{next(_slugs)}"
        response = client.post(ADD_URL, fill_in_add_form(client, typed, slug=slug))
        assert response.status_code == 302, form_errors(response.content.decode())
        post = Post.objects.get(slug=slug)
        stored_as_typed(post, typed)
        assert sorted(post.tags.names()) == sorted(parse_tags(", ".join(typed["labels"]) + ","))

        for url in (
            reverse("admin:blog_post_changelist"),
            reverse("admin:blog_post_change", args=[post.pk]),
        ):
            page = client.get(url)
            assert page.status_code == 200, url
            assert any(post.title in s for s in read_html(page.content.decode()).strings), url

        client.logout()
        walk = walk_site(client)
        assert answered_with_error(walk) == []
        assert walk.failures() == []
        assert [p for page in walk.of_kind("atom", "rss") if (p := feed_problems(page))] == []
        for value, where in values_shown_on_the_post_page(post, typed):
            missing = where - set(pages_showing(walk, value))
            assert not missing, f"{value!r} not shown on {sorted(missing)}"
        typed_values = [v for v in typed.values() if isinstance(v, str)] + typed["labels"]
        assert escaped_twice_problems(walk, typed_values) == []


@hypothesis_settings(max_examples=15, phases=PHASES)
@given(slug=any_script_text(max_size=40), title=any_script_text(max_size=60))
def test_a_slug_typed_in_any_script_is_taken_or_refused_with_a_message(
    client, an_author, slug, title
):
    """The slug (or, left empty, the title it is made from) either gives the post a working
    address or a message beside the field; never a 500, never a post without an address."""
    typed = {
        "title": title,
        "summary": "",
        "body": "A body.",
        "labels": ["neurology"],
        "person": "Wren Ashdown",
        "relationship": "none",
        "organisations": "",
        "statement": "",
        "source_citation": "",
        "source_title": "",
        "source_authors": "",
        "source_journal": "",
        "doi": "",
        "trial_registration": "",
    }
    for typed_slug in (slug, ""):
        with fresh_example():
            client.force_login(an_author)
            response = client.post(ADD_URL, fill_in_add_form(client, typed, slug=typed_slug))
            if response.status_code == 200:
                assert form_errors(response.content.decode()), "refused without a message"
                assert not Post.objects.exists()
                continue
            assert response.status_code == 302
            post = Post.objects.get()
            client.logout()
            page = client.get(post.get_absolute_url())
            assert page.status_code == 200
            assert pages_showing(walk_site(client, follow_links=False), title.strip())


@hypothesis_settings(max_examples=10, phases=PHASES)
@given(first=any_script_text(max_size=40), last=any_script_text(max_size=40))
def test_the_names_typed_for_a_user_are_shown_on_their_posts_exactly_once(
    client, a_superuser, an_author, first, last
):
    """A superuser types the author's first and last names on the admin's user page; the
    byline, the feeds, Open Graph and JSON-LD then show them, escaped once."""
    with fresh_example():
        post = make_post(author=an_author, title="A write-up", labels=["neurology"])
        client.force_login(a_superuser)
        change = reverse("admin:auth_user_change", args=[an_author.pk])
        data = form_values(client.get(change).content.decode(), "user_form")
        data.update({"first_name": first, "last_name": last, "_save": "Save"})
        response = client.post(change, data)
        assert response.status_code == 302, form_errors(response.content.decode())
        an_author.refresh_from_db()
        assert (an_author.first_name, an_author.last_name) == (first.strip(), last.strip())

        client.logout()
        walk = walk_site(client)
        assert answered_with_error(walk) == []
        assert walk.failures() == []
        full_name = an_author.get_full_name()
        missing = {post.get_absolute_url(), "/", "/feeds/atom/", "/feeds/rss/"} - set(
            pages_showing(walk, full_name)
        )
        assert not missing, f"{full_name!r} not shown on {sorted(missing)}"
        assert escaped_twice_problems(walk, [first, last, full_name]) == []


def typed_date(day):
    """A date as typed in the admin's date box (four-digit year, as the widget shows it)."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


@hypothesis_settings(max_examples=10, phases=PHASES)
@given(
    published=st.one_of(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(2025, 12, 31)),
        st.datetimes(min_value=datetime(1899, 12, 31), max_value=datetime(2025, 12, 31)),
    ).map(lambda moment: moment.replace(microsecond=0)),  # the admin's time box has seconds
    article_date=st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))),
)
@example(published=datetime(999, 12, 31, 23, 59, 59), article_date=date(999, 1, 1))
@example(published=datetime(1, 1, 2, 0, 0, 0), article_date=date(9999, 12, 31))
@example(published=datetime(1000, 1, 1, 0, 0, 0), article_date=date(1, 1, 1))
@example(published=datetime(1900, 1, 1, 0, 0, 0), article_date=date(1899, 12, 31))
@example(published=datetime(1899, 12, 31, 23, 59, 59), article_date=None)
def test_any_past_publish_date_and_article_date_give_working_pages(
    client, an_author, published, article_date
):
    """A post backdated to any past date (an old paper written up, a blog imported) and any
    article date: either refused with a message about the date, or every page answers and
    the post is on its archive pages."""
    typed = every_field("Backdated", labels=["history"])
    with fresh_example():
        client.force_login(an_author)
        data = fill_in_add_form(client, typed, slug="backdated")
        data.update(
            {
                "published_at_0": typed_date(published),
                "published_at_1": published.strftime("%H:%M:%S"),
                "source_date": typed_date(article_date) if article_date else "",
            }
        )
        response = client.post(ADD_URL, data)
        if response.status_code == 200:  # a date the site does not take: say so, keep nothing
            errors = form_errors(response.content.decode())
            assert any("date" in error for error in errors), errors
            assert not Post.objects.exists()
            event(f"refused: {errors[-1]}")
            return
        assert response.status_code == 302
        post = Post.objects.get()
        assert timezone.localtime(post.published_at).replace(tzinfo=None) == published
        assert post.source_date == article_date

        client.logout()
        walk = walk_site(client)
        assert answered_with_error(walk) == []
        assert walk.failures() == []
        assert [p for page in walk.of_kind("atom", "rss") if (p := feed_problems(page))] == []
        local = timezone.localtime(post.published_at)
        for archive in (f"/{local.year:04d}/", f"/{local.year:04d}/{local.month:02d}/"):
            assert archive in walk.pages and post.title in walk[archive].text, archive
        assert post.get_absolute_url() in walk.pages


@hypothesis_settings(max_examples=8, phases=PHASES)
@given(typed=typed_posts())
@example(typed=every_field(HARD))
@example(typed=every_field(RTL, body="\n\n    indented code\n\n", statement="\n  two\n\nlines  "))
def test_saving_the_change_page_as_shown_changes_nothing(client, typed):
    """An editor opens a post and saves without typing: every value comes back as stored
    (the form shows each one exactly, textareas and their line breaks included)."""
    with fresh_example():
        signed_in(client, "Editors")
        slug = f"round-trip-{next(_slugs)}"
        response = client.post(ADD_URL, fill_in_add_form(client, typed, slug=slug))
        assert response.status_code == 302, form_errors(response.content.decode())
        post = Post.objects.get(slug=slug)
        before = Post.objects.filter(pk=post.pk).values().get()
        disclosures_before = list(post.disclosures.values("person", "organisations", "statement"))
        labels_before = sorted(post.tags.names())

        change = reverse("admin:blog_post_change", args=[post.pk])
        data = form_values(client.get(change).content.decode(), "post_form")
        data["_save"] = "Save"
        response = client.post(change, data)
        assert response.status_code == 302, form_errors(response.content.decode())
        after = Post.objects.filter(pk=post.pk).values().get()
        for name, value in before.items():
            if name != "updated_at":
                assert after[name] == value, name
        assert list(post.disclosures.values("person", "organisations", "statement")) == (
            disclosures_before
        )
        assert sorted(post.tags.names()) == labels_before
