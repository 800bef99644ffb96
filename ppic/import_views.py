"""Master-data import pages: upload → dry run → confirm. ppic and admin import; a manager may
look at the page but not post to it."""

from __future__ import annotations

import hashlib
from base64 import b64decode, b64encode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import user_has_role
from erp.common.errors import ApplicationError
from erp.common.idempotency import form_idempotent
from erp.common.permissions import area_required

from .importing import KINDS, MAX_BYTES, ImportResult, check_file_size, import_rows, read_table
from .models import MaterialKind, Route

IMPORT_ROLES = ("admin", "ppic")
SESSION_KEY = "ppic_import_pending"  # the dry-run file awaiting confirmation (base64)
SHOWN_LINES = 500  # errors or changes listed on the page; the counts cover all of them


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What to import"),
        choices=[(k.key, k.label) for k in KINDS.values()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )


def _check_may_import(user) -> None:
    if not user_has_role(user, *IMPORT_ROLES):
        raise PermissionDenied(_("Only PPIC and administrators may import master data."))


def _page(request, *, form, result: ImportResult | None = None, error="", status=200):
    pending = request.session.get(SESSION_KEY) if result is not None and result.ok else None
    context = {
        "form": form,
        "kinds": KINDS.values(),
        "material_kinds": MaterialKind.values,
        "routes": Route.values,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "may_import": user_has_role(request.user, *IMPORT_ROLES),
        "error": error,
        "result": result,
        "errors_shown": result.errors[:SHOWN_LINES] if result else [],
        "changes_shown": (
            [c for c in result.changes if c.action != "unchanged"][:SHOWN_LINES] if result else []
        ),
        "shown_limit": SHOWN_LINES,
        "pending": pending,
    }
    return render(request, "ppic/import.html", context, status=status)


@area_required("ppic")
def import_upload(request):
    """GET: the upload form. POST: a dry run of the uploaded file; when every row is valid the
    file waits in the session for the confirm step."""
    if request.method != "POST":
        return _page(request, form=ImportForm())
    _check_may_import(request.user)
    request.session.pop(SESSION_KEY, None)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, error=_("Choose what to import and a file."), status=400)
    kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
    try:
        check_file_size(upload.size)
        data = upload.read()
        result = import_rows(kind, read_table(data, upload.name), request.user, dry_run=True)
    except ApplicationError as exc:
        return _page(request, form=form, error=exc.message, status=exc.status)
    if result.ok:
        request.session[SESSION_KEY] = {
            "kind": kind,
            "name": upload.name,
            "digest": hashlib.sha256(data).hexdigest(),
            "data": b64encode(data).decode("ascii"),
        }
    return _page(request, form=form, result=result)


@area_required("ppic")
@require_POST
@form_idempotent
def import_confirm(request):
    """Import the file of the last good dry run. The digest in the form makes sure the file
    written is the one the person looked at."""
    _check_may_import(request.user)
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("digest") != pending["digest"]:
        return _page(
            request,
            form=ImportForm(),
            error=_("Nothing to confirm: upload the file again and check its dry run."),
            status=400,
        )
    form = ImportForm(initial={"kind": pending["kind"]})
    try:
        rows = read_table(b64decode(pending["data"]), pending["name"])
        result = import_rows(pending["kind"], rows, request.user, dry_run=False)
    except ApplicationError as exc:
        return _page(request, form=form, error=exc.message, status=exc.status)
    del request.session[SESSION_KEY]
    if not result.ok:  # the data changed since the dry run
        return _page(request, form=form, result=result, status=409)
    messages.success(request, result.summary())
    return redirect("ppic:import")
