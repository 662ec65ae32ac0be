"""``/api/events``: the events the web shows, as JSON with paging; and its OpenAPI description.

Owns the JSON shape of an event for programs and the OpenAPI 3.1 document that describes it.
It must not choose events (``listing.shown`` does, with the same filters as the pages) nor
render HTML. Values are data, not markup: consumers must escape them, and only http(s) URLs
are emitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aggregator.model import EventRecord
from aggregator.publish.common import place
from aggregator.web.subscribe import safe_url

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def event_json(
    record: EventRecord, base_url: str, also: Sequence[tuple[str, str | None]] = ()
) -> dict[str, Any]:
    """One event as published (a cluster's merged copy); ``also``: the other sources listing it."""
    root = base_url.rstrip("/")
    return {
        "id": record.id,
        "uid": record.public_uid,
        "title": record.title,
        "start": record.start.date().isoformat() if record.all_day else record.start.isoformat(),
        "end": (record.end.date().isoformat() if record.all_day else record.end.isoformat())
        if record.end
        else None,
        "all_day": record.all_day,
        "timezone": record.tz,
        "status": record.status.value,
        "place": place(record) or None,
        "location": record.location,
        "address": record.address,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "organizer": record.organizer,
        "categories": list(record.categories),
        "audience": list(record.audience),
        "free": record.free,
        "price": record.price,
        "description": record.description,
        "page_url": f"{root}/events/{record.id}",
        "ics_url": f"{root}/events/{record.id}.ics",
        "source": record.source_id,
        "source_url": safe_url(record.url),
        "signup_url": safe_url(record.signup_url),
        "image_url": safe_url(record.image_url),
        "modified": record.modified.isoformat(),
        "also_listed_by": [{"source": src, "url": safe_url(url)} for src, url in also],
    }


def _param(name: str, description: str, schema: dict[str, Any], *, many: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    out: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if many:
        out.update(style="form", explode=True)
    return out


def openapi(base_url: str, feeds: list[str]) -> dict[str, Any]:
    string = {"type": "string", "maxLength": 100}
    nullable_string = {"type": ["string", "null"]}
    event_schema = {
        "type": "object",
        "required": ["id", "uid", "title", "start", "all_day", "status", "page_url", "source"],
        "properties": {
            "id": {"type": "integer", "description": "Stable id of the event page /events/{id}"},
            "uid": {"type": "string", "description": "The UID in the published calendars; never changes"},
            "title": {"type": "string"},
            "start": {"type": "string", "description": "RFC 3339 with offset, or a date for all-day events"},
            "end": nullable_string,
            "all_day": {"type": "boolean"},
            "timezone": {"type": "string"},
            "status": {"type": "string", "enum": ["scheduled", "cancelled", "postponed", "rescheduled"]},
            "place": nullable_string,
            "location": nullable_string,
            "address": nullable_string,
            "latitude": {"type": ["number", "null"]},
            "longitude": {"type": ["number", "null"]},
            "organizer": nullable_string,
            "categories": {"type": "array", "items": {"type": "string"}},
            "audience": {"type": "array", "items": {"type": "string"}},
            "free": {"type": ["boolean", "null"]},
            "price": nullable_string,
            "description": {"type": "string", "description": "Plain text"},
            "page_url": {"type": "string", "format": "uri"},
            "ics_url": {"type": "string", "format": "uri"},
            "source": {"type": "string"},
            "source_url": {"type": ["string", "null"], "format": "uri"},
            "signup_url": {"type": ["string", "null"], "format": "uri"},
            "image_url": {"type": ["string", "null"], "format": "uri"},
            "modified": {"type": "string", "format": "date-time"},
            "also_listed_by": {
                "type": "array",
                "description": "Other sources that list the same event (shown once, from `source`)",
                "items": {
                    "type": "object",
                    "required": ["source", "url"],
                    "properties": {"source": {"type": "string"}, "url": {"type": ["string", "null"]}},
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Borgen innbyggertorg – events API",
            "version": "1",
            "description": "Upcoming events at and around Borgen innbyggertorg, Asker. The same filters as the calendar pages and the filtered feeds.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/api/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Upcoming events, sorted by start",
                    "parameters": [
                        _param(
                            "feed",
                            "Which configured calendar (default: the first)",
                            {"type": "string", "enum": feeds},
                        ),
                        _param("category", "Any of these categories", string, many=True),
                        _param("audience", "Any of these audiences", string, many=True),
                        _param(
                            "place",
                            "Place name or address contains this (accents ignored)",
                            string,
                            many=True,
                        ),
                        _param("source", "Any of these source ids", string, many=True),
                        _param("free", "1: free events only", {"type": "string", "enum": ["1"]}),
                        _param(
                            "from", "First local date (default: today)", {"type": "string", "format": "date"}
                        ),
                        _param("to", "Last local date, inclusive", {"type": "string", "format": "date"}),
                        _param("q", "Text search in title, description, place and organiser", string),
                        _param(
                            "limit",
                            "Page size",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                        ),
                        _param(
                            "offset",
                            "How many events to skip",
                            {"type": "integer", "minimum": 0, "default": 0},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "One page of events",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["feed", "total", "offset", "limit", "events", "next"],
                                        "properties": {
                                            "feed": {"type": "string"},
                                            "total": {"type": "integer"},
                                            "offset": {"type": "integer"},
                                            "limit": {"type": "integer"},
                                            "next": {
                                                "type": ["string", "null"],
                                                "description": "URL of the next page",
                                            },
                                            "events": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Event"},
                                            },
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Event": event_schema}},
    }
