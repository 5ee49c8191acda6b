"""The hand-written check sets load with every record mapped to its setting."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.generalisation import CHECKSET
from benchmarks.loaders import LoadReport, discover, iter_records
from benchmarks.settings import SETTINGS


@pytest.mark.parametrize(("folder", "n"), [("dev", 20), ("heldout", 14)])
def test_check_sets_cover_every_setting(folder: str, n: int) -> None:
    report = LoadReport()
    records = list(iter_records(discover([CHECKSET / folder]), report))
    assert len(records) == n and not report.summary_lines()
    assert set(Counter(r.setting for r in records)) == set(SETTINGS)
    assert {r.kind for r in records if r.setting.startswith("LongForm")} == {"generation"}
