"""Clinical-safety rules: a comment that seems to carry a patient's identifiers, to ask for
personal medical advice, or to name a clinician or patient with a health detail is held for
a moderator (never rejected: a moderator decides, and may redact the detail).

Each rule is ``rule(comment, meta) -> (Status.HELD, reason) | None``, like the others in
``comments.moderation.RULES``, and reads the comment's body only. A reason names the kind of
detail, never the detail itself: ``status_reason`` is not redacted with the body.

Every pattern is linear in the text: bounded quantifiers, no nested ones, and the checks a
regular expression would do badly (check digits, grouping, what surrounds a match) are
plain code over the match. Trial text must pass: sample sizes ("n=202"), p values
("p<0·0001"), confidence intervals, registry ids (NCT00548405, ISRCTN…, EudraCT
2007-001161-10), DOIs, page ranges, years and publication dates.
"""

import re
from datetime import date

from comments.models import Comment

Status = Comment.Status

PATIENT_IDENTIFIER = "patient identifier"
MEDICAL_ADVICE = "request for personal medical advice"
NAMED_PERSON = "named person with a health detail"

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"
HOSPITAL_NUMBER = "hospital or medical record number"
CHI_NUMBER = "CHI number"
PHONE_NUMBER = "phone number"
POSTCODE = "postcode"
ZIP_CODE = "ZIP code"
EMAIL_ADDRESS = "email address"

# What the commenter is told, in plain words, after sending (comments.views).
IDENTIFIER_WORDS = {
    NHS_NUMBER: "an NHS number",
    DATE_OF_BIRTH: "a date of birth",
    HOSPITAL_NUMBER: "a hospital or medical record number",
    CHI_NUMBER: "a CHI number",
    PHONE_NUMBER: "a phone number",
    POSTCODE: "a postcode",
    ZIP_CODE: "a ZIP code",
    EMAIL_ADDRESS: "an email address",
}


SAFETY_KINDS = (PATIENT_IDENTIFIER, MEDICAL_ADVICE, NAMED_PERSON)

# ``status_reason`` holds every safety reason, joined (comments.moderation.decide).
REASON_SEPARATOR = "; "
DETAIL_SEPARATOR = ", "  # between the details of one kind


def reasons_of(status_reason):
    """The separate reasons in a ``status_reason``, in order."""
    return [part for part in (status_reason or "").split(REASON_SEPARATOR) if part]


def is_safety_reason(status_reason):
    """True when any reason in ``status_reason`` is a clinical-safety rule's."""
    return any(part.partition(":")[0] in SAFETY_KINDS for part in reasons_of(status_reason))


def _hold(kind, detail):
    return Status.HELD, f"{kind}: {detail}"


HELD_INSTRUCTION = (
    "A moderator will read it before anything is published; personal details are removed "
    "first. You don't need to send it again."
)
ADVICE_LINE = "We can't give personal medical advice here: please talk to your MS team or doctor."


def _and(items):
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def held_notice(reason):
    """The plain-words reasons for the commenter, every one, then one instruction (and a
    line for advice requests); None when no reason is a safety rule's (other holds keep
    the generic notice). Never repeats the detail itself."""
    found = {}
    for part in reasons_of(reason):
        kind, _, details = part.partition(": ")
        if kind in SAFETY_KINDS:
            found.setdefault(kind, []).extend(details.split(DETAIL_SEPARATOR) if details else [])
    if not found:
        return None
    whys = []
    if PATIENT_IDENTIFIER in found:
        words = [IDENTIFIER_WORDS[d] for d in found[PATIENT_IDENTIFIER] if d in IDENTIFIER_WORDS]
        whys.append(
            f"to include {_and(list(dict.fromkeys(words)))}"
            if words
            else "to include personal details"
        )
    if MEDICAL_ADVICE in found:
        whys.append("to ask for personal medical advice")
    if NAMED_PERSON in found:
        whys.append("to name a doctor or a patient together with health details")
    lines = [f"It was held because it seems {_and(whys)}.", HELD_INSTRUCTION]
    if MEDICAL_ADVICE in found:
        lines.append(ADVICE_LINE)
    return " ".join(lines)


def _body(comment):
    return comment.body or ""


# --- patient identifiers ------------------------------------------------------------------

