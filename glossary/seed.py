"""The words the CARE-MS II demo post uses, explained for a lay reader (reading age 9-11).

Brought in by ``load_demo`` (a demo step, ``blog.extensions``), not by a migration: a site
starts with an empty glossary its editors fill, and the demo shows what one looks like.
Missing terms are added (matched by slug, term or abbreviation). A term whose explanation
is still exactly what an earlier version of this file seeded (``OLDER_EXPLANATIONS``) gets
today's wording; any other wording is an editor's and is kept, with or without
``load_demo --reset``. The posts that use an added or updated term are re-rendered, so their
bodies mark and explain the words as the glossary now has them.

When you reword an entry here, add its old text to ``OLDER_EXPLANATIONS`` so that sites
loaded before pick up the new wording.
"""

from blog import markup
from blog.derived_html import rerender
from blog.models import Post
from glossary.models import Term
from glossary.services import glossary_posts_rerender

# (slug, term, abbreviation, explanation)
TERMS = [
    (
        "multiple-sclerosis",
        "multiple sclerosis",
        "MS",
        "An illness where the body’s defence system attacks the brain and spinal cord. It can "
        "cause problems with walking, seeing, feeling and tiredness.",
    ),
    (
        "relapsing-remitting-multiple-sclerosis",
        "relapsing-remitting multiple sclerosis",
        "RRMS",
        "The most common kind of MS. People have attacks (relapses) of new or worse problems, "
        "then get better for a while.",
    ),
    ("msers", "MSers", "", "People with MS. It is the word the writer of this post uses."),
    (
        "disease-modifying-therapy",
        "disease-modifying therapy",
        "DMT",
        "A medicine taken to calm MS down over a long time, so there are fewer attacks. It does "
        "not cure MS.",
    ),
    (
        "expanded-disability-status-scale",
        "Expanded Disability Status Scale",
        "EDSS",
        "A score doctors use to measure how much MS affects someone, from 0 (no problems) to 10.",
    ),
    (
        "relapse",
        "relapse",
        "",
        "An attack of MS: new problems, or old ones getting worse, for at least a day or two.",
    ),
    (
        "rate-ratio",
        "rate ratio",
        "",
        "A way to compare how often something happens in two groups. It usually compares the "
        "group on the treatment being tested with the comparison group. Below 1 means it "
        "happened less often in the group on the treatment being tested: 0.5 means half as often.",
    ),
    (
        "hazard-ratio",
        "hazard ratio",
        "",
        "A way to compare how soon something happens in two groups. It usually compares the "
        "group on the treatment being tested with the comparison group. Below 1 means it "
        "happened less, or later, in the group on the treatment being tested.",
    ),
    (
        "confidence-interval",
        "confidence interval",
        "CI",
        "The range where the true answer probably lies. A narrow range means the result is more "
        "certain. “95% CI” means we can be fairly sure the answer is in this range.",
    ),
    (
        "p-value",
        "p value",
        "",  # never "p": a lone letter would be marked in "(p. 12)" and list markers
        "A number that shows how likely a result this big would be if the drug made no "
        "difference. A very small p value means the result is unlikely to be chance alone.",
    ),
    (
        "interferon-beta",
        "interferon beta",
        "",
        "An older MS medicine given as injections under the skin or into a muscle. Interferon "
        "beta 1a is one kind.",
    ),
    (
        "alemtuzumab",
        "alemtuzumab",
        "",
        "An MS medicine given as a drip into a vein on a few days, then again a year later. It "
        "wipes out some of the body’s defence cells, which then grow back.",
    ),
    (
        "monoclonal-antibody",
        "monoclonal antibody",
        "",
        "A medicine made to stick to one exact target in the body, like a key that fits one lock.",
    ),
    (
        "cd52",
        "CD52",
        "",
        "A marker on the outside of some of the body’s defence cells. Alemtuzumab sticks to it.",
    ),
    (
        "rater-masked",
        "rater-masked",
        "",
        "The doctors who scored each person’s disability did not know which medicine the "
        "person had. So this could not change the scores.",
    ),
    (
        "randomised",
        "randomised",
        "",
        "People were put into groups by chance, like tossing a coin, so the groups were alike.",
    ),
    (
        "phase-3-trial",
        "phase 3 trial",
        "",
        "A large test of a medicine in people, to check how well it works and how safe it is, "
        "before it is approved.",
    ),
    (
        "sustained-accumulation-of-disability",
        "sustained accumulation of disability",
        "",
        "When a person’s disability gets worse and stays worse for a set time, such as 6 "
        "months. It is not just a short attack.",
    ),
    (
        "infusion-associated-reaction",
        "infusion-associated reaction",
        "",
        "A reaction during or soon after a drip, such as a rash, headache or fever. A drip puts "
        "a medicine slowly into a vein.",
    ),
    (
        "immune-thrombocytopenia",
        "immune thrombocytopenia",
        "",
        "The body attacks its own platelets, the cells that stop bleeding. People bruise or bleed "
        "easily.",
    ),
    ("autoimmunity", "autoimmunity", "", "When the body’s defence system attacks the body itself."),
    (
        "endpoint",
        "endpoint",
        "",
        "What a trial measures to decide if a medicine works, such as the number of attacks.",
    ),
    (
        "european-medicines-agency",
        "European Medicines Agency",
        "EMA",
        "The organisation that says yes or no to new medicines in the European Union. A "
        "medicine needs its yes before it can be sold there.",
    ),
    (
        "food-and-drug-administration",
        "Food and Drug Administration",
        "FDA",
        "The organisation that says yes or no to new medicines in the United States. A "
        "medicine needs its yes before it can be sold there.",
    ),
    (
        "nice",
        "National Institute for Health and Care Excellence",
        "NICE",
        "The organisation that decides if the NHS should pay for a medicine in England and "
        "Wales. The NHS is the health service that taxes pay for.",
    ),
    # Added after the tryout by a newly diagnosed reader (words the page left unexplained).
    (
        "first-line-treatment",
        "first-line treatment",
        "1st line",
        "The first kind of medicine doctors usually offer for an illness. If it does not work "
        "well enough, they may offer another.",
    ),
    (
        "glatiramer",
        "glatiramer",
        "",
        "An MS medicine given as an injection under the skin. It is taken for a long time to "
        "calm MS down.",
    ),
    ("efficacy", "efficacy", "", "How well a medicine works when it is tested in a trial."),
    (
        "adverse-effect",
        "adverse effect",
        "",
        "A harm that a medicine causes. Another name is a side effect.",
    ),
    (
        "adverse-event",
        "adverse event",
        "",
        "Anything bad that happens to a person in a trial. It may or may not be caused by the "
        "medicine.",
    ),
    (
        "subcutaneous",
        "subcutaneous",
        "",
        "Under the skin. A subcutaneous injection goes just under the skin, not into a muscle "
        "or a vein.",
    ),
    (
        "intravenous",
        "intravenous",
        "",
        "Into a vein. An intravenous medicine goes into the blood through a drip or a needle in "
        "a vein.",
    ),
    (
        "baseline",
        "baseline",
        "",
        "The start of a trial, before people get the trial medicine. Later results are compared "
        "with it.",
    ),
    (
        "secondary-autoimmunity",
        "secondary autoimmunity",
        "",
        "When the body’s defence system starts to attack the body itself. Something else, such "
        "as a medicine, sets it off.",
    ),
    (
        "thyroid-disorder",
        "thyroid disorder",
        "",
        "A problem with the thyroid, a small part of the body at the front of the neck. It helps "
        "control how fast the body uses energy. It can work too much or too little.",
    ),
    (
        "coprimary-endpoint",
        "coprimary endpoint",
        "",
        "One of two main things a trial measures to decide if a medicine works. Both count the "
        "same.",
    ),
    (
        "relapse-rate",
        "relapse rate",
        "",
        "How often relapses happen in a group. It counts every relapse, so one person can have "
        "more than one.",
    ),
    (
        "1-2-2-ratio",
        "1:2:2 ratio",
        "",
        "How people were split into groups. For every 1 person put in the first group, 2 went "
        "in the second and 2 in the third.",
    ),
    (
        "interactive-voice-response-system",
        "interactive voice response system",
        "",
        "A phone system that answers by itself. Trials use it to put each person into a group "
        "by chance, so no one can choose.",
    ),
    (
        "stratified-by-site",
        "stratified by site",
        "",
        "People were put into groups by chance at each hospital on its own. So each hospital "
        "had a fair mix of people in each group.",
    ),
    (
        "microgram",
        "microgram",
        "\u03bcg",
        "A very tiny amount. There are 1,000 micrograms in 1 milligram.",
    ),
    ("milligram", "milligram", "mg", "A tiny amount. There are 1,000 milligrams in 1 gram."),
    (
        "refractory",
        "refractory",
        "",
        "When an illness does not get better with a treatment, or comes back while it is taken.",
    ),
    (
        "risk-benefit-ratio",
        "risk:benefit ratio",
        "",
        "Weighing up the harm a medicine can do against the good it can do.",
    ),
    (
        "study-protocol",
        "study protocol",
        "",
        "The written plan for a trial: who can join, what each person gets, and what is checked.",
    ),
    (
        "et-al",
        "et al",
        "",
        "Short for the Latin words for “and others”. “Smith et al” means Smith and the other "
        "people who wrote the paper.",
    ),
    (
        "lancet-decimal-point",
        "0\u00b70001",
        "",
        "A number written the way The Lancet writes it: the raised dot is a decimal point, so "
        "0\u00b70001 is 0.0001, which is 1 in 10,000. The sign “<” before it means “less than”. "
        "The Lancet writes 0.05 as 0\u00b705.",
    ),
]


