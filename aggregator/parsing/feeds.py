"""Helpers for reading RSS 2.0, RSS 1.0 (RDF) and Atom documents with feedparser.

Owns: handing a downloaded body to feedparser safely (never as a path or URL, with oversized
author fields capped first), deciding whether the result is a feed at all, turning feed HTML
into plain text, reading event-module (``ev:``) time values, and applying a per-source
``date_regex`` to Norwegian text.
Must not: do I/O, read the clock (callers pass ``now``), or decide what a draft looks like;
that is the adapter's (``sources/rss.py``).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any, Final
from zoneinfo import ZoneInfo

import feedparser

from aggregator.errors import ParseError
from aggregator.parsing.clock import stated, wall_clock
from aggregator.parsing.dates import MONTHS

__all__ = [
    "AUTHOR_CAP",
    "NORWEGIAN_MONTHS",
    "RegexDate",
    "cap_author_fields",
    "html_to_text",
    "match_date_regex",
    "parse_event_time",
    "read_feed",
]

#: Longest author-like text handed to feedparser, in bytes. feedparser 6.0.14 runs a quadratic
#: e-mail regex over every author/creator/publisher value (mixin._sync_author_detail): 16 kB
#: takes ~9 s (badinputs feeds/authored/redos_author_email_16000.xml), 500 kB would take hours.
#: A real name and address fit easily in 512 bytes.
AUTHOR_CAP: Final = 512

# Elements whose text feedparser feeds to that regex: RSS author/managingEditor/webMaster,
# dc:creator/dc:author/dc:publisher/dc:contributor, itunes:author/itunes:owner, Atom name/email.
_AUTHORISH = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?"
    rb"(?:author|creator|publisher|contributor|managingeditor|webmaster|owner|name|email)"
    rb"(?=[\s/>])[^<>]*>",
    re.IGNORECASE,
)
_CDATA_OPEN: Final = b"<![CDATA["
_UNICODE_BOMS: Final = (
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xfe\xff", "utf-16"),
    (b"\xff\xfe", "utf-16"),
)
_UNICODE_SNIFF: Final = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def _safe_cut(run: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of ``run``, cut where no character or entity is split.

    The body's encoding is unknown here, so the cut goes after two ASCII bytes (in UTF-8,
    EUC-*, GB* and Shift_JIS no multi-byte character ends there) and before a half entity.
    """
    cut = limit
    while cut > max(2, limit - 64) and (run[cut - 1] >= 0x80 or run[cut - 2] >= 0x80):
        cut -= 1
    head = run[:cut]
    amp = head.rfind(b"&", max(0, cut - 12))
    if amp != -1 and b";" not in head[amp:]:
        head = head[:amp]
    return head


