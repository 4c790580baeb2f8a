"""The funnel report, the digest and the beacon address, on a real SQLite file filled through
the receiver's own counters and lead storage at fixed days."""

from __future__ import annotations

import json
import sqlite3
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from approdo.metrics import beacon_url, redirect_url
from leads import mailer, optin, outbox
from leads.app import LeadApp
from leads.cli import main
from leads.config import Settings
from leads.harness import MailSink, running, sample_lead
from leads.loop_settings import LoopSettings
from leads.metrics import Counters, Hit
from leads.storage import Store
from leads.validation import validate

UNTIL = "2026-11-30"   # the period: 1-30 November; the one before: 2-31 October


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def count(store: Store, day: str, kind: str, page: str, utm: tuple[str, str, str, str], times: int) -> None:
    counters = Counters(store, clock=lambda: at(day))
    for _ in range(times):
        counters.add(Hit(kind, page, utm))
    counters.close()


def lead(store: Store, day: str, address: str, page: str, utm: tuple[str, str, str, str], marketing: bool,
         confirmed: bool = False) -> str:
    """A lead stored as the receiver stores it, with its double opt-in row (leads/optin.py);
    ``confirmed``: its confirmation link opened an hour later. Returns the consent token."""
    source, medium, campaign, content = utm
    fields = sample_lead(address, page, utm_source=source, utm_medium=medium, utm_campaign=campaign,
                         utm_content=content, marketing_consent="si" if marketing else "")
    token = optin.new_token()
    store.add_lead(validate(fields).stored(), at(day), 600,
                   then=lambda conn, lead_id: optin.register_token(conn, lead_id, token, marketing, at(day), 7))
    if confirmed:
        with store.write() as conn:
            assert optin.confirm(conn, token, at(day, 13))[0] == optin.CONFIRMED
    return token


LINKEDIN = ("linkedin", "social", "guida", "post-1")
INSTAGRAM = ("instagram", "social", "guida", "reel-1")
ARTICLE = ("blog", "cta", "consulenza", "articolo-a")


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "leads.sqlite3"
    store = Store(path)
    count(store, "2026-11-03", "go", "guida-gratuita", LINKEDIN, 10)
    count(store, "2026-11-03", "view", "guida-gratuita", LINKEDIN, 8)
    lead(store, "2026-11-03", "anna@example.it", "guida-gratuita", LINKEDIN, marketing=True, confirmed=True)
    lead(store, "2026-11-04", "bruno@example.it", "guida-gratuita", LINKEDIN, marketing=False)
    count(store, "2026-11-10", "go", "guida-gratuita", INSTAGRAM, 25)
    count(store, "2026-11-10", "view", "guida-gratuita", INSTAGRAM, 20)
    count(store, "2026-11-12", "cta", "consulenza", ARTICLE, 5)
    count(store, "2026-11-12", "view", "consulenza", ARTICLE, 4)
    lead(store, "2026-11-12", "carla@example.it", "consulenza", ARTICLE, marketing=True, confirmed=True)
    # The period before, and days outside both periods.
    count(store, "2026-10-15", "view", "guida-gratuita", LINKEDIN, 5)
    lead(store, "2026-10-15", "dario@example.it", "guida-gratuita", LINKEDIN, marketing=False)
    count(store, "2026-10-01", "view", "guida-gratuita", LINKEDIN, 100)
    lead(store, "2026-12-01", "elena@example.it", "guida-gratuita", LINKEDIN, marketing=True)
    store.close()
    return path


