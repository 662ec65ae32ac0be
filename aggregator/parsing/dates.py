"""Norwegian date and time strings as listings print them: bokmål and nynorsk, read by hand.

Owns: reading strings such as ``TIRSDAG / 6 / OKTOBER``, ``Lør 19. sep. kl. 20:00``,
``6.–8. oktober 2026``, ``lørdag 21.02.26 13:45``, ``Kl. 16-17 kvar måndag`` into plain parts
(``scan``) and into one occurrence (``parse_when`` → ``When``), and turning a ``When`` into
aware datetimes in a zone (``resolve``). The forms seen in the wild are listed, with their
sources, in ../shared/samples/txt_norwegian-date-strings_observed.tsv; tests/parsing/test_dates.py
reads every row of it.

Must not: read the clock (the caller passes the reference date), use fixed UTC offsets (wall
clocks resolve through zoneinfo), or "fix" a weekday that contradicts its date (that is a
warning returned to the caller).

Why our own parser: dateparser 1.5 reads "kl 19" as the 19th, cannot split ranges, ignores
weekdays and does not know nynorsk day names (tysdag, laurdag, sundag). It is only a fallback
here, for dates our patterns do not cover (``oktober 6, 2026``, ``6/10``), after the times
have been taken out of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from aggregator.parsing.clock import utc, wall_clock_on

__all__ = [
    "DAY_NAMES",
    "MONTHS",
    "WEEKDAYS",
    "DateTextError",
    "Found",
    "When",
    "infer_year",
    "parse_when",
    "resolve",
    "scan",
    "scan_times",
    "split_time_prefix",
]

MONTHS: dict[str, int] = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "desember": 12,
    "des": 12,
}
#: full day names, bokmål and nynorsk (Monday = 0)
WEEKDAYS: dict[str, int] = {
    "mandag": 0,
    "måndag": 0,
    "tirsdag": 1,
    "tysdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "laurdag": 5,
    "søndag": 6,
    "sundag": 6,
}
_WEEKDAY_ABBR: dict[str, int] = {
    "man": 0,
    "mån": 0,
    "tir": 1,
    "tirs": 1,
    "tys": 1,
    "ons": 2,
    "tor": 3,
    "tors": 3,
    "fre": 4,
    "lør": 5,
    "lau": 5,
    "søn": 6,
    "sun": 6,
}
#: the bokmål name of each weekday (Monday = 0), for messages
DAY_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

#: how far back a year-less date may lie before the reference date before it means next year
PAST_WINDOW = timedelta(days=62)
#: an end clock earlier than the start means "the next day" only within this many hours
OVERNIGHT_LIMIT = timedelta(hours=12)


class DateTextError(ValueError):
    """The text holds no readable date; the message names what was missing or wrong."""


@dataclass(frozen=True)
class Found:
    """Everything ``scan`` recognised in one string, in the order it appears."""

    dates: tuple[date, ...] = ()
    #: dates[0]..dates[1] is one span ("6.–8. oktober", "16.03.2018 - 18.03.2018")
    is_range: bool = False
    #: clock ranges (start, end or None); a door-opening time is not among them
    times: tuple[tuple[time, time | None], ...] = ()
    #: "Dørene opnar kl 20:00" — doors, not the start
    doors: time | None = None
    #: weekdays named in the text, Monday = 0
    weekdays: tuple[int, ...] = ()
    #: prose recurrence: 1 = weekly ("kvar onsdag"), 2 = every other week ("annankvar onsdag")
    every: int = 0
    #: "i oddetalsveker" / "i partallsuker"
    weeks: Literal["odd", "even"] | None = None
    #: "hele dagen" / "heile dagen"
    all_day: bool = False
    #: dates written but impossible ("31. februar"), for error messages
    invalid: tuple[str, ...] = ()


@dataclass(frozen=True)
class When:
    """One occurrence as a listing states it: local dates and wall-clock times, no zone yet."""

    start_date: date
    start_time: time | None = None
    end_date: date | None = None
    end_time: time | None = None
    all_day: bool = False
    #: e.g. a weekday that contradicts the date; the date is kept as written
    warnings: tuple[str, ...] = ()


# --- normalising --------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u200a\u202f"), " ")


def _clean(text: str) -> str:
    """Dashes to "-", odd spaces (``&nbsp;`` sits between WisWeb's times) to " ", collapsed."""
    return re.sub(r"\s+", " ", text.translate(_DASHES).translate(_SPACES)).strip()


# --- patterns -----------------------------------------------------------------------------------

_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAYNAME = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ABBR = "|".join(sorted(_WEEKDAY_ABBR, key=len, reverse=True))
_TO = r"\s*(?:-|til)\s*"
_KL = r"(?:kl\.?|klokka|klokken)"

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# dd.mm.yyyy and dd.mm.yy ("lørdag 21.02.26 13:45", fotball.no; "startdate=11.02.2025")
_NUMERIC = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d|[.:]\d)")
# "9. september 2026", "23.september", "fredag 23 okt 2026", "6.-8. oktober 2026",
# "TIRSDAG / 6 / OKTOBER / 2027" (WisWeb frivilligsentral, four stacked spans)
_TEXTUAL = re.compile(
    rf"(?<![\d.:])(?:(?P<d0>\d{{1,2}})\.?{_TO})?(?P<d>\d{{1,2}})\.?\s*(?:/\s*)?"
    rf"(?P<mon>{_MON})\b\.?(?:[\s,/]*(?P<y>\d{{4}})(?!\d|[.:]\d))?"
)
# "kl. 18-21", "Kl. 11:00 - 13:30", "klokka 10.00", "kl 19" (never a year, never a day)
# An hour followed by a month name is a day: "kl. 18 – 8. okt." ends on the 8th, not at 08:00.
_NOT_MONTH = rf"(?!\.?\s*(?:/\s*)?(?:{_MON})\b)"
_MARKED = re.compile(
    rf"\b{_KL}\s*(?P<h1>\d{{1,2}}){_NOT_MONTH}(?:[.:](?P<m1>\d{{2}}))?"
    rf"(?:{_TO}(?:{_KL}\s*)?(?P<h2>\d{{1,2}}){_NOT_MONTH}(?:[.:](?P<m2>\d{{2}}))?)?(?!\d|[.:]\d)"
)
# "18.00 - 20.00", "13:30 - 15:00", "11.00 - 13.30: Eldretreff" (minutes required on the start)
_RANGE = re.compile(
    rf"(?<![\d.:])(?P<h1>\d{{1,2}})[.:](?P<m1>\d{{2}}){_TO}(?P<h2>\d{{1,2}})(?:[.:](?P<m2>\d{{2}}))?"
    r"(?!\d|[.:]\d)"
)
# "06.10" under a year heading (kyrkja.no): a date only when no other date was found
_DAY_MONTH = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})\.?(?!\d|[.:]\d)")
_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2})[.:](\d{2})(?!\d|[.:]\d)")
_WEEKDAY = re.compile(
    rf"\b(?:(?P<full>{_DAYNAME})(?:ar|er|en|ane|ene)?\b|(?P<abbr>{_ABBR})\b\.?(?=[\s,:]*\d))"
)
_EVERY = re.compile(
    rf"\b(?:(?P<two>annenhver|annahver|annakvar|annankvar|annan\w*|(?:hver|kvar)\s+(?:annen|anna|andre))"
    rf"|(?P<one>hver|kvar))\s+(?:{_DAYNAME})"
)
_WEEKS = re.compile(r"\b(?P<kind>oddetal|partal)l?s?\s*(?:veke|uke|vek|uk)")
_ALL_DAY = re.compile(r"\bhei?le\s+dag(?:en)?\b")
_DOORS = re.compile(r"\bd[øo]r\w*\s+(?:åpn|opn|åpen|open)\w*\s*$")


