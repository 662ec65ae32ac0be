"""Comparison keys for duplicate detection: normalised titles, places and links.

Owns how two sources' ways of writing the same thing are made comparable: case, diacritics
(anyascii: "Vårkonsert" and "Varkonsert" are one word), punctuation, Norwegian noise in titles
("kl. 18", "lør. 10. januar", "AVLYST:", "– Borgen"), bokmål/nynorsk variants of common event
words, named days written as dates ("8. mars-markering" is "Kvinnedagen"), synonymous compound
heads ("Sykkelverksted"/"Sykkelreparasjon"), a small bilingual lexicon of event words ("Language
café" = "Språkkafé"), compounds split into their parts, team-sport fixtures as pairs of teams,
and URLs stripped of tracking parameters. It must not decide whether two events match
(``match.py`` does) or touch the database.
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import snowballstemmer
from anyascii import anyascii
from rapidfuzz.distance import OSA

_MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des"
)
_WEEKDAYS = (
    "mandag|tirsdag|onsdag|torsdag|fredag|lordag|sondag|tysdag|torsdag|laurdag|sundag|"
    "man|tir|ons|tor|fre|lor|son"
)
# Named days written as a date ("8. mars-markering", "17. mai: frokost") name the event, unlike a
# date suffix ("Konsert – lørdag 8. mars"): only a date that opens the title or is joined to a
# word by a hyphen becomes the day's name (held-out miss "Kvinnedagen: kveld" / "8. mars-markering").
_NAMED_DAYS = [
    (re.compile(r"^\W*8\.?\s*mars\b|\b8\.?\s*mars(?=-[a-z])"), " kvinnedagen "),
    (re.compile(r"^\W*17\.?\s*mai\b|\b17\.?\s*mai(?=-[a-z])"), " nasjonaldagen "),
]
# Applied to the anyascii-folded, lower-cased title, in this order.
_NOISE = [
    # status words: "AVLYST: Språkkafé" is the same event as "Språkkafé" (the status is compared
    # separately); Google Calendar overrides often say "(flyttet)"/"nytt tidspunkt".
    re.compile(r"\b(avlyst|avlyses|utsatt|flyttet|endret|nytt tidspunkt|fullt|utsolgt|sold out|cancelled)\b"),
    # clock times: "kl. 18", "kl 18.00–20.00", "18:30"
    re.compile(r"\bkl\.?\s*\d{1,2}(?:[.:]\d{2})?(?:\s*[-–]\s*\d{1,2}(?:[.:]\d{2})?)?"),
    re.compile(r"\b\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?\b"),
    # dates: "10. januar 2027", "10.01.27", "10/1", years
    re.compile(rf"\b\d{{1,2}}\.?\s*(?:{_MONTHS})\.?(?:\s+\d{{4}})?\b"),
    re.compile(r"\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b"),
    re.compile(r"\b(?:19|20)\d\d\b"),
    # a named Sunday of the church year says when: "første søndag i advent" (before the weekdays)
    re.compile(r"\b(?:forste|andre|tredje|fjerde|1\.|2\.|3\.|4\.)\s+(?:sondag|son)\s+i\s+advent\b"),
    re.compile(rf"\b(?:{_WEEKDAYS})\b\.?"),
]
_NON_WORD = re.compile(r"[^a-z0-9]+")

#: Words that say nothing about *which* event it is: prepositions, articles, and the
#: deployment's own place words that every Borgen source adds ("– Borgen", "på torget").
STOPWORDS = frozenset(
    [
        "og",
        "i",
        "pa",
        "paa",
        "til",
        "fra",
        "med",
        "for",
        "ved",
        "hos",
        "av",
        "om",
        "en",
        "ei",
        "et",
        "den",
        "det",
        "de",
        "the",
        "and",
        "at",
        "of",
        "in",
        "on",
        "with",
        "vi",
        "alle",
        "kl",
        "klokka",
        "klokken",
        "dato",
        "sted",
        "uke",
        "veke",
        "borgen",
        "innbyggertorg",
        "innbyggertorget",
        "torg",
        "torget",
        "asker",
        "sondre",
        "sentrum",
        # words that only say "an event happens" ("8. mars-markering" is the Kvinnedagen event)
        "markering",
        "feiring",
        "arrangement",
    ]
)

#: Nynorsk (and a few spelling variants) -> bokmål, for whole words after folding.
VARIANTS = {
    "song": "sang",
    "songkveld": "sangkveld",
    "kveldssong": "kveldssang",
    "kyrkje": "kirke",
    "kyrkja": "kirken",
    "born": "barn",
    "borna": "barna",
    "ope": "apen",
    "open": "apen",
    "opne": "apne",
    "saman": "sammen",
    "sumar": "sommer",
    "sommar": "sommer",
    "haust": "host",
    "haustkonsert": "hostkonsert",
    "sommarkonsert": "sommerkonsert",
    "kafeen": "kafe",
    "kafeteria": "kafe",
    "cafe": "kafe",
    "sprakcafe": "sprakkafe",
    "ungdomar": "ungdom",
    "eldre": "senior",
    "seniorar": "senior",
    "seniorer": "senior",
    "pensjonister": "senior",
    "turen": "tur",
    "konserten": "konsert",
    "kurset": "kurs",
    "moete": "mote",
    "ikkje": "ikke",
    "nye": "ny",
    "nytt": "ny",
    "kvell": "kveld",
    "dnt": "",
}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII: "Søndagstur på Vardåsen" -> "sondagstur pa vardasen". Emoji and other
    symbols are dropped first: anyascii would spell "🔥 Fakkeltur" as "fire fakkeltur"."""
    if text.isascii():
        return text.lower()
    # Per distinct character, not per character: descriptions are long and repeat few letters.
    odd = {c for c in set(text) if c > "\u024f" and unicodedata.category(c) in _SYMBOLS}
    if odd:
        text = text.translate({ord(c): " " for c in odd})
    # The letters and marks Norwegian text has, spelled as anyascii spells them (it reads one
    # character at a time), so most text needs no anyascii call at all.
    text = text.translate(_COMMON)
    return (text if text.isascii() else anyascii(text)).lower()


