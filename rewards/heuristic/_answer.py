"""Answer consistency: the final answer should follow from the final memory.

An answer that names things the memory does not hold (or the context never mentions) was not
read from the memory; an answer that gives up ("cannot be determined") when the memory holds the
evidence wastes it.
"""

from __future__ import annotations

import re

from rewards.heuristic._coverage import (
    holds_latest,
    latest_answer_line,
    latest_negated,
    value_words,
)
from rewards.heuristic._formats import value_spans
from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._text import NEGATIONS, sentence_info, stem, stems, words

__all__ = ["answer_features", "extract_answer"]

_GIVE_UP = re.compile(
    r"(?:cannot|can't|could not|unable to) (?:be )?(?:determine|answer|find|tell)|not enough information|"
    r"no (?:relevant )?information|not (?:explicitly )?(?:mentioned|stated|provided)|unknown",
    re.I,
)


def extract_answer(text: str) -> str:
    """The content of the last ``\\boxed{...}`` (balanced braces), else the last non-empty line."""
    i = text.rfind("\\boxed{")
    if i >= 0:
        depth, j = 1, i + 7
        while j < len(text) and depth:
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
            j += 1
        return text[i + 7 : j - 1 if depth == 0 else j].strip()
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


_FORM = frozenset({"yes", "no"})
_YES_NO = re.compile(
    r"(?:is|are|was|were|will|would|does|do|did|can|could|has|have|should|shall)\b", re.I
)
"""A question answered yes or no opens with an auxiliary verb."""


def answer_features(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Raw answer values of one reasoning trajectory: support in [0, 1] and a give-up flag."""
    if t.layout != "reasoning" or not t.answer:
        return {}
    ans = extract_answer(t.answer)
    memory = "\n".join(t.final_memories)
    ast = stems(ans) - q.query_words - _FORM  # "yes" / "no" are the answer's form, not a claim
    spans = value_spans(ans)
    held = value_words(memory) if spans else set()  # (the memory is read only when needed)
    for a, b, key in spans:
        if key in held:  # "3.30 pm" read from a memory's "3.30pm"
            ast -= stems(ans[a:b])
    out: dict[str, float] = {}
    if ast:
        mst = stems(memory)
        # a name the answer gives must come from the memory it reads: the context naming it
        # somewhere (a different dog in another story) does not make it this memory's answer
        names = {stem(e) for e in sentence_info(ans[:400]).entities}
        out["answer_support"] = sum(
            1 for w in ast if w in mst or (w not in names and q.supports(w))
        ) / len(ast)
    out["answer_gives_up"] = 1.0 if _GIVE_UP.search(ans[:400]) else 0.0
    negated = latest_negated(q)
    first = ans.lstrip(" *").split(" ", 1)[0].strip(".,!;:").lower()
    if (
        negated is not None
        and first in _FORM
        and _YES_NO.match(q.query.strip())
        and not NEGATIONS.intersection(words(q.query))
    ):
        # a yes/no question whose subject the context last turned round ("will no longer
        # sing"): the answer must follow the last word, not the first
        out["answer_latest"] = 1.0 if (first == "no") == negated else 0.0
    elif q.derived.get("latest_is_typed"):
        # the context's last word on where the thing is (or who holds it) must be the answer
        latest = latest_answer_line(q)
        if latest is not None:
            out["answer_latest"] = 1.0 if holds_latest(latest[1], [ans]) else 0.0
    return out
