"""How much two titles share, weighted by how telling each word is, and when they contradict.

Owns the weak title evidence used for listings at one place and (nearly) one start: the
weight of a title word (rare words say more than "tur" or "kafé": an inverse document frequency
over the titles being clustered, one count per source and title so a weekly series is one
title), the soft likeness of two words (a shared stem or compound part, or a shared beginning
with an ending left over, "strikkekafé"/"strikking"), the other listing's description as
evidence for a title word it does not repeat, and the vetoes: two titles naming different
proper names or different organisations are two events however much else they share. It must
not decide a match on its own (``match.py`` does, with place and time) or touch the database.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from aggregator.dedup.keys import (
    AREA_WORDS,
    CONCEPTS,
    FILLER,
    STOPWORDS,
    VARIANTS,
    compound_splits,
    concept_tokens,
    fold,
    found_in,
    is_audience,
    stem,
    themes_of,
    title_tokens,
)

#: Endings left over after a shared beginning that still make one word: "strikk|ing" is
#: "strikk|ekafé"'s activity, "repar|er" the "repar|asjonskafé"; "senior|dans" and
#: "senior|trim" leave two words ("dans", "trim") and are two activities.
_ENDINGS = frozenset(
    [
        "",
        "e",
        "a",
        "s",
        "er",
        "en",
        "et",
        "ar",
        "ing",
        "inga",
        "ingen",
        "ings",
        "else",
        "ene",
        "ane",
        "ere",
    ]
)
#: A shared beginning this long (letters) is a shared word part.
PREFIX_MIN = 5
#: Likeness of a word found only in the other listing's description.
DESCRIPTION_LIKENESS = 0.6
#: The likeness of two words of one happening (lexicon.toml [themes]: "tønna" / "Fastelavnsfest").
THEME_LIKENESS = 0.6
#: The share themes must lift two titles to, at least: a theme is a weaker bond than a word, and
#: "Skummel eventyrstund" is not the "Halloween på Borgen" party although both are Halloween.
THEME_NEEDED = 0.5
#: How much more a proper name weighs than another word of the same rarity.
NAME_FACTOR = 2.0
#: Words that say how experienced the audience is, not what the event is.
_LEVEL_WORDS = frozenset(
    [
        "nybegynner",
        "nybegynnere",
        "viderekommende",
        "ovede",
        "avansert",
        "beginner",
        "beginners",
        "advanced",
        "intro",
    ]
)
_LEVEL_STEMS = frozenset(stem(w) for w in _LEVEL_WORDS)
#: Organisation words: two titles naming different organisations ("Årsmøte i Borgen IL" /
#: "Årsmøte i Borgen husflidslag") are two events.
_ORG_ENDINGS = ("lag", "laget", "forening", "foreningen", "klubb", "klubben", "korps", "korpset")
_ORG_WORDS = frozenset(["il", "if", "ul", "fk", "sk", "bk", "ik", "dnt", "lions", "rotary", "nav"])


class Weights:
    """Inverse document frequencies over one clustering input: of title words (by stem), and of
    the words of whole listings (title and the lead of the description, ``text_stems``)."""

    def __init__(self, titles: Iterable[tuple[str, ...]], texts: Iterable[tuple[str, ...]] = ()) -> None:
        df: Counter[str] = Counter()
        n = 0
        for tokens in titles:
            n += 1
            df.update({stem(t) for t in tokens})
        self._df = df
        self._n = n
        text_df: Counter[str] = Counter()
        m = 0
        for stems in texts:
            m += 1
            text_df.update(set(stems))
        # idf of every stem the input's texts say, computed once; a stem no text says (a
        # compound's part) gets the rarest weight
        self._text_idf = {w: math.log((m + 1) / (c + 1)) + 1.0 for w, c in text_df.items()}
        self._unseen_idf = math.log(m + 1) + 1.0

    def __call__(self, word: str) -> float:
        return math.log((self._n + 1) / (self._df.get(stem(word), 0) + 1)) + 1.0

    def known(self, stem: str) -> bool:
        """Whether some listing's text (``text_stems``) has this stem."""
        return stem in self._text_idf

    def text_likeness(self, a: tuple[str, ...], b: tuple[str, ...], leave_out: frozenset[str]) -> float:
        """The cosine of two listings' ``text_stems`` as TF-IDF vectors, ``leave_out`` (the
        stems of their places, which every listing at one place says) aside."""
        return cosine(self.vector(a, leave_out), self.vector(b, leave_out))

    def vector(self, stems: tuple[str, ...], leave_out: frozenset[str]) -> dict[str, float]:
        """The TF-IDF vector of a bag of stems, ``leave_out`` aside."""
        counts = Counter(w for w in stems if w not in leave_out)
        idf, unseen = self._text_idf, self._unseen_idf
        return {
            w: (1.0 + _LOG[c] if c < len(_LOG) else 1.0 + math.log(c)) * idf.get(w, unseen)
            for w, c in counts.items()
        }


