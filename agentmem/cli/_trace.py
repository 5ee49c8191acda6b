"""``agentmem trace``: list recorded runs, show one step by step, export benchmark pairs.

Runs live in the trace store (``--trace-db URL`` / ``AGENTMEM_TRACE_DB``, default a SQLite file
in the user's data directory). A run id may be abbreviated to any unique prefix. Nothing heavy
is imported at module import: the store and rich load inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from agentmem.cli import env_default
from agentmem.exceptions import UserError

if TYPE_CHECKING:
    from agentmem._trace import RunInfo
    from agentmem._types import Step, Trajectory

__all__ = ["register"]

T = TypeVar("T")

_EPILOG = """\
examples:
  agentmem trace list
  agentmem trace show 3f2a            # any unique prefix of a run id
  agentmem trace show 3f2a --json
  agentmem trace export 3f2a --format memrewardbench --out my-pairs.jsonl
  agentmem bench run --data my-pairs.jsonl --rm heuristic   # your runs as a verifier suite
  agentmem trace list --trace-db postgresql://me@db.internal/agentmem
"""


def register(subparsers: Any) -> None:
    """Add ``trace`` and its sub-commands to the ``agentmem`` parser."""
    trace = subparsers.add_parser(
        "trace",
        help="inspect recorded runs (list, show) and export them as benchmark pairs",
        description="Every memory run is committed step by step to the trace store. List the runs, "
        "show one with every candidate, score and decision, or export it as MemRewardBench "
        "preference pairs (chosen = the accepted path, rejected = a rejected candidate kept).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trace.set_defaults(handler=lambda _args: (trace.print_help(), 2)[1])
    sub = trace.add_subparsers(dest="trace_command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--trace-db",
            default=env_default("--trace-db"),
            metavar="URL",
            help="trace store: a SQLite file path, sqlite:///PATH or postgresql://USER@HOST/DB "
            "(env AGENTMEM_TRACE_DB; default: ~/.local/share/agentmem/traces.db)",
        )

    ls = sub.add_parser("list", help="recorded runs, most recent first")
    common(ls)
    ls.add_argument("--limit", type=_positive_int, default=50, help="at most this many runs (50)")
    ls.add_argument("--json", action="store_true", help="one JSON document")
    ls.set_defaults(handler=_cmd_list)

    show = sub.add_parser("show", help="one run: every step, candidate, score and decision")
    common(show)
    show.add_argument("run", metavar="RUN", help="run id (or a unique prefix)")
    show.add_argument(
        "--json", action="store_true", help="the whole trajectory as one JSON document"
    )
    show.add_argument(
        "--full",
        action="store_true",
        help="after the table, every candidate's text with its score, rationale and feedback",
    )
    show.set_defaults(handler=_cmd_show)

    export = sub.add_parser(
        "export",
        help="write a run's preference pairs in benchmark format (JSONL)",
        description="One pair per step where the policy rejected a candidate: chosen = the run as "
        "it happened, rejected = the same run with a rejected candidate committed at that step. "
        "The records load with `agentmem bench run --data FILE`.",
    )
    common(export)
    export.add_argument("run", metavar="RUN", nargs="+", help="run id(s) (or unique prefixes)")
    export.add_argument(
        "--format", required=True, choices=["memrewardbench"], help="output format (memrewardbench)"
    )
    export.add_argument(
        "--out",
        metavar="FILE",
        help="output file (.jsonl, or .jsonl.gz to compress); default stdout",
    )
    export.add_argument(
        "--pick",
        choices=["hardest", "all"],
        default="hardest",
        help="per step, the highest-scored rejected candidate (default) or every one",
    )
    export.add_argument(
        "--construction",
        choices=["substitute", "self-correct"],
        default="substitute",
        help="substitute (default): per step, a rejected candidate committed instead of the "
        "accepted one; self-correct: one pair per run, the benchmark's Noise recipe (rejected "
        "= the run with its rejected attempts shown, chosen = the same run without them)",
    )
    export.set_defaults(handler=_cmd_export)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value!r}")
    return value


# -- plumbing --------------------------------------------------------------------------------


def _no_database(url: str | None) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet (a read-only command must not
    create it); None otherwise."""
    from agentmem.store._urls import sqlite_file

    path = sqlite_file(url)
    return path if path is not None and not path.exists() else None


