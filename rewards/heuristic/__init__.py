"""The offline heuristic reward model (registered as ``heuristic``, the default RM).

It judges memory content, not formatting, with named defect detectors (see :data:`FEATURES`):

* redundancy -- failed update attempts recorded in the trajectory, repeated or restated clauses
  inside a memory, the share of the conversation's turns stored verbatim (a raw transcript dump,
  whatever the turn header);
* grounding -- names and numbers the context never states (sums and differences of stated
  numbers count as stated), memory claims about rare names that no context sentence supports,
  the share of unsupported words;
* coverage -- the evidence facts (found from the question's names and rarest words, following
  names for two more hops) kept in the memory the answer reads, facts held then dropped, what the
  context or conversation last said about the question's subject, and for dialogue stores the
  informative lines one store kept and the other lost;
* staleness -- dialogue memories still holding a value that a later line replaced (an
  announcement with a general change word, or a restatement about the same named subject);
* constraints -- long-form sections checked against the instruction's per-unit requirements
  (single unit, range, periodic rule, weekday, date, outline heading) and its global relations,
  negated or reversed requirements, altered restatements of the instruction;
* answer -- the final answer's support in the final memory, and answers that give up.

Pairwise scores normalise each feature over the pair; a few coverage features are computed on
the pair jointly (the facts either side held). A verdict's confidence is the accuracy measured at
its score margin (:mod:`rewards.heuristic._confidence`). Deterministic, offline, no model.

Spec strings: ``heuristic`` or ``heuristic:mode=robust,tie=0.02``. The standard override
``mode`` ("compat" | "robust") applies; other standard overrides are accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from agentmem.exceptions import UserError
from rewards._registry import register
from rewards.heuristic._features import FEATURES, FeatureSpec
from rewards.heuristic._model import SCORER_VERSION, HeuristicRM, Mode
from rewards.heuristic._parse import ParsedTrajectory, parse_trajectory
from rewards.heuristic._question import analyse_question, clear_cache

__all__ = [
    "FEATURES",
    "SCORER_VERSION",
    "FeatureSpec",
    "HeuristicRM",
    "Mode",
    "ParsedTrajectory",
    "analyse_question",
    "clear_cache",
    "make_heuristic",
    "parse_trajectory",
]

_MODES = ("compat", "robust")


def _parse_arg(arg: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in arg.split(","))):
        key, eq, value = part.partition("=")
        if not eq:
            if part in _MODES:
                out["mode"] = part
                continue
            raise UserError(
                f"heuristic RM argument {part!r} is not key=value; use e.g. 'heuristic:mode=robust,tie=0.02'"
            )
        out[key.strip()] = value.strip()
    return out


@register(
    "heuristic",
    "offline heuristic RM: redundancy, grounding, coverage, staleness, constraints (no model)",
)
def make_heuristic(arg: str = "", **overrides: Any) -> HeuristicRM:
    """Build the heuristic RM from the text after ``heuristic:`` and the standard overrides."""
    opts = _parse_arg(arg or "")
    unknown = set(opts) - {"mode", "tie"}
    if unknown:
        raise UserError(
            f"unknown heuristic RM option {sorted(unknown)[0]!r}; known options: mode (compat|robust), tie (a margin in [0, 1])"
        )
    mode = overrides.get("mode") or opts.get("mode") or "compat"
    if mode not in _MODES:
        raise UserError(f"mode must be 'compat' or 'robust', got {mode!r}")
    tie_raw = opts.get("tie", "0.01")
    try:
        tie = float(tie_raw)
    except ValueError:
        raise UserError(f"tie must be a number in [0, 1], got {tie_raw!r}") from None
    if not 0.0 <= tie <= 1.0:
        raise UserError(f"tie must be a number in [0, 1], got {tie_raw!r}")
    return HeuristicRM(mode=mode, tie_margin=tie)
