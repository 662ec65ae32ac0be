"""Tests of sources/tribe.py against Borgen fixtures in The Events Calendar's REST shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Request, Response
from sources.tribe import TribeAdapter
from tests.conftest import BADINPUTS, FIXTURES

OSLO = ZoneInfo("Europe/Oslo")
UTC = ZoneInfo("UTC")
HERE = FIXTURES / "sources" / "tribe"
SITE = "https://borgen-innbyggertorg.no"
LISTING = f"{SITE}/wp-json/tribe/events/v1/events?per_page=50&page=1"


def run(
    ctx: RunContext, body: bytes, page: int = 1, url: str = LISTING, **opts: Any
) -> list[EventDraft | Follow]:
    adapter = TribeAdapter(TribeAdapter.Options(**opts))
    request = Request(url=url, meta={"page": page})
    resp = Response(url=url, status=200, headers={"content-type": "application/json; charset=UTF-8"},
                    body=body, request=request)  # fmt: skip
    return list(adapter.parse(resp, ctx))


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def page1(ctx: RunContext, **opts: Any) -> tuple[dict[str, EventDraft], list[Follow]]:
    items = run(ctx, fixture("borgen_page1.json"), **opts)
    return (
        {item.uid: item for item in items if isinstance(item, EventDraft)},
        [item for item in items if isinstance(item, Follow)],
    )


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def utc(moment: datetime | date | None) -> datetime:
    assert isinstance(moment, datetime)
    return moment.astimezone(UTC)


def offset(moment: datetime | date | None) -> timedelta | None:
    assert isinstance(moment, datetime)
    return moment.utcoffset()


def test_requests_from_site_root_or_endpoint() -> None:
    adapter = TribeAdapter()
    [root] = adapter.requests(SITE + "/")
    assert root.url == LISTING and root.meta["page"] == 1
    [endpoint] = adapter.requests(f"{SITE}/wp-json/tribe/events/v1/events/?categories=barn")
    parts = urlsplit(endpoint.url)
    assert parts.path == "/wp-json/tribe/events/v1/events"
    assert parse_qs(parts.query) == {"categories": ["barn"], "per_page": ["50"], "page": ["1"]}
    [dated] = TribeAdapter(TribeAdapter.Options(per_page=200, start_date="2026-09-01")).requests(SITE)
    assert parse_qs(urlsplit(dated.url).query) == {
        "per_page": ["50"],
        "page": ["1"],
        "start_date": ["2026-09-01"],
    }


def test_options() -> None:
    assert TribeAdapter.Options(per_page=500).per_page == 50
    with pytest.raises(ValidationError):
        TribeAdapter.Options(**dict[str, Any](pages=3))
    with pytest.raises(ValidationError):
        TribeAdapter.Options(max_pages=0)


def test_event_fields(make_ctx: Callable[..., RunContext]) -> None:
    found, _ = page1(make_ctx())
    cafe = found["4101"]
    assert cafe.title == "Språkkafé – norsktrening på Borgen"  # &#8211; decoded
    assert cafe.start == at(2026, 10, 22, 18, 0) and offset(cafe.start) == timedelta(hours=2)
    assert cafe.end == at(2026, 10, 22, 20, 0)
    assert cafe.description_html is not None and cafe.description_html.startswith("<p>Øv på norsk")
    assert cafe.url == f"{SITE}/arrangement/sprakkafe-oktober/"
    assert cafe.location == "Borgen innbyggertorg"
    assert cafe.address == "Søndre Borgen 11, 1388 Borgen"
    assert (cafe.latitude, cafe.longitude) == (59.8336, 10.4252)
    assert cafe.organizer == "Borgen nærmiljøsentral, Kafé KIME"
    assert cafe.categories == ("Kafé", "Språk")
    assert (cafe.price, cafe.free) == ("Gratis", True)
    assert cafe.signup_url == f"{SITE}/pamelding/?arr=4101&kilde=kalender"  # &amp; unescaped
    assert cafe.image_url == f"{SITE}/wp-content/uploads/2026/08/sprakkafe.jpg"
    assert cafe.raw["tags"] == ["Frivillig"]
    reading = found["4102"]
    assert (reading.price, reading.free, reading.image_url) == ("0", True, None)  # image: false
    assert reading.location == "Asker bibliotek" and reading.address == "Strøket 15, 1383 Asker"
    concert = found["4105"]
    assert (concert.price, concert.free) == ("kr 150", False)
    market = found["4103"]
    assert (market.organizer, market.price, market.free, market.signup_url) == (None, None, None, None)


def test_times_on_both_sides_of_the_october_change(make_ctx: Callable[..., RunContext]) -> None:
    found, _ = page1(make_ctx())
    before, after = found["4101"], found["4102"]
    assert utc(before.start) == datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
    assert after.start == at(2026, 10, 29, 17, 0) and offset(after.start) == timedelta(hours=1)
    assert utc(after.start) == datetime(2026, 10, 29, 16, 0, tzinfo=UTC)


def test_repeated_hour_follows_utc_start_date(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found, _ = page1(ctx)
    night = found["4104"]
    # 02:30 happens twice on 2026-10-25; utc_start_date 01:30 says it is the second (CET) one.
    assert utc(night.start) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert offset(night.start) == timedelta(hours=1)
    assert night.end is not None and utc(night.end) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert not any("4104" in warning for warning in ctx.warnings)


def test_all_day_has_date_start_and_exclusive_end(make_ctx: Callable[..., RunContext]) -> None:
    found, _ = page1(make_ctx())
    market = found["4103"]
    assert market.all_day
    assert (market.start, market.end) == (date(2026, 10, 24), date(2026, 10, 26))
    assert market.location == "Borgen innbyggertorg"


def test_disagreeing_utc_claim_and_fixed_offset_zone_warn(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found, _ = page1(ctx)
    # 4105 claims utc_start_date 19:00, equal to its local 19:00: the wall clock wins.
    assert found["4105"].start == at(2026, 11, 5, 19, 0)
    # 4107's site is set to "UTC+1": read in Europe/Oslo instead.
    assert found["4107"].start == at(2026, 11, 12, 11, 0)
    assert ctx.warnings == [
        "event 4105: utc_start_date 2026-11-05 19:00 disagrees with start_date 2026-11-05 19:00 in "
        "Europe/Oslo; the local wall clock is used",
        "timezone 'UTC+1' is not an IANA zone; using Europe/Oslo",
    ]


def test_bad_event_is_skipped_and_others_kept(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found, _ = page1(ctx)
    assert sorted(found) == ["4101", "4102", "4103", "4104", "4105", "4107"]
    assert [(s.reason, s.item) for s in ctx.skips] == [("unreadable start_date None", "event 4106")]


def test_pagination_follows_next_rest_url(make_ctx: Callable[..., RunContext]) -> None:
    _, [follow] = page1(make_ctx())
    assert follow.request.meta["page"] == 2
    assert parse_qs(urlsplit(follow.request.url).query)["page"] == ["2"]
    ctx = make_ctx()
    items = run(ctx, fixture("borgen_page2.json"), page=2, url=follow.request.url)
    assert not any(isinstance(item, Follow) for item in items)  # the last page has no next_rest_url
    spring = {item.uid: item for item in items if isinstance(item, EventDraft)}
    # Both sides of 2027-03-28: 10:00 CET on Saturday, 18:00 CEST on Tuesday.
    assert utc(spring["4201"].start) == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert utc(spring["4202"].start) == datetime(2027, 3, 30, 16, 0, tzinfo=UTC)
    assert spring["4202"].organizer == "DNT Asker"


def test_max_pages_and_foreign_hosts_stop_following(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    _, follows = page1(ctx, max_pages=1)
    assert follows == []
    assert "stopped after 1 pages (max_pages); total_pages is 2" in ctx.warnings
    document = json.loads(fixture("borgen_page1.json"))
    document["next_rest_url"] = "https://elsewhere.example/wp-json/tribe/events/v1/events?page=2"
    other = make_ctx()
    assert not any(isinstance(i, Follow) for i in run(other, json.dumps(document).encode()))
    assert any("another host" in warning for warning in other.warnings)


def test_empty_calendar_is_not_an_error(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    assert run(ctx, fixture("borgen_empty.json")) == []
    assert ctx.warnings == ["calendar is empty"] and ctx.skips == []


def test_missing_events_key_is_a_parse_error(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="'events' key is missing"):
        run(
            make_ctx(), b'{"code": "rest_no_route", "message": "No route was found", "data": {"status": 404}}'
        )
    with pytest.raises(ParseError, match="not a list"):
        run(make_ctx(), b'{"events": {"4101": {}}}')
    with pytest.raises(ParseError, match="looks like HTML"):
        run(make_ctx(), b"<!DOCTYPE html><html><body>Kritisk feil</body></html>")


def test_venue_list_and_junk_values_are_tolerated(make_ctx: Callable[..., RunContext]) -> None:
    document = json.loads(fixture("borgen_page1.json"))
    event = document["events"][0]
    event.update(venue=[], organizer=[{"organizer": "Ola &amp; Kari"}], image={"id": 1}, cost=None,
                 categories="Kafé", website="javascript:alert(1)", title="  Kafé   <b>KIME</b> ")  # fmt: skip
    document["events"] = [event, "not an event", {"title": "no id"}]
    ctx = make_ctx()
    [draft] = [i for i in run(ctx, json.dumps(document).encode()) if isinstance(i, EventDraft)]
    assert (draft.location, draft.address, draft.latitude) == (None, None, None)
    assert draft.organizer == "Ola & Kari"
    assert (draft.image_url, draft.price, draft.free, draft.categories, draft.signup_url) == (
        None, None, None, (), None,
    )  # fmt: skip
    assert draft.title == "Kafé <b>KIME</b>"  # markup is normalise's to strip, spaces are ours
    assert [s.reason for s in ctx.skips] == ["event is a str, not an object", "event without an id"]


def test_parsing_is_deterministic_and_aware(make_ctx: Callable[..., RunContext]) -> None:
    for name in ("borgen_page1.json", "borgen_page2.json", "borgen_empty.json"):
        first, second = run(make_ctx(), fixture(name)), run(make_ctx(), fixture(name))
        assert first == second
        drafts = [item for item in first if isinstance(item, EventDraft)]
        assert len({d.uid for d in drafts}) == len(drafts)
        for draft in drafts:
            for moment in (draft.start, draft.end):
                assert not isinstance(moment, datetime) or moment.tzinfo is not None


@pytest.mark.skipif(
    not (BADINPUTS / "json").is_dir(), reason="shared corpus ../shared/corpus/badinputs is absent"
)
@pytest.mark.parametrize(
    "path", sorted((BADINPUTS / "json").glob("*.json")) if (BADINPUTS / "json").is_dir() else []
)
def test_hostile_json_is_a_parse_error(path: Path, make_ctx: Callable[..., RunContext]) -> None:
    # No JSONTestSuite document is a Tribe envelope: each must end in ParseError, never a crash.
    with pytest.raises(ParseError):
        run(make_ctx(), path.read_bytes())
