"""The calendar (``/``) and the event page (``/events/<id>``) as HTML strings.

Owns the markup of the day-grouped listing, the filter form, the subscribe panel and the
event's details with its schema.org JSON-LD and "add to my calendar" links. It must not read
the query string or the store (``routes.py`` does and passes records in) and must escape every
value that came from a source: titles, places and URLs go through ``e()`` and ``safe_url()``;
description HTML was sanitised by nh3 in normalise and is sanitised again here before output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import nh3

from aggregator.dedup.merge import MOVED_PREFIX, also_listed_text
from aggregator.model import EventRecord, Status
from aggregator.publish.common import local_date, place, price_text
from aggregator.settings import Settings
from aggregator.web.i18n import day_heading, moved_when, t, time_range, when_text
from aggregator.web.layout import e
from aggregator.web.listing import PAGE_SIZE, WebQuery
from aggregator.web.subscribe import (
    feed_urls,
    google_event_url,
    map_url,
    outlook_event_url,
    qr_svg,
    safe_url,
)

_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}


def status_badge(record: EventRecord, lang: str) -> str:
    if record.status is Status.CANCELLED:
        return f'<strong class="badge cancelled">{e(t(lang, "cancelled"))}</strong>'
    if record.status is Status.POSTPONED:
        return f'<strong class="badge postponed">{e(t(lang, "postponed"))}</strong>'
    if record.status is Status.RESCHEDULED:
        return f'<strong class="badge moved">{e(t(lang, "moved"))}</strong>'
    return ""


def event_line(record: EventRecord, zone: ZoneInfo, lang: str, suffix: str, *, link_target: str = "") -> str:
    """One listing row: time, title (struck through when cancelled), badges, place, tags."""
    cls = "event" + (" is-cancelled" if record.status is Status.CANCELLED else "")
    when = e(time_range(record, zone, lang))
    if record.status is Status.RESCHEDULED:
        when = f'<span class="note">{e(t(lang, "moved_note"))}:</span> {when}'
    tags = [e(c) for c in record.categories[:3]]
    if record.free:
        tags.append(e(t(lang, "free")))
    meta = " · ".join(filter(None, (e(place(record)), ", ".join(tags), e(record.source_id))))
    target = f' target="{link_target}" rel="noopener"' if link_target else ""
    return (
        f'<li class="{cls}"><span class="time">{when}</span> '
        f'<a class="title" href="/events/{record.id}{e(suffix)}"{target}>{e(record.title)}</a> '
        f"{status_badge(record, lang)}"
        f'<span class="meta">{meta}</span></li>'
    )


def day_groups(
    events: Sequence[EventRecord],
    zone: ZoneInfo,
    lang: str,
    now: datetime,
    suffix: str,
    *,
    link_target: str = "",
) -> str:
    """Events grouped under a heading per local day (an event running past midnight stays under
    its first day, as printed programmes do)."""
    year = now.astimezone(zone).year
    out: list[str] = []
    current = None
    for record in events:
        day = local_date(record, zone)
        if day != current:
            if current is not None:
                out.append("</ul></section>")
            current = day
            out.append(
                f'<section class="day"><h2><time datetime="{day.isoformat()}">'
                f'{e(day_heading(day, lang, year))}</time></h2><ul class="events">'
            )
        out.append(event_line(record, zone, lang, suffix, link_target=link_target))
    if current is not None:
        out.append("</ul></section>")
    return "".join(out)


def _checkboxes(name: str, legend: str, options: Sequence[str], chosen: Sequence[str] | None) -> str:
    if not options:
        return ""
    boxes = "".join(
        f'<label><input type="checkbox" name="{name}" value="{e(v)}"'
        f"{' checked' if chosen and v in chosen else ''}> {e(v)}</label>"
        for v in options
    )
    return f'<fieldset class="boxes"><legend>{e(legend)}</legend>{boxes}</fieldset>'


def _select(name: str, label: str, options: Sequence[str], chosen: Sequence[str] | None, lang: str) -> str:
    if not options:
        return ""
    selected = chosen[0] if chosen else ""
    opts = f'<option value="">{e(t(lang, "all"))}</option>' + "".join(
        f'<option value="{e(v)}"{" selected" if v == selected else ""}>{e(v)}</option>' for v in options
    )
    return f'<label class="field">{e(label)} <select name="{name}">{opts}</select></label>'


def filter_form(
    settings: Settings, query: WebQuery, facets: dict[str, list[str]], lang: str, explicit_lang: str | None
) -> str:
    feeds = ""
    if len(settings.feeds) > 1:
        opts = "".join(
            f'<option value="{e(f.id)}"{" selected" if f.id == query.feed else ""}>{e(f.title)}</option>'
            for f in settings.feeds.values()
        )
        feeds = f'<label class="field">{e(t(lang, "feed"))} <select name="feed">{opts}</select></label>'
    hidden = f'<input type="hidden" name="lang" value="{e(explicit_lang)}">' if explicit_lang else ""
    return (
        f'<form class="filters" method="get" action="/" role="search" aria-label="{e(t(lang, "filters"))}">'
        f'<label class="field search">{e(t(lang, "search"))} '
        f'<input type="search" name="q" value="{e(query.text)}"></label>'
        f"{feeds}"
        f"{_checkboxes('category', t(lang, 'category'), facets['category'], query.categories)}"
        f"{_checkboxes('audience', t(lang, 'audience'), facets['audience'], query.audience)}"
        f"{_select('place', t(lang, 'place'), facets['place'], query.places, lang)}"
        f"{_select('source', t(lang, 'source'), facets['source'], query.sources, lang)}"
        f'<label class="check"><input type="checkbox" name="free" value="1"'
        f"{' checked' if query.free else ''}> {e(t(lang, 'free_only'))}</label>"
        f'<label class="field">{e(t(lang, "from"))} <input type="date" name="from" '
        f'value="{e(query.start.isoformat() if query.start else "")}"></label>'
        f'<label class="field">{e(t(lang, "to"))} <input type="date" name="to" '
        f'value="{e(query.end.isoformat() if query.end else "")}"></label>'
        f'{hidden}<div class="actions"><button type="submit">{e(t(lang, "apply"))}</button> '
        f'<a href="/{"?lang=" + e(explicit_lang) if explicit_lang else ""}">{e(t(lang, "reset"))}</a></div>'
        "</form>"
    )


def subscribe_panel(settings: Settings, query: WebQuery, lang: str) -> str:
    feed = settings.feeds.get(query.feed)
    if feed is None:
        return ""
    urls = feed_urls(settings.base_url, feed.id, query.feed_query(), feed.title)
    links = "".join(
        f'<li><a href="{e(urls[key])}">{e(t(lang, label))}</a></li>'
        for key, label in (
            ("webcal", "webcal"),
            ("google", "google"),
            ("outlook", "outlook"),
            ("rss", "rss"),
            ("json", "json"),
        )
    )
    return (
        f'<section class="subscribe" aria-labelledby="sub-h"><h2 id="sub-h">{e(t(lang, "subscribe"))}</h2>'
        f'<p>{e(t(lang, "subscribe_help"))}</p><ul class="sublinks">{links}</ul>'
        f'<p><label class="field">{e(t(lang, "https_ics"))} '
        f'<input class="copy" type="text" readonly value="{e(urls["https"])}"></label></p>'
        f'<figure class="qr">{qr_svg(urls["webcal"], t(lang, "qr"))}'
        f"<figcaption>{e(t(lang, 'qr'))}</figcaption></figure></section>"
    )


def calendar_body(
    settings: Settings,
    query: WebQuery,
    events: list[EventRecord],
    facets: dict[str, list[str]],
    lang: str,
    explicit_lang: str | None,
    now: datetime,
) -> str:
    """The calendar: heading, filters, one page of day groups, pager, subscribe panel."""
    feed = settings.feeds.get(query.feed)
    title = feed.title if feed else t(lang, "site")
    first = (query.page - 1) * PAGE_SIZE
    chunk = events[first : first + PAGE_SIZE]
    suffix = f"?lang={explicit_lang}" if explicit_lang else ""
    listing = (
        day_groups(chunk, settings.zone, lang, now, suffix)
        if chunk
        else f'<p class="empty">{e(t(lang, "no_events"))}</p>'
    )
    pager = []
    if query.page > 1:
        pager.append(
            f'<a rel="prev" href="/{e(query.query_string(lang=explicit_lang, page=query.page - 1))}">'
            f"{e(t(lang, 'prev_page'))}</a>"
        )
    if first + PAGE_SIZE < len(events):
        pager.append(
            f'<a rel="next" href="/{e(query.query_string(lang=explicit_lang, page=query.page + 1))}">'
            f"{e(t(lang, 'next_page'))}</a>"
        )
    pager_html = (
        f'<nav class="pager" aria-label="{e(t(lang, "page"))}">{" ".join(pager)}</nav>' if pager else ""
    )
    return (
        f"<h1>{e(t(lang, 'whats_on'))} – {e(title)}</h1>"
        f'<details class="filterbox"{" open" if query.is_filtered else ""}>'
        f"<summary>{e(t(lang, 'filters'))}</summary>"
        f"{filter_form(settings, query, facets, lang, explicit_lang)}</details>"
        f'<p class="count" aria-live="polite">{len(events)} {e(t(lang, "events"))}</p>'
        f'<div class="listing">{listing}</div>{pager_html}'
        f"{subscribe_panel(settings, query, lang)}"
    )


def json_ld(record: EventRecord, settings: Settings, page_url: str) -> str:
    """schema.org Event; ``<``, ``>`` and ``&`` are \\u-escaped so no text can close the script."""
    status = {
        Status.SCHEDULED: "EventScheduled",
        Status.CANCELLED: "EventCancelled",
        Status.POSTPONED: "EventPostponed",
        Status.RESCHEDULED: "EventRescheduled",
    }[record.status]
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": record.title,
        "startDate": record.start.date().isoformat() if record.all_day else record.start.isoformat(),
        "eventStatus": f"https://schema.org/{status}",
        "url": page_url,
    }
    if record.end is not None:
        data["endDate"] = record.end.date().isoformat() if record.all_day else record.end.isoformat()
    if record.description:
        data["description"] = record.description[:2000]
    if place(record):
        location: dict[str, object] = {"@type": "Place", "name": record.location or place(record)}
        if record.address:
            location["address"] = record.address
        if record.latitude is not None and record.longitude is not None:
            location["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": record.latitude,
                "longitude": record.longitude,
            }
        data["location"] = location
    if record.organizer:
        data["organizer"] = {"@type": "Organization", "name": record.organizer}
    image = safe_url(record.image_url)
    if image:
        data["image"] = image
    if record.free:
        data["isAccessibleForFree"] = True
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def without_also_note(record: EventRecord, also: Sequence[tuple[str, str | None]]) -> EventRecord:
    """The published description without dedup's Norwegian "Også oppført hos: …" note: the
    event page lists the other sources itself, in the page's language, with their links.

    The note is the exact text ``dedup.merge.with_notes`` appended (the feeds keep it: their
    text is Norwegian by design), so only that trailing paragraph is removed."""
    note = also_listed_text(also)
    if not note:
        return record
    text = record.description
    if text == note:
        text = ""
    elif text.endswith("\n\n" + note):
        text = text[: -len(note) - 2]
    markup = record.description_html
    cut = markup.rfind("\n<p>Også oppført hos: ")
    if cut >= 0 and markup.endswith(".</p>"):
        markup = markup[:cut]
    return replace(record, description=text, description_html=markup)


def without_moved_note(record: EventRecord) -> EventRecord:
    """The published description without dedup's Norwegian "FLYTTET fra …." paragraph (the one
    ``dedup.merge.with_notes`` puts first): the event page says it in its own language, in a row
    of its own. The feeds keep it."""
    text, markup = record.description, record.description_html
    if text.startswith(MOVED_PREFIX):
        end = text.find("\n\n")
        text = "" if end < 0 else text[end + 2 :]
    if markup.startswith(f"<p><strong>{MOVED_PREFIX}"):
        end = markup.find("</strong></p>\n")
        markup = markup[end + len("</strong></p>\n") :] if end >= 0 else ""
    return replace(record, description=text, description_html=markup)


def _source_link(copy: EventRecord) -> str:
    link = safe_url(copy.url)
    return f'<a href="{e(link)}">{e(copy.source_id)}</a>' if link else e(copy.source_id)


def event_body(
    settings: Settings,
    record: EventRecord,
    copies: list[EventRecord],
    lang: str,
    explicit_lang: str | None,
    now: datetime,
    *,
    also: Sequence[tuple[str, str | None]] = (),
    moved_from: datetime | None = None,
) -> str:
    """The event page. ``record`` is the published copy (dedup's merge for a cluster), ``copies``
    every source's own copy (the cluster's members), ``also`` the published "also listed" pairs
    and ``moved_from`` the old start of a moved cluster, whose Norwegian notes are replaced here
    by the page's own rows."""
    zone = settings.zone
    record = without_also_note(record, also)
    if moved_from is not None:
        record = without_moved_note(record)
    suffix = f"?lang={explicit_lang}" if explicit_lang else ""
    rows: list[tuple[str, str]] = []
    when = e(when_text(record, zone, lang, now))
    if record.status is Status.RESCHEDULED:
        when = f'<span class="note">{e(t(lang, "moved_note"))}:</span> {when}'
    rows.append((t(lang, "when"), when))
    if moved_from is not None:
        rows.append((t(lang, "moved_from"), e(moved_when(moved_from, record.all_day, zone, lang, now))))
    where = place(record)
    if where:
        link = map_url(record)
        map_html = f' <a href="{e(link)}">{e(t(lang, "map"))}</a>' if link else ""
        rows.append((t(lang, "where"), e(where) + map_html))
    if record.organizer:
        rows.append((t(lang, "organizer"), e(record.organizer)))
    price = price_text(record)
    if price:
        rows.append((t(lang, "price"), e(t(lang, "free") if price == "Gratis" else price)))
    if record.categories:
        rows.append((t(lang, "categories"), e(", ".join(record.categories))))
    signup = safe_url(record.signup_url)
    if signup:
        rows.append((t(lang, "signup"), f'<a href="{e(signup)}">{e(t(lang, "signup"))}</a>'))
    page_link = safe_url(record.url)
    if page_link:
        rows.append((t(lang, "tickets"), f'<a href="{e(page_link)}">{e(t(lang, "tickets"))}</a>'))
    # The source whose copy is shown first, then every other source listing the same event,
    # each with its own page for it (issue 6: every source that lists it).
    main = next((c for c in copies if c.id == record.id), record)
    others = sorted((c for c in copies if c.id != main.id), key=lambda c: (c.source_id, c.id))
    rows.append((t(lang, "listed_by"), _source_link(main)))
    if others:
        rows.append((t(lang, "also_listed_by"), ", ".join(_source_link(c) for c in others)))
    details = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    description = ""
    if record.description_html:
        description = nh3.clean(
            record.description_html,
            tags=_ALLOWED_TAGS,
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow noopener",
        )
    elif record.description:
        description = "".join(f"<p>{e(p)}</p>" for p in record.description.split("\n\n") if p.strip())
    image = safe_url(record.image_url)
    image_html = (
        f'<img class="hero" src="{e(image)}" alt="" loading="lazy">'
        if image and image.startswith("https://")
        else ""
    )
    plain = record.description[:600]
    add = (
        f'<section class="add" aria-labelledby="add-h"><h2 id="add-h">{e(t(lang, "add_to_calendar"))}</h2><ul>'
        f'<li><a href="/events/{record.id}.ics">{e(t(lang, "download_ics"))}</a></li>'
        f'<li><a href="{e(google_event_url(record, plain))}">Google Kalender</a></li>'
        f'<li><a href="{e(outlook_event_url(record, plain))}">Outlook</a></li></ul></section>'
    )
    title_cls = ' class="is-cancelled"' if record.status is Status.CANCELLED else ""
    lang_attr = (
        f' lang="{e(record.language)}"'
        if record.language and record.language.isalpha() and len(record.language) <= 3
        else ""
    )
    return (
        f'<p><a href="/{e(suffix)}">← {e(t(lang, "back"))}</a></p>'
        f'<article class="event-page"><h1{title_cls}{lang_attr}>{e(record.title)}</h1> {status_badge(record, lang)}'
        f'{image_html}<dl class="facts">{details}</dl><div class="description"{lang_attr}>{description}</div>'
        f"</article>{add}"
    )
