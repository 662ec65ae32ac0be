"""Helpers of the generic adapter suites: reading ``fixtures.toml``, running one fixture through
its adapter, and turning the output into a JSON snapshot.

Owns: the ``fixtures.toml`` format (see tests/fixtures/sources/README.md, "Fixtures and
snapshots"), the list of fixture files in a folder, the JSON form of drafts and follows, and
writing/comparing ``snapshots/<fixture file name>.json``.
Must not: know any one adapter (everything adapter-specific lives in that adapter's
fixtures.toml), reach the network, or read the clock: the RunContext comes from the caller.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from aggregator.adapter import Adapter, RunContext
from aggregator.errors import ParseError
from aggregator.model import EventDraft, Follow, Request, Response
from tests.conftest import FIXTURES

SOURCES = FIXTURES / "sources"
CONFIG = "fixtures.toml"
SNAPSHOTS = "snapshots"
#: Content types by file suffix when fixtures.toml names none. Deliberately without a charset:
#: a fixture that needs one (or a wrong one, to show a provider's false claim) says so itself.
CONTENT_TYPES = {
    ".json": "application/json",
    ".ics": "text/calendar",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".csv": "text/csv",
    ".toml": "application/toml",
    ".txt": "text/plain",
}


class CtxOverrides(BaseModel):
    """The RunContext knobs a fixture may turn (make_ctx's keyword arguments); the clock and
    the zone stay the suite's fixed ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_days: int | None = None
    max_occurrences: int | None = None


class Entry(BaseModel):
    """One table of fixtures.toml: ``[defaults]`` or ``[files."<name>"]``. Typos are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the adapter's Options; a file's table is merged key by key over the defaults'
    options: dict[str, Any] | None = None
    #: the Response/Request URL; ``{name}`` is replaced by the fixture's file name
    url: str | None = None
    #: the content-type header; "" sends none; default: by the file's suffix
    content_type: str | None = None
    #: Request.meta, i.e. the page's role as the adapter set it on a Follow
    meta: dict[str, Any] | None = None
    #: RunContext overrides, e.g. a lower max_occurrences to keep a snapshot small
    ctx: CtxOverrides | None = None
    #: "drafts": parsing succeeds; "error": it must raise ParseError
    expect: Literal["drafts", "error"] | None = None
    #: a reason not to run this fixture at all (e.g. a detail page that needs a listing's meta)
    skip: str | None = None
    #: a known contract violation, reported to the lead; the test is a strict xfail
    xfail: str | None = None


class FixturesToml(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: Entry | None = None
    files: dict[str, Entry] = {}


@dataclass(frozen=True)
class Case:
    """One adapter × one fixture file, with everything fixtures.toml says about it."""

    adapter: str
    name: str
    path: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    url: str = ""
    content_type: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    ctx: Mapping[str, int] = field(default_factory=dict)
    expect: str = "drafts"
    skip: str | None = None
    xfail: str | None = None
    #: why this case cannot even be set up (a broken fixtures.toml); the test fails with it
    problem: str | None = None

    @property
    def id(self) -> str:
        return f"{self.adapter}/{self.name}"

    @property
    def snapshot(self) -> Path:
        return self.path.parent / SNAPSHOTS / f"{self.name}.json"


def fixture_files(folder: Path) -> list[str]:
    """The fixture files of one adapter's folder: every top-level file but the bookkeeping."""
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.name != CONFIG and not p.name.startswith((".", "README"))
    )


def load_config(folder: Path) -> FixturesToml:
    """Read and validate ``folder/fixtures.toml``; ValueError names the file and the problem."""
    path = folder / CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} is missing") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path} is not valid TOML: {err}") from None
    try:
        return FixturesToml.model_validate(data)
    except ValidationError as err:
        raise ValueError(f"{path}: {err}") from None


