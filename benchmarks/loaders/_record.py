"""What a loader yields: one benchmark record, the problems it found, and where data came from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rewards import PairKind

__all__ = ["LoadIssue", "LoadReport", "Record", "Severity", "Source", "SourceFormat"]

SourceFormat = Literal["jsonl", "json", "parquet", "arrow"]
"""Physical format of a data source (JSONL may be gzip/xz/bz2-compressed)."""

Severity = Literal["error", "warning"]
"""``error``: the record was skipped; ``warning``: it was kept (or judged once) and this was noted."""


@dataclass(frozen=True, kw_only=True)
class Source:
    """One logical task file: the unit the official protocol seeds and shuffles."""

    name: str
    """Display name and protocol name (``Long-form_Generation.jsonl.gz``, ``Long-form_Generation/train``)."""
    parts: tuple[Path, ...]
    """Physical files, read in this order (several for a sharded Hugging Face dataset)."""
    format: SourceFormat
    """How the parts are read."""

    @property
    def kind(self) -> PairKind:
        """Judge prompt variant by the official rule: ``generation`` when the file name contains "form".

        Only the data's own name counts (the file; for a Hugging Face dataset its folder, and the
        DatasetDict folder of a split), never the folders a user keeps it in ("platform/...").
        """
        first = self.parts[0]
        names = [first.name]
        if self.format == "arrow":
            names = [first.parent.name]
            if (first.parent.parent / "dataset_dict.json").is_file():
                names.append(first.parent.parent.name)
        return "generation" if any("form" in n.lower() for n in names) else "understanding"


@dataclass(kw_only=True)
class Record:
    """One chosen/rejected pair, validated, with everything the file carried."""

    question: str
    """Instruction plus the full long context."""
    chosen: str
    """The better trajectory."""
    rejected: str
    """The worse trajectory ('' is legitimate: that memory system stored nothing)."""
    task: str | None
    """Published ``task`` value, as is."""
    subtask: str | None
    """Published ``subtask`` value, as is."""
    length: str
    """Canonical context length (``8k``…``128k``; other values kept as given, ``unknown`` if missing)."""
    setting: str
    """Canonical setting, or ``unmapped``."""
    kind: PairKind
    """Judge prompt variant for this record."""
    pair_id: str
    """Content hash of (question, chosen, rejected): stable across runs, files and formats."""
    source: str
    """Name of the source it came from."""
    line: int
    """1-based line (JSONL) or row number within the source."""
    index: int
    """0-based position among the source's valid records (the official runner's ``index``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Every other field of the record (``meta``, ``graph``, ...), kept untouched."""
    duplicate_of: str | None = None
    """``source:line`` of an earlier identical record, when this one repeats it."""

    @property
    def where(self) -> str:
        """``source:line`` for messages."""
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, kw_only=True)
class LoadIssue:
    """A problem found in the input, located precisely."""

    source: str
    """Source name (file)."""
    line: int | None
    """1-based line or row, when the problem is in one record."""
    field: str | None
    """The offending field, when there is one."""
    message: str
    """What is wrong and what to do about it."""
    severity: Severity = "error"
    """Whether the record was skipped."""

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        fld = f" field {self.field!r}:" if self.field else ""
        return f"{where}:{fld} {self.message}"


@dataclass(kw_only=True)
class LoadReport:
    """Issues and counts gathered while streaming; read it after the iterator is exhausted."""

    max_issues_per_source: int = 20
    """Issues recorded per source before only counting them (a binary file would flood the log)."""
    issues: list[LoadIssue] = field(default_factory=list)
    """Recorded issues, in input order."""
    suppressed: Counter[str] = field(default_factory=Counter)
    """Per source: issues beyond ``max_issues_per_source``, counted only."""
    records: Counter[str] = field(default_factory=Counter)
    """Per source: valid records read."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Per source: records skipped as invalid."""
    duplicates: Counter[str] = field(default_factory=Counter)
    """Per source: records that repeat an earlier one."""
    unmapped_names: Counter[str] = field(default_factory=Counter)
    """``task / subtask`` combinations that map to no canonical setting, with counts."""

    def add(self, issue: LoadIssue, *, always: bool = False) -> None:
        """Record an issue (or only count it past the per-source cap, unless ``always``)."""
        n = sum(1 for i in self.issues if i.source == issue.source)
        if n >= self.max_issues_per_source and not always:
            self.suppressed[issue.source] += 1
        else:
            self.issues.append(issue)

    @property
    def n_errors(self) -> int:
        """Skipped records, suppressed ones included."""
        return sum(self.skipped.values())

    def summary_lines(self) -> list[str]:
        """Human-readable lines: every issue, the suppressed counts, the unmapped names."""
        lines = [str(i) for i in self.issues]
        lines += [
            f"{src}: {n} more issue(s) not shown" for src, n in sorted(self.suppressed.items())
        ]
        if self.unmapped_names:
            names = ", ".join(f"{k} (x{v})" for k, v in sorted(self.unmapped_names.items()))
            lines.append(
                f"{sum(self.unmapped_names.values())} record(s) match no canonical setting and are "
                f"reported in the 'unmapped' bucket: {names}"
            )
        return lines