_SYMBOLS = frozenset(["So", "Sk", "Cs", "Co"])
_COMMON = str.maketrans({c: anyascii(c) for c in "æøåÆØÅéèêëÉäöüÄÖÜáàóòúíñç–—«»“”‘’…•·°½"})


# "Språk-kafé" and "Språkkafé" are one word: a hyphen inside a compound is dropped.
_COMPOUND_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


@lru_cache(maxsize=65536)
def title_tokens(title: str) -> tuple[str, ...]:
    """The title's meaningful words in order: noise, stopwords and variants handled."""
    text = fold(title)
    for pattern, name in _NAMED_DAYS:
        text = pattern.sub(name, text)
    for pattern in _NOISE:
        text = pattern.sub(" ", text)
    text = _COMPOUND_HYPHEN.sub("", text)  # after the dates: "17. mai-frokost" -> "frokost"
    out: list[str] = []
    for word in _NON_WORD.split(text):
        word = VARIANTS.get(word, word)
        if len(word) < 2 or word in STOPWORDS or word.isdigit():
            continue
        out.append(word)
    return tuple(out)


def title_key(title: str) -> str:
    return " ".join(title_tokens(title))


@lru_cache(maxsize=65536)
def place_words(*parts: str | None) -> frozenset[str]:
    """The stems of every word of a location name and address, without house numbers, English
    place words in Norwegian: "Biblioteket på Borgen" and "Borgen Library" are both
    {"borgen", "bibliotek"}, "innbyggertorget" is "innbyggertorg"."""
    words: set[str] = set()
    for part in parts:
        if part:
            words.update(
                stem(PLACE_WORDS.get(w, w))
                for w in _NON_WORD.split(fold(part))
                if len(w) >= 3 and not w.isdigit() and w not in _WHERE_WORDS
            )
    return frozenset(words)


