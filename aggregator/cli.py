"""The command line: click commands that wire the stages together. No logic of its own.

aggregator run        collect every source, publish, serve, and keep collecting on schedule
aggregator collect    collect now (all sources, or the ones named), then publish
aggregator publish    write the feed files from the store
aggregator serve      serve the feeds and pages
aggregator check ID   fetch, parse and normalise one source; print everything; write nothing
aggregator sources    a table of sources; enable, confirm (aggregator/cli_sources.py)
aggregator dedup      explain, split and merge duplicate events (aggregator/cli_dedup.py)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from aggregator.collect import RunReport, collect_source
from aggregator.errors import ConfigError
from aggregator.fetch import Fetcher
from aggregator.settings import Settings, SourceSettings, load

F = TypeVar("F", bound=Callable[..., Any])
# Piped output (logs, CI, `| less`) gets wide lines instead of tables wrapped at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True)


def _setup_logging(verbose: bool) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(console=err_console, show_path=False)
        fmt = "%(message)s"
    else:
        handler = logging.StreamHandler()
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def handles_config_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as err:
            err_console.print(f"[red]{err.render()}[/red]", highlight=False)
            raise SystemExit(2) from None

    return wrapper  # type: ignore[return-value]


@click.group()
@click.option(
    "--settings",
    "settings_path",
    envvar="AGGREGATOR_SETTINGS",
    default="settings.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The settings file.",
)
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.pass_context
@handles_config_errors
def cli(ctx: click.Context, settings_path: str, verbose: bool) -> None:
    """aggregator: one trustworthy calendar from many event sources."""
    _setup_logging(verbose)
    ctx.ensure_object(dict)
    ctx.obj["settings_path"] = settings_path


def _settings(ctx: click.Context) -> Settings:
    """The validated settings, read once per command (not for commands that need none)."""
    root = ctx.find_root()
    if "settings" not in root.obj:
        root.obj["settings"] = load(root.obj["settings_path"])
    settings: Settings = root.obj["settings"]
    return settings


def _now() -> datetime:
    return datetime.now(UTC)


def make_fetcher(settings: Settings, replay: str | None) -> Fetcher:
    from aggregator.cycle import make_fetcher as configured

    transport = None
    if replay:
        from aggregator.replay import ReplayTransport

        transport = ReplayTransport(Path(replay))
    return configured(settings, transport)


def _pick_sources(settings: Settings, ids: Iterable[str]) -> list[SourceSettings]:
    wanted = list(ids)
    unknown = [i for i in wanted if i not in settings.sources]
    if unknown:
        raise ConfigError(
            [
                f"unknown source {i!r}; configured sources: {', '.join(sorted(settings.sources))}"
                for i in unknown
            ]
        )
    if wanted:
        return [settings.sources[i] for i in wanted]
    return [s for s in settings.sources.values() if s.enabled]


def collect_many(
    settings: Settings,
    sources: list[SourceSettings],
    replay: str | None,
    echo: Callable[[str], None] | None = None,
    force: bool = False,
) -> list[RunReport]:
    from aggregator.cycle import run_cycle
    from aggregator.store import Store

    store = Store(settings.database)
    try:
        with make_fetcher(settings, replay) as fetcher, _progress(len(sources)) as advance:
            cycle = run_cycle(settings, store, fetcher, sources, _now, force=force, on_report=advance)
        if echo:
            for report in cycle.reports:
                echo(report.summary())
            for sid, reason in cycle.skipped.items():
                echo(f"{sid}: skipped: {reason}")
        publish_now(settings, store)
    finally:
        store.close()
    return cycle.reports


@contextmanager
def _progress(total: int) -> Iterator[Callable[[RunReport], None]]:
    """A progress bar on a terminal; nothing otherwise (logs and summaries stay plain lines)."""
    if not err_console.is_terminal or total < 2:
        yield lambda report: None
        return
    from rich.progress import Progress

    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("collecting", total=total)

        def advance(report: RunReport) -> None:
            progress.update(task, advance=1, description=f"collected {report.source_id}")

        yield advance


def publish_now(settings: Settings, store: Any) -> None:
    from aggregator.publish.build import publish_all

    report = publish_all(settings, store, _now())
    logging.getLogger("aggregator.publish").info(
        "published %d feeds (%d files written, %d unchanged) to %s",
        len(report.counts),
        len(report.written),
        len(report.unchanged),
        settings.feeds_dir,
    )


@cli.command()
@click.argument("source_ids", nargs=-1)
@click.option(
    "--replay",
    type=click.Path(file_okay=False, exists=True),
    help="Answer every request from recorded responses in this folder (offline demo).",
)
@click.pass_context
@handles_config_errors
def collect(ctx: click.Context, source_ids: tuple[str, ...], replay: str | None) -> None:
    """Collect now (every enabled source, or the ones named), then publish."""
    settings = _settings(ctx)
    # Sources named by hand run even when disabled by a 410 or backing off.
    reports = collect_many(
        settings, _pick_sources(settings, source_ids), replay, echo=click.echo, force=bool(source_ids)
    )
    failed = [r for r in reports if r.outcome == "failed"]
    if failed and len(failed) == len(reports):
        raise SystemExit(1)


@cli.command()
@click.pass_context
@handles_config_errors
def publish(ctx: click.Context) -> None:
    """Write the feed files from the store."""
    from aggregator.store import Store

    settings = _settings(ctx)
    store = Store(settings.database)
    try:
        publish_now(settings, store)
    finally:
        store.close()


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from aggregator.web import create_app

    click.echo(f"Serving on http://{host}:{port}/  (feeds: http://{host}:{port}/feeds/)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
@handles_config_errors
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the published feeds (and pages) over HTTP."""
    _serve(_settings(ctx), host, port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--replay",
    type=click.Path(file_okay=False, exists=True),
    help="Answer every request from recorded responses in this folder (offline demo).",
)
@click.pass_context
@handles_config_errors
def run(ctx: click.Context, host: str, port: int, replay: str | None) -> None:
    """Collect every source now, publish, serve, and keep collecting on schedule."""
    from aggregator.schedule import Service
    from aggregator.store import Store

    settings = _settings(ctx)
    collect_many(settings, _pick_sources(settings, ()), replay, echo=click.echo)
    store = Store(settings.database)
    with make_fetcher(settings, replay) as fetcher:
        service = Service(settings, store, fetcher, lambda: publish_now(settings, store))
        # Installed before uvicorn, which re-raises a captured SIGTERM to the previous handler
        # when it stops: ours then lets the scheduler finish the runs in flight.
        service.install_signal_handlers()
        service.start()
        try:
            _serve(settings, host, port)
        finally:
            service.shutdown()
            store.close()


