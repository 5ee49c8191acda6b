"""Ensemble reward model: a weighted vote of several RMs (``ensemble:a,b[,w1,w2]``).

Pairwise: each member votes A (+1), B (-1) or abstains (tie/unparsed), weighted; the sign of the
sum decides. A zero sum falls back to confidence-weighted votes, then to a tie (robust mode) or to
the highest-weight decided member (compat mode, which never answers tie). Pointwise: the weighted
mean of the members' scores. Members run concurrently. Weights come from the spec, else from a
calibration file (``calibration=<name or path>``), else are equal.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from agentmem.exceptions import UserError
from rewards._compose import close_members, member_overrides, split_members
from rewards._registry import known_reward_models, make_reward_model, register
from rewards._types import (
    PairInput,
    PairwiseVerdict,
    Reward,
    RewardModel,
    RMSpec,
    UpdateContext,
    Winner,
)

__all__ = ["EnsembleRM", "make_ensemble"]

ENSEMBLE_VERSION = "1"


class EnsembleRM:
    """A weighted vote over member reward models."""

    def __init__(
        self,
        members: list[RewardModel],
        weights: list[float] | None = None,
        *,
        mode: Literal["compat", "robust"] = "compat",
        spec_string: str | None = None,
        weights_source: str = "equal",
    ) -> None:
        if len(members) < 2:
            raise UserError(f"an ensemble needs at least 2 members, got {len(members)}")
        weights = list(weights) if weights is not None else [1.0] * len(members)
        if len(weights) != len(members):
            raise UserError(
                f"{len(members)} members but {len(weights)} weights; give one weight per member"
            )
        total = sum(weights)
        if any(w < 0 for w in weights) or total <= 0:
            raise UserError(f"ensemble weights must be >= 0 and not all 0, got {weights!r}")
        self.members = members
        self.weights = [w / total for w in weights]
        self.mode = mode
        labels = [m.spec.label for m in members]
        self.spec = RMSpec(
            name="ensemble",
            args={
                "spec_string": spec_string or "ensemble:" + ",".join(labels),
                "members": labels,
                "weights": self.weights,
                "weights_source": weights_source,
                "mode": mode,
                "member_versions": [m.spec.version for m in members],
            },
            version=ENSEMBLE_VERSION,
        )

    async def aclose(self) -> None:
        """Close the members' connections (members without ``aclose`` are skipped)."""
        await close_members(self.members)

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Weighted vote of the members' verdicts."""
        start = time.perf_counter()
        verdicts = await asyncio.gather(*(m.compare(pair) for m in self.members))
        signs = [1 if v.winner == "A" else -1 if v.winner == "B" else 0 for v in verdicts]
        total = sum(w * s for w, s in zip(self.weights, signs, strict=True))
        how = "weighted vote"
        if abs(total) < 1e-12:
            total = sum(
                w * s * (2 * v.confidence - 1)
                for w, s, v in zip(self.weights, signs, verdicts, strict=True)
            )
            how = "vote tied; confidence-weighted"
        winner: Winner
        if total > 1e-12:
            winner = "A"
        elif total < -1e-12:
            winner = "B"
        elif self.mode == "compat" and any(signs):
            best = max((i for i, s in enumerate(signs) if s), key=lambda i: self.weights[i])
            winner, how = (
                verdicts[best].winner,
                f"vote tied; highest-weight member ({self.members[best].spec.label}) decides",
            )
        elif all(v.winner == "unparsed" for v in verdicts):
            winner, how = "unparsed", "no member gave a verdict"
        else:
            winner, how = "tie", "vote tied"
        agree = sum(
            w
            for w, s in zip(self.weights, signs, strict=True)
            if (s > 0 and winner == "A") or (s < 0 and winner == "B")
        )
        confidence = 0.5 + 0.5 * agree if winner in ("A", "B") else 0.5
        score_a = _weighted([(w, v.score_a) for w, v in zip(self.weights, verdicts, strict=True)])
        score_b = _weighted([(w, v.score_b) for w, v in zip(self.weights, verdicts, strict=True)])
        parts = [
            f"{m.spec.label} (w={w:.2f}) -> {v.winner}"
            for m, w, v in zip(self.members, self.weights, verdicts, strict=True)
        ]
        return PairwiseVerdict(
            winner=winner,
            confidence=min(1.0, confidence),
            rationale=f"{how}: " + "; ".join(parts) + f" => {winner}",
            scorer=self.spec.name,
            version=self.spec.version,
            score_a=score_a,
            score_b=score_b,
            raw=tuple(r for v in verdicts for r in v.raw),
            latency_s=time.perf_counter() - start,
            tokens=sum(v.tokens for v in verdicts),
            cost=sum(v.cost for v in verdicts),
            evidence={
                "vote": total,
                "how": how,
                "members": [
                    {
                        "rm": m.spec.label,
                        "weight": w,
                        "winner": v.winner,
                        "confidence": v.confidence,
                        "rationale": v.rationale[:500],
                    }
                    for m, w, v in zip(self.members, self.weights, verdicts, strict=True)
                ],
            },
        )

    async def score_update(self, update: UpdateContext) -> Reward:
        """Weighted mean of the members' scores."""
        start = time.perf_counter()
        rewards = await asyncio.gather(*(m.score_update(update) for m in self.members))
        value = sum(w * r.value for w, r in zip(self.weights, rewards, strict=True))
        parts = [
            f"{m.spec.label} (w={w:.2f}): {r.value:.3f}"
            for m, w, r in zip(self.members, self.weights, rewards, strict=True)
        ]
        return Reward(
            value=min(1.0, max(0.0, value)),
            rationale="weighted mean of "
            + "; ".join(parts)
            + ". "
            + " | ".join(r.rationale[:300] for r in rewards),
            scorer=self.spec.name,
            version=self.spec.version,
            latency_s=time.perf_counter() - start,
            tokens=sum(r.tokens for r in rewards),
            cost=sum(r.cost for r in rewards),
            evidence={
                "members": [
                    {"rm": m.spec.label, "weight": w, "value": r.value}
                    for m, w, r in zip(self.members, self.weights, rewards, strict=True)
                ]
            },
        )


