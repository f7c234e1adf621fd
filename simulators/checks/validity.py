"""Output validity: the scenario's own rules, re-checked by the trusted engine.

Never taken from the candidate: ``engine.score`` replays the decisions on the real data and
raises ``OutputViolation`` for any broken rule (a bad action, a placement with too many
replicas, a path that does not connect). ``evaluate`` turns that into status ``invalid``; this
function is the same check for callers holding raw decisions (the verifier, tests).
"""

from __future__ import annotations

from typing import Any

from simulators.contract import OutputViolation, Workload
from simulators.sandbox.protocol import one_line
from simulators.scenario import Scenario


def check_output_validity(
    scenario: Scenario, workloads: list[Workload], raw: dict[str, Any]
) -> dict[str, Any]:
    """``{"passed": bool, "error": str | None}`` for decisions ``raw`` on ``workloads``."""
    try:
        scenario.engine.score(workloads, raw)
    except OutputViolation as err:
        return {"passed": False, "error": one_line(str(err))}
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        return {
            "passed": False,
            "error": one_line(f"malformed decisions: {type(err).__name__}: {err}"),
        }
    return {"passed": True, "error": None}
