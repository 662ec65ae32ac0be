"""RSS 2.0 and Atom: feedparser reads them without complaint (bozo == 0), items are upcoming
events sorted by start, titles lead with the Norwegian date, ids are stable, bytes deterministic.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import feedparser
import pytest

from aggregator.model import EventRecord
from aggregator.publish import FeedInfo, render_atom, render_rss
from aggregator.publish.common import heading, when_long, when_short
from aggregator.publish.feedinfo import FeedInfo as FeedInfoClass
from aggregator.publish.rss import EPOCH, atom_id
from tests.publish.publish_helpers import NOW, oslo

Renderer = Callable[..., bytes]


def parse(data: bytes) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(data))  # never bytes/str: a body may look like a path


@pytest.mark.parametrize("render", [render_rss, render_atom])
def test_feedparser_reads_it_cleanly(render: Renderer, info: FeedInfo, season: list[EventRecord]) -> None:
    data = render(info, season, now=NOW)
    parsed = parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == info.title
    assert parsed.feed.language == "nb"
    titles = [e.title for e in parsed.entries]
    assert titles == [
        "man. 5. okt. – Høstferie i Borgen nærmiljøsentral",
        "lør. 24. okt. kl. 11.00 – Lørdagsåpent bibliotek",
        "man. 26. okt. kl. 18.00 – DNT Asker: kveldstur til Vardåsen",
        "tor. 3. des. kl. 18.00 – AVLYST: Konsert med Asker kulturskole",
        "lør. 5. des. – Julemarked på torget",
        "lør. 27. mars 2027 kl. 12.00 – UTSATT: Språkkafé",
        "man. 29. mars 2027 kl. 10.00 – Aktiv på dagtid: stavgang",
    ]
    first = parsed.entries[1]
    assert first.link == "https://www.asker.kommune.no/arrangementer/strikkekafe-1/"
    # The first line of the body gives date, time and place.
    assert "<strong>lør. 24. okt. kl. 11.00–15.00</strong>, Borgen innbyggertorg, Søndre Borgen 11" in (
        first.summary
    )
    assert "Ta med garn og pinner" in first.summary
    # Publication date is when the event last changed, not today.
    assert first.published_parsed[:6] == (2026, 8, 20, 10, 30, 0)
    assert [t.term for t in parsed.entries[2].tags] == ["Tur", "Friluftsliv"]


def test_rss_guid_is_public_uid_not_a_permalink(info: FeedInfo, season: list[EventRecord]) -> None:
    data = render_rss(info, season, now=NOW)
    assert b'<guid isPermaLink="false">evt-00002@borgen-innbyggertorg</guid>' in data
    assert b"<ttl>60</ttl>" in data
    parsed = parse(data)
    assert parsed.entries[0].id == "evt-00003@borgen-innbyggertorg"
    assert parsed.entries[0].guidislink is False


def test_atom_ids_are_stable_uris(
    info: FeedInfo, season: list[EventRecord], make_record: Callable[..., EventRecord]
) -> None:
    parsed = parse(render_atom(info, season, now=NOW))
    ids = [e.id for e in parsed.entries]
    assert all(i.startswith("urn:uuid:") for i in ids) and len(set(ids)) == len(ids)
    # Same public uid, different everything else: same id.
    moved = make_record(2, title="Ny tittel", start=oslo(2026, 11, 2, 19))
    assert atom_id(moved) == atom_id(next(r for r in season if r.id == 2))


@pytest.mark.parametrize("render", [render_rss, render_atom])
def test_deterministic(render: Renderer, info: FeedInfo, season: list[EventRecord]) -> None:
    data = render(info, season, now=NOW)
    shuffled = list(season)
    random.Random(3).shuffle(shuffled)
    assert render(info, shuffled, now=NOW) == data
    # The feed's own date is the newest modification, not the build time.
    newest = max(r.modified for r in season)
    parsed = parse(data)
    assert parsed.feed.updated_parsed[:6] == newest.utctimetuple()[:6]


@pytest.mark.parametrize("render", [render_rss, render_atom])
def test_empty_feed_is_stable_and_valid(render: Renderer, info: FeedInfo) -> None:
    data = render(info, [], now=NOW)
    assert data == render(info, [], now=NOW + timedelta(days=3))
    parsed = parse(data)
    assert parsed.bozo == 0 and parsed.entries == []
    assert parsed.feed.updated_parsed[:3] == EPOCH.utctimetuple()[:3]


@pytest.mark.parametrize("render", [render_rss, render_atom])
def test_only_upcoming_events(
    render: Renderer, info: FeedInfo, make_record: Callable[..., EventRecord]
) -> None:
    over = make_record(1, title="Ferdig", start=oslo(2026, 8, 31, 18), end=oslo(2026, 8, 31, 20))
    running = make_record(2, title="Pågår", start=oslo(2026, 9, 1, 7), end=oslo(2026, 9, 1, 9))
    today = make_record(3, title="I dag", start=date(2026, 9, 1))
    later = make_record(4, title="Senere", start=oslo(2026, 9, 2, 18))
    titles = [e.title for e in parse(render(info, [later, over, today, running], now=NOW)).entries]
    assert [t.split(" – ")[1] for t in titles] == ["I dag", "Pågår", "Senere"]


@pytest.mark.parametrize("render", [render_rss, render_atom])
def test_hostile_text_stays_well_formed(
    render: Renderer, info: FeedInfo, make_record: Callable[..., EventRecord]
) -> None:
    rec = make_record(
        title="Quiz & <moro> \x0c i Kafé KIME \x00",
        description="Linje 1 <script>alert(1)</script>\nLinje 2 & mer",
        description_html='<p onclick="x()">Hei<script>alert(1)</script> <b>alle</b></p>',
        categories=("Quiz & moro",),
        url="https://example.no/søk?q=a b",
    )
    data = render(info, [rec], now=NOW)
    parsed = parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry.title == "tir. 3. nov. kl. 18.00 – Quiz & <moro>  i Kafé KIME"
    assert "<script>" not in entry.summary and "onclick" not in entry.summary
    assert "<b>alle</b>" in entry.summary
    assert entry.link == "http://127.0.0.1:8000/events/1"  # a URL with a space is not usable


# --- Norwegian date formatting --------------------------------------------------------------


def test_norwegian_when(make_record: Callable[..., EventRecord]) -> None:
    zone = FeedInfoClass(id="x", title="x").zone
    timed = make_record(start=oslo(2026, 11, 3, 18), end=oslo(2026, 11, 3, 20, 30))
    assert when_short(timed, zone, NOW) == "tir. 3. nov. kl. 18.00"
    assert when_long(timed, zone, NOW) == "tir. 3. nov. kl. 18.00–20.30"
    assert heading(timed, zone, NOW) == "tir. 3. nov. kl. 18.00 – Strikkekafé"
    overnight = make_record(start=oslo(2026, 10, 30, 18), end=oslo(2026, 11, 1, 14))
    assert when_long(overnight, zone, NOW) == "fre. 30. okt. kl. 18.00 – søn. 1. nov. kl. 14.00"
    weekend = make_record(start=date(2026, 10, 24), end=date(2026, 10, 26))
    assert when_short(weekend, zone, NOW) == "lør. 24. okt."
    assert when_long(weekend, zone, NOW) == "lør. 24. okt. – søn. 25. okt."
    no_end = make_record(start=oslo(2027, 1, 5, 9, 5), end=None)
    assert when_long(no_end, zone, NOW) == "tir. 5. jan. 2027 kl. 09.05"
    months = [
        when_short(make_record(start=date(2026, m, 1)), zone, NOW).split(" ", 2)[2] for m in range(1, 13)
    ]
    assert months == [
        "jan.",
        "feb.",
        "mars",
        "apr.",
        "mai",
        "juni",
        "juli",
        "aug.",
        "sep.",
        "okt.",
        "nov.",
        "des.",
    ]
    days = [when_short(make_record(start=date(2026, 9, 7 + i)), zone, NOW)[:4] for i in range(7)]
    assert days == ["man.", "tir.", "ons.", "tor.", "fre.", "lør.", "søn."]


def test_time_is_shown_in_the_feed_zone_across_dst(make_record: Callable[..., EventRecord]) -> None:
    zone = FeedInfoClass(id="x", title="x").zone
    # Given in UTC by the store, shown in Oslo: 16:00Z is 18:00 in summer time, 17:00 in winter.
    summer = make_record(start=datetime(2026, 10, 24, 16, tzinfo=UTC), end=None)
    winter = make_record(start=datetime(2026, 10, 26, 17, tzinfo=UTC), end=None)
    assert when_short(summer, zone, NOW) == "lør. 24. okt. kl. 18.00"
    assert when_short(winter, zone, NOW) == "man. 26. okt. kl. 18.00"