# Explanations an earlier version of this file seeded, by slug. ``glossary_seed`` brings a
# term still worded exactly so up to today's wording; a term an editor reworded is kept.
OLDER_EXPLANATIONS = {
    "msers": ["People with MS. It is the word the original author of this post uses."],
    "rate-ratio": [
        "A way to compare how often something happens in two groups. 0.5 means it happened half "
        "as often in one group as in the other."
    ],
    "hazard-ratio": [
        "A way to compare how soon something happens in two groups. Below 1 means it happened "
        "less, or later, in the first group."
    ],
    "rater-masked": [
        "The doctors who checked how people were doing did not know which medicine each person "
        "had, so it could not affect their scores."
    ],
    "sustained-accumulation-of-disability": [
        "When someone's disability gets worse and stays worse for months (6 months in this "
        "trial), not just during an attack."
    ],
    "infusion-associated-reaction": [
        "A reaction during or soon after a drip, such as a rash, headache or fever. Most are mild."
    ],
    "immune-thrombocytopenia": [
        "The body attacks its own platelets, the cells that stop bleeding. People bruise or bleed "
        "easily. It can be treated if it is found early."
    ],
    "european-medicines-agency": [
        "The body that decides if a medicine can be sold in the European Union."
    ],
    "food-and-drug-administration": [
        "The body that decides if a medicine can be sold in the United States."
    ],
    "nice": ["The body that decides if the NHS in England and Wales should pay for a medicine."],
}