#: log(c) for the small counts a listing's words have
_LOG = (0.0, *(math.log(c) for c in range(1, 16)))


def cosine(va: dict[str, float], vb: dict[str, float]) -> float:
    if len(vb) < len(va):
        va, vb = vb, va
    dot = sum(x * vb.get(w, 0.0) for w, x in va.items())
    return dot / (_norm(va) * _norm(vb)) if dot else 0.0


def _norm(v: dict[str, float]) -> float:
    return math.sqrt(sum(x * x for x in v.values())) or 1.0


#: Folding for ``text_stems``: cheaper than anyascii on whole descriptions, and the same for
#: the letters Norwegian text has (so place stems from ``keys.place_words`` still match).
_TEXT_FOLD = str.maketrans(
    {
        **{c: " " for c in string.punctuation + "–—«»“”‘’…•·°"},
        "æ": "ae",
        "ø": "o",
        "å": "a",
        "é": "e",
        "è": "e",
        "ê": "e",
        "ä": "a",
        "ö": "o",
        "ü": "u",
    }
)
_TEXT_SKIP = STOPWORDS | FILLER
#: How much of a description counts for ``text_stems``: its lead says what the event is; the
#: rest is practical (what to bring, how to sign up) and alike for every event of a source.
TEXT_CHARS = 300


@lru_cache(maxsize=16384)
def text_stems(title: str, description: str | None) -> tuple[str, ...]:
    """The stems of a listing's words, title and description lead, as a bag for
    ``Weights.text_likeness``: a cheap split (no phrase or compound work: this runs for every
    listing), stopwords, filler and numbers out."""
    text = f"{title} {(description or '')[:TEXT_CHARS]}".lower().translate(_TEXT_FOLD)
    return tuple(stem(w) for w in text.split() if len(w) >= 3 and w not in _TEXT_SKIP and not w.isdigit())


def likeness(word: str, own: frozenset[str], other: frozenset[str], themes: bool = False) -> float:
    """1.0 when ``other`` says ``word`` (``keys.found_in``) or has a compound with the same
    first and last parts ("påske|verksted" / "påske|pynt|verksted"); 0.8 for a shared beginning
    of at least PREFIX_MIN letters with only an ending left on one side; else 0."""
    if found_in(word, own, other):
        return 1.0
    best = 0.0
    for x in other:
        if _same_compound(word, x):
            return 1.0
        k = _common_prefix(word, x)
        if k >= 4 and len(word) > k and len(x) > k:
            tail = _common_prefix(word[::-1], x[::-1])
            if tail >= 4 and k + tail >= len(word) - 1:
                return 1.0
        if k >= PREFIX_MIN and (word[k:] in _ENDINGS or x[k:] in _ENDINGS):
            best = 0.8
    if themes and best < THEME_LIKENESS:
        mine = themes_of(word)
        if mine and any(mine & themes_of(x) for x in other):
            best = THEME_LIKENESS
    return best


@lru_cache(maxsize=65536)
def _same_compound(a: str, b: str) -> bool:
    """One head with modifiers the lexicon counts as one word ("eldre|treff" / "senior|treff")."""
    for mod_a, head_a in compound_splits(a):
        for mod_b, head_b in compound_splits(b):
            if mod_a != mod_b and head_a == head_b and _concept(mod_a) == _concept(mod_b):
                return True
    return False


def _concept(word: str) -> str:
    return CONCEPTS.get(word) or VARIANTS.get(word) or word


def _common_prefix(a: str, b: str) -> int:
    k = 0
    for ca, cb in zip(a, b, strict=False):
        if ca != cb:
            break
        k += 1
    return k


@lru_cache(maxsize=8192)
def description_words(description: str | None) -> frozenset[str]:
    """The words of a description as titles are compared (its first 600 characters: the
    lead says what the event is)."""
    if not description:
        return frozenset()
    return frozenset(concept_tokens(title_tokens(description[:600])))


def shared_weight(
    a: frozenset[str],
    b: frozenset[str],
    weight: Weights,
    desc_a: frozenset[str] = frozenset(),
    desc_b: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
    themes: bool = False,
) -> tuple[float, frozenset[str], frozenset[str]]:
    """(soft weighted Dice of the two titles, A's unmatched words, B's unmatched words).

    Each word counts with its weight times its likeness in the other title (or, failing that,
    DESCRIPTION_LIKENESS when the other listing's description says it); ``names`` (proper
    names in either title, ``proper_words``) count NAME_FACTOR times: "Heggedal" or "Vardåsen"
    says more than "tur". Audience and level words are left out: they say who an event is for
    ("for nybegynnere"), not which event it is. With ``themes``, words of one happening
    ("tønna" / "Fastelavnsfest") count THEME_LIKENESS."""
    a = frozenset(w for w in a if not says_who(w)) or a
    b = frozenset(w for w in b if not says_who(w)) or b
    total = found = 0.0
    unmatched: list[set[str]] = [set(), set()]
    for side, (own, other, desc) in enumerate(((a, b, desc_b), (b, a, desc_a))):
        for w in own:
            wt = weight(w) * (NAME_FACTOR if w in names else 1.0)
            total += wt
            like = likeness(w, own, other, themes)
            if not like and desc and likeness(w, own, desc) == 1.0:
                like = DESCRIPTION_LIKENESS
            found += wt * like
            if not like:
                unmatched[side].add(w)
    return (found / total if total else 0.0), frozenset(unmatched[0]), frozenset(unmatched[1])


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


