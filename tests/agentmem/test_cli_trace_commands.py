"""`agentmem trace list|show|export` against a real SQLite trace store."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest

from agentmem._pipeline import build_pipeline
from agentmem._types import Chunk
from agentmem.cli import main
from agentmem.policies import make_policy
from agentmem.store import SQLTraceStore
from agentmem.testing import FunctionAnswerer, FunctionRewardModel, FunctionUpdater
from benchmarks.loaders import load_records

DOCUMENT = " ".join(
    [
        "Anna hid the brass key inside the blue teapot.",
        "Rain fell for three days over the harbour town.",
        "Later Anna moved the key to the piano bench.",
        "Gulls argued loudly over the fish market roofs.",
    ]
    * 3
)


def _update(question: str, memory: str, chunk: Chunk, feedback: str | None) -> str:
    if feedback is None and chunk.index == 1:
        return "NOISE gulls and rain"
    return (memory + " " + " ".join(s for s in chunk.text.split(". ") if "key" in s)).strip()


def _record_runs(db: Path) -> None:
    async def go() -> None:
        async with SQLTraceStore(str(db)) as store:
            for run_id, policy in [("aaaa1111-gate", "gate"), ("bbbb2222-score", "score")]:
                pipeline = build_pipeline(
                    "sequential",
                    updater=FunctionUpdater(fn=_update),
                    answerer=FunctionAnswerer(
                        fn=lambda q, m: "The key is on the piano bench. \\boxed{piano bench}"
                    ),
                    reward_model=FunctionRewardModel(
                        score=lambda u: 0.1 if "NOISE" in u.candidate else 0.9
                    ),
                    policy=make_policy(policy),
                    chunk_tokens=25,
                    keep_document=True,
                )
                await pipeline.run(DOCUMENT, "Where is the brass key?", run_id=run_id, store=store)

    asyncio.run(go())


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "traces.db"
    _record_runs(path)
    monkeypatch.setenv("AGENTMEM_TRACE_DB", str(path))
    return path


def test_list_json_shows_runs_newest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["trace_db"].endswith("traces.db")
    assert [r["run_id"] for r in doc["runs"]] == ["bbbb2222-score", "aaaa1111-gate"]
    gate = doc["runs"][1]
    assert gate["status"] == "finished" and gate["n_steps"] > 0
    assert gate["config"]["document"] == f"<{len(DOCUMENT)} characters>"


def test_list_plain_text_off_a_terminal(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "list", "--trace-db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split("\t")[:3] == ["run", "status", "pattern"]
    assert lines[2].startswith("bbbb2222-score\tfinished\tsequential\t")


def test_list_rich_table_on_a_terminal(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("agentmem.cli._trace._tty", lambda: True)
    assert main(["trace", "list"]) == 0
    out = capsys.readouterr().out
    assert "┃ run" in out or "│ run" in out
    assert "aaaa1111-gate" in out and "finished" in out


def test_show_by_prefix_lists_every_step(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "show", "aaaa"]) == 0
    out = capsys.readouterr().out
    assert "run           aaaa1111-gate" in out
    assert "answer        piano bench" in out
    rows = [line.split("\t") for line in out.splitlines() if line.startswith("0\t")]
    assert rows, out
    revised = [r for r in rows if r[1] == "1"]
    assert revised[0][3:6] == ["2", "0.10 [0.90]", "accepted_after_revision"]


def test_show_full_prints_every_candidate(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "show", "aaaa", "--full"]) == 0
    out = capsys.readouterr().out
    detail = out.split("== group 0 step 1 (update): accepted_after_revision")[1].split("== ")[0]
    assert "   attempt 0 (round 0): 0.100 by function v1" in detail
    assert "     | NOISE gulls and rain" in detail
    assert " * attempt 1 (round 1): 0.900" in detail
    revised = [line for line in detail.splitlines() if line.startswith("     revised from: ")]
    assert len(revised) == 1 and "function scored 0.100" in revised[0]


def test_show_json_is_the_whole_trajectory(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "show", "aaaa1111-gate", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"]["run_id"] == "aaaa1111-gate"
    steps = doc["trajectory"]["steps"]
    assert steps[1]["attempts"][0]["candidate"]["text"] == "NOISE gulls and rain"
    assert steps[1]["attempts"][0]["reward"]["value"] == 0.1
    assert doc["trajectory"]["answer"]["extracted"] == "piano bench"


def test_unknown_and_ambiguous_runs_are_clear_errors(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "show", "aaaa1111-gat3"]) == 2
    err = capsys.readouterr().err
    assert "unknown run id 'aaaa1111-gat3'; did you mean 'aaaa1111-gate'?" in err
    assert "Traceback" not in err
    assert main(["trace", "show", ""]) == 2  # the empty prefix matches every run
    assert "matches 2 runs" in capsys.readouterr().err


def test_export_writes_loadable_pairs(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pairs" / "mine.jsonl"
    code = main(["trace", "export", "aaaa", "--format", "memrewardbench", "--out", str(out)])
    assert code == 0
    assert "wrote 1 pair(s) from 1 run(s)" in capsys.readouterr().err
    (rec,) = load_records([out])
    assert rec.setting == "Sequential-Noise"
    assert DOCUMENT in rec.question
    assert "NOISE gulls and rain" in rec.chosen  # shown as a wrong update on the accepted path
    assert "Updated memory:\n<updated_memory>\nNOISE gulls and rain" in rec.rejected


def test_export_to_stdout_and_gzip(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "export", "aaaa1111-gate", "--format", "memrewardbench"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["meta"]["run_id"] == "aaaa1111-gate"
    gz = tmp_path / "p.jsonl.gz"
    assert main(["trace", "export", "aaaa", "--format", "memrewardbench", "--out", str(gz)]) == 0
    assert gzip.decompress(gz.read_bytes()).decode().splitlines() == lines


def test_export_self_correct_construction(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "noise.jsonl"
    args = ["trace", "export", "aaaa", "bbbb", "--format", "memrewardbench", "--out", str(out)]
    assert main([*args, "--construction", "self-correct"]) == 0
    (rec,) = load_records([out])  # the score-policy run has nothing to contrast
    assert rec.setting == "Sequential-Noise"
    assert "NOISE gulls and rain" in rec.rejected and "NOISE gulls and rain" not in rec.chosen
    assert "bbbb2222-score: no step rejected" in capsys.readouterr().err


def test_export_of_a_run_without_rejections_says_why(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "export", "bbbb", "--format", "memrewardbench"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no step rejected a candidate" in captured.err and "--policy gate" in captured.err


def test_bad_trace_db_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "list", "--trace-db", "mysql://u@h/db"]) == 2
    assert "unsupported trace store URL scheme 'mysql'" in capsys.readouterr().err


def test_export_needs_a_format(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["trace", "export", "aaaa"])
    assert exc.value.code == 2
    assert "--format" in capsys.readouterr().err


def test_reading_commands_never_create_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "traces.db"
    assert main(["trace", "list", "--trace-db", str(missing)]) == 0
    assert "no runs in" in capsys.readouterr().err
    assert main(["trace", "show", "abc", "--trace-db", str(missing)]) == 2
    assert "no trace database at" in capsys.readouterr().err
    assert (
        main(["trace", "export", "abc", "--format", "memrewardbench", "--trace-db", str(missing)])
        == 2
    )
    assert not missing.exists() and not missing.parent.exists()


def test_exports_that_length_alone_separates_are_flagged() -> None:
    from agentmem.cli._trace import length_tell

    def rec(c: int, r: int) -> dict[str, str]:
        return {"chosen": "x" * c, "rejected": "y" * r}

    skewed = [rec(10, 5)] * 9 + [rec(5, 10)]
    message = length_tell(skewed)
    assert message is not None and "90% of the 10 exported pairs" in message and "longer" in message
    assert length_tell([rec(10, 5), rec(5, 10)] * 3) is None  # balanced
    assert length_tell([rec(10, 5)] * 3) is None  # too few to say
