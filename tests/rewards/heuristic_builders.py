"""Builders of trajectories in the published layouts, for the heuristic RM tests."""

from __future__ import annotations

CONTEXT = [
    "The harbour town woke slowly under a grey sky and the gulls circled the market.",
    "Mary travelled to the kitchen.",
    "A fisherman mended his nets while the tide came in over the stones.",
    "John grabbed the lantern there.",
    "The baker sold bread to the sailors who waited by the pier.",
    "John journeyed to the garden.",
    "Old Hans rang the bell of the chapel at noon as he always did.",
    "John dropped the lantern in the garden.",
]
QUERY = "Where did John leave the lantern?"


def question(context: list[str] | None = None, query: str = QUERY) -> str:
    ctx = " ".join(context or CONTEXT)
    return (
        "Here is a long context but only a few clues are useful, while others are interferences, "
        f"you should answer the question following the context after carefully reading it. [Context]\n{ctx}\n\n[Question]{query}"
    )


def step(n: int, query: str, prev: str, section: str, updated: str, wrong: str = "") -> str:
    prev_block = f"<updated_memory>\n{prev}\n</updated_memory>" if prev else "No previous memory"
    wrong_block = (
        f"<updated_memory>\n{wrong}\n</updated_memory>" if wrong else "No wrong updated memory"
    )
    return (
        f"Step {n}:\n\n<problem> \n{query} \n</problem>\n\n<memory>\n{prev_block}\n</memory>\n\n\n"
        f"<section>\n{section}\n</section>\n\n\n<wrong_updated_memories>\n{wrong_block}\n</wrong_updated_memories>\n\n\n"
        f"Updated memory:\n<updated_memory>\n{updated}\n</updated_memory>\n\n\n"
    )


def sequential(
    memories: list[str],
    answer: str,
    *,
    wrongs: list[str] | None = None,
    context: list[str] | None = None,
    query: str = QUERY,
) -> str:
    """A sequential trajectory: one step per pair of context sentences, then the answer step."""
    ctx = context or CONTEXT
    sections = [" ".join(ctx[i : i + 2]) for i in range(0, len(ctx), 2)]
    wrongs = wrongs or [""] * len(memories)
    out, prev = [], ""
    for i, (sec, mem) in enumerate(zip(sections, memories, strict=False)):
        out.append(step(i + 1, query, prev, sec, mem, wrongs[i]))
        prev = mem
    out.append(
        "Based on the memory, the process of obtaining the answer is as follows:\n\n"
        f"<problem> \n{query} \n</problem>\n\n<memory>\n<updated_memory>\n{prev}\n</updated_memory>\n</memory>\n\n\n"
        f"<section>\nNone\n</section>\n\n\n<wrong_updated_memories>\nNo wrong updated memory\n</wrong_updated_memories>\n\n\n"
        f"Updated memory:\n{answer}\n"
    )
    return "".join(out)


GOOD_MEMORIES = [
    "Mary travelled to the kitchen. No information about John yet.",
    "John grabbed the lantern.",
    "John grabbed the lantern and journeyed to the garden.",
    "John grabbed the lantern, journeyed to the garden and dropped the lantern in the garden.",
]
GOOD_ANSWER = "John dropped the lantern in the garden. \\boxed{the garden}"


def mem0(items: list[str]) -> str:
    """A Mem0-style store rendered as the published Python-repr list of dicts."""
    rows = [
        {
            "id": f"id-{i}",
            "memory": m,
            "hash": f"{i:032x}",
            "metadata": None,
            "created_at": "2025-01-01T00:00:00",
            "updated_at": None,
        }
        for i, m in enumerate(items)
    ]
    return repr(rows) if rows else ""


def longform_question(title: str, facts: dict[str, object], bullets: list[str]) -> str:
    import json

    return (
        f"Please write a long article based on the title: {title} and the following bullet points: ```json\n"
        + json.dumps(facts, indent=2)
        + "\n```, "
        + "\n".join(f"- {b}" for b in bullets)
    )


def longform(title: str, sections: list[tuple[str, str]]) -> str:
    """A long-form trajectory: (restated bullet points, section text) per section."""
    out = []
    for i, (restated, text) in enumerate(sections):
        prev = "" if i == 0 else " , the previously generated text,"
        out.append(
            f"Based on the title: {title}{prev} and the given bullet points: {restated} I have composed the following section.{text}"
        )
    return "".join(out)


def steps(memories: list[str], answer: str, question_text: str) -> str:
    """A sequential trajectory in the library's own rendering: one step per memory, then the
    boxed ``answer``."""
    from agentmem.render import StepText, render_sequential

    out, prev = [], ""
    for m in memories:
        out.append(StepText(previous_memory=prev, section="(section)", updated_memory=m))
        prev = m
    return render_sequential(question_text, out, answer)
