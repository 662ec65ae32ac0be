"""Tests of the DNT activities adapter (sources/dnt.py) over authored DNT Asker fixtures.

The fixtures in tests/fixtures/sources/dnt/ follow the real API's shape (listing envelope with
``page`` as a string, ``activityViewModel``, details with ``utUrl``); ``run`` below plays the
core's part: it fetches every Follow from the fixture folder and feeds the response back into
``parse``, turning a missing detail file into the status-0 response an optional follow gets.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from aggregator.adapter import RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Request, Response, Status
from sources.dnt import DntAdapter

OSLO = ZoneInfo("Europe/Oslo")
DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "dnt"
LOOPBACK = "http://127.0.0.1:8765/api/activities"
JSON = {"content-type": "application/json; charset=utf-8"}

Responder = Callable[[Request], Response]


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / name).read_text(encoding="utf-8"))
    return data


def response(request: Request, body: bytes, status: int = 200, error: str | None = None) -> Response:
    return Response(
        url=request.url,
        status=status,
        headers=JSON if status else {},
        body=body,
        request=request,
        error=error,
    )


def from_fixtures(request: Request) -> Response:
    """The loopback 'server': listing pages and details from the fixture folder."""
    parts = urlsplit(request.url)
    query = dict(parse_qsl(parts.query))
    if parts.path == "/api/activities":
        # A listing page that does not exist is a test failure, not a fallback.
        return response(request, (DIR / f"activities_page{query['page']}.json").read_bytes())
    assert parts.path == "/api/search/activitydetails", request.url
    path = DIR / f"activitydetails_{query['id']}.json"
    if not path.exists():  # what the core hands parse when an optional follow failed
        return response(request, b"", status=0, error="HTTP 500 Internal Server Error")
    return response(request, path.read_bytes())


def run(
    ctx: RunContext, responder: Responder = from_fixtures, url: str | None = LOOPBACK, **opts: Any
) -> tuple[dict[str, EventDraft], list[Request]]:
    """Play the core: requests, then every Follow, fed back into parse until none is left."""
    opts.setdefault("association", 99001)
    adapter = DntAdapter(DntAdapter.Options(**opts))
    queue: deque[tuple[Request, bool]] = deque((r, False) for r in adapter.requests(url))
    drafts: dict[str, EventDraft] = {}
    fetched: list[Request] = []
    while queue:
        request, optional = queue.popleft()
        fetched.append(request)
        resp = responder(request)
        assert resp.status or optional, f"a required follow failed: {request.url}"
        for item in adapter.parse(resp, ctx):
            if isinstance(item, Follow):
                queue.append((item.request, item.optional))
            else:
                assert item.uid not in drafts, f"uid {item.uid} yielded twice"
                drafts[item.uid] = item
    return drafts, fetched


def run_from(ctx: RunContext, first: Request, bodies: dict[str, bytes]) -> list[EventDraft]:
    """Like run, from one request, with bodies by URL; a URL not given is a failed fetch."""
    adapter = DntAdapter(DntAdapter.Options(association=99001))
    queue, drafts = deque([first]), []
    while queue:
        request = queue.popleft()
        body = bodies.get(request.url)
        resp = response(request, body or b"", status=200 if body else 0, error=None if body else "refused")
        for item in adapter.parse(resp, ctx):
            if isinstance(item, Follow):
                queue.append(item.request)
            else:
                drafts.append(item)
    return drafts


def listing_of(*hits: Any, page: str = "1", page_count: int = 1) -> bytes:
    envelope = load("activities_page1.json")
    envelope.update(pageHits=list(hits), page=page, pageCount=page_count)
    return json.dumps(envelope).encode()


def parse_listing(
    ctx: RunContext,
    body: bytes,
    url: str = LOOPBACK + "?associations=99001&page=1",
    meta: dict[str, Any] | None = None,
    **opts: Any,
) -> list[EventDraft | Follow]:
    opts.setdefault("association", 99001)
    opts.setdefault("details", False)
    adapter = DntAdapter(DntAdapter.Options(**opts))
    request = Request(url=url, meta=meta if meta is not None else {"kind": "listing", "page": 1})
    return list(adapter.parse(response(request, body), ctx))


def hit(uid: int, **view: Any) -> dict[str, Any]:
    """A copy of one page-1 activity with activityViewModel fields replaced."""
    found: dict[str, Any] = copy.deepcopy(
        next(h for h in load("activities_page1.json")["pageHits"] if h["id"] == uid)
    )
    found["activityViewModel"].update(view)
    return found


def drafts_only(items: list[EventDraft | Follow]) -> dict[str, EventDraft]:
    return {i.uid: i for i in items if isinstance(i, EventDraft)}


# --- requests and options -------------------------------------------------------------------


@pytest.mark.parametrize("url", [None, ""])
def test_requests_builds_the_dnt_listing_url(url: str | None) -> None:
    (request,) = DntAdapter(DntAdapter.Options(association=99001)).requests(url)
    assert request.url == "https://www.dnt.no/api/activities?associations=99001&culture=nb-NO&page=1"
    assert dict(request.meta) == {"kind": "listing", "page": 1}


def test_requests_adds_only_missing_params_to_a_given_url() -> None:
    adapter = DntAdapter(DntAdapter.Options(association="99001", page_size=50, culture="nn-NO"))
    (request,) = adapter.requests(LOOPBACK + "?culture=en-GB&types=320")
    parts = urlsplit(request.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8765", "/api/activities")
    assert dict(parse_qsl(parts.query)) == {
        "culture": "en-GB",
        "types": "320",
        "associations": "99001",
        "page": "1",
        "pageSize": "50",
    }


def test_options_reject_unknown_keys_and_need_an_association() -> None:
    with pytest.raises(ValidationError):
        DntAdapter.Options.model_validate({"association": 1, "meeting_places": ["Borgen"]})
    with pytest.raises(ValidationError):
        DntAdapter.Options.model_validate({"meeting_place": ["Borgen"]})
    with pytest.raises(ValidationError):
        DntAdapter.Options(association=1, max_pages=0)


# --- the page loop ---------------------------------------------------------------------------


def test_full_run_follows_both_pages_and_every_detail(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts, fetched = run(ctx)
    assert sorted(drafts) == [
        "700101",
        "700102",
        "700103",
        "700104",
        "700105",
        "700201",
        "700202",
        "700203",
        "700205",
    ]
    listings = [r for r in fetched if r.meta["kind"] == "listing"]
    details = [r for r in fetched if r.meta["kind"] == "detail"]
    assert [dict(parse_qsl(urlsplit(r.url).query))["page"] for r in listings] == ["1", "2"]
    assert len(details) == 9  # 700204 is skipped before any detail request is spent on it
    # Detail URLs come from the listing's own host, so loopback tests never leave the machine.
    assert all(r.url.startswith("http://127.0.0.1:8765/api/search/activitydetails?id=") for r in details)
    assert [s.item for s in ctx.skips] == ["700204"]
    assert "missing start" in ctx.skips[0].reason
    # Five activities have no detail fixture: each is kept from the listing, with a warning.
    unavailable = [w for w in ctx.warnings if "details unavailable" in w]
    assert len(unavailable) == 5
    assert drafts["700104"].description == "Gradering: Enkel"


def test_listing_page_is_a_string_and_the_next_page_is_followed(make_ctx: Callable[..., RunContext]) -> None:
    url = LOOPBACK + "?associations=99001&culture=nb-NO&page=1&pageSize=5"
    items = parse_listing(make_ctx(), (DIR / "activities_page1.json").read_bytes(), url=url)
    follows = [i for i in items if isinstance(i, Follow)]
    assert len(drafts_only(items)) == 5
    (follow,) = follows
    assert not follow.optional  # a lost page must fail the run, not silently shrink it
    assert dict(follow.request.meta) == {"kind": "listing", "page": 2}
    assert dict(parse_qsl(urlsplit(follow.request.url).query)) == {
        "associations": "99001",
        "culture": "nb-NO",
        "page": "2",
        "pageSize": "5",
    }


def test_last_page_asks_for_nothing_more(make_ctx: Callable[..., RunContext]) -> None:
    items = parse_listing(
        make_ctx(),
        (DIR / "activities_page2.json").read_bytes(),
        url=LOOPBACK + "?page=2",
        meta={"kind": "listing", "page": 2},
    )
    assert not [i for i in items if isinstance(i, Follow)]
    assert sorted(drafts_only(items)) == ["700201", "700202", "700203", "700205"]


def test_page_cap_is_respected_and_reported(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    drafts, fetched = run(ctx, max_pages=1, details=False)
    assert len(fetched) == 1
    assert sorted(drafts) == ["700101", "700102", "700103", "700104", "700105"]
    assert any("max_pages=1" in w for w in ctx.warnings)


def test_a_server_ignoring_the_page_parameter_is_a_parse_error(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="asked for page 2, got page 1"):
        parse_listing(
            make_ctx(), (DIR / "activities_page1.json").read_bytes(), meta={"kind": "listing", "page": 2}
        )


def test_details_off_yields_drafts_without_follows_for_details(make_ctx: Callable[..., RunContext]) -> None:
    drafts, fetched = run(make_ctx(), details=False)
    assert len(drafts) == 9
    assert all(r.meta["kind"] == "listing" for r in fetched)
    assert drafts["700101"].signup_url is None and drafts["700101"].url is None


def test_details_on_the_listing_yields_only_follows_carrying_the_activity(
    make_ctx: Callable[..., RunContext],
) -> None:
    items = parse_listing(make_ctx(), listing_of(hit(700101)), details=True)
    (follow,) = items
    assert isinstance(follow, Follow) and follow.optional
    assert follow.request.url == "http://127.0.0.1:8765/api/search/activitydetails?id=700101"
    assert follow.request.meta["kind"] == "detail"
    assert follow.request.meta["activity"] == hit(700101)


# --- whole-document problems ----------------------------------------------------------------


def test_changed_envelope_names_the_missing_key(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="'pageHits'"):
        parse_listing(make_ctx(), (DIR / "activities_changed_shape.json").read_bytes())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<!DOCTYPE html><html><body>Feil</body></html>",
            r"DNT listing: not valid JSON \(looks like HTML\)",
        ),
        (b"", "DNT listing: the response body is empty"),
        # Python's json would take NaN (JSONTestSuite n_number_NaN.json) and overflow the stack
        # on runaway nesting (n_structure_100000_opening_arrays.json): both are refused by name.
        (
            json.dumps({"pageHits": [], "pageCount": 1, "page": "1", "totalHits": float("nan")}).encode(),
            "DNT listing: not valid JSON: NaN is not JSON",
        ),
        (b"[" * 100_000, "DNT listing: JSON nested too deeply"),
        (b"[]", "not an object"),
        (json.dumps({"pageHits": {}, "pageCount": 1, "page": "1"}).encode(), "not a list"),
        (json.dumps({"pageHits": [], "pageCount": 1}).encode(), "'page'"),
        (json.dumps({"pageHits": [], "pageCount": 1, "page": "første"}).encode(), "not a whole number"),
    ],
)
def test_unusable_listings_raise_parse_error(
    make_ctx: Callable[..., RunContext], body: bytes, message: str
) -> None:
    with pytest.raises(ParseError, match=message):
        parse_listing(make_ctx(), body)


def test_details_without_their_activity_are_a_parse_error(make_ctx: Callable[..., RunContext]) -> None:
    adapter = DntAdapter(DntAdapter.Options(association=99001))
    request = Request(
        url="http://127.0.0.1:8765/api/search/activitydetails?id=700101", meta={"kind": "detail"}
    )
    with pytest.raises(ParseError, match="without their listing activity"):
        list(adapter.parse(response(request, (DIR / "activitydetails_700101.json").read_bytes()), make_ctx()))


# --- meeting place --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        (["borgen"], ["700101", "700201", "700202", "700203"]),  # "Borgen Innbyggertorg", "Søndre Borgen 11"
        (["VARDASEN"], ["700102"]),  # no å, upper case
        (["Sems", "førstehjelp"], ["700104", "700105", "700205"]),  # a title is not a place
        (["Nesøya"], []),
    ],
)
def test_meeting_place_filter(
    make_ctx: Callable[..., RunContext], places: list[str], expected: list[str]
) -> None:
    drafts, fetched = run(make_ctx(), meeting_place=places)
    assert sorted(drafts) == expected
    # Filtered-out activities cost no detail request.
    assert len([r for r in fetched if r.meta["kind"] == "detail"]) == len(expected)


# --- details: combination and fallback ------------------------------------------------------


def test_details_give_description_and_signup_link(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    tour = drafts["700101"]
    assert tour.description is None
    assert tour.description_html is not None
    assert tour.description_html.startswith("<p>Vi går fra Borgen innbyggertorg klokka 10.00")
    assert tour.description_html.endswith("<p>Gradering: Middels</p>")
    # utUrl is given as http; kept as given (https on aktiviteter.dnt.no is unverified).
    utUrl = "http://aktiviteter.dnt.no/register/sondagsturfraborgeninnbyggertorgtilvardasen_12082026094102"
    assert tour.signup_url == tour.url == utUrl
    assert tour.raw["registrationOpen"] is True and tour.raw["isOverdue"] is False
    # bookingUrl wins over utUrl when both are set.
    assert drafts["700103"].signup_url == "https://aktiviteter.dnt.no/booking/forstehjelp-pa-tur-700103"


def test_full_course_with_waiting_list(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    course = drafts["700103"]
    assert course.categories == ("Kurs",)
    assert course.description_html is not None
    assert course.description_html.endswith("<p>Gradering: Enkel</p><p>Fullt – venteliste</p>")
    assert course.raw["isFull"] is True and course.raw["hasWaitinglist"] is True
    assert course.raw["registrationStart"] == "2026-09-01T07:30:00.32+02:00"
    assert course.raw["registrationEnd"] == "2026-10-26T12:00:00+01:00"
    assert course.raw["level"] == "Enkel" and course.raw["duration"] == "Dagsaktivitet"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (0, b"", "timed out after 20 s"),  # an optional follow whose fetch failed
        (200, b"<html><body>Server Error</body></html>", None),  # a 200 that is not JSON
        (200, b'"ok"', None),  # JSON, but not an object
        (500, b"{}", None),
    ],
)
def test_detail_failure_falls_back_to_the_listing(
    make_ctx: Callable[..., RunContext], status: int, body: bytes, error: str | None
) -> None:
    ctx = make_ctx()
    activity = hit(700103)
    adapter = DntAdapter(DntAdapter.Options(association=99001))
    request = Request(
        url="http://127.0.0.1:8765/api/search/activitydetails?id=700103",
        meta={"kind": "detail", "activity": activity},
    )
    (draft,) = adapter.parse(response(request, body, status=status, error=error), ctx)
    assert isinstance(draft, EventDraft)
    assert draft.uid == "700103" and draft.title == "Kurs: Førstehjelp på tur"
    assert draft.start == datetime(2026, 10, 28, 18, 0, tzinfo=OSLO)
    assert draft.description == "Gradering: Enkel\nFullt – venteliste"  # the listing's isFull
    assert draft.description_html is None and draft.signup_url is None
    assert len(ctx.warnings) == 1 and "700103" in ctx.warnings[0]
    if error:
        assert error in ctx.warnings[0]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'{"description": "<p>Tur</p>", "utUrl": NaN}', "NaN is not JSON"),  # json.loads takes NaN
        (b'{"registrations": ' * 100_000, "JSON nested too deeply"),  # was a RecursionError
    ],
)
def test_details_that_are_not_json_fall_back_and_say_why(
    make_ctx: Callable[..., RunContext], body: bytes, why: str
) -> None:
    ctx = make_ctx()
    adapter = DntAdapter(DntAdapter.Options(association=99001))
    request = Request(
        url="http://127.0.0.1:8765/api/search/activitydetails?id=700103",
        meta={"kind": "detail", "activity": hit(700103)},
    )
    (draft,) = adapter.parse(response(request, body), ctx)
    assert isinstance(draft, EventDraft) and draft.uid == "700103"
    assert draft.description_html is None and draft.signup_url is None  # the details were not used
    assert len(ctx.warnings) == 1
    assert "700103" in ctx.warnings[0] and "details unreadable" in ctx.warnings[0] and why in ctx.warnings[0]


# --- mapping quirks -------------------------------------------------------------------------


def test_timed_tour_from_the_square(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    tour = drafts["700101"]
    assert tour.title == "Søndagstur fra Borgen innbyggertorg til Vardåsen"
    assert tour.start == datetime(2026, 9, 13, 10, 0, tzinfo=OSLO)
    assert tour.end == datetime(2026, 9, 13, 14, 30, tzinfo=OSLO)
    assert isinstance(tour.start, datetime) and tour.start.tzinfo is OSLO
    assert tour.start.microsecond == 0  # DNT's ".417" milliseconds are dropped
    assert tour.location == "Borgen innbyggertorg, Søndre Borgen 11"
    assert tour.categories == ("Fellestur", "Fottur")  # subTypes ", Fottur"
    assert tour.audience == ("Voksne", "Seniorer")
    assert tour.organizer == "DNT Asker"
    assert tour.image_url == "https://deltagerfiles.blob.core.windows.net/apistorage/event_title_image_700101"
    assert tour.status is Status.SCHEDULED
    assert not tour.all_day


def test_cancelled_tour_with_stray_spaces_and_placeholder_image(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    tour = drafts["700102"]
    assert tour.title == "Kveldstur på Vardåsen i høstmørket"
    assert tour.status is Status.CANCELLED
    assert tour.image_url is None
    assert tour.organizer is None  # organizorName ""
    assert tour.categories == ("Fellestur",)  # subTypes ""


def test_placeholder_times_are_dates(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    same = drafts["700104"]  # start == end == 00:00
    assert (same.start, same.end, same.all_day) == (date(2026, 9, 19), None, True)
    one_hour = drafts["700105"]  # 00:00–01:00
    assert (one_hour.start, one_hour.end, one_hour.all_day) == (date(2026, 10, 4), None, True)
    assert one_hour.categories == ("Fellestur", "Fottur", "Bål og friluftsmat")
    assert one_hour.audience == ("Barn",)
    assert one_hour.organizer == "Barnas Turlag Asker"
    # 00:00 on both days of a two-day trip: both dates kept, the end exclusive.
    weekend = drafts["700205"]
    assert (weekend.start, weekend.end) == (date(2026, 10, 10), date(2026, 10, 12))


def test_exact_instants_across_the_october_change(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    before, after = drafts["700102"].start, drafts["700103"].start
    assert isinstance(before, datetime) and isinstance(after, datetime)
    assert before.astimezone(UTC) == datetime(2026, 10, 24, 16, 0, tzinfo=UTC)  # 18:00 CEST
    assert after.astimezone(UTC) == datetime(2026, 10, 28, 17, 0, tzinfo=UTC)  # 18:00 CET
    assert before.utcoffset() == timedelta(hours=2) and after.utcoffset() == timedelta(hours=1)
    assert (before.hour, after.hour) == (18, 18)


def test_exact_instants_across_the_march_change(make_ctx: Callable[..., RunContext]) -> None:
    drafts, _ = run(make_ctx())
    before, after = drafts["700201"], drafts["700202"]
    assert isinstance(before.start, datetime) and isinstance(after.start, datetime)
    assert before.start == datetime(2027, 3, 27, 9, 30, tzinfo=OSLO)
    assert before.start.utcoffset() == timedelta(hours=1)
    assert after.start == datetime(2027, 3, 28, 18, 0, tzinfo=UTC)  # 20:00 CEST
    assert (after.start.hour, after.start.utcoffset()) == (20, timedelta(hours=2))
    assert after.categories == ("Fellestur", "Fottur")
    assert after.audience == ("Ungdom", "Voksne")
    assert after.raw["level"] == "Ekstra krevende"
    assert after.description == "Gradering: Ekstra krevende"


def test_the_repeated_hour_of_2026_10_25_keeps_both_instants(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    first = hit(700101, start="2026-10-25T02:30:00+02:00", end="2026-10-25T02:45:00+02:00")
    second = hit(700102, start="2026-10-25T02:30:00+01:00", end="2026-10-25T03:15:00+01:00")
    drafts = drafts_only(parse_listing(ctx, listing_of(first, second)))
    a, b = drafts["700101"].start, drafts["700102"].start
    assert isinstance(a, datetime) and isinstance(b, datetime)
    assert a.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert b.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert (a.hour, a.minute, a.fold, b.hour, b.minute, b.fold) == (2, 30, 0, 2, 30, 1)
    assert ctx.warnings == []


def test_a_wrong_offset_keeps_the_instant_and_warns(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    wrong = hit(700101, start="2026-11-04T10:00:00+02:00", end="2026-11-04T12:00:00+01:00")
    (draft,) = drafts_only(parse_listing(ctx, listing_of(wrong))).values()
    assert draft.start == datetime(2026, 11, 4, 9, 0, tzinfo=OSLO)
    assert draft.end == datetime(2026, 11, 4, 12, 0, tzinfo=OSLO)
    assert len(ctx.warnings) == 1 and "2026-11-04T10:00:00+02:00" in ctx.warnings[0]


def test_with_details_a_warning_is_given_once(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    wrong = hit(700101, start="2026-11-04T10:00:00+02:00", end="2026-11-04T12:00:00+01:00")
    listing = Request(url=LOOPBACK + "?page=1", meta={"kind": "listing", "page": 1})
    (draft,) = run_from(ctx, listing, {listing.url: listing_of(wrong)})
    assert [w for w in ctx.warnings if "states an offset" in w] == [
        "DNT start '2026-11-04T10:00:00+02:00' states an offset that Europe/Oslo does not have then"
    ]
    assert draft.uid == "700101" and draft.description_html is None  # details refused


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-10-24T18:00:00", datetime(2026, 10, 24, 16, 0, tzinfo=UTC)),  # CEST
        ("2026-10-31T18:00:00", datetime(2026, 10, 31, 17, 0, tzinfo=UTC)),  # CET
    ],
)
def test_a_start_without_offset_is_oslo_wall_clock(
    make_ctx: Callable[..., RunContext], start: str, expected: datetime
) -> None:
    (draft,) = drafts_only(parse_listing(make_ctx(), listing_of(hit(700101, start=start, end=None)))).values()
    assert draft.start == expected and draft.end is None


def test_a_start_without_offset_in_the_spring_gap_moves_forward(make_ctx: Callable[..., RunContext]) -> None:
    # 02:30 on 2027-03-28 never shows on an Oslo clock: read like every other adapter does
    # (aggregator.parsing.clock.wall_clock), it is 03:30 CEST, not a phantom 02:30.
    ctx = make_ctx()
    gap = hit(700101, start="2027-03-28T02:30:00", end="2027-03-28T05:00:00")
    (draft,) = drafts_only(parse_listing(ctx, listing_of(gap))).values()
    assert isinstance(draft.start, datetime)
    assert draft.start.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert (draft.start.hour, draft.start.minute, draft.start.utcoffset()) == (3, 30, timedelta(hours=2))
    assert draft.end == datetime(2027, 3, 28, 3, 0, tzinfo=UTC)  # 05:00 CEST
    assert ctx.warnings == []


def test_an_end_in_the_repeated_autumn_hour_compares_as_an_instant(
    make_ctx: Callable[..., RunContext],
) -> None:
    # The first 02:30 (CEST) to the second 02:15 (CET) of 2026-10-25 lasts 45 minutes, though
    # 02:15 < 02:30 on the Oslo clock (same-zone comparison ignores fold); the second 02:30 to
    # the first 02:45 ends before it starts.
    ctx = make_ctx()
    night = hit(700101, start="2026-10-25T02:30:00+02:00", end="2026-10-25T02:15:00+01:00")
    backwards = hit(700102, start="2026-10-25T02:30:00+01:00", end="2026-10-25T02:45:00+02:00")
    drafts = drafts_only(parse_listing(ctx, listing_of(night, backwards)))
    end = drafts["700101"].end
    assert isinstance(end, datetime) and end.astimezone(UTC) == datetime(2026, 10, 25, 1, 15, tzinfo=UTC)
    assert drafts["700102"].end is None
    assert ctx.warnings == []


def test_ends_that_are_not_after_the_start_are_dropped(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    earlier = hit(700101, start="2026-09-13T10:00:00+02:00", end="2026-09-13T09:00:00+02:00")
    garbled = hit(700103, start="2026-09-14T10:00:00+02:00", end="14:00")
    drafts = drafts_only(parse_listing(ctx, listing_of(earlier, garbled)))
    assert drafts["700101"].end is None and drafts["700103"].end is None
    assert drafts["700103"].start == datetime(2026, 9, 14, 10, 0, tzinfo=OSLO)
    assert any("'14:00'" in w for w in ctx.warnings)


def test_relative_image_is_made_absolute_against_dnt(make_ctx: Callable[..., RunContext]) -> None:
    image = hit(700101, imageUrl="/globalassets/bilder/vardasen.jpg")
    (draft,) = drafts_only(parse_listing(make_ctx(), listing_of(image))).values()
    assert draft.image_url == "https://www.dnt.no/globalassets/bilder/vardasen.jpg"


def test_uid_is_the_dnt_id_not_the_start(make_ctx: Callable[..., RunContext]) -> None:
    moved = hit(700101, start="2026-09-20T11:00:00+02:00", end="2026-09-20T15:00:00+02:00")
    before = drafts_only(parse_listing(make_ctx(), listing_of(hit(700101))))
    after = drafts_only(parse_listing(make_ctx(), listing_of(moved)))
    assert list(before) == list(after) == ["700101"]
    assert before["700101"].start != after["700101"].start


def test_bad_activities_are_skipped_and_the_rest_go_on(make_ctx: Callable[..., RunContext]) -> None:
    ctx = make_ctx()
    no_id = hit(700105)
    del no_id["id"]
    hits = [
        hit(700101, start="på søndag"),
        hit(700102, start="0001-01-01T00:00:00"),  # .NET's DateTime.MinValue
        hit(700103, start=None),
        no_id,
        "not an activity",
        hit(700104),
    ]
    drafts = drafts_only(parse_listing(ctx, listing_of(*hits)))
    assert list(drafts) == ["700104"]
    reasons = {s.item: s.reason for s in ctx.skips}
    assert "unparseable start" in reasons["700101"]
    assert "missing start" in reasons["700102"] and "missing start" in reasons["700103"]
    assert len(ctx.skips) == 5


def test_parsing_is_deterministic(make_ctx: Callable[..., RunContext]) -> None:
    first, _ = run(make_ctx())
    second, _ = run(make_ctx())
    assert first == second


def test_details_registrations_override_the_listing(make_ctx: Callable[..., RunContext]) -> None:
    # The per-activity call is fresher than the listing: a tour that filled up in between.
    ctx = make_ctx()
    adapter = DntAdapter(DntAdapter.Options(association=99001))
    request = Request(
        url="http://127.0.0.1:8765/api/search/activitydetails?id=700101",
        meta={"kind": "detail", "activity": hit(700101, hasWaitinglist=True)},
    )
    detail = load("activitydetails_700101.json")
    detail["registrations"] = {"isFull": True, "isOverdue": True, "registrationOpen": False}
    (draft,) = adapter.parse(response(request, json.dumps(detail).encode()), ctx)
    assert isinstance(draft, EventDraft)
    assert draft.raw["isFull"] is True and draft.raw["isOverdue"] is True
    assert draft.description_html is not None
    assert draft.description_html.endswith("<p>Gradering: Middels</p><p>Fullt – venteliste</p>")