def report_json(capsys, db: Path, *args: str) -> dict:
    assert main(["report", "--db", str(db), "--until", UNTIL, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def rows(data: dict, dimension: str) -> dict[str, dict]:
    return {row["key"]: row for row in data[f"by_{dimension}"]}


def test_funnel_counts_and_rates_per_channel_post_and_article(db, capsys):
    data = report_json(capsys, db)
    assert data["period"] == {"first_day": "2026-11-01", "last_day": "2026-11-30", "days": 30}
    assert data["previous_period"] == {"first_day": "2026-10-02", "last_day": "2026-10-31", "days": 30}
    totals = data["totals"]
    assert (totals["clicks"], totals["views"], totals["leads"], totals["confirmed"]) == (40, 32, 3, 2)
    assert totals["conversion"] == round(3 / 32, 4) and totals["confirmation"] == round(2 / 3, 4)
    assert (totals["previous"]["views"], totals["previous"]["leads"]) == (5, 1)

    assert [row["key"] for row in data["by_channel"]] == ["linkedin", "blog", "instagram"]
    channels = rows(data, "channel")
    assert (channels["linkedin"]["views"], channels["linkedin"]["leads"], channels["linkedin"]["confirmed"]) == (8, 2, 1)
    assert channels["linkedin"]["conversion"] == 0.25 and channels["linkedin"]["click_through"] == 0.8
    assert channels["linkedin"]["previous"]["leads"] == 1
    assert channels["instagram"]["conversion"] == 0.0 and channels["instagram"]["confirmation"] is None
    assert (channels["blog"]["clicks"], channels["blog"]["leads"], channels["blog"]["conversion"]) == (5, 1, 0.25)

    assert set(rows(data, "post")) == {"post-1", "reel-1"}
    assert list(rows(data, "article")) == ["articolo-a"]
    assert rows(data, "article")["articolo-a"]["confirmed"] == 1
    assert rows(data, "campaign")["guida"]["leads"] == 2
    assert rows(data, "page")["consulenza"]["clicks"] == 5

    weeks = data["weekly_leads"]
    assert [w["week"] for w in weeks] == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16",
                                         "2026-11-23", "2026-11-30"]
    assert weeks[1]["leads"] == {"linkedin": 2} and weeks[2]["leads"] == {"blog": 1}
    not_converted = {(row["dimension"], row["key"]) for row in data["not_converted"]}
    assert not_converted == {("channel", "instagram"), ("post", "reel-1")}


def test_shorter_period_and_terminal_table(db, capsys):
    data = report_json(capsys, db, "--days", "7", "--until", "2026-11-09")
    assert data["totals"]["leads"] == 2 and data["totals"]["previous"]["leads"] == 0
    assert main(["report", "--db", str(db), "--until", UNTIL]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.strip().startswith("linkedin"))
    assert line.split() == ["linkedin", "10", "8", "2", "1", "25.0%", "50.0%", "1"]
    assert "Visited but no lead" in out and "instagram" in out


def test_only_confirmed_and_not_withdrawn_consents_count(db, capsys):
    """A ticked box counts once its confirmation link is opened, and no longer once withdrawn."""
    store = Store(db)
    lead(store, "2026-11-13", "fabio@example.it", "consulenza", ARTICLE, marketing=True)  # never confirmed
    with store.write() as conn:
        [token] = conn.execute("SELECT c.token FROM consents AS c JOIN leads AS l ON l.id = c.lead_id"
                               " WHERE l.email = 'carla@example.it'").fetchone()
        assert optin.withdraw(conn, token, at("2026-11-20"))[0] == optin.WITHDRAWN
    store.close()
    data = report_json(capsys, db)
    assert (data["totals"]["leads"], data["totals"]["confirmed"]) == (4, 1)
    assert rows(data, "channel")["linkedin"]["confirmed"] == 1
    assert (rows(data, "channel")["blog"]["leads"], rows(data, "channel")["blog"]["confirmed"]) == (2, 0)


def test_html_report_is_italian_self_contained_and_escaped(db, capsys, tmp_path):
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO metrics VALUES ('2026-11-20', 'view', 'guida-gratuita', '<b>x</b>', '', '', '', 3)")
    conn.commit()
    conn.close()
    page = tmp_path / "rapporto.html"
    assert main(["report", "--db", str(db), "--until", UNTIL, "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert '<html lang="it">' in html and "1 novembre 2026 – 30 novembre 2026" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<script" not in html and "src=" not in html and "@import" not in html
    assert html.count("<svg") == 1 + 4  # leads per week, then one funnel per channel
    assert "25,0%" in html and "Cosa non ha convertito" in html


def deliver(db: Path, **loop) -> None:
    """Run the receiver on ``db`` until its outbox worker has sent what is queued."""
    app = LeadApp(Settings(db_path=db, loop=LoopSettings(poll_interval=0.1, **loop)))
    with running(app):
        deadline = time.monotonic() + 15
        while outbox.listing(app.store, (outbox.PENDING, outbox.SENDING)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox.listing(app.store, (outbox.PENDING, outbox.SENDING, outbox.FAILED)) == []


def test_digest_is_mailed_by_the_receiver_with_the_report_attached(db, capsys):
    """Queued in the outbox by the command, sent by the receiver's worker to a real SMTP server."""
    code = main(["digest", "--db", str(db), "--until", UNTIL, "--days", "30", "--to", "titolare@example.it",
                 "--sender", "Approdo <approdo@maestrale.example>"])
    assert code == 0
    assert "queued in the outbox" in capsys.readouterr().out
    with MailSink() as sink:
        deliver(db, smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none")
        [mail] = sink.wait_for(1)
    assert mail["to"] == ["titolare@example.it"] and mail["from"] == "approdo@maestrale.example"
    message = mail["message"]
    assert message["Subject"] == "Approdo: 3 lead dal 1 novembre 2026 al 30 novembre 2026"
    body = message.get_body(("plain",)).get_content()
    assert "Lead: 3 (1)" in body and "Visite alle landing page: 32 (5)" in body
    assert "- linkedin: 2 lead su 8 visite (25,0%)" in body and "- instagram: 20 visite, 25 clic" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "approdo-rapporto-2026-11-30.html"
    assert attachment.get_content_type() == "text/html"
    assert "Dai social ai clienti" in attachment.get_content() and "<svg" in attachment.get_content()


def test_digest_without_smtp_lands_in_the_mail_folder(db, capsys, tmp_path):
    assert main(["digest", "--db", str(db), "--until", "2026-11-09", "--to", "titolare@example.it"]) == 0
    deliver(db, mail_dir=tmp_path / "posta")
    [(path, message)] = mailer.listing(tmp_path / "posta")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert message["Subject"] == "Approdo: 2 lead dal 3 novembre 2026 al 9 novembre 2026"
    assert "Lead: 2 (0)" in mailer.text_of(message)


@pytest.mark.parametrize("args, problem", [
    ([], "no recipient"),
    (["--to", "not-an-address"], "is not an email address"),
    (["--to", "a@example.it, b@example.it"], "is not an email address"),
])
def test_digest_needs_a_recipient(db, capsys, monkeypatch, args, problem):
    monkeypatch.delenv("APPRODO_DIGEST_TO", raising=False)
    monkeypatch.delenv("APPRODO_LEADS_NOTIFY", raising=False)
    assert main(["digest", "--db", str(db), *args]) == 2
    assert problem in capsys.readouterr().err
    store = Store(db)
    try:
        assert outbox.listing(store, (outbox.PENDING,)) == []
    finally:
        store.close()


def test_report_errors(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "no lead database" in capsys.readouterr().err
    Store(tmp_path / "empty.sqlite3").close()
    assert main(["report", "--db", str(tmp_path / "empty.sqlite3"), "--days", "0"]) == 2
    assert "--days" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--db", str(tmp_path / "empty.sqlite3"), "--until", "30/11/2026"])


def test_empty_database_reports_zeros_and_no_rates(tmp_path, capsys):
    Store(tmp_path / "empty.sqlite3").close()
    data = report_json(capsys, tmp_path / "empty.sqlite3")
    assert data["totals"]["leads"] == 0 and data["totals"]["conversion"] is None
    assert data["by_channel"] == [] and data["not_converted"] == []


@pytest.mark.parametrize("extra, beacon, redirect", [
    ({"approdo": {"leads": {"action": "http://127.0.0.1:8001/leads", "provider": "approdo"}}},
     "http://127.0.0.1:8001/metrics", "http://127.0.0.1:8001/go"),
    ({"approdo": {"leads": {"action": "https://moduli.example.it/api/leads"}}},
     "https://moduli.example.it/api/metrics", "https://moduli.example.it/api/go"),
    ({"approdo": {"leads": {"action": "/leads"}}}, "/metrics", "/go"),
    ({"approdo": {"leads": {"action": "https://formspree.io/f/abc", "provider": "formspree"}}}, None, None),
    ({"approdo": {"leads": {"action": "https://formspree.io/f/abc", "provider": "formspree"},
                  "metrics": {"receiver": "https://conta.example.it/"}}},
     "https://conta.example.it/metrics", "https://conta.example.it/go"),
    ({"approdo": {"leads": {"action": "http://127.0.0.1:8001/leads"}, "metrics": {"receiver": False}}}, None, None),
    ({}, None, None),
])
def test_where_beacons_go(extra, beacon, redirect):
    assert beacon_url(extra) == beacon
    assert redirect_url(extra) == redirect


def test_digest_covers_the_seven_whole_days_up_to_yesterday(db, capsys, tmp_path):
    from approdo.events import italian_date
    from leads.storage import utcnow

    assert main(["digest", "--db", str(db), "--to", "titolare@example.it"]) == 0
    deliver(db, mail_dir=tmp_path)
    [(_, message)] = mailer.listing(tmp_path)
    subject = message["Subject"]
    yesterday = utcnow().date() - timedelta(days=1)
    assert subject.endswith(f"dal {italian_date(yesterday - timedelta(days=6))} al {italian_date(yesterday)}")


def test_memory_stays_bounded_under_forged_values(tmp_path):
    """Between two writes, forged keys fold into the day's quotas: memory does not grow with them."""
    store = Store(tmp_path / "leads.sqlite3")
    counters = Counters(store, clock=lambda: at("2026-11-20"), flush_interval=3600, max_values=20, max_keys=50)
    for n in range(5000):
        counters.add(Hit("view", f"pagina-{n % 30}", (f"fonte{n}", "social", f"c{n % 7}", f"post-{n}")))
    assert len(counters._pending) <= 51
    assert counters._seen_values and all(len(seen) <= 20 for seen in counters._seen_values)
    assert len(counters._seen_keys) <= 50
    assert sum(counters._pending.values()) == 5000
    store.close()   # writes what is pending
    conn = sqlite3.connect(tmp_path / "leads.sqlite3")
    try:
        assert conn.execute("SELECT sum(count), count(*) FROM metrics").fetchone() == (5000, len(counters._seen_keys) + 1)
    finally:
        conn.close()
