"""Helpers for the benchmark tests: function-backed reward models (registered as test-* names) and data."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewards import PairInput, PairwiseVerdict, Reward, RMSpec, UpdateContext, Winner, register

# Seven real published records (Apache-2.0, LCM-Lab/MemoryRewardBench; see the README beside them).
SAMPLES = Path(__file__).parent / "data" / "memrewardbench-samples"


@dataclass(kw_only=True)
class FunctionRM:
    """A reward model whose pairwise verdict is a plain function of the PairInput."""

    fn: Callable[[PairInput], Winner]
    name: str = "fn"
    seen: list[PairInput] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spec = RMSpec(name=self.name, args={"spec_string": self.name})

    async def score_update(self, update: UpdateContext) -> Reward:
        return Reward(value=0.5, scorer=self.name)

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        self.seen.append(pair)
        return PairwiseVerdict(
            winner=self.fn(pair), scorer=self.name, raw=(f"[[{self.fn(pair)}]]",), tokens=3
        )


def shorter(pair: PairInput) -> Winner:
    """Pick the shorter trajectory (A on equal length)."""
    return "A" if len(pair.trajectory_a) <= len(pair.trajectory_b) else "B"


def _factory(fn: Callable[[PairInput], Winner], name: str) -> Callable[..., FunctionRM]:
    def make(arg: str, **overrides: Any) -> FunctionRM:
        return FunctionRM(fn=fn, name=name)

    return make


def _raises_on_long(pair: PairInput) -> Winner:
    if "EXPLODE" in pair.question:
        raise RuntimeError("judge backend down")
    return shorter(pair)


register("test-shorter", "test double: picks the shorter trajectory")(
    _factory(shorter, "test-shorter")
)
register("test-always-a", "test double: always A")(_factory(lambda p: "A", "test-always-a"))
register("test-explodes", "test double: raises on questions containing EXPLODE")(
    _factory(_raises_on_long, "test-explodes")
)


def make_record(
    i: int,
    *,
    task: str = "S-Noise",
    subtask: str | None = "babi-qa1-sequential-self_correct",
    length: str = "8k",
    chosen_len: int = 10,
    rejected_len: int = 20,
    **extra: Any,
) -> dict[str, Any]:
    """A small valid record whose chosen trajectory is the shorter one (by default)."""
    rec: dict[str, Any] = {
        "question": f"Question {i}: where is item {i}? Context: " + "lorem " * 5,
        "chosen": f"c{i}:" + "x" * chosen_len,
        "rejected": f"r{i}:" + "y" * rejected_len,
        "task": task,
        "ctx_length": length,
    }
    if subtask is not None:
        rec["subtask"] = subtask
    rec.update(extra)
    return rec


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSONL (creating folders)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
