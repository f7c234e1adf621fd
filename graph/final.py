"""The number to report: the final champion scored once on the test split, after the search.

Held-out data chooses champions, so after many comparisons it is no longer unseen: every
accepted candidate was picked *because* it looked good there (adaptive overfitting to the
selection split). The test split is read by no agent and no verdict. Scoring the final champion
on it once, when the session stops, gives an estimate the search could not have tuned for.
"""

from __future__ import annotations

from graph.evaluation import FULL
from graph.runtime import SessionRuntime
from memory.store import Store
from memory.vocabulary import EventKind
from simulators.results import EvalResult

TEST = "test"


def score_on_test(rt: SessionRuntime, champion_program_id: int | None) -> EvalResult | None:
    """Evaluate the champion on the test split (once: memory caches it) and record the result as
    a ``final_test`` event. None when there is no champion or the scenario has no test split."""
    if champion_program_id is None or TEST not in rt.scenario.spec.splits:
        return None
    program = rt.store.program(champion_program_id)
    rt.notify(EventKind.STAGE, stage="scoring the champion on the untouched test split")
    result = rt.evaluator.score(program, TEST, FULL)
    rt.store.add_event(
        rt.session_id,
        EventKind.FINAL_TEST,
        {
            "program_id": program.id,
            "score": result.score,
            "status": result.status,
            "feasible": result.feasible,
            "infeasible_runs": result.infeasible_runs,
            "error": result.error,
        },
    )
    return result


def reported_test_score(store: Store, session_id: int) -> float | None:
    """The champion's score on the test split as last recorded, if the session has one."""
    event = store.latest_event(session_id, EventKind.FINAL_TEST)
    if event is None:
        return None
    payload = event.payload
    if payload.get("program_id") != store.session(session_id).champion_program_id:
        return None  # the session went on and found a new champion since
    return payload.get("score")
