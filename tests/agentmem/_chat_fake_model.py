"""A scripted 'model' for the chat tests, served by FakeOpenAIServer (imported by the chat tests)."""

from __future__ import annotations

import json
import re

from agentmem.testing import FakeReply, FakeRequest


def chat_model(req: FakeRequest) -> str | FakeReply:
    """Extraction, operation proposals, and chat replies that quote the recalled memories."""
    if "durable facts" in req.system:
        conv = req.user.split("Conversation:\n", 1)[1]
        facts = []
        for line in conv.splitlines():
            for city in re.findall(r"live in ([A-Z][a-z]+)", line):
                facts.append(f"User lives in {city}")
            facts += re.findall(r"User lives in [A-Z][a-z]+", line)
            if line.startswith("user:") and "dinner" in line:
                facts.append("User owns a yacht")  # a hallucination for the reward model to catch
        return json.dumps({"facts": list(dict.fromkeys(facts))})
    if "EXISTING memories" in req.user:
        existing = req.user.split("EXISTING memories:\n")[1].split("\n\n")[0].splitlines()
        new = req.user.split("NEW facts:\n")[1].split("\n\n")[0].splitlines()
        ops = []
        for line in new:
            idx, fact = line.split(": ", 1)
            same = [e.split(": ", 1)[0] for e in existing if "lives in" in e]
            ops.append(
                {"fact": int(idx), "event": "UPDATE", "id": int(same[0]), "text": fact}
                if same
                else {"fact": int(idx), "event": "ADD", "id": None, "text": fact}
            )
        return json.dumps({"operations": ops})
    if "[Proposed new memory]" in req.user:  # the LLM judge scoring one memory write
        section = req.user.split("[Section]")[1].split("[Proposed new memory]")[0]
        proposed = req.user.split("[Proposed new memory]")[1]
        if "yacht" in proposed and "yacht" not in section:
            return '{"score": 0.05, "rationale": "no yacht in the conversation"}'
        return '{"score": 0.9, "rationale": "grounded"}'
    # the chat model itself
    if any(m.get("role") == "tool" for m in req.messages):
        return (
            "The tool answered: "
            + [m for m in req.messages if m.get("role") == "tool"][-1]["content"]
        )
    if "use your tool" in req.user:
        return FakeReply(
            content=None,
            tool_calls=[{"name": "search_memory", "arguments": {"query": "where do I live"}}],
        )
    if "remember that" in req.user:
        fact = req.user.split("remember that", 1)[1].strip()
        return FakeReply(
            content=None, tool_calls=[{"name": "remember", "arguments": {"fact": fact}}]
        )
    block = (
        req.system.split("<agentmem-memories>")[1].split("</agentmem-memories>")[0].strip()
        if "<agentmem-memories>" in req.system
        else ""
    )
    return f"Noted. What I remember: {block}"
