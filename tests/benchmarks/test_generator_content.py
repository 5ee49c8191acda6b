"""The pairs differ by the content that defines their setting, and by nothing a trick can read."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from gen_helpers import bundled_records

from benchmarks.settings import SETTINGS

BOXED = re.compile(r"\\boxed\{([^{}]*)\}")


def _records(prefix: str) -> list[dict[str, Any]]:
    return [r for r in bundled_records() if r["meta"]["setting"].startswith(prefix)]


def _final_memory(trajectory: str) -> str:
    """The memory the answer block reads (the last <memory> block)."""
    return trajectory.rsplit("<memory>\n", 1)[1].split("\n</memory>")[0]


def test_drop_pairs_answer_wrong_on_the_rejected_side() -> None:
    for rec in _records("Sequential-Drop") + _records("Mixed-Drop"):
        meta = rec["meta"]
        assert BOXED.findall(rec["chosen"])[-1] == meta["answer"]
        assert BOXED.findall(rec["rejected"])[-1] == meta["rejected_answer"] != meta["answer"]
        dropped = meta["change"]["fact"].rstrip(
            "."
        )  # one memory style lists facts without the period
        assert dropped in rec["question"]
        assert dropped in _final_memory(rec["chosen"]) and dropped not in _final_memory(
            rec["rejected"]
        )


_WRONG = re.compile(r"<wrong_updated_memories>.*?</wrong_updated_memories>", re.S)


def test_noise_pairs_differ_only_by_the_failed_attempts_the_rejected_side_keeps() -> None:
    # As the published self_correct pairs: the chosen side says "No wrong updated memory" at
    # every step, the rejected one records failed attempts; everything else is identical, except
    # where the rejected memory also repeats a segment.
    repeated = 0
    for rec in _records("Sequential-Noise") + _records("Mixed-Noise"):
        meta, change = rec["meta"], rec["meta"]["change"]
        assert (
            BOXED.findall(rec["chosen"])[-1] == BOXED.findall(rec["rejected"])[-1] == meta["answer"]
        )
        assert "<wrong_updated_memories>\n<updated_memory>" not in rec["chosen"]
        assert (
            rec["rejected"].count("<wrong_updated_memories>\n<updated_memory>") == change["steps"]
        )
        same = _WRONG.sub("", rec["chosen"]) == _WRONG.sub("", rec["rejected"])
        if "repeated" not in change:
            assert same
            continue
        repeated += 1
        fact = change["repeated"]["fact"].rstrip(".").lower()
        chosen_mem, rejected_mem = _final_memory(rec["chosen"]), _final_memory(rec["rejected"])
        assert rejected_mem.lower().count(fact) > chosen_mem.lower().count(fact) >= 1
    assert 0 < repeated <= 10  # a minority of the 40 Noise pairs


def test_dialogue_out_makes_the_answer_wrong_and_mem_keeps_it() -> None:
    for rec in _records("Mem0") + _records("A-Mem"):
        meta = rec["meta"]
        if meta["setting"].endswith("Out"):
            assert meta["rejected_answer"] != meta["answer"]
        else:
            assert meta["rejected_answer"] == meta["answer"]
        assert meta["answer"].lower() in rec["chosen"].lower()
        for turn in meta["change"]["turns"]:
            assert turn in rec["question"]  # the skipped turn really is in the conversation
        assert rec["question"].rstrip().endswith(meta["query"])


def test_longform_rejected_text_has_the_tampered_or_dropped_constraint() -> None:
    for rec in _records("LongForm"):
        change = rec["meta"]["change"]
        if rec["meta"]["shape"] == "longeval":
            for t in change["tampered"]:
                assert t["original"] in rec["question"] and t["modified"] not in rec["question"]
                assert t["modified"] in rec["rejected"] and t["modified"] not in rec["chosen"]
            for text in change["dropped"]:
                assert text in rec["chosen"] and text not in rec["rejected"]
            key = change["json"]
            assert f'"{key["key"]}": ' in rec["question"]
            continue
        units = {
            side: {u.split("I have composed the following section.\n", 1)[1].split("\n", 1)[0]: u
                   for u in rec[side].split("\n#*#\n")}
            for side in ("chosen", "rejected")
        }  # fmt: skip
        for c in change:  # the changed unit, found by its label
            chosen, rejected = units["chosen"][c["unit"]], units["rejected"][c["unit"]]
            assert c["original"] in chosen and c["original"] not in rejected
            if c["mode"] == "tamper":
                assert c["modified"] in rejected and c["modified"] not in chosen


_FEATURES: dict[str, Callable[[str], float]] = {
    "steps": lambda t: t.count("Step "),
    "no-wrong-memory markers": lambda t: t.count("No wrong updated memory"),
    "non-empty wrong-memory blocks": lambda t: t.count(
        "<wrong_updated_memories>\n<updated_memory>"
    ),
    "sections": lambda t: t.count("<section>"),
    "units": lambda t: t.count("I have composed the following section."),
    "store entries": lambda t: t.count("'id': ") + t.count("\nContent: "),
    "boxed": lambda t: t.count("\\boxed{"),
    "updated entries": lambda t: t.count("'updated_at': '"),
}


_TELLS: dict[str, set[str]] = {
    # What the published construction itself gives away (see benchmarks/shape.py and the
    # published records): a Noise pair's rejected side carries failed attempts, a stale/dump/
    # empty store changes the entry count, a long-form rejected side restates fewer points.
    "Sequential-Noise": {"no-wrong-memory markers", "non-empty wrong-memory blocks"},
    "Mixed-Noise": {"no-wrong-memory markers", "non-empty wrong-memory blocks"},
    "Mem0-Out": {"store entries", "updated entries"},
    "Mem0-Mem": {"store entries", "updated entries"},
    "A-Mem-Out": {"store entries"},
    "A-Mem-Mem": {"store entries"},
}


@pytest.mark.parametrize("feature", list(_FEATURES))
def test_no_format_feature_predicts_the_label(feature: str) -> None:
    """'Pick the side with more X' stays near chance wherever the published construction does
    not itself decide it."""
    f = _FEATURES[feature]
    score: dict[str, list[float]] = defaultdict(list)
    for rec in bundled_records():
        c, r = f(rec["chosen"]), f(rec["rejected"])
        score[rec["meta"]["setting"]].append(0.5 if c == r else float(c > r))
    for setting in SETTINGS:
        if feature in _TELLS.get(setting, set()):
            continue
        acc = sum(score[setting]) / len(score[setting])
        assert 0.25 <= acc <= 0.75, (setting, feature, acc)


def _diff_openings(a: str, b: str) -> set[str]:
    """Opening words (first four) of sentences that occur in ``a`` but not in ``b``."""
    split = re.compile(r"(?<=[.!?:])\s+|\n+")
    only = set(split.split(a)) - set(split.split(b))
    return {" ".join(s.split()[:4]) for s in only if s.strip()}


def test_no_phrase_marks_either_side() -> None:
    """No sentence opening shows up on one side's own text in most pairs of a setting and
    rarely on the other: the differences are contents, not a template only one side uses.
    (Checked where both sides come from one writer: Drop pairs and stale dialogue stores; the
    published Noise, dump and long-form constructions differ in form by design.)"""
    by_setting: dict[str, list[tuple[set[str], set[str]]]] = defaultdict(list)
    for rec in bundled_records():
        if not (
            rec["meta"]["setting"].endswith("Drop")
            or (
                rec["meta"]["family"] == "dialogue"
                and rec["meta"]["change"]["kind"] == "stale_store"
            )
        ):
            continue
        c, r = rec["chosen"], rec["rejected"]
        by_setting[rec["meta"]["setting"]].append((_diff_openings(c, r), _diff_openings(r, c)))
    for setting, pairs in by_setting.items():
        n = len(pairs)
        phrases = set().union(*(a | b for a, b in pairs))
        for phrase in phrases:
            in_chosen = sum(phrase in a for a, _ in pairs) / n
            in_rejected = sum(phrase in b for _, b in pairs) / n
            assert abs(in_chosen - in_rejected) < 0.5, (setting, phrase, in_chosen, in_rejected)


def test_trajectories_follow_the_published_layout_of_their_pattern() -> None:
    for rec in _records("Sequential") + _records("Mixed"):
        for side in ("chosen", "rejected"):
            text = rec[side]
            assert (
                text.count("<problem>")
                == text.count("<section>")
                == text.count("<wrong_updated_memories>")
            )
            if rec["meta"]["setting"].startswith("Mixed"):
                parts = int(re.search(r"parallel(\d)", rec["subtask"]).group(1))  # type: ignore[union-attr]
                assert (
                    parts in (2, 3)
                    and f"There are {parts} processed components (Memories):" in text
                )
                assert text.startswith("The entire agent workflow consists of parallel processing")
                tail = text.split(
                    "Based on the memory, the process of obtaining the answer is as follows:\n"
                )[1]
                assert tail.startswith("Step 1:")  # the sequential continuation after the summary
            else:
                assert text.startswith("Step 1:\n\n<problem> \n") and "Part 1:" not in text
            assert "<memory>\nNo previous memory\n</memory>" in text
    for rec in _records("LongForm"):
        units = rec["meta"]["n_units"]
        assert rec["chosen"].count("I have composed the following section.") == units
        assert rec["rejected"].count("I have composed the following section.") == units
