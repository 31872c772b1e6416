"""Post and label addresses are built without a reverse() per call (blog.addresses), and are
exactly what reverse() gives: any script, any publish date an address can show, any time
zone, under a script prefix; what the URL patterns refuse still raises NoReverseMatch."""

from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

import blog.addresses
from blog.addresses import label_address
from blog.models import Post, slug_from
from tests.strategies import any_script_text

slugs = any_script_text(max_size=60).map(lambda text: slug_from(text, fallback="p", max_length=200))
moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(UTC)
)
zones = st.sampled_from(["UTC", "Pacific/Kiritimati", "America/Adak", "Asia/Kathmandu"])


def expected_post_address(post):
    local = timezone.localtime(post.published_at)
    return reverse(
        "blog:post_detail",
        kwargs={"year": local.year, "month": f"{local.month:02d}", "slug": post.slug},
    )


@pytest.fixture
def script_prefix():
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


@given(slug=slugs, moment=moments, zone=zones)
@example(slug="β-interferon", moment=datetime(2012, 11, 30, 23, 30, tzinfo=UTC), zone="UTC")
@example(slug="多发性硬化_2", moment=datetime(1900, 1, 2, tzinfo=UTC), zone="Asia/Kathmandu")
def test_a_post_address_is_what_reverse_gives(slug, moment, zone):
    post = Post(slug=slug, published_at=moment)
    with timezone.override(zone):
        assert post.get_absolute_url() == expected_post_address(post)


@given(slug=slugs)
@example(slug="β-interferon")
@example(slug="ms_2-a")
def test_a_label_address_is_what_reverse_gives(slug):
    assert label_address(slug) == reverse("blog:label_detail", kwargs={"slug": slug})


@pytest.mark.parametrize("prefix", ["/blog/", "/a b/ü/", "//evil/"])
def test_addresses_under_a_script_prefix_are_what_reverse_gives(script_prefix, prefix):
    script_prefix(prefix)
    post = Post(slug="δοκιμή-1", published_at=datetime(2020, 2, 29, 12, tzinfo=UTC))
    assert post.get_absolute_url() == expected_post_address(post)
    assert post.get_absolute_url().startswith(reverse("blog:post_list"))
    assert label_address("ms") == reverse("blog:label_detail", kwargs={"slug": "ms"})


@pytest.mark.parametrize("slug", ["", "a b", "a/b", "a.b", "<x>", "a\n", "%41"])
def test_a_slug_the_patterns_refuse_still_raises(slug):
    post = Post(slug=slug, published_at=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(NoReverseMatch):
        post.get_absolute_url()
    with pytest.raises(NoReverseMatch):
        label_address(slug)


def test_a_year_the_patterns_refuse_still_raises():
    post = Post(slug="ok", published_at=datetime(3000, 1, 1, tzinfo=UTC))
    with pytest.raises(NoReverseMatch):
        post.get_absolute_url()


def test_many_addresses_cost_one_reverse(monkeypatch):
    calls = []
    real = blog.addresses.reverse

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(blog.addresses, "reverse", counting)
    monkeypatch.setattr(blog.addresses, "_heads", {})
    moment = datetime(2021, 5, 1, tzinfo=UTC)
    addresses = [Post(slug=f"post-{n}", published_at=moment).get_absolute_url() for n in range(30)]
    assert addresses[7] == "/2021/05/post-7/"
    assert len(calls) == 1


@override_settings(ROOT_URLCONF="tests.urls_mounted_blog")
def test_a_blog_mounted_elsewhere_gets_its_own_addresses():
    post = Post(slug="x", published_at=datetime(2021, 5, 1, tzinfo=UTC))
    assert post.get_absolute_url() == "/journal/2021/05/x/"
    assert label_address("ms") == "/journal/labels/ms/"
