"""The heuristic RM's pointwise score gates memory writes at the default threshold (0.5).

Faithful, concise updates pass with room to spare (>= 0.8); an update that invents a name, a
number or a claim, or contradicts what was read, fails; duplicates and dropped facts cost
clearly but one duplicate alone does not fail a write.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from heuristic_builders import CONTEXT, GOOD_MEMORIES, QUERY

from rewards import UpdateContext, make_reward_model
from rewards.heuristic import HeuristicRM

GATE = 0.5
FACTS_QUESTION = (
    "Keep an accurate, non-redundant, up-to-date memory of durable facts about the user "
    "(preferences, plans, relationships, biography), stated in the conversation."
)
ALICE = "user: Hi! I am Alice. I live in Lisbon and I work as a nurse."
EXTRACT = "Extract facts worth remembering about the user"


@pytest.fixture(scope="module")
def rm() -> HeuristicRM:
    model = make_reward_model("heuristic")
    assert isinstance(model, HeuristicRM)
    return model


@dataclass(frozen=True)
class Case:
    name: str
    candidate: str
    low: float = 0.0
    high: float = 1.0
    chunk: str = ALICE
    previous: str = ""
    question: str = EXTRACT


# The six cases measured before the rework (old scores in the comments: nothing fell below 0.75).
MEASURED = [
    Case("one faithful fact", "- User lives in Lisbon", low=0.8),  # was 0.885
    Case("two faithful facts", "- User lives in Lisbon\n- User works as a nurse", low=0.8),  # 0.862
    Case(
        "invented yacht and name", "- User owns a yacht named Stardust", high=GATE - 1e-9
    ),  # 0.761
    Case(
        "invented age and children",
        "- User is 45 years old and has three children",
        high=GATE - 1e-9,
    ),  # 0.759
    Case("contradicted city", "- User lives in Madrid", high=GATE - 1e-9),  # 0.793
    Case("duplicate fact", "- User works as a nurse\n- User works as a nurse", low=GATE, high=0.7),
    # 0.81
]

MORE = [
    Case("role words and the user's name", "- The user's name is Alice\n- Speaker is a nurse", 0.8),
    Case(
        "verb-first facts (sentence-initial capitals)", "- Lives in Lisbon\n- Works as a nurse", 0.8
    ),
    Case("the speaker's own name as subject", "- Alice lives in Lisbon", low=0.8),
    Case(
        "a name the question uses",
        "- Alice works as a nurse",
        low=0.8,
        chunk="user: I work as a nurse.",
        question="What does Alice do for a living?",
    ),
    Case("paraphrased predicate", "- User resides in Lisbon", low=0.8),
    Case(
        "derived word",
        "- User has a peanut allergy",
        low=0.8,
        chunk="user: I'm allergic to peanuts, so please keep that in mind.",
    ),
    Case(
        "ordinal date",
        "- User was born on March 3",
        low=0.8,
        chunk="user: My birthday is on March 3rd.",
    ),
    Case(
        "relationship in other words",
        "- User is married to Sarah\n- User is vegetarian",
        low=0.8,
        chunk="user: My wife Sarah and I are vegetarians.",
    ),
    Case(
        "a move, restated",
        "- User lives in Denver\n- User previously lived in Boston",
        low=0.8,
        chunk="user: We moved from Boston to Denver last year.",
    ),
    Case("invented person", "- User's brother Marco lives in Lisbon", high=GATE - 1e-9),
    Case("invented subject", "- Bob works as a nurse", high=GATE - 1e-9),
    Case("swapped object", "- User works as a doctor", high=GATE - 1e-9),
    Case("flipped polarity", "- User does not live in Lisbon", high=GATE - 1e-9),
    Case(
        "affirms what the chunk denies",
        "- User lives in Lisbon",
        high=GATE - 1e-9,
        chunk="user: I don't live in Lisbon anymore.",
    ),
    Case("claim from nowhere", "- User enjoys skydiving", high=GATE - 1e-9),
    Case("invented count", "- User has 2 cats", high=GATE - 1e-9),
    Case(
        "spelled-out count that the chunk states in digits",
        "- User has three cats",
        low=0.8,
        chunk="user: I have 3 cats.",
    ),
    Case(
        "near duplicate in other words",
        "- User works as a nurse\n- The user works as a nurse.",
        low=GATE,
        high=0.7,
    ),
    Case(
        "duplicate of the previous memory",
        "- User lives in Lisbon\n- User lives in Lisbon",
        low=GATE,
        high=0.7,
        previous="- User lives in Lisbon",
    ),
    Case(
        "update explained by the chunk",
        "- User lives in Porto",
        low=0.8,
        chunk="user: Big change: I moved to Porto last month.",
        previous="- User lives in Lisbon",
        question=FACTS_QUESTION,
    ),
    Case(
        "update to a city the chunk never names",
        "- User lives in Madrid",
        high=GATE - 1e-9,
        chunk="user: Big change: I moved to Porto last month.",
        previous="- User lives in Lisbon",
        question=FACTS_QUESTION,
    ),
    Case(
        "conflated real names",
        "Flavia Kelmoor was born in Lormoor.",
        high=GATE - 1e-9,
        chunk="Flavia Kelmoor was born in Norlund. Lormoor is the capital of the province of Wesbrook.",
        question="Where was Flavia Kelmoor born?",
    ),
]


async def score(rm: HeuristicRM, c: Case) -> float:
    r = await rm.score_update(
        UpdateContext(
            question=c.question, previous_memory=c.previous, chunk=c.chunk, candidate=c.candidate
        )
    )
    assert c.low <= r.value <= c.high, (
        f"{c.name}: {r.value:.3f} not in [{c.low}, {c.high}]; {r.rationale}"
    )
    return r.value


@pytest.mark.parametrize("case", MEASURED + MORE, ids=lambda c: c.name)
async def test_gate_band(rm: HeuristicRM, case: Case) -> None:
    await score(rm, case)


async def test_more_invention_scores_lower(rm: HeuristicRM) -> None:
    one = await score(rm, Case("one", "- User owns a yacht", high=GATE))
    more = await score(
        rm,
        Case("more", "- User owns a yacht named Stardust, moored in Monaco since 2019", high=GATE),
    )
    assert more < one


async def test_rationale_lists_each_penalty(rm: HeuristicRM) -> None:
    r = await rm.score_update(
        UpdateContext(
            question=EXTRACT, previous_memory="", chunk=ALICE, candidate="- User lives in Madrid"
        )
    )
    for name in ("invented_names", "invented_claims", "contradictions"):
        assert name in r.rationale, r.rationale
        assert r.evidence["penalties"][name] > 0
    assert r.evidence["features"]["invented_names"] == 1.0
    clean = await rm.score_update(
        UpdateContext(
            question=EXTRACT, previous_memory="", chunk=ALICE, candidate="- User lives in Lisbon"
        )
    )
    assert "no problem found" in clean.rationale
    assert clean.evidence["features"]["unsupported_claims"] == 0.0  # "User" is not a name


async def test_dropping_a_fact_needs_a_reason(rm: HeuristicRM) -> None:
    prev = "- User lives in Lisbon"
    unexplained = await rm.score_update(
        UpdateContext(
            question=FACTS_QUESTION,
            previous_memory=prev,
            chunk="user: I had a lovely dinner with friends yesterday.",
            candidate="",
        )
    )
    explained = await rm.score_update(
        UpdateContext(
            question=FACTS_QUESTION,
            previous_memory=prev,
            chunk="user: Please forget where I live; I don't live in Lisbon anymore.",
            candidate="",
        )
    )
    assert explained.value >= 0.8
    assert unexplained.value <= 0.75 and "dropped_unexplained" in unexplained.rationale


# MemAgent-style document reading: the question, a section of the document, the running memory.
CHUNK = " ".join(CONTEXT[6:8])  # "... John dropped the lantern in the garden."
PREV = GOOD_MEMORIES[2]


def reading(candidate: str, *, budget: int | None = None, chunk: str = CHUNK) -> UpdateContext:
    return UpdateContext(
        question=QUERY,
        previous_memory=PREV,
        chunk=chunk,
        candidate=candidate,
        memory_budget_tokens=budget,
    )


async def test_extractive_update_scores_high(rm: HeuristicRM) -> None:
    verbatim = (await rm.score_update(reading(f"{PREV} {CONTEXT[7]}"))).value
    rewritten = (await rm.score_update(reading(GOOD_MEMORIES[3]))).value
    assert verbatim >= 0.8 and rewritten >= 0.8


async def test_empty_candidate_with_evidence_scores_low(rm: HeuristicRM) -> None:
    r = await rm.score_update(reading(""))
    assert r.value < 0.1 and r.evidence["features"]["empty"] == 1.0


async def test_ignoring_or_dropping_evidence_costs(rm: HeuristicRM) -> None:
    good = (await rm.score_update(reading(GOOD_MEMORIES[3]))).value
    unchanged = await rm.score_update(reading(PREV))
    dropped = await rm.score_update(reading("Old Hans rang the bell at noon."))
    assert unchanged.value < good and "chunk_evidence_missed" in unchanged.rationale
    assert dropped.value < GATE and "previous_dropped" in dropped.rationale
    irrelevant = await rm.score_update(reading(PREV, chunk=CONTEXT[0]))  # nothing to add
    assert irrelevant.value >= 0.8


async def test_budget_overflow_is_penalised(rm: HeuristicRM) -> None:
    fits = await rm.score_update(reading(GOOD_MEMORIES[3], budget=200))
    over = await rm.score_update(reading(GOOD_MEMORIES[3], budget=10))
    assert fits.value >= 0.8
    assert over.value < GATE and over.evidence["features"]["over_budget"] > 0.5


async def test_commentary_is_not_a_claim(rm: HeuristicRM) -> None:
    memory = (
        "I am tracking John. From the previous memory and this section I know that: John grabbed "
        "the lantern and journeyed to the garden; John dropped the lantern in the garden.\n"
        "The lines about Hans are background and can be set aside.\n"
        "Putting this together: John left the lantern in the garden."
    )
    r = await rm.score_update(reading(memory))
    assert r.value >= 0.8, r.rationale


@pytest.mark.parametrize(
    "candidate",
    ["The cat slept by the fire.", "Nothing relevant to the question yet."],
)
def test_generic_question_update_dropping_the_subjects_fact_is_not_perfect(candidate: str) -> None:
    # "Where is the key?" names nobody: its single content word is its subject
    update = UpdateContext(
        question="Where is the key?",
        previous_memory="",
        chunk="Lena put the key in the blue drawer. The cat slept by the fire all afternoon.",
        candidate=candidate,
    )
    kept = UpdateContext(
        question=update.question,
        previous_memory="",
        chunk=update.chunk,
        candidate="Lena put the key in the blue drawer.",
    )
    reward = HeuristicRM().score_update_sync(update)
    assert reward.value <= 0.5 and "chunk_evidence_missed" in reward.rationale
    assert HeuristicRM().score_update_sync(kept).value == 1.0
