"""Benchmark-format export: pairs from recorded runs, loadable by the MemRewardBench loaders."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from agentmem._types import Answer, Attempt, Candidate, Chunk, Step, Trajectory
from agentmem.exceptions import UserError
from agentmem.export import build_question, ctx_length_label, export_pairs, export_run
from agentmem.render import render_trajectory
from agentmem.store import InMemoryTraceStore
from benchmarks.settings import canonical_setting
from rewards._types import Reward

DOC = "The key is under the mat. Mary went to the garden. Filler text about weather."


def _att(text: str, value: float, round: int = 0) -> Attempt:
    return Attempt(
        candidate=Candidate(text=text),
        reward=Reward(value=value, rationale=f"rated {value}", scorer="heuristic", version="2"),
        round=round,
    )


def _step(i: int, attempts: list[Attempt], *, chosen: int | None = None, prev: str = "", group: int = 0, kind: str = "update") -> Step:  # fmt: skip
    chunk = Chunk(index=i, text=DOC[i * 26 : (i + 1) * 26], tokens=7) if kind == "update" else None
    return Step(
        kind=kind,  # type: ignore[arg-type]
        group=group,
        index=i,
        previous_memory=prev,
        chunk=chunk,
        attempts=attempts,
        chosen=len(attempts) - 1 if chosen is None else chosen,
        decision="accepted_after_revision" if len(attempts) > 1 else "accepted",
    )


def _sequential() -> Trajectory:
    steps = [
        _step(0, [_att("key: under the mat", 0.9)]),
        _step(
            1,
            [
                _att("Mary likes weather", 0.1),
                _att("Mary went somewhere", 0.3, 1),
                _att("key: mat; Mary: garden", 0.8, 2),
            ],
            prev="key: under the mat",
        ),
        _step(2, [_att("key: mat; Mary: garden (final)", 0.9)], prev="key: mat; Mary: garden"),
    ]
    return Trajectory(
        run_id="run-seq",
        question="Where is the key?",
        pattern="sequential",
        steps=steps,
        answer=Answer(text="It is under the mat. \\boxed{mat}", extracted="mat"),
        reward_model="heuristic",
        policy="gate",
    )


def test_one_pair_per_step_with_rejections_hardest_by_default() -> None:
    traj = _sequential()
    (rec,) = export_pairs(traj, config={"document": DOC})
    assert list(rec) == ["question", "chosen", "rejected", "task", "subtask", "ctx_length", "meta"]
    assert rec["chosen"] == render_trajectory(traj)
    # The hardest rejected candidate (0.3) is committed at step 2 instead of the accepted one.
    step2 = rec["rejected"].split("Step 2:")[1].split("Step 3:")[0]
    assert "Updated memory:\n<updated_memory>\nMary went somewhere\n</updated_memory>" in step2
    wrong = step2.split("<wrong_updated_memories>")[1].split("</wrong_updated_memories>")[0]
    assert "key: mat; Mary: garden" in wrong and "Mary likes weather" in wrong
    assert "Mary went somewhere" not in wrong
    # The next step read the substituted memory.
    step3 = rec["rejected"].split("Step 3:")[1]
    assert "<memory>\n<updated_memory>\nMary went somewhere\n</updated_memory>\n</memory>" in step3
    # Everything else is the same text.
    assert rec["chosen"].split("Step 2:")[0] == rec["rejected"].split("Step 2:")[0]
    meta = rec["meta"]
    assert meta["run_id"] == "run-seq"
    assert meta["step"] == {"kind": "update", "group": 0, "index": 1}
    assert (meta["chosen_attempt"], meta["rejected_attempt"]) == (2, 1)
    assert (meta["chosen_score"], meta["rejected_score"]) == (0.8, 0.3)
    assert meta["answer"] == "mat"
    assert meta["context"] == "run config"


def test_pick_all_gives_one_pair_per_rejected_attempt() -> None:
    recs = export_pairs(_sequential(), pick="all")
    assert [r["meta"]["rejected_attempt"] for r in recs] == [0, 1]
    assert len({r["rejected"] for r in recs}) == 2
    with pytest.raises(UserError, match="pick must be 'hardest' or 'all', got 'best'"):
        export_pairs(_sequential(), pick="best")  # type: ignore[arg-type]


def test_run_without_rejections_exports_nothing() -> None:
    traj = _sequential()
    traj.steps = [traj.steps[0], traj.steps[2]]
    assert export_pairs(traj) == []


def test_rejected_copies_of_the_committed_text_make_no_pair() -> None:
    # best-of-N with a deterministic updater: identical samples, nothing to contrast
    same = [_att("key: under the mat", 0.9), _att("key: under the mat ", 0.9), _att("other", 0.2)]
    traj = _sequential()
    traj.steps = [
        _step(0, same, chosen=0),
        _step(1, [_att("x", 0.3), _att("x", 0.2), _att("y", 0.9)]),
    ]
    recs = export_pairs(traj, pick="all")
    assert [(r["meta"]["step"]["index"], r["meta"]["rejected_attempt"]) for r in recs] == [
        (0, 2),
        (1, 0),
    ]
    assert all(r["chosen"] != r["rejected"] for r in recs)
    traj.steps = [_step(0, same[:2], chosen=0)]
    assert export_pairs(traj) == []


def test_self_correct_construction_mirrors_the_benchmark_noise_recipe() -> None:
    traj = _sequential()
    (rec,) = export_pairs(traj, construction="self-correct")
    assert rec["chosen"].count("No wrong updated memory") == 4  # 3 steps and the answer block
    assert rec["rejected"].count("No wrong updated memory") == 3
    assert "Mary likes weather" not in rec["chosen"]
    assert rec["rejected"] == render_trajectory(traj)  # every rejected attempt shown
    # Same committed memories on both sides: only the noise differs.
    updated = "Updated memory:\n<updated_memory>\n"
    memories = lambda text: [p.split("\n</updated_memory>")[0] for p in text.split(updated)[1:]]  # noqa: E731
    assert memories(rec["chosen"]) == memories(rec["rejected"])
    assert (rec["task"], rec["subtask"]) == ("S-Noise", "agentmem-sequential-self_correct")
    assert rec["meta"]["construction"] == "self-correct"
    assert rec["meta"]["steps"] == [
        {"kind": "update", "group": 0, "index": 1, "wrong_attempts": [0, 1]}
    ]
    with pytest.raises(
        UserError, match="construction must be one of substitute, self-correct, got 'x'"
    ):
        export_pairs(traj, construction="x")  # type: ignore[arg-type]


def test_published_naming_maps_to_canonical_settings() -> None:
    (rec,) = export_pairs(_sequential())
    assert (rec["task"], rec["subtask"]) == ("S-Noise", "agentmem-sequential-self_correct")
    assert canonical_setting(rec["task"], rec["subtask"]) == "Sequential-Noise"
    assert rec["ctx_length"] == "8k"


def test_question_holds_the_document_from_config_or_reassembled_chunks() -> None:
    traj = _sequential()
    with_doc = export_pairs(traj, config={"document": DOC})[0]
    assert with_doc["question"] == build_question("Where is the key?", DOC)
    assert with_doc["question"].endswith(f"[Context]\n{DOC}\n\n[Question]Where is the key?")

    sha = hashlib.sha256(DOC[: 3 * 26].encode()).hexdigest()
    rebuilt = export_pairs(traj, config={"document_sha256": sha})[0]
    assert f"[Context]\n{DOC[: 3 * 26]}\n\n[Question]" in rebuilt["question"]
    assert rebuilt["meta"]["context"] == "reassembled from chunks"

    partial = export_pairs(traj, config={"document_sha256": "0" * 64, "n_chunks": 9})[0]
    assert partial["meta"]["context"].startswith("reassembled from 3 of 9 chunks (partial")


def _parallel(pattern: str = "parallel") -> Trajectory:
    g1 = [
        _step(0, [_att("p1 a", 0.9)], group=1),
        _step(1, [_att("p1 b", 0.9)], group=1, prev="p1 a"),
    ]
    g2 = [_step(2, [_att("p2 noise", 0.2), _att("p2 a", 0.9, 1)], group=2)]
    g2[0] = dataclasses.replace(g2[0], index=0)
    fusion = _step(0, [_att("fused wrong", 0.4), _att("fused: p1 b + p2 a", 0.95, 1)], kind="fusion", prev="p1 b\n\np2 a")  # fmt: skip
    steps = [g1[0], g2[0], g1[1], fusion]
    if pattern == "mixed":
        steps.append(_step(1, [_att("tail memory", 0.9)], prev="fused: p1 b + p2 a"))
    return Trajectory(
        run_id=f"run-{pattern}",
        question="Who has the key?",
        pattern=pattern,  # type: ignore[arg-type]
        groups=2,
        steps=steps,
        answer=Answer(text="\\boxed{Mary}", extracted="Mary"),
    )


def test_parallel_pairs_substitute_group_updates_and_the_fusion() -> None:
    recs = export_pairs(_parallel())
    assert [r["meta"]["step"]["kind"] for r in recs] == ["update", "fusion"]
    for r in recs:
        assert (r["task"], r["subtask"]) == ("P-Noise", "agentmem-parallel2-self_correct")
        assert canonical_setting(r["task"], r["subtask"]) == "Mixed-Noise"
    update_pair, fusion_pair = recs
    # Part 2's final memory in the summary is now the rejected one.
    summary = update_pair["rejected"].split("processed components (Memories):")[1]
    assert "Part 2:\n <updated_memory>\np2 noise\n</updated_memory>" in summary
    fused = fusion_pair["rejected"].split("The summarization of them is as follows:")[1]
    assert fused.startswith("\n<updated_memory>\nfused wrong\n</updated_memory>")


def test_mixed_tail_reads_the_substituted_fusion() -> None:
    fusion_pair = export_pairs(_parallel("mixed"))[1]
    tail = fusion_pair["rejected"].split(
        "Based on the memory, the process of obtaining the answer"
    )[1]
    assert "<memory>\n<updated_memory>\nfused wrong\n</updated_memory>\n</memory>" in tail
    assert fusion_pair["subtask"] == "agentmem-mixed2-self_correct"


def test_substituted_answer_is_a_drop_pair() -> None:
    traj = _sequential()
    traj.steps.append(
        _step(
            3,
            [_att("\\boxed{garden}", 0.1), _att("It is under the mat. \\boxed{mat}", 0.9)],
            kind="answer",
        )
    )
    rec = export_pairs(traj)[-1]
    assert (rec["task"], rec["subtask"]) == ("S-Drop", "agentmem-sequential-wrong_answer")
    assert canonical_setting(rec["task"], rec["subtask"]) == "Sequential-Drop"
    assert rec["rejected"].rstrip().endswith("\\boxed{garden}")
    assert rec["chosen"].rstrip().endswith("\\boxed{mat}")


@pytest.mark.parametrize(
    ("tokens", "label"),
    [
        (1, "8k"),
        (8192, "8k"),
        (8193, "16k"),
        (100_000, "128k"),
        (131_073, "256k"),
        (600_000, "1024k"),
    ],
)
def test_ctx_length_buckets(tokens: int, label: str) -> None:
    assert ctx_length_label(tokens) == label


async def test_export_run_reads_document_from_the_store_config(tmp_path: Path) -> None:
    from agentmem._trace import RunInfo

    store = InMemoryTraceStore()
    traj = _sequential()
    await store.begin_run(
        RunInfo(
            run_id="run-seq",
            question=traj.question,
            pattern="sequential",
            config={"document": DOC, "policy": {"label": "gate"}},
        )
    )
    for s in traj.steps:
        await store.record_step("run-seq", s)
    await store.finish_run("run-seq", traj.answer)  # type: ignore[arg-type]
    (rec,) = await export_run(store, "run-seq")
    assert DOC in rec["question"] and rec["meta"]["policy"] == "gate"
    json.dumps(rec)  # JSON-serialisable as is
    with pytest.raises(UserError, match="unknown run id 'nope'"):
        await export_run(store, "nope")
