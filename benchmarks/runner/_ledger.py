"""``predictions.jsonl``: the append-only ledger that makes a killed run resumable.

One line per judged (pair, order), written and flushed as soon as the judgment returns. On resume
the ledger is read back; a torn last line (the process died mid-write) is cut off before anything
new is appended, so the file stays one valid JSON document per line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from agentmem.exceptions import UserError
from benchmarks.runner._results import Prediction

__all__ = ["Ledger", "read_ledger"]

LEDGER_NAME = "predictions.jsonl"


def read_ledger(path: Path, *, repair: bool = False) -> list[Prediction]:
    """All complete lines of a ledger. With ``repair``, truncate a torn last line in place.

    Raises:
        UserError: a line other than the last is not a valid prediction (the file was edited).
    """
    if not path.exists():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    body, tail = data[:end], data[end:]
    out: list[Prediction] = []
    for n, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(Prediction.model_validate_json(line))
        except ValueError as exc:
            raise UserError(
                f"{path}:{n}: not a valid prediction line ({exc.__class__.__name__}); "
                "the ledger was modified by hand — restore it or start a new --out"
            ) from exc
    if tail.strip():
        try:  # a complete last line that merely lacks its newline
            out.append(Prediction.model_validate_json(tail))
            if repair:
                with path.open("ab") as f:
                    f.write(b"\n")
        except ValueError:
            if repair:
                with path.open("r+b") as f:
                    f.truncate(end)
    return out


class Ledger:
    """Appends predictions to ``<out>/predictions.jsonl``, one flushed line each."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LEDGER_NAME
        self._f: IO[str] | None = None

    def open(self) -> list[Prediction]:
        """Open for appending (repairing a torn last line) and return what is already recorded."""
        done = read_ledger(self.path, repair=True)
        self._f = self.path.open("a", encoding="utf-8")
        return done

    def append(self, prediction: Prediction) -> None:
        """Write one line and flush it to the OS (survives kill -9 of this process)."""
        if self._f is None:
            raise RuntimeError("Ledger.append before Ledger.open")
        self._f.write(json.dumps(prediction.model_dump(mode="json"), ensure_ascii=False) + "\n")
        self._f.flush()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._f is not None:
            self._f.close()
            self._f = None
