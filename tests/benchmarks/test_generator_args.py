"""Bad arguments to the generator fail early with a message naming the value and the fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentmem.exceptions import UserError
from benchmarks.generator import generate_record, generate_suite


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lengths": ("8k", "12k")}, "unknown length '12k'; use one of 8k, 16k, 32k, 64k, 128k"),
        ({"lengths": "8k,8k"}, "length '8k' is listed twice"),
        ({"lengths": ()}, "lengths is empty"),
        ({"per_cell": 0}, "per_cell must be an integer >= 1, got 0"),
        ({"per_cell": 2.5}, "per_cell must be an integer >= 1, got 2.5"),
        ({"seed": -1}, "seed must be an integer >= 0, got -1"),
    ],
)
def test_bad_arguments_are_user_errors(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        generate_suite(tmp_path, **kwargs)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())  # nothing half-written


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_user_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(UserError, match="cannot write to output folder"):
        generate_suite(locked, lengths="8k", per_cell=1)


def test_output_path_that_is_a_file_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    with pytest.raises(
        UserError, match=r"cannot write to output folder .*taken.*pick another --out"
    ):
        generate_suite(blocker / "suite", lengths="8k", per_cell=1)


def test_unknown_setting_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown setting 'Mem0-Noise'"):
        generate_record("Mem0-Noise", "8k", 0)


def test_lengths_are_case_and_space_tolerant(tmp_path: Path) -> None:
    paths = generate_suite(tmp_path, lengths=" 8K ", per_cell=1)
    assert len(paths) == 3


def test_public_names_are_exported() -> None:
    import benchmarks.generator as gen

    assert sorted(gen.__all__) == sorted(
        n
        for n in dir(gen)
        if not n.startswith("_")
        and n.isidentifier()
        and n not in {"annotations"}
        and not isinstance(getattr(gen, n), type(gen))
    )
    assert gen.BUNDLED_ARGS == {"seed": 0, "lengths": gen.LENGTHS, "per_cell": 4}
    assert gen.BUNDLED_SUITE_DIR.name == "suite" and gen.BUNDLED_SUITE_DIR.parent.name == "data"
