"""The second looks, by relative evidence: what the pair rules left apart joins the event it
is clearly most like among that day's. Owns the proposals; must not join anything itself
(``cluster.py`` applies them under its rules: one event per source, operator decisions).

One slot (``slot_proposals``, first): two clusters on one date whose starts are at most
``SLOT_MINUTES`` apart, with no source in common and no two listings at places that contradict,
join when each is the other's clearly most alike candidate of that slot ("Seniorgym – trening
for 65+" and "Seniortrim" are the only two things happening at the square at 10:00) and they
share a word, a kind of activity or a happening's theme of their own; three that are each
other's two best, clearly ahead of any fourth, join as one (``_Slot._triangles``). At one slot near misses are alike in every word
but one, so titles naming kinds of activity with none in common ("Yoga" / "Pilates",
``keys.kinds``), different organisers, one kind with two qualifiers, a programme against a named
activity and the pair vetoes keep them apart.

Notices (``proposals``, then): a news post ("Torget fylles med grillrøyk og korpsmusikk", dated
the day, no time, often no place) retells one of that day's events in its own words; a cluster
of date-only listings is compared as one bag of words (``salience.text_stems`` of every member,
compound stems also as their parts) by TF-IDF cosine, its own places aside, with every cluster of
the date that has a timed listing, holds none of its sources and is at a place that does not
contradict; it joins a clear winner: alike enough (``FLOOR``), ``NOTICE_AHEAD`` times as alike as the
next, no contradiction between the titles (names, organisers, audiences, kinds of activity but a
party's or market's), and within ``STATED_APART`` of a clock time the notice states. A busier
day needs a clearer winner.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from aggregator.dedup.keys import compound_splits, is_audience, kinds_of, stem, themes_of
from aggregator.dedup.match import Entry, contradicts, phrase_text, place_agreement
from aggregator.dedup.salience import Weights, cosine, description_words

#: The cosine the best cluster needs at least: below it the notice shares too little with any
#: listing to say which event it is about.
FLOOR = 0.12
#: The cosine enough when the best is the notice's only candidate (the only event of the day
#: that shares a word with it and holds none of its sources, at a place that does not contradict).
LONE_FLOOR = 0.07
#: How many times the next candidate's cosine the best one needs: "clearly the one" (two events
#: of one slot, ``slot_proposals``).
AHEAD = 2.0
#: The same for a notice (date-only, ``proposals``): its text retells the event at length, so a
#: smaller lead is as clear (the studied files' notices about the day's fastelavn party, tree
#: lighting or flea market led the next event by 1.5-2.0; a wrong best led by 1.0-1.4).
NOTICE_AHEAD = 1.5
#: A word said by more of the day's timed clusters than this is not used to find a notice's
#: candidates (it weighs little in the cosine anyway), so a region's busy day stays cheap.
COMMON = 10
#: The shortest part of a compound that counts as a word of its own.
PART_MIN = 3
#: How far apart the starts of two events of one slot may be (a door or coffee time before the
#: start, a portal's rounded hour).
SLOT_MINUTES = 30
#: The cosine two events of one slot need at least (``slot_proposals``).
SLOT_FLOOR = 0.12
#: The cosine enough when the best is the notice's only candidate (the only event of the day
#: that shares a word with it and holds none of its sources, at a place that does not contradict).
LONE_FLOOR = 0.07
#: The most other clusters a cluster with no place name may have in its slot to be compared
#: with them (the square's busiest hour has a handful; a region's, hundreds).
WILD_SLOT = 12
#: Kinds of activity that hold others (a party has music and food): a notice naming those is
#: not contradicted by them.
HOSTS = frozenset({"fest", "marked"})
#: What a party or market offers rather than being another happening beside it at one slot.
HOSTED = frozenset({"mat", "musikk"})


def _hosts(host: frozenset[str], other: frozenset[str]) -> bool:
    """Whether one cluster's kinds are a party's or market's and the other's only what it offers."""
    return bool(host & HOSTS) and other <= HOSTED


#: How far (minutes) a clock time a date-only listing states may be from an event's start and
#: still be about it (a moment of the day inside a long event: "nissen kommer kl. 13").
STATED_APART = 180
#: Title words that say when, not what ("Lopis!! (dørene åpner 10.00)").
_TIME_NOTE = frozenset({"dorene", "doren", "dora", "dorer", "apner", "apnes", "start", "starter"})


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


def slot_proposals(entries: Sequence[Entry], groups: Sequence[Sequence[int]]) -> Iterator[Proposal]:
    """Joins of two timed clusters of one slot that are each other's clear best, best first."""
    weight = entries[0].weight if entries else None
    if weight is None:
        return
    timed: dict[date, list[Sequence[int]]] = defaultdict(list)
    for members in groups:
        if any(entries[m].minute is not None for m in members):
            timed[entries[members[0]].day].append(members)
    words = _Words(entries, weight)
    # One listing of each organiser that has names (settings: DNT, the culture school, ...), keyed
    # by those names: the culture school's two sources are one organiser.
    organisers: dict[tuple[str, ...], Entry] = {}
    for e in entries:
        if e.names:
            organisers.setdefault(e.names, e)
    found: list[Proposal] = []
    for clusters in timed.values():
        if len(clusters) > 1:
            found.extend(_Slot(entries, weight, words, clusters, organisers).proposals())
    found.sort(key=lambda p: (-p.score, p.member))
    yield from found


