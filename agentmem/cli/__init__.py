"""The ``agentmem`` command line.

Each sub-command lives in its own module (``_run``, ``_trace``, ``_bench``, ``_chat``) exposing
``register(subparsers)``; modules import nothing heavy at import time so ``--help`` stays fast.
Errors a user can fix (:class:`agentmem.exceptions.UserError`) print without a traceback and exit
2; Ctrl-C exits 130. Every option can also be set with an ``AGENTMEM_`` environment variable
(``--api-base`` → ``AGENTMEM_API_BASE``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["build_parser", "main"]

_SUBCOMMANDS = ("_run", "_trace", "_bench", "_chat")

_EPILOG = """\
examples:
  agentmem bench run                       # the bundled MemRewardBench suite, offline, default RM
  agentmem run --pattern sequential --doc book.txt --question "Where is the key?"
  agentmem trace list
  agentmem chat --user alice

Environment: AGENTMEM_<OPTION> sets a default for any --option (e.g. AGENTMEM_MODEL,
AGENTMEM_API_BASE, AGENTMEM_TRACE_DB). Set LITELLM_LOCAL_MODEL_COST_MAP=False to let litellm
fetch its online price map (agentmem keeps it offline by default).
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (the usage block stays behind ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every sub-command registered (sub-parsers inherit one-line errors)."""
    parser = _Parser(
        prog="agentmem",
        description="Long-memory agents whose every memory update is scored by a reward model, "
        "and the MemRewardBench suite that verifies those reward models.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from agentmem import __version__

    parser.add_argument("--version", action="version", version=f"agentmem {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(f"agentmem.cli.{name}")
        except ModuleNotFoundError as exc:  # a sub-command not shipped in this build
            if exc.name != f"agentmem.cli.{name}":
                raise
            continue
        module.register(sub)
    _apply_env_defaults(parser)
    return parser


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _apply_env_defaults(parser: argparse.ArgumentParser) -> None:
    """Give every ``--option`` of every sub-command its ``AGENTMEM_OPTION`` default, converted and
    checked like a value on the command line (a bad one is a UserError naming the variable)."""
    from agentmem.exceptions import UserError

    for action in parser._actions:  # argparse keeps no public list of actions
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _apply_env_defaults(child)
            continue
        longs = [o for o in action.option_strings if o.startswith("--")]
        if not longs or action.dest in ("help", "version"):
            continue
        var = "AGENTMEM_" + longs[0][2:].replace("-", "_").upper()
        raw = os.environ.get(var)
        if raw is None:
            continue
        try:
            if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
                if raw.strip().lower() not in _TRUE | _FALSE:
                    raise ValueError("expected 1/0, true/false, yes/no or on/off")
                on = raw.strip().lower() in _TRUE
                action.default = on if isinstance(action, argparse._StoreTrueAction) else not on
                continue
            value = action.type(raw) if callable(action.type) else raw  # type: ignore[misc]
            if action.choices is not None and value not in action.choices:
                raise ValueError(f"choose from {', '.join(map(str, action.choices))}")
            action.default = [value] if isinstance(action, argparse._AppendAction) else value
        except (ValueError, TypeError, argparse.ArgumentTypeError) as exc:
            raise UserError(f"{var}={raw!r} is not a valid {longs[0]}: {exc}") from None


def env_default(option: str, default: str | None = None) -> str | None:
    """Default for ``--option`` from ``AGENTMEM_OPTION`` (dashes become underscores)."""
    return os.environ.get("AGENTMEM_" + option.lstrip("-").replace("-", "_").upper(), default)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``agentmem`` console script; returns the exit code."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    if os.environ.get("AGENTMEM_FORBID_NETWORK") == "1":
        from agentmem.testing import forbid_network

        forbid_network()
    from agentmem.exceptions import UserError

    try:
        parser = build_parser()
    except UserError as exc:  # a bad AGENTMEM_<OPTION> value
        print(f"agentmem: error: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2

    try:
        return int(handler(args) or 0)
    except UserError as exc:
        print(f"agentmem: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("agentmem: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `agentmem ... | head`
        return 0
