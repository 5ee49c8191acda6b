"""Feature families of the heuristic RM, each on a minimal case a reviewer would judge the same way."""

from __future__ import annotations

import pytest
from heuristic_builders import mem0, question, sequential

from rewards import PairInput
from rewards.heuristic import HeuristicRM
from rewards.heuristic._requirements import parse_requirements, parse_unit

RM = HeuristicRM()


def judge(
    q: str, good: str, bad: str, kind: str = "understanding"
) -> tuple[dict[str, dict[str, float]], str]:
    """Both orders; returns the (good, bad)-ordered feature rows and the rationale."""
    v1 = RM.compare_sync(PairInput(question=q, trajectory_a=good, trajectory_b=bad, kind=kind))  # type: ignore[arg-type]
    v2 = RM.compare_sync(PairInput(question=q, trajectory_a=bad, trajectory_b=good, kind=kind))  # type: ignore[arg-type]
    assert (v1.winner, v2.winner) == ("A", "B"), v1.rationale
    return v1.evidence["features"], v1.rationale


def conversation(lines: list[str], query: str) -> str:
    body = "\n".join(
        f"[{9 + i // 60}:{i % 60:02d} am on 3 May, 2023] Speaker {s} says: {t}"
        for i, (s, t) in enumerate(ln.split("|", 1) for ln in lines)
    )
    return f"Two memory systems each ingested the following conversation.\nConversation:\n{body}\nQuery: {query}"


FILLER = [
    "Ana|The weather was lovely by the river today.",
    "Ben|I finished reading that long novel at last.",
    "Ana|We should meet for coffee some time soon.",
]


def test_store_keeping_a_replaced_value_loses() -> None:
    q = conversation(
        [
            "Ana|My job as a carpenter keeps me busy most days.",
            *FILLER,
            "Ana|Career change: no more carpenter work for me, I'm a pharmacist now.",
            "Ben|Good luck with everything!",
        ],
        "What is Ana's current job?",
    )
    rows, rationale = judge(
        q,
        mem0(["Ana works as a pharmacist", "Likes the river"]),
        mem0(["Ana works as a carpenter", "Likes the river"]),
    )
    assert rows["stale_items"]["b"] == 1.0 and rows["stale_items"]["a"] == 0.0
    assert "replaced" in rationale
    assert (
        "Ana works as a carpenter (replaced by: Career change" in rationale
    )  # the stale memory, quoted


def test_new_value_is_not_stale() -> None:
    q = conversation(
        ["Ben|I sold my banjo and bought a trumpet, starting lessons next week.", *FILLER],
        "Which instrument does Ben play?",
    )
    rows, _ = judge(q, mem0(["Ben plays the trumpet"]), mem0(["Ben plays the banjo"]))
    assert rows["stale_items"]["a"] == 0.0 and rows["stale_items"]["b"] == 1.0


CHAIN = [
    "The tide rolled over the grey stones of the bay.",
    "The Gardane Canal was designed by Emeric Calmere.",
    "Flavia Kelmoor was born in Norlund.",
    "Lormoor is the capital of the province of Wesbrook.",
    "Emeric Calmere was born in Varmoor.",
    "Varmoor is the capital of the province of Ravholm.",
    "The gulls cried above the harbour all afternoon.",
    "Nothing else of note happened that week in the town.",
]
QUERY = "In which province was the designer of the Gardane Canal born?"


def test_memory_claim_no_context_sentence_supports_loses() -> None:
    good = [
        "The Gardane Canal was designed by Emeric Calmere.",
        "The Gardane Canal was designed by Emeric Calmere. Flavia Kelmoor was born in Norlund.",
        "The Gardane Canal was designed by Emeric Calmere. Emeric Calmere was born in Varmoor.",
        "The Gardane Canal was designed by Emeric Calmere. Emeric Calmere was born in Varmoor. Varmoor is the capital of the province of Ravholm.",
    ]
    bad = [
        m.replace(
            "Flavia Kelmoor was born in Norlund.",
            "Flavia Kelmoor was born in Norlund. Flavia Kelmoor was born in Lormoor.",
        )
        for m in good
    ]
    bad[2] = bad[2] + " Flavia Kelmoor was born in Lormoor."
    answer = "\\boxed{Ravholm}"
    rows, _ = judge(
        question(CHAIN, QUERY),
        sequential(good, answer, context=CHAIN, query=QUERY),
        sequential(bad, answer, context=CHAIN, query=QUERY),
    )
    assert rows["unsupported_claims"]["b"] == 1.0 and rows["unsupported_claims"]["a"] == 0.0


def test_lost_fact_is_found_even_when_its_words_survive_elsewhere() -> None:
    ctx = [
        "Kofi journeyed to the cellar.",
        "Mateo moved to the bathroom.",
        "The rain kept falling on the roofs.",
        "Mateo journeyed to the cellar.",
    ]
    q = question(ctx, "Where is Mateo?")
    good = [
        "Kofi journeyed to the cellar. Mateo moved to the bathroom.",
        "Kofi journeyed to the cellar. Mateo moved to the bathroom. Mateo journeyed to the cellar.",
    ]
    bad = [
        "Kofi journeyed to the cellar. Mateo moved to the bathroom.",
        "Kofi journeyed to the cellar. Mateo moved to the bathroom. The rain kept falling.",
    ]
    rows, _ = judge(
        q,
        sequential(good, "\\boxed{cellar}", context=ctx, query="Where is Mateo?"),
        sequential(bad, "\\boxed{bathroom}", context=ctx, query="Where is Mateo?"),
    )
    assert rows["facts_final"]["a"] > rows["facts_final"]["b"]


