"""Ctrl-C during `agentmem run`: exit 130, the run is marked failed ('cancelled'), steps kept."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agentmem.store import SQLTraceStore
from agentmem.testing import FakeOpenAIServer, FakeReply, FakeRequest

DOC = "\n\n".join(f"Paragraph {i}: the keeper logged ship number {i} at dawn." for i in range(12))


def test_ctrl_c_exits_130_and_marks_the_run_cancelled(tmp_path: Path) -> None:
    seen = {"sections": 0}

    def handler(req: FakeRequest) -> FakeReply | str:
        if "<section>" in req.user:
            seen["sections"] += 1
            if seen["sections"] >= 3:
                return FakeReply(content="<updated_memory>late</updated_memory>", delay_s=30)
        return "<updated_memory>ships logged</updated_memory>"

    doc = tmp_path / "doc.txt"
    doc.write_text(DOC, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'traces.db'}"
    env = {**os.environ, "AGENTMEM_TRACE_DB": db, "AGENTMEM_FORBID_NETWORK": "1"}
    with FakeOpenAIServer(handler=handler) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agentmem", "run", "--doc", str(doc), "--question", "Which ships?", "--chunk-tokens", "15",
             "--model", "openai/fake", "--api-base", server.base_url, "--run-id", "ctrlc"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while seen["sections"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "Resume with: agentmem run --resume ctrlc --doc" in err

    async def check() -> None:
        store = await SQLTraceStore(db).open()
        try:
            info = await store.get_run("ctrlc")
            steps = await store.recorded_steps("ctrlc")
        finally:
            await store.aclose()
        assert info is not None and info.status == "failed" and info.error == "cancelled"
        assert [s.index for s in steps] == [0, 1]

    asyncio.run(check())
