"""Writers of trial records, named <entity>_<action>: validate everything, save in one
transaction, then refresh the record's snapshot (what readers see)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from trials.models import Arm, Harm, HarmResult, Outcome, OutcomeResult, TrialRecord
from trials.snapshot import build_snapshot


@transaction.atomic
def trial_record_refresh(*, record):
    """Store what readers see of ``record`` (its snapshot), from the rows below it."""
    record.snapshot = build_snapshot(record)
    record.save(update_fields=["snapshot"])  # a signal, so the page cache hears of it
    return record


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


def _numbers(model, parent, arm, values):
    result = model(arm=arm, **{model.parent_field: parent}, **values)
    if result.is_empty():
        return None
    return _saved(result)


@transaction.atomic
def trial_record_replace(*, post, data, position=0):
    """Create a record on ``post`` from ``data`` (a dict as in trials/demo/*.json), with its
    arms, outcomes and harms; per-arm numbers are keyed by the arm's name.

    Everything is validated with ``full_clean``; on any error nothing is saved and a
    ValidationError names the row.
    """
    data = dict(data)
    arms_data = data.pop("arms", [])
    outcomes_data = data.pop("outcomes", [])
    harms_data = data.pop("harms", [])
    record = _saved(TrialRecord(post=post, position=position, **data))
    arms = {}
    for index, arm_data in enumerate(arms_data):
        arms[arm_data["name"]] = _saved(Arm(record=record, position=index, **arm_data))
    for index, item in enumerate(outcomes_data):
        item = dict(item)
        results = item.pop("results", {})
        outcome = _row(Outcome(record=record, position=index, **item))
        _arm_rows(OutcomeResult, outcome, arms, results)
    for index, item in enumerate(harms_data):
        item = dict(item)
        results = item.pop("results", {})
        harm = _row(Harm(record=record, position=index, **item))
        _arm_rows(HarmResult, harm, arms, results)
    return trial_record_refresh(record=record)


def _row(instance):
    try:
        return _saved(instance)
    except ValidationError as exc:
        raise ValidationError(f"{instance.name}: {' '.join(exc.messages)}") from exc


def _arm_rows(model, parent, arms, results):
    for arm_name, values in results.items():
        if arm_name not in arms:
            raise ValidationError(f"{parent.name}: no arm called \u201c{arm_name}\u201d.")
        try:
            _numbers(model, parent, arms[arm_name], values)
        except ValidationError as exc:
            raise ValidationError(f"{parent.name}, {arm_name}: {' '.join(exc.messages)}") from exc
