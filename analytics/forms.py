"""Filters of the analytics pages. Choices come from lists the view has already loaded (one
query each), so validating a filter never queries."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .selectors import LEAD_GROUPS, QUALITY_GROUPS, Filters

DEFAULT_DAYS = 28
MAX_DAYS = 400


def _date_or_none(value):
    try:
        return forms.DateField().to_python(value)
    except forms.ValidationError:
        return None


class AnalyticsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    line = forms.ChoiceField(label=_("Line"), required=False)

    def __init__(self, data, *, departments, lines, **kwargs):
        # an empty period shows (and keeps in the form) the default: the last 28 days
        data = data.copy()
        today = timezone.localdate()
        if not data.get("date_to"):
            data["date_to"] = today.isoformat()
        if not data.get("date_from"):
            end = _date_or_none(data["date_to"]) or today
            data["date_from"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data, **kwargs)
        self.departments = {d.code: d for d in departments}
        self.lines = {ln.code: ln for ln in lines}
        self.fields["department"].choices = [("", _("All departments"))] + [
            (d.code, d.display_name) for d in departments
        ]
        self.fields["line"].choices = [("", _("All lines"))] + [(ln.code, ln.code) for ln in lines]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.update({"class": css, "data-testid": f"filter-{name}"})

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise forms.ValidationError(_("“From” must be on or before “To”."))
        if (date_to - date_from).days >= MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(n)d days.") % {"n": MAX_DAYS}, code="too_long"
            )
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        department = self.departments.get(data.get("department") or "")
        line = self.lines.get(data.get("line") or "")
        return Filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            department=department,
            line=line,
            kind=data.get("kind") or "",
        )


class QualityFilterForm(AnalyticsFilterForm):
    kind = forms.ChoiceField(
        label=_("Inspection"),
        required=False,
        choices=[("", _("Inline and final")), ("inline", _("Inline")), ("final", _("Final"))],
    )
    group = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=list(
            zip(
                QUALITY_GROUPS,
                [_("Department"), _("Line"), _("Batch"), _("Defect code"), _("Week")],
                strict=True,
            )
        ),
    )


class OutputFilterForm(AnalyticsFilterForm):
    measure = forms.ChoiceField(
        label=_("Units"),
        required=False,
        choices=[("made", _("Made (ready to send)")), ("sent", _("Sent (accepted by next)"))],
    )


class LeadTimeFilterForm(AnalyticsFilterForm):
    group = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=list(zip(LEAD_GROUPS, [_("Department"), _("Line"), _("Week")], strict=True)),
    )


class FillWeightFilterForm(AnalyticsFilterForm):
    article = forms.ChoiceField(label=_("Article"), required=False)

    def __init__(self, data, *, articles, **kwargs):
        super().__init__(data, **kwargs)
        self.articles = {a.code: a for a in articles}
        self.fields["article"].choices = [(a.code, f"{a.code} · {a.name}") for a in articles]
        self.fields["article"].widget.attrs.update(
            {"class": "form-select", "data-testid": "filter-article"}
        )
        del self.fields["department"]

    def selected_article(self):
        code = self.cleaned_data.get("article") or ""
        if code in self.articles:
            return self.articles[code]
        return next(iter(self.articles.values()), None)
