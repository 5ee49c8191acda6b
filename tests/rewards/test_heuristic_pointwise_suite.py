"""The pointwise gate on real MemAgent updates: the bundled suite's preferred trajectories.

Their memories mix facts read from the section with commentary ("The lines about Mary are
background and can be set aside") and conclusions ("Putting this together: ..."). Nearly all of
those updates must pass the default gate, and every one must fail once a sentence about a
person the document never mentions is added to it.
"""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest

from rewards import UpdateContext
from rewards.heuristic import HeuristicRM, parse_trajectory

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "suite"
REASONING = SUITE / "Long-context_Reasoning.jsonl.xz"
ROWS = 24
PLANTED = "Quorvin Zelbrandt buried the lantern under the old mill in 1871."


def _updates() -> list[UpdateContext]:
    out: list[UpdateContext] = []
    with lzma.open(REASONING, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= ROWS:
                break
            row = json.loads(line)
            t = parse_trajectory(row["chosen"])
            for s in t.steps:
                if s.kind != "update" or s.section_span is None:
                    continue
                a, b = s.section_span
                out.append(
                    UpdateContext(
                        question=row["meta"]["query"],
                        previous_memory=s.previous,
                        chunk=row["chosen"][a:b],
                        candidate=s.updated,
                    )
                )
    return out


@pytest.fixture(scope="module")
def updates() -> list[UpdateContext]:
    if not REASONING.exists():
        pytest.skip(f"bundled suite not found at {REASONING}")
    found = _updates()
    assert len(found) >= 100
    return found


def test_preferred_updates_pass_the_gate(updates: list[UpdateContext]) -> None:
    rm = HeuristicRM()
    scores = [rm.score_update_sync(u) for u in updates]
    failing = [r for r in scores if r.value < 0.5]
    assert len(failing) <= 0.03 * len(scores), [r.rationale for r in failing[:5]]
    assert sorted(r.value for r in scores)[len(scores) // 2] >= 0.9  # median


def test_planted_person_fails_every_update(updates: list[UpdateContext]) -> None:
    rm = HeuristicRM()
    for u in updates:
        planted = UpdateContext(
            question=u.question,
            previous_memory=u.previous_memory,
            chunk=u.chunk,
            candidate=f"{u.candidate}\n{PLANTED}",
        )
        r = rm.score_update_sync(planted)
        assert r.value < 0.5, r.rationale
        assert r.evidence["features"]["invented_names"] >= 2.0  # Quorvin, Zelbrandt
        assert r.evidence["features"]["invented_numbers"] >= 1.0  # 1871
