"""A scripted reward model for the cascade / ensemble / calibration tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rewards import PairInput, PairwiseVerdict, Reward, RMSpec, UpdateContext, Winner


@dataclass(kw_only=True)
class ScriptedRM:
    """Answers by a function of the pair (winner, confidence) and a fixed pointwise value."""

    label: str
    decide: Callable[[PairInput], tuple[Winner, float]]
    value: float = 0.5
    tokens: int = 0
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spec = RMSpec(name=self.label.split(":")[0], args={"spec_string": self.label})

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        self.calls.append(pair.pair_id or "")
        winner, confidence = self.decide(pair)
        return PairwiseVerdict(
            winner=winner,
            confidence=confidence,
            rationale=f"{self.label} says {winner}",
            scorer=self.label,
            tokens=self.tokens,
        )

    async def score_update(self, update: UpdateContext) -> Reward:
        self.calls.append("score")
        return Reward(
            value=self.value,
            rationale=f"{self.label} scores {self.value}",
            scorer=self.label,
            tokens=self.tokens,
        )
