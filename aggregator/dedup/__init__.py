"""Cross-source duplicate detection: pure functions from event records to clusters.

Owns matching (``keys``, ``match``, ``relative``), clustering with operator decisions (``cluster``) and the
canonical/merged copy with its notes (``merge``). It must not touch the database, the clock or
any file: the store's cluster sync (``aggregator/clusters.py``) applies its verdicts and
publish renders them.

    records ─► match.prepare ─► match.candidate_pairs (blocked by local date) ─► match.compare
            ─► cluster.cluster_entries (greedy, one event per source, decisions; then the
               second look of relative.py under the same rules) ─► merge.merge
"""

from aggregator.dedup.cluster import Cluster, Decisions, Key, Link, cluster, cluster_entries, key_of
from aggregator.dedup.match import Entry, Verdict, compare, prepare
from aggregator.dedup.merge import Merged, merge, with_notes

__all__ = [
    "Cluster",
    "Decisions",
    "Entry",
    "Key",
    "Link",
    "Merged",
    "Verdict",
    "cluster",
    "cluster_entries",
    "compare",
    "key_of",
    "merge",
    "prepare",
    "with_notes",
]
