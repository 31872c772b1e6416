"""--publish-with-disclosure and --disclosure-relationship (issue 17 tryout 5)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Disclosure, Post
from imports.pipeline import import_parsed
from tests.test_import_pipeline import item, wxr


@pytest.mark.django_db
def test_the_default_relationship_is_other():
    import_parsed(wxr(item()), publish_with_disclosure="Paid by X.")
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED
    assert [(d.relationship, d.statement) for d in post.disclosures.all()] == [
        ("other", "Paid by X.")
    ]


@pytest.mark.django_db
def test_nothing_to_disclose_is_recorded_as_such():
    import_parsed(
        wxr(item()),
        publish_with_disclosure="I have no conflicts of interest.",
        disclosure_relationship=Disclosure.Relationship.NONE,
    )
    disclosure = Post.objects.get().disclosures.get()
    assert disclosure.relationship == Disclosure.Relationship.NONE
    assert disclosure.get_relationship_display() == "Nothing to disclose"


@pytest.mark.django_db
def test_a_different_text_on_a_second_run_is_reported_not_applied():
    import_parsed(wxr(item(title="Once")), publish_with_disclosure="First text.")
    same = import_parsed(wxr(item(title="Once")), publish_with_disclosure="First text.")
    assert not [line for line in same.lines if "not applied" in line]
    report = import_parsed(wxr(item(title="Once")), publish_with_disclosure="Second text.")
    assert Post.objects.get().disclosures.get().statement == "First text."
    assert any(
        line.startswith(
            "post \u201cOnce\u201d already has a disclosure (from an earlier import or an editor)"
        )
        and "not applied" in line
        for line in report.lines
    )


def test_the_command_offers_only_known_relationships(tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_wxr", str(tmp_path / "x.xml"), "--disclosure-relationship", "bribe")
