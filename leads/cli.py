"""``approdo-leads`` / ``python -m leads``: serve, export, stats, report, digest, erase, prune, outbox, mail,
consent."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from . import consent as consent_mod
from . import digest as digest_mod
from . import export as export_mod
from . import mailer, outbox
from . import report as report_mod
from . import stats as stats_mod
from .config import ENV_DB, Settings, SettingsError, forms_file, normalise_origin, parse_rate
from .loop_settings import ENV_NOTIFY, ENV_SITE_DATA, LoopSettingsError, parse_notify
from .storage import Store, StorageError, utcnow

log = logging.getLogger("leads")


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except (SettingsError, LoopSettingsError, StorageError) as problem:
        print(f"approdo-leads: {problem}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as problem:
        # A damaged file: say so and where to go, not a traceback.
        print(f"approdo-leads: the lead database cannot be read ({problem}); run "
              "`approdo-leads doctor --output saved.sqlite3` to save what can be read", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `approdo-leads export | head`: the reader left; stop quietly, as Unix tools do.
        # Point stdout at /dev/null so Python's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="approdo-leads",
        description="Approdo's lead receiver: stores the leads of the landing pages in SQLite.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="receive leads over HTTP (POST /leads)")
    _db_option(serve)
    env = Settings.from_env()
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8001, help="port (default: %(default)s; 0 picks a free one)")
    serve.add_argument("--site-origin", action="append", dest="origins", metavar="ORIGIN",
                       help="a site whose pages may post here and be redirected to, e.g. "
                            "https://www.example.it (repeatable; default: $APPRODO_LEADS_ORIGINS or "
                            + " and ".join(env.site_origins) + ")")
    serve.add_argument("--max-body", type=int, default=env.max_body_bytes, metavar="BYTES",
                       help="largest accepted post (default: %(default)s)")
    serve.add_argument("--rate-limit", default=f"{env.rate_limit}/{env.rate_window:g}", metavar="POSTS/SECONDS",
                       help="posts allowed per client in a sliding window, 0 for no limit (default: %(default)s)")
    serve.add_argument("--dedupe-window", type=float, default=env.dedupe_window, metavar="SECONDS",
                       help="the same email on the same landing page within this time is stored once "
                            "(default: %(default)g)")
    serve.add_argument("--require-origin", action="store_true", default=env.require_origin,
                       help="refuse posts that carry neither Origin nor Referer (non-browser clients)")
    serve.add_argument("--forms", type=Path, default=env.forms_path, metavar="FILE",
                       help="the site's leads/forms.json (written by `mkdocs build`): refuse posts "
                            "for unknown landing pages, missing required fields or extra fields "
                            "(default: $APPRODO_LEADS_FORMS, else the one in --site-data, else no check)")
    serve.add_argument("--require-proof", action="store_true", default=env.require_proof,
                       help="quarantine posts without a proof of work (sent without JavaScript)")
    serve.add_argument("--spam-days", type=_days, default=env.spam_days, metavar="DAYS",
                       help="how long suspected spam stays in quarantine (default: %(default)s)")
    serve.add_argument("--server", choices=("waitress", "stdlib"), default=None,
                       help="waitress (production: slow clients hold no thread; the default when "
                            "installed) or stdlib (development only)")
    serve.add_argument("--threads", type=int, default=None, metavar="N",
                       help="requests handled at once (default: 16 with waitress, 32 with stdlib)")
    serve.add_argument("--trusted-proxy", default=env.trusted_proxy, metavar="ADDRESS",
                       help="the reverse proxy's address: only its X-Forwarded-For is believed "
                            "(waitress only; default: $APPRODO_LEADS_TRUSTED_PROXY or none)")
    serve.add_argument("--backup-dir", type=Path, default=env.backup_dir, metavar="DIR",
                       help="write a verified backup here at start and every --backup-every hours "
                            "(default: $APPRODO_LEADS_BACKUP_DIR or none)")
    serve.add_argument("--backup-every", type=float, default=24, metavar="HOURS",
                       help="hours between backups (default: %(default)g)")
    serve.add_argument("--retention-days", type=_days, default=env.retention_days, metavar="DAYS",
                       help="backups older than this are deleted, as `prune` deletes leads "
                            "(default: $APPRODO_LEADS_RETENTION_DAYS or %(default)s)")
    serve.add_argument("--quiet", action="store_true", help="do not log each request")
    loop = serve.add_argument_group("lead loop", "notifications, double opt-in, consent ledger "
                                    "(SMTP settings, secrets and the webhook: see handbook/docs/lead-loop.md)")
    loop.add_argument("--notify", metavar="[SLUG=]ADDRESS[,ADDRESS]", action="append", default=None,
                      help=f"who is told of each new lead, site-wide or for one landing page "
                           f"(repeatable; default: ${ENV_NOTIFY})")
    loop.add_argument("--site-data", metavar="DIR_OR_URL", default=env.loop.site_data,
                      help="the built site (folder or URL) whose consent/versions.json lists the valid "
                           f"consent texts (default: ${ENV_SITE_DATA}; none: versions are not checked)")
    loop.add_argument("--no-lead-loop", action="store_true",
                      help="only store leads: no emails, no consent-version check (for comparisons)")
    loop.add_argument("--public-url", metavar="URL", default=None,
                      help="this receiver's address as visitors reach it, for the links in emails "
                           "(default: http://HOST:PORT)")
    serve.set_defaults(handler=cmd_serve)

    exp = commands.add_parser("export", help="write the leads as CSV or JSON")
    _db_option(exp)
    _filter_options(exp)
    exp.add_argument("--email", metavar="ADDRESS",
                     help="only this address, any letter case (right of access: all data of one person)")
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("--output", "-o", metavar="FILE", help="write here (readable by you only) instead of stdout")
    exp.add_argument("--excel", action="store_true",
                     help="CSV for Excel set to Italian: semicolons and a UTF-8 byte-order mark")
    exp.set_defaults(handler=cmd_export)

    stats = commands.add_parser("stats", help="leads per landing page, utm_source, utm_campaign and day")
    _db_option(stats)
    _filter_options(stats)
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.set_defaults(handler=cmd_stats)

    report = commands.add_parser("report", help="the campaign funnel: clicks, views, leads, confirmed consents")
    _db_option(report)
    _period_options(report)
    report.add_argument("--json", action="store_true", help="machine-readable output")
    report.add_argument("--html", type=Path, metavar="FILE", help="also write the report as one Italian HTML page")
    report.set_defaults(handler=cmd_report)

    digest = commands.add_parser("digest", help="email the week's funnel to the owner (for cron, e.g. weekly)")
    _db_option(digest)
    _period_options(digest, days=7, last="yesterday")
    digest_mod.add_options(digest)
    digest.set_defaults(handler=cmd_digest)

    erase = commands.add_parser("erase", help="right to erasure: delete every lead of an email address")
    _db_option(erase)
    erase.add_argument("--email", required=True, help="the address to erase (any letter case)")
    erase.set_defaults(handler=cmd_erase)

    prune = commands.add_parser("prune", help="retention: delete leads older than a number of days")
    _db_option(prune)
    prune.add_argument("--older-than", type=_days, required=True, metavar="DAYS")
    prune.set_defaults(handler=cmd_prune)

    box = commands.add_parser("outbox", help="messages waiting to be sent or failed; send failed ones again")
    box_commands = box.add_subparsers(dest="action", required=True, metavar="ACTION")
    box_list = box_commands.add_parser("list", help="pending and failed messages (default: both)")
    box_list.add_argument("--failed", action="store_true", help="failed messages only")
    box_list.add_argument("--pending", action="store_true", help="pending messages only")
    box_retry = box_commands.add_parser("retry", help="queue failed messages again")
    box_retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="only these (default: all failed)")
    for action in (box_list, box_retry):
        _db_option(action)
    box.set_defaults(handler=cmd_outbox)

    mail = commands.add_parser("mail", help="the emails written to the local folder (no SMTP configured)")
    mail_commands = mail.add_subparsers(dest="action", required=True, metavar="ACTION")
    mail_list = mail_commands.add_parser("list", help="one line per email: number, date, recipient, subject")
    mail_show = mail_commands.add_parser("show", help="print one email's headers and text")
    mail_show.add_argument("number", nargs="?", type=int, default=0,
                           help="its number in `mail list` (default: the latest)")
    for action in (mail_list, mail_show):
        _db_option(action)
        action.add_argument("--dir", type=Path, default=None, metavar="PATH",
                            help="the folder (default: $APPRODO_MAIL_DIR or 'mail' next to the database)")
    mail.set_defaults(handler=cmd_mail)

    consent = commands.add_parser("consent", help="proof of the consent of one email address")
    _db_option(consent)
    consent.add_argument("--email", required=True, help="the address (any letter case)")
    consent.add_argument("--json", action="store_true", help="machine-readable output")
    consent.set_defaults(handler=cmd_consent)
    backup = commands.add_parser("backup", help="write a verified copy of the database (safe while serving)")
    _db_option(backup)
    backup.add_argument("--dir", type=Path, required=True, metavar="DIR", help="the backup folder")
    backup.add_argument("--retention-days", type=_days, default=env.retention_days, metavar="DAYS",
                        help="delete backups older than this (default: %(default)s)")
    backup.set_defaults(handler=cmd_backup)

    spam_cmd = commands.add_parser("spam", help="review the posts kept in quarantine as suspected spam")
    spam_actions = spam_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = spam_actions.add_parser("list", help="every post in quarantine, oldest first")
    _db_option(listing)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=cmd_spam_list)
    releasing = spam_actions.add_parser("release", help="move a post from quarantine into the leads")
    _db_option(releasing)
    releasing.add_argument("id", type=int, metavar="ID", help="its number in `spam list`")
    releasing.set_defaults(handler=cmd_spam_release)

    doctor = commands.add_parser("doctor", help="check the database; save what can be read from a damaged one")
    _db_option(doctor)
    doctor.add_argument("--output", type=Path, metavar="FILE",
                        help="a new database to copy every readable row into")
    doctor.set_defaults(handler=cmd_doctor)
    return parser


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, metavar="PATH",
                        help=f"SQLite database (default: ${ENV_DB} or data/leads.sqlite3)")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing", action="append", default=[], metavar="SLUG",
                        help="only this landing page (repeatable)")
    parser.add_argument("--since", type=_start, metavar="DATE",
                        help="from this day (YYYY-MM-DD, UTC) or time (ISO 8601) on")
    parser.add_argument("--until", type=_end, metavar="DATE",
                        help="up to this day included (YYYY-MM-DD, UTC) or before this time (ISO 8601)")


def _period_options(parser: argparse.ArgumentParser, days: int = 30, last: str = "today") -> None:
    parser.add_argument("--days", type=_days, default=days, metavar="N",
                        help="length of the period, compared with the N days before (default: %(default)s)")
    parser.add_argument("--until", type=_day, metavar="DATE",
                        help=f"last day of the period (YYYY-MM-DD, UTC; default: {last})")
    # A digest sent on Monday morning covers whole days: up to Sunday.
    parser.set_defaults(days_back=1 if last == "yesterday" else 0)


def _day(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def _when(text: str, end: bool) -> datetime:
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD or ISO 8601)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _start(text: str) -> datetime:
    return _when(text, end=False)


def _end(text: str) -> datetime:
    return _when(text, end=True)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}")
    return days


def _db_path(args: argparse.Namespace) -> Path:
    return args.db or Settings.from_env().db_path


def _existing_store(args: argparse.Namespace) -> Store:
    path = _db_path(args)
    if not path.exists():
        raise StorageError(f"{path}: no lead database here (start `serve` first, or pass --db)")
    return Store(path)


# --- commands -----------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    from .app import LeadApp
    from .server import serve

    limit, window = parse_rate(args.rate_limit)
    base = Settings.from_env()
    settings = Settings(
        db_path=_db_path(args),
        site_origins=tuple(normalise_origin(o) for o in args.origins) if args.origins else base.site_origins,
        max_body_bytes=args.max_body,
        rate_limit=limit,
        rate_window=window,
        dedupe_window=args.dedupe_window,
        require_origin=args.require_origin,
        loop=_loop_settings(args, base),
        trusted_proxy=args.trusted_proxy,
        backup_dir=args.backup_dir,
        retention_days=args.retention_days,
        forms_path=forms_file(str(args.forms or ""), args.site_data or ""),
        require_proof=args.require_proof,
        spam_days=args.spam_days,
    )
    if settings.max_body_bytes <= 0:
        raise SettingsError("--max-body: expected a positive number of bytes")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    if args.threads is not None and args.threads <= 0:
        raise SettingsError("--threads: expected a positive number")
    server = args.server or ("waitress" if _waitress_installed() else "stdlib")
    if server == "stdlib" and args.trusted_proxy:
        raise SettingsError("--trusted-proxy needs --server waitress")
    app = LeadApp(settings)
    schedule = None
    if args.backup_dir:
        from .backup import BackupSchedule
        schedule = BackupSchedule(app.store, args.backup_dir, args.backup_every * 3600,
                                  args.retention_days).start()
    try:
        if server == "waitress":
            from . import production
            production.serve(app, args.host, args.port,
                             production.Limits(threads=args.threads or 16, trusted_proxy=args.trusted_proxy))
        else:
            log.warning("the stdlib server gives each connection a thread: use it for development only")
            serve(app, args.host, args.port, args.threads or 32)
    except OSError as problem:  # typically: the port is taken (another receiver running?)
        app.close()
        print(f"approdo-leads: cannot listen on {args.host}:{args.port}: {problem.strerror or problem}",
              file=sys.stderr)
        return 2
    finally:
        if schedule is not None:
            schedule.stop()
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import make_backup, prune_backups

    store = _existing_store(args)
    now = utcnow()
    try:
        path = make_backup(store, args.dir, now)
    finally:
        store.close()
    removed = prune_backups(args.dir, args.retention_days, now)
    print(f"Backup written and verified: {path}"
          + (f"; {len(removed)} older than {args.retention_days} days deleted" if removed else ""))
    return 0


def cmd_spam_list(args: argparse.Namespace) -> int:
    from .spam import quarantined

    store = _existing_store(args)
    try:
        posts = quarantined(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(posts, ensure_ascii=False, indent=2))
        return 0
    if not posts:
        print("Quarantine is empty.")
    for post in posts:
        lead = post["lead"]
        message = " ".join(str(lead.get("message", "")).split())
        print(f"#{post['id']}  {post['received_at']}  {post['reason']}  {lead.get('landing', '')}  "
              f"{lead.get('email', '')}  {lead.get('name', '')}"
              + (f"  «{message[:60]}{'…' if len(message) > 60 else ''}»" if message else ""))
    return 0


def cmd_spam_release(args: argparse.Namespace) -> int:
    from .spam import release

    store = _existing_store(args)
    settings = Settings.from_env()
    try:
        # A released post is a lead like any other: the owner is told, a consent is asked for.
        # The running receiver's outbox worker sends the messages within seconds.
        then: Callable[[dict], Callable[[sqlite3.Connection, int], None]] | None = None
        if settings.loop.enabled:
            from .loop import LeadLoop
            loop = LeadLoop(replace(settings, db_path=store.path), store, utcnow)

            def prepare(values: dict) -> Callable[[sqlite3.Connection, int], None]:
                return loop.prepare(values, utcnow()).then
            then = prepare
        outcome = release(store, args.id, settings.dedupe_window, then)
    finally:
        store.close()
    if outcome is None:
        print(f"approdo-leads: no post #{args.id} in quarantine (see `approdo-leads spam list`)", file=sys.stderr)
        return 1
    print(f"Post #{args.id} released into the leads ({outcome}).")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from .salvage import check, salvage

    path = _db_path(args)
    if args.output is None:
        problems = check(path)
        if not problems:
            print(f"{path}: sound (integrity check ok)")
            return 0
        print(f"{path}: damaged:", *(f"  {problem}" for problem in problems), sep="\n")
        print("Run again with --output NEW.sqlite3 to copy every readable lead into a new database.")
        return 1
    report = salvage(path, args.output)
    state = "damaged" if report.problems else "sound"
    print(f"{path}: {state}; copied into {args.output}:")
    for table, count in report.saved.items():
        lost = report.read_errors.get(table, 0)
        print(f"  {table}: {count} row(s)" + (f", {lost} unreadable stretch(es) skipped" if lost else ""))
    if report.problems:
        print("Stop the receiver, keep the damaged file, and serve from the new one "
              "(or restore the latest backup and compare).")
    return 1 if report.problems else 0


def _waitress_installed() -> bool:
    try:
        import waitress  # noqa: F401
    except ImportError:
        return False
    return True


def cmd_export(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    try:
        rows = store.leads(tuple(args.landing), args.since, args.until, args.email)
    finally:
        store.close()
    text, count = export_mod.render(rows, args.format, excel=args.excel)
    if args.output:
        # Personal data: the file is created readable by its owner only.
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        print(f"Exported {count} lead(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    try:
        stats = stats_mod.compute(store, tuple(args.landing), args.since, args.until)
    finally:
        store.close()
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(stats_mod.render(stats))
    return 0


def _report(args: argparse.Namespace) -> "report_mod.Report":
    if args.days < 1:
        raise SettingsError("--days: expected at least 1")
    store = _existing_store(args)
    try:
        last_day = args.until or utcnow().date() - timedelta(days=args.days_back)
        return report_mod.build(store, last_day, args.days)
    finally:
        store.close()


def cmd_report(args: argparse.Namespace) -> int:
    report = _report(args)
    if args.html:
        from .report_page import render_html

        args.html.write_text(render_html(report), encoding="utf-8")
        print(f"Report written to {args.html}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report_mod.render_text(report))
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    report = _report(args)
    where = digest_mod.send(report, args, _db_path(args))
    print(f"Digest for {report.period.start} .. {report.period.end - timedelta(days=1)}: {where}")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    try:
        erased = store.erase(args.email)
    finally:
        store.close()
    if erased:
        print(f"Erased {erased} lead(s) of that address; an anonymous count per day and landing page remains.")
    else:
        print("No lead of that address is stored (the request is counted all the same).")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    now = utcnow()
    before = now - timedelta(days=args.older_than)
    try:
        # Suspected spam has its own, shorter, retention (see `serve --spam-days`).
        pruned = store.prune(before, now - timedelta(days=Settings.from_env().spam_days))
    finally:
        store.close()
    print(f"Deleted {pruned} lead(s) received before {before:%Y-%m-%d %H:%M} UTC; "
          "anonymous counts per day, landing page and campaign remain.")
    return 0


def _loop_settings(args: argparse.Namespace, base: Settings):
    loop = base.loop
    changes: dict = {"site_data": args.site_data or "", "enabled": not args.no_lead_loop}
    if args.notify:
        notify, by_landing = parse_notify(";".join(args.notify))
        changes.update(notify=notify, notify_by_landing=by_landing)
    if args.public_url:
        changes["public_url"] = args.public_url.rstrip("/")
    elif not os.environ.get("APPRODO_LEADS_PUBLIC_URL"):
        host = f"[{args.host}]" if ":" in args.host else args.host
        changes["public_url"] = f"http://{host}:{args.port}"
    return replace(loop, **changes)


def cmd_outbox(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    try:
        if args.action == "retry":
            count = outbox.retry(store, tuple(args.ids))
            print(f"{count} failed message(s) queued again; a running receiver sends them within seconds.")
            return 0
        states = ((outbox.FAILED,) if args.failed else ()) + ((outbox.PENDING, outbox.SENDING) if args.pending else ())
        rows = outbox.listing(store, states or (outbox.PENDING, outbox.SENDING, outbox.FAILED))
    finally:
        store.close()
    if not rows:
        print("The outbox is empty: every message was sent.")
    for row in rows:
        when = row["due_at"] if row["state"] == outbox.PENDING else row["created_at"]
        print(f"{row['id']:>6}  {row['kind']:<8} {row['state']:<8} attempts={row['attempts']:<3} "
              f"{'next' if row['state'] == outbox.PENDING else 'queued'} {when}  {row['last_error']}")
    return 0


def cmd_mail(args: argparse.Namespace) -> int:
    folder = args.dir or Settings.from_env().loop.resolved_mail_dir(_db_path(args))
    emails = mailer.listing(folder)
    if args.action == "list":
        if not emails:
            print(f"No email in {folder}.")
        for number, (path, message) in enumerate(emails, start=1):
            print(f"{number:>4}  {message['Date']}  to {message['To']}  «{message['Subject']}»  {path}")
        return 0
    if not emails or not 0 <= args.number <= len(emails):
        print(f"approdo-leads: no email number {args.number} in {folder}", file=sys.stderr)
        return 2
    path, message = emails[args.number - 1] if args.number else emails[-1]
    for name in ("From", "To", "Reply-To", "Date", "Subject", "List-Unsubscribe"):
        if message[name]:
            print(f"{name}: {message[name]}")
    print(f"\n{mailer.text_of(message)}")
    return 0


def cmd_consent(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    try:
        records = consent_mod.proof(store, args.email)
    finally:
        store.close()
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(consent_mod.render_proof(records))
    return 0 if records else 1