def _clock(h: str, m: str | None, *, end: bool = False) -> time | None:
    hour, minute = int(h), int(m or 0)
    if end and hour == 24 and minute == 0:
        return time(0, 0)  # "22.00-24.00": midnight, resolved to the next day
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _blank(buf: list[str], start: int, end: int) -> None:
    buf[start:end] = " " * (end - start)


def infer_year(day: int, month: int, reference: date, page_year: int | None = None) -> int | None:
    """The year of a year-less ``day. month``: the page's year, else the nearest date no more
    than ``PAST_WINDOW`` before ``reference`` (so in December "3. januar" is next year).
    None when the page's year has no such day (29 February in 2027)."""
    if page_year is not None:
        return page_year if _valid(page_year, month, day) else None
    for year in range(reference.year - 1, reference.year + 5):  # + 5 reaches the next 29 February
        if _valid(year, month, day) and date(year, month, day) >= reference - PAST_WINDOW:
            return year
    return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year  # "21.02.26": fotball.no writes yy


@dataclass
class _Date:
    pos: int
    end: int
    day: int
    month: int
    year: int | None


def _ranges(
    pattern: re.Pattern[str], low: str, buf: list[str], clocks: list[tuple[int, time, time | None, bool]]
) -> None:
    """Take every clock (range) ``pattern`` finds out of ``buf`` into ``clocks``."""
    for m in pattern.finditer("".join(buf)):
        start = _clock(m["h1"], m["m1"])
        end = _clock(m["h2"], m["m2"], end=True) if m["h2"] else None
        if start is None or (m["h2"] and end is None):
            continue
        doors = bool(_DOORS.search(low[: m.start()]))
        clocks.append((m.start(), start, end, doors))
        _blank(buf, m.start(), m.end())


