"""ORCID iDs: the ISO 7064 MOD 11-2 check character, the usual spellings, clear refusals."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from authors.orcid import check_character, normalise, validate_orcid

# Published examples: ORCID's own test record (Josiah Carberry) and iDs from ORCID's
# documentation, one of them ending in X.
VALID = ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"]


@pytest.mark.parametrize("orcid", VALID)
def test_valid_ids_pass(orcid):
    validate_orcid(orcid)
    assert normalise(orcid) == f"https://orcid.org/{orcid}"
    assert normalise(normalise(orcid)) == normalise(orcid)


JOSIAH = "https://orcid.org/0000-0002-1825-0097"
X_ID = "https://orcid.org/0000-0002-1694-233X"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://orcid.org/0000-0002-1825-0097", JOSIAH),
        ("http://www.orcid.org/0000-0002-1825-0097", JOSIAH),
        ("orcid.org/0000-0002-1694-233x", X_ID),
        ("0000000218250097", JOSIAH),
        (" 0000 0002 1825 0097 ", JOSIAH),
        ("0000\u20110002\u20111825\u20110097", JOSIAH),  # non-breaking hyphens
        # The tryout's spellings (issue 14, finding 4):
        ("http://orcid.org/0000-0002-1825-0097/", JOSIAH),
        ("HTTPS://ORCID.ORG/0000-0002-1694-233X/", X_ID),
        ("https://orcid.org/0000-0002-1694-233x", X_ID),
        ("orcid.org/0000 0002 1825 0097", JOSIAH),
        ("www.orcid.org/0000-0002-1825-0097/ ", JOSIAH),
        ("0000 - 0002 - 1694 - 233 X", X_ID),
    ],
)
def test_usual_spellings_are_stored_in_one_form(typed, stored):
    validate_orcid(typed)
    assert normalise(typed) == stored


@pytest.mark.parametrize(
    ("orcid", "code"),
    [
        ("0000-0002-1825-0098", "checksum"),  # last digit wrong
        ("0000-0002-1825-0079", "checksum"),  # two digits swapped
        ("0000-0002-1852-0097", "checksum"),
        ("1000-0002-1825-0097", "checksum"),
        ("0000-0002-1694-2330", "checksum"),  # X written as 0
        ("0000-0002-1825-009", "shape"),
        ("0000-0002-1825-00977", "shape"),
        ("X000-0002-1825-0097", "shape"),
        ("abcd-efgh-ijkl-mnop", "shape"),
        ("https://example.org/0000-0002-1825-0097", "shape"),
        ("0000-0002-1825-0097<script>", "shape"),
        ("https://orcid.org/0000-0002-1825-0097/works", "shape"),
        ("https://orcid.org//0000-0002-1825-0098/", "shape"),
        ("http://orcid.org/0000-0002-1825-0098/", "checksum"),
    ],
)
def test_wrong_ids_are_refused_with_a_reason(orcid, code):
    with pytest.raises(ValidationError) as error:
        validate_orcid(orcid)
    assert error.value.code == code


def test_the_check_character_is_iso_7064_mod_11_2():
    assert check_character("000000021825009") == "7"
    assert check_character("000000021694233") == "X"


@given(st.text(st.characters(min_codepoint=48, max_codepoint=57), min_size=15, max_size=15))
def test_exactly_one_check_character_fits_any_fifteen_digits(digits):
    good = check_character(digits)
    validate_orcid(digits + good)
    for other in "0123456789X":
        if other != good:
            with pytest.raises(ValidationError):
                validate_orcid(digits + other)


@given(st.text(min_size=0, max_size=40))
def test_any_text_is_accepted_or_refused_never_an_error(text):
    with contextlib.suppress(ValidationError):
        validate_orcid(text)


# --- the model and the admin form (issue 14, tryout finding 4) -------------------------------


def _only_error(error, field="orcid"):
    messages = error.message_dict[field]
    assert len(messages) == 1, messages
    return messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("http://orcid.org/0000-0002-1825-0098/", "does not match the others"),
        ("https://orcid.org/" + "0" * 60, "Enter an ORCID iD"),
        ("not an id at all, and quite long " * 3, "Enter an ORCID iD"),
    ],
)
def test_a_wrong_id_gets_one_clear_message_from_the_model(an_author, typed, message):
    from authors.services import author_profile_ensure, author_profile_save

    profile = author_profile_ensure(user=an_author)
    profile.orcid = typed
    with pytest.raises(ValidationError) as error:
        author_profile_save(profile=profile)
    assert message in _only_error(error.value)


@pytest.mark.django_db
def test_the_model_stores_the_address(an_author):
    from authors.models import AuthorProfile
    from authors.services import author_profile_ensure, author_profile_save

    profile = author_profile_ensure(user=an_author)
    profile.orcid = "http://orcid.org/0000-0002-1694-233x/"
    author_profile_save(profile=profile)
    assert AuthorProfile.objects.get(pk=profile.pk).orcid == X_ID


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored", "message"),
    [
        ("http://orcid.org/0000-0002-1825-0097/", JOSIAH, None),
        ("orcid.org/0000-0002-1694-233x", X_ID, None),
        ("0000 0002 1825 0097", JOSIAH, None),
        ("http://orcid.org/0000-0002-1825-0098/", "", "does not match the others"),
        ("https://orcid.org/0000-0002-1825-00977/", "", "Enter an ORCID iD"),
    ],
)
def test_the_admin_form_accepts_every_spelling_with_one_message_for_a_wrong_one(
    client, an_author, typed, stored, message
):
    import re

    from django.urls import reverse

    from authors.models import AuthorProfile
    from authors.services import author_profile_ensure

    profile = author_profile_ensure(user=an_author)
    client.force_login(an_author)
    url = reverse("admin:authors_authorprofile_change", args=[profile.pk])
    data = {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "affiliation": "",
        "orcid": typed,
        "bio": "",
        "standing_interests-TOTAL_FORMS": "0",
        "standing_interests-INITIAL_FORMS": "0",
        "standing_interests-MIN_NUM_FORMS": "0",
        "standing_interests-MAX_NUM_FORMS": "100",
    }
    response = client.post(url, data)
    assert AuthorProfile.objects.get(pk=profile.pk).orcid == stored
    if message is None:
        assert response.status_code == 302
        return
    page = response.content.decode()
    errors = re.search(r'<ul class="errorlist" id="id_orcid_error">(.*?)</ul>', page, re.S)
    assert errors is not None
    assert errors.group(1).count("<li>") == 1
    assert message in errors.group(1)


@given(st.text(max_size=300))
def test_any_text_is_stored_as_an_address_or_refused_with_one_message(text):
    from authors.orcid import parse

    try:
        stored = parse(text)
    except ValidationError as error:
        assert len(error.messages) == 1
    else:
        assert stored.startswith("https://orcid.org/") and len(stored) == 37


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: "https://orcid.org/" + "0 - " * n,
        lambda n: "/" * n + "0000-0002-1825-0097",
        lambda n: "https://" * n,
    ],
    ids=["separators", "slashes", "prefixes"],
)
def test_reading_an_id_is_linear(shape):
    from authors.orcid import normalise as read
    from tests.test_redos import assert_linear

    assert_linear(read, shape)
