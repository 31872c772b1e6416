"""Every regular expression and loop that sees typed text costs no more than ~linear time.

Each test grows a hostile input (n, then 8n) and compares the CPU time (``process_time``, the
best of three interleaved runs, so other work on the machine matters little): a linear cost
grows about 8 times, a quadratic one 64 times, an exponential one explodes. The bound is
generous (20 times, plus a few milliseconds), a failing ratio is measured again before the
test fails, and every measurement runs under a CPU cap, so a regression fails in seconds
instead of hanging the suite.

Inputs start small and are doubled until one run costs at least ~10 ms, so the ratio is
measured above the timer's noise.
"""

import time

import pytest

from blog import markup, metadata
from comments import bidi, moderation
from comments.forms import _single_line

CAP_SECONDS = 3.0
GROWTH = 8
MAX_RATIO = 20
SLACK_SECONDS = 0.004


# The larger input stays under this many characters: past a few megabytes the memory (cache
# misses, page faults counted as CPU time) sets the pace, not the algorithm. A str.replace
# that is linear measured 13 ms at 1.5 million characters and 282 ms at 12 million on the
# loaded CI host (21.7 times). A function too fast to reach the floor below this size is
# called several times in each measurement instead.
MAX_LARGE_CHARS = 2**21
MAX_REPEAT = 200


def cost(func, arg, repeat=1):
    """CPU time of ``repeat`` calls of ``func(arg)``, under the cap."""
    started = time.process_time()
    try:
        with markup._cpu_budget(CAP_SECONDS):
            for _call in range(repeat):
                func(arg)
    except markup.RenderBudgetExceeded:
        pytest.fail(f"{func.__name__} took over {CAP_SECONDS}s on {len(arg)} characters")
    return time.process_time() - started


def calls_to_reach(func, arg, seconds):
    """How many calls of ``func(arg)`` take ``seconds`` of CPU (at most MAX_REPEAT): counted,
    not divided out of one call's time, since this machine's CPU clock may tick in
    milliseconds (one call can read 0.0 ms)."""
    calls, started = 0, time.process_time()
    with markup._cpu_budget(CAP_SECONDS):
        while calls < MAX_REPEAT and time.process_time() - started < seconds:
            func(arg)
            calls += 1
    return max(calls, 1)


def _fits(make, n):
    """Whether ``make(GROWTH * n)`` stays under MAX_LARGE_CHARS (checked on ``make(n)``)."""
    try:
        return len(make(n)) * GROWTH <= MAX_LARGE_CHARS
    except TypeError:
        return True


def assert_linear(func, make, n=8, *, floor=0.01, max_n=2**19):
    """``func(make(GROWTH * n))`` costs at most MAX_RATIO times ``func(make(n))``."""
    small = cost(func, make(n))
    while small < floor and n < max_n and _fits(make, 2 * n):
        n *= 2
        small = cost(func, make(n))
    small_text, large_text = make(n), make(GROWTH * n)
    repeat = 1 if small >= floor else calls_to_reach(func, small_text, floor)
    for _attempt in range(3):
        small = large = float("inf")
        for _run in range(3):
            small = min(small, cost(func, small_text, repeat))
            large = min(large, cost(func, large_text, repeat))
        # Still below the floor (at max_n, or MAX_REPEAT calls), the timer and page faults
        # dominate: compare with the floor.
        if large <= MAX_RATIO * max(small, floor) + SLACK_SECONDS:
            return
    pytest.fail(f"{func.__name__}: n={n} {small * 1000:.1f} ms, {GROWTH}n {large * 1000:.1f} ms")


def unbudgeted(policy):
    """The whole pipeline without the CPU budget (and without the cache of recent renders):
    what is measured is the work itself, not the safety net."""

    def render(text):
        return markup._render(text, policy, budget=0)

    render.__name__ = f"render_{policy.name}"
    return render


RENDERERS = [unbudgeted(markup.POST_POLICY), unbudgeted(markup.COMMENT_POLICY)]

# --- blog/markup.py: the source clean-up --------------------------------------------------

