"""Writers of trial records, named <entity>_<action>: validate everything, save in one
transaction, then refresh the record's snapshot (what readers see)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from blog import revisions
from blog.corrections import check_change_note
from blog.models import Post, PostRevision
from blog.services import post_revision_record, post_seen_snapshot
from trials.models import (
    Arm,
    Harm,
    HarmResult,
    Outcome,
    OutcomeResult,
    TrialRecord,
    comparator_problem,
)
from trials.revision_text import PART_NAME
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
    if problem := comparator_problem(arm.get("role") for arm in arms_data):
        raise ValidationError(problem)
    arms = {}
    for index, arm_data in enumerate(arms_data):
        arms[arm_data["name"]] = _saved(Arm(record=record, position=index, **arm_data))
    for index, item in enumerate(outcomes_data):
        item = dict(item)
        results = item.pop("results", {})
        outcome = Outcome(record=record, position=index, **item)
        if reason := outcome.arms_missing(len(arms)):
            raise ValidationError(f"{outcome.name}: {reason}")
        outcome = _row(outcome)
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


# --- The post's revisions (blog.revisions; the part is trials.revision_text) ------------------
def trial_records_baseline(*, post):
    """Before a change to the trial records of ``post``: make sure its history holds what
    readers see of them now. A post without history gets its first revision
    (``ensure_baseline``); one whose newest revision was stored before the trial records
    were part of revisions gets a revision with them, so the change is compared with what
    readers read rather than with nothing."""
    revisions.ensure_baseline(post)
    last = PostRevision.objects.filter(post_id=post.pk).order_by("-number").first()
    if last is None or PART_NAME in revisions.snapshot(post.pk, last.number):
        return
    stored = Post.objects.get(pk=post.pk)
    revisions.append(stored, revisions.snapshot_of(stored))


def trial_records_change_check(*, post, kind, note):
    """Whether a change to the trial records of ``post`` will be announced; raises
    ValidationError (keyed ``change_kind`` and ``change_note``, as the post form's) when
    readers have seen the post and the kind or the note is missing. Drafts never need one."""
    trial_records_baseline(post=post)
    seen = post_seen_snapshot(post.pk)
    if seen is None:
        return False
    after = {**seen, "status": post.status, PART_NAME: None}  # None: not the text seen
    return check_change_note(seen=seen, after=after, kind=kind, note=note)


@transaction.atomic
def trial_records_revision_record(*, post, editor=None, change_kind="", change_note=""):
    """After the trial records of ``post`` were saved: its next revision, with the note."""
    stored = Post.objects.get(pk=post.pk)
    return post_revision_record(
        post=stored, editor=editor, change_kind=change_kind, change_note=change_note
    )
