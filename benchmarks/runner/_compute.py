"""``results.json`` computed from the ledger alone, in a deterministic order.

The ledger may hold its lines in any order (concurrency, resumes); everything here sorts by
(source order, record index, order) first, so an interrupted-and-resumed run and an uninterrupted
one give the same document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.runner._metrics import bucket
from benchmarks.runner._results import (
    Baseline,
    Bucket,
    DataFile,
    Mode,
    Prediction,
    Results,
    RMInfo,
    Timing,
)
from benchmarks.settings import LENGTHS, SETTINGS, TASK_GROUPS, UNMAPPED, task_group
from rewards import PairwiseVerdict, combine_orders

__all__ = ["PairOutcome", "compute_results", "pair_outcomes"]

BASELINES = ("always-A", "always-shorter", "always-longer", "fewer-wrong")
"""Surface rules scored on the same pairs and orders: the A slot, the shorter or longer side (in
characters), and the side whose trajectory records fewer failed update attempts
(``<wrong_updated_memories>`` blocks that are not the placeholder). A tie picks A."""


@dataclass(frozen=True, kw_only=True)
class PairOutcome:
    """The final verdict on one pair (both orders combined when both ran)."""

    pair_id: str
    source: str
    index: int
    setting: str
    length: str
    verdict: str
    """Final verdict in the chosen-is-A frame for combined pairs; 'error' when any order raised."""
    correct: bool
    primary: Prediction
    """The judgment in the protocol's order (carries the pair's lengths and slot)."""
    other: Prediction | None
    """The swapped-order judgment, when both orders ran."""


def _as_verdict(p: Prediction) -> PairwiseVerdict:
    winner = "unparsed" if p.verdict == "error" else p.verdict
    return PairwiseVerdict(
        winner=winner,  # type: ignore[arg-type]
        confidence=0.5 if p.confidence is None else p.confidence,
        rationale=p.rationale,
        score_a=p.score_a,
        score_b=p.score_b,
        raw=tuple(p.raw),
        tokens=p.tokens,
        cost=p.cost,
    )


def pair_outcomes(
    predictions: Sequence[Prediction], source_order: Sequence[str]
) -> list[PairOutcome]:
    """Group ledger lines by pair and decide each pair, sorted deterministically.

    Lines are read in ledger order; when a (pair, order) appears twice (an error retried with
    ``retry_errors``), the later line counts.
    """
    rank = {name: i for i, name in enumerate(source_order)}
    groups: dict[str, dict[str, Prediction]] = defaultdict(dict)
    for p in predictions:
        groups[p.pair_id][p.chosen_as] = (
            p  # one per (pair, order); a later line (a retry) supersedes
        )
    out: list[PairOutcome] = []
    for pid, by_slot in groups.items():
        preds = sorted(by_slot.values(), key=lambda p: (not p.primary, p.chosen_as))
        primary = preds[0]
        other = preds[1] if len(preds) > 1 else None
        if other is None:
            verdict = primary.verdict
            correct = primary.correct
        elif "error" in (primary.verdict, other.verdict):
            verdict, correct = "error", False
        else:
            ab = by_slot["A"]  # chosen presented as Agent A
            ba = by_slot["B"]  # chosen presented as Agent B: verdict "B" means chosen
            verdict = combine_orders(_as_verdict(ab), _as_verdict(ba)).winner
            correct = verdict == "A"
        out.append(
            PairOutcome(
                pair_id=pid,
                source=primary.source,
                index=primary.index,
                setting=primary.setting,
                length=primary.length,
                verdict=verdict,
                correct=correct,
                primary=primary,
                other=other,
            )
        )
    out.sort(key=lambda o: (rank.get(o.source, len(rank)), o.source, o.index, o.pair_id))
    return out


def _skipped(o: PairOutcome) -> bool:
    return o.primary.verdict == "skipped" or (o.other is not None and o.other.verdict == "skipped")


def _breakdown(
    outcomes: Sequence[PairOutcome], correct: Callable[[PairOutcome], bool]
) -> tuple[Bucket, dict[str, Bucket], dict[str, Bucket], dict[str, Bucket]]:
    by_setting: dict[str, list[bool]] = {s: [] for s in SETTINGS}
    by_length: dict[str, list[bool]] = {k: [] for k in LENGTHS}
    by_task: dict[str, list[bool]] = {g: [] for g in TASK_GROUPS}
    overall: list[bool] = []
    for o in outcomes:
        ok = correct(o)
        overall.append(ok)
        by_setting.setdefault(o.setting, []).append(ok)
        by_length.setdefault(o.length, []).append(ok)
        group = task_group(o.setting)
        if group is not None:
            by_task[group].append(ok)
    settings = {k: bucket(v) for k, v in by_setting.items() if k != UNMAPPED or v}
    return (
        bucket(overall),
        settings,
        {k: bucket(v) for k, v in by_length.items()},
        {k: bucket(v) for k, v in by_task.items()},
    )


def _baseline_correct(name: str) -> Callable[[PairOutcome], bool]:
    def judge(o: PairOutcome) -> bool:
        p = o.primary
        if name == "always-A":
            pick_chosen = p.chosen_as == "A"
        elif name == "fewer-wrong":
            if p.chosen_wrong == p.rejected_wrong:
                pick_chosen = p.chosen_as == "A"
            else:
                pick_chosen = p.chosen_wrong < p.rejected_wrong
        else:
            a_chars, b_chars = (
                (p.chosen_chars, p.rejected_chars)
                if p.chosen_as == "A"
                else (p.rejected_chars, p.chosen_chars)
            )
            if a_chars == b_chars:
                pick = "A"
            elif name == "always-shorter":
                pick = "A" if a_chars < b_chars else "B"
            else:
                pick = "A" if a_chars > b_chars else "B"
            pick_chosen = pick == p.chosen_as
        return pick_chosen

    return judge


def compute_results(
    predictions: Sequence[Prediction],
    *,
    rm: RMInfo,
    mode: Mode,
    both_orders: bool,
    data_files: list[DataFile],
    load_issues: list[str],
    timing: Timing | None = None,
) -> Results:
    """Build the results document from ledger lines (any order, duplicates ignored).

    Pairs skipped under the official over-length rule (any order ``skipped``) are counted in
    ``n_skipped`` and left out of every accuracy, as the official local runner leaves them out.
    """
    every = pair_outcomes(predictions, [f.source for f in data_files])
    outcomes = [o for o in every if not _skipped(o)]
    overall, by_setting, by_length, by_task = _breakdown(outcomes, lambda o: o.correct)
    cells: dict[str, dict[str, list[bool]]] = {}
    for o in outcomes:
        cells.setdefault(o.setting, {}).setdefault(o.length, []).append(o.correct)
    by_setting_length = {
        s: {
            k: bucket(cells.get(s, {}).get(k, []))
            for k in [*LENGTHS, *sorted(set(cells.get(s, {})) - set(LENGTHS))]
        }
        for s in [*SETTINGS, *sorted(set(cells) - set(SETTINGS))]
    }
    judgments = [
        p for o in outcomes for p in ((o.primary,) if o.other is None else (o.primary, o.other))
    ]
    n_pairs = len(outcomes)
    n_ties = sum(o.verdict == "tie" for o in outcomes)
    unparsed_j = sum(p.verdict == "unparsed" for p in judgments)
    two = [o for o in outcomes if o.other is not None and o.verdict != "error"]
    consistency = position_bias = None
    if both_orders and two:
        agree = 0
        for o in two:
            assert o.other is not None
            picks = {
                (p.verdict == p.chosen_as) if p.verdict in ("A", "B") else None
                for p in (o.primary, o.other)
            }
            agree += len(picks) == 1 and None not in picks
        consistency = round(agree / len(two), 6)
        parsed = [p for p in judgments if p.verdict in ("A", "B")]
        if parsed:
            position_bias = round(sum(p.verdict == "A" for p in parsed) / len(parsed) - 0.5, 6)
    by_order = {
        "chosen_first": bucket(p.correct for p in judgments if p.chosen_as == "A"),
        "chosen_second": bucket(p.correct for p in judgments if p.chosen_as == "B"),
    }
    baselines: dict[str, Baseline] = {}
    for name in BASELINES:
        b_all, b_set, b_len, b_task = _breakdown(outcomes, _baseline_correct(name))
        baselines[name] = Baseline(
            accuracy=b_all.accuracy,
            ci95=b_all.ci95,
            by_setting=b_set,
            by_length=b_len,
            by_task=b_task,
        )
    return Results(
        reward_model=rm,
        mode=mode,
        both_orders=both_orders,
        n_pairs=n_pairs,
        n_judgments=len(judgments),
        n_unparsed=sum(o.verdict == "unparsed" for o in outcomes),
        n_unmapped=sum(o.setting == UNMAPPED for o in outcomes),
        n_errors=sum(o.verdict == "error" for o in outcomes),
        n_ties=n_ties,
        accuracy=overall.accuracy,
        ci95=overall.ci95,
        tie_rate=round(n_ties / n_pairs, 6) if n_pairs else None,
        parse_failure_rate=round(unparsed_j / len(judgments), 6) if judgments else None,
        consistency=consistency,
        position_bias=position_bias,
        by_setting=by_setting,
        by_length=by_length,
        by_task=by_task,
        by_setting_length=by_setting_length,
        by_order=by_order,
        baselines=baselines,
        tokens=sum(p.tokens for p in judgments),
        cost=round(sum(p.cost for p in judgments), 6),
        data_files=data_files,
        load_issues=load_issues,
        n_skipped=len(every) - len(outcomes),
        timing=timing or Timing(),
    )
