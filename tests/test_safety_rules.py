"""Clinical-safety moderation rules (issue 16): patient identifiers, requests for personal
medical advice and named people with a health detail are held with a reason; trial text
(sample sizes, p values, registry ids, DOIs, publication dates) passes every rule."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comments import moderation, safety_rules
from comments.models import Comment
from comments.views import AWAITING
from tests.strategies import any_script_text
from tests.test_comments_support import ANN, form_data, make_comment, post_url
from tests.test_redos import assert_linear

Status = Comment.Status
CARE_MS_2 = (Path(__file__).parent / "data" / "care-ms-2-source.txt").read_text()
META = {"ip_address": "192.0.2.1", "user_agent": "pytest", "honeypot": "", "elapsed_seconds": 30}


def check(rule, body):
    return rule(SimpleNamespace(body=body), META)


def holds_for(body):
    """The reasons of every safety rule that holds ``body``."""
    return [v[1] for rule in safety_rules.SAFETY_RULES if (v := check(rule, body))]


# --- real-looking positives ----------------------------------------------------------------

POSITIVES = [
    # NHS numbers with a valid check digit, spaced or not.
    (safety_rules.nhs_number, "My NHS number is 943 476 5919 if that helps.", "NHS number"),
    (safety_rules.nhs_number, "nhs no 9434765919.", "NHS number"),
    (safety_rules.nhs_number, "It is 401-023-2137 on my letter", "NHS number"),
    # Dates of birth.
    (safety_rules.date_of_birth, "DOB 03/04/1975, diagnosed 2010", "date of birth"),
    (safety_rules.date_of_birth, "D.O.B.: 1975-04-03", "date of birth"),
    (safety_rules.date_of_birth, "I was born on 3rd of March 1975.", "date of birth"),
    (safety_rules.date_of_birth, "My date of birth is 12 March 1980", "date of birth"),
    (safety_rules.date_of_birth, "born 12/3/80 in Leeds", "date of birth"),
    (safety_rules.date_of_birth, "Born on March 12, 1980, relapsing since", "date of birth"),
    # Hospital, medical record and CHI numbers.
    (safety_rules.hospital_number, "MRN 12345678", "hospital or medical record number"),
    (safety_rules.hospital_number, "my hospital number is RX1234567", "medical record number"),
    (safety_rules.hospital_number, "Hospital no. 4455 6677", "medical record number"),
    (safety_rules.hospital_number, "patient ID: 993812", "medical record number"),
    (safety_rules.hospital_number, "medical record 2231-889", "medical record number"),
    (safety_rules.hospital_number, "My CHI number is 0101011234", "CHI number"),
    (safety_rules.hospital_number, "CHI 290280 1234", "CHI number"),
    # Phone numbers, UK and international.
    (safety_rules.phone_number, "Ring me on 020 7946 0958 after six", "phone number"),
    (safety_rules.phone_number, "mobile 07700 900123", "phone number"),
    (safety_rules.phone_number, "07700900123", "phone number"),
    (safety_rules.phone_number, "0117 496 0123 (clinic line)", "phone number"),
    (safety_rules.phone_number, "+44 (0)20 7946 0958", "phone number"),
    (safety_rules.phone_number, "+44 7700 900123", "phone number"),
    (safety_rules.phone_number, "0044 20 7946 0958", "phone number"),
    (safety_rules.phone_number, "call +1 (212) 555-0123", "phone number"),
    (safety_rules.phone_number, "(212) 555-0123", "phone number"),
    (safety_rules.phone_number, "+33 1 23 45 67 89", "phone number"),
    (safety_rules.phone_number, "in 2012 07700 900123", "phone number"),
    # Postal codes.
    (safety_rules.postal_code, "I live at 10 Downing St, SW1A 2AA.", "postcode"),
    (safety_rules.postal_code, "near LS1 4AP", "postcode"),
    (safety_rules.postal_code, "my postcode is ec1a 1bb", "postcode"),
    (safety_rules.postal_code, "Boston, MA 02115", "ZIP code"),
    (safety_rules.postal_code, "zip code: 90210-1234", "ZIP code"),
    # Email addresses in the body.
    (safety_rules.email_address, "write to ann.reader+ms@example.co.uk please", "email address"),
    (safety_rules.email_address, "(bo@nhs.net)", "email address"),
    # Requests for personal medical advice.
    (safety_rules.medical_advice_request, "Should I stop my Tysabri?", "should I stop"),
    (safety_rules.medical_advice_request, "should I switch to ocrelizumab", "should I switch"),
    (safety_rules.medical_advice_request, "Should I still take it?", "should I take"),
    (safety_rules.medical_advice_request, "My neurologist wants me to start", "my neurologist"),
    (safety_rules.medical_advice_request, "my MS nurse said I could", "my ms nurse"),
    (safety_rules.medical_advice_request, "Is it safe for me to get pregnant?", "safe"),
    (safety_rules.medical_advice_request, "would it be OK for my daughter", "ok"),
    (safety_rules.medical_advice_request, "What dose should I take?", "what dose"),
    (safety_rules.medical_advice_request, "what dose of vitamin D should I", "what dose"),
    (safety_rules.medical_advice_request, "Can I take ibuprofen with Lemtrada?", "can I take"),
    (safety_rules.medical_advice_request, "can I drink alcohol while on it", "can I drink"),
    (safety_rules.medical_advice_request, "How much baclofen should I take", "how much"),
    # Named clinicians or patients with a health detail.
    (safety_rules.named_person, "Dr Smith at St Mary's told me to stop", "titled name"),
    (safety_rules.named_person, "Prof. Jones diagnosed relapsing MS last year", "health detail"),
    (safety_rules.named_person, "my patient John Brown has relapsing MS", "relative named"),
    (safety_rules.named_person, "My wife Sarah relapsed after her infusion", "relative named"),
    (safety_rules.named_person, "Mrs Patel on ward 7 had an MRI", "health detail"),
    (safety_rules.named_person, "Dr Ólafsson told me my lesions grew", "titled name"),
]


@pytest.mark.parametrize(("rule", "body", "says"), POSITIVES)
def test_each_rule_holds_real_looking_text_with_its_reason(rule, body, says):
    status, reason = check(rule, body)
    assert status == Status.HELD
    assert says.lower() in reason.lower()
    assert reason.split(": ")[0] in {
        safety_rules.PATIENT_IDENTIFIER,
        safety_rules.MEDICAL_ADVICE,
        safety_rules.NAMED_PERSON,
    }


def test_a_reason_never_repeats_the_detail():
    """status_reason is not redacted with the body: it names the kind, not the number."""
    for body in ("MRN 12345678", "943 476 5919", "07700 900123", "Dr Smith told me"):
        for reason in holds_for(body):
            assert not re.search(r"\d{4}|Smith", reason)


# --- trial text that must pass --------------------------------------------------------------

TRIAL_TEXT = [
    "202 (87%) of 231 MSers randomly allocated interferon beta 1a (n=202).",
    "rate ratio 0·51 [95% CI 0·39—0·65]; p<0·0001",
    "hazard ratio 0.58 (95% CI 0.38-0.87); p=0.008",
    "95% CI 0.5-0.9, p < 0.001, n = 202",
    "This study is registered with ClinicalTrials.gov, number NCT00548405.",
    "ISRCTN12345678 and EudraCT 2007-001161-10",
    "doi:10.1016/S0140-6736(12)61768-1",
    "Lancet 2012; 380: 1829–39.",
    "Lancet 2012; 380: 1829-39.",
    "Published online 1 November 2012; first published 2012-11-01.",
    "Patients were born in 1975 or later; aged 18—55 years.",
    "alemtuzumab 12 mg per day for 5 days at baseline and 3 days at 12 months",
    "a 1:2:2 ratio by an interactive voice response system",
    "The CD52 antibody; EDSS 3.0; T25FW; 9HPT; SF-36; EQ-5D.",
    "Should trials stop early? Patients should be told about the risk.",
    "Would it be safe to use alemtuzumab in pregnancy? Is it safe to stop early?",
    "Can I take issue with the analysis of the 24 mg arm?",
    "The phase I trial by Prof Compston's group in Cambridge was the first.",
    "Type I error; grade I; part I: Dr Coles and colleagues reported the trial.",
    "Ms Smith wrote the editorial.",
    "MS patients: doses 0·5, 1·0 and 2·0 mg; table 2; weeks 0 12 24 48 96.",
    "Hauser SL et al. N Engl J Med 2017; 376: 221-234. PMID 28002679.",
    "Contact the trial office via the journal's website.",
]


@pytest.mark.parametrize("text", TRIAL_TEXT)
def test_trial_text_passes_every_safety_rule(text):
    assert holds_for(text) == []


def test_the_whole_care_ms_2_source_passes_every_safety_rule():
    assert holds_for(CARE_MS_2) == []


@pytest.mark.parametrize("line", [line for line in CARE_MS_2.splitlines() if line.strip()])
def test_each_line_of_the_care_ms_2_source_passes(line):
    assert holds_for(line) == []


def test_nhs_numbers_must_carry_a_valid_check_digit():
    assert safety_rules.nhs_number_valid("9434765919")
    assert safety_rules.nhs_number_valid("4010232137")
    assert not safety_rules.nhs_number_valid("9434765918")  # wrong check digit
    assert not safety_rules.nhs_number_valid("1000000010")  # check digit would be 10
    assert not safety_rules.nhs_number_valid("९४३४७६५९१९")  # other scripts' digits
    assert check(safety_rules.nhs_number, "943 476 5918") is None
    assert check(safety_rules.nhs_number, "943-476 5919") is None  # mixed grouping
    assert check(safety_rules.nhs_number, "NCT9434765919") is None


def test_a_chi_number_starts_with_a_date_of_birth():
    assert check(safety_rules.hospital_number, "CHI 3213011234") is None  # 32/13
    assert check(safety_rules.hospital_number, "hospital 1234") is None  # an address
    assert check(safety_rules.hospital_number, "MRN 12") is None


def test_a_us_zip_code_needs_a_state_or_the_word_zip():
    assert check(safety_rules.postal_code, "patient ID 44556; 12345 events") is None
    assert check(safety_rules.postal_code, "Boston MA 02115") is None


# --- the rules in the policy ---------------------------------------------------------------


def new_comment(post, body, **fields):
    comment = Comment(post=post, name="Bo", email="bo@example.org", body=body, **fields)
    comment.render_body()
    return comment


def test_the_safety_rules_come_after_the_spam_rules_and_before_the_other_holds():
    rules = moderation.RULES
    first = rules.index(safety_rules.SAFETY_RULES[0])
    assert rules.index(moderation.disallowed_word) < first
    assert rules[first : first + len(safety_rules.SAFETY_RULES)] == safety_rules.SAFETY_RULES
    assert first + len(safety_rules.SAFETY_RULES) == rules.index(moderation.resent_too_fast)


def test_a_returning_commenter_with_an_nhs_number_is_held(a_post):
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    verdict = moderation.decide(new_comment(a_post, "Mine is 943 476 5919"), META)
    assert verdict == (Status.HELD, "patient identifier: NHS number")


def test_spam_stays_spam_whatever_it_contains(a_post):
    meta = {**META, "honeypot": "http://spam.example"}
    verdict = moderation.decide(new_comment(a_post, "Should I stop? 07700 900123"), meta)
    assert verdict[0] == Status.SPAM


def test_a_returning_commenters_trial_discussion_is_still_approved(a_post):
    make_comment(a_post, name="Bo", email="bo@example.org", status=Status.APPROVED)
    body = "p<0·0001 in NCT00548405 (n=202), published 1 November 2012, pp 1829–39."
    assert moderation.decide(new_comment(a_post, body), META)[0] == Status.APPROVED


# --- the form's note and the notice after sending -----------------------------------------


def test_the_form_says_what_not_to_post_before_sending(client, a_post):
    page = client.get(a_post.get_absolute_url()).content.decode()
    note = re.search(r'<p class="comment-safety-note"[^>]*>(.*?)</p>', page, re.S)
    assert note, "the note is in the form"
    text = note[1]
    assert "personal medical advice" in text and "doctor" in text
    for detail in ("names", "dates of birth", "NHS or hospital numbers", "phone numbers"):
        assert detail in text
    assert page.index("comment-safety-note") < page.index('name="body"')


def _notice(response):
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("My number is 943 476 5919, is that normal?", "an NHS number"),
        ("Call me on 07700 900123 to discuss", "a phone number"),
        ("Should I stop my Tysabri before the trial?", "personal medical advice"),
        ("Dr Smith at St Mary's told me to wait.", "name a doctor or a patient"),
    ],
)
def test_a_safety_hold_tells_the_commenter_why_in_plain_words(client, a_post, body, words):
    response = client.post(post_url(a_post), form_data(a_post, body=body), follow=True)
    comment = Comment.objects.get()
    assert comment.status == Status.HELD
    notice = _notice(response)
    assert "awaiting moderation" in notice
    assert words in notice
    assert "send your comment again" not in notice  # one instruction, no mixed message
    assert ONE_INSTRUCTION in notice
    assert "943 476" not in notice and "07700" not in notice  # the detail is not echoed


def test_other_holds_keep_the_generic_notice(client, a_post):
    response = client.post(post_url(a_post), form_data(a_post), follow=True)
    assert Comment.objects.get().status_reason == "new commenter"
    assert _notice(response) == AWAITING


def test_spam_with_a_phone_number_gets_the_generic_notice(client, a_post):
    data = form_data(a_post, body="Call 07700 900123", homepage_url="http://spam.example")
    response = client.post(post_url(a_post), data, follow=True)
    assert Comment.objects.get().status == Status.SPAM
    assert "phone" not in _notice(response)


def test_the_resent_comment_without_the_detail_is_taken(client, a_post):
    client.post(post_url(a_post), form_data(a_post, body="Mine is 943 476 5919. Fair?"))
    make_comment(a_post, status=Status.APPROVED, **ANN)  # a returning commenter now
    client.post(post_url(a_post), form_data(a_post, body="Fair?"))
    assert Comment.objects.filter(body="Fair?", status=Status.APPROVED).exists()


# --- linear cost and any text -------------------------------------------------------------

HOSTILE = {
    "digits": lambda n: "1" * n,
    "spaced digits": lambda n: "123 " * n,
    "zeros in groups": lambda n: "07 " * n,
    "plus signs": lambda n: "+44 " * n,
    "dates without a keyword": lambda n: "03/04/1975 " * n,
    "keywords without a date": lambda n: "DOB born on the " * n,
    "record keywords": lambda n: "MRN hospital number " * n,
    "postcode shapes": lambda n: "SW1A " * n,
    "at signs": lambda n: "@" * n,
    "local parts": lambda n: "a" * n + "@",
    "dotted domains": lambda n: "a@" + "a." * n,
    "advice openers": lambda n: "should I can I take " * n,
    "my doctor": lambda n: "my doctor my " * n,
    "titles": lambda n: "Dr A I " * n,
    "relatives": lambda n: "my son My son " * n,
    "letters": lambda n: "a" * n,
}
MAX_BYTES = 100_000


@pytest.mark.parametrize("rule", safety_rules.SAFETY_RULES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("shape", list(HOSTILE))
def test_every_rule_is_linear_up_to_100_kb(rule, shape):
    make = HOSTILE[shape]
    unit = max(1, len(make(100)) // 100)
    assert_linear(rule_on_text(rule), make, max_n=MAX_BYTES // (8 * unit))


def rule_on_text(rule):
    def run(text):
        return check(rule, text)

    run.__name__ = rule.__name__
    return run


FRAGMENTS = st.sampled_from(
    [
        "n=202",
        "p<0·0001",
        "95% CI 0.5-0.9",
        "NCT00548405",
        "EudraCT 2007-001161-10",
        "doi:10.1016/S0140-6736(12)61768-1",
        "1829–39",
        "Dr",
        "Prof.",
        "MRN",
        "DOB",
        "born on",
        "CHI",
        "+44",
        "07700",
        "943 476 5919",
        "@",
        "should I",
        "my neurologist",
        "can I take",
        " with ",
        "I",
        "MS",
        "(",
        ")",
        "-",
        " ",
        "\n",
    ]
)


@given(st.lists(st.one_of(FRAGMENTS, any_script_text(max_size=12)), max_size=30).map("".join))
def test_random_clinical_looking_text_never_crashes_a_rule(text):
    for rule in safety_rules.SAFETY_RULES:
        verdict = check(rule, text)
        assert verdict is None or (verdict[0] == Status.HELD and len(verdict[1]) <= 200)
        if verdict is not None:
            assert safety_rules.held_notice(verdict[1])


# --- issue 16 fix: every safety reason is collected, not only the first -------------------

EVERYTHING = (
    "My NHS number is 943 476 5919. Should I stop my Tysabri? Dr Smith told me my MS is worse."
)


def test_every_safety_reason_is_collected_in_order(a_post):
    status, reason = moderation.decide(new_comment(a_post, EVERYTHING), META)
    assert status == Status.HELD
    parts = reason.split("; ")
    assert parts[0] == "patient identifier: NHS number"
    assert parts[1].startswith("request for personal medical advice: ")
    assert parts[2].startswith("named person with a health detail")
    assert len(parts) == 3


def test_identifiers_are_grouped_under_one_kind():
    reason = safety_rules.join_reasons(
        ["patient identifier: NHS number", "patient identifier: postcode", "named person: x"]
    )
    assert reason == "patient identifier: NHS number, postcode; named person: x"


def test_the_joined_reasons_fit_the_field_keeping_every_kind(a_post):
    body = (
        "My NHS number is 943 476 5919, MRN 12345678, DOB 03/04/1975, phone 07700 900123, "
        "bo@example.org, SW1A 1AA. Should I stop my Tysabri? Dr Smith told me my MS is worse."
    )
    status, reason = moderation.decide(new_comment(a_post, body), META)
    limit = Comment._meta.get_field("status_reason").max_length
    assert status == Status.HELD and len(reason) <= limit
    for kind in safety_rules.SAFETY_KINDS:
        assert kind in reason
    comment = new_comment(a_post, body, status=status, status_reason=reason)
    comment.full_clean()


ONE_INSTRUCTION = (
    "A moderator will read it before anything is published; personal details are removed "
    "first. You don't need to send it again."
)
ADVICE_LINE = "We can't give personal medical advice here: please talk to your MS team or doctor."


def test_the_notice_names_every_reason_with_one_instruction(client, a_post):
    body = EVERYTHING + " Call me on 07700 900123."
    response = client.post(post_url(a_post), form_data(a_post, body=body), follow=True)
    notice = _notice(response)
    assert "an NHS number" in notice and "a phone number" in notice
    assert "ask for personal medical advice" in notice
    assert "name a doctor or a patient" in notice
    assert notice.count(ONE_INSTRUCTION) == 1 and notice.count(ADVICE_LINE) == 1
    assert "again without" not in notice
    assert "943 476" not in notice and "Smith" not in notice and "07700" not in notice


def test_the_advice_line_only_for_advice_requests():
    notice = safety_rules.held_notice("patient identifier: postcode")
    assert "a postcode" in notice and ONE_INSTRUCTION in notice and ADVICE_LINE not in notice
    advice = safety_rules.held_notice("request for personal medical advice: x")
    assert ADVICE_LINE in advice and ONE_INSTRUCTION in advice
    assert safety_rules.held_notice("new commenter") is None
    assert safety_rules.held_notice("patient identifier") is not None  # details dropped


# --- issue 16 fix: the textarea is described by the safety note ---------------------------


def _textarea(html):
    return re.search(r"<textarea[^>]*>", html)[0]


def test_the_textarea_is_described_by_the_safety_note_help_and_errors(client, a_post):
    html = client.get(a_post.get_absolute_url()).content.decode()
    described = re.search(r'aria-describedby="([^"]*)"', _textarea(html))[1].split()
    assert "comment-safety-note" in described and "id_body_helptext" in described
    assert 'id="comment-safety-note"' in html
    html = client.post(post_url(a_post), form_data(a_post, body="")).content.decode()
    described = re.search(r'aria-describedby="([^"]*)"', _textarea(html))[1].split()
    assert {"comment-safety-note", "id_body_helptext", "id_body_error"} <= set(described)
