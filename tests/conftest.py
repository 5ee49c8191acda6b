"""Suite-wide fixtures: no test reaches the internet, litellm never fetches its price map."""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("AGENTMEM_NO_COLOR", "1")
# No test writes into the user's own trace database (~/.local/share/agentmem/traces.db).
os.environ.setdefault("AGENTMEM_TRACE_DB", "memory://")
# No real provider key may leak into a test run.
for _key in (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "AZURE_API_KEY",
    "GROQ_API_KEY",
):
    os.environ.pop(_key, None)

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from agentmem.testing import FakeOpenAIServer, forbid_network  # noqa: E402

# The global switch: every connection that is not loopback raises RealProviderCallError.
forbid_network()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A fresh fake OpenAI-compatible server on 127.0.0.1 (replies "ok" until scripted)."""
    with FakeOpenAIServer() as server:
        yield server
