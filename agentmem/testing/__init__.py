"""Test doubles users can use too: a real fake OpenAI-compatible server, the network guard,
function-backed components and an in-process PostgreSQL server for tests."""

from agentmem._logging import capture_events
from agentmem.testing._fake_openai import FakeOpenAIServer, FakeReply, FakeRequest, hash_embedding
from agentmem.testing._functions import (
    FunctionAnswerer,
    FunctionFuser,
    FunctionRewardModel,
    FunctionUpdater,
)
from agentmem.testing._guard import (
    RealProviderCallError,
    allow_network,
    forbid_network,
    network_forbidden,
)
from agentmem.testing._postgres import PostgresServer, PostgresUnavailableError, find_postgres_bin

__all__ = [
    "FakeOpenAIServer",
    "FakeReply",
    "FakeRequest",
    "FunctionAnswerer",
    "FunctionFuser",
    "FunctionRewardModel",
    "FunctionUpdater",
    "PostgresServer",
    "PostgresUnavailableError",
    "RealProviderCallError",
    "allow_network",
    "capture_events",
    "find_postgres_bin",
    "forbid_network",
    "hash_embedding",
    "network_forbidden",
]
