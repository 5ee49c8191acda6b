"""The paper-style terminal tables: settings with task averages and overall, then by length."""

from __future__ import annotations

import io
from collections.abc import Sequence

from benchmarks.report._paper import PAPER_NOTE, paper_by_length, paper_by_setting
from benchmarks.runner import BASELINES, Bucket, Results
from benchmarks.settings import LENGTHS, TASK_GROUPS, UNMAPPED

__all__ = ["PAPER_COLUMNS", "fmt_pct", "render_tables"]

PAPER_COLUMNS = ("Claude-Opus-4.5", "Qwen2.5-7B")
"""Published rows shown for reference: the paper's best and weakest judge."""


def fmt_pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal, ``-`` when absent."""
    return "-" if value is None else f"{100 * value:.1f}"


def _cell(b: Bucket | None) -> str:
    if b is None or b.n == 0 or b.accuracy is None or b.ci95 is None:
        return "-"
    return f"{100 * b.accuracy:.1f} [{100 * b.ci95[0]:.0f}-{100 * b.ci95[1]:.0f}]"


def _overall(results: Results) -> Bucket:
    return Bucket(n=results.n_pairs, accuracy=results.accuracy, ci95=results.ci95)


def render_tables(
    results: Results,
    *,
    width: int = 132,
    color: bool = False,
    paper_models: Sequence[str] = PAPER_COLUMNS,
) -> str:
    """Both tables and a summary, as text (rich box drawing; no colour unless asked).

    ``paper_models``: rows of the paper's Table 3 / Table 6 shown for reference (see
    :func:`~benchmarks.report.paper_models`); unknown names raise UnknownNameError.
    """
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        file=buf, width=width, color_system="auto" if color else None, force_terminal=color
    )
    rm = results.reward_model
    console.print(
        f"MemRewardBench - reward model [bold]{rm.spec}[/bold] (v{rm.version}), mode {results.mode}"
        f"{', both orders' if results.both_orders else ''}: {results.n_pairs} pairs, "
        f"{results.n_judgments} judgments{' (INTERIM: the run has not finished)' if results.partial else ''}"
    )
    papers = {m: paper_by_setting(m) for m in paper_models}
    t = Table(title="Accuracy by setting (%, Wilson 95% CI)", title_justify="left")
    for col, just in [
        ("Setting", "left"),
        ("n", "right"),
        ("RM", "right"),
        *((b, "right") for b in BASELINES),
        *((f"{m}\n(paper)", "right") for m in paper_models),
    ]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]

    def row(name: str, b: Bucket | None, key: str, baseline_of: str, bold: bool = False) -> None:
        base: list[str] = []
        for x in BASELINES:
            got: dict[str, Bucket] = getattr(results.baselines[x], baseline_of)
            base.append(fmt_pct(got[key].accuracy) if key in got else "-")
        cells = [
            name,
            str(b.n if b else 0),
            _cell(b),
            *base,
            *(fmt_pct(papers[m].get(key)) for m in paper_models),
        ]
        t.add_row(*(f"[bold]{c}[/bold]" for c in cells) if bold else cells)

    for group, members in TASK_GROUPS.items():
        for s in members:
            row(s, results.by_setting.get(s), s, "by_setting")
        row(f"{group} avg", results.by_task.get(group), group, "by_task", bold=True)
        t.add_section()
    if UNMAPPED in results.by_setting:
        row(UNMAPPED, results.by_setting[UNMAPPED], UNMAPPED, "by_setting")
    overall = _overall(results)
    base = [fmt_pct(results.baselines[x].accuracy) for x in BASELINES]
    t.add_row(
        *(
            f"[bold]{c}[/bold]"
            for c in [
                "Overall",
                str(overall.n),
                _cell(overall),
                *base,
                *(fmt_pct(papers[m]["overall"]) for m in paper_models),
            ]
        )
    )
    console.print(t)

    lt = Table(title="Accuracy by context length (%)", title_justify="left")
    for col in ["Length", "n", "RM", *BASELINES, *(f"{m}\n(paper)" for m in paper_models)]:
        lt.add_column(col, justify="left" if col == "Length" else "right")
    lengths = {m: paper_by_length(m) for m in paper_models}
    for k in [*LENGTHS, *sorted(set(results.by_length) - set(LENGTHS))]:
        b = results.by_length.get(k)
        if b is None or (b.n == 0 and k not in LENGTHS):
            continue
        base = [
            fmt_pct(results.baselines[x].by_length[k].accuracy)
            if k in results.baselines[x].by_length
            else "-"
            for x in BASELINES
        ]
        lt.add_row(
            k, str(b.n), _cell(b), *base, *(fmt_pct(lengths[m].get(k)) for m in paper_models)
        )
    console.print(lt)

    extras = [
        f"unparsed {results.n_unparsed}",
        f"errors {results.n_errors}",
        f"ties {results.n_ties}",
        f"unmapped {results.n_unmapped}",
    ]
    if results.n_skipped:
        extras.append(f"skipped over 131,072 tokens {results.n_skipped} (not in the accuracy)")
    if results.consistency is not None:
        extras.append(f"consistency {fmt_pct(results.consistency)}%")
    if results.position_bias is not None:
        extras.append(f"position bias {100 * results.position_bias:+.1f} pts toward A")
    extras.append(f"tokens {results.tokens:,}, cost ${results.cost:.4f}")
    console.print("; ".join(extras))
    console.print(f"[dim]{PAPER_NOTE}.[/dim]")
    return buf.getvalue()
