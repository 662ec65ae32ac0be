"""A Borgen store for the web tests: settings with two feeds and realistic Norwegian events
from three sources, stored through normalise and Store.apply_run (the real write path)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from aggregator.model import EventDraft, Status
from aggregator.normalise import Defaults, normalise
from aggregator.settings import Settings, from_dict
from aggregator.store import Store
from tests.conftest import NOW, OSLO

BASE = "https://kalender.borgen.example"


def make_settings(tmp_path: Path) -> Settings:
    return from_dict(
        {
            "aggregator": {"base_url": BASE, "horizon_days": 400},
            "feeds": {
                "borgen": {
                    "title": "Borgen innbyggertorg",
                    "description": "Det som skjer på Borgen innbyggertorg",
                    "places": [
                        "Borgen innbyggertorg",
                        "Søndre Borgen 11",
                        "Kafé KIME",
                        "Borgen nærmiljøsentral",
                    ],
                },
                "asker": {"title": "Asker – alt vi samler"},
            },
        },
        tmp_path / "settings.toml",
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


TODAY = NOW.date()  # Tuesday 2026-09-01


def borgen_drafts() -> dict[str, list[EventDraft]]:
    d = TODAY
    square = "Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen"
    return {
        "borgen-manuelt": [
            EventDraft(
                uid="sprakkafe-1",
                title="Språkkafé",
                start=at(d, 18),
                end=at(d, 20),
                location="Kafé KIME",
                address="Søndre Borgen 11, 1388 Borgen",
                categories=("språkkafé",),
                audience=("voksne",),
                free=True,
                description="Øv på norsk over en kopp kaffe.",
            ),
            EventDraft(
                uid="strikk-1",
                title="Strikkekafé",
                start=at(d + timedelta(days=1), 11),
                end=at(d + timedelta(days=1), 13),
                location=square,
                status=Status.CANCELLED,
                categories=("møteplass",),
                audience=("senior",),
            ),
            EventDraft(
                uid="konsert-1",
                title="Konsert med Asker kulturskole",
                start=at(d + timedelta(days=2), 19),
                end=at(d + timedelta(days=2), 20, 30),
                location="Borgen innbyggertorg",
                status=Status.RESCHEDULED,
                categories=("konsert",),
                audience=("alle",),
                price="100 kr",
                signup_url="https://askerkulturskole.example/billett",
                url="https://askerkulturskole.example/konsert",
                latitude=59.8296,
                longitude=10.4201,
            ),
            # Both sides of the October change: 18.00 local on the Saturday and the Monday.
            EventDraft(
                uid="quiz-okt",
                title="Quiz på Kafé KIME",
                start=at(date(2026, 10, 24), 18),
                end=at(date(2026, 10, 24), 20),
                location="Kafé KIME",
                categories=("møteplass",),
            ),
            EventDraft(
                uid="quiz-okt-2",
                title="Quiz etter sommertid",
                start=at(date(2026, 10, 26), 18),
                end=at(date(2026, 10, 26), 20),
                location="Kafé KIME",
                categories=("møteplass",),
            ),
            # And both sides of the March change.
            EventDraft(
                uid="vaar-1",
                title="Vårquiz før sommertid",
                start=at(date(2027, 3, 27), 18),
                location="Kafé KIME",
                categories=("møteplass",),
            ),
            EventDraft(
                uid="vaar-2",
                title="Vårquiz i sommertid",
                start=at(date(2027, 3, 29), 18),
                location="Kafé KIME",
                categories=("møteplass",),
            ),
        ],
        "bibliotek": [
            EventDraft(
                uid="lesestund-1",
                title="Lesestund for de minste",
                start=at(d + timedelta(days=1), 10),
                end=at(d + timedelta(days=1), 10, 45),
                location="Borgen nærmiljøsentral",
                categories=("bibliotek",),
                audience=("barn",),
                free=True,
                description_html="<p>Bibliotekaren leser <strong>bildebøker</strong>.</p>",
                url="https://www.askerbibliotek.example/lesestund",
            ),
            EventDraft(
                uid="marked-1",
                title="Loppemarked",
                start=date(2026, 9, 5),
                end=date(2026, 9, 6),
                location="Borgen innbyggertorg",
                categories=("marked",),
                audience=("alle",),
            ),
        ],
        "dnt-asker": [
            EventDraft(
                uid="tur-1",
                title="Fellestur til Vardåsen",
                start=at(d + timedelta(days=3), 9),
                end=at(d + timedelta(days=3), 14),
                location="Vardåsen parkering",
                categories=("tur",),
                audience=("voksne",),
                free=True,
                organizer="DNT Asker",
                signup_url="https://www.dnt.example/aktiviteter/123",
                url="https://www.dnt.example/aktiviteter/123",
            ),
        ],
    }


def store_events(store: Store, drafts: dict[str, Iterable[EventDraft]], now: datetime = NOW) -> None:
    for source_id, items in drafts.items():
        events = [normalise(draft, Defaults(zone=OSLO, base_url=BASE)) for draft in items]
        store.apply_run(source_id, events, now)


def make_store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    store_events(store, borgen_drafts())
    return store


NMS_TOUR_URL = "https://borgen-naermiljosentral.example/kalender/fellestur-vardasen"
DNT_TOUR_URL = "https://www.dnt.example/aktiviteter/123"


def duplicate_tour() -> dict[str, list[EventDraft]]:
    """Borgen nærmiljøsentral repeats DNT Asker's tour (borgen_drafts' "tur-1") in its own
    calendar, under its own title and with DNT's sign-up link in the text: dedup's shared-link
    rule puts the two copies in one cluster. Store it after borgen_drafts()."""
    d = TODAY + timedelta(days=3)
    return {
        "naermiljosentral": [
            EventDraft(
                uid="nms-tur-vardasen",
                title="Fellestur til Vardåsen med DNT Asker",
                start=at(d, 9),
                end=at(d, 14),
                location="Vardåsen parkering",
                description=f"Bli med DNT Asker på tur fra Borgen! Påmelding: {DNT_TOUR_URL}",
                url=NMS_TOUR_URL,
            )
        ]
    }
