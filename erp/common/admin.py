from django import forms
from django.contrib import admin

from .factory_settings import DEFAULTS
from .models import FactorySetting


class FactorySettingForm(forms.ModelForm):
    key = forms.ChoiceField(choices=[(k, f"{k} — {d}") for k, (_v, d) in DEFAULTS.items()])

    class Meta:
        model = FactorySetting
        fields = ["key", "value", "note"]


@admin.register(FactorySetting)
class FactorySettingAdmin(admin.ModelAdmin):
    form = FactorySettingForm
    list_display = ["key", "value", "note", "updated_at"]
    search_fields = ["key"]
