"""Research lanes: several iterations in flight over one memory, with champion decisions that
are compare-and-set, budgets that count what is in flight, and evaluations that run once."""

from __future__ import annotations

import json
import threading

import pytest

from agents.llm import RoleModel
from agents.scripted import ScriptedChatModel
from graph.budget import Budget
from graph.evaluation import FULL, CandidateEvaluator
from graph.nodes.verify import make_verify
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime, seed_champion
from memory.store import open_store
from simulators.results import EvalResult
from simulators.scenario import load_scenario
from tests.support.fake_evaluation import ScaledEvaluator, with_factor
from tests.support.research_script import ResearchScript, scripted_models


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("spot-single")


def start(
    tmp_path,
    scenario,
    config: SessionConfig,
    models: dict[str, RoleModel],
    concurrency: int = 8,
    evaluate_fn=None,
):
    store = open_store(tmp_path)
    sid = create_session(store, scenario, "lanes", config)
    extra = {"evaluate_fn": evaluate_fn} if evaluate_fn is not None else {}
    rt = make_runtime(store, scenario, sid, Models(fixed=models, concurrency=concurrency), **extra)
    return store, sid, rt


def test_lanes_share_the_budget_and_evaluate_every_program_once(tmp_path, scenario):
    config = SessionConfig(hypotheses_per_iteration=2, budget=Budget(iterations=7), lanes=3)
    store, sid, rt = start(
        tmp_path,
        scenario,
        config,
        scripted_models(ResearchScript()),
        evaluate_fn=ScaledEvaluator(scenario),
    )
    outcome = drive(rt, checkpointer(tmp_path))

    session = store.get_session(sid)
    assert (session.iterations, session.status) == (7, "finished")
    assert outcome.stop_reason == "iteration budget reached (7/7)"
    rounds = store.db.execute(
        "SELECT iteration, lane, done_at FROM rounds ORDER BY iteration"
    ).fetchall()
    assert [r[0] for r in rounds] == list(range(1, 8))
    assert all(r[2] is not None for r in rounds)
    assert {r[1] for r in rounds} == {0, 1, 2}, "every lane ran iterations"
    plans = store.events(sid, kind="plan", limit=100)
    assert sorted(e.payload["iteration"] for e in plans) == list(range(1, 8))
    rows, distinct = store.db.execute(
        "SELECT count(*), count(DISTINCT program_id || split || stage) FROM evaluations"
    ).fetchone()
    assert rows == distinct, "an evaluation ran twice"
    verdicts = store.db.execute(
        "SELECT program_id, count(*) FROM verdicts GROUP BY program_id"
    ).fetchall()
    assert verdicts and all(n == 1 for _, n in verdicts)
    assert len(store.events(sid, kind="stop", limit=10)) == 1
    assert [lane.stage for lane in store.lanes(sid)] == ["done"] * 3


def test_budget_counts_iterations_in_flight(tmp_path, scenario):
    """Four lanes, three iterations allowed: three plans are in flight at once (the planner
    answers only when all three are waiting), and the fourth lane launches nothing."""
    script = ResearchScript()
    waiting, all_there = [], threading.Event()
    lock = threading.Lock()

    def respond(prompt: str) -> str:
        if script.role_of(prompt) == "planner" and not all_there.is_set():
            with lock:
                waiting.append(prompt)
                if len(waiting) == 3:
                    all_there.set()
            assert all_there.wait(60), "three plans were never in flight at once"
        return script(prompt)

    chat = ScriptedChatModel(respond=respond)
    models = {
        role: RoleModel(role=role, name="scripted", chat=chat)
        for role in ("planner", "coder", "critic", "verifier")
    }
    config = SessionConfig(hypotheses_per_iteration=1, budget=Budget(iterations=3), lanes=4)
    store, sid, rt = start(
        tmp_path, scenario, config, models, evaluate_fn=ScaledEvaluator(scenario)
    )
    drive(rt, checkpointer(tmp_path))

    assert store.get_session(sid).iterations == 3
    assert store.db.execute("SELECT count(*) FROM rounds").fetchone()[0] == 3
    assert rt.models.gate.stats().max_in_flight >= 3
    assert not [c for c in store.llm_calls(sid, limit=100) if c.error]


