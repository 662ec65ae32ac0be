"""The ``manual`` adapter: events the square's staff keep by hand in a TOML or CSV file.

It owns reading that file (the core hands over its bytes, ``Response.url`` is a ``file:`` URI),
checking every entry, expanding standing weekly activities within the run's horizon, and
yielding one ``EventDraft`` per occurrence. It must not open files, read the clock (it uses
``ctx.now``) or know anything about feeds: it is bytes in, drafts out, like every adapter.
It exists for groups that only announce on Facebook or Spond (Kafé KIME, Borgen
nærmiljøsentral's språkkafé, Aktiv på dagtid); see ../shared/sources.md.

Format: by the file name (``.toml`` or ``.csv``); when the name says neither, by the
``format`` option, else by the content type. An explicit ``format = "toml"``/``"csv"`` wins.

TOML (the commented example is tests/fixtures/sources/manual/borgen_manual.toml)::

    [[event]]                      # one event; repeat the block for each
    id = "julemarked-2026"         # required, chosen by staff, never changed (it is the identity)
    title = "Julemarked på torget" # required
    date = 2026-12-05              # required; 2026-12-05 or "05.12.2026"
    start = "12:00"                # Oslo wall clock ("12:00", "12.00", "kl 12"); omit: all day
    end = "16:00"                  # optional; earlier than start means the next day
    place, address, description, url = "…"      # optional text (url must be http(s)://)
    categories = ["marked"]        # optional; audience likewise
    cancelled = false              # true/false (ja/nei also work); free likewise

    [[weekly]]                     # a standing weekly activity: the keys above except date, plus
    weekday = "tirsdag"            # or a list; Norwegian (bokmål/nynorsk) or English names
    from = 2026-08-18              # optional, default: the start of the horizon
    until = 2027-06-15             # optional
    except = [2026-12-22]          # dates with no meeting (yield nothing)
    except_periods = ["skoleferie"]  # names of [periods.*] (a meeting moved out of one is held)
    cancelled_dates = [2026-11-10] # still published, as cancelled
    [weekly.moved]                 # original date = where it went: date, start, end, each optional
    "2026-10-27" = { date = 2026-10-28, start = "18:00", end = "20:00" }   # (a new start
                                   # without an end has no end; status "rescheduled")

    [periods.skoleferie]           # shared date ranges, both ends included
    ranges = [[2026-09-28, 2026-10-02], [2026-12-21, 2027-01-01]]

CSV: a header row naming the columns id,title,date,start,end,place,address,description,url,
categories,audience,cancelled,free (id, title and date required, any order; categories and
audience separated by ";"), one event per row; UTF-8 with or without BOM (cp1252 as a last
resort), comma or semicolon delimited. Example: tests/fixtures/sources/manual/borgen_manual.csv.

Identity never depends on a time: a one-off's uid is its id; a weekly occurrence's uid is the
id and its recurrence id the ORIGINAL local date (YYYYMMDD), so a moved meeting keeps it.

Times are wall clock in ``ctx.zone`` (12:00 stays 12:00 across DST). Only occurrences whose
(original) date lies within the horizon are yielded, at most ``ctx.max_occurrences`` per weekly
entry; an except/cancelled/moved date the series never meets on is reported with ``ctx.warn``.

Problems carry a location (``event "julemarked-2026"``, ``weekly[2]`` counting from 1, or
``line 4`` in CSV). Structural problems (TOML syntax, unknown top-level keys, unknown keys or
columns, a broken [periods.*] table that many entries share) and duplicate ids raise one
ParseError listing every problem in the file; otherwise an entry with a bad value is
``ctx.skip``-ped with its reason and the rest is read.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Response, Status
from aggregator.parsing.clock import wall_clock_on
from aggregator.parsing.dates import DAY_NAMES
from aggregator.parsing.weekly import TYPED_WEEKDAY_NAMES, Slot, capped, horizon_dates, meetings

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NO_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_TIME = re.compile(r"(?:kl\.?\s*)?(\d{1,2})(?:[:.](\d{2}))?")
_FLAGS = {
    **dict.fromkeys(("true", "ja", "yes", "x", "1"), True),  # "x" and "ja" are what staff type in Excel
    **dict.fromkeys(("false", "nei", "no", "0", ""), False),
}
_TOP_KEYS = ("event", "weekly", "periods")


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):  # TOML 2026-12-05T12:00 is a datetime, a subclass of date
        raise ValueError(f"{value.isoformat()} has a time: put the date alone here, the time in start")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if m := _ISO_DATE.fullmatch(text):
            y, mo, d = (int(g) for g in m.groups())
        elif m := _NO_DATE.fullmatch(text):  # Norwegian dd.mm.yyyy, as Excel writes it here
            d, mo, y = (int(g) for g in m.groups())
        else:
            raise ValueError(f"{_show(value)} is not a date")
        try:
            return date(y, mo, d)
        except ValueError:
            pass
    raise ValueError(f"{_show(value)} is not a date")


def _to_time(value: Any) -> time:
    if isinstance(value, time):  # a bare TOML local time: start = 12:00:00
        return value.replace(tzinfo=None)
    if isinstance(value, str) and (m := _TIME.fullmatch(value.strip().lower())):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    hint = ' (write midnight as "00:00")' if isinstance(value, str) and value.strip() == "24:00" else ""
    raise ValueError(f"{_show(value)} is not a time{hint}")


def _to_weekdays(value: Any) -> tuple[int, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise ValueError(f"{_show(value)} is not a day name or a list of them")
    bad = [_show(n) for n in names if not isinstance(n, str) or n.strip().lower() not in TYPED_WEEKDAY_NAMES]
    if bad:
        raise ValueError(f"{', '.join(bad)} {'is not a day name' if len(bad) == 1 else 'are not day names'}")
    return tuple(sorted({TYPED_WEEKDAY_NAMES[n.strip().lower()] for n in names}))


def _to_text(value: Any) -> str | None:
    if not isinstance(value, str):
        raise ValueError(f"{_show(value)} is not text (put it in quotes)")
    return value.strip() or None


def _to_required_text(value: Any) -> str:
    text = _to_text(value)
    if text is None:
        raise ValueError("is empty")
    return text


def _to_url(value: Any) -> str | None:
    text = _to_text(value)
    # Relative links would resolve against the file: URI of this file, which means nothing.
    if text is not None and urlsplit(text).scheme not in ("http", "https"):
        raise ValueError(f'{_show(text)} is not a web address starting with "https://"')
    return text


def _to_words(value: Any) -> tuple[str, ...]:
    items = value.split(";") if isinstance(value, str) else value  # CSV cells hold "a;b"
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"{_show(value)} is not a list of words")
    return tuple(dict.fromkeys(w for i in items if (w := i.strip())))


def _to_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    raise ValueError(f"{_show(value)} is not true/false (ja/nei)")


LocalDate = Annotated[date, BeforeValidator(_to_date)]
LocalTime = Annotated[time, BeforeValidator(_to_time)]
Text = Annotated[str, BeforeValidator(_to_required_text)]
OptText = Annotated[str | None, BeforeValidator(_to_text)]
Url = Annotated[str | None, BeforeValidator(_to_url)]
Words = Annotated[tuple[str, ...], BeforeValidator(_to_words)]
Flag = Annotated[bool, BeforeValidator(_to_flag)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Entry(_Strict):
    id: Text
    title: Text
    start: LocalTime | None = None
    end: LocalTime | None = None
    place: OptText = None
    address: OptText = None
    description: OptText = None
    url: Url = None
    categories: Words = ()
    audience: Words = ()
    cancelled: Flag = False
    free: Annotated[bool | None, BeforeValidator(_to_flag)] = None


class _Event(_Entry):
    date: LocalDate


class _Moved(_Strict):
    date: LocalDate | None = None
    start: LocalTime | None = None
    end: LocalTime | None = None


class _Weekly(_Entry):
    weekday: Annotated[tuple[int, ...], BeforeValidator(_to_weekdays)]
    from_: LocalDate | None = Field(None, alias="from")
    until: LocalDate | None = None
    except_: tuple[LocalDate, ...] = Field((), alias="except")
    except_periods: tuple[str, ...] = ()
    cancelled_dates: tuple[LocalDate, ...] = ()
    moved: dict[LocalDate, _Moved] = Field(default_factory=dict)


class _Period(_Strict):
    ranges: tuple[tuple[LocalDate, LocalDate], ...]

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, ranges: tuple[tuple[date, date], ...]) -> tuple[tuple[date, date], ...]:
        wrong = [f"{a} to {b}" for a, b in ranges if b < a]
        if wrong:
            raise ValueError(f"{', '.join(wrong)} ends before it starts")
        return ranges


@dataclass
class _Raw:
    """One entry as read from the file, before checking: where it is and its keys."""

    kind: str  # "event" or "weekly"
    where: str
    position: str  # "event[2]" or "line 4": tells two entries with the same id apart
    data: Mapping[str, Any]
    problem: str | None = None  # a CSV row that cannot even be split into its columns


def _describe(exc: ValidationError, where: str) -> tuple[list[str], list[str]]:
    """Split pydantic's errors into (structural, bad value) messages with their location."""
    structural: list[str] = []
    values: list[str] = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"] if isinstance(p, str) and p != "[key]")
        if err["type"] == "extra_forbidden":
            structural.append(f"{where}: unknown key {_show(field)}")
        elif err["type"] == "missing":
            values.append(f"{where}: {field} is missing")
        elif err["type"] == "value_error":
            values.append(f"{where}: {field} {err['ctx']['error']}")
        else:
            values.append(f"{where}: {field} {_show(err['input'])}: {err['msg'].lower()}")
    return structural, values


