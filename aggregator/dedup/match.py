"""Whether two events from different sources describe the same occurrence, and why.

Owns the comparison features (title similarity with rapidfuzz over ``keys.title_key``, the
local start difference, place agreement, shared links, title words that only name the other
listing's organiser), the rules that turn them into a verdict with a score and the reasons, and
the blocking that finds candidate pairs: only events on the same local date that share a
distinctive place word, a grid cell, a link, or (for an event whose place says nothing
distinctive) a title-word prefix or compound head are ever compared, and only starts within the
tolerance inside a block, so the cost grows linearly with the number of events as long as one
place's events per day do not grow with the region. It must not choose clusters, canonical
copies or touch the database.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz

from aggregator.dedup.keys import (
    AREA_WORDS,
    STOPWORDS,
    alias_words,
    concept_tokens,
    coverage,
    covered,
    fixture,
    fold,
    grounds,
    kinds,
    link_key,
    links_in,
    overlap,
    place_tokens,
    place_words,
    rooms_in,
    same_fixture,
    same_word,
    stem,
    title_key,
    title_tokens,
    title_where,
    without_audience,
    without_place,
    without_words,
)
from aggregator.dedup.keys import kinds as kinds_of_title
from aggregator.dedup.salience import (
    DESCRIPTION_LIKENESS,
    THEME_LIKENESS,
    THEME_NEEDED,
    Weights,
    contradiction,
    description_words,
    proper_words,
    shared_weight,
    text_stems,
)
from aggregator.model import EventRecord

#: Title-only matches need starts this close (minutes); a shared link allows more, because a
#: news post often gives the meeting time and the organiser the departure (or the reverse).
TITLE_TOLERANCE = 30
#: How far apart (minutes) two listings may start when one says its time was moved.
MOVED_TOLERANCE = 120
#: Starts this far apart are one event's when one listing's words give the other's start
#: ("Innlevering fra kl. 10, byttingen starter kl. 11"; ``_gives_start``).
STATED_TOLERANCE = 90
#: A start that many listings share is paired with a listing giving it only through a shared
#: place or title word (a region's busy hour); a smaller slot is paired whole.
STATED_SLOT = 12
LINK_TOLERANCE = 180
#: A (date, word prefix) block with more events than this says nothing (a word every source
#: uses that day); it is skipped so one generic word cannot make the cost quadratic. A place
#: block this big (a festival's hundred stands on one square) is split by title word instead.
MAX_BLOCK = 400
PREFIX = 4
#: A listing with no place is paired through its title words said by at most this many
#: listings that day (rare enough to tell, and bounded as a region grows); a date-only one,
#: which meets every listing of the day rather than those within TITLE_TOLERANCE, through words
#: said by at most NOTICE_BLOCK (with 20, a region of 500 sources paired each date-only notice
#: with ten times more listings than one town did).
PLACELESS_BLOCK = 20
NOTICE_BLOCK = 4
#: The weighted share of title words (``salience.shared_weight``) that is enough at one place, by
#: how far apart the starts are (minutes): a news post rounds "i 10-tiden", a café opens half an
#: hour before the meeting; and for an all-day listing against a timed one on the same date.
SALIENT = ((5, 0.2), (15, 0.6), (TITLE_TOLERANCE, 0.7))
SALIENT_ALL_DAY = 0.5
#: How much a date-only listing's stated clock time moves its score with a timed listing.
STATED_BONUS = 0.05
#: The weighted share needed when one listing names no place (at one start, or one side all-day).
SALIENT_UNKNOWN_PLACE = 0.7
#: The TF-IDF cosine of two whole listings (title and description lead) that is enough where the
#: title words alone are not (SALIENT): on its own, or with this much weighted title share.
TEXT_ALONE = 0.5
TEXT_WITH_TITLE = (0.15, 0.2)
TEXT_DESCRIBED = 1
#: The same for an all-day listing against a timed one, where the date alone brings them together.
TEXT_WITH_TITLE_ALL_DAY = (0.25, 0.2)
TEXT_DT = 15
#: Place words of sports venues: a title with two sides there is a fixture.
_VENUES = frozenset(
    stem(w) for w in ("kunstgress", "stadion", "idrettsplass", "idrettsplassen", "gressbane", "idrettshall")
)
# ``_weak``'s shortcut assumes a theme lifts a word no more than a description does.
assert THEME_LIKENESS <= DESCRIPTION_LIKENESS
#: Places with coordinates this close (metres) are the same place.
NEAR_M = 150.0
#: Grid cells for coordinates (degrees): wider than NEAR_M both ways at Norway's latitudes
#: (0.005° of longitude is ~280 m at 60° N), so two places NEAR_M apart are in neighbouring cells.
CELL_DEG = 0.005


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
    source_id: str = ""
    who: frozenset[str] = frozenset()  # words naming the source/organiser ("musikkorps")
    word_keys: frozenset[str] = frozenset()  # title-word prefixes and compound heads (blocking)
    cell: tuple[int, int] | None = None  # coordinate grid cell (blocking)
    weight: Weights | None = None  # title-word weights of the whole input (shared by all entries)
    stated: int | None = None  # an all-day listing's clock time from its words ("kl. 18")
    text: tuple[str, ...] = ()  # stems of title and description lead (``salience.text_stems``)
    title_text: int = 0  # how many of ``text`` come from the title (they come first)
    names: tuple[str, ...] = ()  # folded names the source's organiser goes by (settings)
    closure: bool = False  # the title is about opening hours or a closure (``_closure``)
    moved: bool = False  # the listing says its start was moved (``_moved_time``)
    more_kinds: tuple[tuple[str, str], ...] = ()  # the operator's kinds: (word, kind), one tuple for all
    kinds: frozenset[str] = frozenset()  # kinds of activity the title names (``keys.kinds``)
    many: bool = False  # the title announces several happenings, loosely (``programme``, not strict)
    grounds: frozenset[str] = frozenset()  # kinds of ground the title or place names ("på torget")
    programme: bool = False  # the title announces several happenings (``programme``)

    @property
    def wild(self) -> bool:
        """No distinctive place word: the place may be "unknown" or "same" (a generic "Asker
        bibliotek") with any other, so only the title can block it."""
        return not self.place


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float
    reasons: tuple[str, ...]


@lru_cache(maxsize=65536)
def _features(
    title: str, location: str | None, address: str | None
) -> tuple[str, frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(key, tokens, distinctive place words, all place words, blocking word keys), cached:
    a regional feed repeats the same (title, place) thousands of times."""
    words = place_words(location, address)
    tokens = without_place(concept_tokens(title_tokens(title)), words)
    distinctive = frozenset(w for w in words if w in place_tokens(location, address))
    return " ".join(tokens), frozenset(tokens), distinctive, words, _word_keys(tokens)


def _with_synonyms(
    features: tuple[str, frozenset[str], frozenset[str], frozenset[str], frozenset[str]],
    synonyms: dict[str, str],
) -> tuple[str, frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    key, tokens, distinctive, words, _ = features
    if not any(t in synonyms for t in tokens):
        return features
    mapped = [synonyms.get(t, t) for t in key.split()]
    return " ".join(mapped), frozenset(mapped), distinctive, words, _word_keys(mapped)


def _word_keys(tokens: Iterable[str]) -> frozenset[str]:
    # A prefix survives a typo or an inflection; the stem's last letters are a compound's head
    # ("vårdugnad"/"dugnad"), which ``same_word`` accepts but a prefix would never block.
    return frozenset([t[:PREFIX] for t in tokens] + [k for t in tokens if (k := _tail_key(t))])


def _tail_key(word: str) -> str | None:
    """The last letters of a word's stem, an "s" a compound's stem kept set aside ("skolekorps"
    and "korps" both end in "korp"), as a blocking key; None for a stem shorter than PREFIX."""
    s = stem(word)
    if len(s) > PREFIX and s.endswith("s"):
        s = s[:-1]
    return "~" + s[-PREFIX:] if len(s) >= PREFIX else None


_SPLIT = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def _who(source_id: str, organizer: str | None) -> frozenset[str]:
    """Words that name a listing's source or organiser ("musikkorps", "kulturskole"): in another
    source's title they say who, not what ("Borgen musikkorps: åpen øvelse")."""
    words = _SPLIT.split(fold(source_id)) + (_SPLIT.split(fold(organizer)) if organizer else [])
    return frozenset(w for w in words if len(w) >= 4 and w not in STOPWORDS)


def prepare(
    records: Sequence[EventRecord],
    priorities: dict[str, int],
    zone: ZoneInfo,
    same_places: Sequence[Sequence[str]] = (),
    same_words: Sequence[Sequence[str]] = (),
    names: Mapping[str, Sequence[str]] | None = None,
    kinds: Sequence[tuple[str, Sequence[str]]] = (),
) -> list[Entry]:
    """Entries for ``records`` (index = position). Links used by several events of one source
    (a source's generic "events" page) are dropped: they are no evidence of identity.

    ``same_places`` are the operator's groups of names for one place ("Borgen bibliotek" is in
    the square's building): a place naming any of a group gets the group as a place token.
    ``names`` are the names each source's organiser goes by (settings: ``names``); ``kinds``
    the operator's kinds of activity (settings: ``kinds``), added to the lexicon's."""
    more_kinds = tuple((fold(w), kind) for kind, words in kinds for w in words)
    folded_names = {
        sid: tuple(" ".join(_SPLIT.split(fold(n))).strip() for n in ns) for sid, ns in (names or {}).items()
    }
    # An operator's name is recognised by its words in any order and form: "Biblioteket på
    # Borgen" and "Borgen Library" are the group's "Borgen bibliotek".
    groups = [tuple(alias_words(name) for name in group) for group in same_places]
    # The operator's words for one kind of event become the group's first word, like the
    # shipped lexicon's concepts (the lexicon is read once; these may differ per deployment).
    synonyms = {
        concept_tokens(title_tokens(w))[0]: concept_tokens(title_tokens(g[0]))[0]
        for g in same_words
        if g and title_tokens(g[0])
        for w in g[1:]
        if title_tokens(w)
    }
    raw_links: list[set[str]] = []
    # A link several events of one source use on one day is that source's generic page; a
    # series page ("/loppemarked" for the collection day and the market day) still tells on a
    # day which of that source's events another source's listing is.
    per_source: Counter[tuple[str, str, date]] = Counter()
    days = [rec.start.date() if rec.all_day else rec.start.astimezone(zone).date() for rec in records]
    for rec, day in zip(records, days, strict=True):
        links = {k for k in (link_key(u) for u in (rec.url, rec.signup_url, *links_in(rec.description))) if k}
        raw_links.append(links)
        for k in links:
            per_source[(rec.source_id, k, day)] += 1
    features = [_features(rec.title, rec.location, rec.address) for rec in records]
    if synonyms:
        features = [_with_synonyms(f, synonyms) for f in features]
    # Each listing's text once per run (a region's descriptions would overflow a shared cache).
    texts: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for rec in records:
        if (rec.title, rec.description) not in texts:
            texts[(rec.title, rec.description)] = text_stems(rec.title, rec.description)
    # One count per source and title: a weekly series is one title, not fifty.
    weight = Weights(
        (
            tuple(f[1])
            for f in {(rec.source_id, f[0]): f for rec, f in zip(records, features, strict=True)}.values()
        ),
        texts.values(),
    )
    out: list[Entry] = []
    for i, rec in enumerate(records):
        local = rec.start if rec.all_day else rec.start.astimezone(zone)
        key, tokens, distinctive, words, word_keys = features[i]
        if groups:
            where = alias_words(" ".join(filter(None, (rec.location, rec.address))))
            named = {f"@{n}" for n, group in enumerate(groups) if any(alias <= where for alias in group)}
            if named:
                distinctive, words = distinctive | named, words | named
        lat, lon = rec.latitude, rec.longitude
        out.append(
            Entry(
                index=i,
                record=rec,
                priority=priorities.get(rec.source_id, 0),
                key=key,
                tokens=tokens,
                place=distinctive,
                place_words=words,
                links=frozenset(k for k in raw_links[i] if per_source[(rec.source_id, k, days[i])] == 1),
                day=local.date(),
                minute=None if rec.all_day else local.hour * 60 + local.minute,
                stated=_stated_minute(rec.title, rec.description) if rec.all_day else None,
                text=texts[(rec.title, rec.description)],
                title_text=len(text_stems(rec.title, None)),
                names=folded_names.get(rec.source_id, ()),
                closure=_closure(rec.title),
                moved=_moved_time(rec.title, rec.description),
                grounds=grounds(title_where(rec.title)) | grounds(words),
                programme=programme(rec.title),
                more_kinds=more_kinds,
                kinds=kinds_of_title(tokens, more_kinds),
                many=programme(rec.title, strict=False),
                source_id=rec.source_id,
                who=_who(rec.source_id, rec.organizer),
                word_keys=word_keys,
                cell=None
                if lat is None or lon is None
                else (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)),
                weight=weight,
            )
        )
    return out


# "kl. 18", "kl 9.30", "klokka 18:00": a clock time a date-only listing states in its words.
# Only with "kl." — "18.10" alone is as often the 18th of October.
_STATED_CLOCK = re.compile(r"\b(?:kl|klokka|klokken)\.?\s*(\d{1,2})(?:[.:](\d{2}))?\b", re.IGNORECASE)


@lru_cache(maxsize=16384)
def _stated_minute(title: str, description: str | None) -> int | None:
    """The first clock time a date-only listing gives in its title or description lead, as
    local minutes, or None. Only a hint (``_by_stated``): it is the start ("Dørene åpner kl.
    10"), the show it means ("kveldsforestillingen kl. 18") or a moment of the day ("nissen
    kommer kl. 13")."""
    m = _STATED_CLOCK.search(f"{title} {(description or '')[:300]}")
    if m is None:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    return hour * 60 + minute if hour < 24 and minute < 60 else None


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
        return _grounds_say(a, b)
    shared = a.place & b.place or _stem_shared(a.place, b.place)
    if any(p.startswith("@") for p in shared):
        return "same"  # the operator says these names are one place (settings: same_places)
    if shared:
        return "different" if _kinds_conflict(a, b) or _kinds_conflict(b, a) else "same"
    # "Asker bibliotek" has no distinctive word of its own: it is the same place as "Asker
    # bibliotek, Strandveien 8" (all its words are there), not as "Borgen bibliotek".
    if (not a.place and a.place_words <= b.place_words) or (not b.place and b.place_words <= a.place_words):
        return "same"
    # A room or kind of house with no name ("Storsalen", "Fotballbanen", "Kirken") against a
    # named place: it may well be there, so it says nothing either way. "Asker kirke" is named.
    if (_bare(a) and b.place) or (_bare(b) and a.place):
        return _grounds_say(a, b)
    # Two unnamed places: a room ("Møterommet, 2. etasje") may be in a kind of house the other
    # says ("biblioteket"); two rooms ("kafeen" / "storsalen") or two kinds of house are two.
    if _bare(a) and _bare(b) and (_in_house(a, b) or _in_house(b, a)):
        return _grounds_say(a, b)
    return "different"


def _in_house(room: Entry, house: Entry) -> bool:
    """``room`` names only rooms, ``house`` no room: the room may be in that house."""
    return (
        bool(room.place_words)
        and room.place_words <= rooms_in(room.place_words)
        and not rooms_in(house.place_words)
    )


def _grounds_say(a: Entry, b: Entry) -> str:
    """ "unknown", unless the kinds of ground the two say, in their titles or places, differ:
    "Ryddedugnad rundt torget" (met "utenfor hovedinngangen") is not at the pitch of "Dugnad på
    kunstgresset". A room ("kafeen") is inside some house and says nothing here."""
    return "different" if grounds_differ(a, b) else "unknown"


def grounds_differ(a: Entry, b: Entry) -> bool:
    """Each names a kind of ground, in its title or place, and none in common: the pitch's
    "Dugnad på Borgen kunstgress" and the square's "Vårdugnad på torget"."""
    return bool(a.grounds) and bool(b.grounds) and not a.grounds & b.grounds


def _bare(e: Entry) -> bool:
    """A place of generic words only, no name (``place_agreement``)."""
    return not e.place and not (e.place_words & AREA_WORDS)


def _kinds_conflict(a: Entry, b: Entry) -> bool:
    """ "Borgen skole" and "Borgen innbyggertorg" share the area's name, not the place: one names
    a kind of place (skole, kirke, kunstgress) the other does not mention, while the other
    names something of its own. A room or an address added to the same place is no conflict."""
    # the area ("Semsvannet, Asker") and a room or car park ("Semsvannet parkering") are no kind
    kinds = a.place_words - a.place - AREA_WORDS - rooms_in(a.place_words)
    other_kinds = b.place_words - b.place - AREA_WORDS - rooms_in(b.place_words)
    own = {p for p in b.place if not p.startswith("@") and not _prefix_said(p, a.place_words)}
    missing = {k for k in kinds if not _prefix_said(k, b.place_words)}
    return bool(missing) and (
        bool(own) or bool({k for k in other_kinds if not _prefix_said(k, a.place_words)})
    )


#: The shortest stem a place word may share as the beginning of a longer one ("kunstgress" /
#: "kunstgressbane", "Skaugum" / "Skaugumsåsen"); "Borg" of "Borgenhallen" is too short.
PLACE_PREFIX = 5


def _prefix_said(word: str, words: frozenset[str]) -> bool:
    """Whether ``word`` is among ``words``, as itself or as the beginning of one (or one of them
    the beginning of it), both at least PLACE_PREFIX letters."""
    if word in words:
        return True
    if len(word) < PLACE_PREFIX:
        return False
    return any(len(w) >= PLACE_PREFIX and (w.startswith(word) or word.startswith(w)) for w in words)


def _stem_shared(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """Distinctive place words of ``a`` that ``b`` says as the beginning of a longer word or the
    other way round ("Skaugum" / "Skaugumsåsen")."""
    return frozenset(
        w
        for w in a
        if not w.startswith("@") and _prefix_said(w, frozenset(p for p in b if not p.startswith("@")))
    )


def compare(a: Entry, b: Entry) -> Verdict | None:
    """The verdict for two entries, or None when they are different events."""
    if a.day != b.day or not a.key or not b.key:
        return None
    if a.closure != b.closure or a.programme != b.programme:
        # "Kafé KIME holder stengt i høstferien" is about opening hours, not the holiday's
        # open gym it shares words with
        return None
    if a.minute is None or b.minute is None:
        dt: int | None = 0 if a.minute is None and b.minute is None else None
    else:
        dt = abs(a.minute - b.minute)
    shared = a.links & b.links
    where = place_agreement(a, b)
    # Most candidate pairs are rejected here, before any string work: different places never
    # match without a shared link; a timed and an all-day listing only at one named place (the
    # square's calendar lists a market day, the organiser its opening hour).
    if where == "different" and dt is not None and (_says_where_and_when(a, b) or _says_where_and_when(b, a)):
        # "Vi samkjører fra Borgen kl. 10.00. Turen starter 10.30 ved Sem gård": the other's
        # place and start are this one's trailhead; the places are one event's two
        where, dt = "same", 0
    # "Innlevering fra kl. 10, byttingen starter kl. 11", "flyttet fra kl 18 til kl 19": one
    # listing's words give the other's start, so the two starts are one event's
    stated = dt is not None and TITLE_TOLERANCE < dt <= STATED_TOLERANCE and _gives_start(a, b)
    moved = not stated and dt is not None and TITLE_TOLERANCE < dt <= MOVED_TOLERANCE and (a.moved or b.moved)
    if not shared and (
        where == "different" or (dt is not None and dt > TITLE_TOLERANCE and not (moved or stated))
    ):
        return None
    so = fuzz.token_sort_ratio(a.key, b.key) / 100
    ts = fuzz.token_set_ratio(a.key, b.key) / 100
    if moved:
        return _moved(a, b, so, ts, where)

    start = f"start Δ{'date' if dt is None else f'{dt}min'}"
    if stated:
        dt, start = 0, f"{start}, a time the other gives"
    elif dt is not None and 5 < dt <= TITLE_TOLERANCE and _meeting_time(a, b):
        # the earlier start is when doors open or people meet: the two starts are one
        dt, start = 0, f"{start}, a meeting or door time"

    def verdict(score: float, *extra: str) -> Verdict:
        reasons = [
            f"title {so:.2f}/{ts:.2f}",
            start,
            f"place {where}",
        ]
        return Verdict(
            round(score, 4),
            (*extra, *reasons) if extra and extra[0].startswith("shared") else (*reasons, *extra),
        )

    if shared and (dt is None or dt <= LINK_TOLERANCE) and (ts >= 0.5 or (dt is not None and dt <= 15)):
        return verdict(0.9 + 0.1 * ts, "shared link " + sorted(shared)[0])
    if where == "different":
        return None
    if dt is not None and dt <= 15:
        # A team-sport fixture written two ways ("Borgen IL J13 – Vollen UL" / "Fotball: J13 mot
        # Vollen", third-set miss): the same teams as an unordered pair and the same age class,
        # wherever each says it is played ("Fotballbanen" / "Borgen kunstgress").
        venue = bool((a.place_words | b.place_words) & _VENUES)
        fa, fb = fixture(a.record.title, venue), fixture(b.record.title, venue)
        if fa is not None and fb is not None:
            if same_fixture(fa, fb):
                return verdict(0.5 + 0.2 * ts + 0.1 * so - dt / 600, "the same fixture")
            return None
    if where == "unknown" and (dt is None or so < 0.9):
        # One listing names no place (a news post, a date-only notice): a near-identical title
        # within 30 minutes (below), or the weighted title words nearly all shared at one start
        # or with one side all-day ("Bli med DNT Asker til Vardåsen på søndag").
        if dt is None:
            return _by_stated(a, b, _weak(a, b, dt, verdict, unknown_place=True))
        return _weak(a, b, dt, verdict, unknown_place=True) if dt <= SALIENT[0][0] else None
    if dt is None:
        return _by_stated(a, b, _weak(a, b, dt, verdict))
    if so >= 0.8 and dt <= 5 and where == "same":
        return verdict(0.5 + 0.3 * so + 0.1 - dt / 600)
    if so >= 0.9 and dt <= TITLE_TOLERANCE:
        return verdict(0.5 + 0.3 * so + 0.1 * (where == "same") - dt / 600)
    if ts >= 0.95 and so >= 0.5 and dt <= 15 and where == "same":
        return verdict(0.4 + 0.3 * ts + 0.1 * so - dt / 600)
    if where != "same":
        return None
    if dt > 15:
        return _weak(a, b, dt, verdict)
    # Word evidence at the same place and time. A title word naming the other listing's
    # organiser says who, not what: "Borgen musikkorps: åpen øvelse" from the news is the
    # musikkorps' own "Åpen øvelse for nye musikanter" (held-out miss).
    ta, tb = without_words(a.tokens, b.who), without_words(b.tokens, a.who)
    if not any(len(t) >= 5 for t in ta | tb):
        return None
    share, found = overlap(ta, tb)
    # Every word of the shorter title is in the longer one (as a word, a stem, a compound's
    # head or a synonymous head: "Vårdugnad" / "Dugnad på Borgen – vår").
    if share == 1.0:
        return verdict(0.45 + 0.2 * ts + 0.1 * so - dt / 600, "every word of the shorter title")
    # The same start to the minute at the same place is evidence of its own: two shared words
    # that are most of the shorter title are enough then; one shared word never is ("Søndagstur
    # til Vardåsen" / "Søndagstur til Skaugumsåsen" leave from the square at ten).
    if dt <= 5 and found >= 2 and share >= 0.6:
        return verdict(
            0.4 + 0.2 * ts + 0.1 * so - dt / 600, f"{found} shared words at the same start and place"
        )
    # Every word of one title is said by the other once compounds are split and an audience the
    # other does not contradict is set aside (third-set misses "Halloween" / "Halloweenfest for
    # barn", "Kurs i førstehjelp" / "Førstehjelpskurs", "Digitalhjelp for seniorer" / "Digital
    # hjelp: BankID og Vipps"); with and without the other's organiser words ("Borgen musikkorps
    # underholder" / "Korpset spiller på høstmarkedet" needs "musikkorps").
    for xa, xb in ((ta, tb), (a.tokens, b.tokens)):
        ca, cb = without_audience(xa, xb)
        if covered(ca, cb) or covered(cb, ca):
            return verdict(0.4 + 0.2 * ts + 0.1 * so - dt / 600, "every word of one title, compounds split")
    return _weak(a, b, dt, verdict, (ta, tb))


def _weak(
    a: Entry,
    b: Entry,
    dt: int | None,
    verdict: Callable[..., Verdict],
    words: tuple[frozenset[str], frozenset[str]] | None = None,
    *,
    unknown_place: bool = False,
) -> Verdict | None:
    """Weaker word evidence, weighted by how telling the words are, with the descriptions: enough
    at one place and start when nothing contradicts it ("Strikkekafé" / "Strikking og prat");
    more is needed the further apart the starts are, or when one listing is all-day."""
    if a.weight is None:
        return None
    # the title words without the other's organiser words; compare passes them when it has them
    ta, tb = words or (without_words(a.tokens, b.who), without_words(b.tokens, a.who))
    if unknown_place:
        needed: float | None = SALIENT_UNKNOWN_PLACE
    else:
        needed = SALIENT_ALL_DAY if dt is None else next((s for limit, s in SALIENT if dt <= limit), None)
    if needed is None:
        return None
    names = proper_words(a.record.title) | proper_words(b.record.title)
    described = bool(a.record.description) + bool(b.record.description)
    text_allowed = described >= TEXT_DESCRIBED and (dt or 0) <= TEXT_DT
    with_title = TEXT_WITH_TITLE if dt is not None else TEXT_WITH_TITLE_ALL_DAY
    # The descriptions' words are the costly part (a place-less notice meets twenty listings a
    # day in a region), and they only count for title words the other title does not say:
    title_only, rest_a, rest_b = shared_weight(ta, tb, a.weight, names=names)
    # Where no organiser rule applies, descriptions and themes lift an unmatched word to at most
    # DESCRIPTION_LIKENESS: when even that cannot reach ``needed``, only alike texts could.
    if (
        (unknown_place or dt is None or dt > SALIENT[0][0])
        and title_only + DESCRIPTION_LIKENESS * (1 - title_only) < needed
        and (not text_allowed or _text(a, b) < with_title[0])
    ):
        return None
    share = partial(
        shared_weight,
        ta,
        tb,
        a.weight,
        description_words(a.record.description),
        description_words(b.record.description),
        names,
    )
    # every word said by the other title: the descriptions could change nothing
    share_w, rest_a, rest_b = (title_only, rest_a, rest_b) if not (rest_a or rest_b) else share()
    extra: tuple[str, ...] = ()
    if share_w < needed and dt is not None and dt <= SALIENT[0][0] and not unknown_place:
        # A portal's category title ("Konsert", "Kurs") whose text names the other listing's
        # organiser ("Borgen musikkorps"), at one place and start: the organiser's own event.
        named = _names_organiser(a, b) or _names_organiser(b, a)
        ka, kb = kinds(ta, a.more_kinds), kinds(tb, b.more_kinds)
        if named and not (ka and kb and not ka & kb):
            # (not when the titles name two kinds of activity: an organiser with a walk and a
            # computer course at ten has two events, and the portal's says which)
            share_w, extra = needed, (f"names the organiser {named}",)
    if share_w < needed:
        # Words of one happening ("Slå katta ut av tønna!" / "Fastelavnsfest"), when they make
        # up most of both titles.
        themed = share(themes=True)[0]
        if themed >= max(needed, THEME_NEEDED):
            share_w, extra = needed, (f"one happening {themed:.2f}",)
    if share_w < needed and text_allowed:
        # The whole listings alike: a news post retells the event in its own title, but its
        # text says what the organiser's does ("Lokalhistorie i romanform" / "Forfattermøte",
        # both texts naming the book and the farm it is about).
        text = _text(a, b)
        if text >= TEXT_ALONE or (text >= with_title[0] and share_w >= with_title[1]):
            share_w, extra = needed, (f"texts alike {text:.2f}",)
    if share_w < needed:
        return None
    why_not = contradiction(
        a.record.title, b.record.title, ta, tb, rest_a, rest_b, a.place_words | b.place_words
    )
    if why_not is not None:
        return None
    return verdict(0.3 + 0.2 * share_w - (dt or 0) / 600, f"weighted shared words {share_w:.2f}", *extra)


# ("Ingen språkkafé i vinterferien", "No language café this week": a pause, not an event)
_CLOSURE = re.compile(
    r"stengt\b|\bstenger\b|apningstid(?:er|ene)?\b|\bclosed\b|\bopening hours\b|^ingen\b|^no\b|\bsommerpause\b"
)
# A programme of several happenings: "Høstferie på Borgen: dette skjer", "Vinterferieaktiviteter"
# (the compound only: "musikk, mat og aktiviteter" is what one event offers).
# ("Vinterferie på Borgen": a holiday at a place, nothing else, is its programme)
_PROGRAMME = re.compile(
    r"\bdette skjer\b|\bwhat'?s on\b|\bprogram(?:met)?\b|^(?:vinter|host|paske|sommer|jule)ferie(?:n)? (?:pa|i) \w+$"
)
_ACTIVITIES = re.compile(r"\w{4,}aktiviteter\b")


def _closure(title: str) -> bool:
    """A title about opening hours or a closure ("Biblioteket holder stengt i påsken",
    "Påskeåpningstider"), not an event: it never joins an event's listing."""
    return bool(_CLOSURE.search(fold(title)))


def programme(title: str, strict: bool = True) -> bool:
    """A title that announces a programme of several happenings, not one of them ("dette
    skjer"): it joins nothing that is not a programme too. Not ``strict``, a season's
    "-aktiviteter" counts too: enough to keep the second looks (``relative.py``) from joining
    "Vinterferieaktiviteter" to the one activity beside it, not for the pair rules, which see
    "Vinterferie: Aktivitetsdag" as its like."""
    folded = fold(title)
    return bool(_PROGRAMME.search(folded) or (not strict and _ACTIVITIES.search(folded)))


def contradicts(a: Entry, b: Entry) -> str | None:
    """Why two listings' titles name different events whatever else they share
    (``salience.contradiction``: different proper names, organisers or audiences), or None."""
    if a.weight is None:
        return None
    ta, tb = without_words(a.tokens, b.who), without_words(b.tokens, a.who)
    _, rest_a, rest_b = shared_weight(
        ta,
        tb,
        a.weight,
        description_words(a.record.description),
        description_words(b.record.description),
        proper_words(a.record.title) | proper_words(b.record.title),
    )
    return contradiction(
        a.record.title, b.record.title, ta, tb, rest_a, rest_b, a.place_words | b.place_words
    )


def _text(a: Entry, b: Entry) -> float:
    """The two whole listings' likeness (``Weights.text_likeness``), their places aside."""
    assert a.weight is not None
    return a.weight.text_likeness(a.text, b.text, a.place_words | b.place_words)


def _by_stated(a: Entry, b: Entry, found: Verdict | None) -> Verdict | None:
    """An all-day listing's match with a timed one, scored up when the clock time its words state
    is the other's start (within TITLE_TOLERANCE) and down when it is not, so that of two shows
    of one day the news post joins the one it names (clusters take the best scores first)."""
    if found is None:
        return None
    day, timed = (a, b) if a.minute is None else (b, a)
    if day.stated is None or timed.minute is None:
        return found
    near = abs(day.stated - timed.minute) <= TITLE_TOLERANCE
    return Verdict(
        round(found.score + (STATED_BONUS if near else -STATED_BONUS), 4),
        (*found.reasons, f"says kl. {day.stated // 60:02d}.{day.stated % 60:02d}"),
    )


def phrase_text(e: Entry) -> str:
    """A listing's title and description folded, its words between single spaces: a name is
    found in it as a phrase (``f" {name} " in text``), not as a piece of a word."""
    said = fold(f"{e.record.title} {e.record.description or ''}")
    return f" {' '.join(_SPLIT.split(said))} "


def _names_organiser(x: Entry, y: Entry) -> str | None:
    """A name ``y``'s organiser goes by (settings ``names``: "Borgen IL") that ``x``'s title or
    description says as a phrase, or a word of ``y``'s source or organiser it says, places
    aside ("bibliotek" in a description is where, not who)."""
    if y.names:
        text = phrase_text(x)
        found = next((n for n in y.names if n and f" {n} " in text), None)
        if found is not None:
            return found
    who = {w for w in y.who if stem(w) not in x.place_words and stem(w) not in y.place_words}
    if not who:
        return None
    said = x.tokens | description_words(x.record.description)
    return next((w for w in sorted(who) if any(same_word(w, t) for t in said)), None)


# A time before the event itself: meeting, doors, coffee ("dørene åpner 17.45", "kaffe fra 18.30").
_MEETING = re.compile(
    r"\boppm(?:o|oe)te|\bmeeting point\b|\bd(?:o|oe)r(?:ene|a|er)?\s+(?:apner|apnes)|\bdoors?\s+open"
    r"|\bkaffe(?:n)?\s+(?:fra\s+)?(?:kl\.?\s*)?\d"
)
# Clock times a listing's words give: "18.30", "kl. 19", "start 19", "fra 17:45".
_CLOCK = re.compile(
    r"\b([01]?\d|2[0-3])[.:]([0-5]\d)\b|\b(?:kl|klokka|start|starter|fra)\.?\s*([01]?\d|2[0-3])\b(?![.:]\d)"
)


# A listing that says its time was changed ("NB! nytt tidspunkt", "Kampen er flyttet fra 19.00 til
# 20.00", "starter én time senere denne gangen").
_MOVED = re.compile(
    r"\bnytt? (?:tidspunkt|klokkeslett)\b|\bny tid\b|\bflyttet (?:fra|til)\b|\bendret (?:tid|tidspunkt)\b"
    r"|\b(?:en|ein|1) times? (?:senere|seinare|tidligere|tidlegare)\b|\bnew time\b|\bmoved to\b"
)


def _moved_time(title: str, description: str | None) -> bool:
    """Whether a listing says its start was moved (``_MOVED``): another source may still list the
    old one."""
    return bool(_MOVED.search(fold(f"{title} {(description or '')[:300]}")))


def _moved(a: Entry, b: Entry, so: float, ts: float, where: str) -> Verdict | None:
    """Two listings up to MOVED_TOLERANCE apart, one saying its time was moved: one event if
    their titles are the same event's ("Språkkafé" / "Språkkafé – NB: kl. 18 denne uka"; the
    same fixture) at a place that does not contradict; one source has the old time."""
    fa, fb = fixture(a.record.title, True), fixture(b.record.title, True)
    same = (fa is not None and fb is not None and same_fixture(fa, fb)) or ts >= 0.95 or so >= 0.9
    if not same or where == "different" or contradicts(a, b):
        return None
    return Verdict(
        round(0.45 + 0.2 * ts, 4),
        (f"title {so:.2f}/{ts:.2f}", "one says the time was moved", f"place {where}"),
    )


def _says_where_and_when(a: Entry, b: Entry) -> bool:
    """Whether ``a``'s description gives ``b``'s start as a clock time and names every
    distinctive word of ``b``'s place: a tour listed from the meeting point by one source says
    where and when it starts at the trailhead the other lists."""
    if b.minute is None or not b.place or not a.record.description:
        return False
    if b.minute not in _clock_times("", a.record.description):
        return False
    # the words of b's place that a's own place does not have ("Borgen" names the area of both);
    # one said in a's title or description lead is enough: "turstart fra parkeringen ved Kolsås"
    # is "Parkeringsplassen ved Kolsås stasjon", "Søndagstur: Vestmarka fra Kjaglidalen" starts
    # at "Kjaglidalen parkering, Vestmarka"
    named = {p for p in b.place if not p.startswith("@")} - a.place_words
    return bool(named & place_words(a.record.title, a.record.description[:300]))


def _gives_start(a: Entry, b: Entry) -> bool:
    """One listing's title or description lead gives the other's start as a clock time that is
    not the end of a range ("kl. 11.00–14.00" gives 11, not 14)."""
    return (b.minute in _start_times(a.record.title, a.record.description)) or (
        a.minute in _start_times(b.record.title, b.record.description)
    )


@lru_cache(maxsize=16384)
def _start_times(title: str, description: str | None) -> frozenset[int]:
    """The clock times a listing's words give as a start: said after a word of starting,
    serving, opening or moving ("byttingen starter kl. 11", "lunsjen serveres kl. 12", "flyttet
    fra kl 18"), and not the end of a range. "Før det leser biblioteket kl. 15.30" in a news post
    is another event's time."""
    text = fold(f"{title} {(description or '')[:300]}")
    out: set[int] = set()
    for m in _CLOCK.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        if _RANGE_END.search(before) or not _START_WORD.search(before):
            continue
        out.add(_clock_minute(m))
    return frozenset(out)


_RANGE_END = re.compile(r"[–—-]\s*$")
_START_WORD = re.compile(r"start|begynn|server|apne|flytt|\bfra\b")


def _meeting_time(a: Entry, b: Entry) -> bool:
    """The earlier listing gives a meeting, door or coffee time ("Sykkeltur – oppmøte 10.45",
    "Korpskonsert – dørene åpner 17.30"), or one listing's words give the other's start ("Kaffe
    18.30, start 19"): the two may start up to TITLE_TOLERANCE apart without a shared link."""
    early, late = (a, b) if (a.minute or 0) < (b.minute or 0) else (b, a)
    rec = early.record
    if _MEETING.search(fold(rec.title)) or (rec.description and _MEETING.search(fold(rec.description))):
        return True
    return late.minute in _clock_times(early.record.title, early.record.description) or (
        early.minute in _clock_times(late.record.title, late.record.description)
    )


@lru_cache(maxsize=16384)
def _clock_times(title: str, description: str | None) -> frozenset[int]:
    """The clock times (local minutes) a listing's title and description lead give."""
    return frozenset(_clock_minute(m) for m in _CLOCK.finditer(f"{title} {(description or '')[:300]}"))


def _clock_minute(m: re.Match[str]) -> int:
    """The local minutes of a ``_CLOCK`` match: "18.30" or "kl. 19"."""
    return int(m.group(1)) * 60 + int(m.group(2)) if m.group(1) is not None else int(m.group(3)) * 60


def candidate_pairs(entries: Sequence[Entry]) -> Iterator[tuple[int, int]]:
    """Pairs (i < j) of entries from different sources worth comparing, each once.

    Blocks, all within one local date and only with starts within the tolerance:
    - a distinctive place word: any two listings at one place and time are compared, whatever
      their titles (paraphrases share no word: "Kvinnedagen: kveld" / "8. mars-markering");
    - a coordinate grid cell and its neighbours (places NEAR_M apart, whatever their names);
    - a shared link (LINK_TOLERANCE, all-day listings included);
    - a title-word prefix or compound head, but only for pairs where one side's place has no
      distinctive word: two listings with distinctive place words either share one (a place
      block has them) or are at different places, which never match without a shared link.
      A listing's distinctive place words are indexed with its title words, so a place-less
      "Konsert – Hvalvik" meets the concert at "Hvalvik kulturhus"; all-day listings meet
      timed ones here too (a date-only notice is often the one without a place).
    The last rule is what keeps the cost linear in a region: the same activity words occur in
    every town, but a town's places do not.
    """
    # Blocks never cross a date, so each day is paired on its own: small dicts keyed by plain
    # strings, filled in start order so each block is already sorted for ``_pairs``' bisection.
    # (One region-wide dict keyed by (date, word) made the index cost grow faster than the
    # event count.) Pairs are kept as one int (i * n + j), cheaper to hash than a tuple.
    n = len(entries)
    days: dict[date, list[Entry]] = defaultdict(list)
    for e in sorted(entries, key=lambda e: (e.minute is None, e.minute or 0, e.index)):
        days[e.day].append(e)
    for day in sorted(days):
        out: list[int] = []
        _pairs_of_day(days[day], n, out)
        yield from ((p // n, p % n) for p in out)


def _pairs_of_day(day: list[Entry], n: int, out: list[int]) -> None:
    words: dict[str, list[Entry]] = defaultdict(list)
    places: dict[str, list[Entry]] = defaultdict(list)
    cells: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    links: dict[str, list[Entry]] = defaultdict(list)
    rooms: dict[str, list[Entry]] = defaultdict(list)
    for e in day:
        # a listing's place names are words a place-less listing may say in its title
        # ("Konsert – Hvalvik" with no place is the concert at "Hvalvik kulturhus")
        for wk in e.word_keys | {p[:PREFIX] for p in e.place if not p.startswith("@")}:
            words[wk].append(e)
        for p in e.place:
            places[p].append(e)
        if e.cell is not None:
            cells[e.cell].append(e)
        for link in e.links:
            links[link].append(e)
        for w in rooms_in(e.place_words):
            rooms[w].append(e)
    seen: set[int] = set()
    for block in places.values():
        if len(block) > MAX_BLOCK:
            _split_by_words(block, n, seen, out)
        elif len(block) >= 2:
            _pairs(block, block, TITLE_TOLERANCE, n, seen, out, mixed=True)
    for (y, x), block in cells.items():
        near = [e for dy in (-1, 0, 1) for dx in (-1, 0, 1) for e in cells.get((y + dy, x + dx), ())]
        near.sort(key=lambda e: (e.minute is None, e.minute or 0, e.index))
        if len(near) <= MAX_BLOCK:
            _pairs(block, near, TITLE_TOLERANCE, n, seen, out)
    for block in links.values():
        if 2 <= len(block) <= MAX_BLOCK:
            _pairs(block, block, LINK_TOLERANCE, n, seen, out, mixed=True)
    # A room with no house ("Gymsalen") meets every listing in a room of that name that day
    # ("Borgen skole, gymsalen"): ``place_agreement`` then says same or unknown.
    for block in rooms.values():
        bare = [e for e in block if not e.place]
        if bare and 2 <= len(block) <= MAX_BLOCK:
            _pairs(bare, block, TITLE_TOLERANCE, n, seen, out, mixed=True)
    # A listing whose description gives a clock time meets the listings starting then at a
    # place it names (the trailhead of a tour it lists from the meeting point), and one whose
    # words give a start meets the listings starting then, up to STATED_TOLERANCE away, that
    # share a place or title word with it (or all of them in a small slot).
    starting: dict[int, list[Entry]] = defaultdict(list)
    for e in day:
        if e.minute is not None:
            starting[e.minute].append(e)
    for e in day:
        if e.minute is None:
            continue
        times = _start_times(e.record.title, e.record.description) - {e.minute}
        if e.record.description:
            times |= _clock_times("", e.record.description)
        for t in times:
            slot = starting.get(t, ())
            for b in slot:
                if b.source_id == e.source_id:
                    continue
                if not _says_where_and_when(e, b) and not (
                    abs(t - e.minute) <= STATED_TOLERANCE
                    and (len(slot) <= STATED_SLOT or e.place & b.place or e.word_keys & b.word_keys)
                ):
                    continue
                pair = e.index * n + b.index if e.index < b.index else b.index * n + e.index
                if pair not in seen:
                    seen.add(pair)
                    out.append(pair)
    # A listing that says its time was moved meets the listings sharing a title word up to
    # MOVED_TOLERANCE away (another source may still have the old time).
    for e in day:
        if e.moved and e.minute is not None:
            for wk in e.word_keys:
                block = words[wk]
                if 2 <= len(block) <= MAX_BLOCK:
                    _pairs([e], block, MOVED_TOLERANCE, n, seen, out)
    probes: dict[str, list[Entry]] = defaultdict(list)
    for e in day:
        if not e.wild:
            continue
        keys: Iterable[str] = e.word_keys
        if not e.place_words and e.tokens:
            # No place at all: a partner says its telling words (a near-identical title, or a
            # weighted share of 0.7), so it is paired through the words that are rare that day
            # and said by someone else too; its common words ("for barn") would pair it with
            # the same activity in every town of a region. A word only it says pairs nothing. A
            # timed one is paired within TITLE_TOLERANCE only, so when every word is common
            # its rarest still pairs it; a date-only one meets the whole day, so it is paired
            # through rarer words only (NOTICE_BLOCK) and otherwise left to the second look
            # (relative.py), which needs a clear winner among the day's events.
            most = PLACELESS_BLOCK if e.minute is not None else NOTICE_BLOCK
            keys = {k for k in e.word_keys if 2 <= len(words[k]) <= most}
            if not keys and e.minute is not None:
                rare = min(e.tokens, key=lambda t: (len(words[t[:PREFIX]]), t))
                keys = _word_keys((rare,))
        for k in keys:
            probes[k].append(e)
    for k, wild in probes.items():
        block = words[k]
        if 2 <= len(block) <= MAX_BLOCK:
            # all-day with timed too: a date-only notice is often the one that names no place
            _pairs(wild, block, TITLE_TOLERANCE, n, seen, out, mixed=True)


def _split_by_words(block: list[Entry], n: int, seen: set[int], out: list[int]) -> None:
    sub: dict[str, list[Entry]] = defaultdict(list)  # stays in ``block``'s start order
    for e in block:
        for wk in e.word_keys:
            sub[wk].append(e)
    for part in sub.values():
        if 2 <= len(part) <= MAX_BLOCK:
            _pairs(part, part, TITLE_TOLERANCE, n, seen, out)


def _pairs(
    probes: list[Entry],
    block: list[Entry],
    tolerance: int,
    n: int,
    seen: set[int],
    out: list[int],
    *,
    mixed: bool = False,
) -> None:
    """Each probe with every entry of ``block`` starting within ``tolerance`` minutes (found by
    bisection, so the cost is the pairs made, not the block's size squared), appended to ``out``
    once as ``i * n + j`` (i < j). All-day entries pair with all-day entries; with timed ones only
    when ``mixed`` (a shared link may join them)."""
    # ``block`` is in start order with all-day entries last (see ``candidate_pairs``).
    if block[-1].minute is None:
        n_timed = next(k for k, e in enumerate(block) if e.minute is None)
    else:
        n_timed = len(block)
    timed, untimed = block[:n_timed], block[n_timed:]
    minutes = [e.minute or 0 for e in timed]
    for a in probes:
        if a.minute is None:
            others: Iterable[Entry] = untimed + timed if mixed else untimed
        else:
            lo = bisect_left(minutes, a.minute - tolerance)
            hi = bisect_right(minutes, a.minute + tolerance)
            others = timed[lo:hi] + untimed if mixed else timed[lo:hi]
        ai, asrc = a.index, a.source_id
        for b in others:
            if b.source_id == asrc:
                continue  # same source (or a itself): never merged unless they share identity (§5)
            pair = ai * n + b.index if ai < b.index else b.index * n + ai
            if pair not in seen:
                seen.add(pair)
                out.append(pair)


__all__ = [
    "Entry",
    "Verdict",
    "candidate_pairs",
    "compare",
    "coverage",
    "place_agreement",
    "prepare",
    "title_key",
]
