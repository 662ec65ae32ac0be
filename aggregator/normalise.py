"""Turn drafts into clean, trusted events. Pure: no I/O, no clock, no database.

What happens here and nowhere else: datetimes become aware UTC plus a zone name, ends that
are not after their start are dropped, text is unescaped and whitespace-collapsed, HTML is
sanitised with nh3 and a plain-text version kept, URLs are made absolute (http/https only),
source defaults (place, categories, audience) fill what the adapter could not know, and a
fingerprint over the material fields is computed so the store can tell a change.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import nh3

from aggregator.errors import SkipEvent
from aggregator.model import EventDraft, Status
from aggregator.vocabulary import map_audience, map_categories

#: Field caps: applied before any regular expression sees the text (hostile inputs).
MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_SHORT = 500

_WS = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")
_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/h[1-6]|/tr)\s*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ALLOWED_TAGS = {"a", "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4", "blockquote"}


@dataclass(frozen=True)
class NormalEvent:
    """An event ready for the store: every value clean and trusted."""

    uid: str
    recurrence_id: str
    title: str
    start: datetime  # aware, UTC
    end: datetime | None  # aware, UTC
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
    fingerprint: str


@dataclass(frozen=True)
class Defaults:
    """What the source's settings say when the adapter can't know."""

    zone: ZoneInfo
    base_url: str | None = None
    place: str | None = None
    categories: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    category_map: Mapping[str, str] = field(default_factory=dict)
    audience_map: Mapping[str, str] = field(default_factory=dict)


def clean_text(value: str | None, limit: int = MAX_SHORT) -> str:
    """Unescape entities, drop control characters, collapse spaces; one line."""
    if not value:
        return ""
    text = html.unescape(value[: limit * 2])
    text = _CONTROL.sub("", text)
    text = _WS.sub(" ", text.replace("\n", " ")).strip()
    return text[:limit]


def _clean_multiline(value: str, limit: int = MAX_TEXT) -> str:
    text = _CONTROL.sub("", value[:limit])
    lines = [_WS.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def sanitise_html(value: str, base_url: str | None) -> str:
    """Keep a small set of harmless tags; links absolute, http(s)/mailto only, rel=nofollow."""
    cleaned = nh3.clean(
        value[:MAX_TEXT],
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    if base_url and 'href="/' in cleaned:
        cleaned = re.sub(
            r'href="(/[^"]*)"',
            lambda m: f'href="{html.escape(urljoin(base_url, html.unescape(m.group(1))))}"',
            cleaned,
        )
    return cleaned.strip()


def html_to_text(value: str) -> str:
    """Plain text from HTML: block ends become line breaks, every tag goes, entities resolve."""
    with_breaks = _BLOCK_END.sub("\n", value[:MAX_TEXT])
    stripped = nh3.clean(with_breaks, tags=set(), strip_comments=True)
    return _clean_multiline(html.unescape(stripped))


def absolute_url(value: str | None, base_url: str | None) -> str | None:
    if not value:
        return None
    candidate = html.unescape(value.strip())[:2000]
    if base_url:
        candidate = urljoin(base_url, candidate)
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return candidate


def _to_utc(value: datetime | date, zone: ZoneInfo, what: str) -> tuple[datetime, str]:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise SkipEvent(f"{what} {value.isoformat()} has no time zone (adapter bug)")
        tz = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else zone.key
        return value.astimezone(UTC), tz
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC), zone.key


def recurrence_key(value: str | None) -> str:
    return value or ""


def fingerprint(fields: Mapping[str, object]) -> str:
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def normalise(draft: EventDraft, defaults: Defaults) -> NormalEvent:
    """One draft -> one NormalEvent, or SkipEvent with the reason."""
    title = clean_text(draft.title, MAX_TITLE)
    if not title:
        raise SkipEvent(f"event {draft.uid!r} has no title")
    uid = clean_text(draft.uid, MAX_SHORT)
    if not uid:
        raise SkipEvent(f"event {title!r} has no uid")
    zone = defaults.zone
    all_day = not isinstance(draft.start, datetime)
    start, tz = _to_utc(draft.start, zone, "start")
    end: datetime | None = None
    if draft.end is not None:
        end, _ = _to_utc(draft.end, zone, "end")
        if end <= start:
            end = None  # an end not after its start is noise from the provider (DNT end == start)
    if all_day and end is None:
        end = start + timedelta(days=1)
    description_html = (
        sanitise_html(draft.description_html, defaults.base_url) if draft.description_html else ""
    )
    if draft.description:
        description = _clean_multiline(html.unescape(draft.description))
    elif description_html:
        description = html_to_text(description_html)
    else:
        description = ""
    status = draft.status
    if status is Status.SCHEDULED and re.match(r"(?i)^\W*avlys", title):
        status = Status.CANCELLED  # "AVLYST: ..." in a title is how many organisers cancel
    location = clean_text(draft.location) or (defaults.place or None)
    categories = map_categories(
        [*(clean_text(c, 80) for c in draft.categories), *defaults.categories], defaults.category_map
    )
    audience = map_audience(
        [*(clean_text(a, 80) for a in draft.audience), *defaults.audience], defaults.audience_map
    )
    url = absolute_url(draft.url, defaults.base_url)
    material = {
        "title": title,
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
        "all_day": all_day,
        "status": status.value,
        "location": location,
        "address": clean_text(draft.address) or None,
        "description": description,
        "url": url,
    }
    return NormalEvent(
        uid=uid,
        recurrence_id=recurrence_key(draft.recurrence_id),
        title=title,
        start=start,
        end=end,
        tz=tz,
        all_day=all_day,
        status=status,
        description=description,
        description_html=description_html,
        url=url,
        location=location,
        address=clean_text(draft.address) or None,
        latitude=draft.latitude if draft.latitude is not None and -90 <= draft.latitude <= 90 else None,
        longitude=draft.longitude if draft.longitude is not None and -180 <= draft.longitude <= 180 else None,
        organizer=clean_text(draft.organizer) or None,
        categories=categories,
        audience=audience,
        price=clean_text(draft.price, 80) or None,
        free=draft.free,
        signup_url=absolute_url(draft.signup_url, defaults.base_url),
        image_url=absolute_url(draft.image_url, defaults.base_url),
        language=clean_text(draft.language, 10) or None,
        fingerprint=fingerprint(material),
    )
