"""What readers get from a trial record: the post page (its query budget whatever the number
of outcomes), the feeds (tables, no SVG), the JSON-LD (parsed), and text escaped once."""

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from blog import navigation
from blog.models import Disclosure
from tests.factories import make_post
from tests.trials_factories import make_trial_record, record_data
from trials.services import trial_record_replace

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def queries_for(client, url):
    """Queries for ``url`` with the sidebar cached (a first request fills it) and the post
    read afresh (each worker keeps it per generation: blog.navigation.kept_post)."""
    client.get(url)
    navigation._kept_posts.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def json_ld(response):
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def test_the_post_page_gains_at_most_one_query_whatever_the_number_of_outcomes(
    client, an_author, django_assert_max_num_queries
):
    """Without a record: the post page's own queries. With one: one more (the records,
    prefetched with their stored snapshot); with 30 outcomes and 30 harms: the same."""
    plain = make_post(author=an_author, title="No trial")
    small = make_post(author=an_author, title="One outcome")
    large = make_post(author=an_author, title="Thirty outcomes")
    make_trial_record(post=small, outcomes=1, harms=1)
    make_trial_record(post=large, outcomes=30, harms=30)

    baseline = queries_for(client, plain.get_absolute_url())
    with_one = queries_for(client, small.get_absolute_url())
    client.get(large.get_absolute_url())
    navigation._kept_posts.clear()
    with django_assert_max_num_queries(baseline + 2):
        response = client.get(large.get_absolute_url())
    assert response.content.decode().count('<th scope="row">Outcome ') == 30
    assert with_one <= baseline + 1
    assert queries_for(client, large.get_absolute_url()) == with_one


def test_a_post_with_two_trials_shows_both_and_two_records_cost_no_more(client, an_author):
    post = make_post(author=an_author)
    make_trial_record(post=post, name="FIRST")
    one = queries_for(client, post.get_absolute_url())
    make_trial_record(post=post, name="SECOND", position=1, registry_id="ISRCTN12345678")
    html = client.get(post.get_absolute_url()).content.decode()
    assert html.index("FIRST") < html.index("SECOND")
    assert "https://www.isrctn.com/ISRCTN12345678" in html
    assert queries_for(client, post.get_absolute_url()) == one


def test_a_post_without_a_record_shows_no_section(client, a_post):
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "Evidence at a glance" not in html and "trial-results" not in html


def test_ratios_and_differences_get_one_plot_each_and_uncompared_rows_none(client, a_post):
    data = record_data(outcomes=2)
    data["outcomes"].append({"name": "Not compared", "outcome_type": "binary"})
    trial_record_replace(post=a_post, data=data)
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert page.count('role="img"') == 2
    descriptions = re.findall(r"<desc[^>]*>(.*?)</desc>", page, re.S)
    assert len(descriptions) == 2
    assert "Outcome 0: risk ratio 0.5 (95% CI 0.3\u20130.8), p=0.004." in descriptions[0]
    assert (
        "Outcome 1: mean difference \u22121.2 (95% CI \u22122.0\u2013\u22120.4)."
        in (descriptions[1])
    )
    assert "Not compared" not in " ".join(descriptions)
    html = strip_tags(page)
    assert "Risk ratio 0.5 (0.3\u20130.8)" in html
    assert "Mean difference \u22121.2 (\u22122.0\u2013\u22120.4)" in html


def test_absolute_effects_on_the_page_match_the_hand_worked_numbers(client, a_post):
    """40/190 vs 20/195: 21 and 10 in 100; ARD = 20/195 - 40/190 = -0.1080 -> NNT 10.
    Harm 10/190 vs 30/195: 5 and 15 in 100; ARD = +0.1012 -> NNH 10."""
    make_trial_record(post=a_post, outcomes=1, harms=1)
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert (
        "Outcome 0: 21 in 100 people with placebo, 10 in 100 with drug X 10 mg, over 1 year."
        in html
    )
    assert "Number needed to treat: 10." in html
    assert "Harm 0: 5 in 100 people with placebo, 15 in 100 with drug X 10 mg, over 1 year." in html
    assert "Number needed to harm: 10." in html
    assert "Computed by Trialpress from the reported counts" in html


