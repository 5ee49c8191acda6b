"""The seven published pairs: read and judged in both orders, consistently.

They are for checking only (never for tuning), so no test pins the heuristic's accuracy on them:
the README reports it (5 of 7 pairs right in both orders with scorer v3, from
`agentmem bench run --data <samples> --both-orders`).
"""

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


def test_every_published_pair_gets_the_same_verdict_in_both_orders() -> None:
    # right or wrong, a verdict follows the content, never the position
    for name, res in judge_all(HeuristicRM()).items():
        assert res[0::2] == res[1::2], name