#: Words of a place that say where in relation to it, or that it is a meeting point, not which
#: place: "Oppmøte: Semsvannet parkering" is at Semsvannet, "utenfor kafeen" at a café.
_WHERE_WORDS = frozenset(
    [
        "oppmote",
        "oppmoete",
        "oppmotested",
        "oppmotestad",
        "meeting",
        "point",
        "utenfor",
        "foran",
        "ved",
        "bak",
        "inngang",
        "inngangen",
        "inngangspartiet",
        "hovedinngang",
        "hovedinngangen",
        # the floor says where in the house, not which house ("Møterommet, 2. etg", "ground floor")
        "etg",
        "etasje",
        "etasjen",
        "floor",
        "ground",
        "nedenfor",
        "ovenfor",
        "mellom",
        "rundt",
        "outside",
        # "hele huset", "hele torget": all of a place, not another one (25th/27th-set misses)
        "hele",
        "whole",
        # a start, a way there, a condition or a meeting said beside the place ("Start: Borgen
        # innbyggertorg", "Fra Borgen", "møt opp ved", "ved regn: ...", "(samkjøring)")
        "start",
        "fra",
        "til",
        "meet",
        "mot",
        "opp",
        "hvis",
        "regn",
        "sno",
        "samkjoring",
        "oppstilling",
        "ute",
        "inne",
        "utanfor",
        "utendors",
        "innendors",
        "community",
    ]
)


def place_tokens(*parts: str | None) -> frozenset[str]:
    """The distinctive words of a place: "Borgen bibliotek" -> {"borgen"}."""
    return frozenset(w for w in place_words(*parts) if w not in _PLACE_STOP and not is_room(w))


@lru_cache(maxsize=65536)
def alias_words(text: str) -> frozenset[str]:
    """The words an operator's place name is recognised by (``same_places``): stems as in
    ``place_words``, but house numbers kept ("Søndre Borgen 11" is not "Søndre Borgen 13")."""
    return frozenset(stem(PLACE_WORDS.get(w, w)) for w in _NON_WORD.split(fold(text)) if w)


# The Snowball stemmer keeps no state between words, but one object is not safe to share
# between threads (the web precomputes clusters in a background thread while a collect runs).
_STEMMER_LOCK = threading.Lock()
_NORWEGIAN = snowballstemmer.stemmer("norwegian")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter) bokmål stem of a folded word, with a final "e" dropped as well:
    Snowball stems "kafé" to "kaf" but "kafeen" to "kafe", and "kulturskolen", "kulturskolens"
    and "kulturskole" must meet. Snowball respects the word's first syllable, so "Vardåsen"
    ("vardas") is not cut down to the "vård" of "vårdugnad" (sixth-set false merge)."""
    with _STEMMER_LOCK:
        out: str = _NORWEGIAN.stemWord(word)
    if len(out) >= 4 and out.endswith("e"):
        out = out[:-1]
    return out


#: Compound heads that name the same kind of event (held-out miss "Sykkelreparasjon for barn" /
#: "Sykkelverksted for barn"; nynorsk "øving" for "øvelse"). Only heads: "Kunstverksted" and
#: "Kunstreparasjon" are one thing, "Verksted" and "Reparer klærne" are compared as written.
SYNONYM_HEADS = {
    "verksted": "reparasjon",
    "reparering": "reparasjon",
    "fiksing": "reparasjon",
    "fiks": "reparasjon",
    "kino": "film",
    "filmvisning": "film",
    "oving": "ovelse",
    "samling": "treff",
    # third-set misses "Høstloppis" / "Høstloppemarked", "Bærtur" / "Bærplukking",
    # "Pepperkakebaking" / "Bak pepperkaker": the same kind of event under another head
    "loppis": "loppemarked",
    "bruktmarked": "loppemarked",
    "plukking": "tur",
    "baking": "bak",
}


@lru_cache(maxsize=65536)
def canonical_head(word: str) -> str:
    """The word with a synonymous compound head replaced: "sykkelverksted" -> "sykkelreparasjon"."""
    for head, canon in SYNONYM_HEADS.items():
        if word.endswith(head) and (len(word) == len(head) or len(word) - len(head) >= 3):
            return word[: -len(head)] + canon
    return word


#: The shortest words a one-letter slip is forgiven in (``same_word``).
TYPO_MIN = 8


@lru_cache(maxsize=262144)
@lru_cache(maxsize=1 << 18)
def same_word(a: str, b: str) -> bool:
    """Equal words, equal stems, or a compound and its head: Norwegian compounds put the head
    last, so "vårdugnad" is a "dugnad" and "musikkorps" a "korps", but "seniordans" is not a
    "senior" (a prefix is a modifier, not the thing). Synonymous heads count as one."""
    if a == b:
        return True
    sa, sb = stem(canonical_head(a)), stem(canonical_head(b))
    if sa == sb:
        return True
    short, long_ = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if len(short) >= 4 and (
        long_.endswith(short)
        or long_.endswith(short + "s")
        or (short[-1] == "s" and long_.endswith(short[:-1]))
    ):
        # Snowball takes one ending per word: "korps" -> "korp", but "skolekorpset" ->
        # "skolekorps", so a compound's head may keep an "s" its own stem lost, or the other way
        # round ("korpset" -> "korps", "musikkorps" -> "musikkorp")
        return True
    # one slip of the keyboard in a long word ("Vårdugand", "International"/"Internasjonal"):
    # long words one edit apart are rarely two different things
    return min(len(a), len(b)) >= TYPO_MIN and a[:2] == b[:2] and OSA.distance(a, b, score_cutoff=1) <= 1


def said(word: str, words: frozenset[str]) -> bool:
    """Whether any of ``words`` is a ``same_word`` of ``word``."""
    return any(same_word(word, x) for x in words)


def coverage(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the shorter title's words found (``same_word``) in the other title."""
    return overlap(a, b)[0]


def overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, int]:
    """(share, count) of the shorter title's words found (``same_word``) in the other title."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return 0.0, 0
    found = sum(any(same_word(w, x) for x in long_) for w in short)
    return found / len(short), found


def without_words(tokens: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    """``tokens`` minus those that are (``same_word``) one of ``words``; all kept if none is left."""
    if not words:
        return tokens
    rest = frozenset(t for t in tokens if not any(same_word(t, w) for w in words))
    return rest or tokens


def without_place(tokens: tuple[str, ...], place: frozenset[str]) -> tuple[str, ...]:
    """Title words that only repeat the event's own place ("Eventyrstund på biblioteket" at
    "Borgen bibliotek") say nothing about which event it is; kept when nothing else is left. A
    compound of the place's word says more ("Påskeverksted" in the workshop is an Easter one)."""
    rest = tuple(t for t in tokens if not any(same_word(t, p) and len(stem(t)) <= len(p) + 1 for p in place))
    return rest or tokens


#: Rooms and parts of a building or ground, and where in relation to it: a source that writes
#: only "Storsalen", "Fotballbanen" or "Bak gymsalen" names a room, not which house it is in.
ROOM_WORDS = frozenset(
    stem(w)
    for w in [
        "sal",
        "salen",
        "storsal",
        "storsalen",
        "lillesal",
        "lillesalen",
        "gymsal",
        "gymsalen",
        "rom",
        "rommet",
        "moterom",
        "moterommet",
        "rommene",
        "avdeling",
        "avdelingen",
        "barneavdeling",
        "barneavdelingen",
        "ovingsrom",
        "ovingsrommet",
        "ovingsrommene",
        "fotballbane",
        "fotballbanen",
        "bane",
        "banen",
        "parkering",
        "parkeringa",
        "parkeringen",
        "parkeringsplass",
        "parkeringsplassen",
        "foaje",
        "foajeen",
        "kafe",
        "kafeen",
        "scene",
        "scenen",
        # a school's yard, like its gym, is a part of some school ("Loppis i skolegården")
        "skolegard",
        "skolegarden",
        "bakgard",
        "bakgarden",
        "aula",
        "aulaen",
        "amfi",
        "amfiet",
        "kantine",
        "kantina",
        "kjokken",
        "kjokkenet",
        "verksted",
        "verkstedet",
        "verkstad",
        "verkstaden",
        "klubbhus",
        "klubbhuset",
        "loype",
        "loypa",
        "avd",
        "busslomme",
        "busslommen",
        "busstopp",
        "bussholdeplass",
        "bussholdeplassen",
        "sykkelstativ",
        "sykkelstativene",
        "sykkelskur",
        "sykkelskuret",
        # "plassen foran torget": an open place before some house
        "plass",
        "plassen",
    ]
)

#: Endings of the stems of compound rooms and parts of a house or ground: "verkstedrommet",
#: "lesesalen", "Storstua", "uteområdet", "P-plassen", "ungdomshjørnet" are in some house.
_ROOM_ENDINGS = ("rom", "romm", "sal", "stu", "omrad", "plass", "hjorn")


def is_room(word: str) -> bool:
    """A place word's stem that names a room or part of some house or ground (``ROOM_WORDS``, or
    a compound ending in one of ``_ROOM_ENDINGS``), not which house."""
    return word in ROOM_WORDS or (len(word) >= 6 and word.endswith(_ROOM_ENDINGS))


