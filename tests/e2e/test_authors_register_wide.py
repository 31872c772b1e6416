"""Issue 14 clinician check: the register of interests at 1280 px with a "Posts" list opened
and long titles: nothing is cut, the page never scrolls sideways, long titles wrap, and the
"Posts by" heading stands apart from the first title."""

import pytest

from authors.services import author_profile_ensure
from blog.models import Disclosure
from tests.e2e.conftest import make_staff
from tests.factories import make_post

pytestmark = pytest.mark.e2e

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
CUT = "el => el.scrollWidth - el.clientWidth"
LONG = "Alemtuzumab-versus-interferon-beta-1a-in-relapsing-remitting-multiple-sclerosis " * 2


@pytest.fixture
def a_long_register(transactional_db):
    author = make_staff(username="sian", role="Authors", first_name="Siân", last_name="Ménière")
    profile = author_profile_ensure(user=author)
    for i in range(4):
        post = make_post(author=author, title=f"{LONG}{i}", disclosure=False)
        Disclosure.objects.create(
            post=post,
            person=profile.display_name,
            relationship=Disclosure.Relationship.HONORARIA,
            organisations="Genzyme, a Sanofi company; " + "Bayer" * 30,
        )
    return profile


def test_an_opened_posts_list_fits_at_1280(new_context, a_long_register, artifacts_dir):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(a_long_register.get_absolute_url())
    for summary in page.locator("#register-of-interests details summary").all():
        summary.click()
    page.locator("#register-of-interests").screenshot(path=artifacts_dir / "register-1280.png")
    assert page.evaluate(SIDEWAYS) <= 0
    region = page.locator(".register-scroll")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("aria-labelledby") == "register-table-caption"
    assert region.evaluate(CUT) <= 0, "the table is cut at 1280 px"
    box = region.bounding_box()
    for link in page.locator(".register-table details a").all():
        link_box = link.bounding_box()
        assert link_box["x"] + link_box["width"] <= box["x"] + box["width"] + 1
    assert box["width"] > 700, "the table should use the content column's width"
    heading = page.locator("#author-posts-heading").bounding_box()
    first = page.locator(".author-posts .post-title").first.bounding_box()
    assert first["y"] - (heading["y"] + heading["height"]) >= 16
