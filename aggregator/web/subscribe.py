"""Links that put our events into people's calendars, and the QR code for posters.

Owns the subscription addresses of a (filtered) feed: ``webcal://`` and ``https://``, the
Google Calendar and Outlook one-click links, the single-event "add to calendar" links, map
links, and the QR code as inline SVG (segno, rendered server-side so no script is needed).
It must not read the store or choose events; every URL it returns is built from our own base
URL or from http(s) values that it checks (``safe_url``), never from a raw source string.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit

import segno

from aggregator.model import EventRecord
from aggregator.publish.common import place


def safe_url(value: str | None) -> str | None:
    """An http(s) URL fit for an href, or None (javascript:, data:, relative junk are refused)."""
    if not value:
        return None
    value = value.strip()
    if any(c.isspace() or ord(c) < 32 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return value


def feed_urls(base_url: str, feed_id: str, feed_query: str, title: str) -> dict[str, str]:
    """Every address of one filtered feed; ``feed_query`` is ``""`` or ``"?category=…"``."""
    root = base_url.rstrip("/")
    https_ics = f"{root}/feeds/{feed_id}.ics{feed_query}"
    webcal = re.sub(r"^https?://", "webcal://", https_ics)
    return {
        "webcal": webcal,
        "https": https_ics,
        # Google takes a webcal:// (or http) address in cid; it then polls it itself.
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https_ics, "name": title}),
        "rss": f"{root}/feeds/{feed_id}.rss{feed_query}",
        "atom": f"{root}/feeds/{feed_id}.atom{feed_query}",
        "json": f"{root}/feeds/{feed_id}.json{feed_query}",
    }


def qr_svg(data: str, label: str) -> str:
    """The QR code of ``data`` as an inline ``<svg>`` with an accessible title."""
    qr = segno.make(data, error="m")
    out = io.BytesIO()
    qr.save(
        out, kind="svg", xmldecl=False, svgns=True, title=label, scale=4, border=2, svgclass="qr", nl=False
    )
    svg = out.getvalue().decode("utf-8")
    # role=img + aria-label make screen readers announce it as one image (axe: svg-img-alt).
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _end(record: EventRecord) -> datetime:
    if record.end is not None and record.end > record.start:
        return record.end
    return record.start + (timedelta(days=1) if record.all_day else timedelta(hours=1))


def google_event_url(record: EventRecord, details: str) -> str:
    if record.all_day:
        dates = f"{record.start.strftime('%Y%m%d')}/{_end(record).strftime('%Y%m%d')}"
    else:
        dates = f"{_stamp(record.start)}/{_stamp(_end(record))}"
    params = {"action": "TEMPLATE", "text": record.title, "dates": dates, "ctz": record.tz}
    if place(record):
        params["location"] = place(record)
    if details:
        params["details"] = details[:1000]
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def outlook_event_url(record: EventRecord, details: str) -> str:
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": record.title,
        "startdt": record.start.isoformat() if not record.all_day else record.start.date().isoformat(),
        "enddt": _end(record).isoformat() if not record.all_day else _end(record).date().isoformat(),
        "allday": "true" if record.all_day else "false",
    }
    if place(record):
        params["location"] = place(record)
    if details:
        params["body"] = details[:1000]
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(params)


def map_url(record: EventRecord) -> str | None:
    """OpenStreetMap at the coordinates, else a search for the address or place name."""
    if record.latitude is not None and record.longitude is not None:
        lat, lon = f"{record.latitude:.5f}", f"{record.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    where = place(record)
    if where:
        return "https://www.openstreetmap.org/search?query=" + quote(where)
    return None
