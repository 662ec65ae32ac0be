"""Shared test helpers: a fixed clock and zone, and a RunContext factory.

Time is injected everywhere: tests never depend on the real clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.adapter import RunContext

OSLO = ZoneInfo("Europe/Oslo")
#: The fixed "now" of the test suite: a Tuesday in early autumn, before both DST changes tested.
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=OSLO)
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
BADINPUTS = SHARED / "corpus" / "badinputs"


@pytest.fixture
def make_ctx() -> Callable[..., RunContext]:
    def _make(
        source_id: str = "test", now: datetime = NOW, horizon_days: int = 400, max_occurrences: int = 1000
    ) -> RunContext:
        return RunContext(
            source_id=source_id,
            now=now,
            zone=OSLO,
            horizon_days=horizon_days,
            max_occurrences=max_occurrences,
        )

    return _make


@pytest.fixture(autouse=True)
def _forget_vobject_timezones() -> None:
    """vobject keeps the first VTIMEZONE it reads per TZID for the whole process, and ours
    cover only the years a feed uses: without this, a calendar read in an earlier test would
    decide the offsets of a later one (2027 summer times read as winter)."""
    import vobject.icalendar

    tzids: dict[str, object] = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [t for t in tzids if t != "UTC"]:
        del tzids[tzid]
