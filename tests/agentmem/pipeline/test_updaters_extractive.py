"""The offline extractive baseline and token chunking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentmem._pipeline import chunk_document, split_groups
from agentmem._types import Chunk
from agentmem.exceptions import UserError
from agentmem.tokens import count_tokens
from agentmem.updaters import (
    EXTRACTIVE_LABEL,
    ExtractiveAnswerer,
    ExtractiveFuser,
    ExtractiveUpdater,
)

FILLER = (
    "The weather was mild that spring. Travellers passed through the valley. "
    "Markets opened early on weekdays. Children played by the old bridge. "
)


def chunk(text: str, index: int = 0) -> Chunk:
    return Chunk(index=index, text=text, tokens=count_tokens(text))


async def test_updater_keeps_the_relevant_sentence_and_drops_filler() -> None:
    upd = ExtractiveUpdater(memory_tokens=40)
    text = FILLER * 3 + "The brass key was hidden under the blue vase in the study. " + FILLER
    cand = await upd("Where was the brass key hidden?", "", chunk(text))
    assert "The brass key was hidden under the blue vase in the study." in cand.text.splitlines()
    assert count_tokens(cand.text) <= 40
    assert "weather" not in cand.text and "Markets" not in cand.text


async def test_updater_carries_memory_forward_and_never_exceeds_the_budget() -> None:
    upd = ExtractiveUpdater(memory_tokens=60)
    q = "What did Anna buy in Lisbon and when?"
    m1 = await upd(q, "", chunk(FILLER + "Anna flew to Lisbon on 3 May 2021. " + FILLER, 0))
    m2 = await upd(
        q, m1.text, chunk(FILLER * 4 + "In Lisbon, Anna bought a green bicycle. " + FILLER, 1)
    )
    lines = m2.text.splitlines()
    assert lines == [
        "Anna flew to Lisbon on 3 May 2021.",
        "In Lisbon, Anna bought a green bicycle.",
    ]  # reading order
    for budget in (1, 5, 17, 60):
        out = await ExtractiveUpdater(memory_tokens=budget)(q, m1.text, chunk(FILLER * 10, 1))
        assert count_tokens(out.text) <= budget


async def test_updater_does_not_store_the_same_fact_twice() -> None:
    upd = ExtractiveUpdater(memory_tokens=200)
    fact = "The treaty was signed in Vienna in 1815."
    m1 = await upd("Where was the treaty signed?", "", chunk(fact + " " + FILLER))
    m2 = await upd(
        "Where was the treaty signed?",
        m1.text,
        chunk("the treaty was signed in Vienna in 1815! " + FILLER, 1),
    )
    assert sum("Vienna" in line for line in m2.text.splitlines()) == 1


async def test_fuser_merges_dedups_and_reranks_group_memories() -> None:
    fuse = ExtractiveFuser(memory_tokens=30)
    q = "Which ship carried the gold?"
    mems = [
        "The gold left the harbour at dawn.\nGulls circled the pier.",
        "The ship Aurora carried the gold to Cadiz.\nThe gold left the harbour at dawn.",
        "Nobody saw the captain again.",
    ]
    cand = await fuse(q, mems)
    lines = cand.text.splitlines()
    assert "The ship Aurora carried the gold to Cadiz." in lines
    assert lines.count("The gold left the harbour at dawn.") == 1
    assert "Gulls circled the pier." not in lines
    assert count_tokens(cand.text) <= 30


async def test_answerer_quotes_the_best_line_and_says_it_is_extractive() -> None:
    ans = await ExtractiveAnswerer()(
        "Which ship carried the gold?", "Gulls circled.\nThe ship Aurora carried the gold to Cadiz."
    )
    assert ans.extracted == "The ship Aurora carried the gold to Cadiz."
    assert ans.text.startswith(f"[{EXTRACTIVE_LABEL}]") and "\\boxed{The ship Aurora" in ans.text
    empty = await ExtractiveAnswerer()("Which ship carried the gold?", "")
    assert empty.extracted == "no answer found" and EXTRACTIVE_LABEL in empty.text


async def test_feedback_makes_the_revision_more_focused() -> None:
    upd = ExtractiveUpdater(memory_tokens=200)
    text = "The vault is painted grey. The vault code is 4471. " + FILLER
    plain = await upd("What is the vault code?", "", chunk(text))
    revised = await upd(
        "What is the vault code?",
        "",
        chunk(text),
        feedback="Reviewer's rationale: the grey paint is irrelevant",
    )
    assert "The vault is painted grey." in plain.text and "grey" not in revised.text
    assert "The vault code is 4471." in revised.text and revised.feedback is not None


def test_budget_below_one_is_refused() -> None:
    with pytest.raises(UserError, match=r"memory budget must be an integer >= 1 token, got 0"):
        ExtractiveUpdater(memory_tokens=0)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(min_size=1, max_size=600).filter(lambda t: t.strip() != ""),
    size=st.integers(1, 50),
)
def test_chunks_cover_the_document_exactly_and_respect_the_size(text: str, size: int) -> None:
    chunks = chunk_document(text, size)
    assert "".join(c.text for c in chunks) == text
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(c.tokens <= size for c in chunks if size >= 4)


def test_chunks_prefer_sentence_boundaries() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    chunks = chunk_document(text, 50)
    assert all(c.text.rstrip().endswith(".") for c in chunks)
    assert all(c.tokens <= 50 for c in chunks)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_chunk_size_below_one_is_refused(bad: object) -> None:
    with pytest.raises(UserError, match=rf"chunk size must be an integer >= 1 token, got {bad!r}"):
        chunk_document("some text", bad)  # type: ignore[arg-type]


def test_groups_are_contiguous_and_balanced() -> None:
    chunks = chunk_document("word " * 500, 20)
    parts = split_groups(chunks, 4)
    assert [c for p in parts for c in p] == chunks
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


async def test_proposals_within_a_step_are_complete_to_focused_variants() -> None:
    from agentmem.policies import proposal_index

    upd = ExtractiveUpdater(memory_tokens=200)
    text = "The vault is painted grey. The vault code is 4471. " + FILLER
    q = "What is the vault code?"
    variants = []
    for k in range(4):
        token = proposal_index.set(k)
        variants.append((await upd(q, "", chunk(text))).text)
        proposal_index.reset(token)
    assert variants[0] == "The vault is painted grey.\nThe vault code is 4471."
    assert variants[2] == "The vault code is 4471."
    assert variants[3] == variants[0]  # the cycle repeats
    assert (await upd(q, "", chunk(text))).text == variants[0]  # outside a step: the first variant


async def test_best_of_n_offline_gets_distinct_candidates_and_runs_repeat_exactly() -> None:
    from agentmem._pipeline import sequential
    from agentmem.testing import FunctionRewardModel

    doc = "The vault is painted grey. The vault code is 4471. " + FILLER * 2
    rm = FunctionRewardModel(score=lambda u: 1.0 / (1 + len(u.candidate)))  # prefers short memories
    pipe = sequential(reward_model=rm, policy="best-of-3", chunk_tokens=400, memory_tokens=200)
    first = await pipe.run(doc, "What is the vault code?")
    again = await pipe.run(doc, "What is the vault code?")  # same updater instance, same result
    texts = [a.candidate.text for a in first.steps[0].attempts]
    assert len(set(texts)) >= 2 and first.final_memory == "The vault code is 4471."
    assert [s.memory for s in again.steps] == [s.memory for s in first.steps]
