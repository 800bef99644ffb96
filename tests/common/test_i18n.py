"""Pages in Indonesian by default, English after switching; every marked string translated."""

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PO_FILE = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_the_default_language_is_indonesian_in_jakarta_time():
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert [code for code, _name in settings.LANGUAGES] == ["id", "en"]


def test_login_page_is_indonesian_by_default_and_english_after_switching(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Masuk" in page and "Kata sandi" in page
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page and "Password" in page and "Kata sandi" not in page
    client.post("/i18n/setlang/", {"language": "id", "next": "/accounts/login/"})
    assert "Masuk" in client.get("/accounts/login/").content.decode()


def test_station_page_switches_language(client, make_user):
    client.force_login(make_user(roles=["sewing"]))
    assert "Keluar" in client.get("/sewing/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/sewing/"})
    html = client.get("/sewing/").content.decode()
    assert "Logout" in html and "Record work" in html and "Keluar" not in html


def test_api_errors_follow_accept_language(api_client):
    en = api_client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="en")
    id_ = api_client.get("/api/v1/auth/me/", HTTP_ACCEPT_LANGUAGE="id")
    assert en.json()["error"]["message"] != id_.json()["error"]["message"]


def _po_entries(text: str):
    """(msgid, msgstr, flags, plural) for each entry of a .po file; for plural entries msgstr is
    msgstr[0] (Indonesian has one form) and plural the msgid_plural."""
    entries = []
    entry = None
    current = None

    def close():
        if entry and entry["msgid"] is not None:
            # a context is stored as "context\x04msgid" in the catalogue, as gettext does
            msgid = f"{entry['ctx']}\x04{entry['msgid']}" if entry["ctx"] else entry["msgid"]
            entries.append((msgid, entry["msgstr"], entry["flags"], entry["plural"]))

    for line in text.splitlines() + [""]:
        if not line.strip():
            close()
            entry, current = None, None
            continue
        if entry is None:
            entry = {"msgid": None, "msgstr": "", "flags": "", "plural": None, "ctx": None}
        if line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("msgctxt "):
            entry["ctx"], current = line[8:].strip('"'), "ctx"
        elif line.startswith("msgid_plural "):
            entry["plural"], current = line[13:].strip('"'), "plural"
        elif line.startswith("msgid "):
            entry["msgid"], current = line[6:].strip('"'), "msgid"
        elif line.startswith("msgstr[0] "):
            entry["msgstr"], current = line[10:].strip('"'), "msgstr"
        elif line.startswith("msgstr["):
            current = None  # further plural forms: Indonesian has one
        elif line.startswith("msgstr "):
            entry["msgstr"], current = line[7:].strip('"'), "msgstr"
        elif line.startswith('"') and current:
            entry[current] += line.strip('"')
    close()
    return entries


def test_every_marked_string_has_an_indonesian_translation():
    entries = [e for e in _po_entries(PO_FILE.read_text()) if e[0]]
    assert len(entries) > 50
    untranslated = [e[0] for e in entries if not e[1]]
    fuzzy = [e[0] for e in entries if "fuzzy" in e[2]]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_matches_its_source():
    """The committed .mo must be compiled from the current .po (run `make messages`)."""
    import gettext

    with PO_FILE.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for msgid, msgstr, _flags, plural in _po_entries(PO_FILE.read_text()):
        if not msgid:
            continue
        source = msgid.encode().decode("unicode_escape").encode("latin-1").decode()
        expected = msgstr.encode().decode("unicode_escape").encode("latin-1").decode()
        if plural is None:
            assert catalogue.gettext(source) == expected, msgid
        else:
            plural_source = plural.encode().decode("unicode_escape").encode("latin-1").decode()
            assert catalogue.ngettext(source, plural_source, 1) == expected, msgid
