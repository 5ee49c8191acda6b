"""The runner with the real LLM judge over HTTP (a fake OpenAI server on 127.0.0.1), compat mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentmem.testing import FakeOpenAIServer, FakeRequest
from benchmarks.loaders import load_records
from benchmarks.runner import ExecOptions, RunConfig, read_ledger, run_bench

_A_START = "[The Start of Agent A's Trajectory]\n"
_B_START = "[The Start of Agent B's Trajectory]\n"
# the published evaluator's prompts, as the judge ships them
_PROMPTS = json.loads(
    (Path(__file__).resolve().parents[2] / "rewards/llm_judge/prompts.json").read_text()
)


@pytest.fixture(autouse=True)
def _fake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-for-the-local-server")


def _agent_a(req: FakeRequest) -> str:
    text = req.user
    return text[text.index(_A_START) + len(_A_START) : text.index(_B_START)]


async def test_compat_run_sends_the_official_prompts_and_decoding(
    samples: Path, tmp_path: Path
) -> None:
    chosen = {r.chosen for r in load_records([samples])}

    def oracle(req: FakeRequest) -> str:  # a perfect judge: finds the chosen trajectory's slot
        a = _agent_a(req)
        return "[[A]] A is better" if any(c and c in a for c in chosen) else "[[B]] B is better"

    with FakeOpenAIServer(handler=oracle) as server:
        res = await run_bench(
            RunConfig(
                data=[str(samples)],
                rm="llm:openai/fake",
                rm_overrides={"api_base": server.base_url},
            ),
            out_dir=tmp_path / "o",
            options=ExecOptions(write_report=False, cache=False),
        )
        requests = server.chat_requests
    assert res.accuracy == 1.0 and res.n_pairs == 7 and res.n_errors == 0
    assert len(requests) == 7  # one order per pair in compat mode
    assert {(r.body["temperature"], r.body["top_p"], r.body["max_tokens"]) for r in requests} == {
        (0.7, 0.95, 16384)
    }
    prompts = _PROMPTS
    generation = [
        r for r in requests if r.system.strip() == prompts["system_prompt_generation"].strip()
    ]
    understanding = [
        r for r in requests if r.system.strip() == prompts["system_prompt_understanding"].strip()
    ]
    assert len(generation) == 2 and len(understanding) == 5  # the long-form file's two pairs
    ledger = read_ledger(tmp_path / "o" / "predictions.jsonl")
    assert all(p.raw and p.raw[0].startswith("[[") for p in ledger)
    assert res.tokens > 0


async def test_compat_parse_failures_count_as_wrong(samples: Path, tmp_path: Path) -> None:
    # the official parse reads [[A]]/[[B]] only at the very start: a leading space is unparsed
    with FakeOpenAIServer(handler=lambda req: " [[A]] with a leading space") as server:
        res = await run_bench(
            RunConfig(
                data=[str(samples)],
                rm="llm:openai/fake",
                rm_overrides={"api_base": server.base_url},
            ),
            out_dir=tmp_path / "o",
            options=ExecOptions(write_report=False, cache=False),
        )
    assert res.n_unparsed == 7 and res.accuracy == 0.0 and res.parse_failure_rate == 1.0


async def test_robust_mode_judges_both_orders_over_http(samples: Path, tmp_path: Path) -> None:
    with FakeOpenAIServer(
        handler=lambda req: "[[A]]"
    ) as server:  # a judge that always prefers slot A
        res = await run_bench(
            RunConfig(
                data=[str(samples)],
                rm="llm:openai/fake",
                mode="robust",
                rm_overrides={"api_base": server.base_url},
            ),
            out_dir=tmp_path / "o",
            options=ExecOptions(write_report=False, cache=False),
        )
        n_requests = len(server.chat_requests)
    assert n_requests == 14 and res.n_judgments == 14
    assert (
        res.consistency == 0.0
        and res.position_bias == 0.5
        and res.n_ties == 7
        and res.accuracy == 0.0
    )
