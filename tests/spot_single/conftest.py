"""Shared fixtures for spot-single: the scenario, its baselines as classes, a cached workspace."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from simulators.scenario import Scenario, load_scenario


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    sc = load_scenario("spot-single")
    sc.engine.preload()
    return sc


@pytest.fixture(scope="session")
def baseline_classes(scenario: Scenario) -> dict[str, type]:
    """The trusted baselines loaded in-process (they are ours, not candidates)."""
    return {name: runpy.run_path(str(p))["Policy"] for name, p in scenario.baseline_paths().items()}


@pytest.fixture(scope="session")
def workspace(pytestconfig: pytest.Config) -> Path:
    """A workspace that survives test sessions (pytest's cache), so the optimum of each split is
    computed once per machine; its cache file is keyed by the data and the code version."""
    return Path(pytestconfig.cache.mkdir("adrs-spot-workspace"))
