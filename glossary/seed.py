"""The words the CARE-MS II demo post uses, explained for a lay reader (reading age 9-11).

Brought in by ``load_demo`` (a demo step, ``blog.extensions``), not by a migration: a site
starts with an empty glossary its editors fill, and the demo shows what one looks like.
Only missing terms are added (matched by slug, term or abbreviation), so an editor's
rewording survives ``load_demo --reset``. The demo post is then re-rendered, so its body
marks the words.
"""

from blog import markup
from blog.derived_html import rerender
from blog.models import Post
from glossary.models import Term

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
    ("msers", "MSers", "", "People with MS. It is the word the original author of this post uses."),
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
        "A way to compare how often something happens in two groups. 0.5 means it happened half "
        "as often in one group as in the other.",
    ),
    (
        "hazard-ratio",
        "hazard ratio",
        "",
        "A way to compare how soon something happens in two groups. Below 1 means it happened "
        "less, or later, in the first group.",
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
        "The doctors who checked how people were doing did not know which medicine each person "
        "had, so it could not affect their scores.",
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
        "When someone’s disability gets worse and stays worse for months (6 months in this "
        "trial), not just during an attack.",
    ),
    (
        "infusion-associated-reaction",
        "infusion-associated reaction",
        "",
        "A reaction during or soon after a drip, such as a rash, headache or fever. Most are mild.",
    ),
    (
        "immune-thrombocytopenia",
        "immune thrombocytopenia",
        "",
        "The body attacks its own platelets, the cells that stop bleeding. People bruise or bleed "
        "easily. It can be treated if it is found early.",
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
        "The body that decides if a medicine can be sold in the European Union.",
    ),
    (
        "food-and-drug-administration",
        "Food and Drug Administration",
        "FDA",
        "The body that decides if a medicine can be sold in the United States.",
    ),
    (
        "nice",
        "National Institute for Health and Care Excellence",
        "NICE",
        "The body that decides if the NHS in England and Wales should pay for a medicine.",
    ),
]


def glossary_seed():
    """Add the missing demo terms; returns how many were added."""
    taken = set(Term.objects.values_list("slug", flat=True))
    abbreviations = set(
        Term.objects.exclude(abbreviation="").values_list("abbreviation", flat=True)
    )
    terms = {t.casefold() for t in Term.objects.values_list("term", flat=True)}
    added = 0
    for slug, term, abbreviation, explanation in TERMS:
        if slug in taken or term.casefold() in terms or abbreviation in abbreviations:
            continue
        Term.objects.create(
            slug=slug, term=term, abbreviation=abbreviation, explanation=explanation
        )
        added += 1
    return added


def seed_demo_step(*, post, reset):
    """``load_demo``'s step (blog.extensions.register_demo_step)."""
    glossary_seed()
    rerender(Post.objects.filter(pk=post.pk), render=markup.render_post_body)
