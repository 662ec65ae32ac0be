"""Plain data that crosses stage boundaries: requests, responses, drafts and published events.

Nothing here does I/O. Adapters build ``Request``/``Follow``/``EventDraft``; the core builds
``Response`` (fetch) and ``EventRecord`` (store, read by publish and web).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any


class Status(enum.StrEnum):
    """schema.org-like event status, shared by every adapter."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    RESCHEDULED = "rescheduled"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Request:
    """What to download. ``meta`` travels back on the Response so parse knows the page's role."""

    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    body: bytes | None = None
    meta: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class Follow:
    """Yielded by ``parse`` to ask the core to fetch another page (pagination, details).

    The core fetches it under the same politeness rules and a per-run request cap, then calls
    ``parse`` again with the response. When ``optional`` is true and the fetch fails, ``parse``
    is still called, with a Response whose ``status`` is 0, whose body is empty and whose
    ``error`` says what went wrong, so the adapter can fall back (e.g. DNT details).
    When a non-optional follow fails, the run fails.
    """

    request: Request
    optional: bool = False


@dataclass(frozen=True)
class Response:
    """One downloaded document, as fetch hands it to an adapter."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    request: Request
    error: str | None = None

    @property
    def meta(self) -> Mapping[str, Any]:
        return self.request.meta

    @property
    def charset(self) -> str | None:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"').strip()
        return None

    def text(self) -> str:
        """The body as text: the declared charset, else UTF-8 (with a BOM), else cp1252."""
        body = self.body
        if body.startswith(b"\xef\xbb\xbf"):
            return body[3:].decode("utf-8", errors="replace")
        declared = self.charset
        if declared:
            try:
                return body.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong charset claim is common; fall through to sniffing
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class EventDraft:
    """What an adapter yields: one occurrence as the provider describes it; not yet trusted.

    ``start`` is an aware datetime, or a ``date`` for all-day events. A naive datetime is a
    contract violation that normalise rejects. ``end`` is exclusive for all-day dates
    (as in RFC 5545). ``recurrence_id`` distinguishes occurrences of one provider uid.
    """

    uid: str
    title: str
    start: datetime | date
    end: datetime | date | None = None
    recurrence_id: str | None = None
    status: Status = Status.SCHEDULED
    description: str | None = None
    description_html: str | None = None
    url: str | None = None
    location: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    organizer: str | None = None
    categories: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    price: str | None = None
    free: bool | None = None
    signup_url: str | None = None
    image_url: str | None = None
    language: str | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


@dataclass(frozen=True)
class EventRecord:
    """One stored, normalised event as publish and web read it.

    ``start``/``end`` are aware datetimes in ``tz``. For all-day events they are local
    midnights and ``end`` is exclusive. ``sequence`` and ``modified`` move only on change.
    """

    id: int
    public_uid: str
    source_id: str
    uid: str
    recurrence_id: str
    title: str
    start: datetime
    end: datetime | None
    tz: str
    all_day: bool
    status: Status
    description: str
    description_html: str
    url: str | None
    location: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    organizer: str | None
    categories: tuple[str, ...]
    audience: tuple[str, ...]
    price: str | None
    free: bool | None
    signup_url: str | None
    image_url: str | None
    language: str | None
    sequence: int
    created: datetime
    modified: datetime

    @property
    def start_date(self) -> date:
        return self.start.date()