@lru_cache(maxsize=65536)
def rooms_in(words: frozenset[str]) -> frozenset[str]:
    """The words of a place's ``place_words`` that are rooms (``is_room``)."""
    return frozenset(w for w in words if is_room(w))


#: Names of the whole area: "Asker kirke" names a house (the municipality's church), where
#: "Kirken" alone does not say which.
AREA_WORDS = frozenset(stem(w) for w in ("asker", "norge", "norway"))

# Place words too generic to tell two places apart ("Borgen bibliotek" is not "Asker bibliotek").
_PLACE_STOP = (
    frozenset(
        stem(w)
        for w in [
            "asker",
            "norge",
            "norway",
            "gate",
            "gata",
            "vei",
            "veien",
            "veg",
            "vegen",
            "sal",
            "salen",
            "rom",
            "bibliotek",
            "biblioteket",
            "skole",
            "skolen",
            "kirke",
            "kirken",
            "hall",
            "hallen",
            "huset",
            "senter",
            "kafe",
            "park",
            "parken",
            "scene",
            "scenen",
            "kulturhus",
            "kulturhuset",
            # venue kinds every neighbourhood has: they tell no two places apart ("Borgen
            # nærmiljøsentral" is not "Holmen nærmiljøsentral"), and as place blocks they would grow
            # with the region (bench/dedup_scale.py's 50 towns each have a "torg" and a "grendehus")
            "torg",
            "torget",
            "grendehus",
            "grendehuset",
            "naermiljosentral",
            "naermiljosentralen",
            "idrettshall",
            "idrettshallen",
            "svommehall",
            "svommehallen",
            "kunstgress",
            "kunstgresset",
            "samfunnshus",
            "samfunnshuset",
        ]
    )
    | ROOM_WORDS
)

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|source$)")


