"""Operator commands for duplicates (issue 4), registered on the main CLI.

aggregator dedup explain UID              the members of a published event, and why they merged
aggregator dedup split UID SOURCE_ID      take SOURCE_ID's copy out of the event, for good
aggregator dedup merge UID OTHER_UID      make two published events one, for good

(``aggregator sources confirm``, which applies a held removal, is in ``cli_sources.py``.)

Decisions are stored by event identity (``aggregator/clusters.py``), so they survive
re-imports, and the feeds are published again at once. No logic of its own beyond wiring.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
from rich.table import Table

from aggregator.clusters import Published, record_decision
from aggregator.dedup import key_of

F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """The main CLI's handling of ConfigError (imported late: aggregator.cli imports us, and
    cli_sources.py)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from aggregator.cli import handles_config_errors

        return handles_config_errors(func)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _view(ctx: click.Context) -> tuple[object, list[Published]]:
    from aggregator.cli import _now, _settings
    from aggregator.publish.build import cluster_view
    from aggregator.store import Store

    settings = _settings(ctx)
    store = Store(settings.database)
    try:
        return settings, cluster_view(settings, store, _now())
    finally:
        store.close()


def _find(view: list[Published], uid: str) -> Published:
    for pub in view:
        if pub.record.public_uid == uid or any(f"{m.source_id}:{m.uid}" == uid for m in pub.members):
            return pub
    raise click.ClickException(f"no upcoming published event with UID {uid!r} (see the .ics or JSON Feed)")


def republish(ctx: click.Context) -> None:
    from aggregator.cli import _now, _settings
    from aggregator.publish.build import publish_all
    from aggregator.store import Store

    settings = _settings(ctx)
    store = Store(settings.database)
    try:
        publish_all(settings, store, _now())
    finally:
        store.close()


@click.group("dedup")
def dedup() -> None:
    """Explain, split and merge the clusters of duplicate events."""


@dedup.command("explain")
@click.argument("uid")
@click.pass_context
@guarded
def explain(ctx: click.Context, uid: str) -> None:
    """Show the sources of a published event (UID, or SOURCE:UID of a member) and why they merged."""
    from aggregator.cli import console

    _, view = _view(ctx)
    pub = _find(view, uid)
    rec = pub.record
    click.echo(f"{rec.public_uid}  SEQUENCE {rec.sequence}  {rec.start.isoformat()}  {rec.title}")
    table = Table(title="members (canonical first)")
    for name in ("source", "uid", "title", "start", "place", "score", "why"):
        table.add_column(name)
    why = {src: (score, reasons) for src, score, reasons in pub.links}
    canonical = next((m for m in pub.members if m.id == rec.id), pub.members[0])
    for m in sorted(pub.members, key=lambda m: m is not canonical):
        score, reasons = why.get(m.source_id, (None, "canonical" if m is canonical else ""))
        table.add_row(
            m.source_id,
            m.uid,
            m.title,
            m.start.isoformat(),
            m.location or "",
            "" if score is None else f"{score:.3f}",
            reasons,
        )
    console.print(table)
    if len(pub.members) == 1:
        click.echo("a single source lists this event")


@dedup.command("split")
@click.argument("uid")
@click.argument("source_id")
@click.pass_context
@guarded
def split(ctx: click.Context, uid: str, source_id: str) -> None:
    """Take SOURCE_ID's copy out of the published event UID; it stays apart in later runs."""
    from aggregator.cli import _now, _settings
    from aggregator.store import Store

    _, view = _view(ctx)
    pub = _find(view, uid)
    leaving = [m for m in pub.members if m.source_id == source_id]
    if not leaving:
        raise click.ClickException(f"{source_id!r} is not a member of {uid} ({_sources(pub)})")
    if len(pub.members) == 1:
        raise click.ClickException(f"{uid} has only one member; nothing to split")
    settings = _settings(ctx)
    store = Store(settings.database)
    try:
        for m in pub.members:
            if m.source_id != source_id:
                record_decision(store, "apart", key_of(leaving[0]), key_of(m), _now())
    finally:
        store.close()
    republish(ctx)
    click.echo(f"split {source_id} out of {pub.record.public_uid}; the feeds are published again")


@dedup.command("merge")
@click.argument("uid")
@click.argument("other_uid")
@click.pass_context
@guarded
def merge_cmd(ctx: click.Context, uid: str, other_uid: str) -> None:
    """Make the published events UID and OTHER_UID one; they stay together in later runs."""
    from aggregator.cli import _now, _settings
    from aggregator.store import Store

    _, view = _view(ctx)
    a, b = _find(view, uid), _find(view, other_uid)
    if a.cluster_id == b.cluster_id:
        raise click.ClickException("they are already one event")
    settings = _settings(ctx)
    store = Store(settings.database)
    try:
        for m in b.members:
            record_decision(store, "together", key_of(a.members[0]), key_of(m), _now())
    finally:
        store.close()
    republish(ctx)
    click.echo(f"merged {b.record.public_uid} into {a.record.public_uid}; the feeds are published again")


def _sources(pub: Published) -> str:
    return ", ".join(m.source_id for m in pub.members)


def register(cli: click.Group) -> None:
    """Called once by aggregator/cli.py."""
    cli.add_command(dedup)
