"""Old addresses of imported posts (issue 17 tryout 10): runs of slashes, an id used twice."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Post
from imports.addresses import legacy_key
from imports.pipeline import import_parsed
from tests.test_import_pipeline import item, wxr


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (
            "http://old.example.org//greek/%CE%B5%CF%80%CE%AF%CF%80%CE%B5%CE%B4%CE%BF-2/",
            "/greek/επίπεδο-2",
        ),
        ("/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/", "/greek/επίπεδο-2"),
        ("//greek///x//", "/greek/x"),
        ("http://old.example.org/?p=175", "/?p=175"),
        ("/?p=175#comments", "/?p=175"),
        ("http://old.example.org/", ""),
    ],
)
def test_runs_of_slashes_count_as_one(url, key):
    assert legacy_key(url) == key


@given(st.text(alphabet="/ab%?=p1#", max_size=60))
def test_a_key_never_holds_a_double_slash(url):
    key = legacy_key(url)
    assert "//" not in key.partition("?")[0]
    assert key == "" or key.startswith("/")


@pytest.mark.django_db
def test_a_double_slash_permalink_answers_at_its_single_slash_address(client):
    import_parsed(
        wxr(item(old_urls=("http://old.example.org//greek/επίπεδο-2",))),
        publish_with_disclosure="None.",
    )
    response = client.get("/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/")
    assert response.status_code == 301
    assert response["Location"] == Post.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_an_id_used_twice_leads_to_the_first_post(client):
    first = item("175", title="First", old_urls=("http://old.example.org/?p=175",))
    second = item("175~2", title="Second", old_urls=("http://old.example.org/?p=175",))
    report = import_parsed(wxr(first, second), publish_with_disclosure="None.")
    response = client.get("/?p=175")
    assert response.status_code == 301
    assert response["Location"] == Post.objects.get(title="First").get_absolute_url()
    assert report.total("old address", "created") == 1
    assert any("left to that one" in line and "Second" in line for line in report.lines)
    assert "old addresses: 1 created" in report.as_text()


@pytest.mark.django_db
def test_an_old_address_another_post_owns_stays_with_it_and_is_reported():
    """Issue 17 re-check D: two blogs (or two imports) both had /about: the first keeps it."""
    from imports.models import LegacyAddress
    from imports.pipeline import import_parsed as again
    from imports.records import ParsedFile

    import_parsed(
        wxr(item(title="First blog's about", old_urls=("http://old.example.org/about/",)))
    )
    first = Post.objects.get()
    other = ParsedFile(
        format="wxr",
        site_url="http://other.example.net",
        items=[item(title="Second blog's about", old_urls=("http://other.example.net/about",))],
    )
    report = again(other)
    assert LegacyAddress.objects.get(path="/about").post == first
    assert (
        "old address /about of post \u201cSecond blog's about\u201d already leads to the post "
        "\u201cFirst blog's about\u201d (from another import or blog): left to that one"
    ) in report.as_text()
