"""agentmem's structlog output: JSON lines off a TTY, level filtering, capture for tests."""

from __future__ import annotations

import io
import json

import pytest

from agentmem._logging import capture_events, configure_logging, get_logger
from agentmem.exceptions import UnknownNameError


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore():
    yield
    configure_logging("warning")


def test_json_lines_when_not_a_tty_and_info_events_pass_at_info() -> None:
    out = io.StringIO()
    configure_logging("info", stream=out)
    get_logger().info("memory.update", run="r", group=1, step=2, scores=[0.5], decision="accepted")
    get_logger().debug("hidden")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert (
        event["event"] == "memory.update"
        and event["group"] == 1
        and event["level"] == "info"
        and "timestamp" in event
    )


def test_pretty_console_on_a_tty() -> None:
    out = FakeTTY()
    configure_logging("info", stream=out)
    get_logger().info("memory.update", run="r1", decision="selected")
    text = out.getvalue()
    assert "memory.update" in text and "decision" in text and "selected" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_default_level_drops_update_events() -> None:
    out = io.StringIO()
    configure_logging("warning", stream=out)
    get_logger().info("memory.update", run="r")
    get_logger().warning("run.fail", run="r")
    assert [json.loads(line)["event"] for line in out.getvalue().splitlines()] == ["run.fail"]


def test_capture_events_collects_every_level_and_restores_output() -> None:
    out = io.StringIO()
    configure_logging("warning", stream=out)
    with capture_events() as events:
        get_logger().debug("a", x=1)
        get_logger().info("b")
    assert [(e["event"], e["log_level"]) for e in events] == [("a", "debug"), ("b", "info")]
    get_logger().warning("after")
    assert "after" in out.getvalue() and '"a"' not in out.getvalue()


def test_unknown_level_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown log level 'inf'; did you mean 'info'"):
        configure_logging("inf")
