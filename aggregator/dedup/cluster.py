"""Clusters: which events describe one real-world occurrence, and the explanation of each merge.

Owns the clustering of matched pairs (greedy by score, union-find) under three rules: a cluster
never holds two events of one source (they have different identities, design §5), an operator's
"apart" decision is never crossed, and an operator's "together" decision always holds. It must
not compare events itself (``match.py``), pick canonical copies (``merge.py``) or touch the
database: decisions come in as identity keys, clusters go out as plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from aggregator.dedup.match import Entry, candidate_pairs, compare, prepare
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
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.parent = list(range(len(entries)))
        self.members: dict[int, list[int]] = {i: [i] for i in range(len(entries))}
        self.sources: dict[int, set[str]] = {i: {e.source_id} for i, e in enumerate(entries)}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        self.sources[ra] |= self.sources.pop(rb)


def cluster(
    records: Sequence[EventRecord],
    priorities: dict[str, int],
    zone: ZoneInfo,
    decisions: Decisions = Decisions(),
) -> list[Cluster]:
    """Cluster ``records``; every record is in exactly one cluster. Deterministic."""
    entries = prepare(records, priorities, zone)
    return cluster_entries(entries, decisions)


def cluster_entries(entries: Sequence[Entry], decisions: Decisions = Decisions()) -> list[Cluster]:
    index = {key_of(e.record): e.index for e in entries}
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
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    for score, i, j, reasons in scored:
        ri, rj = sets.find(i), sets.find(j)
        if ri == rj or sets.sources[ri] & sets.sources[rj]:
            continue
        if apart and _crosses(sets.members[ri], sets.members[rj], apart):
            continue
        sets.union(i, j)
        links.append(Link(j, i, score, reasons))
    by_root: dict[int, Cluster] = {}
    for root, members in sets.members.items():
        by_root[root] = Cluster(sorted(members))
    for link in links:
        by_root[sets.find(link.member)].links.append(link)
    return sorted(by_root.values(), key=lambda c: c.members[0])


def _crosses(left: Iterable[int], right: Sequence[int], apart: dict[int, set[int]]) -> bool:
    right_set = set(right)
    return any(apart.get(i, set()) & right_set for i in left)
