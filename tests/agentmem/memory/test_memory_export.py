"""Export of a session's memory evolution as MemRewardBench dialogue pairs."""

from __future__ import annotations

import ast
from pathlib import Path

from agentmem.memory import (
    NotesMemory,
    OverlapEvolution,
    Scope,
    WordNoteBuilder,
    WritePolicy,
    open_store,
)
from benchmarks.settings import canonical_setting

ALICE = Scope(user_id="alice")


async def test_rejected_writes_become_pairs_in_the_mem0_layout(memory, script) -> None:
    script.facts = lambda msgs: ["Alice lives in Paris"]
    await memory.add("I live in Paris", scope=ALICE)  # nothing rejected: no pair
    script.facts = lambda msgs: [
        "Alice plays the piano",
        "Alice owns a yacht",
    ]  # the second is not in the message
    await memory.add("I play the piano every evening", scope=ALICE)

    [pair] = await memory.export_pairs(scope=ALICE)
    assert pair["task"] == "Mem0-MEM" and pair["subtask"].endswith("_hard")
    assert canonical_setting(pair["task"], pair["subtask"]) == "Mem0-Mem"
    assert pair["ctx_length"] == "8k"
    assert (
        "user: I live in Paris" in pair["question"]
        and "user: I play the piano every evening" in pair["question"]
    )
    chosen = ast.literal_eval(pair["chosen"])
    rejected = ast.literal_eval(pair["rejected"])
    assert sorted(m["memory"] for m in chosen) == ["Alice lives in Paris", "Alice plays the piano"]
    assert sorted(m["memory"] for m in rejected) == [
        "Alice lives in Paris",
        "Alice owns a yacht",
        "Alice plays the piano",
    ]
    assert list(chosen[0]) == [
        "id",
        "memory",
        "hash",
        "metadata",
        "created_at",
        "updated_at",
        "user_id",
    ]
    assert [o["text"] for o in pair["meta"]["rejected_ops"]] == [
        "Alice owns a yacht",
        "Alice owns a yacht",
    ]


async def test_state_is_the_one_at_that_call_not_the_final_one(memory, script) -> None:
    script.facts = lambda msgs: ["Alice owns a yacht"]
    await memory.add("I like boats", scope=ALICE)  # rejected: no support for "owns a yacht"
    script.facts = lambda msgs: ["Alice likes boats"]
    await memory.add("I like boats", scope=ALICE)
    [pair] = await memory.export_pairs(scope=ALICE)
    assert (
        pair["chosen"] == ""
    )  # nothing was stored yet at that point (an empty Mem0 store renders as '')
    assert [m["memory"] for m in ast.literal_eval(pair["rejected"])] == ["Alice owns a yacht"]


async def test_notes_export_uses_the_amem_layout(tmp_path: Path) -> None:
    from agentmem.testing import FunctionRewardModel

    rm = FunctionRewardModel(score=lambda u: 0.1 if "yacht" in u.chunk else 0.9)
    mem = NotesMemory(
        store=open_store(tmp_path, kind="note"),
        builder=WordNoteBuilder(),
        evolver=OverlapEvolution(),
        reward_model=rm,
        policy=WritePolicy.parse("gate"),
    )
    async with mem:
        await mem.add("I bought a racing bike", scope=ALICE)
        await mem.add("I bought a yacht", scope=ALICE)
        [pair] = await mem.export_pairs(scope=ALICE)
    assert (
        pair["task"] == "A-Mem-MEM"
        and canonical_setting(pair["task"], pair["subtask"]) == "A-Mem-Mem"
    )
    assert pair["chosen"].startswith(
        "Memory 1:\nContent: I bought a racing bike\nContext: The user said"
    )
    assert "Content: I bought a yacht" in pair["rejected"] and "yacht" not in pair["chosen"]


async def test_a_revised_write_is_exported_against_the_first_proposal(memory, script) -> None:
    script.facts = lambda msgs: ["Alice owns a yacht"]
    script.ops = lambda facts, related, fb: [
        {"event": "ADD", "text": "Alice had tea this morning" if fb else facts[0], "fact": 0}
    ]
    await memory.add("I had tea this morning", scope=ALICE)
    [pair] = await memory.export_pairs(scope=ALICE)
    assert [m["memory"] for m in ast.literal_eval(pair["chosen"])] == ["Alice had tea this morning"]
    assert [m["memory"] for m in ast.literal_eval(pair["rejected"])] == ["Alice owns a yacht"]


async def test_a_rejected_neighbour_evolution_is_exported(tmp_path: Path) -> None:
    from agentmem.memory import Evolution, NeighbourUpdate
    from agentmem.testing import FunctionRewardModel

    async def evolver(note, attrs, neighbours):
        return (
            Evolution(
                updates=[NeighbourUpdate(id=neighbours[0][0], context="an invented backstory")]
            )
            if neighbours
            else Evolution()
        )

    rm = FunctionRewardModel(score=lambda u: 0.1 if "invented" in u.candidate else 0.9)
    mem = NotesMemory(
        store=open_store(tmp_path, kind="note"),
        builder=WordNoteBuilder(),
        evolver=evolver,
        reward_model=rm,
    )
    async with mem:
        await mem.add("I play tennis on Sundays", scope=ALICE)
        await mem.add("Tennis on Sunday was great", scope=ALICE)
        [pair] = await mem.export_pairs(scope=ALICE)
    assert "Context: an invented backstory" in pair["rejected"] and "invented" not in pair["chosen"]
