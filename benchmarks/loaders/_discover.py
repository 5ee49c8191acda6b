"""Finding data sources on disk: files by name or content, folders, Hugging Face dataset folders.

Supported: JSONL (plain, gzip, xz, bz2 — detected by magic bytes, not by extension), a JSON array,
Parquet, a Hugging Face dataset saved with ``save_to_disk`` (``state.json`` + Arrow shards, or a
``dataset_dict.json`` of splits), and folders of any of these (sorted by name).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentmem.exceptions import UserError
from benchmarks.loaders._formats import open_binary
from benchmarks.loaders._record import Source, SourceFormat

__all__ = ["discover"]

_COMPRESSED = (".gz", ".xz", ".bz2")
_SUPPORTED_HINT = (
    "give JSONL files (.jsonl, optionally .gz/.xz/.bz2), a JSON array (.json), Parquet (.parquet), "
    "a Hugging Face dataset folder saved with save_to_disk, or a folder of these"
)


def _format_of(path: Path) -> SourceFormat | None:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".arrow"):
        return "arrow"
    stem = name
    for ext in _COMPRESSED:
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
    if stem.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if stem.endswith(".json"):
        return "json"
    return None


def _hf_dataset(folder: Path, name: str) -> Source:
    state: dict[str, Any] = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    shards: list[dict[str, Any]] = state.get("_data_files") or []
    files = [folder / str(f["filename"]) for f in shards]
    if not files:
        files = sorted(folder.glob("*.arrow"))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UserError(
            f"Hugging Face dataset folder {str(folder)!r} lists shards that do not exist: {missing}"
        )
    return Source(name=name, parts=tuple(files), format="arrow")


def _discover_dir(folder: Path, label: str, out: list[Source]) -> None:
    if (folder / "state.json").is_file():
        out.append(_hf_dataset(folder, label))
        return
    if (folder / "dataset_dict.json").is_file():
        info: dict[str, Any] = json.loads(
            (folder / "dataset_dict.json").read_text(encoding="utf-8")
        )
        splits: list[str] = info.get("splits") or []
        for split in splits:
            _discover_dir(folder / str(split), f"{label}/{split}", out)
        return
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            _discover_dir(child, f"{label}/{child.name}", out)
        elif _format_of(child) is not None and child.name not in (
            "dataset_info.json",
            "state.json",
        ):
            out.append(
                Source(
                    name=f"{label}/{child.name}",
                    parts=(child,),
                    format=_format_of(child) or "jsonl",
                )
            )


def discover(paths: Sequence[str | Path]) -> list[Source]:
    """Resolve ``--data`` arguments into sources, in the order given (folders: sorted by name).

    Raises:
        UserError: a path does not exist, is not a supported format, or a folder holds no data.
    """
    if not paths:
        raise UserError(f"no data given; {_SUPPORTED_HINT}")
    out: list[Source] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise UserError(
                f"data path {str(raw)!r} does not exist; check the path, or {_SUPPORTED_HINT}"
            )
        if path.is_dir():
            before = len(out)
            _discover_dir(path, path.name, out)
            if len(out) == before:
                raise UserError(f"folder {str(raw)!r} holds no data files; {_SUPPORTED_HINT}")
            continue
        fmt = _format_of(path)
        if fmt is None:
            fmt = _sniff(path)
        if fmt is None:
            raise UserError(
                f"cannot tell the format of {str(raw)!r} from its name or content; {_SUPPORTED_HINT}"
            )
        out.append(Source(name=path.name, parts=(path,), format=fmt))
    names = [s.name for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UserError(
            f"two data sources share the name(s) {dupes}; rename one (results are keyed by file name)"
        )
    return out


def _sniff(path: Path) -> SourceFormat | None:
    with path.open("rb") as f:
        head = f.read(8)
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:6] == b"ARROW1" or head[:4] == b"\xff\xff\xff\xff":
        return "arrow"
    with open_binary(path) as f:
        first = f.read(64).lstrip()
    if first[:1] == b"{":
        return "jsonl"
    if first[:1] == b"[":
        return "json"
    return None
