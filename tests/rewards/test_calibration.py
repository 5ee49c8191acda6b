"""Calibration: fit weights and a cascade threshold on a labelled suite; save; load by name or path."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from composite_stubs import ScriptedRM

from agentmem.exceptions import UnknownNameError, UserError
from rewards import PairInput, make_reward_model
from rewards.calibration import (
    LabelledPrediction,
    Prediction,
    collect_predictions,
    fit_calibration,
    load_calibration,
    save_calibration,
)
from rewards.cascade import CascadeRM
from rewards.ensemble import EnsembleRM


def synthetic_suite(n: int = 400, seed: int = 7) -> list[LabelledPrediction]:
    """'cheap' is right when confident (>= 0.8) and a coin flip below; 'good' is right 90% of the
    time; 'weak' 60%."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = rng.choice("AB")
        other = "B" if label == "A" else "A"
        conf = rng.uniform(0.5, 1.0)
        cheap = label if conf >= 0.8 or rng.random() < 0.5 else other
        good = label if rng.random() < 0.9 else other
        weak = label if rng.random() < 0.6 else other
        out.append(
            LabelledPrediction(
                pair_id=str(i),
                label=label,  # type: ignore[arg-type]
                setting="Sequential-Noise" if i % 2 else "Mem0-Out",
                predictions={
                    "cheap": Prediction(winner=cheap, confidence=conf),  # type: ignore[arg-type]
                    "good": Prediction(winner=good, confidence=0.75),  # type: ignore[arg-type]
                    "weak": Prediction(winner=weak, confidence=0.75),  # type: ignore[arg-type]
                },
            )
        )
    return out


def test_member_statistics_and_weights_follow_accuracy() -> None:
    cal = fit_calibration(synthetic_suite(), name="syn")
    good, weak = cal.members["good"], cal.members["weak"]
    assert good.accuracy == pytest.approx(0.9, abs=0.05) and weak.accuracy == pytest.approx(
        0.6, abs=0.07
    )
    assert good.weight > weak.weight > 0 and good.coverage == 1.0
    assert cal.pairs == 400 and cal.settings == ["Mem0-Out", "Sequential-Noise"]
    curve = cal.members["cheap"].reliability
    accs = [p.accuracy for p in curve]
    assert accs == sorted(accs)  # isotonic
    assert (
        cal.members["cheap"].calibrated_confidence(0.55)
        < 0.7
        < cal.members["cheap"].calibrated_confidence(0.95)
    )


def test_cascade_threshold_lands_where_the_cheap_rm_becomes_reliable() -> None:
    cal = fit_calibration(synthetic_suite(), name="syn", cascade=("cheap", "good"))
    assert cal.cascade is not None
    assert 0.7 <= cal.cascade.min_confidence <= 0.85
    assert 0.3 <= cal.cascade.escalation_rate <= 0.7
    cheap_alone = cal.members["cheap"].accuracy
    assert cal.cascade.accuracy > max(cheap_alone, cal.members["good"].accuracy)
    capped = fit_calibration(
        synthetic_suite(), name="syn", cascade=("cheap", "good"), max_escalation_rate=0.2
    )
    assert capped.cascade is not None and capped.cascade.escalation_rate <= 0.2


def test_ensemble_fit_reports_vote_accuracy() -> None:
    cal = fit_calibration(synthetic_suite(), name="syn", ensemble=["good", "weak", "cheap"])
    assert cal.ensemble is not None and cal.ensemble.members == ["good", "weak", "cheap"]
    assert cal.ensemble.weights[0] == max(cal.ensemble.weights)
    assert cal.ensemble.accuracy >= cal.members["weak"].accuracy


def test_fit_rejects_bad_input() -> None:
    with pytest.raises(UserError, match="empty"):
        fit_calibration([], name="x")
    with pytest.raises(UnknownNameError, match="did you mean 'good'"):
        fit_calibration(synthetic_suite(20), name="x", ensemble=["goood", "weak"])
    with pytest.raises(UserError, match="plain file name"):
        fit_calibration(synthetic_suite(20), name="../x")


