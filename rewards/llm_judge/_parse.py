"""Reading a verdict or a score out of a judge's reply.

Two pairwise parsers:

* :func:`compat_verdict` -- the published evaluator's rule, reproduced exactly: keep the first 5
  lines, then the first 5 characters of what is left; ``[[A]]`` or ``[[B]]`` there, else unparsed.
  So ``" [[B]]"`` (leading space) and ``"Verdict: [[A]]"`` are unparsed, as they were when the
  published numbers were computed.
* :func:`robust_verdict` -- tolerant: drops ``<think>`` blocks and markdown emphasis, reads a reply
  that is a JSON ``{"verdict": ...}`` as a whole (structured output) or explicit ``[[A]]`` / ``[[B]]`` / ``[[TIE]]`` tokens
  anywhere, and the LAST explicit one wins (judges that change their mind conclude last). Nothing
  explicit means ``unparsed`` -- never a guess.

Only double-bracketed tokens count as verdicts: prose such as "Agent A is better" or a bare "A" is
ambiguous (a judge may be quoting, or describing what it is about to refute).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rewards._types import Winner

__all__ = [
    "ParsedScore",
    "ParsedVerdict",
    "compat_verdict",
    "parse_score",
    "robust_verdict",
    "strip_reasoning",
]

VERDICT_RE = re.compile(r"\[\[\s*(A|B|TIE|C)\s*\]\]", re.IGNORECASE)
"""An explicit verdict token: ``[[A]]``, ``[[ b ]]``, ``[[TIE]]`` (``[[C]]`` = tie, a common alias)."""

_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.IGNORECASE | re.DOTALL)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</(think|thinking|reasoning)>", re.IGNORECASE)
_MARKDOWN = re.compile(r"(\*\*|__|`+|~~)")


@dataclass(frozen=True, kw_only=True)
class ParsedVerdict:
    """A verdict and how it was found."""

    winner: Winner
    """A, B, tie or unparsed."""
    how: str
    """Which rule produced it (for the evidence)."""
    candidates: int = 0
    """How many explicit verdict tokens the reply contained."""


def compat_verdict(text: str | None) -> ParsedVerdict:
    """The published rule: first 5 lines, then first 5 characters, must hold ``[[A]]`` or ``[[B]]``."""
    if not isinstance(text, str):
        return ParsedVerdict(winner="unparsed", how="no text")
    head = "\n".join(text.split("\n")[:5])[:5]
    if "[[A]]" in head:
        return ParsedVerdict(
            winner="A", how="compat: [[A]] in the first 5 characters", candidates=1
        )
    if "[[B]]" in head:
        return ParsedVerdict(
            winner="B", how="compat: [[B]] in the first 5 characters", candidates=1
        )
    return ParsedVerdict(
        winner="unparsed", how=f"compat: no [[A]]/[[B]] in the first 5 characters {head!r}"
    )


def strip_reasoning(text: str) -> str:
    """Remove ``<think>`` blocks (and an unclosed one, or everything before a stray closing tag)."""
    text = _THINK_BLOCK.sub(" ", text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:  # reasoning models sometimes omit the opening tag
        text = text[closes[-1].end() :]
    opened = _THINK_OPEN.search(text)
    if opened:  # thinking never finished: nothing after it is an answer
        text = text[: opened.start()]
    return text


def _whole_json(text: str) -> dict[str, object] | None:
    """The reply as one JSON object (structured output, optionally in a ```json fence), else None.

    Only a reply that is JSON as a whole counts: a JSON snippet inside prose may be quoted from
    the (untrusted) trajectories.
    """
    body = text.strip()
    if body[:4].lower() == "json":  # what is left of a ```json fence once backticks are stripped
        body = body[4:].strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    try:
        obj = json.loads(body)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _json_verdict(text: str) -> Winner | None:
    obj = _whole_json(text)
    if obj is None:
        return None
    value = str(obj.get("verdict", obj.get("winner", ""))).strip().strip("[]").strip().upper()
    if value in ("A", "B"):
        return value  # type: ignore[return-value]
    if value in ("TIE", "C"):
        return "tie"
    return None


def robust_verdict(text: str | None) -> ParsedVerdict:
    """Tolerant parse; the last explicit verdict wins; ``unparsed`` when there is none."""
    if not isinstance(text, str) or not text.strip():
        return ParsedVerdict(winner="unparsed", how="empty reply")
    body = _MARKDOWN.sub("", strip_reasoning(text))
    from_json = _json_verdict(body)
    if from_json is not None:
        return ParsedVerdict(winner=from_json, how="robust: JSON verdict field", candidates=1)
    tokens = VERDICT_RE.findall(body)
    if not tokens:
        return ParsedVerdict(winner="unparsed", how="robust: no explicit [[A]]/[[B]] verdict")
    last = tokens[-1].upper()
    winner: Winner = "tie" if last in ("TIE", "C") else last  # type: ignore[assignment]
    how = (
        "robust: the only verdict"
        if len(tokens) == 1
        else f"robust: last of {len(tokens)} verdicts"
    )
    return ParsedVerdict(winner=winner, how=how, candidates=len(tokens))


@dataclass(frozen=True, kw_only=True)
class ParsedScore:
    """A pointwise score in [0, 1], or None when the reply held none."""

    value: float | None
    """The score, rescaled to [0, 1]."""
    how: str
    """Which rule produced it."""
    rationale: str = ""
    """The judge's reasoning (JSON ``rationale`` field or the reply without the score line)."""


_SCORE_TOKEN = re.compile(
    r"\[\[\s*SCORE\s*[:=]\s*([0-9]*\.?[0-9]+)\s*(%|/\s*(?:10|100|1))?\s*\]\]", re.IGNORECASE
)


def _scaled(number: str, unit: str | None) -> float | None:
    try:
        value = float(number)
    except ValueError:
        return None
    unit = (unit or "").replace(" ", "")
    if unit == "%" or unit == "/100":
        value /= 100.0
    elif unit == "/10":
        value /= 10.0
    return value if 0.0 <= value <= 1.0 else None


def parse_score(text: str | None) -> ParsedScore:
    """Read a pointwise score: a reply that is JSON ``{"score": x}``, or a ``[[SCORE: x]]`` token (last wins).

    Accepts 0-1 values, ``7/10``, ``85%`` and ``85/100``; anything outside [0, 1] after
    rescaling is rejected (not clipped), so a garbled reply is reported as unparsed.
    """
    if not isinstance(text, str) or not text.strip():
        return ParsedScore(value=None, how="empty reply")
    body = _MARKDOWN.sub("", strip_reasoning(text))
    obj = _whole_json(body)
    score = obj.get("score") if obj is not None else None
    if isinstance(score, int | float) and not isinstance(score, bool) and 0.0 <= score <= 1.0:
        assert obj is not None
        rationale = str(obj.get("rationale", "")).strip()
        return ParsedScore(value=float(score), how="JSON score field", rationale=rationale)
    tokens = list(_SCORE_TOKEN.finditer(body))
    for match in reversed(tokens):
        value = _scaled(match.group(1), match.group(2))
        if value is not None:
            rationale = (body[: match.start()] + body[match.end() :]).strip()
            return ParsedScore(
                value=value,
                how="[[SCORE: x]] token" + (f" (last of {len(tokens)})" if len(tokens) > 1 else ""),
                rationale=rationale,
            )
    return ParsedScore(value=None, how="no [[SCORE: x]] token or JSON score in [0, 1]")
