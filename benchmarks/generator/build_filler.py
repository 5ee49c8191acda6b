"""Rebuild the filler corpus ``benchmarks/data/filler/austen.txt.xz`` from Debian's janeaustenr.

The six novels of Jane Austen (public domain) ship in Debian's ``r-cran-janeaustenr`` package in
R's lazy-load format: ``data/Rdata.rdx`` (a gzipped RDS index: variable -> offset, length) and
``data/Rdata.rdb`` (per variable: a 4-byte big-endian length, then a zlib-compressed serialized R
character vector, one element per printed line). We read them with the ``rdata`` package and
write one plain-text file, paragraphs separated by blank lines, each novel headed by ``# Title``.

Run once (needs ``apt-get install r-cran-janeaustenr``)::

    .venv/bin/python -m benchmarks.generator.build_filler

The output is deterministic (fixed novel order, xz preset 9, no timestamps in the stream).
"""

from __future__ import annotations

import argparse
import gzip
import lzma
import re
import warnings
import zlib
from pathlib import Path

from agentmem.exceptions import UserError

__all__ = ["NOVELS", "build_corpus", "main"]

PACKAGE_DIR = Path("/usr/lib/R/site-library/janeaustenr/data")
OUT = Path(__file__).resolve().parent.parent / "data" / "filler" / "austen.txt.xz"

NOVELS = {
    "sensesensibility": "Sense and Sensibility",
    "prideprejudice": "Pride and Prejudice",
    "mansfieldpark": "Mansfield Park",
    "emma": "Emma",
    "northangerabbey": "Northanger Abbey",
    "persuasion": "Persuasion",
}

_CHAPTER = re.compile(r"^(CHAPTER|Chapter)\s+[\dIVXLC]+\.?\s*$|^VOLUME\s+[IVX]+$|^\s*THE END\s*$")


def _read_lazyload(package_dir: Path) -> dict[str, list[str]]:
    import rdata

    index_path, db_path = package_dir / "Rdata.rdx", package_dir / "Rdata.rdb"
    if not index_path.is_file() or not db_path.is_file():
        raise UserError(
            f"janeaustenr data not found in {str(package_dir)!r}; run "
            "`apt-get install -y r-cran-janeaustenr` or pass --package-dir"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdata warns that the raw index stream has no header
        index = rdata.conversion.convert(
            rdata.parser.parse_data(gzip.decompress(index_path.read_bytes()))
        )
    db = db_path.read_bytes()
    out: dict[str, list[str]] = {}
    for name, (offset, length) in index["variables"].items():
        blob = db[int(offset) : int(offset) + int(length)]
        raw = zlib.decompress(blob[4:])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = rdata.conversion.convert(rdata.parser.parse_data(raw))
        out[str(name)] = [str(x) for x in value]
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    paras: list[str] = []
    cur: list[str] = []
    for line in lines:
        line = line.strip()
        if not line or _CHAPTER.match(line):
            if cur:
                paras.append(" ".join(cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        paras.append(" ".join(cur))
    # Title pages and tables of contents are short lines; keep real prose.
    return [p for p in paras if len(p) >= 80]


def build_corpus(package_dir: Path = PACKAGE_DIR) -> str:
    """The corpus text: each novel as ``# Title`` then its prose paragraphs."""
    books = _read_lazyload(package_dir)
    parts = []
    for key, title in NOVELS.items():
        if key not in books:
            raise UserError(
                f"novel {key!r} missing from {str(package_dir)!r}; reinstall r-cran-janeaustenr"
            )
        parts.append(f"# {title}\n\n" + "\n\n".join(_paragraphs(books[key])))
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--package-dir", type=Path, default=PACKAGE_DIR)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = build_corpus(args.package_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = lzma.compress(
        text.encode("utf-8"), format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME
    )
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(text):,} characters, {len(data):,} bytes compressed)")


if __name__ == "__main__":
    main()
