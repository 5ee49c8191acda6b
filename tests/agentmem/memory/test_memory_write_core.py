"""The scored-write core as dialogue memory uses it: NOOP is a scored candidate, revisions follow
the reward model's rationale (offline proposers too), best-of-N gets real alternatives, and every
attempt is recorded even when one of them fails."""

from __future__ import annotations

from pathlib import Path

from agentmem.memory import (
    FactsMemory,
    FunctionExtractor,
    FunctionProposer,
    LexicalProposer,
    NotesMemory,
    OverlapEvolution,
    Related,
    Scope,
    WordNoteBuilder,
    WritePolicy,
    open_store,
)
from agentmem.testing import FunctionRewardModel
from rewards import Reward

ALICE = Scope(user_id="alice")


def facts_memory(tmp_path: Path, rm, proposer, policy: str, facts: list[str]) -> FactsMemory:
    return FactsMemory(
        store=open_store(tmp_path / "m"),
        extractor=FunctionExtractor(fn=lambda msgs: list(facts)),
        proposer=proposer,
        reward_model=rm,
        policy=WritePolicy.parse(policy),
    )


async def test_a_junk_add_does_not_beat_scored_noops(tmp_path: Path) -> None:
    """best-of-4 where three samples say NOOP and one adds junk: the NOOP is scored as "the
    memory as it is" and wins; the junk ADD is recorded as not selected."""
    calls = {"n": 0}

    def propose(facts, related, feedback):
        calls["n"] += 1
        if calls["n"] == 2:
            return [{"event": "ADD", "text": "Alice owns a yacht in Monaco", "fact": 0}]
        return [{"event": "NOOP", "id": related[0].ref if related else None, "fact": 0}]

    def score(update) -> float:
        return 0.1 if "yacht" in update.candidate else 0.8

    rm = FunctionRewardModel(score=score)
    async with facts_memory(
        tmp_path, rm, FunctionProposer(fn=propose), "score", ["Alice drinks tea"]
    ) as mem:
        await mem.add("I drink tea", scope=ALICE)
    async with facts_memory(
        tmp_path, rm, FunctionProposer(fn=propose), "best-of-4", ["Alice drinks tea"]
    ) as mem:
        calls["n"] = 0
        res = await mem.add("I drink tea, as I said", scope=ALICE)
        [applied] = res.applied
        assert applied.op.op == "NOOP" and applied.score == 0.8
        junk = [o for o in res.rejected if "yacht" in o.op.text]
        assert junk and "not selected (best-of-4)" in junk[0].rationale and junk[0].score == 0.1
        assert "yacht" not in " ".join(m.text for m in await mem.get_all(scope=ALICE))


async def test_offline_proposer_revises_from_the_rationale(tmp_path: Path) -> None:
    """The reviewer calls the ADD a duplicate of what is stored; the offline revision switches to
    UPDATE of the closest memory instead of proposing the same ADD again."""

    def score(update) -> float:
        lines = [x for x in update.candidate.splitlines() if "tennis" in x]
        return 0.2 if len(lines) > 1 else 0.9

    async def rm_score(update) -> Reward:
        v = score(update)
        why = "dup_sentences=1: repeats a stored fact" if v < 0.5 else "fine"
        return Reward(value=v, rationale=why, scorer="t")

    rm = FunctionRewardModel(score=lambda u: 0.0)
    rm.score_update = rm_score  # type: ignore[method-assign]
    proposer = LexicalProposer(update_overlap=0.9)  # first choice for a loose match: ADD
    async with facts_memory(tmp_path, rm, proposer, "gate:0.5:2", ["Alice plays tennis"]) as mem:
        await mem.add("I play tennis", scope=ALICE)
    async with facts_memory(
        tmp_path, rm, proposer, "gate:0.5:2", ["Alice plays tennis on Sundays at the club"]
    ) as mem:
        res = await mem.add("I play tennis on Sundays at the club", scope=ALICE)
        assert [o.op.op for o in res.rejected] == ["ADD"]
        [ok] = res.applied
        assert ok.op.op == "UPDATE" and ok.attempts == 2
        assert [m.text for m in await mem.get_all(scope=ALICE)] == [
            "Alice plays tennis on Sundays at the club"
        ]


async def test_offline_best_of_n_samples_are_different_alternatives() -> None:
    p = LexicalProposer()
    related = [
        Related(ref=0, text="Alice lives in Paris"),
        Related(ref=1, text="Alice likes Paris in May"),
    ]
    ops = [(await p(["Alice lives in Berlin"], related, sample=k))[0] for k in range(4)]
    assert [(o.event, o.ref) for o in ops] == [
        ("UPDATE", 0),
        ("ADD", None),
        ("NOOP", 0),
        ("UPDATE", 1),
    ]


