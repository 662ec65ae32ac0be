"""The seeded benchmark workload: iCalendar and RSS 1.0 documents about Borgen, as bytes.

Owns generating, from one seed and one ``now``, the documents the spine benchmark serves:
Google-style and Outlook-style iCalendar files (VTIMEZONE for Europe/Oslo, weekly series with
EXDATE and RECURRENCE-ID overrides, all-day events, some times in UTC ``Z``) and RSS 1.0 (RDF)
feeds with the event module (``ev:startdate``). The text is Norwegian and local to Borgen
innbyggertorg, Søndre Borgen 11, 1388 Borgen, Asker.

Must not: read the clock (``now`` is passed in), touch the network or the disk, or import the
aggregator core: the workload has to stay a neutral input for the core and the bare baseline.
The same seed and ``now`` give byte-identical documents.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
#: The fixed "now" of the benchmark (the test suite's too): a Tuesday before the October change.
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=OSLO)

ICS_TYPE = "text/calendar; charset=utf-8"
RSS_TYPE = "application/rdf+xml; charset=utf-8"

TITLES = (
    "Språkkafé",
    "Strikkekafé",
    "Lesestund",
    "Lesestund for de minste",
    "Fellestur til Vardåsen",
    "Leksehjelp",
    "Babysang",
    "Seniordans",
    "Quiz på Kafé KIME",
    "Bokprat",
    "Sjakk for alle",
    "Datahjelp for seniorer",
    "Stavgang med Aktiv på dagtid",
    "Konsert med Asker kulturskole",
    "Reparasjonskafé",
    "Filmkveld",
    "Yoga for nybegynnere",
    "Foredrag: Askers historie",
    "Loppemarked",
    "Dugnad i nærmiljøet",
    "Barnelørdag",
    "Trim for eldre",
    "Middag for alle",
    "Åpen scene",
    "Fellessang",
    "Ungdomsklubb",
    "Sykkelverksted",
    "Hagekafé",
    "Brettspillkveld",
    "Norsktrening",
)
QUALIFIERS = (
    "",
    "",
    "",
    " for hele familien",
    " (påmelding)",
    " – høstsesongen",
    " med Asker bibliotek",
    " på Borgen",
    " for ungdom",
    ": tema «Vinter i Asker»",
)
PLACES = (
    ("Borgen innbyggertorg", "Søndre Borgen 11, 1388 Borgen"),
    ("Asker bibliotek", "Strandveien 4, 1383 Asker"),
    ("Borgen nærmiljøsentral", "Søndre Borgen 11, 1388 Borgen"),
    ("Kafé KIME", "Søndre Borgen 11, 1388 Borgen"),
    ("Asker kulturskole", "Asker kulturhus, 1383 Asker"),
    ("Vardåsen, oppmøte ved parkeringen", "Vardåsveien, 1388 Borgen"),
    ("Borgen skole, gymsalen", "Borgenveien 2, 1388 Borgen"),
    ("Semsvannet, badeplassen", "Semsvannsveien, 1385 Asker"),
)
ORGANIZERS = (
    ("Borgen nærmiljøsentral", "narmiljosentral@borgen.example"),
    ("Asker bibliotek", "bibliotek@asker.example"),
    ("DNT Asker", "asker@dnt.example"),
    ("Asker kulturskole", "kulturskolen@asker.example"),
    ("Kafé KIME", "kime@borgen.example"),
    ("Aktiv på dagtid", "aktiv@asker.example"),
    ("Frivilligsentralen i Asker", "frivillig@asker.example"),
)
SENTENCES = (
    "Gratis, ingen påmelding.",
    "Ta med matpakke og godt humør.",
    "Vi møtes i foajeen på Borgen innbyggertorg.",
    "Passer for alle aldre.",
    "Påmelding til Asker bibliotek; begrenset antall plasser.",
    "Kaffe og vafler til salgs, ta gjerne med kontanter eller Vipps.",
    "Oppmøte ved hovedinngangen, Søndre Borgen 11.",
    "Frivillige fra Borgen nærmiljøsentral leder samtalene.",
    "Lokalet er tilrettelagt for rullestol.",
    "Barn under 12 år i følge med en voksen.",
    "Vi går i rolig tempo; gode sko anbefales.",
    "Tolk kan bestilles på forhånd.",
    "Arrangementet er en del av Aktiv på dagtid.",
    "Husk at bussen går fra Borgen kl. 17.42.",
    "Ved dårlig vær flytter vi innendørs.",
    "Velkommen – både nye og gamle deltakere!",
)
CATEGORIES = ("Sosialt", "Språk", "Kultur", "Barn", "Tur", "Senior", "Musikk", "Læring", "Frivillighet")
START_TIMES = (time(10), time(11), time(12), time(13, 30), time(17), time(18), time(18, 30), time(19))
LENGTHS = (timedelta(hours=1), timedelta(minutes=90), timedelta(hours=2), timedelta(hours=3))

VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Oslo",
    "X-LIC-LOCATION:Europe/Oslo",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class Document:
    """One served document: its path on the loopback server, content type and bytes."""

    path: str
    kind: str  # "ical" | "rss"
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Workload:
    """Every document of one benchmark run, generated from ``seed`` relative to ``now``."""

    seed: int
    now: datetime
    documents: tuple[Document, ...] = field(default=())

    @property
    def calendars(self) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.kind == "ical")

    @property
    def feeds(self) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.kind == "rss")

    @property
    def total_bytes(self) -> int:
        return sum(len(d.body) for d in self.documents)


# -- iCalendar text -------------------------------------------------------------------------


def ical_escape(value: str) -> str:
    """RFC 5545 3.3.11 TEXT escaping."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical_fold(line: str) -> str:
    """Fold at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    pos, limit = 0, 75
    while pos < len(data):
        cut = min(pos + limit, len(data))
        while cut < len(data) and data[cut] & 0xC0 == 0x80:
            cut -= 1
        parts.append(data[pos:cut].decode("utf-8"))
        pos, limit = cut, 74
    return "\r\n ".join(parts)


def _local(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(d: date) -> str:
    return d.strftime("%Y%m%d")


class _Author:
    """Draws Norwegian event text from the word lists with one seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def title(self) -> str:
        return self.rng.choice(TITLES) + self.rng.choice(QUALIFIERS)

    def description(self) -> str:
        return " ".join(self.rng.sample(SENTENCES, self.rng.randint(1, 4)))

    def place(self) -> tuple[str, str]:
        return self.rng.choice(PLACES)

    def organizer(self) -> tuple[str, str]:
        return self.rng.choice(ORGANIZERS)

    def categories(self) -> list[str]:
        return self.rng.sample(CATEGORIES, self.rng.randint(1, 2))

    def wall(self, day: date) -> datetime:
        """A local wall-clock start on ``day`` in Europe/Oslo (zoneinfo, never a fixed offset)."""
        return datetime.combine(day, self.rng.choice(START_TIMES), tzinfo=OSLO)


