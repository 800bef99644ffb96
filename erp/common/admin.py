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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse, never write: workflow state changes only through the services, and ledgers are
    append-only (DESIGN.md "Corrections"). Anyone with the view permission may look; the add,
    change and delete pages answer 403 whatever the permissions say."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