def _scan(text: str, reference: date | None, page_year: int | None, *, with_dates: bool) -> Found:
    low = _clean(text).lower()
    buf = list(low)
    raw: list[_Date] = []
    invalid: list[str] = []
    one_match_range = False  # "6.–8. oktober": both ends in one match

    def take(pos: int, end: int, day: int, month: int, year: int | None) -> bool:
        if not (1 <= month <= 12 and _valid(year or 2000, month, day)):
            invalid.append(low[pos:end].strip())
            return False
        raw.append(_Date(pos, end, day, month, year))
        return True

    clocks: list[tuple[int, time, time | None, bool]] = []  # (pos, start, end, is_doors)
    if with_dates:
        for m in _ISO.finditer(low):
            if take(m.start(), m.end(), int(m[3]), int(m[2]), int(m[1])):
                _blank(buf, m.start(), m.end())
        for m in _NUMERIC.finditer("".join(buf)):
            if take(m.start(), m.end(), int(m[1]), int(m[2]), _full_year(m[3])):
                _blank(buf, m.start(), m.end())
    # "kl ..." before the month names, so that "kl 19" is taken as a time before anything else
    _ranges(_MARKED, low, buf, clocks)
    if with_dates:
        for m in _TEXTUAL.finditer("".join(buf)):
            month = MONTHS[m["mon"]]
            year = int(m["y"]) if m["y"] else None
            if m["d0"]:
                # "6.–8. oktober 2026": month and year stated once, on the end
                if take(m.start(), m.start("d"), int(m["d0"]), month, year):
                    if take(m.start("d"), m.end(), int(m["d"]), month, year):
                        one_match_range = True
                        _blank(buf, m.start(), m.end())
                    else:
                        raw.pop()
            elif take(m.start(), m.end(), int(m["d"]), month, year):
                _blank(buf, m.start(), m.end())

    _ranges(_RANGE, low, buf, clocks)
    if with_dates and not raw:
        for m in _DAY_MONTH.finditer("".join(buf)):
            day, month = int(m[1]), int(m[2])
            if 1 <= month <= 12 and _valid(2000, month, day):
                raw.append(_Date(m.start(), m.end(), day, month, None))
                _blank(buf, m.start(), m.end())
                break
    for m in _CLOCK.finditer("".join(buf)):
        start = _clock(m[1], m[2])
        if start is not None:
            clocks.append((m.start(), start, None, bool(_DOORS.search(low[: m.start()]))))
            _blank(buf, m.start(), m.end())
    clocks.sort(key=lambda c: c[0])
    raw.sort(key=lambda d: d.pos)

    is_range = one_match_range
    if len(raw) >= 2 and not is_range:
        # "16.03.2018 - 18.03.2018", "6. okt. – 8. nov.": two dates joined only by a dash
        # (times are blanked out by now: "6. okt. kl. 18 – 8. okt." is a range too)
        between = "".join(buf[raw[0].end : raw[1].pos])
        is_range = re.fullmatch(rf"[\s,]*{_TO}[\s,]*", between) is not None
    dates = _years(raw, is_range, reference, page_year)

    weeks_m = _WEEKS.search(low)
    every_m = _EVERY.search(low)
    weekdays = tuple(
        WEEKDAYS[m["full"]] if m["full"] else _WEEKDAY_ABBR[m["abbr"]] for m in _WEEKDAY.finditer(low)
    )
    return Found(
        dates=dates,
        is_range=is_range and len(dates) >= 2,
        times=tuple((s, e) for _, s, e, doors in clocks if not doors),
        doors=next((s for _, s, _, doors in clocks if doors), None),
        weekdays=weekdays,
        every=(2 if every_m["two"] else 1) if every_m else 0,
        weeks=None if weeks_m is None else ("odd" if weeks_m["kind"] == "oddetal" else "even"),
        all_day=_ALL_DAY.search(low) is not None,
        invalid=tuple(invalid),
    )


