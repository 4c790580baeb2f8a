"""``approdo``: the authors' command line (installed with the project, see pyproject.toml).

    approdo new post "Titolo"      a draft post with complete front matter
    approdo new landing "Titolo"   a landing page with every key of its schema
    approdo check                  every content error, as the build reports it, in a second
    approdo calendar               scheduled and draft posts, weekly rhythm, free slots

No MkDocs import: the commands read mkdocs.yml themselves and start in a fraction of a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from approdo import clock, content_check, project


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config_file = Path(args.config) if args.config else project.find_config(Path.cwd())
        settings = project.load(config_file)
        # Today in the site's time zone (extra.approdo.timezone), or as of SOURCE_DATE_EPOCH.
        args.today = clock.read().astimezone(clock.zone_from(settings.extra)).date()
    except (OSError, ValueError) as error:
        print(f"approdo: {error}", file=sys.stderr)
        return 2
    return args.run(settings, args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="approdo", description="Authoring tools for an Approdo site.")
    parser.add_argument("--config", metavar="FILE",
                        help="the site's mkdocs.yml (default: found in this folder or above)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    new = commands.add_parser("new", help="start a post or a landing page").add_subparsers(
        required=True, metavar="KIND")
    post = new.add_parser("post", help="a draft blog post: docs/blog/posts/<date>-<slug>.md")
    post.add_argument("title")
    post.add_argument("--date", type=_date, help="publication date, YYYY-MM-DD (default: today)")
    post.add_argument("--author", help="author key from .authors.yml (default: configured or first)")
    post.add_argument("--category", help="one of the allowed categories (default: the first)")
    post.set_defaults(run=_new_post)
    landing = new.add_parser("landing", help="a landing page: docs/landing/<slug>.md")
    landing.add_argument("title")
    landing.set_defaults(run=_new_landing)

    check = commands.add_parser("check", help="report every content error without building")
    check.set_defaults(run=_check)

    calendar = commands.add_parser("calendar", help="the editorial calendar")
    calendar.add_argument("--cadence", type=_positive,
                          help="target posts per week (default: extra.approdo.calendar.cadence or 1)")
    calendar.add_argument("--weeks", type=_positive, default=12, help="weeks of history (default: 12)")
    output = calendar.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON for other tools")
    output.add_argument("--html", metavar="FILE", help="write an HTML page with a chart")
    calendar.set_defaults(run=_calendar)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 1 or more")
    return int(text)


def _new_post(settings: project.Settings, args) -> int:
    from approdo import scaffold  # Jinja and Babel only for the commands that write files

    _, authors = content_check.authors(settings)  # its errors are check's to report
    try:
        created = scaffold.new_post(settings, args.title, args.date or args.today, authors,
                                    author=args.author, category=args.category)
    except scaffold.ScaffoldError as error:
        print(f"approdo: {error}", file=sys.stderr)
        return 1
    _created(created)
    return 0


def _new_landing(settings: project.Settings, args) -> int:
    from approdo import scaffold

    try:
        created = scaffold.new_landing(settings, args.title)
    except scaffold.ScaffoldError as error:
        print(f"approdo: {error}", file=sys.stderr)
        return 1
    _created(created)
    return 0


def _created(created) -> None:
    print(f"created {created.path}")
    print(f"URL     {created.url}")
    print("next    write the description and the text, then run: approdo check")


def _check(settings: project.Settings, args) -> int:
    sources = content_check.discover(settings.docs_dir)
    errors = content_check.check_project(settings, sources)
    for error in errors:
        print(error)
    count = len(errors)
    if count:
        print(f"{count} content error{'s' if count > 1 else ''} in {len(sources)} pages", file=sys.stderr)
        return 1
    print(f"no content errors in {len(sources)} pages", file=sys.stderr)
    return 0


def _calendar(settings: project.Settings, args) -> int:
    from approdo import calendar

    try:
        plan = calendar.plan(settings, args.today, cadence=args.cadence, weeks=args.weeks)
    except ValueError as error:
        print(f"approdo: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(calendar.to_json(plan))
    elif args.html:
        Path(args.html).write_text(calendar.to_html(plan, settings), encoding="utf-8")
        print(f"written {args.html}")
    else:
        print(calendar.to_text(plan), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
