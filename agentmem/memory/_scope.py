"""Scope: who a memory belongs to. Identity comes from the Scope alone, never from metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentmem.exceptions import UserError

__all__ = ["SCOPE_FIELDS", "Scope"]

SCOPE_FIELDS = ("tenant_id", "user_id", "agent_id", "run_id")
"""Payload keys that carry identity; metadata may never set them."""

_SEP = "\x1f"  # unit separator: cannot appear in a validated id
_VALID = re.compile(r"^[^\x00-\x1f]{1,200}$")


@dataclass(frozen=True, kw_only=True)
class Scope:
    """The owner of a set of memories. Every read and write takes one.

    Two scopes see each other's memories only if all four fields are equal: a search under
    ``Scope(user_id="alice")`` never returns a memory written under
    ``Scope(user_id="alice", run_id="r1")``, and no value in ``metadata`` can change that.
    """

    user_id: str
    """The person the memories are about (required)."""
    tenant_id: str = "default"
    """The application or customer the user belongs to."""
    agent_id: str | None = None
    """The agent that owns the memories, when agents keep separate memories of one user."""
    run_id: str | None = None
    """A single session or run, for session-only memory."""

    def __post_init__(self) -> None:
        for name in SCOPE_FIELDS:
            value = getattr(self, name)
            if value is None and name in ("agent_id", "run_id"):
                continue
            if not isinstance(value, str) or not _VALID.match(value):
                raise UserError(
                    f"Scope.{name} must be a non-empty string of at most 200 printable characters, "
                    f"got {value!r}; e.g. Scope(user_id='alice')"
                )

    @property
    def key(self) -> str:
        """A canonical string naming this scope exactly (used as the tenant key in storage)."""
        return _SEP.join(getattr(self, f) or "" for f in SCOPE_FIELDS)

    def payload(self) -> dict[str, str]:
        """The identity fields as stored next to each memory."""
        out = {f: getattr(self, f) or "" for f in SCOPE_FIELDS}
        out["scope_key"] = self.key
        return out

    @classmethod
    def from_key(cls, key: str) -> Scope:
        """Inverse of :attr:`key`."""
        parts = key.split(_SEP)
        if len(parts) != len(SCOPE_FIELDS):
            raise UserError(f"not a scope key: {key!r}")
        tenant, user, agent, run = parts
        return cls(tenant_id=tenant, user_id=user, agent_id=agent or None, run_id=run or None)

    def __str__(self) -> str:
        bits = [f"user={self.user_id}"]
        if self.tenant_id != "default":
            bits.insert(0, f"tenant={self.tenant_id}")
        if self.agent_id:
            bits.append(f"agent={self.agent_id}")
        if self.run_id:
            bits.append(f"run={self.run_id}")
        return " ".join(bits)
