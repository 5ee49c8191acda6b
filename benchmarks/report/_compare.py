"""``compare``: two runs on the same pairs, per setting, with an exact paired test.

Only pairs both runs judged are compared (matched by content id). For each setting the discordant
pairs decide: ``b`` = run A right and run B wrong, ``c`` = the reverse; the exact McNemar (sign)
test gives the two-sided p-value of "both runs are equally accurate".
"""

from __future__ import annotations

import io
from pathlib import Path

from pydantic import BaseModel

from agentmem.exceptions import UserError
from benchmarks.runner import (
    PairOutcome,
    Results,
    mcnemar_exact,
    pair_outcomes,
    partial_results,
    read_ledger,
)
from benchmarks.settings import LENGTHS, SETTINGS, TASK_GROUPS, UNMAPPED, task_group

__all__ = ["CompareResult", "CompareRow", "compare_runs", "load_run", "render_compare"]


class CompareRow(BaseModel):
    """One setting (or task group, length, overall) of a comparison."""

    n: int
    """Pairs judged by both runs."""
    accuracy_a: float | None
    accuracy_b: float | None
    difference: float | None
    """accuracy_a - accuracy_b."""
    a_only: int
    """Pairs run A got right and run B wrong."""
    b_only: int
    """Pairs run B got right and run A wrong."""
    p_value: float
    """Exact two-sided McNemar test on the discordant pairs."""


class CompareResult(BaseModel):
    """``agentmem bench compare --json``."""

    version: int = 1
    run_a: str
    run_b: str
    rm_a: str
    rm_b: str
    n_common: int
    n_only_a: int
    """Pairs judged by run A only (left out)."""
    n_only_b: int
    overall: CompareRow
    by_setting: dict[str, CompareRow]
    by_task: dict[str, CompareRow]
    by_length: dict[str, CompareRow]


def load_run(folder: Path) -> tuple[Results, list[PairOutcome]]:
    """Read a run folder's results.json and the per-pair outcomes from its ledger."""
    res_path = folder / "results.json"
    if not res_path.is_file() and (folder / "predictions.jsonl").is_file():
        results = partial_results(folder)  # an unfinished run: compare what it has judged so far
        return results, pair_outcomes(
            read_ledger(folder / "predictions.jsonl"), [f.source for f in results.data_files]
        )
    if not res_path.is_file():
        raise UserError(
            f"{str(folder)!r} has no results.json; give a folder written by `agentmem bench run`"
        )
    results = Results.model_validate_json(res_path.read_text(encoding="utf-8"))
    predictions = read_ledger(folder / "predictions.jsonl")
    return results, pair_outcomes(predictions, [f.source for f in results.data_files])


def _row(pairs: list[tuple[bool, bool]]) -> CompareRow:
    n = len(pairs)
    if n == 0:
        return CompareRow(
            n=0, accuracy_a=None, accuracy_b=None, difference=None, a_only=0, b_only=0, p_value=1.0
        )
    ka = sum(a for a, _ in pairs)
    kb = sum(b for _, b in pairs)
    b = sum(a and not bb for a, bb in pairs)
    c = sum(bb and not a for a, bb in pairs)
    return CompareRow(
        n=n,
        accuracy_a=round(ka / n, 6),
        accuracy_b=round(kb / n, 6),
        difference=round((ka - kb) / n, 6),
        a_only=b,
        b_only=c,
        p_value=round(mcnemar_exact(b, c), 6),
    )


def compare_runs(dir_a: Path, dir_b: Path) -> CompareResult:
    """Compare two run folders pair by pair."""
    res_a, out_a = load_run(dir_a)
    res_b, out_b = load_run(dir_b)
    by_id_b = {o.pair_id: o for o in out_b}
    common = [(o, by_id_b[o.pair_id]) for o in out_a if o.pair_id in by_id_b]
    if not common:
        raise UserError(
            f"runs {str(dir_a)!r} and {str(dir_b)!r} share no judged pairs; compare runs made on the same data"
        )
    groups: dict[str, dict[str, list[tuple[bool, bool]]]] = {
        "setting": {},
        "task": {},
        "length": {},
    }
    for oa, ob in common:
        pair = (oa.correct, ob.correct)
        groups["setting"].setdefault(oa.setting, []).append(pair)
        groups["length"].setdefault(oa.length, []).append(pair)
        g = task_group(oa.setting)
        if g is not None:
            groups["task"].setdefault(g, []).append(pair)
    settings = [*SETTINGS, *([UNMAPPED] if UNMAPPED in groups["setting"] else [])]
    lengths = [*LENGTHS, *sorted(set(groups["length"]) - set(LENGTHS))]
    return CompareResult(
        run_a=str(dir_a),
        run_b=str(dir_b),
        rm_a=res_a.reward_model.spec,
        rm_b=res_b.reward_model.spec,
        n_common=len(common),
        n_only_a=len(out_a) - len(common),
        n_only_b=len(out_b) - len(common),
        overall=_row([(a.correct, b.correct) for a, b in common]),
        by_setting={s: _row(groups["setting"].get(s, [])) for s in settings},
        by_task={g: _row(groups["task"].get(g, [])) for g in TASK_GROUPS},
        by_length={k: _row(groups["length"].get(k, [])) for k in lengths},
    )


def render_compare(result: CompareResult, *, width: int = 120) -> str:
    """The comparison as a text table."""
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None)
    console.print(f"A = {result.rm_a} ({result.run_a})\nB = {result.rm_b} ({result.run_b})")
    console.print(
        f"{result.n_common} pairs judged by both; left out: {result.n_only_a} only in A, {result.n_only_b} only in B"
    )
    t = Table(
        title="Paired comparison (exact McNemar test on pairs both runs judged)",
        title_justify="left",
    )
    for col in ["", "n", "A %", "B %", "A - B (pts)", "A only", "B only", "p"]:
        t.add_column(col, justify="left" if not col else "right")

    def add(name: str, r: CompareRow) -> None:
        if r.n == 0:
            t.add_row(name, "0", "-", "-", "-", "-", "-", "-")
            return
        assert r.accuracy_a is not None and r.accuracy_b is not None and r.difference is not None
        mark = " *" if r.p_value < 0.05 else ""
        t.add_row(
            name,
            str(r.n),
            f"{100 * r.accuracy_a:.1f}",
            f"{100 * r.accuracy_b:.1f}",
            f"{100 * r.difference:+.1f}",
            str(r.a_only),
            str(r.b_only),
            f"{r.p_value:.3g}{mark}",
        )

    for group, members in TASK_GROUPS.items():
        for s in members:
            add(s, result.by_setting[s])
        add(f"{group} avg", result.by_task[group])
        t.add_section()
    if UNMAPPED in result.by_setting:
        add(UNMAPPED, result.by_setting[UNMAPPED])
    for k, r in result.by_length.items():
        add(k, r)
    t.add_section()
    add("Overall", result.overall)
    console.print(t)
    console.print(
        "* p < 0.05: the difference is unlikely to be chance (no correction for testing many settings)."
    )
    return buf.getvalue()