def test_save_and_load_by_path_and_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTMEM_CALIBRATION_DIR", str(tmp_path / "cals"))
    cal = fit_calibration(synthetic_suite(), name="mysuite", cascade=("cheap", "good"))
    path = save_calibration(cal)
    assert path == tmp_path / "cals" / "mysuite.json"
    data = json.loads(path.read_text())
    assert next(iter(data)) == "version" and data["version"] == 1
    assert load_calibration("mysuite") == cal
    assert load_calibration(str(path)) == cal
    with pytest.raises(UnknownNameError, match="did you mean 'mysuite'"):
        load_calibration("mysuit")


def test_newer_or_broken_files_are_refused_clearly(tmp_path: Path) -> None:
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"version": 99, "name": "x"}))
    with pytest.raises(UserError, match="format version 99"):
        load_calibration(str(newer))
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"version": 1, "name": "x", "pairs": "many", "members": {}}))
    with pytest.raises(UserError, match="pairs"):
        load_calibration(str(broken))
    with pytest.raises(UserError, match="does not exist"):
        load_calibration(str(tmp_path / "missing.json"))


def test_cascade_and_ensemble_load_their_parameters_from_a_calibration(tmp_path: Path) -> None:
    suite = [
        LabelledPrediction(
            pair_id=p.pair_id,
            label=p.label,
            predictions={
                "heuristic": p.predictions["cheap"],
                "llm:openai/fake": p.predictions["good"],
            },
        )
        for p in synthetic_suite()
    ]
    cal = fit_calibration(
        suite,
        name="wired",
        cascade=("heuristic", "llm:openai/fake"),
        ensemble=["heuristic", "llm:openai/fake"],
    )
    path = save_calibration(cal, tmp_path / "wired.json")
    assert cal.cascade is not None and cal.ensemble is not None
    base = "http://127.0.0.1:9/v1"
    cascade = make_reward_model(
        "cascade:heuristic>llm:openai/fake", api_base=base, calibration=str(path)
    )
    assert isinstance(cascade, CascadeRM)
    assert (
        cascade.min_confidence == pytest.approx(cal.cascade.min_confidence)
        and cascade.min_confidence != 0.75
    )
    assert cascade.spec.args["threshold_source"] == "calibration:wired"
    ensemble = make_reward_model(
        "ensemble:heuristic,llm:openai/fake", api_base=base, calibration=str(path)
    )
    assert isinstance(ensemble, EnsembleRM)
    total = sum(cal.ensemble.weights)
    assert ensemble.weights == pytest.approx([w / total for w in cal.ensemble.weights])
    assert ensemble.spec.args["weights_source"] == "calibration:wired"
    explicit = make_reward_model(
        "cascade:heuristic>llm:openai/fake", api_base=base, calibration=str(path), threshold=0.9
    )
    assert (
        isinstance(explicit, CascadeRM) and explicit.min_confidence == 0.9
    )  # an explicit threshold wins


def test_calibration_must_match_the_members(tmp_path: Path) -> None:
    suite = [
        LabelledPrediction(
            pair_id=p.pair_id,
            label=p.label,
            predictions={
                "heuristic": p.predictions["cheap"],
                "heuristic:mode=robust": p.predictions["good"],
            },
        )
        for p in synthetic_suite()
    ]
    path = save_calibration(
        fit_calibration(suite, name="m", cascade=("heuristic", "heuristic:mode=robust")),
        tmp_path / "m.json",
    )
    with pytest.raises(UserError, match="was fitted for cascade"):
        make_reward_model("cascade:heuristic>llm:openai/x", calibration=str(path))


async def test_collect_predictions_runs_every_model_on_every_pair() -> None:
    right = ScriptedRM(
        label="right", decide=lambda p: ("A" if "good" in p.trajectory_a else "B", 0.9)
    )
    first = ScriptedRM(label="first", decide=lambda p: ("A", 0.6))
    pairs = [
        (PairInput(question="q", trajectory_a="good", trajectory_b="bad", pair_id="x"), "A"),
        (PairInput(question="q", trajectory_a="bad", trajectory_b="good", pair_id="y"), "B"),
    ]
    suite = await collect_predictions([right, first], pairs)  # type: ignore[arg-type]
    assert [s.pair_id for s in suite] == ["x", "y"]
    cal = fit_calibration(
        suite, name="tiny", cascade=("first", "right"), ensemble=["right", "first"]
    )
    assert cal.members["right"].accuracy == 1.0 and cal.members["first"].accuracy == 0.5
    assert (
        cal.cascade is not None
        and cal.cascade.accuracy == 1.0
        and cal.cascade.escalation_rate == 1.0
    )
    ens = EnsembleRM([right, first], cal.ensemble.weights if cal.ensemble else None)
    assert (await ens.compare(pairs[1][0])).winner == "B"  # the calibrated weight of 'first' is 0


