from __future__ import annotations

import pytest

from agentmem.exceptions import UserError
from agentmem.tokens import count_tokens, decode, encode, split_tokens


def test_cl100k_ids_load_offline() -> None:
    # Known cl100k_base ids: "hello world" -> [15339, 1917]
    assert encode("hello world") == [15339, 1917]
    assert decode([15339, 1917]) == "hello world"


def test_split_respects_size_and_round_trips() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 50
    parts = split_tokens(text, 37)
    assert all(count_tokens(p) <= 38 for p in parts)  # re-encoding a cut can merge one pair
    assert "".join(parts) == text


@pytest.mark.parametrize("size", [0, -3, 1.5])
def test_bad_chunk_size_names_the_value(size: object) -> None:
    with pytest.raises(UserError, match=repr(size)):
        split_tokens("abc", size)  # type: ignore[arg-type]
