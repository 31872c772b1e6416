"""People have timing: a resend after a form error, a double click, the back button.

Each test acts as a browser does: it takes the form's fields from the page it was shown
(the post page, or the form sent back with an error) and posts them again, at a person's
pace (within COMMENT_MIN_SUBMIT_SECONDS where that is the point).
"""

import re
import time
from datetime import timedelta
from html import unescape
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone

from comments import services
from comments.forms import RESUBMIT, TOKEN_SALT, make_token
from comments.models import Comment
from comments.views import RECEIVED
from tests.factories import make_post
from tests.test_comments_support import form_data, post_url

Status = Comment.Status
AWAITING = "Your comment is awaiting moderation"


def token_on(html):
    match = re.search(r'name="security_token" value="([^"]+)"', html)
    assert match, "no security token on the page"
    return unescape(match.group(1))


def payload(token):
    return signing.loads(token, salt=TOKEN_SALT)


def messages_on(client, response):
    return client.get(response["Location"]).content.decode()


# --- a resend after a form error ------------------------------------------------------


def test_a_quick_resend_after_a_typo_is_held_never_spam(client, a_post, settings):
    """The first sending had a typo; the commenter fixes it and sends again within the
    minimum seconds (counted from when the form was first shown)."""
    settings.COMMENT_MIN_SUBMIT_SECONDS = 3
    first = make_token(a_post, now=time.time() - 1)
    typo = client.post(
        post_url(a_post), form_data(a_post, email="ann@example", security_token=first)
    )
    assert typo.status_code == 400
    again = token_on(typo.content.decode())
    # The form came back with the first render time and the same (unused) nonce.
    assert payload(again)["t"] == payload(first)["t"]
    assert payload(again)["n"] == payload(first)["n"] and payload(again)["r"] == 1

    response = client.post(post_url(a_post), form_data(a_post, security_token=again))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Status.HELD
    assert comment.status_reason.startswith("sent again 1.")
    assert AWAITING in messages_on(client, response)


def test_an_expired_form_sent_again_at_once_is_held_never_spam(client, a_post):
    stale = make_token(a_post, now=time.time() - 90000)
    expired = client.post(post_url(a_post), form_data(a_post, security_token=stale))
    assert expired.status_code == 400 and RESUBMIT in expired.content.decode()
    again = token_on(expired.content.decode())
    assert payload(again)["r"] == 1 and payload(again)["n"] != payload(stale)["n"]

    response = client.post(post_url(a_post), form_data(a_post, security_token=again))
    assert response.status_code == 302
    assert Comment.objects.get().status == Status.HELD


def test_after_a_quick_resend_trying_again_later_is_told_the_truth(client, a_post):
    """The old chain: spam for speed, "awaiting moderation", then refused as a duplicate
    "waiting or published". Now the copy is held, and the duplicate message says so."""
    stale = make_token(a_post, now=time.time() - 90000)
    again = token_on(
        client.post(post_url(a_post), form_data(a_post, security_token=stale)).content.decode()
    )
    client.post(post_url(a_post), form_data(a_post, security_token=again))
    later = client.post(post_url(a_post), form_data(a_post))  # a new page, same text
    assert later.status_code == 302  # told as a notice, not as a form error
    html = client.get(later["Location"]).content.decode()
    assert "You have already sent this comment on this post. It is awaiting moderation." in html
    assert Comment.objects.get().status == Status.HELD


def test_a_copy_filed_as_spam_does_not_block_sending_again(client, a_post):
    client.post(
        post_url(a_post),
        form_data(a_post, security_token=make_token(a_post, now=time.time() - 0.5)),
    )
    assert Comment.objects.get().status == Status.SPAM
    response = client.post(post_url(a_post), form_data(a_post))
    assert response.status_code == 302
    assert "waiting or published" not in messages_on(client, response)
    assert list(Comment.objects.values_list("status", flat=True).order_by("pk")) == [
        Status.SPAM,
        Status.HELD,
    ]


def test_a_first_sending_faster_than_a_person_is_still_spam(client, a_post):
    token = make_token(a_post, now=time.time() - 0.5)
    client.post(post_url(a_post), form_data(a_post, security_token=token))
    assert Comment.objects.get().status == Status.SPAM


def test_a_resent_mark_cannot_be_forged(client, a_post):
    forged = signing.dumps(
        {"p": a_post.pk, "t": time.time() - 0.5, "n": "abc", "r": 1}, salt="not ours"
    )
    response = client.post(post_url(a_post), form_data(a_post, security_token=forged))
    assert response.status_code == 400 and not Comment.objects.exists()


def _altered_signature(post):
    token = make_token(post, now=time.time() - 10)
    return token[:-2] + ("AA" if token[-2:] != "AA" else "BB")


def _altered_payload(post):
    return signing.dumps({"p": post.pk, "t": time.time() - 10, "n": "abc"}, salt="not ours")


def _foreign(post):
    return make_token(make_post(title="Another trial"), now=time.time() - 10)


@pytest.mark.parametrize(
    "bad_token",
    [lambda post: "", _altered_signature, _altered_payload, _foreign, lambda post: "x" * 5000],
    ids=["missing", "altered signature", "altered payload", "another post's", "garbage"],
)
def test_a_bad_token_does_not_earn_the_resent_mark(client, a_post, bad_token):
    """A bot's first POST with no token, or one it made up, gets a fresh form; sending
    that at once is a first sending faster than a person: spam, as without the detour."""
    refused = client.post(post_url(a_post), form_data(a_post, security_token=bad_token(a_post)))
    assert refused.status_code == 400 and RESUBMIT in refused.content.decode()
    fresh = token_on(refused.content.decode())
    assert "r" not in payload(fresh) and payload(fresh)["p"] == a_post.pk

    response = client.post(post_url(a_post), form_data(a_post, security_token=fresh))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Status.SPAM
    assert comment.status_reason.startswith("sent 0.")
    assert AWAITING in messages_on(client, response)  # the bot learns nothing


