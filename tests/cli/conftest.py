"""Fixtures for the command-line tests: the chat tests' sample session, and a workspace whose
scenario limits outlive the test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat.conftest import sample  # noqa: F401 - a fixture: (workspace, ids) of a session


@pytest.fixture(scope="session")
def workspace(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spot tests' workspace in pytest's cache, so the optimum of each split is computed
    once per machine; a temporary one when the cache plugin is off (``-p no:cacheprovider``)."""
    cache = getattr(pytestconfig, "cache", None)
    if cache is None:
        return tmp_path_factory.mktemp("adrs-spot-workspace")
    return Path(cache.mkdir("adrs-spot-workspace"))
