"""Operator commands for sources, registered on the main CLI like ``cli_dedup.py``.

aggregator sources                      a table of sources: health and since when, last run,
                                        outcome (or a held removal), events, last error
aggregator sources enable SOURCE_ID     collect a source again after an HTTP 410 disabled it
aggregator sources confirm SOURCE_ID    apply a held removal now (issue 4)

No logic of its own beyond wiring: health is ``aggregator/health.py``, held removals are
``Store.confirm_held``. It must not write the database except through the store.
"""

from __future__ import annotations

import click
from rich.table import Table

from aggregator.cli_dedup import guarded, republish


@click.group("sources", invoke_without_command=True)
@click.pass_context
@guarded
def sources_cmd(ctx: click.Context) -> None:
    """A table of sources: adapter, health and since when, last run, outcome, events, last error.

    Subcommands act on one source (see --help)."""
    if ctx.invoked_subcommand is not None:
        return
    from aggregator import health
    from aggregator.cli import _now, _settings, console
    from aggregator.store import Store

    settings = _settings(ctx)
    store = Store(settings.database)
    try:
        states = store.all_source_states()
        held = store.held_removals()
    finally:
        store.close()
    table = Table(title="Sources")
    columns = ("source", "adapter", "every", "health", "since", "last run", "outcome", "events")
    for col in (*columns, "last error"):
        table.add_column(col)
    now = _now()
    for source in settings.sources.values():
        st = states.get(source.id)
        state_now = health.current(st, source, now)
        since = (
            state_now.since.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M") if state_now.since else ""
        )
        last = (
            st.last_run.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
            if st and st.last_run
            else "never"
        )
        outcome = "disabled" if not source.enabled else (st.last_outcome or "-") if st else "-"
        if source.id in held:  # issue 4: a large removal waits for `aggregator sources confirm`
            outcome = f"held ({held[source.id].count})"
        table.add_row(
            source.id,
            source.adapter,
            _fmt_every(source.every.total_seconds()),
            state_now.state,
            since,
            last,
            outcome,
            str(st.event_count if st else 0),
            (st.last_error or "")[:80] if st else "",
        )
    console.print(table)


@sources_cmd.command("enable")
@click.argument("source_id")
@click.pass_context
@guarded
def sources_enable(ctx: click.Context, source_id: str) -> None:
    """Collect SOURCE_ID again after an HTTP 410 disabled it (also clears any back-off)."""
    from aggregator import health
    from aggregator.cli import _now, _pick_sources, _settings
    from aggregator.store import Store

    settings = _settings(ctx)
    [source] = _pick_sources(settings, [source_id])
    store = Store(settings.database)
    try:
        state = store.source_state(source.id)
        was = state.health
        health.enable(state, _now())
        store.save_source_state(state)
    finally:
        store.close()
    click.echo(f"{source.id}: {was} → ok; it is collected again at its next run")


@sources_cmd.command("confirm")
@click.argument("source_id")
@click.pass_context
@guarded
def confirm(ctx: click.Context, source_id: str) -> None:
    """Apply SOURCE_ID's held removal now (its missing events are published as cancelled)."""
    from aggregator.cli import _now, _pick_sources, _settings
    from aggregator.store import Store

    settings = _settings(ctx)
    [source] = _pick_sources(settings, [source_id])
    store = Store(settings.database)
    try:
        held = store.held_removals().get(source.id)
        if held is None:
            click.echo(f"{source.id}: nothing is held")
            return
        removed = store.confirm_held(source.id, _now())
    finally:
        store.close()
    republish(ctx)
    click.echo(f"{source.id}: removal confirmed, {removed} events removed (published as cancelled)")


def _fmt_every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def register(cli: click.Group) -> None:
    """Called once by aggregator/cli.py."""
    cli.add_command(sources_cmd)