# A digit run may not be part of a word, a decimal, a DOI or a range (\w covers NCT, ISRCTN).
_NOT_BEFORE = r"(?<![\w.,/·\-–—+])"
_NOT_AFTER = r"(?![\w/·\-–—])(?![.,]\d)"

_NHS = re.compile(_NOT_BEFORE + r"(\d{3})([ -]?)(\d{3})\2(\d{4})" + _NOT_AFTER)


def nhs_number_valid(digits):
    """The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits; the
    check digit is 11 minus the remainder (11 means 0, and 10 means no valid number)."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def nhs_number(comment, meta):
    for match in _NHS.finditer(_body(comment)):
        if nhs_number_valid(match[1] + match[3] + match[4]):
            return _hold(PATIENT_IDENTIFIER, NHS_NUMBER)
    return None


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?!\d)"  # 03/04/1975, 3.4.75
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"  # 1975-04-03
    rf"|(?:the\s{{1,3}})?{_DAY}\s{{0,3}}(?:of\s{{1,3}})?{_MONTH}(?![a-z])"  # 3rd of April
    rf"|{_MONTH}\s{{1,3}}{_DAY}(?!\d))"  # April 3rd
)
_DOB = re.compile(
    r"(?<![\w])(?:d\.?o\.?b\b\.?|date\s{1,3}of\s{1,3}birth|birth\s{1,3}date|birthday|born)"
    r"[\s:,.-]{0,4}(?:(?:is|was|on|in|:)\s{1,3}){0,2}" + _DATE,
    re.IGNORECASE,
)


def date_of_birth(comment, meta):
    """ "DOB", "born on", "date of birth" and a date: a bare year ("born in 1975") or a date
    of publication is not one."""
    if _DOB.search(_body(comment)):
        return _hold(PATIENT_IDENTIFIER, DATE_OF_BIRTH)
    return None


_RECORD = re.compile(
    r"(?<![\w])(?P<keyword>MRN|medical\s{1,3}record|hospital|patient\s{1,3}(?:ID|identifier)"
    r"|CHI)(?P<number>\s{1,3}(?:number|no\b\.?|num\b\.?|\#))?(?![\w])[^\d\n]{0,20}?"
    r"(?P<digits>\d[\d -]{2,14}\d)(?![\w])",
    re.IGNORECASE,
)


def _chi_valid(digits):
    """A CHI number: ten digits starting with the date of birth (DDMMYY)."""
    if len(digits) != 10:
        return False
    day, month = int(digits[0:2]), int(digits[2:4])
    try:
        date(2000, month, day)  # a leap year: 29 February is a date of birth
    except ValueError:
        return False
    return True


def hospital_number(comment, meta):
    """ "MRN", "medical record", "patient ID", "hospital number" or "CHI" followed by a
    number of four digits or more. "Hospital" counts only with "number" or "no."
    ("hospital 1234" may be an address); a CHI number must start with a date of birth."""
    for match in _RECORD.finditer(_body(comment)):
        keyword = match["keyword"].lower()
        digits = "".join(ch for ch in match["digits"] if ch.isdigit())
        if len(digits) < 4:
            continue
        if keyword == "chi":
            if _chi_valid(digits):
                return _hold(PATIENT_IDENTIFIER, CHI_NUMBER)
            continue
        if keyword == "hospital" and match["number"] is None:
            continue
        return _hold(PATIENT_IDENTIFIER, HOSPITAL_NUMBER)
    return None


_PHONE = re.compile(r"(?<![\w.,/·\-–—+(])(?:\+|\()?\d[\d ()\-.]{6,24}\d" + _NOT_AFTER)
_DIGIT_GROUP = re.compile(r"\d{1,24}")
_US = re.compile(r"\(?\d{3}\)?[ .-]{1,2}\d{3}[ .-]\d{4}")


def _phone_like(candidate):
    groups = _DIGIT_GROUP.findall(candidate)
    digits = "".join(groups)
    if candidate.startswith("+") or digits.startswith("00"):
        country = digits if candidate.startswith("+") else digits[2:]
        return 8 <= len(country) <= 15 and country[0] != "0" and len(groups) <= 7
    if digits.startswith("0"):
        # UK: 01…, 02…, 03…, 07…, 08…: ten or eleven digits, in groups of two or more.
        return len(digits) in (10, 11) and digits[1] != "0" and min(map(len, groups)) >= 2
    return bool(_US.fullmatch(candidate)) and digits[0] not in "01"


def _phone_candidates(run):
    """The run itself, then every stretch of its digit groups ("in 2012 07700 900123"
    is one run; the number is its tail). A run has at most a dozen groups."""
    yield run
    starts = [m.start() for m in _DIGIT_GROUP.finditer(run)]
    ends = [m.end() for m in _DIGIT_GROUP.finditer(run)]
    for i, start in enumerate(starts):
        for end in ends[i:]:
            yield run[start:end]


def phone_number(comment, meta):
    """UK numbers (a leading 0, ten or eleven digits in groups), international ones (+ or
    00 and a country code), and US ones written (212) 555-0123 or 212-555-0123. A valid
    NHS number (943 476 5919) is the NHS-number rule's, not also a phone number."""
    for match in _PHONE.finditer(_body(comment)):
        if any(
            _phone_like(candidate) and not nhs_number_valid("".join(filter(str.isdigit, candidate)))
            for candidate in _phone_candidates(match[0])
        ):
            return _hold(PATIENT_IDENTIFIER, PHONE_NUMBER)
    return None


