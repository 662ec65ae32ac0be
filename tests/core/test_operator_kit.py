"""The operator kit: new-source scaffolding and recording live responses as safe fixtures."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import time_machine
from click.testing import CliRunner

from aggregator.adapter import Adapter, RunContext
from aggregator.cli import cli
from aggregator.model import Request, Response, Status
from aggregator.recording import redact_url
from aggregator.scaffold import scaffold
from tests.conftest import FIXTURES
from tests.loopback import loopback_server


def test_new_source_scaffold_is_a_working_adapter(
    tmp_path: Path, make_ctx: Callable[..., RunContext]
) -> None:
    result = CliRunner().invoke(cli, ["new-source", "asker_kino", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "CONTRIBUTING.md" in result.output
    spec = importlib.util.spec_from_file_location("asker_kino", tmp_path / "sources" / "asker_kino.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    adapter_cls = module.AskerKinoAdapter
    assert issubclass(adapter_cls, Adapter) and adapter_cls.name == "asker_kino"
    body = (tmp_path / "tests" / "fixtures" / "sources" / "asker_kino" / "listing.json").read_bytes()
    resp = Response(
        url="https://x.example/", status=200, headers={}, body=body, request=Request("https://x.example/")
    )
    drafts = list(adapter_cls().parse(resp, make_ctx()))
    assert [d.status for d in drafts] == [Status.SCHEDULED, Status.CANCELLED]
    assert drafts[0].start.utcoffset().total_seconds() == 7200  # CEST on 24 October
    # the generated test file is valid Python that names the adapter
    test_file = tmp_path / "tests" / "sources" / "test_asker_kino.py"
    compile(test_file.read_text(encoding="utf-8"), str(test_file), "exec")
    # and it refuses to overwrite
    again = CliRunner().invoke(cli, ["new-source", "asker_kino", "--root", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert CliRunner().invoke(cli, ["new-source", "Bad-Name", "--root", str(tmp_path)]).exit_code == 2


def test_generated_test_passes(tmp_path: Path) -> None:
    """The scaffolded test passes as generated, in a copy of the project's skeleton (so other
    test runs never see a half-made adapter in the real sources/ folder)."""
    root = Path(__file__).resolve().parents[2]
    for rel in ("tests/__init__.py", "tests/conftest.py", "sources/__init__.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / rel, tmp_path / rel)
    (tmp_path / "aggregator").symlink_to(root / "aggregator")  # the core, unchanged
    (tmp_path / "tests" / "sources").mkdir()
    (tmp_path / "tests" / "sources" / "__init__.py").touch()
    scaffold(tmp_path, "asker_kino")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "tests" / "sources" / "test_asker_kino.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 passed" in out.stdout


def test_redact_url() -> None:
    assert (
        redact_url("https://x.example/a?token=abc&page=2&api_key=zz")
        == "https://x.example/a?token=REDACTED&page=2&api_key=REDACTED"
    )
    assert redact_url("https://x.example/a?page=2") == "https://x.example/a?page=2"


def test_record_strips_secrets_and_replays(tmp_path: Path) -> None:
    body = (FIXTURES / "e2e" / "borgen.ics").read_bytes()
    with loopback_server() as srv:
        srv.serve(
            "/cal.ics?access_token=s3cr3t&view=public",
            body,
            "text/calendar",
            headers={"Set-Cookie": "session=abc123", "Authorization-Echo": "Bearer zzz"},
        )
        settings = tmp_path / "settings.toml"
        settings.write_text(
            '[aggregator]\nallow_networks = ["127.0.0.0/8"]\n'
            f'[sources.kal]\nadapter = "ical"\nurl = "{srv.url("/cal.ics?access_token=s3cr3t&view=public")}"\n',
            encoding="utf-8",
        )
        rec = tmp_path / "rec"
        with time_machine.travel("2026-10-20T10:00:00Z", tick=False):
            result = CliRunner().invoke(cli, ["--settings", str(settings), "record", "kal", "--to", str(rec)])
        assert result.exit_code == 0, result.output
        assert "saved 1 responses" in result.output and "kal: 6 events" in result.output
    saved = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in rec.iterdir())
    assert "s3cr3t" not in saved and "abc123" not in saved and "zzz" not in saved
    index = json.loads((rec / "index.json").read_text(encoding="utf-8"))
    assert index[0]["url"].endswith("access_token=REDACTED&view=public")
    # the server is gone: replay answers from the recording, matching the redacted URL
    with time_machine.travel("2026-10-20T10:00:00Z", tick=False):
        result = CliRunner().invoke(cli, ["--settings", str(settings), "check", "kal", "--replay", str(rec)])
    assert result.exit_code == 0, result.output
    assert "6 events" in result.output
