"""Structured logging for agentmem: one event per memory update.

agentmem logs through its own structlog logger, so configuring it never touches an application's
global structlog or stdlib logging setup. Until :func:`configure_logging` is called only warnings
and errors are emitted (to stderr); the CLI configures it from ``--log-level`` /
``AGENTMEM_LOG_LEVEL``. Output is pretty on a TTY and JSON lines otherwise.

Events (``event`` key): ``memory.update`` (one per committed step, with run, group, step, kind,
scores, decision, latency_ms, tokens, replayed), ``run.start``, ``run.resume``, ``run.finish``,
``run.fail``.

Tests use :func:`capture_events`::

    with capture_events() as events:
        await pipeline.run(doc, question)
    assert [e["decision"] for e in events if e["event"] == "memory.update"] == [...]
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any, Literal, TextIO

import structlog

__all__ = ["LogLevel", "capture_events", "configure_logging", "get_logger"]

LogLevel = Literal["debug", "info", "warning", "error"]

_LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time of writing (tests and apps swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def _build(level: str, *, stream: Any, json: bool | None) -> Any:
    if level not in _LEVELS:
        from agentmem.exceptions import UnknownNameError

        raise UnknownNameError("log level", level, _LEVELS)
    use_json = json if json is not None else not stream.isatty()
    renderer: Any
    if use_json:
        renderer = structlog.processors.JSONRenderer()
    else:
        colors = (
            stream.isatty()
            and not os.environ.get("AGENTMEM_NO_COLOR")
            and not os.environ.get("NO_COLOR")
        )
        renderer = structlog.dev.ConsoleRenderer(colors=colors)
    return structlog.wrap_logger(
        structlog.PrintLogger(file=stream),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[level]),
        cache_logger_on_first_use=True,
    )


_logger: Any = _build("warning", stream=_CurrentStderr(), json=None)


def configure_logging(
    level: str = "info", *, stream: TextIO | None = None, json: bool | None = None
) -> None:
    """Set agentmem's log level and output.

    Args:
        level: ``debug``, ``info`` (one event per update), ``warning`` (default) or ``error``.
        stream: where to write (stderr by default).
        json: force JSON lines (True) or the pretty console format (False); default: pretty on a
            TTY, JSON otherwise.
    """
    global _logger
    _logger = _build(level.lower(), stream=stream or _CurrentStderr(), json=json)


def get_logger() -> Any:
    """agentmem's current bound logger (call at use time: configuration can change it)."""
    return _logger


@contextlib.contextmanager
def capture_events() -> Iterator[list[dict[str, Any]]]:
    """Collect every agentmem log event (all levels) as dicts, instead of printing them."""
    global _logger
    previous = _logger
    events: list[dict[str, Any]] = []

    def keep(_logger: Any, method: str, event_dict: dict[str, Any]) -> Any:
        event_dict["log_level"] = method
        events.append(event_dict)
        raise structlog.DropEvent

    _logger = structlog.wrap_logger(
        structlog.PrintLogger(file=_CurrentStderr()),  # type: ignore[arg-type]
        processors=[keep],  # pyright: ignore[reportArgumentType]
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
    )
    try:
        yield events
    finally:
        _logger = previous
