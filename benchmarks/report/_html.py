"""``report.html``: one self-contained file (inline CSS, the PNG embedded as a data URI)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from benchmarks.report._paper import PAPER_NOTE, paper_by_length, paper_by_setting
from benchmarks.report._plot import plot_accuracy
from benchmarks.report._table import PAPER_COLUMNS, fmt_pct
from benchmarks.runner import BASELINES, Bucket, Results, read_ledger
from benchmarks.settings import LENGTHS, TASK_GROUPS, UNMAPPED

__all__ = ["render_html", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.avg td{font-weight:600;background:#f3f6fa}
td.na{color:#aaa}
.note{color:#666;font-size:.85rem}
img{max-width:100%}
code{background:#f4f4f4;padding:0 .2rem}
"""


def _e(x: object) -> str:
    return html.escape(str(x))


def _acc(b: Bucket | None) -> str:
    if b is None or b.n == 0 or b.accuracy is None or b.ci95 is None:
        return '<td class="na">-</td>'
    return f"<td>{100 * b.accuracy:.1f} <small>[{100 * b.ci95[0]:.0f}-{100 * b.ci95[1]:.0f}]</small></td>"


def _setting_table(r: Results) -> str:
    papers = {m: paper_by_setting(m) for m in PAPER_COLUMNS}
    head = "".join(
        f"<th>{_e(c)}</th>"
        for c in ["Setting", "n", "RM", *BASELINES, *(f"{m} (paper)" for m in PAPER_COLUMNS)]
    )
    rows: list[str] = []

    def add(name: str, b: Bucket | None, key: str, kind: str, cls: str = "") -> None:
        base = "".join(
            f"<td>{fmt_pct(getattr(r.baselines[x], kind)[key].accuracy)}</td>"
            if key in getattr(r.baselines[x], kind)
            else '<td class="na">-</td>'
            for x in BASELINES
        )
        paper = "".join(f"<td>{fmt_pct(papers[m].get(key))}</td>" for m in PAPER_COLUMNS)
        rows.append(
            f'<tr class="{cls}"><td>{_e(name)}</td><td>{b.n if b else 0}</td>{_acc(b)}{base}{paper}</tr>'
        )

    for group, members in TASK_GROUPS.items():
        for s in members:
            add(s, r.by_setting.get(s), s, "by_setting")
        add(f"{group} avg", r.by_task.get(group), group, "by_task", "avg")
    if UNMAPPED in r.by_setting:
        add(UNMAPPED, r.by_setting[UNMAPPED], UNMAPPED, "by_setting")
    overall = Bucket(n=r.n_pairs, accuracy=r.accuracy, ci95=r.ci95)
    base = "".join(f"<td>{fmt_pct(r.baselines[x].accuracy)}</td>" for x in BASELINES)
    paper = "".join(f"<td>{fmt_pct(papers[m]['overall'])}</td>" for m in PAPER_COLUMNS)
    rows.append(
        f'<tr class="avg"><td>Overall</td><td>{r.n_pairs}</td>{_acc(overall)}{base}{paper}</tr>'
    )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _length_table(r: Results) -> str:
    lengths = {m: paper_by_length(m) for m in PAPER_COLUMNS}
    head = "".join(
        f"<th>{_e(c)}</th>"
        for c in ["Length", "n", "RM", *BASELINES, *(f"{m} (paper)" for m in PAPER_COLUMNS)]
    )
    rows: list[str] = []
    for k in [*LENGTHS, *sorted(set(r.by_length) - set(LENGTHS))]:
        b = r.by_length[k]
        if b.n == 0 and k not in LENGTHS:
            continue
        base = "".join(
            f"<td>{fmt_pct(r.baselines[x].by_length[k].accuracy) if k in r.baselines[x].by_length else '-'}</td>"
            for x in BASELINES
        )
        paper = "".join(f"<td>{fmt_pct(lengths[m].get(k))}</td>" for m in PAPER_COLUMNS)
        rows.append(f"<tr><td>{_e(k)}</td><td>{b.n}</td>{_acc(b)}{base}{paper}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _grid(r: Results) -> str:
    cols = [
        *LENGTHS,
        *sorted({k for row in r.by_setting_length.values() for k in row} - set(LENGTHS)),
    ]
    head = "".join(f"<th>{_e(c)}</th>" for c in ["Setting", *cols])
    rows: list[str] = []
    for s, row in r.by_setting_length.items():
        if not any(b.n for b in row.values()):
            continue
        cells = "".join(_acc(row.get(k)) for k in cols)
        rows.append(f"<tr><td>{_e(s)}</td>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def render_html(
    results: Results, *, png: bytes | None = None, errors: list[str] | None = None
) -> str:
    """The report as one HTML string."""
    r = results
    rm = r.reward_model
    facts = [
        ("reward model", f"{rm.spec} (name {rm.name}, version {rm.version})"),
        (
            "mode",
            r.mode
            + (", both orders" if r.both_orders else ", one order per pair (official protocol)"),
        ),
        ("pairs / judgments", f"{r.n_pairs} / {r.n_judgments}"),
        (
            "accuracy",
            f"{fmt_pct(r.accuracy)}%"
            + (f" [{fmt_pct(r.ci95[0])}-{fmt_pct(r.ci95[1])}]" if r.ci95 else ""),
        ),
        (
            "unparsed / errors / ties / unmapped",
            f"{r.n_unparsed} / {r.n_errors} / {r.n_ties} / {r.n_unmapped}",
        ),
        ("skipped (prompt >= 131,072 tokens, --over-length skip)", str(r.n_skipped)),
        ("parse-failure rate", f"{fmt_pct(r.parse_failure_rate)}%"),
        (
            "consistency (both orders agree)",
            f"{fmt_pct(r.consistency)}%" if r.consistency is not None else "n/a (one order)",
        ),
        (
            "position bias (P[A] - 0.5)",
            f"{100 * r.position_bias:+.1f} pts"
            if r.position_bias is not None
            else "n/a (one order)",
        ),
        (
            "accuracy, chosen shown first / second",
            f"{fmt_pct(r.by_order['chosen_first'].accuracy)}% / {fmt_pct(r.by_order['chosen_second'].accuracy)}%",
        ),
        ("tokens / cost", f"{r.tokens:,} / ${r.cost:.4f}"),
        ("duration", f"{r.timing.duration_s} s" if r.timing.duration_s is not None else "-"),
    ]
    facts_html = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in facts)
    files = "".join(
        f"<tr><td>{_e(f.source)}</td><td>{f.n_records}</td><td>{f.n_skipped}</td><td>{f.n_duplicates}</td>"
        f"<td><code>{_e(f.sha256[:16])}</code></td></tr>"
        for f in r.data_files
    )
    img = (
        f'<img alt="accuracy by setting and length" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        if png
        else ""
    )
    issues = "".join(f"<li>{_e(i)}</li>" for i in r.load_issues) or "<li>none</li>"
    errs = "".join(f"<li>{_e(e)}</li>" for e in (errors or [])) or "<li>none</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MemRewardBench - {_e(rm.spec)}</title><style>{_CSS}</style></head>
