"""DNT (Den Norske Turistforening) activities: the dnt.no activity API, listing plus details.

Owns: turning the JSON of ``/api/activities`` (one listing page per response) and of
``/api/search/activitydetails`` (one activity per response) into drafts, and asking the core,
through ``Follow``, for the next listing page and for each activity's details.
Must not: fetch anything itself, read the clock or the environment, or guess identities from
times. See ../shared/sources.md, "DNT", and tests/fixtures/sources/dnt/ for every quirk below.

Flow: listing page -> (details on) one optional Follow per kept activity, carrying the listing
dict in ``meta["activity"]``, then a Follow for page n+1 while n < pageCount and n < max_pages;
detail response -> one draft from listing + details; a failed or unreadable detail falls back
to the listing alone, so a detail failure never loses an activity.

Descriptions: when the details give HTML, ``description_html`` is that HTML with our notes
("Gradering: …", "Fullt – venteliste") appended as paragraphs and ``description`` stays empty;
otherwise the notes are the plain-text ``description``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from anyascii import anyascii
from pydantic import BaseModel, ConfigDict, Field

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Request, Response, Status
from aggregator.parsing.clock import after, stated, wall_clock
from aggregator.parsing.jsondoc import read_json

SITE = "https://www.dnt.no"
LISTING_URL = SITE + "/api/activities"
DETAIL_PATH = "/api/search/activitydetails"
# activities_page1.json, 700102: dnt.no's stand-in when an activity has no picture.
PLACEHOLDER_IMAGE = "/images/pattern.svg"


class _Bad(Exception):
    """One activity cannot become a draft; the message is the skip reason."""


def _fold(text: str) -> str:
    # "Borgen Innbyggertorg" and "Vardasen" must match "borgen" and "Vardåsen": anyascii maps
    # æ/ø/å (which Unicode does not decompose) as well as accents.
    return anyascii(text).casefold()


def _clean(value: Any) -> str:
    # pageTitle carries stray leading/trailing/double spaces (activities_page1.json, 700102).
    return " ".join(value.split()) if isinstance(value, str) else ""


def _meeting_place(hit: Any) -> str:
    avm = hit.get("activityViewModel") if isinstance(hit, Mapping) else None
    return _fold(_clean(avm.get("eventLocation"))) if isinstance(avm, Mapping) else ""


def _split(value: Any) -> list[str]:
    # subTypes arrive as ", Fottur" (a leading separator) and targetGroups as "Voksne, Seniorer".
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else []


def _instant(value: Any, what: str, ctx: RunContext) -> datetime:
    """An ISO timestamp from the API as an aware datetime in ctx.zone, whole seconds."""
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"missing {what}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _Bad(f"unparseable {what} {value!r}") from None
    if parsed.year < 1900:  # .NET's DateTime.MinValue ("0001-01-01T00:00:00") means "not set"
        raise _Bad(f"missing {what} ({value!r})")
    if parsed.tzinfo is None:
        # Not seen from DNT, but a wall clock without offset is Oslo time, read by the rule every
        # adapter shares: 02:30 in the spring gap (2027-03-28) is 03:30 CEST, not a phantom.
        local = wall_clock(parsed, ctx.zone)
    else:
        # DNT states Oslo's own offset (activities_page1.json): any other, Z included, is questioned.
        local, questionable = stated(parsed, ctx.zone, question_utc=True)
        if questionable:
            # DNT's offsets have been correct instants (sources.md); keep the instant, but say so.
            ctx.warn(f"DNT {what} {value!r} states an offset that {ctx.zone.key} does not have then")
    # DNT appends arbitrary milliseconds (".543", ".283"): noise that would churn fingerprints.
    return local.replace(microsecond=0)


def _times(avm: Mapping[str, Any], ctx: RunContext) -> tuple[datetime | date, datetime | date | None]:
    start = _instant(avm.get("start"), "start", ctx)
    try:
        end: datetime | None = _instant(avm.get("end"), "end", ctx) if avm.get("end") else None
    except _Bad as err:
        ctx.warn(f"DNT: ignoring the end ({err})")
        end = None
    # end == start means "no duration set" (activities_page1.json, 700104). Compared as instants:
    # in Oslo's zone the second 02:15 of 2026-10-25 would sort before the first 02:30.
    if end is not None and not after(end, start):
        end = None
    # 00:00, or 00:00–01:00, in Oslo means "time not set" (700104, 700105): a date, not midnight.
    # A multi-day one (700205) keeps the dates its organiser picked: the last is inclusive.
    if start.time() == time(0) and (end is None or end.time() in {time(0), time(1)}):
        if end is not None and end.date() > start.date():
            return start.date(), end.date() + timedelta(days=1)  # exclusive, as in RFC 5545
        return start.date(), None
    return start, end


def _notes(level: str, full: bool, waitlist: bool) -> list[str]:
    notes = [f"Gradering: {level}"] if level else []
    if full:
        notes.append("Fullt – venteliste" if waitlist else "Fullt")
    return notes


def _draft(hit: Any, detail: Mapping[str, Any] | None, ctx: RunContext) -> EventDraft:
    """One draft from a listing activity and, when known, its details. Raises _Bad."""
    if not isinstance(hit, Mapping) or hit.get("id") in (None, ""):
        raise _Bad("activity without an id")
    avm = hit.get("activityViewModel")
    if not isinstance(avm, Mapping):
        raise _Bad("activity without activityViewModel")
    title = _clean(hit.get("pageTitle"))
    if not title:
        raise _Bad("activity without a title")
    start, end = _times(avm, ctx)
    categories = list(dict.fromkeys(_split(avm.get("mainType")) + _split(avm.get("subTypes"))))
    registrations = detail.get("registrations") if detail else None
    registrations = registrations if isinstance(registrations, Mapping) else {}
    # The detail call is per activity and made later than the listing: trust it when it says.
    full = bool(registrations.get("isFull", avm.get("isFull")))
    waitlist = bool(avm.get("hasWaitinglist"))
    level = _clean(hit.get("level"))
    notes = _notes(level, full, waitlist)
    body = detail.get("description") if detail else None
    body = body.strip() if isinstance(body, str) else ""
    # bookingUrl is usually null and utUrl (aktiviteter.dnt.no, given as http) is the sign-up
    # page (activitydetails_700101.json). Kept as given: we cannot check that https works there.
    links = [detail.get("bookingUrl"), detail.get("utUrl")] if detail else []
    signup = next((u.strip() for u in links if isinstance(u, str) and u.strip()), None)
    image = avm.get("imageUrl")
    image_url = urljoin(SITE, image.strip()) if isinstance(image, str) and image.strip() else None
    if image_url is not None and urlsplit(image_url).path == PLACEHOLDER_IMAGE:
        image_url = None
    raw: dict[str, Any] = {
        "level": level or None,
        "duration": _clean(avm.get("duration")) or None,
        "isFull": full,
        "hasWaitinglist": waitlist,
        "registrationStart": avm.get("registrationStart"),
        "registrationEnd": avm.get("registrationEnd"),
        "pagePath": hit.get("url"),  # the www.dnt.no page; such pages have answered 500
    }
    for key in ("isOverdue", "registrationOpen"):
        if key in registrations:
            raw[key] = bool(registrations[key])
    return EventDraft(
        uid=str(hit["id"]),
        title=title,
        start=start,
        end=end,
        status=Status.CANCELLED if avm.get("isCancelled") is True else Status.SCHEDULED,
        description=None if body else ("\n".join(notes) or None),
        description_html=(body + "".join(f"<p>{html.escape(n)}</p>" for n in notes)) if body else None,
        # Per-activity www.dnt.no pages have returned 500s, so the sign-up page is the link.
        url=signup,
        signup_url=signup,
        location=_clean(avm.get("eventLocation")) or None,
        organizer=_clean(hit.get("organizorName")) or None,  # "organizor" (sic) in the API
        categories=tuple(categories),
        audience=tuple(dict.fromkeys(_split(avm.get("targetGroups")))),
        image_url=image_url,
        raw=raw,
    )


def _with_query(url: str, **params: str) -> str:
    """url with the given query params set, replacing any values they already had."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _whole_number(envelope: Mapping[str, Any], key: str) -> int:
    value = envelope[key]
    # "page" is a string ("1") while "pageCount" is a number (activities_page1.json).
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParseError(f"DNT listing: {key!r} is {value!r}, not a whole number")
    try:
        return int(value)
    except ValueError:
        raise ParseError(f"DNT listing: {key!r} is {value!r}, not a whole number") from None


