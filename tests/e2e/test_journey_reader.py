"""Journey 1: a reader finds the CARE-MS II write-up, its disclosure, its DOI and its labels."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e

DOI = "10.1016/S0140-6736(12)61768-1"


def test_reader_goes_from_home_page_to_post_to_label_page(page, care_ms_post):
    page.goto(reverse("blog:post_list"))
    main = page.locator("main")
    post_link = main.get_by_role("link", name=care_ms_post.title).first
    assert post_link.is_visible()

    with page.expect_navigation():
        post_link.click()
    assert page.url.endswith(care_ms_post.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().strip() == care_ms_post.title

    disclosure_heading = page.get_by_role(
        "heading", name=re.compile(r"disclos|competing interest|conflict", re.I)
    ).first
    assert disclosure_heading.is_visible()
    disclosure = page.locator("section, aside, div").filter(has=disclosure_heading).last
    disclosure_text = disclosure.inner_text()
    assert care_ms_post.author.get_full_name() in disclosure_text
    assert re.search(r"principal investigator", disclosure_text, re.I)
    assert "Barts Health" in disclosure_text
    assert "Genzyme" in disclosure_text and "Sanofi" in disclosure_text

    doi_links = page.locator(f'a[href="https://doi.org/{DOI}"]')
    assert doi_links.count() >= 1, "no link to the DOI resolver"
    assert doi_links.first.is_visible()
    assert DOI in doi_links.first.inner_text() or "doi" in doi_links.first.inner_text().lower()

    label_href = reverse("blog:label_detail", kwargs={"slug": "alemtuzumab"})
    label_link = page.locator(f'main a[href="{label_href}"]').first
    assert label_link.inner_text().strip().lower() == "alemtuzumab"
    with page.expect_navigation():
        label_link.click()

    assert page.url.endswith(label_href)
    assert "alemtuzumab" in page.get_by_role("heading", level=1).inner_text()
    listed = page.locator("main").get_by_role("link", name=care_ms_post.title)
    assert listed.count() >= 1 and listed.first.is_visible()
