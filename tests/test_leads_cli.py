"""The command line: export (CSV and JSON, filters, formula neutralisation), stats, erase,
prune, and its errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leads import optin
from leads.cli import main
from leads.harness import sample_lead
from leads.storage import Store, utcnow
from leads.validation import validate

ROOT = Path(__file__).resolve().parent.parent
NOW = utcnow()
DAY1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DAY2 = datetime(2026, 11, 3, 18, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path) -> Path:
    """Five leads over two days, two landings and three campaigns (one with formula cells)."""
    path = tmp_path / "leads.sqlite3"
    store = Store(path)
    rows = [
        (DAY1, sample_lead("anna@example.it")),
        (DAY1, sample_lead("bruno@example.it", utm_source="instagram", utm_campaign="reel-ottobre")),
        (DAY2, sample_lead("carla@example.it", "consulenza", utm_source="linkedin", utm_campaign="b2b",
                           name="=HYPERLINK(\"http://evil.example\",\"clic\")", phone="+39 051 000",
                           company="@SUM(1+1)", message="-2+3\nsecond line")),
        (DAY2, sample_lead("dario@example.it", "consulenza", utm_source="", utm_medium="", utm_campaign="",
                           marketing_consent="")),
        (NOW - timedelta(days=400), sample_lead("vecchio@example.it", utm_campaign="archivio")),
    ]
    for moment, fields in rows:
        store.add_lead(validate(fields).stored(), moment, 600)
    # Carla confirmed her marketing consent by double opt-in; the others only ticked the box.
    with store.write() as conn:
        carla = conn.execute("SELECT id FROM leads WHERE email = 'carla@example.it'").fetchone()[0]
        optin.register_token(conn, carla, "ab" * 16, True, DAY2, 7)
        assert optin.confirm(conn, "ab" * 16, DAY2 + timedelta(hours=1))[0] == optin.CONFIRMED
    store.close()
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_csv_neutralises_formulas_and_keeps_everything_else(db, capsys):
    code, out, _ = run(capsys, "export", "--db", str(db), "--landing", "consulenza")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["email"] for r in rows] == ["carla@example.it", "dario@example.it"]
    carla = rows[0]
    assert carla["name"] == "'=HYPERLINK(\"http://evil.example\",\"clic\")"
    assert carla["phone"] == "'+39 051 000"
    assert carla["company"] == "'@SUM(1+1)"
    assert carla["message"] == "'-2+3\nsecond line"
    assert carla["received_at"] == "2026-11-03T18:00:00.000000Z"
    assert (carla["utm_source"], carla["utm_campaign"], carla["marketing_consent"]) == ("linkedin", "b2b", "si")
    assert carla["consent_confirmed_at"] == "2026-11-03T19:00:00.000000Z"
    assert rows[1]["marketing_consent"] == "no"
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())


def test_export_json_keeps_raw_values_and_filters_by_date(db, capsys):
    code, out, _ = run(capsys, "export", "--db", str(db), "--format", "json", "--since", "2026-11-03",
                       "--until", "2026-11-03")
    assert code == 0
    data = json.loads(out)
    assert [d["email"] for d in data] == ["carla@example.it", "dario@example.it"]
    assert data[0]["name"] == "=HYPERLINK(\"http://evil.example\",\"clic\")"  # JSON is not a spreadsheet
    assert data[0]["marketing_consent"] is True and data[1]["marketing_consent"] is False
    assert set(data[0]) >= {"id", "received_at", "landing", "email", "utm_source", "utm_medium", "utm_campaign",
                            "utm_content", "utm_term", "consent_version", "privacy_version", "page_url", "referrer"}
    code, out, _ = run(capsys, "export", "--db", str(db), "--format", "json", "--until", "2026-11-02")
    assert sorted(d["email"] for d in json.loads(out)) == ["anna@example.it", "bruno@example.it", "vecchio@example.it"]
    code, out, _ = run(capsys, "export", "--db", str(db), "--format", "json", "--since", "2026-11-02T12:00:00Z")
    assert [d["email"] for d in json.loads(out)] == ["carla@example.it", "dario@example.it"]


def test_export_to_a_private_file_and_for_excel(db, tmp_path, capsys):
    target = tmp_path / "leads.csv"
    code, _, err = run(capsys, "export", "--db", str(db), "--excel", "--output", str(target))
    assert code == 0 and "Exported 5 lead(s)" in err
    assert target.stat().st_mode & 0o777 == 0o600
    raw = target.read_bytes()
    assert raw.startswith("\ufeff".encode())
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("id;received_at;landing;email;name;")


def test_stats_per_landing_source_campaign_and_day(db, capsys):
    code, out, _ = run(capsys, "stats", "--db", str(db), "--json")
    assert code == 0
    stats = json.loads(out)
    # Only Carla confirmed by double opt-in; three more ticked the box (Dario did not).
    assert stats["total"] == 5 and stats["marketing_consent"] == 1
    assert stats["marketing_consent_unconfirmed"] == 3
    assert stats["by_landing"] == {"guida-gratuita": 3, "consulenza": 2}
    assert stats["by_utm_source"] == {"facebook": 2, "(none)": 1, "instagram": 1, "linkedin": 1}
    assert stats["by_utm_campaign"] == {"(none)": 1, "archivio": 1, "b2b": 1, "guida": 1, "reel-ottobre": 1}
    assert stats["by_day"]["2026-11-02"] == 2 and stats["by_day"]["2026-11-03"] == 2
    code, out, _ = run(capsys, "stats", "--db", str(db), "--landing", "consulenza", "--json")
    assert json.loads(out)["by_landing"] == {"consulenza": 2}


def test_stats_table_is_readable(db, capsys):
    code, out, _ = run(capsys, "stats", "--db", str(db), "--since", "2026-11-01", "--until", "2026-11-30")
    assert code == 0
    assert out.startswith("Leads: 4\n")
    assert ("Marketing consent confirmed by double opt-in: 1 of 4 stored leads"
            " (2 more ticked the box but have not confirmed)") in out
    section = out.split("Leads per landing page\n")[1].split("\n\n")[0].splitlines()
    assert section == ["  consulenza      2", "  guida-gratuita  2"]  # ties in name order
    assert "Leads per day (UTC)\n  2026-11-02  2\n  2026-11-03  2\n" in out
    assert "  instagram  1" in out.split("Leads per utm_source\n")[1]


def test_erase_removes_the_address_everywhere_and_stats_keep_the_count(db, capsys):
    code, out, _ = run(capsys, "erase", "--db", str(db), "--email", "CARLA@example.it")
    assert code == 0 and "Erased 1 lead(s)" in out
    _, out, _ = run(capsys, "export", "--db", str(db), "--format", "json")
    assert "carla" not in out.lower()
    _, out, _ = run(capsys, "stats", "--db", str(db), "--json")
    stats = json.loads(out)
    assert stats["total"] == 5 and stats["erased_or_expired"] == 1 and stats["erasure_requests"] == 1
    assert stats["by_landing"]["consulenza"] == 2
    assert "b2b" not in stats["by_utm_campaign"]
    code, out, _ = run(capsys, "erase", "--db", str(db), "--email", "nobody@example.it")
    assert code == 0 and "No lead of that address" in out


def test_prune_applies_retention(db, capsys):
    code, out, _ = run(capsys, "prune", "--db", str(db), "--older-than", "365")
    assert code == 0 and out.startswith("Deleted 1 lead(s) received before ")
    _, out, _ = run(capsys, "export", "--db", str(db), "--format", "json")
    assert "vecchio@example.it" not in out and len(json.loads(out)) == 4
    _, out, _ = run(capsys, "stats", "--db", str(db), "--json")
    assert json.loads(out)["by_utm_campaign"]["archivio"] == 1


def test_errors_are_plain_messages(tmp_path, capsys):
    code, _, err = run(capsys, "stats", "--db", str(tmp_path / "missing.sqlite3"))
    assert code == 2 and "no lead database here" in err
    assert not (tmp_path / "missing.sqlite3").exists()
    code, _, err = run(capsys, "serve", "--site-origin", "https://example.it/blog/", "--db", str(tmp_path / "x"))
    assert code == 2 and "not a site origin" in err
    with pytest.raises(SystemExit):
        main(["export", "--since", "ieri"])
    assert "not a date" in capsys.readouterr().err


def test_console_script_and_default_database_path(db, tmp_path):
    """`approdo-leads` runs, and the database defaults to data/leads.sqlite3 in the current dir."""
    (tmp_path / "data").mkdir()
    db.rename(tmp_path / "data" / "leads.sqlite3")
    script = Path(sys.executable).parent / "approdo-leads"
    result = subprocess.run([str(script), "stats"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Leads: 5")
    result = subprocess.run([sys.executable, "-m", "leads", "export", "--format", "json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "APPRODO_LEADS_DB": str(tmp_path / "data" / "leads.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 5


def test_export_one_address_for_a_request_of_access(db, capsys):
    code, out, _ = run(capsys, "export", "--db", str(db), "--format", "json", "--email", "Bruno@Example.it ")
    assert code == 0
    assert [d["email"] for d in json.loads(out)] == ["bruno@example.it"]
