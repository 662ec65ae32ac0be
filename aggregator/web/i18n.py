"""The web pages' two languages: Norwegian bokmål (default) and English.

Owns choosing the language of a request (``?lang=`` wins, then the browser's Accept-Language),
the interface strings, and the English date formatting that mirrors the bokmål helpers in
``aggregator/publish/common.py`` (which stay the one source of the Norwegian forms). It must
not render HTML or read the store; event text from sources is never translated.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.model import EventRecord
from aggregator.parsing.dates import DAY_NAMES
from aggregator.publish.common import last_day, local_date, nb_date, nb_time

LANGS = ("nb", "en")
# Nynorsk and the generic "no" read bokmål pages fine; Danish and Swedish readers too.
_NORWEGIAN = {"nb", "nn", "no", "da", "sv"}

STRINGS: dict[str, dict[str, str]] = {
    "nb": {
        "site": "Borgen innbyggertorg",
        "calendar": "Kalender",
        "whats_on": "Dette skjer",
        "skip": "Hopp til innholdet",
        "filters": "Filtrer",
        "category": "Kategori",
        "audience": "Hvem passer det for",
        "place": "Sted",
        "source": "Kilde",
        "feed": "Kalender",
        "all": "Alle",
        "free_only": "Bare gratis",
        "from": "Fra dato",
        "to": "Til dato",
        "search": "Søk",
        "apply": "Vis",
        "reset": "Nullstill",
        "no_events": "Ingen arrangementer passer filteret.",
        "cancelled": "Avlyst",
        "postponed": "Utsatt",
        "moved": "Flyttet",
        "moved_note": "Nytt tidspunkt",
        "moved_from": "Flyttet fra",
        "all_day": "Hele dagen",
        "free": "Gratis",
        "next_page": "Flere arrangementer",
        "prev_page": "Forrige side",
        "subscribe": "Abonner på kalenderen",
        "subscribe_help": "Adressene under følger filteret du har valgt. Kalenderen oppdateres av seg selv.",
        "webcal": "Abonner i kalenderappen (webcal)",
        "https_ics": "Kalenderadresse (https)",
        "google": "Legg til i Google Kalender",
        "outlook": "Legg til i Outlook",
        "rss": "RSS",
        "json": "JSON Feed",
        "qr": "QR-kode til kalenderadressen",
        "embed_help": "Vis kalenderen på din nettside",
        "status": "Driftsstatus",
        "api": "API",
        "print": "Utskrift (ukeprogram)",
        "screen": "Infoskjerm",
        "when": "Når",
        "where": "Hvor",
        "organizer": "Arrangør",
        "price": "Pris",
        "signup": "Påmelding",
        "tickets": "Billetter og mer informasjon",
        "map": "Vis på kart",
        "listed_by": "Oppført av",
        "also_listed_by": "Også oppført hos",
        "add_to_calendar": "Legg i min kalender",
        "download_ics": "Last ned (.ics)",
        "back": "Tilbake til kalenderen",
        "not_found": "Fant ikke arrangementet.",
        "week": "Uke",
        "program_for": "Program",
        "today": "I dag",
        "updated": "Oppdatert",
        "offline": "Viser sist hentede program",
        "snippet": "Kode å lime inn",
        "snippet_help": "Lim inn koden på siden din. Listen arver skrift og farger fra siden.",
        "iframe_help": "Kan du ikke bruke skript, bruk en iframe:",
        "preview": "Forhåndsvisning",
        "language": "English",
        "categories": "Kategorier",
        "page": "Side",
        "events": "arrangementer",
    },
    "en": {
        "site": "Borgen community square",
        "calendar": "Calendar",
        "whats_on": "What's on",
        "skip": "Skip to content",
        "filters": "Filter",
        "category": "Category",
        "audience": "Who it is for",
        "place": "Place",
        "source": "Source",
        "feed": "Calendar",
        "all": "All",
        "free_only": "Free only",
        "from": "From date",
        "to": "To date",
        "search": "Search",
        "apply": "Show",
        "reset": "Reset",
        "no_events": "No events match the filter.",
        "cancelled": "Cancelled",
        "postponed": "Postponed",
        "moved": "Moved",
        "moved_note": "New time",
        "moved_from": "Moved from",
        "all_day": "All day",
        "free": "Free",
        "next_page": "More events",
        "prev_page": "Previous page",
        "subscribe": "Subscribe to the calendar",
        "subscribe_help": "These addresses follow the filter you chose. The calendar updates by itself.",
        "webcal": "Subscribe in your calendar app (webcal)",
        "https_ics": "Calendar address (https)",
        "google": "Add to Google Calendar",
        "outlook": "Add to Outlook",
        "rss": "RSS",
        "json": "JSON Feed",
        "qr": "QR code of the calendar address",
        "embed_help": "Show the calendar on your website",
        "status": "Service status",
        "api": "API",
        "print": "Print (weekly programme)",
        "screen": "Info screen",
        "when": "When",
        "where": "Where",
        "organizer": "Organiser",
        "price": "Price",
        "signup": "Sign up",
        "tickets": "Tickets and more information",
        "map": "Show on map",
        "listed_by": "Listed by",
        "also_listed_by": "Also listed by",
        "add_to_calendar": "Add to my calendar",
        "download_ics": "Download (.ics)",
        "back": "Back to the calendar",
        "not_found": "Event not found.",
        "week": "Week",
        "program_for": "Programme",
        "today": "Today",
        "updated": "Updated",
        "offline": "Showing the last programme fetched",
        "snippet": "Code to paste",
        "snippet_help": "Paste the code into your page. The list inherits the page's font and colours.",
        "iframe_help": "If you cannot use scripts, use an iframe:",
        "preview": "Preview",
        "language": "Norsk",
        "categories": "Categories",
        "page": "Page",
        "events": "events",
    },
}

EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NB_WEEKDAYS_LONG = DAY_NAMES
NB_MONTHS_LONG = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
EN_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_WEEKDAYS_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def choose_lang(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` if it names a language we have, else the best of Accept-Language, else bokmål."""
    if query_lang in LANGS:
        return query_lang
    best: tuple[float, str] | None = None
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = "nb" if primary in _NORWEGIAN else "en" if primary == "en" else None
        # Ties go to the earlier entry: browsers list the preferred language first.
        if lang and q > 0 and (best is None or q > best[0]):
            best = (q - position * 1e-6, lang)
    return best[1] if best else "nb"


