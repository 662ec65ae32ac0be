"""Whether two events from different sources describe the same occurrence, and why.

Owns the comparison features (title similarity with rapidfuzz over ``keys.title_key``, the
local start difference, place agreement, shared links), the rules that turn them into a
verdict with a score and the reasons, and the blocking that finds candidate pairs: only events
on the same local date that share a title-word prefix or a link are ever compared, so the cost
grows about linearly with the number of events. It must not choose clusters, canonical copies
or touch the database.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz

from aggregator.dedup.keys import (
    coverage,
    link_key,
    links_in,
    place_tokens,
    place_words,
    title_key,
    title_tokens,
    without_place,
)
from aggregator.model import EventRecord

#: Title-only matches need starts this close (minutes); a shared link allows more, because a
#: news post often gives the meeting time and the organiser the departure (or the reverse).
TITLE_TOLERANCE = 30
LINK_TOLERANCE = 180
#: A (date, word prefix) block with more events than this says nothing (a word every source
#: uses that day); it is skipped so one generic word cannot make the cost quadratic.
MAX_BLOCK = 400
PREFIX = 4
#: Places with coordinates this close (metres) are the same place.
NEAR_M = 150.0


@dataclass(frozen=True, slots=True)
class Entry:
    """One event prepared for comparison."""

    index: int
    record: EventRecord
    priority: int
    key: str
    tokens: frozenset[str]
    place: frozenset[str]  # distinctive place words ("borgen")
    place_words: frozenset[str]  # every place word ("borgen", "bibliotek")
    links: frozenset[str]
    day: date
    minute: int | None  # local minutes after midnight; None for all-day

    @property
    def source_id(self) -> str:
        return self.record.source_id


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float
    reasons: tuple[str, ...]


def prepare(records: Sequence[EventRecord], priorities: dict[str, int], zone: ZoneInfo) -> list[Entry]:
    """Entries for ``records`` (index = position). Links used by several events of one source
    (a source's generic "events" page) are dropped: they are no evidence of identity."""
    raw_links: list[set[str]] = []
    per_source: Counter[tuple[str, str]] = Counter()
    for rec in records:
        found = {link_key(u) for u in (rec.url, rec.signup_url, *links_in(rec.description))}
        found.discard(None)
        links = {k for k in found if k is not None}
        raw_links.append(links)
        for k in links:
            per_source[(rec.source_id, k)] += 1
    out: list[Entry] = []
    for i, rec in enumerate(records):
        local = rec.start if rec.all_day else rec.start.astimezone(zone)
        words = place_words(rec.location, rec.address)
        tokens = without_place(title_tokens(rec.title), words)
        out.append(
            Entry(
                index=i,
                record=rec,
                priority=priorities.get(rec.source_id, 0),
                key=" ".join(tokens),
                tokens=frozenset(tokens),
                place=frozenset(w for w in words if w in place_tokens(rec.location, rec.address)),
                place_words=words,
                links=frozenset(k for k in raw_links[i] if per_source[(rec.source_id, k)] == 1),
                day=local.date(),
                minute=None if rec.all_day else local.hour * 60 + local.minute,
            )
        )
    return out


def _distance_m(a: EventRecord, b: EventRecord) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371000 * math.asin(min(1.0, math.sqrt(h)))


def place_agreement(a: Entry, b: Entry) -> str:
    """ "same", "unknown" (one side does not say) or "different"."""
    dist = _distance_m(a.record, b.record)
    if dist is not None:
        return "same" if dist <= NEAR_M else "different"
    if not a.place_words or not b.place_words:
        return "unknown"
    if a.place & b.place:
        return "same"
    # "Asker bibliotek" has no distinctive word of its own: it is the same place as "Asker
    # bibliotek, Strandveien 8" (all its words are there), not as "Borgen bibliotek".
    if (not a.place and a.place_words <= b.place_words) or (not b.place and b.place_words <= a.place_words):
        return "same"
    return "different"


def compare(a: Entry, b: Entry) -> Verdict | None:
    """The verdict for two entries, or None when they are different events."""
    if a.day != b.day:
        return None
    if a.minute is None or b.minute is None:
        dt: int | None = 0 if a.minute is None and b.minute is None else None
    else:
        dt = abs(a.minute - b.minute)
    shared = a.links & b.links
    if not a.key or not b.key:
        return None
    ts = fuzz.token_set_ratio(a.key, b.key) / 100
    so = fuzz.token_sort_ratio(a.key, b.key) / 100
    where = place_agreement(a, b)
    reasons = [f"title {so:.2f}/{ts:.2f}", f"start Δ{'date' if dt is None else f'{dt}min'}", f"place {where}"]
    if shared and (dt is None or dt <= LINK_TOLERANCE) and (ts >= 0.5 or (dt is not None and dt <= 15)):
        reasons.insert(0, "shared link " + sorted(shared)[0])
        return Verdict(round(0.9 + 0.1 * ts, 4), tuple(reasons))
    if where == "different" or dt is None:
        return None
    if so >= 0.8 and dt <= 5 and where == "same":
        return Verdict(round(0.5 + 0.3 * so + 0.1 - dt / 600, 4), tuple(reasons))
    if so >= 0.9 and dt <= TITLE_TOLERANCE:
        return Verdict(round(0.5 + 0.3 * so + 0.1 * (where == "same") - dt / 600, 4), tuple(reasons))
    if ts >= 0.95 and so >= 0.5 and dt <= 15 and where == "same":
        return Verdict(round(0.4 + 0.3 * ts + 0.1 * so - dt / 600, 4), tuple(reasons))
    # Every word of the shorter title is in the longer one (as a word, a stem or a compound's
    # head: "Vårdugnad" / "Dugnad på Borgen – vår"), at the same place and time.
    if dt <= 15 and where == "same" and any(len(t) >= 5 for t in a.tokens | b.tokens):
        cover = coverage(a.tokens, b.tokens)
        if cover == 1.0:
            reasons.append("every word of the shorter title")
            return Verdict(round(0.45 + 0.2 * ts + 0.1 * so - dt / 600, 4), tuple(reasons))
    return None


def candidate_pairs(entries: Sequence[Entry]) -> Iterator[tuple[int, int]]:
    """Pairs (i < j) of entries from different sources worth comparing.

    Blocks: (local date, 4-letter prefix of a title word) — a typo or an inflection keeps the
    prefix — and (local date, shared link). Inside a word block only starts within
    ``TITLE_TOLERANCE`` are paired (all-day entries pair with the whole block).
    """
    words: dict[tuple[date, str], list[Entry]] = defaultdict(list)
    links: dict[tuple[date, str], list[Entry]] = defaultdict(list)
    for e in entries:
        for prefix in {t[:PREFIX] for t in e.tokens}:
            words[(e.day, prefix)].append(e)
        for link in e.links:
            links[(e.day, link)].append(e)
    seen: set[tuple[int, int]] = set()
    for block in words.values():
        if len(block) < 2 or len(block) > MAX_BLOCK:
            continue
        yield from _window_pairs(block, TITLE_TOLERANCE, seen)
    for block in links.values():
        if 2 <= len(block) <= MAX_BLOCK:
            yield from _window_pairs(block, LINK_TOLERANCE, seen)


def _window_pairs(
    block: list[Entry], tolerance: int, seen: set[tuple[int, int]]
) -> Iterable[tuple[int, int]]:
    timed = sorted((e for e in block if e.minute is not None), key=lambda e: (e.minute, e.index))
    untimed = [e for e in block if e.minute is None]
    pairs: list[tuple[Entry, Entry]] = []
    for i, a in enumerate(timed):
        assert a.minute is not None
        for b in timed[i + 1 :]:
            assert b.minute is not None
            if b.minute - a.minute > tolerance:
                break
            pairs.append((a, b))
    for i, a in enumerate(untimed):
        pairs.extend((a, b) for b in untimed[i + 1 :])
        pairs.extend((a, b) for b in timed)
    for a, b in pairs:
        if a.source_id == b.source_id:
            continue  # same source: never merged unless they share identity (design §5)
        pair = (a.index, b.index) if a.index < b.index else (b.index, a.index)
        if pair not in seen:
            seen.add(pair)
            yield pair


__all__ = ["Entry", "Verdict", "candidate_pairs", "compare", "place_agreement", "prepare", "title_key"]
