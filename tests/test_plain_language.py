"""Issue 14, plain language: the "In plain words" summary, review dates and their notice,
the admin's readability figure and the demo post's summary."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis.extra.django import TestCase as HypothesisTestCase

import pagecache.registry
from blog import revisions
from blog.corrections import check_change_note
from blog.demo_loader import load_demo, read_demo_post
from blog.models import Post
from blog.readability import readability
from blog.review_dates import next_notice_timestamp, review_notice
from tests.factories import make_post, make_user
from tests.strategies import any_script_paragraphs

DEMO = Path(__file__).resolve().parent.parent / "blog" / "demo" / "care-ms-ii.md"
SOURCE = Path(__file__).resolve().parent / "data" / "care-ms-2-source.txt"


def _page(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# --- the summary -------------------------------------------------------------------------


def test_summary_is_rendered_once_and_sanitised(db):
    post = make_post(plain_summary="**Out of 100** people <script>alert(1)</script>")
    assert "<strong>Out of 100</strong>" in post.plain_summary_html
    assert "<script" not in post.plain_summary_html


def test_box_comes_before_the_body_with_a_labelled_section(client, db):
    post = make_post(plain_summary="Out of 100 people, 65 had no relapse.", body="The abstract.")
    html = _page(client, post)
    box = html.index('<section class="plain-words" aria-labelledby="plain-words-title">')
    assert '<h2 id="plain-words-title">In plain words</h2>' in html
    assert box < html.index("The abstract.")
    assert "Out of 100 people, 65 had no relapse." in html[box:]


def test_no_box_without_a_summary(client, a_post):
    assert "plain-words" not in _page(client, a_post)


def test_summary_is_in_the_feeds(client, db):
    make_post(plain_summary="Out of 100 people, 65 had no relapse.")
    for name in ("blog:feed_atom", "blog:feed_rss"):
        body = client.get(reverse(name)).content.decode()
        assert "In plain words" in body
        assert "Out of 100 people, 65 had no relapse." in body


def test_changing_the_summary_of_a_seen_post_needs_a_change_note(db):
    post = make_post(plain_summary="First words.")
    seen = revisions.snapshot_of(post)
    post.plain_summary = "Other words."
    with pytest.raises(ValidationError) as caught:
        check_change_note(seen=seen, after=revisions.snapshot_of(post), kind="", note="")
    assert "change_kind" in caught.value.message_dict


def test_a_post_without_a_summary_matches_revisions_stored_before_the_field(db):
    post = make_post()
    old = {k: v for k, v in revisions.snapshot_of(post).items() if k != "plain_summary"}
    assert not check_change_note(seen=old, after=revisions.snapshot_of(post), kind="", note="")


class TestAnyScriptSummary(HypothesisTestCase):
    @settings(max_examples=25, deadline=None)
    @given(text=any_script_paragraphs())
    def test_any_text_saves_and_shows(self, text):
        post = make_post(plain_summary=text)
        response = self.client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert "In plain words" in response.content.decode()
        post.delete()


# --- review dates ------------------------------------------------------------------------


def test_due_must_come_after_reviewed(db):
    post = make_post(last_reviewed=date(2024, 5, 1), next_review_due=date(2024, 5, 1))
    with pytest.raises(ValidationError) as caught:
        post.full_clean()
    assert "next_review_due" in caught.value.message_dict


def test_dates_shown_near_the_byline(client, db):
    today = timezone.localdate()
    post = make_post(last_reviewed=today, next_review_due=today + timedelta(days=30))
    html = _page(client, post)
    line = re.search(r'<p class="review-dates">(.*?)</p>', html, re.S).group(1)
    assert f'Last reviewed <time datetime="{today:%Y-%m-%d}">' in line
    assert " · Next review due " in line
    assert "review-notice" not in html


def test_never_reviewed_old_post_shows_the_notice(client, db):
    post = make_post(published_at=timezone.now().replace(year=2012))
    assert (
        "This was written in 2012 and has not been reviewed since; treatments and advice "
        "may have changed." in _page(client, post)
    )


def test_past_the_due_date_shows_the_notice(client, db):
    today = timezone.localdate()
    post = make_post(
        last_reviewed=today - timedelta(days=400), next_review_due=today - timedelta(days=1)
    )
    html = _page(client, post)
    assert "is overdue for its next review; treatments and advice may have changed." in html


def test_on_the_due_date_no_notice_yet(db):
    today = timezone.localdate()
    post = make_post(last_reviewed=today - timedelta(days=9), next_review_due=today)
    assert review_notice(post, today) == ""
    assert review_notice(post, today + timedelta(days=1))


def test_review_after_days_setting(db, settings):
    post = make_post(published_at=timezone.now() - timedelta(days=40))
    assert review_notice(post) == ""
    settings.POST_REVIEW_AFTER_DAYS = 30
    assert "has not been reviewed since" in review_notice(post)


def test_cache_expires_when_the_next_notice_appears(db):
    assert next_notice_timestamp in pagecache.registry.expiries
    today = timezone.localdate()
    make_post(last_reviewed=today - timedelta(days=5), next_review_due=today + timedelta(days=2))
    make_post(last_reviewed=today, next_review_due=today + timedelta(days=9))
    expected = timezone.make_aware(
        timezone.datetime.combine(today + timedelta(days=3), timezone.datetime.min.time())
    )
    assert next_notice_timestamp() == expected.timestamp()


def test_cache_expiry_counts_posts_never_reviewed(db, settings):
    settings.POST_REVIEW_AFTER_DAYS = 10
    published = timezone.now() - timedelta(days=4)
    make_post(published_at=published)
    due = timezone.localdate(published) + timedelta(days=10)
    assert next_notice_timestamp() == (
        timezone.make_aware(
            timezone.datetime.combine(due + timedelta(days=1), timezone.datetime.min.time())
        ).timestamp()
    )


def test_no_expiry_when_every_notice_already_shows(db):
    make_post(published_at=timezone.now().replace(year=2012))
    assert next_notice_timestamp() is None


# --- the admin ---------------------------------------------------------------------------


def test_admin_shows_the_readability_figure_as_advice(client, db):
    admin = make_user(username="editor-admin", superuser=True)
    post = make_post(
        author=admin, plain_summary="The drug helped. Out of 100 people, 65 had no relapse."
    )
    client.force_login(admin)
    html = client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    assert "In plain words" in html
    assert "Flesch reading ease" in html and "Reading age about" in html


def test_hard_text_gets_advice_but_is_not_refused(db):
    hard = (
        "Coprimary endpoints were relapse rate and time to 6 month sustained accumulation of "
        "disability, comparing alemtuzumab and interferon beta 1a in all randomised patients."
    )
    figures = readability(hard)
    assert figures.reading_age > 11
    assert "You can still save" in figures.advice()
    post = make_post(plain_summary=hard)
    post.full_clean()


# --- the demo post -----------------------------------------------------------------------


def test_demo_summary_numbers_all_come_from_the_source():
    summary = read_demo_post(DEMO).fields["plain_summary"]
    source_numbers = set(re.findall(r"\d+", SOURCE.read_text(encoding="utf-8")))
    # "out of 100" is the reader's scale, not a finding: the counts on it come from the source.
    numbers = re.findall(
        r"\d+", re.sub(r"\b(?:out of (?:every )?|in )100\b", "", summary, flags=re.I)
    )
    assert len(numbers) >= 10
    assert [n for n in numbers if n not in source_numbers] == []


def test_demo_summary_answers_the_readers_questions():
    summary = read_demo_post(DEMO).fields["plain_summary"]
    for phrase in (
        "compared",
        "out of every 100",
        "risks",
        "Who paid",
        "Genzyme",
        "ties",
        "Talk to your MS team",
        "November 2012",
    ):
        assert phrase.lower() in summary.lower(), phrase
    assert readability(summary).reading_age <= 11


def test_demo_post_shows_the_box_and_the_not_reviewed_notice(client, db):
    load_demo()
    post = Post.objects.get(slug="care-ms-2-more-news-on-alemtuzumab")
    html = _page(client, post)
    assert "In plain words" in html
    assert "This was written in 2012 and has not been reviewed since" in html


# --- after the lay tryout (a newly diagnosed reader) -------------------------------------


def _demo_summary():
    return read_demo_post(DEMO).fields["plain_summary"]


def _section(summary, heading):
    """The paragraph of the summary that starts with the bold ``heading``."""
    for paragraph in summary.split("\n\n"):
        if paragraph.strip().startswith(f"**{heading}"):
            return paragraph
    raise AssertionError(f"no paragraph headed {heading!r}")


def test_demo_summary_says_who_the_result_applies_to():
    """The reader's "does this apply to me?": who was in the trial, then their MS team."""
    applies = _section(_demo_summary(), "Who this applies to")
    for phrase in ("18 to 55", "relapsing-remitting MS", "relapse", "first MS medicine"):
        assert phrase in applies, phrase
    assert applies.index("first MS medicine") < applies.index("Talk to your MS team")


