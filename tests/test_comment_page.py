"""Citable responses: each approved comment's own page at /comments/<id>/."""

import json
import re
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blog.models import Post
from comments import rendering, services
from comments.models import Comment
from tests.factories import make_post
from tests.lean_markup_support import closed_html
from tests.strategies import any_script_text
from tests.test_comments_support import form_data, make_comment, post_url

pytestmark = pytest.mark.django_db
Status = Comment.Status


def page(client, comment):
    return client.get(f"/comments/{comment.pk}/")


def meta(html, name):
    return [unescape(v) for v in re.findall(rf'<meta name="{name}" content="([^"]*)">', html)]


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def a_response(a_post):
    return make_comment(
        a_post,
        name="Ann Reader",
        website="https://ann.example",
        body="The raters were *not* masked: p<0·001 & n=202.",
        competing_interests="Consultant to Sanofi",
    )


def test_the_url_is_the_comments_own(a_response):
    assert a_response.get_response_url() == f"/comments/{a_response.pk}/"


def test_the_page_shows_title_author_date_interests_body_and_the_post(client, a_response):
    response = page(client, a_response)
    assert response.status_code == 200
    html = response.content.decode()
    post = a_response.post
    assert '<h1 id="response-title"><bdi>Re: A published write-up</bdi></h1>' in html
    assert "<title>Re: A published write-up · Trialpress</title>" in html
    assert 'href="https://ann.example" rel="nofollow ugc noopener">Ann Reader</a>' in html
    local = timezone.localtime(a_response.created_at)
    assert f'<time datetime="{local:%Y-%m-%d}">' in html
    assert "Consultant to Sanofi" in html
    assert "The raters were <em>not</em> masked: p&lt;0·001 &amp; n=202." in html
    assert f'<a href="{post.get_absolute_url()}">{post.title}</a>' in html
    # "This response in the thread": its page of the thread (comments:thread redirects).
    assert f'<a href="/comments/{a_response.pk}/thread/">This response in the thread' in html
    url = f"{django_settings.SITE_URL}/comments/{a_response.pk}/"
    assert f'<link rel="canonical" href="{url}">' in html


def test_the_commenters_own_title_heads_the_page(client, a_post):
    comment = make_comment(a_post, title="Masking was <b>incomplete</b>")
    html = page(client, comment).content.decode()
    assert "<bdi>Masking was &lt;b&gt;incomplete&lt;/b&gt;</bdi></h1>" in html
    assert meta(html, "citation_title") == ["Masking was <b>incomplete</b>"]


def test_citation_meta_tags(client, a_response):
    html = page(client, a_response).content.decode()
    local = timezone.localtime(a_response.created_at)
    url = f"{django_settings.SITE_URL}/comments/{a_response.pk}/"
    assert meta(html, "citation_title") == ["Re: A published write-up"]
    assert meta(html, "citation_author") == ["Ann Reader"]
    assert meta(html, "citation_publication_date") == [f"{local:%Y/%m/%d}"]
    assert meta(html, "citation_journal_title") == [django_settings.SITE_NAME]
    assert meta(html, "citation_public_url") == [url]


def test_json_ld_is_a_comment_about_the_post(client, a_response):
    html = page(client, a_response).content.decode()
    data = json_ld(html)
    post_url_abs = django_settings.SITE_URL + a_response.post.get_absolute_url()
    assert data["@type"] == "Comment"
    assert data["url"] == f"{django_settings.SITE_URL}/comments/{a_response.pk}/"
    assert data["author"] == {"@type": "Person", "name": "Ann Reader", "url": "https://ann.example"}
    assert data["about"]["@type"] == "BlogPosting"
    assert data["about"]["url"] == post_url_abs
    assert data["dateCreated"].startswith(a_response.created_at.strftime("%Y-%m-%dT"))
    assert data["text"] == "The raters were not masked: p<0·001 & n=202."
    assert "<0" not in html.split('type="application/ld+json">')[1].split("</script>")[0]


def test_a_reply_names_its_parent(client, a_response):
    reply = make_comment(a_response.post, parent=a_response, name="Bo")
    html = page(client, reply).content.decode()
    assert f'<a href="/comments/{a_response.pk}/"><bdi>Ann Reader</bdi></a>' in html
    assert json_ld(html)["parentItem"]["@id"].endswith(f"/comments/{a_response.pk}/")


def test_the_cite_box(client, a_response):
    html = page(client, a_response).content.decode()
    local = timezone.localtime(a_response.created_at)
    box = html[html.index('<section id="cite"') :]
    assert "Cite this response" in box
    assert "Reader, A. (" in box  # APA: family name, initials
    assert f"({local.year}, {local:%B} {local.day})." in box
    assert "Re: A published write-up [Response to \u201cA published write-up\u201d]." in box
    assert f"<i>{django_settings.SITE_NAME}.</i>" in box
    assert f"/comments/{a_response.pk}/</span>" in box


