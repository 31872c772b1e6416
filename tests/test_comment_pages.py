"""Issue 19: a huge thread in pages of top-level conversations, and permalinks that land
on the right page (``?cpage=N``, ``/comments/<id>/thread/``)."""

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.services import post_recount_comments
from tests.lean_markup_support import closed_html, comment_ids
from tests.test_comments_support import make_comment

Status = Comment.Status


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.COMMENTS_PER_PAGE = 2
    settings.COMMENTS_ORDER = "oldest"


def page(client, post, query=""):
    response = client.get(post.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def shown_ids(html):
    return comment_ids(html)


@pytest.fixture
def five_conversations(a_post):
    """Five top-level comments, the first and the fourth with replies (one nested)."""
    roots = [make_comment(a_post, body=f"root {n}") for n in range(5)]
    reply = make_comment(a_post, parent=roots[0], body="reply to root 0")
    deeper = make_comment(a_post, parent=reply, body="reply to the reply")
    later = make_comment(a_post, parent=roots[3], body="reply to root 3")
    post_recount_comments(post_id=a_post.pk)
    a_post.refresh_from_db()
    return roots, reply, deeper, later


def test_pages_hold_whole_conversations_oldest_first(client, a_post, five_conversations):
    roots, reply, deeper, later = five_conversations
    assert shown_ids(page(client, a_post)) == [roots[0].pk, reply.pk, deeper.pk, roots[1].pk]
    assert shown_ids(page(client, a_post, "?cpage=2")) == [roots[2].pk, roots[3].pk, later.pk]
    assert shown_ids(page(client, a_post, "?cpage=3")) == [roots[4].pk]


def test_newest_conversations_first_with_replies_oldest_first(
    client, a_post, five_conversations, settings
):
    settings.COMMENTS_ORDER = "newest"
    roots, reply, deeper, later = five_conversations
    assert shown_ids(page(client, a_post)) == [roots[4].pk, roots[3].pk, later.pk]
    assert shown_ids(page(client, a_post, "?cpage=3")) == [roots[0].pk, reply.pk, deeper.pk]


def test_zero_per_page_is_one_page(client, a_post, five_conversations, settings):
    settings.COMMENTS_PER_PAGE = 0
    html = page(client, a_post)
    assert len(shown_ids(html)) == 8
    assert 'aria-label="Comment pages"' not in html
    assert client.get(a_post.get_absolute_url() + "?cpage=2").status_code == 404


def test_the_heading_counts_the_whole_thread_and_names_the_page(client, a_post, five_conversations):
    first = page(client, a_post)
    assert '<h2 id="comments-heading">8 comments, page 1 of 3</h2>' in first
    second = page(client, a_post, "?cpage=2")
    assert '<h2 id="comments-heading">8 comments, page 2 of 3</h2>' in second


def test_past_the_end_and_unreadable_pages_are_404(client, a_post, five_conversations):
    for query in ("?cpage=4", "?cpage=0", "?cpage=02", "?cpage=-1", "?cpage=abc", "?cpage=9" * 9):
        assert client.get(a_post.get_absolute_url() + query).status_code == 404, query


def test_a_post_without_comments_has_page_one_only(client, a_post):
    html = page(client, a_post)
    assert "No published comments yet." in html and 'rel="next"' not in html
    assert client.get(a_post.get_absolute_url() + "?cpage=2").status_code == 404


def test_pager_links_work_without_javascript(client, a_post, five_conversations):
    url = a_post.get_absolute_url()
    html = page(client, a_post, "?cpage=2")
    nav = html[html.index('aria-label="Comment pages"') :]
    nav = nav[: nav.index("</nav>")]
    assert f'href="{url}#comments"' in nav  # page 1 is the post's own address
    assert f'href="{url}?cpage=3#comments"' in nav
    assert 'aria-current="page"' in nav and ">2<" in nav
    assert "Older comments" in nav and "Newer comments" in nav


def test_head_links_prev_next_and_canonical_per_page(client, a_post, five_conversations):
    url = "http://testserver" + a_post.get_absolute_url()
    first = page(client, a_post)
    assert f'<link rel="canonical" href="{url}">' in first
    assert f'<link rel="next" href="{url}?cpage=2">' in first
    assert 'rel="prev"' not in first.split("</head>")[0]
    second = page(client, a_post, "?cpage=2")
    head = second.split("</head>")[0]
    assert f'<link rel="canonical" href="{url}?cpage=2">' in head
    assert f'<link rel="prev" href="{url}">' in head
    assert f'<link rel="next" href="{url}?cpage=3">' in head
    last = page(client, a_post, "?cpage=3").split("</head>")[0]
    assert 'rel="next"' not in last


def test_page_one_has_one_address_the_posts_own(client, a_post, five_conversations):
    post_url = a_post.get_absolute_url()
    moved = client.get(post_url + "?cpage=1")
    assert moved.status_code == 301 and moved["Location"] == post_url
    roots = five_conversations[0]
    kept = client.get(post_url + f"?cpage=1&reply={roots[0].pk}")
    assert kept.status_code == 301 and kept["Location"] == f"{post_url}?reply={roots[0].pk}"


def test_page_one_keeps_the_readers_other_parameters_with_the_page_cache_on(
    client, a_post, five_conversations, settings
):
    """Tryout: the page cache keeps only the parameters the view reads in request.GET; the
    redirect is built from the query as the reader sent it."""
    settings.PAGE_CACHE_SECONDS = 300
    moved = client.get(a_post.get_absolute_url() + "?cpage=1&utm_source=newsletter")
    assert moved.status_code == 301
    assert moved["Location"] == a_post.get_absolute_url() + "?utm_source=newsletter"


@pytest.mark.parametrize(
    "query, asked",
    [("?cpage=4", "4"), ("?cpage=02", "02"), ("?cpage=0", "0"), ("?cpage=last", "last")],
)
def test_a_page_that_does_not_exist_is_a_404_that_says_so(
    client, a_post, five_conversations, query, asked
):
    """Before any of the post page's templates run; it names the missing page, links to the
    post and to the last page (3: five conversations, two a page)."""
    response = client.get(a_post.get_absolute_url() + query)
    assert response.status_code == 404
    names = [t.name for t in response.templates]
    assert "comments/no_such_page.html" in names and "blog/post_detail.html" not in names
    html = response.content.decode()
    assert "No such page of comments" in html
    assert f"have 3 pages; there is no page \u201c{asked}\u201d" in html
    assert f'href="{a_post.get_absolute_url()}"' in html
    assert f'href="{a_post.get_absolute_url()}?cpage=3#comments"' in html
    assert response["X-Robots-Tag"] == "noindex"


def test_a_hostile_page_value_is_escaped_and_cut_short(client, a_post, five_conversations):
    response = client.get(a_post.get_absolute_url() + "?cpage=%3Cscript%3Ealert(1)" + "9" * 50)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert "9" * 30 not in html


def test_reply_links_keep_the_page(client, a_post, five_conversations):
    roots = five_conversations[0]
    html = page(client, a_post, "?cpage=2")
    assert f'href="?cpage=2&amp;reply={roots[2].pk}#respond"' in html
    first = page(client, a_post)
    assert f'href="?reply={roots[0].pk}#respond"' in first
    # The no-JavaScript reply form opens under its comment on that page.
    replying = closed_html(page(client, a_post, f"?cpage=2&reply={roots[2].pk}"))
    item = replying[replying.index(f'<li id="comment-{roots[2].pk}"') :]
    assert item.index('id="respond"') < item.index(f'<li id="comment-{roots[3].pk}"')


def test_a_hidden_conversation_root_is_not_counted_and_its_replies_stay_hidden(
    client, a_post, five_conversations
):
    roots, reply, deeper, later = five_conversations
    Comment.objects.filter(pk=roots[0].pk).update(status=Status.REJECTED)
    ids = shown_ids(page(client, a_post))
    assert ids == [roots[1].pk, roots[2].pk]
    assert reply.pk not in ids and deeper.pk not in ids


def test_held_comments_never_show_nor_take_a_place(client, a_post, five_conversations):
    roots = five_conversations[0]
    held = make_comment(a_post, status=Status.HELD, body="not yet")
    html = page(client, a_post, "?cpage=3")
    assert shown_ids(html) == [roots[4].pk] and "not yet" not in html
    assert held.pk not in shown_ids(html)


# --- the permalink: /comments/<id>/thread/ -----------------------------------------------


def test_a_comment_permalink_lands_on_its_page(client, a_post, five_conversations):
    roots, reply, deeper, later = five_conversations
    url = a_post.get_absolute_url()
    expected = {
        roots[0].pk: f"{url}#comment-{roots[0].pk}",
        deeper.pk: f"{url}#comment-{deeper.pk}",
        roots[3].pk: f"{url}?cpage=2#comment-{roots[3].pk}",
        later.pk: f"{url}?cpage=2#comment-{later.pk}",
        roots[4].pk: f"{url}?cpage=3#comment-{roots[4].pk}",
    }
    for pk, location in expected.items():
        response = client.get(reverse("comments:thread", args=[pk]))
        assert response.status_code == 302
        assert response["Location"] == location
        assert Comment.objects.get(pk=pk).get_absolute_url() == f"/comments/{pk}/thread/"


def test_a_permalink_follows_the_order_setting(client, a_post, five_conversations, settings):
    settings.COMMENTS_ORDER = "newest"
    roots = five_conversations[0]
    response = client.get(reverse("comments:thread", args=[roots[0].pk]))
    assert response["Location"] == f"{a_post.get_absolute_url()}?cpage=3#comment-{roots[0].pk}"


def test_a_permalink_costs_two_queries_whatever_the_thread(
    client, a_post, five_conversations, django_assert_max_num_queries
):
    later = five_conversations[3]
    with django_assert_max_num_queries(2):
        client.get(reverse("comments:thread", args=[later.pk]))


def test_hidden_held_and_unknown_comments_have_no_permalink(
    client, a_post, a_draft, five_conversations
):
    roots, reply, deeper, _later = five_conversations
    held = make_comment(a_post, status=Status.HELD)
    spam = make_comment(a_post, status=Status.SPAM)
    on_draft = make_comment(a_draft)
    Comment.objects.filter(pk=reply.pk).update(status=Status.REJECTED)
    for pk in (held.pk, spam.pk, on_draft.pk, reply.pk, deeper.pk, 999_999):
        assert client.get(reverse("comments:thread", args=[pk])).status_code == 404, pk


def test_the_response_page_links_the_comment_in_its_thread(client, a_post, five_conversations):
    roots = five_conversations[0]
    html = client.get(reverse("comments:response", args=[roots[4].pk])).content.decode()
    assert f'<a href="/comments/{roots[4].pk}/thread/">This response in the thread</a>' in html


def test_posting_lands_on_the_comments_page(client, a_post, five_conversations):
    """After sending, the browser goes to the own block (the notice) on the comment's page
    of the thread, where the conversation it joins is."""
    from tests.test_comments_support import form_data, post_url

    roots = five_conversations[0]
    response = client.post(post_url(a_post), form_data(a_post, parent=str(roots[4].pk)))
    new = Comment.objects.latest("pk")
    assert new.status == Status.APPROVED
    assert response["Location"] == f"{a_post.get_absolute_url()}?cpage=3#your-comments"
    assert "Your comment has been published" in page(client, a_post, "?cpage=3")


@pytest.mark.parametrize("count", [0, 500, 3000])
def test_every_page_costs_the_same_few_queries(
    client, db, settings, count, django_assert_max_num_queries
):
    """0, 500 and 3,000 comments (bulk_create: conversations of five), 50 conversations a
    page: the first and a later page take the post page's budget, whatever the thread."""
    from benchmarks import data
    from tests.test_query_budgets import COMMENT_SECTION_ALLOWANCE, EXTENSION_PREFETCHES

    # The blog's five warm queries (tests/test_query_budgets.py) and the section's allowance.
    budget = 5 + EXTENSION_PREFETCHES + COMMENT_SECTION_ALLOWANCE

    settings.COMMENTS_PER_PAGE = 50
    post = data.build_post(slug=f"thread-of-{count}")
    data.build_comments(post, count)
    url = post.get_absolute_url()
    client.get(url)  # warm the per-generation sidebar cache
    with django_assert_max_num_queries(budget):
        html = client.get(url).content.decode()
    assert len(comment_ids(html)) == min(count, 250)
    if count > 250:
        last = (count // 5 + 49) // 50
        with django_assert_max_num_queries(budget):
            html = client.get(f"{url}?cpage={last}").content.decode()
        assert f"{count:,} comments, page {last} of {last}</h2>" in html
        assert client.get(f"{url}?cpage={last + 1}").status_code == 404


@pytest.mark.parametrize("count", [0, 500, 3000])
@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_the_thread_itself_is_one_query(rf, db, settings, count, order, django_assert_num_queries):
    """Every comment between the page's first conversation and the next page's first (both
    found by LIMIT/OFFSET in subqueries), with the number of conversations."""
    from benchmarks import data
    from comments.rendering import ThreadPresenter

    settings.COMMENTS_PER_PAGE = 50
    settings.COMMENTS_ORDER = order
    post = data.build_post(slug=f"section-of-{count}")
    data.build_comments(post, count)
    request = rf.get(post.get_absolute_url() + ("?cpage=2" if count > 250 else ""))
    with django_assert_num_queries(1):
        page = ThreadPresenter(post, request=request).page()
    assert len(page.comments) == min(count, 250)


def test_the_requests_presenter_fetches_its_page_once(
    rf, a_post, five_conversations, django_assert_num_queries
):
    """The head's title and links and the section share the request's presenter, which
    keeps the page it fetched (on itself: nothing is left on the request)."""
    from comments.rendering import ThreadPresenter

    request = rf.get(a_post.get_absolute_url() + "?cpage=2")
    with django_assert_num_queries(1):
        page = ThreadPresenter.for_request(a_post, request=request).page()
        assert ThreadPresenter.for_request(a_post, request=request).page() is page
    assert page.number == 2 and not hasattr(request, "_comment_pages")
    # Another presenter (another request, a form sent back) fetches its own.
    other = ThreadPresenter(a_post, request=rf.get(a_post.get_absolute_url()))
    with django_assert_num_queries(1):
        assert other.page().number == 1


# --- the page cache: each page of the thread is its own page -----------------------------


def test_each_page_of_the_thread_is_cached_on_its_own(client, a_post, five_conversations, settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.PAGE_CACHE_HEADER = True
    roots = five_conversations[0]
    url = a_post.get_absolute_url()
    first, second = client.get(url), client.get(f"{url}?cpage=2")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "miss")
    again = client.get(f"{url}?cpage=2&utm_source=x")
    assert again["X-Page-Cache"] == "hit"
    assert shown_ids(again.content.decode())[0] == roots[2].pk
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert shown_ids(client.get(url).content.decode())[0] == roots[0].pk
    # A page number not in its one form is served uncached, and is no page.
    for query in ("?cpage=02", "?cpage=x", "?cpage=9"):
        response = client.get(url + query)
        assert response.status_code == 404 and "X-Page-Cache" not in response, query
    # A new conversation is on the very next request of the last page.
    make_comment(a_post, body="a sixth conversation")
    assert "a sixth conversation" in client.get(f"{url}?cpage=3").content.decode()


def test_a_later_page_says_so_in_its_title_and_every_page_skips_to_the_comments(
    client, a_post, five_conversations
):
    """Tabs, history and search results tell the pages apart; a keyboard reaches the thread
    without tabbing through the whole write-up (it is long: 128 tabs on CARE-MS II)."""
    title = re.compile(r"<title>(.*?)</title>", re.S)
    first, third = page(client, a_post), page(client, a_post, "?cpage=3")
    assert title.search(first).group(1).strip().startswith(f"{a_post.title} ·")
    assert f"{a_post.title} (comments, page 3 of 3) ·" in title.search(third).group(1)
    for html in (first, third):
        assert '<a class="skip-link" href="#comments">Skip to comments</a>' in html
        assert 'id="comments"' in html


@pytest.mark.parametrize("approved_roots", [4, 5])
def test_a_held_comment_that_would_open_a_new_page_lands_on_the_last_one(
    client, a_post, approved_roots
):
    """Two a page: with 4 approved conversations the next one would open page 3, which does
    not exist until it is approved. The commenter lands on page 2's own block (page 3 with
    5, where it exists), never on a 404, with the notice there."""
    from tests.test_comments_support import form_data, post_url

    for n in range(approved_roots):
        make_comment(a_post, body=f"root {n}")
    response = client.post(post_url(a_post), form_data(a_post, email="new@example.org"))
    held = Comment.objects.latest("pk")
    assert held.status != Status.APPROVED
    expected = 2 if approved_roots == 4 else 3
    assert response["Location"] == f"{a_post.get_absolute_url()}?cpage={expected}#your-comments"
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert "awaiting moderation" in landed.content.decode().lower()


def test_the_pager_is_above_the_thread_too_with_its_own_name(client, a_post, five_conversations):
    """Tryout: on a phone the pager below page 1 was 87,000 px down."""
    html = closed_html(page(client, a_post, "?cpage=2"))
    section = html[html.index('<section class="comments"') :]
    top = section.index('<nav class="comment-pages" aria-label="Pages of comments">')
    bottom = section.index('<nav class="comment-pages" aria-label="Comment pages">')
    first_comment = section.index('<li id="comment-')
    assert top < first_comment < bottom
    assert section[top:first_comment].count('rel="prev"') == 1


def test_cancel_reply_without_javascript_stays_on_the_page(client, a_post, five_conversations):
    roots = five_conversations[0]
    html = page(client, a_post, f"?cpage=2&reply={roots[2].pk}")
    cancel = f'href="{a_post.get_absolute_url()}?cpage=2#respond">Cancel reply</a>'
    assert cancel in html
    first = page(client, a_post, f"?reply={roots[0].pk}")
    assert f'href="{a_post.get_absolute_url()}#respond">Cancel reply</a>' in first


def test_the_count_has_thousands_separators(a_post, settings):
    from django.test import RequestFactory

    from comments.rendering import ThreadPresenter

    settings.COMMENTS_PER_PAGE = 2
    a_post.comment_count = 3000
    make_comment(a_post, body="one")
    make_comment(a_post, body="two")
    make_comment(a_post, body="three")
    context = ThreadPresenter(a_post, request=RequestFactory().get("/")).context()
    assert context["count_text"] == "3,000"


@pytest.mark.parametrize("parameter", ["reply", "replyto"])
def test_a_reply_link_to_a_comment_now_on_another_page_goes_there(
    client, a_post, five_conversations, settings, parameter
):
    """Newest first, a page opened before two new conversations arrived has reply links to
    comments that are now on the next page: the link goes to that page, with the form under
    the comment, instead of saying the comment cannot be replied to."""
    roots, reply, deeper, later = five_conversations
    response = client.get(f"{a_post.get_absolute_url()}?{parameter}={roots[2].pk}")
    assert response.status_code == 302
    assert (
        response["Location"] == f"{a_post.get_absolute_url()}?cpage=2&reply={roots[2].pk}#respond"
    )
    html = page(client, a_post, f"?cpage=2&reply={roots[2].pk}")
    assert f'name="parent" value="{roots[2].pk}"' in html
    assert "You can only reply to a published comment" not in html
    # A reply, on page 1 asked from page 3; the newest order moves the pages around.
    settings.COMMENTS_ORDER = "newest"
    response = client.get(f"{a_post.get_absolute_url()}?cpage=3&{parameter}={deeper.pk}")
    assert response.status_code == 200  # root 0's conversation is on page 3 when newest first
    response = client.get(f"{a_post.get_absolute_url()}?{parameter}={deeper.pk}")
    assert response["Location"] == f"{a_post.get_absolute_url()}?cpage=3&reply={deeper.pk}#respond"


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999999", "9" * 30, "%EF%BC%91"])
def test_a_reply_link_to_no_comment_of_this_post_stays_and_says_so(
    client, a_post, five_conversations, value
):
    """Held, unknown, unreadable or another post's: no redirect, the page's own notice."""
    other = make_comment(a_post, status=Status.HELD, body="held")
    for wanted in (value, str(other.pk)):
        response = client.get(f"{a_post.get_absolute_url()}?cpage=2&reply={wanted}")
        assert response.status_code == 200, wanted
        assert "You can only reply to a published comment on this post." in (
            response.content.decode()
        )


def test_a_reply_link_on_its_own_page_is_not_redirected(client, a_post, five_conversations):
    roots = five_conversations[0]
    response = client.get(f"{a_post.get_absolute_url()}?cpage=2&reply={roots[3].pk}")
    assert response.status_code == 200
    assert f'name="parent" value="{roots[3].pk}"' in response.content.decode()
