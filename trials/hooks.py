"""What the trials app adds to a post, through blog.extensions (registered in apps.py).

Each hook reads ``post.trial_records.all()``, prefetched by the post page and the feeds
(``records_prefetch``: one query for all the posts in hand), and each record's stored
snapshot, so no hook queries per post or per outcome.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string

from blog.metadata import absolute_url
from trials import sponsors
from trials.models import TrialRecord
from trials.notation import format_decimal
from trials.presentation import COMPUTED_LABEL, PHASE_LABELS, record_view
from trials.snapshot import SNAPSHOT_VERSION

DEMO_DIR = Path(__file__).resolve().parent / "demo"

PAYMENT_RELATIONSHIPS = {"consultancy", "honoraria", "research_funding", "employment", "travel"}


def records_prefetch():
    return Prefetch("trial_records", queryset=TrialRecord.objects.order_by("position", "pk"))


def _records(post):
    return list(post.trial_records.all())


# The ids of the "Words explained" entries glossary.marking appends to a post body.
_EXPLAINED = re.compile(r'<dt id="word-([^"<>]+)">')


def _plain_words_context(post):
    """What the section's lead and its links to "Words explained" need: whether the post
    has a plain-words summary, and the slugs of the words its body explains."""
    return {
        "has_plain_words": bool(post.plain_summary_html),
        "explained": set(_EXPLAINED.findall(post.body_html or "")),
    }


def results_section(post, context):
    records = _records(post)
    if not records:
        return ""
    return render_to_string(
        "trials/_results_section.html",
        {
            "records": [record_view(r) for r in records],
            "computed_label": COMPUTED_LABEL,
            **_plain_words_context(post),
        },
    )


def feed_tables(post):
    """The same tables in the feed, without the SVG plots: feed readers strip or mangle
    inline SVG (and their sanitisers drop it), while the table carries every number."""
    records = _records(post)
    if not records:
        return ""
    return render_to_string(
        "trials/_results_section.html",
        {
            "records": [record_view(r) for r in records],
            "computed_label": COMPUTED_LABEL,
            "for_feed": True,
            # A feed reader resolves "#note" against the feed, not the post: link the post.
            "anchor_base": absolute_url(post.address) if post.address else "",
            **_plain_words_context(post),
        },
    )


def sponsor_overlaps(post):
    """[(person, relationship kind, record, [funder names])] for each disclosure that names
    a funder of a trial the post discusses."""
    records = _records(post)
    found = []
    for disclosure in post.disclosures.all():
        if disclosure.relationship == "none" or not disclosure.organisations:
            continue
        for record in records:
            names = sponsors.disclosed_funders(record.funders, disclosure.organisations)
            if names:
                found.append((disclosure.person, disclosure.relationship, record, names))
    return found


def sponsor_notices(post):
    """Plain sentences, one per person and trial: "X has received payments from the
    trial's funder: Genzyme, Sanofi." No score, no judgement."""
    records = _records(post)
    merged = {}
    for person, relationship, record, names in sponsor_overlaps(post):
        key = (" ".join(person.split()), record.pk)
        entry = merged.setdefault(key, {"record": record, "names": [], "paid": False})
        entry["names"] += [n for n in names if n not in entry["names"]]
        entry["paid"] |= relationship in PAYMENT_RELATIONSHIPS
    sentences = []
    for (person, _pk), entry in merged.items():
        funder = "funders" if len(entry["names"]) > 1 else "funder"
        funder = (
            f"the trial's {funder}"
            if len(records) == 1
            else f"the {funder} of {entry['record'].name}"
        )
        verb = "has received payments from" if entry["paid"] else "has declared a relationship with"
        sentences.append(f"{person} {verb} {funder}: {', '.join(entry['names'])}.")
    return sentences


def sponsor_notice(post, context):
    sentences = sponsor_notices(post)
    if not sentences:
        return ""
    return render_to_string(
        "trials/_sponsor_notice.html", {"sentences": sentences, "heading": _funders_heading(post)}
    )


def _funders_heading(post):
    """ "The trial's funder", "The trial's funders" (the record names several) or "The
    trials' funders" (the post discusses several trials)."""
    records = _records(post)
    if len(records) > 1:
        return "The trials\u2019 funders"
    several = len(sponsors.split_organisations(records[0].funders)) > 1
    return f"The trial\u2019s {'funders' if several else 'funder'}"