def t(lang: str, key: str) -> str:
    return STRINGS.get(lang, STRINGS["nb"])[key]


def day_heading(d: date, lang: str, now_year: int) -> str:
    """``tirsdag 3. november`` / ``Tuesday 3 November`` (the year when not the current one)."""
    if lang == "en":
        text = f"{EN_WEEKDAYS_LONG[d.weekday()]} {d.day} {EN_MONTHS_LONG[d.month - 1]}"
    else:
        text = f"{NB_WEEKDAYS_LONG[d.weekday()]} {d.day}. {NB_MONTHS_LONG[d.month - 1]}"
    return text if d.year == now_year else f"{text} {d.year}"


def short_date(d: date, lang: str, now_year: int) -> str:
    if lang != "en":
        return nb_date(d, now_year)
    text = f"{EN_WEEKDAYS[d.weekday()]} {d.day} {EN_MONTHS[d.month - 1]}"
    return text if d.year == now_year else f"{text} {d.year}"


def clock(dt: datetime, lang: str) -> str:
    """Norwegian writes 18.00; English pages use the 24-hour 18:00 common in Europe."""
    return nb_time(dt) if lang != "en" else f"{dt.hour:02d}:{dt.minute:02d}"


def time_range(record: EventRecord, zone: ZoneInfo, lang: str) -> str:
    """The time of day on a listing line: ``18.00–20.00``, or "Hele dagen"."""
    if record.all_day:
        return t(lang, "all_day")
    start = record.start.astimezone(zone)
    if record.end is None or record.end <= record.start:
        return clock(start, lang)
    end = record.end.astimezone(zone)
    if end.date() != start.date():
        return f"{clock(start, lang)}–{short_date(end.date(), lang, start.year)} {clock(end, lang)}"
    return f"{clock(start, lang)}–{clock(end, lang)}"


def moved_when(moved_from: datetime, all_day: bool, zone: ZoneInfo, lang: str, now: datetime) -> str:
    """The old start of a moved event, as the event page says it: ``tir. 1. sep. kl. 18.00`` /
    ``Tue 1 Sep at 18:00``."""
    local = moved_from.astimezone(zone)
    day = short_date(local.date(), lang, now.astimezone(zone).year)
    if all_day:
        return day
    return f"{day} {_at(lang)} {clock(local, lang)}"


def _at(lang: str) -> str:
    """The word before a clock time after a date: "tir. 1. sep. kl. 18.00", "Tue 1 Sep at 18:00"."""
    return "kl." if lang != "en" else "at"


def when_text(record: EventRecord, zone: ZoneInfo, lang: str, now: datetime) -> str:
    """Full date and time for the event page, in the page's language."""
    year = now.astimezone(zone).year
    first, last = local_date(record, zone), last_day(record, zone)
    day = short_date(first, lang, year)
    if record.all_day:
        return day if last == first else f"{day} – {short_date(last, lang, year)}"
    return f"{day} {_at(lang)} {time_range(record, zone, lang)}"
