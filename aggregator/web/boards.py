"""The calendar's other faces: the info screen, the weekly A4 programme, the iframe list and
the embedding help page, as HTML strings.

Owns their markup only. It must not read the store or the query string (``routes.py`` passes
records in) and escapes every source value with ``e()``. The screen's clock and refresh live
in ``static/screen.js`` (no inline script: the Content-Security-Policy forbids it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.model import EventRecord, Status
from aggregator.publish.common import local_date, place
from aggregator.settings import Settings
from aggregator.web.i18n import clock, day_heading, short_date, t, time_range
from aggregator.web.layout import e
from aggregator.web.listing import WebQuery
from aggregator.web.pages import day_groups, status_badge


def screen_body(
    settings: Settings, events: Sequence[EventRecord], lang: str, now: datetime, refresh: int, title: str
) -> str:
    """Large type, today first; ``data-refresh`` tells screen.js how often to reload the list."""
    zone = settings.zone
    local_now = now.astimezone(zone)
    year = local_now.year
    days: dict[date, list[EventRecord]] = {}
    for record in events:
        days.setdefault(max(local_date(record, zone), local_now.date()), []).append(record)
    sections = []
    for day, records in days.items():
        label = t(lang, "today") if day == local_now.date() else day_heading(day, lang, year)
        rows = "".join(
            f'<li class="{"is-cancelled" if r.status is Status.CANCELLED else ""}">'
            f'<span class="time">{e(time_range(r, zone, lang))}</span> '
            f'<span class="title">{e(r.title)}</span> {status_badge(r, lang)}'
            f'<span class="where">{e(r.location or place(r))}</span></li>'
            for r in records
        )
        sections.append(f'<section class="day"><h2>{e(label)}</h2><ul>{rows}</ul></section>')
    listing = "".join(sections) or f'<p class="empty">{e(t(lang, "no_events"))}</p>'
    return (
        f'<div class="screen" data-refresh="{refresh}" data-lang="{e(lang)}">'
        f'<header class="screen-head"><h1>{e(title)}</h1>'
        f'<time id="clock" datetime="{e(local_now.isoformat(timespec="minutes"))}">{e(clock(local_now, lang))}</time></header>'
        f'<div id="screen-list" data-updated="{e(local_now.isoformat(timespec="seconds"))}">{listing}</div>'
        f'<p class="screen-foot" id="screen-state" aria-live="polite" '
        f'data-offline="{e(t(lang, "offline"))}">{e(t(lang, "updated"))} {e(clock(local_now, lang))}</p></div>'
    )


def print_body(
    settings: Settings, events: Sequence[EventRecord], lang: str, now: datetime, monday: date, title: str
) -> str:
    """One week, Monday to Sunday, every day listed (an empty day says so) for the notice board."""
    zone = settings.zone
    year = now.astimezone(zone).year
    by_day: dict[date, list[EventRecord]] = {monday + timedelta(days=i): [] for i in range(7)}
    for record in events:
        day = local_date(record, zone)
        if day in by_day:
            by_day[day].append(record)
    week = monday.isocalendar().week
    sections = []
    for day, records in by_day.items():
        rows = (
            "".join(
                f'<tr class="{"is-cancelled" if r.status is Status.CANCELLED else ""}">'
                f'<td class="time">{e(time_range(r, zone, lang))}</td>'
                f"<td><strong>{e(r.title)}</strong> {status_badge(r, lang)}</td>"
                f"<td>{e(place(r))}</td></tr>"
                for r in records
            )
            or '<tr><td colspan="3" class="empty">–</td></tr>'
        )
        sections.append(
            f'<section class="pday"><h2>{e(day_heading(day, lang, year))}</h2>'
            f'<table><thead><tr><th scope="col">{e(t(lang, "when"))}</th><th scope="col">{e(t(lang, "whats_on"))}</th>'
            f'<th scope="col">{e(t(lang, "where"))}</th></tr></thead><tbody>{rows}</tbody></table></section>'
        )
    span = f"{short_date(monday, lang, year)} – {short_date(monday + timedelta(days=6), lang, year)}"
    return (
        f'<div class="print"><h1>{e(title)}: {e(t(lang, "program_for"))} {e(t(lang, "week").lower())} {week}</h1>'
        f'<p class="span">{e(span)}</p>{"".join(sections)}'
        f'<p class="print-foot">{e(settings.base_url)}</p></div>'
    )


def embed_body(settings: Settings, events: Sequence[EventRecord], lang: str, now: datetime) -> str:
    """The iframe variant: a plain list; links open in a new tab, never inside the frame."""
    if not events:
        return f'<p class="empty">{e(t(lang, "no_events"))}</p>'
    return day_groups(events, settings.zone, lang, now, f"?lang={lang}", link_target="_blank")


def embed_help_body(settings: Settings, query: WebQuery, lang: str, limit: int) -> str:
    root = settings.base_url.rstrip("/")
    pairs = [("feed", query.feed), ("limit", str(limit)), ("lang", lang)]
    for name, values in (
        ("category", query.categories),
        ("audience", query.audience),
        ("place", query.places),
        ("source", query.sources),
    ):
        if values:
            pairs.append((name, ",".join(values)))
    # The snippet is shown as text (escaped once, as a whole); the live preview's attributes
    # are escaped one by one because they are real markup.
    attrs = [f'{name}="{value}"' for name, value in pairs]
    preview_attrs = " ".join(f'{name}="{e(value)}"' for name, value in pairs)
    snippet = (
        f'<script type="module" src="{root}/embed.js"></script>\n'
        f"<aggregator-events {' '.join(attrs)}></aggregator-events>"
    )
    qs = query.query_string(lang=lang)
    iframe = (
        f'<iframe src="{root}/embed{qs}&amp;limit={limit}" title="{t(lang, "site")}" '
        'style="width:100%;height:420px;border:0"></iframe>'
    )
    return (
        f"<h1>{e(t(lang, 'embed_help'))}</h1><p>{e(t(lang, 'snippet_help'))}</p>"
        f'<h2>{e(t(lang, "snippet"))}</h2><pre><code id="snippet">{e(snippet)}</code></pre>'
        f"<h2>iframe</h2><p>{e(t(lang, 'iframe_help'))}</p><pre><code>{e(iframe)}</code></pre>"
        f'<h2>{e(t(lang, "preview"))}</h2><div class="preview">'
        f'<script type="module" src="/embed.js"></script><aggregator-events {preview_attrs}></aggregator-events></div>'
    )


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def parse_week(value: str | None, fallback: date) -> date:
    """``2026-W36`` (ISO week, what <input type=week> sends) or a date; else this week."""
    if value:
        try:
            if "W" in value.upper():
                year, _, week = value.upper().partition("-W")
                return date.fromisocalendar(int(year), int(week), 1)
            return monday_of(date.fromisoformat(value[:10]))
        except ValueError:
            pass
    return monday_of(fallback)


def zone_now(now: datetime, zone: ZoneInfo) -> datetime:
    return now.astimezone(zone)