def _with_straight_marks(older):
    """``older`` plus, for each explanation written with typographic apostrophes and
    quotation marks (’ “ ”), the same words with straight ones, as earlier seeds had them."""
    for slug, _term, _abbreviation, explanation in TERMS:
        straight = explanation.replace("’", "'").replace("“", '"').replace("”", '"')
        if straight != explanation and straight not in older.get(slug, ()):
            older.setdefault(slug, []).append(straight)
    return older


OLDER_EXPLANATIONS = _with_straight_marks(OLDER_EXPLANATIONS)


def _reworded(current):
    """[(stored term, new explanation)] for each seeded term still worded as an older seed
    had it."""
    found = []
    for slug, _term, _abbreviation, explanation in TERMS:
        stored = current.get(slug)
        if stored and stored.explanation in OLDER_EXPLANATIONS.get(slug, ()):
            found.append((stored, explanation))
    return found


def glossary_seed():
    """Add the missing demo terms and bring the ones still worded as an older seed wrote
    them up to date; returns how many were added or updated. The posts that use a term
    added or updated are re-rendered."""
    current = {t.slug: t for t in Term.objects.all()}
    abbreviations = {t.abbreviation for t in current.values() if t.abbreviation}
    terms = {t.term.casefold() for t in current.values()}
    phrases, added = [], 0
    for slug, term, abbreviation, explanation in TERMS:
        if slug in current or term.casefold() in terms or abbreviation in abbreviations:
            continue
        Term.objects.create(
            slug=slug, term=term, abbreviation=abbreviation, explanation=explanation
        )
        phrases += [p for p in (term, abbreviation) if p]
        added += 1
    updated = _reworded(current)
    for stored, explanation in updated:
        stored.explanation = explanation
        stored.save(update_fields=["explanation", "updated_at"])
        phrases += [p for p in (stored.term, stored.abbreviation) if p]
    if phrases:
        glossary_posts_rerender(phrases=phrases)
    return added + len(updated)


def seed_demo_step(*, post, reset):
    """``load_demo``'s step (blog.extensions.register_demo_step)."""
    glossary_seed()
    rerender(Post.objects.filter(pk=post.pk), render=markup.render_post_body)
