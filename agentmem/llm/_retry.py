"""Which failures are worth retrying, and how long to wait before the next attempt."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

__all__ = ["RETRY_STATUSES", "TransportFailure", "backoff_delay", "parse_retry_after"]

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})
"""HTTP statuses that mean "try again later" (rate limits, overload, gateway trouble)."""

MAX_RETRY_AFTER_S = 120.0
"""A server asking us to wait longer than this is capped (we would rather fail than hang)."""


@dataclass(kw_only=True)
class TransportFailure(Exception):
    """One failed attempt, as a transport reports it to the retry loop."""

    status: int | None = None
    """HTTP status, None for timeouts and connection errors."""
    message: str = ""
    """What went wrong (response body excerpt or exception text)."""
    timeout: bool = False
    """The attempt exceeded the client's timeout."""
    retry_after: float | None = None
    """Seconds the server asked us to wait (``retry-after`` / ``retry-after-ms`` headers)."""
    connection: bool = False
    """Could not connect / connection dropped."""

    def __post_init__(self) -> None:
        super().__init__(self.describe())

    @property
    def retryable(self) -> bool:
        """Timeouts, connection errors and the statuses in :data:`RETRY_STATUSES`."""
        return (
            self.timeout
            or self.connection
            or (self.status is not None and self.status in RETRY_STATUSES)
        )

    def describe(self) -> str:
        """Short text for error messages: ``HTTP 429: slow down`` / ``timeout`` / ``connection error``."""
        if self.timeout:
            head = "timeout"
        elif self.status is not None:
            head = f"HTTP {self.status}"
        else:
            head = "connection error"
        return f"{head}: {self.message[:300]}" if self.message else head


def parse_retry_after(headers: dict[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, ``retry-after`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, min(float(ms) / 1000.0, MAX_RETRY_AFTER_S))
        except ValueError:
            pass
    value = lower.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER_S))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_AFTER_S))


def backoff_delay(
    attempt: int, *, base: float, cap: float, retry_after: float | None = None
) -> float:
    """Wait before retry number ``attempt`` (0-based): full-jitter exponential backoff.

    A server's ``retry-after`` is honoured as the floor; a little jitter on top of it keeps many
    clients that were told the same time from coming back in lockstep.
    """
    jittered = random.uniform(0.0, min(cap, base * (2.0**attempt)))
    if retry_after is not None:
        return (
            retry_after + random.uniform(0.0, min(0.1 * retry_after, 1.0))
            if retry_after > 0
            else jittered * 0.1
        )
    return jittered
