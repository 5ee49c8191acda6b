"""Heuristic v3 defect detectors on small hand-written pairs, in formats the generator never uses."""

from __future__ import annotations

from heuristic_builders import mem0, steps

from rewards import PairInput
from rewards.heuristic import HeuristicRM

RM = HeuristicRM()


def judge(q: str, good: str, bad: str, kind: str = "understanding") -> dict[str, dict[str, float]]:
    """Both orders must prefer ``good``; returns the (good, bad)-ordered feature rows."""
    v1 = RM.compare_sync(PairInput(question=q, trajectory_a=good, trajectory_b=bad, kind=kind))  # type: ignore[arg-type]
    v2 = RM.compare_sync(PairInput(question=q, trajectory_a=bad, trajectory_b=good, kind=kind))  # type: ignore[arg-type]
    assert (v1.winner, v2.winner) == ("A", "B"), v1.rationale
    return v1.evidence["features"]


def chat(lines: list[str], query: str) -> str:
    return (
        "Two memory systems stored this chat.\nConversation:\n"
        + "\n".join(lines)
        + f"\nQuery: {query}"
    )


def notes(items: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(
        f"Memory {i}:\nContent: {c}\nContext: note\nKeywords: {kw!r}\nTags: {kw[:1]!r}\nTimestamp: 1"
        for i, (c, kw) in enumerate(items, 1)
    )


PLAIN = [
    "Rhea: I've taken up the oboe, first lesson was on Friday.",
    "Cyrus: Oh nice, is it hard?",
    "Rhea: Very, my lips hurt.",
    "Cyrus: The bus was late again this morning.",
    "Rhea: Typical. See you at the quiz tonight?",
    "Cyrus: Wouldn't miss it.",
]


def test_a_raw_dump_in_plain_name_colon_format_loses_to_distilled_facts() -> None:
    q = chat(PLAIN, "Which instrument has Rhea taken up?")
    rows = judge(q, mem0(["Rhea is learning the oboe", "Cyrus goes to the quiz"]), mem0(PLAIN))
    assert rows["transcript_dump"]["b"] == 1.0 and rows["transcript_dump"]["a"] == 0.0


def test_a_dump_of_notes_whose_content_is_each_turn_loses_too() -> None:
    q = chat(PLAIN, "Which instrument has Rhea taken up?")
    good = notes([("Rhea has taken up the oboe", ["Rhea", "oboe"])])
    bad = "\n\n".join(
        f"Memory {i}:\nContent: {ln}\nContext: a chat message\nKeywords: []\nTags: []\nTimestamp: 1"
        for i, ln in enumerate(PLAIN, 1)
    )
    rows = judge(q, good, bad)
    assert rows["transcript_dump"]["b"] == 1.0


def test_a_fact_list_stored_fact_by_fact_is_not_a_dump() -> None:
    facts = [
        f"fact_{i} : The Orme Lighthouse was painted {c} in {1900 + i}."
        for i, c in enumerate(["red", "white"])
    ]
    q = chat(facts, "What colour was the Orme Lighthouse painted?")
    full, empty = mem0(facts[1:]), ""
    rows = judge(q, full, empty)
    assert rows.get("transcript_dump", {"a": 0.0})["a"] == 0.0


def test_a_fact_overwritten_later_in_a_list_makes_the_store_that_kept_it_stale() -> None:
    facts = [
        "fact_11 : The Tarn Museum is directed by Oda Venn.",
        "fact_12 : The river Sall floods every spring.",
        "fact_13 : Kester Mould speaks the language of Welsh.",
        "fact_14 : The Tarn Museum is directed by Lise Holm.",
        "fact_15 : Kester Mould was born in the city of Brack.",
    ]
    q = chat(facts, "Which language does Kester Mould speak?")
    current = mem0([facts[3], facts[1], facts[2], facts[4]])
    stale = mem0([facts[0], facts[1], facts[2], facts[4]])
    rows = judge(q, current, stale)
    assert rows["stale_items"]["b"] == 1.0 and rows["stale_items"]["a"] == 0.0


def test_naming_the_old_value_beside_the_new_one_is_current() -> None:
    lines = [
        "Mira: We adopted a kitten called Pesto!",
        "Dov: Adorable.",
        "Mira: Sad news, Pesto moved in with my sister; now we have a tortoise named Basil instead.",
        "Dov: Basil is a great name.",
    ]
    q = chat(lines, "What is the name of Mira's pet now?")
    rows = judge(
        q,
        mem0(["Mira now has a tortoise named Basil; the kitten Pesto moved in with her sister"]),
        mem0(["Mira has a kitten called Pesto"]),
    )
    assert rows["stale_items"]["a"] == 0.0 and rows["stale_items"]["b"] == 1.0


def test_the_store_must_hold_what_the_conversation_last_said_about_the_question() -> None:
    lines = [
        "Hugo: I'm still living in Leeds, the flat is tiny.",
        "Priya: Tiny flats build character.",
        "Hugo: Big news, I finally left Leeds and signed a lease in Bristol.",
        "Priya: Bristol has great food.",
    ]
    q = chat(lines, "Which city does Hugo live in now?")
    rows = judge(q, mem0(["Hugo moved to Bristol (new lease)"]), mem0(["Hugo lives in Leeds"]))
    assert rows["facts_final"]["a"] == 1.0 and rows["facts_final"]["b"] == 0.0


LONGFORM_Q = (
    "Please write a long article based on the title: The Quay Market and the following bullet "
    "points: - Stallholders pay their rent weekly rather than monthly.\n- The market opens at dawn "
    "on Saturdays.\n- Visitors can park on the quay."
)


def section(follows: str, text: str) -> str:
    return (
        f"Based on the title: The Quay Market and the given bullet points: {follows}, "
        f"I have composed the following section.{text}"
    )


def test_a_reversed_comparison_is_a_contradiction() -> None:
    good = section(
        "Stallholders pay their rent weekly rather than monthly.",
        "### Rent\n\nStallholders pay their rent weekly rather than monthly, which suits small traders.",
    )
    bad = section(
        "Stallholders pay their rent weekly rather than monthly.",
        "### Rent\n\nStallholders pay their rent monthly rather than weekly, which suits small traders.",
    )
    rows = judge(LONGFORM_Q, good, bad, kind="generation")
    assert rows["polarity_flips"]["b"] >= 1.0 and rows["polarity_flips"]["a"] == 0.0


def test_a_comparison_reversed_between_described_things_is_a_contradiction() -> None:
    q = (
        "Please write a long article based on the title: Seed Trays and the following bullet "
        "points: - Pick the deeper tray rather than the shallow one.\n- Water from below."
    )
    follows = "Pick the deeper tray rather than the shallow one."
    good = (
        f"Based on the title: Seed Trays and the given bullet points: {follows}, I have composed "
        "the following section.### Trays\n\nPick the deeper tray rather than the shallow one, "
        "so roots can grow."
    )
    bad = good.replace(
        "section.### Trays\n\nPick the deeper tray rather than the shallow one",
        "section.### Trays\n\nPick the shallow tray rather than the deeper one",
    )
    rows = judge(q, good, bad, kind="generation")
    assert rows["polarity_flips"]["b"] >= 1.0 and rows["polarity_flips"]["a"] == 0.0


def test_a_negated_requirement_is_a_contradiction() -> None:
    good = section(
        "Visitors can park on the quay.",
        "### Parking\n\nVisitors can park on the quay near the stalls.",
    )
    bad = section(
        "Visitors can park on the quay.",
        "### Parking\n\nVisitors cannot park on the quay near the stalls.",
    )
    rows = judge(LONGFORM_Q, good, bad, kind="generation")
    assert rows["polarity_flips"]["b"] >= 1.0


def test_a_distilled_store_that_lost_the_answer_loses_to_a_raw_dump_that_has_it() -> None:
    q = chat(PLAIN, "Which instrument has Rhea taken up?")
    rows = judge(q, mem0(PLAIN), mem0(["Cyrus goes to the quiz", "Rhea's lips hurt"]))
    assert rows["facts_final"]["a"] == 1.0 and rows["facts_final"]["b"] == 0.0


def test_a_long_form_text_missing_a_whole_section_loses() -> None:
    q = (
        "Please write a long article based on the title: The Quay Market and the following bullet "
        "points: - Stallholders pay their rent weekly.\n- The market opens at dawn on Saturdays., "
        "- The fish stalls sell the morning catch.\n- Oysters come from the estuary beds., "
        "- Visitors can park on the quay.\n- A brass band plays at noon."
    )
    rent = section(
        "Stallholders pay their rent weekly. The market opens at dawn on Saturdays.",
        "### Rent\n\nStallholders pay their rent weekly, and the market opens at dawn on Saturdays.",
    )
    fish = section(
        "The fish stalls sell the morning catch. Oysters come from the estuary beds.",
        "### Fish\n\nThe fish stalls sell the morning catch; oysters come from the estuary beds.",
    )
    visit = section(
        "Visitors can park on the quay. A brass band plays at noon.",
        "### Visiting\n\nVisitors can park on the quay, and a brass band plays at noon. Families "
        "often stay for the music and buy lunch from the food stalls near the water.",
    )
    rows = judge(q, rent + fish + visit, rent + visit, kind="generation")
    assert rows["bullet_coverage"]["a"] > rows["bullet_coverage"]["b"]


def test_numbers_a_memory_works_out_from_stated_ones_are_not_invented() -> None:
    ctx = (
        "Team notes.\n\nThe coach picked sixteen players for the away game. Two players dropped "
        "out with the flu on Thursday. The bus leaves at eight.\n\nQuestion: How many players travel?"
    )
    worked = (
        "Step 1:\n\n<problem> \nHow many players travel?\n</problem>\n\n<memory>\nNo previous memory\n"
        "</memory>\n\n\n<section>\nx\n</section>\n\n\n<wrong_updated_memories>\nNo wrong updated "
        "memory\n</wrong_updated_memories>\n\n\nUpdated memory:\n<updated_memory>\nSquad: 16 picked, "
        "2 dropped out with flu, so 14 travel.\n</updated_memory>\n\n\n\n"
    )
    made_up = worked.replace("so 14 travel", "so 19 travel")
    v = RM.compare_sync(PairInput(question=ctx, trajectory_a=worked, trajectory_b=made_up))
    rows = v.evidence["features"]
    assert rows["invented_numbers"]["a"] == 0.0 and rows["invented_numbers"]["b"] == 1.0


def test_a_reasoning_memory_must_hold_what_the_context_last_said_about_the_question() -> None:
    ques = "What colour is the front door after the renovation?"
    q = (
        "Notes on a cottage renovation.\n\nThe cottage had a faded blue front door when the Marsh "
        "family bought it. The builders replaced the windows and painted the front door dark "
        f"green. The garden was left for the spring.\n\nQuestion: {ques}"
    )
    good = steps(
        ["Front door: faded blue.", "Front door: dark green (was faded blue)."],
        "\\boxed{dark green}",
        ques,
    )
    bad = steps(
        ["Front door: faded blue.", "Front door: faded blue. Windows replaced."],
        "\\boxed{blue}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0


BUNS = (
    "Bakery day.\n\nThe baker put 40 buns on the counter at 8:30. By ten, customers had bought "
    "25 buns. The oven was cleaned in 2019. At noon she baked another 30 buns for the lunch "
    "rush.\n\nQuestion: How many buns are on the counter after noon?"
)
BUNS_Q = "How many buns are on the counter after noon?"


def test_a_running_total_that_stops_folding_in_changes_is_stale() -> None:
    good = steps(
        ["Counter: 40 buns.", "Counter: 15 buns (25 sold).", "Counter: 45 buns after noon."],
        "\\boxed{45}",
        BUNS_Q,
    )
    bad = steps(
        ["Counter: 40 buns.", "Counter: 15 buns (25 sold).", "Counter: 15 buns; oven cleaned."],
        "\\boxed{15}",
        BUNS_Q,
    )
    rows = judge(BUNS, good, bad)
    assert rows["changes_missed"]["a"] == 0.0 and rows["changes_missed"]["b"] == 1.0


def test_a_memory_that_keeps_every_change_apart_has_missed_none() -> None:
    from rewards.heuristic._question import analyse_question
    from rewards.heuristic._totals import missed_changes

    q = analyse_question(BUNS)
    assert missed_changes(["Buns: 40 put out, 25 sold, 30 more baked."], q) == 0.0
    assert missed_changes(["Buns: 15 left."], q) == 1.0
    # not a question about an amount: nothing to say
    other = analyse_question(BUNS.replace(BUNS_Q, "Who baked the buns?"))
    assert missed_changes(["Buns: 15 left."], other) is None


def test_amounts_skip_clock_times_and_years_and_read_number_words() -> None:
    from rewards.heuristic._totals import quantities

    got = [
        (v, sorted(u))
        for _, v, u in quantities("At 8:30 on the 4th, in 2019, sixteen players and 3 spare kits")
    ]
    assert got == [(16.0, ["player"]), (3.0, ["kit", "spare"])]


def test_where_reads_the_latest_sentence_that_places_the_thing_not_the_latest_mention() -> None:
    ques = "Where was the spare key when Omar came home?"
    q = (
        "House notes.\n\nOmar keeps the spare key under the doormat. On Tuesday his sister moved "
        "the spare key to the kitchen drawer. Omar came home late that evening to an empty house."
        f"\n\nQuestion: {ques}"
    )
    good = steps(
        [
            "Spare key: under the doormat.",
            "Spare key: kitchen drawer (moved by his sister); Omar came home late.",
        ],
        "\\boxed{in the kitchen drawer}",
        ques,
    )
    bad = steps(
        ["Spare key: under the doormat.", "Spare key: under the doormat; Omar came home late."],
        "\\boxed{under the doormat}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0


def test_a_store_that_never_took_in_the_speakers_update_loses() -> None:
    lines = [
        "Noor: I cycle to work every day.",
        "Ivo: Even in winter?",
        "Noor: Actually, since the bridge closed I take the ferry instead.",
        "Ivo: Sounds relaxing.",
    ]
    q = chat(lines, "How does Noor get to work?")
    rows = judge(
        q,
        mem0(["Noor takes the ferry to work since the bridge closed"]),
        mem0(["Noor cycles to work every day"]),
    )
    assert rows["updates_missed"]["a"] == 0.0 and rows["updates_missed"]["b"] == 1.0


def test_an_update_replaced_by_a_later_one_is_not_required() -> None:
    lines = [
        "Noor: I work as a baker now.",
        "Ivo: Early mornings!",
        "Noor: No more baking for me, I'm a florist now.",
    ]
    q = chat(lines, "What is Noor's job?")
    rows = judge(q, mem0(["Noor works as a florist"]), mem0(["Noor works as a baker"]))
    # the baker line was replaced: only the florist line counts, and only the stale store missed it
    assert rows["updates_missed"]["a"] == 0.0 and rows["updates_missed"]["b"] == 1.0


def test_items_that_only_reword_what_is_stored_are_duplicates() -> None:
    from rewards.heuristic._redundancy import duplicate_ratio

    items = [
        "User's daughter started ballet lessons",
        "Ballet lessons were started by the user's daughter",
        "User's daughter has a ballet show in June",
    ]
    ratio, count = duplicate_ratio(items, reworded=True)
    assert count == 1 and ratio == 1 / 3
    # two different facts about one subject are not duplicates
    assert duplicate_ratio(["User has a dog named Rex", "Rex is a beagle"], reworded=True)[1] == 0


def test_a_negation_in_another_clause_does_not_flip_a_requirement() -> None:
    from rewards.heuristic._constraints import _matching_clause
    from rewards.heuristic._text import stems

    bullet = stems("Picnics are only allowed on the lawn.")
    got = _matching_clause(
        "Picnics are only allowed on the lawn, not inside the glasshouses.", bullet
    )
    assert "not" not in got and "lawn" in got


def test_an_ordinal_date_in_the_context_supports_the_plain_number_in_a_memory() -> None:
    from rewards.heuristic._text import fast_vocab, stem

    _, nums = fast_vocab("The meeting was put back to the 16th of June.")
    assert "16" in nums and stem("16th") == "16"


def test_a_question_line_is_answered_by_the_other_speakers_next_turn() -> None:
    lines = [
        "User: My neighbour's puppies arrived last week.",
        "Assistant: How many puppies are there?",
        "User: Five, all black.",
        "Assistant: Lovely!",
    ]
    q = chat(lines, "How many puppies did the user's neighbour get?")
    rows = judge(
        q,
        mem0(["User's neighbour has five black puppies"]),
        mem0(["User's neighbour has three puppies"]),
    )
    assert rows["facts_final"]["a"] == 1.0 and rows["facts_final"]["b"] == 0.0


def test_a_richer_long_form_text_is_not_penalised_for_detail_the_plan_never_states() -> None:
    from heuristic_builders import longform, longform_question

    q = longform_question(
        "Visiting the Lighthouse",
        {"built": 1858, "steps": 120},
        ["The lighthouse was built in 1858.", "Visitors climb 120 steps to the lamp room."],
    )
    rich = longform(
        "Visiting the Lighthouse",
        [
            (
                "History",
                "The lighthouse was built in 1858 by the engineer Thomas Hale, after the wreck of the Mary Ann the winter before.",
            ),
            (
                "The Climb",
                "Visitors climb 120 steps to the lamp room; keeper Ada Lowe counted them daily for 31 years.",
            ),
        ],
    )
    thin = longform(
        "Visiting the Lighthouse",
        [("History", "The lighthouse is old."), ("The Climb", "There are some steps to climb.")],
    )
    rows = judge(q, rich, thin, kind="generation")
    assert "invented_names" not in rows and "invented_numbers" not in rows


def test_a_fact_whose_value_the_context_replaced_is_not_lost_when_the_memory_holds_the_new_value() -> (
    None
):
    ques = "Which gate does the flight to Oslo board from?"
    q = (
        "Airport notes.\n\nThe flight to Oslo was due to board at Gate 12. Passengers were "
        "told to expect a short delay. The flight to Oslo then moved to Gate 31 because of a "
        f"cleaning crew.\n\nQuestion: {ques}"
    )
    good = steps(
        [
            "Oslo flight: Gate 12.",
            "Oslo flight: Gate 12; short delay.",
            "Oslo flight: moved to Gate 31 (cleaning crew).",
            "Oslo flight: Gate 31.",
        ],
        "\\boxed{Gate 31}",
        ques,
    )
    bad = steps(
        [
            "Oslo flight: Gate 12.",
            "Oslo flight: Gate 12; short delay.",
            "Oslo flight: Gate 12; cleaners at work.",
            "Oslo flight: Gate 12.",
        ],
        "\\boxed{Gate 12}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["facts_dropped"]["a"] == 0.0 and rows["stale_values"]["b"] == 1.0


def test_an_amount_after_at_is_an_amount_when_a_unit_follows() -> None:
    from rewards.heuristic._totals import quantities

    got = [
        v
        for _, v, _ in quantities(
            "The fund stood at 300 pounds. We met at ten, then at nine on Sunday."
        )
    ]
    assert got == [300.0]


def test_honorifics_are_titles_not_names() -> None:
    from rewards.heuristic._text import entities

    assert entities("Then Mr Whitlock met Dr Salazar and Mrs Farrow.") == {
        "whitlock",
        "salazar",
        "farrow",
    }


def test_other_numbers_beside_the_plans_number_are_not_a_conflict() -> None:
    from heuristic_builders import longform, longform_question

    q = longform_question(
        "Baking Bread", {"bake_minutes": 45}, ["Bake the loaf for 45 minutes in a hot oven."]
    )
    faithful = longform(
        "Baking Bread",
        [
            (
                "Baking",
                "Bake the loaf for 45 minutes in a hot oven, the first 20 minutes with the lid on.",
            )
        ],
    )
    changed = longform("Baking Bread", [("Baking", "Bake the loaf for 30 minutes in a hot oven.")])
    rows = judge(q, faithful, changed, kind="generation")
    assert rows["number_conflicts"]["a"] == 0.0 and rows["number_conflicts"]["b"] >= 1.0


def test_month_labels_are_calendar_units_and_in_april_names_one() -> None:
    from rewards.heuristic._requirements import parse_requirements, parse_unit

    assert parse_unit("September").index == 9
    every_third, in_april = parse_requirements(
        ["Every third month, feed the birds extra.", "In April, sow the tomatoes."]
    )
    assert every_third.applies(parse_unit("June")) and not every_third.applies(parse_unit("May"))
    assert in_april.applies(parse_unit("April")) and not in_april.applies(parse_unit("Day 4"))


def test_a_later_sentence_announcing_a_change_is_the_latest_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Club notes.\n\nThe chess club meets on the first Monday of the month in the library. "
        "Boards and clocks are provided. From May, the chess club moves to the last Monday of "
        "the month.\n\nQuestion: On which Monday of the month does the chess club meet from May?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "last" in latest[1]


def test_the_value_a_change_names_as_replaced_is_not_the_latest_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Surgery notice.\n\nThe nurse clinic at Fenn Street runs on Tuesdays. Bring your "
        "repeat slip. During the refurbishment, the nurse clinic will run on Thursday rather "
        "than Tuesday.\n\nQuestion: On which day does the nurse clinic run during the "
        "refurbishment?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "thursday" in latest[1] and "tuesday" not in latest[1]


def test_a_comparison_worked_out_from_two_stated_sizes_is_not_an_unsupported_claim() -> None:
    ques = "Which is longer, the Ebble viaduct or the Rood tunnel?"
    q = (
        "Railway heritage.\n\nThe Ebble viaduct spans 310 metres of the valley. Its arches "
        "were rebuilt in 1950. The Rood tunnel, dug by hand, runs for 460 metres under the "
        f"ridge.\n\nQuestion: {ques}"
    )
    right = steps(
        ["Ebble viaduct: 310 m.", "Rood tunnel 460 m longer than Ebble viaduct 310 m."],
        "\\boxed{the Rood tunnel}",
        ques,
    )
    backwards = steps(
        ["Ebble viaduct: 310 m.", "Ebble viaduct 310 m longer than Rood tunnel 460 m."],
        "\\boxed{the Ebble viaduct}",
        ques,
    )
    rows = judge(q, right, backwards)
    assert rows["unsupported_claims"]["a"] == 0.0 and rows["unsupported_claims"]["b"] == 1.0


def test_a_store_keeping_the_assistants_replies_as_memories_loses() -> None:
    lines = [
        "User: I'm allergic to cats, so no cat cafes please.",
        "Assistant: Understood. Would a board game cafe suit you?",
        "User: Yes. My brother Tomas visits on the 2nd of March.",
        "Assistant: I suggest the Dice Den on Quay Street.",
    ]
    q = chat(lines, "When does the user's brother visit?")
    good = mem0(["User is allergic to cats", "User's brother Tomas visits on 2 March"])
    bad = mem0(
        [
            "User is allergic to cats",
            "Assistant offered a board game cafe",
            "User's brother Tomas visits on 2 March",
            "Assistant suggested the Dice Den on Quay Street",
        ]
    )
    rows = judge(q, good, bad)
    assert rows["assistant_items"]["a"] == 0.0 and rows["assistant_items"]["b"] == 0.5
    assert rows.get("lines_lost", {"a": 0.0})["a"] == 0.0


def test_a_sentence_joining_two_stated_facts_about_a_name_is_supported_clause_by_clause() -> None:
    from rewards.heuristic._grounding import unsupported_claim_texts
    from rewards.heuristic._parse import parse_trajectory
    from rewards.heuristic._question import analyse_question

    ques = "How old was Ansel Brody when he built the boathouse?"
    q = analyse_question(
        "Lakeside history.\n\nAnsel Brody was born in 1904 above the forge. Ducks nest by the "
        "jetty. In 1931 Ansel built the boathouse from salvaged larch. The boathouse burned "
        f"down in 1977.\n\nQuestion: {ques}"
    )

    def claims(memory: str) -> list[str]:
        return unsupported_claim_texts(
            parse_trajectory(steps([memory], "\\boxed{27}", ques), kind="reasoning"), q
        )

    assert claims("Ansel built the boathouse in 1931, aged 27 (born 1904).") == []
    # the same join with a year moved between the facts is not what either sentence says
    assert claims("Ansel built the boathouse in 1904, aged 27 (born 1931).") != []


def test_an_item_still_stating_a_replaced_value_is_stale_beside_the_update() -> None:
    lines = [
        "User: I cycle to work on an old Raleigh.",
        "Assistant: Classic bike.",
        "User: My knee is better, so I sold the Raleigh and bought a Brompton.",
        "Assistant: Folding bikes are handy.",
    ]
    q = chat(lines, "Which bike does the user ride?")
    good = mem0(["User rides a Brompton (sold the old Raleigh)"])
    bad = mem0(["User cycles to work on an old Raleigh", "User bought a Brompton"])
    rows = judge(q, good, bad)
    assert rows["stale_items"]["a"] == 0.0 and rows["stale_items"]["b"] == 1.0


def test_two_names_that_keep_replacing_each_other_are_two_things_not_an_update() -> None:
    from rewards.heuristic._coverage import superseded_values
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Stable notes.\n\nA horse called Juniper won the gymkhana. The stable's horse, a cob "
        "called Bramble, pulls the cart. A horse called Juniper won the gymkhana again. The "
        "cart is painted red.\n\nQuestion: What is the name of the horse that pulls the cart?"
    )
    assert superseded_values(q) == []


def test_the_x_of_a_change_from_x_to_y_is_the_replaced_value() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Parish notice.\n\nThe jumble sale is on Saturday in the Scout hut. Tables cost five "
        "pounds. Because of the football final the jumble sale was switched from Saturday to "
        "Sunday.\n\nQuestion: On which day is the jumble sale?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "sunday" in latest[1] and "saturday" not in latest[1]


def test_a_length_worked_out_from_a_change_folds_in_the_fact_it_came_from() -> None:
    ques = "How long is the fun run now?"
    q = (
        "Fun run.\n\nThe fun run covers 8 miles of the forest track. Runners start at the "
        "visitor centre. Because of felling work the course was cut by 2 miles. Medals are "
        f"given to all finishers.\n\nQuestion: {ques}"
    )
    good = steps(
        ["Fun run: 8 miles of forest track.", "Fun run: now 6 miles (cut by 2, felling)."],
        "\\boxed{6 miles}",
        ques,
    )
    bad = steps(
        ["Fun run: 8 miles of forest track.", "Fun run: 8 miles; felling work nearby."],
        "\\boxed{8 miles}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["changes_missed"]["a"] == 0.0 and rows["changes_missed"]["b"] == 1.0
    assert rows["facts_dropped"]["a"] == 0.0


def test_a_claim_may_write_a_number_in_digits_that_the_context_spells_out() -> None:
    from rewards.heuristic._grounding import unsupported_claim_texts
    from rewards.heuristic._parse import parse_trajectory
    from rewards.heuristic._question import analyse_question

    ques = "How many volunteers are on the Tamsin Road rota?"
    q = analyse_question(
        "Rota.\n\nTamsin Road has a rota of 9 volunteers. Three volunteers left because of "
        f"illness.\n\nQuestion: {ques}"
    )
    memory = "Tamsin Road rota: 6 volunteers (3 left, ill)."
    t = parse_trajectory(steps([memory], "\\boxed{6}", ques), kind="reasoning")
    assert unsupported_claim_texts(t, q) == []


def test_a_name_the_answer_gives_must_come_from_the_memory_not_just_the_context() -> None:
    ques = "What is the name of the goat at the petting farm?"
    q = (
        "Farm diary.\n\nA goat called Pippin lives at the petting farm. A sheepdog called "
        "Moss won a trial at the show.\n\nQuestion: " + ques
    )
    good = steps(["Petting farm goat: Pippin."], "\\boxed{Pippin}", ques)
    bad = steps(["Petting farm: has a goat."], "\\boxed{Moss}", ques)
    rows = judge(q, good, bad)
    assert rows["answer_support"]["a"] == 1.0 and rows["answer_support"]["b"] == 0.0


def test_a_noun_made_from_the_questions_verb_is_on_topic() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Roadworks.\n\nBell Street will be closed for a week. Skips must be moved. After the "
        "survey the closure moves to Quarry Hill.\n\nQuestion: Which road is closed?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "quarry" in latest[1]


def test_a_total_that_starts_from_a_product_must_still_fold_in_later_changes() -> None:
    from rewards.heuristic._question import analyse_question
    from rewards.heuristic._totals import missed_changes

    q = analyse_question(
        "Farm shop.\n\nEach box from the farm holds 6 eggs. The shop took in 4 boxes on Friday. "
        "On Saturday 3 eggs cracked and were thrown away.\n\nQuestion: How many whole eggs did "
        "the shop have on Saturday evening?"
    )
    assert missed_changes(["Eggs: 21 whole ones left."], q) == 0.0
    assert missed_changes(["Eggs: 24 in stock."], q) == 1.0


def test_a_reopening_is_the_latest_word_on_whether_a_thing_is_open() -> None:
    ques = "Is the footbridge over the weir open?"
    q = (
        "Harbour notes.\n\nThe footbridge over the weir is closed after storm damage. A new "
        "cafe opened on the quay. Contractors reopened the footbridge over the weir on Monday."
        f"\n\nQuestion: {ques}"
    )
    good = steps(
        ["Weir footbridge: closed (storm).", "Weir footbridge: open again."],
        "\\boxed{Yes, it is open}",
        ques,
    )
    bad = steps(
        ["Weir footbridge: closed (storm).", "Weir footbridge: closed; repairs under way."],
        "\\boxed{No, it is closed}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0
    assert rows["answer_support"]["a"] == 1.0  # "yes" is the answer's form, not a claim


def test_words_an_earlier_statement_already_gave_are_not_what_the_update_brings() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Choir news.\n\nThe choir rehearses in Hall B of the college. New singers are welcome. "
        "Hall B is flooded, so the choir rehearses in the Long Hall this term.\n\nQuestion: "
        "Where does the choir rehearse this term?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "long" in latest[1] and "hall" not in latest[1]


def test_a_sentence_ending_something_is_held_by_a_memory_that_says_it_ended() -> None:
    ques = "Does the sports centre charge for parking?"
    q = (
        "Sports centre.\n\nThe sports centre charges two pounds for parking. The pool reopens in "
        "May. After complaints, the sports centre no longer charges for parking.\n\nQuestion: "
        + ques
    )
    good = steps(
        ["Parking: £2 at the sports centre.", "Sports centre parking now free."],
        "\\boxed{No}",
        ques,
    )
    bad = steps(
        ["Parking: £2 at the sports centre.", "Sports centre parking £2; complaints made."],
        "\\boxed{Yes, two pounds}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0
    assert rows["unsupported_claims"]["a"] == 0.0  # "free" says the charging ended


def test_a_verb_whose_noun_the_question_uses_is_on_topic() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Passages.\n\nNight Ferry is a 1990 film directed by Rosa Quint. It was shot in Hull. "
        "Rosa Quint (born 1950) is a Portuguese film director.\n\nQuestion: What is the "
        "nationality of the director of Night Ferry?"
    )
    latest = latest_answer_line(q)
    # the director's own sentence is the last word; her name, already given, is not what it adds
    assert latest is not None and "portuguese" in latest[1] and "quint" not in latest[1]


def test_a_reply_to_a_question_asked_straight_back_is_part_of_the_latest_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    lines = [
        "Ines: I walked my first marathon last Sunday!",
        "Tom: Which one?",
        "Ines: The Fenland Marathon, in seven hours.",
        "Tom: I'm still doing short walks.",
    ]
    latest = latest_answer_line(
        analyse_question(chat(lines, "How long did Ines's first marathon take?"))
    )
    assert latest is not None and "fenland" in latest[1]
    # a reply on something else is not: "Very, my lips hurt" says nothing about the oboe
    other = latest_answer_line(analyse_question(chat(PLAIN, "Which instrument has Rhea taken up?")))
    assert other is not None and "lips" not in other[1]


def test_a_past_form_of_the_questions_verb_names_the_new_holder() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "School news.\n\nMr Okafor teaches Year 6. The choir sings at the fete. While Mr Okafor "
        "is on a course, Year 6 are taught by Ms Lindqvist.\n\nQuestion: Who teaches Year 6 this "
        "term?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "lindqvist" in latest[1]


def test_a_sentence_saying_the_thing_now_happens_elsewhere_is_its_latest_place() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Running club.\n\nThe running club's Tuesday session meets at the bandstand in the park. "
        "Bring a head torch. Because of the fair, the Tuesday session now meets at the rugby "
        "ground gates.\n\nQuestion: Where does the running club's Tuesday session meet now?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "rugby" in latest[1]


def test_a_time_of_day_is_the_same_value_however_it_is_written() -> None:
    from rewards.heuristic._formats import clock_times

    assert clock_times("The ferry sails at 20:30.") == clock_times("ferry 8.30pm")
    assert clock_times("at half past eight") == clock_times("8:30")
    assert clock_times("quarter to ten") == clock_times("09:45")
    assert clock_times("doors at seven o'clock") == clock_times("7pm")
    # prices, percentages and decimals are not times
    assert not clock_times("a pint costs £4.50, up 2.75% on 3.14159")
    assert not clock_times("the parcel weighs 1.25 kg")


def test_a_time_of_day_is_the_latest_word_when_an_update_changes_it() -> None:
    ques = "When does the night bus to Ely leave under the winter timetable?"
    q = (
        "Depot notes.\n\nThe night bus to Ely leaves at 23:40. Drivers were trained on the new "
        "ticket machines. Under the winter timetable, the night bus to Ely leaves at 23:05 "
        f"instead.\n\nQuestion: {ques}"
    )
    good = steps(
        ["Ely night bus: 23.40.", "Winter timetable: Ely night bus now five past eleven."],
        "\\boxed{23:05}",
        ques,
    )
    bad = steps(
        ["Ely night bus: 23.40.", "Ely night bus 23.40; winter timetable out."],
        "\\boxed{23:40}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0


def test_a_time_named_as_replaced_is_not_the_latest_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Library.\n\nThe reading room shuts at 6 pm. From April, the reading room shuts at half "
        "past five instead of 6 pm.\n\nQuestion: When does the reading room shut from April?"
    )
    latest = latest_answer_line(q)
    assert latest is not None
    assert "@330" in latest[1] and "@360" not in latest[1]  # 5:30, not 6:00


def test_a_statement_turned_round_later_must_be_kept_the_latest_way_round() -> None:
    ques = "Will the lido open on Boxing Day?"
    q = (
        "Lido news.\n\nThe lido opens on Boxing Day for a charity swim. Frost cracked two of the "
        "changing-room tiles. Because of the repairs, the lido will not open on Boxing Day."
        f"\n\nQuestion: {ques}"
    )
    good = steps(
        ["Lido: charity swim on Boxing Day.", "Lido shut Boxing Day (repairs); swim off."],
        "\\boxed{No}",
        ques,
    )
    bad = steps(
        ["Lido: charity swim on Boxing Day.", "Lido opens Boxing Day; tiles being repaired."],
        "\\boxed{Yes}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["stale_values"]["b"] == 1.0 and rows["stale_values"]["a"] == 0.0
    assert rows["answer_latest"]["a"] == 1.0 and rows["answer_latest"]["b"] == 0.0


def test_a_negation_that_is_not_new_leaves_the_sense_alone() -> None:
    from rewards.heuristic._coverage import latest_negated
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Lido news.\n\nThe lido does not open on Mondays. Lifeguards train on Tuesdays. The "
        "lido does not open on Mondays in winter either.\n\nQuestion: Does the lido open on "
        "Mondays?"
    )
    assert latest_negated(q) is None  # said "not" both times: nothing was turned round


def test_a_sum_of_money_is_the_same_value_however_it_is_written() -> None:
    from rewards.heuristic._formats import money_keys

    assert money_keys("a ticket costs two pounds forty") == money_keys("tickets £2.40")
    assert money_keys("£2.40") == money_keys("240p") == money_keys("2.40 pounds")
    assert money_keys("fifty pence") == money_keys("50p")
    assert money_keys("$3.05") == money_keys("three dollars and five cents")
    assert not money_keys("at 8.30 the 3 of us left")


def test_a_price_raised_in_words_is_kept_by_a_memory_writing_it_in_figures() -> None:
    ques = "How much is a swim at the Grange baths?"
    q = (
        "Town notes.\n\nA swim at the Grange baths costs three pounds. The baths have a new "
        "diving board. From Monday, a swim at the Grange baths costs three pounds sixty."
        f"\n\nQuestion: {ques}"
    )
    good = steps(
        ["Grange baths swim: £3.", "Grange baths swim: £3.60 from Monday."],
        "\\boxed{£3.60}",
        ques,
    )
    bad = steps(
        ["Grange baths swim: £3.", "Grange baths swim £3; new diving board."],
        "\\boxed{£3}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0
    assert rows["stale_values"]["b"] == 1.0 and rows["stale_values"]["a"] == 0.0
    assert rows["invented_numbers"]["a"] == 0.0  # 3.60 is "three pounds sixty"


def test_two_facts_about_one_person_do_not_replace_each_other() -> None:
    from rewards.heuristic._coverage import superseded_values
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Passages.\n\nTomas Reed married Ana Pike in 2001. Ana Pike runs a pottery in Whitby. "
        "Tomas Reed coaches rowing in Durham.\n\nQuestion: Where does Tomas Reed's wife run her "
        "pottery?"
    )
    assert superseded_values(q) == []  # marrying Ana is not undone by coaching in Durham
    moved = analyse_question(
        "Passages.\n\nTomas Reed coaches rowing in Durham. Ana Pike runs a pottery in Whitby. "
        "Since May, Tomas Reed coaches rowing in Leeds.\n\nQuestion: Where does Tomas Reed coach?"
    )
    assert ("durham", frozenset({"leeds"})) in superseded_values(moved)


def test_a_move_somewhere_else_replaces_where_the_earlier_move_went() -> None:
    lines = [
        "User: We moved to Glasgow in 2019.",
        "Assistant: Lovely city.",
        "User: The winters are long though.",
        "Assistant: True.",
        "User: Well, we've relocated again, to Bristol, to be near my parents.",
        "Assistant: Good luck with the boxes!",
    ]
    q = chat(lines, "Which city does the user live in?")
    good = mem0(["User relocated to Bristol to be near parents (lived in Glasgow before)"])
    bad = mem0(["User moved to Glasgow in 2019", "User finds the winters long"])
    rows = judge(q, good, bad)
    assert rows["stale_items"]["b"] == 1.0 and rows["stale_items"]["a"] == 0.0


def test_an_assistants_line_is_not_the_conversations_last_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    lines = [
        "User: I've signed up for a pottery course on Tuesdays.",
        "Assistant: Pottery is very relaxing.",
        "User: My first bowl collapsed, ha.",
        "Assistant: Every potter's first bowl collapses!",
    ]
    latest = latest_answer_line(analyse_question(chat(lines, "What did the user's first bowl do?")))
    assert latest is not None and "collapsed" in latest[1]  # the user's line, not the reply


def test_initials_of_a_name_the_context_writes_out_are_not_invented() -> None:
    lines = [
        "User: I'm doing a placement at the National Health Service trust in Leeds.",
        "Assistant: Which department?",
        "User: Radiology, three days a week.",
    ]
    q = chat(lines, "Where is the user's placement?")
    rows = judge(
        q,
        mem0(["User's placement: NHS trust in Leeds, radiology, three days a week"]),
        mem0(["User's placement: NHS trust in Leeds, cardiology, five days a week, at St Olave's"]),
    )
    assert rows["invented_names"]["a"] == 0.0


def test_a_price_raised_by_an_amount_is_a_change_a_total_must_fold_in() -> None:
    from rewards.heuristic._question import analyse_question
    from rewards.heuristic._totals import missed_changes

    q = analyse_question(
        "Allotments.\n\nA plot at the Ferry Lane allotments costs £48 a year. The water "
        "trough was fixed. From April the yearly rent rises by £6.\n\nQuestion: How much is a "
        "plot's yearly rent from April?"
    )
    assert "48" in q.numbers and "6" in q.numbers  # "£48" states 48
    assert missed_changes(["Ferry Lane plot: £54 a year from April."], q) == 0.0
    assert missed_changes(["Ferry Lane plot: £48 a year."], q) == 1.0


def test_sentences_naming_the_subject_speak_for_it_when_none_uses_the_topic_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Alumni news.\n\nOlu Bassey trained as an architect in Lagos. The reunion is in May. "
        "Last spring Olu Bassey opened a bakery in Croydon.\n\nQuestion: What is Olu Bassey's "
        "occupation now?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "bakery" in latest[1]


def test_a_date_is_the_same_value_however_it_is_written() -> None:
    from rewards.heuristic._formats import date_keys

    assert date_keys("the gala is on 9 August") == date_keys("Gala Aug 9th")
    assert date_keys("the 9th of August") == date_keys("August 9")
    assert not date_keys("May I help? It starts at May 10:30")


def test_a_date_moved_later_is_the_latest_word_and_the_old_one_is_stale() -> None:
    ques = "On what date is the allotment show?"
    q = (
        "Allotment notes.\n\nThe allotment show is planned for 3 August. The marrow class is "
        "open to all. Because the marquee was double-booked, the show was put back to 10 August."
        f"\n\nQuestion: {ques}"
    )
    good = steps(
        ["Allotment show: 3 Aug.", "Allotment show now on Aug 10th."],
        "\\boxed{10 August}",
        ques,
    )
    bad = steps(
        ["Allotment show: 3 Aug.", "Show 3 August; marquee problems."],
        "\\boxed{3 August}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0
    assert rows["stale_values"]["b"] == 1.0


def test_an_announcement_naming_the_old_value_in_another_form_makes_it_stale() -> None:
    lines = [
        "User: I nurse on a children's ward.",
        "Assistant: Hard but rewarding.",
        "User: Update: I quit nursing last month and I drive a taxi now.",
        "Assistant: Quite a change!",
    ]
    q = chat(lines, "What does the user do for work?")
    rows = judge(
        q,
        mem0(["User drives a taxi now (quit nursing last month)"]),
        mem0(["User nurses on a children's ward"]),
    )
    assert rows["stale_items"]["b"] == 1.0 and rows["stale_items"]["a"] == 0.0


def test_one_persons_update_does_not_make_a_fact_about_another_stale() -> None:
    from heuristic_builders import mem0 as store

    from rewards.heuristic._parse import parse_trajectory
    from rewards.heuristic._question import analyse_question
    from rewards.heuristic._staleness import stale_items

    lines = [
        "[1:00 pm on 4 May, 2024] Speaker Ines says: I work as a florist.",
        "[1:02 pm on 4 May, 2024] Speaker Omar says: I worked in a bank, but I work as a chef now.",
    ]
    q = analyse_question(chat(lines, "What is Ines's job?"))
    t = parse_trajectory(store(["Ines works as a florist", "Omar works as a chef"]))
    assert stale_items(t, q) == []


def test_a_choice_between_two_things_takes_what_the_context_says_of_each() -> None:
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Passages.\n\nThe Norman keep of Castle Arvon was finished in 1190. Visitors climb 90 "
        "steps. The gatehouse was added in 1260.\n\nQuestion: Which is older, the Norman keep "
        "of Castle Arvon or the gatehouse?"
    )
    assert any("1260" in e for e in q.evidence) and any("1190" in e for e in q.evidence)


def test_bullet_groups_joined_by_a_comma_are_separate_items() -> None:
    from rewards.heuristic._question import analyse_question

    q = (
        "Please write a long article based on the title: Keeping Bees and the following bullet "
        "points: - Inspect the hive every week in summer., - Leave honey for the bees in "
        "autumn.\n- Feed sugar syrup if stores are low."
    )
    assert analyse_question(q).bullets == [
        "Inspect the hive every week in summer.",
        "Leave honey for the bees in autumn.",
        "Feed sugar syrup if stores are low.",
    ]

    def text(autumn: str) -> str:
        head = "Based on the title: Keeping Bees and the given bullet points: {b}, I have composed the following section."
        return (
            head.format(b="Inspect the hive every week in summer.")
            + "### Summer\n\nInspect the hive every week in summer, looking for queen cells."
            + head.format(b="Leave honey for the bees in autumn.")
            + f"### Autumn\n\n{autumn}"
        )

    rows = judge(
        q,
        text("Leave honey for the bees in autumn, about twenty kilos."),
        text("Do not leave honey for the bees in autumn; take it all."),
        kind="generation",
    )
    assert rows["polarity_flips"]["b"] == 1.0 and rows["polarity_flips"]["a"] == 0.0


def test_a_time_moved_by_a_length_of_time_is_the_latest_word() -> None:
    from rewards.heuristic._formats import durations

    assert durations("delayed by an hour and a half") == [90]
    assert durations("runs for 45 minutes") == [45]
    ques = "What time does the lantern parade set off?"
    q = (
        "Festival notes.\n\nThe lantern parade sets off from the quay at 6 pm. Stewards wear "
        "yellow. Because of the tide, the lantern parade has been put back by an hour."
        f"\n\nQuestion: {ques}"
    )
    good = steps(
        ["Lantern parade: 6 pm from the quay.", "Lantern parade now 7pm (tide)."],
        "\\boxed{7 pm}",
        ques,
    )
    bad = steps(
        ["Lantern parade: 6 pm from the quay.", "Lantern parade 6 pm; stewards in yellow."],
        "\\boxed{6 pm}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0
    assert rows["invented_numbers"]["a"] == 0.0  # 7pm is 6 pm put back an hour


def test_a_hyphenated_question_word_meets_the_context_word_by_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Race notes.\n\nThe warm-up starts on the green. Bring water. Because of the marquee, "
        "the warm-up has moved to the car park.\n\nQuestion: Where is the warm-up?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "car" in latest[1]


def test_a_sentence_naming_the_subject_can_name_its_new_holder() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._question import analyse_question

    q = analyse_question(
        "Shop history.\n\nThe Corner Deli on Mint Street is managed by Omar Said. It sells "
        "olives and cheese. In March the owners sold the Corner Deli to a chain, which put "
        "Lucy Brandt in charge.\n\nQuestion: Who manages the Corner Deli now?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and {"lucy", "brandt"} <= latest[1]


def test_an_agent_noun_with_a_doubled_letter_meets_its_verb() -> None:
    from rewards.heuristic._coverage import _derived_root

    assert _derived_root("set", {"setter"}) == "setter"  # the quiz "set by" its setter
    assert _derived_root("run", {"runner"}) == "runner"
    assert _derived_root("sea", {"seaer"}) == ""  # no doubled letter, too short


def test_a_date_moved_by_days_or_weeks_is_the_latest_word() -> None:
    from rewards.heuristic._coverage import latest_answer_line
    from rewards.heuristic._formats import day_lengths, shift_date
    from rewards.heuristic._question import analyse_question

    assert day_lengths("put back a fortnight") == [14] and day_lengths("three days later") == [3]
    assert shift_date(1230, 3) == 102  # 30 December + 3 days = 2 January
    q = analyse_question(
        "School news.\n\nSports day is on 27 June. Parents may bring picnics. Because of the "
        "heatwave, sports day has been put back a week.\n\nQuestion: When is sports day?"
    )
    latest = latest_answer_line(q)
    assert latest is not None and "#704" in latest[1]  # 4 July


def test_a_time_worked_out_from_a_start_and_a_length_holds_both() -> None:
    from rewards.heuristic._formats import durations

    assert 100 in durations("the crossing takes one hour and forty minutes")
    ques = "What time does the ferry reach Cowes?"
    q = (
        "Ferry notes.\n\nThe ferry to Cowes leaves at 14:15. Bikes travel free. The crossing "
        f"takes one hour and forty minutes.\n\nQuestion: {ques}"
    )
    good = steps(
        ["Cowes ferry leaves 14:15.", "Cowes ferry: 14:15 + 1 h 40 = arrives 15:55."],
        "\\boxed{15:55}",
        ques,
    )
    bad = steps(
        ["Cowes ferry leaves 14:15.", "Cowes ferry: bikes free."],
        "\\boxed{16:00}",
        ques,
    )
    rows = judge(q, good, bad)
    assert rows["latest_kept"]["a"] == 1.0 and rows["latest_kept"]["b"] == 0.0
    assert rows["facts_dropped"]["a"] == 0.0  # 15:55 folds in the 14:15 departure


def test_a_speaker_correcting_a_date_later_gives_the_latest_word() -> None:
    lines = [
        "User: Hello!",
        "Assistant: Hi, what can I do?",
        "User: Can you save my brother's wedding date, it's 5 August.",
        "Assistant: Saved: 5 August.",
        "User: I still need a suit.",
        "Assistant: Plenty of time.",
        "User: Sorry, I got that wrong, his wedding is on 15 August.",
        "Assistant: Updated.",
    ]
    q = chat(lines, "When is the user's brother's wedding?")
    rows = judge(
        q,
        mem0(["User's brother's wedding is on 15 August (corrected from 5 August)"]),
        mem0(["User's brother's wedding is on 5 August"]),
    )
    assert rows["facts_final"]["a"] == 1.0 and rows["facts_final"]["b"] == 0.0


def test_what_a_speaker_used_to_do_is_stale_only_when_stored_as_current() -> None:
    lines = [
        "User: I used to run a market stall selling cheese.",
        "Assistant: Sounds fun.",
        "User: I gave it up in the spring and opened a small cafe.",
        "Assistant: Exciting!",
    ]
    q = chat(lines, "What does the user run now?")
    rows = judge(
        q,
        notes([("User gave up the cheese stall in spring and now runs a small cafe", ["cafe"])]),
        notes(
            [
                ("User runs a market stall selling cheese", ["cheese"]),
                ("User opened a cafe", ["cafe"]),
            ]
        ),
    )
    assert rows["stale_items"]["a"] == 0.0 and rows["stale_items"]["b"] == 1.0


def test_an_amount_that_doubled_is_a_change_the_total_folds_in() -> None:
    from rewards.heuristic._question import analyse_question
    from rewards.heuristic._totals import missed_changes

    q = analyse_question(
        "Club notes.\n\nThe chess club had 11 members in January. The hall was repainted. By "
        "June its membership had doubled.\n\nQuestion: How many members does the chess club "
        "have in June?"
    )
    assert missed_changes(["Chess club: 22 members by June (doubled)."], q) == 0.0
    assert missed_changes(["Chess club: 11 members."], q) == 1.0


def test_a_date_worked_out_from_a_dated_message_and_a_weekday_is_not_invented() -> None:
    from heuristic_builders import mem0 as store

    from rewards.heuristic._grounding import grounding_features
    from rewards.heuristic._parse import parse_trajectory
    from rewards.heuristic._question import analyse_question

    lines = [
        "[9:00 am on 10 June, 2024] Speaker Priya says: My viva is on Thursday, wish me luck.",
        "[9:02 am on 10 June, 2024] Speaker Tom says: Good luck!",
    ]
    q = analyse_question(chat(lines, "When is Priya's viva?"))
    dated = grounding_features(
        parse_trajectory(store(["Priya's viva is on Thursday 13 June 2024"])), q
    )
    wrong = grounding_features(parse_trajectory(store(["Priya's viva is on 28 June 2024"])), q)
    assert dated["invented_numbers"] == 0.0 and wrong["invented_numbers"] == 1.0
