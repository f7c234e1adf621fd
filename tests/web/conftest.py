"""Fixtures for the dashboard and report tests: a workspace holding the sample session."""

from __future__ import annotations

import pytest

from tests.chat.conftest import load_sample

#: Where in-process clients browse: the dashboard answers only to hosts it knows (DNS rebinding),
#: and the TestClient's default ``testserver`` is not one of them.
BASE_URL = "http://localhost:8765"


@pytest.fixture
def sample(tmp_path):
    """(workspace, ids) of a finished sample session named ``demo``."""
    workspace = tmp_path / "ws"
    return workspace, load_sample().fill(workspace)


def dashboard(workspace, **options):
    """An in-process client of ``create_app(workspace, **options)`` browsing as localhost."""
    from fastapi.testclient import TestClient

    from adrs.web.app import create_app

    return TestClient(create_app(workspace, **options), base_url=BASE_URL)
