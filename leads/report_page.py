"""The funnel report as one self-contained Italian HTML page (``report --html``, the digest).

Markup and styles live in ``leads/templates/report.html``; this module computes what it
prints: Italian numbers and dates, and the geometry of the charts, drawn as inline SVG (no
script, no request: the page is whole when opened from an email attachment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from approdo.events import italian_date

from .pages import environment
from .report import DIMENSIONS, OTHERS, Report, Row

# The brand's sea blues and coral (docs/assets/stylesheets/approdo.css), then quieter tones;
# each readable as a bar on white.
PALETTE = ("#14506a", "#c2410c", "#2a7191", "#9a3412", "#0c3a4e", "#5b7a88")
TOP = 8   # rows in the "top posts and articles" tables



def italian_percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}".replace(".", ",") + "%"


def change(now: int, before: int) -> str:
    """``+3`` / ``-2`` / ``=`` against the previous period."""
    difference = now - before
    return "=" if difference == 0 else f"{difference:+d}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str


# --- charts ---------------------------------------------------------------------------------

WEEK_CHART = {"width": 320, "height": 180, "left": 30, "bottom": 24, "top": 10}


def week_chart(report: Report) -> dict[str, object]:
    """Stacked bars: leads per week, one colour per channel."""
    c = WEEK_CHART
    plot_w, plot_h = c["width"] - c["left"] - 6, c["height"] - c["top"] - c["bottom"]
    weeks = report.weekly
    highest = max([sum(leads.values()) for _, leads in weeks] + [1])
    top = _nice_ceiling(highest)
    slot = plot_w / max(len(weeks), 1)
    bars, labels = [], []
    for index, (week, leads) in enumerate(weeks):
        x = c["left"] + index * slot + slot * 0.2
        y: float = c["top"] + plot_h
        for channel in report.channels:
            count = leads.get(channel, 0)
            if not count:
                continue
            height = plot_h * count / top
            y -= height
            bars.append(Bar(round(x, 1), round(y, 1), round(slot * 0.6, 1), round(height, 1),
                            color_of(report, channel), f"{channel}: {count} lead, settimana del {italian_date(week)}"))
        labels.append({"x": round(x + slot * 0.3, 1), "text": f"{week.day}/{week.month}"})
    ticks = [{"y": round(c["top"] + plot_h - plot_h * value / top, 1), "value": value}
             for value in _ticks(top)]
    legend = [{"name": channel, "color": color_of(report, channel)} for channel in report.channels]
    return {**c, "bars": bars, "labels": labels, "ticks": ticks, "legend": legend,
            "baseline": c["top"] + plot_h, "right": c["width"] - 6}


# Each step in the same colour for every channel: sea blues before the form, coral after it.
FUNNEL_STEPS = (("clicks", "Clic", "#2a7191"), ("views", "Visite", "#14506a"), ("leads", "Lead", "#c2410c"),
                ("confirmed", "Consensi", "#9a3412"))


def funnel_chart(row: Row) -> dict[str, object]:
    """Four horizontal bars (clicks, views, leads, confirmed consents) on the channel's own scale,
    so a small channel's shape is as readable as a big one's."""
    width, label_w, row_h = 320, 78, 24
    highest = max(row.clicks, row.views, row.leads, row.confirmed, 1)
    steps = []
    for index, (name, title, color) in enumerate(FUNNEL_STEPS):
        value = getattr(row, name)
        length = (width - label_w - 44) * value / highest
        steps.append({"title": title, "value": value, "y": index * row_h + 4, "color": color,
                      "width": round(max(length, 1.5 if value else 0), 1), "x": label_w,
                      "text_x": round(label_w + length + 6, 1)})
    return {"width": width, "height": len(FUNNEL_STEPS) * row_h + 4, "steps": steps,
            "row_h": row_h, "label_w": label_w}


def color_of(report: Report, channel: str) -> str:
    if channel == OTHERS:
        return "#8a9aa3"
    return PALETTE[report.channels.index(channel) % len(PALETTE)] if channel in report.channels else PALETTE[-1]


def _nice_ceiling(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 4:
            return -(-value // step) * step
    return value


def _ticks(top: int) -> list[int]:
    step = max(1, top // 4)
    return list(range(0, top + 1, step))


# --- page -----------------------------------------------------------------------------------

def render_html(report: Report) -> str:
    last_day = report.period.end - timedelta(days=1)
    channels = [row for row in report.dimensions["channel"] if row.views or row.clicks or row.leads]
    funnels = [{"row": row, "chart": funnel_chart(row)} for row in channels[:6]]
    return environment.get_template("report.html").render(
        report=report,
        title=f"Dai social ai clienti: {italian_date(report.period.start)} – {italian_date(last_day)}",
        period=f"{italian_date(report.period.start)} – {italian_date(last_day)}",
        previous=f"{italian_date(report.previous_period.start)} – "
                 f"{italian_date(report.previous_period.end - timedelta(days=1))}",
        totals=report.totals,
        week_chart=week_chart(report),
        funnels=funnels,
        top_posts=[row for row in report.dimensions["post"] if row.leads][:TOP],
        top_articles=[row for row in report.dimensions["article"] if row.leads][:TOP],
        campaigns=report.dimensions["campaign"][:TOP],
        not_converted=report.not_converted[:TOP * 2],
        titles={name: title for name, title, _key in DIMENSIONS},
        percent=italian_percent,
        change=change,
    )