def _where(kind: str, number: int, data: Mapping[str, Any]) -> str:
    ident = data.get("id")
    return f'{kind} "{ident.strip()}"' if isinstance(ident, str) and ident.strip() else f"{kind}[{number}]"


def _read_toml(text: str) -> tuple[list[_Raw], Mapping[str, Any], list[str]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ParseError(f"not valid TOML: {err}") from err
    except RecursionError as err:  # tomllib recurses per nested array: "[[[[…" exhausts the stack
        raise ParseError("not valid TOML: nested too deeply") from err
    problems = [
        f"unknown top-level key {_show(k)} (known: {', '.join(_TOP_KEYS)})" for k in doc if k not in _TOP_KEYS
    ]
    raws: list[_Raw] = []
    for kind in ("event", "weekly"):
        entries = doc.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            # [event] with one bracket makes a single table; each entry needs [[event]].
            problems.append(f"{kind}: write each entry as a [[{kind}]] block (two brackets)")
            continue
        raws += [_Raw(kind, _where(kind, n, e), f"{kind}[{n}]", e) for n, e in enumerate(entries, 1)]
    periods = doc.get("periods", {})
    if not isinstance(periods, dict):
        problems.append("periods: write each period as a [periods.<name>] table")
        periods = {}
    return raws, periods, problems


def _read_csv(text: str) -> tuple[list[_Raw], list[str]]:
    try:
        return _read_csv_rows(text)
    except csv.Error as err:  # e.g. a cell over csv.field_size_limit(): not a table staff wrote
        raise ParseError(f"not valid CSV: {err}") from err


def _read_csv_rows(text: str) -> tuple[list[_Raw], list[str]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ParseError("the CSV file is empty: it needs a header row (id,title,date,…)")
    # Norwegian Excel writes ";" (the comma is the decimal mark); csv.Sniffer guesses from
    # the whole sample and is fooled by commas in addresses, so count in the header alone.
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_row = next((row for row in reader if any(c.strip() for c in row)), None)
    if header_row is None:
        raise ParseError("the CSV file has no header row (id,title,date,…)")
    header = [h.strip().lower() for h in header_row]
    known = set(_Event.model_fields)
    problems = [
        f"header: unknown column {_show(h)} (known: {', '.join(_Event.model_fields)})"
        for h in header
        if h not in known
    ]
    problems += [f"header: column {_show(k)} is missing" for k in ("id", "title", "date") if k not in header]
    problems += [
        f"header: column {_show(h)} appears twice" for h in dict.fromkeys(header) if header.count(h) > 1
    ]
    raws: list[_Raw] = []
    line = reader.line_num
    for row in reader:
        where, line = f"line {line + 1}", reader.line_num  # a quoted cell may span lines
        # Excel pads rows with empty cells; only non-empty ones beyond the header are wrong.
        if any(cell.strip() for cell in row[len(header) :]):
            problem = f"has {len(row)} fields, the header has {len(header)}"
            raws.append(_Raw("event", where, where, dict(zip(header, row, strict=False)), problem))
            continue
        data = {h: cell for h, cell in zip(header, row, strict=False) if cell.strip()}
        if data:  # rows of bare delimiters are what Excel leaves below the table
            raws.append(_Raw("event", where, where, data))
    return raws, problems


def _times(
    day: date, start: time | None, end: time | None, zone: ZoneInfo
) -> tuple[datetime | date, datetime | date | None]:
    if start is None:
        return day, day + timedelta(days=1)  # all day; the end is exclusive (RFC 5545)
    if end is None:
        return wall_clock_on(day, start, zone), None
    # "22:00"–"03:30" is one night out, ending the next day (sources.md: overnight events).
    return wall_clock_on(day, start, zone), wall_clock_on(day + timedelta(days=int(end < start)), end, zone)


def _time_problems(where: str, start: time | None, end: time | None, label: str = "") -> list[str]:
    if end is not None and start is None:
        return [f"{where}: {label}end is given without a start"]
    if end is not None and end == start:
        return [f"{where}: {label}end {end:%H:%M} is the same as the start"]
    return []


def _moved_times(w: _Weekly, move: _Moved) -> tuple[time | None, time | None]:
    # A moved start keeps the series' end only when the move names no start of its own:
    # 12–14 moved to start "18:00" must not silently end at 14:00 the next day.
    if move.start is None:
        return w.start, move.end or w.end
    return move.start, move.end


def _draft(
    entry: _Entry,
    when: tuple[datetime | date, datetime | date | None],
    *,
    recurrence_id: str | None = None,
    status: Status | None = None,
    raw: Mapping[str, Any] | None = None,
) -> EventDraft:
    return EventDraft(
        uid=entry.id,
        title=entry.title,
        start=when[0],
        end=when[1],
        recurrence_id=recurrence_id,
        status=status or (Status.CANCELLED if entry.cancelled else Status.SCHEDULED),
        description=entry.description,
        url=entry.url,
        location=entry.place,
        address=entry.address,
        categories=entry.categories,
        audience=entry.audience,
        free=entry.free,
        raw=raw or {},
    )


class ManualAdapter(Adapter):
    """Events kept by hand in a TOML or CSV file beside settings.toml."""

    name: ClassVar[str] = "manual"

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        #: "auto" decides by the file name's suffix, then by the content type
        format: Literal["auto", "toml", "csv"] = "auto"

    def _format(self, response: Response) -> str:
        chosen: str = getattr(self.options, "format", "auto")
        if chosen != "auto":
            return chosen
        path = urlsplit(response.url).path.lower()
        ctype = response.headers.get("content-type", "").lower()
        for fmt in ("toml", "csv"):
            if path.endswith(f".{fmt}") or f"/{fmt}" in ctype:
                return fmt
        raise ParseError(f"cannot tell the format of {response.url}: name it .toml or .csv, or set format")

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        fmt = self._format(response)
        periods: dict[str, _Period] = {}
        if fmt == "csv":
            raws, problems = _read_csv(response.text())
        else:
            raws, raw_periods, problems = _read_toml(response.text())
            for name, table in raw_periods.items():
                try:
                    periods[name] = _Period.model_validate(table)
                except ValidationError as exc:
                    structural, values = _describe(exc, f"periods.{name}")
                    problems += structural + values
        entries: list[_Event | _Weekly] = []
        bad: list[tuple[str, list[str]]] = []
        seen: dict[str, str] = {}
        for raw in raws:
            ident = raw.data.get("id")
            if isinstance(ident, str) and ident.strip():
                key = ident.strip()
                if key in seen:
                    problems.append(f"{raw.position}: id {_show(key)} is already used by {seen[key]}")
                seen.setdefault(key, raw.position)
            if raw.problem:
                bad.append((raw.where, [f"{raw.where}: {raw.problem}"]))
                continue
            try:
                entry = (_Event if raw.kind == "event" else _Weekly).model_validate(raw.data)
            except ValidationError as exc:
                structural, values = _describe(exc, raw.where)
                problems += structural
                bad.append((raw.where, values))
                continue
            found = _time_problems(raw.where, entry.start, entry.end)
            if isinstance(entry, _Weekly):
                found += self._weekly_problems(raw.where, entry, periods)
            if found:
                bad.append((raw.where, found))
            else:
                entries.append(entry)
        if problems:
            everything = problems + [p for _, values in bad for p in values]
            raise ParseError(
                f"{len(everything)} problem(s) in {response.url}:\n"
                + "\n".join(f"  - {p}" for p in everything)
            )
        for where, values in bad:
            ctx.skip("; ".join(values), where)
        lo, hi = horizon_dates(ctx)
        for entry in entries:
            if isinstance(entry, _Weekly):
                yield from self._expand(entry, periods, lo, hi, ctx)
            elif lo <= entry.date <= hi:  # the same window weekly activities expand in
                yield _draft(entry, _times(entry.date, entry.start, entry.end, ctx.zone))

    @staticmethod
    def _weekly_problems(where: str, w: _Weekly, periods: Mapping[str, _Period]) -> list[str]:
        found = [
            f"{where}: except_periods {_show(n)} is not a [periods.*] name"
            for n in w.except_periods
            if n not in periods
        ]
        if w.from_ and w.until and w.until < w.from_:
            found.append(f"{where}: until {w.until} is before from {w.from_}")
        lists = {"except": set(w.except_), "cancelled_dates": set(w.cancelled_dates), "moved": set(w.moved)}
        names = list(lists)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                found += [f"{where}: {d} is in both {a} and {b}" for d in sorted(lists[a] & lists[b])]
        for original, move in w.moved.items():
            found += _time_problems(where, *_moved_times(w, move), f"moved.{original}: ")
        return found

    @staticmethod
    def _expand(
        w: _Weekly, periods: Mapping[str, _Period], lo: date, hi: date, ctx: RunContext
    ) -> Iterator[EventDraft]:
        first, last = max(w.from_ or lo, lo), min(w.until or hi, hi)

        def meets(day: date) -> bool:
            return day.weekday() in w.weekday and (w.from_ or day) <= day <= (w.until or day)

        # A listed date the series never meets on is a typo staff should see; not fatal.
        for label, days in (
            ("except", w.except_),
            ("cancelled_dates", w.cancelled_dates),
            ("moved", tuple(w.moved)),
        ):
            for day in days:
                if not meets(day):
                    ctx.warn(
                        f'weekly "{w.id}": {label} {day} ({DAY_NAMES[day.weekday()]}) is not a meeting day'
                    )
        holidays = [r for name in w.except_periods for r in periods[name].ranges]

        def held(day: date) -> bool:
            # A meeting staff moved out of a holiday is one they mean to hold: moved wins.
            return day not in w.except_ and (day in w.moved or not any(a <= day <= b for a, b in holidays))

        def stop(limit: int) -> None:
            ctx.warn(f'weekly "{w.id}": stopped at {limit} occurrences')

        series = meetings([Slot(weekday) for weekday in w.weekday], first, last, held=held)
        for day, _ in capped(series, ctx.max_occurrences, stop):
            rid, move = f"{day:%Y%m%d}", w.moved.get(day)
            if move is not None:
                when = _times(move.date or day, *_moved_times(w, move), ctx.zone)
                yield _draft(
                    w,
                    when,
                    recurrence_id=rid,
                    raw={"moved_from": day.isoformat()},
                    status=Status.CANCELLED if w.cancelled else Status.RESCHEDULED,
                )
            else:
                status = Status.CANCELLED if day in w.cancelled_dates else None
                yield _draft(w, _times(day, w.start, w.end, ctx.zone), recurrence_id=rid, status=status)