class DntAdapter(Adapter):
    """Activities of one DNT association (turlag), optionally only those meeting at a place."""

    name = "dnt"
    needs_url = False

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        #: the association (turlag) id used by dnt.no's filter; not derivable from the name
        association: int | str
        #: keep only activities whose eventLocation contains one of these (case/diacritics ignored)
        meeting_place: list[str] | None = None
        #: stop following listing pages after this many
        max_pages: int = Field(default=20, ge=1)
        #: fetch each activity's details (description, sign-up link); one request per activity
        details: bool = True
        culture: str = "nb-NO"
        #: the API's pageSize; None leaves the server's default (10)
        page_size: int | None = Field(default=None, ge=1)

    options: Options

    def requests(self, url: str | None) -> Iterable[Request]:
        opts = self.options
        params = {"associations": str(opts.association), "culture": opts.culture, "page": "1"}
        if opts.page_size is not None:
            params["pageSize"] = str(opts.page_size)
        base = url or LISTING_URL
        present = {k for k, _ in parse_qsl(urlsplit(base).query, keep_blank_values=True)}
        full = _with_query(base, **{k: v for k, v in params.items() if k not in present})
        page = dict(parse_qsl(urlsplit(full).query)).get("page", "1")
        return [Request(url=full, meta={"kind": "listing", "page": int(page) if page.isdigit() else 1})]

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        if response.meta.get("kind") == "detail":
            yield from self._parse_detail(response, ctx)
        else:
            yield from self._parse_listing(response, ctx)

    def _parse_listing(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        if response.status == 0 or response.error:
            raise ParseError(f"DNT listing could not be fetched: {response.error or 'no response'}")
        try:
            # read_json refuses NaN/Infinity (which json.loads accepts) and turns runaway nesting
            # into a ParseError instead of a RecursionError.
            envelope = read_json(response)
        except ParseError as err:
            raise ParseError(f"DNT listing: {err}") from None
        if not isinstance(envelope, dict):
            raise ParseError(f"DNT listing is a JSON {type(envelope).__name__}, not an object")
        for key in ("pageHits", "pageCount", "page"):
            if key not in envelope:
                raise ParseError(f"DNT listing has no {key!r} key (the API's shape changed?)")
        hits = envelope["pageHits"]
        if not isinstance(hits, list):
            raise ParseError(f"DNT listing: 'pageHits' is a {type(hits).__name__}, not a list")
        page, page_count = _whole_number(envelope, "page"), _whole_number(envelope, "pageCount")
        asked = response.meta.get("page")
        if isinstance(asked, int) and asked != page:
            # A server ignoring ?page= would make the page loop repeat page 1 until the cap.
            raise ParseError(f"DNT listing: asked for page {asked}, got page {page}")
        places = [_fold(p) for p in self.options.meeting_place or [] if p.strip()]
        for hit in hits:
            if places and not any(p in _meeting_place(hit) for p in places):
                continue
            ident = str(hit.get("id")) if isinstance(hit, dict) else repr(hit)[:60]
            # With details on, this only validates before a request is spent on the details;
            # its warnings go to a scratch context so the detail pass does not repeat them.
            scratch = ctx if not self.options.details else replace(ctx, warnings=[], skips=[])
            try:
                draft = _draft(hit, None, scratch)
            except _Bad as err:
                ctx.skip(f"DNT activity {ident}: {err}", ident)
                continue
            if not self.options.details:
                yield draft
                continue
            parts = urlsplit(response.url)
            detail_url = urlunsplit((parts.scheme, parts.netloc, DETAIL_PATH, urlencode({"id": ident}), ""))
            yield Follow(Request(detail_url, meta={"kind": "detail", "activity": hit}), optional=True)
        if page < page_count:
            if page < self.options.max_pages:
                next_url = _with_query(response.url, page=str(page + 1))
                yield Follow(Request(next_url, meta={"kind": "listing", "page": page + 1}))
            else:
                ctx.mark_incomplete(
                    f"DNT listing has {page_count} pages; stopped at max_pages={self.options.max_pages}"
                )

    def _parse_detail(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        hit = response.meta.get("activity")
        if not isinstance(hit, Mapping):
            raise ParseError("DNT activity details arrived without their listing activity in meta")
        ident = str(hit.get("id"))
        detail: Mapping[str, Any] | None = None
        if response.status == 0 or response.error or not 200 <= response.status < 300:
            why = response.error or f"HTTP {response.status}"
            ctx.warn(f"DNT activity {ident}: details unavailable ({why}); using the listing alone")
        else:
            try:
                parsed = read_json(response)
                problem = "" if isinstance(parsed, dict) else f" (a JSON {type(parsed).__name__})"
            except ParseError as err:
                parsed, problem = None, f" ({err})"
            if isinstance(parsed, dict):
                detail = parsed
            else:
                ctx.warn(f"DNT activity {ident}: details unreadable{problem}; using the listing alone")
        try:
            yield _draft(hit, detail, ctx)
        except _Bad as err:
            ctx.skip(f"DNT activity {ident}: {err}", ident)
