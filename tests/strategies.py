"""Hypothesis strategies for text a person types, in any script.

Every field a person types (an author in the admin, a commenter in the form) is tested with
``any_script_text()``: accented Latin, Greek, Cyrillic, CJK, Arabic and Hebrew, emoji,
combining marks, zero-width and bidi controls, and the characters HTML and Markdown care
about (``<``, ``&``, quotes), mixed together. Keep examples small and runs bounded: the
profile below is what ``make test`` runs.
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "trialpress",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("trialpress")

SAMPLES = (
    "β-interferon",
    "Ménière's disease",
    "Sjögren syndrome",
    "中文",
    "多发性硬化",
    "Рассеянный склероз",
    "التصلب المتعدد",
    "טרשת נפוצה",
    "🧠💊",
    "e\u0301\u0301",
    "zero\u200bwidth",
    "\u202eevil\u202c",
    "p<0·001 & n=202",
    "\"quoted\" 'single'",
    "İstanbul ǅ ß ﬁ",
)
"""Hand-picked words that broke or nearly broke real pages; always mixed into the draws."""

_SCRIPT_ALPHABET = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII, with < & " '
    st.characters(min_codepoint=0xC0, max_codepoint=0x17F),  # accented Latin
    st.characters(min_codepoint=0x370, max_codepoint=0x3FF),  # Greek
    st.characters(min_codepoint=0x400, max_codepoint=0x4FF),  # Cyrillic
    st.characters(min_codepoint=0x590, max_codepoint=0x5FF),  # Hebrew
    st.characters(min_codepoint=0x600, max_codepoint=0x6FF),  # Arabic
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1F64F),  # emoji
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),  # combining marks
    st.sampled_from(
        [
            "\u200b",
            "\u200c",
            "\u200d",
            "\u200e",
            "\u200f",
            "\u202a",
            "\u202e",
            "\u2066",
            "\u2069",
            "\ufeff",
        ]
    ),  # zero-width and bidi controls
).filter(lambda c: c not in "\r\n\x00")


def any_script_text(*, min_size=1, max_size=40):
    """One line of text from any script (no newlines, no NUL), sometimes a known hard word."""
    drawn = st.text(_SCRIPT_ALPHABET, min_size=min_size, max_size=max_size)
    return st.one_of(st.sampled_from(SAMPLES), drawn).filter(lambda s: s.strip())


def any_script_paragraphs(*, max_size=400):
    """Multi-line text from any script, as a body or comment is typed."""
    line = st.text(_SCRIPT_ALPHABET, max_size=80)
    return (
        st.lists(st.one_of(line, st.sampled_from(SAMPLES)), min_size=1, max_size=8)
        .map("\n".join)
        .filter(lambda s: s.strip() and len(s) <= max_size)
    )


def _domain_label(*, max_size):
    """One label of a domain name as typed: ASCII, Greek or CJK (an IDN)."""
    return st.text(
        st.one_of(
            st.sampled_from("abcxyz0189-"),
            st.characters(min_codepoint=0x3B1, max_codepoint=0x3C9),
            st.characters(min_codepoint=0x4E00, max_codepoint=0x4E20),
        ),
        min_size=1,
        max_size=max_size,
    )


def any_script_email():
    """An email address as typed: ASCII or any-script local part and domain (IDN)."""
    local = st.text(
        st.one_of(
            st.sampled_from("abcxyz0189.-_+'&"),
            st.characters(min_codepoint=0xC0, max_codepoint=0x17F),
            st.characters(min_codepoint=0x4E00, max_codepoint=0x4E20),
        ),
        min_size=1,
        max_size=12,
    )
    return st.builds(
        "{}@{}.{}".format,
        local,
        _domain_label(max_size=10),
        st.sampled_from(["org", "com", "ελ", "中国", "xn--p1ai"]),
    )


def any_script_url():
    """A website address as typed: with or without a scheme, any-script host and path."""
    host = _domain_label(max_size=12)
    path = any_script_text(min_size=0, max_size=20).map(lambda s: s.replace(" ", ""))
    return st.builds(
        "{}{}.{}/{}".format,
        st.sampled_from(["https://", "http://", "", "HTTPS://"]),
        host,
        st.sampled_from(["org", "com", "ελ", "中国"]),
        st.one_of(st.just(""), path),
    )
