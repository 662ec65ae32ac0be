"""schema.org values as plain Python: the property readers of an Event node in JSON-LD.

Owns: reading the shapes schema.org allows for one property (a string, an object, a list of
either, ``{"@value": ...}``) into plain values: text with HTML entities decoded (``text``),
a description split into text and HTML (``description``), absolute http(s) URLs with
``javascript:`` and the like refused (``http_url``), an image, a name, audiences, a language,
a Place with its PostalAddress and GeoCoordinates (``place``), an Offer's price, free flag,
sign-up URL and availability (``offer``) and ``eventStatus`` (``status``). Used by
sources/jsonld.py (and ``http_url`` by sources/jsonapi.py); any adapter that meets schema.org
(microdata, RDFa) may use it.

Must not: decide identity, times or clock policy (the adapter's), sanitise HTML (normalise does
that with nh3; hostile text passes through here as data), or fetch anything.
"""

from __future__ import annotations

import html
import math
import re
import warnings
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from aggregator.model import Status
from aggregator.parsing.jsonld import schema_term

__all__ = [
    "address",
    "audience",
    "coordinate",
    "description",
    "http_url",
    "image",
    "language",
    "name_of",
    "offer",
    "place",
    "status",
    "text",
]

_STATUS = {
    "eventcancelled": Status.CANCELLED,
    "eventpostponed": Status.POSTPONED,
    "eventrescheduled": Status.RESCHEDULED,
    "eventmovedonline": Status.SCHEDULED,
    "eventscheduled": Status.SCHEDULED,
}
# [^<>] keeps a search linear on text full of "<" without ">" (and "a < b" is not a tag).
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def description(value: Any) -> tuple[str | None, str | None]:
    """(text, HTML) of a ``description``: markup is kept as HTML with its text beside it;
    plain text (entities decoded) has no HTML."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    if _TAG.search(value):
        return _html_text(value) or None, value
    return html.unescape(value).strip() or None, None


def status(value: Any) -> Status:
    """``eventStatus`` as a Status; unknown or absent is scheduled."""
    return _STATUS.get(schema_term(value).lower(), Status.SCHEDULED)


def text(value: Any) -> str | None:
    """A text property (a string, ``{"@value": ...}`` or a list of those), tidied; else None."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    # WordPress titles carry entities (&#8211;, &amp;); whitespace is layout, not content.
    return " ".join(html.unescape(value).split()) or None


def _html_text(markup: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "lxml").get_text(" ", strip=True)


def http_url(value: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None: javascript:, data: and the like never get through."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    value = re.sub(r"[\t\r\n]", "", value.strip())  # browsers drop these too ("java\nscript:")
    if not value or any(ord(c) < 32 for c in value):
        return None
    try:
        absolute = urljoin(base, value)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


def image(value: Any, base: str) -> str | None:
    """The first usable URL of ``image``: a URL, an ImageObject, or a list of those."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        if url := http_url(item, base):
            return url
    return None


def name_of(value: Any) -> str | None:
    """The first name of a Person/Organization (or a plain string, or a list of those)."""
    for item in value if isinstance(value, list) else [value]:
        name = text(item.get("name")) if isinstance(item, dict) else text(item)
        if name:
            return name
    return None


def audience(value: Any) -> tuple[str, ...]:
    """``audienceType`` (or name) of each Audience, once each, in order."""
    found = []
    for item in value if isinstance(value, list) else [value]:
        name = text(item.get("audienceType") or item.get("name")) if isinstance(item, dict) else text(item)
        if name and name not in found:
            found.append(name)
    return tuple(found)


def language(value: Any) -> str | None:
    """``inLanguage`` as written: a code, or a Language's alternateName or name."""
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return text(value)


def address(value: Any) -> str | None:
    """A PostalAddress as "street, postcode town", or a plain string."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        street = text(value.get("streetAddress"))
        town = " ".join(t for t in (text(value.get("postalCode")), text(value.get("addressLocality"))) if t)
        return ", ".join(p for p in (street, town) if p) or None
    return text(value)


def coordinate(value: Any, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (limit 180); a decimal comma is read; else None."""
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def place(value: Any) -> tuple[str | None, str | None, float | None, float | None]:
    """location as a Place, a plain string or a list of those; a VirtualLocation is no place."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and (name := text(item)):
            return name, None, None, None
        if not isinstance(item, dict) or schema_term(item.get("@type")) == "VirtualLocation":
            continue
        name, postal = text(item.get("name")), address(item.get("address"))
        geo = item.get("geo")
        geo = geo if isinstance(geo, dict) else {}
        lat, lon = coordinate(geo.get("latitude"), 90), coordinate(geo.get("longitude"), 180)
        if name or postal:
            return name, postal, (lat if lon is not None else None), (lon if lat is not None else None)
    return None, None, None, None


def offer(value: Any, base: str) -> tuple[str | None, bool | None, str | None, str | None]:
    """offers (object or list) -> price "150 NOK", free (price 0), signup url, availability."""
    offers = [o for o in (value if isinstance(value, list) else [value]) if isinstance(o, dict)]
    if not offers:
        return None, None, None, None
    first = offers[0]
    signup = next((u for o in offers if (u := http_url(o.get("url"), base))), None)
    availability = schema_term(first.get("availability")) or None
    amount = first.get("price", first.get("lowPrice"))
    currency = text(first.get("priceCurrency")) or ""
    if isinstance(amount, bool) or amount is None or amount == "":
        return None, None, signup, availability
    if isinstance(amount, str) and amount.strip().casefold() in ("gratis", "free"):
        return None, True, signup, availability
    try:
        number = Decimal(str(amount).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return text(amount), None, signup, availability
    if not number.is_finite() or number < 0:
        return None, None, signup, availability
    if number == 0:
        return None, True, signup, availability
    shown = str(int(number)) if number == number.to_integral_value() else f"{number:.2f}"
    return f"{shown} {currency}".strip(), False, signup, availability
