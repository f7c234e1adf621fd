"""Fixtures for the dashboard and report tests: a workspace holding the sample session."""

from __future__ import annotations

import pytest

from tests.chat.conftest import load_sample


@pytest.fixture
def sample(tmp_path):
    """(workspace, ids) of a finished sample session named ``demo``."""
    workspace = tmp_path / "ws"
    return workspace, load_sample().fill(workspace)
