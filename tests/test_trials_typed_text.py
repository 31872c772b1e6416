"""Text from any script in every field an author types into a trial record: it is either
saved and shown (escaped once on the page, in the feed and in the JSON-LD) or refused with
a ValidationError; numbers typed as text are read or refused, never a 500."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_post
from tests.strategies import any_script_text
from tests.trials_factories import record_data
from trials.forms import SourceDecimalField
from trials.models import TrialRecord
from trials.services import trial_record_replace

pytestmark = pytest.mark.django_db

TEXT_FIELDS = ("name", "masking", "follow_up", "funders", "notes", "source_quote")


def page_and_feed(client, post):
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    feed = client.get(reverse("blog:feed_atom"))
    assert feed.status_code == 200
    ET.fromstring(feed.content)  # well-formed XML whatever was typed
    return html, data


@settings(max_examples=15)
@given(field=st.sampled_from(TEXT_FIELDS), text=any_script_text(max_size=60))
def test_record_text_from_any_script(client, an_author, field, text):
    post = make_post(author=an_author)
    try:
        record = trial_record_replace(post=post, data=record_data(**{field: text}))
    except ValidationError:
        assert not TrialRecord.objects.filter(post=post).exists(), "half-saved"
        return
    html, data = page_and_feed(client, post)
    shown = getattr(record, field)
    if field in ("name", "masking", "follow_up") and shown.strip():
        assert escape(shown) in html
    if field == "name":
        assert data["about"]["name"] == shown


@settings(max_examples=25)
@given(
    where=st.sampled_from(
        [
            "arm",
            "intervention",
            "outcome",
            "harm",
            "harm_time_frame",
            "time_frame",
            "note",
            "source_quote",
            "p_value_text",
        ]
    ),
    text=any_script_text(max_size=60),
)
def test_rows_with_text_from_any_script(client, an_author, where, text):
    post = make_post(author=an_author)
    data = record_data(outcomes=2, harms=1)
    if where == "arm":
        old = data["arms"][0]["name"]
        data["arms"][0]["name"] = text
        for row in [*data["outcomes"], *data["harms"]]:
            row["results"][text] = row["results"].pop(old)
    elif where == "outcome":
        data["outcomes"][0]["name"] = text
    elif where == "harm":
        data["harms"][0]["name"] = text
    elif where == "harm_time_frame":
        data["harms"][0]["time_frame"] = text
    elif where == "intervention":
        data["arms"][1]["intervention"] = text
    else:
        data["outcomes"][0][where] = text
    try:
        trial_record_replace(post=post, data=data)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)
        assert not TrialRecord.objects.filter(post=post).exists(), "half-saved"
        return
    html, _data = page_and_feed(client, post)
    cleaned = " ".join(text.split())
    if where in ("arm", "outcome", "harm") and cleaned:
        assert escape(cleaned) in html


@given(st.one_of(any_script_text(max_size=30), st.text(max_size=30)))
def test_a_typed_number_is_read_or_refused_never_a_crash(text):
    field = SourceDecimalField(required=False, max_digits=16, decimal_places=6)
    try:
        value = field.clean(text)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert value is None or value.is_finite()
