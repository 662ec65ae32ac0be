"""Which events a feed (or a filtered URL) shows. Pure functions over EventRecords.

A filter is a set of lists; an absent list means "all". Categories and audiences compare
case-insensitively; places match when any alias occurs in the event's location or address,
ignoring case and diacritics ("Borgen innbyggertorg" matches "BORGEN INNBYGGERTORG, Asker").
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from aggregator.model import EventRecord


def fold(text: str) -> str:
    """Lowercase without diacritics, but keep æ/ø/å distinct from a/o (they are letters here)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u030a")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; plenty for "is it at the square")."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class EventFilter:
    sources: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    audience: tuple[str, ...] | None = None
    places: tuple[str, ...] | None = None
    #: (latitude, longitude, radius_m): an event with coordinates this close matches the place filter
    near: tuple[float, float, float] | None = None

    def _at_place(self, event: EventRecord) -> bool:
        if self.near is not None and event.latitude is not None and event.longitude is not None:
            lat, lon, radius = self.near
            if distance_m(lat, lon, event.latitude, event.longitude) <= radius:
                return True
        if self.places is None:
            return self.near is None
        where = fold(" ".join(filter(None, [event.location, event.address])))
        return any(fold(p) in where for p in self.places)

    def matches(self, event: EventRecord) -> bool:
        if self.sources is not None and event.source_id not in self.sources:
            return False
        if self.categories is not None:
            wanted = {fold(c) for c in self.categories}
            if not wanted.intersection(fold(c) for c in event.categories):
                return False
        if self.audience is not None:
            wanted = {fold(a) for a in self.audience}
            if not wanted.intersection(fold(a) for a in event.audience):
                return False
        return not ((self.places is not None or self.near is not None) and not self._at_place(event))

    def apply(self, events: Iterable[EventRecord]) -> list[EventRecord]:
        return [e for e in events if self.matches(e)]
