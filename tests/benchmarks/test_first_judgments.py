"""The ledger of first judgments: each check set is judged once, and the record says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generalisation import (
    CHECKSET,
    FIRST_JUDGMENTS,
    first_judgment_summary,
    read_first_judgments,
    record_first_judgments,
)
from benchmarks.loaders import LoadReport, discover, iter_records
from benchmarks.runner import Prediction


def _pred(pair: str, setting: str, chosen_as: str, correct: bool, conf: float) -> Prediction:
    return Prediction.model_validate(
        {
            "pair_id": pair,
            "source": "x.jsonl",
            "line": 1,
            "index": 0,
            "setting": setting,
            "length": "8k",
            "kind": "understanding",
            "chosen_as": chosen_as,
            "primary": chosen_as == "A",
            "verdict": chosen_as if correct else ("B" if chosen_as == "A" else "A"),
            "correct": correct,
            "confidence": conf,
            "chosen_chars": 10,
            "rejected_chars": 10,
        }
    )


def test_a_set_is_recorded_once_and_summarised_per_family(tmp_path: Path) -> None:
    ledger = tmp_path / "first.jsonl.xz"
    preds = [
        _pred("p1", "Sequential-Drop", "A", True, 0.98),
        _pred("p1", "Sequential-Drop", "B", False, 0.63),  # one order wrong: the pair is wrong
        _pred("p2", "Mem0-Out", "A", True, 0.87),
        _pred("p2", "Mem0-Out", "B", True, 0.87),
    ]
    assert record_first_judgments("heldout99", preds, "heuristic v7", ledger) == 4
    with pytest.raises(ValueError, match="already has recorded first judgments"):
        record_first_judgments("heldout99", preds[:1], "heuristic v8", ledger)
    rows = read_first_judgments(ledger)
    assert len(rows) == 4 and {r["scorer"] for r in rows} == {"heuristic v7"}
    text = first_judgment_summary(rows, 0.75)
    assert "LCR 0/1 (0%), cascade escalates 50% and keeps 100.0% right" in text
    assert "MTD 1/1 (100%), cascade escalates 0% and keeps 100.0% right" in text
    assert "LFG   -" in text


def test_every_recorded_verdict_belongs_to_a_pair_of_its_check_set() -> None:
    rows = read_first_judgments(FIRST_JUDGMENTS)
    assert rows, "the shipped ledger is empty"
    for name in {str(r["set"]) for r in rows}:
        ids = {rec.pair_id for rec in iter_records(discover([CHECKSET / name]), LoadReport())}
        mine = [r for r in rows if r["set"] == name]
        # both orders of every pair, nothing else
        assert {r["pair_id"] for r in mine} == ids and len(mine) == 2 * len(ids), name


def test_every_check_set_from_set_8_on_has_its_first_judgment_recorded() -> None:
    recorded = {str(r["set"]) for r in read_first_judgments(FIRST_JUDGMENTS)}
    folders = {
        d.name
        for d in CHECKSET.glob("heldout*")
        if d.name.removeprefix("heldout").isdigit() and int(d.name.removeprefix("heldout")) >= 8
    }
    assert folders and folders == recorded