def _to_utf8(body: bytes) -> bytes | None:
    """UTF-16/32 bodies re-encoded as UTF-8 (so byte patterns work on them), else None."""
    codec = next((c for bom, c in _UNICODE_BOMS if body.startswith(bom)), None)
    codec = codec or next((c for sig, c in _UNICODE_SNIFF if body.startswith(sig)), None)
    if codec is None:
        return None
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        return None  # feedparser reports it as bozo; nothing to cap that we could find anyway
    text = _DECL_ENCODING.sub(r"\1\2utf-8\2", text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8")


def cap_author_fields(body: bytes, limit: int = AUTHOR_CAP) -> tuple[bytes, int]:
    """Cut the text (or CDATA) right after each author-like start tag to ``limit`` bytes.

    Returns the new body and how many fields were cut. Linear in the body's length.
    A value split by comments or entities is not caught; real feeds do not do that.
    """
    out: list[bytes] = []
    pos = capped = 0
    for match in _AUTHORISH.finditer(body):
        start = match.end()
        if start < pos or match.group().endswith(b"/>"):
            continue
        if body.startswith(_CDATA_OPEN, start):
            start += len(_CDATA_OPEN)
            end = body.find(b"]]>", start)
        else:
            end = body.find(b"<", start)
        end = len(body) if end == -1 else end
        if end - start > limit:
            out += [body[pos:start], _safe_cut(body[start:end], limit)]
            pos = end
            capped += 1
    if not capped:
        return body, 0
    out.append(body[pos:])
    return b"".join(out), capped


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    while head.startswith((b"<!--", b"<?xml")):  # skip a leading comment or declaration
        close = head.find(b"-->" if head.startswith(b"<!--") else b"?>")
        if close == -1:
            break
        head = head[close:].lstrip(b"->? \t\r\n")
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def read_feed(body: bytes, content_type: str | None = None) -> tuple[Any, list[str]]:
    """Parse one feed document; return feedparser's result and warnings for the run.

    No base URL is given to feedparser on purpose: it would also "resolve" a relative-looking
    ``<guid>kime-1</guid>`` into a URL, so uids would change with the feed's address.
    Relative links are left for normalise to make absolute.

    Raises ParseError when the body is not a feed: empty, an HTML page, or no feed found.
    feedparser's ``bozo`` alone is only a warning: its loose parser often still recovers
    every entry (badinputs feeds/illformed/rss_incomplete_cdata.xml).
    """
    if not body.strip():
        raise ParseError("empty body: expected an RSS or Atom feed")
    notes: list[str] = []
    transcoded = _to_utf8(body)
    if transcoded is not None:
        body = transcoded
        # the bytes are UTF-8 now; a charset parameter from the server would mislead feedparser
        content_type = (content_type or "application/xml").split(";")[0] + "; charset=utf-8"
    body, capped = cap_author_fields(body)
    if capped:
        notes.append(f"cut {capped} author field(s) longer than {AUTHOR_CAP} bytes")
    headers = {"content-type": content_type} if content_type else {}
    # A BytesIO, never bytes or str: given those, feedparser treats a body that looks like a
    # path or URL as one and opens it (badinputs feeds/authored/body_is_local_path.txt).
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        if _looks_like_html(body):
            raise ParseError("HTML page instead of a feed (no RSS or Atom root element)")
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise ParseError(f"no feed found: not RSS or Atom{detail}")
    if parsed.get("bozo"):
        notes.append(f"feed is not well-formed, read leniently: {parsed.get('bozo_exception')}")
    return parsed, notes


class _TextExtractor(HTMLParser):
    _BLOCKS: Final = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: entities decoded, one line per block, spaces collapsed."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def parse_event_time(value: str, zone: ZoneInfo) -> tuple[datetime | date, str | None]:
    """Read an ISO 8601 ``ev:startdate``/``ev:enddate`` value.

    Returns the time (aware, in ``zone``) or a date for a date-only value, and a warning when
    the stated offset is neither UTC nor the zone's offset at that moment: the offset is kept
    (it is what the source claims) but the operator should look (the Events Calendar's
    GMT-offset bug produced such values). Raises ValueError when the value is not ISO 8601.
    """
    text = value.strip()
    if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", text):
        return date.fromisoformat(text), None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return wall_clock(parsed, zone), None
    local, questionable = stated(parsed, zone)
    if questionable:
        return local, f"offset of {text!r} is not {zone.key}'s offset then ({local.isoformat()})"
    return local, None


# Month names and the abbreviations seen in the wild (../shared/samples/
# txt_norwegian-date-strings_observed.tsv: "09. sep.", "fredag 23 okt 2026"): dates.py's table.
NORWEGIAN_MONTHS: Final[dict[str, int]] = MONTHS


class RegexDate:
    """The result of a ``date_regex`` match: start, optional end (both aware or both dates)."""

    def __init__(self, start: datetime | date, end: datetime | None) -> None:
        self.start = start
        self.end = end


def _month(value: str) -> int:
    token = value.strip().rstrip(".").casefold()
    if token.isdigit():
        return int(token)
    if token in NORWEGIAN_MONTHS:
        return NORWEGIAN_MONTHS[token]
    raise ValueError(f"unknown month {value!r}")


def _year_for(day: int, month: int, now: datetime) -> int:
    # No year in the text: the nearest such date on or after a month ago, so "2. januar" read in
    # September is next January while an event last fortnight keeps this year.
    floor = (now - timedelta(days=30)).date()
    for year in range(floor.year, floor.year + 8):  # 8 years reach the next 29 February
        try:
            if date(year, month, day) >= floor:
                return year
        except ValueError:
            continue
    raise ValueError(f"no date {day}.{month} exists")


def match_date_regex(pattern: re.Pattern[str], texts: list[str], now: datetime) -> RegexDate | None:
    """Apply a source's ``date_regex`` to each text in turn; the first match decides.

    Named groups: ``day``, ``month`` (number or Norwegian name), optional ``year``, ``hour``,
    ``minute``, ``end_hour``, ``end_minute``. Without an hour the result is an all-day date.
    Returns None when no text matches; raises ValueError when the match is not a real date.
    """
    zone = now.tzinfo
    if not isinstance(zone, ZoneInfo):
        raise TypeError("now must carry a ZoneInfo")
    for text in texts:
        found = pattern.search(text)
        if found is None:
            continue
        groups = {k: v for k, v in found.groupdict().items() if v}
        day, month = int(groups["day"]), _month(groups["month"])
        year = int(groups["year"]) if "year" in groups else _year_for(day, month, now)
        year += 2000 if year < 100 else 0
        on = date(year, month, day)
        if "hour" not in groups:
            return RegexDate(on, None)
        start = wall_clock(
            datetime(year, month, day, int(groups["hour"]), int(groups.get("minute", 0))), zone
        )
        end = None
        if "end_hour" in groups:
            end_at = datetime(year, month, day, int(groups["end_hour"]), int(groups.get("end_minute", 0)))
            end = wall_clock(end_at, zone)
            if end <= start:  # "kl. 22.00–01.00" ends the next day (sources.md)
                end = wall_clock(end_at + timedelta(days=1), zone)
        return RegexDate(start, end)
    return None
