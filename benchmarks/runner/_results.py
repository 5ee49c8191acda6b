"""The persisted documents of a run: its configuration, the ledger lines, and ``results.json``."""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "RESULTS_VERSION",
    "Baseline",
    "Bucket",
    "DataFile",
    "Mode",
    "Prediction",
    "RMInfo",
    "Results",
    "RunConfig",
    "Timing",
    "Verdict",
]

RESULTS_VERSION = 1
"""Bump when the meaning or shape of results.json changes."""

Mode = Literal["compat", "robust"]
"""``compat``: the official protocol exactly; ``robust``: both orders, tolerant parse, ties."""

Verdict = Literal["A", "B", "tie", "unparsed", "error", "skipped"]
"""A judgment's outcome in the frame it was presented; ``error``: the reward model raised;
``skipped``: the prompt was at or over the official limit and the run skips such pairs
(``--over-length skip``), as the official local runner does: not counted in any accuracy."""


class RunConfig(BaseModel):
    """Everything that decides what a run judges; saved as ``run.json`` so ``--resume`` repeats it."""

    model_config = ConfigDict(extra="forbid")

    data: list[str]
    """Data paths as given (files or folders)."""
    rm: str
    """Reward-model spec string."""
    mode: Mode = "compat"
    both_orders: bool = False
    """Judge every pair in both orders; when not given: on in robust mode, off in compat mode."""
    limit: int | None = None
    """Per source: the official ``random_sample`` of this many records."""
    seed: int = 42
    """Protocol seed (the official runner uses 42)."""
    rm_overrides: dict[str, Any] = Field(default_factory=dict)
    """Keyword overrides passed to ``make_reward_model`` that change verdicts (sampling, api_base)."""

    @model_validator(mode="before")
    @classmethod
    def _default_orders(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fields = cast("dict[str, Any]", data)
            if fields.get("both_orders") is None:
                return {**fields, "both_orders": fields.get("mode", "compat") == "robust"}
        return data


class Prediction(BaseModel):
    """One line of ``predictions.jsonl``: one judged (pair, order)."""

    pair_id: str
    source: str
    line: int
    index: int
    setting: str
    length: str
    task: str | None = None
    subtask: str | None = None
    kind: str
    chosen_as: Literal["A", "B"]
    """Slot of the chosen trajectory in this judgment."""
    primary: bool
    """True for the order the official protocol assigns (the only one in one-order runs)."""
    verdict: Verdict
    correct: bool
    """verdict == chosen_as (ties, unparsed and errors are wrong)."""
    confidence: float | None = None
    score_a: float | None = None
    score_b: float | None = None
    raw: list[str] = Field(default_factory=list)
    """Raw judge outputs."""
    rationale: str = ""
    chosen_chars: int
    rejected_chars: int
    tokens: int = 0
    cost: float = 0.0
    latency_s: float = 0.0
    error: str | None = None
    """``Type: message`` when the reward model raised."""
    chosen_wrong: int = 0
    """Wrong-update blocks carrying a rejected attempt in the chosen trajectory (0 in old ledgers)."""
    rejected_wrong: int = 0
    """The same for the rejected trajectory (the ``fewer-wrong`` surface baseline reads both)."""


class Bucket(BaseModel):
    """Accuracy over a set of pairs."""

    n: int
    accuracy: float | None
    """Fraction in [0, 1]; null when n == 0."""
    ci95: tuple[float, float] | None
    """Wilson 95% interval; null when n == 0."""


class Baseline(BaseModel):
    """A trivial judge's accuracy on the same pairs and orders."""

    accuracy: float | None
    ci95: tuple[float, float] | None
    by_setting: dict[str, Bucket]
    by_length: dict[str, Bucket]
    by_task: dict[str, Bucket]


class RMInfo(BaseModel):
    """Enough to rebuild the reward model (``spec`` can be passed back to ``--rm``)."""

    name: str
    spec: str
    version: str
    args: dict[str, Any] = Field(default_factory=dict)


class DataFile(BaseModel):
    """A data file a run read."""

    source: str
    """Source name (the protocol unit)."""
    path: str
    sha256: str
    bytes: int
    n_records: int
    """Valid records read."""
    n_skipped: int
    """Invalid records skipped (see ``load_issues``)."""
    n_duplicates: int


class Timing(BaseModel):
    """Wall-clock facts; excluded when two runs' results are compared for equality."""

    started_at: str | None = None
    finished_at: str | None = None
    duration_s: float | None = None
    judgments_per_s: float | None = None
    mean_latency_s: float | None = None


class Results(BaseModel):
    """``results.json``. FIELD ORDER MATTERS: it is the order of the file; ``version`` stays first,
    new fields go at the end, and ``timing`` (the only non-deterministic part) stays last."""

    version: int = RESULTS_VERSION
    reward_model: RMInfo
    mode: Mode
    both_orders: bool
    n_pairs: int
    """Distinct pairs judged (duplicates counted once)."""
    n_judgments: int
    """Ledger lines (pairs × orders)."""
    n_unparsed: int
    """Pairs whose final verdict could not be read."""
    n_unmapped: int
    """Pairs in the 'unmapped' bucket (judged and counted in the overall accuracy)."""
    n_errors: int
    """Pairs where the reward model raised (counted wrong)."""
    n_ties: int
    accuracy: float | None
    """Micro accuracy over all pairs, in [0, 1]; ties, unparsed and errors count as wrong."""
    ci95: tuple[float, float] | None
    tie_rate: float | None
    parse_failure_rate: float | None
    """Unparsed judgments / judgments."""
    consistency: float | None
    """Pairs whose two orders pick the same trajectory / pairs judged in both orders; null otherwise."""
    position_bias: float | None
    """P(verdict = Agent A) - 0.5 over parsed judgments, when both orders ran; null otherwise."""
    by_setting: dict[str, Bucket]
    by_length: dict[str, Bucket]
    by_task: dict[str, Bucket]
    by_setting_length: dict[str, dict[str, Bucket]]
    by_order: dict[str, Bucket]
    """Per-judgment accuracy with the chosen trajectory first (``chosen_first``) or second."""
    baselines: dict[str, Baseline]
    tokens: int
    cost: float
    data_files: list[DataFile]
    load_issues: list[str]
    partial: bool = False
    """True for interim figures computed from the ledger of a run that has not finished."""
    n_skipped: int = 0
    """Pairs not judged because their prompt reached the official 131,072-token limit under
    ``--over-length skip`` (left out of every accuracy, as the official local runner does)."""
    timing: Timing = Field(default_factory=Timing)

    def comparable(self) -> dict[str, Any]:
        """The deterministic part: everything but ``timing`` (and the data paths)."""
        doc = self.model_dump(mode="json", exclude={"timing"})
        for f in doc["data_files"]:
            f.pop("path", None)
        return doc
