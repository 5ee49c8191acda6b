"""Calibration: fit ensemble weights and cascade thresholds on a labelled suite, save, load by name.

A *labelled suite of predictions* is, per pair, the correct side and what each reward model said
(:class:`LabelledPrediction`). :func:`collect_predictions` builds one by running reward models over
labelled pairs, :func:`suite_from_runs` reads it from benchmark run folders; :func:`fit_calibration`
turns it into a :class:`Calibration`:

* per member: accuracy on decided pairs, coverage, a vote weight ``log(acc / (1 - acc))`` (the
  optimal weight of an independent voter in a weighted majority; Laplace-smoothed, floored at 0),
  and a reliability curve mapping the member's stated confidence to its measured accuracy
  (isotonic, pool-adjacent-violators);
* for an ensemble: the members and their weights, with the vote's accuracy on the suite;
* for a cascade (cheap, expensive): the confidence below which the cheap verdict is escalated,
  chosen to maximise suite accuracy minus ``cost_per_escalation`` x escalation rate;
* for the gate policy: per reward model, the pointwise score threshold that best separates
  labelled good and bad updates (:class:`LabelledScore`; balanced accuracy).

Saved as a small versioned JSON file. ``load_calibration(x)`` takes a path, or a name looked up in
``$AGENTMEM_CALIBRATION_DIR``, then ``~/.agentmem/calibrations``, then the calibrations bundled
in this package (``rewards/calibrations/<name>.json``). All figures are in-sample: fit on one
suite, check on another before trusting them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from agentmem.exceptions import UnknownNameError, UserError
from rewards._types import PairInput, PairwiseVerdict, RewardModel, Winner

__all__ = [
    "CALIBRATION_VERSION",
    "Calibration",
    "CascadeCalibration",
    "EnsembleCalibration",
    "GateCalibration",
    "LabelledPrediction",
    "LabelledScore",
    "MemberCalibration",
    "Prediction",
    "calibration_dirs",
    "collect_predictions",
    "fit_calibration",
    "fit_gates",
    "load_calibration",
    "save_calibration",
    "suite_from_runs",
]

CALIBRATION_VERSION = 1
"""File format version; a file with a newer version is refused with a clear error."""


class Prediction(BaseModel):
    """What one reward model said about one pair."""

    winner: Winner
    confidence: float = Field(0.5, ge=0.0, le=1.0)
    score_a: float | None = None
    score_b: float | None = None

    @classmethod
    def of(cls, verdict: PairwiseVerdict) -> Prediction:
        """From a :class:`~rewards.PairwiseVerdict`."""
        return cls(
            winner=verdict.winner,
            confidence=verdict.confidence,
            score_a=verdict.score_a,
            score_b=verdict.score_b,
        )


class LabelledPrediction(BaseModel):
    """One pair of the suite: the correct side and every member's prediction."""

    pair_id: str
    label: Literal["A", "B"]
    """The better trajectory (the benchmark's ``chosen`` side)."""
    setting: str | None = None
    predictions: dict[str, Prediction]
    """Keyed by reward-model label (its spec string)."""


class ReliabilityPoint(BaseModel):
    """Stated confidence up to ``upto`` -> measured accuracy ``accuracy`` (over ``n`` pairs)."""

    upto: float
    accuracy: float
    n: int


class MemberCalibration(BaseModel):
    """How one reward model did on the suite."""

    n: int
    """Pairs it was run on."""
    decided: int
    """Pairs where it said A or B."""
    accuracy: float
    """Correct / decided (0.5 when it decided nothing)."""
    coverage: float
    """Decided / n."""
    weight: float
    """Vote weight: log-odds of its smoothed accuracy, floored at 0."""
    reliability: list[ReliabilityPoint] = Field(default_factory=list)
    """Confidence -> accuracy, monotone non-decreasing."""

    def calibrated_confidence(self, confidence: float) -> float:
        """Measured accuracy for a stated confidence (the stated value when there is no curve)."""
        for point in self.reliability:
            if confidence <= point.upto:
                return point.accuracy
        return self.reliability[-1].accuracy if self.reliability else confidence


