"""Input validation for the planning pages. Forms only check and convert what was typed; the
writes go through ``ppic.services``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import (
    Article,
    CustomerPO,
    CustomerPOLine,
    Destination,
    ManufacturingOrder,
    Material,
    Route,
)


class BootstrapMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on the fields that failed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _code(value: str) -> str:
    return (value or "").strip()


# --- articles and BOM -------------------------------------------------------------------------
class ArticleFilterForm(BootstrapMixin, forms.Form):
    ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Archived")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data.get("active") or "1")
        return {"search": data.get("q") or "", "active": active}


class ArticleForm(BootstrapMixin, forms.ModelForm):
    """The article's own fields; the code is fixed once the article exists (MOs, POs and
    imports refer to it)."""

    class Meta:
        model = Article
        fields = [
            "code",
            "name",
            "default_route",
            "fill_weight_g",
            "fill_tolerance_g",
            "units_per_carton",
            "bundle_size",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bundle_size"].validators.append(MinValueValidator(1))
        self.fields["bundle_size"].widget.attrs["min"] = 1
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_code(self):
        return _code(self.cleaned_data.get("code"))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance.pk:
            data.pop("code", None)
        return data


class BomLineForm(BootstrapMixin, forms.Form):
    """One BOM line: material code, quantity per unit, waste %. A row left wholly blank is
    ignored."""

    material = forms.CharField(label=_("Material code"), required=False, max_length=40)
    quantity_per_unit = forms.DecimalField(
        label=_("Quantity per unit"),
        required=False,
        max_digits=12,
        decimal_places=4,
        min_value=Decimal("0.0001"),
    )
    waste_pct = forms.DecimalField(
        label=_("Waste %"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("99.99"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].widget.attrs["list"] = "material-codes"
        self.fields["material"].widget.attrs["autocomplete"] = "off"
        self.fields["quantity_per_unit"].widget.attrs["step"] = "0.0001"
        self.fields["waste_pct"].widget.attrs["step"] = "0.01"

    def clean(self):
        data = super().clean()
        code = _code(data.get("material"))
        if not code and data.get("quantity_per_unit") is None and data.get("waste_pct") is None:
            if not self.errors:
                data["blank"] = True
            return data
        if not code:
            self.add_error("material", _("Enter a material code."))
        else:
            material = Material.objects.filter(code=code).first()
            if material is None:
                self.add_error("material", _("No material has the code %(code)s.") % {"code": code})
            elif not material.active:
                self.add_error("material", _("Material %(code)s is archived.") % {"code": code})
            else:
                data["material_obj"] = material
        if data.get("quantity_per_unit") is None and "quantity_per_unit" not in self.errors:
            self.add_error("quantity_per_unit", _("Enter the quantity per unit."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    """Every row may be left blank (ignored); ``unique_field`` may appear once."""

    unique_field = ""
    unique_message = ""

    def get_form_kwargs(self, index):
        return {"empty_permitted": True}

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("blank")
            and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, forms.Form] = {}
        for form in self.kept_forms():
            key = _code(form.cleaned_data.get(self.unique_field))
            if key in seen:
                form.add_error(self.unique_field, self.unique_message % {"code": key})
            seen[key] = form
        if any(self.errors):
            raise ValidationError(_("Correct the marked lines."))


class BaseBomFormSet(BaseLineFormSet):
    unique_field = "material"
    unique_message = _("Material %(code)s is already on another line.")

    def lines(self) -> list[dict]:
        return [
            {
                "material": form.cleaned_data["material_obj"],
                "quantity_per_unit": form.cleaned_data["quantity_per_unit"],
                "waste_pct": form.cleaned_data.get("waste_pct") or Decimal("0"),
            }
            for form in self.kept_forms()
        ]


BomFormSet = forms.formset_factory(
    BomLineForm, formset=BaseBomFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
)


def bom_initial(article: Article) -> list[dict]:
    return [
        {
            "material": line.material.code,
            "quantity_per_unit": line.quantity_per_unit,
            "waste_pct": line.waste_pct,
        }
        for line in article.bom.all()
    ]


# --- customer POs -----------------------------------------------------------------------------
class POFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    destination = forms.ChoiceField(label=_("Destination"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(CustomerPO.Status.choices),
    )

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", _("All"))] + [
            (d.code, str(d)) for d in destinations
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "destination": data.get("destination") or None,
            "status": data.get("status") or None,
        }


class POForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("PO number"), max_length=40)
    destination = forms.ModelChoiceField(
        label=_("Destination"),
        queryset=Destination.objects.filter(active=True).order_by("code"),
        to_field_name="code",
    )
    ship_date = forms.DateField(label=_("Ship date"), widget=DateInput())

    def clean_number(self):
        number = _code(self.cleaned_data.get("number"))
        if CustomerPO.objects.filter(number=number).exists():
            raise ValidationError(_("This PO number is already used."))
        return number


class POLineForm(BootstrapMixin, forms.Form):
    article = forms.CharField(label=_("Article code"), required=False, max_length=40)
    quantity = forms.IntegerField(
        label=_("Quantity (pcs)"), required=False, min_value=1, max_value=10_000_000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].widget.attrs["list"] = "article-codes"
        self.fields["article"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        code = _code(data.get("article"))
        if not code and data.get("quantity") is None:
            if not self.errors:
                data["blank"] = True
            return data
        if not code:
            self.add_error("article", _("Enter an article code."))
        else:
            article = Article.objects.filter(code=code).first()
            if article is None:
                self.add_error("article", _("No article has the code %(code)s.") % {"code": code})
            elif not article.active:
                self.add_error("article", _("Article %(code)s is archived.") % {"code": code})
            else:
                data["article_obj"] = article
        if data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        return data


class BasePOLineFormSet(BaseLineFormSet):
    unique_field = "article"
    unique_message = _("Article %(code)s is already on another line.")

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.kept_forms():
            raise ValidationError(_("Add at least one article."))

    def lines(self) -> list[dict]:
        return [
            {"article": form.cleaned_data["article_obj"], "quantity": form.cleaned_data["quantity"]}
            for form in self.kept_forms()
        ]


POLineFormSet = forms.formset_factory(
    POLineForm, formset=BasePOLineFormSet, extra=3, can_delete=True, max_num=200, validate_max=True
)


# --- manufacturing orders ---------------------------------------------------------------------
class MOFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("MO or PO number"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(ManufacturingOrder.Status.choices),
    )
    article = forms.CharField(label=_("Article code"), required=False, max_length=40)
    destination = forms.ChoiceField(label=_("Destination"), required=False)
    due_after = forms.DateField(label=_("Due from"), required=False, widget=DateInput())
    due_before = forms.DateField(label=_("Due until"), required=False, widget=DateInput())

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", _("All"))] + [
            (d.code, str(d)) for d in destinations
        ]

    def filters(self) -> dict:
        """The valid filters; a field typed wrongly is ignored (and shown as invalid)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or None,
            "article": _code(data.get("article")) or None,
            "destination": data.get("destination") or None,
            "due_after": data.get("due_after"),
            "due_before": data.get("due_before"),
        }


