"""Input validation for the warehouse pages. Business rules stay in ``services``; these forms
only check shape, range and what belongs together."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppic.models import Material, MaterialKind

from .models import StockLot, StockMove

QTY = {"max_digits": 14, "decimal_places": 3}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class BootstrapMixin:
    """Bootstrap classes on every widget, ``is-invalid`` on fields with errors (set again
    after cleaning, so styling never triggers validation before ``__init__`` ends)."""

    def _style(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if self._errors and self._errors.get(name):  # never validates by itself
                css += " is-invalid"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        self._style()


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class IdempotentForm(BootstrapMixin, forms.Form):
    """Every state-changing form carries a key made when it is rendered: submitting the same
    form twice records once (see ``views.run_once``)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
        self._style()


class MaterialSelect(forms.Select):
    """Options carry the material's unit and kind, so the page can name the unit."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-uom"] = instance.uom
            option["attrs"]["data-kind"] = instance.kind
        return option


class MaterialChoiceField(forms.ModelChoiceField):
    widget = MaterialSelect

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("— choose —"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name} ({obj.uom})"


def positive_quantity(label):
    return forms.DecimalField(label=label, min_value=Decimal("0.001"), **QTY)


# --- receipts ---------------------------------------------------------------------------------
class ReceiptForm(IdempotentForm):
    material = MaterialChoiceField(
        label=_("Material"), queryset=Material.objects.filter(active=True).order_by("code")
    )
    lot_number = forms.CharField(label=_("Lot / roll number"), max_length=60)
    dye_lot = forms.CharField(
        label=_("Dye lot"),
        max_length=60,
        required=False,
        help_text=_("Fabric: the dye lot (shade) printed on the roll."),
    )
    quantity = positive_quantity(_("Quantity"))
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Empty: now."),
    )
    inspection_points = forms.DecimalField(
        label=_("4-point inspection (points per 100 yd²)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Fabric rolls picked for inspection; empty when not inspected."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().strftime(DATETIME_LOCAL))
        self.fields["quantity"].widget.attrs.update({"step": "0.001", "inputmode": "decimal"})
        self.fields["inspection_points"].widget.attrs.update(
            {"step": "0.01", "inputmode": "decimal"}
        )

    def clean(self):
        data = super().clean()
        material = data.get("material")
        if material is not None and material.kind == MaterialKind.FABRIC:
            if not data.get("dye_lot", "").strip():
                self.add_error("dye_lot", _("Fabric is received per dye lot: give it."))
        elif material is not None and data.get("inspection_points") is not None:
            self.add_error("inspection_points", _("Only fabric rolls are 4-point inspected."))
        received_at = data.get("received_at")
        if received_at and received_at > timezone.now() + timedelta(minutes=5):
            self.add_error("received_at", _("A receipt cannot be in the future."))
        return data


# --- issue to an SPK --------------------------------------------------------------------------
class IssueForm(IdempotentForm):
    """``action=all``: the SPK's whole remaining requirement; ``action=one``: one material."""

    ALL, ONE = "all", "one"

    action = forms.ChoiceField(choices=[(ALL, ALL), (ONE, ONE)], widget=forms.HiddenInput)
    material = MaterialChoiceField(
        label=_("Material"), queryset=Material.objects.none(), required=False
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), required=False, **QTY
    )
    batch = forms.ModelChoiceField(
        label=_("Batch"),
        queryset=None,
        required=False,
        empty_label=_("— whole SPK —"),
    )

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = Material.objects.filter(
            requirements__work_order=work_order
        ).order_by("code")
        self.fields["batch"].queryset = work_order.mo.batches.order_by("sequence")
        self.fields["quantity"].widget.attrs.update({"step": "0.001", "inputmode": "decimal"})
        self._style()

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ONE:
            if not data.get("material"):
                self.add_error("material", _("Choose the material."))
            if data.get("quantity") is None and not self.errors.get("quantity"):
                self.add_error("quantity", _("Give the quantity."))
        else:
            data["material"] = None
            data["quantity"] = None
        return data


# --- shortage requests ------------------------------------------------------------------------
class ShortageDecisionForm(IdempotentForm):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not data.get("note", "").strip():
            self.add_error("note", _("Say why the request is refused."))
        return data


# --- adjustment / write-off -------------------------------------------------------------------
class AdjustForm(IdempotentForm):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=[
            (StockMove.Kind.ADJUSTMENT, _("Count correction (+ found / − missing)")),
            (StockMove.Kind.WRITE_OFF, _("Write-off (damaged, unusable)")),
        ],
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        help_text=_("Correction: signed, e.g. -1.5 or 2. Write-off: the quantity written off."),
        **QTY,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, lot: StockLot, **kwargs):
        self.lot = lot
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs.update({"step": "0.001", "inputmode": "decimal"})

    def clean(self):
        data = super().clean()
        quantity = data.get("quantity")
        if quantity is None:
            return data
        if quantity == 0:
            self.add_error("quantity", _("A quantity other than zero."))
        elif data.get("kind") == StockMove.Kind.WRITE_OFF and quantity < 0:
            self.add_error("quantity", _("Give the quantity written off, without a sign."))
        return data

    @property
    def signed_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        return -quantity if self.cleaned_data["kind"] == StockMove.Kind.WRITE_OFF else quantity


# --- filters (GET) ----------------------------------------------------------------------------
class StockFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *MaterialKind.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    on_hand = forms.BooleanField(label=_("Only on hand"), required=False)


class WorkOrderFilterForm(BootstrapMixin, forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=60)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *departments]


class LedgerFilterForm(BootstrapMixin, forms.Form):
    material = forms.ModelChoiceField(
        label=_("Material"),
        required=False,
        queryset=Material.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("All materials"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *StockMove.Kind.choices]
    )
    work_order = forms.CharField(label=_("SPK"), required=False, max_length=40)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end comes before the start."))
        return data


class LowStockFilterForm(BootstrapMixin, forms.Form):
    short = forms.BooleanField(label=_("Only shortfalls"), required=False)