# Outward code (area letters, district digits) and inward code (a digit, two letters that
# are never C, I, K, M, O or V), with a space between ("T25FW" is a walking test).
# Capitals only, unless the word "postcode" comes first.
_UK_POSTCODE = re.compile(
    r"(?<![\w])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) {1,2}\d[ABD-HJLNP-UW-Z]{2}(?![\w])"
)
_NAMED_POSTCODE = re.compile(
    r"(?<![\w])post\s{0,1}code[\s:,.-]{0,4}(?:is\s{1,3})?"
    r"(?:[A-Za-z]{1,2}\d[A-Za-z\d]?) ?\d[A-Za-z]{2}(?![\w])",
    re.IGNORECASE,
)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    "|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_ZIP = re.compile(
    rf"(?:,\s{{1,2}}(?:{_STATES})\s{{1,2}}|(?i:\bzip(?:\s{{0,1}}code)?)[\s:#,.-]{{0,4}}"
    r"(?:(?i:is)\s{1,3})?)\d{5}(?:-\d{4})?(?![\w])"
)


def postal_code(comment, meta):
    """UK postcodes; a US ZIP code only after a comma and a state ("Boston, MA 02115") or
    after "ZIP" ("ID 12345" is not an address)."""
    body = _body(comment)
    if _UK_POSTCODE.search(body) or _NAMED_POSTCODE.search(body):
        return _hold(PATIENT_IDENTIFIER, POSTCODE)
    if _ZIP.search(body):
        return _hold(PATIENT_IDENTIFIER, ZIP_CODE)
    return None


_LOCAL_CHAR = re.compile(r"[\w.+-]")
_DOMAIN = re.compile(r"[\w-]{1,63}\.[\w.-]{0,190}[^\W\d_]")


def email_address(comment, meta):
    """Something@domain.tld in the body: found from each "@" with bounded scans (a regex
    with a repeated dotted group backtracks on long runs of dots and letters)."""
    body = _body(comment)
    at = body.find("@")
    while at != -1:
        before = body[max(0, at - 64) : at]
        if before and _LOCAL_CHAR.fullmatch(before[-1]) and _DOMAIN.match(body, at + 1):
            return _hold(PATIENT_IDENTIFIER, EMAIL_ADDRESS)
        at = body.find("@", at + 1)
    return None


# --- requests for personal medical advice ------------------------------------------------

