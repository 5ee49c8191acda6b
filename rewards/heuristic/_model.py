"""The heuristic reward model: offline, deterministic, no model calls.

``compare`` parses both trajectories, reads the question once (cached), extracts every feature,
scores the pair (see ``_pairwise``) and returns a verdict whose rationale lists the per-feature
breakdown and the features that decided it. ``score_update`` scores one memory update (see
``_pointwise``). Both run the CPU work in a worker thread so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from rewards._types import PairInput, PairwiseVerdict, Reward, RMSpec, UpdateContext
from rewards.heuristic._confidence import CONFIDENCE_TABLE, calibrated_confidence
from rewards.heuristic._coverage import paired_fact_coverage
from rewards.heuristic._features import FEATURES, extract
from rewards.heuristic._pairwise import PairScore, score_pair
from rewards.heuristic._parse import ParsedTrajectory, parse_trajectory
from rewards.heuristic._pointwise import score_update_features
from rewards.heuristic._question import analyse_question
from rewards.heuristic._staleness import paired_lines_lost, paired_updates_missed
from rewards.heuristic._text import stable_hash

__all__ = ["SCORER_VERSION", "HeuristicRM", "Mode"]

SCORER_VERSION = "28"
"""Bump whenever the same input could score differently."""

Mode = Literal["compat", "robust"]
"""``compat``: always pick A or B; ``robust``: answer ``tie`` when the margin is below ``tie_margin``."""


@dataclass(kw_only=True)
class HeuristicRM:
    """Offline heuristic reward model (the default RM)."""

    mode: Mode = "compat"
    """Verdict policy: ``compat`` always picks a side; ``robust`` may answer ``tie``."""
    tie_margin: float = 0.01
    """Robust mode: score margins below this are ties."""
    weights: dict[str, float] | None = None
    """Per-feature weight overrides (from a calibration); None = the stated defaults."""
    spec: RMSpec = field(init=False)
    """Name, arguments and version, recorded in every result."""

    def __post_init__(self) -> None:
        args: dict[str, Any] = {"mode": self.mode, "tie_margin": self.tie_margin}
        if self.weights:
            args["weights"] = dict(sorted(self.weights.items()))
        self.spec = RMSpec(name="heuristic", args=args, version=SCORER_VERSION)

    async def compare(self, pair: PairInput) -> PairwiseVerdict:
        """Say which trajectory is better (CPU work in a worker thread)."""
        return await asyncio.to_thread(self.compare_sync, pair)

    async def score_update(self, update: UpdateContext) -> Reward:
        """Score one memory update in [0, 1] (CPU work in a worker thread)."""
        return await asyncio.to_thread(self.score_update_sync, update)

    def compare_sync(self, pair: PairInput) -> PairwiseVerdict:
        """Synchronous :meth:`compare`, for benchmarks and batch use off the event loop."""
        t0 = time.perf_counter()
        q = analyse_question(pair.question)
        ta = parse_trajectory(pair.trajectory_a, kind=pair.kind)
        tb = parse_trajectory(pair.trajectory_b, kind=pair.kind)
        fa, fb = extract(ta, q), extract(tb, q)
        if "facts_final" in fa and "facts_final" in fb:
            paired = paired_fact_coverage(ta, tb, q)
            if paired is not None:
                fa["facts_final"], fb["facts_final"] = paired
        lost = paired_lines_lost(ta, tb, q)
        if (
            lost is not None
            and max(fa.get("transcript_dump", 0.0), fb.get("transcript_dump", 0.0)) < 0.5
        ):
            # (against a raw dump, which keeps every line by choosing none, "lost" says nothing)
            fa["lines_lost"], fb["lines_lost"] = lost
            missed = paired_updates_missed(ta, tb, q)
            if missed is not None:
                fa["updates_missed"], fb["updates_missed"] = missed
        ps = score_pair(fa, fb, self.weights)
        winner, how = self._decide(ps, pair)
        margin = ps.score_a - ps.score_b
        # the accuracy measured at this margin on data the heuristic was not developed on
        confidence = 0.5 if winner == "tie" else calibrated_confidence(margin)
        if winner != "tie" and _indirectly_led(ps, winner):
            confidence = min(confidence, INDIRECT_CONFIDENCE)
        decided = _deciders(ps, winner)
        examples = _examples(ta, tb, decided)
        rationale = _rationale(ps, winner, how, decided)
        for name, sides in examples.items():
            for side, items in sides.items():
                if items:
                    shown = "; ".join(repr(x[:140]) for x in items[:2])
                    rationale += f"\nExamples ({name}, {side.upper()}): {shown}"
        return PairwiseVerdict(
            winner=winner,
            confidence=confidence,
            rationale=rationale,
            scorer="heuristic",
            version=SCORER_VERSION,
            score_a=ps.score_a,
            score_b=ps.score_b,
            latency_s=time.perf_counter() - t0,
            evidence={
                "features": ps.rows,
                "layout": {"a": ta.layout, "b": tb.layout},
                "margin": margin,
                "decided_by": decided,
                "examples": examples,
                "decision": how,
                "mode": self.mode,
            },
        )

    def score_update_sync(self, update: UpdateContext) -> Reward:
        """Synchronous :meth:`score_update`."""
        t0 = time.perf_counter()
        us = score_update_features(update)
        worst = sorted(us.penalties.items(), key=lambda kv: -kv[1])
        parts = [f"{k}={us.features[k]:.3g} (penalty {p:.2f})" for k, p in worst if p > 0]
        rationale = f"score {us.value:.3f}; " + ("; ".join(parts) if parts else "no problem found")
        return Reward(
            value=us.value,
            rationale=rationale,
            scorer="heuristic",
            version=SCORER_VERSION,
            latency_s=time.perf_counter() - t0,
            evidence={"features": us.features, "penalties": us.penalties},
        )

    def _decide(self, ps: PairScore, pair: PairInput) -> tuple[Literal["A", "B", "tie"], str]:
        margin = ps.score_a - ps.score_b
        if self.mode == "robust" and abs(margin) < self.tie_margin:
            return "tie", f"margin {abs(margin):.4f} below the tie threshold {self.tie_margin}"
        if margin > 0:
            return "A", f"A scores higher by {margin:.4f}"
        if margin < 0:
            return "B", f"B scores higher by {-margin:.4f}"
        # Exactly equal: a content-based tie-break that flips with the order, never a position.
        ha = (stable_hash(pair.trajectory_a), len(pair.trajectory_a))
        hb = (stable_hash(pair.trajectory_b), len(pair.trajectory_b))
        if ha == hb:
            return "A", "identical trajectories (no preference; first side returned)"
        return ("A" if ha < hb else "B"), "equal scores, broken by a content hash (coin flip)"


def _examples(
    ta: ParsedTrajectory, tb: ParsedTrajectory, decided: list[str]
) -> dict[str, dict[str, list[str]]]:
    """The concrete memories, claims or sections behind the deciding features, per side."""
    out: dict[str, dict[str, list[str]]] = {}
    for name in decided:
        per = {side: t.notes.get(name, []) for side, t in (("a", ta), ("b", tb))}
        if any(per.values()):
            out[name] = per
    return out


def _deciders(ps: PairScore, winner: str) -> list[str]:
    if winner not in ("A", "B"):
        return []
    sign = 1.0 if winner == "A" else -1.0
    rows = sorted(ps.rows.items(), key=lambda kv: -sign * kv[1].get("contribution", 0.0))
    return [n for n, r in rows if sign * r.get("contribution", 0.0) > 0.005][:3]


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"


def _rationale(ps: PairScore, winner: str, how: str, decided: list[str]) -> str:
    head = f"Verdict {winner}: score A {ps.score_a:.3f} vs B {ps.score_b:.3f} ({how})."
    if decided:
        why = "; ".join(
            f"{FEATURES[n].describe}: A {_fmt(ps.rows[n]['a'])} vs B {_fmt(ps.rows[n]['b'])}"
            for n in decided
        )
        head += f" Decided by {why}."
    lines = [head, "Per feature (A | B | weight | contribution to A-B):"]
    for n, r in ps.rows.items():
        if r["a"] == r["b"] == 0 and r.get("contribution", 0.0) == 0:
            continue
        lines.append(
            f"- {FEATURES[n].family}/{n}: {_fmt(r['a'])} | {_fmt(r['b'])} | {r['weight']:g} | {r.get('contribution', 0.0):+.3f}"
        )
    return "\n".join(lines)


INDIRECT_CONFIDENCE = CONFIDENCE_TABLE[0][1]
"""Confidence ceiling of a verdict whose strongest evidence is indirect: the accuracy of the
smallest margins, below the cascade's usual threshold, so such verdicts are escalated.

