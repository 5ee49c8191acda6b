"""``agentmem run``: read a long document through a memory pipeline whose every update is scored.

Nothing heavy is imported at module import: pipelines, reward models, litellm and rich load inside
the handler, so ``agentmem --help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentmem.cli import env_default
from agentmem.exceptions import UserError
from agentmem.policies._spec import POLICY_HELP

if TYPE_CHECKING:
    from agentmem._pipeline import Pipeline
    from agentmem._trace import RunInfo, TraceStore
    from agentmem._types import Pattern, Trajectory

__all__ = ["register"]

_EPILOG = """\
examples:
  agentmem run --pattern sequential --doc book.txt --question "Where is the key?"
      offline: the extractive baseline updater and the default reward model
  agentmem run --pattern parallel --groups 4 --doc book.txt --question "..." \\
      --model openai/qwen3-8b --api-base http://localhost:8000/v1 --policy best-of-4
      a local OpenAI-compatible server, 4 candidates per update, the RM picks
  agentmem run --pattern mixed --doc book.txt --question "..." --model openai/gpt-4o-mini \\
      --rm llm:openai/gpt-4o --policy gate --threshold 0.7 --max-attempts 5 --run-id book1
  agentmem run --resume book1 --doc book.txt
      continue a crashed run: recorded steps are replayed, nothing is asked twice

