"""Fixtures: a toy scenario folder, so the sandbox is tested without the real families.

Session-scoped: each scenario folder gets its own zygotes, and starting one (numpy, pydantic,
the scenario's data) costs seconds on a loaded machine; evaluations after that cost a fork.
"""

from __future__ import annotations

import pytest

from simulators.sandbox.toykind import write_toy_scenario
from simulators.scenario import Scenario, load_scenario


@pytest.fixture(scope="session")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(str(write_toy_scenario(tmp_path_factory.mktemp("toy") / "toy")))
