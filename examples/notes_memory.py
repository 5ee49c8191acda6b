"""Notes memory (A-Mem-style): notes with context, keywords, tags and links; links and
neighbour updates ("evolution") are proposed by the model and scored before they are applied.

Offline (default): a fake OpenAI-compatible server on 127.0.0.1 plays the model, and proposes
one neighbour update the reward model turns down.

    .venv/bin/python examples/notes_memory.py
    .venv/bin/python examples/notes_memory.py --model openai/gpt-4o-mini
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile

from agentmem.memory import NotesMemory, Scope
from agentmem.testing import FakeOpenAIServer, FakeRequest

SESSIONS = [
    "I signed up for the Lisbon half marathon in October.",
    "Training update: I ran 15 km along the river today for the half marathon.",
    "My knee hurts after the long half marathon training run, I am seeing a physio on Friday.",
]


def scripted_model(req: FakeRequest) -> str:
    """A stand-in model for note attributes, evolution, and a pointwise judge."""
    if "memory notes. For the note" in req.system:
        note = req.user.split("Note:\n", 1)[1]
        words = [w for w in re.findall(r"[a-z]+", note.lower()) if len(w) > 4][:5]
        tags = (
            ["running"]
            if re.search(r"marathon|run|km", note)
            else ["health"]
            if "knee" in note
            else []
        )
        return json.dumps(
            {"context": f"The user talks about: {note[:60]}", "keywords": words, "tags": tags}
        )
    if "NEIGHBOURS" in req.user:
        shown = re.findall(r"^\[(\d+)\]", req.user, flags=re.M)
        updates = [{"id": int(shown[0]), "tags": ["running", "training"]}] if shown else []
        if "knee" in req.user and shown:
            updates.append(
                {"id": int(shown[0]), "context": "The user quit running for good"}
            )  # unsupported: should be refused
        return json.dumps({"links": [int(shown[0])] if shown else [], "updates": updates})
    if "[Proposed new memory]" in req.user:
        proposed = req.user.split("[Proposed new memory]")[1]
        if "quit running" in proposed:
            return '{"score": 0.1, "rationale": "nothing says the user quit running"}'
        return '{"score": 0.85, "rationale": "consistent with the conversation"}'
    return "{}"


async def main(args: argparse.Namespace) -> None:
    server = None
    model, api_base = args.model, args.api_base
    if model is None:
        server = FakeOpenAIServer(handler=scripted_model).start()
        model, api_base = "openai/fake", server.base_url
        print(f"(offline: a scripted model on {api_base})")
    alice = Scope(user_id="alice")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with NotesMemory.create(
                args.path or tmp,
                model=model,
                api_base=api_base,
                api_key=args.api_key or "none",
                rm=args.rm or f"llm:{model}",
                policy=args.policy,
            ) as memory:
                for text in SESSIONS:
                    print(f"\nuser: {text}")
                    result = await memory.add(text, scope=alice)
                    for o in result.outcomes:
                        what = "new note" if o.op.op == "ADD" else o.op.reason
                        score = "-" if o.score is None else f"{o.score:.2f}"
                        print(
                            f"  {'applied ' if o.status == 'applied' else 'REJECTED'} {what:8} {o.op.text[:70]!r} (score {score}) {o.rationale}"
                        )
                print("\nnotes now:")
                for n in await memory.get_all(scope=alice):
                    print(
                        f"  [{n.id[:8]}] v{n.version} {n.text}\n      context={n.context!r} tags={n.tags} links={[x[:8] for x in n.links]}"
                    )
                pairs = await memory.export_pairs(scope=alice)
                print(
                    f"\n{len(pairs)} MemRewardBench pair(s) exported ({pairs[0]['task'] if pairs else '-'})"
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model")
    ap.add_argument("--api-base")
    ap.add_argument("--api-key")
    ap.add_argument("--rm", help="reward model spec (default: llm:<model>)")
    ap.add_argument("--policy", default="gate:0.5")
    ap.add_argument("--path")
    asyncio.run(main(ap.parse_args()))
