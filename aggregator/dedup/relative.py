"""The second look: a date-only notice the pair rules left alone joins the day's event it is
clearly most like.

A news post ("Torget fylles med grillrøyk og korpsmusikk", dated the day, no time, often no
place) retells one of that day's events in its own words: the pair rules of ``match.py`` find
too few shared words to join it, yet among the day's events the one it is about usually stands
out. Owns that second look, by relative evidence: a cluster of date-only listings only is
compared as one bag of words (``salience.text_stems`` of every member, compound stems also as
their parts) by TF-IDF cosine, places aside, with every cluster of the same local date that has
a timed listing, holds none of its sources and is at a place that does not contradict; a join is
proposed only for a clear winner: alike enough (``FLOOR``), at least ``AHEAD`` times as alike as
the next candidate, and no contradiction between the titles (different names, organisers or
audiences). A busier day needs a clearer winner. It must not join anything itself
(``cluster.py`` applies the proposals under its rules: one event per source, operator
decisions).

The same look at two timed listings at one place and start was tried and dropped: guarded
against the near misses it made ("Søndagstur til Vardåsen" / "Søndagstur med barnevogn", two
events with boilerplate texts at one slot) it found almost nothing more (BENCHMARKS.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from aggregator.dedup.keys import compound_splits, stem
from aggregator.dedup.match import Entry, contradicts, place_agreement
from aggregator.dedup.salience import Weights, cosine

#: The cosine the best cluster needs at least: below it the notice shares too little with any
#: listing to say which event it is about.
FLOOR = 0.12
#: How many times the next candidate's cosine the best one needs: "clearly the one".
AHEAD = 2.0
#: A word said by more of the day's timed clusters than this is not used to find a notice's
#: candidates (it weighs little in the cosine anyway), so a region's busy day stays cheap.
COMMON = 10
#: The shortest part of a compound that counts as a word of its own.
PART_MIN = 3


@dataclass(frozen=True, slots=True)
class Proposal:
    """Join the cluster holding ``member`` to the one holding ``other`` because of ``reasons``."""

    member: int
    other: int  # of the other cluster, the member whose text is most like ``member``'s
    score: float
    reasons: tuple[str, ...]


def proposals(entries: Sequence[Entry], groups: Sequence[Sequence[int]]) -> Iterator[Proposal]:
    """Proposals for ``groups`` (clusters as entry indices), best score first. Deterministic."""
    notices: dict[date, list[Sequence[int]]] = defaultdict(list)
    timed: dict[date, list[Sequence[int]]] = defaultdict(list)
    for members in groups:
        clock = next((m for m in members if entries[m].minute is not None), None)
        if clock is None:
            notices[entries[members[0]].day].append(members)
        else:
            timed[entries[clock].day].append(members)
    weight = entries[0].weight if entries else None
    if weight is None:
        return
    day = _Day(entries, weight, _Words(entries, weight))
    found: list[Proposal] = []
    for when, targets in timed.items():
        if when in notices:
            day.start(targets)
            found.extend(day.notices(notices[when]))
    found.sort(key=lambda p: (-p.score, p.member))
    yield from found


class _Day:
    """One day's timed clusters with their bags and vectors, and the notices' look at them."""

    def __init__(self, entries: Sequence[Entry], weight: Weights, words: _Words) -> None:
        self.entries = entries
        self.weight = weight
        self.words = words

    def start(self, targets: list[Sequence[int]]) -> None:
        e = self.entries
        self.targets = targets
        self.places = [frozenset().union(*(e[m].place_words for m in t)) for t in targets]
        self.sources = [{e[m].source_id for m in t} for t in targets]
        # Candidates are found by the words of a target's texts and the parts of its title's
        # compounds ("Quizkveld" for a notice's "quiz"); its whole bag, every compound split,
        # is made only for the few candidates (a region's day has hundreds of targets).
        self.index: dict[str, list[int]] = defaultdict(list)
        for n, t in enumerate(targets):
            keys = set().union(*(e[m].text for m in t))
            for m in t:
                keys.update(p for w in e[m].text[: e[m].title_text] for p in self.words.parts(w))
            keys.update(self.words.said(t))
            for k in keys:
                self.index[k].append(n)
        self.bags: dict[int, tuple[str, ...]] = {}
        # A vector depends on the places left out (the notice's own); most notices name no
        # place, so one vector of a target serves every notice of the day.
        self.vectors: dict[tuple[int, frozenset[str]], dict[str, float]] = {}

    def vector(self, n: int, leave_out: frozenset[str]) -> dict[str, float]:
        key = (n, leave_out)
        found = self.vectors.get(key)
        if found is None:
            bag = self.bags.get(n)
            if bag is None:
                bag = self.bags[n] = self.words.bag(self.targets[n])
            found = self.vectors[key] = self.weight.vector(bag, leave_out)
        return found

    def notices(self, day_notices: Sequence[Sequence[int]]) -> Iterator[Proposal]:
        e = self.entries
        for notice in day_notices:
            if any(e[m].closure for m in notice):
                continue  # opening hours, not an event
            bag = self.words.bag(notice)
            own_sources = {e[m].source_id for m in notice}
            own_places = frozenset().union(*(e[m].place_words for m in notice))
            candidates = sorted(
                {n for s in set(bag) if len(found := self.index.get(s, ())) <= COMMON for n in found}
            )
            # the notice's own place words say nothing (a target's are kept: "i kulturhuset")
            mine = self.weight.vector(bag, own_places)
            scored: list[tuple[float, int]] = []
            for n in candidates:
                if own_sources & self.sources[n]:
                    continue
                target = self.targets[n]
                if all(place_agreement(e[a], e[b]) == "different" for a in notice for b in target):
                    continue
                scored.append((cosine(mine, self.vector(n, own_places)), n))
            if not scored:
                continue
            scored.sort(key=lambda x: (-x[0], x[1]))
            best, n = scored[0]
            runner_up = scored[1][0] if len(scored) > 1 else 0.0
            if best < FLOOR or best < AHEAD * runner_up:
                continue
            # "Bli med på tur til Skaugumsåsen" is not the day's only listed tour "Tur til
            # Vardåsen", however alone that tour is: titles naming different names never join.
            if self._contradict(notice, self.targets[n]):
                continue
            yield self._proposal(
                notice,
                self.targets[n],
                best,
                own_places,
                f"date-only notice: the day's best text match {best:.2f} (next {runner_up:.2f})",
            )

    def _contradict(self, a: Sequence[int], b: Sequence[int]) -> bool:
        return any(contradicts(self.entries[x], self.entries[y]) for x in a for y in b)

    def _proposal(
        self, a: Sequence[int], b: Sequence[int], score: float, leave_out: frozenset[str], why: str
    ) -> Proposal:
        e, w = self.entries, self.weight
        own = w.vector(e[a[0]].text, leave_out)
        other = max(b, key=lambda m: (cosine(own, w.vector(e[m].text, leave_out)), -m))
        return Proposal(a[0], other, round(score, 4), (why,))


class _Words:
    """Bags of words for clusters, compound parts included, with a memo per word."""

    def __init__(self, entries: Sequence[Entry], weight: Weights) -> None:
        self._entries = entries
        self._weight = weight
        self._parts: dict[str, tuple[str, ...]] = {}

    def bag(self, members: Sequence[int]) -> tuple[str, ...]:
        """The words of a cluster's listings together (title and description lead of each),
        with the parts of their compounds (a notice says "quiz" where the listing says
        "Quizkveld"), the words of their places (a notice without one says "i kulturhuset")
        and of their organisers' names ("Skolekorpset spiller" for Borgen skolekorps)."""
        words = [s for m in members for s in self._entries[m].text]
        return tuple(words + [p for w in words for p in self.parts(w)] + sorted(self.said(members)))

    def said(self, members: Sequence[int]) -> set[str]:
        """The words of a cluster's places and of its organisers' names."""
        e = self._entries
        out = {p for m in members for p in e[m].place_words if not p.startswith("@")}
        out.update(stem(w) for m in members for n in e[m].names for w in n.split())
        return out

    def parts(self, word: str) -> tuple[str, ...]:
        found = self._parts.get(word)
        if found is None:
            found = self._parts[word] = self._split(word, 2)
        return found

    def _split(self, word: str, depth: int) -> tuple[str, ...]:
        """The words a compound stem is made of, when both sides are words of the input:
        "quizkveld" is "quiz" and "kveld", "julegrantenning" "julegran" ("jul", "gran") and
        "tenning"."""
        if depth == 0 or len(word) < 2 * PART_MIN:
            return ()
        for mod, head in compound_splits(word):
            if len(mod) < PART_MIN or len(head) < PART_MIN:
                continue
            m, h = stem(mod), stem(head)
            if self._weight.known(m) and self._weight.known(h):
                return (m, h, *self._split(m, depth - 1), *self._split(h, depth - 1))
        return ()