@pytest.mark.parametrize("name", ["blog:feed_atom", "blog:feed_rss"])
def test_feeds_carry_the_tables_without_the_plot(client, a_post, name):
    make_trial_record(post=a_post, outcomes=2)
    body = client.get(reverse(name)).content
    root = ET.fromstring(body)
    contents = [el.text or "" for el in root.iter() if el.tag in (f"{ATOM}content", "description")]
    html = next(text for text in contents if "Evidence at a glance" in text)
    assert "<table" in html and "Risk ratio 0.5 (0.3\u20130.8)" in strip_tags(html)
    assert "<svg" not in html
    assert 'tabindex="0"' not in html


def test_the_feed_costs_one_more_query_whatever_the_number_of_posts(
    client, an_author, django_assert_max_num_queries
):
    """Cold (the first GET after a change: every item rendered, with the records fetched
    for all posts in one query) and warm (items kept per generation: no records fetched)."""
    post = make_post(author=an_author)
    make_trial_record(post=post)
    with CaptureQueriesContext(connection) as cold:
        client.get(reverse("blog:feed_atom"))
    cold_one = len(cold.captured_queries)
    one = queries_for(client, reverse("blog:feed_atom"))
    for _ in range(5):
        make_trial_record(post=make_post(author=an_author), outcomes=5)
    with django_assert_max_num_queries(cold_one):
        client.get(reverse("blog:feed_atom"))
    with django_assert_max_num_queries(one):
        client.get(reverse("blog:feed_atom"))


def test_json_ld_describes_the_trial_its_arms_and_results(client, a_post):
    make_trial_record(post=a_post, outcomes=1, funders="Genzyme (Sanofi); Bayer Schering Pharma")
    data = json_ld(client.get(a_post.get_absolute_url()))
    trial = data["about"]
    assert trial["@type"] == "MedicalTrial"
    assert trial["identifier"] == "NCT01234567"
    assert trial["url"] == "https://clinicaltrials.gov/study/NCT01234567"
    assert trial["phase"] == "Phase 3"
    assert trial["trialDesign"] == "https://schema.org/RandomizedTrial"
    assert [s["name"] for s in trial["sponsor"]] == ["Genzyme", "Sanofi", "Bayer Schering Pharma"]
    assert [s["name"] for s in trial["studySubject"]] == ["Placebo", "Drug X 10 mg"]
    outcome = trial["outcome"][0]
    assert outcome["@type"] == "Observation" and outcome["name"] == "Outcome 0"
    assert outcome["value"] == 0.5
    assert outcome["marginOfError"]["minValue"] == 0.3
    assert outcome["marginOfError"]["maxValue"] == 0.8
    arms = {p["name"]: (p["value"], p.get("maxValue")) for p in outcome["additionalProperty"]}
    assert arms == {"Placebo": (40, 190), "Drug X 10 mg": (20, 195), "p value": ("p=0.004", None)}


def test_json_ld_of_two_trials_is_a_list(client, a_post):
    make_trial_record(post=a_post, name="FIRST")
    make_trial_record(post=a_post, name="SECOND", registry_id="EudraCT 2007-001161-32", position=1)
    about = json_ld(client.get(a_post.get_absolute_url()))["about"]
    assert [t["name"] for t in about] == ["FIRST", "SECOND"]
    assert about[1]["identifier"] == "EudraCT 2007-001161-32"


HOSTILE = "</script><script>window.__xss=1</script><img src=x onerror=alert(1)> p<0·001 & n=202"


def test_hostile_text_is_escaped_once_on_the_page_in_the_feed_and_in_json_ld(client, a_post):
    make_trial_record(
        post=a_post,
        name=HOSTILE[:200],
        masking=HOSTILE,
        funders=HOSTILE,
        notes=HOSTILE,
        source_quote=HOSTILE,
    )
    response = client.get(a_post.get_absolute_url())
    html = response.content.decode()
    assert "<img src=x" not in html and "<script>window.__xss" not in html
    assert "p&lt;0·001 &amp; n=202" in html
    assert json_ld(response)["about"]["name"] == HOSTILE[:200]
    feed = client.get(reverse("blog:feed_atom")).content.decode()
    root = ET.fromstring(feed)
    content = next(el.text for el in root.iter(f"{ATOM}content") if "Evidence" in el.text)
    assert "<img src=x" not in content and "p&lt;0·001 &amp; n=202" in content


