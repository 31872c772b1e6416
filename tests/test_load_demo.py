"""`manage.py load_demo`: the demo posts from blog/demo/*.md.

A plain run creates what is missing and leaves existing posts alone (admin edits survive
`make run`); `--reset` rewrites them from the files. Both are idempotent.
"""

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
    users = list(
        get_user_model().objects.order_by("pk").values_list("pk", "username", "email", "password")
    )
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
    assert post.source_authors == "Coles AJ; CARE-MS II investigators"
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


def counts():
    return (
        Post.objects.count(),
        Disclosure.objects.count(),
        get_user_model().objects.count(),
        sum(len(p.tags.names()) for p in Post.objects.all()),
    )


@pytest.mark.parametrize("args", [(), ("--reset",)])
def test_a_second_run_changes_nothing_and_duplicates_nothing(args):
    run_load_demo(*args)
    before, counted = snapshot(), counts()

    output = run_load_demo(*args)

    assert snapshot() == before
    assert counts() == counted
    assert "3 posts, 0 created" in output
    assert Post.objects.filter(slug=SLUG).count() == 1


def edit_care_ms_ii_as_an_editor_would():
    post = Post.objects.get(slug=SLUG)
    post.title = "CARE-MS II, edited"
    post.summary = "An editor's better summary."
    post.save()
    post.tags.add("edited")
    post.disclosures.exclude(relationship="principal_investigator").delete()
    return Post.objects.get(pk=post.pk)


def test_a_plain_run_keeps_edits_made_in_the_admin():
    run_load_demo()
    edited = edit_care_ms_ii_as_an_editor_would()
    before, counted = snapshot(), counts()

    output = run_load_demo()

    again = Post.objects.get(slug=SLUG)
    assert again.summary == "An editor's better summary."
    assert again.title == "CARE-MS II, edited"
    assert again.updated_at == edited.updated_at
    assert "edited" in again.tags.names()
    assert again.disclosures.count() == 1
    assert snapshot() == before and counts() == counted
    assert "0 created" in output


def test_a_plain_run_leaves_an_unpublished_demo_post_unpublished():
    run_load_demo()
    Post.objects.filter(slug=SLUG).update(status=Post.Status.DRAFT)

    run_load_demo()

    assert Post.objects.get(slug=SLUG).status == Post.Status.DRAFT


def test_a_plain_run_recreates_only_a_missing_demo_post():
    run_load_demo()
    Post.objects.filter(slug=SLUG).delete()
    others = {p.slug: p.updated_at for p in Post.objects.all()}

    output = run_load_demo()

    assert Post.objects.published().filter(slug=SLUG).exists()
    assert Post.objects.get(slug=SLUG).disclosures.count() == 3
    assert {p.slug: p.updated_at for p in Post.objects.exclude(slug=SLUG)} == others
    assert "3 posts, 1 created" in output


def test_reset_rewrites_an_edited_post_from_its_file_and_keeps_its_id():
    run_load_demo()
    post = edit_care_ms_ii_as_an_editor_would()

    output = run_load_demo("--reset")

    again = Post.objects.get(slug=SLUG)
    assert again.pk == post.pk
    assert again.title == "CARE MS-2: more news on alemtuzumab"
    assert again.summary.startswith("In CARE-MS II, a phase 3 trial")
    assert "edited" not in again.tags.names()
    assert again.disclosures.count() == 3
    assert "3 posts, 1 created or reset" in output


def test_reset_republishes_an_unpublished_demo_post():
    run_load_demo()
    Post.objects.filter(slug=SLUG).update(status=Post.Status.DRAFT)

    run_load_demo("--reset")

    assert Post.objects.published().filter(slug=SLUG).exists()


def test_demo_authors_have_example_addresses_so_moderation_mail_has_a_recipient():
    from comments.models import Comment
    from comments.notifications import recipients_for

    run_load_demo()

    emails = dict(get_user_model().objects.values_list("username", "email"))
    assert emails == {"gavin": "gavin.giovannoni@example.org", "editor": "editors@example.org"}
    post = Post.objects.get(slug=SLUG)
    assert "gavin.giovannoni@example.org" in recipients_for(Comment(post=post))


def test_an_existing_author_without_an_address_gets_one_and_an_address_is_kept():
    make_user(username="gavin", staff=True, email="")
    make_user(username="editor", staff=True, email="chief@trialpress.example")
    run_load_demo()
    # A demo author created before demo authors had addresses, on a later start.
    get_user_model().objects.filter(username="gavin").update(email="")

    run_load_demo()

    emails = dict(get_user_model().objects.values_list("username", "email"))
    assert emails == {"gavin": "gavin.giovannoni@example.org", "editor": "chief@trialpress.example"}


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
