"""The trace store's SQL schema (SQLModel tables), identical on SQLite and PostgreSQL.

    agentmem_trace_schema    key/value: the schema version this database was written with
    agentmem_trace_runs      one row per run: question, pattern, status, config, answer
    agentmem_trace_steps     one row per committed step; unique (run, group, kind, index);
                             its autoincrement id is the commit order
    agentmem_trace_attempts  one row per candidate of a step, with its usage and its reward

Table names carry an ``agentmem_trace_`` prefix so the store can share a database (and
SQLModel's global metadata) with other applications' tables.
"""

from __future__ import annotations

from sqlalchemy import Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "AttemptRow",
    "LeaseRow",
    "PaidAttemptRow",
    "RunRow",
    "SchemaRow",
    "StepRow",
]

SCHEMA_VERSION = 2
"""Bump on any change to these tables (and teach the store to read the older version)."""


class SchemaRow(SQLModel, table=True):
    """Database-level facts, e.g. ``schema_version``."""

    __tablename__ = "agentmem_trace_schema"  # pyright: ignore[reportAssignmentType]

    key: str = Field(primary_key=True)
    value: str


class RunRow(SQLModel, table=True):
    """A run and its lifecycle."""

    __tablename__ = "agentmem_trace_runs"  # pyright: ignore[reportAssignmentType]

    run_id: str = Field(primary_key=True)
    question: str = Field(sa_type=Text)
    pattern: str
    status: str = Field(index=True)
    config_json: str = Field(sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: float = Field(index=True)
    finished_at: float | None = None
    answer_json: str | None = Field(default=None, sa_type=Text)


class StepRow(SQLModel, table=True):
    """One committed step (its attempts are in :class:`AttemptRow`)."""

    __tablename__ = "agentmem_trace_steps"  # pyright: ignore[reportAssignmentType]
    __table_args__ = (
        UniqueConstraint("run_id", "group_no", "kind", "step_index", name="uq_agentmem_trace_step"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="agentmem_trace_runs.run_id", ondelete="CASCADE")
    kind: str
    group_no: int
    step_index: int
    previous_memory: str = Field(sa_type=Text)
    chunk_index: int | None = None
    chunk_text: str | None = Field(default=None, sa_type=Text)
    chunk_tokens: int | None = None
    chosen: int
    decision: str
    latency_s: float
    recorded_at: float
    errors_json: str = Field(default="[]", sa_type=Text)
    """Attempts of the step that raised (JSON list of strings; schema 2)."""


class AttemptRow(SQLModel, table=True):
    """One candidate of a step: the proposal, what it cost, and how the reward model scored it."""

    __tablename__ = "agentmem_trace_attempts"  # pyright: ignore[reportAssignmentType]

    step_id: int = Field(
        primary_key=True, foreign_key="agentmem_trace_steps.id", ondelete="CASCADE"
    )
    position: int = Field(primary_key=True)
    round: int
    text: str = Field(sa_type=Text)
    feedback: str | None = Field(default=None, sa_type=Text)
    prompt_tokens: int
    completion_tokens: int
    usage_cost: float
    usage_latency_s: float
    model: str
    reward_value: float
    rationale: str = Field(sa_type=Text)
    scorer: str
    scorer_version: str
    reward_latency_s: float
    reward_tokens: int
    reward_cost: float
    evidence_json: str = Field(sa_type=Text)


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


class LeaseRow(SQLModel, table=True):
    """Who executes a run right now (a run has at most one live lease)."""

    __tablename__ = "agentmem_trace_leases"  # pyright: ignore[reportAssignmentType]

    run_id: str = Field(primary_key=True)
    owner: str
    """Random id of the executing pipeline run (``host:pid:token``)."""
    expires_at: float
    """Unix time after which another executor may take the run over."""


class PaidAttemptRow(SQLModel, table=True):
    """An attempt of a step not committed yet (its proposal and score were paid for): a resume
    reuses it instead of calling the model and the reward model again."""

    __tablename__ = "agentmem_trace_paid_attempts"  # pyright: ignore[reportAssignmentType]

    run_id: str = Field(primary_key=True)
    group_no: int = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    step_index: int = Field(primary_key=True)
    round: int = Field(primary_key=True)
    sample: int = Field(primary_key=True)
    attempt_json: str = Field(sa_type=Text)
    recorded_at: float


TABLES: list[Table] = [
    _table(SchemaRow),
    _table(RunRow),
    _table(StepRow),
    _table(AttemptRow),
    _table(LeaseRow),
    _table(PaidAttemptRow),
]
"""The tables in creation order."""
