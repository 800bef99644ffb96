"""Input validation for the Quality pages. Forms only check and convert what was typed; the
writes go through ``quality.services``, ``quality.quarantine`` and ``quality.lab``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppic.models import Article, Batch

from .aql import MAX_LOT, MIN_LOT
from .lab import evaluate
from .models import FinalInspection, LabTest, Quarantine, QuarantineDecision

MAX_DEFECTS = 100_000


class BootstrapMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on the fields that failed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"

    def first_error(self) -> str:
        """One sentence for the red box: the first field's label and its first error."""
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            return f"{label}: {errors[0]}" if label else str(errors[0])
        return ""


def _batch(value: str) -> Batch:
    number = (value or "").strip()
    batch = Batch.objects.select_related("mo", "mo__article", "mo__destination").filter(
        number=number
    )
    found = batch.first() if number else None
    if found is None:
        raise forms.ValidationError(_("No batch %(number)s.") % {"number": number or "—"})
    return found


# --- final inspection ---------------------------------------------------------------------------
def _count(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_DEFECTS,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


class FinalInspectionForm(BootstrapMixin, forms.Form):
    """The batch, the lot (defaults to the batch's units at finishing and packing) and the
    defects found in the sample per class."""

    batch = forms.CharField(label=_("Batch"), max_length=40)
    lot_size = forms.IntegerField(
        label=_("Lot size (pcs)"),
        min_value=MIN_LOT,
        max_value=MAX_LOT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": MIN_LOT, "max": MAX_LOT}),
    )
    critical = _count(_("Critical defects found"))
    major = _count(_("Major defects found"))
    minor = _count(_("Minor defects found"))

    def clean_batch(self):
        return _batch(self.cleaned_data["batch"])


class LotSizeForm(forms.Form):
    lot_size = forms.IntegerField(min_value=MIN_LOT, max_value=MAX_LOT)


class FinalInspectionFilterForm(BootstrapMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        required=False,
        choices=[("", _("All"))] + list(FinalInspection.Verdict.choices),
    )
    batch = forms.CharField(label=_("Batch"), required=False, max_length=40)

    def filters(self) -> dict:
        """The valid filters; a field typed wrongly is ignored (and shown as invalid)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "verdict": data.get("verdict") or None,
            "batch": (data.get("batch") or "").strip() or None,
        }


# --- quarantine ---------------------------------------------------------------------------------
class QuarantineFilterForm(BootstrapMixin, forms.Form):
    STATE_CHOICES = [("open", _("Open")), ("all", _("All"))]
    KIND_CHOICES = [("", _("All kinds")), ("metal", _("Metal (two approvers)"))] + list(
        Quarantine.Kind.choices
    )

    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=KIND_CHOICES)
    batch = forms.CharField(label=_("Batch"), required=False, max_length=40)

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "open_only": (data.get("state") or "open") == "open",
            "kind": data.get("kind") or None,
            "batch": (data.get("batch") or "").strip() or None,
        }


class QuarantineDecideForm(BootstrapMixin, forms.Form):
    """Release, rework or scrap; the quantity defaults to all that is still quarantined."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=QuarantineDecision.Decision.choices, widget=forms.RadioSelect
    )
    quantity = forms.IntegerField(
        label=_("Units (pcs)"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )
    note = forms.CharField(label=_("Note"), max_length=300)

    def clean_note(self):
        note = (self.cleaned_data.get("note") or "").strip()
        if not note:
            raise forms.ValidationError(_("Write what was found and what was done."))
        return note


# --- lab tests ----------------------------------------------------------------------------------
class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


EXTRA_MEASUREMENTS = 3


class LabTestForm(BootstrapMixin, forms.Form):
    """A lab result. Measurements are optional: value, limit, uncertainty and whether the limit
    is a maximum or a minimum (what ``quality.lab.evaluate`` reads), the unit, and up to three
    more readings as name/value pairs. Left empty, the result is taken from the measurements."""

    article = forms.ModelChoiceField(
        label=_("Article"),
        queryset=Article.objects.filter(active=True).order_by("code"),
        to_field_name="code",
    )
    test = forms.ChoiceField(label=_("Test"), choices=LabTest.Test.choices)
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("From the measurements"))] + list(LabTest.Result.choices),
    )
    tested_at = forms.DateTimeField(
        label=_("Tested at"), required=False, widget=DateTimeInput(), help_text=_("Empty: now.")
    )
    value = forms.DecimalField(label=_("Measured value"), required=False, max_digits=12,
                               decimal_places=4)  # fmt: skip
    limit = forms.DecimalField(label=_("Limit"), required=False, max_digits=12, decimal_places=4)
    uncertainty = forms.DecimalField(
        label=_("Measurement uncertainty (±)"), required=False, max_digits=12, decimal_places=4,
        min_value=0,
    )  # fmt: skip
    limit_kind = forms.ChoiceField(
        label=_("The limit is"),
        required=False,
        choices=[("max", _("a maximum (value must stay below)")),
                 ("min", _("a minimum (value must reach it)"))],
        initial="max",
    )  # fmt: skip
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, EXTRA_MEASUREMENTS + 1):
            self.fields[f"m{n}_key"] = forms.CharField(
                label=_("Reading %(n)d: name") % {"n": n}, required=False, max_length=40
            )
            self.fields[f"m{n}_value"] = forms.CharField(
                label=_("Reading %(n)d: value") % {"n": n}, required=False, max_length=60
            )
        for name in self.fields:
            if name.startswith("m") and name[1:2].isdigit():
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control".strip()

    def extra_rows(self):
        return [(self[f"m{n}_key"], self[f"m{n}_value"]) for n in range(1, EXTRA_MEASUREMENTS + 1)]

    def clean_tested_at(self):
        tested_at = self.cleaned_data.get("tested_at")
        if tested_at and tested_at > timezone.now():
            raise forms.ValidationError(_("A test cannot be dated in the future."))
        return tested_at

    def clean(self):
        data = super().clean()
        value, limit = data.get("value"), data.get("limit")
        if (value is None) != (limit is None) and not self.errors:
            missing = "limit" if limit is None else "value"
            self.add_error(missing, _("Give both the measured value and the limit, or neither."))
        measurements: dict = {}
        if value is not None and limit is not None:
            measurements = {
                "value": str(value),
                "limit": str(limit),
                "uncertainty": str(data.get("uncertainty") or Decimal(0)),
                "limit_kind": data.get("limit_kind") or "max",
            }
        if data.get("unit"):
            measurements["unit"] = data["unit"].strip()
        for n in range(1, EXTRA_MEASUREMENTS + 1):
            key = (data.get(f"m{n}_key") or "").strip()
            raw = (data.get(f"m{n}_value") or "").strip()
            if not key and not raw:
                continue
            if not key or not raw:
                self.add_error(f"m{n}_key", _("Give the reading's name and its value."))
                continue
            if key in measurements or key in ("value", "limit", "uncertainty", "limit_kind"):
                self.add_error(f"m{n}_key", _("This name is used already."))
                continue
            try:
                measurements[key] = str(Decimal(raw.replace(",", ".")))
            except InvalidOperation:
                measurements[key] = raw
        data["measurements"] = measurements
        if not data.get("result") and "result" not in self.errors:
            evaluated = evaluate(measurements) if measurements else None
            if evaluated is None:
                self.add_error(
                    "result", _("Choose the result, or give the measured value and the limit.")
                )
            else:
                data["result"] = evaluated
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "article": data["article"],
            "test": data["test"],
            "result": data["result"],
            "measurements": data["measurements"],
        }
        if data.get("tested_at"):
            fields["tested_at"] = data["tested_at"]
        return fields


class LabFilterForm(BootstrapMixin, forms.Form):
    article = forms.CharField(label=_("Article code"), required=False, max_length=40)
    test = forms.ChoiceField(
        label=_("Test"), required=False, choices=[("", _("All"))] + list(LabTest.Test.choices)
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("All"))] + list(LabTest.Result.choices),
    )

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "article": (data.get("article") or "").strip() or None,
            "test": data.get("test") or None,
            "result": data.get("result") or None,
        }