class EnsembleCalibration(BaseModel):
    """Fitted weighted vote."""

    members: list[str]
    weights: list[float]
    accuracy: float
    """Accuracy of the weighted vote on the suite (ties count as wrong)."""


class CascadeCalibration(BaseModel):
    """Fitted escalation threshold."""

    cheap: str
    expensive: str
    min_confidence: float
    """Escalate when the cheap verdict's confidence is below this (or it is a tie / unparsed)."""
    accuracy: float
    escalation_rate: float
    curve: list[tuple[float, float, float]] = Field(default_factory=list)
    """(threshold, accuracy, escalation rate) for the thresholds tried."""


class LabelledScore(BaseModel):
    """One pointwise score of an update whose quality is known (e.g. accepted vs rejected updates)."""

    rm: str
    """Reward-model label."""
    value: float = Field(ge=0.0, le=1.0)
    good: bool
    """Whether the update was a good one."""


class GateCalibration(BaseModel):
    """A fitted gate threshold: accept updates scoring at least ``threshold``."""

    threshold: float
    balanced_accuracy: float
    """Mean of the accept rate on good updates and the reject rate on bad ones, at the threshold."""
    n_good: int
    n_bad: int


class Calibration(BaseModel):
    """A fitted calibration file."""

    # Field order is the file's layout: keep ``version`` first.
    version: int = CALIBRATION_VERSION
    name: str
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    pairs: int
    """Suite size."""
    settings: list[str] = Field(default_factory=list)
    """Settings present in the suite."""
    members: dict[str, MemberCalibration]
    ensemble: EnsembleCalibration | None = None
    cascade: CascadeCalibration | None = None
    gates: dict[str, GateCalibration] = Field(default_factory=dict)
    """Pointwise gate thresholds per reward model (from labelled update scores)."""

    def weights_for(self, labels: Sequence[str]) -> list[float] | None:
        """Vote weights for these member labels, when all of them were calibrated."""
        if all(label in self.members for label in labels):
            return [self.members[label].weight for label in labels]
        return None


# -- fitting ---------------------------------------------------------------------------------------
def _correct(pred: Prediction, label: str) -> bool:
    return pred.winner == label


def _member(label: str, suite: Sequence[LabelledPrediction]) -> MemberCalibration:
    preds = [(p.predictions[label], p.label) for p in suite if label in p.predictions]
    decided = [(pr, lab) for pr, lab in preds if pr.winner in ("A", "B")]
    correct = sum(_correct(pr, lab) for pr, lab in decided)
    smoothed = (correct + 1) / (len(decided) + 2)
    return MemberCalibration(
        n=len(preds),
        decided=len(decided),
        accuracy=correct / len(decided) if decided else 0.5,
        coverage=len(decided) / len(preds) if preds else 0.0,
        weight=max(0.0, math.log(smoothed / (1 - smoothed))),
        reliability=_reliability([(pr.confidence, _correct(pr, lab)) for pr, lab in decided]),
    )


def _reliability(points: list[tuple[float, bool]], min_bin: int = 10) -> list[ReliabilityPoint]:
    """Isotonic (PAV) fit of correctness on confidence, in blocks of at least ``min_bin`` pairs."""
    if not points:
        return []
    points.sort(key=lambda p: p[0])
    blocks: list[list[float]] = []  # [sum correct, count, max confidence]
    for i in range(0, len(points), min_bin):
        chunk = points[i : i + min_bin]
        blocks.append([float(sum(c for _, c in chunk)), float(len(chunk)), chunk[-1][0]])
    merged: list[list[float]] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][0] / merged[-2][1] > merged[-1][0] / merged[-1][1]:
            last = merged.pop()
            merged[-1] = [merged[-1][0] + last[0], merged[-1][1] + last[1], last[2]]
    return [ReliabilityPoint(upto=b[2], accuracy=b[0] / b[1], n=int(b[1])) for b in merged]