FLOORS_Q = (
    "Describe each floor of a new 4-storey building, from floor 1 to floor 4.\n\nTitle: Floors\n\nRequirements:\n"
    "- Floor 1 houses a children's nursery.\n- Floors 2 to 4 are rental apartments.\n"
    "- Every second floor (floor 2, 4, ...) has a bicycle storage room.\n"
)


def floors(third: str) -> str:
    texts = [
        "Floor 1\nThis floor houses a children's nursery with a garden.",
        "Floor 2\nThe floor is rental apartments. A bicycle storage room is provided here.",
        f"Floor 3\nThe floor is {third}, bright and quiet.",
        "Floor 4\nThe floor is rental apartments. A bicycle storage room is provided here.",
    ]
    return "".join(
        f"Based on the title: Floors and the given requirements: as listed, I have composed the following section.{t}\n\n"
        for t in texts
    )


def test_section_breaking_a_range_requirement_loses() -> None:
    rows, rationale = judge(
        FLOORS_Q, floors("rental apartments"), floors("hotel rooms"), kind="generation"
    )
    assert rows["requirements_missed"]["b"] == 1.0 and rows["requirements_missed"]["a"] == 0.0
    assert "requirement" in rationale


def test_travel_leg_on_a_road_that_does_not_exist_loses() -> None:
    q = (
        "Write a travel journal, one entry per day.\n\nTitle: A journey\n\nRequirements:\n"
        "- There is a one-way road from Jorford to Kalton.\n- There is a one-way road from Kalton to Bribury.\n"
        "- There is a one-way road from Linport to Almouth.\n"
    )

    def journal(second: str) -> str:
        texts = [
            "Day 1\nToday's leg took me from Jorford to Kalton along the one-way road.",
            f"Day 2\nToday's leg took me from Kalton to {second} along the one-way road.",
        ]
        return "".join(
            f"Based on the title: A journey and the given requirements: travel, I have composed the following section.{t}\n\n"
            for t in texts
        )

    rows, _ = judge(q, journal("Bribury"), journal("Almouth"), kind="generation")
    assert rows["relation_violations"]["b"] == 1.0 and rows["relation_violations"]["a"] == 0.0


@pytest.mark.parametrize(
    ("line", "label", "applies"),
    [
        ("Floors 3 to 6 are rental apartments.", "Floor 5", True),
        ("Floors 3 to 6 are rental apartments.", "Floor 2", False),
        ("Every second floor (floor 2, 4, ...) has a bicycle storage room.", "Floor 4", True),
        ("Every second floor (floor 2, 4, ...) has a bicycle storage room.", "Floor 3", False),
        ("Every third day, the dessert is poached pears.", "Day 6", True),
        ("On day 6, the main course is grilled trout.", "Day 6", True),
        ("On day 6, the main course is grilled trout.", "Day 5", False),
        ("Every Wednesday, mention the language exchange.", "Wednesday, 31 July 2024", True),
        ("From 26 July 2024 to 29 July 2024, mention the holiday.", "Monday, 29 July 2024", True),
        ("From 26 July 2024 to 29 July 2024, mention the holiday.", "Tuesday, 30 July 2024", False),
        ("On 1 August 2024, mention a haircut.", "Thursday, 1 August 2024", True),
        ("The railway: credit Anton Velde.", "1. The railway", True),
        ("The railway: credit Anton Velde.", "2. Future plans", False),
        ("In weeks 2, 4 and 7, the quiz round is on films.", "Week 7", True),
        ("In weeks 2, 4 and 7, the quiz round is on films.", "Week 3", False),
        ("Floors 1 and 3 have a kitchenette.", "Floor 1", True),
    ],
)
def test_requirement_applicability(line: str, label: str, applies: bool) -> None:
    (req,) = parse_requirements([line])
    assert req.applies(parse_unit(label)) is applies


def test_requirement_payload_keeps_values() -> None:
    credit, figure = parse_requirements(
        ["The railway: credit Anton Velde.", "Festivals: give the figure of 670."]
    )
    assert credit.names == {"anton", "velde"} and credit.heading == "the railway"
    assert figure.numbers == {"670"} and not figure.keys


def test_store_that_lost_an_informative_line_loses() -> None:
    q = conversation(
        [
            *FILLER,
            "Ana|Fun fact I read today: the Torstad Choir has 47 members.",
            "Ben|I adopted a beagle named Biscuit.",
        ],
        "What is the name of Ben's dog?",
    )
    full = mem0(["Torstad Choir has 47 members", "Ben adopted a beagle named Biscuit"])
    lost = mem0(["Ben adopted a beagle named Biscuit"])
    rows, _ = judge(q, full, lost)
    assert rows["lines_lost"]["b"] == 1.0 and rows["lines_lost"]["a"] == 0.0