def _with_store(url: str | None, fn: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``fn`` on the trace store at ``url``, which must already exist (reading never creates
    a database: a missing file is a UserError naming it)."""
    import asyncio

    from agentmem.store import open_trace_store

    missing = _no_database(url)
    if missing is not None:
        raise UserError(
            f"no trace database at {str(missing)!r} yet: no run has been recorded there; "
            "start one with `agentmem run ...`, or point --trace-db / AGENTMEM_TRACE_DB at an existing one"
        )

    async def go() -> T:
        store = await open_trace_store(url)
        try:
            return await fn(store)
        finally:
            await store.aclose()

    return asyncio.run(go())


def length_tell(records: list[dict[str, Any]], share: float = 0.8) -> str | None:
    """A warning when length alone separates exported pairs: a verifier suite in which the
    chosen side is nearly always the longer (or the shorter) one rewards a length rule."""
    sized = [(len(r["chosen"]), len(r["rejected"])) for r in records]
    sized = [(c, j) for c, j in sized if c != j]
    if len(sized) < 4:
        return None
    longer = sum(c > j for c, j in sized) / len(sized)
    if share > longer > 1 - share:
        return None
    side = "longer" if longer >= share else "shorter"
    pct = round(100 * max(longer, 1 - longer))
    return (
        f"in {pct}% of the {len(sized)} exported pairs the chosen side is the {side} one, so a "
        f"judge that just picks the {side} trajectory scores {pct}% on them; balance the suite "
        "(e.g. export runs whose rejected candidates differ in length both ways) before using it "
        "to compare reward models"
    )


async def resolve_run(store: Any, run: str) -> str:
    """The full run id for ``run`` (exact, else a unique prefix)."""
    if await store.get_run(run) is not None:
        return run
    matches: list[str] = await store.match_run_ids(run)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        shown = ", ".join(matches[:5]) + (" ..." if len(matches) > 5 else "")
        raise UserError(
            f"run id prefix {run!r} matches {len(matches)} runs ({shown}); type more of it"
        )
    from agentmem.store._common import unknown_run

    recent = [r.run_id for r in await store.list_runs(limit=200)]
    raise unknown_run(run, recent)


def _tty() -> bool:
    return sys.stdout.isatty()


def _console() -> Any:
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR") or os.environ.get("AGENTMEM_NO_COLOR"))
    return Console(no_color=no_color, highlight=False)


def _when(ts: float | None) -> str:
    if not ts:
        return "-"
    from datetime import datetime

    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print_rows(
    header: list[str], rows: list[list[str]], title: str | None = None, *, wide: str = ""
) -> None:
    """A rich table on a terminal; tab-separated lines (header first) otherwise.

    On a terminal every column stays on one line; column ``wide`` takes the remaining width and
    is cut with an ellipsis.
    """
    if _tty():
        from rich.table import Table

        console = _console()
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
        fixed = sum(w for h, w in zip(header, widths, strict=True) if h != wide)
        room = max(12, console.width - fixed - 3 * len(header) - 1)
        table = Table(title=title, show_lines=False)
        for h, w in zip(header, widths, strict=True):
            if h == wide:
                table.add_column(h, no_wrap=True, overflow="ellipsis", max_width=room)
            else:
                table.add_column(h, no_wrap=True, min_width=w)
        for r in rows:
            table.add_row(*r)
        console.print(table)
        return
    if title:
        print(f"# {title}")
    print("\t".join(header))
    for r in rows:
        print("\t".join(c.replace("\t", " ").replace("\n", " ") for c in r))


# -- list ------------------------------------------------------------------------------------


def _cmd_list(args: argparse.Namespace) -> int:
    from agentmem.store import run_info_to_dict

    async def go(store: Any) -> tuple[str, list[RunInfo]]:
        return store.url, await store.list_runs(limit=args.limit)

    missing = _no_database(args.trace_db)
    if missing is not None:  # nothing recorded yet: say so, create nothing
        url, runs = str(missing), []
    else:
        url, runs = _with_store(args.trace_db, go)
    if args.json:
        doc = {"trace_db": url, "runs": [_summary(run_info_to_dict(r)) for r in runs]}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    if not runs:
        print(f"no runs in {url} (start one with `agentmem run ...`)", file=sys.stderr)
        return 0
    rows = [
        [
            r.run_id,
            r.status,
            r.pattern,
            str(r.n_steps),
            _when(r.created_at),
            _one_line(r.question, 60),
        ]
        for r in runs
    ]
    header = ["run", "status", "pattern", "steps", "started", "question"]
    _print_rows(header, rows, title=url, wide="question")
    return 0


def _summary(info: dict[str, Any]) -> dict[str, Any]:
    """Run info for listings: the kept document is replaced by its size."""
    cfg = dict(info.get("config") or {})
    if isinstance(cfg.get("document"), str):
        cfg["document"] = f"<{len(cfg['document'])} characters>"
    return {**info, "config": cfg}


# -- show ------------------------------------------------------------------------------------


def _cmd_show(args: argparse.Namespace) -> int:
    from agentmem.store import run_info_to_dict, trajectory_to_dict

    async def go(store: Any) -> tuple[RunInfo, Trajectory]:
        run_id = await resolve_run(store, args.run)
        return await store.get_run(run_id), await store.load_trajectory(run_id)

    info, traj = _with_store(args.trace_db, go)
    if args.json:
        doc = {"run": run_info_to_dict(info), "trajectory": trajectory_to_dict(traj)}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    lines = [
        ("run", info.run_id),
        ("status", info.status + (f" ({info.error})" if info.error else "")),
        (
            "pattern",
            traj.pattern + (f", {traj.groups} groups" if traj.pattern != "sequential" else ""),
        ),
        ("question", info.question),
        ("policy", traj.policy or "-"),
        ("reward model", traj.reward_model or "-"),
        ("started", _when(info.created_at)),
        ("finished", _when(info.finished_at)),
        ("answer", traj.answer.extracted if traj.answer is not None else "-"),
    ]
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"{k:<{width}}  {v}")
    print()
    rows = [_step_row(s) for s in traj.steps]
    header = ["group", "step", "kind", "cands", "scores", "decision", "latency", "memory"]
    _print_rows(header, rows, wide="memory")
    if args.full:
        for s in traj.steps:
            print()
            print(_step_detail(s))
    return 0


def _step_detail(s: Step) -> str:
    """One step with every attempt in full (``*`` marks the committed one)."""
    lines = [f"== group {s.group} step {s.index} ({s.kind}): {s.decision}"]
    if s.chunk is not None:
        lines.append(f"   section: chunk {s.chunk.index}, {s.chunk.tokens} tokens")
    for i, a in enumerate(s.attempts):
        mark = "*" if i == s.chosen else " "
        r = a.reward
        scorer = f"{r.scorer} v{r.version}" if r.scorer else "reward model"
        lines.append(f" {mark} attempt {i} (round {a.round}): {r.value:.3f} by {scorer}")
        if r.rationale:
            lines.append(f"     why: {_one_line(r.rationale, 300)}")
        if a.candidate.feedback:
            lines.append(f"     revised from: {_one_line(a.candidate.feedback, 300)}")
        lines.extend("     | " + line for line in (a.candidate.text or "(empty)").splitlines())
    return "\n".join(lines)


def _step_row(s: Step) -> list[str]:
    scores = " ".join(
        (f"[{a.reward.value:.2f}]" if i == s.chosen else f"{a.reward.value:.2f}")
        for i, a in enumerate(s.attempts)
    )
    return [
        str(s.group),
        str(s.index),
        s.kind,
        str(len(s.attempts)),
        scores,
        s.decision,
        f"{s.latency_s * 1000:.1f} ms" if s.latency_s < 1 else f"{s.latency_s:.2f} s",
        _one_line(s.memory, 60),
    ]


# -- export ----------------------------------------------------------------------------------


def _cmd_export(args: argparse.Namespace) -> int:
    from agentmem.export import export_run

    async def go(store: Any) -> list[tuple[str, list[dict[str, Any]]]]:
        out = []
        for run in args.run:
            run_id = await resolve_run(store, run)
            recs = await export_run(store, run_id, pick=args.pick, construction=args.construction)
            out.append((run_id, recs))
        return out

    out_path = Path(args.out).expanduser() if args.out else None
    if out_path is not None and out_path.is_dir():
        raise UserError(
            f"--out {args.out!r} is a directory; give a file name, e.g. {args.out}/pairs.jsonl"
        )
    exported = _with_store(args.trace_db, go)
    records = [r for _, recs in exported for r in recs]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    for run_id, recs in exported:
        if not recs:
            print(
                f"run {run_id}: no step rejected a candidate that differs from the one it kept, "
                "so there is nothing to contrast (the score policy never rejects; run with "
                "--policy gate or best-of-N and an updater that varies its proposals)",
                file=sys.stderr,
            )
    warning = length_tell(records)
    if warning:
        print(f"agentmem: warning: {warning}", file=sys.stderr)
    if out_path is None:
        sys.stdout.write(text)
        return 0
    _write(out_path, text)
    print(
        f"wrote {len(records)} pair(s) from {len(exported)} run(s) to {out_path}", file=sys.stderr
    )
    return 0


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".gz":
            import gzip

            with gzip.GzipFile(path, "wb", mtime=0) as f:
                f.write(text.encode("utf-8"))
        else:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(
            f"cannot write --out {str(path)!r}: {exc.strerror or exc}; choose a writable path"
        ) from None