@pytest.mark.parametrize(
    "genuine",
    [
        lambda post: make_token(post, now=time.time() + 3600),  # from the future
        lambda post: make_token(post, now=time.time() - 90000, resent=True),  # stale resend
    ],
    ids=["from the future", "stale resend"],
)
def test_a_genuine_token_refused_for_its_time_still_earns_the_resent_mark(client, a_post, genuine):
    refused = client.post(post_url(a_post), form_data(a_post, security_token=genuine(a_post)))
    assert refused.status_code == 400 and RESUBMIT in refused.content.decode()
    assert payload(token_on(refused.content.decode()))["r"] == 1


# --- a double click ---------------------------------------------------------------------


def test_a_double_click_stores_one_comment_and_the_second_answer_is_kind(client, a_post, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"  # the second click must not count as a second comment
    data = form_data(a_post, body="Masked?")  # a form shown ten seconds ago
    started = time.monotonic()
    first = client.post(post_url(a_post), data)
    second = client.post(post_url(a_post), data)
    assert time.monotonic() - started < 5  # "within a second", on a busy machine
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == a_post.get_absolute_url() + "#your-comments"
    assert Comment.objects.count() == 1 and Comment.objects.get().status == Status.HELD
    page = messages_on(client, second)
    assert RECEIVED in page and "It is awaiting moderation." in page


def test_a_double_click_on_a_published_comment_lands_on_it(client, a_post):
    from tests.test_comments_support import make_comment

    make_comment(a_post, status=Status.APPROVED)  # Ann Reader is a returning commenter
    data = form_data(a_post, body="Second thoughts.")
    first = client.post(post_url(a_post), data)
    second = client.post(post_url(a_post), data)
    assert Comment.objects.filter(body="Second thoughts.").count() == 1
    assert first["Location"] == second["Location"] == a_post.get_absolute_url() + "#your-comments"
    assert "It is published." in messages_on(client, second)


def test_two_clicks_that_race_store_one_comment(a_post, monkeypatch):
    """Both requests pass the "already sent?" look-up before either stores: the database's
    unique nonce decides, and the loser is told about the winner's comment."""
    nonce = "race-nonce"
    winner = Comment.objects.create(
        post=a_post, name="Ann", email="ann@example.org", body="Masked?", form_nonce=nonce
    )
    real = services._earlier_comments
    calls = []

    def too_early(**lookup):  # the first look-up ran before the winner's INSERT
        calls.append(lookup)
        return services.EarlierComments(None, None) if len(calls) == 1 else real(**lookup)

    monkeypatch.setattr(services, "_earlier_comments", too_early)
    data = {"name": "Ann", "email": "other@example.org", "body": "Masked?", "form_nonce": nonce}
    with pytest.raises(services.AlreadySent) as refusal:
        services.comment_submit(post=a_post, data=data, request_meta={"ip_address": "192.0.2.1"})
    assert refusal.value.comment == winner
    assert Comment.objects.count() == 1


# --- the back button --------------------------------------------------------------------


def test_the_back_button_and_send_again_stores_nothing_new(client, a_post):
    data = form_data(a_post)
    client.post(post_url(a_post), data, follow=True)
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=30))  # much later
    response = client.post(post_url(a_post), data)
    assert response.status_code == 302
    assert Comment.objects.count() == 1 and Comment.objects.get().status == Status.HELD
    page = messages_on(client, response)
    assert RECEIVED in page and "It is awaiting moderation." in page


def test_the_back_button_with_new_text_keeps_it_and_asks_to_send_it_again(client, a_post):
    data = form_data(a_post)
    client.post(post_url(a_post), data)
    response = client.post(post_url(a_post), {**data, "body": "A second, different thought."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form has already sent a comment." in html
    assert "A second, different thought.</textarea>" in html
    again = token_on(html)
    assert payload(again)["n"] != payload(data["security_token"])["n"]  # a new, unused one
    resent = client.post(
        post_url(a_post),
        {**data, "body": "A second, different thought.", "security_token": again},
    )
    assert resent.status_code == 302
    assert Comment.objects.count() == 2


def test_one_token_sends_one_comment_whatever_the_address(client, a_post):
    """Issue 10, item 12: a token taken once cannot carry many comments from many places."""
    token = make_token(a_post, now=time.time() - 10)
    for number in range(5):
        client.post(
            post_url(a_post),
            form_data(
                a_post,
                security_token=token,
                email=f"bot{number}@example.org",
                body=f"Buy number {number}",
            ),
            REMOTE_ADDR=f"192.0.2.{number + 1}",
        )
    assert Comment.objects.count() == 1


def test_a_refused_first_sending_leaves_the_token_usable(client, a_post, settings):
    """The rate limit stored nothing: the same form, sent again later, is accepted."""
    settings.COMMENT_RATE_LIMIT = "1/m"
    # Windows are calendar minutes: the rate limit's clock stands still, mid-minute, so the
    # two sendings never fall either side of a minute's end.
    still = SimpleNamespace(time=lambda: 1_700_000_010.0)
    with mock.patch("comments.ratelimit.time", still):
        client.post(post_url(a_post), form_data(a_post, body="one"))
        limited = client.post(post_url(a_post), form_data(a_post, body="two"))
    assert limited.status_code == 429
    settings.COMMENT_RATE_LIMIT = "off"
    again = token_on(limited.content.decode())
    response = client.post(post_url(a_post), form_data(a_post, body="two", security_token=again))
    assert response.status_code == 302
    assert Comment.objects.filter(body="two").get().status == Status.HELD
