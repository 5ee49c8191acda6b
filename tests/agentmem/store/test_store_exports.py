"""agentmem.store's public surface: __all__ is exact, and everything in it is importable."""

from __future__ import annotations

import agentmem.store as store_pkg
import agentmem.testing as testing_pkg


def test_store_all_matches_public_names() -> None:
    public = {n for n in vars(store_pkg) if not n.startswith("_") and n != "annotations"}
    assert set(store_pkg.__all__) == public
    assert len(set(store_pkg.__all__)) == len(store_pkg.__all__)


def test_postgres_helper_is_exported_from_testing() -> None:
    for name in ("PostgresServer", "PostgresUnavailableError", "find_postgres_bin"):
        assert name in testing_pkg.__all__
        assert getattr(testing_pkg, name).__module__ == "agentmem.testing._postgres"
