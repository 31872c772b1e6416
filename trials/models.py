"""Trial records: the trial a post discusses, its arms, outcomes and harms, as data.

A post may carry several records (a post may discuss two trials). Numbers are stored as
integers (counts) and Decimals (estimates, bounds, rates, percentages); the p value is
kept as written (``p<0·0001``) beside its parsed comparator and bound. Each row can carry
the sentence of the source it was taken from (``source_quote``).

Every rule a number must obey lives in the model's ``clean()`` and says in plain words what
is wrong; the admin, the demo loader and the services all go through ``full_clean()``.

Readers' pages do not read these tables row by row: ``TrialRecord.snapshot`` holds the
record's arms, outcomes and harms as plain data, derived in exactly one place
(``trials.snapshot.build_snapshot``, saved by ``trials.services.trial_record_refresh``), so
the post page reads one row per trial whatever the number of outcomes.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trials.notation import NotANumber, format_decimal, parse_p_value, percent_of
from trials.registry_ids import SHAPES, normalise_registry_id, registry_name, registry_url

# No trial arm is larger than this; a bigger number is a typing mistake (10⁹ participants).
MAX_PARTICIPANTS = 10_000_000
# A reported percentage may differ from count/total by rounding, not by more.
PERCENT_TOLERANCE = 1
DECIMAL = {"max_digits": 16, "decimal_places": 6, "null": True, "blank": True}


def _count_field(verbose_name, help_text=""):
    return models.PositiveIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[
            MaxValueValidator(
                MAX_PARTICIPANTS,
                message=f"No trial arm has more than {MAX_PARTICIPANTS:,} people: "
                "check this number.",
            )
        ],
        help_text=help_text,
    )


SOURCE_QUOTE_HELP = "The sentence of the source or abstract these numbers are taken from, copied."


class TrialRecord(models.Model):
    class Phase(models.TextChoices):
        NOT_APPLICABLE = "na", "Not applicable"
        EARLY_1 = "early_1", "Early phase 1"
        PHASE_1 = "1", "Phase 1"
        PHASE_1_2 = "1_2", "Phase 1/2"
        PHASE_2 = "2", "Phase 2"
        PHASE_2_3 = "2_3", "Phase 2/3"
        PHASE_3 = "3", "Phase 3"
        PHASE_4 = "4", "Phase 4"

    class Allocation(models.TextChoices):
        RANDOMISED = "randomised", "Randomised"
        NON_RANDOMISED = "non_randomised", "Non-randomised"
        SINGLE_GROUP = "single_group", "Single group (no allocation)"

    class DecimalMark(models.TextChoices):
        MIDDLE_DOT = "\u00b7", "Middle dot: 0\u00b751 (as The Lancet prints)"
        POINT = ".", "Point: 0.51"

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="trial_records")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(
        "short name", max_length=200, help_text="The trial's name or acronym, e.g. CARE-MS II."
    )
    registry_id = models.CharField(
        "registry id",
        max_length=40,
        blank=True,
        help_text=f"{SHAPES}. Case and spaces do not matter.",
    )
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    allocation = models.CharField(max_length=20, choices=Allocation.choices, blank=True)
    masking = models.CharField(
        max_length=200, blank=True, help_text="As written, e.g. rater-masked, double-blind, open."
    )
    follow_up = models.CharField(
        "follow-up", max_length=100, blank=True, help_text="As written, e.g. 2 years."
    )
    funders = models.TextField(
        "funder(s)",
        blank=True,
        help_text="As the source names them, separated by commas, semicolons or new lines. "
        "Write a parent company in brackets: Genzyme (Sanofi).",
    )
    decimal_mark = models.CharField(
        max_length=1,
        choices=DecimalMark.choices,
        default=DecimalMark.POINT,
        help_text="How readers see decimals: use the source's notation.",
    )
    notes = models.TextField(
        blank=True,
        help_text="What readers should know about these numbers (shown under the tables).",
    )
    source_quote = models.TextField(blank=True, help_text=SOURCE_QUOTE_HELP)
    # Derived (trials.snapshot): what readers' pages show. Never edited by hand.
    snapshot = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "trial record"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.name = " ".join(self.name.split())
        self.registry_id = normalise_registry_id(self.registry_id)

    @property
    def registry_url(self):
        return registry_url(self.registry_id)

    @property
    def registry_name(self):
        return registry_name(self.registry_id)


class Arm(models.Model):
    class Role(models.TextChoices):
        EXPERIMENTAL = "experimental", "Experimental"
        COMPARATOR = "comparator", "Comparator"

    record = models.ForeignKey(TrialRecord, on_delete=models.CASCADE, related_name="arms")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200, help_text="As the table heads it: Alemtuzumab 12 mg.")
    intervention = models.CharField(
        "intervention and dose",
        max_length=500,
        blank=True,
        help_text="As written: intravenous alemtuzumab 12 mg per day.",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EXPERIMENTAL)
    randomised = _count_field("randomised")
    analysed = _count_field("analysed")
    source_quote = models.TextField(blank=True, help_text=SOURCE_QUOTE_HELP)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "name"], name="trials_arm_unique_name")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.name = " ".join(self.name.split())
        if (
            self.randomised is not None
            and self.analysed is not None
            and self.analysed > self.randomised
        ):
            raise ValidationError(
                {
                    "analysed": f"More people analysed ({self.analysed}) than randomised "
                    f"({self.randomised}): check both numbers."
                }
            )


RATIO_MEASURES = {"risk_ratio", "odds_ratio", "rate_ratio", "hazard_ratio"}


class Outcome(models.Model):
    class Category(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        SAFETY = "safety", "Safety"

    class Type(models.TextChoices):
        BINARY = "binary", "Binary (people with the event)"
        RATE = "rate", "Rate (events over time)"
        TIME_TO_EVENT = "time_to_event", "Time to event"
        CONTINUOUS = "continuous", "Continuous (a mean)"

    class Measure(models.TextChoices):
        RISK_RATIO = "risk_ratio", "Risk ratio"
        ODDS_RATIO = "odds_ratio", "Odds ratio"
        RATE_RATIO = "rate_ratio", "Rate ratio"
        HAZARD_RATIO = "hazard_ratio", "Hazard ratio"
        RISK_DIFFERENCE = "risk_difference", "Risk difference"
        MEAN_DIFFERENCE = "mean_difference", "Mean difference"

    record = models.ForeignKey(TrialRecord, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.PRIMARY)
    outcome_type = models.CharField("type", max_length=20, choices=Type.choices)
    time_frame = models.CharField(
        "time frame", max_length=200, blank=True, help_text="As written: over 2 years."
    )
    event_is_good = models.BooleanField(
        "the event is a good one",
        default=False,
        help_text="Tick for outcomes such as \u201crelapse-free\u201d: more is better.",
    )
    effect_measure = models.CharField(
        "effect measure", max_length=20, choices=Measure.choices, blank=True
    )
    estimate = models.DecimalField(**DECIMAL)
    ci_level = models.DecimalField(
        "confidence level (%)",
        max_digits=5,
        decimal_places=2,
        default=95,
        validators=[
            MinValueValidator(50, message="A confidence level is between 50%% and 99.99%%."),
            MaxValueValidator(
                Decimal("99.99"), message="A confidence level is between 50%% and 99.99%%."
            ),
        ],
    )
    ci_lower = models.DecimalField("interval: lower bound", **DECIMAL)
    ci_upper = models.DecimalField("interval: upper bound", **DECIMAL)
    p_value_text = models.CharField(
        "p value as written", max_length=40, blank=True, help_text="As written: p<0\u00b70001."
    )
    p_comparator = models.CharField(max_length=1, blank=True, editable=False)
    # Room for the p values of genetics (p<5e-8) and beyond: 30 decimal places.
    p_value = models.DecimalField(max_digits=31, decimal_places=30, null=True, editable=False)
    note = models.TextField(
        blank=True, help_text="Shown beside the row, e.g. a denominator the source does not give."
    )
    source_quote = models.TextField(blank=True, help_text=SOURCE_QUOTE_HELP)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_ratio(self):
        return self.effect_measure in RATIO_MEASURES

    def clean(self):
        super().clean()
        self.name = " ".join(self.name.split())
        errors = {}
        self._clean_comparison(errors)
        self._clean_p_value(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_comparison(self, errors):
        estimate, lower, upper = self.estimate, self.ci_lower, self.ci_upper
        if (lower is None) != (upper is None):
            missing = "ci_upper" if upper is None else "ci_lower"
            errors[missing] = "Give both bounds of the interval, or neither."
            return
        if not self.effect_measure:
            if estimate is not None or lower is not None:
                errors["effect_measure"] = (
                    "Choose the effect measure (hazard ratio, rate ratio...) of this comparison."
                )
            return
        if estimate is None:
            errors["estimate"] = "Give the estimate reported for this effect measure."
            return
        if self.is_ratio:
            for name, value in (("estimate", estimate), ("ci_lower", lower), ("ci_upper", upper)):
                if value is not None and value <= 0:
                    errors[name] = (
                        f"A {self.get_effect_measure_display().lower()} is above 0; "
                        f"{format_decimal(value)} is not."
                    )
            if errors:
                return
        if lower is None:
            return
        if lower >= upper:
            errors["ci_upper"] = (
                f"The upper bound ({format_decimal(upper)}) must be above the lower bound "
                f"({format_decimal(lower)})."
            )
        elif not lower <= estimate <= upper:
            errors["estimate"] = (
                f"The estimate {format_decimal(estimate)} lies outside its interval "
                f"{format_decimal(lower)} to {format_decimal(upper)}: check all three numbers."
            )

    def _clean_p_value(self, errors):
        self.p_value_text = self.p_value_text.strip()
        if not self.p_value_text:
            self.p_comparator, self.p_value = "", None
            return
        try:
            self.p_comparator, self.p_value = parse_p_value(self.p_value_text)
        except NotANumber as exc:
            errors["p_value_text"] = str(exc)


class ArmNumbers(models.Model):
    """What one arm reported for an outcome or a harm: n of N, and the % as written."""

    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="+")
    count = _count_field("n", "People with the event.")
    total = _count_field("N", "People analysed for this outcome.")
    percent = models.DecimalField(
        "% as reported",
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, message="A percentage is between 0 and 100."),
            MaxValueValidator(100, message="A percentage is between 0 and 100."),
        ],
    )

    class Meta:
        abstract = True

    def is_empty(self):
        return all(getattr(self, name) is None for name in self.number_fields)

    number_fields = ("count", "total", "percent")

    def clean(self):
        super().clean()
        errors = {}
        count, total = self.count, self.total
        if count is not None and total is not None:
            if count > total:
                errors["count"] = (
                    f"More people with the event ({count}) than analysed ({total}): "
                    "check both numbers."
                )
            elif total == 0:
                errors["total"] = "No one analysed: leave N empty if the source does not give it."
            elif self.percent is not None:
                computed = percent_of(count, total)
                if abs(computed - self.percent) > PERCENT_TOLERANCE:
                    errors["percent"] = (
                        f"{format_decimal(self.percent)}% does not match {count} of {total} "
                        f"({format_decimal(computed)}%): check the three numbers."
                    )
        if count is None and (total is not None or self.percent is not None):
            errors["count"] = "Give the number of people with the event (n)."
        randomised = self.arm.randomised if self.arm_id else None
        if total is not None and randomised is not None and total > randomised:
            errors.setdefault(
                "total",
                f"More people analysed ({total}) than were randomised to "
                f"{self.arm.name} ({randomised}).",
            )
        if errors:
            raise ValidationError(errors)


class OutcomeResult(ArmNumbers):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="results")
    events = _count_field("events", "Events counted (a rate's numerator): 201 relapses.")
    value = models.DecimalField(
        "rate or mean, as reported", **DECIMAL, help_text="A rate or a mean, as reported."
    )

    number_fields = ("count", "total", "percent", "events", "value")
    parent_field = "outcome"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outcome", "arm"], name="trials_outcome_result_once")
        ]

    def __str__(self):
        return f"{self.outcome}: {self.arm}"

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.events is not None and self.count is not None and self.events < self.count:
            errors.setdefault("events", []).append(
                f"Fewer events ({self.events}) than people with an event ({self.count}): "
                "each of them had at least one."
            )
        if errors:
            raise ValidationError(errors)


class Harm(models.Model):
    record = models.ForeignKey(TrialRecord, on_delete=models.CASCADE, related_name="harms")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("adverse event", max_length=300)
    time_frame = models.CharField("time frame", max_length=200, blank=True)
    note = models.TextField(blank=True, help_text="Shown beside the row.")
    source_quote = models.TextField(blank=True, help_text=SOURCE_QUOTE_HELP)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.name = " ".join(self.name.split())


class HarmResult(ArmNumbers):
    harm = models.ForeignKey(Harm, on_delete=models.CASCADE, related_name="results")

    parent_field = "harm"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["harm", "arm"], name="trials_harm_result_once")
        ]

    def __str__(self):
        return f"{self.harm}: {self.arm}"
