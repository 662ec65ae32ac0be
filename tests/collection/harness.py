"""Shared pieces of the collection tests: Borgen calendars, settings, one cycle, the feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar

from aggregator.cycle import CycleReport, make_fetcher, run_cycle
from aggregator.fetch import Fetcher
from aggregator.publish.build import publish_all
from aggregator.settings import Settings, from_dict
from aggregator.store import Store

#: collection time of the tests: a Tuesday in October, before the DST change of 2026-10-25
NOW = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
HEALTHY = {
    "borgen": "Borgen innbyggertorg",
    "bibliotek": "Asker bibliotek",
    "kulturskole": "Asker kulturskole",
}
#: distinct titles and hours per source, so dedup never joins them into one cluster
TITLES = {
    "borgen": ("Språkkafé", 18),
    "bibliotek": ("Lesestund for de minste", 10),
    "kulturskole": ("Elevkonsert", 17),
    "flaky": ("Strikkekafé på Kafé KIME", 12),
}


def calendar(name: str, place: str, count: int = 3) -> bytes:
    """An iCalendar feed in Google Calendar's shape: TZID=Europe/Oslo wall-clock times, weekly,
    across the DST change of 2026-10-25 (the same wall clock before and after)."""
    events = []
    title, hour = TITLES.get(name, (name.capitalize(), 14))
    for n in range(count):
        day = datetime(2026, 10, 21) + timedelta(days=7 * n)
        events.append(
            "BEGIN:VEVENT\r\n"
            f"UID:{name}-{n}@borgen.test\r\n"
            f"DTSTAMP:20261001T080000Z\r\n"
            f"DTSTART;TZID=Europe/Oslo:{day:%Y%m%d}T{hour:02d}0000\r\n"
            f"DTEND;TZID=Europe/Oslo:{day:%Y%m%d}T{hour + 1:02d}3000\r\n"
            f"SUMMARY:{title} nr. {n + 1}\r\n"
            f"LOCATION:{place}\\, Søndre Borgen 11\\, 1388 Borgen\r\n"
            "END:VEVENT\r\n"
        )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        f"X-WR-CALNAME:{place}\r\nX-WR-TIMEZONE:Europe/Oslo\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


def settings_for(
    folder: Path, urls: dict[str, str], top: dict[str, Any] | None = None, **per_source: dict[str, Any]
) -> Settings:
    raw: dict[str, Any] = {
        "aggregator": {
            "database": f"sqlite:///{folder / 'agg.db'}",
            "feeds_dir": str(folder / "feeds"),
            "allow_networks": ["127.0.0.0/8"],
            "host_interval": "0s",
            "fetch_deadline": "2s",
            "max_body_bytes": 100_000,
            **(top or {}),
        },
        "sources": {
            sid: {"adapter": "ical", "url": url, "every": "1h", **per_source.get(sid, {})}
            for sid, url in urls.items()
        },
        "feeds": {"alt": {"title": "Alt på Borgen"}},
    }
    return from_dict(raw, folder / "settings.toml")


def fetcher_for(settings: Settings) -> Fetcher:
    fetcher = make_fetcher(settings)
    fetcher.retry_base = 0.02  # the back-off schedule is the same, only shorter
    return fetcher


def cycle(settings: Settings, store: Store, when: datetime = NOW, **kw: Any) -> CycleReport:
    with fetcher_for(settings) as fetcher:
        return run_cycle(settings, store, fetcher, list(settings.sources.values()), lambda: when, **kw)


def published(settings: Settings, store: Store, when: datetime = NOW) -> set[str]:
    """The SUMMARYs of the published .ics, read back with icalendar."""
    publish_all(settings, store, when)
    cal = icalendar.Calendar.from_ical((settings.feeds_dir / "alt.ics").read_bytes())
    return {str(ev["SUMMARY"]) for ev in cal.walk("VEVENT")}