def vote(predictions: Sequence[Prediction], weights: Sequence[float]) -> float:
    """Signed weighted vote: > 0 means A, < 0 means B (ties and unparsed abstain)."""
    return sum(
        w * (1 if p.winner == "A" else -1 if p.winner == "B" else 0)
        for p, w in zip(predictions, weights, strict=True)
    )


def _fit_ensemble(
    members: list[str],
    calibrated: Mapping[str, MemberCalibration],
    suite: Sequence[LabelledPrediction],
) -> EnsembleCalibration:
    weights = [calibrated[m].weight for m in members]
    usable = [p for p in suite if all(m in p.predictions for m in members)]
    correct = 0
    for p in usable:
        total = vote([p.predictions[m] for m in members], weights)
        correct += (total > 0 and p.label == "A") or (total < 0 and p.label == "B")
    return EnsembleCalibration(
        members=members, weights=weights, accuracy=correct / len(usable) if usable else 0.0
    )


def _fit_cascade(
    cheap: str,
    expensive: str,
    suite: Sequence[LabelledPrediction],
    cost_per_escalation: float,
    max_escalation_rate: float,
) -> CascadeCalibration:
    usable = [p for p in suite if cheap in p.predictions and expensive in p.predictions]
    if not usable:
        raise UserError(
            f"no pair in the suite has predictions from both {cheap!r} and {expensive!r}; run both on it first"
        )
    thresholds = sorted({0.0, 1.0001, *(p.predictions[cheap].confidence for p in usable)})
    curve: list[tuple[float, float, float]] = []
    best: tuple[float, float, float] | None = None
    best_key: tuple[float, float] | None = None
    for t in thresholds:
        correct = escalated = 0
        for p in usable:
            c = p.predictions[cheap]
            if c.winner not in ("A", "B") or c.confidence < t:
                escalated += 1
                correct += _correct(p.predictions[expensive], p.label)
            else:
                correct += _correct(c, p.label)
        acc, rate = correct / len(usable), escalated / len(usable)
        curve.append((t, acc, rate))
        if rate > max_escalation_rate + 1e-12:
            continue
        key = (acc - cost_per_escalation * rate, -rate)
        if best_key is None or key > best_key:
            best_key, best = key, (t, acc, rate)
    if best is None:
        raise UserError(
            f"no threshold keeps the escalation rate <= {max_escalation_rate!r}; raise max_escalation_rate"
        )
    return CascadeCalibration(
        cheap=cheap,
        expensive=expensive,
        min_confidence=best[0],
        accuracy=best[1],
        escalation_rate=best[2],
        curve=curve,
    )


def fit_calibration(
    suite: Iterable[LabelledPrediction],
    *,
    name: str,
    ensemble: Sequence[str] | None = None,
    cascade: tuple[str, str] | None = None,
    cost_per_escalation: float = 0.0,
    max_escalation_rate: float = 1.0,
    scores: Iterable[LabelledScore] = (),
) -> Calibration:
    """Fit member statistics, and optionally an ensemble over ``ensemble``, a ``(cheap, expensive)``
    cascade, and gate thresholds from labelled pointwise ``scores``."""
    pairs = list(suite)
    if not pairs:
        raise UserError("the labelled suite is empty; collect predictions on labelled pairs first")
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise UserError(
            f"calibration name must be a plain file name such as 'my-suite', got {name!r}"
        )
    labels = sorted({label for p in pairs for label in p.predictions})
    members = {label: _member(label, pairs) for label in labels}
    for group in ([*(ensemble or ())], [*(cascade or ())]):
        missing = [m for m in group if m not in members]
        if missing:
            raise UnknownNameError("reward model in the suite", missing[0], labels)
    return Calibration(
        name=name,
        pairs=len(pairs),
        settings=sorted({p.setting for p in pairs if p.setting}),
        members=members,
        ensemble=_fit_ensemble(list(ensemble), members, pairs) if ensemble else None,
        cascade=_fit_cascade(
            cascade[0], cascade[1], pairs, cost_per_escalation, max_escalation_rate
        )
        if cascade
        else None,
        gates=fit_gates(scores),
    )