_TREATMENT_VERBS = (
    r"stop|start|switch|change|take|keep\s{1,3}taking|continue|come\s{1,3}off|go\s{1,3}on"
    r"|go\s{1,3}back\s{1,3}on|try|increase|reduce|lower|skip|quit|avoid|refuse|delay"
    r"|postpone|have\s{1,3}(?:the|my|a|another)|get\s{1,3}(?:the|my|a)|be\s{1,3}worried"
    r"|worry|ask\s{1,3}(?:my|for)|tell\s{1,3}my|wait"
)
_CLINICIAN = (
    r"neurologist|neuro|doctor|dr|gp|consultant|nurse|ms\s{1,3}nurse|ms\s{1,3}team"
    r"|care\s{1,3}team|medical\s{1,3}team|specialist|physician|rheumatologist|oncologist"
    r"|pharmacist"
)
_CLINICIAN_SAYS = (
    r"wants|has\s{1,3}suggested|suggested|suggests|says|said|advised|has\s{1,3}advised"
    r"|told\s{1,3}me|recommends|recommended|is\s{1,3}recommending|is\s{1,3}suggesting"
    r"|offered|has\s{1,3}offered|thinks|put\s{1,3}me|prescribed|has\s{1,3}prescribed"
    r"|is\s{1,3}pushing"
)
_ADVICE = re.compile(
    r"(?<![\w])(?:"
    rf"should\s{{1,3}}i\s{{1,3}}(?:still\s{{1,3}}|now\s{{1,3}}|also\s{{1,3}})?"
    rf"(?P<should>{_TREATMENT_VERBS})(?![\w])"
    rf"|my\s{{1,3}}(?P<clinician>{_CLINICIAN})\s{{1,3}}(?:{_CLINICIAN_SAYS})(?![\w])"
    r"|(?:is|would)\s{1,3}it\s{1,3}(?:be\s{1,3})?(?P<safe>safe|ok|okay|alright|all\s{1,3}right"
    r"|dangerous|wise|sensible)\s{1,3}for\s{1,3}(?:me|my\s{1,3}\w{1,20})(?![\w])"
    r"|am\s{1,3}i\s{1,3}(?P<am_i>safe|ok|okay)\s{1,3}to(?![\w])"
    r"|what\s{1,3}(?P<dose>dose|dosage|amount)\s{1,3}(?:of\s{1,3}[^.?!\n]{1,30}?\s{1,3})?"
    r"(?:should|shall|do|can|could|would)\s{1,3}i(?![\w])"
    r"|how\s{1,3}(?P<how_much>much)\s{1,3}\w{1,30}\s{1,3}(?:should|can|do)\s{1,3}i\s{1,3}take"
    r"(?![\w])"
    r"|(?:can|could|may|should)\s{1,3}i\s{1,3}(?:safely\s{1,3}|still\s{1,3})?"
    r"(?P<take>take|have|use|combine|mix|drink)\s{1,3}(?!issue\b|a\s{1,3}look\b|a\s{1,3}copy\b)"
    r"[^.?!\n]{1,60}?(?<![\w])(?:with|while|alongside|during)(?![\w])"
    r")",
    re.IGNORECASE,
)
ADVICE_REASONS = {
    "should": "\u201cshould I {}\u2026\u201d",
    "clinician": "\u201cmy {} wants/says\u2026\u201d",
    "safe": "\u201cis it {} for me\u2026\u201d",
    "am_i": "\u201cam I {} to\u2026\u201d",
    "dose": "\u201cwhat {} should I\u2026\u201d",
    "how_much": "\u201chow {} should I take\u2026\u201d",
    "take": "\u201ccan I {} \u2026 with\u2026\u201d",
}


def medical_advice_request(comment, meta):
    """First-person questions about one's own treatment. Research questions ("should trials
    stop early?") and third-person statements ("patients should be told") pass. The reason
    quotes the rule's own words (from a fixed list), never the commenter's other text."""
    match = _ADVICE.search(_body(comment))
    if match is None:
        return None
    group = match.lastgroup
    word = " ".join(match[group].split()).lower()
    return Status.HELD, f"{MEDICAL_ADVICE}: {ADVICE_REASONS[group].format(word)}"


# --- named clinicians or patients with a health detail ------------------------------------