@lru_cache(maxsize=65536)
def link_key(url: str | None) -> str | None:
    """A URL reduced to what identifies a page: host without www, path, non-tracking query."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k.lower())))
    return f"{host}{path}" + (f"?{query}" if query else "")


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")


def links_in(text: str | None) -> list[str]:
    """URLs written in a description (a news post often links the organiser's sign-up page)."""
    if not text:
        return []
    return [u.rstrip(".,;:!?") for u in _URL_IN_TEXT.findall(text)]


# --- Lexicon, compounds and fixtures (issue 4 follow-up on the third set's misses) -----------
# These apply to the tokens the matcher compares (``concept_tokens``), not to ``title_tokens``,
# so bench/dedup_quality.py's definition of a labelled pair (a shared ``title_tokens`` word)
# stays what it was.


#: The shipped lexicon (``lexicon.toml``, next to this module), read once at import.
_LEXICON = tomllib.loads((Path(__file__).with_name("lexicon.toml")).read_text(encoding="utf-8"))


def _load_lexicon() -> tuple[dict[tuple[str, ...], str], dict[str, str], frozenset[str], dict[str, str]]:
    """Phrases, concepts, filler and place words of the shipped lexicon."""
    raw = _LEXICON
    phrases = {tuple(k.split()): v for k, v in raw["phrases"].items()}
    return phrases, dict(raw["concepts"]), frozenset(raw["filler"]["words"]), dict(raw["places"])


#: PHRASES: two or three words that are one Norwegian event word ("Language café" = "Språkkafé");
#: CONCEPTS: single words -> the Norwegian event word they stand for (English listings, Norwegian
#: synonyms; "" drops the word); FILLER: words that say nothing about which event it is.
PHRASES, CONCEPTS, FILLER, PLACE_WORDS = _load_lexicon()
_PHRASE_LENGTHS = sorted({len(k) for k in PHRASES}, reverse=True)

#: Words that say who an event is for, not what it is: a listing that names no audience is not
#: contradicted by one that does ("Digitalhjelp for seniorer" / "Digital hjelp: BankID og Vipps").
_AUDIENCE_STEMS = frozenset(
    stem(w)
    for w in (
        "barn",
        "familie",
        "senior",
        "seniorer",
        "ungdom",
        "ungdommer",
        "unge",
        "voksen",
        "voksne",
        "baby",
        "babyer",
        "smabarn",
    )
)

#: Compound heads that only say "an event": "Halloweenfest" is the "Halloween" event.
GENERIC_HEADS = frozenset(["fest", "feiring", "markering", "arrangement", "kveld", "moro", "dag"])


def _load_themes() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for theme, words in _LEXICON.get("themes", {}).items():
        for word in words:
            out.setdefault(stem(word), set()).add(theme)
    return {k: frozenset(v) for k, v in out.items()}


#: Stem -> the happenings (lexicon.toml [themes]) a word belongs to.
THEMES = _load_themes()


@lru_cache(maxsize=65536)
def themes_of(word: str) -> frozenset[str]:
    """The themes of a title word: as itself, as a compound's head ("gran|tenning"), or as a
    modifier before a generic head ("fastelavns|fest"); a modifier before a specific head says
    nothing ("Halloween-verksted" is not a Halloween party)."""
    found = set(THEMES.get(stem(word), ()))
    for mod, head in compound_splits(word):
        found.update(THEMES.get(stem(head), ()))
        if head in GENERIC_HEADS:
            found.update(THEMES.get(stem(mod), ()))
    return frozenset(found)


@lru_cache(maxsize=65536)
def concept_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """``tokens`` with PHRASES joined, CONCEPTS applied, FILLER and genitives of the deployment's
    own place words ("Askers historie") dropped; all kept if nothing is left."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in _PHRASE_LENGTHS:
            phrase = PHRASES.get(tokens[i : i + n])
            if phrase is not None:
                out.extend(phrase.split())
                i += n
                break
        else:
            word = CONCEPTS.get(tokens[i], tokens[i])
            i += 1
            if not word or word in FILLER or (word.endswith("s") and word[:-1] in STOPWORDS):
                continue
            out.append(word)
    return tuple(out) or tokens


def is_audience(word: str) -> bool:
    return stem(word) in _AUDIENCE_STEMS


def without_audience(a: frozenset[str], b: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Audience words dropped from a title when the other names no audience (no contradiction).
    A compound's modifier names one too: "Seniordans" is for seniors, so "Dans for barn" keeps
    its "barn" against it (and "Dans for seniorar" its "seniorar", which the compound says)."""
    aud_a, aud_b = {w for w in a if is_audience(w)}, {w for w in b if is_audience(w)}
    if aud_a and not aud_b and not any(_names_audience(w) for w in b):
        a = (a - aud_a) or a
    elif aud_b and not aud_a and not any(_names_audience(w) for w in a):
        b = (b - aud_b) or b
    return a, b


@lru_cache(maxsize=65536)
def _names_audience(word: str) -> bool:
    return any(is_audience(mod) for mod, _ in compound_splits(word))


@lru_cache(maxsize=65536)
def compound_splits(word: str) -> tuple[tuple[str, str], ...]:
    """(modifier, head) splits of a possible compound, both at least three letters; a linking
    "s" or "e" may sit between them ("førstehjelp-s-kurs", "strikk-e-kveld")."""
    out: list[tuple[str, str]] = []
    for k in range(3, len(word) - 2):
        mod, head = word[:k], word[k:]
        out.append((mod, head))
        if head[0] in "se" and len(head) > 3:
            out.append((mod, head[1:]))
    return tuple(out)


def _head_accounted(head: str, words: frozenset[str], but: str) -> bool:
    return head in GENERIC_HEADS or any(same_word(head, y) for y in words if y != but)


def found_in(word: str, own: frozenset[str], other: frozenset[str]) -> bool:
    """Whether ``word`` of a title (whose words are ``own``) is said by the ``other`` title: as a
    ``same_word``, as the modifier of an other-title compound whose head is a generic event word
    or another word of this title ("Halloween" in "Halloweenfest", "Kurs i førstehjelp" in
    "Førstehjelpskurs"), or as a compound whose modifier is an other-title word and whose head
    is generic or also there ("Digitalhjelp" in "Digital hjelp"). A modifier alone is never
    enough: "Seniordans" does not say "senior" of "Trim for seniorer"."""
    if said(word, other):
        return True
    for x in other:
        for mod, head in compound_splits(x):
            if same_word(mod, word) and _head_accounted(head, own, word):
                return True
            # the head on its own: stems of a compound and of its head can differ ("kimekafeen"
            # stems to "kimekaf", "kafe" to "kafe"), so "Kafé KIME" / "KIME-kafeen" needs this
            if same_word(head, word) and any(same_word(mod, y) for y in own if y != word):
                return True
    for mod, head in compound_splits(word):
        if said(mod, other) and (head in GENERIC_HEADS or said(head, other)):
            return True
    return False


def covered(a: frozenset[str], b: frozenset[str]) -> bool:
    """Every word of title ``a`` is said by title ``b`` (``found_in``)."""
    return bool(a) and all(found_in(w, a, b) for w in a)


_FIXTURE_SPLIT = re.compile(r"\s+(?:-|\u2013|\u2014|mot|moter|tar imot|vs\.?|versus)\s+")
#: Words of a side that name no team: "J14 spiller hjemme mot Vollen", "A-laget tar imot
#: Heggedal" (the first team: the listing club's own, left implicit like a side with no name).
_SIDE_FILLER = frozenset(
    [
        "spiller",
        "spill",
        "hjemme",
        "borte",
        "hjemmekamp",
        "bortekamp",
        "kamp",
        "seriekamp",
        "cupkamp",
        "treningskamp",
        "seriestart",
        "derby",
        "a",
        "laget",
        "alaget",
        "lagene",
    ]
)
_SPORT = frozenset(
    [
        "fotball",
        "handball",
        "bandy",
        "hockey",
        "ishockey",
        "innebandy",
        "basket",
        "basketball",
        "volleyball",
        "kamp",
        "seriekamp",
        "cupkamp",
        "treningskamp",
        "hjemmekamp",
        "bortekamp",
        "football",
        "match",
        "derby",
    ]
)
_CLUB = frozenset(["il", "ul", "if", "fk", "sk", "bk", "ik", "ballklubb", "idrettslag", "fotballklubb"])
_CLASS = re.compile(r"^(?:[gjm]|gutter|jenter)\d{1,2}$|^(?:herrer|damer|junior|menn|kvinner|senior)$")


@lru_cache(maxsize=65536)
def fixture(title: str, venue: bool = False) -> tuple[frozenset[str], frozenset[str], frozenset[str]] | None:
    """A team-sport fixture as (home team words, away team words, age classes), or None.

    Clubs and the news write one match two ways ("Borgen IL J13 – Vollen UL" / "Fotball: J13 mot
    Vollen", third-set miss): the sides are split at "–", "mot", "møter" or "vs", sport words and
    club abbreviations dropped. Only a title with a sport word, a club abbreviation or an age
    class and exactly two sides is a fixture ("Språkkafé – øv på norsk" is not).
    At a sports venue (``venue``: the place is a pitch or a hall) a title with two sides is
    a fixture without a sport word ("Sesongavslutning: Borgen – Vollen" at Borgen kunstgress)."""
    text = fold(title)
    for pattern in _NOISE[:3]:  # status words and clock times, not dates (no "17. mai" here)
        text = pattern.sub(" ", text)
    words = [w for w in _NON_WORD.split(text) if w]
    if not venue and not any(w in _SPORT or w in _CLUB or _CLASS.match(w) for w in words):
        return None
    sides = _FIXTURE_SPLIT.split(text.strip())
    if len(sides) != 2:
        return None
    teams: list[frozenset[str]] = []
    classes: set[str] = set()
    for side in sides:
        names = set()
        for w in _NON_WORD.split(side):
            if not w or w in _SPORT or w in _CLUB or w in _SIDE_FILLER:
                continue
            if _CLASS.match(w):
                classes.add(w)
            else:
                names.add(w)
        teams.append(frozenset(names))
    if not any(teams):
        return None
    return teams[0], teams[1], frozenset(classes)


def same_fixture(
    a: tuple[frozenset[str], frozenset[str], frozenset[str]],
    b: tuple[frozenset[str], frozenset[str], frozenset[str]],
) -> bool:
    """The same match: the teams as an unordered pair, each side sharing a name word (a side
    with no name is the listing club's own team, left implicit by the news), at least one name
    shared, and the same age class when both state one."""
    if a[2] and b[2] and a[2] != b[2]:
        return False

    def sides_agree(x: frozenset[str], y: frozenset[str]) -> bool:
        return not x or not y or bool(x & y)

    for home, away in ((b[0], b[1]), (b[1], b[0])):
        if sides_agree(a[0], home) and sides_agree(a[1], away) and (a[0] & home or a[1] & away):
            return True
    return False


def _load_kinds() -> tuple[
    dict[str, str], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], frozenset[str]
]:
    """lexicon.toml [kinds]: (whole word -> kind, (part, kind) pairs, (head, kind) pairs, words
    that are no kind)."""
    words: dict[str, str] = {}
    parts: list[tuple[str, str]] = []
    heads: list[tuple[str, str]] = []
    for kind, spec in _LEXICON.get("kinds", {}).items():
        for w in spec.get("words", ()):
            words[w] = kind
        parts.extend((p, kind) for p in spec.get("parts", ()))
        heads.extend((h, kind) for h in spec.get("heads", ()))
    for part, kind in parts:
        if len(part) < 4:
            raise ValueError(f"lexicon.toml [kinds] {kind}: part {part!r} is shorter than four letters")
    return words, tuple(parts), tuple(heads), frozenset(_LEXICON.get("kinds_not", {}).get("words", ()))