def test_demo_summary_words_the_risks_and_ties_as_the_source_does():
    summary = _demo_summary()
    risks = _section(summary, "The main risks (side effects)")
    assert "mild or moderate" in risks  # the source: "mostly mild-moderate"
    assert "autoimmunity" in risks and "risk management strategies" in risks
    ties = _section(summary, "The author's ties")
    assert "in relation to alemtuzumab" in ties
    for unsupported in ("who make alemtuzumab", "newer", "older", "Most are mild"):
        assert unsupported not in summary, unsupported
    better = _section(summary, "How much better")
    assert "stayed worse for at least 6 months" in better


def test_demo_summary_says_what_the_report_percentage_compares():
    numbers = _section(_demo_summary(), "About the report's numbers")
    assert '"49·4% improvement"' in numbers
    assert "relapses happened" in numbers and "count people" in numbers


def test_demo_summary_quotes_the_source_verbatim():
    """Every phrase the summary puts in quotation marks is in the source as it stands."""
    source = " ".join(SOURCE.read_text(encoding="utf-8").split())
    quoted = re.findall(r'"([^"]+)"', _demo_summary())
    assert len(quoted) >= 3
    assert [q for q in quoted if q != "out of 100" and q not in source] == []


def test_each_paragraph_of_the_demo_summary_stays_plain():
    """The whole box at a reading age of 11 or less, no paragraph above 13 (company
    names like "Bayer Schering Pharma" count as long words)."""
    paragraphs = [p for p in _demo_summary().split("\n\n") if p.strip()]
    assert len(paragraphs) >= 8
    ages = {p.split(":**")[0]: readability(p).reading_age for p in paragraphs}
    assert max(ages.values()) <= 13, ages


