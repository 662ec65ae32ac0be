"""Benchmark: publishing .ics versus icalendar's bare serialisation of the same occurrences.

Owns only measuring; it must not be imported by the package or run by the test suite.
The budget (design §7, the publish brief): rendering ~40,000 occurrences with
``aggregator.publish.render_ics`` may cost at most 1.5x building the same VEVENTs as
``icalendar.Event`` objects and calling ``Calendar.to_ical()``. Both sides are timed in the
same run on the same synthetic records (best of N), and the ratio is printed.

    .venv/bin/python bench/bench_publish.py [--events 40000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from aggregator.model import EventRecord, Status
from aggregator.publish import FeedInfo, fit_ics, render_ics
from aggregator.publish.common import display_title, place

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 9, 1, 8, tzinfo=OSLO)
TITLES = (
    "Strikkekafé",
    "Språkkafé i Borgen nærmiljøsentral",
    "DNT Asker: kveldstur",
    "Aktiv på dagtid",
    "Konsert med Asker kulturskole",
    "Leksehjelp på Asker bibliotek",
)


def synthetic(count: int) -> list[EventRecord]:
    out = []
    for n in range(count):
        start = datetime(2026, 9, 2, 9, tzinfo=OSLO) + timedelta(days=n % 400, hours=n % 11)
        all_day = n % 17 == 0
        if all_day:
            start = start.replace(hour=0)
        out.append(
            EventRecord(
                id=n,
                public_uid=f"{n:08d}@borgen-innbyggertorg",
                source_id=f"kilde-{n % 9}",
                uid=f"p{n}",
                recurrence_id="",
                title=f"{TITLES[n % len(TITLES)]} #{n}",
                start=start,
                end=start + (timedelta(days=1) if all_day else timedelta(hours=2)),
                tz="Europe/Oslo",
                all_day=all_day,
                status=Status.CANCELLED if n % 29 == 0 else Status.SCHEDULED,
                description="Velkommen til Borgen innbyggertorg, Søndre Borgen 11. Ta med venner; alle er "
                "velkomne, også barn.\nGratis kaffe i Kafé KIME." * (1 + n % 3),
                description_html="",
                url=f"https://www.asker.kommune.no/arrangement/{n}/",
                location="Borgen innbyggertorg",
                address="Søndre Borgen 11, 1388 Borgen",
                latitude=59.8347,
                longitude=10.4183,
                organizer=None,
                categories=("Kultur", "Nærmiljø"),
                audience=(),
                price=None,
                free=None,
                signup_url=None,
                image_url=None,
                language="nb",
                sequence=n % 3,
                created=datetime(2026, 8, 1, tzinfo=UTC),
                modified=datetime(2026, 8, 20, tzinfo=UTC),
            )
        )
    return out


def icalendar_baseline(info: FeedInfo, events: list[EventRecord]) -> bytes:
    """The same occurrences as icalendar objects: what 'bare icalendar serialisation' costs."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//bench//")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for r in sorted(events, key=lambda e: (e.start, e.public_uid)):
        ev = icalendar.Event()
        ev.add("uid", r.public_uid)
        ev.add("dtstamp", r.modified)
        if r.all_day:
            ev.add("dtstart", r.start.date())
            ev.add("dtend", r.end.date() if r.end else r.start.date() + timedelta(days=1))
        else:
            ev.add("dtstart", r.start.astimezone(OSLO))
            if r.end is not None:
                ev.add("dtend", r.end.astimezone(OSLO))
        ev.add("sequence", r.sequence)
        ev.add("status", "CANCELLED" if r.status is Status.CANCELLED else "CONFIRMED")
        ev.add("summary", display_title(r))
        ev.add("description", r.description)
        ev.add("location", place(r))
        if r.latitude is not None and r.longitude is not None:
            ev.add("geo", (r.latitude, r.longitude))
        ev.add("url", r.url or info.event_url(r))
        ev.add("categories", list(r.categories))
        ev.add("created", r.created)
        ev.add("last-modified", r.modified)
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data


def best(fn: Callable[[], bytes], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - t0)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    info = FeedInfo(id="bench", title="Borgen innbyggertorg", description="Benchmark")
    events = synthetic(args.events)
    past = datetime(2026, 1, 1, tzinfo=OSLO)  # keep every cancellation so both sides do equal work
    ours, ours_size = best(lambda: render_ics(info, events, now=past), args.repeat)
    fit, _ = best(lambda: fit_ics(info, events, now=past, max_bytes=1_000_000)[0], args.repeat)
    base, base_size = best(lambda: icalendar_baseline(info, events), args.repeat)
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"icalendar {icalendar.__version__}"
    )
    print(f"events: {args.events}, best of {args.repeat}")
    print(f"render_ics          {ours:8.3f} s  {ours_size / 1e6:6.2f} MB")
    print(f"fit_ics (1 MB)      {fit:8.3f} s")
    print(f"icalendar baseline  {base:8.3f} s  {base_size / 1e6:6.2f} MB")
    print(f"ratio render_ics / icalendar = {ours / base:.3f} (budget <= 1.5)")
    print(f"ratio fit_ics / icalendar    = {fit / base:.3f} (budget <= 1.5)")


if __name__ == "__main__":
    main()
