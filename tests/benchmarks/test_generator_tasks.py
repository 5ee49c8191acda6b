"""The task simulators that decide every gold answer: bAbI world state and multi-hop chains."""

from __future__ import annotations

import random

import pytest

from benchmarks.generator._babi import BABI_KINDS, Fact, _carried, _simulate, make_babi
from benchmarks.generator._docqa import DOCQA_KINDS, make_docqa


def _f(text: str, op: str, who: str, obj: str = "", where: str = "", to: str = "") -> Fact:
    return Fact(text=text, op=op, who=who, obj=obj, where=where, to=to)


STORY = [
    _f("Kofi went to the kitchen.", "move", "Kofi", where="kitchen"),
    _f("Kofi picked up the milk there.", "grab", "Kofi", obj="milk"),
    _f("Lena went to the kitchen.", "move", "Lena", where="kitchen"),
    _f("Kofi gave the milk to Lena.", "give", "Kofi", obj="milk", to="Lena"),
    _f("Lena moved to the garden.", "move", "Lena", where="garden"),
    _f("Kofi grabbed the apple there.", "grab", "Kofi", obj="apple"),
    _f("Lena dropped the milk.", "drop", "Lena", obj="milk"),
    _f("Lena went to the office.", "move", "Lena", where="office"),
]


def test_world_state_follows_moves_gives_and_drops() -> None:
    loc, holder, history = _simulate(STORY)
    assert loc == {"Kofi": "kitchen", "Lena": "office"}
    assert holder == {"apple": "Kofi"}  # the milk was dropped in the garden
    assert dict(history)["milk"] == ["kitchen", "garden"]
    assert _carried(STORY, "Kofi") == ["apple"]
    assert _carried(STORY[:5], "Lena") == ["milk"]
    assert _carried(STORY, "Lena") == []


@pytest.mark.parametrize("kind", BABI_KINDS)
def test_babi_tasks_are_answerable_from_their_supporting_facts(kind: str) -> None:
    for seed in range(25):
        rng = random.Random(seed)
        task = make_babi(rng, kind, 14)
        facts = list(task.facts)
        refs = [facts[i] for i in task.references]
        assert task.solve(facts) == task.answer == task.solve(refs)
        # A memory of the supporting facts that misses one of them answers otherwise (Drop pairs).
        assert any(
            task.solve([facts[j] for j in task.references if j != i]) not in (None, task.answer)
            for i in task.references
        )
        for f in refs:
            assert task.corrupt(f, rng) != f.text


def test_counting_and_list_answers_use_babi_words() -> None:
    task = make_babi(random.Random(3), "qa7", 14)
    assert task.answer in ("none", "one", "two", "three", "four")
    task = make_babi(random.Random(3), "qa8", 14)
    assert task.answer == "nothing" or all(o.isalpha() for o in task.answer.split(","))


@pytest.mark.parametrize("kind", DOCQA_KINDS)
def test_docqa_chain_and_its_confusable_failure(kind: str) -> None:
    for seed in range(25):
        task = make_docqa(random.Random(seed), kind, 3)
        facts = list(task.facts)
        assert task.solve(facts) == task.answer
        first_hop = next(f for f in facts if f.obj == "designer" and f"the {f.who}" == task.focus)
        without = [f for f in facts if f is not first_hop]
        wrong = task.solve(without)  # the agent follows the work with the same name
        assert wrong is not None and wrong != task.answer
        assert task.answer not in " ".join(f.text for f in facts if f.obj == "designer")
