"""The "Evidence at a glance" section for a lay reader (issue 14 tryout): a lead that says
who it is for and points to the plain-words summary, its statistical words linked to the
page's "Words explained" entries when the body explains them, a scroll hint above each
table."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from blog.demo_loader import load_demo
from blog.models import Post
from glossary.models import Term
from tests.factories import make_post
from tests.trials_factories import make_trial_record

ATOM = "{http://www.w3.org/2005/Atom}"
LEAD = (
    '<p class="trial-results-lead">This section gives the trial\u2019s numbers in detail, '
    "for health professionals."
)


def _section(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    start = html.index('<section class="trial-results"')
    return html, html[start : html.index("</section>", start)]


def _explained_links(section):
    return re.findall(r'<a class="glossary-ref" href="([^"]*)">([^<]*)</a>', section)


@pytest.fixture
def a_demo_post(db):
    load_demo()
    return Post.objects.get(slug="care-ms-2-more-news-on-alemtuzumab")


def test_the_demo_section_says_who_it_is_for_and_links_the_explained_words(client, a_demo_post):
    html, section = _section(client, a_demo_post)
    assert (
        LEAD + ' The <a href="#plain-words-title">\u201cIn plain words\u201d summary</a> above '
        "says what they mean.</p>" in section
    )
    assert 'id="plain-words-title"' in html
    links = _explained_links(section)
    assert ("#word-rate-ratio", "Rate ratio") in links
    assert ("#word-hazard-ratio", "Hazard ratio") in links
    assert ("#word-confidence-interval", "confidence interval") in links
    # Every link lands on an entry of the page's "Words explained" list.
    for href, _text in links:
        assert f'<dt id="{href[1:]}">' in html, href
    # "p value" is linked exactly when the body explains it (its abbreviation is another
    # helper's to change).
    assert (("#word-p-value", "p value") in links) == ('<dt id="word-p-value">' in html)


def test_a_post_without_glossary_words_or_summary_gets_the_plain_lead(client, db):
    Term.objects.all().delete()
    post = make_post(body="Nothing explained.")
    make_trial_record(post=post, outcomes=2)
    _html, section = _section(client, post)
    assert LEAD + "</p>" in section
    assert "plain-words-title" not in section
    assert _explained_links(section) == []
    assert '<th scope="col">p value</th>' in section


def test_two_trials_are_named_in_the_plural(client, db):
    post = make_post()
    make_trial_record(post=post)
    make_trial_record(post=post, name="TEST-2", position=1, registry_id="NCT07654321")
    _html, section = _section(client, post)
    assert "This section gives the trials\u2019 numbers in detail" in section


def test_a_word_the_body_explains_is_linked_and_one_it_does_not_is_not(client, db):
    Term.objects.create(slug="risk-ratio", term="risk ratio", explanation="A comparison.")
    Term.objects.create(slug="adverse-event", term="adverse event", explanation="A harm.")
    uses = make_post(body="The risk ratio was small.", plain_summary="Out of 100 people.")
    make_trial_record(post=uses)
    _html, section = _section(client, uses)
    assert ("#word-risk-ratio", "Risk ratio") in _explained_links(section)
    assert '<th scope="col">Adverse event</th>' in section  # the body never says it
    assert 'href="#plain-words-title"' in section


def test_each_table_has_its_scroll_hint(client, db):
    """The harms table gets the hint the outcomes table has, between its caption and it."""
    post = make_post()
    record = make_trial_record(post=post, outcomes=1, harms=1)
    _html, section = _section(client, post)
    hint = '<p class="trial-scroll-hint" aria-hidden="true">Scroll the table sideways'
    assert section.count(hint) == 2
    caption = section.index(f'id="trial-{record.pk}-harms"')
    table = section.index(f'aria-labelledby="trial-{record.pk}-harms"', caption + 1)
    assert caption < section.index(hint, caption) < table


@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_the_feed_links_the_words_on_the_post_page(client, db, name):
    Term.objects.create(slug="risk-ratio", term="risk ratio", explanation="A comparison.")
    post = make_post(body="The risk ratio was small.", plain_summary="Out of 100 people.")
    make_trial_record(post=post)
    root = ET.fromstring(client.get(reverse(name)).content)
    texts = [el.text or "" for el in root.iter() if el.tag in (f"{ATOM}content", "description")]
    html = next(text for text in texts if "Evidence at a glance" in text)
    address = post.get_absolute_url()
    assert re.search(rf'href="https?://[^"]+{re.escape(address)}#word-risk-ratio"', html)
    assert re.search(rf'href="https?://[^"]+{re.escape(address)}#plain-words-title"', html)
    assert "trial-scroll-hint" not in html
