from __future__ import annotations

import json
from pathlib import Path

import bench_helpers  # noqa: F401  (registers the test-* reward models)
import pytest

from agentmem.cli import main


def _run(data: Path, out: Path, rm: str) -> None:
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(data),
                "--rm",
                rm,
                "--out",
                str(out),
                "--no-report",
                "--json",
            ]
        )
        == 0
    )


def test_report_writes_html_and_png_from_a_run_folder(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(small_suite, tmp_path / "o", "test-shorter")
    assert not (tmp_path / "o" / "report.html").exists()
    capsys.readouterr()
    assert main(["bench", "report", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "Accuracy by setting" in out and f"wrote {tmp_path / 'o' / 'report.html'}" in out
    assert (tmp_path / "o" / "accuracy.png").read_bytes().startswith(b"\x89PNG")
    assert main(["bench", "report", str(tmp_path / "o"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_pairs"] == 60


def test_report_on_a_folder_without_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "report", str(tmp_path)]) == 2
    assert "has no results.json" in capsys.readouterr().err


def test_compare_prints_a_table_and_json(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(small_suite, tmp_path / "a", "test-shorter")
    _run(small_suite, tmp_path / "b", "test-always-a")
    capsys.readouterr()
    assert main(["bench", "compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    text = capsys.readouterr().out
    assert "A = test-shorter" in text and "B = test-always-a" in text and "Overall" in text
    assert main(["bench", "compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_common"] == 60 and doc["overall"]["accuracy_a"] == pytest.approx(
        40 / 60, abs=1e-6
    )
    assert 0 <= doc["overall"]["p_value"] <= 1
    assert set(doc["by_setting"]) >= {"Sequential-Noise", "LongForm-Parallel"}


def test_bench_without_subcommand_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench"]) == 2
    out = capsys.readouterr().out
    for sub in ("run", "generate", "report", "compare"):
        assert sub in out


def test_report_on_an_unfinished_run_gives_interim_figures(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(small_suite, tmp_path / "o", "test-shorter")
    ledger = tmp_path / "o" / "predictions.jsonl"
    lines = ledger.read_text().splitlines(keepends=True)
    ledger.write_text("".join(lines[:20]))  # as if the run were still going
    (tmp_path / "o" / "results.json").unlink()
    capsys.readouterr()
    assert main(["bench", "report", str(tmp_path / "o"), "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["partial"] is True and doc["n_pairs"] == 20
    assert "has not finished" in captured.err
    assert not (tmp_path / "o" / "results.json").exists()  # the final results stay the run's job
    assert "Interim figures" in (tmp_path / "o" / "report.html").read_text()
    # finishing the run replaces the interim view with the final one
    assert main(["bench", "run", "--resume", str(tmp_path / "o"), "--no-report", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["partial"] is False


def test_paper_columns_can_be_chosen_and_are_checked_before_judging(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(small_suite, tmp_path / "o", "test-shorter")
    capsys.readouterr()
    assert (
        main(["bench", "report", str(tmp_path / "o"), "--paper", "Qwen3-8B, GLM4.5-106A12B"]) == 0
    )
    out = capsys.readouterr().out
    assert "Qwen3-8B" in out and "GLM4.5-106A12B" in out and "Claude-Opus-4.5" not in out
    # Qwen3-8B's published overall accuracy (Table 3) is 57.33
    assert "57.3" in next(line for line in out.splitlines() if "Overall" in line)
    args = [
        "bench",
        "run",
        "--data",
        str(small_suite),
        "--rm",
        "test-shorter",
        "--out",
        str(tmp_path / "x"),
    ]
    assert main([*args, "--paper", "GPT-9"]) == 2
    assert "unknown paper model 'GPT-9'" in capsys.readouterr().err
    assert not (tmp_path / "x" / "predictions.jsonl").exists()  # nothing was judged