# --- sponsor overlap on the page -------------------------------------------------------------
def disclose(post, organisations, relationship=Disclosure.Relationship.CONSULTANCY):
    """Replace the post's disclosures: the new one first, as the publication rule refuses a
    queryset delete that leaves a published post without any (blog.publication_rule)."""
    new = Disclosure.objects.create(
        post=post, person="Wren Ashdown", relationship=relationship, organisations=organisations
    )
    post.disclosures.exclude(pk=new.pk).delete()


def test_a_disclosed_funder_gets_a_plain_notice_in_the_disclosure_box(client, a_post):
    make_trial_record(post=a_post, funders="Genzyme (Sanofi); Bayer Schering Pharma")
    disclose(a_post, "Sanofi S.A., Novartis")
    html = client.get(a_post.get_absolute_url()).content.decode()
    box = html[html.index('<aside class="coi-box"') : html.index("</aside>")]
    assert "Wren Ashdown has received payments from the trial&#x27;s funder: Sanofi." in box


def test_shares_are_a_relationship_not_a_payment(client, a_post):
    make_trial_record(post=a_post, funders="Genzyme (Sanofi)")
    disclose(a_post, "Genzyme", relationship=Disclosure.Relationship.SHARES)
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "Wren Ashdown has declared a relationship with the trial&#x27;s funder: Genzyme." in html


@pytest.mark.parametrize("organisations", ["Genentech", "Bayer", "Sanofi Pasteur", ""])
def test_an_unrelated_funder_shows_no_notice(client, a_post, organisations):
    make_trial_record(post=a_post, funders="Genzyme (Sanofi); Bayer Schering Pharma")
    disclose(a_post, organisations, relationship=Disclosure.Relationship.HONORARIA)
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "coi-sponsor-notice" not in html
    assert "funder:" not in html


def test_nothing_to_disclose_never_matches(client, a_post):
    make_trial_record(post=a_post, funders="Genzyme")
    disclose(a_post, "Genzyme", relationship=Disclosure.Relationship.NONE)
    assert "coi-sponsor-notice" not in client.get(a_post.get_absolute_url()).content.decode()


def test_with_two_trials_the_notice_names_the_trial(client, a_post):
    make_trial_record(post=a_post, name="FIRST", funders="Genzyme")
    make_trial_record(post=a_post, name="SECOND", funders="Roche", position=1)
    disclose(a_post, "Roche")
    html = client.get(a_post.get_absolute_url()).content.decode()
    assert "has received payments from the funder of SECOND: Roche." in html
    assert "funder of FIRST" not in html


@pytest.mark.parametrize("written", ["p=2\u00b71\u00d710\u207b\u2076", "p<1e-20", "P < 0.001"])
def test_a_p_value_is_shown_exactly_as_written(client, a_post, written):
    data = record_data(outcomes=1)
    data["outcomes"][0]["p_value_text"] = written
    record = trial_record_replace(post=a_post, data=data)
    outcome = record.outcomes.get()
    assert outcome.p_value is not None and outcome.p_value < Decimal("0.01")
    page = client.get(a_post.get_absolute_url())
    assert written in strip_tags(page.content.decode()).replace("&lt;", "<")
    observation = json_ld(page)["about"]["outcome"][0]
    assert {"@type": "PropertyValue", "name": "p value", "value": written} in observation[
        "additionalProperty"
    ]


def test_blog_never_imports_trials():
    """trials depends on blog, never the reverse: blog reaches it only through
    blog.extensions, which trials fills from its AppConfig.ready()."""
    import ast
    from pathlib import Path

    blog = Path(__file__).resolve().parents[1] / "blog"
    found = []
    for path in blog.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "trials"]
    assert found == []
    templates = Path(__file__).resolve().parents[1] / "templates" / "blog"
    assert not [p for p in templates.rglob("*.html") if "trials/" in p.read_text()]


@pytest.mark.parametrize(
    ("organisations", "named"),
    [("Genzyme Corporation", "Genzyme"), ("Bayer Schering Pharma AG", "Bayer Schering Pharma")],
)
def test_a_funder_line_typed_as_printed_still_gives_the_notice(
    client, a_post, organisations, named
):
    """The abstract prints "Genzyme (Sanofi) and Bayer Schering Pharma": three funders."""
    make_trial_record(post=a_post, funders="Genzyme (Sanofi) and Bayer Schering Pharma")
    disclose(a_post, organisations)
    response = client.get(a_post.get_absolute_url())
    html = response.content.decode()
    assert f"has received payments from the trial&#x27;s funder: {named}." in html
    sponsors = [s["name"] for s in json_ld(response)["about"]["sponsor"]]
    assert sponsors == ["Genzyme", "Sanofi", "Bayer Schering Pharma"]


