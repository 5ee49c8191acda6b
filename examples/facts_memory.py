"""Facts memory (Mem0-style) whose every write is scored by a reward model.

Offline (default): starts a fake OpenAI-compatible server on 127.0.0.1 that plays the model --
including one hallucinated fact, which the reward model turns down.

    .venv/bin/python examples/facts_memory.py
    .venv/bin/python examples/facts_memory.py --model openai/gpt-4o-mini            # OPENAI_API_KEY set
    .venv/bin/python examples/facts_memory.py --model openai/qwen2.5 --api-base http://127.0.0.1:8000/v1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
from pathlib import Path

from agentmem.memory import FactsMemory, Scope
from agentmem.testing import FakeOpenAIServer, FakeRequest

SESSIONS = [
    "Hi! I'm Alice. I live in Lisbon and I work as a nurse.",
    "Big change: I moved to Porto last month.",
    "I had a lovely dinner with friends yesterday.",
]


def scripted_model(req: FakeRequest) -> str:
    """A stand-in model: extraction, operation proposals and a pointwise judge, by rules."""
    if "durable facts" in req.system:  # fact extraction
        said = " ".join(line[6:] for line in req.user.splitlines() if line.startswith("user: "))
        facts = [f"User lives in {c}" for c in re.findall(r"(?:live in|moved to) ([A-Z]\w+)", said)]
        facts += [f"User works as a {j}" for j in re.findall(r"work as an? (\w+)", said)]
        if "dinner" in said:
            facts.append(
                "User owns a yacht in Monaco"
            )  # a hallucination the reward model should stop
        return json.dumps({"facts": facts})
    if "EXISTING memories" in req.user:  # ADD / UPDATE / DELETE / NOOP with integer ids
        existing = req.user.split("EXISTING memories:\n")[1].split("\n\n")[0].splitlines()
        revising = "rejected your previous operations" in req.user  # the gate's feedback came back
        ops = []
        for line in req.user.split("NEW facts:\n")[1].split("\n\n")[0].splitlines():
            i, fact = line.split(": ", 1)
            same = [e.split(": ", 1)[0] for e in existing if "lives in" in e and "lives in" in fact]
            if revising:
                ops.append(
                    {
                        "fact": int(i),
                        "event": "NOOP",
                        "text": fact,
                        "reason": "dropped after review",
                    }
                )
            elif same:
                ops.append({"fact": int(i), "event": "UPDATE", "id": int(same[0]), "text": fact})
            else:
                ops.append({"fact": int(i), "event": "ADD", "text": fact})
        return json.dumps({"operations": ops})
    if "[Proposed new memory]" in req.user:  # the LLM judge scoring one write
        section = req.user.split("[Section]")[1].split("[Proposed new memory]")[0].lower()
        proposed = req.user.split("[Proposed new memory]")[1]
        if "yacht" in proposed.lower() and "yacht" not in section:
            return (
                '{"score": 0.05, "rationale": "the conversation never mentions a yacht: invented"}'
            )
        return '{"score": 0.9, "rationale": "supported by the conversation, no duplicate or stale fact"}'
    return "{}"


async def main(args: argparse.Namespace) -> None:
    server = None
    model, api_base = args.model, args.api_base
    if model is None:
        server = FakeOpenAIServer(handler=scripted_model).start()
        model, api_base = "openai/fake", server.base_url
        print(f"(offline: a scripted model on {api_base})")
    rm = args.rm or f"llm:{model}"
    alice = Scope(user_id="alice")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with FactsMemory.create(
                args.path or tmp,
                model=model,
                api_base=api_base,
                api_key=args.api_key or "none",
                rm=rm,
                policy=args.policy,
            ) as memory:
                for text in SESSIONS:
                    print(f"\nuser: {text}")
                    result = await memory.add([{"role": "user", "content": text}], scope=alice)
                    for o in result.outcomes:
                        verdict = (
                            "REJECTED"
                            if o.status == "rejected"
                            else "no-op   "
                            if o.op.op == "NOOP"
                            else "stored  "
                        )
                        score = "-" if o.score is None else f"{o.score:.2f}"
                        print(
                            f"  {verdict} {o.op.op:6} {o.op.text!r} (score {score}) {o.rationale}"
                        )

                print("\nsearch 'where does the user live?':")
                for m in await memory.search("where does the user live?", scope=alice):
                    print(f"  {m.text}  (v{m.version}, id {m.id[:8]})")
                    for e in await memory.history(m.id, scope=alice):
                        print(
                            f"    history: {e.op} {e.old_text!r} -> {e.new_text!r} score={e.score}"
                        )

                pairs = await memory.export_pairs(scope=alice)
                print(
                    f"\n{len(pairs)} MemRewardBench pair(s) exported from this session ({pairs[0]['task'] if pairs else '-'})"
                )
                if args.export and pairs:
                    text = "".join(json.dumps(p) + "\n" for p in pairs)
                    await asyncio.to_thread(Path(args.export).write_text, text)
                    print(f"written to {args.export}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="litellm model string (default: the offline scripted model)")
    ap.add_argument("--api-base", help="OpenAI-compatible base URL")
    ap.add_argument("--api-key")
    ap.add_argument("--rm", help="reward model spec (default: llm:<model>)")
    ap.add_argument("--policy", default="gate:0.5:2")
    ap.add_argument("--path", help="memory folder (default: a temporary one)")
    ap.add_argument("--export", help="write the exported pairs to this JSONL file")
    asyncio.run(main(ap.parse_args()))
