"""End to end: a real pipeline run with a gate policy, committed to SQLite, exported as benchmark
pairs, read back by the MemRewardBench loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentmem._pipeline import build_pipeline
from agentmem._types import Chunk
from agentmem.export import export_run
from agentmem.policies import make_policy
from agentmem.store import SQLTraceStore
from agentmem.testing import FunctionAnswerer, FunctionFuser, FunctionRewardModel, FunctionUpdater
from benchmarks.loaders import load_records
from rewards._types import UpdateContext

SENTENCES = [
    "The lighthouse keeper wrote in his log every evening.",
    "Anna hid the brass key inside the blue teapot.",
    "Rain fell for three days over the harbour town.",
    "Later Anna moved the key from the teapot to the piano bench.",
    "The ferry schedule changed in the autumn.",
    "Gulls argued loudly over the fish market roofs.",
    "Nobody touched the piano bench after that.",
    "The keeper's cat slept on the warm stones.",
]
DOCUMENT = " ".join(SENTENCES * 3)


def _update(question: str, memory: str, chunk: Chunk, feedback: str | None) -> str:
    if feedback is None and chunk.index % 2 == 1:
        return f"NOISE {memory} weather gulls ferry"  # a first proposal the gate rejects
    keep = [s for s in chunk.text.split(". ") if "key" in s]
    return (memory + " " + " ".join(keep)).strip() or memory or "nothing relevant yet"


def _score(update: UpdateContext) -> float:
    return 0.1 if "NOISE" in update.candidate else 0.9


@pytest.mark.parametrize("pattern", ["sequential", "mixed"])
async def test_gate_run_exports_pairs_the_loader_maps(pattern: str, tmp_path: Path) -> None:
    pipeline = build_pipeline(
        pattern,  # type: ignore[arg-type]
        updater=FunctionUpdater(fn=_update),
        fuser=FunctionFuser(fn=lambda q, mems, fb: " | ".join(mems)),
        answerer=FunctionAnswerer(fn=lambda q, m: "\\boxed{piano bench}"),
        reward_model=FunctionRewardModel(score=_score),
        policy=make_policy("gate", threshold=0.5, max_attempts=3),
        groups=None if pattern == "sequential" else 2,
        chunk_tokens=40,
        memory_tokens=200,
        keep_document=True,
    )
    async with SQLTraceStore(str(tmp_path / "traces.db")) as store:
        traj = await pipeline.run(
            DOCUMENT, "Where is the brass key now?", run_id="e2e", store=store
        )
        records = await export_run(store, "e2e")

    revised = [s for s in traj.steps if len(s.attempts) > 1]
    assert revised, "the scripted updater must have produced rejected proposals"
    assert len(records) == len(revised)
    out = tmp_path / "pairs.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))

    loaded = load_records([out])
    expected = "Sequential-Noise" if pattern == "sequential" else "Mixed-Noise"
    assert {r.setting for r in loaded} == {expected}
    assert {r.length for r in loaded} == {"8k"}
    for rec in loaded:
        assert DOCUMENT in rec.question
        assert rec.chosen != rec.rejected
        kept_noise = "Updated memory:\n<updated_memory>\nNOISE"
        assert kept_noise in rec.rejected and kept_noise not in rec.chosen
        assert rec.extra["meta"]["run_id"] == "e2e"
        assert rec.extra["meta"]["rejected_score"] == 0.1