@cli.command()
@click.argument("source_id")
@click.option("--replay", type=click.Path(file_okay=False, exists=True))
@click.option("--limit", default=50, show_default=True, help="How many events to print.")
@click.pass_context
@handles_config_errors
def check(ctx: click.Context, source_id: str, replay: str | None, limit: int) -> None:
    """Fetch, parse and normalise one source; print its events and every warning; write nothing."""
    settings = _settings(ctx)
    [source] = _pick_sources(settings, [source_id])
    with make_fetcher(settings, replay) as fetcher:
        report = collect_source(settings, source, None, fetcher, _now())
    zone = settings.zone
    table = Table(title=f"{source.id} ({source.adapter}) – {source.url or ''}")
    for col in ("start (local)", "end", "title", "place", "status"):
        table.add_column(col)
    for ev in sorted(report.events, key=lambda e: e.start)[:limit]:
        start = ev.start.astimezone(zone)
        end = ev.end.astimezone(zone) if ev.end else None
        table.add_row(
            start.strftime("%Y-%m-%d") if ev.all_day else start.strftime("%Y-%m-%d %H:%M"),
            "" if end is None or ev.all_day else end.strftime("%H:%M"),
            ev.title,
            ev.location or "",
            ev.status.value,
        )
    console.print(table)
    console.print(f"{len(report.events)} events, {report.requests} requests")
    for warning in [*report.warnings, *_suspicions(report, settings)]:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    for skip in report.skips:
        console.print(f"[yellow]skipped:[/yellow] {skip.reason} {skip.item}", highlight=False)
    if report.outcome == "failed":
        console.print(f"[red]FAILED:[/red] {report.error}", highlight=False)
        raise SystemExit(1)