#: Endings of Norwegian names of hills, lakes, valleys, woods and slopes (folded): where a tour
#: goes, even as the first word of a title's part.
_TOPONYM = re.compile(
    r"\w{3,}(?:asen|vannet|vatnet|dalen|toppen|kollen|marka|skogen|fjellet|bakken|stranda|haugen)$"
)


@lru_cache(maxsize=65536)
def proper_words(title: str, toponyms: bool = False) -> frozenset[str]:
    """Folded words written with a capital inside the title (not its first word, not after a
    colon or dash): names of places and people ("Søndagstur til Vardåsen")."""
    out: set[str] = set()
    first = True
    for m in re.finditer(r"[:–—!?.]\s*|" + _WORD.pattern, title):
        token = m.group(0)
        if not _WORD.fullmatch(token):
            first = True
            continue
        if token[0].isupper() and (not first or (toponyms and _TOPONYM.search(fold(token)))):
            # (with ``toponyms``, a word after a colon or dash is a name when it ends like a hill,
            # lake or valley: "Turgruppe – Vardåsen", "Påsketur med turgruppa: Semsvannet rundt")
            word = fold(token).replace("'", "").replace("’", "")
            # an English title's capitals and the lexicon's words name kinds, not things
            if word in _ORG_WORDS or (word not in CONCEPTS and word not in STOPWORDS and not token.isupper()):
                out.update(w for w in re.split(r"[^a-z0-9]+", word) if len(w) >= 2)
        first = False
    return frozenset(out)


#: A family event is also a children's event ("Sopptur med Barnas Turlag" / "Sopptur for hele
#: familien").
_YOUNG = frozenset(stem(w) for w in ("barn", "smabarn", "baby", "babyer"))
_FAMILY = stem("familie")


def _compatible(x: str, y: str) -> bool:
    return x == y or (_FAMILY in (x, y) and ({x, y} - {_FAMILY}) <= _YOUNG)


def says_who(word: str) -> bool:
    """An audience or level word ("barn", "nybegynnere"): who an event is for, not what it is."""
    return is_audience(word) or stem(word) in _LEVEL_STEMS or word in _LEVEL_WORDS


def is_organisation(word: str) -> bool:
    return word in _ORG_WORDS or (len(word) > 5 and word.endswith(_ORG_ENDINGS))


def _names_thing(word: str) -> bool:
    """A proper word that names a place or person of the event, not its organiser ("Asker
    Turlag" is who; the organisation check below compares those) or the whole area."""
    return not is_organisation(word) and stem(word) not in AREA_WORDS


def contradiction(
    title_a: str,
    title_b: str,
    words_a: frozenset[str],
    words_b: frozenset[str],
    rest_a: frozenset[str],
    rest_b: frozenset[str],
    places: frozenset[str],
) -> str | None:
    """Why two titles name different events despite shared words, or None: they name different
    audiences or levels ("for barn" / "for seniorer"), or each names a proper name or an
    organisation the other does not say (``words_*`` are the titles' words, ``rest_*`` the
    unmatched ones; words of the listings' own places, ``places`` as stems, are no name of the event)."""
    who_a = {stem(w) for w in words_a if says_who(w)}
    who_b = {stem(w) for w in words_b if says_who(w)}
    if who_a and who_b and not any(_compatible(x, y) for x in who_a for y in who_b):
        return f"different audiences {sorted(who_a)[0]}/{sorted(who_b)[0]}"
    names_a = {
        w
        for w in proper_words(title_a, toponyms=True)
        if stem(w) not in places and _names_thing(w) and any(w == r or stem(w) == stem(r) for r in rest_a)
    }
    names_b = {
        w
        for w in proper_words(title_b, toponyms=True)
        if stem(w) not in places and _names_thing(w) and any(w == r or stem(w) == stem(r) for r in rest_b)
    }
    if names_a and names_b:
        return f"different names {sorted(names_a)[0]}/{sorted(names_b)[0]}"
    org_a = {w for w in rest_a if is_organisation(w)}
    org_b = {w for w in rest_b if is_organisation(w)}
    if org_a and org_b:
        return f"different organisers {sorted(org_a)[0]}/{sorted(org_b)[0]}"
    return None
