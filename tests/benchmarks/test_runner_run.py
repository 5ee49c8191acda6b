from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_helpers import FunctionRM, make_record, shorter, write_jsonl

from agentmem.exceptions import UserError
from benchmarks.runner import ExecOptions, RunConfig, protocol_slots, read_ledger, run_bench
from rewards import PairInput, Winner

NO_REPORT = ExecOptions(write_report=False)


async def test_compat_run_on_the_published_samples(samples: Path, tmp_path: Path) -> None:
    rm = FunctionRM(fn=shorter)
    res = await run_bench(
        RunConfig(data=[str(samples)], rm="fn"), out_dir=tmp_path / "out", rm=rm, options=NO_REPORT
    )
    assert res.n_pairs == res.n_judgments == 7 and res.n_errors == 0 and res.n_unmapped == 0
    # every published pair was judged, including the Mem0 pair whose rejected is empty
    assert sorted(len(p.trajectory_a) * len(p.trajectory_b) == 0 for p in rm.seen).count(True) == 1
    # the long-form file gets the generation prompt variant, the others the understanding one
    assert {p.kind for p in rm.seen if p.setting and p.setting.startswith("LongForm")} == {
        "generation"
    }
    assert {p.kind for p in rm.seen if p.setting and not p.setting.startswith("LongForm")} == {
        "understanding"
    }
    # accuracy agrees with the ledger, and the ledger holds one line per pair
    ledger = read_ledger(tmp_path / "out" / "predictions.jsonl")
    assert len(ledger) == 7 and res.accuracy == pytest.approx(
        sum(p.correct for p in ledger) / 7, abs=1e-6
    )
    assert res.consistency is None and res.position_bias is None
    assert set(res.by_setting) == {
        "Sequential-Noise",
        "Sequential-Drop",
        "Mixed-Noise",
        "Mixed-Drop",
        "Mem0-Out",
        "Mem0-Mem",
        "A-Mem-Out",
        "A-Mem-Mem",
        "LongForm-Sequential",
        "LongForm-Parallel",
    }
    assert [f.n_records for f in res.data_files] == [2, 2, 3]
    assert all(len(f.sha256) == 64 for f in res.data_files)


async def test_each_pair_is_presented_in_the_protocol_order(
    small_suite: Path, tmp_path: Path
) -> None:
    rm = FunctionRM(fn=lambda p: "A")
    await run_bench(
        RunConfig(data=[str(small_suite)], rm="fn"),
        out_dir=tmp_path / "o",
        rm=rm,
        options=NO_REPORT,
    )
    ledger = read_ledger(tmp_path / "o" / "predictions.jsonl")
    by_file: dict[str, dict[int, str]] = {}
    for p in ledger:
        by_file.setdefault(p.source, {})[p.index] = p.chosen_as
    for name, got in by_file.items():
        expected = {s.index: s.chosen_as for s in protocol_slots(len(got))}
        assert got == expected, name
    # the trajectory in the A slot really is the chosen one exactly when chosen_as == "A"
    seen = {p.pair_id: p for p in rm.seen}
    for p in ledger:
        assert seen[p.pair_id].trajectory_a.startswith("c" if p.chosen_as == "A" else "r")


async def test_metrics_and_baselines_are_exact(small_suite: Path, tmp_path: Path) -> None:
    res = await run_bench(
        RunConfig(data=[str(small_suite)], rm="fn"),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=shorter),
        options=NO_REPORT,
    )
    # in small_suite every third pair (by global number) has the longer chosen: 20 of 60
    assert res.n_pairs == 60
    assert res.accuracy == pytest.approx(40 / 60, abs=1e-6)
    assert res.baselines["always-shorter"].accuracy == res.accuracy
    assert res.baselines["always-longer"].accuracy == pytest.approx(20 / 60, abs=1e-6)
    always_a = res.baselines["always-A"].accuracy
    assert always_a is not None and 0.2 < always_a < 0.8
    assert sum(b.n for b in res.by_setting.values()) == 60
    assert all(res.by_setting[s].n == 6 for s in res.by_setting)
    assert res.by_length["8k"].n == 20 and res.by_length["128k"].n == 10
    assert res.by_task["LCR"].n == 24 and res.by_task["MTD"].n == 24 and res.by_task["LFG"].n == 12
    lo, hi = res.ci95 or (0, 0)
    assert lo < res.accuracy < hi
    assert res.tokens == 3 * 60


async def test_rm_errors_are_recorded_counted_and_the_run_continues(tmp_path: Path) -> None:
    recs = [make_record(i) for i in range(6)]
    recs[2]["question"] = "EXPLODE " + recs[2]["question"]
    data = write_jsonl(tmp_path / "d.jsonl", recs)

    def fn(p: PairInput) -> Winner:
        if "EXPLODE" in p.question:
            raise RuntimeError("judge backend down")
        return shorter(p)

    res = await run_bench(
        RunConfig(data=[str(data)], rm="fn"),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=fn),
        options=NO_REPORT,
    )
    assert res.n_pairs == 6 and res.n_errors == 1
    assert res.accuracy == pytest.approx(5 / 6, abs=1e-6)
    errs = [p for p in read_ledger(tmp_path / "o" / "predictions.jsonl") if p.verdict == "error"]
    assert (
        len(errs) == 1
        and errs[0].error == "RuntimeError: judge backend down"
        and not errs[0].correct
    )


