"""The hand-written check sets load with every record mapped to its setting."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.generalisation import CHECKSET
from benchmarks.loaders import LoadReport, discover, iter_records
from benchmarks.settings import SETTINGS


@pytest.mark.parametrize(("folder", "n"), [("dev", 20), ("heldout", 14), ("heldout2", 6)])
def test_check_sets_load_with_every_record_mapped(folder: str, n: int) -> None:
    report = LoadReport()
    records = list(iter_records(discover([CHECKSET / folder]), report))
    assert len(records) == n and not report.summary_lines()
    settings = set(Counter(r.setting for r in records))
    assert settings == (set(SETTINGS) if folder != "heldout2" else set(SETTINGS[:4]))
    assert {r.kind for r in records if r.setting.startswith("LongForm")} <= {"generation"}
