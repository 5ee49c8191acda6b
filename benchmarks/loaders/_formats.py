"""Streaming raw rows out of data sources, one at a time, hashing the bytes on the way if asked.

JSONL lines are parsed with pydantic-core (3-5x faster than ``json.loads``); Parquet is read in
small batches and Arrow shards (a Hugging Face ``save_to_disk`` folder) memory-mapped one row at a
time with pyarrow, no ``datasets`` package. Finding the sources is ``_discover``'s job.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol, cast

from pydantic_core import from_json

from benchmarks.loaders._record import LoadIssue, Source

__all__ = ["Hasher", "RawRow", "iter_rows", "open_binary"]

RawRow = tuple[int, "dict[str, Any] | LoadIssue"]


class Hasher(Protocol):
    """What ``hashlib.sha256()`` offers."""

    def update(self, data: bytes | memoryview, /) -> None: ...


"""(1-based line or row number, the decoded object or the problem with it)."""


class _HashingRaw(io.RawIOBase):
    """A raw reader that feeds every byte it reads to a hash (the file's sha256 in the same pass)."""

    def __init__(self, f: IO[bytes], hasher: Hasher) -> None:
        self._f = f
        self._hasher = hasher

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n: int | None = self._f.readinto(buffer)  # type: ignore[attr-defined]
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
        obj: Any = from_json(raw, cache_strings="keys")
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
    return cast("dict[str, Any]", obj)


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
        items: list[Any] = data
        for i, obj in enumerate(items, start=1):
            if isinstance(obj, dict):
                yield i, cast("dict[str, Any]", obj)
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
            rows: list[dict[str, Any]] = batch.to_pylist()
            for obj in rows:
                row += 1
                yield row, obj


def _iter_arrow(source: Source) -> Iterator[RawRow]:
    import pyarrow as pa
    import pyarrow.ipc as ipc

    row = 0
    for part in source.parts:
        mm: Any = None
        batches: Iterator[Any]
        try:
            mm = pa.memory_map(str(part), "r")
            try:
                reader: Any = ipc.open_stream(mm)
                batches = iter(reader)
            except pa.ArrowInvalid:
                mm.seek(0)
                file_reader: Any = ipc.open_file(mm)
                batches = (file_reader.get_batch(i) for i in range(file_reader.num_record_batches))
        except Exception as exc:  # not Arrow at all
            if mm is not None:
                mm.close()
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
        try:
            for batch in batches:
                # one row at a time: the memory-mapped batch is never copied whole
                for i in range(batch.num_rows):
                    row += 1
                    one: list[dict[str, Any]] = batch.slice(i, 1).to_pylist()
                    yield row, one[0]
        finally:
            mm.close()