Indirect evidence is what a right memory can also show: the grounding detectors compare words,
so a paraphrase, a sentence joining two facts or a worked-out value looks to them like an
invention; a fact "held, then dropped" may have been rightly replaced by an update the detector
did not recognise; a question's name may be left out of a memory that is plainly about it. The
direct signs -- the context's latest word kept, a worked-out total folding in every change,
failed attempts kept in the record, the evidence held at the end -- are trusted at their margin.

Measured on the first judgments of the hand-written check sets: grounding alone decided 22
reasoning verdicts of sets 8-18 and 6 were right; led by grounding, facts_dropped or query_names,
the reasoning verdicts of sets 16-25 were right 4 times in 30. Capping them raises the reasoning
verdicts a cascade at 0.75 keeps from 79.6% to 88.6% right on sets 19-25, escalating 27% instead
of 18% (no change on the generated suites, where no verdict is led by them). The rule was shaped
on those sets; sets written after it test it."""


_INDIRECT = frozenset({"facts_dropped", "query_names"})


def _indirectly_led(ps: PairScore, winner: str) -> bool:
    """Whether the largest single contribution in ``winner``'s favour is indirect evidence (a
    grounding feature, a dropped fact, the question's names)."""
    sign = 1.0 if winner == "A" else -1.0
    best, top = 0.0, ""
    for name, row in ps.rows.items():
        c = sign * row.get("contribution", 0.0)
        if c > best:
            best, top = c, name
    return bool(top) and (FEATURES[top].family == "grounding" or top in _INDIRECT)
