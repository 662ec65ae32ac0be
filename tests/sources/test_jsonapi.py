"""Tests of sources/jsonapi.py: the three portals as configured in settings.toml.

The settings below are the TOML an operator writes; the same snippet sits in the module
docstring of sources/jsonapi.py, and a test keeps the two identical.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

import sources.jsonapi
from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Request, Response, Status
from sources.jsonapi import JsonApiAdapter
from tests.conftest import BADINPUTS, FIXTURES

OSLO = ZoneInfo("Europe/Oslo")
UTC = ZoneInfo("UTC")
HERE = FIXTURES / "sources" / "jsonapi"

SETTINGS_TOML = r'''
[sources.kulturskole-hoopla]  # Hoopla shop: start/end are true UTC instants (Z)
adapter = "jsonapi"
url = "https://borgen.hoopla.no/api/public/v3.0/organizations/0/events"
items = "events"
url_template = "https://borgen.hoopla.no/event/{event_id}"
cancelled_when = { is_cancelled = true }
[sources.kulturskole-hoopla.fields]
uid = "event_id"
title = "name"
start = "start"
end = "end"
location = "data.location.name"
address = "{data.location.street_address}, {data.location.postal_code} {data.location.postal_area}"
latitude = "data.location.coordinates.latitude"
longitude = "data.location.coordinates.longitude"
categories = "data.category"
image_url = "https://hoopla.twic.pics/production/{images.crop16x9.url|images.crop4x3.url}"

[sources.husflid-checkin]  # Checkin GraphQL: POST; errors arrive as HTTP 200 + errors[]
adapter = "jsonapi"
url = "https://api.checkin.no/graphql"
method = "POST"
body = """{"operationName": "allEventRegistrations", \
  "variables": {"customerId": 0, "offset": 0, "length": 100}, \
  "query": "query allEventRegistrations($customerId: Int!, $offset: Int, $length: Int) { \
  allEventRegistrations(customerId: $customerId, offset: $offset, length: $length) { \
  records data { id name imageUrl description startsAt endsAt priceFrom currency \
  topicEvent { topic { name } } geoLocation { geoDescription description } } } }"}"""
items = "data.allEventRegistrations.data"
errors = "errors"
url_template = "https://checkin.no/event/{id}"
base_url = "https://checkin.no/"  # imageUrl is site-relative
[sources.husflid-checkin.fields]
uid = "id"
title = "name"
start = "startsAt"
end = "endsAt"
description_html = "description"
location = "geoLocation.description"
address = "geoLocation.geoDescription"
categories = "topicEvent.*.topic.name"
price = "priceFrom"
image_url = "imageUrl"

[sources.asker-aktivitetforalle]  # naive Oslo times; "None" means null; crawl-delay 600 s
adapter = "jsonapi"
url = "https://asker.aktivitetforalle.no/api/v1/events"
items = "data"
require = { event_status = "public" }
free_when = { event_pricetype = "free" }
url_template = "https://asker.aktivitetforalle.no/event/{event_id}"
base_url = "https://asker.aktivitetforalle.no/"
[sources.asker-aktivitetforalle.fields]
uid = "event_id"
title = "event_title"
start = "event_from"
end = "event_to"
description = "event_description|event_summary"
location = "event_location_custom_title"
address = "{event_location_address1}, {event_location_zip} {event_location_city}"
latitude = "event_location_gps_lat"
longitude = "event_location_gps_long"
organizer = "event_organizer_name"
price = "event_price"
signup_url = "event_ticket_link"
image_url = "event_thumbnail.upload_url"
[sources.asker-aktivitetforalle.weekly]  # "activity" rows are weekly standing offers
when = { event_type = "activity" }
days = "event_weekdays"
interval = "event_week_interval"
'''

SOURCES: dict[str, dict[str, Any]] = tomllib.loads(SETTINGS_TOML)["sources"]
COMMON = {"adapter", "url"}


def options(source: str, **changes: Any) -> dict[str, Any]:
    table = {key: value for key, value in SOURCES[source].items() if key not in COMMON}
    return {**table, **changes}


HOOPLA = options("kulturskole-hoopla")
CHECKIN = options("husflid-checkin")
AFA = options("asker-aktivitetforalle")


def run(
    ctx: RunContext, opts: dict[str, Any], body: bytes, url: str = "https://example.test/api"
) -> list[EventDraft | Follow]:
    adapter = JsonApiAdapter(JsonApiAdapter.Options(**opts))
    resp = Response(
        url=url,
        status=200,
        headers={"content-type": "application/json"},
        body=body,
        request=Request(url=url),
    )
    return list(adapter.parse(resp, ctx))


def drafts(items: list[EventDraft | Follow]) -> list[EventDraft]:
    assert all(isinstance(item, EventDraft) for item in items)
    return [item for item in items if isinstance(item, EventDraft)]


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


def utc(moment: datetime | date | None) -> datetime:
    assert isinstance(moment, datetime)
    return moment.astimezone(UTC)


def offset(moment: datetime | date | None) -> timedelta | None:
    assert isinstance(moment, datetime)
    return moment.utcoffset()


# --- settings -------------------------------------------------------------------------------


def test_docstring_snippet_is_the_tested_settings() -> None:
    doc = sources.jsonapi.__doc__ or ""
    lines = [line[6:] for line in doc.splitlines() if line.startswith("    # ") or line == "    #"]
    assert tomllib.loads("\n".join(lines))["sources"] == SOURCES


def test_options_reject_unknown_keys_and_incomplete_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        JsonApiAdapter.Options(**{**HOOPLA, "colour": "blue"})
    with pytest.raises(ValidationError, match="fields must map start"):
        JsonApiAdapter.Options(items="events", fields={"uid": "id", "title": "name"})
    with pytest.raises(ValidationError, match='body needs method = "POST"'):
        JsonApiAdapter.Options(**{**CHECKIN, "method": "GET"})
    with pytest.raises(ValidationError, match="body is not valid JSON"):
        JsonApiAdapter.Options(**{**CHECKIN, "body": '{"query": "{ a }"'})


def test_checkin_request_is_a_graphql_post() -> None:
    adapter = JsonApiAdapter(JsonApiAdapter.Options(**CHECKIN))
    [request] = adapter.requests(SOURCES["husflid-checkin"]["url"])
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.body is not None
    sent = json.loads(request.body)
    assert sent["operationName"] == "allEventRegistrations"
    assert "allEventRegistrations(customerId: $customerId" in sent["query"]
    hoopla = JsonApiAdapter(JsonApiAdapter.Options(**HOOPLA)).requests("https://borgen.hoopla.no/x")
    assert [(r.method, r.body) for r in hoopla] == [("GET", None)]


# --- Hoopla ---------------------------------------------------------------------------------


def test_hoopla_utc_instants_across_the_october_change(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found = {d.uid: d for d in drafts(run(ctx, HOOPLA, fixture("hoopla_events.json")))}
    assert sorted(found) == ["1184402211", "1184402987", "1184403555", "1184404120", "1184404121"]
    autumn = found["1184402211"]
    assert autumn.title == "Høstkonsert med Asker kulturskole"
    assert autumn.start == at(2026, 10, 16, 19, 0) and offset(autumn.start) == timedelta(hours=2)
    assert autumn.end == at(2026, 10, 16, 20, 30)
    assert autumn.url == "https://borgen.hoopla.no/event/1184402211"
    assert autumn.location == "Borgen innbyggertorg"
    assert autumn.address == "Søndre Borgen 11, 1388 Borgen"
    assert (autumn.latitude, autumn.longitude) == (59.8336, 10.4252)
    assert autumn.categories == ("CONCERT",)
    assert autumn.status is Status.SCHEDULED
    assert autumn.image_url == "https://hoopla.twic.pics/production/311804227/Hostkonsert.1791020111.jpg"
    # After the change Oslo is UTC+1: 17:00Z is 18:00 local.
    winter = found["1184402987"]
    assert winter.start == at(2026, 11, 27, 18, 0) and offset(winter.start) == timedelta(hours=1)
    # Sold out is not cancelled; no crop16x9 here, so the 4:3 crop is used, its space escaped.
    assert winter.status is Status.SCHEDULED
    assert (
        winter.image_url == "https://hoopla.twic.pics/production/311804227/Julekonsert%202026.1791020987.jpg"
    )
    assert winter.location == "Asker kulturhus - Strøket 15"
    assert winter.latitude is None


def test_hoopla_cancellation_march_change_and_skips(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found = {d.uid: d for d in drafts(run(ctx, HOOPLA, fixture("hoopla_events.json")))}
    assert found["1184403555"].status is Status.CANCELLED
    piano, violin = found["1184404120"], found["1184404121"]
    assert piano.start == at(2027, 3, 27, 15, 0) and offset(piano.start) == timedelta(hours=1)
    assert violin.start == at(2027, 3, 29, 18, 0) and offset(violin.start) == timedelta(hours=2)
    assert piano.address == "1388 Borgen"  # empty street: no stray comma
    assert piano.image_url is None  # no images at all: the template yields nothing
    assert [(s.reason, s.item) for s in ctx.skips] == [("missing start ('start')", "1184404999")]


# --- Checkin --------------------------------------------------------------------------------


def test_checkin_course_spanning_the_change(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found = {d.uid: d for d in drafts(run(ctx, CHECKIN, fixture("checkin_graphql.json")))}
    assert sorted(found) == ["301455", "301460"]
    course = found["301455"]
    assert course.title == "Bunadskurs: sy din egen vest"
    assert course.start == at(2026, 10, 7, 18, 0)
    assert course.end == at(2026, 10, 28, 21, 0) and offset(course.end) == timedelta(hours=1)
    assert course.url == "https://checkin.no/event/301455"
    assert course.image_url == "https://checkin.no/static/20411/event_301455/image700.jpg"
    assert course.description_html is not None and course.description_html.startswith("<p><span>Asker")
    assert course.location == "Borgen innbyggertorg, møterommet"
    assert course.address == "Søndre Borgen 11, Asker, Norge"
    assert course.categories == ("Kurs", "Husflid")
    assert (course.price, course.free) == ("900.00", False)
    cafe = found["301460"]
    assert cafe.start == at(2026, 11, 4, 11, 0) and cafe.end == at(2026, 11, 4, 13, 0)
    assert (cafe.price, cafe.free) == ("0.00", True)
    assert cafe.description_html is None and cafe.location is None and cafe.image_url is None
    assert [s.item for s in ctx.skips] == ["301470"]
    assert ctx.skips[0].reason == "missing start ('startsAt')"


def test_checkin_http_200_errors_fail_the_run(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match=r"errors at 'errors'.*customerId.*not provided"):
        run(make_ctx(), CHECKIN, fixture("checkin_errors.json"))


def test_items_path_missing_names_the_path(make_ctx: Callable[..., RunContext]) -> None:
    body = json.dumps({"data": {"allEventRegistration": {"data": []}}}).encode()
    with pytest.raises(ParseError, match=r"'data\.allEventRegistrations\.data' is missing"):
        run(make_ctx(), CHECKIN, body)
    with pytest.raises(ParseError, match="is a dict, not a list"):
        run(make_ctx(), {**HOOPLA, "items": ""}, b'{"events": []}')


# --- Aktivitet for Alle ---------------------------------------------------------------------


def afa_drafts(ctx: RunContext) -> list[EventDraft]:
    return drafts(
        run(ctx, AFA, fixture("aktivitetforalle_events.json"), url=SOURCES["asker-aktivitetforalle"]["url"])
    )


def test_aktivitetforalle_naive_oslo_times_and_none_strings(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    found = {d.uid: d for d in afa_drafts(ctx) if d.recurrence_id is None}
    assert sorted(found) == ["41", "42", "43"]
    fest = found["41"]
    assert fest.start == at(2026, 9, 12, 12, 0) and fest.end == at(2026, 9, 12, 16, 0)
    assert fest.location == "Borgen innbyggertorg"
    assert fest.address == "Søndre Borgen 11, 1388 Borgen"
    assert (fest.latitude, fest.longitude) == (59.8336, 10.4252)
    assert fest.organizer == "Borgen nærmiljøsentral"
    assert fest.signup_url is None  # event_ticket_link is the string "None"
    assert fest.free is True and fest.price is None
    assert fest.url == "https://asker.aktivitetforalle.no/event/41"
    concert = found["42"]
    # 19:00 on the Saturday before the change is summer time (+02:00)...
    assert concert.start == at(2026, 10, 24, 19, 0) and offset(concert.start) == timedelta(hours=2)
    assert utc(concert.start) == datetime(2026, 10, 24, 17, 0, tzinfo=UTC)
    assert (concert.price, concert.free) == ("150.00", False)
    assert concert.signup_url == "https://asker-kulturskole.hoopla.no/event/1184402211"
    assert concert.image_url == (
        "https://asker.aktivitetforalle.no/uploads/asker/event/2026/09/66f1c2a94a8359.44730951/original.jpg"
    )
    assert concert.organizer is None  # "None"
    # ...and 11:00 on the Monday after it is winter time (+01:00); event_to is null.
    senior = found["43"]
    assert senior.start == at(2026, 10, 26, 11, 0) and offset(senior.start) == timedelta(hours=1)
    assert senior.end is None
    assert senior.description == "Kaffe og prat for seniorer"  # event_description is "None"
    assert senior.location is None and senior.address is None


def test_aktivitetforalle_weekly_offers_expand(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    gym = [d for d in afa_drafts(ctx) if d.uid == "44"]
    # Tuesdays and Thursdays from Tue 1 Sept to Thu 31 Dec 2026: 18 of each.
    assert len(gym) == 36
    assert (gym[0].start, gym[0].end) == (at(2026, 9, 1, 10, 0), at(2026, 9, 1, 11, 0))
    assert gym[-1].start == at(2026, 12, 31, 10, 0)
    assert len({d.recurrence_id for d in gym}) == 36 and gym[0].recurrence_id == "2026-09-01"
    by_day = {d.recurrence_id: d for d in gym}
    assert utc(by_day["2026-10-22"].start) == datetime(2026, 10, 22, 8, 0, tzinfo=UTC)
    assert utc(by_day["2026-10-27"].start) == datetime(2026, 10, 27, 9, 0, tzinfo=UTC)
    assert gym[0].title == "Aktiv på dagtid: stolgym" and gym[0].organizer == "Aktiv på dagtid"
    knit = [d for d in afa_drafts(ctx) if d.uid == "45"]
    assert [d.recurrence_id for d in knit] == [
        "2026-09-07", "2026-10-05", "2026-11-02", "2026-12-07", "2027-01-04",
        "2027-02-01", "2027-03-01", "2027-04-05", "2027-05-03", "2027-06-07",
    ]  # fmt: skip
    by_day = {d.recurrence_id: d for d in knit}
    assert utc(by_day["2027-03-01"].start) == datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    assert utc(by_day["2027-04-05"].start) == datetime(2027, 4, 5, 17, 0, tzinfo=UTC)
    assert by_day["2027-04-05"].end == at(2027, 4, 5, 21, 30)


def test_aktivitetforalle_skips_with_reasons(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    afa_drafts(ctx)
    assert [(s.item, s.reason) for s in ctx.skips] == [
        ("46", "weekly offer with interval 'every-other-week' cannot be expanded"),
        ("47", "event_status is 'draft', not 'public'"),
        ("48", "missing start ('event_from')"),
    ]


def test_weekly_expansion_is_bounded_by_horizon_and_cap(make_ctx: Callable[..., RunContext]) -> None:
    late = make_ctx(now=at(2026, 12, 1, 8, 0), max_occurrences=5)
    gym = [d for d in afa_drafts(late) if d.uid == "44"]
    # The horizon starts 31 days before now (31 Oct), and the cap stops at 5 occurrences.
    assert [d.recurrence_id for d in gym] == [
        "2026-11-03",
        "2026-11-05",
        "2026-11-10",
        "2026-11-12",
        "2026-11-17",
    ]
    assert any("stopped at 5 occurrences" in w for w in late.warnings)


def test_without_weekly_an_activity_is_one_season_long_event(make_ctx: Callable[..., RunContext]) -> None:
    plain = {key: value for key, value in AFA.items() if key != "weekly"}
    found = {d.uid: d for d in drafts(run(make_ctx(), plain, fixture("aktivitetforalle_events.json")))}
    assert found["44"].start == at(2026, 9, 1, 0, 0) and found["44"].recurrence_id is None


# --- clock policies and mapping details ----------------------------------------------------


def one(ctx: RunContext, item: dict[str, Any], **changes: Any) -> EventDraft:
    opts = {"items": "", "fields": {"uid": "id", "title": "t", "start": "s", "end": "e"}, **changes}
    [draft] = drafts(run(ctx, opts, json.dumps([item]).encode()))
    return draft


def test_clock_policies(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    item = {"id": 1, "t": "Quiz", "s": "2026-10-23T18:30:00Z"}
    assert one(ctx, item).start == at(2026, 10, 23, 20, 30)
    # TicketCo-style false Z: the digits are the Oslo wall clock.
    assert one(ctx, item, clock="wallclock").start == at(2026, 10, 23, 18, 30)
    # The repeated hour on 2026-10-25: an offset says which 02:30; naive takes the first.
    second = one(ctx, {**item, "s": "2026-10-25T02:30:00+01:00"})
    assert utc(second.start) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    first = one(ctx, {**item, "s": "2026-10-25 02:30:00"})
    assert utc(first.start) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # The second 02:30 with an "end" at the first 02:45 ends before it starts: dropped.
    # (Comparing the two as Oslo wall clocks would keep it: same-zone order ignores fold.)
    folded = one(ctx, {**item, "s": "2026-10-25T02:30:00+01:00", "e": "2026-10-25T02:45:00+02:00"})
    assert folded.end is None
    # 02:30 on 2027-03-28 does not exist in Oslo: it is read as 03:30 summer time.
    gap = one(ctx, {**item, "s": "2027-03-28 02:30:00"})
    assert gap.start == at(2027, 3, 28, 3, 30) and offset(gap.start) == timedelta(hours=2)


def test_dates_ends_and_paths(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    day = one(ctx, {"id": 2, "t": "Loppis", "s": "2026-09-19", "e": "2026-09-20"})
    assert (day.start, day.end, day.all_day) == (date(2026, 9, 19), date(2026, 9, 21), True)
    backwards = one(ctx, {"id": 3, "t": "Feil", "s": "2026-09-19 18:00:00", "e": "2026-09-19 17:00:00"})
    assert backwards.end is None
    nested = one(
        ctx,
        {
            "id": 4.0,
            "t": " Tur ",
            "s": "2026-09-19 18:00:00",
            "pics": [{"u": "/a.jpg"}],
            "tags": [{"n": "x"}],
        },
        fields={
            "uid": "id",
            "title": "t",
            "start": "s",
            "image_url": "pics.0.url|pics.0.u",
            "categories": "tags.*.n",
        },
        base_url="https://borgen.test/",
    )
    assert (nested.uid, nested.title, nested.image_url, nested.categories) == (
        "4",
        "Tur",
        "https://borgen.test/a.jpg",
        ("x",),
    )
    status = one(ctx, {"id": 5, "t": "Avlyst", "s": "2026-09-19", "st": "https://schema.org/EventCancelled"},
                 fields={"uid": "id", "title": "t", "start": "s", "status": "st"})  # fmt: skip
    assert status.status is Status.CANCELLED


def test_unsafe_urls_are_dropped(make_ctx: Callable[..., RunContext]) -> None:
    draft = one(
        make_ctx(),
        {"id": 6, "t": "X", "s": "2026-09-19", "u": "javascript:alert(1)"},
        fields={"uid": "id", "title": "t", "start": "s", "url": "u"},
    )
    assert draft.url is None


def test_a_malformed_url_drops_only_that_url(make_ctx: Callable[..., RunContext]) -> None:
    # "http://[x" makes urllib raise ValueError ("Invalid IPv6 URL"): it must not end the run.
    ctx = make_ctx()
    opts = {"items": "", "fields": {"uid": "id", "title": "t", "start": "s", "url": "u", "image_url": "i"}}
    body = json.dumps(
        [
            {"id": 7, "t": "Strikkekafé", "s": "2026-09-19", "u": "http://[x", "i": "https://[::1"},
            {"id": 8, "t": "Språkkafé", "s": "2026-09-20", "u": "/sprakkafe", "i": "http://[::1]/b.jpg"},
        ]
    )
    broken, fine = drafts(run(ctx, opts, body.encode(), url="https://borgen.test/api"))
    assert (broken.uid, broken.url, broken.image_url) == ("7", None, None)
    assert (fine.url, fine.image_url) == ("https://borgen.test/sprakkafe", "http://[::1]/b.jpg")
    assert ctx.skips == []


def test_trust_questions_an_offset_oslo_does_not_have(make_ctx: Callable[..., RunContext]) -> None:
    # +02:00 in November is not Oslo's offset (CET is +01:00): the instant is kept, the
    # operator is told. Oslo's own offsets (either side of 2026-10-25) and Z pass silently.
    ctx = make_ctx()
    item = {"id": 9, "t": "Kafé KIME", "s": "2026-11-04T10:00:00+02:00", "e": "2026-11-04T12:00:00+01:00"}
    draft = one(ctx, item)
    assert utc(draft.start) == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)  # the stated instant
    assert draft.start == at(2026, 11, 4, 9, 0) and draft.end == at(2026, 11, 4, 12, 0)
    assert len(ctx.warnings) == 1
    assert "2026-11-04T10:00:00+02:00" in ctx.warnings[0] and "Europe/Oslo" in ctx.warnings[0]
    honest = make_ctx()
    one(honest, {**item, "s": "2026-10-24T18:00:00+02:00", "e": "2026-10-25T02:30:00+01:00"})
    one(honest, {**item, "s": "2027-03-28T03:30:00+02:00", "e": "2027-03-28T10:00:00Z"})
    assert honest.warnings == []
    # Under the wallclock policy the offset is not read at all, so there is nothing to question.
    wallclock = make_ctx()
    assert one(wallclock, item, clock="wallclock").start == at(2026, 11, 4, 10, 0)
    assert wallclock.warnings == []


def test_bad_items_and_empty_lists(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    opts = {"items": "rows", "fields": {"uid": "id", "title": "t", "start": "s"}}
    body = json.dumps({"rows": ["text", {"t": "no id", "s": "2026-09-19"}, {"id": 1, "t": "x", "s": "soon"}]})
    assert run(ctx, opts, body.encode()) == []
    assert [s.reason for s in ctx.skips] == [
        "item is a str, not an object",
        "missing uid ('id')",
        "start 'soon' is not an ISO date-time",
    ]
    empty = make_ctx()
    assert run(empty, opts, b'{"rows": []}') == []
    assert empty.warnings == ["the provider listed no items"]


def test_parsing_is_deterministic(make_ctx: Callable[..., RunContext]) -> None:
    for opts, name in (
        (HOOPLA, "hoopla_events.json"),
        (CHECKIN, "checkin_graphql.json"),
        (AFA, "aktivitetforalle_events.json"),
    ):
        first, second = run(make_ctx(), opts, fixture(name)), run(make_ctx(), opts, fixture(name))
        assert first == second
        keys = [(d.uid, d.recurrence_id) for d in drafts(first)]
        assert len(keys) == len(set(keys))
        assert all(
            isinstance(d.start, date) and (not isinstance(d.start, datetime) or d.start.tzinfo)
            for d in drafts(first)
        )


def test_html_body_is_a_parse_error(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="looks like HTML"):
        run(make_ctx(), HOOPLA, b"<!doctype html><title>Vedlikehold</title>")


@pytest.mark.skipif(
    not (BADINPUTS / "json").is_dir(), reason="shared corpus ../shared/corpus/badinputs is absent"
)
@pytest.mark.parametrize(
    "path", sorted((BADINPUTS / "json").glob("*.json")) if (BADINPUTS / "json").is_dir() else []
)
def test_hostile_json_fails_cleanly(path: Path, make_ctx: Callable[..., RunContext]) -> None:
    # JSONTestSuite: whatever the document, the adapter answers drafts or ParseError, never a crash;
    # n_ files (and NaN/Infinity, which Python would accept) must be refused as JSON.
    try:
        items = run(make_ctx(), {**HOOPLA, "items": ""}, path.read_bytes())
    except ParseError as err:
        assert not (path.name.startswith("y_") and "not valid JSON" in str(err)), err
        return
    assert not path.name.startswith("n_"), f"{path.name} must be rejected"
    assert all(isinstance(item, EventDraft) for item in items)
