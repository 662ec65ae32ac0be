"""``python -m bench``: run the spine benchmark, print the figures, optionally save them as JSON.

Owns the command line only (argument parsing, progress on stderr, the table on stdout, the
JSON file); every measurement lives in ``bench/spine.py``. Must not measure anything itself.

    .venv/bin/python -m bench                  # the full workload (a few minutes on 2 cores)
    .venv/bin/python -m bench --quick          # 4 sources, seconds: a smoke test
    .venv/bin/python -m bench --out results.json
    .venv/bin/python -m bench --profile collect   # cProfile of one cold collect
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.spine import BenchError, Scale, as_json, profile, run, table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 sources, 1 repetition: a smoke run")
    parser.add_argument("--out", type=Path, metavar="PATH", help="write the results as JSON to PATH")
    parser.add_argument("--repeat", type=int, metavar="N", help="repetitions per timed figure (best of N)")
    parser.add_argument("--seed", type=int, default=2026, help="workload seed (default 2026)")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the extra, untimed collect under tracemalloc"
    )
    parser.add_argument(
        "--profile",
        choices=("collect", "publish"),
        help="print a cProfile of one cold collect or one publish instead of benchmarking",
    )
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def scale_for(args: argparse.Namespace) -> Scale:
    base = Scale.quick() if args.quick else Scale.full()
    repeat = args.repeat or base.repeat
    return Scale(
        calendars=base.calendars,
        vevents=base.vevents,
        feeds=base.feeds,
        items=base.items,
        repeat=repeat,
        warm_repeat=repeat if args.quick else repeat + 2,
        tracemalloc=not args.no_tracemalloc,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale = scale_for(args)
    if args.profile:
        print(profile(scale, args.profile, seed=args.seed))
        return 0
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        results = run(scale, seed=args.seed, log=progress)
    except BenchError as err:
        print(f"benchmark failed: {err}", file=sys.stderr)
        return 1
    progress("done")
    print(table(results))
    if args.out:
        command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
        args.out.write_text(
            json.dumps(as_json(results, scale, args.seed, command.strip()), indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
