"""The filler corpus and the length machinery."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from agentmem.exceptions import UserError
from agentmem.tokens import count_tokens
from benchmarks.generator._filler import CORPUS_PATH, corpus
from benchmarks.generator._lengths import check_lengths, fit_to_length, length_tokens
from benchmarks.generator.build_filler import PACKAGE_DIR, build_corpus


def test_corpus_is_the_six_novels_as_sentences_with_token_counts() -> None:
    c = corpus()
    assert CORPUS_PATH.stat().st_size < 2_000_000
    assert len(c.sentences) > 25_000 and 800_000 < sum(c.tokens) < 950_000
    assert "It is a truth universally acknowledged" in " ".join(c.sentences[:20000])
    assert not any(s.endswith(("Mr.", "Mrs.")) for s in c.sentences)  # no split after titles
    assert len(c.quotes) > 1000 and all(q[-1] in ".!?" for q in c.quotes)


def test_excerpts_are_contiguous_and_sized_and_reproducible() -> None:
    c = corpus()
    a = c.excerpt(random.Random(5), 500)
    assert a == c.excerpt(random.Random(5), 500)
    i = c.sentences.index(a[0])
    in_order = [
        x
        for x, t in zip(c.sentences[i : i + 2 * len(a)], c.tokens[i : i + 2 * len(a)], strict=True)
        if t <= 150
    ]
    assert in_order[: len(a)] == a
    assert 475 <= count_tokens(" ".join(a)) <= 500 + max(c.tokens[i : i + len(a)]) + len(a)


def test_names_are_found_mid_sentence() -> None:
    assert corpus().names_in("They walked with Elizabeth and Mr. Darcy to Pemberley. The End.") == [
        "Elizabeth",
        "Darcy",
        "Pemberley",
    ]


def test_fit_to_length_lands_inside_the_band() -> None:
    words = ["lorem"] * 20_000
    text, k, tokens = fit_to_length(lambda n: " ".join(words[:n]), 10, "8k")
    assert 0.85 * 8192 <= tokens <= 8192 and count_tokens(text) == tokens and k > 10


def test_length_names_are_validated() -> None:
    assert length_tokens("128k") == 131072
    assert check_lengths("8k, 32K") == ("8k", "32k")
    with pytest.raises(UserError, match="unknown length '9k'"):
        check_lengths(["9k"])


@pytest.mark.skipif(not PACKAGE_DIR.is_dir(), reason="r-cran-janeaustenr is not installed")
def test_the_corpus_file_is_rebuilt_from_the_debian_package() -> None:
    import lzma

    assert build_corpus() == lzma.decompress(CORPUS_PATH.read_bytes()).decode("utf-8")


def test_missing_package_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="apt-get install -y r-cran-janeaustenr"):
        build_corpus(tmp_path)