def _common_props(author: _Author, uid: str, stamp: datetime, google: bool) -> list[str]:
    name, address = author.place()
    org_name, org_mail = author.organizer()
    lines = [
        f"DTSTAMP:{_utc(stamp)}",
        f"UID:{uid}",
        f"CREATED:{_utc(stamp - timedelta(days=20))}",
        f"LAST-MODIFIED:{_utc(stamp - timedelta(days=2))}",
        "DESCRIPTION:" + ical_escape(author.description()),
        "LOCATION:" + ical_escape(f"{name}, {address}"),
        f"ORGANIZER;CN={org_name}:mailto:{org_mail}",
        "CATEGORIES:" + ",".join(ical_escape(c) for c in author.categories()),
    ]
    if author.rng.random() < 0.3:
        lines.append("GEO:59.8163;10.4228")  # Borgen innbyggertorg
    if author.rng.random() < 0.5:
        lines.append(f"URL:https://borgen-innbyggertorg.example/hva-skjer/{uid.split('@')[0]}")
    lines.append("SEQUENCE:0")
    lines.append("TRANSP:OPAQUE" if google else "TRANSP:TRANSPARENT")
    return lines


def _single(author: _Author, uid: str, stamp: datetime, day: date, google: bool, kind: str) -> list[str]:
    rng = author.rng
    lines = ["BEGIN:VEVENT"]
    if kind == "allday":
        lines.append(f"DTSTART;VALUE=DATE:{_day(day)}")
        lines.append(f"DTEND;VALUE=DATE:{_day(day + timedelta(days=rng.choice((1, 1, 2, 3))))}")
    else:
        start = author.wall(day)
        end = start + rng.choice(LENGTHS)
        if kind == "utc":
            # Outlook and TicketCo often publish instants in UTC; the zone is the reader's job.
            lines += [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"]
        else:
            lines += [f"DTSTART;TZID=Europe/Oslo:{_local(start)}", f"DTEND;TZID=Europe/Oslo:{_local(end)}"]
    lines += _common_props(author, uid, stamp, google)
    status = "CANCELLED" if rng.random() < 0.02 else "CONFIRMED"
    title = author.title()
    lines += [f"STATUS:{status}", "SUMMARY:" + ical_escape(title), "END:VEVENT"]
    return lines


def _series(
    author: _Author, uid: str, stamp: datetime, first: date, now: datetime, overrides: int, google: bool
) -> list[str]:
    """A weekly series with one EXDATE and ``overrides`` moved occurrences (RECURRENCE-ID)."""
    rng = author.rng
    start = author.wall(first)
    end = start + rng.choice(LENGTHS)
    byday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[first.weekday()]
    rule = f"FREQ=WEEKLY;WKST=MO;BYDAY={byday}"
    ending = rng.random()
    if ending < 0.25:
        until = datetime.combine(now.date() + timedelta(days=rng.randint(90, 250)), time(23, 59, 59), OSLO)
        rule += f";UNTIL={_utc(until)}"
    elif ending < 0.4:
        rule += f";COUNT={rng.randint(20, 50)}"
    weeks = [start + timedelta(weeks=n) for n in range(1, 9)]
    skipped = rng.choice(weeks)
    moved = rng.sample([w for w in weeks if w != skipped], overrides)
    title = author.title()
    main = [
        "BEGIN:VEVENT",
        f"DTSTART;TZID=Europe/Oslo:{_local(start)}",
        f"DTEND;TZID=Europe/Oslo:{_local(end)}",
        f"RRULE:{rule}",
        # a holiday week is left out (høstferie, jul)
        f"EXDATE;TZID=Europe/Oslo:{_local(skipped)}",
        *_common_props(author, uid, stamp, google),
        "STATUS:CONFIRMED",
        "SUMMARY:" + ical_escape(title),
        "END:VEVENT",
    ]
    for original in moved:
        new_start = original + timedelta(hours=1)
        main += [
            "BEGIN:VEVENT",
            f"DTSTART;TZID=Europe/Oslo:{_local(new_start)}",
            f"DTEND;TZID=Europe/Oslo:{_local(new_start + (end - start))}",
            f"DTSTAMP:{_utc(stamp)}",
            f"UID:{uid}",
            f"RECURRENCE-ID;TZID=Europe/Oslo:{_local(original)}",
            "DESCRIPTION:" + ical_escape("Flyttet en time senere denne uka. " + author.description()),
            "LOCATION:" + ical_escape(", ".join(author.place())),
            "SEQUENCE:1",
            "STATUS:CONFIRMED",
            "SUMMARY:" + ical_escape(title),
            "END:VEVENT",
        ]
    return main


def calendar(rng: random.Random, index: int, now: datetime, vevents: int) -> bytes:
    """One calendar of ``vevents`` VEVENT components (series, overrides and singles together).

    About 15% of the components are weekly series, each with one EXDATE and one or two
    overrides; of the single events 5% are all-day and 10% are written in UTC.
    """
    author = _Author(rng)
    google = index % 5 != 4  # most public calendars in Asker are Google calendars
    name = rng.choice([o[0] for o in ORGANIZERS])
    stamp = now.astimezone(UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    head = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN"
        if google
        else "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ical_escape(f"{name} – kalender {index + 1}"),
    ]
    if google:
        head += ["X-WR-TIMEZONE:Europe/Oslo", "X-WR-CALDESC:" + ical_escape("Det som skjer på Borgen.")]
    body: list[str] = list(VTIMEZONE)
    made = 0
    n = 0
    today = now.astimezone(OSLO).date()
    while made < vevents:
        n += 1
        uid = f"{hashlib.sha1(f'{index}-{n}'.encode()).hexdigest()[:20]}@borgen.example"
        left = vevents - made
        if left >= 3 and rng.random() < 0.15:
            overrides = rng.choice((1, 1, 2))
            first = today + timedelta(days=rng.randint(-100, 40))
            body += _series(author, uid, stamp, first, now, overrides, google)
            made += 1 + overrides
            continue
        roll = rng.random()
        kind = "allday" if roll < 0.05 else "utc" if roll < 0.15 else "local"
        # Google exports a calendar's whole history: some events lie far behind the horizon.
        offset = rng.randint(-400, -40) if rng.random() < 0.08 else rng.randint(-30, 179)
        body += _single(author, uid, stamp, today + timedelta(days=offset), google, kind)
        made += 1
    lines = [*head, *body, "END:VCALENDAR"]
    return ("\r\n".join(ical_fold(line) for line in lines) + "\r\n").encode("utf-8")


# -- RSS 1.0 with the event module ----------------------------------------------------------


def _ev_time(dt: datetime, style: int) -> str:
    if style == 0:
        return dt.isoformat(timespec="seconds")  # with the zone's own offset, +02:00 / +01:00
    if style == 1:
        return dt.replace(tzinfo=None).isoformat(timespec="seconds")  # wall clock, no offset
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss_feed(rng: random.Random, index: int, now: datetime, items: int) -> bytes:
    """One RSS 1.0 (RDF) feed of ``items`` items carrying ev:startdate/ev:enddate."""
    author = _Author(rng)
    org_name, _ = author.organizer()
    base = f"https://borgen-innbyggertorg.example/feed-{index + 1}"
    today = now.astimezone(OSLO).date()
    style = index % 3  # each publisher writes its times one way
    entries: list[str] = []
    links: list[str] = []
    for n in range(items):
        link = f"{base}/arrangement-{n + 1}/"
        links.append(link)
        day = today + timedelta(days=rng.randint(0, 150))
        title = author.title()
        place, address = author.place()
        text = author.description()
        if rng.random() < 0.3:
            # WordPress feeds put HTML in <description>, entity-escaped.
            text = f"<p>{xml_escape(text)}</p><p><strong>Sted:</strong> {xml_escape(address)}</p>"
        published = datetime.combine(day - timedelta(days=rng.randint(5, 40)), time(9), OSLO)
        lines = [
            f'  <item rdf:about="{link}">',
            f"    <title>{xml_escape(title)}</title>",
            f"    <link>{link}</link>",
            f"    <description>{xml_escape(text)}</description>",
            f"    <dc:subject>{xml_escape(rng.choice(CATEGORIES))}</dc:subject>",
            f"    <dc:date>{published.isoformat(timespec='seconds')}</dc:date>",
        ]
        if rng.random() < 0.05:
            lines.append(f"    <ev:startdate>{day.isoformat()}</ev:startdate>")
        else:
            start = author.wall(day)
            lines.append(f"    <ev:startdate>{_ev_time(start, style)}</ev:startdate>")
            if rng.random() < 0.8:
                lines.append(f"    <ev:enddate>{_ev_time(start + rng.choice(LENGTHS), style)}</ev:enddate>")
        lines += [
            f"    <ev:location>{xml_escape(place)}, {xml_escape(address)}</ev:location>",
            f"    <ev:organizer>{xml_escape(org_name)}</ev:organizer>",
            f"    <ev:type>{xml_escape(rng.choice(CATEGORIES))}</ev:type>",
            "  </item>",
        ]
        entries.append("\n".join(lines))
    seq = "\n".join(f'        <rdf:li rdf:resource="{link}"/>' for link in links)
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns:ev="http://purl.org/rss/1.0/modules/event/">
  <channel rdf:about="{base}/rss.rdf">
    <title>{xml_escape(org_name)} – arrangementer på Borgen ({index + 1})</title>
    <link>{base}/</link>
    <description>Arrangementer ved Borgen innbyggertorg, Søndre Borgen 11, 1388 Borgen</description>
    <dc:language>nb</dc:language>
    <items>
      <rdf:Seq>
{seq}
      </rdf:Seq>
    </items>
  </channel>
{chr(10).join(entries)}
</rdf:RDF>
"""
    return doc.encode("utf-8")


def generate(
    seed: int = 2026,
    now: datetime = NOW,
    *,
    calendars: int = 40,
    vevents: int = 250,
    feeds: int = 20,
    items: int = 50,
) -> Workload:
    """The whole workload; one RNG per document so a smaller run is a prefix of a larger one."""
    docs: list[Document] = []
    for i in range(calendars):
        rng = random.Random(f"{seed}-ical-{i}")
        docs.append(Document(f"/ical/{i:02d}.ics", "ical", ICS_TYPE, calendar(rng, i, now, vevents)))
    for i in range(feeds):
        rng = random.Random(f"{seed}-rss-{i}")
        docs.append(Document(f"/rss/{i:02d}.rdf", "rss", RSS_TYPE, rss_feed(rng, i, now, items)))
    return Workload(seed=seed, now=now, documents=tuple(docs))
