"""Writing posts in the admin, and the publication rule on the admin's pages."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Disclosure, Post
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_post_add")
CHANGELIST_URL = reverse("admin:blog_post_changelist")
NO_DISCLOSURE = "cannot be published without at least one"


@pytest.fixture
def admin_client(client, a_superuser):
    client.force_login(a_superuser)
    return client


def disclosure_rows(rows, *, initial=0):
    data = {
        "disclosures-TOTAL_FORMS": str(len(rows)),
        "disclosures-INITIAL_FORMS": str(initial),
        "disclosures-MIN_NUM_FORMS": "0",
        "disclosures-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"disclosures-{i}-{key}"] = value
    return data


def post_data(*, disclosures=(), initial=0, **fields):
    when = fields.pop("published_at", timezone.now() - timedelta(hours=1))
    local = timezone.localtime(when)
    data = {
        "title": "CARE MS-2: more news on alemtuzumab",
        "slug": "care-ms-2",
        "summary": "Alemtuzumab versus interferon beta 1a.",
        "body": "Relapses fell (p<0·0001).",
        "tags": "multiple sclerosis, alemtuzumab",
        "status": "published",
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "comments_open": "on",
        "source_citation": "",
        "source_title": "",
        "source_authors": "",
        "source_journal": "",
        "source_date": "",
        "doi": "10.1016/S0140-6736(12)61768-1",
        "trial_registration": "NCT00548405",
        "_save": "Save",
        **fields,
    }
    data.update(disclosure_rows(list(disclosures), initial=initial))
    return data


PI = {
    "person": "Wren Ashdown",
    "relationship": "principal_investigator",
    "organisations": "Barts Health",
    "statement": "I am the principal investigator on this study at Barts Health.",
    "position": "0",
}
NOTHING = {"person": "Wren Ashdown", "relationship": "none", "position": "0"}
EMPTY_EXTRA = {
    "person": "",
    "relationship": "",
    "organisations": "",
    "statement": "",
    "position": "0",
}


def existing_rows(post, *, delete=()):
    rows = []
    for d in post.disclosures.all():
        row = {
            "id": str(d.pk),
            "post": str(post.pk),
            "person": d.person,
            "relationship": d.relationship,
            "organisations": d.organisations,
            "statement": d.statement,
            "position": str(d.position),
        }
        if d.pk in delete:
            row["DELETE"] = "on"
        rows.append(row)
    return rows


def change_data(post, *, rows, **fields):
    current = {
        "title": post.title,
        "slug": post.slug,
        "summary": post.summary,
        "body": post.body,
        "tags": ", ".join(post.tags.names()),
        "status": post.status,
        "published_at": post.published_at,
        "doi": post.doi,
        "trial_registration": post.trial_registration,
    }
    return post_data(disclosures=rows, initial=post.disclosures.count(), **{**current, **fields})


def change_url(post):
    return reverse("admin:blog_post_change", args=[post.pk])


# What the browser sends back for the add page's untouched extra row: the person is
# prefilled with the logged-in author (the a_superuser fixture has no full name).
UNTOUCHED_EXTRA = {**EMPTY_EXTRA, "person": "admin"}


def counts():
    return Post.objects.count(), Disclosure.objects.count()


# --- add --------------------------------------------------------------------------------


def test_adding_a_post_with_a_disclosure_publishes_it(admin_client, a_superuser):
    response = admin_client.post(ADD_URL, post_data(disclosures=[PI, EMPTY_EXTRA]))

    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="care-ms-2")
    assert post.is_published
    assert post.author == a_superuser
    assert sorted(post.tags.names()) == ["alemtuzumab", "multiple sclerosis"]
    assert list(post.disclosures.values_list("relationship", flat=True)) == [
        "principal_investigator"
    ]
    assert post in Post.objects.published()


def test_adding_a_published_post_without_a_disclosure_saves_nothing(admin_client):
    before = counts()

    response = admin_client.post(ADD_URL, post_data(disclosures=[UNTOUCHED_EXTRA]))

    assert response.status_code == 200
    page = response.content.decode()
    assert NO_DISCLOSURE in page
    assert "Add at least one disclosure before publishing" in page
    assert counts() == before


def test_a_disclosure_marked_for_deletion_does_not_count_on_add(admin_client):
    before = counts()

    response = admin_client.post(ADD_URL, post_data(disclosures=[{**PI, "DELETE": "on"}]))

    assert response.status_code == 200
    assert NO_DISCLOSURE in response.content.decode()
    assert counts() == before


def test_a_draft_may_be_saved_without_a_disclosure(admin_client):
    response = admin_client.post(ADD_URL, post_data(status="draft", disclosures=[UNTOUCHED_EXTRA]))

    assert response.status_code == 302
    assert Post.objects.get(slug="care-ms-2").status == Post.Status.DRAFT


def test_an_invalid_disclosure_row_saves_nothing_and_says_why(admin_client):
    before = counts()
    row = {**PI, "relationship": "consultancy", "organisations": "", "statement": ""}

    response = admin_client.post(ADD_URL, post_data(disclosures=[row]))

    assert response.status_code == 200
    assert "Name the organisations concerned, or write the statement." in (
        response.content.decode()
    )
    assert counts() == before


def test_nothing_to_disclose_cannot_sit_beside_other_relationships(admin_client):
    before = counts()

    response = admin_client.post(ADD_URL, post_data(disclosures=[PI, NOTHING]))

    assert response.status_code == 200
    assert "Wren Ashdown is listed both with" in response.content.decode()
    assert counts() == before


def test_nothing_to_disclose_for_one_person_and_a_relationship_for_another_is_fine(
    admin_client,
):
    other = {**NOTHING, "person": "A. Co-author"}

    response = admin_client.post(ADD_URL, post_data(disclosures=[PI, other]))

    assert response.status_code == 302
    assert Post.objects.get(slug="care-ms-2").disclosures.count() == 2


def test_an_empty_slug_is_made_from_the_title(admin_client):
    response = admin_client.post(ADD_URL, post_data(slug="", disclosures=[NOTHING]))

    assert response.status_code == 302
    assert Post.objects.filter(slug="care-ms-2-more-news-on-alemtuzumab").exists()


@pytest.mark.parametrize("title", ["<>!?", "\U0001f9e0\U0001f48a"])
def test_a_title_without_letters_and_no_slug_still_gets_an_address(admin_client, client, title):
    response = admin_client.post(ADD_URL, post_data(title=title, slug="", disclosures=[NOTHING]))

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.slug == "post"
    assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Σκλήρυνση κατά πλάκας", "σκλήρυνση-κατά-πλάκας"),
        ("多发性硬化 试验", "多发性硬化-试验"),
        ("Ménière's disease", "ménières-disease"),
    ],
)
def test_a_title_in_any_script_makes_a_slug_in_that_script(admin_client, client, title, slug):
    response = admin_client.post(ADD_URL, post_data(title=title, slug="", disclosures=[NOTHING]))

    assert response.status_code == 302
    post = Post.objects.get(slug=slug)
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    assert post.get_absolute_url().isascii()  # percent-encoded by reverse()
    html = page.content.decode()
    assert f'rel="canonical" href="http://testserver{post.get_absolute_url()}"' in html
    assert f'property="og:url" content="http://testserver{post.get_absolute_url()}"' in html


def test_the_slug_field_keeps_letters_of_every_script_when_prepopulated(admin_client):
    from html import unescape

    html = unescape(admin_client.get(ADD_URL).content.decode())
    assert '"name": "slug"' in html
    assert '"allowUnicode": true' in html


def test_a_typed_slug_is_made_into_a_slug_not_refused(admin_client):
    response = admin_client.post(
        ADD_URL, post_data(slug="  Sjögren Syndrome: a review! ", disclosures=[NOTHING])
    )

    assert response.status_code == 302
    assert Post.objects.get().slug == "sjögren-syndrome-a-review"


def test_a_taken_slug_gets_a_silent_suffix_even_from_an_unseen_draft(client, an_author):
    from django.contrib.auth.models import Group

    other = make_user(username="otto", staff=True)
    other.groups.add(Group.objects.get(name="Authors"))
    make_post(author=other, slug="secret-trial", status=Post.Status.DRAFT)
    client.force_login(an_author)

    first = client.post(ADD_URL, post_data(slug="secret-trial", disclosures=[NOTHING]))
    second = client.post(ADD_URL, post_data(slug="secret-trial", disclosures=[NOTHING]))

    assert first.status_code == second.status_code == 302
    mine = Post.objects.filter(author=an_author).order_by("pk")
    assert [post.slug for post in mine] == ["secret-trial-2", "secret-trial-3"]


def test_saving_a_post_unchanged_keeps_its_slug(admin_client, a_post):
    slug = a_post.slug
    data = change_data(a_post, rows=existing_rows(a_post))

    assert admin_client.post(change_url(a_post), data).status_code == 302
    a_post.refresh_from_db()
    assert a_post.slug == slug


@pytest.mark.parametrize("day", ["0999-06-15", "1899-12-31", "3000-01-01"])
def test_a_publish_date_outside_1900_to_2999_is_a_clear_error(admin_client, day):
    data = post_data(disclosures=[NOTHING])
    data["published_at_0"] = day

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Enter a date between the years 1900 and 2999." in response.content.decode()
    assert not Post.objects.exists()


def test_labels_are_shown_comma_separated_without_quotes(admin_client, a_post):
    a_post.tags.set(["multiple sclerosis", "ms", "Sjögren syndrome"])

    html = admin_client.get(change_url(a_post)).content.decode()

    assert 'value="ms, multiple sclerosis, Sjögren syndrome"' in html
    assert "&quot;" not in html[html.index('name="tags"') - 300 : html.index('name="tags"') + 300]
    assert "Separate labels with commas" in html


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("multiple sclerosis, alemtuzumab", ["alemtuzumab", "multiple sclerosis"]),
        ('"multiple sclerosis", alemtuzumab', ["alemtuzumab", "multiple sclerosis"]),
        ("multiple sclerosis", ["multiple sclerosis"]),
        ('"Crohn\'s, ulcerative colitis", IBD', ["Crohn's, ulcerative colitis", "IBD"]),
        ("MS, ms, Ms", ["MS"]),
        (" , ,", []),
    ],
)
def test_labels_typed_with_commas_and_optional_quotes(admin_client, typed, names):
    response = admin_client.post(ADD_URL, post_data(tags=typed, disclosures=[NOTHING]))

    assert response.status_code == 302
    assert sorted(Post.objects.get().tags.names()) == names


def test_the_labels_field_round_trips(admin_client, a_post):
    a_post.tags.set(["multiple sclerosis", "Crohn's, ulcerative colitis", "ms-2"])
    before = sorted(a_post.tags.names())

    response = admin_client.post(change_url(a_post), change_data_from_page(admin_client, a_post))

    assert response.status_code == 302
    assert sorted(a_post.tags.names()) == before


def change_data_from_page(browser, post):
    html = browser.get(change_url(post)).content.decode()
    shown = re.search(r'name="tags" value="([^"]*)"', html).group(1)
    from html import unescape

    return change_data(post, rows=existing_rows(post), tags=unescape(shown))


def test_a_label_too_long_is_a_clear_error(admin_client):
    response = admin_client.post(ADD_URL, post_data(tags="x" * 101, disclosures=[NOTHING]))

    assert response.status_code == 200
    assert "A label can have at most 100 characters" in response.content.decode()
    assert not Post.objects.exists()


def test_a_forged_form_count_is_harmless(admin_client):
    data = post_data(disclosures=[PI])
    data["disclosures-TOTAL_FORMS"] = "999999999"

    started = time.monotonic()
    response = admin_client.post(ADD_URL, data)

    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert "Please submit at most 30 forms." in response.content.decode()
    assert not Post.objects.exists()


def test_the_add_page_offers_the_author_as_the_first_person(admin_client):
    response = admin_client.get(ADD_URL)

    page = response.content.decode()
    person = re.search(r'<input[^>]*name="disclosures-0-person"[^>]*>', page).group(0)
    assert 'value="admin"' in person
    assert "Nothing to disclose" in page
    assert "Source" in page
    assert 'class="post-body-source' in page


# --- change -----------------------------------------------------------------------------


def test_removing_the_last_disclosure_of_a_published_post_is_refused(admin_client, a_post):
    only = a_post.disclosures.get()
    data = change_data(a_post, rows=existing_rows(a_post, delete={only.pk}), title="Changed")

    response = admin_client.post(change_url(a_post), data)

    assert response.status_code == 200
    assert NO_DISCLOSURE in response.content.decode()
    a_post.refresh_from_db()
    assert a_post.title == "A published write-up"
    assert a_post.disclosures.filter(pk=only.pk).exists()


def test_removing_one_of_two_disclosures_is_allowed(admin_client, a_post):
    keep = a_post.disclosures.get()
    extra = Disclosure.objects.create(
        post=a_post, person="A. Co-author", relationship="none", position=1
    )

    data = change_data(
        a_post,
        rows=existing_rows(a_post, delete={extra.pk}),
        change_kind="disclosures",
        change_note="A. Co-author was listed by mistake.",
    )
    response = admin_client.post(change_url(a_post), data)

    assert response.status_code == 302
    assert list(a_post.disclosures.all()) == [keep]


def test_the_author_cannot_be_changed_through_the_form(admin_client, a_post, an_author):
    intruder = make_user(username="intruder", staff=True)
    data = change_data(a_post, rows=existing_rows(a_post), author=str(intruder.pk))

    response = admin_client.post(change_url(a_post), data)

    assert response.status_code == 302
    a_post.refresh_from_db()
    assert a_post.author == an_author


def test_the_change_page_previews_the_sanitised_body(admin_client, an_author):
    post = make_post(author=an_author, body="**Bold** <script>alert(1)</script>")

    page = admin_client.get(change_url(post)).content.decode()

    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'class="post-preview"' in page
    assert "View on site" in page


# --- changelist and actions ------------------------------------------------------------


def test_the_changelist_shows_scheduled_posts_as_scheduled(
    admin_client, a_scheduled_post, a_post, a_draft
):
    page = admin_client.get(CHANGELIST_URL).content.decode()

    rows = {
        title: row_for(page, title)
        for title in ("A scheduled write-up", "A published write-up", "A draft write-up")
    }
    assert "Scheduled" in rows["A scheduled write-up"]
    assert "Published" in rows["A published write-up"]
    assert "Draft" in rows["A draft write-up"]
    assert "neurology" in rows["A published write-up"]


def row_for(page, title):
    """The changelist table row that shows ``title``."""
    rows = [row for row in page.split("<tr")[1:] if f">{title}</a>" in row]
    assert len(rows) == 1, title
    return rows[0].split("</tr>")[0]


def changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_changelist_query_count_does_not_grow_with_posts(
    admin_client, an_author, django_assert_max_num_queries
):
    """At most 10: session user, label filter choices, two counts, the page of posts with
    their authors, their labels (one prefetch), the date hierarchy's range and its days,
    with room for the session and a savepoint."""
    make_post(author=an_author, labels=["a", "b"])
    one = changelist_queries(admin_client)

    for i in range(19):
        make_post(author=make_user(username=f"writer{i}", staff=True), labels=["a", f"l{i}"])
    twenty = changelist_queries(admin_client)
    with django_assert_max_num_queries(10):
        admin_client.get(CHANGELIST_URL)

    assert twenty == one


def test_the_changelist_searches_titles_and_bodies(admin_client, an_author):
    make_post(author=an_author, title="Alemtuzumab", body="CARE-MS II")
    make_post(author=an_author, title="Natalizumab", body="AFFIRM")

    page = admin_client.get(CHANGELIST_URL, {"q": "AFFIRM"}).content.decode()

    assert "Natalizumab" in page
    assert "Alemtuzumab" not in page


def test_the_publish_action_refuses_a_post_without_a_disclosure(admin_client, an_author):
    bare = make_post(author=an_author, title="Undisclosed", status="draft", disclosure=False)
    ready = make_post(author=an_author, title="Disclosed", status="draft")

    response = admin_client.post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [bare.pk, ready.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Undisclosed" in page and "was not published" in page
    assert "1 post was published." in page
    bare.refresh_from_db()
    ready.refresh_from_db()
    assert bare.status == Post.Status.DRAFT
    assert ready.status == Post.Status.PUBLISHED


def test_the_unpublish_action_returns_posts_to_draft(admin_client, a_post):
    response = admin_client.post(
        CHANGELIST_URL,
        {"action": "unpublish_selected", "_selected_action": [a_post.pk]},
        follow=True,
    )

    assert "1 post was returned to draft." in response.content.decode()
    a_post.refresh_from_db()
    assert a_post.status == Post.Status.DRAFT


def test_staff_without_permission_cannot_reach_the_post_admin(client):
    client.force_login(make_user(username="visitor", staff=True))

    assert client.get(ADD_URL).status_code == 403


def test_a_draft_can_be_published_with_a_disclosure_added_in_the_same_save(admin_client, an_author):
    draft = make_post(author=an_author, status="draft", disclosure=False)
    data = change_data(draft, rows=[PI], status="published")
    data["disclosures-INITIAL_FORMS"] = "0"

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.disclosures.get().relationship == "principal_investigator"
