"""A real pipeline run in a child process is SIGKILLed mid-run; the run resumes from the store:
nothing committed is redone, nothing is missing, and the result equals an uninterrupted run."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from agentmem._pipeline import build_pipeline
from agentmem._types import Chunk, Step
from agentmem.policies import make_policy
from agentmem.store import InMemoryTraceStore, open_trace_store
from agentmem.testing import FunctionAnswerer, FunctionFuser, FunctionRewardModel, FunctionUpdater

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parents[2]

QUESTION = "Which room holds the red box?"
DOCUMENT = " ".join(
    f"Paragraph {i}: the red box was carried to room {i}. Nothing else happened that day."
    for i in range(60)
)

# The child builds the same pipeline (slow updater) and prints each step once committed.
_CHILD = """
import asyncio, sys
from test_store_pipeline_resume import make_pipeline, DOCUMENT, QUESTION
from agentmem.store import open_trace_store

class Printing:
    def __init__(self, inner):
        self.inner = inner
    def __getattr__(self, name):
        return getattr(self.inner, name)
    async def record_step(self, run_id, step):
        await self.inner.record_step(run_id, step)
        print(step.group, step.kind, step.index, flush=True)

async def main(url, pattern):
    store = await open_trace_store(url)
    await make_pipeline(pattern, delay=0.02).run(DOCUMENT, QUESTION, run_id="killed", store=Printing(store))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def make_pipeline(pattern: str, *, delay: float = 0.0, calls: list[int] | None = None):  # type: ignore[no-untyped-def]
    """A deterministic gate pipeline: odd chunks first get a noisy proposal the RM rejects."""

    async def update(question: str, memory: str, chunk: Chunk, feedback: str | None) -> str:
        if calls is not None:
            calls.append(chunk.index)
        if delay:
            await asyncio.sleep(delay)
        if feedback is None and chunk.index % 2 == 1:
            return f"NOISE {chunk.index}"
        return f"{memory.split(' | ')[-1]} | box seen in chunk {chunk.index}".strip(" |")

    return build_pipeline(
        pattern,  # type: ignore[arg-type]
        updater=FunctionUpdater(fn=update),
        fuser=FunctionFuser(fn=lambda q, mems, fb: " + ".join(m[-30:] for m in mems)),
        answerer=FunctionAnswerer(fn=lambda q, m: f"\\boxed{{{m[-12:]}}}"),
        reward_model=FunctionRewardModel(score=lambda u: 0.1 if "NOISE" in u.candidate else 0.9),
        policy=make_policy("gate", threshold=0.5, max_attempts=3),
        groups=None if pattern == "sequential" else 3,
        chunk_tokens=20,
        memory_tokens=100,
    )


def _essence(steps: list[Step]) -> list[tuple[object, ...]]:
    """Everything about the steps except wall-clock timings."""
    return sorted(
        (s.group, s.kind, s.index, s.previous_memory, s.chosen, s.decision,
         tuple((a.candidate.text, a.candidate.feedback, a.reward.value, a.round) for a in s.attempts))
        for s in steps
    )  # fmt: skip


@pytest.mark.parametrize("pattern", ["sequential", "parallel"])
async def test_killed_pipeline_resumes_without_redoing_or_losing_steps(
    pattern: str, store_url: str
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_HERE), str(_REPO)])}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD, store_url, pattern,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=str(_REPO),
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    printed: list[tuple[int, str, int]] = []
    try:
        while len(printed) < 8:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
            if not line:
                raise AssertionError(
                    f"child exited early: {(await proc.stderr.read()).decode()[-3000:]}"
                )
            g, kind, i = line.decode().split()
            printed.append((int(g), kind, int(i)))
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

    reference = await make_pipeline(pattern).run(
        DOCUMENT, QUESTION, run_id="reference", store=InMemoryTraceStore()
    )
    store = await open_trace_store(store_url)
    try:
        before = await store.recorded_steps("killed")
        keys = {(s.group, s.kind, s.index) for s in before}
        assert set(printed) <= keys  # every step whose commit returned survived the kill
        assert len(keys) == len(before) < len(reference.steps)  # no duplicates; mid-run

        calls: list[int] = []
        resumed = await make_pipeline(pattern, calls=calls).run(
            DOCUMENT, QUESTION, run_id="killed", store=store
        )
        redone = set(calls) & {s.chunk.index for s in before if s.chunk is not None}
        assert redone == set(), f"chunks re-read after resume: {sorted(redone)}"

        final = await store.recorded_steps("killed")
        assert len(final) == len(reference.steps)
        assert _essence(final) == _essence(reference.steps)
        assert _essence(resumed.steps) == _essence(reference.steps)
        assert resumed.answer is not None and reference.answer is not None
        assert resumed.answer.text == reference.answer.text
        info = await store.get_run("killed")
        assert info is not None and info.status == "finished"
    finally:
        await store.aclose()


async def test_a_step_interrupted_mid_gate_reuses_its_paid_attempt_on_resume() -> None:
    """The first proposal of a step was made and scored (paid for), then the run was cancelled
    while the revision ran. The resume does not pay for that first proposal again."""
    from agentmem.testing import FunctionRewardModel, FunctionUpdater

    stuck = asyncio.Event()
    calls: list[tuple[int, bool]] = []

    def make(block: bool):  # type: ignore[no-untyped-def]
        async def update(question: str, memory: str, chunk: Chunk, feedback: str | None) -> str:
            calls.append((chunk.index, feedback is not None))
            if block and chunk.index == 2 and feedback is not None:
                stuck.set()
                await asyncio.Event().wait()  # the revision hangs: the run gets cancelled here
            return "NOISE" if feedback is None and chunk.index == 2 else f"seen {chunk.index}"

        return build_pipeline(
            "sequential",
            updater=FunctionUpdater(fn=update),
            answerer=FunctionAnswerer(fn=lambda q, m: m),
            reward_model=FunctionRewardModel(
                score=lambda u: 0.1 if "NOISE" in u.candidate else 0.9
            ),
            policy=make_policy("gate", threshold=0.5, max_attempts=3),
            chunk_tokens=20,
        )

    store = InMemoryTraceStore()
    run = asyncio.ensure_future(make(True).run(DOCUMENT[:400], QUESTION, run_id="r", store=store))
    await asyncio.wait_for(stuck.wait(), 10)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert (2, False) in calls
    calls.clear()
    traj = await make(False).run(DOCUMENT[:400], QUESTION, run_id="r", store=store)
    assert (2, False) not in calls and (2, True) in calls  # only the revision was asked again
    [step2] = [s for s in traj.steps if s.chunk is not None and s.chunk.index == 2]
    assert [a.candidate.text for a in step2.attempts] == ["NOISE", "seen 2"]
    assert step2.decision == "accepted_after_revision"