# --- wording, row headers and the feed (tryout of issue 12) --------------------------------
def test_arm_names_inside_sentences_are_lower_case_unless_the_author_says_otherwise(client, a_post):
    data = record_data(outcomes=1, harms=0)
    data["arms"][0]["name"] = "IFN beta"  # an acronym keeps its capitals
    data["arms"][1]["sentence_name"] = "Lemtrada"  # a brand name, as the author writes it
    for outcome in data["outcomes"]:
        outcome["results"] = {"IFN beta": outcome["results"]["Placebo"],
                              "Drug X 10 mg": outcome["results"]["Drug X 10 mg"]}  # fmt: skip
    trial_record_replace(post=a_post, data=data)
    html = strip_tags(client.get(a_post.get_absolute_url()).content.decode())
    assert "21 in 100 people with IFN beta, 10 in 100 with Lemtrada, over 1 year." in html
    assert "For every 10 people given Lemtrada rather than IFN beta" in html


def test_a_row_header_holds_the_outcome_name_only(client, a_post):
    """A screen reader repeats the row header at every cell: the name, not its notes."""
    data = record_data(outcomes=1, harms=1)
    data["outcomes"][0].update(category="primary", time_frame="2 years", note="A note.")
    data["harms"][0]["note"] = "Another note."
    trial_record_replace(post=a_post, data=data)
    page = client.get(a_post.get_absolute_url()).content.decode()
    headers = re.findall(r'<th scope="row">(.*?)</th>', page, re.S)
    assert headers == ["Outcome 0", "Harm 0"]
    meta = re.search(r'<td class="trial-row-meta">(.*?)</td>', page, re.S).group(1)
    assert strip_tags(meta) == "Primary, 2 years. Note 1"
    assert 'href="#trial-' in meta


def test_an_outcome_without_a_category_says_it_is_not_stated(client, a_post):
    data = record_data(outcomes=1, harms=0)
    data["outcomes"][0]["category"] = ""
    trial_record_replace(post=a_post, data=data)
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "Not stated as primary or secondary" in page
    assert ">Primary<" not in page


def test_the_plot_says_which_side_favours_which_arm_when_all_rows_agree(client, a_post):
    data = record_data(outcomes=3)  # two risk ratios and a mean difference
    trial_record_replace(post=a_post, data=data)
    page = client.get(a_post.get_absolute_url()).content.decode()
    ratio_plot, difference_plot = re.findall(r"<svg.*?</svg>", page, re.S)
    assert "Favours drug X 10 mg" in ratio_plot and "Favours placebo" in ratio_plot
    assert "Favours" not in difference_plot, "a mean difference's good side is not recorded"


def test_no_favours_caption_when_the_outcomes_point_different_ways(client, a_post):
    data = record_data(outcomes=3)
    data["outcomes"][2]["event_is_good"] = True
    trial_record_replace(post=a_post, data=data)
    page = client.get(a_post.get_absolute_url()).content.decode()
    assert "Favours" not in page


def test_the_feed_puts_the_tables_and_the_sponsor_notice_before_the_comments_link(client, a_post):
    data = record_data(outcomes=1, harms=1, funders="Genzyme (Sanofi) and Bayer")
    data["outcomes"][0]["note"] = "A note."
    trial_record_replace(post=a_post, data=data)
    disclose(a_post, "Genzyme, Sanofi")
    feed = client.get(reverse("blog:feed_atom")).content.decode()
    content = next(
        el.text for el in ET.fromstring(feed).iter(f"{ATOM}content") if "Evidence" in el.text
    )
    disclosures = content[content.index("Conflicts of interest") : content.index("</section>")]
    assert "Wren Ashdown has received payments from the trial&#x27;s funders: Genzyme, Sanofi." in (
        disclosures
    )
    assert "The trial\u2019s funders" in disclosures
    assert content.index("Evidence at a glance") < content.index("Read the comments")
    notes = re.findall(r'href="([^"]*#trial-[^"]*-note-1)"', content)
    assert notes and all(href.startswith(settings.SITE_URL + a_post.get_absolute_url())
                         for href in notes), notes  # fmt: skip
