from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from agentmem.exceptions import UserError
from benchmarks.loaders import LoadReport, discover, iter_records, load_records

GOOD = {"question": "Q", "chosen": "good", "rejected": "bad", "task": "S-Drop", "ctx_length": "8k"}


def _line(**changes: object) -> str:
    rec = dict(GOOD) | changes
    return json.dumps({k: v for k, v in rec.items() if v is not ...})


def test_missing_path_is_a_user_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"'.*nope\.jsonl' does not exist"):
        discover([tmp_path / "nope.jsonl"])


def test_folder_without_data_and_no_paths_are_user_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UserError, match="holds no data files"):
        discover([tmp_path])
    with pytest.raises(UserError, match="no data given"):
        discover([])


def test_unknown_format_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("question,chosen,rejected\nq,c,r\n")
    with pytest.raises(UserError, match="cannot tell the format"):
        discover([path])


def test_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    report = LoadReport()
    assert load_records([path], report) == []
    assert [str(i) for i in report.issues] == ["empty.jsonl: is empty: no records found"]


def test_bad_lines_are_reported_with_line_and_field_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        _line(question="q1"),
        _line(question="q2", chosen=...),  # missing field
        "{broken json",
        _line(question="q4", rejected=7),  # wrong type
        '["a", "list"]',
        _line(question="q6", rejected=""),  # legitimate: empty rejected
        _line(question=""),  # empty question
        _line(question="q8"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = LoadReport()
    records = load_records([path], report)
    assert [r.question for r in records] == ["q1", "q6", "q8"]
    assert [r.line for r in records] == [1, 6, 8]
    assert [r.index for r in records] == [0, 1, 2]
    msgs = [str(i) for i in report.issues]
    assert msgs[0].startswith("mixed.jsonl:2: field 'chosen': missing")
    assert msgs[1].startswith("mixed.jsonl:3: not a JSON object")
    assert msgs[2].startswith("mixed.jsonl:4: field 'rejected': must be a string, got int")
    assert msgs[3].startswith("mixed.jsonl:5: a JSON list")
    assert msgs[4].startswith("mixed.jsonl:7: field 'question': is empty")
    assert report.skipped["mixed.jsonl"] == 5 and report.records["mixed.jsonl"] == 3


def test_non_utf8_line_is_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        _line(question="q1").encode()
        + b"\n"
        + json.dumps(GOOD, ensure_ascii=False).replace('"Q"', '"caf\xe9"').encode("latin-1")
        + b"\n"
        + _line(question="q3").encode()
        + b"\n"
    )
    report = LoadReport()
    assert [r.question for r in load_records([path], report)] == ["q1", "q3"]
    assert len(report.issues) == 1
    assert str(report.issues[0]).startswith("latin1.jsonl:2: not valid UTF-8 (byte b'\\xe9'")


def test_a_binary_file_floods_nothing(tmp_path: Path) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b"{" + bytes(range(256)) * 20 + b"\n" + b"\x00\xff{\n" * 500)
    report = LoadReport()
    assert load_records([path], report) == []
    assert len(report.issues) == report.max_issues_per_source + 1
    assert report.suppressed["garbage.jsonl"] > 0
    assert "no valid records: is this a MemRewardBench file" in str(report.issues[-1])
    assert (
        "garbage.jsonl: " in report.summary_lines()[-1]
        and "more issue(s) not shown" in report.summary_lines()[-1]
    )


def test_truncated_gzip_keeps_what_was_readable(tmp_path: Path) -> None:
    raw = gzip.compress(
        ("\n".join(_line(question=f"q{i}", chosen="c" * 2000) for i in range(200)) + "\n").encode()
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(raw[: len(raw) // 2])
    report = LoadReport()
    records = load_records([path], report)
    assert 0 < len(records) < 200
    assert any("damaged or truncated" in str(i) for i in report.issues)


def test_duplicates_across_files_are_reported_and_judged_once(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        _line(question="same") + "\n" + _line(question="other") + "\n"
    )
    (tmp_path / "b.jsonl").write_text(_line(question="same") + "\n")
    report = LoadReport()
    records = load_records([tmp_path], report)
    assert [r.question for r in records] == ["same", "other"]
    assert [str(i) for i in report.issues] == [
        f"{tmp_path.name}/b.jsonl:1: duplicate of {tmp_path.name}/a.jsonl:1 (same question, chosen and rejected); judged once"
    ]
    assert report.issues[0].severity == "warning"
    # without skipping, the duplicate is flagged
    flagged = list(iter_records(discover([tmp_path]), skip_duplicates=False))
    assert flagged[2].duplicate_of == f"{tmp_path.name}/a.jsonl:1"


def test_unmapped_names_are_counted_and_listed(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(
        _line(question="a", task="Weird")
        + "\n"
        + _line(question="b", task="Weird")
        + "\n"
        + _line(question="c", task="S-Noise")
        + "\n"
    )
    report = LoadReport()
    records = load_records([path], report)
    assert [r.setting for r in records] == ["unmapped", "unmapped", "Sequential-Noise"]
    assert report.unmapped_names == {"Weird / None": 2}
    assert "2 record(s) match no canonical setting" in report.summary_lines()[-1]
    assert "Weird / None (x2)" in report.summary_lines()[-1]


def test_a_pair_whose_sides_are_identical_is_judged_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        _line() + "\n" + _line(question="other q", chosen="same", rejected="same") + "\n"
    )
    report = LoadReport()
    records = list(iter_records(discover([path]), report))
    assert len(records) == 2  # kept: judging it shows how the reward model breaks ties
    lines = report.summary_lines()
    assert any("d.jsonl:2" in ln and "identical to chosen" in ln for ln in lines), lines