async def test_unmapped_records_are_judged_in_their_own_bucket(tmp_path: Path) -> None:
    data = write_jsonl(
        tmp_path / "d.jsonl", [make_record(0, task="Weird", subtask=None), make_record(1)]
    )
    rm = FunctionRM(fn=shorter)
    res = await run_bench(
        RunConfig(data=[str(data)], rm="fn"), out_dir=tmp_path / "o", rm=rm, options=NO_REPORT
    )
    assert res.n_pairs == 2 and res.n_unmapped == 1
    assert res.by_setting["unmapped"].n == 1 and res.by_setting["Sequential-Noise"].n == 1
    assert any("Weird / None" in line for line in res.load_issues)
    assert [p.setting for p in rm.seen].count(None) == 1


async def test_both_orders_with_a_position_biased_judge(small_suite: Path, tmp_path: Path) -> None:
    res = await run_bench(
        RunConfig(data=[str(small_suite)], rm="fn", mode="robust", both_orders=True),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=lambda p: "A"),
        options=NO_REPORT,
    )
    assert res.n_pairs == 60 and res.n_judgments == 120
    assert res.consistency == 0.0 and res.position_bias == 0.5
    assert res.n_ties == 60 and res.tie_rate == 1.0 and res.accuracy == 0.0
    assert (
        res.by_order["chosen_first"].accuracy == 1.0
        and res.by_order["chosen_second"].accuracy == 0.0
    )


async def test_both_orders_with_a_content_judge(small_suite: Path, tmp_path: Path) -> None:
    res = await run_bench(
        RunConfig(data=[str(small_suite)], rm="fn", both_orders=True),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=shorter),
        options=NO_REPORT,
    )
    assert res.consistency == 1.0 and res.n_ties == 0
    assert res.accuracy == pytest.approx(40 / 60, abs=1e-6)
    assert res.position_bias is not None and abs(res.position_bias) < 0.2


async def test_unparsed_verdicts_count_wrong(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [make_record(i) for i in range(4)])
    res = await run_bench(
        RunConfig(data=[str(data)], rm="fn"),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=lambda p: "unparsed"),
        options=NO_REPORT,
    )
    assert res.n_unparsed == 4 and res.accuracy == 0.0 and res.parse_failure_rate == 1.0


async def test_duplicates_are_judged_once(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [make_record(0), make_record(1), make_record(0)])
    rm = FunctionRM(fn=shorter)
    res = await run_bench(
        RunConfig(data=[str(data)], rm="fn"), out_dir=tmp_path / "o", rm=rm, options=NO_REPORT
    )
    assert res.n_pairs == 2 and len(rm.seen) == 2
    assert res.data_files[0].n_duplicates == 1
    assert any("duplicate of d.jsonl:1" in line for line in res.load_issues)


async def test_limit_judges_the_official_sample(small_suite: Path, tmp_path: Path) -> None:
    res = await run_bench(
        RunConfig(data=[str(small_suite)], rm="fn", limit=5),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=shorter),
        options=NO_REPORT,
    )
    assert res.n_pairs == 15
    idx = sorted(
        p.index
        for p in read_ledger(tmp_path / "o" / "predictions.jsonl")
        if "Reasoning" in p.source
    )
    assert idx == sorted(s.index for s in protocol_slots(24, limit=5))


async def test_existing_run_folder_needs_resume(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [make_record(0)])
    cfg = RunConfig(data=[str(data)], rm="fn")
    await run_bench(cfg, out_dir=tmp_path / "o", rm=FunctionRM(fn=shorter), options=NO_REPORT)
    with pytest.raises(UserError, match="already holds a run; continue it with --resume"):
        await run_bench(cfg, out_dir=tmp_path / "o", rm=FunctionRM(fn=shorter), options=NO_REPORT)
    with pytest.raises(UserError, match="not a run folder"):
        await run_bench(cfg, out_dir=tmp_path / "elsewhere", rm=FunctionRM(fn=shorter), resume=True)


