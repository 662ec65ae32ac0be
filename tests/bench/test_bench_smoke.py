"""Smoke test of the spine benchmark (bench/): the quick mode runs and yields every figure.

It checks only that each figure is a positive number and that the JSON carries them; timings
are not asserted (they depend on the machine and its load). The real numbers live in
BENCHMARKS.md, measured with ``python -m bench``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.__main__ import main
from bench.spine import TARGETS, Scale, run


def test_quick_run_produces_every_figure_as_a_positive_number() -> None:
    results = run(Scale.quick())
    expected = {
        "bare_parse_s",
        "cold_collect_s",
        "cold_vs_bare",
        "warm_collect_s",
        "warm_share",
        "publish_first_s",
        "publish_all_s",
        "render_ics_s",
        "bare_ics_s",
        "ics_vs_bare",
        "events_per_s",
        "peak_rss_mb",
        "tracemalloc_collect_mb",
        "tracemalloc_publish_mb",
        "events_stored",
        "published_events",
    }
    assert expected <= set(results.figures)
    assert set(TARGETS) <= set(results.figures)
    for figure in results.figures.values():
        assert isinstance(figure.value, float)
        assert math.isfinite(figure.value) and figure.value > 0, figure


def test_command_line_writes_json_with_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--no-tracemalloc", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["machine"]["cores"] >= 1
    assert {t["figure"] for t in data["targets"]} == set(TARGETS)
    for key, figure in data["figures"].items():
        assert figure["value"] > 0, key
