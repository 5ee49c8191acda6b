from __future__ import annotations

import json
from pathlib import Path

import bench_helpers  # noqa: F401  (registers the test-* reward models)
import pytest

import benchmarks.generator
from agentmem.cli import main


def test_generate_passes_the_options_to_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, object]] = []

    def fake_generate_suite(out_dir: Path, **kwargs: object) -> list[Path]:
        calls.append({"out_dir": out_dir, **kwargs})
        progress = kwargs["progress"]
        assert callable(progress)
        progress(1, 1)
        path = Path(out_dir) / "Long-form_Generation.jsonl.xz"
        return [path]

    monkeypatch.setattr(benchmarks.generator, "generate_suite", fake_generate_suite)
    assert (
        main(
            [
                "bench",
                "generate",
                "--out",
                str(tmp_path),
                "--per-cell",
                "7",
                "--lengths",
                "8k, 64k",
                "--seed",
                "5",
            ]
        )
        == 0
    )
    assert calls[0]["out_dir"] == tmp_path
    assert (calls[0]["seed"], calls[0]["per_cell"], calls[0]["lengths"]) == (5, 7, ("8k", "64k"))
    assert capsys.readouterr().out.strip() == str(tmp_path / "Long-form_Generation.jsonl.xz")
    # without options, the bundled suite's own arguments are used
    assert main(["bench", "generate", "--out", str(tmp_path)]) == 0
    assert {k: v for k, v in calls[1].items() if k not in ("out_dir", "progress")} == dict(
        benchmarks.generator.BUNDLED_ARGS
    )


def test_generate_rejects_an_empty_length_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "generate", "--out", str(tmp_path), "--lengths", ","]) == 2
    assert "names no length" in capsys.readouterr().err


def test_default_run_uses_the_bundled_suite(
    small_suite: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(benchmarks.generator, "BUNDLED_SUITE_DIR", small_suite)
    assert (
        main(
            [
                "bench",
                "run",
                "--rm",
                "test-shorter",
                "--out",
                str(tmp_path / "o"),
                "--no-report",
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_pairs"] == 60
    assert [f["source"] for f in doc["data_files"]] == [
        "suite/Long-context_Reasoning.jsonl",
        "suite/Long-form_Generation.jsonl",
        "suite/Multi-turn_Dialogue_Understanding.jsonl",
    ]


def test_default_run_explains_a_missing_bundled_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(benchmarks.generator, "BUNDLED_SUITE_DIR", empty)
    assert main(["bench", "run", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert (
        "bundled suite folder" in err
        and "agentmem bench generate --out" in err
        and "--data PATH" in err
    )


def test_generate_then_run_on_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "suite"
    assert (
        main(
            ["bench", "generate", "--out", str(out), "--per-cell", "1", "--lengths", "8k", "--json"]
        )
        == 0
    )
    files = json.loads(capsys.readouterr().out)["files"]
    assert len(files) == 3 and all(Path(p).is_file() and Path(p).parent == out for p in files)
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(out),
                "--rm",
                "test-shorter",
                "--out",
                str(tmp_path / "run"),
                "--no-report",
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    # every generated record maps to its canonical setting: one pair per setting at 8k
    assert doc["n_pairs"] == 10 and doc["n_unmapped"] == 0 and doc["load_issues"] == []
    assert all(doc["by_setting"][s]["n"] == 1 for s in doc["by_setting"])
    assert doc["by_length"]["8k"]["n"] == 10
