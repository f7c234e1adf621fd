"""Fixtures for the memory tests: a fresh store in a temporary workspace."""

from __future__ import annotations

import pytest

from memory import Store, open_store


@pytest.fixture
def store(tmp_path) -> Store:
    with open_store(tmp_path) as opened:
        yield opened


@pytest.fixture
def session_id(store: Store) -> int:
    return store.create_session("run-1", "spot_single", {"k": 3}, seed=11, scenario_version="1")
