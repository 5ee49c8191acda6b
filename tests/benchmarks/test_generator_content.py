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


def test_noise_pairs_keep_the_right_answer_but_carry_the_bad_content() -> None:
    for rec in _records("Sequential-Noise") + _records("Mixed-Noise"):
        meta, change = rec["meta"], rec["meta"]["change"]
        assert (
            BOXED.findall(rec["chosen"])[-1] == BOXED.findall(rec["rejected"])[-1] == meta["answer"]
        )
        chosen_mem, rejected_mem = _final_memory(rec["chosen"]), _final_memory(rec["rejected"])
        if change["kind"] == "wrong":
            # Both runs proposed the corrupted fact; only the rejected one kept it.
            bad = change["text"].rstrip(".")
            assert bad not in rec["question"]
            assert bad in rec["chosen"] and bad not in chosen_mem
            assert bad in rejected_mem
        else:
            fact = change["fact"].rstrip(".").lower()
            assert rejected_mem.lower().count(fact) > chosen_mem.lower().count(fact) >= 1


def test_dialogue_out_makes_the_answer_wrong_and_mem_keeps_it() -> None:
    for rec in _records("Mem0") + _records("A-Mem"):
        meta = rec["meta"]
        if meta["setting"].endswith("Out"):
            assert meta["rejected_answer"] != meta["answer"]
        else:
            assert meta["rejected_answer"] == meta["answer"]
        assert meta["answer"] in rec["chosen"]
        for turn in meta["change"]["turns"]:
            assert turn in rec["question"]  # the skipped turn really is in the conversation
        assert rec["question"].rstrip().endswith(meta["query"])


def test_longform_rejected_text_has_the_tampered_or_dropped_constraint() -> None:
    for rec in _records("LongForm"):
        for change in rec["meta"]["change"]:
            original = change["original"]
            assert rec["chosen"].count(original) > rec["rejected"].count(original)
            if change["mode"] == "tamper":
                assert rec["rejected"].count(change["modified"]) > rec["chosen"].count(
                    change["modified"]
                )


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


@pytest.mark.parametrize("feature", list(_FEATURES))
def test_no_format_feature_predicts_the_label(feature: str) -> None:
    """'Pick the side with more X' must stay near chance in every setting."""
    f = _FEATURES[feature]
    score: dict[str, list[float]] = defaultdict(list)
    for rec in bundled_records():
        c, r = f(rec["chosen"]), f(rec["rejected"])
        score[rec["meta"]["setting"]].append(0.5 if c == r else float(c > r))
    for setting in SETTINGS:
        acc = sum(score[setting]) / len(score[setting])
        assert 0.25 <= acc <= 0.75, (setting, feature, acc)


def _diff_openings(a: str, b: str) -> set[str]:
    """Opening words (first four) of sentences that occur in ``a`` but not in ``b``."""
    split = re.compile(r"(?<=[.!?:])\s+|\n+")
    only = set(split.split(a)) - set(split.split(b))
    return {" ".join(s.split()[:4]) for s in only if s.strip()}


def test_no_phrase_marks_either_side() -> None:
    """No sentence opening shows up on one side's own text in most pairs of a setting and
    rarely on the other: the differences are contents, not a template only one side uses."""
    by_setting: dict[str, list[tuple[set[str], set[str]]]] = defaultdict(list)
    for rec in bundled_records():
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
