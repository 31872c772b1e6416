"""Search in a real browser: the header's box works without JavaScript, the results page and
the author page pass axe and the Nu HTML checker, and nothing scrolls sideways on a phone."""

import pytest
from django.urls import reverse

from authors.models import AuthorProfile
from tests.e2e.helpers import axe_violations, nu_errors

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def search_pages(post):
    profile = AuthorProfile.objects.get(user=post.author)
    search = reverse("search:search")
    return {
        "search form": search,
        "search results": f"{search}?q=alemtuzumab+interferon",
        "search without results": f"{search}?q=%22no+such+phrase%22",
        "search with some of the words": f"{search}?q=alemtuzumab+zebrafish",
        "search of symbols": f"{search}?q=%2A%2A%2A",
        "author page": profile.get_absolute_url(),
    }


def test_the_header_search_box_works_without_javascript(new_context, care_ms_post):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/")
    box = page.get_by_role("search", name="Site").get_by_label("Search posts")
    box.fill("MENIERE OR nct00548405")
    with page.expect_navigation():
        box.press("Enter")
    # No post has "MENIERE": those with some of the words (the trial id, "or") are shown,
    # labelled so.
    assert (
        page.locator(".search-count")
        .inner_text()
        .startswith("No post has all of your words; these have some of them.")
    )
    assert care_ms_post.title in page.locator(".search-result .post-title a").all_inner_texts()
    box = page.get_by_role("search", name="Site").get_by_label("Search posts")
    box.fill("NCT00548405")
    with page.expect_navigation():
        page.get_by_role("search", name="Site").get_by_role("button", name="Search").click()
    # <q> adds its quotation marks on screen; inner_text leaves them out.
    assert page.locator(".search-count").inner_text() == "1 post found for NCT00548405."
    result = page.locator(".search-result .post-title a")
    assert result.inner_text() == care_ms_post.title
    assert page.locator(".search-snippet mark").first.inner_text().upper() == "NCT00548405"
    with page.expect_navigation():
        result.click()
    assert page.url.endswith(care_ms_post.get_absolute_url())


def test_the_results_page_keeps_the_query_in_its_own_form(page, care_ms_post):
    page.goto(reverse("search:search") + "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+alemtuzumab")
    assert (
        page.get_by_label("Search the posts").input_value()
        == "<script>alert(1)</script> alemtuzumab"
    )
    assert page.locator(".search-count q").inner_text() == "<script>alert(1)</script> alemtuzumab"


def test_axe_finds_no_violations_on_search_and_author_pages(new_context, care_ms_post):
    page = new_context().new_page()
    found = {}
    for name, url in search_pages(care_ms_post).items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        found[name] = axe_violations(page)
    page.goto(search_pages(care_ms_post)["author page"])
    for summary in page.locator("#register-of-interests details summary").all():
        summary.click()  # a group of one post is a plain link, no list to open
    found["author page, a post list opened"] = axe_violations(page)
    found = {name: lines for name, lines in found.items() if lines}
    assert not found, "\n".join(
        f"{name}: {line}" for name, lines in found.items() for line in lines
    )


def test_nu_html_checker_finds_no_errors(java, page, care_ms_post, tmp_path):
    sent = {}
    for name, url in search_pages(care_ms_post).items():
        response = page.goto(url)
        sent[name] = response.text()
    sent["post page with the citation box"] = page.goto(care_ms_post.get_absolute_url()).text()
    errors = nu_errors(sent, tmp_path)
    assert not errors, "\n".join(
        f"{name}: {line}" for name, lines in errors.items() for line in lines
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_nothing_scrolls_sideways(new_context, care_ms_post, width):
    page = new_context(
        viewport={"width": width, "height": 800}, is_mobile=width < 600, has_touch=width < 600
    ).new_page()
    for name, url in search_pages(care_ms_post).items():
        page.goto(url)
        overflow = page.evaluate(SIDEWAYS)
        assert overflow <= 0, f"the {name} scrolls {overflow}px sideways at {width}px"
    page.goto(care_ms_post.get_absolute_url())
    assert page.evaluate(SIDEWAYS) <= 0


def test_the_citation_downloads_from_the_post_page(page, care_ms_post):
    page.goto(care_ms_post.get_absolute_url())
    cite = page.locator("#cite")
    assert "Cite this post" in cite.inner_text()
    with page.expect_download() as download:
        cite.get_by_role("link", name="RIS").last.click()
    text = download.value.path().read_bytes().decode("utf-8")
    assert text.startswith("TY  - JOUR\r\n")
    assert "DO  - 10.1016/S0140-6736(12)61768-1" in text
