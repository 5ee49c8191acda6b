"""Reports of a benchmark run: terminal tables, report.html, accuracy.png, and run comparison."""

from __future__ import annotations

from benchmarks.report._compare import (
    CompareResult,
    CompareRow,
    compare_runs,
    load_run,
    render_compare,
)
from benchmarks.report._html import render_html, write_report
from benchmarks.report._paper import (
    PAPER_NOTE,
    paper_by_length,
    paper_by_setting,
    paper_models,
    paper_tables,
)
from benchmarks.report._plot import plot_accuracy
from benchmarks.report._table import PAPER_COLUMNS, fmt_pct, render_tables

__all__ = [
    "PAPER_COLUMNS",
    "PAPER_NOTE",
    "CompareResult",
    "CompareRow",
    "compare_runs",
    "fmt_pct",
    "load_run",
    "paper_by_length",
    "paper_by_setting",
    "paper_models",
    "paper_tables",
    "plot_accuracy",
    "render_compare",
    "render_html",
    "render_tables",
    "write_report",
]
