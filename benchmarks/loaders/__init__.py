"""Streaming loaders for MemRewardBench data in every published form.

from benchmarks.loaders import discover, iter_records, LoadReport

report = LoadReport()
for record in iter_records(discover(["data/"]), report):
    ...  # record.setting, record.length, record.chosen, record.rejected, record.extra
print("\\n".join(report.summary_lines()))
"""

from __future__ import annotations

from benchmarks.loaders._discover import discover
from benchmarks.loaders._formats import Hasher, iter_rows, open_binary
from benchmarks.loaders._load import iter_records, load_records, pair_id_of
from benchmarks.loaders._record import LoadIssue, LoadReport, Record, Severity, Source, SourceFormat

__all__ = [
    "Hasher",
    "LoadIssue",
    "LoadReport",
    "Record",
    "Severity",
    "Source",
    "SourceFormat",
    "discover",
    "iter_records",
    "iter_rows",
    "load_records",
    "open_binary",
    "pair_id_of",
]