def fit_gates(scores: Iterable[LabelledScore]) -> dict[str, GateCalibration]:
    """Per reward model, the accept threshold that maximises balanced accuracy on labelled scores.

    Among equally good thresholds the middle one is taken (robust to the exact scores seen). A model needs at least one good and one bad update to be fitted.
    """
    by_rm: dict[str, list[LabelledScore]] = {}
    for s in scores:
        by_rm.setdefault(s.rm, []).append(s)
    out: dict[str, GateCalibration] = {}
    for rm, items in sorted(by_rm.items()):
        good = [s.value for s in items if s.good]
        bad = [s.value for s in items if not s.good]
        if not good or not bad:
            continue
        values = sorted({s.value for s in items})
        cuts = (
            [values[0]] + [(a + b) / 2 for a, b in itertools.pairwise(values)] + [values[-1] + 1e-9]
        )
        scored = [
            (
                (sum(v >= t for v in good) / len(good) + sum(v < t for v in bad) / len(bad)) / 2,
                t,
            )
            for t in cuts
        ]
        best = max(score for score, _ in scored)
        ties = [t for score, t in scored if score >= best - 1e-12]
        threshold = min(1.0, ties[len(ties) // 2])  # the middle of the best cuts: itself a best cut
        out[rm] = GateCalibration(
            threshold=threshold, balanced_accuracy=best, n_good=len(good), n_bad=len(bad)
        )
    return out


async def collect_predictions(
    models: Sequence[RewardModel],
    pairs: Iterable[tuple[PairInput, Literal["A", "B"]]],
    *,
    concurrency: int = 8,
) -> list[LabelledPrediction]:
    """Run every model on every labelled pair (``(pair, correct side)``) and record what it said."""
    if concurrency < 1:
        raise UserError(f"concurrency must be >= 1, got {concurrency!r}")
    sem = asyncio.Semaphore(concurrency)
    items = list(pairs)

    async def one(index: int, pair: PairInput, label: Literal["A", "B"]) -> LabelledPrediction:
        async with sem:
            verdicts = await asyncio.gather(*(m.compare(pair) for m in models))
        return LabelledPrediction(
            pair_id=pair.pair_id or str(index),
            label=label,
            setting=pair.setting,
            predictions={
                m.spec.label: Prediction.of(v) for m, v in zip(models, verdicts, strict=True)
            },
        )

    return list(await asyncio.gather(*(one(i, p, lab) for i, (p, lab) in enumerate(items))))


def suite_from_runs(run_dirs: Iterable[str | Path]) -> list[LabelledPrediction]:
    """Build a labelled suite from benchmark run folders (``agentmem bench run --out DIR``).

    Each folder holds ``run.json`` (its ``rm`` spec names the member) and ``predictions.jsonl``
    (one judged pair-and-order per line: ``pair_id``, ``chosen_as``, ``verdict``, ``confidence``,
    ...). Every (pair, order) becomes one labelled item whose label is the chosen side; runs of
    different reward models over the same data line up by pair id and order. A reward model that
    raised (``verdict: error``) counts as unparsed. Torn or foreign lines are skipped.
    """
    items: dict[str, LabelledPrediction] = {}
    for folder in run_dirs:
        path = Path(folder).expanduser()
        config, ledger = path / "run.json", path / "predictions.jsonl"
        if not config.is_file() or not ledger.is_file():
            raise UserError(
                f"{str(path)!r} is not a benchmark run folder (needs run.json and predictions.jsonl)"
            )
        try:
            label = str(json.loads(config.read_text(encoding="utf-8"))["rm"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(
                f"{str(config)!r} has no 'rm' spec ({exc}); is it a run folder?"
            ) from exc
        for line in ledger.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                key = f"{row['pair_id']}#{row['chosen_as']}"
                chosen = row["chosen_as"]
                verdict = row.get("verdict")
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line of a killed run, or not a prediction
            if chosen not in ("A", "B"):
                continue
            winner = verdict if verdict in ("A", "B", "tie", "unparsed") else "unparsed"
            conf = row.get("confidence")
            pred = Prediction(
                winner=winner,
                confidence=float(conf) if isinstance(conf, int | float) and 0 <= conf <= 1 else 0.5,
                score_a=row.get("score_a"),
                score_b=row.get("score_b"),
            )
            item = items.get(key)
            if item is None:
                item = items[key] = LabelledPrediction(
                    pair_id=key, label=chosen, setting=row.get("setting"), predictions={}
                )
            item.predictions[label] = pred
    return [items[k] for k in sorted(items)]


# -- files -------------------------------------------------------------------------------------------
def calibration_dirs() -> list[Path]:
    """Where names are looked up, in order."""
    dirs = []
    env = os.environ.get("AGENTMEM_CALIBRATION_DIR")
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(Path("~/.agentmem/calibrations").expanduser())
    return dirs


def save_calibration(calibration: Calibration, path: str | Path | None = None) -> Path:
    """Write ``calibration`` as JSON (default: ``<first calibration dir>/<name>.json``); return the path."""
    target = (
        Path(path).expanduser()
        if path is not None
        else calibration_dirs()[0] / f"{calibration.name}.json"
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(calibration.model_dump_json(indent=2) + "\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise UserError(
            f"cannot write calibration to {str(target)!r} ({exc}); pass a writable path"
        ) from exc
    return target


def _bundled(name: str) -> str | None:
    try:
        entry = resources.files("rewards").joinpath("calibrations", f"{name}.json")
        return entry.read_text(encoding="utf-8") if entry.is_file() else None
    except (FileNotFoundError, ModuleNotFoundError):
        return None


def _known_names() -> list[str]:
    names = {p.stem for d in calibration_dirs() if d.is_dir() for p in d.glob("*.json")}
    try:
        folder = resources.files("rewards").joinpath("calibrations")
        if folder.is_dir():
            names |= {Path(e.name).stem for e in folder.iterdir() if e.name.endswith(".json")}
    except (FileNotFoundError, ModuleNotFoundError):
        pass
    return sorted(names)


def load_calibration(name_or_path: str | Path) -> Calibration:
    """Load a calibration by path (anything with a ``/`` or ending in ``.json``) or by name."""
    ref = str(name_or_path)
    text: str | None = None
    where = ref
    if ref.endswith(".json") or "/" in ref or os.sep in ref:
        path = Path(ref).expanduser()
        if not path.is_file():
            raise UserError(
                f"calibration file {ref!r} does not exist; fit one with rewards.calibration.fit_calibration"
            )
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        for folder in calibration_dirs():
            candidate = folder / f"{ref}.json"
            if candidate.is_file():
                text, where = candidate.read_text(encoding="utf-8"), str(candidate)
                break
        else:
            text = _bundled(ref)
        if text is None:
            raise UnknownNameError("calibration", ref, _known_names())
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UserError(
            f"calibration {where!r} is not JSON ({exc}); re-save it with save_calibration"
        ) from exc
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > CALIBRATION_VERSION:
        raise UserError(
            f"calibration {where!r} has format version {version}, newer than this agentmem reads "
            f"({CALIBRATION_VERSION}); upgrade agentmem"
        )
    try:
        return Calibration.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise UserError(
            f"calibration {where!r} is not a valid calibration file: {field}: {err['msg']}"
        ) from exc
