"""Validating raw rows into :class:`Record` objects, streaming, with duplicate detection."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.loaders._discover import discover
from benchmarks.loaders._formats import Hasher, iter_rows
from benchmarks.loaders._record import LoadIssue, LoadReport, Record, Source
from benchmarks.settings import UNMAPPED, canonical_length, canonical_setting

__all__ = ["iter_records", "load_records", "pair_id_of"]

_REQUIRED = ("question", "chosen", "rejected")
_KNOWN = frozenset({"question", "chosen", "rejected", "task", "subtask", "ctx_length"})


def pair_id_of(question: str, chosen: str, rejected: str) -> str:
    """Stable content id of a pair: the first 16 hex digits of sha256 over the three texts."""
    h = hashlib.sha256()
    for part in (question, chosen, rejected):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:16]


def _validate(source: Source, line: int, obj: dict[str, Any]) -> dict[str, str] | LoadIssue:
    texts: dict[str, str] = {}
    for key in _REQUIRED:
        if key not in obj:
            have = ", ".join(sorted(map(str, obj)))[:200]
            return LoadIssue(
                source=source.name,
                line=line,
                field=key,
                message=f"missing; every record needs question, chosen and rejected (it has: {have})",
            )
        value = obj[key]
        if value is None and key == "rejected":
            value = ""
        if not isinstance(value, str):
            return LoadIssue(
                source=source.name,
                line=line,
                field=key,
                message=f"must be a string, got {type(value).__name__} {str(value)[:40]!r}",
            )
        texts[key] = value
    if not texts["question"].strip():
        return LoadIssue(
            source=source.name,
            line=line,
            field="question",
            message="is empty; there is nothing to judge against",
        )
    return texts


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def iter_records(
    sources: Iterable[Source],
    report: LoadReport | None = None,
    *,
    skip_duplicates: bool = True,
    hasher: Hasher | None = None,
) -> Iterator[Record]:
    """Stream validated records from ``sources``; problems go to ``report`` and never stop the stream.

    A record missing ``question``/``chosen``/``rejected`` (or holding a non-string there), a line
    that is not JSON or not UTF-8: skipped, reported with source, line and field. An empty
    ``rejected`` is kept (a legitimate published pair). A record repeating an earlier one (same
    question, chosen and rejected) is reported and, with ``skip_duplicates``, not yielded again;
    without it, it is yielded with ``duplicate_of`` set. Extra fields are kept in ``extra``.
    With ``hasher`` (e.g. ``hashlib.sha256()``), the sources' bytes are hashed in the same pass.
    """
    report = report if report is not None else LoadReport()
    seen: dict[str, str] = {}
    for source in sources:
        index = 0
        got_any = False
        for line, row in iter_rows(source, hasher):
            got_any = True
            if isinstance(row, LoadIssue):
                report.add(row)
                report.skipped[source.name] += 1
                continue
            texts = _validate(source, line, row)
            if isinstance(texts, LoadIssue):
                report.add(texts)
                report.skipped[source.name] += 1
                continue
            task, subtask = _opt_str(row.get("task")), _opt_str(row.get("subtask"))
            setting = canonical_setting(task, subtask, file_name=source.name)
            pid = pair_id_of(texts["question"], texts["chosen"], texts["rejected"])
            record = Record(
                question=texts["question"],
                chosen=texts["chosen"],
                rejected=texts["rejected"],
                task=task,
                subtask=subtask,
                length=canonical_length(row.get("ctx_length")),
                setting=setting,
                kind="generation"
                if source.kind == "generation" or setting.startswith("LongForm")
                else "understanding",
                pair_id=pid,
                source=source.name,
                line=line,
                index=index,
                extra={k: v for k, v in row.items() if k not in _KNOWN},
            )
            index += 1
            report.records[source.name] += 1
            if texts["chosen"] == texts["rejected"]:
                report.add(
                    LoadIssue(
                        source=source.name,
                        line=line,
                        field="rejected",
                        severity="warning",
                        message="identical to chosen: no reward model can prefer either side "
                        "(judged, and counted right only by a position or coin flip); fix the pair",
                    )
                )
            if setting == UNMAPPED:
                report.unmapped_names[f"{task} / {subtask}"] += 1
            first = seen.get(pid)
            if first is not None:
                record.duplicate_of = first
                report.duplicates[source.name] += 1
                report.add(
                    LoadIssue(
                        source=source.name,
                        line=line,
                        field=None,
                        severity="warning",
                        message=f"duplicate of {first} (same question, chosen and rejected); judged once",
                    )
                )
                if skip_duplicates:
                    continue
            else:
                seen[pid] = record.where
            yield record
        if not got_any:
            report.add(
                LoadIssue(
                    source=source.name, line=None, field=None, message="is empty: no records found"
                ),
                always=True,
            )
        elif report.records[source.name] == 0:
            report.add(
                LoadIssue(
                    source=source.name,
                    line=None,
                    field=None,
                    message="no valid records: is this a MemRewardBench file (one JSON object per line "
                    "with question, chosen, rejected)?",
                ),
                always=True,
            )


def load_records(paths: list[str | Path], report: LoadReport | None = None) -> list[Record]:
    """Convenience: discover ``paths`` and return all valid, de-duplicated records as a list."""
    return list(iter_records(discover(paths), report))