class MOCreateForm(BootstrapMixin, forms.Form):
    article = forms.ModelChoiceField(
        label=_("Article"),
        queryset=Article.objects.filter(active=True).order_by("code"),
        to_field_name="code",
    )
    quantity = forms.IntegerField(label=_("Quantity (pcs)"), min_value=1, max_value=10_000_000)
    destination = forms.ModelChoiceField(
        label=_("Destination"),
        queryset=Destination.objects.filter(active=True).order_by("code"),
        to_field_name="code",
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    route = forms.ChoiceField(
        label=_("Route"),
        required=False,
        choices=[("", _("The article's default route"))] + list(Route.choices),
    )
    po_number = forms.CharField(label=_("PO number"), required=False, max_length=40)
    batch_size = forms.IntegerField(
        label=_("Batch size (pcs)"),
        required=False,
        min_value=1,
        max_value=10_000_000,
        help_text=_("Empty: the whole MO is one batch."),
    )
    po_line = forms.ModelChoiceField(
        queryset=CustomerPOLine.objects.select_related("po", "article", "po__destination"),
        required=False,
        widget=forms.HiddenInput,
    )

    def clean(self):
        data = super().clean()
        po_line = data.get("po_line")
        if po_line is None:
            return data
        article, destination = data.get("article"), data.get("destination")
        if article is not None and article.pk != po_line.article_id:
            self.add_error(
                "article",
                _("PO %(po)s line is for article %(code)s.")
                % {"po": po_line.po.number, "code": po_line.article.code},
            )
        if destination is not None and destination.pk != po_line.po.destination_id:
            self.add_error(
                "destination",
                _("PO %(po)s ships to %(code)s.")
                % {"po": po_line.po.number, "code": po_line.po.destination.code},
            )
        data["po_number"] = po_line.po.number
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "article": data["article"],
            "quantity": data["quantity"],
            "destination": data["destination"],
            "due_date": data["due_date"],
            "route": data.get("route") or None,
            "po_number": data.get("po_number") or "",
            "po_line": data.get("po_line"),
            "batch_size": data.get("batch_size"),
        }


class MOCancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanBoardFilterForm(BootstrapMixin, forms.Form):
    destination = forms.ChoiceField(label=_("Destination"), required=False)

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", _("All"))] + [
            (d.code, str(d)) for d in destinations
        ]

    def filters(self) -> dict:
        self.is_valid()
        return {"destination": self.cleaned_data.get("destination") or None}
