"""The editorial calendar: what is scheduled, what is drafted, and whether the rhythm holds.

Everything is computed "as of" a given day (today from ``approdo.clock`` on the command line),
from the posts' front matter alone. Settings live in ``extra.approdo.calendar`` of mkdocs.yml:
``cadence`` (posts a week, default 1), ``days`` (publication weekdays, e.g. [tue, thu]),
``quiet_weeks`` (after how long without a post a category counts as quiet, default 4) and
``slots`` (how many free publication days to propose, default 5).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

import jinja2

from approdo import content_check, content_schema
from approdo.project import Settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Publication days when none are configured: spread over the working week.
_DEFAULT_DAYS = {1: ("tue",), 2: ("tue", "thu"), 3: ("mon", "wed", "fri"),
                 4: ("mon", "tue", "thu", "fri"), 5: WEEKDAYS[:5], 6: WEEKDAYS[:6], 7: WEEKDAYS}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# How far ahead free slots are looked for.
_HORIZON_WEEKS = 26


@dataclass(frozen=True)
class Post:
    path: str
    title: str
    date: dt.date
    draft: bool
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Week:
    """One ISO week: its Monday and how many posts were published in it."""

    label: str
    monday: dt.date
    published: int
    # Fewer posts than the cadence target (never said of the week still going on).
    below_target: bool
    current: bool


@dataclass(frozen=True)
class QuietCategory:
    name: str
    last_published: dt.date | None
    # The next scheduled post in this category, if one is coming.
    next_scheduled: dt.date | None


@dataclass(frozen=True)
class Plan:
    today: dt.date
    cadence: int
    scheduled: tuple[Post, ...]
    drafts: tuple[Post, ...]
    weeks: tuple[Week, ...]
    free_slots: tuple[dt.date, ...]
    quiet_weeks: int
    quiet: tuple[QuietCategory, ...]


def read_posts(settings: Settings) -> list[Post]:
    """Every post with a usable date (``approdo check`` reports the others), oldest first."""
    blog = settings.blog
    if blog is None:
        return []
    posts = []
    for source in content_check.discover(settings.docs_dir / blog.posts_dir):
        data = source.fm.data or {}
        date = data.get("date")
        day = content_schema.as_date(date.get("created") if isinstance(date, dict) else date)
        if day is None:
            continue
        categories = data.get("categories")
        posts.append(Post(
            path=settings.shown(blog.posts_dir + source.src_uri),
            title=str(data.get("title") or source.src_uri),
            date=day, draft=data.get("draft") is True,
            categories=tuple(str(name) for name in categories) if isinstance(categories, list) else ()))
    return sorted(posts, key=lambda post: (post.date, post.path))


def plan(settings: Settings, today: dt.date, cadence: int | None = None, weeks: int = 12) -> Plan:
    """The calendar as of ``today``."""
    options = settings.approdo.get("calendar") or {}
    cadence = cadence or _whole(options, "cadence", 1)
    days = _days(options) or _DEFAULT_DAYS[min(cadence, 7)]
    quiet_weeks = _whole(options, "quiet_weeks", 4)
    posts = read_posts(settings)
    published = [post for post in posts if not post.draft and post.date <= today]
    scheduled = [post for post in posts if not post.draft and post.date > today]
    categories = (settings.blog.categories if settings.blog else ()) or tuple(
        sorted({name for post in posts for name in post.categories}))
    return Plan(
        today=today, cadence=cadence, scheduled=tuple(scheduled),
        drafts=tuple(post for post in posts if post.draft),
        weeks=tuple(_weeks(published, today, cadence, weeks)),
        free_slots=tuple(_free_slots(published + scheduled, today, cadence, days,
                                     _whole(options, "slots", 5))),
        quiet_weeks=quiet_weeks,
        quiet=tuple(_quiet(categories, published, scheduled, today, quiet_weeks)),
    )


def _whole(options, key: str, default: int) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"extra.approdo.calendar.{key} in mkdocs.yml is {value!r}, "
                         "not a whole number of 1 or more")
    return value


def _days(options) -> tuple[str, ...]:
    days = tuple(str(day).lower()[:3] for day in options.get("days") or ())
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        raise ValueError(f"extra.approdo.calendar.days in mkdocs.yml has {', '.join(unknown)}, "
                         f"not weekdays (any of: {', '.join(WEEKDAYS)})")
    return days


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weeks(published: list[Post], today: dt.date, cadence: int, count: int) -> list[Week]:
    this_monday = _monday(today)
    weeks = []
    for back in range(count - 1, -1, -1):
        monday = this_monday - dt.timedelta(weeks=back)
        total = sum(monday <= post.date < monday + dt.timedelta(days=7) for post in published)
        year, number, _ = monday.isocalendar()
        weeks.append(Week(f"{year}-W{number:02d}", monday, total,
                          below_target=back > 0 and total < cadence, current=back == 0))
    return weeks


def _free_slots(planned: list[Post], today: dt.date, cadence: int, days: tuple[str, ...],
                wanted: int) -> list[dt.date]:
    """Publication days from today on with no post yet, in weeks not yet at the target."""
    taken = {post.date for post in planned}
    per_week: dict[dt.date, int] = {}
    for post in planned:
        per_week[_monday(post.date)] = per_week.get(_monday(post.date), 0) + 1
    weekdays = {WEEKDAYS.index(day) for day in days}
    slots: list[dt.date] = []
    day = today
    while len(slots) < wanted and day < today + dt.timedelta(weeks=_HORIZON_WEEKS):
        monday = _monday(day)
        if day.weekday() in weekdays and day not in taken and per_week.get(monday, 0) < cadence:
            slots.append(day)
            per_week[monday] = per_week.get(monday, 0) + 1
        day += dt.timedelta(days=1)
    return slots


def _quiet(categories, published: list[Post], scheduled: list[Post], today: dt.date,
           quiet_weeks: int) -> list[QuietCategory]:
    quiet = []
    for name in categories:
        last = max((post.date for post in published if name in post.categories), default=None)
        if last is not None and (today - last).days < quiet_weeks * 7:
            continue
        upcoming = min((post.date for post in scheduled if name in post.categories), default=None)
        quiet.append(QuietCategory(name, last, upcoming))
    return quiet


# --- output --------------------------------------------------------------------------------------

def short_date(day: dt.date) -> str:
    """"Thu 3 Dec 2026": unambiguous in a terminal, whatever the locale."""
    return f"{WEEKDAYS[day.weekday()].title()} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def to_text(plan: Plan) -> str:
    return _environment().get_template("calendar.txt").render(plan=plan)


def to_html(plan: Plan, settings: Settings) -> str:
    brand = settings.approdo.get("brand") or {}
    return _environment(autoescape=True).get_template("calendar.html").render(
        plan=plan, chart=chart(plan), site_name=str(brand.get("name") or ""))


def to_json(plan: Plan) -> str:
    data = asdict(plan)
    data["free_slots"] = list(plan.free_slots)
    return json.dumps(data, default=_iso, ensure_ascii=False, indent=2)


def _iso(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    week: Week


@dataclass(frozen=True)
class Chart:
    """Geometry of the weekly bar chart: the SVG markup is in ``calendar.html``."""

    width: int
    height: int
    baseline: int
    bar_width: int
    target_y: int
    bars: tuple[Bar, ...]


def chart(plan: Plan, bar_width: int = 36, gap: int = 12, plot_height: int = 160) -> Chart:
    top = max([plan.cadence, *(week.published for week in plan.weeks)])
    unit = plot_height / top
    baseline = plot_height + 20
    bars = tuple(Bar(x=40 + index * (bar_width + gap), y=baseline - round(week.published * unit),
                     height=round(week.published * unit), week=week)
                 for index, week in enumerate(plan.weeks))
    width = 40 + len(plan.weeks) * (bar_width + gap)
    return Chart(width=width, height=baseline + 40, baseline=baseline, bar_width=bar_width,
                 target_y=baseline - round(plan.cadence * unit), bars=bars)


def _environment(autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("approdo", "templates"),
                             autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["short_date"] = short_date
    return env