# --- JSON-LD -----------------------------------------------------------------------------
DESIGN_TYPES = {"randomised": "https://schema.org/RandomizedTrial"}


def _organisations(text):
    return [{"@type": "Organization", "name": name} for name in sponsors.split_organisations(text)]


def _number(text):
    if text is None:
        return None
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _observation(outcome, arms_by_id):
    observation = {
        "@type": "Observation",
        "name": outcome["name"],
        "measuredProperty": {"@type": "Property", "name": outcome["name"]},
    }
    if outcome["time_frame"]:
        observation["observationPeriod"] = outcome["time_frame"]
    if outcome["effect_measure"] and outcome["estimate"] is not None:
        observation["measurementMethod"] = outcome["effect_measure"].replace("_", " ")
        observation["value"] = _number(outcome["estimate"])
        if outcome["ci_lower"] is not None:
            observation["marginOfError"] = {
                "@type": "QuantitativeValue",
                "minValue": _number(outcome["ci_lower"]),
                "maxValue": _number(outcome["ci_upper"]),
                "description": f"{float(outcome['ci_level']):g}% confidence interval",
            }
    properties = []
    for arm_id, numbers in outcome["results"].items():
        arm = arms_by_id.get(arm_id)
        if arm is None or numbers.get("count") is None:
            continue
        value = {"@type": "PropertyValue", "name": arm["name"], "value": _number(numbers["count"])}
        if numbers.get("total") is not None:
            value["maxValue"] = _number(numbers["total"])
        if numbers.get("percent") is not None:
            value["description"] = f"{format_decimal(Decimal(numbers['percent']))}%"
        properties.append(value)
    if outcome.get("p_value_text"):
        properties.append(
            {"@type": "PropertyValue", "name": "p value", "value": outcome["p_value_text"]}
        )
    if properties:
        observation["additionalProperty"] = properties
    return observation


def medical_trial(record):
    snapshot = record.snapshot or {}
    if snapshot.get("version") != SNAPSHOT_VERSION:
        snapshot = {}
    arms = snapshot.get("arms", [])
    arms_by_id = {str(arm["id"]): arm for arm in arms}
    trial = {"@type": "MedicalTrial", "name": record.name}
    if record.registry_id:
        trial["identifier"] = record.registry_id
        trial["url"] = record.registry_url
    if record.phase:
        trial["phase"] = PHASE_LABELS[record.phase]
    if record.allocation in DESIGN_TYPES:
        trial["trialDesign"] = DESIGN_TYPES[record.allocation]
    funders = _organisations(record.funders)
    if funders:
        trial["sponsor"] = funders
        trial["funder"] = funders
    if arms:
        trial["studySubject"] = [
            {
                "@type": "MedicalEntity",
                "name": arm["name"],
                "description": arm["intervention"],
            }
            for arm in arms
        ]
    outcomes = [*snapshot.get("outcomes", []), *snapshot.get("harms", [])]
    outcomes = [{**{"effect_measure": "", "estimate": None}, **o} for o in outcomes]
    if outcomes:
        trial["outcome"] = [_observation(o, arms_by_id) for o in outcomes]
    return trial


def json_ld_trials(post, data):
    """The post is about each trial it carries a record of: ``about`` becomes the
    record's MedicalTrial (replacing the bare one blog made from the registration)."""
    records = _records(post)
    if not records:
        return
    trials = [medical_trial(record) for record in records]
    existing = data.get("about")
    if existing and not any(t.get("identifier") == existing.get("identifier") for t in trials):
        trials.insert(0, existing)
    data["about"] = trials[0] if len(trials) == 1 else trials


# --- demo --------------------------------------------------------------------------------
@transaction.atomic
def demo_step(*, post, reset):
    """The demo post's trial record from trials/demo/<slug>.json: created when the post
    has none, rewritten with ``reset``; a record an editor made is otherwise left alone."""
    from blog import revisions
    from trials.services import trial_record_replace

    path = DEMO_DIR / f"{post.slug}.json"
    if not path.is_file():
        return
    if post.trial_records.exists() and not reset:
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    post.trial_records.all().delete()
    for position, record in enumerate(data["records"]):
        trial_record_replace(post=post, data=record, position=position)
    # The demo's own content, as its file has it: kept in the history, not announced.
    revisions.append(post, revisions.snapshot_of(post))
