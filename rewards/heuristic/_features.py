"""The feature table: every signal's family, direction, weight and smoothing, and extraction.

Weights are stated here, in one place, so a rationale can cite them and a calibration can
replace them. ``penalty`` features are worse when higher; ``quality`` features better when higher.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rewards.heuristic._answer import answer_features
from rewards.heuristic._constraints import constraint_features
from rewards.heuristic._coverage import coverage_features
from rewards.heuristic._grounding import grounding_features
from rewards.heuristic._parse import ParsedTrajectory
from rewards.heuristic._question import QuestionFacts
from rewards.heuristic._redundancy import redundancy_features
from rewards.heuristic._staleness import staleness_features

__all__ = ["FEATURES", "Family", "FeatureSpec", "extract"]

Family = Literal["redundancy", "grounding", "coverage", "staleness", "constraints", "answer"]


@dataclass(frozen=True, kw_only=True)
class FeatureSpec:
    """How one raw feature turns into a penalty."""

    name: str
    """Key in the feature dict."""
    family: Family
    """Feature family, for the rationale."""
    direction: Literal["penalty", "quality"]
    """``penalty``: higher is worse; ``quality``: a fraction where higher is better."""
    weight: float
    """Relative importance in the score."""
    smooth: float
    """Added to the pair's maximum (pairwise) or to the value (pointwise) so that tiny
    differences do not swing the score."""
    describe: str
    """What the feature measures, in words."""


FEATURES: dict[str, FeatureSpec] = {
    f.name: f
    for f in (
        FeatureSpec(
            name="wrong_steps",
            family="redundancy",
            direction="penalty",
            weight=3.0,
            smooth=0.5,
            describe="steps carrying non-empty wrong/rejected updates",
        ),
        FeatureSpec(
            name="wrong_words",
            family="redundancy",
            direction="penalty",
            weight=1.0,
            smooth=20.0,
            describe="words of rejected updates carried along",
        ),
        FeatureSpec(
            name="dup_sentences",
            family="redundancy",
            direction="penalty",
            weight=2.0,
            smooth=0.05,
            describe="share of memory sentences repeating an earlier one",
        ),
        FeatureSpec(
            name="dup_items",
            family="redundancy",
            direction="penalty",
            weight=2.0,
            smooth=0.05,
            describe="share of stored memories duplicating another",
        ),
        FeatureSpec(
            name="transcript_dump",
            family="redundancy",
            direction="penalty",
            weight=3.0,  # below facts_final: a raw store that can answer beats a tidy one that cannot
            smooth=0.1,
            describe="share of the conversation's turns stored verbatim (a raw transcript dump)",
        ),
        FeatureSpec(
            name="assistant_items",
            family="redundancy",
            direction="penalty",
            weight=2.0,
            smooth=0.1,
            describe="share of stored memories recording what the chat assistant said",
        ),
        FeatureSpec(
            name="invented_names",
            family="grounding",
            direction="penalty",
            weight=2.0,
            smooth=1.0,
            describe="names the context never mentions",
        ),
        FeatureSpec(
            name="invented_numbers",
            family="grounding",
            direction="penalty",
            weight=2.0,
            smooth=1.0,
            describe="numbers the context never states",
        ),
        FeatureSpec(
            name="unsupported_claims",
            family="grounding",
            direction="penalty",
            weight=3.0,
            smooth=0.5,
            describe="memory claims about named things that no context sentence supports",
        ),
        FeatureSpec(
            name="unsupported_words",
            family="grounding",
            direction="penalty",
            weight=1.0,
            smooth=0.05,
            describe="share of memory words absent from the context",
        ),
        FeatureSpec(
            name="facts_final",
            family="coverage",
            direction="quality",
            weight=4.0,
            smooth=0.05,
            describe="evidence facts kept in the memory the answer reads",
        ),
        FeatureSpec(
            name="latest_kept",
            family="coverage",
            direction="quality",
            weight=3.0,
            smooth=0.05,
            describe="the answer's memory holds what the context last said about the question",
        ),
        FeatureSpec(
            name="stale_values",
            family="staleness",
            direction="penalty",
            weight=3.0,
            smooth=0.5,
            describe="values the context later replaced, still stated without their replacement",
        ),
        FeatureSpec(
            name="changes_missed",
            family="staleness",
            direction="penalty",
            weight=3.0,
            smooth=0.5,
            describe="later changes of the asked amount that the memory's worked-out total leaves out",
        ),
        FeatureSpec(
            name="facts_dropped",
            family="coverage",
            direction="penalty",
            weight=2.0,
            smooth=0.05,
            describe="evidence facts once held, then dropped",
        ),
        FeatureSpec(
            name="query_names",
            family="coverage",
            direction="quality",
            weight=1.5,
            smooth=0.05,
            describe="question's names kept in the final memory",
        ),
        FeatureSpec(
            name="nonempty",
            family="coverage",
            direction="quality",
            weight=5.0,
            smooth=0.01,
            describe="the memory store holds anything",
        ),
        FeatureSpec(
            name="bullet_coverage",
            family="coverage",
            direction="quality",
            weight=1.0,
            smooth=0.05,
            describe="instruction items covered by the sections",
        ),
        FeatureSpec(
            name="lines_lost",
            family="coverage",
            direction="penalty",
            weight=2.0,
            smooth=0.5,
            describe="informative conversation lines the other store keeps and this one lost",
        ),
        FeatureSpec(
            name="updates_missed",
            family="staleness",
            direction="penalty",
            weight=3.0,
            smooth=0.5,
            describe='the speaker\'s updates ("actually", "now", "no longer") the other store took in and this one did not',
        ),
        FeatureSpec(
            name="stale_items",
            family="staleness",
            direction="penalty",
            weight=4.0,
            smooth=0.5,
            describe="stored values the conversation later replaced",
        ),
        FeatureSpec(
            name="stale_query",
            family="staleness",
            direction="penalty",
            weight=4.0,
            smooth=0.5,
            describe="replaced values about what the question asks",
        ),
        FeatureSpec(
            name="restated_altered",
            family="constraints",
            direction="penalty",
            weight=3.0,
            smooth=0.5,
            describe="restated instruction sentences that the instruction does not contain",
        ),
        FeatureSpec(
            name="requirements_missed",
            family="constraints",
            direction="penalty",
            weight=5.0,
            smooth=0.5,
            describe="sections missing a requirement that applies to them",
        ),
        FeatureSpec(
            name="relation_violations",
            family="constraints",
            direction="penalty",
            weight=4.0,
            smooth=0.5,
            describe="section statements relating names in a way the instruction never states",
        ),
        FeatureSpec(
            name="polarity_flips",
            family="constraints",
            direction="penalty",
            weight=2.0,
            smooth=0.5,
            describe="section sentences contradicting an instruction item",
        ),
        FeatureSpec(
            name="number_conflicts",
            family="constraints",
            direction="penalty",
            weight=2.0,
            smooth=0.5,
            describe="section numbers differing from the instruction's",
        ),
        FeatureSpec(
            name="answer_support",
            family="answer",
            direction="quality",
            weight=1.5,
            smooth=0.05,
            describe="answer words backed by the final memory or context",
        ),
        FeatureSpec(
            name="answer_latest",
            family="answer",
            direction="quality",
            weight=2.0,
            smooth=0.05,
            describe="the answer gives the context's last word (the place or holder it gave last; no when it last said not)",
        ),
        FeatureSpec(
            name="answer_gives_up",
            family="answer",
            direction="penalty",
            weight=1.5,
            smooth=0.5,
            describe="the answer gives up",
        ),
    )
}


def extract(t: ParsedTrajectory, q: QuestionFacts) -> dict[str, float]:
    """Every raw feature value of one trajectory."""
    out: dict[str, float] = {}
    for fn in (
        redundancy_features,
        grounding_features,
        coverage_features,
        staleness_features,
        constraint_features,
        answer_features,
    ):
        out.update(fn(t, q))
    return out