async def test_results_json_has_the_documented_shape(small_suite: Path, tmp_path: Path) -> None:
    await run_bench(
        RunConfig(data=[str(small_suite)], rm="fn"),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=shorter),
    )
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    assert next(iter(doc)) == "version" and list(doc)[-1] == "timing"
    for key in (
        "reward_model",
        "mode",
        "n_pairs",
        "n_unparsed",
        "n_unmapped",
        "n_errors",
        "accuracy",
        "by_setting",
        "by_length",
        "by_task",
        "baselines",
        "consistency",
        "position_bias",
        "tie_rate",
        "tokens",
        "cost",
        "data_files",
    ):
        assert key in doc
    assert set(doc["reward_model"]) >= {"name", "spec", "version"}
    assert set(doc["by_setting"]["Mem0-Mem"]) == {"n", "accuracy", "ci95"}
    assert list(doc["by_length"]) == ["8k", "16k", "32k", "64k", "128k"]
    assert set(doc["baselines"]) == {"always-A", "always-shorter", "always-longer", "fewer-wrong"}
    assert (tmp_path / "o" / "report.html").is_file() and (
        tmp_path / "o" / "accuracy.png"
    ).is_file()


async def test_worker_processes_give_the_same_results_as_in_process(
    samples: Path, tmp_path: Path
) -> None:
    cfg = RunConfig(data=[str(samples)], rm="heuristic", both_orders=True)
    one = await run_bench(cfg, out_dir=tmp_path / "one", options=ExecOptions(write_report=False))
    two = await run_bench(
        cfg, out_dir=tmp_path / "two", options=ExecOptions(write_report=False, workers=2)
    )
    assert one.n_pairs == 7 and one.n_errors == 0
    assert two.comparable() == one.comparable()


async def test_an_rm_returning_nonsense_is_recorded_as_an_error(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", [make_record(i) for i in range(3)])
    res = await run_bench(
        RunConfig(data=[str(data)], rm="fn"),
        out_dir=tmp_path / "o",
        rm=FunctionRM(fn=lambda p: "C"),
        options=NO_REPORT,
    )  # type: ignore[arg-type,return-value]
    assert res.n_errors == 3 and res.n_pairs == 3
    errs = read_ledger(tmp_path / "o" / "predictions.jsonl")
    assert "returned winner 'C'" in (errs[0].error or "")


async def test_a_ledger_failure_stops_the_run_instead_of_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.runner import Ledger

    data = write_jsonl(tmp_path / "d.jsonl", [make_record(i) for i in range(40)])

    def boom(self: Ledger, prediction: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Ledger, "append", boom)
    with pytest.raises(OSError, match="No space left"):
        await run_bench(
            RunConfig(data=[str(data)], rm="fn"),
            out_dir=tmp_path / "o",
            rm=FunctionRM(fn=shorter),
            options=ExecOptions(write_report=False, concurrency=2),
        )


def test_robust_mode_defaults_to_both_orders() -> None:
    assert RunConfig(data=[], rm="x").both_orders is False
    assert RunConfig(data=[], rm="x", mode="robust").both_orders is True
    assert RunConfig(data=[], rm="x", mode="robust", both_orders=False).both_orders is False
    assert RunConfig(data=[], rm="x", both_orders=True).both_orders is True


async def test_pairs_skipped_over_the_official_limit_are_counted_not_scored(
    samples: Path, tmp_path: Path
) -> None:
    from rewards.llm_judge import OverLengthSkipped

    def skip_long_form(pair: PairInput) -> Winner:
        if pair.kind == "generation":  # stands in for "the prompt reached 131,072 tokens"
            raise OverLengthSkipped("over the official limit", prompt_tokens=140_000)
        return shorter(pair)

    res = await run_bench(
        RunConfig(data=[str(samples)], rm="fn"),
        out_dir=tmp_path / "out",
        rm=FunctionRM(fn=skip_long_form),
        options=NO_REPORT,
    )
    ledger = read_ledger(tmp_path / "out" / "predictions.jsonl")
    assert res.n_skipped == 2 and res.n_errors == 0 and res.n_pairs == 5
    assert sorted(p.verdict for p in ledger).count("skipped") == 2
    assert res.by_setting["LongForm-Sequential"].n == 0  # left out of the accuracy, not wrong
    assert res.accuracy == pytest.approx(sum(p.correct for p in ledger) / 5, abs=1e-6)


async def test_fewer_wrong_baseline_reads_the_failed_attempts_each_side_records(
    samples: Path, tmp_path: Path
) -> None:
    res = await run_bench(
        RunConfig(data=[str(samples)], rm="fn"),
        out_dir=tmp_path / "out",
        rm=FunctionRM(fn=shorter),
        options=NO_REPORT,
    )
    ledger = read_ledger(tmp_path / "out" / "predictions.jsonl")
    noise = [p for p in ledger if p.setting == "Mixed-Noise"]
    # the published Noise pairs: only the rejected side records failed attempts
    assert [(p.chosen_wrong, p.rejected_wrong > 0) for p in noise] == [(0, True), (0, True)]
    assert res.baselines["fewer-wrong"].by_setting["Mixed-Noise"].accuracy == 1.0
    # no wrong blocks anywhere else: a tie, decided as always-A decides it
    assert (
        res.baselines["fewer-wrong"].by_setting["Mem0-Out"]
        == res.baselines["always-A"].by_setting["Mem0-Out"]
    )
