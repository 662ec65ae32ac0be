"""Which events a feed (or a filtered URL) shows. Pure functions over EventRecords.

A filter is a set of lists; an absent list means "all". Categories and audiences compare
case-insensitively; places match when any alias occurs in the event's location or address,
ignoring case and diacritics ("Borgen innbyggertorg" matches "BORGEN INNBYGGERTORG, Asker").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from aggregator.model import EventRecord


def fold(text: str) -> str:
    """Lowercase without diacritics, but keep æ/ø/å distinct from a/o (they are letters here)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u030a")


@dataclass(frozen=True)
class EventFilter:
    sources: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    audience: tuple[str, ...] | None = None
    places: tuple[str, ...] | None = None

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
        if self.places is not None:
            where = fold(" ".join(filter(None, [event.location, event.address])))
            if not any(fold(p) in where for p in self.places):
                return False
        return True

    def apply(self, events: Iterable[EventRecord]) -> list[EventRecord]:
        return [e for e in events if self.matches(e)]
