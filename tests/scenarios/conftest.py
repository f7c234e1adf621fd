"""Fixtures of the scenario tests: a scenario folder written by the scaffold."""

from __future__ import annotations

import pytest

from adrs.scaffold import write_scenario


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory):
    """A scenario folder written by the scaffold (``adrs new-scenario toy-scale``)."""
    folder = tmp_path_factory.mktemp("scaffold") / "toy-scale"
    write_scenario("toy-scale", folder)
    return folder