_KIND_WORDS, _KIND_PARTS, _KIND_HEADS, _NOT_KINDS = _load_kinds()


@lru_cache(maxsize=65536)
def kinds_of(word: str) -> frozenset[str]:
    """The kinds of activity (lexicon.toml [kinds]) a title word names: "strikkekurs" ->
    {"strikking"}, "søndagstur" -> {"tur"}, "aktivitet" -> nothing."""
    if word in _NOT_KINDS:
        return frozenset()
    found = {kind for part, kind in _KIND_PARTS if part in word}
    found.update(kind for head, kind in _KIND_HEADS if word.endswith(head) and len(word) > len(head) + 1)
    if word in _KIND_WORDS:
        found.add(_KIND_WORDS[word])
    return frozenset(found)


def kinds(tokens: Iterable[str], more: tuple[tuple[str, str], ...] = ()) -> frozenset[str]:
    """The kinds of activity a title's words (``concept_tokens``) name together; ``more`` are
    the operator's (word, kind) pairs (settings ``kinds``): a word of four letters or more is
    also found inside a compound ("padelturnering"), a shorter one only as a word."""
    out: frozenset[str] = frozenset()
    for t in tokens:
        out |= kinds_of(t)
        if more and t not in _NOT_KINDS:
            out |= {kind for w, kind in more if t == w or (len(w) >= 4 and w in t)}
    return out


