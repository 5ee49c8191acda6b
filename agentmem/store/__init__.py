"""Trace stores: where every step of a run is committed, so runs can be shown, exported and resumed.

* :class:`SQLTraceStore` -- SQLite by default (WAL, busy timeout), PostgreSQL by URL; one
  transaction per step.
* :class:`InMemoryTraceStore` -- no persistence, for tests and scripts.
* :func:`open_trace_store` / :func:`default_trace_url` -- the store a user configured
  (``--trace-db`` / ``AGENTMEM_TRACE_DB``).

Both implement :class:`agentmem._trace.TraceStore`.
"""

from __future__ import annotations

from agentmem._trace import RunInfo, RunStatus, TraceStore
from agentmem.store._codec import (
    run_info_to_dict,
    step_from_dict,
    step_to_dict,
    trajectory_from_dict,
    trajectory_to_dict,
)
from agentmem.store._memory import InMemoryTraceStore
from agentmem.store._open import open_trace_store
from agentmem.store._sql import SQLTraceStore
from agentmem.store._tables import SCHEMA_VERSION
from agentmem.store._urls import default_trace_url

__all__ = [
    "SCHEMA_VERSION",
    "InMemoryTraceStore",
    "RunInfo",
    "RunStatus",
    "SQLTraceStore",
    "TraceStore",
    "default_trace_url",
    "open_trace_store",
    "run_info_to_dict",
    "step_from_dict",
    "step_to_dict",
    "trajectory_from_dict",
    "trajectory_to_dict",
]
