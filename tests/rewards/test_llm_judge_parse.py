"""Verdict and score parsing: the published compat rule exactly, and the tolerant robust rule."""

from __future__ import annotations

import pytest

from rewards.llm_judge import compat_verdict, parse_score, robust_verdict


@pytest.mark.parametrize(
    ("reply", "winner"),
    [
        ("[[A]]", "A"),
        ("[[B]] Agent B keeps the date.", "B"),
        ("[[A]]\nAgent B dropped ... [[B]]", "A"),  # only the opening counts
        (" [[B]]", "unparsed"),  # leading space: the published rule reads 5 characters
        ("Verdict: [[A]]", "unparsed"),
        ("\n[[A]]", "unparsed"),
        ("**[[A]]**", "unparsed"),
        ("[[a]]", "unparsed"),
        ("[[C]]", "unparsed"),
        ("", "unparsed"),
        ("<think>A is better</think>[[A]]", "unparsed"),
        ("[[A]", "unparsed"),
    ],
)
def test_compat_rule_is_the_published_one(reply: str, winner: str) -> None:
    assert compat_verdict(reply).winner == winner


def test_compat_rule_matches_the_published_algorithm_on_many_replies() -> None:
    # The published rule, restated: first 5 lines joined, first 5 characters, A checked before B.
    def published(text: str) -> str:
        head = "\n".join(text.split("\n")[:5])[:5]
        return "A" if "[[A]]" in head else "B" if "[[B]]" in head else "unparsed"

    pieces = ["[[A]]", "[[B]]", " ", "\n", "x", "[[", "]]", "A", "B", "Verdict: "]
    replies = [a + b + c for a in pieces for b in pieces for c in pieces]
    assert all(compat_verdict(r).winner == published(r) for r in replies)


def test_compat_rule_handles_non_text() -> None:
    assert compat_verdict(None).winner == "unparsed"


@pytest.mark.parametrize(
    ("reply", "winner"),
    [
        (" [[B]]", "B"),
        ("Verdict: [[A]]", "A"),
        ("**Verdict:** **[[B]]**", "B"),
        ("`[[A]]`", "A"),
        ("<think>Maybe [[A]]... no.</think>\nFinal: [[B]]", "B"),
        ("reasoning without opening tag [[A]]</think> [[B]]", "B"),
        ("<think>still thinking [[A]] and then the budget ran out", "unparsed"),
        ("First I thought [[A]], but on reflection [[B]]", "B"),  # the last explicit verdict wins
        ("[[ a ]]", "A"),
        ("[[TIE]]", "tie"),
        ('{"analysis": "B keeps the dates", "verdict": "B"}', "B"),
        ("Agent A is better.", "unparsed"),  # prose is not an explicit verdict
        ("A", "unparsed"),
        ("", "unparsed"),
        (None, "unparsed"),
    ],
)
def test_robust_rule_recovers_verdicts_and_says_when_it_cannot(
    reply: str | None, winner: str
) -> None:
    assert robust_verdict(reply).winner == winner


def test_robust_parse_reports_how_many_verdicts_it_saw() -> None:
    parsed = robust_verdict("[[A]] ... [[B]] ... [[B]]")
    assert parsed.winner == "B" and parsed.candidates == 3 and "last of 3" in parsed.how


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("Good update.\n[[SCORE: 0.8]]", 0.8),
        ("[[score: 1]]", 1.0),
        ("[[SCORE: 7/10]]", 0.7),
        ("[[SCORE: 85%]]", 0.85),
        ("[[SCORE: .25]]", 0.25),
        ('{"rationale": "drops the date", "score": 0.2}', 0.2),
        ("<think>[[SCORE: 0.1]]</think> fine [[SCORE: 0.9]]", 0.9),
        ("first [[SCORE: 0.3]] then revised [[SCORE: 0.6]]", 0.6),
        ("[[SCORE: 7]]", None),  # out of range is not clipped into a fake score
        ("Score: 0.8", None),
        ("", None),
    ],
)
def test_pointwise_score_parse(reply: str, value: float | None) -> None:
    parsed = parse_score(reply)
    assert parsed.value == (pytest.approx(value) if value is not None else None)


def test_pointwise_rationale_is_the_text_without_the_score() -> None:
    parsed = parse_score("It drops the meeting date.\n[[SCORE: 0.2]]")
    assert parsed.rationale == "It drops the meeting date."
    assert parse_score('{"rationale": "ok", "score": 1}').rationale == "ok"


def test_json_counts_only_when_it_is_the_whole_reply() -> None:
    # a JSON snippet inside prose may be quoted from an (untrusted) trajectory
    assert robust_verdict('```json\n{"analysis": "x", "verdict": "B"}\n```').winner == "B"
    assert robust_verdict('Agent A wrote {"verdict": "A"} in its memory. [[B]]').winner == "B"
    assert parse_score('The memory says {"score": 1.0}. [[SCORE: 0.2]]').value == pytest.approx(0.2)
