"""Labels and post addresses in any script: one slug rule, every page, feed and the sitemap.

A label such as "β-interferon" once made every page answer 500 (taggit makes Unicode slugs,
the URL pattern took ASCII only). The rule is ``blog.models.SLUG_PATTERN``, used by the URL
converter, the slug fields and the functions that make slugs.
"""

import importlib
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from taggit.models import Tag, TaggedItem

from blog.models import SLUG_PATTERN, Post, PostAddress, label_slug, labels_from_string
from tests.factories import make_post
from tests.strategies import any_script_text
from tests.test_admin_posts import ADD_URL, NOTHING, post_data

pytestmark = pytest.mark.django_db

HARD_NAMES = ["β-interferon", "Ménière's disease", "Sjögren syndrome", "中文", "🧠💊", "ǅ & <b>"]


def public_paths(post, labels):
    """Every public page that shows this post or its labels."""
    local = timezone.localtime(post.published_at)
    paths = [
        "/",
        post.get_absolute_url(),
        reverse("blog:label_list"),
        reverse("blog:archive_year", kwargs={"year": local.year}),
        reverse("blog:archive_month", kwargs={"year": local.year, "month": local.month}),
        reverse("blog:feed_atom"),
        reverse("blog:feed_rss"),
        reverse("blog:sitemap"),
    ]
    for label in labels:
        paths += [
            reverse("blog:label_detail", args=[label.slug]),
            reverse("blog:label_feed_atom", args=[label.slug]),
            reverse("blog:label_feed_rss", args=[label.slug]),
        ]
    return paths


def assert_escaped_once(html, text):
    assert escape(text) in html, text
    if escape(text) != text:
        assert escape(escape(text)) not in html, text


@pytest.mark.parametrize("name", HARD_NAMES)
def test_a_label_in_any_script_leaves_every_page_working(client, an_author, name):
    post = make_post(author=an_author, title="Interferon write-up", labels=[name, "trials"])
    labels = list(post.tags.all())

    for path in public_paths(post, labels):
        response = client.get(path)
        assert response.status_code == 200, path
        if "feeds" not in path and "sitemap" not in path:
            assert "Interferon write-up" in response.content.decode() or path.startswith("/labels/")
    label_page = client.get(reverse("blog:label_detail", args=[post.tags.get(name=name).slug]))
    assert_escaped_once(label_page.content.decode(), name)
    assert "Interferon write-up" in label_page.content.decode()


def test_label_slugs_follow_the_one_rule():
    assert label_slug("β-interferon") == "β-interferon"
    assert label_slug("Ménière's disease") == "ménières-disease"
    assert label_slug("中文") == "中文"
    assert label_slug("🧠💊") == "label"
    for name in HARD_NAMES:
        assert re.fullmatch(SLUG_PATTERN, label_slug(name))


def test_one_rule_for_addresses_fields_and_validators():
    from django.core.validators import slug_unicode_re

    from blog.urls import SlugConverter

    assert SlugConverter.regex == SLUG_PATTERN
    assert slug_unicode_re.pattern == rf"^{SLUG_PATTERN}\Z"
    for model, field in [(Post, "slug"), (Tag, "slug")]:
        assert model._meta.get_field(field).allow_unicode


def test_a_label_address_is_percent_encoded_and_resolves_back():
    path = reverse("blog:label_detail", args=["β-interferon"])
    assert path == "/labels/%CE%B2-interferon/"
    assert resolve("/labels/β-interferon/").kwargs == {"slug": "β-interferon"}


def test_emoji_only_labels_get_distinct_working_addresses(client, an_author):
    post = make_post(author=an_author, labels=["🧠💊", "💉"])
    slugs = sorted(post.tags.values_list("slug", flat=True))
    assert slugs == ["label", "label-2"]
    for slug in slugs:
        assert client.get(reverse("blog:label_detail", args=[slug])).status_code == 200


def test_labels_differing_only_in_case_are_one_label(an_author):
    first = make_post(author=an_author, labels=["MS"])
    second = make_post(author=an_author, labels=["ms"])
    second.tags.add("Ms", "mS")
    assert Tag.objects.count() == 1
    assert first.tags.get() == second.tags.get()
    assert second.tags.get().name == "MS"


def test_labels_differing_only_in_case_in_any_script_are_one_label(an_author):
    make_post(author=an_author, labels=["Ménière's disease", "Σκλήρυνση"])
    again = make_post(author=an_author, labels=["MÉNIÈRE'S DISEASE", "σκλήρυνση"])
    assert Tag.objects.count() == 2
    assert sorted(again.tags.names()) == ["Ménière's disease", "Σκλήρυνση"]


