"""Shared fixtures for spot-multi: the scenario, its baselines as classes, a cached workspace."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from simulators.scenario import Scenario, load_scenario


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    sc = load_scenario("spot-multi")
    sc.engine.preload()
    return sc


@pytest.fixture(scope="session")
def baseline_classes(scenario: Scenario) -> dict[str, type]:
    return {name: runpy.run_path(str(p))["Policy"] for name, p in scenario.baseline_paths().items()}


@pytest.fixture(scope="session")
def workspace(pytestconfig: pytest.Config) -> Path:
    """Survives sessions (pytest's cache): the limits of each split are computed once."""
    return Path(pytestconfig.cache.mkdir("adrs-spot-workspace"))
