"""Pass 1 of a run: read every source once, apply the protocol, and list the judgments to make.

Only small facts per record are kept (id, slot, setting), so a file of hundreds of megabytes is
planned in constant memory; pass 2 streams the records again to judge them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from benchmarks.loaders import LoadReport, Source, discover, iter_records
from benchmarks.runner._protocol import ChosenAs, protocol_slots
from benchmarks.runner._results import DataFile, RunConfig

__all__ = ["Job", "Plan", "make_plan"]


@dataclass(frozen=True, kw_only=True)
class Job:
    """One judgment to make: a record of a source, in one order."""

    index: int
    """Record position among the source's valid records."""
    pair_id: str
    """Content id, checked again in pass 2 (the file must not change in between)."""
    chosen_as: ChosenAs
    primary: bool
    """The protocol's own order (False: the swapped order of a both-orders run)."""


@dataclass(kw_only=True)
class Plan:
    """What a run will judge."""

    sources: list[Source]
    """Sources in protocol order."""
    jobs: dict[str, dict[int, list[Job]]] = field(default_factory=dict)
    """source name -> record index -> its judgments."""
    data_files: list[DataFile] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)
    """Issues found while reading."""

    @property
    def n_jobs(self) -> int:
        """Total judgments in the plan."""
        return sum(len(v) for per in self.jobs.values() for v in per.values())


def make_plan(config: RunConfig) -> Plan:
    """Discover the data, read it once, and assign every pair its slot(s) by the protocol.

    Blocking (file IO and JSON parsing): call it through ``asyncio.to_thread`` from async code.
    """
    plan = Plan(sources=discover(config.data))
    planned: set[str] = set()
    for source in plan.sources:
        ids: list[str] = []
        hasher = hashlib.sha256()  # the file's sha256, computed in the same pass
        for record in iter_records([source], plan.report, skip_duplicates=False, hasher=hasher):
            ids.append(record.pair_id)
        per: dict[int, list[Job]] = {}
        for slot in sorted(
            protocol_slots(len(ids), seed=config.seed, limit=config.limit), key=lambda s: s.index
        ):
            pid = ids[slot.index]
            if pid in planned:  # a duplicate: judged once, at its first occurrence
                continue
            planned.add(pid)
            jobs = [Job(index=slot.index, pair_id=pid, chosen_as=slot.chosen_as, primary=True)]
            if config.both_orders:
                other: ChosenAs = "B" if slot.chosen_as == "A" else "A"
                jobs.append(Job(index=slot.index, pair_id=pid, chosen_as=other, primary=False))
            per[slot.index] = jobs
        plan.jobs[source.name] = per
        digest, size = hasher.hexdigest(), sum(p.stat().st_size for p in source.parts)
        plan.data_files.append(
            DataFile(
                source=source.name,
                path=";".join(str(p) for p in source.parts),
                sha256=digest,
                bytes=size,
                n_records=plan.report.records[source.name],
                n_skipped=plan.report.skipped[source.name],
                n_duplicates=plan.report.duplicates[source.name],
            )
        )
    return plan
