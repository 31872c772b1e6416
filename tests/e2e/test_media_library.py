"""Journey: an author uploads a photo in the media library, inserts it into a post with the
Markdown the library gives, publishes, and a reader sees it as a figure with srcset, lazy
below the first, in a page that passes axe and the HTML checker; footnotes and an aligned
table in the same post work in the browser."""

import re

import pytest
from django.urls import reverse

from blog.models import Post
from media_library.models import Image
from tests.e2e.helpers import admin_login, axe_violations, nu_errors
from tests.images_support import image_bytes, jpeg_with_gps

pytestmark = pytest.mark.e2e

TITLE = "A ward, photographed"


def save(page, button):
    with page.expect_navigation():
        page.locator(f"input[name={button}]").first.click()


def upload_image(page, tmp_path, *, data, filename, alt, caption=""):
    path = tmp_path / filename
    path.write_bytes(data)
    page.goto(reverse("admin:media_library_image_add"))
    page.get_by_label("Image file").set_input_files(str(path))
    page.get_by_label("Alternative text").fill(alt)
    page.get_by_label("Caption").fill(caption)
    save(page, "_continue")
    assert page.locator(".errornote, .errorlist").count() == 0, page.content()[:3000]
    return page.locator("input.media-markdown-text").input_value()


def test_upload_insert_and_read_an_image(
    new_context, an_author_account, settings, tmp_path, artifacts_dir, java
):
    settings.MEDIA_ROOT = tmp_path / "media"
    author = new_context().new_page()
    admin_login(author, an_author_account)

    # A refused file is a message beside the field.
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    author.goto(reverse("admin:media_library_image_add"))
    author.get_by_label("Image file").set_input_files(str(svg))
    author.get_by_label("Alternative text").fill("Logo")
    save(author, "_save")
    assert "SVG images are not accepted" in author.locator(".errorlist").inner_text()

    photo = upload_image(
        author,
        tmp_path,
        data=jpeg_with_gps((2400, 1600)),
        filename="ward.jpg",
        alt="An empty hospital ward at night",
        caption="The ward where the infusions were given (p<0·001 & n=202)",
    )
    chart = upload_image(
        author, tmp_path, data=image_bytes((1200, 600), "PNG"), filename="c.png", alt="A chart"
    )
    first = Image.objects.get(alt_text__startswith="An empty")
    assert photo == f"![An empty hospital ward at night](image:{first.pk})"
    copy = author.get_by_role("button", name=re.compile(r"^Copy Markdown"))
    copy.click()  # the script's improvement; without it, the field is there to select
    assert copy.inner_text() in ("Copied", "Press Ctrl+C to copy")

    author.goto(reverse("admin:media_library_image_changelist"))
    assert author.locator("img.media-thumb").count() == 2
    author.screenshot(path=str(artifacts_dir / "media-library-list.png"), full_page=True)
    # axe injects inline styles that the admin's strict CSP refuses (a console error): it
    # runs in a context that lets its own styles through; the author's context, above,
    # proves the pages themselves need no such exception.
    checker = new_context(bypass_csp=True).new_page()
    admin_login(checker, an_author_account)
    for address in (
        reverse("admin:media_library_image_add"),
        reverse("admin:media_library_image_changelist"),
        reverse("admin:media_library_image_change", args=[first.pk]),
    ):
        checker.goto(address)
        assert not axe_violations(checker), (address, axe_violations(checker))

    author.goto(reverse("admin:blog_post_add"))
    author.get_by_label(re.compile(r"^Title:?$")).fill(TITLE)
    author.get_by_label("Body").fill(
        f"The ward.[^1]\n\n{photo}\n\nA table:\n\n| Arm | n |\n|:--|--:|\n| Alemtuzumab | 426 |\n\n"
        f"{chart}\n\nSee https://doi.org/10.1016/S0140-6736(12)61768-1.\n\n"
        "[^1]: Photographed with the ward's permission."
    )
    author.get_by_label("Status").select_option(label="Published")
    author.locator("select[name=disclosures-0-relationship]").select_option(
        label="Nothing to disclose"
    )
    author.locator("[name=disclosures-0-person]").fill("Edith Author")
    author.locator("[name=disclosures-0-statement]").fill("I have nothing to disclose.")
    save(author, "_continue")
    assert author.locator(".errornote").count() == 0, author.locator(".errornote").inner_text()
    post = Post.objects.get(title=TITLE)

    reader = new_context().new_page()
    response = reader.goto(post.get_absolute_url())
    assert response.status == 200
    sent = response.text()
    figures = reader.locator("main figure")
    assert figures.count() == 2
    photo_img = figures.first.locator("img")
    assert "480w" in photo_img.get_attribute("srcset") and "2400w" in photo_img.get_attribute(
        "srcset"
    )
    assert photo_img.get_attribute("loading") == "eager"
    assert figures.nth(1).locator("img").get_attribute("loading") == "lazy"
    assert "p<0·001 & n=202" in figures.first.locator("figcaption").inner_text()
    photo_img.scroll_into_view_if_needed()
    reader.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo_img.element_handle()
    )
    box = photo_img.bounding_box()
    assert box["width"] <= reader.viewport_size["width"]
    assert abs(box["width"] / box["height"] - 1.5) < 0.02  # the space its width/height kept
    chosen = reader.evaluate("img => img.currentSrc", photo_img.element_handle())
    assert chosen.startswith(f"{reader.url.split('/20')[0]}/media/images/")

    right = reader.locator("td.align-right").first
    assert right.evaluate("td => getComputedStyle(td).textAlign") == "right"
    left = reader.locator("td.align-left").first
    assert left.evaluate("td => getComputedStyle(td).textAlign") == "left"

    reader.locator("a.footnote-ref").first.click()
    assert reader.url.endswith("#fn-1")
    reader.locator("a.footnote-backref").first.click()
    assert reader.url.endswith("#fnref-1")
    doi = "https://doi.org/10.1016/S0140-6736(12)61768-1"
    assert reader.locator(f'.post-body a[href="{doi}"]').inner_text() == doi

    assert not axe_violations(reader), axe_violations(reader)
    reader.goto(post.get_absolute_url())
    reader.screenshot(path=str(artifacts_dir / "media-library-post.png"), full_page=True)
    phone = new_context(viewport={"width": 375, "height": 800}).new_page()
    phone.goto(post.get_absolute_url())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts_dir / "media-library-post-phone.png"), full_page=True)

    errors = nu_errors({"post with images": sent}, tmp_path)
    assert not errors.get("post with images"), errors
