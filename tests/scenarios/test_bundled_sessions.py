"""A short scripted research session (one iteration, two hypotheses) on each bundled scenario:
the seed is scored on train and held-out, the generic scripted team plans and edits a constant,
candidates go through the cascade and the verifier, and the session finishes with a champion."""

from __future__ import annotations

import pytest

from simulators.scenario import load_scenario
from tests.scenarios.sessions import assert_session_completed, run_session


@pytest.mark.parametrize("name", ["eplb", "cloudcast", "spot-multi"])
def test_short_scripted_session(name, tmp_path):
    scenario = load_scenario(name)
    store, outcome, script = run_session(tmp_path, scenario, iterations=1, k=2)
    assert_session_completed(store, outcome, script, iterations=1, k=2)
    # The critic read this iteration's best candidate.
    assert store.critiques(outcome.session_id)
