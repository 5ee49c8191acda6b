from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_helpers import make_record, write_jsonl  # also registers the test-* reward models

from agentmem.cli import main


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["bench", "run", *args, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_run_prints_results_json(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _run_json(
        capsys, "--data", str(small_suite), "--rm", "test-shorter", "--out", str(tmp_path / "o")
    )
    assert doc["n_pairs"] == 60 and doc["mode"] == "compat" and doc["both_orders"] is False
    assert doc["reward_model"]["spec"] == "test-shorter"  # type: ignore[index]
    assert json.loads((tmp_path / "o" / "results.json").read_text())["accuracy"] == doc["accuracy"]
    for name in ("run.json", "predictions.jsonl", "report.html", "accuracy.png"):
        assert (tmp_path / "o" / name).is_file()


def test_run_prints_the_paper_style_table(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(small_suite),
                "--rm",
                "test-shorter",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    for s in (
        "Accuracy by setting",
        "Sequential-Noise",
        "LFG avg",
        "Overall",
        "Accuracy by context length",
        "always-A",
        "Claude-Opus-4.5",
        "(paper)",
        f"outputs in {tmp_path / 'o'}/",
    ):
        assert s in out


def test_robust_mode_judges_both_orders_unless_told_not_to(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _run_json(
        capsys,
        "--data",
        str(small_suite),
        "--rm",
        "test-always-a",
        "--mode",
        "robust",
        "--out",
        str(tmp_path / "r"),
    )
    assert doc["both_orders"] is True and doc["n_judgments"] == 120
    assert doc["consistency"] == 0.0 and doc["position_bias"] == 0.5
    doc = _run_json(
        capsys,
        "--data",
        str(small_suite),
        "--rm",
        "test-always-a",
        "--mode",
        "robust",
        "--no-both-orders",
        "--out",
        str(tmp_path / "r1"),
    )
    assert doc["both_orders"] is False and doc["n_judgments"] == 60 and doc["consistency"] is None


def test_rm_errors_are_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recs = [make_record(i) for i in range(5)]
    recs[1]["question"] = "EXPLODE " + recs[1]["question"]
    data = write_jsonl(tmp_path / "d.jsonl", recs)
    doc = _run_json(
        capsys, "--data", str(data), "--rm", "test-explodes", "--out", str(tmp_path / "o")
    )
    assert doc["n_errors"] == 1 and doc["n_pairs"] == 5
    assert "judge backend down" in (tmp_path / "o" / "report.html").read_text()


def test_a_run_whose_every_judgment_failed_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recs = [make_record(i) for i in range(3)]
    for r in recs:
        r["question"] = "EXPLODE " + r["question"]
    data = write_jsonl(tmp_path / "d.jsonl", recs)
    args = ["bench", "run", "--data", str(data), "--rm", "test-explodes", "--no-report"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "all 3 pair(s) failed to be judged; first error:" in err and "judge backend down" in err


def test_bad_lines_are_listed_on_stderr_and_the_run_continues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        json.dumps(make_record(0))
        + "\n{oops\n"
        + json.dumps({"question": "q", "chosen": "c"})
        + "\n"
    )
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(path),
                "--rm",
                "test-shorter",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "input: d.jsonl:2: not a JSON object" in err
    assert "input: d.jsonl:3: field 'rejected': missing" in err
    assert "listed in" in err and "report.html" in err
    # without a report, the summary points only at what was written
    args = ["bench", "run", "--data", str(path), "--rm", "test-shorter", "--no-report"]
    assert main([*args, "--out", str(tmp_path / "o2")]) == 0
    err = capsys.readouterr().err
    assert "listed in results.json" in err and "report.html" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--data", "/nonexistent/file.jsonl"],
            "data path '/nonexistent/file.jsonl' does not exist",
        ),
        (["--rm", "heurstic-typo"], "unknown reward model 'heurstic-typo'"),
        (
            ["--mode", "robust", "--over-length", "skip"],
            "--over-length skip is the official evaluator's rule and needs --mode compat",
        ),
    ],
)
def test_user_errors_exit_2_with_a_clear_message(
    small_suite: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    full = ["bench", "run", "--out", str(tmp_path / "o"), *args]
    if "--data" not in args:
        full += ["--data", str(small_suite)]
    assert main(full) == 2
    assert message in capsys.readouterr().err


def test_bad_option_values_are_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["bench", "run", "--concurrency", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "must be >= 1, got 0" in err and "see 'agentmem bench run --help'" in err
    assert err.count("\n") == 1 and "usage:" not in err  # one line, no usage block


def test_resume_via_the_cli(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _run_json(
        capsys, "--data", str(small_suite), "--rm", "test-shorter", "--out", str(tmp_path / "o")
    )
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(small_suite),
                "--rm",
                "test-shorter",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    assert "--resume" in capsys.readouterr().err
    again = _run_json(capsys, "--resume", str(tmp_path / "o"))
    first.pop("timing")
    again.pop("timing")
    assert again == first


def test_run_help_teaches_options_defaults_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for s in (
        "--data PATH",
        "bundled offline suite",
        "--mode {compat,robust}",
        "seed 42",
        "--both-orders",
        "--concurrency N",
        "(default: 8)",
        "--resume DIR",
        "examples:",
        "agentmem bench run --resume",
        "predictions.jsonl",
        "Hugging Face",
    ):
        assert s in out, s


def test_progress_is_plain_lines_when_not_a_terminal(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(small_suite),
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
    captured = capsys.readouterr()
    assert "judging 60 judgment(s) from 3 source(s)" in captured.err
    assert captured.err.rstrip().endswith("judging: 60/60 (100%)")
    assert "\x1b[" not in captured.err  # no terminal control codes in a log file
    json.loads(captured.out)  # stdout holds only the JSON document


def test_data_without_a_single_valid_record_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "e.jsonl").write_text("")
    (tmp_path / "bad.jsonl").write_text('{"question": "q"}\n')
    assert (
        main(
            [
                "bench",
                "run",
                "--data",
                str(tmp_path),
                "--rm",
                "test-shorter",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert (
        "nothing to judge" in err
        and "e.jsonl: is empty" in err
        and "bad.jsonl:1: field 'chosen': missing" in err
    )


def test_over_length_rule_is_saved_with_the_run(
    small_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o"
    doc = _run_json(
        capsys,
        "--data",
        str(small_suite),
        "--rm",
        "test-shorter",
        "--out",
        str(out),
        "--over-length",
        "skip",
    )
    assert doc["n_skipped"] == 0  # the small suite has no prompt near 131,072 tokens
    saved = json.loads((out / "run.json").read_text())
    assert saved["rm_overrides"] == {"truncation": "skip"}  # a resume repeats the same rule


def test_shape_measures_the_published_records(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "shape", "--data", str(samples), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    noise = doc["Mixed-Noise"]
    assert noise["pairs"] == 2 and noise["same_outside_wrong"] == 2
    assert noise["wrong_blocks_chosen"] == 0 < noise["wrong_blocks_rejected"]
    assert noise["surface_rules"]["fewer-wrong-blocks"] == 1.0
    assert doc["Mem0-Out"]["stores"] == ["distilled/dump", "dump/empty"]
    assert doc["LongForm-Sequential"]["plans"] == ["json"]
    assert main(["bench", "shape", "--data", str(samples)]) == 0
    assert "identical outside wrong blocks 2/2" in capsys.readouterr().out
