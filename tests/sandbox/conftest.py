"""Fixtures: a toy scenario folder built in tmp_path, so the sandbox is tested without real families."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.sandbox.toykind import write_toy_scenario
from simulators.scenario import Scenario, load_scenario


@pytest.fixture
def toy(tmp_path: Path) -> Scenario:
    return load_scenario(str(write_toy_scenario(tmp_path / "toy")))
