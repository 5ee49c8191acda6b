"""Cascade reward model: a cheap RM first, the expensive one only when the cheap one is unsure.

``cascade:<cheap>><expensive>``, e.g. ``cascade:heuristic>llm:openai/gpt-4o-mini``.

Pairwise: the cheap verdict stands when it names A or B with ``confidence >= min_confidence``;
otherwise (low confidence, tie, unparsed) the expensive RM decides. Pointwise: the cheap score
stands unless it lies within ``band`` of 0.5 (undecided). The threshold comes from the
``threshold`` override, else from a calibration file (``calibration=<name or path>``), else 0.75.
Every result records whether it escalated; :attr:`CascadeRM.escalation_rate` reports the rate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from agentmem.exceptions import UserError
from rewards._compose import close_members, member_overrides
from rewards._registry import make_reward_model, register
from rewards._types import PairInput, PairwiseVerdict, Reward, RewardModel, RMSpec, UpdateContext

__all__ = ["CascadeRM", "CascadeStats", "make_cascade"]

CASCADE_VERSION = "1"
DEFAULT_MIN_CONFIDENCE = 0.75
DEFAULT_BAND = 0.15


@dataclass(kw_only=True)
class CascadeStats:
    """Running counts of a cascade's decisions."""

    compared: int = 0
    """Pairwise comparisons made."""
    compared_escalated: int = 0
    """Of which the expensive RM decided."""
    scored: int = 0
    """Pointwise scores made."""
    scored_escalated: int = 0
    """Of which the expensive RM scored."""

    @property
    def escalation_rate(self) -> float:
        """Escalated share of all calls (0 before any)."""
        total = self.compared + self.scored
        return (self.compared_escalated + self.scored_escalated) / total if total else 0.0


