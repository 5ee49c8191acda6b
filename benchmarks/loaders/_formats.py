"""Finding data sources on disk and streaming raw rows out of them, one at a time.

Supported: JSONL (plain, gzip, xz, bz2 — detected by magic bytes, not by extension), a JSON array,
Parquet (read in small batches through pyarrow), a Hugging Face dataset saved with
``save_to_disk`` (``state.json`` + Arrow stream shards, or a ``dataset_dict.json`` of splits; read
with pyarrow, memory-mapped, no ``datasets`` package), and folders of any of these.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from pydantic_core import from_json

from agentmem.exceptions import UserError
from benchmarks.loaders._record import LoadIssue, Source, SourceFormat

__all__ = ["RawRow", "discover", "iter_rows", "open_binary"]

RawRow = tuple[int, "dict[str, Any] | LoadIssue"]


class Hasher(Protocol):
    """What ``hashlib.sha256()`` offers."""

    def update(self, data: bytes | memoryview, /) -> None: ...


"""(1-based line or row number, the decoded object or the problem with it)."""

_COMPRESSED = (".gz", ".xz", ".bz2")
_SUPPORTED_HINT = (
    "give JSONL files (.jsonl, optionally .gz/.xz/.bz2), a JSON array (.json), Parquet (.parquet), "
    "a Hugging Face dataset folder saved with save_to_disk, or a folder of these"
)


class _HashingRaw(io.RawIOBase):
    """A raw reader that feeds every byte it reads to a hash (the file's sha256 in the same pass)."""

    def __init__(self, f: IO[bytes], hasher: Hasher) -> None:
        self._f = f
        self._hasher = hasher

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._f.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._hasher.update(memoryview(buffer)[:n])
        return n or 0

    def drain(self) -> None:
        """Hash whatever was not read (the reader stopped early on a damaged stream)."""
        while chunk := self._f.read(1 << 20):
            self._hasher.update(chunk)

    def close(self) -> None:
        self._f.close()
        super().close()


def open_binary(path: Path, hasher: Hasher | None = None) -> IO[bytes]:
    """Open a file for binary reading, decompressing gzip / xz / bz2 transparently (by magic bytes).

    With ``hasher``, the file's raw (compressed) bytes are fed to it as they are read.
    """
    with path.open("rb") as f:
        magic = f.read(6)
    raw: IO[bytes] = path.open("rb", buffering=0)
    if hasher is not None:
        raw = _HashingRaw(raw, hasher)  # type: ignore[assignment]
    buffered = io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[arg-type]
    if magic[:2] == b"\x1f\x8b":
        return _Decompressed(gzip.GzipFile(fileobj=buffered, mode="rb"), buffered)  # type: ignore[return-value]
    if magic[:6] == b"\xfd7zXZ\x00":
        return _Decompressed(lzma.LZMAFile(buffered, "rb"), buffered)  # type: ignore[return-value]
    if magic[:3] == b"BZh":
        return _Decompressed(bz2.BZ2File(buffered, "rb"), buffered)  # type: ignore[return-value]
    return buffered  # type: ignore[return-value]


class _Decompressed:
    """A decompressing reader that also closes the file underneath it."""

    def __init__(self, stream: IO[bytes], base: io.BufferedReader) -> None:
        self.stream = stream
        self.raw = base.raw
        self._base = base

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def read(self, n: int = -1) -> bytes:
        return self.stream.read(n)

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            self._base.close()

    def __enter__(self) -> _Decompressed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    files = [folder / str(f["filename"]) for f in state.get("_data_files") or []]
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
        splits = (
            json.loads((folder / "dataset_dict.json").read_text(encoding="utf-8")).get("splits")
            or []
        )
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


def discover(paths: list[str | Path]) -> list[Source]:
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


def iter_rows(source: Source, hasher: Hasher | None = None) -> Iterator[RawRow]:
    """Yield (line/row number, dict or LoadIssue) for every record of a source, streaming.

    With ``hasher``, every byte of the source's files is fed to it (sha256 of the source in the
    same pass for JSONL; columnar files are hashed after they are read).
    """
    if source.format == "jsonl":
        yield from _iter_jsonl(source, hasher)
        return
    if source.format == "json":
        yield from _iter_json_array(source)
    elif source.format == "parquet":
        yield from _iter_parquet(source)
    else:
        yield from _iter_arrow(source)
    if hasher is not None:
        for part in source.parts:
            with part.open("rb") as f:
                while chunk := f.read(1 << 20):
                    hasher.update(chunk)


def _iter_jsonl(source: Source, hasher: Hasher | None) -> Iterator[RawRow]:
    line_no = 0
    for part in source.parts:
        try:
            f = open_binary(part, hasher)
        except OSError as exc:
            yield (
                line_no + 1,
                LoadIssue(source=source.name, line=None, field=None, message=f"cannot open: {exc}"),
            )
            continue
        with f:
            try:
                for raw in f:
                    line_no += 1
                    if not raw.strip():
                        continue
                    yield line_no, _decode_line(source.name, line_no, raw)
            # a truncated or corrupt compressed stream
            except (OSError, EOFError, lzma.LZMAError) as exc:
                yield (
                    line_no + 1,
                    LoadIssue(
                        source=source.name,
                        line=line_no + 1,
                        field=None,
                        message=f"the compressed stream is damaged or truncated ({exc}); records after line {line_no} are lost",
                    ),
                )
            finally:
                if hasher is not None:
                    _drain(f)


def _drain(f: IO[bytes]) -> None:
    raw = getattr(f, "raw", None)  # BufferedReader and _Decompressed both expose the raw reader
    if isinstance(raw, _HashingRaw):
        raw.drain()


def _decode_line(source: str, line_no: int, raw: bytes) -> dict[str, Any] | LoadIssue:
    try:
        # pydantic-core's parser (a pydantic dependency) reads UTF-8 bytes 3-5x faster than json.loads
        obj = from_json(raw, cache_strings="keys")
    except ValueError as exc:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            return LoadIssue(
                source=source,
                line=line_no,
                field=None,
                message=f"not valid UTF-8 (byte {raw[uexc.start : uexc.start + 1]!r} at offset {uexc.start}); "
                "re-encode the file as UTF-8",
            )
        snippet = text.strip()[:60]
        return LoadIssue(
            source=source,
            line=line_no,
            field=None,
            message=f"not a JSON object ({exc}; starts {snippet!r}); each line must be one JSON record",
        )
    if not isinstance(obj, dict):
        return LoadIssue(
            source=source,
            line=line_no,
            field=None,
            message=f"a JSON {type(obj).__name__} where a record object was expected",
        )
    return obj


def _iter_json_array(source: Source) -> Iterator[RawRow]:
    for part in source.parts:
        with open_binary(part) as f:
            try:
                data = json.loads(f.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield (
                    1,
                    LoadIssue(
                        source=source.name,
                        line=None,
                        field=None,
                        message=f"not a JSON array of records: {exc}",
                    ),
                )
                continue
        if not isinstance(data, list):
            yield (
                1,
                LoadIssue(
                    source=source.name,
                    line=None,
                    field=None,
                    message=f"top-level JSON {type(data).__name__}; expected an array of records (or use JSONL)",
                ),
            )
            continue
        for i, obj in enumerate(data, start=1):
            if isinstance(obj, dict):
                yield i, obj
            else:
                yield (
                    i,
                    LoadIssue(
                        source=source.name,
                        line=i,
                        field=None,
                        message=f"item is a JSON {type(obj).__name__}, not a record",
                    ),
                )


def _iter_parquet(source: Source) -> Iterator[RawRow]:
    import pyarrow.parquet as pq

    row = 0
    for part in source.parts:
        try:
            pf = pq.ParquetFile(part)
        except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for non-Parquet bytes
            yield (
                row + 1,
                LoadIssue(
                    source=source.name,
                    line=None,
                    field=None,
                    message=f"not a readable Parquet file: {exc}",
                ),
            )
            continue
        for batch in pf.iter_batches(batch_size=8):
            for obj in batch.to_pylist():
                row += 1
                yield row, obj


def _iter_arrow(source: Source) -> Iterator[RawRow]:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    row = 0
    for part in source.parts:
        try:
            mm = pa.memory_map(str(part), "r")
            try:
                reader: Any = ipc.open_stream(mm)
                batches = iter(reader)
            except pa.ArrowInvalid:
                mm.seek(0)
                file_reader = ipc.open_file(mm)
                batches = (file_reader.get_batch(i) for i in range(file_reader.num_record_batches))
        except Exception as exc:  # not Arrow at all
            yield (
                row + 1,
                LoadIssue(
                    source=source.name,
                    line=None,
                    field=None,
                    message=f"not a readable Arrow file: {exc}",
                ),
            )
            continue
        for batch in batches:
            # one row at a time: the memory-mapped batch is never copied whole
            for i in range(batch.num_rows):
                row += 1
                yield row, batch.slice(i, 1).to_pylist()[0]
