"""A record's arms, outcomes and harms as plain data, for readers' pages.

Derived in exactly one place (here) and stored on ``TrialRecord.snapshot`` by
``trials.services.trial_record_refresh`` whenever the admin or the demo loader saves a
record; the post page, the feeds and the JSON-LD read it, one row per trial. Decimals are
kept as strings so that nothing is rounded on the way (``"0.51"`` stays ``0.51``).
"""

SNAPSHOT_VERSION = 1


def _number(value):
    return None if value is None else str(value)


def _arm_numbers(result, fields):
    return {name: _number(getattr(result, name)) for name in fields}


def build_snapshot(record):
    """Everything below ``record`` (a saved TrialRecord), in display order: four queries."""
    arms = list(record.arms.all())
    outcomes = list(record.outcomes.prefetch_related("results"))
    harms = list(record.harms.prefetch_related("results"))
    return {
        "version": SNAPSHOT_VERSION,
        "arms": [
            {
                "id": arm.pk,
                "name": arm.name,
                "intervention": arm.intervention,
                "role": arm.role,
                "randomised": arm.randomised,
                "analysed": arm.analysed,
                "source_quote": arm.source_quote,
            }
            for arm in arms
        ],
        "outcomes": [
            {
                "name": outcome.name,
                "category": outcome.category,
                "type": outcome.outcome_type,
                "time_frame": outcome.time_frame,
                "event_is_good": outcome.event_is_good,
                "effect_measure": outcome.effect_measure,
                "estimate": _number(outcome.estimate),
                "ci_level": _number(outcome.ci_level),
                "ci_lower": _number(outcome.ci_lower),
                "ci_upper": _number(outcome.ci_upper),
                "p_value_text": outcome.p_value_text,
                "p_comparator": outcome.p_comparator,
                "p_value": _number(outcome.p_value),
                "note": outcome.note,
                "source_quote": outcome.source_quote,
                "results": {
                    str(result.arm_id): _arm_numbers(result, result.number_fields)
                    for result in outcome.results.all()
                },
            }
            for outcome in outcomes
        ],
        "harms": [
            {
                "name": harm.name,
                "time_frame": harm.time_frame,
                "note": harm.note,
                "source_quote": harm.source_quote,
                "results": {
                    str(result.arm_id): _arm_numbers(result, result.number_fields)
                    for result in harm.results.all()
                },
            }
            for harm in harms
        ],
    }
