"""Fixtures for the chat tests: a workspace holding the sample session, and an open store."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from memory import open_store


def load_sample():
    """The sample-session module, loaded by path (test folders are not packages)."""
    path = Path(__file__).with_name("sample_session.py")
    spec = importlib.util.spec_from_file_location("adrs_sample_session", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sample(tmp_path):
    """(workspace, ids) of a finished sample session."""
    ids = load_sample().fill(tmp_path)
    return tmp_path, ids


@pytest.fixture
def store(sample):
    """An open store on the sample workspace (closed after the test)."""
    handle = open_store(sample[0])
    yield handle
    handle.close()
