"""The receiver knows each landing page's form: the build publishes forms.json, the receiver
refuses a post for an unknown landing page, with a required field missing or with a field the
form does not have (400, nothing stored), and a post sent without JavaScript records the landing
page it came from, not the site root a cross-origin Referer gives."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from approdo import form_manifest
from approdo.landing_validation import load_landings
from conftest import ROOT
from leads.app import LeadApp
from leads.config import Settings, SettingsError, forms_file
from leads.forms import FormCatalog
from leads.harness import SITE, post_form, post_json, running, sample_lead

ACTION = "http://127.0.0.1:8001/leads"


def sample_landings():
    landings, errors = load_landings(ROOT / "docs", {"action": ACTION})
    assert errors == [] and landings
    return landings


@pytest.fixture
def receiver(tmp_path):
    forms = tmp_path / "forms.json"
    forms.write_text(form_manifest.manifest_json(sample_landings().values()), encoding="utf-8")
    db = tmp_path / "leads.sqlite3"
    app = LeadApp(Settings(db_path=db, site_origins=(SITE,), rate_limit=0, forms_path=forms))
    with running(app) as port:
        yield port, db, forms


def stored(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM leads ORDER BY id").fetchall()
    finally:
        conn.close()


def test_the_manifest_lists_each_landing_form():
    data = form_manifest.manifest(sample_landings().values())
    forms = data["landings"]
    assert set(forms) == {"guida-gratuita", "consulenza", "workshop-bologna"}
    consulenza = forms["consulenza"]
    assert {"email", "name", "consent_version", "privacy_version", "landing"} <= set(consulenza["required"])
    assert {"phone", "message", "utm_source", "page_url", "_next", "_gotcha"} <= set(consulenza["optional"])
    assert consulenza["allowed"]["landing"] == ["consulenza"]
    assert "phone" not in forms["guida-gratuita"]["required"] + forms["guida-gratuita"]["optional"]


def test_the_build_publishes_the_manifest_and_the_page_address_in_the_form(real_site):
    published = json.loads((real_site.site / form_manifest.FILE_NAME).read_text(encoding="utf-8"))
    assert published == form_manifest.manifest(sample_landings().values())
    html = real_site.read("landing/consulenza/")
    assert 'name="page_url" value="http://127.0.0.1:8000/landing/consulenza/"' in html


@pytest.mark.parametrize(("fields", "error"), [
    (sample_lead("a@example.it", "inventata"), "landing"),
    (sample_lead("b@example.it", "consulenza", name=""), "name"),
    (sample_lead("c@example.it", "guida-gratuita", phone="051 123456"), "_unknown"),
    ({k: v for k, v in sample_lead("d@example.it", "consulenza").items() if k != "name"}, "name"),
])
def test_a_post_no_form_of_the_site_sends_is_refused(receiver, fields, error):
    port, db, _ = receiver
    reply = post_json(port, fields)
    assert reply.status == 400
    assert error in reply.json()["errors"]
    assert stored(db) == []
    assert post_form(port, fields).status == 400  # the same for a plain form post


def test_a_post_a_form_sends_is_stored(receiver):
    port, db, _ = receiver
    assert post_json(port, sample_lead("ok@example.it", "consulenza", phone="051 1")).status == 201
    assert [row["email"] for row in stored(db)] == ["ok@example.it"]


def test_a_rebuilt_site_is_picked_up_and_a_broken_file_keeps_the_last_good_one(receiver):
    port, db, forms = receiver
    data = json.loads(forms.read_text())
    data["landings"]["nuova"] = {**data["landings"]["guida-gratuita"], "allowed": {"landing": ["nuova"]}}
    forms.write_text(json.dumps(data))
    assert post_json(port, sample_lead("new@example.it", "nuova")).status == 201
    forms.write_text("{broken")
    assert post_json(port, sample_lead("again@example.it", "nuova")).status == 201
    assert [row["landing"] for row in stored(db)] == ["nuova", "nuova"]


def test_a_missing_or_foreign_forms_file_stops_the_start(tmp_path):
    with pytest.raises(SettingsError, match="cannot read the forms"):
        FormCatalog(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text('{"landings": {}}')
    with pytest.raises(SettingsError, match="not a forms.json"):
        FormCatalog(tmp_path / "other.json")


def test_a_plain_post_records_its_landing_page_not_the_site_root(receiver):
    """Without JavaScript the form's own page_url (its landing page) is sent; a cross-origin
    Referer, which browsers cut to the site's origin, does not replace it."""
    port, db, _ = receiver
    fields = sample_lead("nojs@example.it", "consulenza", page_url=f"{SITE}/landing/consulenza/",
                         utm_source="", utm_medium="", utm_campaign="")
    assert post_form(port, fields, headers={"Referer": f"{SITE}/"}).status == 303
    full = f"{SITE}/landing/consulenza/?utm_source=instagram&utm_campaign=bio"
    fields = sample_lead("nojs2@example.it", "consulenza", page_url=f"{SITE}/landing/consulenza/",
                         utm_source="", utm_medium="", utm_campaign="")
    assert post_form(port, fields, headers={"Referer": full}).status == 303
    first, second = stored(db)
    assert (first["landing"], first["page_url"]) == ("consulenza", f"{SITE}/landing/consulenza/")
    assert (second["page_url"], second["utm_source"], second["utm_campaign"]) == (full, "instagram", "bio")


def test_the_forms_come_from_the_built_site_given_to_the_lead_loop(tmp_path):
    site = tmp_path / "site"
    (site / "leads").mkdir(parents=True)
    assert forms_file("", str(site)) is None  # an older build without the file: no check
    (site / form_manifest.FILE_NAME).write_text(form_manifest.manifest_json(sample_landings().values()))
    assert forms_file("", str(site)) == site / "leads" / "forms.json"
    assert forms_file(str(tmp_path / "mine.json"), str(site)) == tmp_path / "mine.json"  # --forms wins
    assert forms_file("", "https://www.example.it/") is None  # a URL is not read for this
    assert Settings.from_env({"APPRODO_LEADS_SITE_DATA": str(site)}).forms_path == site / "leads" / "forms.json"
