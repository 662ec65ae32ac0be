"""Helpers for the publish tests: Oslo times and an EventRecord factory with Borgen defaults.

Records are built the way the store hands them to publish: aware datetimes in Europe/Oslo,
all-day events as local midnights with an exclusive end.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.model import EventRecord, Status

OSLO = ZoneInfo("Europe/Oslo")
#: The suite's fixed clock (as tests/conftest.py NOW): Tuesday 2026-09-01 08:00 in Oslo.
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=OSLO)


def oslo(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OSLO)


def record(n: int = 1, **changes: Any) -> EventRecord:
    start = changes.pop("start", oslo(2026, 11, 3, 18))
    all_day = changes.pop("all_day", False)
    if isinstance(start, date) and not isinstance(start, datetime):
        start, all_day = datetime(start.year, start.month, start.day, tzinfo=OSLO), True
    end = changes.pop("end", start + (timedelta(days=1) if all_day else timedelta(hours=2)))
    if isinstance(end, date) and not isinstance(end, datetime):
        end = datetime(end.year, end.month, end.day, tzinfo=OSLO)
    values: dict[str, Any] = {
        "id": n,
        "public_uid": f"evt-{n:05d}@borgen-innbyggertorg",
        "source_id": "asker-bibliotek",
        "uid": f"provider-{n}",
        "recurrence_id": "",
        "title": "Strikkekafé",
        "start": start,
        "end": end,
        "tz": "Europe/Oslo",
        "all_day": all_day,
        "status": Status.SCHEDULED,
        "description": "Ta med garn og pinner. Kaffe og vafler i Kafé KIME.",
        "description_html": "",
        "url": f"https://www.asker.kommune.no/arrangementer/strikkekafe-{n}/",
        "location": "Borgen innbyggertorg",
        "address": "Søndre Borgen 11, 1388 Borgen",
        "latitude": 59.8347,
        "longitude": 10.4183,
        "organizer": "Asker bibliotek",
        "categories": ("Kurs",),
        "audience": ("voksne",),
        "price": None,
        "free": True,
        "signup_url": None,
        "image_url": None,
        "language": "nb",
        "sequence": 0,
        "created": datetime(2026, 8, 1, 10, 0, tzinfo=OSLO),
        "modified": datetime(2026, 8, 20, 12, 30, tzinfo=OSLO),
    }
    values.update(changes)
    return EventRecord(**values)
