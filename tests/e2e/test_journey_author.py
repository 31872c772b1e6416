"""Journey 5: an author writes a post in the admin, is stopped from publishing it without a
disclosure, previews the draft, publishes it, and finds it first on the home page, on its
label page and in the Atom feed."""

import re

import feedparser
import pytest
from django.urls import reverse

from blog.models import Post
from tests.e2e.helpers import admin_login

pytestmark = pytest.mark.e2e

TITLE = "OPERA I and II: ocrelizumab against interferon"
LABEL = "ocrelizumab"
DISCLOSURE_ERROR = re.compile(r"disclosure", re.I)


def save(page, button):
    with page.expect_navigation():
        page.locator(f"input[name={button}]").first.click()


def test_author_writes_previews_and_publishes_a_post(new_context, care_ms_post, an_author_account):
    author = new_context().new_page()
    admin_login(author, an_author_account)
    author.goto(reverse("admin:blog_post_add"))
    author.get_by_label(re.compile(r"^Title:?$")).press_sequentially(TITLE)
    slug = author.get_by_label("Slug").input_value()
    assert slug == "opera-i-and-ii-ocrelizumab-against-interferon", "slug not prefilled"
    author.get_by_label("Summary").fill("Two phase 3 trials, read closely.")
    author.get_by_label("Body").fill(
        "Ocrelizumab reduced relapses by *almost half*. See [the paper](https://example.org/opera)."
    )
    author.get_by_label("Labels").fill(f"{LABEL}, multiple sclerosis")
    author.get_by_label("Status").select_option(label="Published")
    save(author, "_continue")

    errors = author.locator(".errornote, .errorlist").all_inner_texts()
    assert any(DISCLOSURE_ERROR.search(text) for text in errors), errors
    assert not Post.objects.filter(title=TITLE).exists()

    author.get_by_label("Status").select_option(label="Draft")
    author.locator("select[name=disclosures-0-relationship]").select_option(
        label="Nothing to disclose"
    )
    author.locator("[name=disclosures-0-person]").fill("Edith Author")
    author.locator("[name=disclosures-0-statement]").fill("I have nothing to disclose.")
    save(author, "_continue")
    assert author.locator(".errornote").count() == 0, author.locator(".errornote").inner_text()
    post = Post.objects.get(title=TITLE)
    assert post.status == Post.Status.DRAFT

    with author.expect_navigation():
        author.get_by_role("link", name=re.compile("view on site", re.I)).click()
    author.wait_for_load_state()
    assert author.url.endswith(post.get_absolute_url())
    assert author.get_by_role("heading", level=1).inner_text().strip() == TITLE
    assert author.locator("em", has_text="almost half").is_visible()
    assert "I have nothing to disclose." in author.locator("main").inner_text()

    reader = new_context().new_page()
    response = reader.goto(post.get_absolute_url())
    assert response.status == 404, "a draft is visible to the public"

    author.goto(reverse("admin:blog_post_change", args=[post.pk]))
    author.get_by_label("Status").select_option(label="Published")
    save(author, "_save")
    message = author.locator(".messagelist").inner_text()
    assert re.search(r"changed successfully|was changed", message), message
    post.refresh_from_db()
    assert post.is_published

    reader.goto(reverse("blog:post_list"))
    first = reader.locator("main article").first
    assert TITLE in first.inner_text(), "the new post is not first on the home page"
    reader.goto(reverse("blog:label_detail", kwargs={"slug": LABEL}))
    assert reader.locator("main").get_by_role("link", name=TITLE).first.is_visible()
    reader.goto(post.get_absolute_url())
    assert reader.get_by_role("heading", level=1).inner_text().strip() == TITLE

    feed = feedparser.parse(reader.request.get(reverse("blog:feed_atom")).body())
    assert feed.entries and feed.entries[0].title == TITLE
    assert feed.entries[0].link.endswith(post.get_absolute_url())
