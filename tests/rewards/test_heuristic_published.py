"""Accuracy on the seven published pairs, both orders (documented, not tuned on)."""

from __future__ import annotations

from test_heuristic_parse import records

from rewards import PairInput
from rewards.heuristic import HeuristicRM

FILES = {
    "Long-context_Reasoning.jsonl": "understanding",
    "Multi-turn_Dialogue_Understanding.jsonl": "understanding",
    "Long-form_Generation.jsonl": "generation",
}


def judge_all(rm: HeuristicRM) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = {}
    for name, kind in FILES.items():
        for rec in records(name):
            q, c, r = str(rec["question"]), str(rec["chosen"]), str(rec["rejected"])
            v1 = rm.compare_sync(PairInput(question=q, trajectory_a=c, trajectory_b=r, kind=kind))  # type: ignore[arg-type]
            v2 = rm.compare_sync(PairInput(question=q, trajectory_a=r, trajectory_b=c, kind=kind))  # type: ignore[arg-type]
            out.setdefault(name, []).extend([v1.winner == "A", v2.winner == "B"])
    return out


def test_reasoning_and_dialogue_pairs_are_right_in_both_orders() -> None:
    res = judge_all(HeuristicRM())
    assert all(res["Long-context_Reasoning.jsonl"]), res
    assert all(res["Multi-turn_Dialogue_Understanding.jsonl"]), res
    # Long-form: verdicts must at least flip with the order (consistent), right or wrong.
    lf = res["Long-form_Generation.jsonl"]
    assert lf[0::2] == lf[1::2]