#: Kinds of ground a place is, by the word or a compound's head ("innbyggertorg" is a square,
#: "Borgenhallen" a hall): two listings that each say one, and no common one, are not at one
#: place even when neither names it ("rundt torget" / "på kunstgresset").
_GROUNDS = (
    ("torg", "torg"),
    ("kunstgress", "bane"),
    ("ban", "bane"),  # the stem of "bane"
    ("stadion", "bane"),
    ("idrettsplass", "bane"),
    ("anlegg", "bane"),
    ("hall", "hall"),
    ("kirk", "kirke"),
    ("skol", "skole"),
    ("park", "park"),
)


@lru_cache(maxsize=65536)
def _ground(word: str) -> str | None:
    if word.startswith("kultur"):
        return None  # the culture school is an organisation, not a school's grounds
    return next((kind for head, kind in _GROUNDS if word.endswith(head)), None)


def grounds(stems: Iterable[str]) -> frozenset[str]:
    """The kinds of ground among place stems (``place_words`` of a place or ``title_where``)."""
    return frozenset(g for w in stems if (g := _ground(w)) is not None)


# A title says where after a word of place: "Dugnad på kunstgresset", "Ryddedugnad rundt torget",
# "Pølser i Føykaparken"; up to a break ("Vårdugnad på torget – ta med hansker").
_TITLE_WHERE = re.compile(
    r"\b(?:på|pa|ved|rundt|i|utenfor|foran|bak|langs|at|on|in)\s+([^–—:;!?()|/+]+)", re.IGNORECASE
)


@lru_cache(maxsize=65536)
def title_where(title: str) -> frozenset[str]:
    """The place words of the phrases a title says where with. Other words that happen to be a
    kind of ground are what the event is about or for ("Leksehjelp ungdomsskole", "Medlemsmøte:
    ny kunstgressbane")."""
    return frozenset().union(*(place_words(m.group(1)) for m in _TITLE_WHERE.finditer(title)))