def _weighted(pairs: list[tuple[float, float | None]]) -> float | None:
    known = [(w, s) for w, s in pairs if s is not None]
    total = sum(w for w, _ in known)
    return sum(w * s for w, s in known) / total if known and total > 0 else None


@register("ensemble", "weighted vote of several RMs: ensemble:<a>,<b>[,w1,w2]")
def make_ensemble(arg: str, **overrides: Any) -> EnsembleRM:
    """Build an ensemble from ``a,b[,w1,w2]``; members get the same keyword overrides."""
    known = set(known_reward_models())
    specs, weights = split_members(arg, known)
    if len(specs) < 2:
        raise UserError(
            f"ensemble spec {arg!r} names {len(specs)} member(s); an ensemble needs at least 2, e.g. 'ensemble:heuristic,llm:openai/gpt-4o-mini'"
        )
    members = [make_reward_model(s, **member_overrides(overrides)) for s in specs]
    source = "spec" if weights is not None else "equal"
    if weights is None and overrides.get("calibration"):
        from rewards.calibration import load_calibration

        cal = load_calibration(overrides["calibration"])
        labels = [m.spec.label for m in members]
        if cal.ensemble is not None and cal.ensemble.members == labels:
            weights = cal.ensemble.weights
        else:
            weights = cal.weights_for(labels)
        if weights is None or sum(weights) <= 0:
            raise UserError(
                f"calibration {cal.name!r} has no usable weights for members {labels!r} "
                f"(it calibrated {sorted(cal.members)!r}); refit it on predictions from these members"
            )
        source = f"calibration:{cal.name}"
    mode = overrides.get("mode") or "compat"
    if mode not in ("compat", "robust"):
        raise UserError(f"mode must be 'compat' or 'robust', got {mode!r}")
    return EnsembleRM(
        members, weights, mode=mode, spec_string=f"ensemble:{arg}", weights_source=source
    )
