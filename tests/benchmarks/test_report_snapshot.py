"""The terminal table users read, pinned character for character (inline-snapshot)."""

from __future__ import annotations

from inline_snapshot import snapshot

from benchmarks.report import render_tables
from benchmarks.runner import DataFile, Prediction, Results, RMInfo, compute_results
from benchmarks.settings import LENGTHS, SETTINGS


def _results() -> Results:
    preds = []
    i = 0
    for s in SETTINGS:
        for length in LENGTHS:
            i += 1
            chosen_as = "A" if i % 2 else "B"
            verdict = chosen_as if i % 3 else ("B" if chosen_as == "A" else "A")
            preds.append(
                Prediction(
                    pair_id=f"p{i:03d}",
                    source="f.jsonl",
                    line=i,
                    index=i - 1,
                    setting=s,
                    length=length,
                    kind="understanding",
                    chosen_as=chosen_as,
                    primary=True,
                    verdict=verdict,
                    correct=verdict == chosen_as,
                    chosen_chars=10 + (i % 4) * 10,
                    rejected_chars=25,
                )
            )
    files = [
        DataFile(
            source="f.jsonl",
            path="f.jsonl",
            sha256="0" * 64,
            bytes=1,
            n_records=50,
            n_skipped=0,
            n_duplicates=0,
        )
    ]
    return compute_results(
        preds,
        rm=RMInfo(name="demo", spec="demo", version="1"),
        mode="compat",
        both_orders=False,
        data_files=files,
        load_issues=[],
    )


def test_paper_style_table() -> None:
    text = "\n".join(line.rstrip() for line in render_tables(_results()).splitlines())
    assert text == snapshot("""\
MemRewardBench - reward model demo (v1), mode compat: 50 pairs, 50 judgments
Accuracy by setting (%, Wilson 95% CI)
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┓
┃                     ┃    ┃              ┃          ┃                ┃               ┃             ┃ Claude-Opus-4.5 ┃ Qwen2.5-7B ┃
┃ Setting             ┃  n ┃           RM ┃ always-A ┃ always-shorter ┃ always-longer ┃ fewer-wrong ┃         (paper) ┃    (paper) ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━┩
│ Sequential-Noise    │  5 │ 80.0 [38-96] │     60.0 │           60.0 │          40.0 │        60.0 │            47.8 │       28.6 │
│ Sequential-Drop     │  5 │ 60.0 [23-88] │     40.0 │           40.0 │          60.0 │        40.0 │            91.0 │       38.8 │
│ Mixed-Noise         │  5 │ 60.0 [23-88] │     60.0 │           40.0 │          60.0 │        60.0 │            52.7 │       39.1 │
│ Mixed-Drop          │  5 │ 80.0 [38-96] │     40.0 │           60.0 │          40.0 │        40.0 │            92.5 │       48.9 │
│ LCR avg             │ 20 │ 70.0 [48-85] │     50.0 │           50.0 │          50.0 │        50.0 │            68.9 │       38.5 │
├─────────────────────┼────┼──────────────┼──────────┼────────────────┼───────────────┼─────────────┼─────────────────┼────────────┤
│ Mem0-Out            │  5 │ 60.0 [23-88] │     60.0 │           60.0 │          40.0 │        60.0 │            64.1 │       43.7 │
│ Mem0-Mem            │  5 │ 60.0 [23-88] │     40.0 │           40.0 │          60.0 │        40.0 │            45.9 │       32.7 │
│ A-Mem-Out           │  5 │ 80.0 [38-96] │     60.0 │           40.0 │          60.0 │        60.0 │            70.6 │       30.2 │
│ A-Mem-Mem           │  5 │ 60.0 [23-88] │     40.0 │           60.0 │          40.0 │        40.0 │            84.3 │       23.6 │
│ MTD avg             │ 20 │ 65.0 [43-82] │     50.0 │           50.0 │          50.0 │        50.0 │            68.2 │       31.6 │
├─────────────────────┼────┼──────────────┼──────────┼────────────────┼───────────────┼─────────────┼─────────────────┼────────────┤
│ LongForm-Sequential │  5 │ 60.0 [23-88] │     60.0 │           60.0 │          40.0 │        60.0 │            89.5 │       47.5 │
│ LongForm-Parallel   │  5 │ 80.0 [38-96] │     40.0 │           40.0 │          60.0 │        40.0 │            84.0 │       40.2 │
│ LFG avg             │ 10 │ 70.0 [40-89] │     50.0 │           50.0 │          50.0 │        50.0 │            87.1 │       44.4 │
├─────────────────────┼────┼──────────────┼──────────┼────────────────┼───────────────┼─────────────┼─────────────────┼────────────┤
│ Overall             │ 50 │ 68.0 [54-79] │     50.0 │           50.0 │          50.0 │        50.0 │            74.8 │       38.2 │
└─────────────────────┴────┴──────────────┴──────────┴────────────────┴───────────────┴─────────────┴─────────────────┴────────────┘
Accuracy by context length (%)
┏━━━━━━━━┳━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┓
┃        ┃    ┃              ┃          ┃                ┃               ┃             ┃ Claude-Opus-4.5 ┃ Qwen2.5-7B ┃
┃ Length ┃  n ┃           RM ┃ always-A ┃ always-shorter ┃ always-longer ┃ fewer-wrong ┃         (paper) ┃    (paper) ┃
┡━━━━━━━━╇━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━┩
│ 8k     │ 10 │ 70.0 [40-89] │     50.0 │           50.0 │          50.0 │        50.0 │            70.9 │       28.9 │
│ 16k    │ 10 │ 70.0 [40-89] │     50.0 │           40.0 │          60.0 │        50.0 │            79.7 │       28.8 │
│ 32k    │ 10 │ 60.0 [31-83] │     50.0 │           50.0 │          50.0 │        50.0 │            78.3 │       44.2 │
│ 64k    │ 10 │ 70.0 [40-89] │     50.0 │           60.0 │          40.0 │        50.0 │            73.4 │       42.8 │
│ 128k   │ 10 │ 70.0 [40-89] │     50.0 │           50.0 │          50.0 │        50.0 │            68.8 │       45.6 │
└────────┴────┴──────────────┴──────────┴────────────────┴───────────────┴─────────────┴─────────────────┴────────────┘
unparsed 0; errors 0; ties 0; unmapped 0; tokens 0, cost $0.0000
paper = published accuracy from the MemRewardBench paper (arXiv 2601.11969, Tables 3 and 6) on the real 2,400-pair data; not
comparable sample-for-sample with other data.\
""")
