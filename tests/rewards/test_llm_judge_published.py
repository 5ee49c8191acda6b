"""The judge on the seven real published records (tests/benchmarks/data/memrewardbench-samples)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from agentmem.testing import FakeOpenAIServer, FakeRequest
from rewards import PairInput, make_reward_model
from rewards.llm_judge import LLMJudge, published_prompts

SAMPLES = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "memrewardbench-samples"


def records() -> list[tuple[str, dict[str, str]]]:
    if not SAMPLES.is_dir():
        pytest.skip(f"published samples not found at {SAMPLES}")
    out = []
    for path in sorted(SAMPLES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append((path.name, json.loads(line)))
    assert len(out) == 7
    return out


def pair_of(file: str, rec: dict[str, str], chosen_first: bool) -> PairInput:
    a, b = (rec["chosen"], rec["rejected"]) if chosen_first else (rec["rejected"], rec["chosen"])
    kind = "generation" if "form" in file else "understanding"
    return PairInput(question=rec["question"], trajectory_a=a, trajectory_b=b, kind=kind)  # type: ignore[arg-type]


async def test_compat_prompts_on_real_records_follow_the_published_template(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.handler = lambda req: "[[A]]"
    rm = make_reward_model("llm:openai/fake", api_base=fake_openai.base_url)
    assert isinstance(rm, LLMJudge)
    tmpl = published_prompts()["user_template"]
    recs = records()
    rng = random.Random(42)
    for file, rec in recs:
        first = rng.random() < 0.5
        await rm.compare(pair_of(file, rec, first))
    await rm.aclose()
    for (file, rec), req in zip(recs, fake_openai.chat_requests, strict=True):
        user = req.body["messages"][1]["content"]
        # the template with the record's raw strings, whichever side went first
        a_first = tmpl.format(
            question=rec["question"], answer_a=rec["chosen"], answer_b=rec["rejected"]
        )
        b_first = tmpl.format(
            question=rec["question"], answer_a=rec["rejected"], answer_b=rec["chosen"]
        )
        assert user in (a_first, b_first)
        generation = "Strict Constraint Adherence" in req.body["messages"][0]["content"]
        assert generation == ("form" in file)


async def test_robust_mode_keeps_real_records_intact_inside_their_fences(
    fake_openai: FakeOpenAIServer,
) -> None:
    seen: list[FakeRequest] = []

    def handler(req: FakeRequest) -> str:
        seen.append(req)
        return "analysis\n[[A]]"

    fake_openai.handler = handler
    rm = make_reward_model(
        "llm:openai/fake", api_base=fake_openai.base_url, mode="robust", both_orders=False
    )
    for file, rec in records():
        await rm.compare(pair_of(file, rec, True))
    await rm.aclose()  # type: ignore[attr-defined]
    for (_, rec), req in zip(records(), seen, strict=True):
        m = re.search(
            r"^<<<AGENT_A (\w+)\n(.*?)\nAGENT_A \1>>>$", req.user, re.DOTALL | re.MULTILINE
        )
        assert m is not None
        # real trajectories carry no verdict tokens, so they pass through unchanged ([[Good]] kept)
        assert m.group(2) == rec["chosen"]