def test_the_notice_says_where_to_find_current_advice(client, db):
    post = make_post(published_at=timezone.now().replace(year=2012))
    html = _page(client, post)
    assert (
        "treatments and advice may have changed. For current advice, ask your doctor or care "
        "team.</p>" in html
    )


def test_the_advice_is_a_setting(db, settings):
    post = make_post(published_at=timezone.now().replace(year=2012))
    settings.POST_REVIEW_ADVICE = "For current advice, ask your MS team."
    assert review_notice(post).endswith("may have changed. For current advice, ask your MS team.")
    settings.POST_REVIEW_ADVICE = ""
    assert review_notice(post).endswith("may have changed.")


def _cards(html):
    """{title: card HTML} for each post card on a list page."""
    cards = re.findall(r'<article class="post-summary".*?</article>', html, re.S)
    return {re.search(r'<h2 class="post-title".*?<a [^>]*>(.*?)</a>', c, re.S)[1]: c for c in cards}


def test_lists_mark_posts_past_their_review_date(client, db):
    today = timezone.localdate()
    old = make_post(
        title="Old write-up", published_at=timezone.now().replace(year=2012), labels=["ms"]
    )
    overdue = make_post(
        title="Overdue write-up",
        last_reviewed=today - timedelta(days=400),
        next_review_due=today - timedelta(days=1),
        labels=["ms"],
    )
    make_post(title="Fresh write-up", labels=["ms"])
    marker = (
        '<p class="review-marker"><strong>May be out of date:</strong> written in 2012 and '
        "not reviewed since.</p>"
    )
    for address in (
        reverse("blog:post_list"),
        reverse("blog:label_detail", kwargs={"slug": "ms"}),
        reverse("blog:archive_year", kwargs={"year": 2012}),
    ):
        cards = _cards(client.get(address).content.decode())
        assert marker in cards[old.title], address
    cards = _cards(client.get(reverse("blog:post_list")).content.decode())
    assert {title: "review-marker" in card for title, card in cards.items()} == {
        "Old write-up": True,
        "Overdue write-up": True,
        "Fresh write-up": False,
    }
    assert (
        f"last reviewed in {overdue.last_reviewed:%B %Y}; its next review is overdue."
        in cards["Overdue write-up"]
    )


def test_the_post_page_says_dotted_words_are_explained(client, db):
    from glossary.models import Term

    Term.objects.create(slug="edss", term="EDSS score", abbreviation="EDSS", explanation="A score.")
    explained = make_post(body="The EDSS went up.")
    plain = make_post(body="Nothing to explain here.")
    html = _page(client, explained)
    hint = html.index('<p class="glossary-hint">Words with a dotted underline are explained')
    assert hint < html.index('class="glossary-ref"')
    assert "glossary-hint" not in _page(client, plain)
