"""``aggregator new-source NAME``: the files a new adapter starts from.

It writes an adapter that already follows the contract (a JSON listing read into drafts),
a fixture in the provider's place, and a test that runs it — so an operator edits working
code instead of starting from a blank page. It refuses to overwrite anything.
"""

from __future__ import annotations

import re
from pathlib import Path

NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")

ADAPTER = '''"""Adapter for {title}: reads its JSON listing into drafts.

Pure: bytes in, drafts out. No network, no clock (use ctx.now), no environment, no database.
Fixture: tests/fixtures/sources/{name}/listing.json. Test: tests/sources/test_{name}.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from aggregator import Adapter, EventDraft, Follow, ParseError, Response, RunContext, Status


class {cls}Options(BaseModel):
    """Keys this adapter accepts in its [sources.<id>] table, beyond the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: where the list of events is in the JSON document
    items_key: str = "events"


class {cls}Adapter(Adapter):
    name = "{name}"
    Options = {cls}Options

    def parse(self, response: Response, ctx: RunContext) -> Iterator[EventDraft | Follow]:
        options = self.options
        assert isinstance(options, {cls}Options)
        try:
            document = json.loads(response.body)
        except ValueError as err:
            raise ParseError(f"not JSON: {{err}}") from err
        if not isinstance(document, dict) or not isinstance(document.get(options.items_key), list):
            raise ParseError(f"no {{options.items_key!r}} list in the response: the API may have changed")
        for item in document[options.items_key]:
            try:
                start = datetime.fromisoformat(item["start"])
            except (KeyError, TypeError, ValueError):
                ctx.skip("no readable start", str(item.get("id", "?")))
                continue
            if start.tzinfo is None:
                start = start.replace(tzinfo=ctx.zone)  # a wall-clock time in the source's zone
            else:
                start = start.astimezone(ctx.zone)  # a stated offset is a claim: keep the instant, name the zone
            yield EventDraft(
                uid=str(item["id"]),
                title=str(item.get("title", "")),
                start=start,
                location=item.get("place"),
                url=item.get("url"),
                status=Status.CANCELLED if item.get("cancelled") else Status.SCHEDULED,
            )
'''

FIXTURE = """{{
  "events": [
    {{"id": 1, "title": "Åpent møte på Borgen", "start": "2026-10-24T18:00:00", "place": "Borgen innbyggertorg",
      "url": "https://{name}.example/arrangement/1"}},
    {{"id": 2, "title": "Høstkonsert", "start": "2026-10-26T19:00:00+01:00", "place": "Asker kulturhus",
      "cancelled": true}}
  ]
}}
"""

TEST = '''"""Tests for the {name} adapter, on the recorded fixture."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aggregator import ParseError, Request, Response, RunContext, Status
from sources.{name} import {cls}Adapter
from tests.conftest import FIXTURES

OSLO = ZoneInfo("Europe/Oslo")


def parse(body: bytes, make_ctx: Callable[..., RunContext]) -> list:
    resp = Response(url="https://{name}.example/api", status=200, headers={{}}, body=body,
                    request=Request(url="https://{name}.example/api"))
    return list({cls}Adapter().parse(resp, make_ctx()))


def test_listing(make_ctx: Callable[..., RunContext]) -> None:
    drafts = parse((FIXTURES / "sources" / "{name}" / "listing.json").read_bytes(), make_ctx)
    assert [d.uid for d in drafts] == ["1", "2"]
    assert drafts[0].start == datetime(2026, 10, 24, 18, tzinfo=OSLO)  # before the DST change
    assert drafts[1].start == datetime(2026, 10, 26, 19, tzinfo=OSLO)  # after it
    assert drafts[1].status is Status.CANCELLED


def test_changed_shape_fails_loudly(make_ctx: Callable[..., RunContext]) -> None:
    with pytest.raises(ParseError, match="'events'"):
        parse(b'{{"items": []}}', make_ctx)
'''

FIXTURES_TOML = """# Options and expectations for the generic fixture test (tests/contract/test_fixtures.py).
[defaults]
options = {{}}
"""


def scaffold(root: Path, name: str) -> list[Path]:
    if not NAME.match(name):
        raise ValueError(f"{name!r} is not a valid adapter name: use lowercase letters, digits and _")
    cls = "".join(part.capitalize() for part in name.split("_"))
    files = {
        root / "sources" / f"{name}.py": ADAPTER.format(name=name, cls=cls, title=name),
        root / "tests" / "fixtures" / "sources" / name / "listing.json": FIXTURE.format(name=name),
        root / "tests" / "fixtures" / "sources" / name / "fixtures.toml": FIXTURES_TOML.format(),
        root / "tests" / "sources" / f"test_{name}.py": TEST.format(name=name, cls=cls),
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise FileExistsError(f"{existing[0]} already exists; choose another name")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