_CAPITALISED = r"[A-Z\u00c0-\u00d6\u00d8-\u00de][a-z\u00df-\u00f6\u00f8-\u00ff'\u2019-]{1,30}"
_TITLED_NAME = re.compile(
    r"(?<![\w])(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Miss|Mx|Sister|Nurse)\.?\s{1,2}"
    + _CAPITALISED
    + r"(?![\w])"
)
_RELATIVE_NAME = re.compile(
    r"(?<![\w])(?:[Mm]y|[Oo]ur)\s{1,3}(?:patient|client|son|daughter|wife|husband|partner"
    r"|mother|father|mum|mom|dad|sister|brother|friend|neighbour|neighbor)\s{1,3}"
    + _CAPITALISED
    + r"(?![\w])"
)
_FIRST_PERSON = re.compile(
    r"(?<![\w'\u2019])(?:I|[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|I['\u2019](?:m|ve|d|ll))(?![\w'\u2019])"
)
_NUMERAL_CONTEXT = re.compile(
    r"(?:phase|type|grade|class|stage|part|section|table|figure|appendix|level|arm|trial"
    r"|study|group|cohort|period|chapter|volume|vol)\W{0,3}\Z",
    re.IGNORECASE,
)
_HEALTH = re.compile(
    r"(?<![\w])(?:(?-i:MS)|diagnos\w{0,6}|relaps\w{0,5}|multiple\s{1,3}sclerosis|rrms|spms"
    r"|ppms|prescrib\w{0,4}|infusion|dose|treat\w{0,6}|symptom\w{0,2}|lesion\w{0,1}|mri|scan"
    r"|clinic|ward|hospital|surgery|appointment|medication|drug|therapy|disease|illness"
    r"|cancer|condition|pregnan\w{0,4}|side[\s-]effects?|told\s{1,3}(?:me|him|her|us)"
    r"|alemtuzumab|lemtrada|ocrevus|ocrelizumab|tysabri|natalizumab|copaxone|interferon"
    r"|fingolimod|gilenya|tecfidera|dmt|dmd)(?![\w])",
    re.IGNORECASE,
)
NEAR = 120  # characters either side of a name in which a first person or health detail counts


def _first_person_in(text):
    for match in _FIRST_PERSON.finditer(text):
        if match[0] == "I" and _NUMERAL_CONTEXT.search(
            text[max(0, match.start() - 14) : match.start()]
        ):
            continue  # "phase I", "type I": a numeral, not a person
        return True
    return False


def named_person(comment, meta):
    """A title and a capitalised name ("Dr Smith"), or "my patient John", near a first
    person (I, me, my) or a health detail. Errs on holding: a moderator decides. The
    reason never repeats the name."""
    body = _body(comment)
    if _RELATIVE_NAME.search(body):
        return _hold(NAMED_PERSON, "a patient or relative named")
    for match in _TITLED_NAME.finditer(body):
        start, end = match.span()
        # The words around the name, not the name itself ("Ms" is not "MS").
        around = body[max(0, start - NEAR) : start] + " \n " + body[end : end + NEAR]
        if _first_person_in(around):
            return _hold(
                NAMED_PERSON, "a titled name near \u201cI\u201d, \u201cme\u201d or \u201cmy\u201d"
            )
        if _HEALTH.search(around):
            return _hold(NAMED_PERSON, "a titled name near a health detail")
    return None


# In the order a moderator would want the reason: the most identifying first.
SAFETY_RULES = [
    nhs_number,
    hospital_number,
    date_of_birth,
    phone_number,
    email_address,
    postal_code,
    medical_advice_request,
    named_person,
]


def join_reasons(reasons, *, limit=None):
    """``reasons`` grouped by kind, in order ("patient identifier: NHS number, phone
    number; request for personal medical advice: ..."), within ``limit`` characters (the
    field's max_length): when too long, the last kinds lose their details, so every kind
    held for is always named (the three kinds alone take 92 characters)."""
    limit = limit or Comment._meta.get_field("status_reason").max_length
    details = {}
    for reason in reasons:
        kind, _, detail = reason.partition(": ")
        details.setdefault(kind, [])
        if detail and detail not in details[kind]:
            details[kind].append(detail)
    parts = [
        f"{kind}: {DETAIL_SEPARATOR.join(found)}" if found else kind
        for kind, found in details.items()
    ]
    for index in reversed(range(len(parts))):
        if len(REASON_SEPARATOR.join(parts)) <= limit:
            break
        parts[index] = parts[index].partition(": ")[0]
    return REASON_SEPARATOR.join(parts)[:limit]


def every_safety_reason(comment, meta):
    """(Status.HELD, every safety rule's reason joined), or None when none applies: the
    moderator and the commenter see all of them, not only the first."""
    reasons = [verdict[1] for rule in SAFETY_RULES if (verdict := rule(comment, meta))]
    return (Status.HELD, join_reasons(reasons)) if reasons else None