def verifier_that_waits(release: threading.Event, slow_marker: str) -> RoleModel:
    """A reviewer that says 'not rigged', after ``release`` for code containing the marker."""

    def respond(prompt: str) -> str:
        if slow_marker in prompt:
            assert release.wait(60)
        return json.dumps({"rigged": False, "reasons": ["reads only its observation"]})

    return RoleModel(role="verifier", name="scripted", chat=ScriptedChatModel(respond=respond))


@pytest.mark.parametrize(
    ("a", "b", "champions"),
    [
        (0.90, 0.95, ["seed", "a"]),  # b beat the seed but not a: judged again, rejected
        (0.90, 0.85, ["seed", "a", "b"]),  # b beats a as well: judged again, accepted
    ],
)
def test_a_verdict_against_a_replaced_champion_is_judged_again(tmp_path, scenario, a, b, champions):
    release = threading.Event()
    models = {
        **scripted_models(ResearchScript()),
        "verifier": verifier_that_waits(release, f"FACTOR = {b:.2f}"),
    }
    store, sid, rt = start(
        tmp_path, scenario, SessionConfig(lanes=2), models, evaluate_fn=ScaledEvaluator(scenario)
    )
    seed_champion(rt)
    seed = store.champion(sid).program_id
    code = scenario.seed_path.read_text()
    ids = {}
    for name, factor in (("a", a), ("b", b)):
        pid = store.add_program(sid, with_factor(code, factor), seed, 0, None, 1).program_id
        rt.evaluator.score(store.get_program(pid), "train", FULL)
        store.set_program_status(pid, "evaluated")
        ids[name] = pid
    verify = make_verify(rt)
    lane_b = threading.Thread(
        target=verify, args=({"iteration": 1, "lane": 1, "evaluated_ids": [ids["b"]]},)
    )
    lane_b.start()  # judges b against the seed; its review waits
    verify({"iteration": 1, "lane": 0, "evaluated_ids": [ids["a"]]})  # a replaces the seed
    release.set()
    lane_b.join(60)

    names = {seed: "seed", **{pid: name for name, pid in ids.items()}}
    assert [names[c.program_id] for c in store.champion_history(sid)] == champions
    rejudged = store.events(sid, kind="rejudge", limit=10)
    assert [(e.payload["program_id"], e.payload["champion"]) for e in rejudged] == [
        (ids["b"], ids["a"])
    ]
    verdict_b = [
        e
        for e in store.events(sid, kind="verdict", limit=10)
        if e.payload["program_id"] == ids["b"]
    ]
    assert len(verdict_b) == 1 and verdict_b[0].payload["champion"] == ids["a"]
    final = store.champion(sid)
    rejected = [p for p in store.programs(sid, limit=10) if p.status == "rejected"]
    for program in rejected:  # never a champion worse than a rejected candidate
        assert final.train_score <= rt.evaluator.score(program, "train", FULL).score


def test_one_evaluation_for_lanes_asking_at_once(tmp_path, scenario):
    """Two lanes ask for the same program's result together: it runs once, both get it."""
    entered = threading.Event()
    release = threading.Event()
    fake = ScaledEvaluator(scenario)

    def slow(*args, **kwargs) -> EvalResult:
        entered.set()
        assert release.wait(60)
        return fake(*args, **kwargs)

    store = open_store(tmp_path)
    sid = create_session(store, scenario, "once", SessionConfig())
    pid = store.add_program(sid, scenario.seed_path.read_text(), None, 0, None, 0).program_id
    evaluator = CandidateEvaluator(store, scenario, slow)
    results: list[EvalResult] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(evaluator.score(store.get_program(pid), "train", FULL))
        )
        for _ in range(2)
    ]
    threads[0].start()
    assert entered.wait(60)
    threads[1].start()
    release.set()
    for thread in threads:
        thread.join(60)
    assert len(fake.calls) == 1 and evaluator.executed == 1
    assert [r.score for r in results] == [results[0].score] * 2
