"""Issue 19: a thread's HTML against its text (the bench's comments: names, a quarter with
a website, ~300 bytes of Markdown each, conversations of five).

The target is HTML <= 1.6 x text + 30 KB at every count. A comment's own markup (byline,
date link, reply link, competing interests, the body's tags) was about 365 bytes beyond its
text; it was under 260 (the date links the comment's page, no "Link", no hidden names:
comments.js names the links), and is now under 200 with the lean markup (no optional end
tags, bare attribute values where the spec allows: about 21 bytes a comment;
tests/test_lean_thread_markup.py). 1.6 needs about 177 (0.6 x ~295 bytes of text): the
rest is the body's own markup (blog.markup) and the byline's date and competing interests.
"""

import pytest

from benchmarks import data
from tests.lean_markup_support import comment_ids

MARKUP_PER_COMMENT = 205  # bytes beyond the comment's text (188-196 measured)


@pytest.mark.parametrize("per_page", [0, 50])
@pytest.mark.parametrize("count", [100, 500, 2000])
def test_each_comment_adds_little_markup_beyond_its_text(client, db, settings, per_page, count):
    settings.COMMENTS_PER_PAGE = per_page
    empty = data.build_post(slug=f"empty-{per_page}-{count}")
    post = data.build_post(slug=f"size-{per_page}-{count}")
    text = data.build_comments(post, count, seed=count)
    base = len(client.get(empty.get_absolute_url()).content)
    html = client.get(post.get_absolute_url()).content.decode()
    shown = len(comment_ids(html))
    assert shown == (count if not per_page else min(count, per_page * 5))
    markup = (len(html.encode()) - base) / shown - text / count
    print(f"{count} comments, {per_page or 'all'} a page: {len(html):,} B, {markup:.0f} B markup")
    assert markup <= MARKUP_PER_COMMENT


@pytest.mark.parametrize("count", [0, 100, 500])
def test_a_page_of_the_thread_is_within_1_6_times_its_text_plus_30_kb(client, db, count):
    """The default paging (50 conversations): the page's HTML against its comments' text."""
    post = data.build_post(slug=f"paged-{count}")
    text = data.build_comments(post, count, seed=count)
    html = client.get(post.get_absolute_url()).content
    shown = len(comment_ids(html))
    assert len(html) <= 1.6 * (text * shown / count if count else 0) + 30_000
