"""LLM-backed updater/fuser/answerer end to end: real HTTP to a fake OpenAI server on 127.0.0.1,
scripted memories and judge verdicts, 429s, timeouts and hard failures."""

from __future__ import annotations

import re

import pytest
from pipeline_support import DictTraceStore, words_doc

from agentmem._pipeline import build_pipeline, chunk_document
from agentmem.exceptions import ModelError, UserError
from agentmem.llm import LLMClient
from agentmem.testing import FakeOpenAIServer, FakeReply, FakeRequest
from agentmem.updaters import Templates, llm_components
from rewards import Reward, RMSpec, UpdateContext

Q = "Where does item 302 rest?"
JUDGE_MARK = "Judge this memory update"


class VerdictJudge:
    """A reward model asking the (fake) model for a [[Good]]/[[Bad]] verdict, as the benchmark's
    Noise data was built: Good -> 0.9, Bad -> 0.1, the reply is the rationale."""

    def __init__(self, client: LLMClient) -> None:
        self.client = client
        self.spec = RMSpec(name="verdict")

    async def score_update(self, update: UpdateContext) -> Reward:
        done = await self.client.complete(
            f"{JUDGE_MARK}.\nProblem: {update.question}\nOld: {update.previous_memory}\nNew: {update.candidate}\nSay [[Good]] or [[Bad]] and why.",
            temperature=0,
        )
        value = 0.9 if "[[Good]]" in done.text else 0.1
        return Reward(
            value=value,
            rationale=done.text,
            scorer="verdict",
            tokens=done.usage.prompt_tokens + done.usage.completion_tokens,
        )

    async def compare(self, pair: object) -> object:  # not used by pipelines
        raise NotImplementedError


def block(text: str, tag: str) -> str:
    m = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", text, re.S)
    return m.group(1) if m else ""


def fake_model(req: FakeRequest) -> FakeReply | str:
    """Memory = the previous memory plus the section's item numbers; fusion joins; judge likes all."""
    text = req.user
    if JUDGE_MARK in text:
        return "[[Good]] keeps the relevant items"
    if "<section>" in text:
        old = block(text, "memory")
        items = re.findall(r"item number (\d+)", block(text, "section"))
        prev = "" if old == "No previous memory" else old + " "
        return f"<updated_memory>{prev}items {','.join(items)}</updated_memory>"
    if '<memory part="' in text:
        parts = re.findall(r'<memory part="\d+">\n(.*?)\n</memory>', text, re.S)
        return "merged: " + " | ".join(parts)
    return "The notes list item 302 in room 3. \\boxed{room 3}"


@pytest.fixture
def server():
    with FakeOpenAIServer(handler=fake_model) as s:
        yield s


def components(server: FakeOpenAIServer, **kw: object):
    return llm_components(
        "openai/fake",
        api_base=server.base_url,
        api_key="test",
        memory_tokens=256,
        backoff_base=0.01,
        **kw,
    )


@pytest.mark.parametrize("pattern", ["sequential", "parallel", "mixed"])
async def test_llm_pipeline_every_pattern_over_http(
    pattern: str, server: FakeOpenAIServer, store: DictTraceStore
) -> None:
    updater, fuser, answerer = components(server)
    judge = VerdictJudge(updater.client)
    doc = words_doc(6)
    n = len(chunk_document(doc, 60))
    pipe = build_pipeline(
        pattern,
        updater=updater,
        fuser=fuser,
        answerer=answerer,
        reward_model=judge,
        chunk_tokens=60,
        memory_tokens=256,
        groups=None if pattern == "sequential" else 2,
    )  # type: ignore[arg-type]
    async with updater.client:
        traj = await pipe.run(doc, Q, run_id=pattern, store=store)

    assert traj.answer is not None and traj.answer.extracted == "room 3"
    updates = [s for s in traj.steps if s.kind == "update"]
    assert len(updates) == n
    assert all(
        s.committed.reward.value == 0.9 and s.committed.reward.rationale.startswith("[[Good]]")
        for s in traj.steps
    )
    assert all(
        s.committed.candidate.usage.model == "openai/fake"
        and s.committed.candidate.usage.prompt_tokens > 0
        for s in traj.steps
    )
    assert "302" in traj.final_memory and store.runs[pattern].status == "finished"
    # the MemAgent prompt: problem, memory ("No previous memory" first), section, budget; max_tokens = budget
    first = next(r for r in server.chat_requests if "<section>" in r.user)
    assert block(first.user, "problem") == Q and block(first.user, "memory") == "No previous memory"
    assert "256 tokens" in first.user and first.body["max_tokens"] == 256
    if pattern != "sequential":
        assert traj.fusion is not None and traj.fusion.memory.startswith("merged: ")
    answer_req = [r for r in server.chat_requests if "\\boxed{}" in r.user]
    assert len(answer_req) == 1 and block(answer_req[0].user, "memory") == traj.final_memory