def resolve(adapter: str, folder: Path, name: str, config: FixturesToml) -> Case:
    """The case for one file: ``[defaults]``, then ``[files."<name>"]`` over it."""
    base = config.defaults or Entry()
    own = config.files.get(name, Entry())
    suffix = Path(name).suffix.lower()
    url = own.url if own.url is not None else base.url
    content_type = own.content_type if own.content_type is not None else base.content_type
    return Case(
        adapter=adapter,
        name=name,
        path=folder / name,
        options={**(base.options or {}), **(own.options or {})},
        url=(url or "https://example.test/{name}").replace("{name}", name),
        content_type=content_type if content_type is not None else CONTENT_TYPES.get(suffix, ""),
        meta=own.meta if own.meta is not None else (base.meta or {}),
        ctx={
            **(base.ctx.model_dump(exclude_none=True) if base.ctx else {}),
            **(own.ctx.model_dump(exclude_none=True) if own.ctx else {}),
        },
        expect=own.expect or base.expect or "drafts",
        skip=own.skip if own.skip is not None else base.skip,
        xfail=own.xfail if own.xfail is not None else base.xfail,
    )


def cases_of(adapter: str) -> list[Case]:
    folder = SOURCES / adapter
    names = fixture_files(folder)
    try:
        config = load_config(folder)
    except ValueError as err:
        return [Case(adapter, name, folder / name, problem=str(err)) for name in names]
    return [resolve(adapter, folder, name, config) for name in names]


# --- running ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one parse produced: the items yielded (before an error, if any) and the ctx reports."""

    items: list[EventDraft | Follow]
    error: ParseError | None
    ctx: RunContext


def run(adapter: Adapter, case: Case, ctx: RunContext) -> Outcome:
    request = Request(url=case.url, meta=dict(case.meta))
    headers = {"content-type": case.content_type} if case.content_type else {}
    response = Response(
        url=case.url, status=200, headers=headers, body=case.path.read_bytes(), request=request
    )
    items: list[EventDraft | Follow] = []
    try:
        for item in adapter.parse(response, ctx):
            items.append(item)
    except ParseError as err:
        return Outcome(items, err, ctx)
    return Outcome(items, None, ctx)


# --- checks every output must pass -----------------------------------------------------------


def _datetimes(value: Any, where: str) -> Iterable[tuple[str, datetime]]:
    if isinstance(value, datetime):
        yield where, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _datetimes(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple | set | frozenset):
        for n, inner in enumerate(value):
            yield from _datetimes(inner, f"{where}[{n}]")


def _zone_problem(moment: datetime) -> str | None:
    """Why ``moment``'s zone breaks the rule "wall clock resolves in ctx.zone through zoneinfo"."""
    tz = moment.tzinfo
    if tz is None or moment.utcoffset() is None:
        return "is naive"
    if tz is UTC:
        return None
    if not isinstance(tz, ZoneInfo) or not tz.key:
        # A fixed offset or a zone built from the document (dateutil's VTIMEZONE reading)
        # repeats the source's claim instead of checking it against the IANA rules.
        return f"has tzinfo {tz!r}, not a zoneinfo zone or UTC"
    wall = moment.replace(tzinfo=None)
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return "is a wall-clock time that does not exist (skipped by a DST change)"
    return None


def problems(items: Iterable[EventDraft | Follow]) -> list[str]:
    """Every contract violation in the output, each naming the draft; empty when all is well."""
    found: list[str] = []
    seen: set[tuple[str, str | None]] = set()
    for item in items:
        if isinstance(item, Follow):
            continue
        if not isinstance(item, EventDraft):
            found.append(f"parse yielded a {type(item).__name__}, not an EventDraft or Follow")
            continue
        who = f"draft {item.uid!r}/{item.recurrence_id!r}"
        if not isinstance(item.uid, str) or not item.uid:
            found.append(f"{who}: empty uid")
        for f in dataclasses.fields(item):
            for where, moment in _datetimes(getattr(item, f.name), f.name):
                # Every datetime must be aware; the zone rule binds the times the core
                # publishes, while ``raw`` may keep a provider's claim as it was stated.
                why = _zone_problem(moment) if f.name in ("start", "end") else None
                if moment.tzinfo is None or moment.utcoffset() is None:
                    why = "is naive"
                if why:
                    found.append(f"{who}: {where} {moment.isoformat()} {why}")
        key = (item.uid, item.recurrence_id)
        if key in seen:
            found.append(f"{who}: (uid, recurrence_id) yielded twice")
        seen.add(key)
        start, end = item.start, item.end
        if end is not None:
            if isinstance(start, datetime) != isinstance(end, datetime):
                found.append(f"{who}: start {start!r} and end {end!r} are not both dates or both datetimes")
            elif isinstance(start, datetime) and isinstance(end, datetime):
                if start.tzinfo is not None and end.tzinfo is not None and end < start:
                    found.append(f"{who}: end {end.isoformat()} is before start {start.isoformat()}")
            elif end < start:
                found.append(f"{who}: end {end.isoformat()} is before start {start.isoformat()}")
    return found


