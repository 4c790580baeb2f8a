"""``approdo-leads`` / ``python -m leads``: serve, export, stats, erase, prune."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from . import export as export_mod
from . import stats as stats_mod
from .config import ENV_DB, Settings, SettingsError, normalise_origin, parse_rate
from .storage import Store, StorageError, utcnow

log = logging.getLogger("leads")


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except (SettingsError, StorageError) as problem:
        print(f"approdo-leads: {problem}", file=sys.stderr)
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
    serve.add_argument("--threads", type=int, default=32, metavar="N",
                       help="requests handled at once (default: %(default)s); more wait in a queue")
    serve.add_argument("--quiet", action="store_true", help="do not log each request")
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

    erase = commands.add_parser("erase", help="right to erasure: delete every lead of an email address")
    _db_option(erase)
    erase.add_argument("--email", required=True, help="the address to erase (any letter case)")
    erase.set_defaults(handler=cmd_erase)

    prune = commands.add_parser("prune", help="retention: delete leads older than a number of days")
    _db_option(prune)
    prune.add_argument("--older-than", type=_days, required=True, metavar="DAYS")
    prune.set_defaults(handler=cmd_prune)
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
    )
    if settings.max_body_bytes <= 0:
        raise SettingsError("--max-body: expected a positive number of bytes")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    if args.threads <= 0:
        raise SettingsError("--threads: expected a positive number")
    app = LeadApp(settings)
    try:
        serve(app, args.host, args.port, args.threads)
    except OSError as problem:  # typically: the port is taken (another receiver running?)
        app.store.close()
        print(f"approdo-leads: cannot listen on {args.host}:{args.port}: {problem.strerror or problem}",
              file=sys.stderr)
        return 2
    return 0


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
    before = utcnow() - timedelta(days=args.older_than)
    try:
        pruned = store.prune(before)
    finally:
        store.close()
    print(f"Deleted {pruned} lead(s) received before {before:%Y-%m-%d %H:%M} UTC; "
          "anonymous counts per day, landing page and campaign remain.")
    return 0
