"""Every --option takes its default from AGENTMEM_<OPTION>, converted and checked like the flag."""

from __future__ import annotations

import pytest

from agentmem.cli import build_parser, main


def test_numeric_and_text_defaults_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENTMEM_CONCURRENCY", "3")
    monkeypatch.setenv("AGENTMEM_TIMEOUT", "5")
    monkeypatch.setenv("AGENTMEM_RPM", "120")
    monkeypatch.setenv("AGENTMEM_MODE", "robust")
    bench = build_parser().parse_args(["bench", "run"])
    assert (bench.concurrency, bench.rpm, bench.mode) == (3, 120, "robust")
    run = build_parser().parse_args(["run", "--doc", "d.txt", "--question", "q"])
    assert run.timeout == 5.0 and run.concurrency == 3
    # the command line still wins
    assert build_parser().parse_args(["bench", "run", "--concurrency", "9"]).concurrency == 9


def test_a_flag_can_be_switched_on_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTMEM_NO_REPORT", "yes")
    assert build_parser().parse_args(["bench", "run"]).no_report is True


@pytest.mark.parametrize(
    ("var", "value", "says"),
    [
        ("AGENTMEM_CONCURRENCY", "abc", "AGENTMEM_CONCURRENCY='abc' is not a valid --concurrency"),
        ("AGENTMEM_MODE", "fast", "AGENTMEM_MODE='fast' is not a valid --mode: choose from"),
        ("AGENTMEM_NO_REPORT", "maybe", "AGENTMEM_NO_REPORT='maybe' is not a valid --no-report"),
    ],
)
def test_a_bad_environment_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    var: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv(var, value)
    assert main(["bench", "run"]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
