"""The generic fixture test: every adapter over every one of its fixture files (design.md §8).

Owns: one test per file in ``tests/fixtures/sources/<adapter>/`` (ids like
``dnt/activities_page1.json``), run with the options and expectations of that folder's
``fixtures.toml``, checked against the contract (deterministic, aware datetimes in zoneinfo
zones, unique ``(uid, recurrence_id)``, no end before start, options untouched) and then against
the stored snapshot ``snapshots/<fixture>.json``. Adding a fixture file adds a test.
Must not: hold anything adapter-specific (that is fixtures.toml's job) or assert what one
adapter should produce (the adapter's own tests in tests/sources/ do that; the snapshot pins
it). ``UPDATE_SNAPSHOTS=1`` rewrites snapshots; a missing one is written and fails the test.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.adapter import RunContext, registry
from aggregator.model import EventDraft
from tests.contract.snapshot import Case, cases_of, compare, problems, run, snapshot_of


class ContractViolation(AssertionError):
    """The adapter broke the contract on this fixture (as opposed to a changed snapshot).

    An ``xfail`` in fixtures.toml expects exactly this, so when the adapter is fixed the test
    goes on to the snapshot and fails loudly there (missing or changed) instead of hiding.
    """


def _params() -> list[object]:
    params: list[object] = []
    for name in sorted(registry()):
        for case in cases_of(name):
            marks: list[pytest.MarkDecorator] = []
            if case.skip:
                marks.append(pytest.mark.skip(reason=case.skip))
            if case.xfail:
                marks.append(pytest.mark.xfail(reason=case.xfail, raises=ContractViolation, strict=True))
            params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def _require(condition: bool, message: str) -> None:
    __tracebackhide__ = True
    if not condition:
        raise ContractViolation(message)


@pytest.mark.parametrize("case", _params())
def test_fixture(case: Case, make_ctx: Callable[..., RunContext]) -> None:
    if case.problem:
        pytest.fail(case.problem, pytrace=False)
    adapter_cls = registry()[case.adapter]
    options = adapter_cls.Options.model_validate(dict(case.options))
    before = copy.deepcopy(options.model_dump())

    first = run(adapter_cls(options), case, make_ctx(**case.ctx))
    second = run(adapter_cls(options), case, make_ctx(**case.ctx))
    _require(options.model_dump() == before, "parse changed the adapter's Options")

    if case.expect == "error":
        _require(first.error is not None, "expected a ParseError (expect = 'error'); parse succeeded")
    else:
        _require(first.error is None, f"unexpected ParseError: {first.error}")

    snap = snapshot_of(case, first)
    _require(
        snap == snapshot_of(case, second) and first.items == second.items,
        "parsing the same bytes twice gave different output (drafts, follows, warnings or skips)",
    )
    found = problems(first.items)
    shown = found[:8] + ([f"... and {len(found) - 8} more"] if len(found) > 8 else [])
    _require(not found, "contract violations:\n  " + "\n  ".join(shown))

    failure = compare(case.snapshot, snap, update=os.environ.get("UPDATE_SNAPSHOTS") == "1")
    if failure:
        pytest.fail(failure, pytrace=False)


# --- the suite's own checks can fail -------------------------------------------------------------


def test_problems_catch_each_violation() -> None:
    oslo = ZoneInfo("Europe/Oslo")
    at = datetime(2026, 10, 24, 18, 0, tzinfo=oslo)
    drafts = [
        EventDraft(uid="ok", title="Språkkafé", start=at, end=at + timedelta(hours=2)),
        EventDraft(uid="naive", title="t", start=datetime(2026, 10, 24, 18, 0)),
        EventDraft(uid="ok", title="the same uid again", start=at),
        EventDraft(uid="backwards", title="t", start=at, end=at - timedelta(minutes=1)),
        EventDraft(
            uid="fixed", title="t", start=datetime(2026, 10, 24, 18, 0, tzinfo=timezone(timedelta(hours=2)))
        ),
        # 02:30 on 2027-03-28 does not exist in Oslo: the clocks jump from 02:00 to 03:00
        EventDraft(uid="gap", title="t", start=datetime(2027, 3, 28, 2, 30, tzinfo=oslo)),
        EventDraft(uid="mixed", title="t", start=date(2026, 10, 24), end=at),
        EventDraft(uid="", title="t", start=date(2026, 10, 24)),
        EventDraft(uid="raw", title="t", start=at, raw={"seen": [datetime(2026, 9, 1, 8, 0)]}),
    ]
    found = "\n".join(problems(drafts))
    for expected in (
        "'naive'/None: start 2026-10-24T18:00:00 is naive",
        "'ok'/None: (uid, recurrence_id) yielded twice",
        "'backwards'/None: end 2026-10-24T17:59:00+02:00 is before start",
        "'fixed'/None: start 2026-10-24T18:00:00+02:00 has tzinfo datetime.timezone",
        "'gap'/None: start 2027-03-28T02:30:00+01:00 is a wall-clock time that does not exist",
        "'mixed'/None: start datetime.date(2026, 10, 24) and end",
        "''/None: empty uid",
        "'raw'/None: raw.seen[0] 2026-09-01T08:00:00 is naive",
    ):
        assert expected in found
    # both sides of the autumn change are fine, including the repeated hour
    autumn = [datetime(2026, 10, 25, 2, 30, tzinfo=oslo, fold=f) for f in (0, 1)]
    assert problems([EventDraft(uid=str(n), title="t", start=a) for n, a in enumerate(autumn)]) == []


def test_compare_writes_missing_snapshots_and_shows_diffs(tmp_path: Path) -> None:
    path = tmp_path / "snapshots" / "feed.xml.json"
    data = {"items": [{"draft": {"title": "Språkkafé"}}], "warnings": []}
    written = compare(path, data, update=False)
    assert written and "was missing and has been written" in written
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == data and "Språkkafé" in text  # readable UTF-8, not \u escapes
    assert compare(path, data, update=False) is None
    changed = {"items": [{"draft": {"title": "Strikkekafé"}}], "warnings": []}
    diff = compare(path, changed, update=False)
    assert diff and '-        "title": "Språkkafé"' in diff and '+        "title": "Strikkekafé"' in diff
    assert json.loads(path.read_text(encoding="utf-8")) == data  # a mismatch never overwrites
    rewritten = compare(path, changed, update=True)
    assert rewritten and "out of date" in rewritten
    assert compare(path, changed, update=True) is None  # nothing to update: a pass
