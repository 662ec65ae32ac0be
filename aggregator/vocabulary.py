"""The shared vocabulary of categories and audiences, so one filter works across sources.

Every provider names things its own way (DNT "Fellestur", a library "Barn og familie", a
ticket shop "Konsert/Musikk"). Normalise maps each raw value through the source's own
mapping from settings.toml (``category_map`` / ``audience_map``) first, then through the
synonyms below. Values that map to nothing are kept as they are (lower-cased) so the
operator sees them in ``aggregator check`` and can add a mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aggregator.filters import fold

CATEGORIES: dict[str, tuple[str, ...]] = {
    "tur": (
        "tur",
        "fellestur",
        "fottur",
        "skitur",
        "sykkeltur",
        "padletur",
        "topptur",
        "hiking",
        "hike",
        "turer",
    ),
    "kurs": ("kurs", "course", "workshop", "verksted", "opplæring", "opplaering", "kurs og opplæring"),
    "konsert": ("konsert", "konserter", "concert", "musikk", "music", "konsert/musikk"),
    "forestilling": ("forestilling", "teater", "theatre", "theater", "revy", "danseforestilling", "show"),
    "språkkafé": ("språkkafé", "sprakkafe", "språkkafe", "language café", "language cafe", "norsktrening"),
    "trening": (
        "trening",
        "aktivitet",
        "aktiv på dagtid",
        "yoga",
        "trim",
        "gym",
        "fysisk aktivitet",
        "sport",
        "idrett",
        "fotball",
        "kamp",
    ),
    "møteplass": ("møteplass", "moteplass", "kafé", "kafe", "treff", "eldretreff", "sosialt", "strikkekafé"),
    "bibliotek": ("bibliotek", "library", "lesestund", "forfattermøte", "bokprat", "litteratur"),
    "foredrag": ("foredrag", "lecture", "talk", "møte", "informasjonsmøte", "debatt"),
    "marked": ("marked", "julemarked", "loppemarked", "market"),
    "dugnad": ("dugnad", "frivillig", "volunteering"),
    "familie": ("familie", "barn og familie", "family", "familieaktivitet"),
    "utstilling": ("utstilling", "exhibition", "kunst", "art"),
}

AUDIENCES: dict[str, tuple[str, ...]] = {
    "barn": ("barn", "children", "kids", "barnehage", "småbarn", "smabarn", "barn og familie", "familie"),
    "ungdom": ("ungdom", "youth", "tenåringer", "unge", "ungdomsskole"),
    "voksne": ("voksne", "adults", "voksen"),
    "senior": ("senior", "seniorer", "eldre", "pensjonister", "60+", "aktiv på dagtid"),
    "alle": ("alle", "everyone", "all", "for alle", "hele familien"),
    "funksjonshemmede": ("funksjonshemmede", "tilrettelagt", "universelt utformet"),
}


def _index(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, synonyms in table.items():
        out[fold(canonical)] = canonical
        for word in synonyms:
            out.setdefault(fold(word), canonical)
    return out


_CATEGORY_INDEX = _index(CATEGORIES)
_AUDIENCE_INDEX = _index(AUDIENCES)


def _map(values: Iterable[str], own: Mapping[str, str], index: Mapping[str, str]) -> tuple[str, ...]:
    own_folded = {fold(k): v for k, v in own.items()}
    out: list[str] = []
    for value in values:
        key = fold(value.strip())
        if not key:
            continue
        mapped = own_folded.get(key)
        if mapped is not None:
            if mapped:  # an empty mapping drops a value the operator does not want
                out.append(index.get(fold(mapped), mapped))
            continue
        out.append(index.get(key, value.strip().lower()))
    return tuple(dict.fromkeys(out))


def map_categories(values: Iterable[str], own: Mapping[str, str] | None = None) -> tuple[str, ...]:
    return _map(values, own or {}, _CATEGORY_INDEX)


def map_audience(values: Iterable[str], own: Mapping[str, str] | None = None) -> tuple[str, ...]:
    return _map(values, own or {}, _AUDIENCE_INDEX)


def is_known_category(value: str) -> bool:
    return value in CATEGORIES


def is_known_audience(value: str) -> bool:
    return value in AUDIENCES
