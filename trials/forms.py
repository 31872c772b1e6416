"""Admin forms for trial records: numbers as the source prints them, per-arm columns.

Outcomes and harms hold per-arm numbers (OutcomeResult, HarmResult), one level deeper
than Django's inlines reach. ``numbers_form(base, arms, fields)`` gives the outcome (or
harm) form one field per arm and number (``arm12_count``...), filled from the stored
rows, validated by the result model's own ``clean()`` (its messages land beside the
field they are about) and saved with the outcome. Arms must be saved first: a new arm's
columns appear after "Save and continue editing".
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from trials.models import Arm, OutcomeResult
from trials.notation import NotANumber, decimal_from_text

NUMBER_LABELS = {
    "count": "n",
    "total": "N",
    "percent": "% as reported",
    "events": "events",
    "value": "rate or mean",
}


class SourceDecimalField(forms.DecimalField):
    """A decimal typed as the source prints it: ``0·51``, ``−0·3`` and ``0.51`` alike."""

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            value = decimal_from_text(value)
        except NotANumber as exc:
            raise ValidationError(str(exc), code="invalid") from None
        return super().to_python(str(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # A text box: a number input refuses "0·51" before the server can read it.
        attrs.pop("step", None)
        attrs.update({"inputmode": "decimal", "class": "trial-number"})
        return attrs


class SourceDecimalInput(forms.TextInput):
    pass


def trial_formfield(db_field, **kwargs):
    """``formfield_callback`` for the record's inlines: every DecimalField typed as the
    source prints it, and notes and quotes in boxes that keep the page short."""
    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(
            form_class=SourceDecimalField, widget=SourceDecimalInput, **kwargs
        )
    if isinstance(db_field, models.TextField):
        return db_field.formfield(widget=forms.Textarea(attrs={"rows": 2, "cols": 80}), **kwargs)
    return db_field.formfield(**kwargs)


def field_name(arm, number):
    return f"arm{arm.pk}_{number}"


class NumbersFormMixin:
    """Per-arm number fields for an outcome or harm form (``arms`` and ``result_model``
    are set on the class by ``numbers_form``)."""

    arms = ()
    result_model = OutcomeResult

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            stored = {r.arm_id: r for r in self.instance.results.all()}
            for arm in self.arms:
                result = stored.get(arm.pk)
                for number in self.result_model.number_fields:
                    if result is not None:
                        self.initial.setdefault(field_name(arm, number), getattr(result, number))

    def _result_for(self, arm):
        values = {
            number: self.cleaned_data.get(field_name(arm, number))
            for number in self.result_model.number_fields
        }
        return self.result_model(
            arm=arm, **{self.result_model.parent_field: self.instance}, **values
        )

    def clean(self):
        cleaned = super().clean()
        for arm in self.arms:
            if any(field_name(arm, n) in self.errors for n in self.result_model.number_fields):
                continue
            result = self._result_for(arm)
            if result.is_empty():
                continue
            try:
                result.full_clean(exclude=[self.result_model.parent_field], validate_unique=False)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    target = field_name(arm, name) if name in self.fields_for_numbers() else None
                    for message in messages:
                        self.add_error(
                            target, f"{arm.name}: {message}" if target is None else message
                        )
        return cleaned

    def fields_for_numbers(self):
        return set(self.result_model.number_fields)

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit:
            self.save_numbers()
        return instance

    def save_numbers(self):
        """Store each arm's numbers (an arm left empty loses its stored row)."""
        live_arms = set(
            Arm.objects.filter(pk__in=[a.pk for a in self.arms]).values_list("pk", flat=True)
        )
        for arm in self.arms:
            if arm.pk not in live_arms:  # deleted in the same save
                continue
            result = self._result_for(arm)
            stored = self.result_model.objects.filter(
                arm=arm, **{self.result_model.parent_field: self.instance}
            )
            if result.is_empty():
                stored.delete()
                continue
            existing = stored.first()
            if existing is not None:
                result.pk = existing.pk
            result.full_clean(validate_unique=False)
            result.save()


def numbers_form(base, *, arms, result_model):
    """A subclass of ``base`` (a ModelForm) with one field per arm and number."""
    attrs = {"arms": tuple(arms), "result_model": result_model}
    for arm in arms:
        for number in result_model.number_fields:
            model_field = result_model._meta.get_field(number)
            label = f"{arm.name}: {NUMBER_LABELS[number]}"
            if number in ("percent", "value"):
                field = SourceDecimalField(
                    label=label,
                    required=False,
                    max_digits=model_field.max_digits,
                    decimal_places=model_field.decimal_places,
                    widget=SourceDecimalInput,
                )
            else:
                field = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    widget=forms.NumberInput(attrs={"class": "trial-number"}),
                )
            attrs[field_name(arm, number)] = field
    return type(f"{base.__name__}WithArms", (NumbersFormMixin, base), attrs)