def _suspicions(report: RunReport, settings: Settings) -> list[str]:
    """What an operator should look at in a source's times, beyond the adapter's own warnings."""
    timed = [e for e in report.events if not e.all_day]
    out: list[str] = []
    if not timed:
        return out
    no_end = sum(1 for e in timed if e.end is None)
    if no_end:
        out.append(
            f"{no_end} of {len(timed)} timed events have no end (calendars show them as points in time)"
        )
    night = sum(1 for e in timed if e.start.astimezone(settings.zone).hour < 7)
    if len(timed) >= 3 and night * 10 >= len(timed) * 3:
        out.append(
            f"{night} of {len(timed)} events start between 00:00 and 07:00 local time: the source's times "
            "may be shifted (a false 'Z' or a doubled offset); compare with its web page and set the "
            "adapter's clock policy"
        )
    odd = sum(1 for e in timed if e.start.astimezone(settings.zone).minute % 5)
    if len(timed) >= 3 and odd * 2 >= len(timed):
        out.append(f"{odd} of {len(timed)} events start at odd minutes: check the source's time parsing")
    return out


@cli.command("new-source")
@click.argument("name")
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="The project folder (where sources/ and tests/ are).",
)
def new_source(name: str, root: str) -> None:
    """Scaffold sources/NAME.py, a fixture folder and a test for a new adapter."""
    from aggregator.scaffold import scaffold

    try:
        created = scaffold(Path(root), name)
    except (ValueError, FileExistsError) as err:
        err_console.print(f"[red]{err}[/red]", highlight=False)
        raise SystemExit(2) from None
    for path in created:
        click.echo(f"created {path}")
    click.echo(
        f"Next: edit sources/{name}.py, put a real response in tests/fixtures/sources/{name}/, "
        f"and run .venv/bin/pytest tests/sources/test_{name}.py (see CONTRIBUTING.md)."
    )


@cli.command()
@click.argument("source_id")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to save (default tests/fixtures/sources/<adapter>/recorded/<source>).",
)
@click.pass_context
@handles_config_errors
def record(ctx: click.Context, source_id: str, folder: str | None) -> None:
    """Fetch one source live and save its responses as replayable fixtures (secrets stripped)."""
    from aggregator.recording import RecordingTransport

    settings = _settings(ctx)
    [source] = _pick_sources(settings, [source_id])
    target = (
        Path(folder) if folder else Path("tests/fixtures/sources") / source.adapter / "recorded" / source.id
    )
    from aggregator.guard import guarded_transport

    transport = RecordingTransport(target, inner=guarded_transport(settings.allow_networks))
    with Fetcher(settings.user_agent, transport=transport) as fetcher:
        report = collect_source(settings, source, None, fetcher, _now())
    click.echo(f"saved {len(transport.index)} responses to {target}; replay with --replay {target}")
    click.echo(report.summary())
    if report.outcome == "failed":
        raise SystemExit(1)


from aggregator.cli_dedup import register as _register_dedup  # noqa: E402  (it imports cli lazily)
from aggregator.cli_sources import register as _register_sources  # noqa: E402  (likewise)

_register_dedup(cli)  # issue 4: `aggregator dedup …`
_register_sources(cli)  # `aggregator sources`, `… enable`, `… confirm` (issue 4)


def main() -> None:
    cli(obj={})
