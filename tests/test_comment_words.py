"""COMMENT_MAX_WORDS: a longer comment is refused with its count, the text kept.

Words are counted in any script (comments/words.py): runs of letters, digits and marks;
scripts written without spaces count a word per two characters.
"""

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comments.models import Comment
from comments.words import word_count
from tests.strategies import any_script_paragraphs
from tests.test_comments_support import form_data, post_url

LATIN_WORD = st.text(st.characters(categories=["Ll", "Lu"], max_codepoint=0x24F), min_size=1)
SEPARATORS = st.text(" \t\n,;:!?()[]*_>`\u00a0\u3000", min_size=1, max_size=3)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("one two  three", 3),
        ("don't well-being p<0.001", 4),  # p, <, 0.001: the "<" is no word
        ("** - & --- >", 0),
        ("**Bold** and _emphasis_", 3),
        ("Ιντερφερόνη βήτα", 2),
        ("नमस्ते दुनिया", 2),  # vowel signs are marks inside the word
        ("مرحبا بالعالم", 2),
        ("שלום עולם", 2),
        ("我爱你中国", 3),  # five characters: three words
        ("日本語のテキスト", 4),
        ("iPhone手机", 2),
        ("🙂 🙂🙂", 0),
        ("e\u0301te\u0301", 1),  # combining accents
    ],
)
def test_words_in_any_script(text, count):
    assert word_count(text) == count


@given(st.lists(LATIN_WORD, max_size=50), SEPARATORS)
def test_words_between_separators_are_counted_once_each(words, separator):
    assert word_count(separator.join(words)) == len(words)


@given(st.text(), st.text())
def test_counts_add_up_across_a_space(left, right):
    assert word_count(f"{left} {right}") == word_count(left) + word_count(right)


@given(st.text())
def test_a_count_is_never_negative_nor_more_than_the_characters(text):
    assert 0 <= word_count(text) <= len(text)


@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=200))
def test_chinese_counts_one_word_per_two_characters(text):
    assert word_count(text) == (len(text) + 1) // 2


def test_counting_is_linear_in_the_length():
    """Growing inputs, each the worst case for a backtracking pattern: the time grows with n."""
    pieces = ["a'" * 1000, "-" * 2000, "\u0301" * 2000, "\u4e00a" * 1000, "a." * 1000]
    timings = []
    for factor in (1, 16):
        text = "".join(pieces) * factor
        start = time.process_time()
        word_count(text)
        timings.append(time.process_time() - start)
    assert timings[1] < timings[0] * 16 * 4 + 0.05


@pytest.mark.django_db
def test_a_comment_over_the_limit_is_refused_with_the_count_and_the_text_kept(
    client, a_post, settings
):
    settings.COMMENT_MAX_WORDS = 1000
    body = " ".join(["word"] * 1001) + " The END marker"
    response = client.post(post_url(a_post), form_data(a_post, body=body))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your comment has 1,004 words; the limit is 1,000." in html
    assert "The END marker</textarea>" in html
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_a_comment_at_the_limit_is_taken(client, a_post, settings):
    settings.COMMENT_MAX_WORDS = 600  # as the BMJ
    body = "我爱" * 100 + " " + " ".join(["word"] * 500)  # 100 + 500 words
    response = client.post(post_url(a_post), form_data(a_post, body=body))
    assert response.status_code == 302
    assert Comment.objects.get().body == body


@pytest.mark.django_db
def test_the_default_limit_is_a_thousand(client, a_post):
    from django.conf import settings

    assert settings.COMMENT_MAX_WORDS == 1000


@pytest.mark.django_db
@given(body=any_script_paragraphs())
def test_any_script_body_within_the_limit_is_never_refused_for_words(body):
    from comments.forms import CommentForm
    from tests.factories import make_post, make_user

    post = make_post(author=make_user(staff=True), title="Words")
    form = CommentForm(form_data(post, body=body), post=post)
    form.is_valid()
    assert "max_words" not in {error.code for error in form.errors.as_data().get("body", [])}
