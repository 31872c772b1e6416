"""Trial records for tests, made through the service the demo loader uses."""

from trials.services import trial_record_replace

COMPARATOR, EXPERIMENTAL = "Placebo", "Drug X 10 mg"


def record_data(*, outcomes=1, harms=1, funders="Acme Pharma Ltd", **fields):
    """A two-arm randomised trial with ``outcomes`` outcomes (alternately a risk ratio with
    counts and a mean difference) and ``harms`` harms, every number valid."""
    data = {
        "name": "TEST-1",
        "registry_id": "NCT01234567",
        "phase": "3",
        "allocation": "randomised",
        "masking": "double-blind",
        "follow_up": "1 year",
        "funders": funders,
        "arms": [
            {"name": COMPARATOR, "role": "comparator", "randomised": 200, "analysed": 190},
            {"name": EXPERIMENTAL, "role": "experimental", "randomised": 200, "analysed": 195},
        ],
        "outcomes": [],
        "harms": [],
        **fields,
    }
    for i in range(outcomes):
        if i % 2 == 0:
            data["outcomes"].append(
                {
                    "name": f"Outcome {i}",
                    "outcome_type": "binary",
                    "effect_measure": "risk_ratio",
                    "estimate": "0.5",
                    "ci_lower": "0.3",
                    "ci_upper": "0.8",
                    "p_value_text": "p=0.004",
                    "results": {
                        COMPARATOR: {"count": 40, "total": 190},
                        EXPERIMENTAL: {"count": 20, "total": 195},
                    },
                }
            )
        else:
            data["outcomes"].append(
                {
                    "name": f"Outcome {i}",
                    "outcome_type": "continuous",
                    "effect_measure": "mean_difference",
                    "estimate": "-1.2",
                    "ci_lower": "-2.0",
                    "ci_upper": "-0.4",
                    "results": {COMPARATOR: {"value": "10.1"}, EXPERIMENTAL: {"value": "8.9"}},
                }
            )
    for i in range(harms):
        data["harms"].append(
            {
                "name": f"Harm {i}",
                "results": {
                    COMPARATOR: {"count": 10, "total": 190},
                    EXPERIMENTAL: {"count": 30, "total": 195},
                },
            }
        )
    return data


def make_trial_record(*, post, position=0, **kwargs):
    return trial_record_replace(post=post, data=record_data(**kwargs), position=position)
