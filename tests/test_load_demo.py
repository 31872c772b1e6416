"""`manage.py load_demo`: the demo posts, loaded idempotently from blog/demo/*.md."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from blog.demo_loader import FrontMatterError, load_demo, parse_front_matter
from blog.models import Disclosure, Post
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SLUG = "care-ms-2-more-news-on-alemtuzumab"


def run_load_demo(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Every row the loader writes, including updated_at, as comparable tuples."""
    posts = [
        (p.pk, p.slug, p.updated_at, p.status, p.published_at, p.body, sorted(p.tags.names()))
        for p in Post.objects.order_by("pk")
    ]
    disclosures = list(
        Disclosure.objects.order_by("pk").values_list(
            "pk", "post_id", "person", "relationship", "organisations", "statement", "position"
        )
    )
    users = list(get_user_model().objects.order_by("pk").values_list("pk", "username", "password"))
    return posts, disclosures, users


def test_load_demo_publishes_the_care_ms_ii_post():
    output = run_load_demo()

    post = Post.objects.get(slug=SLUG)
    assert post.title == "CARE MS-2: more news on alemtuzumab"
    assert post.is_published
    assert post.published_at == datetime(2012, 11, 2, 9, 0, tzinfo=UTC)
    assert post.doi == "10.1016/S0140-6736(12)61768-1"
    assert post.trial_registration == "NCT00548405"
    assert post.source_journal == "The Lancet"
    assert post.source_authors == "Cole et al."
    assert post.source_date.isoformat() == "2012-11-01"
    assert post.source_title == (
        "Alemtuzumab for patients with relapsing multiple sclerosis after disease-modifying "
        "therapy: a randomised controlled phase 3 trial"
    )
    assert post.source_citation.startswith("Cole et al. Alemtuzumab for patients")
    assert sorted(post.tags.names()) == sorted(
        [
            "multiple sclerosis",
            "alemtuzumab",
            "phase 3 trial",
            "relapsing-remitting MS",
            "disease-modifying therapy",
        ]
    )
    assert "CARE MS-2: more news on alemtuzumab" in output


def test_the_care_ms_ii_disclosures_are_the_authors_own():
    run_load_demo()
    post = Post.objects.get(slug=SLUG)

    rows = list(post.disclosures.values_list("person", "relationship", "organisations"))
    assert rows == [
        ("Gavin Giovannoni", Disclosure.Relationship.PRINCIPAL_INVESTIGATOR, "Barts Health"),
        ("Gavin Giovannoni", Disclosure.Relationship.CONSULTANCY, "Genzyme, Sanofi"),
        ("Gavin Giovannoni", Disclosure.Relationship.HONORARIA, "Genzyme, Sanofi"),
    ]
    assert post.disclosures.first().statement == (
        "I am the principal investigator on this study at Barts Health and have received "
        "consultancy and honorarium payments from Genzyme and Sanofi, in relation to alemtuzumab."
    )


def test_the_demo_author_is_a_staff_user_without_a_usable_password():
    run_load_demo()

    gavin = Post.objects.get(slug=SLUG).author
    assert gavin.username == "gavin"
    assert gavin.get_full_name() == "Gavin Giovannoni"
    assert gavin.is_staff and not gavin.is_superuser
    assert not gavin.has_usable_password()


def test_an_existing_author_keeps_their_password():
    make_user(username="gavin", staff=True, password="their-own-password")

    run_load_demo()

    gavin = get_user_model().objects.get(username="gavin")
    assert gavin.check_password("their-own-password")
    assert Post.objects.get(slug=SLUG).author == gavin


def test_a_second_run_changes_nothing_and_duplicates_nothing():
    run_load_demo()
    before = snapshot()

    output = run_load_demo()

    assert snapshot() == before
    assert "0 created or updated" in output
    assert Post.objects.filter(slug=SLUG).count() == 1


def test_a_run_repairs_a_post_edited_since_and_keeps_its_id():
    run_load_demo()
    post = Post.objects.get(slug=SLUG)
    post.title = "Vandalised"
    post.save()
    post.tags.add("spam")
    post.disclosures.exclude(relationship="principal_investigator").delete()

    run_load_demo()

    again = Post.objects.get(slug=SLUG)
    assert again.pk == post.pk
    assert again.title == "CARE MS-2: more news on alemtuzumab"
    assert "spam" not in again.tags.names()
    assert again.disclosures.count() == 3


def test_a_run_republishes_an_unpublished_demo_post():
    run_load_demo()
    Post.objects.filter(slug=SLUG).update(status=Post.Status.DRAFT)

    run_load_demo()

    assert Post.objects.published().filter(slug=SLUG).exists()


def test_every_demo_post_is_published_with_a_disclosure():
    results = load_demo()

    assert len(results) >= 2
    for post, _changed in results:
        assert post.is_published
        assert post.disclosures.exists()


def test_front_matter_keeps_colons_in_values_and_collects_disclosures():
    meta, body = parse_front_matter(
        "---\n"
        "title: CARE MS-2: more news\n"
        "disclosure:\n"
        "  person: A\n"
        "  relationship: none\n"
        "disclosure:\n"
        "  person: B\n"
        "  relationship: other\n"
        "---\n"
        "Body with p<0·0001 and a --- rule.\n"
    )
    assert meta["title"] == "CARE MS-2: more news"
    assert meta["disclosure"] == [
        {"person": "A", "relationship": "none"},
        {"person": "B", "relationship": "other"},
    ]
    assert body == "Body with p<0·0001 and a --- rule.\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter\n", "must start"),
        ("---\ntitle: x\n", "closing"),
        ("---\njust words\n---\n", "key: value"),
        ("---\n  person: A\n---\n", "outside an entry"),
        ("---\ntitle: a\ntitle: b\n---\n", "twice"),
        ("---\ndisclosure: inline\n---\n", "indented"),
    ],
)
def test_malformed_front_matter_names_the_problem(text, message):
    with pytest.raises(FrontMatterError, match=message):
        parse_front_matter(text, name="bad.md")


def test_a_bad_demo_file_stops_the_command_with_its_name(tmp_path):
    (tmp_path / "broken.md").write_text(
        "---\ntitle: T\nslug: t\nauthor: gavin\npublished_at: 2012-11-02 09:00\n---\nBody\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"broken\.md.*time zone"):
        run_load_demo("--directory", str(tmp_path))
    assert not Post.objects.exists()


def test_a_published_demo_file_without_disclosure_is_refused(tmp_path):
    (tmp_path / "undisclosed.md").write_text(
        "---\ntitle: T\nslug: t\nauthor: gavin\nstatus: published\n"
        "published_at: 2012-11-02T09:00:00Z\n---\nBody\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="disclosure"):
        run_load_demo("--directory", str(tmp_path))
    assert not Post.objects.exists()
