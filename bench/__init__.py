"""Benchmarks and their workload generators; results are recorded in BENCHMARKS.md.

``python -m bench`` (``make bench``) runs the spine benchmark (``bench/spine.py``). Nothing here is
imported by the aggregator package or run by the test suite, except the smoke test in tests/bench.
"""