async def test_gate_sends_the_judges_rationale_back_as_feedback(server: FakeOpenAIServer) -> None:
    verdicts = iter(["[[Bad]] it dropped item 302", "[[Good]] fixed"])

    def handler(req: FakeRequest) -> FakeReply | str:
        if JUDGE_MARK in req.user:
            return next(verdicts, "[[Good]] fine")
        return fake_model(req)

    server.handler = handler
    updater, _, answerer = components(server)
    pipe = build_pipeline(
        "sequential",
        updater=updater,
        answerer=answerer,
        reward_model=VerdictJudge(updater.client),
        policy="gate",
        chunk_tokens=400,
    )
    async with updater.client:
        traj = await pipe.run(words_doc(2), Q)
    step = traj.steps[0]
    assert [a.reward.value for a in step.attempts] == [
        0.1,
        0.9,
    ] and step.decision == "accepted_after_revision"
    revision = [r for r in server.chat_requests if "<section>" in r.user][1]
    fb = block(revision.user, "feedback")
    assert "it dropped item 302" in fb and "0.10" in fb
    assert step.attempts[1].candidate.feedback is not None


@pytest.mark.parametrize("transport", ["fast", "litellm"])
async def test_429s_and_timeouts_are_retried_and_the_run_completes(
    transport: str, server: FakeOpenAIServer
) -> None:
    server.script(
        FakeReply(status=429, content="slow down", headers={"retry-after": "0.05"}),
        FakeReply(
            content="<updated_memory>late</updated_memory>", delay_s=1.5
        ),  # past the 0.5 s timeout
    )
    updater, _, answerer = components(server, timeout=0.5, transport=transport)
    pipe = build_pipeline(
        "sequential",
        updater=updater,
        answerer=answerer,
        reward_model=VerdictJudge(updater.client),
        chunk_tokens=400,
    )
    assert updater.client.transport.name == transport
    async with updater.client:
        traj = await pipe.run(words_doc(2), Q)
    assert traj.answer is not None and traj.answer.extracted == "room 3"
    assert traj.steps[0].memory.startswith("items ")  # the retried call, not the late one
    assert len([r for r in server.chat_requests if "<section>" in r.user]) >= 3


async def test_model_errors_after_retries_fail_the_run_and_keep_what_was_committed(
    server: FakeOpenAIServer, store: DictTraceStore
) -> None:
    calls = {"n": 0}

    def handler(req: FakeRequest) -> FakeReply | str:
        if "<section>" in req.user:
            calls["n"] += 1
            if calls["n"] >= 2:
                return FakeReply(status=503, content="overloaded")
        return fake_model(req)

    server.handler = handler
    updater, _, answerer = components(server, max_retries=2)
    pipe = build_pipeline(
        "sequential",
        updater=updater,
        answerer=answerer,
        reward_model=VerdictJudge(updater.client),
        chunk_tokens=60,
    )
    async with updater.client:
        with pytest.raises(ModelError, match=r"openai/fake.*503") as info:
            await pipe.run(words_doc(4), Q, run_id="m", store=store)
    assert any("update step 1 of group 0" in n for n in info.value.__notes__)
    assert [s.index for s in store.steps["m"]] == [0]
    assert store.runs["m"].status == "failed" and "503" in (store.runs["m"].error or "")
    assert calls["n"] == 1 + 3  # first chunk, then 1 + 2 retries


