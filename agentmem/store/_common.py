"""Checks and error messages shared by the trace stores, so both behave identically."""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable
from typing import Any

from agentmem._trace import RunInfo
from agentmem._types import Step
from agentmem.exceptions import UserError

__all__ = ["check_run_info", "check_step", "config_mismatch", "unknown_run"]

_KINDS = ("update", "fusion", "answer")


def unknown_run(run_id: str, known: Iterable[str] = ()) -> UserError:
    """The error for a run id the store has never seen."""
    close = difflib.get_close_matches(run_id, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return UserError(
        f"unknown run id {run_id!r}{hint} (`agentmem trace list` shows the recorded runs; "
        "check --trace-db / AGENTMEM_TRACE_DB points at the store the run was written to)"
    )


def config_mismatch(run_id: str, stored: dict[str, Any], given: dict[str, Any]) -> UserError:
    """The error for ``begin_run`` on an existing run id with a different config."""
    keys = sorted(k for k in set(stored) | set(given) if stored.get(k) != given.get(k))
    diff = ", ".join(f"{k}: {stored.get(k)!r} -> {given.get(k)!r}" for k in keys[:5])
    return UserError(
        f"run id {run_id!r} already exists with a different configuration ({diff}); "
        "resume it with the same document and settings, or start a new run with another run id"
    )


def check_run_info(info: RunInfo) -> None:
    """Reject run metadata no store could keep."""
    if not isinstance(info.run_id, str) or not info.run_id.strip():
        raise UserError(f"run id must be a non-empty string, got {info.run_id!r}")
    if len(info.run_id) > 200:
        raise UserError(
            f"run id must be at most 200 characters, got {len(info.run_id)} ({info.run_id[:40]!r}...)"
        )


def check_step(run_id: str, step: Step) -> None:
    """Reject a step whose identity or choice is malformed (before anything is written)."""
    if step.kind not in _KINDS:
        raise UserError(f"step kind must be one of {_KINDS}, got {step.kind!r} (run {run_id!r})")
    if not step.attempts:
        raise UserError(
            f"step {step.kind} group={step.group} index={step.index} of run {run_id!r} has no "
            "attempts; record a step only after its candidate was scored"
        )
    if not 0 <= step.chosen < len(step.attempts):
        raise UserError(
            f"step {step.kind} group={step.group} index={step.index} of run {run_id!r}: chosen="
            f"{step.chosen!r} is not an index into its {len(step.attempts)} attempts"
        )


def run_busy(run_id: str, owner: str, expires_at: float) -> Exception:
    """The error for a run another executor holds."""
    from agentmem.exceptions import RunBusy

    left = max(0.0, expires_at - time.time())
    return RunBusy(
        f"run {run_id!r} is being executed right now by {owner} (its lease runs {left:.0f} s more "
        "and is renewed while it works); wait for it to finish, or, if that process died, resume "
        f"once the lease has expired -- two executors would interleave their steps"
    )


def owner_gone(owner: str) -> bool:
    """True when a lease owner (``host:pid:token``) is a process of this host that has exited:
    its lease is dead even before it expires (a crash or a kill -9 on this machine)."""
    import os
    import socket

    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
