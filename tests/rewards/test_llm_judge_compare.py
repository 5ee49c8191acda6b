"""The pairwise judge over HTTP against the fake server: compat bit-exactness, robust both orders,
soft scores, structured output, registry wiring."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources

import pytest

from agentmem.exceptions import UnknownNameError, UserError
from agentmem.testing import FakeOpenAIServer, FakeReply, FakeRequest
from rewards import PairInput, make_reward_model
from rewards.llm_judge import LLMJudge, position_stats

PUBLISHED_SHA256 = "bc168475c6c4a5c4922f41d130bf616327216cee1ca53500a66c8260006d6810"


def judge(server: FakeOpenAIServer, **kw: object) -> LLMJudge:
    rm = make_reward_model("llm:openai/fake", api_base=server.base_url, api_key="k", **kw)
    assert isinstance(rm, LLMJudge)
    return rm


PAIR = PairInput(
    question="Instruction.\nLong context {with braces}.\nQuestion: when?",
    trajectory_a="Step1: kept 1999",
    trajectory_b="Step1: lost it",
)


def test_shipped_prompts_are_the_published_file() -> None:
    data = resources.files("rewards.llm_judge").joinpath("prompts.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == PUBLISHED_SHA256


@pytest.mark.parametrize("kind", ["understanding", "generation"])
async def test_compat_request_is_bit_exact(fake_openai: FakeOpenAIServer, kind: str) -> None:
    fake_openai.script("[[A]] A keeps the year.")
    published = json.loads(
        resources.files("rewards.llm_judge").joinpath("prompts.json").read_text(encoding="utf-8")
    )
    rm = judge(fake_openai)
    pair = PairInput(
        question=PAIR.question,
        trajectory_a=PAIR.trajectory_a,
        trajectory_b=PAIR.trajectory_b,
        kind=kind,
    )  # type: ignore[arg-type]
    verdict = await rm.compare(pair)
    await rm.aclose()
    body = fake_openai.chat_requests[0].body
    expected_user = (
        f"[User Question]\n{pair.question}\n\n[The Start of Agent A's Trajectory]\n{pair.trajectory_a}\n"
        f"[The End of Agent A's Trajectory]\n\n[The Start of Agent B's Trajectory]\n{pair.trajectory_b}\n"
        "[The End of Agent B's Trajectory]"
    )
    system = published[
        "system_prompt_generation" if kind == "generation" else "system_prompt_understanding"
    ]
    assert body["messages"] == [
        {"role": "system", "content": system},
        {"role": "user", "content": expected_user},
    ]
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.95, 16384)
    assert not {"logprobs", "response_format", "seed", "stop"} & set(body)
    assert len(fake_openai.chat_requests) == 1  # one order only, like the published runner
    assert (
        verdict.winner == "A"
        and verdict.scorer == "llm"
        and verdict.raw == ("[[A]] A keeps the year.",)
    )
    assert verdict.tokens > 0 and verdict.evidence["both_orders"] is False


@pytest.mark.parametrize(
    ("reply", "winner"),
    [(" [[B]]", "unparsed"), ("Verdict: [[A]]", "unparsed"), ("[[B]]\nwhy", "B")],
)
async def test_compat_verdicts_follow_the_published_rule(
    fake_openai: FakeOpenAIServer, reply: str, winner: str
) -> None:
    fake_openai.script(reply)
    rm = judge(fake_openai)
    assert (await rm.compare(PAIR)).winner == winner
    await rm.aclose()


@pytest.mark.parametrize(("reply", "winner"), [(" [[B]]", "B"), ("Verdict: [[A]]", "A")])
async def test_robust_mode_recovers_what_compat_cannot(
    fake_openai: FakeOpenAIServer, reply: str, winner: str
) -> None:
    fake_openai.handler = lambda req: reply
    rm = judge(fake_openai, mode="robust", both_orders=False)
    verdict = await rm.compare(PAIR)
    assert verdict.winner == winner and "robust" in verdict.evidence["parse"]
    await rm.aclose()


def _position_of(req: FakeRequest, marker: str) -> str:
    """Which slot (A or B) of the prompt holds the trajectory containing ``marker``."""
    user = req.user
    a_end = user.index("[The End of Agent A's Trajectory]")
    return "A" if user.index(marker) < a_end else "B"


async def test_robust_both_orders_agree_on_a_content_judge(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.handler = lambda req: f"analysis\n[[{_position_of(req, 'kept 1999')}]]"
    rm = judge(fake_openai, mode="robust")
    verdict = await rm.compare(PAIR)
    await rm.aclose()
    assert len(fake_openai.chat_requests) == 2
    assert verdict.winner == "A" and verdict.evidence["agree"] is True
    assert verdict.evidence["orders"] == {"ab": "A", "ba": "B"}
    assert verdict.confidence == pytest.approx(0.75)


async def test_robust_position_biased_judge_gives_a_tie_and_shows_its_bias(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.handler = lambda req: "[[A]]"  # always the first slot
    rm = judge(fake_openai, mode="robust")
    verdicts = [await rm.compare(PAIR) for _ in range(3)]
    await rm.aclose()
    assert all(v.winner == "tie" and v.confidence == 0.5 for v in verdicts)
    stats = position_stats(verdicts)
    assert (
        stats.position_bias == pytest.approx(0.5)
        and stats.consistency == 0.0
        and stats.pairs_both_orders == 3
    )


async def test_soft_scores_from_logprobs(fake_openai: FakeOpenAIServer) -> None:
    # verdict token "A" with P(A)=0.8, P(B)=0.2 in its top alternatives
    lp = [
        ("[[", -0.001, {"[[": -0.001}),
        ("A", -0.2231435513, {"A": -0.2231435513, "B": -1.6094379124}),
        ("]]", 0.0, {}),
    ]
    fake_openai.handler = lambda req: FakeReply(content="[[A]] because", logprobs=lp)
    rm = judge(fake_openai, logprobs=True)
    verdict = await rm.compare(PAIR)
    await rm.aclose()
    body = fake_openai.chat_requests[0].body
    assert body["logprobs"] is True and body["top_logprobs"] == 5
    assert verdict.score_a == pytest.approx(0.8) and verdict.score_b == pytest.approx(0.2)
    assert verdict.confidence == pytest.approx(0.8)


async def test_soft_scores_use_the_last_verdict_in_robust_mode(
    fake_openai: FakeOpenAIServer,
) -> None:
    lp = [
        ("I considered ", -0.1, {}), ("[[", 0.0, {}), ("A", -0.1, {"A": -0.1, "B": -2.4}), ("]]", 0.0, {}),
        (" but ", -0.1, {}), ("[[B", -0.3567, {"[[B": -0.3567, "[[A": -1.2040}), ("]]", 0.0, {}),
    ]  # fmt: skip
    fake_openai.handler = lambda req: FakeReply(content="I considered [[A]] but [[B]]", logprobs=lp)
    rm = judge(fake_openai, mode="robust", both_orders=False, logprobs=True)
    verdict = await rm.compare(PAIR)
    await rm.aclose()
    assert verdict.winner == "B"
    assert verdict.score_b == pytest.approx(0.7, abs=1e-3) and verdict.score_a == pytest.approx(
        0.3, abs=1e-3
    )


async def test_structured_output_is_requested_and_read(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.handler = lambda req: json.dumps({"analysis": "B drops the year", "verdict": "A"})
    rm = judge(fake_openai, mode="robust", both_orders=False, structured=True)
    verdict = await rm.compare(PAIR)
    await rm.aclose()
    assert fake_openai.chat_requests[0].body["response_format"]["type"] == "json_schema"
    assert verdict.winner == "A" and verdict.evidence["parse"] == "robust: JSON verdict field"


async def test_robust_decoding_is_deterministic_and_cached(
    fake_openai: FakeOpenAIServer, tmp_path: object
) -> None:
    fake_openai.handler = lambda req: f"[[{_position_of(req, 'kept 1999')}]]"
    rm = judge(fake_openai, mode="robust", cache_dir=tmp_path)
    first = await rm.compare(PAIR)
    second = await rm.compare(PAIR)
    await rm.aclose()
    assert fake_openai.chat_requests[0].body["temperature"] == 0.0
    assert len(fake_openai.chat_requests) == 2  # the second comparison came from the cache
    assert first.winner == second.winner == "A" and second.evidence["ab"]["cached"] is True


def test_spec_records_arguments_but_no_secrets(fake_openai: FakeOpenAIServer) -> None:
    rm = judge(fake_openai, mode="robust", temperature=0.2)
    assert rm.spec.name == "llm" and rm.spec.label == "llm:openai/fake"
    assert rm.spec.args["mode"] == "robust" and rm.spec.args["temperature"] == 0.2
    assert (
        "k" not in json.dumps(rm.spec.args).replace('"', " ").split()
    )  # the api key is not recorded
    assert "api_key" not in rm.spec.args


def test_bad_specs_are_user_errors() -> None:
    with pytest.raises(UserError, match="needs a model"):
        make_reward_model("llm")
    with pytest.raises(UnknownNameError, match="did you mean 'robust'"):
        make_reward_model("llm:openai/x", mode="robus")
    with pytest.raises(UserError, match="structured"):
        make_reward_model("llm:openai/x", structured=True)


async def test_model_failure_surfaces_as_model_error(fake_openai: FakeOpenAIServer) -> None:
    from agentmem.exceptions import ModelError

    fake_openai.handler = lambda req: FakeReply(status=503)
    rm = judge(fake_openai, max_retries=0)
    with pytest.raises(ModelError, match=re.escape(fake_openai.base_url)):
        await rm.compare(PAIR)
    await rm.aclose()


async def test_compat_replies_are_replayed_from_the_cache_when_one_is_given(
    fake_openai: FakeOpenAIServer, tmp_path: object
) -> None:
    fake_openai.script("[[A]] first sample", "[[B]] second sample")
    rm = judge(fake_openai, cache_dir=tmp_path)
    first = await rm.compare(PAIR)
    await rm.aclose()
    again = judge(fake_openai, cache_dir=tmp_path)  # a rerun / resumed benchmark
    second = await again.compare(PAIR)
    await again.aclose()
    assert first.winner == second.winner == "A" and second.evidence["cached"] is True
    assert len(fake_openai.chat_requests) == 1
    other_seed = judge(fake_openai, cache_dir=tmp_path, seed=1)  # the seed is part of the key
    assert (await other_seed.compare(PAIR)).winner == "B"
    await other_seed.aclose()


def test_soft_scores_read_letter_tokens_in_any_bracket_split() -> None:
    import math

    from rewards.llm_judge import soft_verdict

    split_right = [
        ("[[", 0.0, {}),
        ("B]]", math.log(0.6), {"B]]": math.log(0.6), "A]]": math.log(0.2)}),
    ]
    assert soft_verdict(split_right, "last") == pytest.approx((0.25, 0.75))
    assert soft_verdict([("no verdict", 0.0, {})], "last") is None
    assert soft_verdict(None, "first") is None


def test_structured_auto_follows_the_model_map() -> None:
    assert (
        make_reward_model("llm:openai/gpt-4o-mini", mode="robust", structured="auto").structured
        is True
    )  # type: ignore[attr-defined]
    assert (
        make_reward_model("llm:openai/fake", mode="robust", structured="auto").structured is False
    )  # type: ignore[attr-defined]
    assert make_reward_model("llm:openai/gpt-4o-mini", structured="auto").structured is False  # type: ignore[attr-defined]


def test_string_overrides_from_a_cli_are_coerced() -> None:
    rm = make_reward_model(
        "llm:openai/fake", api_base="http://127.0.0.1:9/v1", temperature="0.2", seed="7",
        both_orders="false", concurrency="32", mode="robust", structured="true",
    )  # fmt: skip
    assert isinstance(rm, LLMJudge)
    assert (rm.temperature, rm.seed, rm.both_orders, rm.structured) == (0.2, 7, False, True)
    assert rm.client.concurrency == 32
    with pytest.raises(UserError, match="both_orders must be true or false"):
        make_reward_model("llm:openai/fake", both_orders="maybe")
    with pytest.raises(UserError, match="seed must be an integer"):
        make_reward_model("llm:openai/fake", seed="x")
