"""Write a whole generated suite: three files named like the published ones.

Records are produced cell by cell (setting × length × pair index), each from its own seeded
generator, so any one record can be regenerated alone and the files are byte-identical for the
same arguments: JSON with a fixed key order, no timestamps, and xz with fixed settings (the
stream carries no file name or time).
"""

from __future__ import annotations

import json
import lzma
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError
from benchmarks.generator._dialogue import make_dialogue_pair
from benchmarks.generator._lengths import LENGTHS, check_lengths
from benchmarks.generator._longform import make_longform_pair
from benchmarks.generator._reasoning import make_reasoning_pair

__all__ = [
    "BUNDLED_ARGS",
    "BUNDLED_SUITE_DIR",
    "FILES",
    "SETTINGS_BY_FILE",
    "generate_record",
    "generate_suite",
    "iter_records",
]

BUNDLED_SUITE_DIR = Path(__file__).resolve().parent.parent / "data" / "suite"
"""Where the bundled suite lives (``benchmarks/data/suite``)."""

BUNDLED_ARGS: dict[str, Any] = {"seed": 0, "lengths": LENGTHS, "per_cell": 4}
"""``generate_suite(out_dir, **BUNDLED_ARGS)`` rebuilds the bundled files bit-identically."""

EXT = "xz"
FILES: dict[str, str] = {
    "reasoning": f"Long-context_Reasoning.jsonl.{EXT}",
    "dialogue": f"Multi-turn_Dialogue_Understanding.jsonl.{EXT}",
    "longform": f"Long-form_Generation.jsonl.{EXT}",
}
SETTINGS_BY_FILE: dict[str, tuple[str, ...]] = {
    "reasoning": ("Sequential-Noise", "Sequential-Drop", "Mixed-Noise", "Mixed-Drop"),
    "dialogue": ("Mem0-Out", "Mem0-Mem", "A-Mem-Out", "A-Mem-Mem"),
    "longform": ("LongForm-Sequential", "LongForm-Parallel"),
}
_MAKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "reasoning": make_reasoning_pair,
    "dialogue": make_dialogue_pair,
    "longform": make_longform_pair,
}
# A 128 MiB window lets xz see the filler repeated across records (gzip's 32 KiB cannot: the
# bundle is ~25 MB gzipped, ~3.5 MB as xz). The hash-chain match finder compresses ~6x faster
# than preset 9's binary tree for ~25% larger files. Fixed here: changing it changes the bytes.
_XZ_FILTERS = [
    {
        "id": lzma.FILTER_LZMA2,
        "dict_size": 128 * 1024 * 1024,
        "mode": lzma.MODE_NORMAL,
        "mf": lzma.MF_HC4,
        "nice_len": 64,
    }
]


def _family_of(setting: str) -> str:
    for family, settings in SETTINGS_BY_FILE.items():
        if setting in settings:
            return family
    raise UserError(f"unknown setting {setting!r}")


def generate_record(setting: str, length: str, index: int, *, seed: int = 0) -> dict[str, Any]:
    """One pair of one cell (the same bytes it has inside a suite file)."""
    check_lengths([length])
    return _MAKERS[_family_of(setting)](seed=seed, setting=setting, length=length, index=index)


def _check_args(seed: int, lengths: Sequence[str] | str, per_cell: int) -> tuple[str, ...]:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UserError(f"seed must be an integer >= 0, got {seed!r}")
    if isinstance(per_cell, bool) or not isinstance(per_cell, int) or per_cell < 1:
        raise UserError(f"per_cell must be an integer >= 1, got {per_cell!r}")
    return check_lengths(lengths)


def iter_records(
    family: str, *, seed: int = 0, lengths: Sequence[str] | str = LENGTHS, per_cell: int = 4
) -> Iterator[dict[str, Any]]:
    """Records of one file in file order: setting, then length, then pair index."""
    lens = _check_args(seed, lengths, per_cell)
    for setting in SETTINGS_BY_FILE[family]:
        for length in lens:
            for i in range(per_cell):
                yield _MAKERS[family](seed=seed, setting=setting, length=length, index=i)


def generate_suite(
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    lengths: Sequence[str] | str = LENGTHS,
    per_cell: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Generate the suite into ``out_dir``; returns the three file paths.

    ``progress(done, total)`` is called after every record (for a progress bar).
    """
    lens = _check_args(seed, lengths, per_cell)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UserError(
            f"cannot write to output folder {str(out)!r}: {exc.strerror or exc}; pick another --out"
        ) from exc
    total = sum(len(s) for s in SETTINGS_BY_FILE.values()) * len(lens) * per_cell
    done = 0
    paths: list[Path] = []
    for family, name in FILES.items():
        path = out / name
        tmp = path.with_name(path.name + ".part")
        comp = lzma.LZMACompressor(
            format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, filters=_XZ_FILTERS
        )
        with tmp.open("wb") as fh:
            for rec in iter_records(family, seed=seed, lengths=lens, per_cell=per_cell):
                line = json.dumps(rec, ensure_ascii=False, separators=(", ", ": ")) + "\n"
                fh.write(comp.compress(line.encode("utf-8")))
                done += 1
                if progress is not None:
                    progress(done, total)
            fh.write(comp.flush())
        tmp.replace(path)
        paths.append(path)
    return paths