async def test_litellm_transport_drives_the_same_pipeline(server: FakeOpenAIServer) -> None:
    updater, fuser, answerer = components(server, transport="litellm")
    pipe = build_pipeline(
        "parallel",
        updater=updater,
        fuser=fuser,
        answerer=answerer,
        reward_model=VerdictJudge(updater.client),
        chunk_tokens=60,
        groups=2,
    )
    async with updater.client:
        traj = await pipe.run(words_doc(4), Q)
    assert updater.client.transport.name == "litellm"
    assert traj.answer is not None and traj.answer.extracted == "room 3"
    assert traj.steps[0].committed.candidate.usage.prompt_tokens > 0


def test_templates_are_validated_with_the_fix() -> None:
    with pytest.raises(UserError, match=r"update template lacks \['chunk'\]"):
        Templates(update="{question} {memory}")
    with pytest.raises(UserError, match=r"unknown placeholder.*'colour'"):
        Templates(answer="{question} {memory} {colour}")
    with pytest.raises(UserError, match=r"memory budget must be an integer >= 1 token, got 0"):
        llm_components("openai/fake", api_base="http://127.0.0.1:1/v1", memory_tokens=0)


async def test_custom_templates_reach_the_model(server: FakeOpenAIServer) -> None:
    t = Templates(answer="Q={question}\nM={memory}\nBox it: \\boxed{{}}")
    updater, _, answerer = components(server, templates=t)
    async with updater.client:
        ans = await answerer(Q, "item 302 rests in room 3")
    assert (
        server.chat_requests[-1].user == f"Q={Q}\nM=item 302 rests in room 3\nBox it: \\boxed{{}}"
    )
    assert ans.extracted == "room 3" and ans.usage.completion_tokens > 0


async def test_gate_with_the_llm_judge_reward_model_over_http(
    server: FakeOpenAIServer, store: DictTraceStore
) -> None:
    """The real `llm:` reward model scores each update; a low score sends its rationale back."""
    from rewards import make_reward_model

    judged = {"n": 0}

    def handler(req: FakeRequest) -> FakeReply | str:
        if "[Proposed new memory]" in req.user:
            judged["n"] += 1
            if judged["n"] == 1:
                return FakeReply(
                    status=429, content="rate limited", headers={"retry-after": "0.01"}
                )
            if judged["n"] == 2:
                return "The update lost item 302, which the question asks about. [[SCORE: 0.2]]"
            return "Keeps every relevant item. [[SCORE: 0.9]]"
        return fake_model(req)

    server.handler = handler
    updater, _, answerer = components(server)
    judge = make_reward_model("llm:openai/fake", api_base=server.base_url, api_key="k", timeout=5)
    pipe = build_pipeline(
        "sequential",
        updater=updater,
        answerer=answerer,
        reward_model=judge,
        policy="gate",
        chunk_tokens=400,
    )
    async with updater.client:
        traj = await pipe.run(words_doc(2), Q, run_id="judge", store=store)
    close = getattr(judge, "aclose", None)
    if close is not None:
        await close()
    first = traj.steps[0]
    assert [round(a.reward.value, 2) for a in first.attempts] == [0.2, 0.9]
    assert first.decision == "accepted_after_revision" and first.attempts[0].reward.scorer == "llm"
    revision = [r for r in server.chat_requests if "<section>" in r.user][1]
    assert "lost item 302" in block(revision.user, "feedback")
    assert (
        store.steps["judge"][0].attempts[0].reward.rationale.startswith("The update lost item 302")
    )
