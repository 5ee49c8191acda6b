from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from bench_helpers import FunctionRM, shorter

from agentmem.exceptions import UnknownNameError, UserError
from benchmarks.report import (
    compare_runs,
    paper_by_length,
    paper_by_setting,
    render_compare,
    render_tables,
    write_report,
)
from benchmarks.runner import ExecOptions, RunConfig, mcnemar_exact, run_bench, wilson


def test_wilson_interval_known_values() -> None:
    assert wilson(0, 10) == (0.0, pytest.approx(0.277533, abs=1e-6))
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.403832, abs=1e-6) and hi == pytest.approx(0.596168, abs=1e-6)
    assert wilson(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="n >= 1"):
        wilson(0, 0)


def test_exact_mcnemar_known_values() -> None:
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(5, 5) == 1.0
    assert mcnemar_exact(0, 5) == pytest.approx(0.0625)  # 2 * (1/2)^5
    assert mcnemar_exact(1, 9) == pytest.approx(2 * 11 / 1024)
    assert mcnemar_exact(9, 1) == mcnemar_exact(1, 9)


def test_paper_numbers_are_the_published_ones() -> None:
    opus = paper_by_setting("Claude-Opus-4.5")
    assert opus["overall"] == pytest.approx(0.7475) and opus["Sequential-Drop"] == pytest.approx(
        0.9105
    )
    assert opus["LCR"] == pytest.approx(0.6888)
    assert paper_by_length("Claude-Opus-4.5")["128k"] == pytest.approx(0.688)
    assert paper_by_length("Qwen3-4B") == {}  # not in Table 6
    with pytest.raises(UnknownNameError, match="did you mean 'Qwen3-8B'"):
        paper_by_setting("Qwen3-8")


async def _run(data: Path, out: Path, fn=shorter, **cfg: object):  # type: ignore[no-untyped-def]
    return await run_bench(
        RunConfig(data=[str(data)], rm=getattr(fn, "__name__", "fn"), **cfg),
        out_dir=out,  # type: ignore[arg-type]
        rm=FunctionRM(fn=fn, name=getattr(fn, "__name__", "fn")),
        options=ExecOptions(),
    )


async def test_report_html_is_one_self_contained_file(small_suite: Path, tmp_path: Path) -> None:
    res = await _run(small_suite, tmp_path / "o")
    html = (tmp_path / "o" / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    # the figure is embedded, and no external resource is referenced
    m = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert m and base64.b64decode(m.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    assert not re.search(r'(src|href)="(http|/|\./)', html)
    for s in (
        "Sequential-Noise",
        "A-Mem-Mem",
        "LongForm-Parallel",
        "LCR avg",
        "Overall",
        "always-shorter",
        "Claude-Opus-4.5 (paper)",
        "128k",
    ):
        assert s in html
    assert f"{100 * (res.accuracy or 0):.1f}" in html
    png = (tmp_path / "o" / "accuracy.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    # regenerating from results.json alone gives the same tables
    (tmp_path / "o" / "report.html").unlink()
    write_report(res, tmp_path / "o")
    assert (tmp_path / "o" / "report.html").read_text().count("<tr") == html.count("<tr")


async def test_terminal_tables_show_settings_averages_lengths_baselines_and_paper(
    small_suite: Path, tmp_path: Path
) -> None:
    res = await _run(small_suite, tmp_path / "o")
    text = render_tables(res)
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 3}
    assert (
        "66.7" in rows["Overall"] and "74.8" in rows["Overall"]
    )  # RM, and the paper's best overall
    assert "33.3" in rows["Overall"]  # always-longer baseline
    for name in ("Sequential-Noise", "Mixed-Drop", "LCR avg", "MTD avg", "LFG avg", "8k", "128k"):
        assert name in rows
    assert "not comparable sample-for-sample" in " ".join(text.split())


async def test_compare_pairs_runs_and_tests_each_setting(small_suite: Path, tmp_path: Path) -> None:
    await _run(small_suite, tmp_path / "a")

    def longer(p):  # type: ignore[no-untyped-def]
        return "B" if shorter(p) == "A" else "A"

    await _run(small_suite, tmp_path / "b", fn=longer)
    cmp = compare_runs(tmp_path / "a", tmp_path / "b")
    assert cmp.n_common == 60 and cmp.n_only_a == cmp.n_only_b == 0
    assert cmp.overall.accuracy_a == pytest.approx(40 / 60, abs=1e-6)
    assert cmp.overall.accuracy_b == pytest.approx(20 / 60, abs=1e-6)
    # every pair is discordant: 40 vs 20 -> exact two-sided p
    assert (cmp.overall.a_only, cmp.overall.b_only) == (40, 20)
    assert cmp.overall.p_value == pytest.approx(mcnemar_exact(40, 20), abs=1e-6)
    assert cmp.overall.p_value < 0.05
    assert cmp.by_setting["Mem0-Mem"].n == 6
    assert "Overall" in render_compare(cmp)
    same = compare_runs(tmp_path / "a", tmp_path / "a")
    assert same.overall.difference == 0 and same.overall.p_value == 1.0


async def test_compare_refuses_runs_without_common_pairs(
    small_suite: Path, samples: Path, tmp_path: Path
) -> None:
    await _run(small_suite, tmp_path / "a")
    await _run(samples, tmp_path / "b")
    with pytest.raises(UserError, match="share no judged pairs"):
        compare_runs(tmp_path / "a", tmp_path / "b")
    with pytest.raises(UserError, match=r"has no results\.json"):
        compare_runs(tmp_path / "a", tmp_path / "missing")


async def test_compare_works_on_an_unfinished_run(small_suite: Path, tmp_path: Path) -> None:
    await _run(small_suite, tmp_path / "a")
    await _run(small_suite, tmp_path / "b")
    ledger = tmp_path / "b" / "predictions.jsonl"
    ledger.write_text("".join(ledger.read_text().splitlines(keepends=True)[:25]))
    (tmp_path / "b" / "results.json").unlink()
    cmp = compare_runs(tmp_path / "a", tmp_path / "b")
    assert cmp.n_common == 25 and cmp.n_only_a == 35 and cmp.overall.p_value == 1.0
