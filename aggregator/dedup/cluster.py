"""Clusters: which events describe one real-world occurrence, and the explanation of each merge.

Owns the clustering of matched pairs (greedy by score, union-find) under three rules: a cluster
never holds two events of one source (they have different identities, design §5), an operator's
"apart" decision is never crossed, and an operator's "together" decision always holds. It must
not compare events itself (``match.py``), pick canonical copies (``merge.py``) or touch the
database: decisions come in as identity keys, clusters go out as plain data.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aggregator.dedup.match import Entry, candidate_pairs, compare, grounds_differ, prepare
from aggregator.dedup.relative import proposals, slot_proposals
from aggregator.model import EventRecord

#: An event's identity as the store keys it: (source id, provider uid, recurrence id).
Key = tuple[str, str, str]


def key_of(record: EventRecord) -> Key:
    return (record.source_id, record.uid, record.recurrence_id)


@dataclass(frozen=True)
class Decisions:
    """Operator decisions: pairs of identities kept together or kept apart."""

    together: frozenset[frozenset[Key]] = frozenset()
    apart: frozenset[frozenset[Key]] = frozenset()


@dataclass(frozen=True)
class Link:
    """Why one member joined its cluster: the member it matched, the score and the reasons."""

    member: int
    other: int
    score: float
    reasons: tuple[str, ...]


@dataclass
class Cluster:
    """Indices into the input records; ``links`` explains every merge (empty for a singleton)."""

    members: list[int]
    links: list[Link] = field(default_factory=list)


class _Sets:
    """Union-find; member and source lists exist only for roots that were joined (most events
    stay alone, and 100,000 one-element lists and sets were a tenth of the clustering time)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        self.parent = list(range(len(entries)))
        self._members: dict[int, list[int]] = {}
        self._sources: dict[int, set[str]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def members(self, root: int) -> list[int]:
        return self._members.get(root) or [root]

    def sources(self, root: int) -> set[str]:
        return self._sources.get(root) or {self.entries[root].source_id}

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        ma, mb = self.members(ra), self.members(rb)
        if len(ma) < len(mb):
            ra, rb, ma, mb = rb, ra, mb, ma
        sa, sb = self.sources(ra), self.sources(rb)
        self.parent[rb] = ra
        self._members[ra] = ma + mb
        self._sources[ra] = sa | sb
        self._members.pop(rb, None)
        self._sources.pop(rb, None)


def cluster(
    records: Sequence[EventRecord],
    priorities: dict[str, int],
    zone: ZoneInfo,
    decisions: Decisions = Decisions(),
    same_places: Sequence[Sequence[str]] = (),
    same_words: Sequence[Sequence[str]] = (),
    names: Mapping[str, Sequence[str]] | None = None,
    kinds: Sequence[tuple[str, Sequence[str]]] = (),
) -> list[Cluster]:
    """Cluster ``records``; every record is in exactly one cluster. Deterministic."""
    with gc_paused():
        entries = prepare(records, priorities, zone, same_places, same_words, names, kinds)
        return cluster_entries(entries, decisions)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's cycle collector while clustering allocates its ~10 small containers per
    event. They form no reference cycles (reference counting frees them), but each automatic
    full collection re-scans every live object, so at 100,000 events the collector took half of
    the clustering time and grew faster than the event count (bench/dedup_scale.py). Left alone
    when someone else has already turned it off; back on afterwards, even after an error."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cluster_entries(entries: Sequence[Entry], decisions: Decisions = Decisions()) -> list[Cluster]:
    index = {key_of(e.record): e.index for e in entries} if decisions.together or decisions.apart else {}
    apart: dict[int, set[int]] = {}
    for pair in decisions.apart:
        ids = [index[k] for k in pair if k in index]
        if len(ids) == 2:
            apart.setdefault(ids[0], set()).add(ids[1])
            apart.setdefault(ids[1], set()).add(ids[0])
    sets = _Sets(entries)
    links: list[Link] = []
    for pair in sorted(decisions.together, key=sorted):
        ids = sorted(index[k] for k in pair if k in index)
        if len(ids) == 2 and sets.find(ids[0]) != sets.find(ids[1]):
            sets.union(ids[0], ids[1])
            links.append(Link(ids[1], ids[0], 1.0, ("operator merge",)))
    scored: list[tuple[float, int, int, tuple[str, ...]]] = []
    for i, j in candidate_pairs(entries):
        verdict = compare(entries[i], entries[j])
        if verdict is not None:
            scored.append((verdict.score, i, j, verdict.reasons))
    scored.sort(key=_by_score)
    matched = {(i, j) if i < j else (j, i) for _, i, j, _ in scored}
    for score, i, j, reasons in scored:
        ri, rj = sets.find(i), sets.find(j)
        if ri == rj or sets.sources(ri) & sets.sources(rj):
            continue
        if apart and _crosses(sets.members(ri), sets.members(rj), apart):
            continue
        if not _all_match(sets.members(ri), sets.members(rj), matched):
            # Complete linkage: a listing joins a cluster only if it matches every member, so a
            # vague "Søndagstur" cannot chain two different tours into one event.
            continue
        if _grounds_apart(entries, sets.members(ri), sets.members(rj)):
            continue
        sets.union(i, j)
        links.append(Link(j, i, score, reasons))
    # Second look: what the pair rules left alone joins the event it is clearly most like
    # (relative.py), under the same rules: first two events of one slot, then date-only notices
    # (which then meet an event once, not its two halves).
    for look in (slot_proposals, proposals):
        for p in look(entries, _groups(sets, len(entries))):
            ri, rj = sets.find(p.member), sets.find(p.other)
            if ri == rj or sets.sources(ri) & sets.sources(rj):
                continue
            if apart and _crosses(sets.members(ri), sets.members(rj), apart):
                continue
            if _grounds_apart(entries, sets.members(ri), sets.members(rj)):
                continue
            sets.union(p.member, p.other)
            links.append(Link(p.member, p.other, p.score, p.reasons))
    # One pass in index order: a cluster is made when its lowest member comes up, and members
    # are appended in order, so clusters come out sorted by first member with sorted members.
    by_root: dict[int, Cluster] = {}
    out: list[Cluster] = []
    for i in range(len(entries)):
        root = sets.find(i)
        found = by_root.get(root)
        if found is None:
            found = by_root[root] = Cluster([i])
            out.append(found)
        else:
            found.members.append(i)
    for link in links:
        by_root[sets.find(link.member)].links.append(link)
    return out


def _groups(sets: _Sets, n: int) -> list[list[int]]:
    roots: dict[int, list[int]] = {}
    for i in range(n):
        roots.setdefault(sets.find(i), []).append(i)
    return list(roots.values())


def _by_score(t: tuple[float, int, int, tuple[str, ...]]) -> tuple[float, int, int]:
    return (-t[0], t[1], t[2])


def _all_match(left: Sequence[int], right: Sequence[int], matched: set[tuple[int, int]]) -> bool:
    """At least half of the cross pairs match (average linkage): strict enough that one vague
    listing cannot chain two events, loose enough for a paraphrase matched through a third."""
    hits = sum(((a, b) if a < b else (b, a)) in matched for a in left for b in right)
    return hits * 2 >= len(left) * len(right)


def _grounds_apart(entries: Sequence[Entry], left: Sequence[int], right: Sequence[int]) -> bool:
    """Two listings, one of each side, name kinds of ground with none in common: a place-less
    "Dugnad" that fits both must not chain the pitch's work day to the square's."""
    return any(grounds_differ(entries[a], entries[b]) for a in left for b in right)


def _crosses(left: Iterable[int], right: Sequence[int], apart: dict[int, set[int]]) -> bool:
    right_set = set(right)
    return any(apart.get(i, set()) & right_set for i in left)