class CascadeRM:
    """Cheap reward model first; escalate uncertain cases to the expensive one."""

    def __init__(
        self,
        cheap: RewardModel,
        expensive: RewardModel,
        *,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
        band: float = DEFAULT_BAND,
        spec_string: str | None = None,
        threshold_source: str = "default",
    ) -> None:
        if not 0.5 <= min_confidence <= 1.0001:
            raise UserError(
                f"cascade threshold (min_confidence) must be in [0.5, 1], got {min_confidence!r}"
            )
        if not 0.0 <= band <= 0.5:
            raise UserError(f"cascade band must be in [0, 0.5], got {band!r}")
        self.cheap = cheap
        self.expensive = expensive
        self.min_confidence = float(min_confidence)
        self.band = float(band)
        self.stats = CascadeStats()
        self.spec = RMSpec(
            name="cascade",
            args={
                "spec_string": spec_string or f"cascade:{cheap.spec.label}>{expensive.spec.label}",
                "cheap": cheap.spec.label,
                "expensive": expensive.spec.label,
                "min_confidence": self.min_confidence,
                "band": self.band,
                "threshold_source": threshold_source,
                "member_versions": [cheap.spec.version, expensive.spec.version],
            },
            version=CASCADE_VERSION,
        )

    async def aclose(self) -> None:
        """Close both members' connections (members without ``aclose`` are skipped)."""
        await close_members([self.cheap, self.expensive])

    @property
    def escalation_rate(self) -> float:
        """Share of calls so far that went to the expensive RM."""
        return self.stats.escalation_rate

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Cheap verdict if confident, else the expensive one."""
        start = time.perf_counter()
        first = await self.cheap.compare(pair)
        self.stats.compared += 1
        sure = first.winner in ("A", "B") and first.confidence >= self.min_confidence
        cheap_ev = {
            "rm": self.cheap.spec.label,
            "winner": first.winner,
            "confidence": first.confidence,
            "rationale": first.rationale[:500],
        }
        if sure:
            return replace(
                first,
                scorer=self.spec.name,
                version=self.spec.version,
                rationale=f"cheap RM {self.cheap.spec.label} decided (confidence {first.confidence:.2f} >= {self.min_confidence:.2f}): {first.rationale}",
                latency_s=time.perf_counter() - start,
                evidence={"escalated": False, "cheap": cheap_ev, "cheap_evidence": first.evidence},
            )
        self.stats.compared_escalated += 1
        second = await self.expensive.compare(pair)
        why = (
            f"{first.winner}"
            if first.winner not in ("A", "B")
            else f"confidence {first.confidence:.2f} < {self.min_confidence:.2f}"
        )
        return replace(
            second,
            scorer=self.spec.name,
            version=self.spec.version,
            rationale=f"escalated to {self.expensive.spec.label} (cheap RM said {why}): {second.rationale}",
            raw=first.raw + second.raw,
            latency_s=time.perf_counter() - start,
            tokens=first.tokens + second.tokens,
            cost=first.cost + second.cost,
            evidence={"escalated": True, "cheap": cheap_ev, "expensive_evidence": second.evidence},
        )

    async def score_update(self, update: UpdateContext) -> Reward:
        """Cheap score unless it is within ``band`` of 0.5, else the expensive score."""
        start = time.perf_counter()
        first = await self.cheap.score_update(update)
        self.stats.scored += 1
        if abs(first.value - 0.5) >= self.band:
            return replace(
                first,
                scorer=self.spec.name,
                version=self.spec.version,
                latency_s=time.perf_counter() - start,
                evidence={
                    "escalated": False,
                    "cheap_value": first.value,
                    "cheap_evidence": first.evidence,
                },
            )
        self.stats.scored_escalated += 1
        second = await self.expensive.score_update(update)
        return replace(
            second,
            scorer=self.spec.name,
            version=self.spec.version,
            rationale=f"escalated to {self.expensive.spec.label} (cheap score {first.value:.3f} within {self.band} of 0.5): {second.rationale}",
            latency_s=time.perf_counter() - start,
            tokens=first.tokens + second.tokens,
            cost=first.cost + second.cost,
            evidence={
                "escalated": True,
                "cheap_value": first.value,
                "expensive_evidence": second.evidence,
            },
        )


@register("cascade", "cheap RM first, expensive when unsure: cascade:<cheap>><expensive>")
def make_cascade(arg: str, **overrides: Any) -> CascadeRM:
    """Build ``cascade:<cheap>><expensive>``; both members get the same keyword overrides."""
    cheap_spec, sep, expensive_spec = arg.partition(">")
    if not sep or not cheap_spec.strip() or not expensive_spec.strip():
        raise UserError(
            f"cascade spec {'cascade:' + arg!r} needs two members: 'cascade:<cheap>><expensive>', e.g. 'cascade:heuristic>llm:openai/gpt-4o-mini'"
        )
    passed = member_overrides(overrides)
    cheap = make_reward_model(cheap_spec.strip(), **passed)
    expensive = make_reward_model(expensive_spec.strip(), **passed)
    threshold = overrides.get("threshold", overrides.get("min_confidence"))
    source = "override"
    if threshold is None and overrides.get("calibration"):
        from rewards.calibration import load_calibration

        cal = load_calibration(overrides["calibration"])
        if cal.cascade is None:
            raise UserError(
                f"calibration {cal.name!r} has no cascade threshold; fit it with cascade=(cheap, expensive)"
            )
        if (cal.cascade.cheap, cal.cascade.expensive) != (cheap.spec.label, expensive.spec.label):
            raise UserError(
                f"calibration {cal.name!r} was fitted for cascade {cal.cascade.cheap!r} > {cal.cascade.expensive!r}, "
                f"not {cheap.spec.label!r} > {expensive.spec.label!r}; refit it for these members"
            )
        threshold, source = cal.cascade.min_confidence, f"calibration:{cal.name}"
    if threshold is None:
        threshold, source = DEFAULT_MIN_CONFIDENCE, "default"
    try:
        threshold = min(
            1.0001, max(0.5, float(threshold))
        )  # the fitted threshold may sit just past 1 ("always escalate")
    except (TypeError, ValueError):
        raise UserError(
            f"cascade threshold must be a number in [0.5, 1], got {threshold!r}"
        ) from None
    band = overrides.get("band", DEFAULT_BAND)
    return CascadeRM(
        cheap,
        expensive,
        min_confidence=threshold,
        band=float(band),
        spec_string=f"cascade:{arg}",
        threshold_source=source,
    )
