"""Helpers shared by composite reward models (cascade, ensemble): splitting member specs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agentmem.exceptions import UserError

__all__ = ["close_members", "member_overrides", "split_members"]


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def split_members(arg: str, known: set[str]) -> tuple[list[str], list[float] | None]:
    """Split ``a,b[,w1,w2]`` into member specs and optional weights.

    A comma-separated piece that reads ``key=value`` (no ``:`` before the ``=``) and is not a known
    reward-model name continues the previous member's arguments (``heuristic:mode=robust,tie=0.02``);
    any other piece starts a new member (an unknown name then fails with a suggestion).
    Trailing numbers are weights, one per member.
    """
    pieces = [p.strip() for p in arg.split(",")]
    if not arg.strip() or any(not p for p in pieces):
        raise UserError(
            f"ensemble spec {arg!r} has an empty member; write e.g. 'ensemble:heuristic,llm:openai/gpt-4o-mini,0.6,0.4'"
        )
    weights_raw: list[str] = []
    while pieces and _is_number(pieces[-1]):
        weights_raw.insert(0, pieces.pop())
    members: list[str] = []
    for piece in pieces:
        key = piece.partition("=")[0]
        continuation = (
            bool(members)
            and "=" in piece
            and ":" not in key
            and piece.split(":", 1)[0] not in known
        )
        if continuation:
            members[-1] += "," + piece
        else:
            members.append(piece)
    weights: list[float] | None = None
    if weights_raw:
        if len(weights_raw) != len(members):
            raise UserError(
                f"ensemble spec {arg!r} has {len(members)} members but {len(weights_raw)} weights; "
                "give one weight per member or none"
            )
        weights = [float(w) for w in weights_raw]
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise UserError(f"ensemble weights must be >= 0 and not all 0, got {weights_raw!r}")
    return members, weights


def member_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """The keyword overrides passed on to members (composite-only keys removed)."""
    return {
        k: v
        for k, v in overrides.items()
        if k not in ("calibration", "threshold", "min_confidence", "band", "tie_margin")
    }


async def close_members(members: Iterable[object]) -> None:
    """Await ``aclose()`` on every member that has one."""
    for member in members:
        close = getattr(member, "aclose", None)
        if close is not None:
            await close()