<body>
<h1>MemRewardBench report: <code>{_e(rm.spec)}</code></h1>
{"<p><strong>Interim figures: this run has not finished.</strong></p>" if r.partial else ""}
<table>{facts_html}</table>
{img}
<h2>By setting</h2>
{_setting_table(r)}
<p class="note">Accuracy in %, Wilson 95% interval in brackets; ties, unparsed verdicts and reward-model errors count as
wrong. Baselines judge the same pairs in the protocol's order. {_e(PAPER_NOTE)}.</p>
<h2>By context length</h2>
{_length_table(r)}
<h2>Setting x length</h2>
{_grid(r)}
<h2>Data</h2>
<table><tr><th>source</th><th>records</th><th>skipped</th><th>duplicates</th><th>sha256</th></tr>{files}</table>
<h2>Input issues</h2><ul>{issues}</ul>
<h2>Reward-model errors</h2><ul>{errs}</ul>
</body></html>
"""


def write_report(results: Results, out_dir: Path) -> tuple[Path, Path]:
    """Write ``accuracy.png`` and ``report.html`` into ``out_dir`` (errors listed from its ledger)."""
    png_path = plot_accuracy(results, out_dir / "accuracy.png")
    errors = [
        f"{p.source}:{p.line} ({p.setting}, chosen as {p.chosen_as}): {p.error}"
        for p in read_ledger(out_dir / "predictions.jsonl")
        if p.verdict == "error"
    ][:200]
    html_path = out_dir / "report.html"
    html_path.write_text(
        render_html(results, png=png_path.read_bytes(), errors=errors), encoding="utf-8"
    )
    return html_path, png_path
