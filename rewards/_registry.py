"""Reward models built from names.

A spec string names a reward model and its arguments::

    heuristic                       the offline heuristic RM (the default)
    llm:openai/gpt-4o-mini          an LLM judge through litellm
    cascade:heuristic>llm:<model>   cheap RM first, escalate when the margin is small
    ensemble:heuristic,llm:<model>[,0.7,0.3]   weighted vote
    mypkg:anything                  a third-party RM from the ``agentmem.reward_models`` entry point

Built-in factories register with :func:`register`; each factory takes the text after the first
``:`` (``''`` when there is none) plus keyword overrides (``api_base=...``) and returns a
:class:`~rewards.RewardModel` whose ``spec`` records the name, arguments and version, so a results
file can rebuild the exact RM that produced it.

Standard keyword overrides, passed by the CLI and the benchmark runner; a factory uses those that
apply to it and ignores the rest: ``mode`` ("compat" | "robust"), ``api_base``, ``api_key``,
``temperature``, ``top_p``, ``max_tokens``, ``seed``, ``timeout``, ``concurrency``, ``rpm``, ``tpm``,
``cache_dir`` (content-addressed response cache), ``calibration`` (name or path of a calibration file).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from agentmem.exceptions import UnknownNameError, UserError
from rewards._types import RewardModel

__all__ = ["DEFAULT_RM", "Factory", "known_reward_models", "make_reward_model", "register"]

DEFAULT_RM = "heuristic"
"""What ``--rm`` means when it is not given."""

Factory = Callable[..., RewardModel]

_FACTORIES: dict[str, Factory] = {}
_DESCRIPTIONS: dict[str, str] = {}

# Built-in reward-model modules, imported on first use so that importing ``rewards`` stays cheap.
_BUILTIN_MODULES = ("rewards.heuristic", "rewards.llm_judge", "rewards.cascade", "rewards.ensemble")


def register(name: str, description: str = "") -> Callable[[Factory], Factory]:
    """Decorator: make ``factory`` available as ``name`` in spec strings."""

    def deco(factory: Factory) -> Factory:
        _FACTORIES[name] = factory
        _DESCRIPTIONS[name] = description or (factory.__doc__ or "").strip().split("\n")[0]
        return factory

    return deco


def _load_builtins() -> None:
    for mod in _BUILTIN_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:  # a real import error inside the module: surface it
                raise


def _load_entry_point(name: str) -> Factory | None:
    for ep in entry_points(group="agentmem.reward_models"):
        if ep.name == name:
            factory = ep.load()
            _FACTORIES[name] = factory
            _DESCRIPTIONS[name] = f"third-party ({ep.value})"
            return factory
    return None


def known_reward_models() -> dict[str, str]:
    """Registered names (built-in and entry points) with one-line descriptions."""
    _load_builtins()
    names = dict(_DESCRIPTIONS)
    for ep in entry_points(group="agentmem.reward_models"):
        names.setdefault(ep.name, f"third-party ({ep.value})")
    return dict(sorted(names.items()))


def make_reward_model(spec: str | None = None, **overrides: Any) -> RewardModel:
    """Build the reward model a spec string names (``None`` or ``''`` = :data:`DEFAULT_RM`).

    Raises:
        UnknownNameError: the name is not registered (the closest one is suggested).
        UserError: the arguments after ``:`` are malformed.
    """
    spec = (spec or DEFAULT_RM).strip()
    if not spec:
        raise UserError("reward model spec is empty; try 'heuristic' or 'llm:openai/gpt-4o-mini'")
    name, _, arg = spec.partition(":")
    _load_builtins()
    factory = _FACTORIES.get(name) or _load_entry_point(name)
    if factory is None:
        raise UnknownNameError("reward model", name, known_reward_models())
    return factory(arg, **overrides)