NESTING_SHAPES = {
    # The reported ReDoS: 61 bytes took 4.3 s with the non-atomic nesting guard.
    "list markers, one line": lambda n: "-    " * n + "x",
    "ordered markers": lambda n: "1.   " * n + "x",
    "quote markers": lambda n: "> " * n + "x",
    "quote markers with spaces": lambda n: ">    " * n + "x",
    "mixed markers": lambda n: "- > 1) " * n + "x",
    "15 deep, many lines": lambda n: ("> " * 15 + "x\n") * n,
    "17 deep, many lines": lambda n: ("-    " * 17 + "x\n") * n,
    "spaces only": lambda n: " " * n + "x",
}
ONE_LINE_NESTING = {"list markers, one line", "ordered markers", "quote markers"}
ONE_LINE_NESTING |= {"quote markers with spaces", "mixed markers"}


@pytest.mark.parametrize("shape", list(NESTING_SHAPES))
def test_the_nesting_guard_is_linear(shape):
    """From 2 to 16 markers with no floor: past 16 the guard matches at once, and it was the
    failing matches below that backtracked (2 ** n ways to share the spaces)."""
    floor = 0 if shape in ONE_LINE_NESTING else 0.01
    assert_linear(markup._clean_source, NESTING_SHAPES[shape], n=2, floor=floor)


def test_the_nesting_guard_still_caps_nesting():
    capped = markup._clean_source("- " * 40 + "x")
    assert capped == "- " * markup.MAX_NESTING + "x"
    assert markup._clean_source("> " * 10 + "x") == "> " * 10 + "x"


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "a\x00b\ud800" * n,
        lambda n: "\x01" * n,
    ],
    ids=["controls and surrogates", "control run"],
)
def test_control_character_clean_up_is_linear(make):
    assert_linear(markup._clean_source, make)


# --- DOIs, registry ids, link schemes ---------------------------------------------------

DOI_SHAPES = {
    "closing brackets after a DOI": lambda n: "10.1000/x" + ")" * n,
    "full stops after a DOI": lambda n: "10.1000/x" + "." * n,
    "mixed closers": lambda n: "10.1000/x(" + ")]." * n,
}


@pytest.mark.parametrize("shape", list(DOI_SHAPES))
def test_doi_trimming_is_linear(shape):
    assert_linear(markup._trim_doi, DOI_SHAPES[shape])


def test_doi_trimming_still_balances_brackets():
    assert markup._trim_doi("10.1016/S0140-6736(12)61768-1).") == "10.1016/S0140-6736(12)61768-1"
    assert markup._trim_doi("10.1000/x" + ")" * 1000) == "10.1000/x"


LINKABLE_SHAPES = {
    "one long DOI": lambda n: "doi:10.1234/" + "a" * n,
    "DOI prefixes without a slash": lambda n: "doi:10.1234 " * n,
    "DOI prefixes back to back": lambda n: "doi:" * n,
    "almost registry ids": lambda n: "NCT0054840 " * n,
    "registry ids glued": lambda n: "NCT00548405" * n,
    "almost EudraCT numbers": lambda n: "2007-001161-3" * n,
}


@pytest.mark.parametrize("shape", list(LINKABLE_SHAPES))
def test_finding_dois_and_registry_ids_is_linear(shape):
    assert_linear(markup._links_in, LINKABLE_SHAPES[shape])


@pytest.mark.parametrize(
    "make",
    [lambda n: " " * n + "javascript:x", lambda n: "&#9;" * n + "x:y", lambda n: "a" * n + ":"],
    ids=["spaces", "entities", "long scheme"],
)
def test_reading_a_link_scheme_is_linear(make):
    assert_linear(markup.dropped_scheme, make)


def test_bracket_scan_cost_is_linear():
    assert_linear(markup._bracket_scan_cost, lambda n: "[a](" * n + "]" * n)


# --- the shape pre-checks and the fallback --------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "```\n" * n,
        lambda n: "x\n \n" * n,
        lambda n: "<&" * n,
        lambda n: ("x\n" * 399 + "\n") * n,
    ],
    ids=["fence lines", "blank lines", "escapes", "long blocks"],
)
def test_the_shape_pre_checks_and_the_fallback_are_linear(make):
    def pre_check_and_fallback(text):
        markup._too_costly(text, markup.COMMENT_POLICY)
        markup._plain_paragraphs(text, markup.REASON_SHAPE)

    assert_linear(pre_check_and_fallback, make)