async def test_a_failing_sample_keeps_the_others_and_is_recorded(tmp_path: Path) -> None:
    calls = {"n": 0}

    def propose(facts, related, feedback):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("model endpoint reset")
        return [{"event": "ADD", "text": facts[0], "fact": 0}]

    rm = FunctionRewardModel(score=lambda u: 0.9)
    async with facts_memory(
        tmp_path, rm, FunctionProposer(fn=propose), "best-of-2", ["Alice drinks tea"]
    ) as mem:
        res = await mem.add("I drink tea", scope=ALICE)
        assert [o.op.text for o in res.applied] == ["Alice drinks tea"]
        [failed] = res.rejected
        assert "ConnectionError: model endpoint reset" in failed.rationale
        events = await mem.store.events(ALICE, request_id=res.request_id)
        assert sorted(e.status for e in events) == ["applied", "rejected"]


def notes_memory(tmp_path: Path, rm, policy: str) -> NotesMemory:
    return NotesMemory(
        store=open_store(tmp_path, kind="note"),
        builder=WordNoteBuilder(),
        evolver=OverlapEvolution(),
        reward_model=rm,
        policy=WritePolicy.parse(policy),
    )


async def test_notes_best_of_n_scores_different_notes_and_keeps_the_best(tmp_path: Path) -> None:
    """Sample k of the offline builder takes its context from sentence k: the reward model
    prefers the note whose context is the second sentence."""
    rm = FunctionRewardModel(
        score=lambda u: 0.9 if "Context: The user said: It rains" in u.candidate else 0.3
    )
    async with notes_memory(tmp_path, rm, "best-of-2") as mem:
        res = await mem.add("I moved to Bergen. It rains a lot there.", scope=ALICE)
        [note] = [o for o in res.applied if o.op.op == "ADD"]
        assert note.score == 0.9
        assert [o.score for o in res.rejected] == [0.3]
        [item] = await mem.get_all(scope=ALICE)
        assert item.context.startswith("The user said: It rains")


async def test_notes_gate_revises_from_the_rationale(tmp_path: Path) -> None:
    """The reviewer calls the context unsupported (it paraphrases); the offline builder's
    revision uses the note's own first sentence verbatim, which passes."""

    async def score(update) -> Reward:
        bad = "The user said:" in update.candidate.split("Content: I moved")[-1]
        return Reward(
            value=0.2 if bad else 0.9,
            rationale="context is unsupported: no source says 'The user said'" if bad else "ok",
            scorer="t",
        )

    rm = FunctionRewardModel(score=lambda u: 0.0)
    rm.score_update = score  # type: ignore[method-assign]
    async with notes_memory(tmp_path, rm, "gate:0.5:3") as mem:
        res = await mem.add("I moved to Bergen. It rains a lot there.", scope=ALICE)
        [note] = [o for o in res.applied if o.op.op == "ADD"]
        assert note.attempts == 2 and [o.score for o in res.rejected] == [0.2]
        [item] = await mem.get_all(scope=ALICE)
        assert item.context == "I moved to Bergen."


async def test_one_call_mode_extracts_and_proposes_in_a_single_model_request(
    tmp_path: Path,
) -> None:
    import json

    from agentmem.testing import FakeOpenAIServer, FakeRequest

    def model(req: FakeRequest) -> str:
        assert "EXISTING memories" in req.user and "CONVERSATION" in req.user
        existing = req.user.split("EXISTING memories:\n")[1].split("\n\n")[0]
        if "lives in Porto" in existing:  # the second turn: the model updates the known fact
            ref = int(existing.split(":")[0])
            return json.dumps(
                {
                    "facts": ["User lives in Faro"],
                    "operations": [
                        {"fact": 0, "event": "UPDATE", "id": ref, "text": "User lives in Faro"}
                    ],
                }
            )
        return json.dumps(
            {
                "facts": ["User lives in Porto"],
                "operations": [{"fact": 0, "event": "ADD", "text": "User lives in Porto"}],
            }
        )

    with FakeOpenAIServer(handler=model) as server:
        memory = FactsMemory.create(
            str(tmp_path),
            model="openai/fake",
            api_base=server.base_url,
            api_key="x",
            rm=FunctionRewardModel(score=lambda u: 0.9),
            one_call=True,
        )
        async with memory:
            a = await memory.add("I live in Porto.", scope=ALICE)
            b = await memory.add("I no longer live in Porto, I live in Faro.", scope=ALICE)
            assert [o.op.op for o in a.applied] == ["ADD"] and [o.op.op for o in b.applied] == [
                "UPDATE"
            ]
            assert [m.text for m in await memory.get_all(scope=ALICE)] == ["User lives in Faro"]
        chat_calls = [r for r in server.requests if r.path.endswith("/chat/completions")]
        assert len(chat_calls) == 2  # one model call per add()
