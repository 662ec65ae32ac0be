"""The pages in a real browser: Debian's Chromium driven by playwright-core from Node
(tests/js/browser.mjs), at phone (390×844) and desktop (1280×900) widths.

One run checks: axe-core finds no WCAG 2.1 A/AA violation on any page; the filter form works
by clicking; the keyboard reaches the skip link, the content and the filters; the widget
renders inside a foreign page served from another loopback port, with that page's font and
colour, and hostile source text stays inert in its DOM; the screen refreshes by itself and
keeps the last programme when the server answers 503. Screenshots go to test-artifacts/.

Skips (with the reason) only when chromium is missing on a developer's machine; under CI=true
a missing browser fails the test (``make test`` installs it first: see the Makefile).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregator.store import Store
from aggregator.web import create_app
from tests.conftest import FIXTURES, NOW
from tests.loopback import Hit, loopback_server
from tests.web.test_xss import parse
from tests.web.web_helpers import TODAY, at, borgen_drafts, duplicate_tour, make_settings, store_events

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "tests" / "js"
ARTIFACTS = ROOT / "test-artifacts"
ADDED = "Vaffelkafé på Kafé KIME"


def chromium_path() -> str:
    found = next(
        (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and os.path.exists(p)), None
    )
    if found is None:
        message = "chromium is not installed (run `make browser` as root, or apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    if shutil.which("node") is None:
        pytest.fail("node is missing: the browser tests drive Chromium through tests/js/browser.mjs")
    if not (JS / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=JS, check=True)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Outage:
    """ASGI wrapper: when ``down`` is set, every path answers 503, as the proxy in front of a
    briefly absent server would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.down = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.down and scope["type"] == "http":
            await send(
                {"type": "http.response.start", "status": 503, "headers": [(b"content-type", b"text/plain")]}
            )
            await send({"type": "http.response.body", "body": b"away"})
            return
        await self.app(scope, receive, send)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store, Outage]]:
    import uvicorn

    store = Store(f"sqlite:///{tmp_path / 'browser.db'}")
    drafts = borgen_drafts()
    drafts["hostile-jsonld"] = parse(
        __import__("sources.jsonld", fromlist=["JsonLdAdapter"]).JsonLdAdapter,
        (FIXTURES / "web" / "hostile_jsonld.html").read_bytes(),
        "text/html; charset=utf-8",
        "https://borgen.example/arrangementer/",
        "hostile-jsonld",
    )
    store_events(store, drafts)
    store_events(store, duplicate_tour())  # Borgen nærmiljøsentral repeats DNT's tour
    settings = make_settings(tmp_path)
    port = free_port()
    # base_url must be where the browser reaches us: the subscribe links and the widget use it.
    settings = type(settings)(**{**settings.__dict__, "base_url": f"http://127.0.0.1:{port}"})
    app = Outage(create_app(settings, store, clock=lambda: NOW))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", store, app
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def test_pages_in_chromium(served: tuple[str, Store, Outage], tmp_path: Path) -> None:
    chromium = chromium_path()
    base, store, outage = served
    ARTIFACTS.mkdir(exist_ok=True)

    def add(_hit: Hit) -> tuple[int, dict[str, str], bytes]:
        from aggregator.model import EventDraft

        store_events(
            store,
            {
                "borgen-ekstra": [
                    EventDraft(uid="vaffel", title=ADDED, start=at(TODAY, 12), location="Kafé KIME")
                ]
            },
        )
        return 200, {"Content-Type": "text/plain"}, b"added"

    def down(_hit: Hit) -> tuple[int, dict[str, str], bytes]:
        outage.down = True
        return 200, {"Content-Type": "text/plain"}, b"down"

    with loopback_server() as other:
        other.routes["/add"] = add
        other.routes["/down"] = down
        foreign = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Asker kommune</title>"
            "<style>body{font-family:Georgia,serif;color:rgb(10, 80, 20)}</style>"
            "<script>window.__alerted=0;window.alert=function(){window.__alerted++}</script>"
            f"<script type='module' src='{base}/embed.js'></script></head><body><h1>Hva skjer</h1>"
            "<aggregator-events feed='asker' limit='20' lang='nb'></aggregator-events>"
            "<aggregator-events feed='asker' limit='20' lang='en'></aggregator-events></body></html>"
        )
        other.serve("/widget.html", foreign.encode(), "text/html; charset=utf-8")
        first_id = store.events_between(at(TODAY, 0), at(TODAY, 23))[0].id
        week = store.events_between(at(TODAY, 0), at(TODAY + timedelta(days=7), 0))
        nms_tour = next(e.id for e in week if e.source_id == "naermiljosentral")
        plan = {
            "chromium": chromium,
            "base": base,
            "artifacts": str(ARTIFACTS),
            "foreign": other.url("/widget.html"),
            "control": other.url(""),
            "added": ADDED,
            "category": "tur",
            "screen": "/screen?refresh=2",
            "pages": {
                "calendar": "/",
                "calendar-en-filtered": "/?lang=en&feed=asker&category=tur&category=konsert",
                "event": f"/events/{first_id}",
                "event-duplicate-en": f"/events/{nms_tour}?lang=en",
                "screen": "/screen",
                "print": "/print",
                "embed": "/embed?feed=asker",
                "embed_help": "/embed-help",
                "not-found": "/events/999999",
                "status": "/status",
            },
        }
        plan_file = tmp_path / "plan.json"
        plan_file.write_text(json.dumps(plan))
        proc = subprocess.run(
            ["node", str(JS / "browser.mjs"), str(plan_file)],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout)
    assert not [e for e in found["errors"] if "driver" in e or "pageerror" in e], found["errors"]
    assert not [e for e in found["errors"] if "404" not in e and "503" not in e], found["errors"]

    violations = {page: v for page, v in found["axe"].items() if v}
    assert not violations, json.dumps(violations, indent=1)
    assert len(found["axe"]) == 2 * len(plan["pages"])

    assert found["filters"] == {"category": ["tur"], "titles": ["Fellestur til Vardåsen"], "checked": True}

    keyboard = found["keyboard"]
    assert keyboard["first"] == "skip" and keyboard["skipVisible"] and keyboard["afterSkip"] == "#main"
    assert keyboard["stops"][-1].startswith("summary") and keyboard["opened"]
    assert keyboard["outline"] == "solid"  # the focus ring is visible

    widget = found["widget"]
    assert "Fellestur til Vardåsen" in widget["titles"] and len(widget["items"]) >= 5
    assert widget["titles"].count("Fellestur til Vardåsen") == 1  # two sources, shown once
    assert not [t for t in widget["titles"] if "med DNT Asker" in t]
    # Times as the pages write them: 18.00 in bokmål, on both sides of the October change; the
    # year appears only when the browser's own clock is in another year.
    rows = {title: when for when, title in widget["rows"]}
    assert re.fullmatch(r"tir\. 1\. sep\.( 2026)? kl\. 18\.00–20\.00", rows["Språkkafé"]), rows
    assert re.fullmatch(r"lør\. 24\. okt\.( 2026)? kl\. 18\.00–20\.00", rows["Quiz på Kafé KIME"]), rows
    assert re.fullmatch(r"man\. 26\. okt\.( 2026)? kl\. 18\.00–20\.00", rows["Quiz etter sommertid"]), rows
    assert re.fullmatch(r"lør\. 5\. sep\.( 2026)?", rows["Loppemarked"]), rows  # all day: the date
    assert not [w for w in rows.values() if ":" in w or "M" in w]
    english = {title: when for when, title in found["widgetEn"]}
    assert re.fullmatch(r"Tue 1 Sep( 2026)?, 6:00 PM–8:00 PM", english["Språkkafé"]), english
    assert re.fullmatch(r"Mon 26 Oct( 2026)?, 6:00 PM–8:00 PM", english["Quiz etter sommertid"]), english
    assert any("<script>" in t for t in widget["titles"])  # hostile names shown as text...
    assert widget["alerted"] == 0  # ...never run
    assert set(widget["tags"]) <= {"style", "ul", "li", "a", "span", "time", "strong", "p"}
    assert widget["handlers"] == []
    assert all(h.startswith(("http://", "https://")) for h in widget["hrefs"])
    assert widget["font"].startswith("Georgia") and widget["color"] == "rgb(10, 80, 20)"

    screen = found["screen"]
    assert ADDED not in screen["before"] and ADDED in screen["after"]
    assert screen["whileDown"] == screen["after"] and "sist hentede" in screen["state"]
    assert screen["worker"].endswith("/screen-sw.js")
    # Reloaded while every request answers 503: the last good list (with the event the last
    # refresh brought), styled, and a note saying it is the last one fetched and when.
    assert screen["reload"] == 200 and screen["afterReload"] == screen["after"]
    assert screen["styled"] == "rgb(13, 27, 42)"
    assert re.search(r"Viser sist hentede program \(oppdatert .*\d\d\.\d\d\)", screen["stateAfterReload"])
    for name in (
        "calendar-phone",
        "calendar-desktop",
        "widget-foreign-desktop",
        "screen-offline-desktop",
        "screen-reloaded-offline-desktop",
        "status-phone",
        "event-duplicate-en-desktop",
    ):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000