def _years(
    raw: list[_Date], is_range: bool, reference: date | None, page_year: int | None
) -> tuple[date, ...]:
    """Give every year-less date its year; in a range, the stated side lends its year."""
    if is_range and len(raw) >= 2:
        first, second = raw[0], raw[1]
        if first.year is None and second.year is not None:
            first.year = second.year
            if (first.month, first.day) > (second.month, second.day):
                first.year -= 1  # "28. des. – 2. jan. 2027"
    out: list[date] = []
    for i, d in enumerate(raw):
        year = d.year
        if year is None and is_range and i == 1 and out:
            year = out[0].year
            if (d.month, d.day) < (out[0].month, out[0].day):
                year += 1  # "28. des. – 2. jan.": the end is in the next year
        if year is None:
            year = infer_year(d.day, d.month, reference, page_year) if reference else None
        if year is not None and _valid(year, d.month, d.day):
            out.append(date(year, d.month, d.day))
    return tuple(out)


def scan(text: str, *, reference: date, year: int | None = None) -> Found:
    """Every date, clock range, weekday and recurrence word in ``text``.

    ``reference`` is the date year-less dates are placed near (``ctx.now.date()``); ``year`` is
    the year the page states (a footer, a heading), which wins over that guess.
    """
    return _scan(text, reference, year, with_dates=True)


def scan_times(text: str) -> Found:
    """Only the clock times in ``text``: for a field that holds times alone, where "10.05" is
    five past ten and never the 10th of May."""
    return _scan(text, None, None, with_dates=False)


def _weekday_warnings(found: Found, start: date, end: date | None) -> tuple[str, ...]:
    if found.every or not found.weekdays:
        return ()  # "kvar onsdag" names the series' day, not the date's
    checks = [(found.weekdays[0], start)]
    if end is not None and len(found.weekdays) > 1:
        checks.append((found.weekdays[-1], end))
    return tuple(
        f"weekday {DAY_NAMES[named]!r} contradicts {day.isoformat()}, which is a {DAY_NAMES[day.weekday()]}"
        for named, day in checks
        if named != day.weekday()
    )


def _fallback_date(text: str, reference: date, page_year: int | None) -> date | None:
    """dateparser for what our patterns miss; the clock times are taken out first so that
    "kl 19" cannot become the 19th, and a year it had to guess is guessed our way instead."""
    import dateparser  # imported late: it is slow to load and rarely needed

    found_text = _clean(text).lower()
    for pattern in (_MARKED, _RANGE, _CLOCK):
        found_text = pattern.sub(" ", found_text)
    if not re.search(r"\d|\bi (?:dag|morgen|overmorgen)\b", found_text):
        return None  # a weekday alone ("kvar onsdag") must not become next Wednesday
    settings = {
        "DATE_ORDER": "DMY",
        "REQUIRE_PARTS": ["day", "month"],
        "RELATIVE_BASE": datetime.combine(reference, time(12, 0)),
    }
    parsed = dateparser.parse(found_text, languages=["nb"], settings=settings)
    if parsed is None:
        return None
    day: date = parsed.date()
    if re.search(r"\d{4}|\d[./-]\d{1,2}[./-]\d{2}|\bi (?:dag|morgen|overmorgen)\b", found_text) is None:
        year = infer_year(day.day, day.month, reference, page_year)
        if year is None:
            return None
        day = date(year, day.month, day.day)
    return day