# --- the whole pipeline, on shapes the pre-checks let through -----------------------------

PIPELINE_SHAPES = {
    "nested list markers": lambda n: ("-    " * 12 + "x\n\n") * n,
    "deep quotes": lambda n: ("> " * 15 + "x\n\n") * n,
    "closing brackets after a DOI": lambda n: "doi:10.1000/x" + ")" * n,
    "opening brackets": lambda n: "[" * n,
    "unclosed links": lambda n: "[a](" * n,
    "emphasis": lambda n: "*a_" * n,
    "strikethrough openers": lambda n: "~~a " * n,
    "backticks": lambda n: "`a" * n,
    "code fences that close": lambda n: "```\ncode\n```\n\n" * n,
    "paragraphs with ids": lambda n: "NCT00548405 and doi:10.1000/x.\n\n" * n,
    "emphasis around ids": lambda n: "*a* NCT00548405 " * n,
    "reference links": lambda n: "[x][r] " * n + "\n\n[r]: https://example.org/\n",
    "link definitions": lambda n: "".join(f"[r{i}]: https://example.org/{i}\n\n" for i in range(n)),
    "table rows in blocks": lambda n: "|a|b|\n|-|-|\n|1|2|\n\n" * n,
    "dropped links": lambda n: "[x](javascript:alert(1)) " * n,
}


@pytest.mark.parametrize("render", RENDERERS, ids=["post", "comment"])
@pytest.mark.parametrize("shape", list(PIPELINE_SHAPES))
def test_rendering_is_about_linear(render, shape):
    assert_linear(render, PIPELINE_SHAPES[shape], max_n=2**14)


# --- comments: moderation rules, form clean-up, bidi ---------------------------------------


class _Comment:
    def __init__(self, body):
        self.name = self.email = self.website = self.competing_interests = ""
        self.body = body
        self.body_html = ""


@pytest.mark.parametrize(
    "make",
    [lambda n: "http" * n, lambda n: "www." * n, lambda n: "https://" * n, lambda n: "a" * n],
    ids=["http", "www", "urls", "plain"],
)
def test_counting_links_is_linear(make):
    assert_linear(lambda text: moderation.count_links(_Comment(text)), make)


@pytest.mark.parametrize(
    "make",
    [lambda n: "viagr" * n, lambda n: "a" * n, lambda n: "viagra" * n],
    ids=["near misses", "one long word", "glued words"],
)
def test_finding_listed_words_is_linear(make):
    words = ["viagra", "casino", "crypto loans"]
    assert_linear(lambda text: moderation._find_word(words, text), make)


def test_collapsing_names_to_one_line_is_linear():
    assert_linear(_single_line, lambda n: " \t\n" * n + "x")


@pytest.mark.parametrize(
    "make", [lambda n: "\u05d0" * n, lambda n: "a" * n + "\u202e", lambda n: "é" * n]
)
def test_the_bidi_check_is_linear(make):
    assert_linear(bidi.could_reorder, make)


# --- blog/metadata.py: source authors ------------------------------------------------------


class _Post:
    def __init__(self, authors):
        self.source_authors = authors


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "Cole" + " " * n + "x",
        lambda n: "Cole" + ", " * n + "x",
        lambda n: "Cole" + " et" * n,
        lambda n: "Cole;" * n,
    ],
    ids=["spaces", "commas", "et et et", "semicolons"],
)
def test_reading_source_authors_is_linear(make):
    assert_linear(lambda text: metadata.citation_authors(_Post(text)), make)


def test_et_al_is_still_removed():
    post = _Post("Cole et al.; Smith,  et al; et al.; CARE-MS II investigators")
    assert metadata.citation_authors(post) == ["Cole", "Smith", "CARE-MS II investigators"]


@pytest.mark.parametrize("make", [lambda n: "group" * n, lambda n: "a " * n])
def test_spotting_group_authors_is_linear(make):
    assert_linear(metadata.is_group_author, make)
