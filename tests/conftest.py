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


@pytest.fixture(scope="session", autouse=True)
def _collect_leftovers_at_exit() -> Iterator[None]:
    """Collect objects left unreachable by the last tests before pytest's own final collection.

    A client socket that a test forgot to close is reported by pytest's last ``gc.collect()`` as
    an unraisable ResourceWarning, which ``filterwarnings = error`` turns into a failed run after
    every test passed. Leaks inside a test still fail that test; this only covers the exit.
    """
    yield
    import gc
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
