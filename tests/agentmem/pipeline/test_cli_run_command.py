"""`agentmem run` as a user types it: offline, against a model server, resumed, and misused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentmem.cli import main
from agentmem.testing import FakeOpenAIServer, FakeReply, FakeRequest

DOC = (
    "The lighthouse keeper kept a logbook of every ship. The weather stayed mild all week.\n\n"
    "On Tuesday the brass key was hidden under the blue vase in the study.\n\n"
    "Markets opened early. Children played by the bridge. The cook baked bread.\n\n"
    "Later that month the keeper painted the railings green.\n"
)
Q = "Where was the brass key hidden?"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    p = tmp_path / "doc.txt"
    p.write_text(DOC, encoding="utf-8")
    return p


@pytest.fixture(autouse=True)
def trace_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'traces.db'}"
    monkeypatch.setenv("AGENTMEM_TRACE_DB", url)
    return url


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["run", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_offline_run_prints_the_answer_and_a_table_of_steps(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "run",
                "--pattern",
                "sequential",
                "--doc",
                str(doc),
                "--question",
                Q,
                "--chunk-tokens",
                "25",
                "--memory-tokens",
                "60",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "extractive (offline baseline, no model)" in out
    for col in ("group", "step", "candidates", "scores", "decision", "latency"):
        assert col in out
    assert "accepted" in out and "brass key was hidden under the blue vase" in out
    assert re.search(r"reward model=heuristic\s+policy=score", out)
    assert re.search(
        r"usage: \d+ updater/fuser/answer calls, 0\+0 tokens; \d+ RM scores, 0 tokens; cost \$0\.0000",
        out,
    )


@pytest.mark.parametrize("pattern", ["sequential", "parallel", "mixed"])
def test_json_output_is_one_document_with_every_step(
    pattern: str, doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = (
        run_json(
            capsys,
            "--pattern",
            pattern,
            "--groups",
            "2",
            "--doc",
            str(doc),
            "--question",
            Q,
            "--chunk-tokens",
            "20",
            "--policy",
            "best-of-2",
        )
        if pattern != "sequential"
        else run_json(
            capsys,
            "--doc",
            str(doc),
            "--question",
            Q,
            "--chunk-tokens",
            "20",
            "--policy",
            "best-of-2",
        )
    )
    assert out["extractive"] is True and "brass key" in out["answer"]
    traj = out["trajectory"]
    assert traj["pattern"] == pattern and traj["policy"] == "best-of-2"
    assert all(len(s["attempts"]) == 2 for s in traj["steps"])
    assert (pattern == "sequential") == all(s["kind"] == "update" for s in traj["steps"])
    # the run is in the store: `agentmem trace` will find it
    assert out["run_id"]


def test_gate_policy_with_threshold_and_attempts(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_json(
        capsys,
        "--doc",
        str(doc),
        "--question",
        Q,
        "--chunk-tokens",
        "30",
        "--policy",
        "gate",
        "--threshold",
        "1.0",
        "--max-attempts",
        "2",
    )
    steps = out["trajectory"]["steps"]
    assert out["trajectory"]["policy"] == "gate"
    assert all(1 <= len(s["attempts"]) <= 2 for s in steps)
    assert any(
        s["decision"] in ("accepted_below_threshold", "accepted_after_revision", "accepted")
        for s in steps
    )


def _model(req: FakeRequest) -> FakeReply | str:
    text = req.user
    if "<section>" in text:
        n = len(re.findall(r"<section>", text))
        return (
            f"<updated_memory>notes {n}: {text.split('<section>')[1][:40].strip()}</updated_memory>"
        )
    if '<memory part="' in text:
        return "merged notes"
    return "The key was under the blue vase. \\boxed{under the blue vase}"


def test_model_run_against_an_openai_compatible_server(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIServer(handler=_model) as server:
        out = run_json(
            capsys,
            "--pattern",
            "parallel",
            "--groups",
            "2",
            "--doc",
            str(doc),
            "--question",
            Q,
            "--chunk-tokens",
            "25",
            "--model",
            "openai/fake",
            "--api-base",
            server.base_url,
            "--api-key",
            "k",
        )
    assert out["answer"] == "under the blue vase"
    assert out["extractive"] is False and out["updater"] == "llm:openai/fake"
    steps = out["trajectory"]["steps"]
    usage = out["usage"]
    assert usage["model_calls"] == sum(len(s["attempts"]) for s in steps) + 1  # + the answer
    assert (
        usage["prompt_tokens"] > 0
        and usage["completion_tokens"] > 0
        and usage["rm_calls"] == usage["model_calls"] - 1
    )
    assert server.chat_requests and all(
        r.headers.get("authorization") == "Bearer k" for r in server.chat_requests
    )


def test_crashed_model_run_resumes_without_repeating_a_step(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sections: list[str] = []
    state = {"fail": True}

    def handler(req: FakeRequest) -> FakeReply | str:
        if "<section>" in req.user:
            section = req.user.split("<section>")[1].split("</section>")[0]
            if state["fail"] and len(set(sections)) == 2 and section not in sections:
                return FakeReply(status=500, content="boom")
            sections.append(section)
        return _model(req)

    argv = [
        "run",
        "--doc",
        str(doc),
        "--question",
        Q,
        "--chunk-tokens",
        "20",
        "--retries",
        "0",
        "--run-id",
        "book1",
    ]
    with FakeOpenAIServer(handler=handler) as server:
        assert main([*argv, "--model", "openai/fake", "--api-base", server.base_url]) == 1
        err = capsys.readouterr().err
        assert "500" in err and "agentmem run --resume book1" in err
        assert len(sections) == 2
        state["fail"] = False
        out = run_json(
            capsys,
            "--resume",
            "book1",
            "--doc",
            str(doc),
            "--model",
            "openai/fake",
            "--api-base",
            server.base_url,
        )
    steps = out["trajectory"]["steps"]
    assert [s["index"] for s in steps] == list(range(len(steps)))
    assert len(sections) == len(steps) == len(set(sections))  # each chunk asked once, none missing
    assert out["run_id"] == "book1"


def test_resume_of_a_model_run_without_the_model_says_which_to_pass(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIServer(handler=lambda r: FakeReply(status=500)) as server:
        assert (
            main(
                [
                    "run",
                    "--doc",
                    str(doc),
                    "--question",
                    Q,
                    "--retries",
                    "0",
                    "--run-id",
                    "r9",
                    "--model",
                    "openai/fake",
                    "--api-base",
                    server.base_url,
                ]
            )
            == 1
        )
    capsys.readouterr()
    assert main(["run", "--resume", "r9", "--doc", str(doc)]) == 2
    assert "resume it with --model openai/fake" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--doc", "/nonexistent/book.txt", "--question", Q],
            "cannot read --doc '/nonexistent/book.txt': no such file",
        ),
        (["--doc", "{empty}", "--question", Q], "is empty; give a file with text"),
        (["--doc", "{binary}", "--question", Q], "not UTF-8 text"),
        (["--doc", "{doc}", "--question", "  "], "--question is empty"),
        (["--doc", "{doc}"], "--question is empty (None)"),
        (
            ["--doc", "{doc}", "--question", Q, "--pattern", "paralel"],
            "unknown pattern 'paralel'; did you mean 'parallel'",
        ),
        (
            ["--doc", "{doc}", "--question", Q, "--policy", "best_off_4"],
            "unknown policy 'best_off_4'",
        ),
        (
            ["--doc", "{doc}", "--question", Q, "--rm", "heuristc"],
            "unknown reward model 'heuristc'; did you mean 'heuristic'",
        ),
        (["--doc", "{doc}", "--question", Q, "--resume", "nope"], "unknown run id 'nope'"),
        (
            ["--doc", "{doc}", "--question", Q, "--pattern", "parallel", "--groups", "40"],
            "groups=40 but the document has only",
        ),
    ],
)
def test_bad_input_exits_2_with_the_value_and_the_fix(
    argv: list[str], message: str, doc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\xff\xfe\x00bad")
    paths = {
        "{doc}": str(doc),
        "{empty}": str(tmp_path / "empty.txt"),
        "{binary}": str(tmp_path / "bin.dat"),
    }
    assert main(["run", *[paths.get(a, a) for a in argv]]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_chunk_size_below_one_is_rejected_by_the_parser(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--doc", str(doc), "--question", Q, "--chunk-tokens", "0"])
    assert exc.value.code == 2 and "must be >= 1, got 0" in capsys.readouterr().err


def test_reward_out_of_range_exits_1_and_keeps_the_committed_steps(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agentmem.testing import FunctionRewardModel
    from rewards import register

    calls = {"n": 0}

    def score(u: object) -> float:
        calls["n"] += 1
        return 0.5 if calls["n"] < 3 else 2.0

    register("test-out-of-range")(
        lambda arg, **kw: FunctionRewardModel(score=score, name="test-out-of-range")
    )
    assert (
        main(
            [
                "run",
                "--doc",
                str(doc),
                "--question",
                Q,
                "--chunk-tokens",
                "20",
                "--rm",
                "test-out-of-range",
                "--run-id",
                "oor",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "returned reward 2.0, outside [0, 1]" in err
    assert main(["trace", "show", "oor", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run"]["status"] == "failed" and "outside [0, 1]" in shown["run"]["error"]
    assert len(shown["trajectory"]["steps"]) == 2


def test_document_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(DOC))
    out = run_json(capsys, "--doc", "-", "--question", Q, "--chunk-tokens", "25")
    assert "blue vase" in out["answer"]
    monkeypatch.setattr("sys.stdin", io.StringIO("   "))
    assert main(["run", "--doc", "-", "--question", Q]) == 2
    assert "stdin) is empty" in capsys.readouterr().err


def test_a_failed_run_without_run_id_names_its_generated_id_for_resume(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIServer(handler=lambda r: FakeReply(status=500, content="down")) as server:
        assert (
            main(
                [
                    "run",
                    "--doc",
                    str(doc),
                    "--question",
                    Q,
                    "--retries",
                    "0",
                    "--model",
                    "openai/fake",
                    "--api-base",
                    server.base_url,
                ]
            )
            == 1
        )
    err = capsys.readouterr().err
    m = re.search(r"agentmem run --resume ([0-9a-f]{32}) --doc", err)
    assert m is not None, err
    assert main(["trace", "show", m.group(1), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["run"]
    assert shown["run_id"] == m.group(1) and shown["status"] == "failed"


def test_model_and_llm_judge_on_separate_servers_with_gate_best_of(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scores = iter(["too thin [[SCORE: 0.3]]", "better [[SCORE: 0.6]]"])

    def judge(req: FakeRequest) -> str:
        return next(scores, "keeps the key's location [[SCORE: 0.95]]")

    with FakeOpenAIServer(handler=_model) as model, FakeOpenAIServer(handler=judge) as judge_server:
        out = run_json(
            capsys, "--doc", str(doc), "--question", Q, "--chunk-tokens", "40",
            "--model", "openai/fake", "--api-base", model.base_url,
            "--rm", "llm:openai/judge", "--rm-api-base", judge_server.base_url,
            "--policy", "gate:best-of-2", "--threshold", "0.9", "--max-attempts", "3",
        )  # fmt: skip
    first = out["trajectory"]["steps"][0]
    assert out["trajectory"]["policy"] == "gate:best-of-2"
    assert len(first["attempts"]) == 4 and first["decision"] == "accepted_after_revision"
    assert all("[Proposed new memory]" in r.user for r in judge_server.chat_requests)
    assert not any("[Proposed new memory]" in r.user for r in model.chat_requests)
    assert out["answer"] == "under the blue vase"


def test_resume_takes_a_unique_prefix_and_the_kept_document(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(
        capsys,
        "--doc",
        str(doc),
        "--question",
        Q,
        "--run-id",
        "lighthouse-7",
        "--keep-document",
    )
    again = run_json(capsys, "--resume", "lighth")  # no --doc: the run kept its text
    assert again["run_id"] == "lighthouse-7" and again["answer"] == first["answer"]


def test_resume_without_doc_of_a_run_that_did_not_keep_it_says_what_to_pass(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "--doc", str(doc), "--question", Q, "--run-id", "plain-1")
    assert main(["run", "--resume", "plain-1"]) == 2
    err = capsys.readouterr().err
    assert "--doc is required to resume run 'plain-1'" in err and "sha256" in err
    assert "--keep-document" in err and err.count("\n") == 1


def test_gate_numbers_in_the_spec_and_a_conflicting_option(
    doc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_json(
        capsys, "--doc", str(doc), "--question", Q, "--chunk-tokens", "30", "--policy", "gate:1.0:2"
    )
    steps = out["trajectory"]["steps"]
    assert out["trajectory"]["policy"] == "gate"
    assert {len(s["attempts"]) for s in steps} <= {1, 2}  # ATTEMPTS=2 from the spec
    assert (
        main(
            [
                "run",
                "--doc",
                str(doc),
                "--question",
                Q,
                "--policy",
                "gate:0.7",
                "--threshold",
                "0.5",
            ]
        )
        == 2
    )
    assert "spec says threshold 0.7 but the option says 0.5" in capsys.readouterr().err
