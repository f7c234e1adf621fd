"""Lockstep revelation changed how data reaches a candidate, never what it scores: every
bundled program on every split scores exactly as before.

``scores_before_lockstep.json`` was written by the code before the change (every seed and
baseline, every split of every bundled scenario, through the sandbox): the mean, the missed
deadlines and a digest of the per-workload scores rounded to 1e-9.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from simulators.evaluate import evaluate
from simulators.scenario import load_scenario

BEFORE = json.loads((Path(__file__).parent / "scores_before_lockstep.json").read_text())


def digest(per_workload: dict[str, float]) -> str:
    values = {k: round(v, 9) for k, v in sorted(per_workload.items())}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_every_program_scores_as_before(name):
    scenario = load_scenario(name)
    programs = {"seed": scenario.seed_path, **scenario.baseline_paths()}
    for split, expected in BEFORE[name].items():
        for program, was in expected.items():
            result = evaluate(scenario, programs[program].read_text(), split, checks=())
            assert result.status == "ok", (split, program, result.error)
            now = {
                "score": round(result.score, 9) if result.score is not None else None,
                "infeasible_runs": result.infeasible_runs,
                "per_workload_sha256": digest(result.per_workload),
            }
            assert now == was, (split, program)