policies: score (score every update, keep it), best-of-N (N candidates, the RM picks),
gate (revise from the RM's feedback until the score passes --threshold), gate:best-of-N;
numbers in the spec or as options: gate:0.7:5 = --threshold 0.7 --max-attempts 5; when no
attempt passes, the gate keeps the best one (flagged accepted_below_threshold), or with
gate:...:refuse keeps the previous memory. The same spec strings work for `agentmem chat`.
"""


def _int_at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value!r}")
        return value

    return parse


def _unit_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value!r}")
    return value


def register(subparsers: Any) -> None:
    """Add ``run`` to the ``agentmem`` parser."""
    p = subparsers.add_parser(
        "run",
        help="answer a question over a long document with a scored memory pipeline",
        description="Read a long document chunk by chunk into a bounded memory; every memory update is "
        "scored by a reward model and committed to the trace store; print the answer and the steps.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--pattern",
        default=env_default("--pattern"),
        help="sequential (default), parallel or mixed",
    )
    p.add_argument(
        "--doc", default=env_default("--doc"), help="the document (UTF-8 text file; - reads stdin)"
    )
    p.add_argument("--question", default=env_default("--question"), help="the question to answer")
    p.add_argument(
        "--model",
        default=env_default("--model"),
        help="litellm model string for the updater (none: the offline extractive baseline)",
    )
    p.add_argument(
        "--api-base",
        default=env_default("--api-base"),
        help="OpenAI-compatible server URL, e.g. http://localhost:8000/v1",
    )
    p.add_argument(
        "--api-key", default=env_default("--api-key"), help="API key for --api-base / the provider"
    )
    p.add_argument(
        "--rm",
        default=env_default("--rm"),
        help="reward model spec (default: rewards.DEFAULT_RM, the offline heuristic)",
    )
    p.add_argument(
        "--rm-api-base",
        default=env_default("--rm-api-base"),
        help="server URL for an LLM reward model, when it differs from --api-base",
    )
    p.add_argument(
        "--rm-api-key",
        default=env_default("--rm-api-key"),
        help="API key for the reward model, when it differs from --api-key",
    )
    p.add_argument(
        "--policy",
        default=env_default("--policy"),
        help=f"{POLICY_HELP}; default score",
    )
    p.add_argument(
        "--groups",
        type=_int_at_least(1),
        default=None,
        help="parallel groups (parallel: 4, mixed: 2)",
    )
    p.add_argument(
        "--tail-chunks",
        type=_int_at_least(0),
        default=None,
        help="mixed: chunks read sequentially after the fusion",
    )
    p.add_argument(
        "--chunk-tokens",
        type=_int_at_least(1),
        default=None,
        help="chunk size in tokens (default 5000)",
    )
    p.add_argument(
        "--memory-tokens",
        type=_int_at_least(1),
        default=None,
        help="memory budget in tokens (default 1024)",
    )
    p.add_argument(
        "--threshold",
        type=_unit_float,
        default=None,
        help="gate: minimum score to accept (default 0.5)",
    )
    p.add_argument(
        "--max-attempts",
        type=_int_at_least(1),
        default=None,
        help="gate: attempts per step (default 3)",
    )
    p.add_argument(
        "--timeout", type=float, default=60.0, help="seconds per model call attempt (default 60)"
    )
    p.add_argument(
        "--retries",
        type=_int_at_least(0),
        default=4,
        help="retries per model call on 429/5xx/timeouts (default 4)",
    )
    p.add_argument(
        "--concurrency", type=_int_at_least(1), default=8, help="model calls in flight (default 8)"
    )
    p.add_argument(
        "--run-id", default=None, help="id of the run in the trace store (resumes it if it exists)"
    )
    p.add_argument(
        "--resume",
        metavar="ID",
        default=None,
        help="resume this recorded run: its id or a unique prefix (settings default to the recorded "
        "ones; --doc is needed unless the run was started with --keep-document)",
    )
    p.add_argument(
        "--trace-db",
        default=env_default("--trace-db"),
        help="trace store URL (default: AGENTMEM_TRACE_DB or a SQLite file; memory:// for none)",
    )
    p.add_argument(
        "--keep-document",
        action="store_true",
        help="store the document in the run config: `--resume ID` then needs no --doc, and exports "
        "can rebuild benchmark questions",
    )
    p.add_argument(
        "--log-level",
        default=env_default("--log-level"),
        help="debug, info (one event per update; the default on a terminal), warning, error",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document instead of the answer and table",
    )
    p.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Handler of ``agentmem run``."""
    from agentmem._logging import configure_logging

    level = args.log_level or ("info" if sys.stderr.isatty() and not args.json else "warning")
    configure_logging(str(level).lower())  # on a terminal: one progress line per update
    if args.resume and args.run_id and args.resume != args.run_id:
        raise UserError(
            f"--resume {args.resume!r} and --run-id {args.run_id!r} disagree; pass only --resume"
        )
    state: dict[str, str] = {}
    try:
        return asyncio.run(_run(args, state))
    except KeyboardInterrupt:
        if "run_id" in state:
            doc = f" --doc {args.doc}" if args.doc and args.doc != "-" else ""
            print(
                f"agentmem: run {state['run_id']} interrupted; the steps committed so far are kept. "
                f"Resume with: agentmem run --resume {state['run_id']}{doc}",
                file=sys.stderr,
            )
        raise


def _read_document(path: str | None) -> str:
    if not path:
        raise UserError(
            "--doc is required: the text file to read (e.g. --doc book.txt, or - for stdin)"
        )
    if path == "-":
        text = sys.stdin.read()
        if not text.strip():
            raise UserError(
                "--doc - (stdin) is empty; pipe some text in, e.g. `cat book.txt | agentmem run --doc - ...`"
            )
        return text
    p = Path(path)
    if not p.is_file():
        raise UserError(
            f"cannot read --doc {path!r}: no such file"
            + (" (it is a directory)" if p.is_dir() else "")
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"cannot read --doc {path!r}: not UTF-8 text ({exc.reason} at byte {exc.start}); convert it to UTF-8"
        ) from None
    except OSError as exc:
        raise UserError(f"cannot read --doc {path!r}: {exc.strerror or exc}") from None
    if not text.strip():
        raise UserError(f"--doc {path!r} is empty; give a file with text in it")
    return text


def _document_for(args: argparse.Namespace, recorded: RunInfo | None) -> str:
    """The text to read: ``--doc``, else (resuming) the document the run kept."""
    if args.doc or recorded is None:
        return _read_document(args.doc)
    kept = recorded.config.get("document")
    if isinstance(kept, str) and kept:
        return kept
    chars = recorded.config.get("document_chars")
    sha = str(recorded.config.get("document_sha256") or "")[:12]
    raise UserError(
        f"--doc is required to resume run {recorded.run_id!r}: it did not keep its document "
        f"({chars} characters, sha256 {sha}...); pass the same file with --doc, "
        "or start runs with --keep-document so that --resume ID alone is enough"
    )


async def _run(args: argparse.Namespace, state: dict[str, str]) -> int:
    import uuid

    from agentmem.exceptions import AgentmemError
    from agentmem.store import open_trace_store

    if not args.resume:
        document = _read_document(args.doc)  # before opening the store: a bad --doc costs nothing
    store = await open_trace_store(args.trace_db)
    pipeline: Pipeline | None = None
    try:
        if args.resume:
            from agentmem.cli._trace import resolve_run

            run_id = await resolve_run(store, args.resume)  # an exact id or a unique prefix
            recorded = await store.get_run(run_id)
            document = _document_for(args, recorded)
        else:
            run_id = args.run_id or uuid.uuid4().hex
            recorded = await store.get_run(run_id)
        state["run_id"] = run_id
        question = (
            args.question
            if args.question is not None
            else (recorded.question if recorded else None)
        )
        if question is None or not str(question).strip():
            raise UserError(
                f"--question is empty ({question!r}); pass the question the memory should answer"
            )
        pipeline = _build(args, recorded)
        try:
            trajectory = await pipeline.run(document, question, run_id=run_id, store=store)
        except AgentmemError as exc:
            if isinstance(exc, UserError):
                raise
            print(f"agentmem: error: {exc}", file=sys.stderr)
            print(
                f"agentmem: run {run_id} failed; the steps committed so far are kept. Resume with: "
                f"agentmem run --resume {run_id} --doc {args.doc}",
                file=sys.stderr,
            )
            return 1
    finally:
        await _close(store)
        await _close_components(pipeline)
    assert pipeline is not None  # built before the run started
    if args.json:
        print(json.dumps(_json_document(trajectory, pipeline, args), ensure_ascii=False, indent=2))
    else:
        _print_report(trajectory, pipeline, args)
    return 0


def _recorded(info: RunInfo | None, key: str) -> Any:
    return None if info is None else info.config.get(key)


def _build(args: argparse.Namespace, info: RunInfo | None) -> Pipeline:
    from agentmem._pipeline import build_pipeline
    from agentmem.policies import make_policy

    pattern: Pattern = args.pattern or (info.pattern if info else "sequential")  # pyright: ignore[reportAssignmentType]  (argparse choices and the stored run hold pattern names)
    policy_cfg = _recorded(info, "policy") or {}
    if args.policy:  # numbers come from the spec or the options, never from an old run
        policy = make_policy(args.policy, threshold=args.threshold, max_attempts=args.max_attempts)
    else:  # a resume: the recorded policy, unless an option overrides one of its numbers
        policy = make_policy(
            policy_cfg.get("label") or "score",
            threshold=args.threshold if args.threshold is not None else policy_cfg.get("threshold"),
            max_attempts=args.max_attempts
            if args.max_attempts is not None
            else policy_cfg.get("max_attempts"),
            on_failure=policy_cfg.get("on_failure"),
        )
    chunk_tokens = args.chunk_tokens or _recorded(info, "chunk_tokens") or 5000
    memory_tokens = args.memory_tokens or _recorded(info, "memory_tokens") or 1024
    groups = args.groups or (
        _recorded(info, "groups") if info and info.pattern == pattern else None
    )
    tail = (
        args.tail_chunks
        if args.tail_chunks is not None
        else (_recorded(info, "tail_chunks") if pattern == "mixed" and info else None)
    )
    reward_model = _reward_model(args, info)
    updater = fuser = answerer = None
    model = args.model
    if (
        model is None
        and info is not None
        and str(info.config.get("updater", "")).startswith("llm:")
    ):
        raise UserError(
            f"run {info.run_id!r} used {info.config['updater']!r}; resume it with --model {info.config['updater'][4:]} (and --api-base if it had one)"
        )
    if model:
        from agentmem.updaters import llm_components

        updater, fuser, answerer = llm_components(
            model,
            api_base=args.api_base,
            api_key=args.api_key,
            memory_tokens=memory_tokens,
            timeout=args.timeout,
            max_retries=args.retries,
            concurrency=args.concurrency,
        )
    return build_pipeline(
        pattern,
        updater=updater,
        fuser=fuser,
        answerer=answerer,
        reward_model=reward_model,
        policy=policy,
        groups=groups,
        chunk_tokens=chunk_tokens,
        memory_tokens=memory_tokens,
        tail_chunks=tail,
        limits={"model": args.concurrency, "rm": args.concurrency},
        keep_document=args.keep_document,
    )


def _reward_model(args: argparse.Namespace, info: RunInfo | None) -> Any:
    from rewards import make_reward_model

    spec = args.rm or _recorded(info, "reward_model") or None
    overrides: dict[str, Any] = {}
    api_base = args.rm_api_base or args.api_base
    api_key = args.rm_api_key or args.api_key
    if api_base:
        overrides["api_base"] = api_base
    if api_key:
        overrides["api_key"] = api_key
    overrides["timeout"] = args.timeout
    return make_reward_model(spec, **overrides)


async def _close(store: TraceStore) -> None:
    aclose = getattr(store, "aclose", None)
    if aclose is not None:
        await aclose()


async def _close_components(pipeline: Pipeline | None) -> None:
    client = getattr(getattr(pipeline, "updater", None), "client", None)
    if client is not None:
        await client.aclose()


def _component_label(pipeline: Pipeline) -> str:
    from agentmem._pipeline import label_of
    from agentmem.updaters import EXTRACTIVE_LABEL, ExtractiveUpdater

    if isinstance(pipeline.updater, ExtractiveUpdater):
        return EXTRACTIVE_LABEL
    return label_of(pipeline.updater)


def _json_document(t: Trajectory, pipeline: Pipeline, args: argparse.Namespace) -> dict[str, Any]:
    from agentmem._pipeline import run_usage
    from agentmem.store import trajectory_to_dict
    from agentmem.updaters import ExtractiveUpdater

    doc = trajectory_to_dict(t)
    return {
        "run_id": t.run_id,
        "answer": None if t.answer is None else t.answer.extracted,
        "updater": _component_label(pipeline),
        "extractive": isinstance(pipeline.updater, ExtractiveUpdater),
        "chunk_tokens": pipeline.chunk_tokens,
        "memory_tokens": pipeline.memory_tokens,
        "final_memory": t.final_memory,
        "usage": run_usage(t).to_dict(),
        "trajectory": doc,
    }


def _print_report(t: Trajectory, pipeline: Pipeline, args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    no_color = bool(os.environ.get("AGENTMEM_NO_COLOR") or os.environ.get("NO_COLOR"))
    console = Console(no_color=no_color, highlight=False, soft_wrap=False)
    console.print(
        f"[bold]run[/bold] {t.run_id}  pattern={t.pattern}  groups={t.groups}  updater={_component_label(pipeline)}"
    )
    console.print(
        f"reward model={t.reward_model}  policy={t.policy}  chunk={pipeline.chunk_tokens} tokens  memory={pipeline.memory_tokens} tokens"
    )
    table = Table(title="memory updates", show_lines=False)
    for col, justify in (
        ("group", "right"),
        ("step", "right"),
        ("kind", "left"),
        ("candidates", "right"),
        ("scores", "left"),
        ("decision", "left"),
        ("latency", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    from agentmem.render import steps_in_order

    for s in steps_in_order(t):  # groups in their order, not the order they finished in
        scores = " ".join(
            ("*" if i == s.chosen else "") + f"{a.reward.value:.2f}"
            for i, a in enumerate(s.attempts)
        )
        table.add_row(
            str(s.group),
            str(s.index),
            s.kind,
            str(len(s.attempts)),
            scores,
            s.decision,
            f"{s.latency_s * 1000:.1f} ms",
        )
    console.print(table)
    from agentmem._pipeline import run_usage

    u = run_usage(t)
    console.print(
        f"usage: {u.model_calls} updater/fuser/answer calls, {u.prompt_tokens}+{u.completion_tokens} tokens; "
        f"{u.rm_calls} RM scores, {u.rm_tokens} tokens; cost ${u.cost:.4f}",
        soft_wrap=True,
    )
    if t.answer is not None:
        console.print(
            "[bold]answer[/bold]"
            + (
                " (extractive: a quoted memory line, no model)"
                if "extractive" in _component_label(pipeline)
                else ""
            )
        )
        console.print(t.answer.extracted, markup=False)
