"""Split a document into token-bounded chunks, and chunks into parallel groups.

Chunks are cut at token boundaries (cl100k_base), preferring a cut after a sentence or line end in
the last third of the window, else before a whitespace-led token in its last fifth, so words and
(usually) sentences stay whole. Cuts
always fall on a UTF-8 character boundary, so ``"".join(c.text for c in chunks) == document``.
"""

from __future__ import annotations

from agentmem._types import Chunk
from agentmem.exceptions import UserError
from agentmem.tokens import encoding

__all__ = ["chunk_document", "split_groups"]

_WS = frozenset(b" \t\n\r\x0b\x0c")
_ENDS = (b".", b"!", b"?", b'"', b")")


def chunk_document(text: str, chunk_tokens: int) -> list[Chunk]:
    """Cut ``text`` into chunks of at most ``chunk_tokens`` tokens each.

    Raises:
        UserError: ``chunk_tokens`` < 1 or not an integer, or ``text`` is empty/blank.
    """
    if not isinstance(chunk_tokens, int) or isinstance(chunk_tokens, bool) or chunk_tokens < 1:
        raise UserError(
            f"chunk size must be an integer >= 1 token, got {chunk_tokens!r}; MemAgent uses 5000"
        )
    if not isinstance(text, str) or not text.strip():
        raise UserError(
            f"document is empty ({len(text) if isinstance(text, str) else text!r} chars of whitespace); give a file with text in it"
        )
    enc = encoding()
    ids = enc.encode(text, disallowed_special=())
    pieces = [enc.decode_single_token_bytes(t) for t in ids]
    chunks: list[Chunk] = []
    start = 0
    n = len(ids)
    while start < n:
        end = min(start + chunk_tokens, n)
        if end < n:
            end = _cut(pieces, start, end)
        data = b"".join(pieces[start:end])
        chunks.append(Chunk(index=len(chunks), text=data.decode("utf-8"), tokens=end - start))
        start = end
    return chunks


def _cut(pieces: list[bytes], start: int, end: int) -> int:
    """Best cut position in (start, end]: a sentence/line end late in the window, else a word
    boundary, else a hard cut on a UTF-8 character boundary."""
    floor = max(start + 1, start + (end - start) * 2 // 3)
    for i in range(end, floor - 1, -1):  # a sentence or line end in the last third first
        before, after = pieces[i - 1], pieces[i]
        if before.endswith(b"\n") or (
            before.rstrip()[-1:] in _ENDS and (before[-1] in _WS or after[0] in _WS)
        ):
            return i
    floor = max(start + 1, start + (end - start) * 4 // 5)
    for i in range(end, floor - 1, -1):  # then any word boundary in the last fifth
        if pieces[i][0] in _WS or pieces[i - 1][-1] in _WS:
            return i
    # No whitespace nearby: a hard cut, moved back off any UTF-8 continuation byte (a character
    # split across tokens); forward if the whole window is one character's bytes.
    for i in range(end, start, -1):
        if not 0x80 <= pieces[i][0] <= 0xBF:
            return i
    i = end
    while i < len(pieces) and 0x80 <= pieces[i][0] <= 0xBF:
        i += 1
    return i


def split_groups(chunks: list[Chunk], groups: int) -> list[list[Chunk]]:
    """Split chunks into ``groups`` contiguous, near-equal runs (earlier groups get the extras).

    Raises:
        UserError: ``groups`` < 1, or more groups than chunks.
    """
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise UserError(f"groups must be an integer >= 1, got {groups!r}; try --groups 2")
    if groups > len(chunks):
        raise UserError(
            f"groups={groups} but the document has only {len(chunks)} chunk(s); lower --groups "
            "or --chunk-tokens so every group gets at least one chunk"
        )
    size, extra = divmod(len(chunks), groups)
    out: list[list[Chunk]] = []
    start = 0
    for g in range(groups):
        end = start + size + (1 if g < extra else 0)
        out.append(chunks[start:end])
        start = end
    return out