def test_the_thread_links_each_comment_to_its_page(client, a_response):
    html = closed_html(client.get(a_response.post.get_absolute_url()).content.decode())
    day = rendering.format_date(a_response.created_at)
    assert f'<a href="/comments/{a_response.pk}/">{day}</a>' in html


@pytest.mark.parametrize("status", [Status.HELD, Status.REJECTED, Status.SPAM])
def test_comments_readers_do_not_see_have_no_page(client, a_post, status):
    comment = make_comment(a_post, status=status)
    assert page(client, comment).status_code == 404


def test_a_reply_under_a_hidden_comment_has_no_page(client, a_response):
    reply = make_comment(a_response.post, parent=a_response)
    Comment.objects.filter(pk=a_response.pk).update(status=Status.REJECTED)
    assert page(client, reply).status_code == 404


def test_a_comment_on_a_draft_or_scheduled_post_has_no_page(client, a_draft, a_scheduled_post):
    for post in (a_draft, a_scheduled_post):
        assert page(client, make_comment(post)).status_code == 404


def test_not_even_staff_see_a_held_comments_page(client, a_post, an_author):
    client.force_login(an_author)
    assert page(client, make_comment(a_post, status=Status.HELD)).status_code == 404


def test_no_page_for_an_unknown_id_and_only_get(client, a_response):
    assert client.get("/comments/999999/").status_code == 404
    assert client.post(f"/comments/{a_response.pk}/").status_code == 405


def test_the_query_budget_is_one_page_fixed(client, a_post, django_assert_max_num_queries):
    """One query, however long the thread: the comment joined to its post, the post's
    author and its parent (the visibility rule is a subquery of it)."""
    parent = make_comment(a_post)
    for _ in range(30):
        make_comment(a_post, parent=parent)
    reply = make_comment(a_post, parent=parent, name="Last")
    with django_assert_max_num_queries(1):
        assert page(client, reply).status_code == 200


def test_a_title_given_in_the_form_is_stored(client, a_post):
    client.post(post_url(a_post), form_data(a_post, title="  My\nresponse  "))
    assert Comment.objects.get().title == "My response"


def test_a_title_over_200_characters_is_a_form_error(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post, title="t" * 201))
    assert response.status_code == 400
    assert "Title (optional): Ensure this value has at most 200 characters" in (
        response.content.decode()
    )


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=any_script_text(), title=st.one_of(st.just(""), any_script_text(max_size=200)))
def test_any_script_name_and_title_make_a_valid_page(client, a_post, name, title):
    comment = make_comment(a_post, name=name, title=title)
    html = page(client, comment).content.decode()
    assert meta(html, "citation_author") == [name]
    assert meta(html, "citation_title") == [title or "Re: A published write-up"]
    data = json_ld(html)
    assert data["author"]["name"] == name
    assert data["name"] == (title or "Re: A published write-up")


class TestPageCache:
    @pytest.fixture(autouse=True)
    def page_cache_on(self, settings):
        settings.PAGE_CACHE_SECONDS = 300
        settings.PAGE_CACHE_HEADER = True

    def test_the_page_is_cached_and_changes_with_the_comment(self, client, a_response):
        assert page(client, a_response)["X-Page-Cache"] == "miss"
        assert page(client, a_response)["X-Page-Cache"] == "hit"
        a_response.body = "A corrected response."
        a_response.save()
        response = page(client, a_response)
        assert "A corrected response." in response.content.decode()

    def test_a_rejected_comment_disappears_at_once_and_no_404_is_stored(
        self, client, a_response, a_superuser
    ):
        page(client, a_response)
        services.comment_reject(comment=a_response, moderator=a_superuser)
        for _ in range(2):  # the stored 200 is stale; the 404 is never stored
            response = page(client, a_response)
            assert response.status_code == 404
            assert response.get("X-Page-Cache") != "hit"

    def test_a_held_comment_approved_later_shows_at_once(self, client, a_post, a_superuser):
        comment = make_comment(a_post, status=Status.HELD)
        assert page(client, comment).status_code == 404
        services.comment_approve(comment=comment, moderator=a_superuser)
        assert page(client, comment).status_code == 200

    def test_unpublishing_the_post_hides_the_page(self, client, a_response):
        page(client, a_response)
        Post.objects.filter(pk=a_response.post_id).update(status=Post.Status.DRAFT)
        a_response.post.status = Post.Status.DRAFT
        a_response.post.save()
        assert page(client, a_response).status_code == 404


def test_a_comment_on_another_post_is_not_confused(client, an_author, a_response):
    other = make_post(author=an_author, title="Another write-up")
    comment = make_comment(other)
    html = page(client, comment).content.decode()
    assert "Re: Another write-up" in html and "A published write-up" not in html