def parse_when(text: str, *, reference: date, year: int | None = None) -> When:
    """The one occurrence ``text`` states; raises ``DateTextError`` when it holds no date.

    The first date is the start; a second date joined by a dash is the end; the first clock
    range gives the times. No clock (or "hele dagen") means all-day.
    """
    found = scan(text, reference=reference, year=year)
    if found.dates:
        start_date = found.dates[0]
        end_date = found.dates[1] if found.is_range else None
    else:
        fallback = _fallback_date(text, reference, year)
        if fallback is None:
            what = f"impossible date {found.invalid[0]!r}" if found.invalid else "no date"
            raise DateTextError(f"{what} in {text.strip()!r}")
        start_date, end_date = fallback, None
    start_time, end_time = found.times[0] if found.times and not found.all_day else (None, None)
    if end_date is not None and end_time is None and len(found.times) >= 2:
        end_time = found.times[1][0]  # "6. okt. kl. 18 – 8. okt. kl. 12": each side has its clock
    return When(
        start_date=start_date,
        start_time=start_time,
        end_date=end_date,
        end_time=end_time,
        all_day=start_time is None,
        warnings=_weekday_warnings(found, start_date, end_date),
    )


def resolve(when: When, zone: ZoneInfo) -> tuple[datetime | date, datetime | date | None]:
    """``(start, end)`` as aware datetimes in ``zone`` — or dates, with an exclusive end, when
    all-day. An end clock before the start clock on the same day is the next day when that
    makes the event at most ``OVERNIGHT_LIMIT`` long ("22:00 - 01:00"); any end not after
    the start is dropped (None)."""
    if when.all_day or when.start_time is None:
        if when.end_date is not None and when.end_date > when.start_date:
            return when.start_date, when.end_date + timedelta(days=1)
        return when.start_date, None
    # Durations and order are compared in UTC: Python subtracts and compares two datetimes that
    # share a tzinfo by their wall clocks, which is an hour off across a DST change.
    start = wall_clock_on(when.start_date, when.start_time, zone)
    end: datetime | None = None
    if when.end_time is not None:
        end = wall_clock_on(when.end_date or when.start_date, when.end_time, zone)
        if when.end_date is None and utc(end) <= utc(start):
            next_day = wall_clock_on(when.start_date + timedelta(days=1), when.end_time, zone)
            end = next_day if utc(next_day) - utc(start) <= OVERNIGHT_LIMIT else None
    elif when.end_date is not None:
        # "6. okt. kl. 18 – 8. okt.": it ends some time that day; say the day's end
        end = wall_clock_on(when.end_date + timedelta(days=1), time(0, 0), zone)
    if end is not None and utc(end) <= utc(start):
        end = None
    return start, end


_PREFIX = re.compile(
    rf"^\s*(?:{_KL}\s*)?\d{{1,2}}[.:]\d{{2}}(?:{_TO}\d{{1,2}}[.:]\d{{2}})?\s*:\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)


def split_time_prefix(text: str) -> tuple[str, str]:
    """``"11.00 - 13.30: Eldretreff"`` → ``("11.00 - 13.30", "Eldretreff")``; WisWeb puts the
    times and the title in one heading and a reader splits on the first ": ". Text without such
    a prefix comes back as ``("", text)``."""
    cleaned = _clean(text)
    m = _PREFIX.match(cleaned)
    if m is None:
        return "", cleaned
    return cleaned[: m.start("rest")].rstrip(": ").strip(), m["rest"].strip()