# --- the JSON form -----------------------------------------------------------------------------


def zone_of(moment: datetime) -> str | None:
    """The zone's IANA key (ZoneInfo), else its name ("UTC", "UTC+02:00" for a fixed offset)."""
    if moment.tzinfo is None:
        return None
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) else moment.tzname()


def jsonable(value: Any) -> Any:
    """Plain JSON data for any value a draft, a follow or their ``raw``/``meta`` may hold.

    An unknown type raises TypeError rather than falling back to ``repr``, whose memory
    addresses would make snapshots differ from run to run.
    """
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):  # also str subclasses such as icalendar's vText
        return str(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else repr(value)
    if isinstance(value, datetime):
        return {"at": value.isoformat(), "zone": zone_of(value)}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    raise TypeError(f"cannot snapshot a {type(value).__module__}.{type(value).__name__}: {value!r:.80}")


def draft_json(draft: EventDraft) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(draft):
        out[f.name] = jsonable(getattr(draft, f.name))
        if f.name == "end":
            out["all_day"] = draft.all_day
    return out


def follow_json(follow: Follow) -> dict[str, Any]:
    req = follow.request
    out: dict[str, Any] = {"url": req.url, "method": req.method, "meta": jsonable(req.meta)}
    if req.headers:
        out["headers"] = jsonable(req.headers)
    if req.body is not None:
        out["body"] = jsonable(req.body)
    out["optional"] = follow.optional
    return out


def snapshot_of(case: Case, outcome: Outcome) -> dict[str, Any]:
    """The normalised output of one fixture: what the snapshot file holds."""
    items = [
        {"follow": follow_json(i)} if isinstance(i, Follow) else {"draft": draft_json(i)}
        for i in outcome.items
    ]
    data: dict[str, Any] = {"adapter": case.adapter, "fixture": case.name}
    if outcome.error is not None:
        data["error"] = {"type": type(outcome.error).__name__, "message": str(outcome.error)}
    data["items"] = items
    data["warnings"] = list(outcome.ctx.warnings)
    data["skips"] = [{"reason": s.reason, "item": s.item} for s in outcome.ctx.skips]
    data["incomplete"] = list(outcome.ctx.incomplete)
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def compare(path: Path, data: dict[str, Any], update: bool) -> str | None:
    """None when ``path`` holds ``data``; else write it (if missing or ``update``) or describe the diff.

    Returns the failure message; a snapshot that was (re)written is a failure too, so that a
    missing snapshot never passes silently: the developer reviews the file and runs again.
    """
    text = dumps(data)
    rel = _relative(path)
    if update or not path.exists():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        what = "missing" if old is None else "out of date (UPDATE_SNAPSHOTS=1)"
        return f"snapshot {rel} was {what} and has been written: review it, then run the test again"
    stored = path.read_text(encoding="utf-8")
    try:
        if json.loads(stored) == json.loads(text):
            return None
    except json.JSONDecodeError as err:
        return f"snapshot {rel} is not valid JSON ({err}); rerun with UPDATE_SNAPSHOTS=1"
    diff = difflib.unified_diff(
        stored.splitlines(), text.splitlines(), f"{rel} (stored)", f"{rel} (now)", lineterm="", n=2
    )
    return (
        f"output differs from {rel}; if the change is intended, rerun with UPDATE_SNAPSHOTS=1 "
        "and review the diff\n" + "\n".join(diff)
    )


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(FIXTURES.parent.parent))
    except ValueError:
        return str(path)