def test_gate_threshold_separates_good_and_bad_updates(tmp_path: Path) -> None:
    from rewards.calibration import LabelledScore

    rng = random.Random(3)
    scores = [
        LabelledScore(rm="llm:x", value=min(1.0, rng.uniform(0.55, 1.0)), good=True)
        for _ in range(50)
    ]
    scores += [
        LabelledScore(rm="llm:x", value=rng.uniform(0.0, 0.45), good=False) for _ in range(50)
    ]
    scores += [
        LabelledScore(rm="only-good", value=0.9, good=True)
    ]  # cannot be fitted: no bad update
    cal = fit_calibration(synthetic_suite(20), name="gates", scores=scores)
    gate = cal.gates["llm:x"]
    assert 0.45 <= gate.threshold <= 0.55 and gate.balanced_accuracy == 1.0
    assert (gate.n_good, gate.n_bad) == (50, 50) and "only-good" not in cal.gates
    assert load_calibration(str(save_calibration(cal, tmp_path / "g.json"))).gates == cal.gates


def _run_folder(root: Path, name: str, rm: str, rows: list[dict[str, object]]) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"data": ["x"], "rm": rm, "mode": "compat"}))
    lines = [json.dumps(r) for r in rows]
    (folder / "predictions.jsonl").write_text(
        "\n".join(lines) + '\n{"pair_id": "torn', encoding="utf-8"
    )
    return folder


def test_suite_from_benchmark_run_folders(tmp_path: Path) -> None:
    rng = random.Random(1)
    cheap_rows, judge_rows = [], []
    for i in range(200):
        chosen = rng.choice("AB")
        other = "B" if chosen == "A" else "A"
        conf = rng.uniform(0.5, 1.0)
        cheap = chosen if conf >= 0.8 or rng.random() < 0.5 else other
        base = {"pair_id": f"p{i}", "chosen_as": chosen, "setting": "Mem0-Out", "line": i}
        cheap_rows.append({**base, "verdict": cheap, "confidence": conf})
        judge_rows.append({**base, "verdict": chosen if i % 10 else "error", "confidence": None})
    runs = [
        _run_folder(tmp_path, "h", "heuristic", cheap_rows),
        _run_folder(tmp_path, "j", "llm:openai/x", judge_rows),
    ]
    from rewards.calibration import suite_from_runs

    suite = suite_from_runs(runs)
    assert len(suite) == 200 and all(
        set(s.predictions) == {"heuristic", "llm:openai/x"} for s in suite
    )
    cal = fit_calibration(suite, name="from-runs", cascade=("heuristic", "llm:openai/x"))
    assert cal.members["llm:openai/x"].coverage == pytest.approx(0.9)  # errors count as unparsed
    assert cal.cascade is not None and 0.7 <= cal.cascade.min_confidence <= 0.85
    with pytest.raises(UserError, match="not a benchmark run folder"):
        suite_from_runs([tmp_path])


def test_llm_judge_takes_its_hard_confidence_from_a_calibration(tmp_path: Path) -> None:
    suite = [
        LabelledPrediction(
            pair_id=p.pair_id, label=p.label, predictions={"llm:openai/fake": p.predictions["good"]}
        )
        for p in synthetic_suite()
    ]
    cal = fit_calibration(suite, name="judge", ensemble=None)
    path = save_calibration(cal, tmp_path / "judge.json")
    judge = make_reward_model("llm:openai/fake", calibration=str(path))
    assert judge.hard_confidence == pytest.approx(cal.members["llm:openai/fake"].accuracy)  # type: ignore[attr-defined]
    other = make_reward_model("llm:openai/other", calibration=str(path))
    assert other.hard_confidence == 0.75  # type: ignore[attr-defined]  # not calibrated: the default
