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
# The source does not name its author; the demo attributes the post as the source does.
AUTHOR = "The trial's principal investigator at Barts Health"


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
        (AUTHOR, Disclosure.Relationship.PRINCIPAL_INVESTIGATOR, "Barts Health"),
        (AUTHOR, Disclosure.Relationship.CONSULTANCY, "Genzyme, Sanofi"),
        (AUTHOR, Disclosure.Relationship.HONORARIA, "Genzyme, Sanofi"),
    ]
    assert post.disclosures.first().statement == (
        "I am the principal investigator on this study at Barts Health and have received "
        "consultancy and honorarium payments from Genzyme and Sanofi, in relation to alemtuzumab."
    )


def test_the_demo_author_is_a_staff_user_without_a_usable_password():
    run_load_demo()

    author = Post.objects.get(slug=SLUG).author
    assert author.username == "barts-pi"
    assert author.get_full_name() == AUTHOR
    assert (author.first_name, author.last_name) == (AUTHOR, "")
    assert author.is_staff and not author.is_superuser
    assert not author.has_usable_password()


def test_an_existing_author_keeps_their_password():
    make_user(username="barts-pi", staff=True, password="their-own-password")

    run_load_demo()

    author = get_user_model().objects.get(username="barts-pi")
    assert author.check_password("their-own-password")
    assert Post.objects.get(slug=SLUG).author == author


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


# --------------------------------------------------------------------------- old installs


def an_old_install(tmp_path):
    """The demo as versions before this one loaded it: the post and its three disclosures
    attributed to a named person (the source names nobody), written by the "gavin" account."""
    from blog.demo_loader import DEMO_DIR

    old = (DEMO_DIR / "care-ms-ii.md").read_text(encoding="utf-8")
    old = old.replace("author: barts-pi", "author: gavin")
    old = old.replace("author_email: barts-pi@example.org", "author_email: old-demo@example.org")
    old = old.replace(AUTHOR, OLD_NAME)
    (tmp_path / "care-ms-ii.md").write_text(old, encoding="utf-8")
    run_load_demo("--directory", str(tmp_path))
    post = Post.objects.get(slug=SLUG)
    assert post.author.username == "gavin" and post.author.get_full_name() == OLD_NAME
    assert set(post.disclosures.values_list("person", flat=True)) == {OLD_NAME}
    return post


OLD_NAME = "A Named Person"


def test_reset_brings_an_old_install_to_the_new_attribution(tmp_path):
    from comments.models import Comment

    old = an_old_install(tmp_path)
    comment = Comment.objects.create(
        post=old, name="Reader", email="r@example.org", body="Thanks.", status="approved"
    )

    output = run_load_demo("--reset")

    post = Post.objects.get(slug=SLUG)
    assert post.pk == old.pk
    assert post.author.pk == old.author.pk  # the account is renamed, not replaced
    assert post.author.username == "barts-pi"
    assert post.author.get_full_name() == AUTHOR
    assert post.author.email == "barts-pi@example.org"
    assert set(post.disclosures.values_list("person", flat=True)) == {AUTHOR}
    assert not get_user_model().objects.filter(username="gavin").exists()
    assert not get_user_model().objects.filter(first_name__contains="Named").exists()
    assert Comment.objects.filter(pk=comment.pk, post=post).exists()
    assert f"Loaded: {post.title}" in output


def test_a_plain_run_leaves_an_old_install_as_it_was(tmp_path):
    an_old_install(tmp_path)

    run_load_demo()

    assert Post.objects.get(slug=SLUG).author.username == "gavin"


def test_reset_leaves_a_real_account_with_the_old_username_alone(tmp_path):
    """A "gavin" someone signs in with is a person's account: the post moves to the demo
    account, the person keeps theirs."""
    old = an_old_install(tmp_path)
    person = old.author
    person.set_password("their-own-password")
    person.save()

    run_load_demo("--reset")

    person.refresh_from_db()
    assert person.username == "gavin" and person.check_password("their-own-password")
    assert person.get_full_name() == OLD_NAME
    post = Post.objects.get(slug=SLUG)
    assert post.author.username == "barts-pi" and post.author.get_full_name() == AUTHOR


def test_reset_keeps_an_address_an_operator_gave_a_demo_account():
    make_user(username="editor", staff=True, email="chief@trialpress.example", password=None)
    get_user_model().objects.filter(username="editor").update(first_name="Old", last_name="Name")

    run_load_demo("--reset")

    editor = get_user_model().objects.get(username="editor")
    assert editor.email == "chief@trialpress.example"
    assert editor.get_full_name() == "Trialpress Editors"


# --------------------------------------------------------------------------- dates


def test_a_loaded_demo_post_was_last_modified_when_it_was_published():
    run_load_demo()

    for post in Post.objects.all():
        assert post.updated_at == post.published_at, post.slug


def test_a_reset_post_was_last_modified_when_it_was_published():
    run_load_demo()
    edit_care_ms_ii_as_an_editor_would()
    assert Post.objects.get(slug=SLUG).updated_at > Post.objects.get(slug=SLUG).published_at

    run_load_demo("--reset")

    post = Post.objects.get(slug=SLUG)
    assert post.updated_at == post.published_at


def test_an_edit_after_loading_moves_the_modified_date():
    run_load_demo()

    edited = edit_care_ms_ii_as_an_editor_would()

    assert edited.updated_at > edited.published_at


def test_demo_authors_have_example_addresses_so_moderation_mail_has_a_recipient():
    from comments.models import Comment
    from comments.notifications import recipients_for

    run_load_demo()

    emails = dict(get_user_model().objects.values_list("username", "email"))
    assert emails == {"barts-pi": "barts-pi@example.org", "editor": "editors@example.org"}
    post = Post.objects.get(slug=SLUG)
    assert "barts-pi@example.org" in recipients_for(Comment(post=post))


def test_an_existing_author_without_an_address_gets_one_and_an_address_is_kept():
    make_user(username="barts-pi", staff=True, email="")
    make_user(username="editor", staff=True, email="chief@trialpress.example")
    run_load_demo()
    # A demo author created before demo authors had addresses, on a later start.
    get_user_model().objects.filter(username="barts-pi").update(email="")

    run_load_demo()

    emails = dict(get_user_model().objects.values_list("username", "email"))
    assert emails == {"barts-pi": "barts-pi@example.org", "editor": "chief@trialpress.example"}


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
        "---\ntitle: T\nslug: t\nauthor: someone\npublished_at: 2012-11-02 09:00\n---\nBody\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"broken\.md.*time zone"):
        run_load_demo("--directory", str(tmp_path))
    assert not Post.objects.exists()


def test_a_published_demo_file_without_disclosure_is_refused(tmp_path):
    (tmp_path / "undisclosed.md").write_text(
        "---\ntitle: T\nslug: t\nauthor: someone\nstatus: published\n"
        "published_at: 2012-11-02T09:00:00Z\n---\nBody\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="disclosure"):
        run_load_demo("--directory", str(tmp_path))
    assert not Post.objects.exists()