class _Slot:
    """One day's timed clusters: which of them share a slot, and their likeness."""

    def __init__(
        self,
        entries: Sequence[Entry],
        weight: Weights,
        words: _Words,
        clusters: list[Sequence[int]],
        organisers: dict[tuple[str, ...], Entry],
    ) -> None:
        self.organisers = organisers
        self.entries = entries
        self.weight = weight
        self.words = words
        e = entries
        self.clusters = clusters
        self.minutes = [sorted({m for i in c if (m := e[i].minute) is not None}) for c in clusters]
        self.sources = [frozenset(e[i].source_id for i in c) for c in clusters]
        self.vectors: dict[int, dict[str, float]] = {}
        self.named: dict[int, set[tuple[str, ...]]] = {}
        self.titles: dict[int, dict[str, float]] = {}

    def _near(self, x: int, y: int) -> bool:
        if self.sources[x] & self.sources[y] or not self._within(x, y):
            return False
        e, cx, cy = self.entries, self.clusters[x], self.clusters[y]
        # one listing at a place that contradicts is enough: the slot look has no words to
        # outweigh it ("Vårdugnad på Borgen kunstgress" is not the square's "Ryddedugnad")
        return not any(place_agreement(e[a], e[b]) == "different" for a in cx for b in cy)

    def _likeness(self, x: int, y: int) -> float:
        """The bags' cosine, or the titles' alone when higher: "Lesesirkel" and "Lesesirkel:
        påskekrim" are one title whatever their descriptions say."""
        return max(cosine(self._vector(x), self._vector(y)), cosine(self._title(x), self._title(y)))

    def _title(self, x: int) -> dict[str, float]:
        found = self.titles.get(x)
        if found is None:
            e = self.entries
            words = [s for i in self.clusters[x] for s in e[i].text[: e[i].title_text]]
            words += [p for w in words for p in self.words.parts(w)]
            # a kind of activity is a word of the titles too: "Ryddedugnad" and "Rusk-aksjon:
            # vi rydder" both say the work day
            words += [f"kind:{k}" for k in sorted(self._kinds(self.clusters[x]))]
            # and so is a happening's theme ("Vårslipp" / "Vårfest", lexicon.toml [themes])
            words += [f"theme:{t}" for t in sorted(self._themes(self.clusters[x]))]
            found = self.titles[x] = self.weight.vector(tuple(words), frozenset())
        return found

    def _vector(self, x: int) -> dict[str, float]:
        found = self.vectors.get(x)
        if found is None:
            found = self.vectors[x] = self.weight.vector(self.words.bag(self.clusters[x]), frozenset())
        return found

    def _pairs(self) -> dict[int, list[int]]:
        """Each cluster's candidates of its slot. Two clusters with place names meet only in a
        block of a distinctive place word or a coordinate cell they share (otherwise their
        places differ); a cluster with neither (no place, a bare room) meets the whole slot,
        but only while the slot is small enough for "the only other one" to mean something
        (``WILD_SLOT``): in a region's busy hour it is nobody's clear best, and pairing it with
        everything would make the cost grow with the square of the day's events."""
        e = self.entries
        order = sorted(range(len(self.clusters)), key=lambda x: (self.minutes[x][0], x))
        blocks: dict[object, list[int]] = defaultdict(list)  # each in start order
        wild: list[int] = []
        for x in order:
            keys: set[object] = {p for i in self.clusters[x] for p in e[i].place}
            for i in self.clusters[x]:
                cell = e[i].cell
                if cell is not None:
                    keys.update((cell[0] + dy, cell[1] + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))
            if not keys:
                wild.append(x)
            for key in keys:
                blocks[key].append(x)
        found: set[tuple[int, int]] = set()
        for block in blocks.values():
            for k, x in enumerate(block):
                for y in block[k + 1 :]:
                    if self.minutes[y][0] - self.minutes[x][-1] > SLOT_MINUTES:
                        break
                    found.add((x, y) if x < y else (y, x))
        if wild:
            firsts = [self.minutes[x][0] for x in order]
            spread = max(m[-1] - m[0] for m in self.minutes)
            for x in wild:
                lo = bisect_left(firsts, self.minutes[x][0] - SLOT_MINUTES - spread)
                hi = bisect_right(firsts, self.minutes[x][-1] + SLOT_MINUTES)
                slot = [y for y in order[lo:hi] if y != x and self._within(x, y)]
                if len(slot) <= WILD_SLOT:
                    found.update((x, y) if x < y else (y, x) for y in slot)
        near: dict[int, list[int]] = defaultdict(list)
        for x, y in sorted(found):
            if self._near(x, y):
                near[x].append(y)
                near[y].append(x)
        return near

    def _within(self, x: int, y: int) -> bool:
        return min(abs(a - b) for a in self.minutes[x] for b in self.minutes[y]) <= SLOT_MINUTES

    def proposals(self) -> Iterator[Proposal]:
        near = self._pairs()
        scores: dict[int, list[tuple[float, int]]] = {}
        for x, ys in near.items():
            scores[x] = sorted(((self._likeness(x, y), y) for y in ys), key=lambda t: (-t[0], t[1]))
        for x, ranked in scores.items():
            best, y = ranked[0]
            if y < x or best < SLOT_FLOOR or not self._clear(ranked) or not self._clear(scores[y]):
                continue
            if scores[y][0][1] != x:
                continue
            if not self._content(x, y) or self._contradict(x, y):
                continue
            yield self._proposal(x, y, best)
        yield from self._triangles(scores)

    def _triangles(self, scores: dict[int, list[tuple[float, int]]]) -> Iterator[Proposal]:
        """Three clusters of one slot that are each other's two best, clearly ahead of any
        fourth, with no source in common: three listings of one event where each is as like the
        other two, so none is anyone's clear best ("Bytt og bruk: klesbyttemarked" / "Byttedag –
        klær og leker" / "Klesbyttedag")."""
        for x, ranked in scores.items():
            if len(ranked) < 2:
                continue
            (s1, y), (s2, z) = ranked[0], ranked[1]
            if not (x < y and x < z) or s2 < SLOT_FLOOR or self._clear(ranked):
                continue
            if len(ranked) > 2 and s2 < AHEAD * ranked[2][0]:
                continue
            trio = {x, y, z}
            if any({t for _, t in scores.get(m, [])[:2]} != trio - {m} for m in (y, z)):
                continue
            if any(len(scores[m]) > 2 and scores[m][1][0] < AHEAD * scores[m][2][0] for m in (y, z)):
                continue
            if (
                self.sources[x] & self.sources[y]
                or self.sources[x] & self.sources[z]
                or self.sources[y] & self.sources[z]
            ):
                continue
            pairs = ((x, y), (x, z), (y, z))
            if any(not self._content(a, b) or self._contradict(a, b) for a, b in pairs):
                continue
            yield self._proposal(x, y, s1)
            yield self._proposal(x, z, s2)

    def _content(self, x: int, y: int) -> bool:
        """Whether the two say something alike of what happens, not only where: a word of their
        own texts in common or a kind of activity ("Seniorgym" / "Seniortrim"). The place
        fields' words are in the bags (a title says "på torget" where the other's place is
        "Torget"), but two listings at "Borgen bibliotek" are alike in where, which
        ``place_agreement`` has said already ("Forfattermøte: Kari Holm" / "Lokalhistorie i
        romanform" alone at one slot are two listings)."""
        cx, cy = self.clusters[x], self.clusters[y]
        if set(self.words.own(cx)) & set(self.words.own(cy)):
            return True
        return bool(self._kinds(cx) & self._kinds(cy) or self._themes(cx) & self._themes(cy))

    def _kinds(self, members: Sequence[int]) -> frozenset[str]:
        return frozenset().union(*(self.entries[i].kinds for i in members))

    def _themes(self, members: Sequence[int]) -> frozenset[str]:
        return frozenset(t for i in members for w in self.entries[i].tokens for t in themes_of(w))

    @staticmethod
    def _clear(ranked: list[tuple[float, int]]) -> bool:
        return len(ranked) < 2 or ranked[0][0] >= AHEAD * ranked[1][0]

    def _contradict(self, x: int, y: int) -> bool:
        """Whether two events of one slot are told apart by more than their likeness says."""
        e, cx, cy = self.entries, self.clusters[x], self.clusters[y]
        kx, ky = self._kinds(cx), self._kinds(cy)
        if any(e[i].closure for i in cx) != any(e[i].closure for i in cy):
            return True  # opening hours, not an event
        if (self._programme(cx) and not self._programme(cy) and ky) or (
            self._programme(cy) and not self._programme(cx) and kx
        ):
            return True  # "Vinterferieaktiviteter" is a programme, not the "Skøyteskole" beside it
        if kx and ky and not kx & ky and not _hosts(kx, ky) and not _hosts(ky, kx):
            # "Yoga" and "Pilates" at one slot are two things to do; but a party serves a meal
            # ("Eldretreff: Fårikålfest" / "Fårikållunsj for eldre")
            return True
        if self._two_qualifiers(cx, cy):
            return True  # "Søndagstur til Vardåsen" / "Søndagstur med barnevogn": two tours
        ox, oy = self._organisers(x), self._organisers(y)
        if ox and oy and not ox & oy:
            return True  # DNT's seniortur and the volunteer centre's walk, both at 10
        return any(contradicts(e[a], e[b]) for a in cx for b in cy)

    def _programme(self, members: Sequence[int]) -> bool:
        """Whether a cluster announces a programme of several happenings: it may be the one
        drop-in session beside it ("Vinterferie-moro for barn"), not one named activity."""
        return any(self.entries[i].many for i in members)

    def _two_qualifiers(self, cx: Sequence[int], cy: Sequence[int]) -> bool:
        """Whether the clusters' timed titles share a kind of activity word and each says a word
        of its own beside it (a news post's headline is prose, not a qualifier)."""
        e = self.entries
        tx = {t for i in cx if e[i].minute is not None for t in e[i].tokens}
        ty = {t for i in cy if e[i].minute is not None for t in e[i].tokens}
        shared = {t for t in tx & ty if kinds_of(t)}
        return bool(shared) and self._own_words(tx, cy) and self._own_words(ty, cx)

    def _own_words(self, tokens: set[str], other: Sequence[int]) -> bool:
        """Whether a title says a word of its own (no kind, no audience) the other cluster's
        texts never say."""
        said = {s for i in other for s in self.entries[i].text}
        return any(
            not kinds_of(t)
            and not is_audience(t)
            and not t.isdigit()
            and t not in _TIME_NOTE
            and stem(t) not in said
            for t in tokens
        )

    def _organisers(self, x: int) -> set[tuple[str, ...]]:
        """The organisers (settings ``names``) a cluster is listed by or names."""
        found = self.named.get(x)
        if found is None:
            found = self.named[x] = self._find_organisers(self.clusters[x])
        return found

    def _find_organisers(self, members: Sequence[int]) -> set[tuple[str, ...]]:
        e = self.entries
        out = {e[i].names for i in members if e[i].names}
        texts = [phrase_text(e[i]) for i in members]
        words = {stem(w) for i in members for w in e[i].tokens | description_words(e[i].record.description)}
        for names, rep in self.organisers.items():
            if names in out:
                continue
            # a name as a phrase ("Borgen IL"), or the organiser's own word ("frivilligsentralen")
            if any(f" {n} " in t for n in names if n for t in texts) or {stem(w) for w in rep.who} & words:
                out.add(names)
        return out

    def _proposal(self, x: int, y: int, score: float) -> Proposal:
        e, w = self.entries, self.weight
        cx, cy = self.clusters[x], self.clusters[y]
        a, b = max(
            ((a, b) for a in cx for b in cy),
            key=lambda p: (w.text_likeness(e[p[0]].text, e[p[1]].text, frozenset()), -p[0], -p[1]),
        )
        return Proposal(a, b, round(score, 4), (f"one slot, each the other's best text match {score:.2f}",))


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
            if any(e[m].closure or e[m].programme for m in notice):
                continue  # opening hours or a programme, not one event
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
            if best < (FLOOR if len(scored) > 1 else LONE_FLOOR) or best < NOTICE_AHEAD * runner_up:
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
        e = self.entries
        ka, kb = (frozenset().union(*(e[i].kinds for i in c)) for c in (a, b))
        if ka and kb and not ka & kb and not (ka | kb) & HOSTS:
            # a notice of a walk is not the knitting café of that day; but a news post tells a
            # party by what it offers ("Torget fylles med musikk og mat" is the "Familiefest")
            return True
        stated = [s for i in a if (s := e[i].stated) is not None]
        starts = [m for i in b if (m := e[i].minute) is not None]
        if stated and starts and all(abs(s - m) > STATED_APART for s in stated for m in starts):
            return True  # "10.30 - 12.30" says the morning, not the 18:00 event
        return any(contradicts(e[x], e[y]) for x in a for y in b)

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
        return self.own(members) + tuple(sorted(self.said(members)))

    def own(self, members: Sequence[int]) -> tuple[str, ...]:
        """The bag without the places' and organisers' words: what the listings' texts say."""
        words = [s for m in members for s in self._entries[m].text]
        return tuple(words + [p for w in words for p in self.parts(w)])

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