def test_the_sitemap_lists_labels_and_posts_in_any_script(client, an_author, settings):
    settings.SITE_URL = "https://trialpress.example"
    post = make_post(author=an_author, slug="σκλήρυνση", labels=["β-interferon"])
    root = ET.fromstring(client.get(reverse("blog:sitemap")).content)
    locs = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "https://trialpress.example/labels/%CE%B2-interferon/" in locs
    assert f"https://trialpress.example{post.get_absolute_url()}" in locs
    assert all(loc.isascii() for loc in locs)


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_label_feed_in_any_script_links_to_its_page(client, an_author, kind, settings):
    settings.SITE_URL = "https://trialpress.example"
    make_post(author=an_author, title="Σκλήρυνση", slug="σκλήρυνση", labels=["中文 & <i>"])
    slug = Tag.objects.get().slug
    response = client.get(reverse(f"blog:label_feed_{kind}", args=[slug]))
    root = ET.fromstring(response.content)
    titles = [el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "title"]
    assert "Trialpress: 中文 & <i>" in titles
    assert "Σκλήρυνση" in titles
    assert slug == "中文-i"
    assert "/labels/%E4%B8%AD%E6%96%87-i/" in response.content.decode()
    assert "/%CF%83%CE%BA%CE%BB%CE%AE%CF%81%CF%85%CE%BD%CF%83%CE%B7/" in (response.content.decode())


# --- the data migration -----------------------------------------------------------------


def test_the_migration_merges_case_twins_and_mends_empty_slugs(an_author):
    migration = importlib.import_module("blog.migrations.0003_labels_one_rule")
    upper = Tag.objects.create(name="MS", slug="ms")
    lower = Tag.objects.create(name="ms", slug="ms_1")
    emoji = Tag.objects.create(name="🧠", slug="")
    both = make_post(author=an_author)
    only_lower = make_post(author=an_author)
    post_type = ContentType.objects.get_for_model(Post)
    for post, tags in [(both, [upper, lower, emoji]), (only_lower, [lower])]:
        for tag in tags:
            TaggedItem.objects.create(tag=tag, content_type=post_type, object_id=post.pk)

    migration.merge_and_reslug(apps, None)

    assert list(Tag.objects.values_list("name", "slug").order_by("pk")) == [
        ("MS", "ms"),
        ("🧠", "label"),
    ]
    assert sorted(both.tags.names()) == ["MS", "🧠"]
    assert list(only_lower.tags.names()) == ["MS"]


# --- everything an author types, through the admin, on every page -----------------------

label_lists = st.lists(any_script_text(max_size=30), min_size=1, max_size=3).map(", ".join)


@given(title=any_script_text(), slug=any_script_text(), labels=label_lists)
def test_any_title_slug_and_labels_from_the_admin_work_on_every_page(
    client, a_superuser, title, slug, labels
):
    client.force_login(a_superuser)
    try:
        when = timezone.now() - timedelta(hours=1)
        data = post_data(
            title=title, slug=slug, tags=labels, disclosures=[NOTHING], published_at=when
        )
        response = client.post(ADD_URL, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        post = Post.objects.get()
        assert post.title == title.strip()
        assert re.fullmatch(SLUG_PATTERN, post.slug)
        names = labels_from_string(labels)
        assert sorted(post.tags.names(), key=str.casefold) == sorted(names, key=str.casefold)
        client.logout()

        tags = list(post.tags.all())
        for path in public_paths(post, tags):
            response = client.get(path)
            assert response.status_code == 200, path
        for page in ("/", post.get_absolute_url()):
            assert_escaped_once(client.get(page).content.decode(), post.title)
        for tag in tags:
            html = client.get(reverse("blog:label_detail", args=[tag.slug])).content.decode()
            assert_escaped_once(html, tag.name)
            assert_escaped_once(html, post.title)
            feed = ET.fromstring(
                client.get(reverse("blog:label_feed_atom", args=[tag.slug])).content
            )
            titles = [el.text for el in feed.iter("{http://www.w3.org/2005/Atom}title")]
            assert f"Trialpress: {tag.name}" in titles
            assert post.title in titles
    finally:
        PostAddress.objects.all().delete()
        Post.objects.all().delete()
        Tag.objects.all().delete()
        for each in caches.all():
            each.clear()


def test_a_label_page_for_an_unknown_script_slug_is_not_found(client, an_author):
    make_post(author=an_author, labels=["β-interferon"])
    assert client.get("/labels/γ-interferon/").status_code == 404
    assert client.get("/labels/%CE%B2-interferon/").status_code == 200
